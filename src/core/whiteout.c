/*
 * whiteout.c - hiding lower names, in kernel overlayfs's format.
 *
 * A whiteout is a character device 0:0 in the upper layer (any user may
 * make one since Linux 5.8); an opaque directory carries the xattr
 * "user.overlay.opaque" = "y" (overlayfs's userxattr mode).  Each change
 * here is one atomic step on the upper layer, so another process, or a
 * kernel overlay mount of the same layers, never sees a half state.
 */
#include "place.h"
#include "util.h"

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

/* rm_whiteouts() - empty directory @fd of the whiteouts that are all it holds. */
static int
rm_whiteouts(struct vr_scratch *s, int dirfd)
{
	size_t mark = s->used;
	char *buf = vr_alloc(s, 8192);
	long n;
	int err = 0;

	if (!buf)
		return -ENOMEM;
	while (err == 0 && (n = sys_getdents64(dirfd, buf, 8192)) > 0) {
		for (long off = 0; off < n;) {
			struct {
				unsigned long long ino;
				long long off;
				unsigned short reclen;
				unsigned char type;
				char name[];
			} *d = (void *)(buf + off);

			off += d->reclen;
			if (d->name[0] == '.' &&
			    (!d->name[1] || (d->name[1] == '.' && !d->name[2])))
				continue;
			err = (int)vr_sys3(__NR_unlinkat, dirfd, d->name, 0);
			if (err < 0)
				break;
		}
	}
	s->used = mark;
	return err;
}

int
vr_remove_hiding(struct vr_walk *w, int upfd, const char *name, int isdir, int whiteout)
{
	char tmp[32];
	int err, fd;

	/* The upper object leaves (and a whiteout takes its place) in one step;
	 * a directory is emptied of its whiteouts in the work directory. */
	vr_tmp_name(tmp);
	err = (int)vr_sys5(__NR_renameat2, upfd, name, w->ns->work.fd, tmp,
	                   whiteout ? 4 /* RENAME_WHITEOUT */ : 0);
	if (err < 0)
		return err;
	if (!isdir)
		return (int)vr_sys3(__NR_unlinkat, w->ns->work.fd, tmp, 0);
	fd = sys_openat(w->ns->work.fd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd >= 0) {
		rm_whiteouts(&w->s, fd);
		sys_close(fd);
	}
	return (int)vr_sys3(__NR_unlinkat, w->ns->work.fd, tmp, AT_REMOVEDIR);
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
	char p[32];

	if (sys_fstat(dirfd, &d) < 0 || !(d.st_mode & S_ISGID) || sys_fstat(fd, &o) < 0)
		return;
	vr_sys5(__NR_fchownat, fd, "", (unsigned int)-1, d.st_gid, AT_EMPTY_PATH);
	if (isdir)
		vr_sys3(__NR_fchmodat, AT_FDCWD, vr_proc_fd(p, fd), (o.st_mode & 07777) | S_ISGID);
}

#define PURGE_DEPTH 64

/*
 * purge() - remove the whiteouts in upper directory @fd and below.  The
 * depth is bounded; each level's buffer comes from the scratch arena.
 */
static void
purge(struct vr_scratch *s, int fd, int depth)
{
	size_t mark = s->used;
	char *buf = vr_alloc(s, 4096);
	long n;

	if (!buf || depth > PURGE_DEPTH)
		return;
	while ((n = sys_getdents64(fd, buf, 4096)) > 0) {
		for (long off = 0; off < n;) {
			struct {
				unsigned long long ino;
				long long off;
				unsigned short reclen;
				unsigned char type;
				char name[];
			} *d = (void *)(buf + off);
			struct stat st;

			off += d->reclen;
			if (d->name[0] == '.' &&
			    (!d->name[1] || (d->name[1] == '.' && !d->name[2])))
				continue;
			if (d->type == 2 /* DT_CHR */ &&
			    sys_fstatat(fd, d->name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    vr_is_whiteout(&st))
				vr_sys3(__NR_unlinkat, fd, d->name, 0);
			if (d->type == 4 /* DT_DIR */) {
				int c = sys_openat(fd, d->name,
				                   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
				                   0);

				if (c >= 0) {
					purge(s, c, depth + 1);
					sys_close(c);
				}
			}
		}
	}
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
