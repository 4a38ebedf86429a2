/*
 * copyup.c - copying a base object into the upper layer before it changes.
 *
 * Parents first (vr_walk_upper_dir), then the object: data, mode, times,
 * extended attributes and, when the process may, ownership.  Every copy is
 * built in the work directory and appears in the upper layer in one step:
 * an O_TMPFILE linked into place, or a named temporary renamed with
 * RENAME_NOREPLACE.  A copy killed half-way is never visible; a second
 * process copying the same object concurrently loses the race cleanly and
 * uses the winner's copy.
 */
#include "copyup.h"
#include "foldidx.h"
#include "dcache.h"
#include "helper.h"
#include "owner.h"
#include "place.h"
#include "readdir.h"
#include "util.h"
#include "coherence.h"
#include "revmap.h"

#define COPY_BUF (64u * 1024u)

#ifndef SEEK_DATA
#define SEEK_DATA 3
#define SEEK_HOLE 4
#endif

/*
 * copy_xattrs() - the object's own attributes (not the overlay's), best
 * effort: from @src (@sdirect: open for reading, else named as @sname
 * names it to vr_xattr_get(): "." a directory, "" anything else) to
 * @dst, open for reading or writing.  Return: 1 when one was given that
 * a chown removes (file capabilities: the kernel's ATTR_KILL_PRIV),
 * else 0.
 */
static int
copy_xattrs(struct vr_scratch *s, int src, int sdirect, const char *sname, int dst)
{
	size_t mark = s->used;
	char *list = vr_alloc(s, 16384), *val = vr_alloc(s, 16384);
	int killed = 0;
	long n;

	if (!list || !val)
		goto out;
	n = sdirect ? vr_sys3(__NR_flistxattr, src, list, 16384)
	            : vr_xattr_list(src, sname, list, 16384);
	for (long i = 0; i < n; i += (long)vr_strlen(list + i) + 1) {
		long v;

		if (vr_xattr_hidden(list + i))
			continue;
		v = sdirect ? vr_sys4(__NR_fgetxattr, src, list + i, val, 16384)
		            : vr_xattr_get(src, sname, list + i, val, 16384);
		if (v >= 0 && vr_sys5(__NR_fsetxattr, dst, list + i, val, v, 0) == 0 &&
		    vr_strcmp(list + i, "security.capability") == 0)
			killed = 1;
	}
out:
	s->used = mark;
	return killed;
}

/*
 * put_times() - the access and modification times of @st onto @fd (O_PATH
 * or not).  A copy's own, and those of the upper directory a copy goes
 * into, read before and put back after: a copy-up changes nothing the
 * program can see there (kernel overlayfs puts them back too, with
 * ovl_set_timestamps(); the change time moves, as there).
 */
static int
put_times(int fd, const struct stat *st)
{
	struct {
		long sec, nsec;
	} ts[2] = {{(long)st->st_atime, (long)st->st_atime_nsec},
	           {(long)st->st_mtime, (long)st->st_mtime_nsec}};

	return (int)vr_sys4(__NR_utimensat, fd, "", ts, AT_EMPTY_PATH);
}

/* What copy_attrs() tells. */
#define ATTR_OWNED 1 /* the copy has the object's owner on the host: no record */
#define ATTR_KNOWN 2 /* *now tells the copy's owner, mode and times */

/*
 * copy_attrs() - owner, mode and times of @st onto @fd: the owner given
 * when the process may, else recorded (owner.h), so the copy shows what
 * the object showed.  @direct: @fd is open for reading or writing, and is
 * changed through itself (else, an O_PATH descriptor, by AT_EMPTY_PATH
 * and vr_chmod_fd()).  @times 0: the times are left to the caller, who
 * sets them next.  @now (@direct only, may be NULL): @fd's fstat(), so
 * that an owner or a mode it has already is not given again; it is
 * brought up to date with what is given (all but st_ctime).  Return:
 * ATTR_* bits.
 */
static int
copy_attrs(int fd, const struct stat *st, int direct, int times, struct stat *now)
{
	int owned = vr_owner_keep(fd, st, direct ? now : NULL), known = direct && now;

	if ((st->st_mode & S_IFMT) == S_IFLNK)
		return owned;
	if (!direct) {
		vr_chmod_fd(fd, st->st_mode & 07777);
		put_times(fd, st);
		return owned;
	}
	/* A chown refused changed nothing; one made cleared no set-ID bit: there were none. */
	if (known && owned) {
		now->st_uid = st->st_uid;
		now->st_gid = st->st_gid;
	}
	if (!known || (now->st_mode & 07777) != (st->st_mode & 07777)) {
		if (vr_sys2(__NR_fchmod, fd, st->st_mode & 07777) < 0)
			known = 0;
		else if (known)
			now->st_mode = (now->st_mode & S_IFMT) | (st->st_mode & 07777);
	}
	if (times && put_times(fd, st) < 0) {
		known = 0;
	} else if (times && known) {
		now->st_atime = st->st_atime;
		now->st_atime_nsec = st->st_atime_nsec;
		now->st_mtime = st->st_mtime;
		now->st_mtime_nsec = st->st_mtime_nsec;
	}
	return owned | (known ? ATTR_KNOWN : 0);
}

/*
 * place() - move temporary @tmp of directory @wd (the work directory) to
 * @upfd/@name, never over an existing name.  Return: 0, 1 when another
 * copy got there first (the temporary is removed), or -errno.
 */
static int
place(int wd, const char *tmp, int upfd, const char *name, int isdir)
{
	int err = (int)vr_sys5(__NR_renameat2, wd, tmp, upfd, name, 1 /* NOREPLACE */);

	if (err == -EEXIST) {
		vr_sys3(__NR_unlinkat, wd, tmp, isdir ? AT_REMOVEDIR : 0);
		return 1;
	}
	if (err < 0)
		vr_sys3(__NR_unlinkat, wd, tmp, isdir ? AT_REMOVEDIR : 0);
	return err;
}

