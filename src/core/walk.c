/*
 * walk.c - the path walk.
 *
 * The rules, which are the kernel's (fs/namei.c) applied to the virtual tree:
 *
 *  1. A path is read component by component from a stack of frames: the
 *     caller's path at the bottom, one frame per symlink being expanded above
 *     it.  Nothing recurses; the stack holds at most 40 links, and the 41st
 *     link followed in one walk fails with ELOOP.
 *  2. "" is ENOENT unless AT_EMPTY_PATH; a path of PATH_MAX bytes or more,
 *     or a component longer than NAME_MAX, is ENAMETOOLONG.  The canonical
 *     path a walk reaches may be longer (a relative path from a deep cwd
 *     or directory descriptor), up to VR_VPATH_MAX bytes.  Repeated and
 *     trailing slashes are ignored, except that a trailing slash requires the
 *     final object to be a directory (and makes a final symlink be followed).
 *  3. Every component but the last must be a directory after symlinks are
 *     followed ("file/x", "file/..": ENOTDIR); a missing one is ENOENT
 *     ("/missing/.." too).  A final symlink is followed when the caller asks.
 *  4. ".." is physical: it drops the last component of the canonical path of
 *     the directory reached so far (all symlinks already resolved), so
 *     "/.." is "/" and ".." at the root of a mount is the mount point's parent
 *     in the virtual tree.  The parent is reached by re-walking that
 *     canonical path from the root, or, inside a run of directories that
 *     one layer alone holds (nothing merged, mounted or hidden below), by
 *     the host's ".." of the current directory, which is that parent.
 *  5. An absolute symlink body restarts at the virtual root, wherever the
 *     link lives (chroot semantics, also inside host mounts).
 *  6. A name whose canonical path is a mount point is the mount's host
 *     directory (mounts are matched on whole components, so the deepest mount
 *     wins as the walk goes down).  A name no layer has, but below which a
 *     mount lies, is a synthetic directory.
 *  7. In the root overlay a name is looked up in each layer, topmost first:
 *     the first layer that has it decides; a whiteout ends the lookup (ENOENT);
 *     a directory merges with the same directory in the layers below until an
 *     opaque directory or a non-directory is met (in a directory that
 *     folds case, the first layer holding any spelling of the name decides:
 *     foldidx.c, fold_found()).  The namespace's own upper
 *     and work directories are never found.  A base file with several links
 *     whose shared copy is in the index is that copy (index.c).
 *  8. Every step is an openat(O_PATH|O_NOFOLLOW) relative to a directory
 *     descriptor: the kernel is never handed a path it could resolve outside
 *     the layer.  The final name of a walk that only reads attributes
 *     (VR_WALK_ATTR) may be an fstatat(AT_SYMLINK_NOFOLLOW) instead, on the
 *     same descriptor.  A directory that is not the final component may
 *     come from the directory cache (dcache.c), whose descriptors are those
 *     the same lookup found before, when its parent lets everyone search
 *     it; the final component is always looked up (a final directory from
 *     the cache has its attributes read again).  A walk relative to a
 *     directory descriptor or to the cwd starts at that directory's node
 *     when the cache holds it, whatever the permissions above it: the
 *     kernel checks none on the way to a directory already reached.
 *  9. openat2(2)'s RESOLVE_* rules (VR_WALK_BENEATH ... NO_MAGICLINKS) apply
 *     to what the caller's path and the links in it do, never to the
 *     canonical paths the walk re-walks itself:
 *     - BENEATH and IN_ROOT make the start directory the walk's root:
 *       ".." there stays (IN_ROOT) or is EXDEV (BENEATH); an absolute path
 *       or symlink body starts there (IN_ROOT) or is EXDEV (BENEATH); a
 *       magic link is EXDEV in both.
 *     - NO_XDEV: entering a mount, ".." out of the root of one, an absolute
 *       symlink whose directory is not in the root's mount, a magic link to
 *       another mount: EXDEV.  A mount is a vroot mount point, or a host
 *       mount met inside a mount (statx: STATX_ATTR_MOUNT_ROOT); the root
 *       overlay is one filesystem, whatever layer an object comes from.
 *     - NO_SYMLINKS: following any symlink is ELOOP; NO_MAGICLINKS:
 *       following a procfs magic link is ELOOP.  A final link not followed
 *       (O_NOFOLLOW, O_CREAT|O_EXCL) is allowed, as in the kernel.
 * 10. Search permission on each directory a name (".", ".." included) of
 *     the caller's path or of a link is looked up in: the kernel's lookups
 *     check the host user's.  A faked identity without CAP_DAC_READ_SEARCH
 *     is judged by the walk on what the directory shows (perm.c), and the
 *     kernel never walks several names at once for it.  Canonical paths
 *     the walk re-walks itself check nothing, as the kernel checks nothing
 *     above a directory it has reached.
 */
#include "rules.h"
#include "walk.h"
#include "dcache.h"
#include "foldidx.h"
#include "overlay.h"
#include "perm.h"
#include "util.h"
#include "coherence.h"
#include "revmap.h"
#include "task.h"

#define MAXSYMLINKS 40

/* The object moves from @src to @dst; @src is left empty. */
static void
obj_move(struct vr_obj *dst, struct vr_obj *src)
{
	vr_obj_put(dst);
	vr_memcpy(dst, src, sizeof(*dst));
	src->nfd = 0;
	src->owned = 0;
	src->exists = 0;
	src->indexed = 0;
	src->onlink = 0;
	src->byname = 0;
	src->allx = 0;
	src->norec = 0;
	src->upnone = 0;
	src->opened = 0;
}

/* vpath_push() - append "/name" to the canonical path. */
static int
vpath_push(struct vr_walk *w, const char *name, size_t len)
{
	size_t at = w->vlen == 1 ? 1 : w->vlen + 1;

	if (at + len >= VR_VPATH_MAX)
		return -ENAMETOOLONG;
	if (w->hlen > w->vlen)
		w->hlen = 0; /* bytes it hashed are written over */
	w->plen = w->vlen;
	if (at > 1)
		w->vpath[w->vlen] = '/';
	vr_memcpy(w->vpath + at, name, len);
	w->vlen = at + len;
	w->vpath[w->vlen] = '\0';
	return 0;
}

static void
vpath_pop(struct vr_walk *w)
{
	size_t n = w->vlen;

	while (n > 1 && w->vpath[n - 1] != '/')
		n--;
	w->vlen = n > 1 ? n - 1 : 1;
	w->vpath[w->vlen] = '\0';
}

