/*
 * mutate.c - operations that change the tree: mkdir, mknod, symlink, link,
 * unlink/rmdir, rename, chmod, chown, utimensat, truncate.
 *
 * They act in place on objects that live in the upper layer or in a
 * read-write mount.  An operation that would need a lower-layer object
 * copied up, or a whiteout written, answers EROFS until the overlay's
 * copy-up exists: the bases are never written.
 */
#include "walk.h"
#include "util.h"

#define PROC_FD "/proc/self/fd/"

/* A name in a writable directory: where a change may happen in place. */
struct place {
	int dirfd;           /* the directory's descriptor in the writable layer */
	const struct vr_mount *mount;
	const char *name;
};

/* proc_path() - "/proc/self/fd/N" for O_PATH descriptor @fd. */
static char *
proc_path(char buf[32], int fd)
{
	vr_memcpy(buf, PROC_FD, sizeof(PROC_FD));
	vr_utoa((unsigned long)fd, buf + sizeof(PROC_FD) - 1);
	return buf;
}

/* dir_writable() - directory @d accepts new names in place. */
static int
dir_writable(const struct vr_ns *ns, const struct vr_obj *d)
{
	if (!d->exists || d->nfd == 0 || d->synthetic)
		return 0;
	if (d->mount)
		return !(d->mount->flags & VR_MOUNT_RDONLY);
	return ns->has_upper && d->layer[0] == 0;
}

/*
 * in_lower() - some layer below the upper holds @name in directory @d (so
 * removing or replacing it would need a whiteout).  Return: 1, 0, -errno.
 */
static int
in_lower(const struct vr_obj *d, const char *name)
{
	struct stat st;

	if (d->mount)
		return 0;
	for (unsigned int i = 1; i < d->nfd; i++) {
		int err = sys_fstatat(d->fd[i], name, &st, AT_SYMLINK_NOFOLLOW);

		if (err == 0)
			return 1;
		if (err != -ENOENT)
			return err;
	}
	return 0;
}

/*
 * place_new() - where a new name of the walk @w may be created.
 * Return: 0, -EEXIST, -EROFS, -ENOENT.
 */
