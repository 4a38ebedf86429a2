/*
 * perm.c - the permission rules of src/core/perm.c, as a table: who (uid,
 * gid, groups, capabilities) may do what to an object of which owner,
 * group and mode, with the answer the kernel gives (fs/namei.c
 * generic_permission(), may_delete()'s sticky rule, fs/attr.c's chown and
 * chmod rules, do_utimes(), may_linkat()).  The integration test
 * permissions.sh checks the same rules against the kernel itself, as a
 * user; this table also covers what only root can show (capabilities).
 */
/* The core's headers take the kernel's <linux/stat.h>, which leaves these
 * to glibc's <sys/stat.h>; that one would clash with <asm/stat.h>. */
#define S_IFMT  0170000
#define S_IFDIR 0040000
#define S_IFREG 0100000
#include "../../src/core/perm.h"
#include "tap.h"

#include <stdio.h>
#include <unistd.h>

#define ROOT_CAPS                                                                                  \
	((1ul << VR_CAP_CHOWN) | (1ul << VR_CAP_DAC_OVERRIDE) | (1ul << VR_CAP_DAC_READ_SEARCH) |  \
	 (1ul << VR_CAP_FOWNER) | (1ul << VR_CAP_FSETID))
#define R   VR_MAY_READ
#define W   VR_MAY_WRITE
#define X   VR_MAY_EXEC
#define REG S_IFREG
#define DIR S_IFDIR

#define ALL VR_CRED_GID | VR_CRED_CAPS

static struct vr_cred root = {0, 0, ROOT_CAPS, ALL, 0, {0}};
static struct vr_cred user = {1000, 1000, 0, ALL, 2, {1000, 50}};
/* uid 0 without capabilities (dropped): only the bits count. */
static struct vr_cred bare0 = {0, 0, 0, ALL, 0, {0}};

struct row {
	const char *what;
	struct vr_cred *c;
	unsigned int uid, gid, mode;
	int mask, want;
};

static const struct row access_rows[] = {
        {"owner reads 0644", &user, 1000, 1000, REG | 0644, R, 0},
        {"owner writes 0444", &user, 1000, 1000, REG | 0444, W, -EACCES},
        {"owner class wins over group: 0077 own file", &user, 1000, 1000, REG | 0077, R, -EACCES},
        {"group writes 0664", &user, 0, 1000, REG | 0664, W, 0},
        {"supplementary group writes 0664", &user, 0, 50, REG | 0664, W, 0},
        {"group class wins over other: 0606 group file", &user, 0, 50, REG | 0606, W, -EACCES},
        {"other writes 0644", &user, 0, 0, REG | 0644, W, -EACCES},
        {"other writes 0666", &user, 0, 0, REG | 0666, W, 0},
        {"other searches 0711 dir", &user, 0, 0, DIR | 0711, X, 0},
        {"other writes 0755 dir", &user, 0, 0, DIR | 0755, W | X, -EACCES},
        {"root writes 0000 file", &root, 1000, 1000, REG | 0000, W, 0},
        {"root reads 0000 file", &root, 1000, 1000, REG | 0000, R, 0},
        {"root executes 0644 file", &root, 1000, 1000, REG | 0644, X, -EACCES},
        {"root executes 0744 file", &root, 1000, 1000, REG | 0744, X, 0},
        {"root executes 0001 file", &root, 1000, 1000, REG | 0001, X, 0},
        {"root searches 0000 dir", &root, 1000, 1000, DIR | 0000, X, 0},
        {"root writes 0000 dir", &root, 1000, 1000, DIR | 0000, W | X, 0},
        {"uid 0 without capabilities writes 0444 own file", &bare0, 0, 0, REG | 0444, W, -EACCES},
        {"uid 0 without capabilities writes 0644 other's file", &bare0, 1000, 1000, REG | 0644, W,
         -EACCES},
};

/* status_caps() - this process's effective capabilities, from /proc/self/status. */
static unsigned long
status_caps(void)
{
	char line[256];
	unsigned long caps = 0;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %lx", &caps) == 1)
			break;
	if (f)
		fclose(f);
	return caps;
}

/*
 * The calling thread's identity: the uid at once, the gid and the
 * capabilities when a check first needs them, each as the kernel has it.
 */
