/*
 * walk.h - the path walk: a virtual path to the objects behind it.
 */
#ifndef VR_WALK_H
#define VR_WALK_H

#include "index.h"
#include "obj.h"

/* What the path's final component was, as the kernel's LAST_* kinds. */
enum vr_last {
	VR_LAST_ROOT,   /* no component: "/", or "" with AT_EMPTY_PATH */
	VR_LAST_NORM,   /* a name, in w->last */
	VR_LAST_DOT,    /* "." */
	VR_LAST_DOTDOT, /* ".." */
};

/* Walk flags. */
#define VR_WALK_FOLLOW (1u << 0) /* follow a final symlink */
#define VR_WALK_EMPTY  (1u << 1) /* "" names the starting directory (AT_EMPTY_PATH) */
#define VR_WALK_PARENT (1u << 2) /* an absent final name is not an error (create) */
#define VR_WALK_NSROOT (1u << 3) /* an absolute path is the namespace's (canonical, internal) */
#define VR_WALK_NAME                                                                               \
	(1u << 4) /* the final name itself, even with a trailing slash                             \
	             (unlink, rmdir, rename, mkdir, link: never followed) */
/* The rules of openat2(2)'s RESOLVE_* flags, inside the virtual tree. */
#define VR_WALK_BENEATH       (1u << 5) /* root is the start; escaping it is EXDEV */
#define VR_WALK_IN_ROOT       (1u << 6) /* root is the start, as a chroot for this walk */
#define VR_WALK_NO_XDEV       (1u << 7) /* crossing a mount is EXDEV */
#define VR_WALK_NO_SYMLINKS   (1u << 8) /* following any symlink is ELOOP */
#define VR_WALK_NO_MAGICLINKS (1u << 9) /* following a procfs magic link is ELOOP */
#define VR_WALK_SCOPED        (VR_WALK_BENEATH | VR_WALK_IN_ROOT)
#define VR_WALK_RULES                                                                              \
	(VR_WALK_SCOPED | VR_WALK_NO_XDEV | VR_WALK_NO_SYMLINKS | VR_WALK_NO_MAGICLINKS)
#define VR_WALK_OPENCREAT                                                                          \
	(1u << 10) /* with PARENT: a final name followed by '/' in any frame is not looked          \
	             up (open(O_CREAT) answers EISDIR for it, even through symlinks) */

/*
 * The caller reads only the final object's attributes (stat, access,
 * readlink): a non-directory that one layer decides alone may be left
 * unopened (vr_obj.byname).
 */
#define VR_WALK_ATTR (1u << 11)

/*
 * In a directory that folds case, the final name is taken byte for byte,
 * never for an existing case variant (rename("foo", "Foo") changes the
 * stored case).
 */
#define VR_WALK_EXACT_LAST (1u << 12)

/*
 * The caller reads only extended attributes of the final object, through
 * the host's own call on its name (which finds it gone, if it is): the
 * last name a VR_WALK_ATTR walk read by name in the same directory may be
 * taken again without a stat (dcache.c's last name).
 */
#define VR_WALK_XATTR (1u << 13)

/*
 * With VR_WALK_ATTR: the caller removes the final name (unlink), so an
 * upper-layer file with one link may be left unopened as well: its origin
 * is not read.
 */
#define VR_WALK_GONE (1u << 14)

/*
 * The final object, when a directory, is taken from the directory cache
 * and kept there as the directories a walk goes through are: the caller
 * lists it, and the calls that follow name what is in it.  Of its
 * attributes only its type and identity (device, inode) are read, so a
 * cached directory's are not asked again.
 */
#define VR_WALK_KEEP (1u << 15)

/*
 * The caller changes the final object through its descriptor (by that
 * descriptor or its /proc/self/fd path) and lets the descriptor go: a
 * copy-up may leave the node on the copy's own descriptor, which names no
 * path, rather than look the copy up by name.
 */
#define VR_WALK_CHANGE (1u << 16)

/*
 * With VR_WALK_PARENT: the caller creates the final name exclusively
 * (open with O_CREAT | O_EXCL), so in a directory only the upper layer
 * holds (nothing below to look at, no mount there, no folding) the name is
 * not looked up first: the create's EEXIST says it is there
 * (w->last_unprobed tells the caller, who looks when the create fails).
 */
