/*
 * obj.h - one object of the virtual tree as a walk holds it (obj.c).
 */
#ifndef VR_OBJ_H
#define VR_OBJ_H

#include "ns.h"

/*
 * struct vr_obj - one object of the virtual tree as the walk holds it.
 *
 * A file is one descriptor in one layer.  A directory of the root overlay is
 * the stack of directories that merge into it, topmost first.  A synthetic
 * directory is one no layer has, shown because a mount
 * point lies below it; its one descriptor, when the namespace has a work
 * directory, is a stub directory standing in for it.
 */
struct vr_obj {
	int exists;
	int synthetic;                /* holds only mount points; fd[0], if any, is its stub */
	const struct vr_mount *mount; /* NULL: the root overlay */
	unsigned int nfd;
	int fd[VR_MAX_LAYERS];              /* O_PATH descriptors, not following */
	unsigned char layer[VR_MAX_LAYERS]; /* layer index of fd[i] in the overlay */
	unsigned int owned;                 /* bit i: fd[i] is closed with the object */
	struct stat st;                     /* of fd[0], or made up when synthetic */
	/*
	 * A base regular file with several links (onlink > 1): its device,
	 * inode number and link count in the base.  indexed: fd[0] is its
	 * copy in the index that every name of it shares (index.c), and st
	 * that copy's; layer[0] still names the base layer.
	 */
	int indexed;
	unsigned long odev, oino, onlink;
	/*
	 * A final non-directory a VR_WALK_ATTR walk only stat()ed: fd[0] is
	 * the directory that holds it (not owned), at its name there (the
	 * walk's w->last).
	 */
	int byname;
	const char *at;
	/*
	 * A directory every layer of which grants search to everyone, as its
	 * owner's record does when it has one (known for the root and for
	 * directories in the directory cache): its
	 * children may be taken from the cache (dcache.c).
	 */
	int allx;
	/*
	 * fd[0], an upper-layer directory, is known to carry no owner's
	 * record (owner.c): the directory cache read it when it took the
	 * node, and a record set on a directory moves its counter.
	 */
	int norec;
	/* vr_overlay_lookup() found nothing, not even a whiteout, in an upper directory. */
	int upnone;
	/*
	 * fd[0] is open with the flags of the program's open()
	 * (vr_walk.open_final), not O_PATH: it can be the program's own.
	 */
	int opened;
};

/**
 * vr_obj_put() - close what @o owns and mark it absent.  Inline: the walk
 * calls it at every step.
 */
static inline void
vr_obj_put(struct vr_obj *o)
{
	for (unsigned int i = 0; i < o->nfd; i++)
		if (o->owned & (1u << i))
			sys_close(o->fd[i]);
	o->nfd = 0;
	o->owned = 0;
	o->exists = 0;
	o->indexed = 0;
	o->onlink = 0;
	o->byname = 0;
	o->allx = 0;
	o->norec = 0;
	o->upnone = 0;
	o->opened = 0;
}

/**
 * vr_obj_take_fd() - detach fd[0] of @o for the caller: the object keeps a
 * copy of the number but no longer owns it.  Return: the descriptor, or a
 * duplicate when @o did not own it; -errno on failure.
 */
int vr_obj_take_fd(struct vr_obj *o);

/*
 * vr_obj_at() - the name to pass with fd[0] of @o to an *at() call about
 * the object itself: its name when the walk left it unopened (then
 * without AT_EMPTY_PATH, not following), else "".
 */
static inline const char *
vr_obj_at(const struct vr_obj *o)
{
	return o->byname ? o->at : "";
}

/** vr_obj_is_dir() - @o is a directory (possibly synthetic). */
static inline int
vr_obj_is_dir(const struct vr_obj *o)
{
	return (o->st.st_mode & S_IFMT) == S_IFDIR;
}

/**
 * vr_in_procfs() - @o lives in a procfs: a mount of one, or one met below
 * a mount's host directory (a mount of the host's "/" holds its /proc).
 * Return: 1 or 0.
 */
int vr_in_procfs(const struct vr_obj *o);

#endif