static void
vpath_reset(struct vr_walk *w)
{
	w->solo = 0;
	w->hlen = 0;
	w->reach = 1; /* w->cur becomes the root */
	w->vpath[0] = '/';
	w->vpath[1] = '\0';
	w->vlen = 1;
	w->plen = 1;
}

/* frame_at() - a new frame reading @buf, allocated in scratch from @mark on. */
static int
frame_at(struct vr_walk *w, const char *buf, size_t mark, int canon)
{
	struct vr_frame *f;

	if (w->depth >= VR_FRAMES)
		return -ELOOP;
	f = &w->stack[w->depth++];
	f->p = buf;
	f->mark = mark;
	f->canon = canon;
	f->slash = 0;
	return 0;
}

/* push_frame() - a new frame reading a copy of @p[0..len). */
static int
push_frame(struct vr_walk *w, const char *p, size_t len, int canon)
{
	size_t mark = w->s.used;
	char *buf = vr_alloc(&w->s, len + 1);

	if (!buf)
		return -ENOMEM;
	vr_memcpy(buf, p, len);
	buf[len] = '\0';
	return frame_at(w, buf, mark, canon);
}

/*
 * go_root() - restart at the task's root: the namespace's root, then the
 * root chroot() chose, re-walked as a canonical path.
 */
static int
go_root(struct vr_walk *w)
{
	int err;

	vpath_reset(w);
	err = vr_overlay_root(w, &w->cur);
	if (err == 0 && w->rootlen > 1)
		err = push_frame(w, w->root, w->rootlen, 1);
	return err;
}

static void
pop_frame(struct vr_walk *w)
{
	w->depth--;
	w->s.used = w->stack[w->depth].mark;
}

/*
 * next_name() - the next component of the top frame, or NULL when the frame
 * is used up.  Advances past the component and the slashes after it.
 */
static const char *
next_name(struct vr_frame *f, size_t *len)
{
	const char *c;

	while (*f->p == '/')
		f->p++;
	if (!*f->p)
		return NULL;
	c = f->p;
	while (*f->p && *f->p != '/')
		f->p++;
	*len = (size_t)(f->p - c);
	f->slash = *f->p == '/';
	while (*f->p == '/')
		f->p++;
	return c;
}

/* frames_empty() - the lowest @n frames have nothing left to read. */
static int
frames_empty(const struct vr_walk *w, int n)
{
	for (int i = 0; i < n; i++) {
		const char *p = w->stack[i].p;

		while (*p == '/')
			p++;
		if (*p)
			return 0;
	}
	return 1;
}

/*
 * solo_enter() - w->cur just became the directory at w->vpath, entered
 * downwards from the one at vpath[0..@from): note where a single-layer
 * run starts (fast_walk()'s condition: the virtual tree below is the host
 * tree below).
 */
static void
solo_enter(struct vr_walk *w, size_t from)
{
	if (w->solo && from >= w->solo)
		return; /* still inside the run */
	w->solo = 0;
	if (w->cur.nfd == 1 && !w->cur.synthetic && !w->cur.byname &&
	    !vr_ns_mount_below(w->ns, w->vpath, w->vlen) &&
	    !vr_ns_hidden_below(w->ns, w->vpath, w->vlen))
		w->solo = w->vlen;
}

/*
 * solo_obj() - @o, the object the host descriptor @fd (taken) opens in
 * w->cur's single-layer run.  Return: 0, or -1 when it cannot be stat'ed
 * (@o is put, @fd closed).
 */
static int
solo_obj(const struct vr_walk *w, struct vr_obj *o, int fd)
{
	o->exists = 1;
	o->mount = w->cur.mount;
	o->nfd = 1;
	o->fd[0] = fd;
	o->layer[0] = w->cur.layer[0];
	o->owned = 1;
	if (sys_fstat(fd, &o->st) < 0) {
		vr_obj_put(o);
		return -1;
	}
	return 0;
}

/*
 * solo_dotdot() - the parent of w->cur by the host's "..", when it lies in
 * w->cur's single-layer run; w->vpath already names it.
 * Return: 1 done, 0 not possible (re-walk).
 */
static int
solo_dotdot(struct vr_walk *w)
{
	struct vr_obj up = {0};
	int fd;

	if (!w->solo || w->vlen < w->solo || w->cur.nfd != 1)
		return 0;
	fd = sys_openat(w->cur.fd[0], "..", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd < 0 || solo_obj(w, &up, fd) < 0)
		return 0;
	obj_move(&w->cur, &up);
	return 1;
}

/* dotdot() - go to the parent of the canonical path by re-walking it. */
static int
dotdot(struct vr_walk *w)
{
	int err;

	/* ".." at the walk's root is the root itself, as "/.." is "/" (a walk
	 * kept beneath its start may not try). */
	if (w->vlen == w->rootlen && vr_memcmp(w->vpath, w->root, w->rootlen) == 0)
		return (w->flags & VR_WALK_BENEATH) ? -EXDEV : 0;
	if ((w->flags & VR_WALK_NO_XDEV) && vr_walk_at_mount_root(w))
		return -EXDEV;
	vpath_pop(w);
	if (solo_dotdot(w))
		return 0;
	if (w->vlen > 1) {
		/* push_frame() copies the path before vpath_reset() clears it. */
		err = push_frame(w, w->vpath, w->vlen, 1);
		if (err < 0)
			return err;
	}
	vpath_reset(w);
	return vr_overlay_root(w, &w->cur);
}

static int
follow_link(struct vr_walk *w, struct vr_obj *link)
{
	size_t mark = w->s.used;
	char *body;
	long n;
	int err;

	if (++w->nlinks > MAXSYMLINKS)
		return -ELOOP;
	body = vr_alloc(&w->s, PATH_MAX);
	if (!body)
		return -ENOMEM;
	n = w->ns->ops->readlink(link->fd[0], vr_obj_at(link), body, PATH_MAX);
	if (n >= PATH_MAX)
		n = -ENAMETOOLONG;
	if (n == 0)
		n = -ENOENT;
	if (n < 0) {
		w->s.used = mark;
		return (int)n;
	}
	body[n] = '\0';
	w->s.used = mark;
	vr_alloc(&w->s, (size_t)n + 1); /* keep only the body's bytes */
	err = frame_at(w, body, mark, 0);
	if (err < 0)
		return err;
	if (body[0] != '/')
		return 0;
	if ((w->flags & VR_WALK_BENEATH) ||
	    ((w->flags & VR_WALK_NO_XDEV) && vr_walk_jump_crosses(w)))
		return -EXDEV;
	return go_root(w);
}

