/*
 * dcache.h - the directories a process has walked through, kept between
 * calls (dcache.c).
 */
#ifndef VR_DCACHE_H
#define VR_DCACHE_H

#include "walk.h"

/* How long a cached directory is trusted without a change announced: ms. */
#define VR_DC_BOUND_MS 1000

/* Directories with longer canonical paths are not cached. */
#define VR_DC_PATH 256

/*
 * vr_dc_begin() - let walk @w use the namespace's directory cache: the
 * cache is on, this process owns it (not a CLONE_VM child of the owner),
 * its lock is free (not held by another thread, nor by an outer call on
 * this thread interrupted by a signal) and the prefix has a generation
 * counter.  Sets w->dc_on; the lock is held until vr_dc_end().  Called
 * at the start of every vr_walk_path() (the counter and clock are read
 * again each time).
 */
void vr_dc_begin(struct vr_walk *w);

/* vr_dc_end() - release what vr_dc_begin() took (vr_walk_end()). */
void vr_dc_end(struct vr_walk *w);

/*
 * vr_dc_get() - the directory at w->vpath, the child of w->cur, from the
 * cache: only when w->dc_on and w->cur grants search to everyone
 * (w->cur.allx) or, in one layer, to the caller (asked of the kernel),
 * or when the caller is a faked identity (whose search the walk judged,
 * vr_perm_search()), so no permission the kernel would check is skipped.
 * @o receives the node's descriptors, not owned (the cache keeps them
 * open while the walk holds the lock).  A node older than
 * VR_DC_BOUND_MS or than the last change announced is dropped.
 * Return: 1 on a hit, 0 otherwise.
 */
int vr_dc_get(struct vr_walk *w, struct vr_obj *o);

/*
 * vr_dc_probe() - vr_dc_get() for a final component the walk would look
 * up without a node: no node is not counted as a miss.
 */
int vr_dc_probe(struct vr_walk *w, struct vr_obj *o);

/*
 * vr_dc_get_at() - the directory at canonical @path[0..len) from the
 * cache, whatever its parent's permissions: for a walk that starts there
 * (a directory descriptor's, the cwd), where the kernel checks none on
 * the way either.  @o as vr_dc_get().  Return: 1 on a hit, 0 otherwise.
 */
int vr_dc_get_at(struct vr_walk *w, const char *path, size_t len, struct vr_obj *o);

/*
 * vr_dc_start() - vr_dc_get_at() for w->cur, where the walk starts:
 * w->reach becomes the node's.  vr_dc_jump() - the same, only for a node
 * every directory above which grants search to everyone: an absolute
 * path's walk through the directories above it would have taken each
 * from the cache, none of them a symlink (the node's path is canonical)
 * and each searchable by all, so the walk may start at the node.
 * Return: 1 on a hit, 0 otherwise.
 */
int vr_dc_start(struct vr_walk *w, const char *path, size_t len, struct vr_obj *o);
int vr_dc_jump(struct vr_walk *w, const char *path, size_t len, struct vr_obj *o);

/*
 * vr_dc_gain_upper() - directory @o, the cached node at w->vpath[0..len)
 * found in base layers only, has just gained its upper copy @upfd (whose
 * attributes are *@st): the node and @o have it on top, as a walk would
 * find them now, so they need not be looked up again.  @norec: the copy
 * is known to carry no owner's record (owner.h), else it is read.  @upfd
 * is taken (closed, the node holds a copy).  Return: 0, or -1 with
 * nothing changed (@upfd still the caller's) when the node is not there
 * or not @o's.
 */
/*
 * vr_dc_impure_known() - the upper directory showing @st is known marked
 * impure (index.c) as of @w; vr_dc_impure_note() - it is now.  Two
 * directories are remembered: copies are made one directory at a time,
 * into a directory that may be new in its parent.
 */
int vr_dc_impure_known(const struct vr_walk *w, const struct stat *st);
void vr_dc_impure_note(const struct vr_walk *w, const struct stat *st);

/*
 * vr_dc_name_get() - the object a VR_WALK_ATTR walk last read by name in
 * directory @dir (one layer, searchable by all) when it was @name there
 * and nothing changed since, into @o (@o->at = @name); vr_dc_name_note()
 * - @o was read so.  Return: 1 on a hit, 0 otherwise.
 */
int vr_dc_name_get(struct vr_walk *w, const struct vr_obj *dir, const char *name,
                   struct vr_obj *o);
void vr_dc_name_note(struct vr_walk *w, const struct vr_obj *dir, const char *name,
                     const struct vr_obj *o);

int vr_dc_gain_upper(struct vr_walk *w, size_t len, struct vr_obj *o, int upfd,
                     const struct stat *st, int norec);

/*
 * vr_dc_fd_path() - vr_fd_vpath() of the program's descriptor @fd,
 * remembered per descriptor number for a directory: while @fd still
 * shows the same host directory (device and inode, one fstat, none while
 * vr_fd_stamp() says the number did not change) and the
 * cache would trust a node taken when it was asked (same counter, same
 * bound), the path is the one found then, without reading /proc/self/fd
 * back.  A directory renamed through vroot moves the counter; one renamed
 * from outside is seen within the bound, as for nodes.  Not in procfs
 * (its directories are per process).  Without the cache: vr_fd_vpath().
 * Return: length, or -errno as vr_fd_vpath().
 */
