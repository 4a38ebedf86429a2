/*
 * layer.c - the host implementation of the layer operations.
 */
#include "layer.h"
#include "ns.h"
#include "util.h"

#ifndef __NR_getxattrat
#define __NR_getxattrat 464
#endif

/* struct xattr_args of getxattrat(2) (Linux 6.13), declared here so older
 * headers build. */
struct vr_xattr_args {
	unsigned long long value;
	unsigned int size;
	unsigned int flags;
};

static int
host_lookup(int dirfd, const char *name, int *fdp, struct stat *st)
{
	int fd = sys_openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
	int err;

	if (fd < 0)
		return fd;
	err = sys_fstat(fd, st);
	if (err < 0) {
		sys_close(fd);
		return err;
	}
	*fdp = fd;
	return 0;
}

static long
host_readlink(int fd, char *buf, size_t size)
{
	return sys_readlinkat(fd, "", buf, size);
}

/* vr_fd_getxattr() - read xattr @name of the file open (possibly O_PATH) as @fd. */
static long
fd_getxattr(const struct vr_ns *ns, int fd, const char *name, void *buf, size_t size)
{
	char proc[32] = "/proc/self/fd/";

	if (ns->have_getxattrat) {
		struct vr_xattr_args a = {.value = (unsigned long)buf, .size = (unsigned int)size};

		return vr_sys6(__NR_getxattrat, fd, (long)"", AT_EMPTY_PATH, (long)name, (long)&a,
			       sizeof(a));
	}
	/* O_PATH descriptors refuse fgetxattr(); the magic link reaches the inode. */
	vr_utoa((unsigned long)fd, proc + 14);
	return vr_sys4(__NR_getxattr, proc, name, buf, size);
}

static int
host_opaque(const struct vr_ns *ns, int fd)
{
	char v[4];
	long n = fd_getxattr(ns, fd, "user.overlay.opaque", v, sizeof(v));

	if (n == -ENODATA || n == -EOPNOTSUPP || n == -ERANGE)
		return 0;
	if (n < 0)
		return (int)n;
	/* "y" marks an opaque directory; "x" only says lower layers may hold
	 * xattr whiteouts. */
	return n == 1 && v[0] == 'y';
}

static int
host_opendir(int fd)
{
	return sys_openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
}

const struct vr_layer_ops vr_host_layer_ops = {
	.lookup = host_lookup,
	.readlink = host_readlink,
	.opaque = host_opaque,
	.opendir = host_opendir,
};

int
vr_probe_getxattrat(int dirfd)
{
	struct vr_xattr_args a = {0};
	long n = vr_sys6(__NR_getxattrat, dirfd, (long)"", AT_EMPTY_PATH, (long)"user.vroot.probe",
			 (long)&a, sizeof(a));

	return n != -ENOSYS && n != -EBADF && n != -EINVAL;
}