/* parse_num() - decimal digits at *p, advanced past them; -1 if none. */
static long
parse_num(const char **p)
{
	long v = -1;

	while (**p >= '0' && **p <= '9' && v < 1000000000)
		v = (v < 0 ? 0 : v * 10) + (*(*p)++ - '0');
	return v;
}

/*
 * writable_own_fd() - the magic link being followed is this process's
 * /proc/PID/fd/N (or task/TID/fd/N) and descriptor N is open for writing.
 * Reopening it then only does what the descriptor itself may do, so it
 * goes to the very same file (a redirected stdout), not to a copy.
 */
static int
writable_own_fd(const struct vr_walk *w)
{
	const char *p = w->vpath;
	long fd;
	int fl;

	if (vr_memcmp(p, "/proc/", 6) != 0)
		return 0;
	p += 6;
	if (parse_num(&p) != vr_sys0(__NR_getpid))
		return 0;
	if (vr_memcmp(p, "/task/", 6) == 0) {
		p += 6;
		if (parse_num(&p) < 0)
			return 0;
	}
	if (vr_strcmp(p, "/fd") != 0)
		return 0;
	p = w->last;
	fd = parse_num(&p);
	if (fd < 0 || *p || vr_ns_owns_fd(w->ns, (int)fd))
		return 0;
	fl = sys_fcntl((int)fd, F_GETFL, 0);
	return fl >= 0 && (fl & O_ACCMODE) != O_RDONLY;
}

/*
 * follow_magic() - a symlink in procfs (/proc/PID/fd/N, cwd, exe, root…).
 * Its text is a host path or no path at all ("pipe:[…]"), so the kernel
 * follows it to the object, and the object is mapped back into the
 * namespace: by its virtual path when it has one, re-walked as a canonical
 * path (the kernel lands on the object itself: a symlink held by an O_PATH
 * descriptor is not followed on), else, as the final component, as the
 * object itself.  A removed non-directory (an O_TMPFILE file, a socket or
 * FIFO whose name is gone) has no path, whatever its text says ("... (deleted)").
 * A directory outside the namespace is not reachable this way.
 * Return: 1 when the walk is complete (w->node set), 0 to go on, -errno.
 */