static void
own_identity(void)
{
	unsigned long caps = status_caps();
	struct vr_cred c;

	is_int(vr_cred_get(NULL, &c, 0), 0, "own identity read");
	is_int((int)c.uid, (int)geteuid(), "own fsuid is the euid");
	is_int((int)c.have, 0, "gid and capabilities not read yet");
	is_int(vr_cred_capable(&c, VR_CAP_DAC_OVERRIDE), (int)((caps >> VR_CAP_DAC_OVERRIDE) & 1),
	       "CAP_DAC_OVERRIDE as /proc/self/status CapEff shows");
	is_int(vr_cred_capable(&c, VR_CAP_FOWNER), (int)((caps >> VR_CAP_FOWNER) & 1),
	       "CAP_FOWNER as CapEff shows");
	is_int(vr_cred_in_group(&c, getegid()), 1, "own fsgid is a group of its own");
	is_int((int)c.gid, (int)getegid(), "own fsgid is the egid");
}

int
main(void)
{
	struct vr_owner dir = {0, 0, DIR | 01777}, plain = {0, 0, DIR | 0777};
	struct vr_owner mine = {1000, 1000, REG | 0644}, theirs = {0, 0, REG | 0666};
	struct vr_owner ow;
	unsigned int mode;

	for (size_t i = 0; i < sizeof(access_rows) / sizeof(access_rows[0]); i++) {
		const struct row *r = &access_rows[i];

		ow = (struct vr_owner){r->uid, r->gid, r->mode};
		is_int(vr_perm_check(r->c, &ow, r->mask), r->want, "%s", r->what);
	}

	is_int(vr_perm_sticky(&user, &dir, &theirs), -EPERM,
	       "sticky: another's file in another's dir");
	is_int(vr_perm_sticky(&user, &dir, &mine), 0, "sticky: own file");
	is_int(vr_perm_sticky(&user, &(struct vr_owner){1000, 0, DIR | 01777}, &theirs), 0,
	       "sticky: another's file in own dir");
	is_int(vr_perm_sticky(&root, &dir, &mine), 0, "sticky: CAP_FOWNER");
	is_int(vr_perm_sticky(&user, &plain, &theirs), 0, "not sticky");

	is_int(vr_perm_chown(&user, &mine, 1000, (unsigned int)-1), 0, "chown to oneself");
	is_int(vr_perm_chown(&user, &mine, 0, (unsigned int)-1), -EPERM, "chown away");
	is_int(vr_perm_chown(&user, &mine, (unsigned int)-1, 50), 0, "chgrp to own group");
	is_int(vr_perm_chown(&user, &mine, (unsigned int)-1, 0), -EPERM, "chgrp to another group");
	is_int(vr_perm_chown(&user, &theirs, (unsigned int)-1, 0), -EPERM,
	       "chgrp of another's file to its own group");
	is_int(vr_perm_chown(&root, &mine, 5, 5), 0, "chown with CAP_CHOWN");

	mode = 02755;
	is_int(vr_perm_chmod(&user, &mine, &mode), 0, "chmod own file");
	is_int(mode, 02755, "set-group-ID kept in own group");
	mode = 02755;
	ow = (struct vr_owner){1000, 7, REG | 0644};
	vr_perm_chmod(&user, &ow, &mode);
	is_int(mode, 0755, "set-group-ID dropped outside own groups");
	mode = 02755;
	vr_perm_chmod(&root, &ow, &mode);
	is_int(mode, 02755, "set-group-ID kept with CAP_FSETID");
	is_int(vr_perm_chmod(&user, &theirs, &mode), -EPERM, "chmod another's file");

	is_int(vr_perm_utimes(&user, &theirs, 1), 0, "times now: writable");
	is_int(vr_perm_utimes(&user, &theirs, 0), -EPERM, "explicit times: not owner");
	is_int(vr_perm_utimes(&user, &(struct vr_owner){0, 0, REG | 0644}, 1), -EACCES,
	       "times now: not writable");
	is_int(vr_perm_utimes(&user, &mine, 0), 0, "explicit times: owner");

	is_int(vr_perm_hardlink(&user, &theirs), 0, "link: readable and writable");
	is_int(vr_perm_hardlink(&user, &(struct vr_owner){0, 0, REG | 0644}), -EPERM,
	       "link: not writable");
	is_int(vr_perm_hardlink(&user, &(struct vr_owner){0, 0, REG | 04777}), -EPERM,
	       "link: set-user-ID");
	is_int(vr_perm_hardlink(&user, &(struct vr_owner){0, 0, REG | 02777}), -EPERM,
	       "link: executable set-group-ID");
	is_int(vr_perm_hardlink(&user, &(struct vr_owner){0, 0, REG | 02766}), 0,
	       "link: set-group-ID without group x (mandatory locking mark)");
	is_int(vr_perm_hardlink(&user, &(struct vr_owner){1000, 0, REG | 0000}), 0, "link: owner");
	own_identity();
	return done_testing();
}