/*
 * set_origin() - the copy @fd of @o remembers where it came from, so it
 * keeps the base object's inode number (index.c); @index: it is the index
 * entry of a file with several links.  Return: 0 or -errno; only an index
 * entry needs it (elsewhere, without user xattrs in the prefix, a copy
 * just shows a number of its own).
 */
static int
set_origin(int fd, const struct vr_obj *o, int index, int direct)
{
	struct vr_origin org = {o->st.st_dev, o->st.st_ino, 0};

	if (index) {
		org.dev = o->odev;
		org.ino = o->oino;
		org.nlink = o->onlink;
	}
	return vr_origin_set(fd, &org, direct);
}

static int
open_upper(int upfd, const char *name, int dir)
{
	return sys_openat(upfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC | (dir ? O_DIRECTORY : 0), 0);
}

/*
 * mark_dir() - upper directory @upfd, where a copy was just made, is
 * marked impure; when @w and @st are given (@upfd is a directory of the
 * cache's, showing @st), asked of the disk only when the cache does not
 * know it so already.
 */
static void
mark_dir(struct vr_walk *w, int upfd, const struct stat *st)
{
	if (w && st && vr_dc_impure_known(w, st))
		return;
	if (vr_mark_impure(upfd) == 0 && w && st)
		vr_dc_impure_note(w, st);
}

/*
 * make_dir() - vr_make_upper_dir(), with @upfd marked impure as
 * mark_dir(@w, @upfd, @upst) does; *@made (when not NULL): the copy is the
 * one made here, with neither an owner's record nor the impure mark, else 0.
 */
static int
make_dir(struct vr_ns *ns, int upfd, const char *name, const struct vr_obj *lower, int *made,
         struct vr_walk *w, const struct stat *upst)
{
	struct vr_scratch s;
	struct stat now, pst;
	char tmp[VR_TMP_LEN];
	int fd, err, locked, plain = 0, caps = 0, wd = ns->work.fd, ptimes;

	if (made)
		*made = 0;
	ptimes = sys_fstat(upfd, &pst) == 0; /* put back once the copy is in */
	vr_tmp_name(tmp);
	/*
	 * Made with the copy's own permissions (unseen in the work
	 * directory), so that they need no chmod when they come out so.
	 */
	err = (int)vr_sys3(__NR_mkdirat, ns->work.fd, tmp, (lower->st.st_mode & 0777) | 0700);
	/*
	 * A caller who may not write the work directory (another user than
	 * the one who started the session): the session's privileged helper
	 * makes the copy when there is one (root started the session), so it
	 * has its owner; else the caller builds it next to where it goes, its
	 * temporary name showing in that listing meanwhile.
	 */
	if ((err == -EACCES || err == -EPERM) && vr_helper_copy(ns, upfd, name) >= 0)
		return open_upper(upfd, name, 1);
	if (err == -EACCES || err == -EPERM) {
		wd = upfd;
		err = (int)vr_sys3(__NR_mkdirat, wd, tmp, 0700);
	}
	if (err < 0)
		return err;
	/*
	 * Open for reading (its owner may, at 0700): its attributes are set
	 * through it, and it stays the copy's descriptor after the move.
	 */
	fd = sys_openat(wd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd < 0) {
		vr_sys3(__NR_unlinkat, wd, tmp, AT_REMOVEDIR);
		return fd;
	}
	if (vr_scratch_get(&ns->pool, &s) == 0) {
		caps = copy_xattrs(&s, lower->fd[0], 0, ".", fd);
		vr_scratch_put(&ns->pool, &s);
	}
	set_origin(fd, lower, 0, 1);
	plain = copy_attrs(fd, &lower->st, 1, 1, !caps && sys_fstat(fd, &now) == 0 ? &now : NULL) &
	        ATTR_OWNED;
	/* Moving a directory writes its "..": a mode keeping its owner out waits. */
	locked = (lower->st.st_mode & 0700) != 0700;
	if (locked)
		vr_sys2(__NR_fchmod, fd, (lower->st.st_mode & 07777) | 0700);
	err = place(wd, tmp, upfd, name, 1);
	if (err != 0) {
		sys_close(fd);
		if (err < 0)
			return err;
		/* Another copy got there first: that one is the copy. */
		fd = open_upper(upfd, name, 1);
		locked = 0;
		plain = 0;
	} else if (ptimes) {
		put_times(upfd, &pst);
	}
	mark_dir(w, upfd, upst);
	if (fd >= 0 && locked)
		vr_sys2(__NR_fchmod, fd, lower->st.st_mode & 07777);
	if (made && fd >= 0)
		*made = plain;
	return fd;
}

int
vr_make_upper_dir(struct vr_ns *ns, int upfd, const char *name, const struct vr_obj *lower)
{
	return make_dir(ns, upfd, name, lower, NULL, NULL, NULL);
}

/*
 * copy_range() - bytes [off, end) of @in to @out: in the kernel when it
 * can (*@kernel, cleared when it cannot).
 */
static int
copy_range(int in, int out, long off, long end, char *buf, int *kernel)
{
	while (off < end) {
		long lo = off, n = -EXDEV;

		if (*kernel)
			n = vr_sys6(__NR_copy_file_range, in, (long)&lo, out, (long)&lo, end - off, 0);
		if (n == 0)
			return 0; /* the file shrank under us */
		if (n < 0) {
			/* Across filesystems, or unsupported: read and write. */
			if (n == -EXDEV || n == -EOPNOTSUPP || n == -ENOSYS || n == -EINVAL)
				*kernel = 0;
			n = vr_sys4(__NR_pread64, in, buf, VR_MIN((long)COPY_BUF, end - off), off);
			if (n <= 0)
				return (int)n;
			n = vr_sys4(__NR_pwrite64, out, buf, n, off);
			if (n < 0)
				return (int)n;
		}
		off += n;
	}
	return 0;
}

/*
 * copy_data() - the file's data, its holes kept as holes.  A file whose
 * blocks cover its size (@blocks of 512 bytes) has none to keep: copied
 * in one go, without asking where its data lies.
 */
