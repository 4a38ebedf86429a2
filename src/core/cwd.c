/*
 * cwd.c - the virtual working directory: chdir, fchdir, getcwd, realpath.
 *
 * The cwd is kept as a canonical virtual path; a relative walk re-walks it
 * from the root.  A directory renamed through vroot, by any process on the
 * prefix, while it or one above it is the cwd, takes the cwd along
 * (task.c): the cwd is the directory, as in the kernel.  One renamed from
 * outside is followed by name.
 */
#include "walk.h"
#include "util.h"
#include "coherence.h"
#include "revmap.h"
#include "task.h"

/* enter() - make the result of @w the task's cwd, as chdir(2) checks it. */
static int
enter(struct vr_walk *w)
{
	int err;

	if (!vr_obj_is_dir(&w->node))
		return -ENOTDIR;
	if (w->node.nfd > 0) {
		err = sys_faccessat2(w->node.fd[0], "", 1 /* X_OK */, AT_EMPTY_PATH | AT_EACCESS);
		if (err < 0)
			return err;
	}
	return vr_task_publish_cwd(w->t, w->vpath, w->vlen);
}

int
vr_chdir(struct vr_task *t, const char *path)
{
	unsigned long seen = vr_coh_renames(t->ns);
	struct vr_walk *w;
	int err;

	w = vr_walk_begin(t, &err);
	if (!w)
		return err;
	err = vr_walk_path(w, AT_FDCWD, path, VR_WALK_FOLLOW);
	if (err == 0)
		err = enter(w);
	/* Renames from now on move the new cwd. */
	if (err == 0)
		__atomic_store_n(&t->renames_seen, seen, __ATOMIC_RELAXED);
	vr_walk_end(w);
	return err;
}

/*
 * enter_gone() - make directory @fd the task's cwd when no path leads to
 * it any more (removed while @fd held it: a walk of the place it was at
 * found nothing), as fchdir(2) does: the cwd keeps that place's name, so
 * getcwd(2) and names below answer ENOENT, as natively; "." is the
 * directory itself (the process's host cwd follows @fd).
 */
static int
enter_gone(struct vr_walk *w, int fd)
{
	struct stat st;
	char *vp = vr_alloc(&w->s, PATH_MAX);
	long n;
	int err;

	if (sys_fstat(fd, &st) < 0 || (st.st_mode & S_IFMT) != S_IFDIR)
		return -ENOENT;
	n = vp ? vr_fd_vpath(w->ns, fd, vp, PATH_MAX) : -ENOMEM;
	if (n <= 0 || vp[0] != '/')
		return -ENOENT;
	err = sys_faccessat2(fd, "", 1 /* X_OK */, AT_EMPTY_PATH | AT_EACCESS);
	return err < 0 ? err : vr_task_publish_cwd(w->t, vp, (size_t)n);
}

int
vr_fchdir(struct vr_task *t, int fd)
{
	unsigned long seen = vr_coh_renames(t->ns);
	struct vr_walk *w;
	int err;

	w = vr_walk_begin(t, &err);
	if (!w)
		return err;
	err = vr_walk_path(w, fd, "", VR_WALK_EMPTY);
	if (err == 0)
		err = enter(w);
	else if (err == -ENOENT && fd >= 0)
		err = enter_gone(w, fd);
	if (err == 0)
		__atomic_store_n(&t->renames_seen, seen, __ATOMIC_RELAXED);
	vr_walk_end(w);
	return err;
}

long
vr_getcwd(struct vr_task *t, char *buf, size_t size)
{
	char tmp[PATH_MAX];
	struct vr_walk *w;
	/* Deeper than PATH_MAX bytes: ENAMETOOLONG, as getcwd(2) says. */
	long n = vr_task_cwd(t, tmp, sizeof(tmp));
	int err;

	if (n < 0)
		return n;
	/* A cwd removed since is unreachable, as getcwd(2) says (ENOENT). */
	w = vr_walk_new(t, AT_FDCWD, tmp, VR_WALK_NSROOT, &err);
	if (!w)
		return err == -ENOTDIR ? -ENOENT : err;
	vr_walk_end(w);
	n = vr_task_unroot(t, tmp, n); /* outside a chroot: unreachable */
	if (n < 0)
		return n;
	if ((size_t)n + 1 > size)
		return -ERANGE;
	vr_memcpy(buf, tmp, (size_t)n + 1);
	return n + 1;
}

long
vr_realpath(struct vr_task *t, int dirfd, const char *path, int flags, char *buf, size_t size)
{
	unsigned int wf = VR_WALK_FOLLOW;
	struct vr_walk *w;
	long n;
	int err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (flags & AT_SYMLINK_NOFOLLOW)
		wf = 0;
	if (flags & AT_EMPTY_PATH)
		wf |= VR_WALK_EMPTY;
	w = vr_walk_begin(t, &err);
	if (!w)
		return err;
	n = vr_walk_path(w, dirfd, path, wf);
	if (n == 0) {
		n = vr_task_unroot(t, w->vpath, (long)w->vlen);
		if (n < 0)
			n = (long)w->vlen; /* outside a chroot: the whole path */
	}
	if (n >= 0 && (size_t)n + 1 > size)
		n = -ERANGE;
	else if (n >= 0)
		vr_memcpy(buf, w->vpath, (size_t)n + 1);
	vr_walk_end(w);
	return n;
}

int
vr_chroot(struct vr_task *t, const char *path)
{
	struct vr_walk *w;
	int err;

	w = vr_walk_new(t, AT_FDCWD, path, VR_WALK_FOLLOW, &err);
	if (!w)
		return err;
	if (!vr_obj_is_dir(&w->node))
		err = -ENOTDIR;
	else if (w->node.nfd > 0)
		err = sys_faccessat2(w->node.fd[0], "", 1 /* X_OK */, AT_EMPTY_PATH | AT_EACCESS);
	if (err == 0)
		err = vr_task_publish_root(t, w->vpath, w->vlen);
	vr_walk_end(w);
	return err;
}
