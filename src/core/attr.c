/*
 * attr.c - changes to an object's attributes: chmod, chown, utimensat,
 * truncate.  A base object is copied up first; then the change is made on
 * the upper copy (or in place in a read-write mount).
 */
#include "coherence.h"
#include "copyup.h"
#include "dcache.h"
#include "perm.h"
#include "place.h"
#include "revmap.h"
#include "util.h"

/*
 * faked() - w->node is an overlay object changed for a faked identity: its
 * owner and mode are kept as owner.h says, not given to the kernel.
 */
static int
faked(const struct vr_walk *w)
{
	return w->t->id.faked && vr_perm_judged(w->ns, &w->node);
}

/*
 * judge() - the owner and mode w->node shows, and the caller's identity,
 * when vroot judges the change (perm.h).  Return: 1 (judge), 0 (the
 * kernel judges), or -errno.
 */
static int
judge(struct vr_walk *w, struct vr_owner *o, struct vr_cred *c)
{
	int err;

	if (!vr_perm_judged(w->ns, &w->node))
		return 0;
	vr_owner_of(w->t, &w->node, o);
	err = vr_cred_get(w->t, c, 0);
	return err < 0 ? err : 1;
}

/* check_chmod() - chmod of a symlink itself (fchmodat2 AT_SYMLINK_NOFOLLOW), then the owner's
 * right. */
static int
check_chmod(struct vr_walk *w, void *arg)
{
	struct vr_owner o;
	struct vr_cred c;
	int err;

	if ((w->node.st.st_mode & S_IFMT) == S_IFLNK)
		return -EOPNOTSUPP;
	err = judge(w, &o, &c);
	return err <= 0 ? err : vr_perm_chmod(&c, &o, arg);
}

/* check_chown() - chown_ok() and chgrp_ok() for the ids at @arg. */
static int
check_chown(struct vr_walk *w, void *arg)
{
	const unsigned int *ids = arg;
	struct vr_owner o;
	struct vr_cred c;
	int err = judge(w, &o, &c);

	return err <= 0 ? err : vr_perm_chown(&c, &o, ids[0], ids[1]);
}

/* check_times() - utimensat(2)'s rule; *@arg: the times are "now". */
static int
check_times(struct vr_walk *w, void *arg)
{
	struct vr_owner o;
	struct vr_cred c;
	int err = judge(w, &o, &c);

	return err <= 0 ? err : vr_perm_utimes(&c, &o, *(int *)arg);
}

/* check_truncate() - truncate(2) of what is not a regular file, write access, a running program. */
static int
check_truncate(struct vr_walk *w, void *arg)
{
	unsigned int t = w->node.st.st_mode & S_IFMT;
	int err;

	(void)arg;
	if (t == S_IFDIR)
		return -EISDIR;
	if (t != S_IFREG)
		return -EINVAL;
	err = vr_perm_obj(w, NULL, VR_MAY_WRITE);
	/* A running program's file, as for open() (ops.c). */
	if (err == 0 && vr_coh_image_busy(w->ns, w->node.st.st_dev, w->node.st.st_ino))
		err = -ETXTBSY;
	return err;
}

/*
 * gone_path() - the call is about descriptor *@dirfd itself (*@path "",
 * AT_EMPTY_PATH in @flags), a removed file (an O_TMPFILE file), which no
 * path names: its magic link, in @proc, leads a walk to the object itself
 * (walk.c's follow_magic()).  Return: 1 when *@dirfd and *@path were set
 * to it, else 0.
 */
static int
gone_path(int *dirfd, const char **path, int flags, char proc[32])
{
	struct stat st;

	if ((*path)[0] || !(flags & AT_EMPTY_PATH) || *dirfd < 0 || sys_fstat(*dirfd, &st) < 0 ||
	    st.st_nlink != 0 || (st.st_mode & S_IFMT) == S_IFDIR)
		return 0;
	*path = vr_proc_fd(proc, *dirfd);
	*dirfd = AT_FDCWD;
	return 1;
}

