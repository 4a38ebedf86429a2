/*
 * layer.c - the host implementation of the layer operations.
 */
#include "layer.h"
#include "ns.h"
#include "util.h"

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

static int
host_stat_at(int dirfd, const char *name, struct stat *st)
{
	return sys_fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW);
}

static long
host_readlink(int fd, const char *name, char *buf, size_t size)
{
	return sys_readlinkat(fd, name, buf, size);
}

static int
host_opaque(int fd)
{
	char v[4];
	long n = vr_xattr_get(fd, ".", "user.overlay.opaque", v, sizeof(v));

	if (n == -ENODATA || n == -EOPNOTSUPP || n == -ERANGE)
		return 0;
	if (n < 0)
		return (int)n;
	/* "y" marks an opaque directory; "x" only says lower layers may hold
	 * xattr whiteouts. */
	return n == 1 && v[0] == 'y';
}

/*
 * host_opendir() - the directory itself, reopened by its /proc/self/fd
 * link: opening "." in it would need search permission on it, which
 * listing does not (a mode 0600 directory of one's own lists natively).
 */
static int
host_opendir(int fd)
{
	char p[32];

	return sys_openat(AT_FDCWD, vr_proc_fd(p, fd), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
}

const struct vr_layer_ops vr_host_layer_ops = {
        .lookup = host_lookup,
        .stat_at = host_stat_at,
        .readlink = host_readlink,
        .opaque = host_opaque,
        .opendir = host_opendir,
};
