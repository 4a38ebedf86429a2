/*
 * copyup.h - copy-up: a lower object copied into the upper layer (copyup.c).
 */
#ifndef VR_COPYUP_H
#define VR_COPYUP_H

#include "walk.h"

/*
 * vr_copyup() - w->node, found in a lower layer, copied into the upper
 * layer (parents first); afterwards w->node is the upper copy (a directory
 * stays merged with the layers below).  @with_data 0 skips a regular
 * file's contents (it is about to be truncated).  Return: 0 or -errno
 * (-EROFS: no upper layer, a mount, a synthetic directory).
 *
 * vr_copyup_parent() - an O_PATH descriptor of the upper copy of w's
 * final parent directory, made if missing; *@own says whether it is the
 * caller's to close (0: the walk's own parent, valid while the walk is).
 * Return: descriptor or -errno.
 *
 * vr_make_upper_dir() - a vr_make_upper_fn making an upper directory like
 * @lower (mode, times, attributes), atomically through the work directory.
 */
int vr_copyup(struct vr_walk *w, int with_data);
int vr_copyup_parent(struct vr_walk *w, int *own);
int vr_make_upper_dir(struct vr_ns *ns, int upfd, const char *name, const struct vr_obj *lower);

/*
 * vr_copyup_index() - the index entry @key in index directory @idx: a copy
 * of w->node, a base file with several links, all its data included.
 * Return: 0 (made, or another process made it first) or -errno.
 */
int vr_copyup_index(struct vr_walk *w, int idx, const char *key);

/*
 * vr_copyup_tree() - the directory at canonical @path, with everything
 * below it, copied into the upper layer.  Return: 0 or -errno.
 */
int vr_copyup_tree(struct vr_task *t, const char *path);

/*
 * vr_copyup_at() - a copy of base object @lower (its fd[0] and st) as
 * @upfd/@name, never over an existing name: what vr_copyup() does for one
 * object, whatever its type, all of a regular file's data included; a
 * regular file with @lower->onlink > 1 (odev, oino set) is linked up
 * through the index.
 * Return: 0, 1 when a copy was there first, or -errno.
 */
int vr_copyup_at(struct vr_ns *ns, int upfd, const char *name, const struct vr_obj *lower);

#endif