#define VR_WALK_EXCL (1u << 17)

/*
 * With VR_WALK_ATTR: the caller reads only the final object's type
 * (readlink: a symlink or not), so a directory the cache holds is taken
 * as it is, without its attributes read again: as the directories a walk
 * goes through are (a base directory changed from outside is seen within
 * the cache's time bound).
 */
#define VR_WALK_TYPE (1u << 18)

#define VR_FRAMES (40 + 3)

struct vr_frame {
	const char *p; /* next byte to read */
	size_t mark;   /* scratch usage to restore when the frame is popped */
	int canon;     /* a canonical path re-walked: no symlink, no ".." */
	int slash;     /* the frame's last component was followed by '/' */
};

/*
 * struct vr_walk - per-call state of a walk (the kernel's nameidata).
 * Lives in the call's scratch memory; vr_walk_end() releases everything.
 */
struct vr_walk {
	struct vr_task *t;
	struct vr_ns *ns;
	struct vr_scratch s;
	unsigned int flags;
	int nlinks;
	int depth;
	int must_dir;
	/*
	 * open_final: the flags of an open() for reading that the walk serves
	 * (0: none): vr_overlay_lookup() opens the final object's top layer
	 * with them, sparing the open a lookup by O_PATH and a reopen
	 * (vr_obj.opened).  lookup_final: vr_overlay_lookup() is asked for the
	 * final component.
	 */
	int open_final, lookup_final;
	enum vr_last last_type;
	struct vr_frame stack[VR_FRAMES];
	struct vr_obj cur;    /* the directory being walked; the final parent */
	struct vr_obj node;   /* the result; node.exists == 0 when absent */
	size_t plen;          /* length of the parent's path in vpath */
	/*
	 * solo: w->cur lies in a run of directories entered downwards from
	 * one, at vpath[0..solo), that lives in a single layer (or mount)
	 * with no mount point and no hidden directory below it; 0: not so.
	 * Inside the run the host's ".." is the virtual parent (walk.c).
	 */
	size_t solo;
	size_t vlen;          /* length of the result's path in vpath */
	char last[NAME_MAX + 1];
	size_t lastlen;
	char *root; /* the task's root (chroot), canonical; with VR_WALK_SCOPED
	             * the start directory's: root_in, or VR_VPATH_MAX bytes of
	             * the scratch when it is too long for that or scoped */
	size_t rootlen;
	size_t keep;     /* the scratch a walk keeps (the walk, its long root) */
	int scoped_root; /* root holds a scoped walk's start, not the task's root */
	/* The directory cache (dcache.c): in use, its lock held, what it is judged by. */
	int dc_on, dc_locked;
	int dc_miss; /* a directory the cache was asked for was not there */
	/*
	 * dc_ro: the cache's lock is held by an outer walk on this thread,
	 * paused while this one runs: nodes are read, none
	 * is taken or dropped, for the outer walk uses their descriptors.
	 */
	int dc_ro;
	/*
	 * The program's directory descriptor the walk started from, when
	 * vr_dc_fd_path() looked at it (-1: none), and its fstat() then
	 * (at_full), or only its type, device and inode, from a note the
	 * number's stamp let it believe (vr_fd_stamp()).
	 */
	int at_fd, at_full;
	struct stat at_st;
	/*
	 * Every directory above w->cur, from the namespace's root down, is
	 * known to grant search to everyone (dcache.c's node reach): 1 at the
	 * root, kept while the walk goes down by names, 0 when not known.
	 */
	int reach;
	/* hval: the directory cache's hash of vpath[0..hlen) (0: none), kept while those bytes are. */
	size_t hlen;
	unsigned long hval;
	unsigned long dc_gen, dc_now;
	unsigned long dc_fgen; /* vr_coh_gen() when the walk began (dcache.c's last name) */
	unsigned long dc_dcopies; /* directories copied up so far (vr_coh_dir_copies()) */
	int root_known;  /* an absolute path or a ".." was met (the kernel's nd->root is set) */
	int folded;      /* the final name was found as a case variant (foldidx.c) */
	/*
	 * The final name is absent and the parent's upper directory was asked
	 * for it and has nothing there, not even a whiteout (so a create need
	 * not look again).
	 */
	int last_clear;
	/* The final name was taken as absent without a lookup (VR_WALK_EXCL). */
	int last_unprobed;
	/*
	 * A statx(2) walk: the final name's attributes are read by statx()
	 * into *stx (stx_flags: its AT_STATX_SYNC_* bits, stx_mask: what the
	 * caller asked for), which then also decides the lookup; stx_done: the
	 * object found by name (byname) was read so.  Set by vr_walk_statx().
	 */
	struct statx *stx;
	unsigned int stx_mask;
	int stx_flags, stx_done;
	/*
	 * A copy-up's own note (copyup.c): the upper directory it has just
	 * made, unmarked (fresh_ino 0: none).
	 */
	unsigned long fresh_dev, fresh_ino;
	/*
	 * Last, the two buffers: a walk of a short path touches one page of
	 * this object (each page first touched is a fault, in every process).
	 */
	char root_in[256];
	char vpath[VR_VPATH_MAX]; /* canonical virtual path of the result */
};

