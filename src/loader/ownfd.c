/*
 * ownfd.c - vroot's own descriptors (the namespace's backing directories)
 * live in the program's descriptor table but are not the program's: to
 * the program their numbers are free.
 *
 * They sit in [floor, floor + VRL_OWNFD_SPAN), floor chosen once per
 * session (vrl_ownfd_floor()) so the filter, inherited by every image, can
 * trap the calls of ownfd_list.h only when a descriptor argument is in that
 * range.  Here the trapped call is answered: EBADF when a descriptor it
 * uses is vroot's, and for dup2/dup3 onto one of vroot's numbers, vroot's
 * descriptor moves to a free number of the range first, then the program
 * gets what it asked for.  Everything else goes on to its handler or to the
 * kernel unchanged.
 */
#include <linux/fcntl.h>
#include <linux/resource.h>
#include "loader.h"
#include "vfs.h"
#include "vroot.h"

struct ownfd_call {
	unsigned int fd, at, target; /* argument masks, see ownfd_list.h */
};

static int
lookup(long nr, struct ownfd_call *c)
{
	switch (nr) {
#define VRL_OWNFD(n, f, a, t)                                                                      \
	case n:                                                                                    \
		c->fd = f;                                                                         \
		c->at = a;                                                                         \
		c->target = t;                                                                     \
		return 1;
#include "ownfd_list.h"
#undef VRL_OWNFD
	}
	return 0;
}

/* The kernel reads a descriptor argument as its low 32 bits. */
static int
owned(const struct vrl_proc *p, long arg)
{
	return vr_ns_owns_fd(p->ns, (int)(unsigned int)arg);
}

/*
 * at_uses_dirfd() - does a path call use its directory descriptor for
 * @path?  Not for an absolute path.  Returns 1, 0, or -EFAULT (which the
 * kernel reports before it looks at the descriptor).
 */
static int
at_uses_dirfd(long path)
{
	char c;

	if (!path)
		return 1;
	if (vrl_peek(&c, (const void *)path, 1))
		return -EFAULT;
	return c != '/';
}

/*
 * dup_onto() - dup2/dup3 whose target is vroot's descriptor: move vroot's
 * out of the way, then let the call give the number to the program.
 */
static long
dup_onto(struct vrl_proc *p, long nr, const long a[6])
{
	int target = (int)(unsigned int)a[1];
	long moved, r;

	/* A vfork child shares the namespace's memory with its parent, not its table. */
	if (vrl_mm_shared_child())
		return -EBUSY;
	/* A kept directory's descriptor is given up rather than moved. */
	if (vr_ns_release_fd(p->ns, target) == 0)
		return vrl_sys6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	moved = vrl_sys3(__NR_fcntl, target, F_DUPFD_CLOEXEC, p->state.fd_floor);
	if (moved == -EINVAL) /* the range is above the limit now, so is the target: EBADF */
		return vrl_sys6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (moved < 0)
		return moved;
	if (vr_ns_replace_fd(p->ns, target, (int)moved) < 0) {
		/* Another thread moved it first: the number is already free. */
		vrl_close((int)moved);
		return vrl_sys6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	}
	/* A backing directory's stays open across exec (exec.c's do_exec()). */
	for (unsigned int i = 0; i < vr_ns_backing_count(p->ns); i++)
		if (vr_ns_backing_fd(p->ns, i) == (int)moved)
			vrl_sys3(__NR_fcntl, moved, F_SETFD, 0);
	vr_fd_changed(p->ns, target);
	r = vrl_sys6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (r < 0)
		vrl_close(target); /* as natively, the number stays free */
	vr_fd_changed(p->ns, target);
	return r;
}

/**
 * vrl_ownfd_answer() - answer trapped call @nr (arguments @a) when it
 * names one of vroot's descriptors.
 * Return: 1 with *ret set (EBADF, or the result of a dup2/dup3 that took
 * the number from vroot), or 0: the call goes on as usual.
 */
