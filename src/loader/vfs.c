/*
 * vfs.c - trapped path system calls answered by the core.
 *
 * One small handler per call, one table entry per handler.  A handler
 * copies the program's strings in (fault-safe: a bad pointer is EFAULT,
 * never a crash in the handler), calls the core, and copies results out.
 * Calls without a handler here pass through to the kernel.
 */
#include <linux/fcntl.h>
#include <linux/limits.h>
#include <linux/openat2.h>
#include <linux/stat.h>
#include <linux/time.h>
#include <linux/utime.h>
#include <asm/stat.h>
#include <asm/statfs.h>
#include "loader.h"
#include "vfs.h"
#include "vroot.h"

#define T(ctx) vrl_task(ctx)

/* in_path() - the program's path argument into @buf[PATH_MAX]. */
static long
in_path(char *buf, long user)
{
	long n;

	if (!user)
		return -EFAULT;
	n = vrl_peek_str(buf, (const char *)user, PATH_MAX);
	return n < 0 ? n : 0;
}

/*
 * in_path_opt() - as in_path(), a NULL pointer read as "" when @flags has
 * AT_EMPTY_PATH: what newfstatat and statx accept since Linux 6.11 (every
 * other call answers EFAULT for a NULL path, as in_path()).
 */
static long
in_path_opt(char *buf, long user, int flags)
{
	if (!user && (flags & AT_EMPTY_PATH)) {
		buf[0] = 0;
		return 0;
	}
	return in_path(buf, user);
}

static long
out(long user, const void *src, size_t n, long ret)
{
	if (ret < 0)
		return ret;
	return vrl_poke((void *)user, src, n) ? -EFAULT : ret;
}

static long
do_openat(struct vr_loader_ctx *ctx, int dfd, long upath, int flags, unsigned int mode)
{
	char p[PATH_MAX];
	long err = in_path(p, upath);

	if (err)
		return err;
	return vrl_proc_magic_open(ctx, dfd, p, flags, mode);
}

long
h_open(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_openat(ctx, AT_FDCWD, a[0], (int)a[1], (unsigned int)a[2]);
}

long
h_openat(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_openat(ctx, (int)a[0], a[1], (int)a[2], (unsigned int)a[3]);
}

/*
 * open_tree() without OPEN_TREE_CLONE is an O_PATH open; a clone makes a
 * detached mount, as refused as mount(2) is.  An empty path with
 * AT_EMPTY_PATH names a descriptor the namespace already gave out.
 */
long
h_open_tree(struct vr_loader_ctx *ctx, const long a[6])
{
	const unsigned long known = AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_SYMLINK_NOFOLLOW |
	                            AT_RECURSIVE | O_CLOEXEC | VRL_OPEN_TREE_CLONE;
	unsigned long flags = (unsigned long)a[2];
	char p[PATH_MAX];
	long err;

	if ((flags & ~known) || ((flags & AT_RECURSIVE) && !(flags & VRL_OPEN_TREE_CLONE)))
		return -EINVAL;
	if (flags & VRL_OPEN_TREE_CLONE)
		return -EPERM;
	err = in_path(p, a[1]);
	if (err)
		return err;
	if (!p[0] && (flags & AT_EMPTY_PATH))
		return vrl_sys3(__NR_open_tree, a[0], a[1], a[2]);
	return vrl_proc_magic_open(ctx, (int)a[0], p,
	                           O_PATH | (int)(flags & O_CLOEXEC) |
	                                   (flags & AT_SYMLINK_NOFOLLOW ? O_NOFOLLOW : 0),
	                           0);
}

/* open_tree_attr(): mount attributes come with a clone only. */
long
h_open_tree_attr(struct vr_loader_ctx *ctx, const long a[6])
{
	if (a[3] && !((unsigned long)a[2] & VRL_OPEN_TREE_CLONE))
		return -EINVAL;
	return h_open_tree(ctx, a);
}

long
h_creat(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_openat(ctx, AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC, (unsigned int)a[1]);
}

/*
 * in_open_how() - the program's struct open_how of @size bytes, read as the
 * kernel reads it: too small EINVAL, over a page or with unknown non-zero
 * fields E2BIG, unreadable EFAULT.  Return: the size to give the core.
 */