static int
follow_magic(struct vr_walk *w, int last)
{
	size_t mark = w->s.used;
	struct stat st;
	char *vp;
	long n;
	int fd, err;

	if (++w->nlinks > MAXSYMLINKS)
		return -ELOOP;
	fd = sys_openat(w->cur.fd[0], w->last, O_PATH | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	err = sys_fstat(fd, &st);
	vp = vr_alloc(&w->s, PATH_MAX);
	n = err < 0 ? err : -ENOMEM;
	if (err == 0 && vp)
		n = ((st.st_mode & S_IFMT) != S_IFDIR && st.st_nlink == 0) ||
		                    (last && (st.st_mode & S_IFMT) != S_IFDIR && writable_own_fd(w))
		            ? -ENOENT
		    : vr_proc_link_root(w) ? (vp[0] = '/', vp[1] = '\0', 1)
		                           : vr_fd_vpath(w->ns, fd, vp, PATH_MAX);
	if (n > 0) {
		sys_close(fd);
		w->s.used = mark;
		vr_alloc(&w->s, (size_t)n + 1);
		err = frame_at(w, vp, mark, 1);
		if (err == 0) {
			vpath_reset(w);
			err = vr_overlay_root(w, &w->cur);
		}
		return err;
	}
	w->s.used = mark;
	/* What another process holds and the namespace does not show (rules.c). */
	if (err == 0 && vr_proc_link_hidden(w, n))
		err = -ENOENT;
	if (err < 0 || !last || (st.st_mode & S_IFMT) == S_IFDIR) {
		sys_close(fd);
		return err < 0 ? err : last ? -ENOENT : -ENOTDIR;
	}
	vr_obj_put(&w->node);
	w->node.exists = 1;
	w->node.synthetic = 0;
	/* A removed file of the upper layer is the overlay's, its record kept on it. */
	w->node.mount = vr_fd_upper(w->ns, fd, &st) ? NULL : w->cur.mount;
	w->node.nfd = 1;
	w->node.fd[0] = fd;
	w->node.layer[0] = 0;
	w->node.owned = 1;
	vr_memcpy(&w->node.st, &st, sizeof(st));
	return 1;
}

/*
 * magic_jump() - follow magic link w->cur/w->last under the rules: only
 * NO_XDEV lets one through, to an object in the link's own host mount; its
 * path is then re-walked as a canonical one (crossing nothing on the way).
 */
static int
magic_jump(struct vr_walk *w, int last)
{
	int fd, same;

	if (w->flags & VR_WALK_NO_MAGICLINKS)
		return -ELOOP;
	if (w->flags & VR_WALK_NO_XDEV) {
		fd = sys_openat(w->cur.fd[0], w->last, O_PATH | O_CLOEXEC, 0);
		if (fd < 0)
			return fd;
		same = vr_same_host_mount(fd, w->cur.fd[0]);
		sys_close(fd);
		if (!same)
			return -EXDEV;
	}
	if (w->flags & VR_WALK_SCOPED)
		return -EXDEV;
	return follow_magic(w, last);
}

/*
 * follow() - follow symlink @link, w->cur/w->last, under the walk's rules
 * (in openat2's order: no symlinks, then no magic links, then no crossing,
 * then no jump out of a scoped walk).  Return: as step().
 */
static int
follow(struct vr_walk *w, struct vr_obj *link, int last)
{
	int magic;

	if (w->flags & VR_WALK_NO_SYMLINKS)
		return -ELOOP;
	if (!vr_in_procfs(link))
		return follow_link(w, link);
	if (!(w->flags & VR_WALK_RULES))
		return follow_magic(w, last);
	magic = vr_proc_link_is_magic(w, link);
	if (magic < 0)
		return magic;
	return magic ? magic_jump(w, last) : follow_link(w, link);
}

/* trailing_slash() - a '/' followed the final component in some frame. */
static int
trailing_slash(const struct vr_walk *w)
{
	int slash = 0;

	for (int i = 0; i < w->depth; i++)
		slash |= w->stack[i].slash;
	return slash;
}

static int
set_last(struct vr_walk *w, const char *name, size_t len)
{
	vr_memcpy(w->last, name, len);
	w->last[len] = '\0';
	w->lastlen = len;
	return 0;
}

/*
 * fold_take() - stored name @name (@len bytes) becomes w->last and the
 * last component of w->vpath, and is looked up into @o (a directory not
 * @last from the cache, when it has it).
 * Return: 1 when @o came from the cache, 0, or -errno.
 */
static int
fold_take(struct vr_walk *w, struct vr_obj *o, int last, const char *name, size_t len)
{
	int err;

	w->vlen = w->plen;
	w->vpath[w->vlen] = '\0';
	err = vpath_push(w, name, len);
	if (err < 0)
		return err;
	set_last(w, name, len);
	if (!last && vr_dc_get(w, o))
		return 1;
	err = vr_overlay_lookup(w, &w->cur, w->last, o);
	return err < 0 ? err : 0;
}

/*
 * fold_lookup() - w->last, absent byte for byte from w->cur, a directory
 * that folds case: the stored name it stands for is taken (fold_take()).
 * An index that names an entry gone since is built again, once.
 * Return: 1 when @o came from the cache, 0 (@o absent when nothing
 * matches) or -errno.
 */
static int
fold_lookup(struct vr_walk *w, struct vr_obj *o, int last)
{
	char name[NAME_MAX + 1];
	long n;
	int err = 0;

	for (int again = 0; again < 2 && !o->exists && err == 0; again++) {
		n = vr_fold_find(w, &w->cur, w->last, w->lastlen,
		                 again ? VR_FOLD_REBUILD : VR_FOLD_ANY, name);
		if (n == 0)
			n = vr_fold_mount(w, w->last, w->lastlen, name);
		if (n <= 0)
			return (int)n;
		err = fold_take(w, o, last, name, (size_t)n);
	}
	return err;
}

/*
 * fold_found() - @o, w->last found byte for byte in a layer of w->cur (a
 * directory that folds case) below its topmost one: a spelling a layer
 * above holds stands for it instead (foldidx.c), and is taken
 * (fold_take()), or a whiteout of another spelling there hides it (@o
 * left absent).
 * Return: as fold_lookup(); *@moved: the name changed.
 */
static int
fold_found(struct vr_walk *w, struct vr_obj *o, int last, int *moved)
{
	char name[NAME_MAX + 1];
	long n;

	if (!o->exists || o->synthetic || o->mount || w->cur.nfd < 2 ||
	    o->layer[0] == w->cur.layer[0])
		return 0;
	n = vr_fold_find(w, &w->cur, w->last, w->lastlen, VR_FOLD_ANY | VR_FOLD_FOUND, name);
	if (n == 0 || ((size_t)n == w->lastlen && vr_memcmp(name, w->last, w->lastlen) == 0))
		return 0;
	vr_obj_put(o);
	if (n == -ENOENT)
		return 0;
	if (n < 0)
		return (int)n;
	*moved = 1;
	return fold_take(w, o, last, name, (size_t)n);
}

/*
 * fold_first() - w->last, in a directory that folds case, before it is
 * looked up: the stored name the index gives becomes w->last and the last
 * component of w->vpath (the name is left as it was when the index has
 * none, or has nothing else).  Only when the index is at hand and trusted
 * without a system call: a name found byte for byte costs nothing more
 * then (and no index is made for it), a case variant no failed lookups
 * first, and a directory on the way is found in the cache by its stored
 * name.
 * Return: 1 when the name changed, else 0.
 */
static int
fold_first(struct vr_walk *w)
{
	char name[NAME_MAX + 1];
	long n = vr_fold_find(w, &w->cur, w->last, w->lastlen, VR_FOLD_TRUSTED, name);

	if (n <= 0 || ((size_t)n == w->lastlen && vr_memcmp(name, w->last, w->lastlen) == 0))
		return 0;
	/* A spelling too long for the path: the given one is looked up. */
	if ((w->plen == 1 ? 1 : w->plen + 1) + (size_t)n >= PATH_MAX)
		return 0;
	w->vlen = w->plen;
	w->vpath[w->vlen] = '\0';
	vpath_push(w, name, (size_t)n);
	set_last(w, name, (size_t)n);
	return 1;
}

/*
 * upper_only() - w->cur is a directory of the upper layer alone, the
 * final name (just pushed on w->vpath) no mount and none below it, so
 * that only the upper directory can hold that name (VR_WALK_EXCL).
 */
static int
upper_only(const struct vr_walk *w)
{
	const struct vr_obj *d = &w->cur;

	return w->ns->has_upper && d->nfd == 1 && d->layer[0] == 0 && !d->mount &&
	       !d->synthetic && !vr_fold_dir(w->ns, d) && !vr_ns_mount_at(w->ns, w->vpath, w->vlen) &&
	       !vr_ns_mount_below(w->ns, w->vpath, w->vlen);
}

/* The walk flags of a caller that reads the final object's attributes and nothing else. */
#define ATTR_ONLY (VR_WALK_ATTR | VR_WALK_XATTR | VR_WALK_GONE | VR_WALK_KEEP | VR_WALK_PARENT)

/*
 * attr_from_cache() - the final component, for a caller that reads only
 * its attributes (stat, statx, access, readlink), is a directory the
 * cache holds in the same mount, in a parent of several layers or the
 * upper one: *@o is that node, its attributes read now by name in the
 * parent's layer that shows it, one fstatat() where vr_overlay_lookup() would
 * probe each layer of the parent (a stat of /usr: two stats, two opens,
 * an fstat and a close), as realpath() and a compiler's include search
 * ask of every prefix.  The name must still lead to the node's
 * directory there (removed or renamed from outside, it is looked up as
 * usual).  For a caller that asks only the type (VR_WALK_TYPE: readlink
 * of every prefix, as realpath() does), any cached directory is the
 * answer, with no call.
 * Return: 1, or 0 with *@o empty.
 */
static int
attr_from_cache(struct vr_walk *w, struct vr_obj *o)
{
	const struct vr_obj *dir = &w->cur;
	struct stat st;
	unsigned int i = 0;

	/* Its type is all the caller asks: a cached directory's is known. */
	if (w->flags & VR_WALK_TYPE) {
		if (!vr_dc_probe(w, o))
			return 0;
		if (vr_obj_is_dir(o))
			return 1;
		vr_obj_put(o);
		return 0;
	}
	/* In one base layer (or a mount), vr_overlay_lookup_attr() takes a directory by a stat. */
	if ((dir->nfd < 2 && (dir->mount || dir->layer[0] != 0)) || !vr_dc_probe(w, o))
		return 0;
	while (i < dir->nfd && dir->layer[i] != o->layer[0])
		i++;
	if (o->mount == dir->mount && !o->synthetic && !dir->synthetic && o->nfd > 0 &&
	    i < dir->nfd && vr_obj_is_dir(o) &&
	    w->ns->ops->stat_at(dir->fd[i], w->last, &st) == 0 &&
	    (st.st_mode & S_IFMT) == S_IFDIR && st.st_dev == o->st.st_dev &&
	    st.st_ino == o->st.st_ino) {
		vr_memcpy(&o->st, &st, sizeof(st));
		return 1;
	}
	vr_obj_put(o);
	return 0;
}

/*
 * step() - walk one component @name of frame @f.
 * Return: 1 when the walk is complete, 0 to go on, or -errno.
 */
static int
step(struct vr_walk *w, struct vr_frame *f, const char *name, size_t len)
{
	int last = frames_empty(w, w->depth); /* nothing follows, in any frame */
	struct vr_obj child = {0};
	size_t saved = w->vlen;
	int err, hit;

	if (last && !f->canon)
		w->last_type = VR_LAST_NORM;
	/*
	 * A faked identity is not the host user whose lookups these are: its
	 * search permission on the directory is judged here, for every name.
	 */
	if (!f->canon && w->cur.nfd) {
		err = vr_perm_search(w, &w->cur);
		if (err < 0)
			return err;
	}
	/*
	 * The kernel checks search permission on the directory before every
	 * component; openat() does it for names, so only ".", ".." and a name
	 * too long to look up need it here.
	 */
	if (!f->canon && w->cur.nfd && !w->cur.synthetic && !w->cur.allx &&
	    (len > NAME_MAX || (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.'))))) {
		err = sys_faccessat2(w->cur.fd[0], "", 1 /* X_OK */, AT_EMPTY_PATH | AT_EACCESS);
		if (err < 0)
			return err;
	}
	if (len == 1 && name[0] == '.') {
		if (last && !f->canon)
			w->last_type = VR_LAST_DOT;
		return 0;
	}
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		if (last && !f->canon)
			w->last_type = VR_LAST_DOTDOT;
		w->root_known = 1;
		return dotdot(w);
	}
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	set_last(w, name, len);
	err = vpath_push(w, name, len);
	if (err < 0)
		return err;
	if (last && !f->canon && (w->flags & VR_WALK_OPENCREAT) && trailing_slash(w)) {
		/* fs/namei.c open_last_lookups(): "trailing slashes?" before the lookup. */
		w->must_dir = 1;
		return 1;
	}
	if (last && !f->canon && (w->flags & VR_WALK_EXCL) && upper_only(w)) {
		w->last_clear = 1;
		w->last_unprobed = 1;
		return 1;
	}
	err = 0;
	/* Only directories the walk goes through come from the cache (and a kept one). */
	hit = (!last || (w->flags & VR_WALK_KEEP)) && vr_dc_get(w, &child);
	if (!hit && last && !f->canon && (w->flags & ATTR_ONLY) == VR_WALK_ATTR)
		hit = attr_from_cache(w, &child);
	if (!hit && !(last && (w->flags & VR_WALK_EXACT_LAST)) && vr_fold_dir(w->ns, &w->cur) &&
	    fold_first(w)) {
		w->folded = last;
		hit = !last && vr_dc_get(w, &child);
	}
	if (!last && !hit)
		w->dc_miss = 1;
	if (!hit && last && !f->canon && (w->flags & VR_WALK_ATTR))
		err = vr_overlay_lookup_attr(w, &w->cur, w->last, &child);
	w->lookup_final = last;
	err = hit || err > 0 ? 0 : err < 0 ? err : vr_overlay_lookup(w, &w->cur, w->last, &child);
	w->lookup_final = 0;
	if (err == 0 && !hit && child.exists && !(last && (w->flags & VR_WALK_EXACT_LAST)) &&
	    vr_fold_dir(w->ns, &w->cur)) {
		int moved = 0;

		err = fold_found(w, &child, last, &moved);
		hit = err == 1;
		err = err == 1 ? 0 : err;
		w->folded = w->folded || (last && moved && child.exists);
	}
	if (err == 0 && !child.exists && !(last && (w->flags & VR_WALK_EXACT_LAST)) &&
	    vr_fold_dir(w->ns, &w->cur)) {
		err = fold_lookup(w, &child, last);
		hit = err == 1;
		err = err == 1 ? 0 : err;
		w->folded = w->folded || (last && child.exists);
	}
	if (err < 0)
		goto fail;
	if (!child.exists) {
		err = -ENOENT;
		if (!last || !(w->flags & VR_WALK_PARENT) || f->canon)
			goto fail;
		w->must_dir = trailing_slash(w);
		w->last_clear = child.upnone && !w->folded && !vr_fold_dir(w->ns, &w->cur);
		return 1;
	}
	err = -EXDEV;
	if ((w->flags & VR_WALK_NO_XDEV) && !f->canon && vr_walk_crosses_mount(w, &child))
		goto fail;
	if ((child.st.st_mode & S_IFMT) == S_IFLNK && !(last && f->canon)) {
		/*
		 * A canonical path holds no symlink, except as its own final
		 * object: a dirfd that is a symlink, used as a directory.
		 * Anywhere else it changed under us.
		 */
		err = *f->p ? -ENOENT : -ENOTDIR;
		if (f->canon)
			goto fail;
		if (!last || (w->flags & VR_WALK_FOLLOW) ||
		    (trailing_slash(w) && !(w->flags & VR_WALK_NAME))) {
			w->vlen = saved;
			w->vpath[saved] = '\0';
			err = follow(w, &child, last);
			vr_obj_put(&child);
			return err;
		}
	}
	if (last) {
		w->must_dir = trailing_slash(w);
		if (!hit && (w->flags & VR_WALK_KEEP) && vr_obj_is_dir(&child))
			vr_dc_put(w, &child);
		obj_move(&w->node, &child);
		return 1;
	}
	err = -ENOTDIR;
	if (!vr_obj_is_dir(&child))
		goto fail;
	if (!hit)
		vr_dc_put(w, &child);
	w->reach = w->reach && w->cur.allx;
	obj_move(&w->cur, &child);
	solo_enter(w, saved);
	return 0;
fail:
	vr_obj_put(&child);
	w->vlen = saved;
	w->vpath[saved] = '\0';
	return err;
}

/* enter_cached() - w->cur becomes @o, the cached directory @path[0..len), canonical. */
static void
enter_cached(struct vr_walk *w, const char *path, size_t len, struct vr_obj *o)
{
	w->hlen = 0;
	vr_memcpy(w->vpath, path, len);
	w->vpath[len] = '\0';
	w->vlen = len;
	w->plen = len;
	obj_move(&w->cur, o);
	solo_enter(w, 0);
}

/*
 * start_cached() - w->cur becomes directory @path[0..len), canonical, from
 * the directory cache, instead of re-walking @path from the root.
 * Return: 1 done, 0 not cached.
 */
static int
start_cached(struct vr_walk *w, const char *path, size_t len)
{
	struct vr_obj o = {0};

	if (!vr_dc_start(w, path, len, &o))
		return 0;
	enter_cached(w, path, len, &o);
	return 1;
}

/*
 * jump() - the walk of a plain absolute path (no "." or ".." component,
 * no empty one, no trailing slash) starts at its directory when the
 * directory cache has it with every directory above it searchable by all
 * (vr_dc_jump()), instead of going down from the root: it would have
 * taken each of them from the cache.  Not for a chroot()ed task, nor
 * where crossing a mount is refused.
 */
static void
jump(struct vr_walk *w)
{
	struct vr_frame *f = &w->stack[0];
	const char *p, *last = NULL;
	struct vr_obj o = {0};
	size_t len;

	if (!w->dc_on || w->depth != 1 || w->rootlen != 1 || (w->flags & VR_WALK_NO_XDEV))
		return;
	for (p = f->p; *p; p++) {
		if (*p != '/')
			continue;
		if (p[1] == '/' || !p[1] ||
		    (p[1] == '.' &&
		     (p[2] == '/' || !p[2] || (p[2] == '.' && (p[3] == '/' || !p[3])))))
			return;
		last = p;
	}
	if (!last || last == f->p)
		return; /* one component: nothing to skip */
	len = (size_t)(last - f->p);
	if (!vr_dc_jump(w, f->p, len, &o))
		return;
	enter_cached(w, f->p, len, &o);
	f->p = last;
}

/* start() - set w->cur to where a relative @path starts. */
static int
start(struct vr_walk *w, int dirfd, const char *path)
{
	char *base;
	long n;
	int err;

	if (path[0] == '/' && !(w->flags & (VR_WALK_NSROOT | VR_WALK_SCOPED))) {
		err = go_root(w);
		if (err == 0)
			jump(w);
		return err;
	}
	if ((path[0] == '/' && !(w->flags & VR_WALK_NSROOT)) || (w->flags & VR_WALK_SCOPED))
		return go_root(w);
	vpath_reset(w);
	err = vr_overlay_root(w, &w->cur);
	if (err < 0 || path[0] == '/')
		return err;
	base = vr_alloc(&w->s, VR_VPATH_MAX);
	if (!base)
		return -ENOMEM;
	if (dirfd == AT_FDCWD)
		n = vr_task_cwd(w->t, base, VR_VPATH_MAX);
	else
		n = vr_dc_fd_path(w, dirfd, base, VR_VPATH_MAX);
	if (n < 0)
		return (int)n;
	if (n > 1 && start_cached(w, base, (size_t)n))
		return 0;
	if (n > 1)
		return push_frame(w, base, (size_t)n, 1);
	return 0;
}

/*
 * fast_span() - the end of the run of components at @p that the kernel may
 * walk for us: plain names (no "..", none too long), never the final one.
 * Return: the end, or NULL when there is none; *n: how many.
 */
static const char *
fast_span(const struct vr_walk *w, const char *p, unsigned int *n)
{
	const char *end = NULL, *from = p;

	*n = 0;
	for (;;) {
		const char *c, *r;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		for (c = p; *p && *p != '/'; p++)
			;
		if ((size_t)(p - c) > NAME_MAX || (p - c == 2 && c[0] == '.' && c[1] == '.'))
			break;
		for (r = p; *r == '/'; r++)
			;
		if (!*r && frames_empty(w, w->depth - 1))
			break; /* the final component: step() judges it */
		if (p - from >= PATH_MAX)
			break; /* more than the kernel takes in one string */
		end = p;
		(*n)++;
	}
	return end;
}

/*
 * fast_walk() - let the kernel walk a run of directories in one call.  It
 * may when the current directory lives in exactly one layer (no layer above
 * or below merges with anything under it) and no mount point or hidden
 * directory lies under it: then the virtual tree below is that host tree.
 * RESOLVE_NO_SYMLINKS stops at any symlink, RESOLVE_BENEATH keeps the walk
 * inside; on any failure the component walk takes over from where it was.
 * Return: 1 when it advanced, 0 otherwise.
 */
static int
fast_walk(struct vr_walk *w, struct vr_frame *f)
{
	struct open_how how = {
	        .flags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
	        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	size_t mark = w->s.used, saved = w->vlen;
	const char *end, *p = f->p;
	struct vr_obj next = {0};
	unsigned int n;
	char *run;
	int fd;

	if (w->cur.nfd != 1 || w->cur.synthetic || vr_ns_mount_below(w->ns, w->vpath, w->vlen) ||
	    vr_ns_hidden_below(w->ns, w->vpath, w->vlen))
		return 0;
	/* The kernel would judge the host user's search, not the identity's. */
	if (vr_perm_search_judged(w->t))
		return 0;
	/* Inside a mount a host mount may lie below: the component walk judges it. */
	if ((w->flags & VR_WALK_NO_XDEV) && w->cur.mount)
		how.resolve |= RESOLVE_NO_XDEV;
	end = fast_span(w, p, &n);
	if (!end || n < 2)
		return 0; /* one step costs the same either way */
	run = vr_alloc(&w->s, (size_t)(end - p) + 1);
	if (!run)
		return 0;
	vr_memcpy(run, p, (size_t)(end - p));
	run[end - p] = '\0';
	fd = sys_openat2(w->cur.fd[0], run, &how);
	w->s.used = mark;
	if (fd < 0)
		return 0;
	for (const char *c = p; c < end;) {
		const char *e;

		while (*c == '/')
			c++;
		for (e = c; e < end && *e != '/'; e++)
			;
		if (e > c && !(e - c == 1 && c[0] == '.') &&
		    vpath_push(w, c, (size_t)(e - c)) < 0) {
			w->vlen = saved;
			w->vpath[saved] = '\0';
			sys_close(fd);
			return 0;
		}
		c = e;
	}
	if (solo_obj(w, &next, fd) < 0) {
		w->vlen = saved;
		w->vpath[saved] = '\0';
		return 0;
	}
	w->reach = 0; /* the kernel went down: the directories on the way are not known */
	obj_move(&w->cur, &next);
	solo_enter(w, saved);
	f->p = end;
	/*
	 * The end of a canonical path re-walked is where a walk relative to
	 * a directory descriptor or the cwd starts: the next one starts
	 * there from the cache (start_cached()).
	 */
	while (*end == '/')
		end++;
	if (f->canon && !*end)
		vr_dc_put(w, &w->cur);
	return 1;
}

static int
run(struct vr_walk *w)
{
	for (;;) {
		struct vr_frame *f;
		const char *name;
		size_t len;
		int r;

		if (w->depth == 0)
			break;
		f = &w->stack[w->depth - 1];
		/*
		 * Where the cache may answer, it is cheaper than the kernel's
		 * walk; once it has not, the kernel walks on (a path deeper
		 * than the cache holds would only churn it).
		 */
		if (!(w->dc_on && w->cur.allx) || w->dc_miss)
			fast_walk(w, f);
		name = next_name(f, &len);
		if (!name) {
			pop_frame(w);
			continue;
		}
		r = step(w, f, name, len);
		if (r < 0)
			return r;
		if (r == 1)
			return 0;
	}
	/* The walk ended on a directory: "/", ".", "..", or a link to one. */
	w->node = w->cur;
	w->cur.nfd = 0;
	w->cur.owned = 0;
	w->cur.exists = 0;
	w->plen = w->vlen;
	/*
	 * The final object's attributes are always the kernel's of now: a
	 * directory from the cache (not the walk's to close) is read again,
	 * unless it is the directory of the descriptor the walk started from,
	 * just read, or the caller lists it (it needs only the directory's
	 * identity, which the cache's node has).
	 */
	if ((w->node.st.st_ino == 0 || !w->node.owned) && w->node.nfd > 0) {
		if ((w->flags & VR_WALK_KEEP) && w->node.st.st_ino != 0)
			return 0;
		if (w->at_fd >= 0 && w->at_full && w->node.st.st_ino != 0 &&
		    w->at_st.st_ino == w->node.st.st_ino && w->at_st.st_dev == w->node.st.st_dev) {
			vr_memcpy(&w->node.st, &w->at_st, sizeof(w->node.st));
			return 0;
		}
		return sys_fstat(w->node.fd[0], &w->node.st);
	}
	return 0;
}

/*
 * upper_start() - where vr_walk_upper_dir() starts making directories: the
 * deepest directory on canonical @path that the upper layer has already,
 * found by asking the upper layer for @path and then for each parent in
 * turn (the upper layer holds a root-overlay directory at its virtual
 * path), and walked to (through the cache) so that w->cur is it with all
 * its layers.  @path is cut short meanwhile and whole again on return.
 * Return: its upper descriptor (owned) with *@rest the part of @path
 * still to make (empty when all of it is there), or -1 to start at the
 * root.
 */
static int
upper_start(struct vr_walk *w, char *path, const char **rest)
{
	struct open_how how = {
	        .flags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
	        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
	                   RESOLVE_NO_XDEV,
	};
	size_t len = vr_strlen(path), k = len;
	int fd = -1;
	char cut;

	if (path[0] != '/' || w->ns->no_fast)
		return -1;
	while (k > 1) {
		cut = path[k];
		path[k] = '\0';
		fd = sys_openat2(w->ns->layers[0].fd, path + 1, &how);
		path[k] = cut;
		if (fd != -ENOENT)
			break;
		while (k > 1 && path[k - 1] != '/')
			k--;
		if (k > 1)
			k--; /* the '/' before the last name */
	}
	if (fd < 0)
		return -1;
	/* The rest is made by vr_overlay_lookup() from that directory with all its layers. */
	cut = path[k];
	path[k] = '\0';
	if (vr_walk_path(w, AT_FDCWD, path, VR_WALK_NSROOT) < 0 || !w->node.exists ||
	    w->node.mount || w->node.synthetic || w->node.nfd == 0 || w->node.layer[0] != 0 ||
	    !vr_obj_is_dir(&w->node)) {
		path[k] = cut;
		sys_close(fd);
		return -1;
	}
	path[k] = cut;
	w->reach = 0;
	obj_move(&w->cur, &w->node);
	*rest = path + k;
	return fd;
}

int
vr_walk_upper_dir(struct vr_walk *w, char *path, vr_make_upper_fn make)
{
	const char *p = path;
	int upfd, err;

	if (!w->ns->has_upper)
		return -EROFS;
	upfd = upper_start(w, path, &p);
	if (upfd < 0) {
		p = path;
		vpath_reset(w);
		err = vr_overlay_root(w, &w->cur);
		if (err < 0)
			return err;
		upfd = sys_fcntl(w->ns->layers[0].fd, F_DUPFD_CLOEXEC, 0);
	}
	while (upfd >= 0) {
		struct vr_obj child = {0};
		unsigned long dev, ino;
		const char *c;
		size_t len;
		int next;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		for (c = p; *p && *p != '/'; p++)
			;
		len = (size_t)(p - c);
		err = len > NAME_MAX ? -ENAMETOOLONG : 0;
		if (err == 0) {
			set_last(w, c, len);
			err = vpath_push(w, c, len);
		}
		if (err == 0)
			err = vr_overlay_lookup(w, &w->cur, w->last, &child);
		if (err == 0 && !child.exists)
			err = -ENOENT;
		else if (err == 0 && !vr_obj_is_dir(&child))
			err = -ENOTDIR;
		else if (err == 0 && (child.mount || child.synthetic))
			err = -EXDEV;
		if (err == 0 && child.layer[0] == 0) {
			next = child.fd[0];
			child.owned &= ~1u;
		} else if (err) {
			next = err;
		} else {
			dev = child.st.st_dev;
			ino = child.st.st_ino;
			next = make(w->ns, upfd, w->last, &child);
			/* A directory gained its upper layer: its cached nodes go. */
			vr_coh_dir_copied(w->ns, dev, ino);
		}
		sys_close(upfd);
		upfd = next;
		w->reach = 0;
		obj_move(&w->cur, &child);
	}
	return upfd;
}

struct vr_walk *
vr_walk_statx(struct vr_task *t, int dirfd, const char *path, unsigned int flags, struct statx *stx,
              unsigned int mask, int sync, int *err)
{
	struct vr_walk *w = vr_walk_begin(t, err);

	if (!w)
		return NULL;
	w->stx = stx;
	w->stx_mask = mask;
	w->stx_flags = sync;
	*err = vr_walk_path(w, dirfd, path, flags);
	w->stx = NULL;
	if (*err < 0) {
		vr_walk_end(w);
		return NULL;
	}
	return w;
}

struct vr_walk *
vr_walk_begin(struct vr_task *t, int *err)
{
	struct vr_scratch s;
	struct vr_walk *w;
	long n;

	*err = vr_scratch_get(&t->ns->pool, &s);
	if (*err < 0)
		return NULL;
	w = vr_alloc(&s, sizeof(*w));
	if (!w) {
		vr_scratch_put(&t->ns->pool, &s);
		*err = -ENOMEM;
		return NULL;
	}
	w->s = s;
	w->t = t;
	w->ns = t->ns;
	w->root = w->root_in;
	n = vr_task_root_in(t, w->root_in, sizeof(w->root_in));
	if (n == -ENAMETOOLONG) {
		w->root = vr_alloc(&w->s, VR_VPATH_MAX);
		n = w->root ? vr_task_root(t, w->root) : -ENOMEM;
	}
	w->keep = w->s.used;
	if (n < 0) {
		vr_scratch_put(&t->ns->pool, &w->s);
		*err = (int)n;
		return NULL;
	}
	w->rootlen = (size_t)n;
	w->flags = 0;
	w->scoped_root = 0;
	w->dc_on = 0;
	w->dc_locked = 0;
	w->dc_ro = 0;
	w->open_final = 0;
	w->lookup_final = 0;
	w->stx = NULL;
	w->stx_done = 0;
	w->fresh_ino = 0;
	w->hlen = 0;
	w->cur.nfd = 0;
	w->cur.owned = 0;
	w->node.nfd = 0;
	w->node.owned = 0;
	w->node.exists = 0;
	return w;
}

int
vr_walk_renorm(struct vr_walk *w)
{
	char *copy;

	if (w->last_type == VR_LAST_NORM)
		return 0;
	if (w->vlen <= 1)
		return -EBUSY; /* "/" has no parent */
	copy = vr_alloc(&w->s, w->vlen + 1);
	if (!copy)
		return -ENOMEM;
	vr_memcpy(copy, w->vpath, w->vlen + 1);
	return vr_walk_path(w, AT_FDCWD, copy, VR_WALK_NSROOT);
}

struct vr_walk *
vr_walk_new(struct vr_task *t, int dirfd, const char *path, unsigned int flags, int *err)
{
	struct vr_walk *w = vr_walk_begin(t, err);

	if (!w)
		return NULL;
	*err = vr_walk_path(w, dirfd, path, flags);
	if (*err < 0) {
		vr_walk_end(w);
		return NULL;
	}
	return w;
}

/*
 * set_root() - the walk's root: the task's, or for a scoped walk the start
 * directory (BENEATH: an absolute path is an escape before anything else).
 */
static int
set_root(struct vr_walk *w, int dirfd, const char *path, unsigned int flags)
{
	struct stat st;
	long n;

	/* A start directory may be longer than root_in: the walk keeps room for it. */
	if ((flags & VR_WALK_SCOPED) && w->root == w->root_in) {
		char *big = vr_alloc(&w->s, VR_VPATH_MAX);

		if (!big)
			return -ENOMEM;
		vr_memcpy(big, w->root_in, w->rootlen + 1);
		w->root = big;
		w->keep = w->s.used;
	}
	if (!(flags & VR_WALK_SCOPED)) {
		n = w->scoped_root ? vr_task_root(w->t, w->root) : (long)w->rootlen;
	} else if (path[0] == '/' && (flags & VR_WALK_BENEATH)) {
		n = -EXDEV;
	} else if (dirfd == AT_FDCWD) {
		n = vr_task_cwd(w->t, w->root, VR_VPATH_MAX);
	} else {
		n = sys_fstat(dirfd, &st);
		if (n == 0 && (st.st_mode & S_IFMT) != S_IFDIR)
			n = -ENOTDIR;
		if (n == 0)
			n = vr_dc_fd_path(w, dirfd, w->root, VR_VPATH_MAX);
	}
	if (n < 0)
		return (int)n;
	w->rootlen = (size_t)n;
	w->scoped_root = (flags & VR_WALK_SCOPED) != 0;
	return 0;
}

int
vr_walk_path(struct vr_walk *w, int dirfd, const char *path, unsigned int flags)
{
	size_t len, max;
	int err;

	vr_obj_put(&w->cur);
	vr_obj_put(&w->node);
	vr_ns_count(w->ns, offsetof(struct vr_stats, walks));
	vr_dc_begin(w);
	w->flags = flags;
	w->nlinks = 0;
	w->depth = 0;
	w->root_known = path && path[0] == '/';
	w->must_dir = 0;
	w->folded = 0;
	w->last_clear = 0;
	w->last_unprobed = 0;
	w->stx_done = 0;
	w->dc_miss = 0;
	w->at_fd = -1;
	w->last_type = VR_LAST_ROOT;
	w->last[0] = '\0';
	w->lastlen = 0;
	w->s.used = w->keep;
	if (!path)
		return -EFAULT;
	/* The canonical paths the core re-walks itself may be longer. */
	max = (flags & VR_WALK_NSROOT) ? VR_VPATH_MAX : PATH_MAX;
	len = vr_strnlen(path, max);
	if (len >= max)
		return -ENAMETOOLONG;
	if (len == 0 && !(flags & VR_WALK_EMPTY))
		return -ENOENT;
	if (dirfd != AT_FDCWD && dirfd < 0 && (path[0] != '/' || (flags & VR_WALK_IN_ROOT)))
		return -EBADF;
	err = set_root(w, dirfd, path, flags);
	if (err < 0)
		return err;
	err = push_frame(w, path, len, 0);
	if (err < 0)
		return err;
	err = start(w, dirfd, path);
	if (err < 0)
		return err;
	err = run(w);
	if (err < 0)
		return err;
	/* With a create intent the caller judges a trailing slash itself
	 * (open(O_CREAT) answers EISDIR, mkdir EEXIST). */
	if (w->must_dir && w->node.exists && !vr_obj_is_dir(&w->node) && !(flags & VR_WALK_PARENT))
		return -ENOTDIR;
	return 0;
}

void
vr_walk_end(struct vr_walk *w)
{
	struct vr_scratch s;
	struct vr_ns *ns;

	if (!w)
		return;
	vr_obj_put(&w->cur);
	vr_obj_put(&w->node);
	vr_dc_end(w);
	s = w->s;
	ns = w->ns;
	vr_scratch_put(&ns->pool, &s);
}
