/*
 * ops.c - system-call-shaped operations that look objects up and read them:
 * openat, openat2 (its RESOLVE_* rules are walk flags), fstatat, statx,
 * faccessat2, readlinkat, and the host's name behind a procfs magic link
 * (vr_proc_link_name()).
 *
 * Writes reach only the upper layer and read-write mounts: a base object
 * opened for writing is copied up first (a base is never written), after
 * the checks that could still refuse the open.
 */
#include "coherence.h"
#include "dcache.h"
#include "perm.h"
#include "place.h"
#include "revmap.h"
#include "rules.h"
#include "util.h"
#include "whiteout.h"

/* Writing to a device does not change the filesystem (but see FIFOs). */
static int
changes_fs(const struct stat *st)
{
	unsigned int t = st->st_mode & S_IFMT;

	/* A FIFO's times change when it is written: it is copied up first. */
	return t == S_IFREG || t == S_IFDIR || t == S_IFLNK || t == S_IFIFO;
}

/* reopen() - open the object behind O_PATH descriptor @fd with @flags. */
static int
reopen(int fd, int flags)
{
	char proc[32];

	return sys_openat(AT_FDCWD, vr_proc_fd(proc, fd), flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW),
	                  0);
}

static int
open_path_fd(struct vr_obj *o, int flags)
{
	int fd = vr_obj_take_fd(o);

	if (fd >= 0 && !(flags & O_CLOEXEC))
		sys_fcntl(fd, F_SETFD, 0);
	return fd;
}

/*
 * open_tmpfile() - O_TMPFILE: an unnamed file in a writable directory; a
 * base directory is copied up first, so that linking the file in later
 * puts it where the directory's names are.
 */
static int
open_tmpfile(struct vr_walk *w, int flags, unsigned int mode)
{
	struct vr_obj *o = &w->node;
	int err;

	if (!o->exists)
		return -ENOENT;
	if (!vr_obj_is_dir(o))
		return -ENOTDIR;
	if (!vr_node_in_place(w) && !o->mount && !o->synthetic) {
		/* Also "." and "..": the copy-up walks the canonical path again. */
		err = vr_make_writable(w, 1);
		if (err < 0)
			return err == -EBUSY ? -EROFS : err;
	}
	if (!vr_node_in_place(w))
		return -EROFS;
	return sys_openat(o->fd[0], ".", flags, mode);
}

/* writes() - opening @o with @flags may change it (O_TRUNC does nothing to a FIFO). */
static int
writes(const struct vr_obj *o, int flags)
{
	if ((o->st.st_mode & S_IFMT) == S_IFIFO)
		return (flags & O_ACCMODE) != O_RDONLY;
	return ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC)) && changes_fs(&o->st);
}

/*
 * fifo_check() - a FIFO opened O_WRONLY|O_NONBLOCK without a reader is
 * ENXIO: answered before anything is copied up, from the base's FIFO
 * (opening it changes nothing; the probe is closed at once).
 */