static long
in_open_how(struct open_how *how, long user, size_t size)
{
	unsigned char chunk[64];

	if (size < 24) /* the first published struct: flags, mode, resolve */
		return -EINVAL;
	if (size > 4096)
		return -E2BIG;
	if (vrl_peek(how, (const void *)user, size < sizeof(*how) ? size : sizeof(*how)))
		return -EFAULT;
	for (size_t off = sizeof(*how); off < size; off += sizeof(chunk)) {
		size_t n = size - off < sizeof(chunk) ? size - off : sizeof(chunk);

		if (vrl_peek(chunk, (const char *)user + off, n))
			return -EFAULT;
		for (size_t i = 0; i < n; i++)
			if (chunk[i])
				return -E2BIG;
	}
	return size < sizeof(*how) ? (long)size : (long)sizeof(*how);
}

/*
 * openat2() is answered by the core, RESOLVE_* rules included; the core
 * checks the flags before the path is read, as the kernel does.  Without
 * rules, /proc/self/exe opens the program (the kernel checks the flags).
 */
long
h_openat2(struct vr_loader_ctx *ctx, const long a[6])
{
	struct open_how how = {0};
	char p[PATH_MAX];
	long size = in_open_how(&how, a[2], (size_t)a[3]);
	long err, fd;
	const char *exe;

	if (size < 0)
		return size;
	err = in_path(p, a[1]);
	if (!err && how.resolve == 0 && (exe = vrl_proc_self_exe(ctx, (int)a[0], p)))
		return vrl_sys4(__NR_openat2, AT_FDCWD, exe, &how, sizeof(how));
	fd = vr_openat2(T(ctx), (int)a[0], err ? NULL : p, &how, (size_t)size);
	return err && fd == -EFAULT ? err : fd;
}

long
h_enosys(struct vr_loader_ctx *ctx, const long a[6])
{
	(void)ctx, (void)a;
	return -ENOSYS;
}

long
h_eperm(struct vr_loader_ctx *ctx, const long a[6])
{
	(void)ctx, (void)a;
	return -EPERM;
}

/*
 * bpf(BPF_OBJ_PIN / BPF_OBJ_GET) name objects by host paths in a bpffs: no
 * such filesystem is in the namespace, so they are refused; every other
 * command takes no path.
 */
long
h_bpf(struct vr_loader_ctx *ctx, const long a[6])
{
	(void)ctx;
	if (a[0] == VRL_BPF_OBJ_PIN || a[0] == VRL_BPF_OBJ_GET)
		return -EPERM;
	return vrl_sys3(__NR_bpf, a[0], a[1], a[2]);
}

/*
 * self_exe() - a stat that follows this process's exe link (the kernel's
 * names the loader) is about the program: its virtual path replaces @p,
 * *@dfd becomes AT_FDCWD.  Left as it is when the program has none.
 */
static void self_exe_to(struct vr_loader_ctx *ctx, int *dfd, char *p, const char *exe);

static void
self_exe(struct vr_loader_ctx *ctx, int *dfd, char *p, int flags)
{
	const char *exe;

	if (!(flags & AT_SYMLINK_NOFOLLOW) && (exe = vrl_proc_self_exe(ctx, *dfd, p)))
		self_exe_to(ctx, dfd, p, exe);
}

/* self_exe_to() - the rest, apart with its buffer (every stat asks self_exe()). */
static __attribute__((noinline)) void
self_exe_to(struct vr_loader_ctx *ctx, int *dfd, char *p, const char *exe)
{
	char v[PATH_MAX];
	long n;

	n = vr_revmap_path(ctx->proc->ns, exe, v, sizeof(v));
	if (n > 0)
		n = vr_task_unroot(T(ctx), v, n);
	if (n <= 0)
		return;
	memcpy(p, v, (size_t)n + 1);
	*dfd = AT_FDCWD;
}

static long
do_stat(struct vr_loader_ctx *ctx, int dfd, long upath, long ubuf, int flags)
{
	char p[PATH_MAX];
	struct stat st;
	long err = in_path(p, upath);

	if (err)
		return err;
	self_exe(ctx, &dfd, p, flags);
	return out(ubuf, &st, sizeof(st), vr_fstatat(T(ctx), dfd, p, &st, flags));
}

long
h_stat(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_stat(ctx, AT_FDCWD, a[0], a[1], 0);
}

long
h_lstat(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_stat(ctx, AT_FDCWD, a[0], a[1], AT_SYMLINK_NOFOLLOW);
}

long
h_newfstatat(struct vr_loader_ctx *ctx, const long a[6])
{
	char p[PATH_MAX];
	struct stat st;
	long err = in_path_opt(p, a[1], (int)a[3]);
	int dfd = (int)a[0];

	if (err)
		return err;
	self_exe(ctx, &dfd, p, (int)a[3]);
	return out(a[2], &st, sizeof(st), vr_fstatat(T(ctx), dfd, p, &st, (int)a[3]));
}

