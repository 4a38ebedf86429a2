/*
 * revmap.c - from host paths and descriptors back to virtual paths.
 *
 * A host path is matched against every backing directory on whole
 * components (so "/x/p" is not a prefix of "/x/p.work/f"); the longest match
 * wins, the root overlay's layers before mounts on a tie.  The work
 * directory is never mapped: nothing of the backing store is reachable.
 */
#include "ns.h"
#include "util.h"

#define DELETED     " (deleted)"
#define DELETED_LEN (sizeof(DELETED) - 1)

struct match {
	long score;         /* length of the matched directory ("/" counts 0), -1: none */
	long at;            /* where the rest of the host path starts */
	const char *prefix; /* virtual path the backing directory shows as */
	size_t plen;
};

static void
consider(struct match *best, const struct vr_backing *b, const char *host, size_t hlen,
         const char *prefix, size_t plen)
{
	long at = vr_path_under(host, hlen, b->host, b->hlen);

	long score = b->hlen == 1 ? 0 : (long)b->hlen;

	/* Strictly longer only: on a tie the earlier candidate stays. */
	if (at < 0 || score <= best->score)
		return;
	best->score = score;
	best->at = at;
	best->prefix = prefix;
	best->plen = plen;
}

/*
 * revmap() - write the virtual path of @host[0..hlen) into @buf; @buf may be
 * @host itself.  Return: length, -ENOENT, -ERANGE.
 */
static long
revmap(const struct vr_ns *ns, const char *host, size_t hlen, char *buf, size_t size)
{
	struct match best = {.score = -1, .at = -1};
	const char *rest;
	size_t rlen, vlen;
	unsigned int i;

	if (hlen == 0 || host[0] != '/')
		return -ENOENT;
	if (ns->stub.fd >= 0 && vr_path_under(host, hlen, ns->stub.host, ns->stub.hlen) >= 0) {
		/* A stub shows as the synthetic directory it stands in for. */
		consider(&best, &ns->stub, host, hlen, "", 0);
	} else {
		if (ns->work.fd >= 0 &&
		    vr_path_under(host, hlen, ns->work.host, ns->work.hlen) >= 0)
			return -ENOENT;
		for (i = 0; i < ns->nlayers; i++)
			consider(&best, &ns->layers[i], host, hlen, "", 0);
		for (i = 0; i < ns->nmounts; i++)
			consider(&best, &ns->mounts[i].b, host, hlen, ns->mounts[i].path,
			         ns->mounts[i].plen);
	}
	if (best.at < 0)
		return -ENOENT;
	rest = host + best.at;
	rlen = hlen - (size_t)best.at;
	if (rlen == 1 && rest[0] == '/')
		rlen = 0;
	vlen = best.plen + rlen;
	if (vlen == 0) {
		if (size < 2)
			return -ERANGE;
		buf[0] = '/';
		buf[1] = '\0';
		return 1;
	}
	if (vlen + 1 > size)
		return -ERANGE;
	vr_memmove(buf + best.plen, rest, rlen);
	vr_memcpy(buf, best.prefix, best.plen);
	buf[vlen] = '\0';
	return (long)vlen;
}

long
vr_revmap_path(const struct vr_ns *ns, const char *host, char *buf, size_t size)
{
	if (!host)
		return -EFAULT;
	return revmap(ns, host, vr_strnlen(host, PATH_MAX), buf, size);
}

/* fd_host() - the host's text for descriptor @fd.  Return: length or -errno. */
static long
fd_host(int fd, char *buf, size_t size)
{
	char proc[32];
	long n;

	if (fd < 0)
		return -EBADF;
	vr_proc_fd(proc, fd);
	n = sys_readlinkat(AT_FDCWD, proc, buf, size - 1);
	if (n == -ENOENT)
		return -EBADF;
	if (n < 0)
		return n;
	if ((size_t)n >= size - 1)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return n;
}

