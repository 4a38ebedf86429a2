/*
 * perm.c - permission checks on the objects the program sees (perm.h).
 *
 * The rules are the kernel's: generic_permission() and may_delete(),
 * may_create() in fs/namei.c, setattr_prepare() in fs/attr.c, and
 * do_utimes() for times.  Capabilities count as the kernel counts them in
 * the initial user namespace.
 */
#include "perm.h"
#include "util.h"

#define CAP_VERSION_3 0x20080522
#define NGROUPS_MAX   65536

#define FS_CAPS                                                                                    \
	(1UL << VR_CAP_CHOWN | 1UL << VR_CAP_DAC_OVERRIDE | 1UL << VR_CAP_DAC_READ_SEARCH |        \
	 1UL << VR_CAP_FOWNER | 1UL << VR_CAP_FSETID)

/*
 * fake_cred() - vr_cred_get() for faked identity @id: its filesystem
 * capabilities, or for access(2) those a real uid 0 is given.
 */
static int
fake_cred(const struct vr_ident *id, struct vr_cred *c, int real)
{
	unsigned int n = id->ngroups < VR_CRED_GROUPS ? id->ngroups : VR_CRED_GROUPS;

	c->uid = real ? id->uid : id->fsuid;
	c->gid = real ? id->gid : id->fsgid;
	if (real)
		c->caps = c->uid == 0 && (id->caps & VR_CAPS_PERMITTED) ? FS_CAPS : 0;
	else
		c->caps = (id->caps & VR_CAPS_FS) ? FS_CAPS : 0;
	c->ngroups = (int)n;
	for (unsigned int i = 0; i < n; i++)
		c->groups[i] = id->groups[i];
	c->have = VR_CRED_GID | VR_CRED_CAPS;
	return 0;
}

/* read_caps() - the calling thread's effective (or, @real, permitted) capabilities. */
static unsigned long
read_caps(int real)
{
	struct {
		unsigned int version;
		int pid;
	} head = {CAP_VERSION_3, 0};
	struct {
		unsigned int effective, permitted, inheritable;
	} data[2] = {{0, 0, 0}, {0, 0, 0}};

	if (vr_sys2(__NR_capget, &head, data) < 0)
		return 0;
	if (real)
		return data[0].permitted | (unsigned long)data[1].permitted << 32;
	return data[0].effective | (unsigned long)data[1].effective << 32;
}

int
vr_cred_get(const struct vr_task *t, struct vr_cred *c, int real)
{
	unsigned int r, e, s;

	if (t && t->id.faked)
		return fake_cred(&t->id, c, real);
	c->caps = 0;
	/* Most checks are settled by the owner or the group: the list waits. */
	c->ngroups = VR_CRED_UNREAD;
	if (real) {
		vr_sys3(__NR_getresuid, &r, &e, &s);
		c->uid = r;
		vr_sys3(__NR_getresgid, &r, &e, &s);
		c->gid = r;
		/* access(2) on behalf of the real ids */
		if (c->uid == 0)
			c->caps = read_caps(1);
		c->have = VR_CRED_GID | VR_CRED_CAPS;
		return 0;
	}
	/*
	 * An invalid id changes nothing and returns the current one.  The
	 * gid and the capabilities are read when a check first needs them:
	 * the owner settles most.
	 */
	c->uid = (unsigned int)vr_sys1(__NR_setfsuid, -1);
	c->have = 0;
	return 0;
}

/* cred_gid() - @c's gid, read now if not yet. */
static unsigned int
cred_gid(struct vr_cred *c)
{
	if (!(c->have & VR_CRED_GID)) {
		c->gid = (unsigned int)vr_sys1(__NR_setfsgid, -1);
		c->have |= VR_CRED_GID;
	}
	return c->gid;
}

