/*
 * index.h - hard links and inode numbers kept through copy-up (index.c).
 */
#ifndef VR_INDEX_H
#define VR_INDEX_H

#include "ns.h"

struct vr_obj;
struct vr_walk;

/*
 * struct vr_origin - what "user.overlay.vroot.origin" on an upper object
 * says: the base object it was copied from.  nlink: 0 for a plain copy;
 * for an index inode, the base's link count when the index entry was made.
 */
struct vr_origin {
	unsigned long dev, ino;
	unsigned long nlink;
};

/* VR_INDEX_KEY - room for an index entry's name, "vroot-index/DEV-INO.d". */
#define VR_INDEX_KEY 64

/* The attribute an origin is kept in. */
#define VR_ORIGIN_XATTR "user.overlay.vroot.origin"

/*
 * vr_origin_set() - record @o on the object open as @fd; @direct: @fd is
 * open for reading or writing (not O_PATH), so the attribute is set on
 * it without going through its /proc/self/fd path.  Return: 0 or -errno.
 */
int vr_origin_set(int fd, const struct vr_origin *o, int direct);

/* vr_origin_get() - read the origin of the object open as @fd.  Return: 0 or -errno (-ENODATA). */
int vr_origin_get(int fd, struct vr_origin *o);

/*
 * vr_origin_stat() - an upper object's identity as the program sees it: the
 * base object's device and inode number when it was copied up, and for an
 * index inode the number of its names in the merged view.  @fd: the object
 * (any kind of descriptor; @name NULL), or the directory that holds it as
 * @name; *dev, *ino, *nlink: its host values, replaced.  Objects not on
 * the upper layer's device, and those without an origin, are left as they
 * are (one getxattr for each upper file or directory).
 */
void vr_origin_stat(const struct vr_ns *ns, int fd, const char *name, unsigned int mode,
                    unsigned long *dev, unsigned long *ino, unsigned long *nlink);

/*
 * vr_mark_impure() - upper directory @dirfd holds an object with an origin:
 * "user.overlay.impure" = "y", as overlayfs marks such directories, so a
 * listing knows which directories need their entries' origins read.
 * Return: 0 or -errno (nothing to do on a prefix without user xattrs).
 */
int vr_mark_impure(int dirfd);

/*
 * vr_set_impure() - vr_mark_impure() of a directory known not to be
 * marked yet: set without asking first.  Return: 0 or -errno.
 */
int vr_set_impure(int dirfd);

/* vr_carry_impure() - an object moved or linked from upper @from to @to: @to impure if @from is. */
void vr_carry_impure(int from, int to);

/* vr_is_impure() - upper directory @dirfd is marked impure. */
int vr_is_impure(int dirfd);

/*
 * vr_origin_entry() - entry @name of upper directory @dirfd: the device and
 * inode of the base object it was copied from, into *dev and *ino.
 * Return: 1, or 0 (no origin; *dev, *ino untouched).
 */
int vr_origin_entry(const struct vr_ns *ns, int dirfd, const char *name, unsigned long *dev,
                    unsigned long *ino);

/*
 * vr_index_use() - base file @o (several links; o->st its stat) found as
 * @fd: if its index entry exists, @o becomes that shared copy.
 * Return: the descriptor @o now holds (@fd, or the index entry's, @fd
 * being closed).
 */
int vr_index_use(const struct vr_ns *ns, struct vr_obj *o, int fd);

/*
 * vr_index_unused() - base file @dev/@ino (several links) has no index
 * entry vr_index_use() would take: its base name stands for itself.
 * Return: 1 or 0.
 */
int vr_index_unused(const struct vr_ns *ns, unsigned long dev, unsigned long ino);

/*
 * vr_index_dir() - the index directory (work/vroot-index), made with the
 * work directory's mode if missing, open O_RDONLY so it can be locked.
 * Return: descriptor or -errno.
 */
int vr_index_dir(const struct vr_ns *ns);

/* vr_index_key() - "DEV-INO" (hex) of base file @dev/@ino into @buf; returns @buf. */
char *vr_index_key(char buf[VR_INDEX_KEY], unsigned long dev, unsigned long ino);

/* vr_index_lock() - take (@on) or drop the index's lock on directory @idx. */
void vr_index_lock(int idx, int on);

/*
 * vr_index_hidden() - @delta more (or fewer) base names of entry @key no
 * longer show as themselves.  Call with the lock held.  Return: 0/-errno.
 */
int vr_index_hidden(int idx, const char *key, long delta);

/*
 * vr_index_settle() - remove entry @key (and its count) when no name shows
 * it any more.  Call with the lock held.  Return: 1 if removed, else 0.
 */
int vr_index_settle(int idx, const char *key);

/*
 * vr_index_make_fn - make entry @key in index directory @idx: a copy of
 * w->node with all its data (copy-up's vr_copyup_index()).  The index
 * takes the maker from its caller, as the walk takes the upper-directory
 * maker: it does not depend on copy-up, which depends on it.
 * Return: 0 (made, or another process made it first) or -errno.
 */
typedef int (*vr_index_make_fn)(struct vr_walk *w, int idx, const char *key);

/*
 * vr_index_ready() - the index directory, open, with the entry of w->node
 * (a base file with several links) made by @make if missing; its name
 * into @key.  Return: descriptor or -errno (-EOPNOTSUPP: no user xattrs
 * in the prefix).
 */
int vr_index_ready(struct vr_walk *w, char key[VR_INDEX_KEY], vr_index_make_fn make);

/*
 * vr_index_hide() - a base name of the shared file w->node is about to go
 * (unlink, rename over it): its index entry made by @make if missing, the count
 * raised, the lock taken.  Return: the index directory descriptor to hand
 * to vr_index_done(), or -errno (nothing changed).
 */
int vr_index_hide(struct vr_walk *w, vr_index_make_fn make);

/*
 * vr_index_done() - end of vr_index_hide() after the operation returned
 * @err: the count put back on failure, else the entry settled; unlocked.
 */
void vr_index_done(int idx, const char *key, int err);

/*
 * vr_index_of() - the index entry upper object @o is a name of, if any,
 * into @key.  Return: 1, or 0 when it is not an index inode.
 */
int vr_index_of(const struct vr_obj *o, char key[VR_INDEX_KEY]);

/* vr_index_release() - a name of entry @key was removed: settle it under the lock. */
void vr_index_release(const struct vr_ns *ns, const char *key);

#endif
