/*
 * ident.c - a faked identity (struct vr_ident in vroot.h) and the kernel's
 * rules for changing it.
 *
 * The rules are kernel/sys.c's (__sys_setuid(), __sys_setreuid(),
 * __sys_setresuid(), __sys_setfsuid() and their gid twins) with the
 * capabilities of commoncap.c, root's set taken whole (VR_CAPS_*):
 * cap_emulate_setxuid() empties the effective set when the effective uid
 * leaves 0 and refills it from the permitted set when it comes back;
 * cap_task_fix_setuid() does the same with the filesystem capabilities
 * when the filesystem uid alone leaves or reaches 0.  The permitted set
 * goes with the last id 0 unless SECBIT_KEEP_CAPS is set (PR_SET_KEEPCAPS,
 * which an exec clears); SECBIT_NO_SETUID_FIXUP keeps every set as it is;
 * an exec empties them for a program run without a uid 0, or with
 * SECBIT_NOROOT.  capset() may lower the sets and raise the effective
 * ones from the permitted one (setpriv(1) does).
 *
 * The identity lives in the task.  The kernel keeps credentials per
 * thread, so a thread whose identity differs from its process's runs as
 * a task of its own (the loader's vfs_ident.c); glibc and musl make every
 * thread make a set*id call, so a change made through them is the same
 * for all.  A task is never shared by a vfork child that changes it (the
 * loader gives the child its own first).
 */
#include "ns.h"
#include "util.h"

#define NONE      ((unsigned int)-1)
#define ROOT_CAPS (VR_CAPS_EFFECTIVE | VR_CAPS_FS | VR_CAPS_PERMITTED)
#define CAP_SETS  (ROOT_CAPS)

/* linux/securebits.h */
#define SECBIT_NOROOT          (1u << 0)
#define SECBIT_NO_SETUID_FIXUP (1u << 2)
#define SECBIT_KEEP_CAPS       (1u << 4)
#define SECBIT_KEEP_CAPS_LOCK  (1u << 5)
#define SECBITS_ALL            0x55u /* NOROOT, NO_SETUID_FIXUP, KEEP_CAPS, NO_CAP_AMBIENT_RAISE */
#define SECBITS_LOCKS          (SECBITS_ALL << 1)

/* linux/prctl.h */
#define PR_GET_KEEPCAPS   7
#define PR_SET_KEEPCAPS   8
#define PR_GET_SECUREBITS 27
#define PR_SET_SECUREBITS 28

/* secbits() - @id's securebits. */
static unsigned int
secbits(const struct vr_ident *id)
{
	return id->caps >> VR_CAPS_SECBITS_SHIFT;
}

/* set_secbits() - @id's securebits become @bits. */
static void
set_secbits(struct vr_ident *id, unsigned int bits)
{
	id->caps = (id->caps & CAP_SETS) | bits << VR_CAPS_SECBITS_SHIFT;
}

