/*
 * util.c - string and memory helpers for the freestanding core.
 */
#include "sys.h"
#include "util.h"
#include "vroot.h"

const char *
vr_version(void)
{
	return VR_VERSION;
}

size_t
vr_strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t
vr_strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int
vr_strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int
vr_has_prefix(const char *s, const char *p)
{
	while (*p)
		if (*s++ != *p++)
			return 0;
	return 1;
}

int
vr_memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] - y[i];
	return 0;
}

/*
 * On x86-64 the copies are `rep movsb`/`rep stosb`, which current cores
 * run at many bytes a cycle: a walk copies whole stat buffers and objects
 * at every step.  Sanitizer builds keep the loops, which their checks see.
 */
#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define REP_STRING 1
#else
#define REP_STRING 0
#endif

void *
vr_memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

#if REP_STRING
	if (n >= 64) {
		__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
		return dst;
	}
	/*
	 * A name or a path component: `rep movsb` takes longer to start than
	 * these take to copy by words.  (The empty asm keeps the compiler
	 * from making the loop a call to memcpy, which is this function.)
	 */
	for (; n >= 8; n -= 8, d += 8, s += 8) {
		unsigned long v;

		__builtin_memcpy(&v, s, 8);
		__builtin_memcpy(d, &v, 8);
		__asm__("" : "+r"(d));
	}
#endif
	while (n--)
		*d++ = *s++;
	return dst;
}

void *
vr_memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d < s || d >= s + n) {
		vr_memcpy(dst, src, n);
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

void *
vr_memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

#if REP_STRING
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
#else
	while (n--)
		*d++ = (unsigned char)c;
#endif
	return dst;
}

long
vr_path_under(const char *path, size_t plen, const char *dir, size_t dlen)
{
	/* "/" contains every absolute path. */
	if (dlen == 1 && dir[0] == '/') {
		if (path[0] != '/')
			return -1;
		return plen == 1 ? 1 : 0;
	}
	if (plen < dlen || vr_memcmp(path, dir, dlen) != 0)
		return -1;
	if (plen == dlen || path[dlen] == '/')
		return (long)dlen;
	return -1;
}

size_t
vr_utoa(unsigned long v, char *buf)
{
	char tmp[21];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return n;
}

int vr_fd_tables_apart;

const char *
vr_proc_fds(void)
{
	return __atomic_load_n(&vr_fd_tables_apart, __ATOMIC_RELAXED) ? "/proc/thread-self/fd"
	                                                              : "/proc/self/fd";
}

char *
vr_proc_fd(char buf[32], int fd)
{
	const char *dir = vr_proc_fds();
	size_t n = vr_strlen(dir);

	/* At most 20 + '/' + 10 digits + NUL. */
	vr_memcpy(buf, dir, n);
	buf[n] = '/';
	vr_utoa((unsigned int)fd, buf + n + 1);
	return buf;
}

#ifndef __NR_setxattrat
#define __NR_setxattrat 463
#endif
#ifndef __NR_getxattrat
#define __NR_getxattrat 464
#endif
#ifndef __NR_listxattrat
#define __NR_listxattrat 465
#endif

struct xattr_args {
	unsigned long long value;
	unsigned int size, flags;
};

/*
 * The *xattrat() calls answered ENOSYS (a kernel before 6.13, an outer
 * session) or EPERM (a container's filter that refuses calls it does not
 * know; reading an attribute never fails so): set once, the paths are
 * used from then on.
 */
static int no_xattrat;

/* lacking() - @n, an *xattrat() call's answer, says the call is not there. */
static int
lacking(long n)
{
	if (n != -ENOSYS && n != -EPERM)
		return 0;
	__atomic_store_n(&no_xattrat, 1, __ATOMIC_RELAXED);
	return 1;
}

static int
xattrat_off(void)
{
	return __atomic_load_n(&no_xattrat, __ATOMIC_RELAXED);
}

char *
vr_proc_fd_at(char buf[VR_PROC_AT_LEN], int dfd, const char *name)
{
	size_t n = vr_strlen(vr_proc_fd(buf, dfd)), len = vr_strlen(name);

	if (!name[0] || (name[0] == '.' && !name[1]))
		return buf;
	if (len > NAME_MAX)
		return NULL;
	buf[n] = '/';
	vr_memcpy(buf + n + 1, name, len + 1);
	return buf;
}

