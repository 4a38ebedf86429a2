/*
 * owner.h - the owner, group and mode a copied-up object shows.
 *
 * A copy in the prefix belongs to whoever made it; when that is not the
 * owner the object showed before (an unprivileged copier cannot chown), the
 * owner, group and mode it shows are kept on the copy in the
 * "user.containers.override_stat" attribute, in the text form rootless
 * container storage and fuse-overlayfs use: "UID:GID:MODE:TYPE", MODE the
 * permission bits as four octal digits, TYPE "file", "dir",
 * "symlink", "pipe", "socket", "block-MAJ-MIN" or "char-MAJ-MIN".  A
 * record without the type is read too.
 */
#ifndef VR_OWNER_H
#define VR_OWNER_H

#include "walk.h"

#define VR_OWNER_XATTR "user.containers.override_stat"

/* struct vr_owner - what an object shows: owner, group, st_mode (type and bits). */
struct vr_owner {
	unsigned int uid, gid, mode;
};

/*
 * vr_owner_read() - the record on the file open (possibly O_PATH) as @fd.
 * Return: 1 and *@o filled, 0 when it has none, or -errno.
 */
int vr_owner_read(int fd, struct vr_owner *o);

/*
 * vr_owner_keep() - after @fd was made as a copy of an object showing @want
 * (owner, group and mode): the copy is given that owner when the process
 * may, else the record keeps it.  Best effort, as the other attributes of
 * a copy: a filesystem without user attributes keeps no record.
 */
void vr_owner_keep(int fd, const struct stat *want);

/*
 * vr_owner_update() - the object open as @fd, which shows owner @uid, group
 * @gid (-1: unchanged) after a change that the kernel made to its copy:
 * the record is rewritten to match, or removed when the copy itself shows
 * the same.  Return: 0 or -errno.
 */
int vr_owner_update(int fd, unsigned int uid, unsigned int gid);

/*
 * vr_owner_of() - what object @o of a walk shows (@ns its namespace): its
 * record when it is a copy in the upper layer that has one, else its own
 * stat.  Return: 1 when a record was used, 0 otherwise.  The overlay's
 * root is the prefix itself, made for the user, not a copy: it shows (and
 * is judged as) the prefix's own owner and mode, as kernel overlayfs
 * shows its upper root.
 */
int vr_owner_of(const struct vr_ns *ns, const struct vr_obj *o, struct vr_owner *out);

/*
 * vr_owner_stat() - @st, the stat of @fd, shows the recorded owner, group
 * and mode when @fd is an upper-layer copy with a record (@st->st_dev not
 * yet mapped).
 */
void vr_owner_stat(const struct vr_ns *ns, int fd, struct stat *st);

/* vr_owner_statx() - vr_owner_stat() for a statx result; @dev the host device. */
void vr_owner_statx(const struct vr_ns *ns, int fd, unsigned long dev, struct statx *stx);

#endif
