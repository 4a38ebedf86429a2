/*
 * xattr.c - extended attributes and statfs on virtual paths.
 *
 * The overlay's own attributes are hidden from listings and read as
 * absent, and a program's attributes of those names are escaped on disk
 * (xname.c).  In a mount nothing is the overlay's: every name goes to the
 * host as is.
 */
#include "coherence.h"
#include "perm.h"
#include "place.h"
#include "revmap.h"
#include "util.h"
#include "xname.h"

/*
 * walk() - the object at @path, for reading its attributes (@wf
 * VR_WALK_ATTR: a base file may be left unopened, named through its
 * directory, see read_name()) or for changing them (0).
 */
static struct vr_walk *
walk(struct vr_task *t, const char *path, int nofollow, unsigned int wf, int *err)
{
	struct vr_walk *w = vr_walk_new(t, AT_FDCWD, path, wf | (nofollow ? 0 : VR_WALK_FOLLOW), err);

	if (w && (w->node.nfd == 0 || w->node.synthetic)) {
		*err = -EOPNOTSUPP;
		vr_walk_end(w);
		return NULL;
	}
	return w;
}

/*
 * The object of an O_PATH descriptor: through its magic link, which the
 * plain calls follow.  A symlink itself is named through its directory.
 */
static int
is_link(const struct vr_walk *w)
{
	return (w->node.st.st_mode & S_IFMT) == S_IFLNK;
}

/*
 * A name the xattr calls read w->node by: a directory descriptor and a
 * name in it (@dfd >= 0, never followed), or a /proc/self/fd path
 * (@follow: the plain calls follow it).
 */
struct xname {
	int dfd, follow;
	const char *name;
	char buf[VR_PROC_AT_LEN];
};

/*
 * link_name() - a name for the symlink w->node that the l*xattr calls take
 * without following it: its directory's descriptor, then its own name.
 * Return: 0, or -1 when the link has no name in a directory we hold.
 */
static int
link_name(const struct vr_walk *w, struct xname *x)
{
	if (w->last_type != VR_LAST_NORM)
		return -1;
	for (unsigned int i = 0; i < w->cur.nfd; i++) {
		if (w->cur.layer[i] != w->node.layer[0] && !w->cur.mount)
			continue;
		x->dfd = w->cur.fd[i];
		x->name = w->last;
		return 0;
	}
	return -1;
}

/*
 * read_name() - the name for w->node that the xattr calls read: an object
 * the walk left unopened by its directory and its name there (no open,
 * fstat and close of it, which ls -l's two reads per file would pay), a
 * symlink as link_name() has it, both never followed; a directory as "."
 * in itself (util.h); anything else by its descriptor's magic link,
 * followed.  Return: 0, or -1 (a symlink with no name we hold).
 */
static int
read_name(const struct vr_walk *w, struct xname *x)
{
	x->dfd = -1;
	x->follow = 0;
	if (w->node.byname) {
		x->dfd = w->node.fd[0];
		x->name = w->node.at;
		return 0;
	}
	if (is_link(w))
		return link_name(w, x);
	if ((w->node.st.st_mode & S_IFMT) == S_IFDIR) {
		x->dfd = w->node.fd[0];
		x->name = ".";
		return 0;
	}
	x->follow = 1;
	x->name = vr_proc_fd(x->buf, w->node.fd[0]);
	return 0;
}

/*
 * x_path() - @x as one path for the calls that take no directory: the
 * directory's magic link, then the name (a name from a walk: never too
 * long for vr_proc_fd_at()).
 */
static const char *
x_path(struct xname *x)
{
	return x->dfd < 0 ? x->name : vr_proc_fd_at(x->buf, x->dfd, x->name);
}

/* x_get() - getxattr() of @x: by getxattrat() where the kernel has it (util.h). */
static long
x_get(struct xname *x, const char *name, void *value, size_t size)
{
	if (x->dfd >= 0)
		return vr_xattr_get(x->dfd, x->name, name, value, size);
	return vr_sys4(x->follow ? __NR_getxattr : __NR_lgetxattr, x->name, name, value, size);
}

/* x_list() - listxattr() of @x: by listxattrat() where the kernel has it. */
static long
x_list(struct xname *x, char *list, size_t size)
{
	if (x->dfd >= 0)
		return vr_xattr_list(x->dfd, x->name, list, size);
	return vr_sys3(x->follow ? __NR_listxattr : __NR_llistxattr, x->name, list, size);
}

/*
 * may_write() - xattr_permission() for a change of @name on w->node, as
 * the object shows (perm.h): trusted.* needs CAP_SYS_ADMIN; a user.*
 * attribute of a sticky directory its owner; an ACL its owner; the rest
 * write access.  security.* is the kernel's (and its modules') to judge.
 */