long vr_dc_fd_path(struct vr_walk *w, int fd, char *buf, size_t size);

/*
 * vr_dc_fd_dir_known() - the program's descriptor @fd holds the directory
 * a note of vr_dc_fd_path() or vr_dc_fd_note() says, and the number did
 * not change since (vr_fd_stamp()).  Not in a walk (takes the cache's
 * lock, or answers 0 when another has it).  Return: 1, or 0 (not known).
 */
int vr_dc_fd_dir_known(struct vr_ns *ns, int fd);

/*
 * vr_dc_fd_note() - the program's descriptor @fd was just opened on the
 * directory w->node at w->vpath (not in procfs): remember that path for
 * vr_dc_fd_path(), which could not read back one deeper than PATH_MAX.
 * @st: the host directory @fd holds, as the walk saw it, or NULL to ask.
 */
void vr_dc_fd_note(struct vr_walk *w, int fd, const struct stat *st);

/*
 * vr_dc_put() - remember directory @o, just found at w->vpath by a live
 * lookup: its descriptors move into vroot's own descriptor range and
 * belong to the cache from then on (@o keeps them, not owned).  Does
 * nothing when the cache cannot take it (full range, a path too long,
 * procfs, a synthetic directory).
 */
void vr_dc_put(struct vr_walk *w, struct vr_obj *o);

/*
 * vr_dc_keep() - vr_dc_put() of directory @o, found at w->vpath by a live
 * lookup, whose descriptors are not the walk's to give (the program's
 * open() returns one): the cache takes copies.  A directory opened is
 * about to be listed or walked from, which would look it up again.
 */
void vr_dc_keep(struct vr_walk *w, const struct vr_obj *o);

/*
 * vr_dc_root_allx() - every layer's root directory grants search to
 * everyone (read again once the cache's bound or generation moves on).
 */
int vr_dc_root_allx(struct vr_walk *w);

/*
 * The entries a merged listing still had to return when a getdents64
 * call's buffer filled (readdir.c), kept by the program's descriptor
 * number, so that the stream's next call takes them instead of merging
 * the layers again.  Valid while the descriptor stands at @pos in the
 * directory the walk finds with inode @ino on device @dev.  Entries are
 * readdir.c's, in the order they are returned, from @at to @end of @mem
 * (a mapping of @size bytes); their layer is a layer number of the
 * overlay, with that layer directory's device and impurity in @dev_of and
 * @impure.
 */
struct vr_dc_rest {
	int fd1; /* the program's descriptor + 1; 0: free */
	unsigned long long pos;
	unsigned long dev, ino, used;
	unsigned long dev_of[VR_MAX_LAYERS];
	unsigned char impure[VR_MAX_LAYERS];
	char *mem;
	size_t size, at, end;
};

/*
 * vr_dc_rest() - the rest kept for program descriptor @fd (NULL: none),
 * or with @take a slot for one: @fd's, else a free or the least recently
 * used one, emptied (vr_dc_rest_drop()) and given @fd.  NULL also when @w
 * does not hold the cache (another thread inside it, a CLONE_VM child):
 * the stream then merges its layers at every call.
 */
struct vr_dc_rest *vr_dc_rest(struct vr_walk *w, int fd, int take);

/* vr_dc_rest_drop() - unmap what @r holds and free the slot. */
void vr_dc_rest_drop(struct vr_dc_rest *r);

/* vr_dc_owns_fd() - @fd is one of the cache's descriptors. */
int vr_dc_owns_fd(const struct vr_ns *ns, int fd);

/*
 * vr_dc_replace_fd() - the cache's descriptor @fd is @with from now on.
 * Return: 0, or -EBADF when @fd is not the cache's.
 */
int vr_dc_replace_fd(struct vr_ns *ns, int fd, int with);

/*
 * vr_dc_release_fd() - forget the node holding descriptor @fd and close
 * it.  Return: 0, -EBADF (not the cache's), -EBUSY (the cache is in use,
 * by another thread or by an outer call on this one).
 */
int vr_dc_release_fd(struct vr_ns *ns, int fd);

/* vr_dc_next_fd() - the lowest cache descriptor >= @lo, or -1. */
int vr_dc_next_fd(const struct vr_ns *ns, int lo);

/*
 * vr_dc_self() - this process's pid: the cache's owner's, without a system
 * call, while the embedder's word (vr_ns_cache_sharers()) says no CLONE_VM
 * child shares the memory and no fork child is yet to adopt the cache.
 */
int vr_dc_self(const struct vr_ns *ns);

/* vr_dc_fini() - close the cache's descriptors and unmap it (vr_ns_free()). */
void vr_dc_fini(struct vr_ns *ns);

/*
 * vr_fd_stamp() - what tells whether descriptor number @fd still holds
 * what it held when a note of it was made: the number's count of changes
 * and the count of changes to all numbers (a close_range(), a fork
 * child), as vr_fd_changed() moves them.  A note made with the stamp
 * read before what it notes was learnt is believed without an fstat()
 * while the stamp is the same.  0 (never believed) unless the embedder
 * sees every change (vr_ns_fd_changes_seen()), @fd is below
 * VR_UPFD_NOTES and the caller is surely the cache's process (not a
 * CLONE_VM child, whose descriptor table is its own, nor a fork child
 * that has not adopted the cache yet).
 */
unsigned long vr_fd_stamp(const struct vr_ns *ns, int fd);

#endif