/*
 * change() - the final object of a walk, made changeable in place (copied
 * up from a base; @with_data 0 when its data will not be kept), unless
 * @check(w, @arg) refuses the call for that object.
 * Return: a walk (release with vr_walk_end()), or NULL with *err.
 */
static struct vr_walk *
change(struct vr_task *t, int dirfd, const char *path, int flags, int allowed, int with_data,
       int (*check)(struct vr_walk *w, void *arg), void *arg, int *err)
{
	unsigned int wf = VR_WALK_FOLLOW | VR_WALK_CHANGE;
	struct vr_walk *w;
	char proc[32];

	if (flags & ~allowed) {
		*err = -EINVAL;
		return NULL;
	}
	if (flags & AT_SYMLINK_NOFOLLOW)
		wf = 0;
	if (flags & AT_EMPTY_PATH)
		wf |= VR_WALK_EMPTY;
	if (gone_path(&dirfd, &path, flags, proc))
		wf = VR_WALK_FOLLOW;
	w = vr_walk_new(t, dirfd, path, wf, err);
	if (!w)
		return NULL;
	/* What the call itself refuses is refused before anything is copied up. */
	*err = check(w, arg);
	if (*err == 0)
		*err = vr_make_writable(w, with_data);
	if (*err < 0) {
		vr_walk_end(w);
		return NULL;
	}
	return w;
}

/* dgen() - the prefix's directory counter now (vr_coh_dgen()) + 1; 0 without one. */
static unsigned long
dgen(struct vr_ns *ns)
{
	unsigned long g;

	return vr_coh_dgen(ns, &g) == 0 ? g + 1 : 0;
}

/*
 * same_as() - directory @fd shows the mode and owner of @before still,
 * and no directory changed through vroot since the counter read @g0,
 * before @before was taken (another process's change of this one in
 * between would otherwise go untold): a chown to its own owner (as tar
 * makes as root) or a chmod to its own mode changed nothing a cached
 * lookup judges by.
 */
static int
same_as(struct vr_ns *ns, int fd, const struct stat *before, unsigned long g0)
{
	struct stat now;

	return sys_fstat(fd, &now) == 0 && now.st_mode == before->st_mode &&
	       now.st_uid == before->st_uid && now.st_gid == before->st_gid && g0 && dgen(ns) == g0;
}

/*
 * dir_changed() - announce a change of directory @st's mode or owner,
 * made after the counter read @g0: only its own node need be taken
 * again when no directory changed since @g0 and @kept says the change
 * took no search bit away (the nodes below it were judged by bits that
 * are all still there); else every process looks its directories up
 * again.  Return: the counter's value.
 */
static unsigned long
dir_changed(struct vr_ns *ns, const struct stat *st, unsigned long g0, int kept)
{
	if (!kept || !g0 || dgen(ns) != g0)
		return vr_coh_bump_dir(ns);
	return vr_coh_dir_renew(ns, st->st_dev, st->st_ino);
}

/*
 * announce() - end walk @w after a change of its object's mode or owner,
 * told to every process on the prefix: a directory's decide who may
 * search it (dcache.c), unless the change was the host's alone (@host: no
 * owner's record written) and left them as they were (@g0: same_as()).
 * @kept: see dir_changed().
 */
static void
announce(struct vr_walk *w, int host, unsigned long g0, int kept)
{
	if (vr_obj_is_dir(&w->node) && (!host || !same_as(w->ns, w->node.fd[0], &w->node.st, g0)))
		dir_changed(w->ns, &w->node.st, g0, kept);
	else
		vr_coh_bump(w->ns);
	vr_walk_end(w);
}

/* kept_x() - a change from mode @old to @mode takes no search bit away. */
static int
kept_x(unsigned int old, unsigned int mode)
{
	return (old & ~mode & 0111) == 0;
}

/*
 * direct() - a change to the program's descriptor @fd itself may be made
 * by the kernel on @fd: it holds an upper-layer object (vr_fd_upper())
 * without an owner's record, and the caller's identity is not faked.  The
 * kernel's check is then the one vroot would make (such a copy shows
 * itself as it is), and nothing is copied up.  Never for an O_PATH
 * descriptor: fgetxattr() refuses it, and the calls through a walk answer
 * for it.  *@st: the descriptor's fstat(), or only its type, device and
 * inode while the number has not changed since the file was last known
 * (vr_fd_upper_known(): a file that is no directory).  Return: 1 or 0.
 */