static int
may_write(struct vr_walk *w, const char *name)
{
	struct vr_owner o;
	struct vr_cred c;
	int err;

	if (!vr_perm_judged(w->ns, &w->node) || vr_has_prefix(name, "security."))
		return 0;
	vr_owner_of(w->t, &w->node, &o);
	err = vr_cred_get(w->t, &c, 0);
	if (err < 0)
		return err;
	if (vr_has_prefix(name, "trusted."))
		return vr_cred_capable(&c, 21 /* CAP_SYS_ADMIN */) ? 0 : -EPERM;
	if (vr_has_prefix(name, "system."))
		return vr_has_prefix(name, "system.posix_acl_") && !vr_perm_owner(&c, &o) ? -EPERM : 0;
	if (vr_has_prefix(name, "user.") && (o.mode & S_IFMT) == S_IFDIR && (o.mode & S_ISVTX) &&
	    !vr_perm_owner(&c, &o))
		return -EPERM;
	return vr_perm_obj(w, NULL, VR_MAY_WRITE);
}

/*
 * refuse() - what setxattr/removexattr refuse before anything is copied
 * up: user.* attributes on what is neither a file nor a directory (EPERM,
 * as the kernel), a caller the object's owner and mode refuse, and
 * removing an attribute the object does not have.
 */
static int
refuse(struct vr_walk *w, const char *name, int removing)
{
	unsigned int t = w->node.st.st_mode & S_IFMT;
	char p[32];
	long n;
	int err;

	if (vr_memcmp(name, "user.", 5) == 0 && t != S_IFREG && t != S_IFDIR)
		return -EPERM;
	err = may_write(w, name);
	if (err < 0)
		return err;
	if (!removing || vr_node_in_place(w) || t == S_IFLNK)
		return 0;
	n = vr_sys4(__NR_getxattr, vr_proc_fd(p, w->node.fd[0]), name, NULL, 0);
	return n == -ENODATA ? -ENODATA : 0;
}

/*
 * writable_link() - vr_make_writable() of w->node; a symlink copied up is
 * walked to again, so that link_name() finds it in its upper directory.
 */
static int
writable_link(struct vr_walk *w)
{
	int in_place, err;
	char *copy;

	/*
	 * A base name standing for an index entry: the attribute is the
	 * shared copy's, which every name shows; overlayfs too sets it there
	 * without linking the name up.
	 */
	if (w->node.indexed)
		return 0;
	in_place = vr_node_in_place(w);
	err = vr_make_writable(w, 1);

	if (err < 0 || in_place || !is_link(w))
		return err;
	copy = vr_alloc(&w->s, w->vlen + 1);
	if (!copy)
		return -ENOMEM;
	vr_memcpy(copy, w->vpath, w->vlen + 1);
	return vr_walk_path(w, AT_FDCWD, copy, VR_WALK_NSROOT);
}

long
vr_getxattr(struct vr_task *t, const char *path, const char *name, void *value, size_t size,
            int nofollow)
{
	char esc[XATTR_NAME_MAX + 9];
	struct xname x;
	struct vr_walk *w;
	long n;
	int err;

	w = walk(t, path, nofollow, VR_WALK_ATTR | VR_WALK_XATTR, &err);
	if (!w)
		return err;
	if (!w->node.mount)
		name = vr_xattr_escape(name, esc);
	n = read_name(w, &x) == 0 ? x_get(&x, name, value, size) : -EOPNOTSUPP;
	vr_walk_end(w);
	return n;
}

long
vr_xattr_filter_list(char *list, long n)
{
	long in = 0, out = 0;

	while (in < n) {
		long len = (long)vr_strnlen(list + in, (size_t)(n - in)) + 1;
		size_t ns = vr_xattr_escaped(list + in);

		if (ns) {
			/* Shown as the program named it: the "overlay." put in goes. */
			vr_memmove(list + out, list + in, ns);
			vr_memmove(list + out + ns, list + in + ns + 8, (size_t)len - ns - 8);
			out += len - 8;
		} else if (!vr_xattr_hidden(list + in)) {
			vr_memmove(list + out, list + in, (size_t)len);
			out += len;
		}
		in += len;
	}
	return out;
}

long
vr_listxattr(struct vr_task *t, const char *path, char *list, size_t size, int nofollow)
{
	struct xname x;
	struct vr_walk *w;
	long n;
	int err;

	w = walk(t, path, nofollow, VR_WALK_ATTR | VR_WALK_XATTR, &err);
	if (!w)
		return err;
	n = read_name(w, &x) == 0 ? x_list(&x, list, size) : -EOPNOTSUPP;
	/*
	 * With size 0 the kernel only measures; the hidden names inflate the
	 * answer a little, which callers accept (they allocate, then list).
	 */
	if (n > 0 && size > 0 && !w->node.mount)
		n = vr_xattr_filter_list(list, n);
	vr_walk_end(w);
	return n;
}

/*
 * change() - set @name to @value (@size bytes, @flags), or remove it
 * (@removing), on the object at @path: refused before any copy-up where
 * the kernel would refuse, then on its upper copy (or its index entry's).
 */
