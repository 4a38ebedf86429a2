/*
 * sigvirt.c - signal virtualisation.
 *
 * SIGSYS belongs to vroot: the real disposition is always our handler and
 * SIGSYS is never really blocked (the kernel kills a process whose trap
 * arrives while SIGSYS is blocked or ignored).  The program sees a virtual
 * SIGSYS:
 *  - rt_sigaction(SIGSYS) reads and writes vrl_proc.sys_act;
 *  - rt_sigaction(other) passes through with SIGSYS removed from sa_mask;
 *  - rt_sigprocmask edits the mask that our sigreturn will restore
 *    (uc_sigmask), minus SIGSYS;
 *  - a SIGSYS that is not a trap of ours (a program's own filter, kill())
 *    is delivered to the program's virtual handler as the kernel would.
 *
 * Known gaps: the program cannot observe SIGSYS as blocked (oldset never
 * has it); a kill()ed SIGSYS is never held pending while "blocked"; a
 * SIG_IGN for SIGSYS does not survive execve.
 *
 * vfork: a CLONE_VM child shares our memory with its suspended parent, so
 * it must not change the parent's virtual disposition.  A page with
 * MADV_WIPEONFORK tells the cases apart: it reads zero in a fork child (a
 * new copy of memory) and not in a CLONE_VM child.
 */
#include <linux/mman.h>
#include "loader.h"

#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1
#endif
#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#endif
#ifndef SIG_BLOCK
#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#endif

#define SIG_DFL_P     ((void *)0)
#define SIG_IGN_P     ((void *)1)
#define NEVER_BLOCKED (VRL_SIGBIT(SIGSYS) | VRL_SIGBIT(SIGKILL) | VRL_SIGBIT(SIGSTOP))

struct vrl_proc vrl_proc = {.state = {.trace_fd = -1, .rewrite = -1}};

/**
 * vrl_proc_init() - set up per-process state: owner pid and the
 * wipe-on-fork marker page.  Returns 0 or -errno.
 */
int
vrl_proc_init(void)
{
	long p = vrl_mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int err;

	if (vrl_is_err(p))
		return (int)p;
	err = (int)vrl_sys3(__NR_madvise, p, 4096, MADV_WIPEONFORK);
	if (err)
		return err;
	vrl_proc.mm_token = (volatile int *)p;
	*vrl_proc.mm_token = 1;
	vrl_proc.owner_pid = vrl_getpid();
	return 0;
}

/**
 * vrl_mm_shared_child() - is the caller a CLONE_VM child (vfork,
 * posix_spawn) sharing the memory of another process?  Adopts the memory
 * as its own when the caller is a fork child.  Returns 1 or 0.
 */
int
vrl_mm_shared_child(void)
{
	int pid = vrl_getpid();

	if (pid == vrl_proc.owner_pid)
		return 0;
	if (vrl_proc.mm_token && *vrl_proc.mm_token)
		return 1;
	/* A fork child: this memory is ours now. */
	if (vrl_proc.mm_token)
		*vrl_proc.mm_token = 1;
	vrl_proc.owner_pid = pid;
	return 0;
}