int
vr_cred_in_group(struct vr_cred *c, unsigned int gid)
{
	unsigned int *all;
	long n;
	int found = 0;

	if (gid == cred_gid(c))
		return 1;
	for (int i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return 1;
	if (c->ngroups >= 0)
		return 0;
	if (c->ngroups == VR_CRED_UNREAD) {
		unsigned int some[VR_CRED_GROUPS];

		n = vr_sys2(__NR_getgroups, VR_CRED_GROUPS, some);
		for (long i = 0; i < n; i++)
			if (some[i] == gid)
				return 1;
		if (n >= 0)
			return 0;
		if (n != -EINVAL)
			return 0;
	}
	/* A long list: read whole, once per question. */
	all = vr_map(NGROUPS_MAX * sizeof(*all));
	if (!all)
		return 0;
	n = vr_sys2(__NR_getgroups, NGROUPS_MAX, all);
	for (long i = 0; i < n && !found; i++)
		found = all[i] == gid;
	vr_unmap(all, NGROUPS_MAX * sizeof(*all));
	return found;
}

int
vr_cred_capable(struct vr_cred *c, int cap)
{
	if (!(c->have & VR_CRED_CAPS)) {
		c->caps = read_caps(0);
		c->have |= VR_CRED_CAPS;
	}
	return (c->caps >> cap) & 1;
}

int
vr_perm_check(struct vr_cred *c, const struct vr_owner *o, int mask)
{
	unsigned int mode = o->mode;
	int isdir = (mode & S_IFMT) == S_IFDIR;

	mask &= VR_MAY_READ | VR_MAY_WRITE | VR_MAY_EXEC;
	if (c->uid == o->uid)
		mode >>= 6;
	else if (vr_cred_in_group(c, o->gid))
		mode >>= 3;
	if (!(mask & ~(int)(mode & 7)))
		return 0;
	if (isdir) {
		if (!(mask & VR_MAY_WRITE) && vr_cred_capable(c, VR_CAP_DAC_READ_SEARCH))
			return 0;
		return vr_cred_capable(c, VR_CAP_DAC_OVERRIDE) ? 0 : -EACCES;
	}
	if (mask == VR_MAY_READ && vr_cred_capable(c, VR_CAP_DAC_READ_SEARCH))
		return 0;
	/* Root may execute only what someone may execute. */
	if ((!(mask & VR_MAY_EXEC) || (o->mode & 0111)) && vr_cred_capable(c, VR_CAP_DAC_OVERRIDE))
		return 0;
	return -EACCES;
}

int
vr_perm_owner(struct vr_cred *c, const struct vr_owner *o)
{
	return c->uid == o->uid || vr_cred_capable(c, VR_CAP_FOWNER);
}

int
vr_perm_sticky(struct vr_cred *c, const struct vr_owner *dir, const struct vr_owner *victim)
{
	if (!(dir->mode & S_ISVTX) || c->uid == victim->uid || c->uid == dir->uid ||
	    vr_cred_capable(c, VR_CAP_FOWNER))
		return 0;
	return -EPERM;
}

int
vr_perm_chown(struct vr_cred *c, const struct vr_owner *o, unsigned int uid, unsigned int gid)
{
	int chown_cap = vr_cred_capable(c, VR_CAP_CHOWN);

	if (uid != (unsigned int)-1 && !(c->uid == o->uid && uid == o->uid) && !chown_cap)
		return -EPERM;
	if (gid != (unsigned int)-1 &&
	    !(c->uid == o->uid && (gid == o->gid || vr_cred_in_group(c, gid))) && !chown_cap)
		return -EPERM;
	return 0;
}

int
vr_perm_chmod(struct vr_cred *c, const struct vr_owner *o, unsigned int *mode)
{
	if (!vr_perm_owner(c, o))
		return -EPERM;
	if (!vr_cred_in_group(c, o->gid) && !vr_cred_capable(c, VR_CAP_FSETID))
		*mode &= ~(unsigned int)S_ISGID;
	return 0;
}

int
vr_perm_utimes(struct vr_cred *c, const struct vr_owner *o, int set_now)
{
	if (vr_perm_owner(c, o))
		return 0;
	if (!set_now)
		return -EPERM;
	return vr_perm_check(c, o, VR_MAY_WRITE);
}

int
vr_perm_hardlink(struct vr_cred *c, const struct vr_owner *o)
{
	unsigned int m = o->mode;
	int safe = (m & S_IFMT) == S_IFREG && !(m & S_ISUID) &&
	           (m & (S_ISGID | S_IXGRP)) != (S_ISGID | S_IXGRP) &&
	           vr_perm_check(c, o, VR_MAY_READ | VR_MAY_WRITE) == 0;

	return safe || vr_perm_owner(c, o) ? 0 : -EPERM;
}

int
vr_perm_judged(const struct vr_ns *ns, const struct vr_obj *o)
{
	return o->exists && !o->mount && !o->synthetic && o->nfd > 0 && ns->has_upper;
}

/*
 * judged_mask() - the part of @mask vroot must judge on @o, whose owner
 * and mode are *@ow (@recorded: from a record): all of it on a copy whose
 * owner differs, write access on a base object (the kernel checks reads
 * and searches on the base object itself, and knows its ACLs), nothing on
 * a copy that shows itself as it is.  A faked identity is judged on
 * everything: the kernel knows only the host user.
 */
static int
judged_mask(const struct vr_task *t, const struct vr_obj *o, int recorded, int mask)
{
	if (recorded || t->id.faked)
		return mask;
	if (o->layer[0] != 0 && !o->indexed)
		return mask & VR_MAY_WRITE;
	return 0;
}

int
vr_perm_obj(struct vr_walk *w, const struct vr_obj *o, int mask)
{
	struct vr_owner ow;
	struct vr_cred c;
	int rec, err;

	if (!o)
		o = &w->node;
	if (!vr_perm_judged(w->ns, o))
		return 0;
	rec = vr_owner_of(w->t, o, &ow);
	mask = judged_mask(w->t, o, rec, mask);
	if (!mask)
		return 0;
	err = vr_cred_get(w->t, &c, 0);
	return err < 0 ? err : vr_perm_check(&c, &ow, mask);
}

int
vr_perm_search_judged(const struct vr_task *t)
{
	return t->id.faked && !(t->id.caps & VR_CAPS_FS);
}

int
vr_perm_search(struct vr_walk *w, struct vr_obj *dir)
{
	struct vr_owner ow;
	struct vr_cred c;

	/* Fake root passes by CAP_DAC_READ_SEARCH: no system call for it. */
	if (!vr_perm_search_judged(w->t) || dir->allx || !vr_perm_judged(w->ns, dir))
		return 0;
	if (dir->st.st_ino == 0 && sys_fstat(dir->fd[0], &dir->st) < 0)
		return 0; /* the lookup in it meets the same error */
	vr_owner_of(w->t, dir, &ow);
	if ((ow.mode & 0111) == 0111)
		return 0;
	fake_cred(&w->t->id, &c, 0);
	return vr_perm_check(&c, &ow, VR_MAY_EXEC);
}

int
vr_perm_create(struct vr_walk *w)
{
	return vr_perm_obj(w, &w->cur, VR_MAY_WRITE | VR_MAY_EXEC);
}

int
vr_perm_delete(struct vr_walk *w)
{
	struct vr_owner dir, victim;
	struct vr_cred c;
	int err;

	if (!vr_perm_judged(w->ns, &w->cur))
		return 0;
	err = vr_perm_create(w);
	if (err < 0)
		return err;
	vr_owner_of(w->t, &w->cur, &dir);
	if (!(dir.mode & S_ISVTX))
		return 0;
	vr_owner_of(w->t, &w->node, &victim);
	err = vr_cred_get(w->t, &c, 0);
	return err < 0 ? err : vr_perm_sticky(&c, &dir, &victim);
}
