/*
 * ident.c - a faked identity (struct vr_ident in vroot.h) and the kernel's
 * rules for changing it.
 *
 * The rules are kernel/sys.c's (__sys_setuid(), __sys_setreuid(),
 * __sys_setresuid(), __sys_setfsuid() and their gid twins) with the
 * capabilities commoncap.c leaves a process that started as root: the
 * effective set is full while the effective uid is 0 (cap_emulate_setxuid()
 * empties it when the euid leaves 0 and refills it from the permitted set
 * when it comes back, which it may only while some id is still 0), and the
 * filesystem capabilities follow the filesystem uid (cap_task_fix_setuid()).
 * So "capable" below is "euid 0", and perm.c gives the filesystem
 * capabilities to "fsuid 0".
 *
 * The identity lives in the task, which the threads of a process share:
 * glibc and musl apply set*id to every thread, so a change made through
 * them is the same for all.  A task is never shared by a vfork child that
 * changes it (the loader gives the child its own first).
 */
#include "ns.h"
#include "util.h"

#define NONE ((unsigned int)-1)

void
vr_ident_fake(struct vr_ident *id, unsigned int uid, unsigned int gid)
{
	id->uid = id->euid = id->suid = id->fsuid = uid;
	id->gid = id->egid = id->sgid = id->fsgid = gid;
	id->faked = 1;
	id->host_uid = (unsigned int)sys_getuid();
	id->host_gid = (unsigned int)sys_getgid();
	/* Root sees the user's own files as its own, as fakeroot and proot -0 show them. */
	id->show_uid = uid == 0 ? 0 : id->host_uid;
	id->show_gid = uid == 0 ? gid : id->host_gid;
	id->ngroups = 1;
	id->groups[0] = gid;
}

void
vr_task_ident(const struct vr_task *t, struct vr_ident *id)
{
	vr_memcpy(id, &t->id, sizeof(*id));
}

/* one_of() - @v is one of the three ids. */
static int
one_of(unsigned int v, unsigned int a, unsigned int b, unsigned int c)
{
	return v == a || v == b || v == c;
}

/*
 * struct ids - one kind of id (user or group) of an identity, so the rules
 * are written once for both.
 */
struct ids {
	unsigned int *r, *e, *s, *fs;
};

static void
uids(struct vr_ident *id, struct ids *k)
{
	k->r = &id->uid;
	k->e = &id->euid;
	k->s = &id->suid;
	k->fs = &id->fsuid;
}

static void
gids(struct vr_ident *id, struct ids *k)
{
	k->r = &id->gid;
	k->e = &id->egid;
	k->s = &id->sgid;
	k->fs = &id->fsgid;
}

/* set_one() - setuid()/setgid(). */
static int
set_one(const struct ids *k, int capable, unsigned int v)
{
	if (v == NONE)
		return -EINVAL;
	if (capable) {
		*k->r = *k->s = v;
	} else if (v != *k->r && v != *k->s) {
		return -EPERM;
	}
	*k->e = *k->fs = v;
	return 0;
}

/* set_re() - setreuid()/setregid(). */
static int
set_re(const struct ids *k, int capable, unsigned int r, unsigned int e)
{
	unsigned int r0 = *k->r, e0 = *k->e, s0 = *k->s;

	if (r != NONE && !capable && r != r0 && r != e0)
		return -EPERM;
	if (e != NONE && !capable && !one_of(e, r0, e0, s0))
		return -EPERM;
	if (r != NONE)
		*k->r = r;
	if (e != NONE)
		*k->e = e;
	if (r != NONE || (e != NONE && e != r0))
		*k->s = *k->e;
	*k->fs = *k->e;
	return 0;
}

/* set_res() - setresuid()/setresgid(). */
static int
set_res(const struct ids *k, int capable, unsigned int r, unsigned int e, unsigned int s)
{
	unsigned int r0 = *k->r, e0 = *k->e, s0 = *k->s;

	if (!capable &&
	    ((r != NONE && !one_of(r, r0, e0, s0)) || (e != NONE && !one_of(e, r0, e0, s0)) ||
	     (s != NONE && !one_of(s, r0, e0, s0))))
		return -EPERM;
	if (r != NONE)
		*k->r = r;
	if (e != NONE)
		*k->e = e;
	if (s != NONE)
		*k->s = s;
	*k->fs = *k->e;
	return 0;
}

