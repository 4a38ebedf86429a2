/*
 * dispatch.c - the seam between interception and the namespace.
 *
 * Every trapped call except the loader's own bookkeeping (signals) lands in
 * vr_loader_dispatch(), which calls the handler syscalls.h names for it
 * (return >= 0 or -errno; run inside a signal handler, with the program's
 * signal mask in force, possibly re-entered by a nested trap from a program
 * signal handler).  Without a namespace (the loader run alone, to prove
 * the mechanism) the calls pass through to the kernel via the trusted
 * page: a program must behave exactly as natively.
 *
 * execve/execveat are loader business (the new image must start in the
 * loader again) but the target is opened through vrl_open_exec(), which
 * goes through the dispatcher too, so the core resolves it in the namespace.
 */
#include <linux/fcntl.h>
#include <linux/resource.h>
#include "loader.h"
#include "vfs.h"
#include "vroot.h"

/*
 * What syscalls.h describes, by number, and the checks the build
 * makes of it: a name listed twice ("redeclaration of enumerator
 * VRL_ONCE_x"), a number past the table, a passed call without its reason.
 * A trapped call names its handler in the table itself, so one without a
 * handler cannot be written, and one whose handler does not exist does
 * not link.
 */
static const unsigned char conds[VRL_NR_TABLE] = {
#define VRL_TRAP(name, kinds, cond, fn) [__NR_##name] = VRL_C_##cond,
#include "syscalls.h"
};

enum vrl_listed_once {
#define VRL_TRAP(name, kinds, cond, fn)   VRL_ONCE_##name,
#define VRL_REFUSE(name, kinds, err, why) VRL_ONCE_##name,
#define VRL_PASS(name, kinds, why)        VRL_ONCE_##name,
#include "syscalls.h"
};