/* fstat(2): the descriptor itself, as the core shows it (inode numbers kept through copy-up). */
long
h_fstat(struct vr_loader_ctx *ctx, const long a[6])
{
	struct stat st;

	if ((int)a[0] < 0)
		return -EBADF;
	return out(a[1], &st, sizeof(st), vr_fstatat(T(ctx), (int)a[0], "", &st, AT_EMPTY_PATH));
}

long
h_statx(struct vr_loader_ctx *ctx, const long a[6])
{
	char p[PATH_MAX];
	struct statx stx;
	long err = in_path_opt(p, a[1], (int)a[2]);
	int dfd = (int)a[0];

	if (err)
		return err;
	self_exe(ctx, &dfd, p, (int)a[2]);
	return out(a[4], &stx, sizeof(stx),
	           vr_statx(T(ctx), dfd, p, (int)a[2], (unsigned int)a[3], &stx));
}

static long
do_access(struct vr_loader_ctx *ctx, int dfd, long upath, int mode, int flags)
{
	char p[PATH_MAX];
	long err = in_path(p, upath);

	return err ? err : vr_faccessat2(T(ctx), dfd, p, mode, flags);
}

long
h_access(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_access(ctx, AT_FDCWD, a[0], (int)a[1], 0);
}

long
h_faccessat(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_access(ctx, (int)a[0], a[1], (int)a[2], 0);
}

long
h_faccessat2(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_access(ctx, (int)a[0], a[1], (int)a[2], (int)a[3]);
}

static long
do_readlink(struct vr_loader_ctx *ctx, int dfd, long upath, long ubuf, long size)
{
	char p[PATH_MAX], body[PATH_MAX];
	long n, err = in_path(p, upath);

	if (err)
		return err;
	if (size <= 0)
		return -EINVAL;
	if (!vrl_proc_magic_readlink(ctx, dfd, p, body, sizeof(body), &n))
		n = vr_readlinkat(T(ctx), dfd, p, body, sizeof(body));
	if (n > size)
		n = size;
	return out(ubuf, body, n > 0 ? (size_t)n : 0, n);
}

long
h_readlink(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_readlink(ctx, AT_FDCWD, a[0], a[1], a[2]);
}

long
h_readlinkat(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_readlink(ctx, (int)a[0], a[1], a[2], a[3]);
}

long
h_statfs(struct vr_loader_ctx *ctx, const long a[6])
{
	char p[PATH_MAX];
	struct statfs sf;
	long err = in_path(p, a[0]);

	if (err)
		return err;
	return out(a[1], &sf, sizeof(sf), vr_statfs(T(ctx), p, &sf));
}

long
h_getcwd(struct vr_loader_ctx *ctx, const long a[6])
{
	char cwd[PATH_MAX];
	long n = vr_getcwd(T(ctx), cwd, sizeof(cwd));

	if (n > 0 && (unsigned long)n > (unsigned long)a[1])
		return -ERANGE;
	return out(a[0], cwd, n > 0 ? (size_t)n : 0, n);
}

/**
 * vrl_sync_host_cwd() - move the process's host cwd to the directory behind
 * @t's virtual cwd, so what the kernel resolves itself (a relative socket
 * name, /proc/self/cwd of another process's view) lands in the same place.
 */
void
vrl_sync_host_cwd(struct vr_task *t)
{
	int fd = vr_openat(t, AT_FDCWD, ".", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);

	if (fd >= 0) {
		vrl_sys1(__NR_fchdir, fd);
		vrl_close(fd);
	}
}

long
h_chdir(struct vr_loader_ctx *ctx, const long a[6])
{
	struct vr_task *t = vrl_task_for_write(ctx);
	char p[PATH_MAX];
	long err = in_path(p, a[0]);

	if (!err)
		err = vr_chdir(t, p);
	if (!err) {
		vrl_sync_host_cwd(t);
		vrl_threads_cwd(ctx, t);
	}
	return err;
}

long
h_fchdir(struct vr_loader_ctx *ctx, const long a[6])
{
	struct vr_task *t = vrl_task_for_write(ctx);
	long err = vr_fchdir(t, (int)a[0]);

	if (!err) {
		/* First to the directory itself: it stays there when no name leads to it. */
		vrl_sys1(__NR_fchdir, a[0]);
		vrl_sync_host_cwd(t);
		vrl_threads_cwd(ctx, t);
	}
	return err;
}

