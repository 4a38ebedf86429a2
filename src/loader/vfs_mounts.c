/*
 * vfs_mounts.c - this process's /proc mount tables show the namespace's
 * mounts (vr_mountinfo()), so df, findmnt, mount and the libraries that
 * read them see what the program sees, not the host's.
 */
#include <linux/fcntl.h>
#include <linux/mman.h>
#include "loader.h"
#include "vfs.h"
#include "vroot.h"

#define TABLE_MAX (1ul << 20)

/*
 * own_table() - canonical @vp is this process's /proc/PID/mountinfo or
 * mounts (also under task/TID): 1 for mounts, 0 for mountinfo, -1 if neither.
 */
static int
own_table(const char *vp)
{
	const char *p = vp + 6;
	long pid = 0;

	if (strncmp(vp, "/proc/", 6))
		return -1;
	while (*p >= '0' && *p <= '9')
		pid = pid * 10 + (*p++ - '0');
	if (pid != vrl_getpid())
		return -1;
	if (!strncmp(p, "/task/", 6))
		for (p += 6; *p >= '0' && *p <= '9'; p++)
			;
	if (!strcmp(p, "/mounts"))
		return 1;
	return strcmp(p, "/mountinfo") ? -1 : 0;
}

/* ends_with() - the last component of @path is @name. */
static int
ends_with(const char *path, const char *name)
{
	size_t n = strlen(path), k = strlen(name);

	return n >= k && !strcmp(path + n - k, name) && (n == k || path[n - k - 1] == '/');
}

static long mounts_open(struct vr_loader_ctx *ctx, int dfd, const char *path, int flags);

long
vrl_proc_mounts(struct vr_loader_ctx *ctx, int dfd, const char *path, int flags)
{
	if (!ends_with(path, "mountinfo") && !ends_with(path, "mounts") && !ends_with(path, "mtab"))
		return 1;
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_PATH | O_DIRECTORY | O_CREAT)))
		return 1;
	return mounts_open(ctx, dfd, path, flags);
}

/* mounts_open() - the rest, apart with its buffer (vfs_ident.c's status_open() says why). */
static __attribute__((noinline)) long
mounts_open(struct vr_loader_ctx *ctx, int dfd, const char *path, int flags)
{
	char vp[VRL_PATH_MAX], *buf;
	long len, fd;
	int which;

	if (vr_realpath(vrl_task(ctx), dfd, path, 0, vp, sizeof(vp)) < 0 ||
	    (which = own_table(vp)) < 0)
		return 1;
	buf = (char *)vrl_sys6(__NR_mmap, 0, TABLE_MAX, PROT_READ | PROT_WRITE,
	                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if ((unsigned long)buf > -4096UL)
		return -ENOMEM;
	len = vr_mountinfo(vrl_task(ctx), which, buf, TABLE_MAX);
	fd = len < 0 ? len : vrl_sealed_file(which ? "mounts" : "mountinfo", buf, (size_t)len, flags);
	vrl_sys2(__NR_munmap, buf, TABLE_MAX);
	return fd;
}