static int
direct(struct vr_task *t, int fd, struct stat *st)
{
	struct vr_ns *ns = t->ns;
	unsigned long gen, stamp;
	char rec[64];

	if (t->id.faked || fd < 0)
		return 0;
	stamp = vr_fd_stamp(ns, fd);
	if (!vr_fd_upper_known(ns, fd, stamp, st)) {
		if (sys_fstat(fd, st) < 0 || !vr_fd_upper(ns, fd, st))
			return 0;
		vr_fd_upper_stamp(ns, fd, st, stamp);
	}
	if (fd >= VR_UPFD_NOTES || vr_coh_gen(ns, &gen) < 0)
		return sys_fgetxattr(fd, VR_OWNER_XATTR, rec, sizeof(rec)) == -ENODATA;
	/* Known without a record since the last change anywhere on the prefix. */
	if (__atomic_load_n(&ns->fdn[fd].norec, __ATOMIC_RELAXED) == gen + 1)
		return 1;
	if (sys_fgetxattr(fd, VR_OWNER_XATTR, rec, sizeof(rec)) != -ENODATA)
		return 0;
	/* As of @gen, read before: a record set since has moved the counter. */
	__atomic_store_n(&ns->fdn[fd].norec, gen + 1, __ATOMIC_RELAXED);
	return 1;
}

/* direct_at() - direct() for an *at() call's @path "" with AT_EMPTY_PATH alone. */
static int
direct_at(struct vr_task *t, int dirfd, const char *path, int flags, struct stat *st)
{
	return !path[0] && flags == AT_EMPTY_PATH && direct(t, dirfd, st);
}

/*
 * direct_done() - announce() for a change direct() let the kernel make on
 * @st's file, open as @fd (@g0: dgen() before @st was taken; @kept: see
 * dir_changed()): the change sets no record, so what direct() knew of
 * @fd holds on past the counter's own step.
 */
