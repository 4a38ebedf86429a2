/*
 * perm.h - permission checks as the kernel makes them, on the owner and
 * mode the virtual objects show.
 *
 * vroot changes copies in the prefix, which belong to whoever made them:
 * the kernel's own checks there judge the copy, not the object the
 * program sees.  Where the two can differ (a base object, a copy with a
 * recorded owner), these functions decide first, as fs/namei.c and
 * fs/attr.c would for the caller's identity.  POSIX ACLs are not read.
 */
#ifndef VR_PERM_H
#define VR_PERM_H

#include "owner.h"

/* Access kinds, as the kernel's MAY_*. */
#define VR_MAY_EXEC  1
#define VR_MAY_WRITE 2
#define VR_MAY_READ  4

/* Capabilities the checks consult (bit numbers as in <linux/capability.h>). */
#define VR_CAP_CHOWN           0
#define VR_CAP_DAC_OVERRIDE    1
#define VR_CAP_DAC_READ_SEARCH 2
#define VR_CAP_FOWNER          3
#define VR_CAP_FSETID          4

#define VR_CRED_GROUPS 64
#define VR_CRED_UNREAD (-2)

/*
 * struct vr_cred - the identity a check is made for: the filesystem uid
 * and gid, supplementary groups, effective capabilities.  Read from the
 * calling thread's kernel credentials at each check, or from the task's
 * faked identity (struct vr_ident) when it has one.
 */
struct vr_cred {
	unsigned int uid, gid;
	unsigned long caps;
	/* VR_CRED_GID, VR_CRED_CAPS: read yet (a check mostly needs neither) */
	unsigned int have;
	/* -1: more than VR_CRED_GROUPS, read again when needed; VR_CRED_UNREAD: not read yet */
	int ngroups;
	unsigned int groups[VR_CRED_GROUPS];
};

/*
 * vr_cred_get() - the identity of the calling thread for @t: its fsuid,
 * fsgid and effective capabilities, or with @real its real uid and gid
 * with the capabilities access(2) grants them (all permitted ones for
 * uid 0, none otherwise).  Return: 0 or -errno.
 */
#define VR_CRED_GID  1u
#define VR_CRED_CAPS 2u

int vr_cred_get(const struct vr_task *t, struct vr_cred *c, int real);

/* vr_cred_in_group() - @gid is @c's gid or one of its supplementary groups. */
int vr_cred_in_group(struct vr_cred *c, unsigned int gid);

/* vr_cred_capable() - @c has capability @cap (VR_CAP_*). */
int vr_cred_capable(struct vr_cred *c, int cap);

/*
 * vr_perm_check() - generic_permission(): may @c access an object showing
 * @o for @mask (VR_MAY_*)?  Owner, group or other bits, then root's
 * overrides (exec of a non-directory needs some x bit).
 * Return: 0 or -EACCES.
 */
int vr_perm_check(struct vr_cred *c, const struct vr_owner *o, int mask);

/* vr_perm_owner() - inode_owner_or_capable(): @c owns @o or has CAP_FOWNER. */
int vr_perm_owner(struct vr_cred *c, const struct vr_owner *o);

/*
 * vr_perm_sticky() - removing or replacing @victim from directory @dir:
 * refused in a sticky directory unless @c owns one of them or has
 * CAP_FOWNER.  Return: 0 or -EPERM.
 */
int vr_perm_sticky(struct vr_cred *c, const struct vr_owner *dir,
                   const struct vr_owner *victim);

/*
 * vr_perm_chown() - chown_ok()/chgrp_ok(): may @c give @o owner @uid and
 * group @gid ((unsigned)-1: unchanged)?  Return: 0 or -EPERM.
 */
int vr_perm_chown(struct vr_cred *c, const struct vr_owner *o, unsigned int uid,
                  unsigned int gid);

/*
 * vr_perm_chmod() - may @c set the mode of @o, and to what: *@mode loses
 * S_ISGID when @c is not in @o's group and lacks CAP_FSETID.
 * Return: 0 or -EPERM.
 */
int vr_perm_chmod(struct vr_cred *c, const struct vr_owner *o, unsigned int *mode);

/*
 * vr_perm_utimes() - utimensat(2)'s rule: @set_now (times NULL, or both
 * UTIME_NOW) needs ownership or write access (-EACCES), explicit times
 * ownership (-EPERM).  Return: 0 or -errno.
 */
int vr_perm_utimes(struct vr_cred *c, const struct vr_owner *o, int set_now);

/*
 * vr_perm_hardlink() - may_linkat() with fs.protected_hardlinks set: a
 * file @c neither owns nor may read and write, or a set-user-ID or
 * executable set-group-ID file, cannot get a new name.  Return: 0 or -EPERM.
 */
int vr_perm_hardlink(struct vr_cred *c, const struct vr_owner *o);

/*
 * Checks on the objects of a walk, each made only where the kernel would
 * judge the copy differently from the object shown (an object of the root
 * overlay; a host mount is judged by the kernel itself).  Return: 0 or the
 * kernel's -errno.
 *
 * vr_perm_obj() - @mask on w->node (or @o when given).
 * vr_perm_create() - a new name in w->cur (write and search).
 * vr_perm_delete() - w's final name removed from w->cur (may_delete()).
 */
int vr_perm_obj(struct vr_walk *w, const struct vr_obj *o, int mask);
int vr_perm_create(struct vr_walk *w);
int vr_perm_delete(struct vr_walk *w);

/*
 * vr_perm_search_judged() - vroot judges search permission on the
 * directories @t's walks go through: @t has a faked identity without
 * CAP_DAC_READ_SEARCH, which the host user's lookups cannot stand for.
 */
int vr_perm_search_judged(const struct vr_task *t);

/*
 * vr_perm_search() - may_lookup(): may w's task look up a name in
 * directory @dir of its walk (search permission), judged on what @dir
 * shows when vr_perm_search_judged() and @dir is an object of the root
 * overlay; else left to the kernel's lookup.  The attributes of the
 * overlay's root, not yet read (st_ino 0), are read into @dir->st.
 * Return: 0 or -EACCES.
 */
int vr_perm_search(struct vr_walk *w, struct vr_obj *dir);

/* vr_perm_judged() - @o is an object whose permissions vroot judges (perm.h). */
int vr_perm_judged(const struct vr_ns *ns, const struct vr_obj *o);

#endif
