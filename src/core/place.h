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

/*
 * vr_walk_renorm() - walk again to w->vpath itself, so that a result named
 * by ".", ".." or a dirfd has a parent and a final name.  Return: 0/-errno.
 */
int vr_walk_renorm(struct vr_walk *w);

/* vr_node_in_upper() - w->node can change in place (upper or rw mount). */
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

/* whiteout.c */
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

/* readdir.c: the merged directory w->node lists nothing but "." and "..". */
int vr_dir_is_empty(struct vr_walk *w);

/*
 * vr_dir_foreach() - call @fn for each name of the merged directory
 * w->node (not "." and ".."), in listing order; a negative return of @fn
 * stops the walk and is returned.  Return: 0 or -errno.
 */
int vr_dir_foreach(struct vr_walk *w, int (*fn)(void *arg, const char *name, unsigned char type),
                   void *arg);

/*
 * vr_copyup_tree() - the directory at canonical @path, with everything
 * below it, copied into the upper layer.  Return: 0 or -errno.
 */
int vr_copyup_tree(struct vr_task *t, const char *path);

#endif
