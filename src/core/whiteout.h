/*
 * whiteout.h - whiteouts and opaque directories in the upper layer (whiteout.c).
 */
#ifndef VR_WHITEOUT_H
#define VR_WHITEOUT_H

#include "walk.h"

int vr_whiteout_make(int upfd, const char *name);
int vr_set_opaque(int fd);
/*
 * vr_remove_hiding() - upper object @upfd/@name goes (a directory with the
 * whiteouts it holds); @whiteout: a whiteout takes its place in the same
 * step.  Return: 0 or -errno.
 */
int vr_remove_hiding(struct vr_walk *w, int upfd, const char *name, int isdir, int whiteout);
/*
 * vr_rename_whiteout() - renameat2(@odir/@oname, @ndir/@nname, @flags |
 * RENAME_WHITEOUT) in the upper layer, made of mknod and RENAME_EXCHANGE
 * when its filesystem lacks the flag.  Return: 0 or -errno.
 */
int vr_rename_whiteout(struct vr_walk *w, int odir, const char *oname, int ndir, const char *nname,
                       unsigned int flags);
/*
 * vr_base_dir_movable() - a directory a lower layer has part of can be
 * renamed: the upper filesystem has the user xattrs an opaque directory
 * needs.  Return: 0, -EXDEV (no user xattrs), or -errno of the probe.
 */
int vr_base_dir_movable(struct vr_ns *ns);
/*
 * vr_inherit_group() - what creating @fd inside directory @dirfd would have
 * given it, though it was made in the work directory: the directory's group
 * when the directory is set-group-ID, and the bit itself for a directory
 * (a file keeps its own set-user-ID and set-group-ID bits).
 */
void vr_inherit_group(int fd, int dirfd, int isdir);
int vr_replace_whiteout(struct vr_walk *w, const char *tmp, int upfd, const char *name, int isdir);

/*
 * vr_settle_moved_dir() - a base directory copied up whole and moved to
 * @dirfd/@name no longer needs the whiteouts inside it (its old place is
 * whited out as a whole), and lower directories at its new place must not
 * show through: the whiteouts go and it becomes opaque, so a kernel overlay
 * mount of the layers shows what vroot showed.  Return: 0 or -errno.
 */
int vr_settle_moved_dir(struct vr_walk *w, int dirfd, const char *name);

#endif