int
vrl_ownfd_answer(struct vr_loader_ctx *ctx, long nr, const long a[6], long *ret)
{
	struct vrl_proc *p = ctx->proc;
	struct ownfd_call c;

	if (!lookup(nr, &c))
		return 0;
	/* The kernel refuses these before it looks at a descriptor. */
	if (nr == __NR_dup3 &&
	    ((a[2] & ~(long)O_CLOEXEC) || (unsigned int)a[0] == (unsigned int)a[1]))
		return 0;
	for (int i = 0; i < 6; i++) {
		unsigned int bit = 1u << i;
		int uses;

		if (!((c.fd | c.at) & bit) || !owned(p, a[i]))
			continue;
		uses = (c.at & bit) ? at_uses_dirfd(a[i + 1]) : 1;
		if (uses) {
			*ret = uses < 0 ? uses : -EBADF;
			return 1;
		}
	}
	if ((c.target & 2) && owned(p, a[1])) {
		*ret = dup_onto(p, nr, a);
		return 1;
	}
	return 0;
}

/**
 * vrl_ownfd_floor() - where vroot's descriptors go: high, under the
 * descriptor limit, with room for @n of them.
 */
int
vrl_ownfd_floor(unsigned int n)
{
	unsigned long lim[2] = {1024, 1024};
	long floor;

	vrl_sys4(__NR_prlimit64, 0, RLIMIT_NOFILE, 0, lim);
	if (lim[0] > 1100)
		return 1000;
	if (lim[0] > 128)
		return (int)lim[0] - 64;
	/* A small limit: the top half, so the program's first numbers stay free. */
	floor = (long)lim[0] / 2;
	if (floor + (long)n > (long)lim[0])
		floor = (long)lim[0] - (long)n;
	return floor < 3 ? 3 : (int)floor;
}

/*
 * The calls the filter traps only for a descriptor argument in vroot's
 * range (syscalls.h's OWNFD).  vrl_ownfd_answer() has answered those that
 * name one of vroot's descriptors; the rest of the range is the program's,
 * and the call goes to the kernel as the program made it.
 */

/*
 * renumber() - call @nr (close, dup2, dup3) with @a for the program,
 * descriptor number @fd told to the core before and after as changed
 * (vr_fd_changed()): what it knew of the number holds no more, nor what a
 * signal handler's call learnt in between.
 */
static long
renumber(struct vr_loader_ctx *ctx, long nr, const long a[6], long fd)
{
	long r;

	vr_fd_changed(ctx->proc->ns, (int)(unsigned int)fd);
	r = vrl_sys3(nr, a[0], a[1], a[2]);
	vr_fd_changed(ctx->proc->ns, (int)(unsigned int)fd);
	return r;
}

/** h_close() - close(2) of a descriptor of the program's. */
long
h_close(struct vr_loader_ctx *ctx, const long a[6])
{
	return renumber(ctx, __NR_close, a, a[0]);
}

/** h_dup() - dup(2) of a descriptor of the program's. */
long
h_dup(struct vr_loader_ctx *ctx, const long a[6])
{
	(void)ctx;
	return vrl_sys1(__NR_dup, a[0]);
}

/** h_dup2() - dup2(2) between numbers that are not vroot's. */
long
h_dup2(struct vr_loader_ctx *ctx, const long a[6])
{
	return renumber(ctx, __NR_dup2, a, a[1]);
}

/** h_dup3() - dup3(2) between numbers that are not vroot's. */
long
h_dup3(struct vr_loader_ctx *ctx, const long a[6])
{
	return renumber(ctx, __NR_dup3, a, a[1]);
}

/** h_fcntl() - fcntl(2) of a descriptor of the program's. */
long
h_fcntl(struct vr_loader_ctx *ctx, const long a[6])
{
	(void)ctx;
	return vrl_sys3(__NR_fcntl, a[0], a[1], a[2]);
}

/** h_fstatfs() - fstatfs(2) of a descriptor of the program's. */
long
h_fstatfs(struct vr_loader_ctx *ctx, const long a[6])
{
	(void)ctx;
	return vrl_sys2(__NR_fstatfs, a[0], a[1]);
}