static int
copy_data(int in, int out, long size, long blocks, char *buf, int *kernel)
{
	long off = 0;
	int err;

	if (blocks * 512 >= size)
		return copy_range(in, out, 0, size, buf, kernel);
	while (off < size) {
		long data = vr_sys3(__NR_lseek, in, off, SEEK_DATA), hole;

		if (data == -ENXIO)
			break; /* only a hole is left */
		if (data < 0)
			return copy_range(in, out, off, size, buf, kernel);
		hole = vr_sys3(__NR_lseek, in, data, SEEK_HOLE);
		if (hole < 0)
			hole = size;
		err = copy_range(in, out, data, VR_MIN(hole, size), buf, kernel);
		if (err < 0)
			return err;
		off = hole;
	}
	return (int)vr_sys2(__NR_ftruncate, out, size);
}

/*
 * tmp_file() - an unnamed file in the work directory, or a named one, of
 * permissions @mode (and the owner's read and write, which the copying
 * needs).  A caller who may not write the work directory (another user
 * than the one who started the session) gets an unnamed file in @upfd,
 * where the copy goes: unseen until linked there all the same; unless the
 * session has a privileged helper, which makes the copy then (vr_copyup()).
 */
static int
tmp_file(const struct vr_ns *ns, int upfd, char *tmp, unsigned int mode)
{
	int fd;

	/* The copy's own permissions, so that they need no chmod when they come out so. */
	mode = (mode & 0777) | 0600;
	fd = sys_openat(ns->work.fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
	tmp[0] = '\0';
	if ((fd == -EACCES || fd == -EPERM) && ns->helper_fd < 0) {
		int up = sys_openat(upfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, mode);

		return up >= 0 ? up : fd;
	}
	if (fd != -EOPNOTSUPP && fd != -EISDIR && fd != -EINVAL)
		return fd;
	vr_tmp_name(tmp);
	return sys_openat(ns->work.fd, tmp, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, mode);
}

/*
 * link_copy() - unnamed file @fd gets its name @upfd/@name: through the
 * descriptor itself where the process may (CAP_DAC_READ_SEARCH), which
 * spares the kernel a lookup of its /proc/self/fd path; through that
 * path otherwise.  Return: 0 or -errno.
 */
static int
link_copy(struct vr_ns *ns, int fd, int upfd, const char *name)
{
	char p[32];
	int err;

	if (__atomic_load_n(&ns->up_empty_link, __ATOMIC_RELAXED) >= 0) {
		err = (int)vr_sys5(__NR_linkat, fd, "", upfd, name, AT_EMPTY_PATH);
		/* Refused for want of the capability: ENOENT, as for no file. */
		if (err != -ENOENT && err != -EPERM) {
			__atomic_store_n(&ns->up_empty_link, 1, __ATOMIC_RELAXED);
			return err;
		}
		if (__atomic_load_n(&ns->up_empty_link, __ATOMIC_RELAXED) == 0)
			__atomic_store_n(&ns->up_empty_link, -1, __ATOMIC_RELAXED);
	}
	return (int)vr_sys5(__NR_linkat, AT_FDCWD, vr_proc_fd(p, fd), upfd, name,
	                    AT_SYMLINK_FOLLOW);
}

/*
 * copy_file() - a copy of regular file @o at @upfd/@name (@index: the
 * index entry of a file with several links; @with_data as
 * vr_make_writable() takes it; @keep, when not NULL, gets the copy's own
 * descriptor (open for reading and writing, naming no path) when it was
 * made unnamed and linked there, else -1, and @kst then its attributes,
 * st_ctime aside, which the kernel has moved since (vr_copyup()'s callers
 * change the object next, and read its type, owner and mode), or
 * st_nlink 0 when they are not known without asking).  Return: 0, 1
 * when another copy got there first, or -errno (-EOPNOTSUPP: an index
 * entry on a filesystem without user xattrs).  @in: @o open for reading
 * (open_source()), taken; or -1, and @o's descriptor is opened again
 * through /proc/self/fd when the data is copied.
 */
static int
copy_file(struct vr_ns *ns, struct vr_scratch *s, const struct vr_obj *o, int upfd,
          const char *name, int with_data, int index, int *keep, struct stat *kst, int in)
{
	char tmp[VR_TMP_LEN], p[32];
	char *buf = vr_alloc(s, COPY_BUF);
	int out, err, caps = 0, known = 0;
	struct stat now;

	if (keep)
		*keep = -1;
	out = buf ? tmp_file(ns, upfd, tmp, o->st.st_mode) : -ENOMEM;
	if (out < 0) {
		if (in >= 0)
			sys_close(in);
		return out;
	}
	err = 0;
	if (with_data & 1) {
		unsigned int bit = 1u << (o->layer[0] % 32);
		int kernel = !(__atomic_load_n(&ns->no_kernel_copy, __ATOMIC_RELAXED) & bit);

		if (in < 0)
			in = sys_openat(AT_FDCWD, vr_proc_fd(p, o->fd[0]), O_RDONLY | O_CLOEXEC, 0);
		err = in < 0 ? in : copy_data(in, out, o->st.st_size, o->st.st_blocks, buf, &kernel);
		if (!kernel)
			__atomic_or_fetch(&ns->no_kernel_copy, bit, __ATOMIC_RELAXED);
	}
	if (err == 0) {
		caps = copy_xattrs(s, in >= 0 ? in : o->fd[0], in >= 0, "", out);
		/* An index entry without its link count would be unusable. */
		err = set_origin(out, o, index, 1);
		if (!index)
			err = 0;
	}
	if (err == 0) {
		/* All else is in: owner, mode, times and the link change it now. */
		known = !caps && sys_fstat(out, &now) == 0;
		known = copy_attrs(out, &o->st, 1, !(with_data & VR_COPY_NEW_TIMES),
		                   known ? &now : NULL) &
		        ATTR_KNOWN;
		if (tmp[0]) {
			err = place(ns->work.fd, tmp, upfd, name, 0);
			tmp[0] = '\0';
		} else {
			err = link_copy(ns, out, upfd, name);
			if (err == -EEXIST)
				err = 1;
			if (err == 0 && keep) {
				*keep = out;
				out = -1;
				/* Linked, once: ctime aside, as the kernel would show it. */
				if (kst && known) {
					vr_memcpy(kst, &now, sizeof(now));
					kst->st_nlink = 1;
				} else if (kst) {
					kst->st_nlink = 0;
				}
			}
		}
	}
	if (tmp[0])
		vr_sys3(__NR_unlinkat, ns->work.fd, tmp, 0);
	if (in >= 0)
		sys_close(in);
	if (out >= 0)
		sys_close(out);
	return err;
}

/* copy_special() - a symlink, FIFO, socket or device node. */
static int
copy_special(struct vr_ns *ns, struct vr_scratch *s, const struct vr_obj *o, int upfd,
             const char *name)
{
	char tmp[VR_TMP_LEN];
	int err, fd;

	vr_tmp_name(tmp);
	if ((o->st.st_mode & S_IFMT) == S_IFLNK) {
		char *body = vr_alloc(s, PATH_MAX);
		long n = body ? ns->ops->readlink(o->fd[0], "", body, PATH_MAX - 1) : -ENOMEM;

		if (n < 0)
			return (int)n;
		body[n] = '\0';
		err = (int)vr_sys3(__NR_symlinkat, body, ns->work.fd, tmp);
	} else {
		err = (int)vr_sys4(__NR_mknodat, ns->work.fd, tmp, (o->st.st_mode & ~07777u) | 0600,
		                   o->st.st_rdev);
	}
	if (err < 0)
		return err;
	fd = open_upper(ns->work.fd, tmp, 0);
	if (fd >= 0) {
		copy_attrs(fd, &o->st, 0, 1, NULL);
		sys_close(fd);
	}
	return place(ns->work.fd, tmp, upfd, name, 0);
}

/* The directories gain_upper() copies at most: a deeper chain takes the general way. */
#define GAIN_LEVELS 8

/*
 * gain_upper() - w->cur, a cached directory of the base layers, gets its
 * copy in the upper layer, and so do the cached directories above it
 * that have none yet, from the deepest one that has (or the root) down;
 * each node gets its copy on top, and w->cur too.  The common case of a
 * change in a directory not yet copied: no walk again from the root, and
 * the next walk finds the nodes as they now are.  Return: w->cur's copy's
 * descriptor (the cache's), or -1 to take the general way (which finds
 * the levels made here already made).
 */
static int
gain_upper(struct vr_walk *w)
{
	struct vr_ns *ns = w->ns;
	struct vr_obj *d = &w->cur, gp = {0};
	size_t ends[GAIN_LEVELS], g;
	struct stat st, upst;
	const struct stat *pst = NULL;
	unsigned int n = 0;
	int up, fd = -1, made = 0;

	if (!ns->has_upper || !w->dc_locked || w->dc_ro || ns->casefold || d->nfd == 0 ||
	    d->owned || d->mount || d->synthetic || d->byname || d->indexed || w->plen < 2 ||
	    w->vpath[0] != '/')
		return -1;
	/* w->vpath[0..ends[i]): w->cur, then each parent without a copy, deepest first. */
	ends[n++] = w->plen;
	for (;;) {
		g = ends[n - 1];
		while (g > 0 && w->vpath[g - 1] != '/')
			g--;
		if (g == ends[n - 1] || ends[n - 1] - g > NAME_MAX)
			return -1;
		if (g == 1) {
			up = ns->layers[0].fd;
			break;
		}
		if (!vr_dc_get_at(w, w->vpath, g - 1, &gp) || gp.mount || gp.synthetic ||
		    gp.nfd == 0 || gp.owned || gp.byname || gp.indexed)
			return -1;
		if (gp.layer[0] == 0) {
			up = gp.fd[0];
			vr_memcpy(&upst, &gp.st, sizeof(upst));
			pst = &upst;
			break;
		}
		if (n == GAIN_LEVELS)
			return -1;
		ends[n++] = g - 1;
	}
	while (n-- > 0) {
		struct vr_obj *o = n == 0 ? d : &gp;
		size_t end = ends[n], at = end;
		char name[NAME_MAX + 1];

		while (at > 0 && w->vpath[at - 1] != '/')
			at--;
		vr_memcpy(name, w->vpath + at, end - at);
		name[end - at] = '\0';
		if (n > 0 && (!vr_dc_get_at(w, w->vpath, end, &gp) || gp.mount || gp.synthetic ||
		              gp.nfd == 0 || gp.owned || gp.byname || gp.indexed || gp.layer[0] == 0))
			return -1;
		fd = make_dir(ns, up, name, o, &made, w, pst);
		vr_coh_dir_copied(ns, o->st.st_dev, o->st.st_ino);
		if (fd < 0)
			return -1;
		if (sys_fstat(fd, &st) < 0 || vr_dc_gain_upper(w, end, o, fd, &st, made) < 0) {
			sys_close(fd);
			return -1;
		}
		up = o->fd[0];
		vr_memcpy(&upst, &st, sizeof(upst));
		pst = &upst;
	}
	/* Its first copy marks it: known unmarked, it is marked without asking. */
	w->fresh_dev = made ? st.st_dev : 0;
	w->fresh_ino = made ? st.st_ino : 0;
	return d->fd[0];
}

/*
 * parent_upper() - the upper copy of w's parent directory, made if missing;
 * *@own: it is the caller's to close (0: the walk's own, which outlives
 * the caller's use of it).
 */
static int
parent_upper(struct vr_walk *w, int *own)
{
	struct vr_walk *w2;
	char *path;
	int fd, err;

	*own = 0;
	if (w->cur.nfd > 0 && !w->cur.mount && !w->cur.synthetic && w->cur.layer[0] == 0)
		return w->cur.fd[0];
	fd = gain_upper(w);
	if (fd >= 0)
		return fd;
	*own = 1;
	path = vr_alloc(&w->s, w->plen + 1);
	if (!path)
		return -ENOMEM;
	vr_memcpy(path, w->vpath, w->plen);
	path[w->plen] = '\0';
	w2 = vr_walk_begin(w->t, &err);
	if (!w2)
		return err;
	/* The directories above are mostly in the cache @w holds: read them there. */
	w2->dc_ro = w->dc_locked;
	fd = vr_walk_upper_dir(w2, path, vr_make_upper_dir);
	vr_walk_end(w2);
	return fd;
}

int
vr_copyup_parent(struct vr_walk *w, int *own)
{
	*own = 0;
	if (w->last_type != VR_LAST_NORM)
		return -EBUSY;
	/* w->last changes there next: a folded index of the directory follows. */
	vr_fold_note(w, &w->cur, w->last, w->lastlen);
	return parent_upper(w, own);
}

/* set_copy() - w->node becomes the upper-layer object @fd (taken), of stat @st. */
static void
set_copy(struct vr_walk *w, int fd, const struct stat *st)
{
	vr_obj_put(&w->node);
	w->node.exists = 1;
	w->node.synthetic = 0;
	w->node.mount = NULL;
	w->node.nfd = 1;
	w->node.fd[0] = fd;
	w->node.layer[0] = 0;
	w->node.owned = 1;
	vr_memcpy(&w->node.st, st, sizeof(*st));
}

/*
 * reload() - w->node becomes the upper object @upfd/@name, looked up by
 * name: the copy's own descriptor from O_TMPFILE names no path, and the
 * program's descriptors re-pointed from it (repoint_fds()) would have none.
 */
static int
reload(struct vr_walk *w, int upfd)
{
	struct stat st;
	int fd, err = w->ns->ops->lookup(upfd, w->last, &fd, &st);

	if (err < 0)
		return err;
	set_copy(w, fd, &st);
	return 0;
}

/*
 * base_readers_clean() - no base file was opened for reading since the
 * last look at this process's descriptors found none (each_base_reader()).
 */
static int
base_readers_clean(const struct vr_ns *ns)
{
	unsigned long start = __atomic_load_n(&ns->base_reads, __ATOMIC_ACQUIRE);

	return __atomic_load_n(&ns->base_reads_clean, __ATOMIC_RELAXED) == start + 1;
}

/*
 * take_copy() - w->node becomes the copy just made, held by its own
 * descriptor @fd (taken), of attributes *@kst when known (st_nlink not 0,
 * as copy_file() gives them), else read: for a caller that changes the
 * object through its descriptor and lets it go (VR_WALK_CHANGE), when no
 * descriptor of the program needs to follow the copy
 * (base_readers_clean()).  Return: 0, or 1 when @fd was not taken (the
 * caller looks the copy up by name).
 */
static int
take_copy(struct vr_walk *w, int fd, struct stat *kst)
{
	if (kst->st_nlink == 0 && sys_fstat(fd, kst) < 0) {
		sys_close(fd);
		return 1;
	}
	set_copy(w, fd, kst);
	return 0;
}

/*
 * merge_upper() - directory w->node gains its new upper copy on top: @fd,
 * the copy's descriptor (taken), or looked up by name when -1.
 */
static int
merge_upper(struct vr_walk *w, int upfd, int fd)
{
	struct vr_obj *o = &w->node;
	struct stat st;
	int err = fd >= 0 ? sys_fstat(fd, &st) : w->ns->ops->lookup(upfd, w->last, &fd, &st);

	if (err < 0) {
		if (fd >= 0)
			sys_close(fd);
		return err;
	}
	if (o->nfd >= VR_MAX_LAYERS) {
		sys_close(fd);
		return -ENOMEM;
	}
	vr_memmove(o->fd + 1, o->fd, o->nfd * sizeof(o->fd[0]));
	vr_memmove(o->layer + 1, o->layer, o->nfd);
	o->owned <<= 1;
	o->fd[0] = fd;
	o->layer[0] = 0;
	o->owned |= 1;
	o->nfd++;
	vr_memcpy(&o->st, &st, sizeof(st));
	return 0;
}

int
vr_copyup_index(struct vr_walk *w, int idx, const char *key)
{
	size_t mark = w->s.used;
	int err = copy_file(w->ns, &w->s, &w->node, idx, key, 1, 1, NULL, NULL, -1);

	w->s.used = mark;
	return err < 0 ? err : 0;
}

/*
 * copy_linked() - a base file with several links: its one shared copy in
 * the index (made if missing, with all its data whatever the caller asked:
 * the other names need it), linked to the upper name.
 */
static int
copy_linked(struct vr_walk *w, int upfd)
{
	char key[VR_INDEX_KEY];
	int idx = vr_index_ready(w, key, vr_copyup_index), err;

	/* No user xattrs in the prefix: the name becomes a file of its own. */
	if (idx == -EOPNOTSUPP)
		return copy_file(w->ns, &w->s, &w->node, upfd, w->last, 1, 0, NULL, NULL, -1);
	if (idx < 0)
		return idx;
	vr_index_lock(idx, 1);
	err = (int)vr_sys5(__NR_linkat, idx, key, upfd, w->last, 0);
	/* Counted once: a racing copier of this very name linked it first. */
	if (err == 0)
		err = vr_index_hidden(idx, key, 1);
	else if (err == -EEXIST)
		err = 0;
	vr_index_lock(idx, 0);
	sys_close(idx);
	return err;
}

/*
 * repoint_one() - descriptor @fd, open on the base file, reads the copy @up
 * (an O_PATH descriptor) from now on: the same number, offset, status
 * flags and close-on-exec flag.  Left as it was when the copy cannot be
 * opened so.
 */
static void
repoint_one(int fd, long fl, int up)
{
	long fdfl = sys_fcntl(fd, F_GETFD, 0);
	long off = vr_sys3(__NR_lseek, fd, 0, 1 /* SEEK_CUR */);
	char p[32];
	int nfd;

	if (fdfl < 0)
		return;
	nfd = sys_openat(AT_FDCWD, vr_proc_fd(p, up),
	                 (int)(fl & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY | O_NOFOLLOW)) | O_CLOEXEC,
	                 0);
	if (nfd < 0)
		return;
	if (off <= 0 || vr_sys3(__NR_lseek, nfd, off, 0 /* SEEK_SET */) == off)
		vr_sys3(__NR_dup3, nfd, fd, (fdfl & FD_CLOEXEC) ? O_CLOEXEC : 0);
	sys_close(nfd);
}