static int
place_new(struct vr_walk *w, struct place *p)
{
	struct stat st;

	if (w->last_type != VR_LAST_NORM || w->node.exists)
		return -EEXIST;
	if (!dir_writable(w->ns, &w->cur))
		return -EROFS;
	/* A whiteout in the upper hides the name; replacing it is copy-up's. */
	if (!w->cur.mount && sys_fstatat(w->cur.fd[0], w->last, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return -EROFS;
	p->dirfd = w->cur.fd[0];
	p->mount = w->cur.mount;
	p->name = w->last;
	return 0;
}

/*
 * place_old() - the existing final object of @w, changeable in place.
 * Return: 0, -EROFS (a base object, or a read-only mount), -EBUSY (no name).
 */
static int
place_old(struct vr_walk *w, struct place *p)
{
	int err;

	if (w->last_type != VR_LAST_NORM)
		return -EBUSY;
	if (!dir_writable(w->ns, &w->cur) || w->node.layer[0] != w->cur.layer[0] ||
	    w->node.mount != w->cur.mount)
		return -EROFS;
	err = in_lower(&w->cur, w->last);
	if (err)
		return err < 0 ? err : -EROFS;
	p->dirfd = w->cur.fd[0];
	p->mount = w->cur.mount;
	p->name = w->last;
	return 0;
}

static struct vr_walk *
walk(struct vr_task *t, int dirfd, const char *path, unsigned int wf, int *err)
{
	struct vr_walk *w = vr_walk_begin(t, err);

	if (!w)
		return NULL;
	*err = vr_walk_path(w, dirfd, path, wf);
	if (*err < 0) {
		vr_walk_end(w);
		return NULL;
	}
	return w;
}

/* create() - mkdirat/mknodat/symlinkat: the new name, then the call. */
static int
create(struct vr_task *t, int dirfd, const char *path, long nr, long a0, unsigned int mode,
       unsigned int dev)
{
	struct vr_walk *w;
	struct place p;
	int err;

	w = walk(t, dirfd, path, VR_WALK_PARENT, &err);
	if (!w)
		return err;
	err = place_new(w, &p);
	if (err == 0 && w->must_dir && nr != __NR_mkdirat)
		err = -ENOENT;
	if (err == 0 && nr == __NR_symlinkat)
		err = (int)vr_sys3(nr, a0, p.dirfd, p.name);
	else if (err == 0 && nr == __NR_mkdirat)
		err = (int)vr_sys3(nr, p.dirfd, p.name, mode);
	else if (err == 0)
		err = (int)vr_sys4(nr, p.dirfd, p.name, mode, dev);
	vr_walk_end(w);
	return err;
}

int
vr_mkdirat(struct vr_task *t, int dirfd, const char *path, unsigned int mode)
{
	return create(t, dirfd, path, __NR_mkdirat, 0, mode, 0);
}

int
vr_mknodat(struct vr_task *t, int dirfd, const char *path, unsigned int mode, unsigned int dev)
{
	return create(t, dirfd, path, __NR_mknodat, 0, mode, dev);
}

int
vr_symlinkat(struct vr_task *t, const char *target, int dirfd, const char *path)
{
	if (!target)
		return -EFAULT;
	if (!target[0])
		return -ENOENT;
	return create(t, dirfd, path, __NR_symlinkat, (long)target, 0, 0);
}

int
vr_unlinkat(struct vr_task *t, int dirfd, const char *path, int flags)
{
	struct vr_walk *w;
	struct place p;
	int err;

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	w = walk(t, dirfd, path, 0, &err);
	if (!w)
		return err;
	if (flags & AT_REMOVEDIR) {
		if (w->last_type == VR_LAST_DOT)
			err = -EINVAL;
		else if (w->last_type == VR_LAST_DOTDOT)
			err = -ENOTEMPTY;
		else if (!vr_obj_is_dir(&w->node))
			err = -ENOTDIR;
	} else if (vr_obj_is_dir(&w->node)) {
		err = -EISDIR;
	} else if (w->must_dir) {
		err = -ENOTDIR;
	}
	if (err == 0)
		err = place_old(w, &p);
	/* A directory merged with lower ones is not empty in place. */
	if (err == 0 && w->node.nfd > 1)
		err = -EROFS;
	if (err == 0)
		err = (int)vr_sys3(__NR_unlinkat, p.dirfd, p.name, flags);
	vr_walk_end(w);
	return err;
}

/* same_fs() - two places are in the same writable layer or mount. */
static int
same_fs(const struct place *a, const struct place *b)
{
	return a->mount == b->mount;
}

int
vr_renameat2(struct vr_task *t, int olddirfd, const char *oldpath, int newdirfd,
	     const char *newpath, unsigned int flags)
{
	struct vr_walk *ow, *nw;
	struct place op, np;
	int err;

	ow = walk(t, olddirfd, oldpath, 0, &err);
	if (!ow)
		return err;
	nw = walk(t, newdirfd, newpath, VR_WALK_PARENT, &err);
	if (!nw) {
		vr_walk_end(ow);
		return err;
	}
	err = place_old(ow, &op);
	if (err == 0 && ow->node.nfd > 1)
		err = -EROFS; /* a merged directory: renaming it is the overlay's */
	if (err == 0)
		err = nw->node.exists ? place_old(nw, &np) : place_new(nw, &np);
	if (err == 0 && nw->node.exists && nw->node.nfd > 1)
		err = -EROFS;
	if (err == 0 && !same_fs(&op, &np))
		err = -EXDEV;
	if (err == 0)
		err = (int)vr_sys5(__NR_renameat2, op.dirfd, op.name, np.dirfd, np.name, flags);
	vr_walk_end(nw);
	vr_walk_end(ow);
	return err;
}

int
vr_linkat(struct vr_task *t, int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
	  int flags)
{
	unsigned int wf = (flags & AT_SYMLINK_FOLLOW) ? VR_WALK_FOLLOW : 0;
	struct vr_walk *ow, *nw;
	struct place op, np;
	int err;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	ow = walk(t, olddirfd, oldpath, wf | ((flags & AT_EMPTY_PATH) ? VR_WALK_EMPTY : 0), &err);
	if (!ow)
		return err;
	nw = walk(t, newdirfd, newpath, VR_WALK_PARENT, &err);
	if (!nw) {
		vr_walk_end(ow);
		return err;
	}
	err = vr_obj_is_dir(&ow->node) ? -EPERM : place_old(ow, &op);
	if (err == 0)
		err = place_new(nw, &np);
	if (err == 0 && !same_fs(&op, &np))
		err = -EXDEV;
	if (err == 0)
		err = (int)vr_sys5(__NR_linkat, op.dirfd, op.name, np.dirfd, np.name, 0);
	vr_walk_end(nw);
	vr_walk_end(ow);
	return err;
}

/*
 * change() - the final object of a walk, for a change of its attributes in
 * place.  Return: a walk (release with vr_walk_end()), or NULL with *err.
 */
static struct vr_walk *
change(struct vr_task *t, int dirfd, const char *path, int flags, int allowed, int *err)
{
	unsigned int wf = VR_WALK_FOLLOW;
	struct vr_walk *w;
	const struct vr_obj *o;

	if (flags & ~allowed) {
		*err = -EINVAL;
		return NULL;
	}
	if (flags & AT_SYMLINK_NOFOLLOW)
		wf = 0;
	if (flags & AT_EMPTY_PATH)
		wf |= VR_WALK_EMPTY;
	w = walk(t, dirfd, path, wf, err);
	if (!w)
		return NULL;
	o = &w->node;
	if (o->nfd == 0 || o->synthetic)
		*err = -EROFS;
	else if (o->mount)
		*err = (o->mount->flags & VR_MOUNT_RDONLY) ? -EROFS : 0;
	else
		*err = (w->ns->has_upper && o->layer[0] == 0) ? 0 : -EROFS;
	if (*err < 0) {
		vr_walk_end(w);
		return NULL;
	}
	return w;
}

int
vr_fchmodat(struct vr_task *t, int dirfd, const char *path, unsigned int mode, int flags)
{
	char proc[32];
	int err;
	struct vr_walk *w = change(t, dirfd, path, flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH,
				   &err);

	if (!w)
		return err;
	if ((w->node.st.st_mode & S_IFMT) == S_IFLNK)
		err = -EOPNOTSUPP; /* as fchmodat2(AT_SYMLINK_NOFOLLOW) on Linux */
	else
		err = (int)vr_sys3(__NR_fchmodat, AT_FDCWD, proc_path(proc, w->node.fd[0]), mode);
	vr_walk_end(w);
	return err;
}

int
vr_fchownat(struct vr_task *t, int dirfd, const char *path, unsigned int uid, unsigned int gid,
	    int flags)
{
	int err;
	struct vr_walk *w = change(t, dirfd, path, flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH,
				   &err);

	if (!w)
		return err;
	err = (int)vr_sys5(__NR_fchownat, w->node.fd[0], "", uid, gid, AT_EMPTY_PATH);
	vr_walk_end(w);
	return err;
}

int
vr_utimensat(struct vr_task *t, int dirfd, const char *path, const void *times, int flags)
{
	struct vr_walk *w;
	char proc[32];
	int err;

	if (!path) {
		/* futimens(): the descriptor itself. */
		path = "";
		flags |= AT_EMPTY_PATH;
	}
	w = change(t, dirfd, path, flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, &err);
	if (!w)
		return err;
	if ((w->node.st.st_mode & S_IFMT) == S_IFLNK && w->last_type == VR_LAST_NORM)
		err = (int)vr_sys4(__NR_utimensat, w->cur.fd[0], w->last, times,
				   AT_SYMLINK_NOFOLLOW);
	else
		err = (int)vr_sys4(__NR_utimensat, AT_FDCWD, proc_path(proc, w->node.fd[0]), times,
				   0);
	vr_walk_end(w);
	return err;
}

int
vr_truncate(struct vr_task *t, const char *path, long length)
{
	char proc[32];
	int err;
	struct vr_walk *w = change(t, AT_FDCWD, path, 0, 0, &err);

	if (!w)
		return err;
	if (vr_obj_is_dir(&w->node))
		err = -EISDIR;
	else
		err = (int)vr_sys2(__NR_truncate, proc_path(proc, w->node.fd[0]), length);
	vr_walk_end(w);
	return err;
}

/* fd_name() - "/proc/self/fd/N" + @rest into @out[@size].  Return: 0 or -ENAMETOOLONG. */
static int
fd_name(char *out, size_t size, int fd, const char *rest)
{
	char proc[32];
	size_t a = vr_strlen(proc_path(proc, fd)), b = vr_strlen(rest);

	if (a + b + 1 > size)
		return -ENAMETOOLONG;
	vr_memcpy(out, proc, a);
	vr_memcpy(out + a, rest, b + 1);
	return 0;
}

int
vr_unix_path(struct vr_task *t, const char *path, int bind, char *out, size_t size)
{
	struct vr_walk *w;
	struct place p;
	int err, fd;

	w = walk(t, AT_FDCWD, path, bind ? VR_WALK_PARENT : VR_WALK_FOLLOW, &err);
	if (!w)
		return err;
	if (bind) {
		err = place_new(w, &p);
		if (err == -EEXIST)
			err = -EADDRINUSE;
		fd = err < 0 ? err : sys_fcntl(p.dirfd, F_DUPFD_CLOEXEC, 0);
	} else {
		fd = vr_obj_take_fd(&w->node);
	}
	if (fd >= 0) {
		char rest[NAME_MAX + 2] = "/";

		if (bind)
			vr_memcpy(rest + 1, p.name, vr_strlen(p.name) + 1);
		else
			rest[0] = '\0';
		err = fd_name(out, size, fd, rest);
		if (err < 0) {
			sys_close(fd);
			fd = err;
		}
	}
	vr_walk_end(w);
	return fd;
}
