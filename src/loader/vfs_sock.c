/*
 * vfs_sock.c - AF_UNIX socket names, and audit messages of a faked identity.
 *
 * Names going in (bind, connect, sendto, sendmsg) are virtual paths turned
 * into host ones; names coming out (getsockname, getpeername, accept's
 * peer, the sender recvfrom, recvmsg and recvmmsg report) are host paths
 * mapped back.  Abstract and unnamed addresses, and other families, pass
 * unchanged.
 *
 * Names coming out are received into a buffer of ours big enough for any
 * address, mapped, then given to the program as the kernel gives them
 * (move_addr_to_user()): the buffer gets what fits of the address, the
 * length the address's full size.  The real call is made from the handler,
 * so it blocks, and a signal interrupts it, exactly as the program's own
 * call would (see sigsys.c).
 */
#include <stddef.h>
#include <linux/fcntl.h>
#include <linux/limits.h>
#include <linux/mman.h>
#include "loader.h"
#include "vfs.h"
#include "vroot.h"

#define T(ctx) vrl_task(ctx)

#define SUN_PATH_MAX 108
#define AF_UNIX_     1
#define ADDR_MAX     128 /* sizeof(struct sockaddr_storage) */
#define UIO_MAXIOV   1024

/* A program's sockaddr_un, read in, with its path terminated. */
struct unix_addr {
	unsigned short family;
	char path[SUN_PATH_MAX + 1];
};

/* An address as the kernel reports it, with room for a terminating NUL. */
union kaddr {
	unsigned short family;
	struct unix_addr un;
	char raw[ADDR_MAX + 1];
};

/* struct user_msghdr and struct mmsghdr as the x86-64 kernel lays them out. */
struct vrl_msghdr {
	void *name;
	int namelen;
	void *iov;
	unsigned long iovlen;
	void *control;
	unsigned long controllen;
	unsigned int flags;
};

struct vrl_mmsghdr {
	struct vrl_msghdr hdr;
	unsigned int len;
};

/*
 * in_unix_addr() - read the program's socket address; 1 when it is an
 * AF_UNIX address with a path name (not abstract, not unnamed), else 0.
 */
static int
in_unix_addr(struct unix_addr *ua, long uaddr, long len)
{
	size_t n;

	if (!uaddr || len <= 2 || len > (long)sizeof(*ua) - 1)
		return 0;
	memset(ua, 0, sizeof(*ua));
	if (vrl_peek(ua, (const void *)uaddr, (size_t)len))
		return 0; /* the kernel reports the EFAULT */
	n = (size_t)len - 2;
	ua->path[n] = 0;
	return ua->family == AF_UNIX_ && ua->path[0];
}

/*
 * unix_call() - system call @nr with the socket address at argument @ai
 * (length at @ai + 1) replaced by its host name: an existing socket's.
 */
static long
unix_call(struct vr_loader_ctx *ctx, long nr, const long a[6], int ai)
{
	struct unix_addr ua, host = {.family = AF_UNIX_};
	long b[6];
	int fd;
	long r;

	if (!in_unix_addr(&ua, a[ai], a[ai + 1]))
		return vrl_sys6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	fd = vr_unix_path(T(ctx), ua.path, 0, host.path, SUN_PATH_MAX);
	if (fd < 0)
		return fd;
	memcpy(b, a, sizeof(b));
	b[ai] = (long)&host;
	b[ai + 1] = (long)(2 + strlen(host.path) + 1);
	r = vrl_sys6(nr, b[0], b[1], b[2], b[3], b[4], b[5]);
	vrl_close(fd);
	return r;
}

/* h_bind() - a new name, made by vr_unix_bind() (also over a removed base object). */
long
h_bind(struct vr_loader_ctx *ctx, const long a[6])
{
	struct unix_addr ua;

	if (!in_unix_addr(&ua, a[1], a[2]))
		return vrl_sys6(__NR_bind, a[0], a[1], a[2], a[3], a[4], a[5]);
	return vr_unix_bind(T(ctx), (int)a[0], ua.path);
}