/**
 * vr_walk_begin() - claim scratch memory for a walk.
 * Return: a walk to pass to vr_walk_path(), or NULL (*err is -ENOMEM).
 */
struct vr_walk *vr_walk_begin(struct vr_task *t, int *err);

/**
 * vr_walk_path() - resolve @path from @dirfd (AT_FDCWD: the task's cwd).
 * On success w->node is the object (when absent: only with VR_WALK_PARENT,
 * w->cur is then its directory and w->last its name) and w->vpath its
 * canonical virtual path.  The VR_WALK_* rule flags add openat2(2)'s
 * RESOLVE_* errors: -EXDEV (an escape from the start directory, a mount
 * crossed) and -ELOOP (a symlink or magic link not allowed).
 * Return: 0, or -ENOENT, -ENOTDIR, -ELOOP, -ENAMETOOLONG, -EACCES, -EBADF,
 * -EXDEV...
 */
int vr_walk_path(struct vr_walk *w, int dirfd, const char *path, unsigned int flags);

/*
 * vr_make_upper_fn - make directory @name in upper directory @upfd as the
 * copy of @lower; return an O_PATH descriptor of it, or -errno.  When it
 * exists already (another process won), return that one.
 */
typedef int (*vr_make_upper_fn)(struct vr_ns *ns, int upfd, const char *name,
                                const struct vr_obj *lower);

/**
 * vr_walk_statx() - vr_walk_new() for statx(2): a final name the walk
 * reads only by name is read by statx() into @stx with @mask and the
 * AT_STATX_SYNC_* bits of @sync, once (w->stx_done tells).
 */
struct vr_walk *vr_walk_statx(struct vr_task *t, int dirfd, const char *path, unsigned int flags,
                              struct statx *stx, unsigned int mask, int sync, int *err);

/**
 * vr_walk_upper_dir() - the upper layer's copy of the root-overlay
 * directory with canonical path @path, every missing level made by @make,
 * parents first, from the deepest level the upper layer has.  Uses @w as
 * scratch (its result is replaced); @path is written to meanwhile and
 * whole again on return.
 * Return: an O_PATH descriptor owned by the caller, or -errno (-EROFS: no
 * upper layer; -EXDEV: the path enters a mount; -ENOENT, -ENOTDIR: the tree
 * changed).
 */
int vr_walk_upper_dir(struct vr_walk *w, char *path, vr_make_upper_fn make);

/*
 * vr_walk_renorm() - walk again to w->vpath itself, so that a result named
 * by ".", ".." or a dirfd has a parent and a final name.  Return: 0/-errno.
 */
int vr_walk_renorm(struct vr_walk *w);

/**
 * vr_walk_new() - vr_walk_begin() and vr_walk_path() in one.
 * Return: the walk, or NULL with *err set (nothing to release).
 */
struct vr_walk *vr_walk_new(struct vr_task *t, int dirfd, const char *path, unsigned int flags,
                            int *err);

/** vr_walk_end() - close the walk's descriptors and release its memory. */
void vr_walk_end(struct vr_walk *w);

#endif