static int
direct_done(struct vr_task *t, int fd, const struct stat *st, int err, unsigned long g0, int kept)
{
	unsigned long gen;

	if (err != 0)
		return err;
	if ((st->st_mode & S_IFMT) == S_IFDIR && !same_as(t->ns, fd, st, g0))
		gen = dir_changed(t->ns, st, g0, kept);
	else
		gen = vr_coh_bump(t->ns);
	/* Known at gen - 1 (stored + 1), and no other change came between. */
	if (gen && fd >= 0 && fd < VR_UPFD_NOTES)
		__atomic_compare_exchange_n(&t->ns->fdn[fd].norec, &gen, gen + 1, 0,
		                            __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	return err;
}

/* not_opath() - the calls about a descriptor itself refuse an O_PATH one (fdget()). */
static int
not_opath(int fd)
{
	long fl = sys_fcntl(fd, F_GETFL, 0);

	return fl < 0 ? (int)fl : (fl & O_PATH) ? -EBADF : 0;
}

/* chmod_walk() - vr_fchmodat() by a walk to the object (@g0: dgen() before it). */
static int
chmod_walk(struct vr_task *t, int dirfd, const char *path, unsigned int mode, int flags,
           unsigned long g0)
{
	int err, kept;
	struct vr_walk *w;

	w = change(t, dirfd, path, flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, 1, check_chmod,
	           &mode, &err);
	if (!w)
		return err;
	if (faked(w)) {
		struct vr_owner o;

		vr_owner_of(t, &w->node, &o);
		kept = kept_x(o.mode, mode);
		o.mode = (o.mode & S_IFMT) | (mode & 07777);
		err = vr_owner_set(t, w->node.fd[0], &o, (unsigned long)-1);
		if (err == 0)
			vr_owner_touched(w->node.fd[0]);
		announce(w, 0, g0, kept);
		return err;
	}
	if (vr_perm_judged(w->ns, &w->node)) {
		struct vr_owner o;

		/*
		 * A copy with a record keeps the owner's read and write bits on
		 * the host (owner.h), or its record could not be read or written
		 * again: the mode goes into the record, as a faked identity's.
		 */
		if (vr_owner_read(w->node.fd[0], w->node.st.st_mode, &o) > 0) {
			kept = kept_x(o.mode, mode);
			o.mode = (o.mode & S_IFMT) | (mode & 07777);
			err = vr_owner_set(t, w->node.fd[0], &o, (unsigned long)-1);
			announce(w, 0, g0, kept);
			return err;
		}
	}
	err = (int)vr_chmod_fd(w->node.fd[0], mode);
	announce(w, 1, g0, kept_x(w->node.st.st_mode, mode));
	return err;
}

int
vr_fchmodat(struct vr_task *t, int dirfd, const char *path, unsigned int mode, int flags)
{
	unsigned long g0 = dgen(t->ns);
	struct stat st;

	if (direct_at(t, dirfd, path, flags, &st))
		return direct_done(t, dirfd, &st, (int)vr_sys2(__NR_fchmod, dirfd, mode), g0,
		                   kept_x(st.st_mode, mode));
	return chmod_walk(t, dirfd, path, mode, flags, g0);
}

int
vr_fchmod(struct vr_task *t, int fd, unsigned int mode)
{
	unsigned long g0 = dgen(t->ns);
	struct stat st;
	int err;

	if (direct(t, fd, &st))
		return direct_done(t, fd, &st, (int)vr_sys2(__NR_fchmod, fd, mode), g0,
		                   kept_x(st.st_mode, mode));
	err = not_opath(fd);
	return err < 0 ? err : chmod_walk(t, fd, "", mode, AT_EMPTY_PATH, g0);
}

/* chown_walk() - vr_fchownat() by a walk to the object (@g0: dgen() before it). */
static int
chown_walk(struct vr_task *t, int dirfd, const char *path, unsigned int uid, unsigned int gid,
           int flags, unsigned long g0)
{
	unsigned int ids[2] = {uid, gid};
	int err;
	struct vr_walk *w;

	w = change(t, dirfd, path, flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, 1, check_chown, ids,
	           &err);
	if (!w)
		return err;
	if (faked(w)) {
		struct vr_owner o;
		struct vr_cred c;

		vr_owner_of(t, &w->node, &o);
		/*
		 * chown_common(): chown clears set-user-ID, and set-group-ID
		 * when executable or when the caller is neither in the file's
		 * group nor holds CAP_FSETID (setattr_should_drop_sgid()).
		 */
		if ((o.mode & S_IFMT) != S_IFDIR && (o.mode & S_IFMT) != S_IFLNK) {
			o.mode &= ~(unsigned int)S_ISUID;
			if ((o.mode & S_IXGRP) ||
			    ((o.mode & S_ISGID) && vr_cred_get(t, &c, 0) == 0 &&
			     !vr_cred_in_group(&c, o.gid) && !vr_cred_capable(&c, VR_CAP_FSETID)))
				o.mode &= ~(unsigned int)S_ISGID;
		}
		o.uid = uid == (unsigned int)-1 ? o.uid : uid;
		o.gid = gid == (unsigned int)-1 ? o.gid : gid;
		err = vr_owner_set(t, w->node.fd[0], &o, (unsigned long)-1);
		if (err == 0)
			vr_owner_touched(w->node.fd[0]);
		announce(w, 0, g0, 0);
		return err;
	}
	err = (int)vr_sys5(__NR_fchownat, w->node.fd[0], "", uid, gid, AT_EMPTY_PATH);
	if (err == 0 && vr_perm_judged(w->ns, &w->node))
		err = vr_owner_update(w->node.fd[0], w->node.st.st_mode, uid, gid);
	announce(w, err == 0, g0, 0);
	return err < 0 ? err : 0;
}

int
vr_fchownat(struct vr_task *t, int dirfd, const char *path, unsigned int uid, unsigned int gid,
            int flags)
{
	unsigned long g0 = dgen(t->ns);
	struct stat st;

	if (direct_at(t, dirfd, path, flags, &st))
		return direct_done(t, dirfd, &st, (int)vr_sys3(__NR_fchown, dirfd, uid, gid), g0,
		                   0);
	return chown_walk(t, dirfd, path, uid, gid, flags, g0);
}

int
vr_fchown(struct vr_task *t, int fd, unsigned int uid, unsigned int gid)
{
	unsigned long g0 = dgen(t->ns);
	struct stat st;
	int err;

	if (direct(t, fd, &st))
		return direct_done(t, fd, &st, (int)vr_sys3(__NR_fchown, fd, uid, gid), g0, 0);
	err = not_opath(fd);
	return err < 0 ? err : chown_walk(t, fd, "", uid, gid, AT_EMPTY_PATH, g0);
}

/* UTIME_OMIT, as a timespec's nanoseconds say it. */
#define UTIME_OMIT_NS ((1l << 30) - 2)

int
vr_utimensat(struct vr_task *t, int dirfd, const char *path, const void *times, int flags)
{
	const long *ts = times; /* struct timespec[2]: sec, nsec, sec, nsec */
	struct vr_walk *w;
	struct stat st;
	int err, upfd, now, own = 0;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	/* Both times left alone: the kernel answers 0 without a lookup. */
	if (ts && ts[1] == UTIME_OMIT_NS && ts[3] == UTIME_OMIT_NS)
		return 0;
	if (!path) {
		/* futimens(): the descriptor itself, as do_utimes() takes it. */
		if (dirfd == AT_FDCWD)
			return -EFAULT;
		if (flags)
			return -EINVAL;
		if (direct(t, dirfd, &st))
			return (int)vr_sys4(__NR_utimensat, dirfd, NULL, times, 0);
		err = not_opath(dirfd);
		if (err < 0)
			return err;
		path = "";
		flags = AT_EMPTY_PATH;
	} else if (direct_at(t, dirfd, path, flags, &st)) {
		return (int)vr_sys4(__NR_utimensat, dirfd, NULL, times, 0);
	}
	/* No times, or both "now": the owner or a writer may (do_utimes()). */
	now = !ts || (ts[1] == ((1l << 30) - 1) && ts[3] == ((1l << 30) - 1));
	/* Both times given: a copy-up need not copy the base's first. */
	w = change(t, dirfd, path, flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH,
	           ts && ts[1] != UTIME_OMIT_NS && ts[3] != UTIME_OMIT_NS ? 1 | VR_COPY_NEW_TIMES : 1,
	           check_times, &now, &err);
	if (!w)
		return err;
	if ((w->node.st.st_mode & S_IFMT) == S_IFLNK && w->last_type == VR_LAST_NORM) {
		/*
		 * A symlink's own times are set through its directory; after a
		 * copy-up that is the upper copy's directory, never the base's.
		 */
		upfd = w->node.mount ? w->cur.fd[0] : vr_copyup_parent(w, &own);
		err = upfd < 0 ? upfd
		               : (int)vr_sys4(__NR_utimensat, upfd, w->last, times,
		                              AT_SYMLINK_NOFOLLOW);
		if (upfd >= 0 && own)
			sys_close(upfd);
	} else {
		/* The object itself, through its descriptor (O_PATH: AT_EMPTY_PATH, Linux 5.8). */
		err = (int)vr_sys4(__NR_utimensat, w->node.fd[0], "", times, AT_EMPTY_PATH);
	}
	vr_walk_end(w);
	return err;
}

int
vr_truncate(struct vr_task *t, const char *path, long length)
{
	char proc[32];
	int err;
	struct vr_walk *w =
	        change(t, AT_FDCWD, path, 0, 0, length != 0, check_truncate, NULL, &err);

	if (!w)
		return err;
	err = (int)vr_sys2(__NR_truncate, vr_proc_fd(proc, w->node.fd[0]), length);
	if (err == 0 && faked(w))
		err = vr_owner_written(t, w->node.fd[0]);
	vr_walk_end(w);
	return err;
}