long
h_connect(struct vr_loader_ctx *ctx, const long a[6])
{
	return unix_call(ctx, __NR_connect, a, 1);
}

/*
 * Audit messages.  The kernel takes a message on a NETLINK_AUDIT socket
 * only from a sender with CAP_AUDIT_WRITE (user messages) or
 * CAP_AUDIT_CONTROL (the others), and answers EPERM in its
 * acknowledgement otherwise.  libaudit hides that EPERM from senders
 * that are not root and takes it for a failure from root, so sudo,
 * su and PAM complain (or refuse a login) under a faked root.  The kernel
 * answers a root in a user namespace ECONNREFUSED ("no audit here"),
 * which they all accept: a faked identity gets that too, when the host
 * process lacks the capability the message needs.
 */
#define AF_NETLINK_          16
#define NETLINK_AUDIT_       9
#define SOL_SOCKET_          1
#define SO_PROTOCOL_         38
#define AUDIT_USER_          1005
#define AUDIT_FIRST_USER_MSG 1100
#define CAP_AUDIT_WRITE_     29
#define CAP_AUDIT_CONTROL_   30

/* struct sockaddr_nl and struct nlmsghdr (linux/netlink.h). */
struct nl_addr {
	unsigned short family;
	unsigned short pad;
	unsigned int pid;
	unsigned int groups;
};

struct nl_hdr {
	unsigned int len;
	unsigned short type;
	unsigned short flags;
	unsigned int seq;
	unsigned int pid;
};

/*
 * audit_refused() - a message (its netlink header at @msg, @len bytes) to
 * address @uaddr (@alen bytes) on socket @fd that the kernel would refuse
 * with EPERM and a user namespace's root sees refused with ECONNREFUSED:
 * the session fakes its identity, the message goes to the kernel's audit
 * socket, and the host process lacks the capability it needs.  1 or 0.
 */
static int
audit_refused(int fd, long uaddr, long alen, const void *msg, unsigned long len)
{
	unsigned int hdr[2] = {0x20080522u, 0}, caps[6], proto = 0, plen = sizeof(proto);
	struct nl_addr na;
	struct nl_hdr nh;
	int need;

	if (!uaddr || alen < (long)sizeof(na) || len < sizeof(nh) || !vrl_ident_faked() ||
	    vrl_peek(&na, (const void *)uaddr, sizeof(na)) || na.family != AF_NETLINK_ || na.pid ||
	    vrl_peek(&nh, msg, sizeof(nh)))
		return 0;
	if (vrl_sys5(__NR_getsockopt, fd, SOL_SOCKET_, SO_PROTOCOL_, &proto, &plen) ||
	    proto != NETLINK_AUDIT_)
		return 0;
	need = nh.type == AUDIT_USER_ || nh.type >= AUDIT_FIRST_USER_MSG ? CAP_AUDIT_WRITE_
	                                                                 : CAP_AUDIT_CONTROL_;
	if (vrl_sys2(__NR_capget, hdr, caps))
		return 0;
	return !(caps[0] & (1u << need));
}

long
h_sendto(struct vr_loader_ctx *ctx, const long a[6])
{
	if (audit_refused((int)a[0], a[4], a[5], (const void *)a[1], (unsigned long)a[2]))
		return -ECONNREFUSED;
	return unix_call(ctx, __NR_sendto, a, 4);
}

