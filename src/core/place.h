/*
 * place.h - where a change to a name happens: the writable directory that
 * holds it, after copy-up of the directory chain when it is the overlay's.
 */
#ifndef VR_PLACE_H
#define VR_PLACE_H

#include "walk.h"

struct vr_place {
	struct vr_ns *ns; /* told of the change by vr_place_put() */
	int dir;          /* the object there is a directory (vr_coh_bump_dir()) */
	int dirfd; /* the directory in the upper layer or a read-write mount */
	int own;   /* dirfd is the place's to close */
	const struct vr_mount *mount;
	const char *name;
	int whiteout; /* a whiteout holds the name in the upper layer */
	int lower;    /* a lower layer holds the name: removing it needs a whiteout */
};

/*
 * vr_place_get() - the place of w's final name (w->last_type VR_LAST_NORM).
 * Copies the parent directory chain up when needed.
 * Return: 0 or -errno (-EROFS: a read-only mount, a synthetic directory,
 * no upper layer; -EBUSY: the path has no final name).
 */
int vr_place_get(struct vr_walk *w, struct vr_place *p);
/*
 * vr_place_put() - release @p after the change made there, and tell every
 * process on the prefix (vr_coh_bump()).  Return: the change counter as
 * the change left it (0: no counter).
 */
unsigned long vr_place_put(struct vr_place *p);

/* vr_node_in_place() - w->node can change in place (upper or rw mount). */
int vr_node_in_place(const struct vr_walk *w);

/*
 * vr_make_writable() - w->node copied up if it lives in a lower layer, so
 * it can change in place.  @with_data 0: a regular file's data is not
 * needed (it is about to be truncated); with VR_COPY_NEW_TIMES added: the
 * caller sets a regular file's access and modification times next, so
 * the base's are not copied.  Return: 0 or -errno (-EROFS).
 */
int vr_make_writable(struct vr_walk *w, int with_data);
#define VR_COPY_NEW_TIMES 2

#endif