/*
 * base_reader() - descriptor @fd (not the namespace's) is open for reading
 * on a regular file of a layer's filesystem: *@fl its status flags.
 */
static int
base_reader(const struct vr_ns *ns, int fd, const struct stat *st, long *fl)
{
	unsigned int d = 0;

	if (!S_ISREG(st->st_mode) || vr_ns_owns_fd(ns, fd))
		return 0;
	while (d < ns->nldev && ns->ldev[d] != st->st_dev)
		d++;
	if (d == ns->nldev)
		return 0;
	*fl = sys_fcntl(fd, F_GETFL, 0);
	return *fl >= 0 && !(*fl & O_PATH) && (*fl & O_ACCMODE) == O_RDONLY;
}

/* The base file a copy-up copied, and its copy. */
struct copied {
	unsigned long dev, ino;
	int up;
};

/* What vr_task_follow_copies() looks for: copy tickets (@from, @to]. */
struct follow {
	struct vr_task *t;
	struct vr_walk *w;
	unsigned long from, to;
};

static void repoint_copied(const struct copied *c, int fd, const struct stat *st, long fl);
static void follow_one(const struct follow *f, int fd, const struct stat *st, long fl);

/*
 * each_base_reader() - repoint_copied(@c, ...) or else follow_one(@f, ...)
 * for each of this process's descriptors open for reading on a base
 * regular file, but @skip (with its stat and status flags).  Found by
 * listing vr_proc_fds() (the thread's own table, once one may hold a
 * table of its own), unless no base file was opened for reading since
 * the last look found none (a process inherits descriptors: at first it
 * looks).  Direct calls, not a pointer: the loader's stack budget is
 * checked on its call graph.
 */