/* set_fs() - setfsuid()/setfsgid(): the old id, changed only when allowed. */
static long
set_fs(const struct ids *k, int capable, unsigned int v)
{
	unsigned int old = *k->fs;

	if (v != NONE && (capable || one_of(v, *k->r, *k->e, *k->s) || v == old))
		*k->fs = v;
	return old;
}

/* faked() - the identity of @t, r0 NULL when it is the kernel's. */
static struct vr_ident *
faked(struct vr_task *t)
{
	return t->id.faked ? &t->id : NULL;
}

int
vr_setuid(struct vr_task *t, unsigned int uid)
{
	struct vr_ident *id = faked(t);
	struct ids k;

	if (!id)
		return -ENOSYS;
	uids(id, &k);
	return set_one(&k, id->euid == 0, uid);
}

int
vr_setgid(struct vr_task *t, unsigned int gid)
{
	struct vr_ident *id = faked(t);
	struct ids k;

	if (!id)
		return -ENOSYS;
	gids(id, &k);
	return set_one(&k, id->euid == 0, gid);
}

int
vr_setreuid(struct vr_task *t, unsigned int ruid, unsigned int euid)
{
	struct vr_ident *id = faked(t);
	struct ids k;

	if (!id)
		return -ENOSYS;
	uids(id, &k);
	return set_re(&k, id->euid == 0, ruid, euid);
}

int
vr_setregid(struct vr_task *t, unsigned int rgid, unsigned int egid)
{
	struct vr_ident *id = faked(t);
	struct ids k;

	if (!id)
		return -ENOSYS;
	gids(id, &k);
	return set_re(&k, id->euid == 0, rgid, egid);
}

int
vr_setresuid(struct vr_task *t, unsigned int ruid, unsigned int euid, unsigned int suid)
{
	struct vr_ident *id = faked(t);
	struct ids k;

	if (!id)
		return -ENOSYS;
	uids(id, &k);
	return set_res(&k, id->euid == 0, ruid, euid, suid);
}

int
vr_setresgid(struct vr_task *t, unsigned int rgid, unsigned int egid, unsigned int sgid)
{
	struct vr_ident *id = faked(t);
	struct ids k;

	if (!id)
		return -ENOSYS;
	gids(id, &k);
	return set_res(&k, id->euid == 0, rgid, egid, sgid);
}

long
vr_setfsuid(struct vr_task *t, unsigned int uid)
{
	struct vr_ident *id = faked(t);
	struct ids k;

	if (!id)
		return -ENOSYS;
	uids(id, &k);
	return set_fs(&k, id->euid == 0, uid);
}

long
vr_setfsgid(struct vr_task *t, unsigned int gid)
{
	struct vr_ident *id = faked(t);
	struct ids k;

	if (!id)
		return -ENOSYS;
	gids(id, &k);
	return set_fs(&k, id->euid == 0, gid);
}

int
vr_getgroups(struct vr_task *t, int size, unsigned int *list)
{
	const struct vr_ident *id = faked(t);
	unsigned int n;

	if (!id)
		return -ENOSYS;
	n = id->ngroups;
	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return (int)n;
	if ((unsigned int)size < n)
		return -EINVAL;
	vr_memcpy(list, id->groups, n * sizeof(*list));
	return (int)n;
}

int
vr_setgroups(struct vr_task *t, long size, const unsigned int *list)
{
	struct vr_ident *id = faked(t);

	if (!id)
		return -ENOSYS;
	if (id->euid != 0)
		return -EPERM;
	if (size < 0 || size > VR_IDENT_GROUPS)
		return -EINVAL;
	vr_memcpy(id->groups, list, (size_t)size * sizeof(*list));
	id->ngroups = (unsigned int)size;
	return 0;
}
