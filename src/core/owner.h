/*
 * owner.h - the owner, group and mode an object of the upper layer shows.
 *
 * A copy in the prefix belongs to whoever made it; when that is not the
 * owner the object shows (an unprivileged copier cannot chown; a faked
 * identity's chown, chmod and mknod), the owner, group and mode it shows
 * are kept on the file in the "user.containers.override_stat" attribute,
 * in the text form rootless container storage (podman) and fuse-overlayfs
 * read: "UID:GID:MODE:TYPE", MODE the permission bits (set-id and sticky
 * included) as four octal digits, TYPE "file", "dir", "symlink", "pipe",
 * "socket", "block-MAJ-MIN" or "char-MAJ-MIN".  A record without TYPE is
 * read too, and MODE may carry the type bits as well (fuse-overlayfs
 * writes the whole st_mode, "0:0:100644").  Only regular files and
 * directories hold records (the kernel keeps user attributes off other
 * types): a device node made by a faked root is an empty regular file
 * whose record names the device, so it can never be opened as one.
 *
 * With a faked identity (struct vr_ident), an object without a record
 * shows the host's owner and group, except the host ids of the session
 * (the user's own files) which show as the identity's show_uid/show_gid
 * (root under --fake-root).  A record's file keeps on the host its
 * permission bits with the owner's read and write (and search) bits
 * added and no set-id or sticky bits, so the host user can always reach
 * it; the record holds the mode the program set.
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
 * vr_owner_read() - the record on the file open (possibly O_PATH) as @fd,
 * whose st_mode is @mode (0: not known; a directory's is read by "." in
 * it, util.h).  Return: 1 and *@o filled, 0 when it has none, or -errno.
 */
int vr_owner_read(int fd, unsigned int mode, struct vr_owner *o);

/*
 * vr_owner_keep() - after @fd was made as a copy of an object showing @want
 * (owner, group and mode): the copy is given that owner when the process
 * may, else the record keeps it.  Best effort, as the other attributes of
 * a copy: a filesystem without user attributes keeps no record.  @now:
 * @fd's fstat() when the caller has it (else NULL): an owner it already
 * has is not given again.  Return: 1 when @fd has @want's owner and group
 * on the host (no record was written), else 0.
 */
int vr_owner_keep(int fd, const struct stat *want, const struct stat *now);

/*
 * vr_owner_update() - the object open as @fd (st_mode @mode, as
 * vr_owner_read() takes it), which shows owner @uid, group @gid (-1:
 * unchanged) after a change that the kernel made to its copy:
 * the record is rewritten to match, or removed when the copy itself shows
 * the same.  Return: 1 when a record was there (and was changed), 0
 * when none was, or -errno.
 */
int vr_owner_update(int fd, unsigned int mode, unsigned int uid, unsigned int gid);

/*
 * vr_owner_of() - what object @o of a walk of task @t shows: its record
 * when it is a copy in the upper layer that has one, else its own stat
 * (as a faked identity shows it).  Return: 1 when a record was used, 0
 * otherwise.  The overlay's root is the prefix itself, made for the user,
 * not a copy: it shows (and is judged as) the prefix's own owner and mode,
 * as kernel overlayfs shows its upper root.
 */
int vr_owner_of(const struct vr_task *t, const struct vr_obj *o, struct vr_owner *out);

/*
 * vr_owner_stat() - @st, the stat of @fd (@name NULL) or of @name in
 * directory @fd, shows what @t sees: the recorded owner, group, mode (and
 * device) when it is an upper-layer copy with a record (@st->st_dev not
 * yet mapped), else the host's as a faked identity shows it.
 */
void vr_owner_stat(const struct vr_task *t, int fd, const char *name, struct stat *st);

/* vr_owner_statx() - vr_owner_stat() for a statx result; @dev the host device. */
void vr_owner_statx(const struct vr_task *t, int fd, const char *name, unsigned long dev,
                    struct statx *stx);

/*
 * vr_owner_set() - the upper-layer object open as @fd (possibly O_PATH)
 * is to show @want (owner, group, permission bits; a device's type, with
 * device number @rdev, -1 for the one recorded) to faked identity @t: its host mode is set (see above) and the
 * record written, or removed when the host shows the same.  An object
 * that cannot hold a record gets the host owner and mode it may.
 * Return: 0 or -errno.
 */
int vr_owner_set(const struct vr_task *t, int fd, const struct vr_owner *want, unsigned long rdev);

/*
 * vr_owner_unlock() - the upper-layer object open as @fd, the host user's,
 * keeps the host user out by its mode (a copy of a mode 0444 file, a 0555
 * directory) while faked identity @t, which the mode shows it lets in,
 * needs the host user to reach it: its host mode gets the owner's bits
 * and the record keeps the mode it shows (see above).  Return: 1 when it
 * was changed (try again), else 0.
 */
int vr_owner_unlock(const struct vr_task *t, int fd);

/*
 * vr_owner_touched() - a chmod or chown that faked identity @t made of
 * the upper-layer object open as @fd was recorded: its host ctime moves,
 * as the kernel moves it on every chmod and chown even when the record (or
 * the mode) stays the same, which a host write of an unchanged attribute
 * need not do.
 */
void vr_owner_touched(int fd);

/*
 * vr_owner_written() - the regular file open as @fd is about to be written
 * or truncated by faked identity @t: without CAP_FSETID its recorded
 * set-user-ID bit goes, and its set-group-ID bit when group-executable or
 * when @t is not in the file's group (file_remove_privs(),
 * setattr_should_drop_sgid()), as the kernel takes them off a file on its
 * first write.  Return: 0 or -errno.
 */
int vr_owner_written(const struct vr_task *t, int fd);

/*
 * vr_owner_new() - the object open as @fd was just made in the upper layer
 * by task @t, in a directory showing @dir: with a faked identity it shows
 * the creator's filesystem uid and gid (the directory's group when it is
 * set-group-ID), and, with any identity, type @type with device @rdev when
 * @type is not 0 (a device node kept as a regular file).  Return: 0 or
 * -errno.
 */
int vr_owner_new(const struct vr_task *t, int fd, const struct vr_owner *dir, unsigned int type,
                 unsigned long rdev);

/*
 * vr_owner_specials() - the prefix of @ns may hold records that give a
 * regular file of the upper layer another type (a device), so a listing
 * must read them for its entries' d_type: vroot marks the prefix (a file
 * in its work directory) when it writes such a record or first shows one.
 * Return: 1 or 0.
 */
int vr_owner_specials(struct vr_ns *ns);

/*
 * vr_owner_dtype() - the d_type a listing shows for the regular file
 * @name of the upper-layer directory open as @dirfd: that of the type its
 * record names (DT_CHR, DT_BLK, DT_FIFO, DT_SOCK), else DT_REG.
 */
unsigned char vr_owner_dtype(int dirfd, const char *name);

#endif