static int
fifo_check(const struct vr_walk *w, int flags)
{
	int fd;

	if ((w->node.st.st_mode & S_IFMT) != S_IFIFO || vr_node_in_place(w) ||
	    (flags & (O_ACCMODE | O_NONBLOCK)) != (O_WRONLY | O_NONBLOCK))
		return 0;
	fd = reopen(w->node.fd[0], O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return fd;
	sys_close(fd);
	return 0;
}

/* open_mask() - the access open(2) asks for with @flags (may_open()'s acc_mode). */
static int
open_mask(int flags)
{
	int acc = flags & O_ACCMODE, mask = 0;

	if (acc != O_WRONLY)
		mask |= VR_MAY_READ;
	if (acc != O_RDONLY || (flags & O_TRUNC))
		mask |= VR_MAY_WRITE;
	return mask;
}

static int
open_existing(struct vr_walk *w, int flags)
{
	struct vr_obj *o = &w->node;
	int acc = flags & O_ACCMODE;
	int isdir = vr_obj_is_dir(o);
	int err;

	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return -EEXIST;
	/* O_TRUNC asks for write access too (may_open()): refused before any copy-up. */
	if (isdir && ((flags & (O_CREAT | O_TRUNC)) || acc != O_RDONLY))
		return -EISDIR;
	if (!isdir && (flags & O_DIRECTORY))
		return -ENOTDIR;
	if (o->nfd == 0)
		return -ENOENT; /* a synthetic directory has nothing to open */
	if ((o->st.st_mode & S_IFMT) == S_IFLNK && !(flags & O_PATH))
		return -ELOOP;
	if (flags & O_PATH)
		return open_path_fd(o, flags);
	/*
	 * Only an open that may write is judged: a copy is made by reading its
	 * object, so a copy's copier could read it before as well (and the
	 * kernel judges reads of a base object itself).
	 */
	err = (open_mask(flags) & VR_MAY_WRITE) || w->t->id.faked
	              ? vr_perm_obj(w, NULL, open_mask(flags))
	              : 0;
	if (err < 0)
		return err;
	if (writes(o, flags)) {
		/* A running program's file (execve() would have denied writes to it). */
		if ((o->st.st_mode & S_IFMT) == S_IFREG &&
		    vr_coh_image_busy(w->ns, o->st.st_dev, o->st.st_ino))
			return -ETXTBSY;
		/* Writing a base file: copy it up first (without data when truncating). */
		err = fifo_check(w, flags);
		if (err == 0)
			err = vr_make_writable(w, !(flags & O_TRUNC));
		if (err < 0)
			return err;
	} else if ((o->st.st_mode & S_IFMT) == S_IFREG && !o->mount && w->ns->has_upper &&
	           o->layer[0] != 0) {
		/* A base file read: a copy-up in this process may have to re-point it. */
		__atomic_add_fetch(&w->ns->base_reads, 1, __ATOMIC_RELEASE);
	}
	if (o->opened && (o->owned & 1u)) {
		/* Opened so by the walk already (walk.h's open_final). */
		err = o->fd[0];
		o->owned &= ~1u;
		return err;
	}
	err = reopen(w->node.fd[0], flags);
	/* A faked identity the mode lets in, the host user's own copy keeping it out. */
	if (err == -EACCES && vr_node_in_place(w) && vr_owner_unlock(w->t, w->node.fd[0]))
		err = reopen(w->node.fd[0], flags);
	/* Opened to write: the set-id bits a record keeps go now, not at the first write. */
	if (err >= 0 && w->t->id.faked && writes(o, flags) && vr_node_in_place(w)) {
		int e = vr_owner_written(w->t, w->node.fd[0]);

		if (e < 0) {
			sys_close(err);
			return e;
		}
	}
	return err;
}

/* create_over_whiteout() - the new file is made in the work directory and
 * replaces the whiteout in one rename. */
static int
create_over_whiteout(struct vr_walk *w, struct vr_place *p, int flags, unsigned int mode)
{
	char tmp[32];
	int fd, err;

	vr_tmp_name(tmp);
	fd = sys_openat(w->ns->work.fd, tmp, flags | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
	if (fd < 0)
		return fd;
	vr_inherit_group(fd, p->dirfd, 0);
	err = vr_replace_whiteout(w, tmp, p->dirfd, p->name, 0);
	if (err < 0) {
		vr_sys3(__NR_unlinkat, w->ns->work.fd, tmp, 0);
		sys_close(fd);
		return err;
	}
	return fd;
}

static int
open_create(struct vr_walk *w, int flags, unsigned int mode, unsigned long *gen)
{
	struct vr_place p;
	int err;

	if (w->must_dir)
		return -EISDIR;
	err = vr_perm_create(w);
	if (err == 0)
		err = vr_place_get(w, &p);
	if (err < 0)
		return err;
	if (p.whiteout)
		err = create_over_whiteout(w, &p, flags, mode);
	else
		err = sys_openat(p.dirfd, p.name, flags | O_NOFOLLOW, mode);
	if (err == -EACCES && !p.whiteout && vr_owner_unlock(w->t, p.dirfd))
		err = sys_openat(p.dirfd, p.name, flags | O_NOFOLLOW, mode);
	*gen = vr_place_put(&p);
	if (err >= 0 && w->t->id.faked) {
		struct vr_owner dir;
		int e;

		vr_owner_of(w->t, &w->cur, &dir);
		e = vr_owner_new(w->t, err, &dir, 0, 0);
		if (e < 0) {
			sys_close(err);
			return e;
		}
	}
	return err;
}

/* lowest_transient() - the lowest descriptor the walk holds and will close. */
static int
lowest_transient(const struct vr_walk *w)
{
	int low = 1 << 30;

	for (unsigned int i = 0; i < w->cur.nfd; i++)
		if ((w->cur.owned & (1u << i)) && w->cur.fd[i] < low)
			low = w->cur.fd[i];
	for (unsigned int i = 0; i < w->node.nfd; i++)
		if ((w->node.owned & (1u << i)) && w->node.fd[i] < low)
			low = w->node.fd[i];
	return low;
}

/*
 * lowest_free() - @fd renumbered to the lowest free descriptor, as open(2)
 * would have given: the walk's own descriptors took the low numbers while
 * the file was opened (a daemon's close(0); open("/dev/null") wants 0).
 */
static int
lowest_free(int fd, int flags)
{
	int n = sys_fcntl(fd, (flags & O_CLOEXEC) ? F_DUPFD_CLOEXEC : F_DUPFD, 0);

	if (n < 0)
		return fd;
	if (n > fd) {
		sys_close(n);
		return fd;
	}
	sys_close(fd);
	return n;
}

/*
 * base_obj() - w->node is a base object read as it is: no owner's record
 * and no origin of its own (origin_fd() gives none for it).
 */
static int
base_obj(const struct vr_walk *w)
{
	const struct vr_obj *o = &w->node;

	return w->ns->has_upper && o->exists && o->nfd > 0 && !o->synthetic && !o->mount &&
	       !o->indexed && o->layer[0] != 0;
}

/* base_note() - descriptor @fd holds base object @st (NULL: not known to). */
static void
base_note(struct vr_ns *ns, int fd, const struct stat *st)
{
	if (fd < 0 || fd >= VR_UPFD_NOTES)
		return;
	__atomic_store_n(&ns->fdn[fd].base[0], st ? st->st_dev : 0, __ATOMIC_RELAXED);
	__atomic_store_n(&ns->fdn[fd].base[1], st ? st->st_ino : 0, __ATOMIC_RELAXED);
}

/*
 * taken_name() - an exclusive create in w->cur, the name not looked up
 * first (VR_WALK_EXCL), failed with @err because the name is there: not a
 * whiteout (which shows no name).
 */
static int
taken_name(struct vr_walk *w, int err)
{
	struct stat st;

	return err == -EEXIST && sys_fstatat(w->cur.fd[0], w->last, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       !vr_is_whiteout(&st);
}

/* open_rules() - vr_openat() with walk rules @rules (VR_WALK_BENEATH...). */
static int
open_rules(struct vr_task *t, int dirfd, const char *path, int flags, unsigned int mode,
           unsigned int rules)
{
	unsigned int wf = VR_WALK_FOLLOW | rules;
	const struct vr_mount *m = NULL;
	struct vr_walk *w;
	struct stat nst;
	struct stat bst;
	struct stat hst;
	int err, note, known, held = 0, up = 0, created = 0, base = 0, low = 1 << 30;
	unsigned long norec = 0, made = 0;

	if ((flags & (O_CREAT | O_DIRECTORY)) == (O_CREAT | O_DIRECTORY) &&
	    (flags & O_TMPFILE) != O_TMPFILE)
		return -EINVAL; /* as Linux 6.4 and later */
	if (flags & O_PATH)
		flags &= O_PATH | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW;
	if ((flags & O_NOFOLLOW) || (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		wf &= ~VR_WALK_FOLLOW;
	/* A name followed by '/' is EISDIR with O_CREAT once its directory is
	 * found, before it is looked up (also at the end of a symlink's body). */
	if (flags & O_CREAT)
		wf |= VR_WALK_PARENT | VR_WALK_OPENCREAT;
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		wf |= VR_WALK_EXCL;
again:
	w = vr_walk_begin(t, &err);
	if (!w)
		return err;
	/*
	 * An object opened for reading: the walk may open it so itself.
	 * With O_LARGEFILE, which the kernel adds to every open but O_PATH
	 * on x86-64 anyway: a plain O_RDONLY is 0, open_final's "none".
	 */
	if ((flags & O_ACCMODE) == O_RDONLY && !w->t->id.faked &&
	    !(flags & (O_CREAT | O_TRUNC | O_PATH)) && (flags & O_TMPFILE) != O_TMPFILE)
		w->open_final = flags | O_LARGEFILE;
	err = vr_walk_path(w, dirfd, path, wf);
	if (err < 0)
		goto out;
	if ((flags & O_TMPFILE) == O_TMPFILE)
		err = open_tmpfile(w, flags, mode);
	else if ((flags & O_CREAT) && w->must_dir && w->last_type == VR_LAST_NORM)
		err = -EISDIR;
	else if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL) && w->node.exists)
		err = -EEXIST;
	else if ((flags & O_CREAT) && w->last_type != VR_LAST_NORM)
		err = -EISDIR;
	else if (w->node.exists)
		err = open_existing(w, flags);
	else
		err = open_create(w, flags, mode, &made);
	created = !w->node.exists && (flags & O_CREAT) && (flags & O_TMPFILE) != O_TMPFILE;
	if (err < 0 && w->last_unprobed && !taken_name(w, err)) {
		/* Not looked up first: what else failed is decided as for a name looked up. */
		vr_walk_end(w);
		wf &= ~VR_WALK_EXCL;
		goto again;
	}
	low = lowest_transient(w);
	m = w->node.exists ? w->node.mount : w->cur.mount;
	base = err >= 0 && !writes(&w->node, flags) && base_obj(w);
	if (base)
		vr_memcpy(&bst, &w->node.st, sizeof(bst));
	/* The object the descriptor holds, as the walk found it (not made or copied now). */
	held = err >= 0 && w->node.exists && w->node.nfd > 0 && !w->node.synthetic &&
	       !vr_in_procfs(&w->node) && !writes(&w->node, flags) &&
	       (flags & O_TMPFILE) != O_TMPFILE;
	if (held)
		vr_memcpy(&hst, &w->node.st, sizeof(hst));
	/* An upper-layer file reached through the overlay: fchmod() and the like need not ask. */
	up = held && !w->node.mount && w->ns->has_upper && w->node.layer[0] == 0 &&
	     !w->node.indexed && !vr_obj_is_dir(&w->node);
	if (err >= 0 && created && !w->cur.mount && !w->cur.synthetic && w->ns->has_upper &&
	    sys_fstat(err, &hst) == 0) {
		held = up = 1;
		/* Made with no owner's record, and no other change since the walk began. */
		if (!w->t->id.faked && w->dc_on && made && made == w->dc_fgen + 1)
			norec = made + 1;
	}
	note = err >= 0 && w->node.exists && vr_obj_is_dir(&w->node) && !vr_in_procfs(&w->node);
	/* What the descriptor holds: the node's top layer, reopened (no fstat). */
	known = note && w->node.nfd > 0 && !w->node.synthetic;
	if (known) {
		vr_memcpy(&nst, &w->node.st, sizeof(nst));
		if ((flags & O_TMPFILE) != O_TMPFILE)
			vr_dc_keep(w, &w->node);
	}
	/* The walk's descriptors go first, so the lowest number is free. */
	vr_obj_put(&w->cur);
	vr_obj_put(&w->node);
	if (err >= 0 && low < err)
		err = lowest_free(err, flags);
	if (note)
		vr_dc_fd_note(w, err, known ? &nst : NULL);
out:
	vr_walk_end(w);
	if (err >= 0) {
		vr_fd_hint_set(t->ns, err, m, held ? &hst : NULL);
		if (up)
			vr_fd_upper_note(t->ns, err, &hst, norec, vr_fd_stamp(t->ns, err));
		else
			vr_fd_upper_forget(t->ns, err);
		base_note(t->ns, err, base ? &bst : NULL);
	}
	return err;
}

int
vr_openat(struct vr_task *t, int dirfd, const char *path, int flags, unsigned int mode)
{
	return open_rules(t, dirfd, path, flags, mode, 0);
}

/* The flags openat2(2) accepts (the kernel's VALID_OPEN_FLAGS), as 64 bits. */
#define OPEN2_FLAGS                                                                                \
	((unsigned long long)(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND |       \
	                      O_NONBLOCK | __O_SYNC | O_DSYNC | FASYNC | O_DIRECT | O_LARGEFILE |  \
	                      O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_PATH |          \
	                      __O_TMPFILE))
#define OPEN2_RESOLVE                                                                              \
	(RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH |         \
	 RESOLVE_IN_ROOT | RESOLVE_CACHED)

/* The first published struct open_how: flags, mode, resolve. */
#define OPEN_HOW_SIZE_VER0 24

/*
 * open_how_size() - openat2's checks of the structure's size: too small,
 * more than a page, or unknown fields (beyond ours) that are not zero.
 */
static int
open_how_size(const struct open_how *how, size_t size)
{
	const unsigned char *p = (const unsigned char *)how;

	if (size < OPEN_HOW_SIZE_VER0)
		return -EINVAL;
	if (size > 4096)
		return -E2BIG;
	if (!how)
		return -EFAULT;
	for (size_t i = sizeof(*how); i < size; i++)
		if (p[i])
			return -E2BIG;
	return 0;
}

/* open_how_check() - openat2's checks of its arguments, in the kernel's order. */
static int
open_how_check(const struct open_how *how)
{
	unsigned long long fl = how->flags;

	if ((fl & ~OPEN2_FLAGS) || (how->resolve & ~(unsigned long long)OPEN2_RESOLVE))
		return -EINVAL;
	if ((how->resolve & RESOLVE_BENEATH) && (how->resolve & RESOLVE_IN_ROOT))
		return -EINVAL;
	if (fl & (O_CREAT | __O_TMPFILE) ? how->mode & ~07777ULL : how->mode)
		return -EINVAL;
	if ((fl & (O_DIRECTORY | O_CREAT)) == (O_DIRECTORY | O_CREAT))
		return -EINVAL;
	if ((fl & __O_TMPFILE) && (!(fl & O_DIRECTORY) || (fl & O_ACCMODE) == O_RDONLY))
		return -EINVAL;
	if ((fl & O_PATH) &&
	    (fl & ~(unsigned long long)(O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)))
		return -EINVAL;
	/* RESOLVE_CACHED: "only from the cache" is never true here; ask again without. */
	if (how->resolve & RESOLVE_CACHED)
		return -EAGAIN;
	return 0;
}

int
vr_openat2(struct vr_task *t, int dirfd, const char *path, const struct open_how *how, size_t size)
{
	struct open_how h = {0};
	unsigned int rules = 0;
	int err;

	err = open_how_size(how, size);
	if (err < 0)
		return err;
	vr_memcpy(&h, how, size < sizeof(h) ? size : sizeof(h));
	err = open_how_check(&h);
	if (err < 0)
		return err;
	if (h.resolve & RESOLVE_BENEATH)
		rules |= VR_WALK_BENEATH;
	if (h.resolve & RESOLVE_IN_ROOT)
		rules |= VR_WALK_IN_ROOT;
	if (h.resolve & RESOLVE_NO_XDEV)
		rules |= VR_WALK_NO_XDEV;
	if (h.resolve & RESOLVE_NO_SYMLINKS)
		rules |= VR_WALK_NO_SYMLINKS;
	if (h.resolve & RESOLVE_NO_MAGICLINKS)
		rules |= VR_WALK_NO_MAGICLINKS;
	return open_rules(t, dirfd, path, (int)h.flags, (unsigned int)h.mode, rules);
}

/* at_walk_flags() - walk flags for an *at() call's AT_* flags, or -EINVAL. */
static int
at_walk_flags(int flags, int allowed)
{
	int wf = VR_WALK_FOLLOW;

	if (flags & ~allowed)
		return -EINVAL;
	if (flags & AT_SYMLINK_NOFOLLOW)
		wf = 0;
	if (flags & AT_EMPTY_PATH)
		wf |= VR_WALK_EMPTY;
	return wf;
}

/*
 * origin_fd() - the descriptor whose origin (index.c) w->node's identity
 * comes from: an upper object's, or a base name's standing for an index
 * entry; -1 for everything else (nothing to read).
 */
static int
origin_fd(const struct vr_walk *w)
{
	const struct vr_obj *o = &w->node;

	/* An object left unopened never has an origin (vr_overlay_lookup_attr()). */
	if (o->nfd == 0 || o->synthetic || o->mount || !w->ns->has_upper || o->byname)
		return -1;
	return o->layer[0] == 0 || o->indexed ? o->fd[0] : -1;
}

/* What attr_fd() found listed (both when it did not look). */
#define ATTR_OWNER  1u /* an owner's record */
#define ATTR_ORIGIN 2u /* an origin */

/*
 * attr_fd() - @fd, or -1 when the upper-layer object it holds (@name NULL),
 * or holds as @name, carries neither an owner's record (owner.c) nor an
 * origin (index.c); *@which: which of the two it lists.  One listxattr()
 * answers for the two getxattr() calls that would otherwise find nothing
 * on most objects: a program's descriptor of a base object is on the
 * upper layer's device whenever the layers share a filesystem.
 */
static int
attr_fd(const struct vr_ns *ns, int fd, const char *name, unsigned long dev, unsigned long ino,
        unsigned int mode, unsigned int *which)
{
	char names[512];
	unsigned int type = mode & S_IFMT;
	long n;

	*which = ATTR_OWNER | ATTR_ORIGIN;
	if (fd < 0 || !ns->has_upper || dev != ns->layers[0].dev ||
	    (type != S_IFREG && type != S_IFDIR))
		return fd; /* the readers' own tests leave it alone */
	/* The base object the core opened it on (a mixed note of two names a base object too). */
	if (!name && ino && fd < VR_UPFD_NOTES &&
	    __atomic_load_n(&ns->fdn[fd].base[0], __ATOMIC_RELAXED) == dev &&
	    __atomic_load_n(&ns->fdn[fd].base[1], __ATOMIC_RELAXED) == ino)
		return -1;
	/* An O_PATH descriptor refuses flistxattr(): then by "." or the magic link. */
	n = name              ? vr_xattr_list(fd, name, names, sizeof(names))
	    : type == S_IFREG ? vr_sys3(__NR_flistxattr, fd, names, sizeof(names))
	                      : -EBADF;
	if (n == -EBADF && !name)
		n = vr_xattr_list(fd, type == S_IFDIR ? "." : "", names, sizeof(names));
	if (n == -ERANGE)
		return fd; /* many names: let the readers ask for theirs */
	if (n < 0)
		return -1;
	*which = (vr_xattr_listed(names, n, VR_OWNER_XATTR) ? ATTR_OWNER : 0) |
	         (vr_xattr_listed(names, n, VR_ORIGIN_XATTR) ? ATTR_ORIGIN : 0);
	return *which ? fd : -1;
}

/*
 * map_stat() - what the program sees of @st, the stat of @fd (@name NULL)
 * or of @name in directory @fd: its owner's record and origin (@fd >= 0),
 * then vr_ns_map_ino().
 */
static void
map_stat(const struct vr_task *t, int fd, const char *name, struct stat *st)
{
	const struct vr_ns *ns = t->ns;
	unsigned long dev = st->st_dev, ino = st->st_ino, nlink = st->st_nlink;
	unsigned int which;

	fd = attr_fd(ns, fd, name, dev, ino, st->st_mode, &which);
	vr_owner_stat(t, which & ATTR_OWNER ? fd : -1, name, st);
	if (fd >= 0 && (which & ATTR_ORIGIN))
		vr_origin_stat(ns, fd, name, st->st_mode, &dev, &ino, &nlink);
	st->st_ino = vr_ns_map_ino(ns, &dev, ino);
	st->st_dev = dev;
	st->st_nlink = nlink;
}

/* map_statx() - map_stat() for a statx result. */
static void
map_statx(const struct vr_task *t, int fd, const char *name, struct statx *stx)
{
	const struct vr_ns *ns = t->ns;
	unsigned int ma = stx->stx_dev_major, mi = stx->stx_dev_minor;
	unsigned long dev = ((unsigned long)(ma & 0xfff) << 8) |
	                    ((unsigned long)(ma & ~0xfffu) << 32) | (mi & 0xff) |
	                    ((unsigned long)(mi & ~0xffu) << 12);
	unsigned long ino = stx->stx_ino, nlink = stx->stx_nlink;
	unsigned int which = ATTR_OWNER | ATTR_ORIGIN;

	if (stx->stx_mask & STATX_TYPE)
		fd = attr_fd(ns, fd, name, dev, stx->stx_mask & STATX_INO ? ino : 0, stx->stx_mode,
		             &which);
	vr_owner_statx(t, which & ATTR_OWNER ? fd : -1, name, dev, stx);
	if (fd >= 0 && (which & ATTR_ORIGIN) && (stx->stx_mask & STATX_INO))
		vr_origin_stat(ns, fd, name, stx->stx_mode, &dev, &ino, &nlink);
	stx->stx_nlink = (unsigned int)nlink;
	stx->stx_ino = vr_ns_map_ino(ns, &dev, ino);
	stx->stx_dev_major = (unsigned int)(((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffu));
	stx->stx_dev_minor = (unsigned int)((dev & 0xff) | ((dev >> 12) & ~0xffu));
}

/*
 * by_name() - w->node, an upper-layer regular file the walk opened by name
 * in w->cur's upper directory: that name, with the directory in *@dir, to
 * read its attributes by (through an O_PATH descriptor each read walks
 * /proc/self/fd, which costs more than the rest of a stat); else NULL.
 * The caller checks afterwards that the name still holds the same file,
 * unchanged (vr_same_file_at()).
 */
static const char *
by_name(const struct vr_walk *w, int *dir)
{
	const struct vr_obj *o = &w->node, *c = &w->cur;

	if (origin_fd(w) < 0 || o->indexed || o->layer[0] != 0 ||
	    (o->st.st_mode & S_IFMT) != S_IFREG || w->last_type != VR_LAST_NORM || c->nfd == 0 ||
	    c->layer[0] != 0 || c->mount || c->synthetic)
		return NULL;
	*dir = c->fd[0];
	return w->last;
}

/*
 * merged_dir() - a directory whose link count no layer knows (several
 * layers merged, or synthetic): 1, as overlayfs says for "unknown", which
 * tells find(1) not to count subdirectories by it.
 */
static int
merged_dir(const struct vr_obj *o)
{
	return vr_obj_is_dir(o) && (o->nfd > 1 || o->synthetic);
}

/* is_fd_itself() - the call is about descriptor @dirfd itself. */
static int
is_fd_itself(int dirfd, const char *path, int flags)
{
	return dirfd >= 0 && (flags & AT_EMPTY_PATH) && path && path[0] == '\0';
}

/* pathless_fd() - @fd is an object no path names (pipe:[…], socket:[…], anon_inode:…). */
static int
pathless_fd(int fd)
{
	char proc[32], c[1];

	return sys_readlinkat(AT_FDCWD, vr_proc_fd(proc, fd), c, 1) == 1 && c[0] != '/';
}

/*
 * gone_dir() - @path is "." in directory descriptor @dirfd (or the working
 * directory, which the process's own follows), a directory removed since
 * (no name leads to it, so no walk does; a base directory's stays behind
 * a whiteout): natively, and in kernel overlayfs, "." still names it.
 */
static int
gone_dir(int dirfd, const char *path)
{
	struct stat st;

	return (dirfd >= 0 || dirfd == AT_FDCWD) && path && path[0] == '.' && path[1] == '\0' &&
	       sys_fstatat(dirfd, dirfd == AT_FDCWD ? "." : "", &st,
	                   dirfd == AT_FDCWD ? 0 : AT_EMPTY_PATH) == 0 &&
	       (st.st_mode & S_IFMT) == S_IFDIR;
}

/*
 * stat_fd() - what the program sees of descriptor @fd's own object (of
 * the process's working directory for AT_FDCWD).
 */
static int
stat_fd(struct vr_task *t, int fd, struct stat *st)
{
	int err = fd == AT_FDCWD ? sys_fstatat(fd, ".", st, 0) : sys_fstatat(fd, "", st, AT_EMPTY_PATH);

	if (err == 0)
		map_stat(t, fd == AT_FDCWD ? -1 : fd, NULL, st);
	return err;
}

/* statx_fd() - stat_fd() for statx(2); @flags has AT_EMPTY_PATH. */
static int
statx_fd(struct vr_task *t, int fd, int flags, unsigned int mask, struct statx *stx)
{
	int err = fd == AT_FDCWD ? sys_statx(fd, ".", flags & ~AT_EMPTY_PATH, mask, stx)
	                         : sys_statx(fd, "", flags, mask, stx);

	if (err == 0)
		map_statx(t, fd == AT_FDCWD ? -1 : fd, NULL, stx);
	return err;
}

int
vr_fstatat(struct vr_task *t, int dirfd, const char *path, struct stat *st, int flags)
{
	int wf = at_walk_flags(flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT);
	struct vr_walk *w;
	const char *name;
	int err, dir;

	if (wf < 0)
		return wf;
	/* fstat() itself (glibc makes it fstatat(fd, "", AT_EMPTY_PATH)): the
	 * descriptor is the object, whatever it is (a pipe has no path). */
	if (is_fd_itself(dirfd, path, flags))
		return stat_fd(t, dirfd, st);
	w = vr_walk_new(t, dirfd, path, (unsigned int)wf | VR_WALK_ATTR, &err);
	if (!w && err == -ENOENT && gone_dir(dirfd, path))
		return stat_fd(t, dirfd, st);
	if (!w)
		return err;
	name = by_name(w, &dir);
	vr_memcpy(st, &w->node.st, sizeof(*st));
	map_stat(t, name ? dir : origin_fd(w), name, st);
	/* Read by name: of the same file, unchanged, or again through the descriptor. */
	if (name && !vr_same_file_at(dir, name, &w->node.st)) {
		vr_memcpy(st, &w->node.st, sizeof(*st));
		map_stat(t, origin_fd(w), NULL, st);
	}
	if (merged_dir(&w->node))
		st->st_nlink = 1;
	vr_walk_end(w);
	return 0;
}

int
vr_statx(struct vr_task *t, int dirfd, const char *path, int flags, unsigned int mask,
         struct statx *stx)
{
	int wf = at_walk_flags(flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT |
	                                      AT_STATX_SYNC_TYPE);
	struct vr_walk *w;
	struct statx copy;
	const char *name;
	int err, dir;

	if (wf < 0)
		return wf;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	if (is_fd_itself(dirfd, path, flags))
		return statx_fd(t, dirfd, flags, mask, stx);
	w = vr_walk_statx(t, dirfd, path, (unsigned int)wf | VR_WALK_ATTR, stx, mask,
	                  flags & AT_STATX_SYNC_TYPE, &err);
	if (!w && err == -ENOENT && gone_dir(dirfd, path))
		return statx_fd(t, dirfd, AT_EMPTY_PATH | (flags & AT_STATX_SYNC_TYPE), mask, stx);
	if (!w)
		return err;
	if (w->node.nfd == 0)
		err = sys_statx(w->ns->layers[0].fd, "", AT_EMPTY_PATH, mask, stx);
	else if (w->node.byname && w->stx_done)
		err = 0; /* read by the walk's own statx() */
	else if (w->node.byname)
		err = sys_statx(w->node.fd[0], vr_obj_at(&w->node),
		                AT_SYMLINK_NOFOLLOW | (flags & AT_STATX_SYNC_TYPE), mask, stx);
	else
		err = sys_statx(w->node.fd[0], "", AT_EMPTY_PATH | (flags & AT_STATX_SYNC_TYPE),
		                mask, stx);
	if (err == 0 && w->node.nfd == 0) {
		stx->stx_mode = (unsigned short)w->node.st.st_mode;
		stx->stx_ino = w->node.st.st_ino;
		stx->stx_nlink = 2;
		stx->stx_size = 0;
	}
	name = err == 0 ? by_name(w, &dir) : NULL;
	if (err == 0)
		vr_memcpy(&copy, stx, sizeof(copy));
	if (err == 0)
		map_statx(t, name ? dir : origin_fd(w), name, stx);
	/* Read by name: of the same file, unchanged, or again through the descriptor. */
	if (name && !vr_same_file_at(dir, name, &w->node.st)) {
		vr_memcpy(stx, &copy, sizeof(copy));
		map_statx(t, origin_fd(w), NULL, stx);
	}
	if (err == 0 && merged_dir(&w->node))
		stx->stx_nlink = 1;
	vr_walk_end(w);
	return err;
}

/*
 * access_judged() - access(2)'s answer on a root-overlay object, for the
 * part vroot judges: write access to a base object (writable after
 * copy-up when its mode allows), everything on a copy showing a recorded
 * owner.  *@rest: the bits still for the kernel to check on the object.
 */
static int
access_judged(struct vr_walk *w, int mode, int flags, int *rest)
{
	const struct vr_obj *o = &w->node;
	int wr = (mode & 2) && changes_fs(&o->st) && !vr_node_in_place(w);
	struct vr_owner ow;
	struct vr_cred c;
	int mask, err;

	*rest = mode;
	if (wr && (o->nfd == 0 || o->synthetic || o->mount || !w->ns->has_upper))
		return -EROFS;
	mask = vr_owner_of(w->t, o, &ow) || w->t->id.faked ? mode : wr ? 2 : 0;
	*rest = mode & ~mask;
	if (!mask)
		return 0;
	err = vr_cred_get(w->t, &c, !(flags & AT_EACCESS));
	return err < 0 ? err : vr_perm_check(&c, &ow, mask);
}

int
vr_faccessat2(struct vr_task *t, int dirfd, const char *path, int mode, int flags)
{
	int wf = at_walk_flags(flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_EACCESS);
	struct vr_walk *w;
	int err, rest;

	if (wf < 0)
		return wf;
	if (mode & ~7)
		return -EINVAL;
	/* A pipe, a socket, an anonymous inode: no path to walk, the kernel answers. */
	if (is_fd_itself(dirfd, path, flags) && pathless_fd(dirfd))
		return sys_faccessat2(dirfd, "", mode, flags);
	w = vr_walk_new(t, dirfd, path, (unsigned int)wf | VR_WALK_ATTR, &err);
	/* A memfd, a removed file, one from outside: no name leads to it either. */
	if (!w && (err == -ENOENT || err == -ENOTDIR) && is_fd_itself(dirfd, path, flags))
		return sys_faccessat2(dirfd, "", mode, flags);
	if (!w)
		return err;
	err = access_judged(w, mode, flags, &rest);
	if (err == 0 && w->node.nfd > 0)
		err = sys_faccessat2(w->node.fd[0], vr_obj_at(&w->node), rest,
		                     (w->node.byname ? AT_SYMLINK_NOFOLLOW : AT_EMPTY_PATH) |
		                             (flags & AT_EACCESS));
	vr_walk_end(w);
	return err;
}

long
vr_readlinkat(struct vr_task *t, int dirfd, const char *path, char *buf, size_t size)
{
	struct vr_walk *w;
	long n;
	int err;

	if ((long)size <= 0)
		return -EINVAL;
	w = vr_walk_new(t, dirfd, path, VR_WALK_EMPTY | VR_WALK_ATTR | VR_WALK_TYPE, &err);
	if (!w)
		return err;
	if ((w->node.st.st_mode & S_IFMT) != S_IFLNK)
		n = path && path[0] ? -EINVAL : -ENOENT;
	else
		n = w->ns->ops->readlink(w->node.fd[0], vr_obj_at(&w->node), buf, size);
	/*
	 * A link in procfs names host objects (a process's cwd, its files).
	 * Another process's link to one the namespace does not show is hidden,
	 * as its open is (walk.c's follow_magic()): its host name would tell
	 * what the namespace hides.
	 */
	if (n > 0 && vr_in_procfs(&w->node) && vr_proc_link_root(w)) {
		buf[0] = '/';
		n = 1;
	} else if (n > 0 && vr_in_procfs(&w->node)) {
		n = vr_revmap_link(w->ns, buf, n, size, !vr_proc_link_own(w));
	}
	vr_walk_end(w);
	return n;
}

/*
 * watch_copyup() - w->node, when a root-overlay regular file or directory
 * not yet in the upper layer, copied up for an inotify watch, if the
 * caller may read it (inotify's own check, which the kernel makes again
 * on the copy).  Return: 0 (w->node is what to watch), 1 (the copy-up
 * failed: the object is to be watched where it is), or -errno.
 */
static int
watch_copyup(struct vr_walk *w)
{
	const struct vr_obj *o = &w->node;
	unsigned int type = o->st.st_mode & S_IFMT;
	char proc[32];
	int err, rest;

	/* A file with several links: every name of it shows its shared copy. */
	if ((type != S_IFREG && type != S_IFDIR) || o->indexed || o->mount || o->synthetic ||
	    o->nfd == 0 || !w->ns->has_upper || o->layer[0] == 0)
		return 0;
	err = access_judged(w, 4, AT_EACCESS, &rest);
	if (err == 0 && rest)
		err = sys_faccessat2(AT_FDCWD, vr_proc_fd(proc, o->fd[0]), rest, AT_EACCESS);
	if (err < 0)
		return err;
	return vr_make_writable(w, 1) < 0;
}

int
vr_watch_open(struct vr_task *t, const char *path, int flags)
{
	unsigned int wf = (flags & O_NOFOLLOW) ? 0 : VR_WALK_FOLLOW;
	int err, failed = 0;
	struct vr_walk *w;

again:
	w = vr_walk_new(t, AT_FDCWD, path, wf, &err);
	if (!w)
		return err;
	if ((flags & O_DIRECTORY) && !vr_obj_is_dir(&w->node))
		err = -ENOTDIR;
	else if (w->node.nfd == 0)
		err = -ENOENT; /* a synthetic directory has nothing to watch */
	else if (!failed)
		err = watch_copyup(w);
	if (err > 0) {
		/* A read-only prefix, a full disk: the walk again, to the base's object. */
		vr_walk_end(w);
		failed = 1;
		goto again;
	}
	if (err == 0)
		err = vr_obj_take_fd(&w->node);
	vr_walk_end(w);
	return err;
}

long
vr_proc_link_name(struct vr_task *t, int dirfd, const char *path, char *buf, size_t size)
{
	char proc[32];
	struct vr_walk *w;
	long n;
	int err;

	w = vr_walk_new(t, dirfd, path, 0, &err);
	if (!w)
		return err;
	n = -EINVAL;
	if ((w->node.st.st_mode & S_IFMT) == S_IFLNK && w->cur.nfd > 0 && vr_in_procfs(&w->node) &&
	    size > w->lastlen + 2)
		n = sys_readlinkat(AT_FDCWD, vr_proc_fd(proc, w->cur.fd[0]), buf,
		                   size - w->lastlen - 2);
	if (n > 0 && buf[0] == '/') {
		buf[n++] = '/';
		vr_memcpy(buf + n, w->last, w->lastlen + 1);
		n += (long)w->lastlen;
	} else if (n >= 0) {
		n = -EINVAL;
	}
	vr_walk_end(w);
	return n;
}