/*
 * at_done() - @n, the *xattrat() call's answer for @name, is the answer.
 * A change may be refused with EPERM for its own reasons: the path is
 * asked then, without turning the calls off.
 */
static int
at_done(const char *name, long n, int change)
{
	if (change && n == -EPERM)
		return 0;
	if (lacking(n))
		return 0;
	return !(name[0] == '.' && !name[1] && (n == -EACCES || n == -ENOTDIR));
}

/* The plain call for @name: the link itself is followed, a name below it is not. */
#define PLAIN(name, follow, nofollow)                                                              \
	((name)[0] && !((name)[0] == '.' && !(name)[1]) ? (nofollow) : (follow))

long
vr_xattr_get(int dfd, const char *name, const char *attr, void *value, size_t size)
{
	char buf[VR_PROC_AT_LEN];
	const char *p;

	if (name[0] && !xattrat_off()) {
		struct xattr_args a = {(unsigned long)value, (unsigned int)size, 0};
		long n = vr_sys6(__NR_getxattrat, dfd, (long)name, AT_SYMLINK_NOFOLLOW, (long)attr,
		                 (long)&a, sizeof(a));

		if (at_done(name, n, 0))
			return n;
	}
	p = vr_proc_fd_at(buf, dfd, name);
	return p ? vr_sys4(PLAIN(name, __NR_getxattr, __NR_lgetxattr), p, attr, value, size)
	         : -ENAMETOOLONG;
}

long
vr_xattr_set(int dfd, const char *name, const char *attr, const void *value, size_t size, int flags)
{
	char buf[VR_PROC_AT_LEN];
	const char *p;

	if (name[0] && !xattrat_off()) {
		struct xattr_args a = {(unsigned long)value, (unsigned int)size,
		                       (unsigned int)flags};
		long n = vr_sys6(__NR_setxattrat, dfd, (long)name, AT_SYMLINK_NOFOLLOW, (long)attr,
		                 (long)&a, sizeof(a));

		if (at_done(name, n, 1))
			return n;
	}
	p = vr_proc_fd_at(buf, dfd, name);
	return p ? vr_sys5(PLAIN(name, __NR_setxattr, __NR_lsetxattr), p, attr, value, size, flags)
	         : -ENAMETOOLONG;
}

long
vr_xattr_list(int dfd, const char *name, char *list, size_t size)
{
	char buf[VR_PROC_AT_LEN];
	const char *p;

	if (name[0] && !xattrat_off()) {
		long n = vr_sys5(__NR_listxattrat, dfd, (long)name, AT_SYMLINK_NOFOLLOW, (long)list,
		                 size);

		if (at_done(name, n, 0))
			return n;
	}
	p = vr_proc_fd_at(buf, dfd, name);
	return p ? vr_sys3(PLAIN(name, __NR_listxattr, __NR_llistxattr), p, list, size)
	         : -ENAMETOOLONG;
}

#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif

/* The kernel has no fchmodat2() (before 6.6), or a filter refuses it. */
static int no_fchmodat2;

long
vr_chmod_fd(int fd, unsigned int mode)
{
	char p[32];

	if (!__atomic_load_n(&no_fchmodat2, __ATOMIC_RELAXED)) {
		long n = vr_sys4(__NR_fchmodat2, fd, "", mode, AT_EMPTY_PATH);

		/* EPERM may be the filter's or the object's own: asked again by the path. */
		if (n != -ENOSYS && n != -EPERM && n != -EINVAL)
			return n;
		if (n != -EPERM)
			__atomic_store_n(&no_fchmodat2, 1, __ATOMIC_RELAXED);
	}
	return vr_sys3(__NR_fchmodat, AT_FDCWD, vr_proc_fd(p, fd), mode);
}