static long
do_mkdir(struct vr_loader_ctx *ctx, int dfd, long upath, unsigned int mode)
{
	char p[PATH_MAX];
	long err = in_path(p, upath);

	return err ? err : vr_mkdirat(T(ctx), dfd, p, mode);
}

long
h_chroot(struct vr_loader_ctx *ctx, const long a[6])
{
	char p[PATH_MAX];
	long err = in_path(p, a[0]);

	return err ? err : vr_chroot(vrl_task_for_write(ctx), p);
}

long
h_mkdir(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_mkdir(ctx, AT_FDCWD, a[0], (unsigned int)a[1]);
}

long
h_mkdirat(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_mkdir(ctx, (int)a[0], a[1], (unsigned int)a[2]);
}

static long
do_mknod(struct vr_loader_ctx *ctx, int dfd, long upath, unsigned int mode, unsigned int dev)
{
	char p[PATH_MAX];
	long err = in_path(p, upath);

	return err ? err : vr_mknodat(T(ctx), dfd, p, mode, dev);
}

long
h_mknod(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_mknod(ctx, AT_FDCWD, a[0], (unsigned int)a[1], (unsigned int)a[2]);
}

long
h_mknodat(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_mknod(ctx, (int)a[0], a[1], (unsigned int)a[2], (unsigned int)a[3]);
}

static long
do_unlink(struct vr_loader_ctx *ctx, int dfd, long upath, int flags)
{
	char p[PATH_MAX];
	long err = in_path(p, upath);

	return err ? err : vr_unlinkat(T(ctx), dfd, p, flags);
}

long
h_rmdir(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_unlink(ctx, AT_FDCWD, a[0], AT_REMOVEDIR);
}

long
h_unlink(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_unlink(ctx, AT_FDCWD, a[0], 0);
}

long
h_unlinkat(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_unlink(ctx, (int)a[0], a[1], (int)a[2]);
}

static long
do_rename(struct vr_loader_ctx *ctx, int od, long uo, int nd, long un, unsigned int flags)
{
	char o[PATH_MAX], n[PATH_MAX];
	long err = in_path(o, uo);

	if (!err)
		err = in_path(n, un);
	return err ? err : vr_renameat2(T(ctx), od, o, nd, n, flags);
}

long
h_rename(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_rename(ctx, AT_FDCWD, a[0], AT_FDCWD, a[1], 0);
}

long
h_renameat(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_rename(ctx, (int)a[0], a[1], (int)a[2], a[3], 0);
}

long
h_renameat2(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_rename(ctx, (int)a[0], a[1], (int)a[2], a[3], (unsigned int)a[4]);
}

static long
do_link(struct vr_loader_ctx *ctx, int od, long uo, int nd, long un, int flags)
{
	char o[PATH_MAX], n[PATH_MAX];
	long err = in_path(o, uo);

	if (!err)
		err = in_path(n, un);
	return err ? err : vr_linkat(T(ctx), od, o, nd, n, flags);
}

long
h_link(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_link(ctx, AT_FDCWD, a[0], AT_FDCWD, a[1], 0);
}

long
h_linkat(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_link(ctx, (int)a[0], a[1], (int)a[2], a[3], (int)a[4]);
}

static long
do_symlink(struct vr_loader_ctx *ctx, long utarget, int nd, long upath)
{
	char target[PATH_MAX], p[PATH_MAX];
	long err = in_path(target, utarget);

	if (!err)
		err = in_path(p, upath);
	return err ? err : vr_symlinkat(T(ctx), target, nd, p);
}

long
h_symlink(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_symlink(ctx, a[0], AT_FDCWD, a[1]);
}

long
h_symlinkat(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_symlink(ctx, a[0], (int)a[1], a[2]);
}

long
h_truncate(struct vr_loader_ctx *ctx, const long a[6])
{
	char p[PATH_MAX];
	long err = in_path(p, a[0]);

	return err ? err : vr_truncate(T(ctx), p, a[1]);
}

static long
do_chmod(struct vr_loader_ctx *ctx, int dfd, long upath, unsigned int mode, int flags)
{
	char p[PATH_MAX];
	long err = in_path(p, upath);

	return err ? err : vr_fchmodat(T(ctx), dfd, p, mode, flags);
}

long
h_chmod(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_chmod(ctx, AT_FDCWD, a[0], (unsigned int)a[1], 0);
}

