/*
 * attr.c - changes to an object's attributes: chmod, chown, utimensat,
 * truncate.  A base object is copied up first; then the change is made on
 * the upper copy (or in place in a read-write mount).
 */
#include "place.h"
#include "util.h"

/* refuse_link() - chmod of a symlink itself (fchmodat2 AT_SYMLINK_NOFOLLOW). */
static int
refuse_link(const struct vr_obj *o)
{
	return (o->st.st_mode & S_IFMT) == S_IFLNK ? -EOPNOTSUPP : 0;
}

/* refuse_non_file() - truncate(2) of what is not a regular file. */
static int
refuse_non_file(const struct vr_obj *o)
{
	unsigned int t = o->st.st_mode & S_IFMT;

	return t == S_IFDIR ? -EISDIR : t != S_IFREG ? -EINVAL : 0;
}

/*
 * change() - the final object of a walk, made changeable in place (copied
 * up from a base; @with_data 0 when its data will not be kept), unless
 * @refuse, when given, finds the call refused for that object.
 * Return: a walk (release with vr_walk_end()), or NULL with *err.
 */
static struct vr_walk *
change(struct vr_task *t, int dirfd, const char *path, int flags, int allowed, int with_data,
       int (*refuse)(const struct vr_obj *o), int *err)
{
	unsigned int wf = VR_WALK_FOLLOW;
	struct vr_walk *w;

	if (flags & ~allowed) {
		*err = -EINVAL;
		return NULL;
	}
	if (flags & AT_SYMLINK_NOFOLLOW)
		wf = 0;
	if (flags & AT_EMPTY_PATH)
		wf |= VR_WALK_EMPTY;
	w = vr_walk_new(t, dirfd, path, wf, err);
	if (!w)
		return NULL;
	/* What the call itself refuses is refused before anything is copied up. */
	*err = refuse ? refuse(&w->node) : 0;
	if (*err == 0)
		*err = vr_make_writable(w, with_data);
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
	struct vr_walk *w = change(t, dirfd, path, flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, 1,
	                           refuse_link, &err);

	if (!w)
		return err;
	err = (int)vr_sys3(__NR_fchmodat, AT_FDCWD, vr_proc_fd(proc, w->node.fd[0]), mode);
	vr_walk_end(w);
	return err;
}

int
vr_fchownat(struct vr_task *t, int dirfd, const char *path, unsigned int uid, unsigned int gid,
            int flags)
{
	int err;
	struct vr_walk *w =
	        change(t, dirfd, path, flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, 1, NULL, &err);

	if (!w)
		return err;
	err = (int)vr_sys5(__NR_fchownat, w->node.fd[0], "", uid, gid, AT_EMPTY_PATH);
	vr_walk_end(w);
	return err;
}

int
vr_utimensat(struct vr_task *t, int dirfd, const char *path, const void *times, int flags)
{
	const long *ts = times; /* struct timespec[2]: sec, nsec, sec, nsec */
	struct vr_walk *w;
	char proc[32];
	int err, upfd;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	/* Both times left alone: the kernel answers 0 without a lookup. */
	if (ts && ts[1] == ((1l << 30) - 2) && ts[3] == ((1l << 30) - 2))
		return 0;
	if (!path) {
		/* futimens(): the descriptor itself. */
		path = "";
		flags |= AT_EMPTY_PATH;
	}
	w = change(t, dirfd, path, flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, 1, NULL, &err);
	if (!w)
		return err;
	if ((w->node.st.st_mode & S_IFMT) == S_IFLNK && w->last_type == VR_LAST_NORM) {
		/*
		 * A symlink's own times are set through its directory; after a
		 * copy-up that is the upper copy's directory, never the base's.
		 */
		upfd = w->node.mount ? sys_fcntl(w->cur.fd[0], F_DUPFD_CLOEXEC, 0)
		                     : vr_copyup_parent(w);
		err = upfd < 0 ? upfd
		               : (int)vr_sys4(__NR_utimensat, upfd, w->last, times,
		                              AT_SYMLINK_NOFOLLOW);
		if (upfd >= 0)
			sys_close(upfd);
	} else {
		err = (int)vr_sys4(__NR_utimensat, AT_FDCWD, vr_proc_fd(proc, w->node.fd[0]), times,
		                   0);
	}
	vr_walk_end(w);
	return err;
}

int
vr_truncate(struct vr_task *t, const char *path, long length)
{
	char proc[32];
	int err;
	struct vr_walk *w = change(t, AT_FDCWD, path, 0, 0, length != 0, refuse_non_file, &err);

	if (!w)
		return err;
	err = (int)vr_sys2(__NR_truncate, vr_proc_fd(proc, w->node.fd[0]), length);
	vr_walk_end(w);
	return err;
}