int
vr_same_file_at(int dirfd, const char *name, const struct stat *st)
{
	struct stat now;

	return sys_fstatat(dirfd, name, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
	       now.st_dev == st->st_dev && now.st_ino == st->st_ino &&
	       now.st_ctime == st->st_ctime && now.st_ctime_nsec == st->st_ctime_nsec;
}

int
vr_xattr_listed(const char *names, long n, const char *name)
{
	size_t len = vr_strlen(name) + 1;

	for (long at = 0; at < n;) {
		size_t k = vr_strlen(names + at) + 1;

		if (k == len && vr_memcmp(names + at, name, len) == 0)
			return 1;
		at += (long)k;
	}
	return 0;
}

int
vr_each_entry(int fd, char *buf, size_t size,
              int (*fn)(void *arg, int fd, const struct vr_dirent64 *d), void *arg)
{
	long n;

	while ((n = sys_getdents64(fd, buf, size)) > 0) {
		for (long off = 0; off < n;) {
			const struct vr_dirent64 *d = (const void *)(buf + off);
			int err;

			off += d->d_reclen;
			if (d->d_name[0] == '.' &&
			    (!d->d_name[1] || (d->d_name[1] == '.' && !d->d_name[2])))
				continue;
			err = fn(arg, fd, d);
			if (err < 0)
				return err;
		}
	}
	return (int)n;
}

/* start_time() - field 22 of /proc/@pid/stat (clock ticks since boot), or 0. */
static unsigned long
start_time(int pid)
{
	char path[40] = "/proc/", buf[512];
	unsigned long v = 0;
	long n;
	int fd, field = 2;
	char *p;

	vr_memcpy(path + 6 + vr_utoa((unsigned long)pid, path + 6), "/stat", 6);
	fd = sys_openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	n = vr_sys3(__NR_read, fd, buf, sizeof(buf) - 1);
	sys_close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The command name may hold spaces and ')': fields count from the last ')'. */
	p = buf + n;
	while (p > buf && *p != ')')
		p--;
	for (; *p && field < 22; p++)
		field += *p == ' ';
	while (*p >= '0' && *p <= '9')
		v = v * 10 + (unsigned long)(*p++ - '0');
	return field == 22 ? v : 0;
}

#define PIDFS_MAGIC 0x50494446UL
#define PIDFS_KEY   (1UL << 63)

/* 1 when pidfds live on pidfs (Linux 6.9), -1 when not, 0 not yet known. */
static int pidfs;

unsigned long
vr_proc_key(int pid)
{
	struct stat st;
	long fs[16]; /* struct statfs: f_type first */
	int fd, kind = __atomic_load_n(&pidfs, __ATOMIC_RELAXED);
	unsigned long key = 0;

	if (kind < 0)
		return start_time(pid);
	fd = (int)vr_sys2(__NR_pidfd_open, pid, 0);
	if (fd == -ESRCH)
		return 0;
	if (fd < 0 && kind == 0 && (fd == -ENOSYS || fd == -EINVAL)) {
		__atomic_store_n(&pidfs, -1, __ATOMIC_RELAXED);
		return start_time(pid);
	}
	if (fd < 0)
		return 0; /* out of descriptors: as a process not found */
	if (kind == 0) {
		int on = vr_sys2(__NR_fstatfs, fd, fs) == 0 && (unsigned long)fs[0] == PIDFS_MAGIC;

		kind = on ? 1 : -1;
		__atomic_store_n(&pidfs, kind, __ATOMIC_RELAXED);
	}
	if (kind > 0 && sys_fstat(fd, &st) == 0)
		key = (unsigned long)st.st_ino | PIDFS_KEY;
	sys_close(fd);
	/* Before pidfs every pidfd shares one anonymous inode: the start time tells. */
	return kind > 0 ? key : start_time(pid);
}

/*
 * vr_tmp_name() - a fresh name for a temporary in the work directory:
 * "#vroot.TID.RANDOM", so a later run can tell a dead writer's leftovers
 * (its thread is gone) from a live one's.
 */
void
vr_tmp_name(char buf[VR_TMP_LEN])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[4] = {0};
	size_t n;

	vr_sys3(__NR_getrandom, r, sizeof(r), 0);
	vr_memcpy(buf, "#vroot.", 7);
	n = 7 + vr_utoa((unsigned long)vr_sys0(__NR_gettid), buf + 7);
	buf[n++] = '.';
	for (int i = 0; i < 4; i++) {
		buf[n++] = hex[r[i] >> 4];
		buf[n++] = hex[r[i] & 15];
	}
	buf[n] = '\0';
}