void
vr_ident_fake(struct vr_ident *id, unsigned int uid, unsigned int gid)
{
	id->uid = id->euid = id->suid = id->fsuid = uid;
	id->gid = id->egid = id->sgid = id->fsgid = gid;
	id->faked = 1;
	id->caps = uid == 0 ? ROOT_CAPS : 0;
	id->host_uid = (unsigned int)sys_getuid();
	id->host_gid = (unsigned int)sys_getgid();
	/*
	 * The user's own files are root's, as fakeroot and proot -0 show
	 * them, whatever identity a session takes: what one session made
	 * shows the same to the next.
	 */
	id->show_uid = 0;
	id->show_gid = 0;
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

/* capable() - @id has CAP_SETUID and CAP_SETGID. */
static int
capable(const struct vr_ident *id)
{
	return (id->caps & VR_CAPS_EFFECTIVE) != 0;
}

/* struct old - @id's uids before a change (fixed()). */
struct old {
	unsigned int r, e, s, fs;
};

static void
before(const struct vr_ident *id, struct old *o)
{
	o->r = id->uid;
	o->e = id->euid;
	o->s = id->suid;
	o->fs = id->fsuid;
}

/*
 * fixed() - @ret of a change of @id's uids from @o (@fs: of the
 * filesystem uid alone), with the capabilities fixed after it as the
 * kernel fixes them (cap_emulate_setxuid(), cap_task_fix_setuid()).
 */
static long
fixed(struct vr_ident *id, long ret, const struct old *o, int fs)
{
	unsigned int e0 = o->e, fs0 = o->fs;
	int perm;

	if (ret < 0 || (secbits(id) & SECBIT_NO_SETUID_FIXUP))
		return ret;
	/* The last id 0 gone: the permitted set goes too, unless kept. */
	if (!fs && one_of(0, o->r, o->e, o->s) && !one_of(0, id->uid, id->euid, id->suid) &&
	    !(secbits(id) & SECBIT_KEEP_CAPS))
		id->caps &= ~CAP_SETS;
	perm = (id->caps & VR_CAPS_PERMITTED) != 0;
	if (!fs && e0 == 0 && id->euid != 0)
		id->caps &= ~(VR_CAPS_EFFECTIVE | VR_CAPS_FS);
	else if (!fs && e0 != 0 && id->euid == 0 && perm)
		id->caps |= VR_CAPS_EFFECTIVE | VR_CAPS_FS;
	else if (fs && fs0 == 0 && id->fsuid != 0)
		id->caps &= ~VR_CAPS_FS;
	else if (fs && fs0 != 0 && id->fsuid == 0 && perm)
		id->caps |= VR_CAPS_FS;
	return ret;
}

/* faked() - the identity of @t, or NULL when it is the kernel's. */
static struct vr_ident *
faked(struct vr_task *t)
{
	return t->id.faked ? &t->id : NULL;
}

int
vr_setuid(struct vr_task *t, unsigned int uid)
{
	struct vr_ident *id = faked(t);
	struct old o;
	struct ids k;

	if (!id)
		return -ENOSYS;
	before(id, &o);
	uids(id, &k);
	return (int)fixed(id, set_one(&k, capable(id), uid), &o, 0);
}

int
vr_setgid(struct vr_task *t, unsigned int gid)
{
	struct vr_ident *id = faked(t);
	struct ids k;

	if (!id)
		return -ENOSYS;
	gids(id, &k);
	return set_one(&k, capable(id), gid);
}

int
vr_setreuid(struct vr_task *t, unsigned int ruid, unsigned int euid)
{
	struct vr_ident *id = faked(t);
	struct old o;
	struct ids k;

	if (!id)
		return -ENOSYS;
	before(id, &o);
	uids(id, &k);
	return (int)fixed(id, set_re(&k, capable(id), ruid, euid), &o, 0);
}

int
vr_setregid(struct vr_task *t, unsigned int rgid, unsigned int egid)
{
	struct vr_ident *id = faked(t);
	struct ids k;

	if (!id)
		return -ENOSYS;
	gids(id, &k);
	return set_re(&k, capable(id), rgid, egid);
}

int
vr_setresuid(struct vr_task *t, unsigned int ruid, unsigned int euid, unsigned int suid)
{
	struct vr_ident *id = faked(t);
	struct old o;
	struct ids k;

	if (!id)
		return -ENOSYS;
	before(id, &o);
	uids(id, &k);
	return (int)fixed(id, set_res(&k, capable(id), ruid, euid, suid), &o, 0);
}

int
vr_setresgid(struct vr_task *t, unsigned int rgid, unsigned int egid, unsigned int sgid)
{
	struct vr_ident *id = faked(t);
	struct ids k;

	if (!id)
		return -ENOSYS;
	gids(id, &k);
	return set_res(&k, capable(id), rgid, egid, sgid);
}

long
vr_setfsuid(struct vr_task *t, unsigned int uid)
{
	struct vr_ident *id = faked(t);
	struct old o;
	struct ids k;

	if (!id)
		return -ENOSYS;
	before(id, &o);
	uids(id, &k);
	return fixed(id, set_fs(&k, capable(id), uid), &o, 1);
}

long
vr_setfsgid(struct vr_task *t, unsigned int gid)
{
	struct vr_ident *id = faked(t);
	struct ids k;

	if (!id)
		return -ENOSYS;
	gids(id, &k);
	return set_fs(&k, capable(id), gid);
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
	if (!capable(id))
		return -EPERM;
	if (size < 0 || size > VR_IDENT_GROUPS)
		return -EINVAL;
	vr_memcpy(id->groups, list, (size_t)size * sizeof(*list));
	id->ngroups = (unsigned int)size;
	return 0;
}

/* Root's capabilities (up to CAP_CHECKPOINT_RESTORE, Linux 5.9) as two words. */
#define CAP_ALL_LO     0xffffffffu
#define CAP_ALL_HI     0x1ffu
#define CAP_FS_LO      0x1fu /* CAP_CHOWN, CAP_DAC_*, CAP_FOWNER, CAP_FSETID */
#define CAP_SETUID_BIT (1u << 7)
#define CAP_DAC_BIT    (1u << 1)
#define CAP_V1         0x19980330u
#define CAP_V2         0x20071026u
#define CAP_V3         0x20080522u

/* cap_words() - how many 32-bit words of each set version @v carries; 0: unknown. */
static int
cap_words(unsigned int v)
{
	return v == CAP_V1 ? 1 : v == CAP_V2 || v == CAP_V3 ? 2 : 0;
}

/* own_pid() - @pid names the calling process (0, or its own). */
static int
own_pid(int pid)
{
	return pid == 0 || pid == (int)vr_sys0(__NR_getpid);
}

int
vr_capget(struct vr_task *t, unsigned int *hdr, unsigned int *data)
{
	const struct vr_ident *id = faked(t);
	unsigned int eff[2] = {0, 0}, perm = 0;
	int n;

	if (!id)
		return -ENOSYS;
	n = cap_words(hdr[0]);
	if (!n) {
		hdr[0] = CAP_V3;
		return -EINVAL;
	}
	if (!own_pid((int)hdr[1]))
		return -ESRCH;
	if (id->caps & VR_CAPS_EFFECTIVE) {
		eff[0] = CAP_ALL_LO & ~CAP_FS_LO;
		eff[1] = CAP_ALL_HI;
	}
	if (id->caps & VR_CAPS_FS)
		eff[0] |= CAP_FS_LO;
	perm = (id->caps & VR_CAPS_PERMITTED) != 0;
	for (int i = 0; i < n; i++) {
		data[3 * i] = eff[i];
		data[3 * i + 1] = perm ? (i ? CAP_ALL_HI : CAP_ALL_LO) : 0;
		data[3 * i + 2] = 0;
	}
	return 0;
}

int
vr_capset(struct vr_task *t, const unsigned int *hdr, const unsigned int *data)
{
	struct vr_ident *id = faked(t);
	unsigned int caps = 0;

	if (!id)
		return -ENOSYS;
	if (!cap_words(hdr[0]))
		return -EINVAL;
	if (!own_pid((int)hdr[1]))
		return -EPERM;
	if (data[1] & CAP_SETUID_BIT)
		caps |= VR_CAPS_PERMITTED;
	if (data[0] & CAP_SETUID_BIT)
		caps |= VR_CAPS_EFFECTIVE;
	if (data[0] & CAP_DAC_BIT)
		caps |= VR_CAPS_FS;
	/* Nothing permitted is gained; nothing effective that is not permitted. */
	if ((caps & VR_CAPS_PERMITTED) && !(id->caps & VR_CAPS_PERMITTED))
		return -EPERM;
	if (caps && !(caps & VR_CAPS_PERMITTED))
		return -EPERM;
	id->caps = caps | (id->caps & ~CAP_SETS);
	return 0;
}

long
vr_prctl_secure(struct vr_task *t, int option, unsigned long arg2)
{
	struct vr_ident *id = faked(t);
	unsigned int old;

	if (!id)
		return -ENOSYS;
	old = secbits(id);
	switch (option) {
	case PR_GET_KEEPCAPS:
		return (old & SECBIT_KEEP_CAPS) != 0;
	case PR_SET_KEEPCAPS:
		if (arg2 > 1)
			return -EINVAL;
		if (old & SECBIT_KEEP_CAPS_LOCK)
			return -EPERM;
		set_secbits(id, arg2 ? old | SECBIT_KEEP_CAPS : old & ~SECBIT_KEEP_CAPS);
		return 0;
	case PR_GET_SECUREBITS:
		return old;
	case PR_SET_SECUREBITS:
		/* No change to a locked bit, no unlocking, nothing unknown; CAP_SETPCAP. */
		if ((((old & SECBITS_LOCKS) >> 1) & (old ^ arg2)) ||
		    (old & SECBITS_LOCKS & ~arg2) ||
		    (arg2 & ~(unsigned long)(SECBITS_ALL | SECBITS_LOCKS)) || !capable(id))
			return -EPERM;
		set_secbits(id, (unsigned int)arg2);
		return 0;
	default:
		return -ENOSYS;
	}
}

void
vr_task_exec_ident(struct vr_task *t, unsigned int mode, unsigned int uid, unsigned int gid)
{
	struct vr_ident *id = faked(t);

	if (!id)
		return;
	if (mode & S_ISUID)
		id->euid = uid;
	if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
		id->egid = gid;
	id->suid = id->fsuid = id->euid;
	id->sgid = id->fsgid = id->egid;
	/* An exec clears SECBIT_KEEP_CAPS; with SECBIT_NOROOT, root gets nothing. */
	set_secbits(id, secbits(id) & ~SECBIT_KEEP_CAPS);
	id->caps &= ~CAP_SETS;
	if (secbits(id) & SECBIT_NOROOT)
		return;
	if (id->euid == 0)
		id->caps |= ROOT_CAPS;
	else if (id->uid == 0)
		id->caps |= VR_CAPS_PERMITTED;
}