#define VRL_TRAP(name, kinds, cond, fn)                                                            \
	_Static_assert(__NR_##name < VRL_NR_TABLE, #name ": past VRL_NR_TABLE");
#define VRL_REFUSE(name, kinds, err, why)                                                          \
	_Static_assert(__NR_##name < VRL_NR_TABLE && sizeof(why) > 1, #name ": a reason");
#define VRL_PASS(name, kinds, why)                                                                 \
	_Static_assert(__NR_##name < VRL_NR_TABLE && sizeof(why) > 1, #name ": a reason");
/* A refused argument of a call without a row does not build (no VRL_ONCE_). */
#define VRL_REFUSE_ARG(name, arg, value, err, why)                                                 \
	_Static_assert(VRL_ONCE_##name >= 0 && (arg) >= 0 && (arg) < 6 && sizeof(why) > 1,         \
	               #name ": a row, an argument, a reason");
#include "syscalls.h"

/*
 * vrl_call_handler() - the handler syscalls.h gives trapped call @nr, or
 * NULL.  A switch, not a table of handlers: the loader relocates itself
 * at every start, and 150 handler addresses were two pages written (two
 * faults, in every exec); the switch's jump table holds offsets.
 */
vrl_handler
vrl_call_handler(long nr)
{
	switch (nr) {
#define VRL_TRAP(name, kinds, cond, fn)                                                            \
	case __NR_##name:                                                                          \
		return fn;
#include "syscalls.h"
	default:
		return NULL;
	}
}

/** vrl_call_cond() - when the filter traps @nr (enum vrl_cond; VRL_C_NONE: never). */
int
vrl_call_cond(long nr)
{
	if (nr < 0 || nr >= VRL_NR_TABLE)
		return VRL_C_NONE;
	return conds[nr];
}

/** h_execve() - execve(2): the new image starts in the loader again. */
long
h_execve(struct vr_loader_ctx *ctx, const long a[6])
{
	return vrl_exec_redirect(ctx, AT_FDCWD, (const char *)a[0], (char *const *)a[1],
	                         (char *const *)a[2], 0);
}

/** h_execveat() - execveat(2), as h_execve(). */
long
h_execveat(struct vr_loader_ctx *ctx, const long a[6])
{
	return vrl_exec_redirect(ctx, (int)a[0], (const char *)a[1], (char *const *)a[2],
	                         (char *const *)a[3], (int)a[4]);
}

/* Debug hook: getcwd() answers the --fake-cwd string (proves the trap). */
static long
fake_getcwd(const struct vrl_state *st, char *buf, unsigned long size)
{
	size_t n = strlen(st->fake_cwd) + 1;

	if (size < n)
		return -ERANGE;
	if (vrl_poke(buf, st->fake_cwd, n))
		return -EFAULT;
	return (long)n;
}

/*
 * give_back_fds() - the directory cache's descriptors closed, their slots
 * free for the program again (those another thread's call uses stay).
 * Return: how many were given back.
 */
static int
give_back_fds(struct vr_ns *ns)
{
	int n = 0;

	/* A vfork child's table is its own; the cache's record is the parent's. */
	if (vrl_mm_shared_child())
		return 0;
	for (int fd = vr_ns_next_own_fd(ns, 0); fd >= 0; fd = vr_ns_next_own_fd(ns, fd + 1))
		n += vr_ns_release_fd(ns, fd) == 0;
	return n;
}

/* returns_fd() - call @nr gives the program a new descriptor. */
static int
returns_fd(long nr)
{
	return nr == __NR_open || nr == __NR_openat || nr == __NR_openat2 || nr == __NR_creat ||
	       nr == __NR_open_by_handle_at;
}

/*
 * retry_above_limit() - handler @h again, its lookups' own descriptors
 * allowed above the program's soft descriptor limit (raised to the hard
 * one for the call, or past it where the process may: descriptors above
 * a limit stay valid).  A descriptor
 * the call gives the program moves under the limit, to the lowest free
 * number, EMFILE when there is none, as natively.  Return: the result, or
 * -EMFILE when the limit cannot be raised.
 */
static long
retry_above_limit(struct vr_loader_ctx *ctx, vrl_handler h, long nr, const long a[6])
{
	unsigned long lim[2], raised[2];
	long r, fd, fdfl;

	if (vrl_sys4(__NR_prlimit64, 0, RLIMIT_NOFILE, 0, lim) || lim[0] > 0x7fffffffUL)
		return -EMFILE;
	/* No number for the result: EMFILE before anything is made, as the kernel. */
	if (returns_fd(nr)) {
		fd = vrl_sys3(__NR_fcntl, vr_ns_next_own_fd(ctx->proc->ns, 0), F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			return -EMFILE;
		vrl_sys1(__NR_close, fd);
	}
	/* Equal limits: only a process that may raise the hard one (root) finds room. */
	raised[0] = lim[1] > lim[0] ? lim[1] : lim[0] + 256;
	raised[1] = lim[1] > raised[0] ? lim[1] : raised[0];
	if (vrl_sys4(__NR_prlimit64, 0, RLIMIT_NOFILE, raised, 0))
		return -EMFILE;
	r = h(ctx, a);
	vrl_sys4(__NR_prlimit64, 0, RLIMIT_NOFILE, lim, 0);
	if (r < (long)lim[0] || !returns_fd(nr))
		return r;
	fdfl = vrl_sys3(__NR_fcntl, r, F_GETFD, 0);
	fd = vrl_sys3(__NR_fcntl, r, fdfl > 0 && (fdfl & FD_CLOEXEC) ? F_DUPFD_CLOEXEC : F_DUPFD,
	              0);
	vrl_sys1(__NR_close, r);
	return fd;
}

/**
 * vr_loader_dispatch() - perform trapped system call @nr with arguments
 * @a on behalf of the program.
 * @ctx: the interrupted context (see struct vr_loader_ctx).
 * Returns what the program's syscall instruction must return: >= 0 or
 * -errno.
 */
long
vr_loader_dispatch(struct vr_loader_ctx *ctx, long nr, const long a[6])
{
	const char *exe;
	long r;

	/* CLONE_VM children whose call is behind them: the cache's again. */
	if (__atomic_load_n(&ctx->proc->vm_live, __ATOMIC_RELAXED))
		vrl_vmclone_reap();
	/* The address space: the same with a namespace or without. */
	if (vrl_call_cond(nr) == VRL_C_MEM || vrl_call_cond(nr) == VRL_C_MMAP)
		return vrl_addrspace_call(nr, a);
	if (ctx->proc->ns && vrl_ownfd_answer(ctx, nr, a, &r))
		return r;
	/* Another process copied a file this one reads: read the copy (copyup.c). */
	if (ctx->proc->ns && vr_ns_copies_pending(ctx->proc->ns) && !vrl_mm_shared_child())
		vr_task_follow_copies(vrl_task(ctx));
	if (ctx->proc->ns) {
		vrl_handler h = vrl_call_handler(nr);

		/* Never so: the filter traps only calls the table gives a handler. */
		if (!h)
			return -ENOSYS;
		/* An exec keeps no raised limit; a dup gives what the kernel gives. */
		if (vrl_call_cond(nr) == VRL_C_EXEC || vrl_call_cond(nr) == VRL_C_OWNFD)
			return h(ctx, a);
		r = h(ctx, a);
		/*
		 * The program's table is full: the cache's descriptors sit
		 * in it too, and a lookup needs a few free slots of its own.
		 */
		if (r == -EMFILE && give_back_fds(ctx->proc->ns))
			r = h(ctx, a);
		if (r == -EMFILE)
			r = retry_above_limit(ctx, h, nr, a);
		return r;
	}
	/* No namespace: the calls pass through, but images still start in the loader. */
	switch (nr) {
	case __NR_execve:
		return h_execve(ctx, a);
	case __NR_execveat:
		return h_execveat(ctx, a);
	case __NR_open:
		if ((exe = vrl_selfexe_match((const char *)a[0])))
			return vrl_sys3(nr, exe, a[1], a[2]);
		break;
	case __NR_openat:
		if ((exe = vrl_selfexe_match((const char *)a[1])))
			return vrl_sys4(nr, a[0], exe, a[2], a[3]);
		break;
	case __NR_readlink:
		if ((exe = vrl_selfexe_match((const char *)a[0])))
			return vrl_selfexe_readlink(exe, (char *)a[1], a[2]);
		break;
	case __NR_readlinkat:
		if ((exe = vrl_selfexe_match((const char *)a[1])))
			return vrl_selfexe_readlink(exe, (char *)a[2], a[3]);
		break;
	case __NR_getcwd:
		if (ctx->proc->state.fake_cwd[0])
			return fake_getcwd(&ctx->proc->state, (char *)a[0], (unsigned long)a[1]);
		break;
	}
	return vrl_sys6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/**
 * vrl_open_exec() - open @path (relative to @dirfd) for reading, as the
 * program would, to execute or map it.  @nofollow: do not follow a final
 * symlink.  Returns a new O_CLOEXEC descriptor or -errno.
 */
int
vrl_open_exec(struct vr_loader_ctx *ctx, int dirfd, const char *path, int nofollow)
{
	long a[6] = {dirfd, (long)path, O_RDONLY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0),
	             0,     0,          0};

	return (int)vr_loader_dispatch(ctx, __NR_openat, a);
}
