/*
 * foldidx.h - lookups by folded name in case-insensitive directories
 * (foldidx.c).
 */
#ifndef VR_FOLDIDX_H
#define VR_FOLDIDX_H

#include "walk.h"

struct vr_foldidx;

/* vr_fold_dir() - names in directory @dir are looked up folded (VR_CASE_FOLD). */
int vr_fold_dir(const struct vr_ns *ns, const struct vr_obj *dir);

/* How vr_fold_find() may get its index. */
#define VR_FOLD_ANY     0 /* as it is, checked, listed when needed */
#define VR_FOLD_REBUILD 1 /* listed again: the name it gave was gone */
#define VR_FOLD_TRUSTED 2 /* only one trusted without a system call, else -EAGAIN */
/* Or'ed in: @name was found byte for byte below @dir's topmost layer. */
#define VR_FOLD_FOUND 4

/*
 * vr_fold_find() - the stored name in folding directory @dir that @name
 * (@len bytes) stands for, by the rules of foldidx.c: of the topmost
 * layer holding a spelling of it, @name itself when that layer has it,
 * else the byte-wise smallest entry, from the directory's index, got as
 * @mode says.  Uses @w's scratch, left as it was.
 * Return: the name's length with the name in @out (NAME_MAX + 1 bytes,
 * NUL-terminated), 0 when there is none (with VR_FOLD_FOUND: when the
 * index knows no spelling of it, so the name found stands), or -errno
 * (-EAGAIN: no trusted index with VR_FOLD_TRUSTED; -ENOENT with
 * VR_FOLD_FOUND: a whiteout of another spelling above hides it).
 */
long vr_fold_find(struct vr_walk *w, const struct vr_obj *dir, const char *name, size_t len,
                  int mode, char *out);

/*
 * vr_fold_in_lower() - a layer of overlay directory @dir below the upper
 * one holds an entry spelt as @name (@len bytes) is, or another spelling
 * of it (@dir folds case): removing @name needs a whiteout.  Uses @w's
 * scratch, left as it was.
 * Return: 1, 0, or -errno.
 */
int vr_fold_in_lower(struct vr_walk *w, const struct vr_obj *dir, const char *name, size_t len);

/*
 * vr_fold_note() - @name (@len bytes) is about to change in the first
 * layer of directory @dir (created, removed, whited out, copied up): the
 * index of @dir, if this process has one, takes the change in at its
 * next use instead of listing the directory again.
 */
void vr_fold_note(struct vr_walk *w, const struct vr_obj *dir, const char *name, size_t len);

/*
 * vr_fold_mount() - the child of the directory at w->vpath[0..w->plen)
 * on the way to a mount point (the mount point, or a synthetic directory
 * above it) that @name (@len bytes) stands for, when no entry does: they
 * need no layer to hold them.
 * Return: as vr_fold_find().
 */
long vr_fold_mount(struct vr_walk *w, const char *name, size_t len, char *out);

/* vr_fold_fini() - unmap the indexes (vr_ns_free()). */
void vr_fold_fini(struct vr_ns *ns);

#endif