static void
act_lock(void)
{
	while (__atomic_exchange_n(&vrl_proc.sys_act_lock, 1, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
}

static void
act_unlock(void)
{
	__atomic_store_n(&vrl_proc.sys_act_lock, 0, __ATOMIC_RELEASE);
}

static long
sigsys_action(const struct vrl_ksigaction *act, struct vrl_ksigaction *oact_user)
{
	struct vrl_ksigaction nact, old;
	int err, shared = vrl_mm_shared_child();

	unsigned long mask;

	if (act && (err = vrl_peek(&nact, act, sizeof(nact))))
		return err;
	/* No nested trap may spin on the lock this thread holds. */
	mask = vrl_sig_block_all();
	act_lock();
	old = vrl_proc.sys_act;
	if (act && !shared)
		vrl_proc.sys_act = nact;
	act_unlock();
	vrl_sig_restore(mask);
	if (act && !shared && (nact.flags & SA_RESTART) != (old.flags & SA_RESTART))
		vrl_sigsys_set_restart(!!(nact.flags & SA_RESTART));
	if (oact_user && (err = vrl_poke(oact_user, &old, sizeof(old))))
		return err;
	return 0;
}

/**
 * vrl_sig_action() - rt_sigaction(sig, act, oact, sigsetsize) on behalf of
 * the program.  Returns 0 or -errno (EINVAL, EFAULT, or the kernel's).
 */
long
vrl_sig_action(struct vr_loader_ctx *ctx, const long a[6])
{
	int sig = (int)a[0];
	const struct vrl_ksigaction *act = (const void *)a[1];
	struct vrl_ksigaction copy;
	int err;

	(void)ctx;
	if (a[3] != sizeof(unsigned long))
		return -EINVAL;
	if (sig == SIGSYS)
		return sigsys_action(act, (void *)a[2]);
	if (!act)
		return vrl_sys4(__NR_rt_sigaction, sig, NULL, a[2], a[3]);
	if ((err = vrl_peek(&copy, act, sizeof(copy))))
		return err;
	/* A handler that blocks SIGSYS would die at its first trapped call. */
	copy.mask &= ~VRL_SIGBIT(SIGSYS);
	return vrl_sys4(__NR_rt_sigaction, sig, &copy, a[2], a[3]);
}

/**
 * vrl_sig_procmask() - rt_sigprocmask(how, set, oset, sigsetsize) on
 * behalf of the program, applied to the mask our sigreturn restores.
 * Returns 0, -EINVAL or -EFAULT.
 */
long
vrl_sig_procmask(struct vr_loader_ctx *ctx, const long a[6])
{
	unsigned long old = ctx->uc->uc_sigmask, set = 0, mask;
	int err;

	if (a[3] != sizeof(unsigned long))
		return -EINVAL;
	if (a[1] && (err = vrl_peek(&set, (const void *)a[1], sizeof(set))))
		return err;
	mask = old;
	if (a[1]) {
		switch (a[0]) {
		case SIG_BLOCK:
			mask |= set;
			break;
		case SIG_UNBLOCK:
			mask &= ~set;
			break;
		case SIG_SETMASK:
			mask = set;
			break;
		default:
			return -EINVAL;
		}
	}
	if (a[2] && (err = vrl_poke((void *)a[2], &old, sizeof(old))))
		return err;
	ctx->uc->uc_sigmask = mask & ~NEVER_BLOCKED;
	return 0;
}

/* Die of @sig the way the kernel's default action would. */
static void
die_of(int sig, unsigned long mask)
{
	struct vrl_ksigaction dfl = {SIG_DFL_P, 0, NULL, 0};
	unsigned long bit = VRL_SIGBIT(sig);

	vrl_sys4(__NR_rt_sigaction, sig, &dfl, NULL, sizeof(dfl.mask));
	vrl_sys3(__NR_tgkill, vrl_getpid(), vrl_gettid(), sig);
	mask &= ~bit;
	vrl_sys4(__NR_rt_sigprocmask, SIG_SETMASK, &mask, NULL, sizeof(mask));
	vrl_exit_group(128 + sig);
}

/**
 * vrl_sig_forward() - deliver a SIGSYS that is not one of our traps to
 * the program's virtual disposition, on the current signal frame, so a
 * handler that edits the ucontext (a seccomp emulator setting REG_RAX)
 * works as if vroot were not there.
 */
void
vrl_sig_forward(int sig, siginfo_t *si, struct ucontext *uc)
{
	struct vrl_ksigaction act;
	unsigned long mask = vrl_sig_block_all();

	act_lock();
	act = vrl_proc.sys_act;
	if (act.handler != SIG_DFL_P && act.handler != SIG_IGN_P && (act.flags & SA_RESETHAND)) {
		vrl_proc.sys_act.handler = SIG_DFL_P;
		vrl_proc.sys_act.flags &= ~SA_SIGINFO;
	}
	act_unlock();
	vrl_sig_restore(mask);
	if (act.handler == SIG_IGN_P && si->si_code != SYS_SECCOMP)
		return;
	/* The kernel forces the default action on an ignored seccomp trap. */
	if (act.handler == SIG_DFL_P || act.handler == SIG_IGN_P)
		die_of(sig, uc->uc_sigmask);
	mask = (uc->uc_sigmask | act.mask) & ~NEVER_BLOCKED;
	vrl_sys4(__NR_rt_sigprocmask, SIG_SETMASK, &mask, NULL, sizeof(mask));
	if (act.flags & SA_SIGINFO)
		((void (*)(int, siginfo_t *, void *))act.handler)(sig, si, uc);
	else
		((void (*)(int))act.handler)(sig);
}
