/*
 * dispatch.c - the seam between interception and the namespace.
 *
 * Every trapped call except the loader's own bookkeeping (signals) lands in
 * vr_loader_dispatch().  Today it passes the call through to the kernel via
 * the trusted page, which proves the mechanism: a program must behave
 * exactly as natively.  The core plugs in here: its syscall table replaces
 * the pass-through, with the same signature and the same contract
 * (return >= 0 or -errno; run inside a signal handler, with the program's
 * signal mask in force, possibly re-entered by a nested trap from a program
 * signal handler).
 *
 * execve/execveat are loader business (the new image must start in the
 * loader again) but the target is opened through vrl_open_exec(), which
 * goes through the dispatcher too, so the core resolves it in the namespace.
 */
#include <linux/fcntl.h>
#include "loader.h"
#include "vfs.h"
#include "vroot.h"

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

	if (ctx->proc->ns && vrl_ownfd_answer(ctx, nr, a, &r))
		return r;
	/* Another process copied a file this one reads: read the copy (copyup.c). */
	if (ctx->proc->ns && vr_ns_copies_pending(ctx->proc->ns) && !vrl_mm_shared_child())
		vr_task_follow_copies(vrl_task(ctx));
	if (ctx->proc->ns && nr != __NR_execve && nr != __NR_execveat) {
		vrl_handler h = vrl_vfs_handler(nr);

		if (h)
			return h(ctx, a);
	}
	switch (nr) {
	case __NR_execve:
		return vrl_exec_redirect(ctx, AT_FDCWD, (const char *)a[0], (char *const *)a[1],
		                         (char *const *)a[2], 0);
	case __NR_execveat:
		return vrl_exec_redirect(ctx, (int)a[0], (const char *)a[1], (char *const *)a[2],
		                         (char *const *)a[3], (int)a[4]);
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
