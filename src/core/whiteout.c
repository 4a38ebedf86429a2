/*
 * whiteout.c - hiding lower names, in kernel overlayfs's format.
 *
 * A whiteout is a character device 0:0 in the upper layer (any user may
 * make one since Linux 5.8); an opaque directory carries the xattr
 * "user.overlay.opaque" = "y" (overlayfs's userxattr mode).  Each change
 * here is one atomic step on the upper layer, so another process, or a
 * kernel overlay mount of the same layers, never sees a half state.
 *
 * Upper filesystems that lack a feature (ramfs has neither user xattrs nor
 * RENAME_WHITEOUT), probed on first need and remembered in the namespace:
 *  - without RENAME_WHITEOUT, a whiteout is made with mknod and exchanged
 *    into place (RENAME_EXCHANGE), as kernel overlayfs does when it
 *    removes a name: the old name turns into a whiteout in the same step
 *    as its object leaves, so the lower object never shows through;
 *  - without user xattrs there are no opaque directories: making a
 *    directory over a whiteout (or moving one over a lower name) fails
 *    with EOPNOTSUPP, and renaming a directory a lower layer has part of
 *    fails with EXDEV (what kernel overlayfs answers without redirect_dir;
 *    mv(1) and other programs then copy and remove), before anything
 *    changes.
 */
#include "place.h"
#include "util.h"
#include "whiteout.h"

enum { R_NOREPLACE = 1, R_EXCHANGE = 2, R_WHITEOUT = 4 };

/* feature() - an upper filesystem feature as probed: 1, -1, 0 not known yet. */
static int
feature(const int *f)
{
	return __atomic_load_n(f, __ATOMIC_RELAXED);
}

static int
learn(int *f, int yes)
{
	__atomic_store_n(f, yes ? 1 : -1, __ATOMIC_RELAXED);
	return yes ? 1 : -1;
}

/*
 * has_rename_whiteout() - the upper filesystem takes RENAME_WHITEOUT: a
 * scratch file in the work directory is renamed with it.
 * Return: 1, -1 (EINVAL: not supported), or -errno of the probe.
 */