static void
each_base_reader(struct vr_walk *w, int skip, const struct copied *c, const struct follow *f)
{
	struct vr_ns *ns = w->ns;
	unsigned long start = __atomic_load_n(&ns->base_reads, __ATOMIC_ACQUIRE);
	size_t mark = w->s.used;
	char *buf;
	int dir, seen = 0;
	long n;

	if (base_readers_clean(ns))
		return;
	buf = vr_alloc(&w->s, 4096);
	dir = buf ? sys_openat(AT_FDCWD, vr_proc_fds(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
	          : -ENOMEM;
	while (dir >= 0 && (n = sys_getdents64(dir, buf, 4096)) > 0) {
		for (long off = 0; off < n;) {
			/* struct linux_dirent64: ino, off, reclen, type, name */
			unsigned short reclen;
			const char *name = buf + off + 19;
			struct stat st;
			long fd = 0, fl;

			vr_memcpy(&reclen, buf + off + 16, sizeof(reclen));
			off += reclen;
			if (*name < '0' || *name > '9')
				continue;
			for (; *name >= '0' && *name <= '9' && fd < 1 << 30; name++)
				fd = fd * 10 + (*name - '0');
			if (fd == dir || fd == skip || sys_fstat((int)fd, &st) < 0 ||
			    !base_reader(ns, (int)fd, &st, &fl))
				continue;
			seen = 1;
			if (c)
				repoint_copied(c, (int)fd, &st, fl);
			else
				follow_one(f, (int)fd, &st, fl);
		}
	}
	if (dir >= 0) {
		sys_close(dir);
		if (!seen && __atomic_load_n(&ns->base_reads, __ATOMIC_ACQUIRE) == start)
			__atomic_store_n(&ns->base_reads_clean, start + 1, __ATOMIC_RELAXED);
	}
	w->s.used = mark;
}

static void
repoint_copied(const struct copied *c, int fd, const struct stat *st, long fl)
{
	if (st->st_dev == c->dev && st->st_ino == c->ino)
		repoint_one(fd, fl, c->up);
}

/*
 * repoint_fds() - this process's descriptors of base file (@dev, @ino),
 * opened for reading before it was copied up, read the copy @up from now
 * on, as kernel overlayfs's stacked file operations make them.  Other
 * processes follow at their next call (vr_task_follow_copies()).
 */
static void
repoint_fds(struct vr_walk *w, unsigned long dev, unsigned long ino, int up)
{
	struct copied c = {dev, ino, up};

	each_base_reader(w, up, &c, NULL);
}

/* copied_since() - base file @st may have been copied up in (@f->from, @f->to]. */
static int
copied_since(const struct follow *f, const struct stat *st)
{
	unsigned long dev, ino;

	if (f->to - f->from > VR_COH_COPIES)
		return 1;
	for (unsigned long k = f->from; k++ < f->to;) {
		/* A lost ticket may have been this file's. */
		if (vr_coh_copy_get(f->t->ns, k, &dev, &ino) < 0 ||
		    (dev == st->st_dev && ino == st->st_ino))
			return 1;
	}
	return 0;
}

/*
 * follow_one() - descriptor @fd of base file @st: when the name it was
 * opened at now shows a copy of that very file (its origin), it reads the
 * copy.  A name that shows another file (the base file was removed or
 * replaced) leaves it alone, as a descriptor of a removed file natively.
 */
static void
follow_one(const struct follow *f, int fd, const struct stat *st, long fl)
{
	struct vr_walk *w = f->w, *fw;
	size_t mark = w->s.used;
	char *vp = vr_alloc(&w->s, PATH_MAX);
	struct vr_origin org;
	const struct vr_obj *o;
	int err;

	if (!vp || !copied_since(f, st) || vr_fd_vpath(w->ns, fd, vp, PATH_MAX) < 0)
		goto out;
	fw = vr_walk_new(f->t, AT_FDCWD, vp, VR_WALK_NSROOT, &err);
	if (!fw)
		goto out;
	o = &fw->node;
	if (o->exists && !o->mount && !o->synthetic && !o->byname && o->nfd > 0 &&
	    (o->st.st_mode & S_IFMT) == S_IFREG &&
	    (o->st.st_dev != st->st_dev || o->st.st_ino != st->st_ino) &&
	    vr_origin_get(o->fd[0], &org) == 0 && org.dev == st->st_dev && org.ino == st->st_ino)
		repoint_one(fd, fl, o->fd[0]);
	vr_walk_end(fw);
out:
	w->s.used = mark;
}

int
vr_ns_copies_pending(struct vr_ns *ns)
{
	return vr_coh_copies(ns) != __atomic_load_n(&ns->copies_seen, __ATOMIC_RELAXED);
}

void
vr_task_follow_copies(struct vr_task *t)
{
	struct vr_ns *ns = t->ns;
	unsigned long seen = __atomic_load_n(&ns->copies_seen, __ATOMIC_RELAXED);
	struct follow f = {t, NULL, seen, vr_coh_copies(ns)};
	int err;

	/* One thread looks for all: they share the descriptor table. */
	if (f.to == seen || !__atomic_compare_exchange_n(&ns->copies_seen, &seen, f.to, 0,
	                                                 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return;
	f.w = vr_walk_begin(t, &err);
	if (!f.w)
		return;
	each_base_reader(f.w, -1, NULL, &f);
	vr_walk_end(f.w);
}

/*
 * mark_impure() - upper directory @upfd, where a copy was just made, is
 * marked impure; when it is w->cur, asked of the disk only the first
 * time, and not at all when gain_upper() has just made it.
 */
static void
mark_impure(struct vr_walk *w, int upfd)
{
	int cur = upfd == w->cur.fd[0] && w->cur.nfd > 0 && w->cur.layer[0] == 0;

	if (cur && w->fresh_ino && w->fresh_ino == w->cur.st.st_ino &&
	    w->fresh_dev == w->cur.st.st_dev) {
		w->fresh_ino = 0;
		if (vr_set_impure(upfd) == 0)
			vr_dc_impure_note(w, &w->cur.st);
		return;
	}
	mark_dir(w, upfd, cur ? &w->cur.st : NULL);
}

/*
 * open_source() - w->node, a regular file of a base layer, open for
 * reading by its name in that layer's part of w->cur: one lookup in the
 * kernel, where opening its O_PATH descriptor again through /proc/self/fd
 * takes a walk of /proc as well.  Only when it is still the very file the
 * walk found.  Return: the descriptor, or -1 (copy_file() then does so).
 */
static int
open_source(const struct vr_walk *w)
{
	const struct vr_obj *o = &w->node;
	unsigned int i = 0;
	struct stat st;
	int fd;

	if (o->byname || o->indexed || w->last_type != VR_LAST_NORM || w->ns->casefold ||
	    w->cur.synthetic || w->cur.mount)
		return -1;
	while (i < w->cur.nfd && w->cur.layer[i] != o->layer[0])
		i++;
	if (i == w->cur.nfd)
		return -1;
	fd = sys_openat(w->cur.fd[i], w->last,
	                O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (sys_fstat(fd, &st) < 0 || st.st_ino != o->st.st_ino || st.st_dev != o->st.st_dev) {
		sys_close(fd);
		return -1;
	}
	return fd;
}

int
vr_copyup(struct vr_walk *w, int with_data)
{
	struct vr_obj *o = &w->node;
	unsigned int type = o->st.st_mode & S_IFMT;
	size_t mark = w->s.used;
	unsigned long bdev, bino;
	int upfd, err, own, keep = -1, ptimes;
	struct stat kst = {.st_nlink = 0}, pst;

	if (o->mount || o->synthetic || !o->exists || o->nfd == 0)
		return -EROFS;
	if (o->layer[0] == 0 && w->ns->has_upper)
		return 0; /* already in the upper layer */
	upfd = vr_copyup_parent(w, &own);
	if (upfd < 0)
		return upfd;
	/* The directory's times, put back once the copy is in (make_dir() does it for its own). */
	ptimes = type != S_IFDIR && sys_fstat(upfd, &pst) == 0;
	bdev = o->st.st_dev;
	bino = o->st.st_ino;
	if (type == S_IFDIR) {
		/* The copy's descriptor is the node's: no lookup of it by name. */
		keep = vr_make_upper_dir(w->ns, upfd, w->last, o);
		err = keep < 0 ? keep : 0;
	} else if (type == S_IFREG) {
		err = o->onlink > 1 ? copy_linked(w, upfd)
		                    : copy_file(w->ns, &w->s, o, upfd, w->last, with_data, 0,
		                                (w->flags & VR_WALK_CHANGE) ? &keep : NULL, &kst,
		                                (with_data & 1) ? open_source(w) : -1);
		if (err >= 0)
			mark_impure(w, upfd);
	} else {
		err = copy_special(w->ns, &w->s, o, upfd, w->last);
	}
	if ((err == -EACCES || err == -EPERM) && type != S_IFDIR) {
		int h = vr_helper_copy(w->ns, upfd, w->last);

		err = h >= 0 ? h : err;
	}
	if (err == 0 && ptimes)
		put_times(upfd, &pst);
	w->s.used = mark;
	if (type == S_IFDIR) {
		if (err >= 0)
			err = merge_upper(w, upfd, keep);
	} else {
		if (keep >= 0 && (err < 0 || !base_readers_clean(w->ns))) {
			sys_close(keep);
			keep = -1;
		}
		if (keep >= 0 && take_copy(w, keep, &kst) != 0)
			keep = -1;
		if (err >= 0 && keep < 0)
			err = reload(w, upfd);
	}
	if (err >= 0 && type == S_IFREG) {
		unsigned long t;

		repoint_fds(w, bdev, bino, o->fd[0]);
		t = vr_coh_copied(w->ns, bdev, bino);
		/*
		 * This process's descriptors follow its own copy already: when it
		 * had followed every copy before, it need not look again.
		 */
		if (t) {
			unsigned long prev = t - 1;

			__atomic_compare_exchange_n(&w->ns->copies_seen, &prev, t, 0, __ATOMIC_ACQ_REL,
			                            __ATOMIC_RELAXED);
		}
	}
	if (own)
		sys_close(upfd);
	if (type == S_IFDIR)
		vr_coh_dir_copied(w->ns, bdev, bino);
	else
		vr_coh_bump(w->ns);
	return err;
}

/*
 * link_up_at() - vr_copyup_at() of a base file with several links: as
 * copy_linked() does for a walk, its one shared copy in the index (made if
 * missing) linked to @upfd/@name, that base name counted as no longer
 * showing.
 */
static int
link_up_at(struct vr_ns *ns, struct vr_scratch *s, int upfd, const char *name,
           const struct vr_obj *lower)
{
	char key[VR_INDEX_KEY];
	struct stat st;
	int idx = vr_index_dir(ns), err = 0;

	if (idx < 0)
		return idx;
	vr_index_key(key, lower->odev, lower->oino);
	if (sys_fstatat(idx, key, &st, AT_SYMLINK_NOFOLLOW) == -ENOENT)
		err = copy_file(ns, s, lower, idx, key, 1, 1, NULL, NULL, -1);
	/* No user xattrs in the prefix: the name becomes a file of its own. */
	if (err == -EOPNOTSUPP) {
		sys_close(idx);
		return copy_file(ns, s, lower, upfd, name, 1, 0, NULL, NULL, -1);
	}
	if (err >= 0) {
		vr_index_lock(idx, 1);
		err = (int)vr_sys5(__NR_linkat, idx, key, upfd, name, 0);
		if (err == 0)
			err = vr_index_hidden(idx, key, 1);
		else if (err == -EEXIST)
			err = 1;
		vr_index_lock(idx, 0);
	}
	sys_close(idx);
	return err;
}

int
vr_copyup_at(struct vr_ns *ns, int upfd, const char *name, const struct vr_obj *lower)
{
	unsigned int type = lower->st.st_mode & S_IFMT;
	struct vr_scratch s;
	struct stat pst;
	int err, ptimes;

	if (type == S_IFDIR) {
		int fd = vr_make_upper_dir(ns, upfd, name, lower);

		if (fd >= 0)
			sys_close(fd);
		return fd == -EEXIST ? 1 : fd < 0 ? fd : 0;
	}
	if (vr_scratch_get(&ns->pool, &s) < 0)
		return -ENOMEM;
	ptimes = sys_fstat(upfd, &pst) == 0; /* put back once the copy is in */
	if (type == S_IFREG) {
		err = lower->onlink > 1 ? link_up_at(ns, &s, upfd, name, lower)
		                        : copy_file(ns, &s, lower, upfd, name, 1, 0, NULL, NULL, -1);
		if (err >= 0)
			vr_mark_impure(upfd);
	} else {
		err = copy_special(ns, &s, lower, upfd, name);
	}
	if (err == 0 && ptimes)
		put_times(upfd, &pst);
	vr_scratch_put(&ns->pool, &s);
	return err;
}

/*
 * A tree is copied up with an explicit stack of paths (no recursion): each
 * path is copied up, and a directory's names are pushed for later.
 */
struct tree {
	char *mem; /* NUL-separated paths, a stack */
	size_t used, size;
	const char *dir;
	size_t dlen;
};

#define TREE_BYTES (16ul << 20)

static int
tree_push(void *arg, const char *name, unsigned char type)
{
	struct tree *tr = arg;
	size_t n = vr_strlen(name);

	(void)type;
	if (tr->dlen + 1 + n + 1 > PATH_MAX)
		return -ENAMETOOLONG;
	if (tr->used + tr->dlen + n + 2 > tr->size)
		return -ENOMEM;
	vr_memcpy(tr->mem + tr->used, tr->dir, tr->dlen);
	tr->mem[tr->used + tr->dlen] = '/';
	vr_memcpy(tr->mem + tr->used + tr->dlen + 1, name, n + 1);
	tr->used += tr->dlen + n + 2;
	return 0;
}

/* tree_pop() - the last path pushed, moved to @buf; 0 when none is left. */
static int
tree_pop(struct tree *tr, char *buf)
{
	size_t end = tr->used, start;

	if (end == 0)
		return 0;
	start = end - 1;
	while (start > 0 && tr->mem[start - 1])
		start--;
	vr_memcpy(buf, tr->mem + start, end - start);
	tr->used = start;
	return 1;
}

int
vr_copyup_tree(struct vr_task *t, const char *path)
{
	struct tree tr = {.size = TREE_BYTES};
	char *cur;
	int err = 0;

	tr.mem = vr_map(TREE_BYTES + PATH_MAX);
	if (!tr.mem)
		return -ENOMEM;
	cur = tr.mem + TREE_BYTES;
	tr.dir = "";
	err = tree_push(&tr, path[1] ? path + 1 : "", 0);
	while (err == 0 && tree_pop(&tr, cur)) {
		struct vr_walk *w = vr_walk_new(t, AT_FDCWD, cur, VR_WALK_NSROOT, &err);

		if (!w)
			break;
		err = vr_walk_renorm(w);
		if (err == 0 && w->last_type == VR_LAST_NORM)
			err = vr_copyup(w, 1);
		if (err == 0 && vr_obj_is_dir(&w->node)) {
			tr.dir = cur;
			tr.dlen = vr_strlen(cur);
			err = vr_dir_foreach(w, tree_push, &tr);
		}
		vr_walk_end(w);
	}
	vr_unmap(tr.mem, TREE_BYTES + PATH_MAX);
	return err;
}