long
h_sendmsg(struct vr_loader_ctx *ctx, const long a[6])
{
	struct unix_addr ua, host = {.family = AF_UNIX_};
	struct vrl_msghdr m;
	void *iov[2]; /* the first struct iovec */
	int fd;
	long r;

	if (!a[1] || vrl_peek(&m, (const void *)a[1], sizeof(m)))
		return vrl_sys6(__NR_sendmsg, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (m.iovlen && vrl_peek(iov, m.iov, sizeof(iov)) == 0 &&
	    audit_refused((int)a[0], (long)m.name, m.namelen, iov[0], (unsigned long)iov[1]))
		return -ECONNREFUSED;
	if (!in_unix_addr(&ua, (long)m.name, m.namelen))
		return vrl_sys6(__NR_sendmsg, a[0], a[1], a[2], a[3], a[4], a[5]);
	fd = vr_unix_path(T(ctx), ua.path, 0, host.path, SUN_PATH_MAX);
	if (fd < 0)
		return fd;
	/* A copy of the header with the host name: the kernel only reads it. */
	m.name = &host;
	m.namelen = (int)(2 + strlen(host.path) + 1);
	r = vrl_sys3(__NR_sendmsg, a[0], &m, a[2]);
	vrl_close(fd);
	return r;
}

/* Does any of the @vlen messages at @uv carry an AF_UNIX path name? */
static int
any_unix_name(const struct vrl_mmsghdr *uv, unsigned int vlen)
{
	struct unix_addr ua;
	struct vrl_msghdr m;

	for (unsigned int i = 0; i < vlen; i++)
		if (!vrl_peek(&m, &uv[i].hdr, sizeof(m)) &&
		    in_unix_addr(&ua, (long)m.name, m.namelen))
			return 1;
	return 0;
}

/*
 * sendmmsg() with an AF_UNIX path name in any message: each message sent
 * as sendmsg() sends it, and, as the kernel does, the count sent so far
 * returned when a later one fails.
 */
long
h_sendmmsg(struct vr_loader_ctx *ctx, const long a[6])
{
	struct vrl_mmsghdr *uv = (struct vrl_mmsghdr *)a[1];
	unsigned int vlen = (unsigned int)a[2] > UIO_MAXIOV ? UIO_MAXIOV : (unsigned int)a[2];
	unsigned int i, len;
	long r = 0;

	if (!uv || !vlen || !any_unix_name(uv, vlen))
		return vrl_sys4(__NR_sendmmsg, a[0], a[1], a[2], a[3]);
	for (i = 0; i < vlen; i++) {
		long b[6] = {a[0], (long)&uv[i].hdr, a[3], 0, 0, 0};

		r = h_sendmsg(ctx, b);
		if (r < 0)
			break;
		len = (unsigned int)r;
		if (vrl_poke(&uv[i].len, &len, sizeof(len))) {
			r = -EFAULT;
			break;
		}
	}
	return i ? (long)i : r;
}

/*
 * own_fd_name() - the virtual path of @name when it is "/proc/self/fd/B/REL",
 * B one of the namespace's own descriptors (a layer's or a mount's, or the
 * work directory's whose link names the socket's directory: the names
 * vr_unix_path() gives a socket whose host path is too long for
 * sun_path): REL's directory opened through B, as the kernel resolved it
 * at bind time, its host path read, the last name appended, mapped back.
 * Return: its length, -ENOENT when @name is not such a name, or -errno.
 */
static long
own_fd_name(struct vr_loader_ctx *ctx, const char *name, char *out, size_t size)
{
	char host[PATH_MAX], dir[SUN_PATH_MAX + 1], proc[32] = "/proc/self/fd/", digits[12];
	const char *p = name + 14, *last = name;
	long fd = 0, n, d;
	size_t r, i = 14;
	int k = 0;

	if (memcmp(name, "/proc/self/fd/", 14) != 0 || *p < '0' || *p > '9')
		return -ENOENT;
	for (const char *c = name; *c; c++)
		if (*c == '/')
			last = c;
	while (*p >= '0' && *p <= '9' && fd < 1000000)
		fd = fd * 10 + (*p++ - '0');
	if (*p != '/' || !vr_ns_owns_fd(ctx->proc->ns, (int)fd) ||
	    (size_t)(last - name) >= sizeof(dir))
		return -ENOENT;
	memcpy(dir, name, (size_t)(last - name));
	dir[last - name] = '\0';
	d = vrl_sys4(__NR_openat, AT_FDCWD, dir, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	if (d < 0)
		return d;
	for (long v = d;; v /= 10) {
		digits[k++] = (char)('0' + v % 10);
		if (v < 10)
			break;
	}
	while (k)
		proc[i++] = digits[--k];
	proc[i] = '\0';
	n = vrl_sys4(__NR_readlinkat, AT_FDCWD, proc, host, sizeof(host) - 1);
	vrl_sys1(__NR_close, d);
	r = strlen(last);
	if (n <= 0 || (size_t)n + r + 1 > sizeof(host))
		return n < 0 ? n : -ENAMETOOLONG;
	memcpy(host + n, last, r + 1);
	return vr_revmap_path(ctx->proc->ns, host, out, size);
}

/*
 * virt_addr() - the address the kernel reported in @k (@klen bytes) as
 * the program must see it: an AF_UNIX path name under one of the
 * namespace's backing directories becomes its virtual path.  Return: the
 * address's new length.
 */
static int
virt_addr(struct vr_loader_ctx *ctx, union kaddr *k, int klen)
{
	char out[SUN_PATH_MAX + 1];
	long n;

	if (klen <= 2 || klen > ADDR_MAX || k->family != AF_UNIX_)
		return klen;
	k->raw[klen] = '\0';
	if (k->un.path[0] != '/')
		return klen; /* abstract, or relative as it was bound */
	n = own_fd_name(ctx, k->un.path, out, sizeof(out));
	if (n == -ENOENT)
		n = vr_revmap_path(ctx->proc->ns, k->un.path, out, sizeof(out));
	if (n < 0 || n >= SUN_PATH_MAX)
		return klen;
	memcpy(k->un.path, out, (size_t)n + 1);
	return (int)(2 + n + 1);
}

/*
 * out_addr() - give the program address @k of @klen bytes at @uaddr, whose
 * buffer holds @cap bytes, and the full length at @ulen, as the kernel's
 * move_addr_to_user() does.  Return: 0 or -EFAULT.
 */
static int
out_addr(long uaddr, long ulen, const union kaddr *k, int klen, int cap)
{
	size_t n = (size_t)(klen < cap ? klen : cap);

	if (n && vrl_poke((void *)uaddr, k->raw, n))
		return -EFAULT;
	return vrl_poke((void *)ulen, &klen, sizeof(klen)) ? -EFAULT : 0;
}

/*
 * addr_call() - system call @nr that reports an address through the
 * (sockaddr *, socklen_t *) pair at arguments @ai, @ai + 1, with that
 * address mapped back.  A missing or unreadable length, or a negative one,
 * goes to the kernel untouched: it fails the same way.
 */
static long
addr_call(struct vr_loader_ctx *ctx, long nr, const long a[6], int ai)
{
	union kaddr k;
	int klen = ADDR_MAX, cap;
	long b[6], r;

	if (!a[ai] || !a[ai + 1] || vrl_peek(&cap, (const void *)a[ai + 1], sizeof(cap)) || cap < 0)
		return vrl_sys6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	memcpy(b, a, sizeof(b));
	b[ai] = (long)&k;
	b[ai + 1] = (long)&klen;
	r = vrl_sys6(nr, b[0], b[1], b[2], b[3], b[4], b[5]);
	if (r < 0)
		return r;
	klen = virt_addr(ctx, &k, klen);
	if (out_addr(a[ai], a[ai + 1], &k, klen, cap)) {
		/* The kernel does not install an accepted socket it cannot report. */
		if (nr == __NR_accept || nr == __NR_accept4)
			vrl_close((int)r);
		return -EFAULT;
	}
	return r;
}

long
h_getsockname(struct vr_loader_ctx *ctx, const long a[6])
{
	return addr_call(ctx, __NR_getsockname, a, 1);
}

long
h_getpeername(struct vr_loader_ctx *ctx, const long a[6])
{
	return addr_call(ctx, __NR_getpeername, a, 1);
}

long
h_accept(struct vr_loader_ctx *ctx, const long a[6])
{
	return addr_call(ctx, __NR_accept, a, 1);
}

long
h_accept4(struct vr_loader_ctx *ctx, const long a[6])
{
	return addr_call(ctx, __NR_accept4, a, 1);
}

/* recvfrom(fd, buf, len, flags, src_addr, addrlen): trapped only with src_addr. */
long
h_recvfrom(struct vr_loader_ctx *ctx, const long a[6])
{
	return addr_call(ctx, __NR_recvfrom, a, 4);
}

/*
 * msg_back() - what the kernel wrote into our copy @m of the program's
 * header @um, given back: the sender's name (the program's buffer @name of
 * @cap bytes), its length, the control length and the flags.
 */
static int
msg_back(struct vr_loader_ctx *ctx, struct vrl_msghdr *um, const struct vrl_msghdr *m, void *name,
         int cap)
{
	union kaddr *k = m->name;
	int klen = virt_addr(ctx, k, m->namelen);

	if (out_addr((long)name, (long)&um->namelen, k, klen, cap) ||
	    vrl_poke(&um->flags, &m->flags, sizeof(m->flags)) ||
	    vrl_poke(&um->controllen, &m->controllen, sizeof(m->controllen)))
		return -EFAULT;
	return 0;
}

long
h_recvmsg(struct vr_loader_ctx *ctx, const long a[6])
{
	struct vrl_msghdr m, *um = (struct vrl_msghdr *)a[1];
	union kaddr k;
	void *name;
	int cap;
	long r;

	if (!um || vrl_peek(&m, um, sizeof(m)) || !m.name || m.namelen < 0)
		return vrl_sys3(__NR_recvmsg, a[0], a[1], a[2]);
	name = m.name;
	cap = m.namelen;
	m.name = &k;
	m.namelen = ADDR_MAX;
	r = vrl_sys3(__NR_recvmsg, a[0], &m, a[2]);
	if (r >= 0 && msg_back(ctx, um, &m, name, cap))
		return -EFAULT;
	return r;
}

/*
 * recvmmsg(fd, vec, vlen, flags, timeout): as recvmsg for each message
 * received, on a copy of the vector whose names point into our buffers.
 */
long
h_recvmmsg(struct vr_loader_ctx *ctx, const long a[6])
{
	struct vrl_mmsghdr *uv = (struct vrl_mmsghdr *)a[1], *orig, *work;
	unsigned int vlen = (unsigned int)a[2] > UIO_MAXIOV ? UIO_MAXIOV : (unsigned int)a[2];
	size_t vsize = vlen * sizeof(*orig), size = 2 * vsize + vlen * sizeof(union kaddr);
	union kaddr *k;
	unsigned int i, named = 0;
	long r, p;

	if (!uv || !vlen)
		return vrl_sys5(__NR_recvmmsg, a[0], a[1], a[2], a[3], a[4]);
	p = vrl_mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vrl_is_err(p))
		return p;
	orig = (struct vrl_mmsghdr *)p;
	work = orig + vlen;
	k = (union kaddr *)(work + vlen);
	if (vrl_peek(orig, uv, vsize))
		goto through;
	for (i = 0; i < vlen; i++) {
		work[i] = orig[i];
		if (!orig[i].hdr.name)
			continue;
		if (orig[i].hdr.namelen < 0)
			goto through; /* the kernel's EINVAL */
		work[i].hdr.name = &k[i];
		work[i].hdr.namelen = ADDR_MAX;
		named++;
	}
	if (!named)
		goto through;
	r = vrl_sys5(__NR_recvmmsg, a[0], (long)work, vlen, a[3], a[4]);
	for (i = 0; r > 0 && i < (unsigned long)r; i++) {
		struct vrl_msghdr *m = &work[i].hdr;

		if ((orig[i].hdr.name &&
		     msg_back(ctx, &uv[i].hdr, m, orig[i].hdr.name, orig[i].hdr.namelen)) ||
		    (!orig[i].hdr.name &&
		     (vrl_poke(&uv[i].hdr.flags, &m->flags, sizeof(m->flags)) ||
		      vrl_poke(&uv[i].hdr.controllen, &m->controllen, sizeof(m->controllen)))) ||
		    vrl_poke(&uv[i].len, &work[i].len, sizeof(work[i].len)))
			r = -EFAULT;
	}
	vrl_munmap((void *)p, size);
	return r;
through:
	vrl_munmap((void *)p, size);
	return vrl_sys5(__NR_recvmmsg, a[0], a[1], a[2], a[3], a[4]);
}