static int
change(struct vr_task *t, const char *path, const char *name, int removing, const void *value,
       size_t size, int flags, int nofollow)
{
	char esc[XATTR_NAME_MAX + 9];
	const char *at;
	struct xname x;
	struct vr_walk *w;
	int err;

	w = walk(t, path, nofollow, 0, &err);
	if (!w)
		return err;
	if (!w->node.mount)
		name = vr_xattr_escape(name, esc);
	err = refuse(w, name, removing);
	if (err == 0)
		err = writable_link(w);
	if (err == 0 && is_link(w) && link_name(w, &x))
		err = -EOPNOTSUPP;
	if (err == 0) {
		/* A symlink is named through its directory (l*xattr), anything else by its fd. */
		at = is_link(w) ? x_path(&x) : vr_proc_fd(x.buf, w->node.fd[0]);
		if (removing)
			err = (int)vr_sys2(is_link(w) ? __NR_lremovexattr : __NR_removexattr, at,
			                   name);
		else
			err = (int)vr_sys5(is_link(w) ? __NR_lsetxattr : __NR_setxattr, at, name,
			                   value, size, flags);
		/* An opaque directory, an owner record: what cached lookups judge by. */
		if (vr_obj_is_dir(&w->node))
			vr_coh_bump_dir(w->ns);
		else
			vr_coh_bump(w->ns);
	}
	vr_walk_end(w);
	return err;
}

long
vr_fxattr_removed(struct vr_task *t, int fd, long nr, const char *name, void *value, size_t size,
                  int flags)
{
	char esc[XATTR_NAME_MAX + 9];
	const struct vr_mount *m = NULL;
	struct stat st;
	long n;

	if (sys_fstat(fd, &st) < 0 || st.st_nlink != 0)
		return -ENOENT;
	/* A mount's file is the host's: its attributes are as the host has them. */
	if (!vr_fd_upper(t->ns, fd, &st) && !(m = vr_fd_mount(t->ns, fd)))
		return -ENOENT;
	if (m && (m->flags & VR_MOUNT_RDONLY) && (nr == __NR_fsetxattr || nr == __NR_fremovexattr))
		return -EROFS;
	if (name && !m)
		name = vr_xattr_escape(name, esc);
	switch (nr) {
	case __NR_fgetxattr:
		return vr_sys4(nr, fd, name, value, size);
	case __NR_fsetxattr:
		return vr_sys5(nr, fd, name, value, size, flags);
	case __NR_fremovexattr:
		return vr_sys2(nr, fd, name);
	case __NR_flistxattr:
		n = vr_sys3(nr, fd, value, size);
		return n > 0 && size > 0 && !m ? vr_xattr_filter_list(value, n) : n;
	default:
		return 0; /* only asked */
	}
}

int
vr_setxattr(struct vr_task *t, const char *path, const char *name, const void *value, size_t size,
            int flags, int nofollow)
{
	return change(t, path, name, 0, value, size, flags, nofollow);
}

int
vr_removexattr(struct vr_task *t, const char *path, const char *name, int nofollow)
{
	return change(t, path, name, 1, NULL, 0, 0, nofollow);
}

int
vr_fileattr_set(struct vr_task *t, const char *path, unsigned int request, void *arg)
{
	char proc[32];
	struct vr_walk *w;
	unsigned int uid;
	int err, fd;

	w = walk(t, path, 1, 0, &err);
	if (!w)
		return err;
	/*
	 * The kernel lets only the owner (or CAP_FOWNER) change the flags: ask
	 * before the copy-up, whose copy the caller would own.
	 */
	uid = (unsigned int)vr_sys0(__NR_geteuid);
	if (uid != 0 && uid != w->node.st.st_uid)
		err = -EPERM;
	else if (!S_ISREG(w->node.st.st_mode) && !S_ISDIR(w->node.st.st_mode))
		err = -ENOTTY;
	else
		err = writable_link(w);
	if (err == 0) {
		fd = (int)vr_sys3(__NR_openat, AT_FDCWD, vr_proc_fd(proc, w->node.fd[0]),
		                  O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		err = fd;
		if (fd >= 0) {
			err = (int)vr_sys3(__NR_ioctl, fd, request, arg);
			sys_close(fd);
			if (S_ISDIR(w->node.st.st_mode))
				vr_coh_bump_dir(w->ns);
			else
				vr_coh_bump(w->ns);
		}
	}
	vr_walk_end(w);
	return err;
}

int
vr_statfs(struct vr_task *t, const char *path, void *buf)
{
	struct vr_walk *w;
	char proc[32];
	int err;

	w = vr_walk_begin(t, &err);
	if (!w)
		return err;
	err = vr_walk_path(w, AT_FDCWD, path, VR_WALK_FOLLOW);
	if (err == 0) {
		int fd = w->node.nfd ? w->node.fd[0] : w->ns->layers[0].fd;

		err = (int)vr_sys2(__NR_statfs, vr_proc_fd(proc, fd), buf);
	}
	vr_walk_end(w);
	return err;
}
