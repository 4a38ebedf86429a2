/*
 * vfs_fd.c - trapped calls on descriptors, directory listings, extended
 * attributes, watches, /proc magic links and the task a call runs as.
 */
#include <linux/fcntl.h>
#include <linux/limits.h>
#include <linux/mman.h>
#include <linux/stat.h>
#include <asm/stat.h>
#include "loader.h"
#include "vfs.h"
#include "vroot.h"

#define T(ctx) vrl_task(ctx)

/* Big buffers (listings, attribute values) are mapped per call. */
#define BIG_MAX (1ul << 20)

static void *
big_map(size_t n)
{
	void *p = (void *)vrl_sys6(__NR_mmap, 0, (long)n, PROT_READ | PROT_WRITE,
	                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return (unsigned long)p > -4096UL ? NULL : p;
}

static void
big_unmap(void *p, size_t n)
{
	if (p)
		vrl_sys2(__NR_munmap, p, n);
}

/*
 * val_get() - room for an attribute value or list of @n bytes: the task's
 * per-call buffer when it is big enough (ls -l reads two attributes of
 * every file: no mapping made and unmapped each time), else a mapping;
 * *@pooled says which.  Give it back with val_put().
 */
static void *
val_get(struct vr_loader_ctx *ctx, size_t n, int *pooled)
{
	size_t cap;
	void *p = vr_task_buf_get(T(ctx), &cap);

	*pooled = p && n <= cap;
	if (*pooled)
		return p;
	vr_task_buf_put(T(ctx), p);
	return big_map(n);
}

/* val_put() - @p of val_get(@ctx, @n, @pooled) given back. */
static void
val_put(struct vr_loader_ctx *ctx, void *p, size_t n, int pooled)
{
	if (pooled)
		vr_task_buf_put(T(ctx), p);
	else
		big_unmap(p, n);
}

/* child_task() - the task of vfork child @tid sharing this memory, or NULL. */
static struct vr_task *
child_task(struct vrl_proc *p, int tid)
{
	for (int i = 0; i < VRL_CHILD_TASKS; i++)
		if (__atomic_load_n(&p->child_tasks[i].tid, __ATOMIC_ACQUIRE) == tid)
			return p->child_tasks[i].task;
	return NULL;
}

struct vr_task *
vrl_task(struct vr_loader_ctx *ctx)
{
	struct vrl_proc *p = ctx->proc;
	struct vr_task *t = NULL;

	if (__atomic_load_n(&p->nchild_tasks, __ATOMIC_ACQUIRE) && vrl_mm_shared_child())
		t = child_task(p, vrl_gettid());
	if (!t && __atomic_load_n(&p->thread_ids, __ATOMIC_ACQUIRE))
		t = vrl_thread_task(p);
	return t ? t : p->task;
}

/*
 * A vfork child shares the parent's memory: its chdir (posix_spawn's
 * addchdir) must not move the parent.  It gets a task of its own, found by
 * thread id; the mapping leaks into the parent, one per such child.
 */
struct vr_task *
vrl_task_for_write(struct vr_loader_ctx *ctx)
{
	struct vrl_proc *p = ctx->proc;
	struct vr_task *t, *from;
	int tid, slot;

	if (!vrl_mm_shared_child())
		return vrl_task(ctx);
	tid = vrl_gettid();
	t = child_task(p, tid);
	if (t)
		return t;
	/* The task of the thread that called vfork: the process's, or its own. */
	from = vrl_task(ctx);
	slot = __atomic_fetch_add(&p->nchild_tasks, 1, __ATOMIC_ACQ_REL) % VRL_CHILD_TASKS;
	if (vr_task_dup(from, &t) < 0)
		return from;
	p->child_tasks[slot].task = t;
	__atomic_store_n(&p->child_tasks[slot].tid, tid, __ATOMIC_RELEASE);
	return t;
}

static long parse_uint(const char **p);

/*
 * fd_dir_of() - @fd is a /proc/PID/fd or fdinfo directory: 2 for this
 * process's, 1 for another's, else 0.
 */
static int
fd_dir_of(struct vr_loader_ctx *ctx, int fd)
{
	char vp[PATH_MAX];
	const char *p = vp + 6;
	long pid;

	if (vr_revmap_fd(T(ctx), fd, vp, sizeof(vp)) < 0 || strncmp(vp, "/proc/", 6))
		return 0;
	pid = parse_uint(&p);
	if (pid < 0)
		return 0;
	if (!strncmp(p, "/task/", 6)) {
		p += 6;
		if (parse_uint(&p) < 0)
			return 0;
	}
	if (strcmp(p, "/fd") && strcmp(p, "/fdinfo"))
		return 0;
	return pid == vrl_getpid() ? 2 : 1;
}

/*
 * foreign_own_fd() - descriptor @n in the listing @dirfd of another
 * process's /proc/PID/fd is one vroot holds there: in vroot's range, and
 * O_PATH as its fdinfo says (the numbers of each process's directory cache
 * are its own).
 */
static int
foreign_own_fd(struct vr_loader_ctx *ctx, int dirfd, long n)
{
	long floor = ctx->proc->state.fd_floor, got;
	char path[32] = "../fdinfo/", buf[256], *p;
	unsigned long flags = 0;
	int k = 10;

	if (!floor || n < floor || n >= floor + VRL_OWNFD_SPAN)
		return 0;
	for (long d = 1000000000; d; d /= 10)
		if (n >= d || d == 1)
			path[k++] = (char)('0' + (n / d) % 10);
	path[k] = '\0';
	got = vrl_read_at(dirfd, path, buf, sizeof(buf) - 1);
	if (got <= 0)
		return 0;
	buf[got] = '\0';
	for (p = buf; *p && strncmp(p, "flags:", 6); p++)
		;
	if (!*p)
		return 0;
	for (p += 6; *p == '\t' || *p == ' '; p++)
		;
	for (; *p >= '0' && *p <= '7'; p++)
		flags = flags * 8 + (unsigned long)(*p - '0');
	return (flags & O_PATH) != 0;
}

/*
 * hide_own_fds() - drop from a /proc/PID/fd listing (@dirfd) the
 * namespace's descriptors (every process of a session keeps them at the
 * same numbers), another process's directory cache, and, for this
 * process's own (@own), the ones the core held open while it listed
 * (closed by now).  Return: the new length of @buf.
 */
static long
hide_own_fds(struct vr_loader_ctx *ctx, int dirfd, char *buf, long len, int own)
{
	long in = 0, out = 0;

	while (in < len) {
		struct linux_dirent64_hdr {
			unsigned long long ino;
			long long off;
			unsigned short reclen;
			unsigned char type;
			char name[];
		} *d = (void *)(buf + in);
		const char *p = d->name;
		long fd = parse_uint(&p);
		unsigned short rl = d->reclen;
		int hide = fd >= 0 && !*p &&
		           (vr_ns_owns_fd(ctx->proc->ns, (int)fd) ||
		            (own && vrl_sys2(__NR_fcntl, fd, F_GETFD) == -EBADF) ||
		            (!own && foreign_own_fd(ctx, dirfd, fd)));

		if (!hide) {
			memmove(buf + out, buf + in, rl);
			out += rl;
		}
		in += rl;
	}
	return out;
}

/* The old getdents record has d_type in its last byte; the sizes match. */
struct old_dirent {
	unsigned long d_ino;
	unsigned long d_off;
	unsigned short d_reclen;
	char d_name[];
};

struct new_dirent {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/*
 * copy_out() - give the program the records @buf[0..@r) of descriptor @fd,
 * which stood at @pos0 before the call.  A buffer that runs into memory the
 * program cannot write gets the records that fit before it, and the
 * stream is put back after the last of them (at @pos0 when none fits:
 * EFAULT), so the next call goes on from there, as natively.
 */
static long
copy_out(int fd, long pos0, void *user, char *buf, long r)
{
	long w = vrl_poke_some(user, buf, (size_t)r), keep = 0, off = pos0;

	if (w == r)
		return r;
	while (w >= 0 && keep < r) {
		const struct new_dirent *d = (const struct new_dirent *)(buf + keep);

		if (keep + d->d_reclen > w)
			break;
		off = d->d_off;
		keep += d->d_reclen;
	}
	if (pos0 >= 0)
		vrl_sys3(__NR_lseek, fd, off, 0 /* SEEK_SET */);
	return keep ? keep : -EFAULT;
}

/*
 * numbers_only() - every name in the records @buf[0..@len) but "." and ".."
 * is a decimal number, as in a /proc/PID/fd listing: only then is the
 * directory worth asking fd_dir_of() about (which reads its path back).
 */
static int
numbers_only(const char *buf, long len)
{
	for (long in = 0; in < len;) {
		const struct new_dirent *d = (const struct new_dirent *)(buf + in);
		const char *p = d->d_name;

		in += d->d_reclen;
		if (p[0] == '.' && (!p[1] || (p[1] == '.' && !p[2])))
			continue;
		if (parse_uint(&p) < 0 || *p)
			return 0;
	}
	return 1;
}

/*
 * getdents() - both getdents calls: the listing into a per-call buffer of
 * the core's pool (reused, not mapped call after call), vroot's own
 * descriptors left out of /proc/self/fd, @old: records of the old
 * getdents(2) (the same sizes, d_type in the last byte).
 */
static long
getdents(struct vr_loader_ctx *ctx, const long a[6], int old)
{
	int fd = (int)a[0], kind;
	size_t cap, n;
	char *buf = vr_task_buf_get(T(ctx), &cap);
	long r, pos0;

	if (!buf)
		return -ENOMEM;
	n = (unsigned long)a[2] < cap ? (size_t)a[2] : cap;
	pos0 = vrl_sys3(__NR_lseek, fd, 0, 1 /* SEEK_CUR */);
	r = vr_getdents64_at(T(ctx), fd, pos0, buf, n);
	if (r > 0 && numbers_only(buf, r) && (kind = fd_dir_of(ctx, fd)))
		r = hide_own_fds(ctx, fd, buf, r, kind == 2);
	for (long off = 0; old && off < r;) {
		struct new_dirent *d = (struct new_dirent *)(buf + off);
		struct old_dirent *o = (struct old_dirent *)d;
		unsigned short len = d->d_reclen;
		unsigned char type = d->d_type;

		memmove(o->d_name, d->d_name, strlen(d->d_name) + 1);
		((char *)o)[len - 1] = (char)type;
		off += len;
	}
	if (r > 0)
		r = copy_out(fd, pos0, (void *)a[1], buf, r);
	vr_task_buf_put(T(ctx), buf);
	return r;
}

long
h_getdents64(struct vr_loader_ctx *ctx, const long a[6])
{
	return getdents(ctx, a, 0);
}

long
h_getdents(struct vr_loader_ctx *ctx, const long a[6])
{
	return getdents(ctx, a, 1);
}

/*
 * fd_path() - the virtual path of descriptor @fd, for the f*xattr calls
 * (which refuse an O_PATH descriptor, as natively).  A removed file of the
 * overlay's upper layer (an O_TMPFILE file) has none: 1, for
 * vr_fxattr_removed().
 */
static long
fd_path(struct vr_loader_ctx *ctx, int fd, char *buf)
{
	struct stat st;
	long n = vrl_fd_not_opath(fd);

	if (n < 0)
		return n;
	if (vrl_sys2(__NR_fstat, fd, &st) == 0 && st.st_nlink == 0 &&
	    vr_fxattr_removed(T(ctx), fd, 0, NULL, NULL, 0, 0) == 0)
		return 1;
	n = vr_revmap_fd(T(ctx), fd, buf, PATH_MAX);

	if (n >= 0 && buf[0] != '/')
		return -EOPNOTSUPP; /* a pipe or a socket: no attributes here */
	return n < 0 ? n : 0;
}

/*
 * ioctl: the filter traps only the requests that change inode flags.  On a
 * descriptor of a regular file or directory in the namespace they go to
 * the core, which copies a base object up and changes the copy (a file's
 * descriptors in this process then read the copy, a directory's the
 * base's); anything else (a device, a pipe, a descriptor from outside the
 * namespace) is the kernel's.
 */
long
h_ioctl(struct vr_loader_ctx *ctx, const long a[6])
{
	char p[PATH_MAX];
	struct stat st;

	if (vrl_sys2(__NR_fstat, a[0], &st) < 0 || (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) ||
	    vr_revmap_fd(T(ctx), (int)a[0], p, sizeof(p)) < 0 || p[0] != '/')
		return vrl_sys3(__NR_ioctl, a[0], a[1], a[2]);
	return vr_fileattr_set(T(ctx), p, (unsigned int)a[1], (void *)a[2]);
}

static long
in_str(char *buf, long user, size_t cap)
{
	long n;

	if (!user)
		return -EFAULT;
	n = vrl_peek_str(buf, (const char *)user, cap);
	if (n == -ENAMETOOLONG)
		return cap == 256 ? -ERANGE : -ENAMETOOLONG;
	return n < 0 ? n : 0;
}

/* get: path or fd, name, value, size */
static long
do_getxattr(struct vr_loader_ctx *ctx, const char *p, int fd, long uname, long uval, long size,
            int nofollow)
{
	size_t n = (unsigned long)size < BIG_MAX ? (size_t)size : BIG_MAX;
	char name[256], *val;
	long r = in_str(name, uname, sizeof(name));
	int pooled;

	if (r)
		return r;
	val = val_get(ctx, n ? n : 1, &pooled);
	if (!val)
		return -ENOMEM;
	if (p)
		r = vr_getxattr(T(ctx), p, name, n ? val : NULL, n, nofollow);
	else
		r = vr_fxattr_removed(T(ctx), fd, __NR_fgetxattr, name, n ? val : NULL, n, 0);
	if (r > 0 && n && vrl_poke((void *)uval, val, (size_t)r))
		r = -EFAULT;
	val_put(ctx, val, n ? n : 1, pooled);
	return r;
}

static long
path_getxattr(struct vr_loader_ctx *ctx, const long a[6], int nofollow)
{
	char p[PATH_MAX];
	long r = in_str(p, a[0], sizeof(p));

	return r ? r : do_getxattr(ctx, p, -1, a[1], a[2], a[3], nofollow);
}

long
h_getxattr(struct vr_loader_ctx *ctx, const long a[6])
{
	return path_getxattr(ctx, a, 0);
}

long
h_lgetxattr(struct vr_loader_ctx *ctx, const long a[6])
{
	return path_getxattr(ctx, a, 1);
}

long
h_fgetxattr(struct vr_loader_ctx *ctx, const long a[6])
{
	char p[PATH_MAX];
	long r = fd_path(ctx, (int)a[0], p);

	return r < 0 ? r : do_getxattr(ctx, r ? NULL : p, (int)a[0], a[1], a[2], a[3], 1);
}

static long
do_listxattr(struct vr_loader_ctx *ctx, const char *p, int fd, long ulist, long size, int nofollow)
{
	size_t n = (unsigned long)size < BIG_MAX ? (size_t)size : BIG_MAX;
	int pooled;
	char *list = val_get(ctx, n ? n : 1, &pooled);
	long r;

	if (!list)
		return -ENOMEM;
	if (p)
		r = vr_listxattr(T(ctx), p, n ? list : NULL, n, nofollow);
	else
		r = vr_fxattr_removed(T(ctx), fd, __NR_flistxattr, NULL, n ? list : NULL, n, 0);
	if (r > 0 && n && vrl_poke((void *)ulist, list, (size_t)r))
		r = -EFAULT;
	val_put(ctx, list, n ? n : 1, pooled);
	return r;
}

long
h_listxattr(struct vr_loader_ctx *ctx, const long a[6])
{
	char p[PATH_MAX];
	long r = in_str(p, a[0], sizeof(p));

	return r ? r : do_listxattr(ctx, p, -1, a[1], a[2], 0);
}

long
h_llistxattr(struct vr_loader_ctx *ctx, const long a[6])
{
	char p[PATH_MAX];
	long r = in_str(p, a[0], sizeof(p));

	return r ? r : do_listxattr(ctx, p, -1, a[1], a[2], 1);
}

long
h_flistxattr(struct vr_loader_ctx *ctx, const long a[6])
{
	char p[PATH_MAX];
	long r = fd_path(ctx, (int)a[0], p);

	return r < 0 ? r : do_listxattr(ctx, r ? NULL : p, (int)a[0], a[1], a[2], 1);
}

static long
do_setxattr(struct vr_loader_ctx *ctx, const char *p, const long a[6], int nofollow)
{
	size_t n = (unsigned long)a[3];
	char name[256], *val;
	long r = in_str(name, a[1], sizeof(name));

	if (r)
		return r;
	if (n > 65536)
		return -E2BIG;
	val = big_map(n ? n : 1);
	if (!val)
		return -ENOMEM;
	r = n && vrl_peek(val, (const void *)a[2], n) ? -EFAULT : 0;
	if (!r && p)
		r = vr_setxattr(T(ctx), p, name, val, n, (int)a[4], nofollow);
	else if (!r)
		r = vr_fxattr_removed(T(ctx), (int)a[0], __NR_fsetxattr, name, val, n, (int)a[4]);
	big_unmap(val, n ? n : 1);
	return r;
}

long
h_setxattr(struct vr_loader_ctx *ctx, const long a[6])
{
	char p[PATH_MAX];
	long r = in_str(p, a[0], sizeof(p));

	return r ? r : do_setxattr(ctx, p, a, 0);
}

long
h_lsetxattr(struct vr_loader_ctx *ctx, const long a[6])
{
	char p[PATH_MAX];
	long r = in_str(p, a[0], sizeof(p));

	return r ? r : do_setxattr(ctx, p, a, 1);
}

long
h_fsetxattr(struct vr_loader_ctx *ctx, const long a[6])
{
	char p[PATH_MAX];
	long r = fd_path(ctx, (int)a[0], p);

	return r < 0 ? r : do_setxattr(ctx, r ? NULL : p, a, 1);
}

static long
do_removexattr(struct vr_loader_ctx *ctx, const char *p, int fd, long uname, int nofollow)
{
	char name[256];
	long r = in_str(name, uname, sizeof(name));

	if (r)
		return r;
	if (!p)
		return vr_fxattr_removed(T(ctx), fd, __NR_fremovexattr, name, NULL, 0, 0);
	return vr_removexattr(T(ctx), p, name, nofollow);
}

long
h_removexattr(struct vr_loader_ctx *ctx, const long a[6])
{
	char p[PATH_MAX];
	long r = in_str(p, a[0], sizeof(p));

	return r ? r : do_removexattr(ctx, p, -1, a[1], 0);
}

long
h_lremovexattr(struct vr_loader_ctx *ctx, const long a[6])
{
	char p[PATH_MAX];
	long r = in_str(p, a[0], sizeof(p));

	return r ? r : do_removexattr(ctx, p, -1, a[1], 1);
}

long
h_fremovexattr(struct vr_loader_ctx *ctx, const long a[6])
{
	char p[PATH_MAX];
	long r = fd_path(ctx, (int)a[0], p);

	return r < 0 ? r : do_removexattr(ctx, r ? NULL : p, (int)a[0], a[1], 1);
}

void
vrl_fds_apart(struct vr_ns *ns)
{
	__atomic_store_n(&vrl_proc.fds_apart, 1, __ATOMIC_RELAXED);
	if (ns)
		vr_ns_fd_changes_seen(ns, 0);
}

const char *
vrl_proc_fd(char *buf, int fd)
{
	struct vrl_buf b;

	vrl_buf_init(&b, buf, 32);
	vrl_buf_str(&b, __atomic_load_n(&vrl_proc.fds_apart, __ATOMIC_RELAXED)
	                        ? "/proc/thread-self/fd/"
	                        : "/proc/self/fd/");
	vrl_buf_dec(&b, fd);
	return buf;
}

#define VRL_AT_HANDLE_MNT_ID_UNIQUE 0x001
#define VRL_AT_HANDLE_FID           0x200

/*
 * name_to_handle_at(): the kernel's handle of the object the namespace
 * shows, made through an O_PATH descriptor of it (a base file's handle is
 * the base's until the file is copied up).  open_by_handle_at() stays
 * refused: a handle would reach objects the namespace does not show.
 */
long
h_name_to_handle_at(struct vr_loader_ctx *ctx, const long a[6])
{
	const int known =
	        AT_SYMLINK_FOLLOW | AT_EMPTY_PATH | VRL_AT_HANDLE_FID | VRL_AT_HANDLE_MNT_ID_UNIQUE;
	int flags = (int)a[4], fd;
	char p[PATH_MAX];
	long r;

	if (flags & ~known)
		return -EINVAL;
	r = in_str(p, a[1], sizeof(p));
	if (r)
		return r;
	if (!p[0] && (flags & AT_EMPTY_PATH))
		return vrl_sys5(__NR_name_to_handle_at, a[0], a[1], a[2], a[3], a[4]);
	fd = vr_openat(T(ctx), (int)a[0], p,
	               O_PATH | O_CLOEXEC | ((flags & AT_SYMLINK_FOLLOW) ? 0 : O_NOFOLLOW), 0);
	if (fd < 0)
		return fd;
	r = vrl_sys5(__NR_name_to_handle_at, fd, "", a[2], a[3],
	             (flags & ~AT_SYMLINK_FOLLOW) | AT_EMPTY_PATH);
	vrl_close(fd);
	return r;
}

#define IN_DONT_FOLLOW 0x02000000
#define IN_ONLYDIR     0x01000000

/*
 * inotify_add_watch(): the watch goes on the object later changes reach
 * (vr_watch_open(): a base file or directory is copied up first), through
 * its magic link.  The kernel's own checks of the mask and the descriptor
 * come first, so that a call it refuses copies nothing up: an empty path
 * passes them and then fails its lookup with ENOENT.
 */
long
h_inotify_add_watch(struct vr_loader_ctx *ctx, const long a[6])
{
	char p[PATH_MAX], link[32];
	unsigned int mask = (unsigned int)a[2];
	long r = in_str(p, a[1], sizeof(p));
	int fd;

	if (r)
		return r;
	r = vrl_sys3(__NR_inotify_add_watch, a[0], "", mask);
	if (r != -ENOENT)
		return r < 0 ? r : -EINVAL;
	fd = vr_watch_open(T(ctx), p,
	                   ((mask & IN_DONT_FOLLOW) ? O_NOFOLLOW : 0) |
	                           ((mask & IN_ONLYDIR) ? O_DIRECTORY : 0));
	if (fd < 0)
		return fd;
	r = vrl_sys3(__NR_inotify_add_watch, a[0], vrl_proc_fd(link, fd), mask & ~IN_DONT_FOLLOW);
	vrl_close(fd);
	return r;
}

#define CLOSE_RANGE_UNSHARE_ (1U << 1)
#define CLOSE_RANGE_CLOEXEC_ (1U << 2)

/* close_around() - close_range() @a, around the namespace's descriptors. */
static long
close_around(struct vr_ns *ns, const long a[6])
{
	unsigned int first = (unsigned int)a[0], last = (unsigned int)a[1], lo = first;
	long r = 0;

	if (first > last)
		return -EINVAL;
	for (;;) {
		/* The lowest namespace descriptor in [lo, last]. */
		int fd = lo > 0x7fffffffu ? -1 : vr_ns_next_own_fd(ns, (int)lo);
		unsigned int next = (unsigned int)fd;

		if (fd < 0 || next > last)
			return vrl_sys3(__NR_close_range, lo, last, a[2]);
		if (next > lo)
			r = vrl_sys3(__NR_close_range, lo, next - 1, a[2]);
		if (r < 0 || next == last || next == ~0u)
			return r;
		lo = next + 1;
	}
}

/*
 * close_range() must not take the namespace's descriptors (programs close
 * "everything above 2" before exec, and the exec itself needs them): the
 * range is closed around them.  Any number may have changed then
 * (vr_fd_changed()); with CLOSE_RANGE_UNSHARE the thread gets a table of
 * its own, which the other threads' changes do not reach (the core stops
 * believing what it learnt of a number).
 */
long
h_close_range(struct vr_loader_ctx *ctx, const long a[6])
{
	struct vr_ns *ns = ctx->proc->ns;
	long r;

	if (a[2] & CLOSE_RANGE_UNSHARE_)
		vrl_fds_apart(ns);
	if (!(a[2] & CLOSE_RANGE_CLOEXEC_))
		vr_fd_changed(ns, -1);
	r = close_around(ns, a);
	if (!(a[2] & CLOSE_RANGE_CLOEXEC_))
		vr_fd_changed(ns, -1);
	return r;
}

/*
 * h_unshare() - unshare(2); CLONE_FILES gives the thread a descriptor
 * table of its own, which the other threads' changes do not reach: the
 * core stops believing what it learnt of a number, before the call.
 */
long
h_unshare(struct vr_loader_ctx *ctx, const long a[6])
{
	if ((unsigned long)a[0] & CLONE_FILES_)
		vrl_fds_apart(ctx->proc->ns);
	return vrl_sys1(__NR_unshare, a[0]);
}

/* parse_uint() - decimal at *p, advanced; -1 when there is none. */
static long
parse_uint(const char **p)
{
	long v = -1;

	while (**p >= '0' && **p <= '9' && v < 100000000)
		v = (v < 0 ? 0 : v * 10) + (*(*p)++ - '0');
	return v;
}

/*
 * magic_kind() - which magic link @vp (canonical, no final link followed)
 * names: "fd/N" (*fd = N), "cwd", "root", "exe"; *pid receives the process.
 */
static const char *
magic_kind(const char *vp, int *fd, long *pidp)
{
	const char *p = vp + 6;
	long pid;

	if (strncmp(vp, "/proc/", 6))
		return NULL;
	pid = parse_uint(&p);
	*pidp = pid;
	if (pid < 0)
		return NULL;
	if (!strncmp(p, "/task/", 6)) {
		p += 6;
		if (parse_uint(&p) < 0)
			return NULL;
	}
	if (!strncmp(p, "/fd/", 4)) {
		p += 4;
		pid = parse_uint(&p);
		*fd = (int)pid;
		return pid >= 0 && !*p ? "fd" : NULL;
	}
	if (!strcmp(p, "/cwd") || !strcmp(p, "/root") || !strcmp(p, "/exe"))
		return p + 1;
	return NULL;
}

static long
copy_answer(char *buf, size_t size, const char *s)
{
	size_t n = strlen(s);

	if (n > size)
		n = size;
	memcpy(buf, s, n);
	return (long)n;
}

static char *
strchr_local(char *s, char c)
{
	for (; *s; s++)
		if (*s == c)
			return s;
	return NULL;
}

/* read_proc() - up to @cap bytes of /proc/@pid/@what.  Return: length or -errno. */
static long
read_proc(long pid, const char *what, char *buf, size_t cap)
{
	char path[64];
	struct vrl_buf b;

	vrl_buf_init(&b, path, sizeof(path));
	vrl_buf_str(&b, "/proc/");
	vrl_buf_dec(&b, pid);
	vrl_buf_str(&b, what);
	return vrl_read_at(AT_FDCWD, path, buf, cap);
}

/*
 * other_exe() - the program another process of the namespace runs: its
 * exe link names the loader, so find the file mapped where its auxv says
 * the program's headers are (AT_PHDR), and map that back.
 */
static long
other_exe(struct vr_loader_ctx *ctx, long pid, char *out, size_t size)
{
	size_t cap = 1ul << 20;
	char *buf = big_map(cap);
	unsigned long phdr = 0, *av;
	long n, r = -ENOENT;

	if (!buf)
		return -ENOMEM;
	n = read_proc(pid, "/auxv", buf, 4096);
	av = (unsigned long *)buf;
	for (long i = 0; i + 1 < n / 8 && av[i]; i += 2)
		if (av[i] == 3 /* AT_PHDR */)
			phdr = av[i + 1];
	n = phdr ? read_proc(pid, "/maps", buf, cap - 1) : 0;
	for (long off = 0; off < n && r == -ENOENT;) {
		char *line = buf + off, *end = line, *path;
		const char *q = line;
		unsigned long lo = 0, hi = 0;

		while (end < buf + n && *end != '\n')
			end++;
		*end = 0;
		off = end - buf + 1;
		for (; *q && *q != '-'; q++)
			lo = lo * 16 + (unsigned long)(*q <= '9' ? *q - '0' : (*q | 32) - 'a' + 10);
		for (q++; *q && *q != ' '; q++)
			hi = hi * 16 + (unsigned long)(*q <= '9' ? *q - '0' : (*q | 32) - 'a' + 10);
		path = strchr_local(line, '/');
		if (phdr >= lo && phdr < hi && path)
			r = vr_revmap_path(ctx->proc->ns, path, out, size);
	}
	big_unmap(buf, cap);
	return r;
}

/*
 * magic_name() - the host's name (/proc/PID/...) of the procfs link @path
 * names, in @vp: at /proc, or at any path when a mount shows the host's
 * /proc below it (a mount of the host's root).  Only paths that can reach
 * a procfs are walked: absolute ones there, or relative ones.
 * Return: 1 when @path names a procfs link, else 0.
 */
static int
magic_name(struct vr_loader_ctx *ctx, int dfd, const char *path, char *vp, size_t size)
{
	if (path[0] == '/' && strncmp(path, "/proc/", 6) && !vr_ns_procfs_in_mount(ctx->proc->ns))
		return 0;
	return vr_proc_link_name(T(ctx), dfd, path, vp, size) > 0;
}

int
vrl_proc_magic_readlink(struct vr_loader_ctx *ctx, int dfd, const char *path, char *buf,
                        size_t size, long *n)
{
	char vp[PATH_MAX];
	const char *kind;
	long pid = -1;
	int fd = -1;

	if (!magic_name(ctx, dfd, path, vp, sizeof(vp)))
		return 0;
	kind = magic_kind(vp, &fd, &pid);
	if (!kind)
		return 0;
	if (pid != vrl_getpid()) {
		/* Another process: the core maps its links back, but for exe. */
		if (strcmp(kind, "exe"))
			return 0;
		*n = other_exe(ctx, pid, buf, size);
		return *n >= 0;
	}
	if (!strcmp(kind, "fd")) {
		if (vr_ns_owns_fd(ctx->proc->ns, fd)) {
			*n = -ENOENT; /* the namespace's own: not there for the program */
			return 1;
		}
		*n = vr_revmap_fd(T(ctx), fd, buf, size);
		if (*n == -EBADF)
			*n = -ENOENT; /* as the kernel: the link does not exist */
		if (*n == -ENOENT)    /* a host file outside the namespace: its host name */
			*n = vrl_sys4(__NR_readlinkat, AT_FDCWD, vrl_proc_fd(vp, fd), buf, size);
	} else if (!strcmp(kind, "cwd")) {
		*n = vr_getcwd(T(ctx), buf, size);
		if (*n > 0)
			(*n)--;
	} else if (!strcmp(kind, "root")) {
		*n = copy_answer(buf, size, "/");
	} else {
		char vexe[PATH_MAX];
		long v = vr_revmap_path(ctx->proc->ns, ctx->proc->exe_path, vexe, sizeof(vexe));

		if (v >= 0)
			v = vr_task_unroot(T(ctx), vexe, v);
		*n = copy_answer(buf, size, v >= 0 ? vexe : ctx->proc->exe_path);
	}
	return 1;
}

/* self_exe_named() - vrl_proc_self_exe() past its cheap test, apart with its buffer. */
static __attribute__((noinline)) const char *
self_exe_named(struct vr_loader_ctx *ctx, int dfd, const char *path)
{
	char vp[PATH_MAX];
	int fd;

	if (magic_name(ctx, dfd, path, vp, sizeof(vp))) {
		long pid;
		const char *kind = magic_kind(vp, &fd, &pid);

		if (kind && pid == vrl_getpid() && !strcmp(kind, "exe"))
			return ctx->proc->exe_path;
	}
	return NULL;
}

const char *
vrl_proc_self_exe(struct vr_loader_ctx *ctx, int dfd, const char *path)
{
	size_t len = strlen(path);

	/* Every open and stat asks: no big frame before the name ends in "/exe". */
	if (len > 4 && !strcmp(path + len - 4, "/exe") && ctx->proc->exe_path[0])
		return self_exe_named(ctx, dfd, path);
	return NULL;
}

long
vrl_proc_magic_open(struct vr_loader_ctx *ctx, int dfd, const char *path, int flags,
                    unsigned int mode)
{
	const char *exe = vrl_proc_self_exe(ctx, dfd, path);
	long r;

	if (exe)
		return vrl_sys4(__NR_openat, AT_FDCWD, exe, flags, mode);
	if ((r = vrl_ident_status(ctx, dfd, path, flags)) != 1)
		return r;
	if ((r = vrl_proc_mounts(ctx, dfd, path, flags)) != 1)
		return r;
	return vr_openat(T(ctx), dfd, path, flags, mode);
}