/**
 * vrl_fd_not_opath() - the calls about a descriptor itself (fchmod, fchown,
 * futimens, the f*xattr family) refuse an O_PATH descriptor with EBADF, as
 * the kernel's fdget() does; the *at() forms with AT_EMPTY_PATH accept it.
 * Return: 0 or -errno (-EBADF).
 */
long
vrl_fd_not_opath(int fd)
{
	long fl = vrl_sys3(__NR_fcntl, fd, F_GETFL, 0);

	if (fl < 0)
		return fl;
	return (fl & O_PATH) ? -EBADF : 0;
}

long
h_fchmod(struct vr_loader_ctx *ctx, const long a[6])
{
	return vr_fchmod(T(ctx), (int)a[0], (unsigned int)a[1]);
}

long
h_fchmodat(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_chmod(ctx, (int)a[0], a[1], (unsigned int)a[2], 0);
}

long
h_fchmodat2(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_chmod(ctx, (int)a[0], a[1], (unsigned int)a[2], (int)a[3]);
}

static long
do_chown(struct vr_loader_ctx *ctx, int dfd, long upath, long uid, long gid, int flags)
{
	char p[PATH_MAX];
	long err = in_path(p, upath);

	return err ? err : vr_fchownat(T(ctx), dfd, p, (unsigned int)uid, (unsigned int)gid, flags);
}

long
h_chown(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_chown(ctx, AT_FDCWD, a[0], a[1], a[2], 0);
}

long
h_lchown(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_chown(ctx, AT_FDCWD, a[0], a[1], a[2], AT_SYMLINK_NOFOLLOW);
}

long
h_fchown(struct vr_loader_ctx *ctx, const long a[6])
{
	return vr_fchown(T(ctx), (int)a[0], (unsigned int)a[1], (unsigned int)a[2]);
}

long
h_fchownat(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_chown(ctx, (int)a[0], a[1], a[2], a[3], (int)a[4]);
}

/*
 * do_utimens() - @uts is the program's timespec[2] (NULL: now).  A NULL
 * path names the descriptor @dfd itself (futimens), as the kernel's
 * do_utimes(): not AT_FDCWD (EFAULT: there is no path to read) and with no
 * flags (EINVAL).
 */
static long
do_utimens(struct vr_loader_ctx *ctx, int dfd, long upath, const struct __kernel_timespec *ts,
           int flags)
{
	char p[PATH_MAX];
	long err;

	if (!upath && dfd != AT_FDCWD)
		return vr_utimensat(T(ctx), dfd, NULL, ts, flags);
	err = in_path(p, upath);
	if (err)
		return err;
	return vr_utimensat(T(ctx), dfd, p, ts, flags);
}

long
h_utimensat(struct vr_loader_ctx *ctx, const long a[6])
{
	struct __kernel_timespec ts[2];

	if (a[2] && vrl_peek(ts, (const void *)a[2], sizeof(ts)))
		return -EFAULT;
	return do_utimens(ctx, (int)a[0], a[1], a[2] ? ts : NULL, (int)a[3]);
}

/* timeval pairs (utimes, futimesat) become timespec pairs. */
static long
do_utimes(struct vr_loader_ctx *ctx, int dfd, long upath, long utv)
{
	struct __kernel_old_timeval tv[2];
	struct __kernel_timespec ts[2];

	if (!utv)
		return do_utimens(ctx, dfd, upath, NULL, 0);
	if (vrl_peek(tv, (const void *)utv, sizeof(tv)))
		return -EFAULT;
	for (int i = 0; i < 2; i++) {
		if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
			return -EINVAL;
		ts[i].tv_sec = tv[i].tv_sec;
		ts[i].tv_nsec = tv[i].tv_usec * 1000;
	}
	return do_utimens(ctx, dfd, upath, ts, 0);
}

long
h_utimes(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_utimes(ctx, AT_FDCWD, a[0], a[1]);
}

long
h_futimesat(struct vr_loader_ctx *ctx, const long a[6])
{
	return do_utimes(ctx, (int)a[0], a[1], a[2]);
}

long
h_utime(struct vr_loader_ctx *ctx, const long a[6])
{
	struct utimbuf ub;
	struct __kernel_timespec ts[2];

	if (!a[1])
		return do_utimens(ctx, AT_FDCWD, a[0], NULL, 0);
	if (vrl_peek(&ub, (const void *)a[1], sizeof(ub)))
		return -EFAULT;
	ts[0].tv_sec = ub.actime;
	ts[1].tv_sec = ub.modtime;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	return do_utimens(ctx, AT_FDCWD, a[0], ts, 0);
}