long
vr_fd_vpath(struct vr_ns *ns, int fd, char *buf, size_t size)
{
	long n = fd_host(fd, buf, size);

	if (n < 0)
		return n;
	if (buf[0] != '/' || vr_memcmp(buf, "/memfd:", 7) == 0)
		return -ENOTDIR;
	return revmap(ns, buf, (size_t)n, buf, size);
}

/* revmap_fd() - vr_revmap_fd() with @host as PATH_MAX + DELETED_LEN + 1 bytes of scratch. */
static long
revmap_fd(struct vr_ns *ns, int fd, char *host, char *buf, size_t size)
{
	size_t hlen;
	int deleted = 0;
	long n = fd_host(fd, host, PATH_MAX + DELETED_LEN + 1);

	if (n < 0)
		return n;
	hlen = (size_t)n;
	/* Not paths: "pipe:[…]", "anon_inode:…", and a memfd's "/memfd:…". */
	if (host[0] != '/' || vr_memcmp(host, "/memfd:", 7) == 0) {
		if (hlen + 1 > size)
			return -ERANGE;
		vr_memcpy(buf, host, hlen + 1);
		return (long)hlen;
	}
	if (hlen > DELETED_LEN && vr_memcmp(host + hlen - DELETED_LEN, DELETED, DELETED_LEN) == 0) {
		struct stat st;

		if (sys_fstat(fd, &st) == 0 && st.st_nlink == 0) {
			deleted = 1;
			hlen -= DELETED_LEN;
			host[hlen] = '\0';
		}
	}
	n = revmap(ns, host, hlen, buf, size);
	if (n < 0 || !deleted)
		return n;
	if ((size_t)n + DELETED_LEN + 1 > size)
		return -ERANGE;
	vr_memcpy(buf + n, DELETED, DELETED_LEN + 1);
	return n + (long)DELETED_LEN;
}

long
vr_revmap_link(const struct vr_ns *ns, char *body, long n, size_t size)
{
	char *host;
	long r;

	if (n <= 0 || body[0] != '/' || vr_memcmp(body, "/memfd:", 7) == 0)
		return n;
	host = vr_map(PATH_MAX + 1);
	if (!host)
		return n;
	if ((size_t)n > PATH_MAX)
		n = PATH_MAX;
	vr_memcpy(host, body, (size_t)n);
	host[n] = '\0';
	if ((size_t)n > DELETED_LEN &&
	    vr_memcmp(host + n - DELETED_LEN, DELETED, DELETED_LEN) == 0) {
		/* The object is gone: its name keeps the kernel's mark. */
		r = revmap(ns, host, (size_t)n - DELETED_LEN, host, PATH_MAX + 1);
		if (r >= 0 && (size_t)r + DELETED_LEN <= PATH_MAX) {
			vr_memcpy(host + r, DELETED, DELETED_LEN + 1);
			r += (long)DELETED_LEN;
		}
	} else {
		r = revmap(ns, host, (size_t)n, host, PATH_MAX + 1);
	}
	if (r >= 0) {
		n = r < (long)size ? r : (long)size; /* readlink truncates silently */
		vr_memcpy(body, host, (size_t)n);
	}
	vr_unmap(host, PATH_MAX + 1);
	return n;
}

long
vr_revmap_fd(struct vr_task *t, int fd, char *buf, size_t size)
{
	struct vr_scratch s;
	char *host;
	long n = vr_scratch_get(&t->ns->pool, &s);

	if (n < 0)
		return n;
	host = vr_alloc(&s, PATH_MAX + DELETED_LEN + 1);
	n = host ? revmap_fd(t->ns, fd, host, buf, size) : -ENOMEM;
	if (n > 0 && buf[0] == '/') {
		/* Under a chroot the root's part goes; outside it, the whole path stays. */
		long r = vr_task_unroot(t, buf, n);

		n = r >= 0 ? r : n;
	}
	vr_scratch_put(&t->ns->pool, &s);
	return n;
}