static int
has_rename_whiteout(struct vr_ns *ns)
{
	int known = feature(&ns->up_rename_whiteout), fd, err;
	char a[32], b[32];

	if (known)
		return known;
	vr_tmp_name(a);
	vr_tmp_name(b);
	fd = sys_openat(ns->work.fd, a, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return fd;
	sys_close(fd);
	err = (int)vr_sys5(__NR_renameat2, ns->work.fd, a, ns->work.fd, b, R_WHITEOUT);
	vr_sys3(__NR_unlinkat, ns->work.fd, a, 0);
	if (err == 0)
		vr_sys3(__NR_unlinkat, ns->work.fd, b, 0);
	if (err == 0 || err == -EINVAL)
		return learn(&ns->up_rename_whiteout, err == 0);
	return err;
}

/*
 * has_user_xattr() - the upper filesystem has user.* xattrs: reading one
 * from the upper root answers something other than EOPNOTSUPP.
 * Return: 1, -1, or -errno of the probe.
 */
static int
has_user_xattr(struct vr_ns *ns)
{
	int known = feature(&ns->up_user_xattr);
	char p[32], v[4];
	long n;

	if (known)
		return known;
	n = vr_sys4(__NR_getxattr, vr_proc_fd(p, ns->layers[0].fd), "user.overlay.opaque", v,
	            sizeof(v));
	if (n >= 0 || n == -ENODATA || n == -ERANGE || n == -EOPNOTSUPP)
		return learn(&ns->up_user_xattr, n != -EOPNOTSUPP);
	return (int)n;
}

int
vr_base_dir_movable(struct vr_ns *ns)
{
	int ok = has_user_xattr(ns);

	return ok == -1 ? -EXDEV : ok < 0 ? ok : 0;
}

int
vr_whiteout_make(int upfd, const char *name)
{
	return (int)vr_sys4(__NR_mknodat, upfd, name, S_IFCHR | 0600, 0);
}

int
vr_set_opaque(int fd)
{
	char p[32];

	return (int)vr_sys5(__NR_setxattr, vr_proc_fd(p, fd), "user.overlay.opaque", "y", 1, 0);
}

static int
unlink_entry(void *arg, int dirfd, const struct vr_dirent64 *d)
{
	(void)arg;
	return (int)vr_sys3(__NR_unlinkat, dirfd, d->d_name, 0);
}

/* rm_whiteouts() - empty directory @fd of the whiteouts that are all it holds. */
static int
rm_whiteouts(struct vr_scratch *s, int dirfd)
{
	size_t mark = s->used;
	char *buf = vr_alloc(s, 8192);
	int err = buf ? vr_each_entry(dirfd, buf, 8192, unlink_entry, NULL) : -ENOMEM;

	s->used = mark;
	return err;
}

/* drop_tmp() - remove @tmp, an object moved out to the work directory. */
static int
drop_tmp(struct vr_walk *w, const char *tmp, int isdir)
{
	int fd;

	if (!isdir)
		return (int)vr_sys3(__NR_unlinkat, w->ns->work.fd, tmp, 0);
	/* A directory is emptied of the whiteouts that are all it holds. */
	fd = sys_openat(w->ns->work.fd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd >= 0) {
		rm_whiteouts(&w->s, fd);
		sys_close(fd);
	}
	return (int)vr_sys3(__NR_unlinkat, w->ns->work.fd, tmp, AT_REMOVEDIR);
}

/*
 * swap_in_whiteout() - a whiteout made at @ndir/@nname (absent) is
 * exchanged with @odir/@oname: the object moves and a whiteout takes its
 * place in one step.  Return: 0 or -errno, nothing changed.
 */
static int
swap_in_whiteout(int odir, const char *oname, int ndir, const char *nname)
{
	int err = vr_whiteout_make(ndir, nname);

	if (err < 0)
		return err;
	err = (int)vr_sys5(__NR_renameat2, odir, oname, ndir, nname, R_EXCHANGE);
	if (err < 0)
		vr_sys3(__NR_unlinkat, ndir, nname, 0);
	return err;
}

/*
 * rename_by_exchange() - RENAME_WHITEOUT without the flag.  The new name
 * becomes a whiteout first (made there, or swapped in for an upper object
 * the rename replaces, which is dropped at the end), then is exchanged
 * with the old name.  A crash in between leaves the old name as it was and
 * the new one hidden, never the lower object at the old name in view.
 */
static int
rename_by_exchange(struct vr_walk *w, int odir, const char *oname, int ndir, const char *nname,
                   unsigned int flags)
{
	int work = w->ns->work.fd, made, victim_dir = 0, err;
	char tmp[32] = "";
	struct stat st;

	err = vr_whiteout_make(ndir, nname);
	made = err == 0;
	if (err == -EEXIST && !(flags & R_NOREPLACE)) {
		err = sys_fstatat(ndir, nname, &st, AT_SYMLINK_NOFOLLOW);
		if (err == 0 && !vr_is_whiteout(&st)) {
			victim_dir = (st.st_mode & S_IFMT) == S_IFDIR;
			vr_tmp_name(tmp);
			err = swap_in_whiteout(ndir, nname, work, tmp);
			if (err < 0)
				tmp[0] = '\0';
		}
	}
	if (err < 0)
		return err;
	err = (int)vr_sys5(__NR_renameat2, odir, oname, ndir, nname, R_EXCHANGE);
	if (err < 0) {
		if (made)
			vr_sys3(__NR_unlinkat, ndir, nname, 0);
		if (tmp[0] && vr_sys5(__NR_renameat2, work, tmp, ndir, nname, R_EXCHANGE) == 0)
			vr_sys3(__NR_unlinkat, work, tmp, 0);
		return err;
	}
	if (tmp[0])
		drop_tmp(w, tmp, victim_dir);
	return 0;
}

int
vr_rename_whiteout(struct vr_walk *w, int odir, const char *oname, int ndir, const char *nname,
                   unsigned int flags)
{
	int err;

	if (feature(&w->ns->up_rename_whiteout) >= 0) {
		err = (int)vr_sys5(__NR_renameat2, odir, oname, ndir, nname, flags | R_WHITEOUT);
		/* EINVAL is also rename(2)'s own answer: ask the filesystem. */
		if (err != -EINVAL || has_rename_whiteout(w->ns) > 0)
			return err;
	}
	return rename_by_exchange(w, odir, oname, ndir, nname, flags);
}

/*
 * hide_in_place() - vr_remove_hiding() of @upfd/@name for a caller who may
 * not write the work directory (another user than the one who started the
 * session): the object moves to a temporary name in its own parent (@name
 * turning into a whiteout, or gone, in the same step) and is removed
 * there, a directory emptied first of the whiteouts that are all it
 * holds; the temporary name shows in the parent's listing meanwhile.  A
 * directory only when the caller may empty it: else @err, nothing changed.
 */
static int
hide_in_place(struct vr_walk *w, int upfd, const char *name, int isdir, int whiteout, int err)
{
	char tmp[32];
	int fd;

	if (isdir &&
	    sys_faccessat2(upfd, name, 3 /* W_OK | X_OK */, AT_SYMLINK_NOFOLLOW | AT_EACCESS) < 0)
		return err;
	vr_tmp_name(tmp);
	if (whiteout)
		err = vr_rename_whiteout(w, upfd, name, upfd, tmp, R_NOREPLACE);
	else
		err = (int)vr_sys5(__NR_renameat2, upfd, name, upfd, tmp, R_NOREPLACE);
	if (err < 0)
		return err;
	if (!isdir) {
		vr_sys3(__NR_unlinkat, upfd, tmp, 0);
		return 0;
	}
	fd = sys_openat(upfd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd >= 0) {
		rm_whiteouts(&w->s, fd);
		sys_close(fd);
	}
	/* The name is gone already: a directory left here is only litter. */
	vr_sys3(__NR_unlinkat, upfd, tmp, AT_REMOVEDIR);
	return 0;
}

int
vr_remove_hiding(struct vr_walk *w, int upfd, const char *name, int isdir, int whiteout)
{
	char tmp[32];
	int err;

	/* The upper object leaves (and a whiteout takes its place) in one step. */
	vr_tmp_name(tmp);
	if (whiteout)
		err = vr_rename_whiteout(w, upfd, name, w->ns->work.fd, tmp, 0);
	else
		err = (int)vr_sys5(__NR_renameat2, upfd, name, w->ns->work.fd, tmp, 0);
	if (err == -EACCES || err == -EPERM)
		return hide_in_place(w, upfd, name, isdir, whiteout, err);
	if (err < 0)
		return err;
	return drop_tmp(w, tmp, isdir);
}

int
vr_replace_whiteout(struct vr_walk *w, const char *tmp, int upfd, const char *name, int isdir)
{
	int err;

	if (!isdir)
		return (int)vr_sys5(__NR_renameat2, w->ns->work.fd, tmp, upfd, name, 0);
	/* A directory cannot be renamed over a non-directory: swap, then drop. */
	err = (int)vr_sys5(__NR_renameat2, w->ns->work.fd, tmp, upfd, name, 2 /* EXCHANGE */);
	if (err < 0)
		return err;
	return (int)vr_sys3(__NR_unlinkat, w->ns->work.fd, tmp, 0);
}

void
vr_inherit_group(int fd, int dirfd, int isdir)
{
	struct stat d, o;

	if (sys_fstat(dirfd, &d) < 0 || !(d.st_mode & S_ISGID) || sys_fstat(fd, &o) < 0)
		return;
	vr_sys5(__NR_fchownat, fd, "", (unsigned int)-1, d.st_gid, AT_EMPTY_PATH);
	/* chown(2) cleared a non-directory's set-user-ID and set-group-ID bits,
	 * which creating it in place keeps: they are put back (chmod(2) drops
	 * set-group-ID again for a group the caller is not in, as creating does). */
	if (isdir || (o.st_mode & (S_ISUID | S_ISGID)))
		vr_chmod_fd(fd, (o.st_mode & 07777) | (isdir ? S_ISGID : 0));
}

#define PURGE_DEPTH 64

struct purge {
	struct vr_scratch *s;
	int depth;
};

static void purge(struct vr_scratch *s, int fd, int depth);

static int
purge_entry(void *arg, int fd, const struct vr_dirent64 *d)
{
	const struct purge *p = arg;
	struct stat st;

	if (d->d_type == 2 /* DT_CHR */ &&
	    sys_fstatat(fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && vr_is_whiteout(&st))
		vr_sys3(__NR_unlinkat, fd, d->d_name, 0);
	if (d->d_type == 4 /* DT_DIR */) {
		int c = sys_openat(fd, d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
		                   0);

		if (c >= 0) {
			purge(p->s, c, p->depth + 1);
			sys_close(c);
		}
	}
	return 0;
}

/*
 * purge() - remove the whiteouts in upper directory @fd and below.  The
 * depth is bounded; each level's buffer comes from the scratch arena.
 */
static void
purge(struct vr_scratch *s, int fd, int depth)
{
	size_t mark = s->used;
	char *buf = vr_alloc(s, 4096);
	struct purge p = {s, depth};

	if (buf && depth <= PURGE_DEPTH)
		vr_each_entry(fd, buf, 4096, purge_entry, &p);
	s->used = mark;
}

int
vr_settle_moved_dir(struct vr_walk *w, int dirfd, const char *name)
{
	int fd = sys_openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
	int err;

	if (fd < 0)
		return fd;
	purge(&w->s, fd, 0);
	err = vr_set_opaque(fd);
	sys_close(fd);
	return err;
}
