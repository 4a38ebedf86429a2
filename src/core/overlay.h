/*
 * overlay.h - the root overlay's lookup of one name in a directory (overlay.c).
 */
#ifndef VR_OVERLAY_H
#define VR_OVERLAY_H

#include "walk.h"

/*
 * vr_overlay_root() - @o becomes the root of the root overlay: every
 * layer's top directory, not owned.  Return: 0.
 */
int vr_overlay_root(struct vr_walk *w, struct vr_obj *o);

/*
 * vr_overlay_lookup() - find @name in directory @dir, whose canonical path
 * is in w->vpath[0..w->vlen).  Fills @o (absent: o->exists == 0).
 * Return: 0 or -errno.
 */
int vr_overlay_lookup(struct vr_walk *w, const struct vr_obj *dir, const char *name,
                      struct vr_obj *o);

/*
 * vr_overlay_lookup_attr() - vr_overlay_lookup() of a final component
 * whose attributes are all the caller reads, by one stat_at() per layer
 * instead of an open, a stat and a close.  It decides only where
 * vr_overlay_lookup() would take the topmost find alone and keep nothing
 * but its stat: a non-directory, or a directory in a single-layer base
 * directory or a mount (others merge or carry an origin), not vroot's own
 * directory, not a whiteout, not a base file with several links that an
 * index entry stands for, not an upper regular file (its origin is read
 * through its descriptor) unless it is being removed (VR_WALK_GONE) and
 * has one link, not in procfs (magic links); and a name no layer has,
 * with no mount below it, is absent.
 * Return: 1 when @o is set (byname, or absent), 0 when
 * vr_overlay_lookup() must decide, -errno.
 */
int vr_overlay_lookup_attr(struct vr_walk *w, const struct vr_obj *dir, const char *name,
                           struct vr_obj *o);

#endif
