/*
 * sigvirt.c - signal virtualisation.
 *
 * SIGSYS belongs to vroot: the real disposition is always our handler and
 * SIGSYS is never really blocked (the kernel kills a process whose trap
 * arrives while SIGSYS is blocked or ignored).  The program sees a virtual
 * SIGSYS:
 *  - rt_sigaction(SIGSYS) reads and writes vrl_proc.sys_act;
 *  - rt_sigaction(other) passes through with SIGSYS removed from sa_mask;
 *    a handler whose sa_mask held it runs inside vrl_sig_wrap(), which
 *    blocks SIGSYS in the virtual mask while it runs, and the program's
 *    action is what rt_sigaction reports;
 *  - rt_sigprocmask edits the mask that our sigreturn will restore
 *    (uc_sigmask), minus SIGSYS; the program's own rt_sigreturn is
 *    trapped too, and the mask its frame restores loses SIGSYS
 *    (sigentry.S), so a handler cannot block it through uc_sigmask;
 *  - a SIGSYS that is not a trap of ours (a program's own filter, kill())
 *    is delivered to the program's virtual handler as the kernel would.
 *
 *  - sigaltstack edits the signal stack our sigreturn will restore
 *    (uc_stack); a stack too small for the kernel's SIGSYS frame, which
 *    the kernel would answer with SIGSEGV at the next trapped call, is
 *    replaced by a "shadow" stack of vroot's that remembers it, and the
 *    program is told of its own (too small: less than two frames, one
 *    for a handler and one for the trap of its return).
 *
 *  - a thread that blocks SIGSYS is remembered (vrl_proc.sys_held, by
 *    thread id), also one a handler puts in the mask its return restores
 *    (uc_sigmask: sigentry.S sees the program's rt_sigreturn):
 *    rt_sigprocmask's old set and the thread's /proc status SigBlk show
 *    it, and from then on every rt_sigprocmask and rt_sigpending of the
 *    process traps (a second filter), so queries and SIG_UNBLOCK see it
 *    too; a kill()ed SIGSYS meanwhile is held, shown by rt_sigpending and
 *    SigPnd (sent to the thread) or ShdPnd (to the process), and raised
 *    again (by vroot, so its siginfo names vroot's process) when the
 *    thread unblocks it; the blocked state crosses execve; a fork child
 *    takes the parent's main thread's;
 *  - the calls that put a mask in force while they wait (rt_sigsuspend,
 *    ppoll, pselect6, epoll_pwait, epoll_pwait2, io_pgetevents) get it
 *    without SIGSYS, so a handler run meanwhile can make trapped calls.
 *
 * Known gaps: a new thread made by a raw clone (no C library setting its
 * mask) does not inherit its creator's virtual SIGSYS, nor does a fork
 * child of any thread but the main one; sigwaitinfo cannot take a held SIGSYS; at most
 * VRL_SYS_HELD threads at once; a SIG_IGN for SIGSYS does not survive
 * execve.  A program's signals meant for a too small signal stack run on
 * its shadow (natively the kernel would kill the program instead);
 * shadows are never unmapped (a thread may still sigreturn from a frame
 * on one), so a program making many threads with tiny signal stacks
 * keeps 68 KiB of address space per thread, only touched pages of it
 * backed by memory.
 *
 * vfork: a CLONE_VM child shares our memory with its suspended parent, so
 * it must not change the parent's virtual disposition.  A page with
 * MADV_WIPEONFORK tells the cases apart: it reads zero in a fork child (a
 * new copy of memory) and not in a CLONE_VM child.
 */
#include <linux/mman.h>
#include <linux/signal.h>
#include "loader.h"
#include "vfs.h"
#include "stackpool.h"

#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1
#endif
#ifndef SI_TKILL
#define SI_TKILL (-6)
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
	/* Written at once (the marker, the cache's token): mapped by the call, not a fault. */
	long p = vrl_mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
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

/*
 * held_adopt() - in a fork child (@child) of @parent: the parent's main
 * thread's virtual SIGSYS becomes the child's (its one thread is the one
 * that forked, most often the main one); the other threads' are dropped.
 */
static void
held_adopt(int parent, int child)
{
	if (!vrl_proc.sys_held_any)
		return;
	for (int i = 0; i < VRL_SYS_HELD; i++) {
		int t = vrl_proc.sys_held[i].tid;

		if (t)
			vrl_proc.sys_held[i].tid = t == parent ? child : 0;
	}
}

/**
 * vrl_mm_shared_child() - is the caller a CLONE_VM child (vfork,
 * posix_spawn) sharing the memory of another process?  Adopts the memory
 * as its own when the caller is a fork child.  Returns 1 or 0.
 */
int
vrl_mm_shared_child(void)
{
	int pid;

	/*
	 * No CLONE_VM child can be running (vmclone.c makes them all, and
	 * tells when each call is behind its parent) and the wipe-on-fork
	 * token says this is no fork child: the owner, without a system call
	 * (a trap asks this several times; a shell's every trap follows a
	 * vfork whose bit only its next dispatched call clears).
	 */
	if (vrl_proc.owner_pid && vrl_proc.mm_token && *vrl_proc.mm_token && vrl_vmclone_behind())
		return 0;
	pid = vrl_getpid();
	if (pid == vrl_proc.owner_pid)
		return 0;
	if (vrl_proc.mm_token && *vrl_proc.mm_token)
		return 1;
	/*
	 * A fork child: this memory is ours now.  Pages the parent had mapped
	 * MADV_DONTFORK are not in it: nothing uaccess.c knew holds.
	 */
	vrl_ua_forget();
	if (vrl_proc.mm_token)
		*vrl_proc.mm_token = 1;
	held_adopt(vrl_proc.owner_pid, pid);
	vrl_vmclone_forked();
	vrl_proc.owner_pid = pid;
	vrl_ident_forked();
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

static void hold(int tid);
static void unhold(int i, int tid);
static int held_find(int tid);

/* What vrl_sig_wrap() hands to vrl_sig_wrap_book(), on a stack of vroot's. */
struct wrap_book {
	int sig;
	int tid;
	int was; /* the thread blocked SIGSYS before the handler */
	struct vrl_ksigaction act;
};

/*
 * wrap_act() - the program's action for @sig, as wrapped_action() last
 * wrote it: read without the lock (a sequence count says when a writer
 * was in the middle), so that the wrapper makes no call that a session
 * enclosing ours would trap, wherever it runs.  A writer on this thread
 * blocks every signal meanwhile, so the count never stays odd under us.
 */
static struct vrl_ksigaction
wrap_act(int sig)
{
	struct vrl_ksigaction act;
	unsigned long seq;

	do {
		while ((seq = __atomic_load_n(&vrl_proc.sa_seq, __ATOMIC_ACQUIRE)) & 1)
			__builtin_ia32_pause();
		act = vrl_proc.sa_prog[sig - 1];
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while (__atomic_load_n(&vrl_proc.sa_seq, __ATOMIC_RELAXED) != seq);
	return act;
}

/*
 * vrl_sig_wrap_book() - vrl_sig_wrap()'s bookkeeping, on a stack of
 * vroot's: before the handler (@arg->was < 0), the program's action, and
 * the thread blocks SIGSYS as the handler's sa_mask says; after it, the
 * thread's SIGSYS as it was before.  Returns 0.
 */
long vrl_sig_wrap_book(void *arg);

long
vrl_sig_wrap_book(void *arg)
{
	struct wrap_book *b = arg;
	unsigned long bit = 1UL << (b->sig - 1);
	int i;

	if (b->was < 0) {
		b->tid = vrl_gettid();
		b->act = wrap_act(b->sig);
		/* The kernel has put back the default action; so do we. */
		if (b->act.flags & SA_RESETHAND)
			__atomic_fetch_and(&vrl_proc.sa_wrapped, ~bit, __ATOMIC_RELEASE);
		b->was = held_find(b->tid) >= 0;
		if (!b->was)
			hold(b->tid);
		return 0;
	}
	i = held_find(b->tid);
	if (b->was && i < 0)
		hold(b->tid);
	else if (!b->was && i >= 0)
		unhold(i, b->tid);
	return 0;
}

/**
 * vrl_sig_wrap() - the real handler of a signal whose handler's sa_mask
 * blocks SIGSYS (the kernel's sa_mask never does: a trap while SIGSYS is
 * blocked kills the process).  Runs where the kernel delivered the
 * signal, on the program's stack or signal stack, so it keeps to a small
 * frame and does its bookkeeping on a stack of vroot's: while the
 * program's handler runs, the thread blocks SIGSYS as the program sees
 * its mask (sigprocmask, SigBlk, a kill()ed SIGSYS held); after it, as
 * before.  Then it returns to the program's restorer.
 */
void
vrl_sig_wrap(int sig, siginfo_t *si, void *uc)
{
	struct wrap_book b = {.sig = sig, .was = -1};
	int booked;

	if (sig < 1 || sig > 64)
		return;
	/* No stack of vroot's to be had: the handler all the same, SIGSYS as it is. */
	booked = vrl_on_stack(vrl_sig_wrap_book, &b) >= 0;
	if (!booked)
		b.act = wrap_act(sig);
	if (b.act.handler == SIG_DFL_P || b.act.handler == SIG_IGN_P)
		return;
	if (b.act.flags & SA_SIGINFO)
		((void (*)(int, siginfo_t *, void *))b.act.handler)(sig, si, uc);
	else
		((void (*)(int))b.act.handler)(sig);
	if (booked)
		vrl_on_stack(vrl_sig_wrap_book, &b);
}

/*
 * reported() - what rt_sigaction reports as @sig's action when the kernel
 * holds @cur: the program's, where the kernel's is vroot's wrapper.
 */
static struct vrl_ksigaction
reported(int sig, const struct vrl_ksigaction *cur)
{
	return cur->handler == (void *)vrl_sig_wrap ? wrap_act(sig) : *cur;
}

/*
 * wrapped_action() - rt_sigaction(@sig, @act, @oact) for a signal other
 * than SIGSYS, @act (when not NULL) read already: a handler whose sa_mask
 * holds SIGSYS is installed as vrl_sig_wrap() with the mask without it,
 * and the program's action is kept to be reported.  In a vfork child,
 * whose actions are its own but whose memory is its parent's, the mask
 * is only stripped.  The old action reported is the kernel's, or the
 * program's where the kernel's is the wrapper.  Returns 0 or -errno.
 *
 * A call that changes nothing of what is kept (a query; a vfork child's
 * call; an action not wrapped for a signal whose action was not either)
 * takes neither the lock nor the signal mask: one system call.  A
 * posix_spawn() child makes two such calls per signal, some 120 in all.
 * The bit of sa_wrapped only sends a call the locked way: should a
 * wrapping call of another thread set it meanwhile, the call is made
 * again that way, as if last, and reports the action its first call
 * replaced (the second replaces its own).
 */
static long
wrapped_action(int sig, struct vrl_ksigaction *act, struct vrl_ksigaction *oact)
{
	unsigned long bit = 1UL << (sig - 1), mask;
	struct vrl_ksigaction real, cur, first;
	int wrap, shared = 0, again = 0;
	long r;

	wrap = act && (act->mask & VRL_SIGBIT(SIGSYS)) && act->handler != SIG_DFL_P &&
	       act->handler != SIG_IGN_P;
	if (wrap)
		wrap = !(shared = vrl_mm_shared_child());
	if (act) {
		real = *act;
		real.mask &= ~VRL_SIGBIT(SIGSYS);
		if (wrap) {
			real.handler = (void *)vrl_sig_wrap;
			real.flags |= SA_SIGINFO;
		}
	}
	if (!act || shared ||
	    (!wrap && !(__atomic_load_n(&vrl_proc.sa_wrapped, __ATOMIC_ACQUIRE) & bit))) {
		r = vrl_sys4(__NR_rt_sigaction, sig, act ? &real : NULL, &cur,
		             sizeof(unsigned long));
		if (r == 0 && act && !shared &&
		    (__atomic_load_n(&vrl_proc.sa_wrapped, __ATOMIC_ACQUIRE) & bit)) {
			first = cur;
			again = 1;
			goto locked;
		}
		if (r == 0 && oact)
			*oact = reported(sig, &cur);
		return r;
	}
locked:
	/* No nested trap may spin on the lock this thread holds. */
	mask = vrl_sig_block_all();
	act_lock();
	r = vrl_sys4(__NR_rt_sigaction, sig, &real, &cur, sizeof(unsigned long));
	if (r == 0) {
		cur = reported(sig, again ? &first : &cur);
		if (wrap) {
			__atomic_add_fetch(&vrl_proc.sa_seq, 1, __ATOMIC_ACQ_REL);
			vrl_proc.sa_prog[sig - 1] = *act;
			__atomic_add_fetch(&vrl_proc.sa_seq, 1, __ATOMIC_RELEASE);
			__atomic_fetch_or(&vrl_proc.sa_wrapped, bit, __ATOMIC_RELEASE);
		} else {
			__atomic_fetch_and(&vrl_proc.sa_wrapped, ~bit, __ATOMIC_RELEASE);
		}
	}
	act_unlock();
	vrl_sig_restore(mask);
	if (r == 0 && oact)
		*oact = cur;
	return r;
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
	struct vrl_ksigaction copy, old;
	long r;
	int err;

	(void)ctx;
	if (a[3] != sizeof(unsigned long))
		return -EINVAL;
	if (sig == SIGSYS)
		return sigsys_action(act, (void *)a[2]);
	/* The kernel's answer for a number that is no signal, or one it refuses. */
	if (sig < 1 || sig > 64)
		return vrl_sys4(__NR_rt_sigaction, sig, act, a[2], a[3]);
	if (act && (err = vrl_peek(&copy, act, sizeof(copy))))
		return err;
	r = wrapped_action(sig, act ? &copy : NULL, a[2] ? &old : NULL);
	if (r == 0 && a[2] && (err = vrl_poke((void *)a[2], &old, sizeof(old))))
		return err;
	return r;
}

/* held_find() - the slot of thread @tid in vrl_proc.sys_held, or -1. */
static int
held_find(int tid)
{
	if (!__atomic_load_n(&vrl_proc.sys_held_any, __ATOMIC_ACQUIRE))
		return -1;
	/* A fork child takes over its slots first (held_adopt()). */
	vrl_mm_shared_child();
	for (int i = 0; i < VRL_SYS_HELD; i++)
		if (__atomic_load_n(&vrl_proc.sys_held[i].tid, __ATOMIC_RELAXED) == tid)
			return i;
	return -1;
}

/* held_add() - remember thread @tid as blocking SIGSYS.  Returns its slot or -1 (full). */
static int
held_add(int tid, int pending)
{
	int i;

	__atomic_store_n(&vrl_proc.sys_held_any, 1, __ATOMIC_RELEASE);
	i = held_find(tid);
	for (int free = 0; i < 0 && free < VRL_SYS_HELD; free++) {
		int zero = 0;

		if (__atomic_compare_exchange_n(&vrl_proc.sys_held[free].tid, &zero, tid, 0,
		                                __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			i = free;
	}
	if (i >= 0)
		vrl_proc.sys_held[i].pending = pending;
	return i;
}

/**
 * vrl_sigsys_held() - does thread @tid block SIGSYS, as the program sees
 * its mask?  Returns 0 (no), or VRL_SYS_BLOCKED with VRL_SYS_PENDING
 * (a SIGSYS sent to the thread is held) or VRL_SYS_SHARED (one sent to
 * the process is).
 */
int
vrl_sigsys_held(int tid)
{
	int i = held_find(tid), p;

	if (i < 0)
		return 0;
	p = vrl_proc.sys_held[i].pending;
	return VRL_SYS_BLOCKED | (p == VRL_SYS_SHARED ? VRL_SYS_SHARED : p ? VRL_SYS_PENDING : 0);
}

/*
 * hold() - thread @tid blocks SIGSYS from now on, as the program sees its
 * mask; the first time, every rt_sigprocmask (and rt_sigpending) of the
 * process starts to trap so that queries see it.
 */
static void
hold(int tid)
{
	int err;

	if (held_find(tid) >= 0 || held_add(tid, 0) < 0 || vrl_proc.sys_mask_trapped)
		return;
	err = vrl_filter_trap_sigmask();
	/* A vfork child's filter is its own (the next image installs it again). */
	if (!vrl_mm_shared_child())
		vrl_proc.sys_mask_trapped = err == 0;
}

/*
 * unhold() - thread @tid, in slot @i, no longer blocks SIGSYS: a SIGSYS
 * held meanwhile is sent again (it arrives once the signal frame being
 * answered has put the program's mask back).
 */
static void
unhold(int i, int tid)
{
	int pending = vrl_proc.sys_held[i].pending;

	__atomic_store_n(&vrl_proc.sys_held[i].tid, 0, __ATOMIC_RELEASE);
	if (pending)
		vrl_sys3(__NR_tgkill, vrl_getpid(), tid, SIGSYS);
}

void vrl_sig_return_held(struct vrl_chunk *c, long index);

/*
 * vrl_sig_return_held() - called by sigentry.S, on slot @index of chunk
 * @c, when the program's rt_sigreturn restores a mask that holds SIGSYS
 * (a handler put it in uc_sigmask): the real mask loses it, the thread's
 * virtual mask keeps it.
 */
void
vrl_sig_return_held(struct vrl_chunk *c, long index)
{
	vrl_pool_enter(c, (int)index);
	hold(vrl_gettid());
}

/**
 * vrl_sig_pending() - rt_sigpending(set, sigsetsize) on behalf of the
 * program, once SIGSYS was blocked: the kernel's answer, with SIGSYS when
 * one is held for the thread.  Returns 0, -EINVAL or -EFAULT.
 */
long
vrl_sig_pending(struct vr_loader_ctx *ctx, const long a[6])
{
	unsigned long set = 0;
	long r;

	(void)ctx;
	if (a[1] != sizeof(set))
		return vrl_sys2(__NR_rt_sigpending, a[0], a[1]);
	r = vrl_sys2(__NR_rt_sigpending, &set, sizeof(set));
	if (r < 0)
		return r;
	if (vrl_sigsys_held(vrl_gettid()) & (VRL_SYS_PENDING | VRL_SYS_SHARED))
		set |= VRL_SIGBIT(SIGSYS);
	return vrl_poke((void *)a[0], &set, sizeof(set));
}

/**
 * vrl_sigsys_exec_state() - the calling thread's virtual SIGSYS for the
 * next image (VRL_SYS_* bits): blocked, one held, every rt_sigprocmask
 * trapped (the filter that does it stays across execve).
 */
int
vrl_sigsys_exec_state(void)
{
	int i = vrl_proc.sys_held_any ? held_find(vrl_gettid()) : -1, st = 0;

	if (i >= 0)
		st |= VRL_SYS_BLOCKED | (vrl_proc.sys_held[i].pending ? VRL_SYS_PENDING : 0);
	if (vrl_proc.sys_mask_trapped)
		st |= VRL_SYS_TRAPPED;
	return st;
}

/** vrl_sigsys_exec_restore() - take over what vrl_sigsys_exec_state() gave the image. */
void
vrl_sigsys_exec_restore(int st)
{
	vrl_proc.sys_mask_trapped = !!(st & VRL_SYS_TRAPPED);
	if (!(st & VRL_SYS_BLOCKED))
		return;
	held_add(vrl_gettid(), !!(st & VRL_SYS_PENDING));
	if (!vrl_proc.sys_mask_trapped)
		vrl_proc.sys_mask_trapped = vrl_filter_trap_sigmask() == 0;
}

/**
 * vrl_sig_procmask() - rt_sigprocmask(how, set, oset, sigsetsize) on
 * behalf of the program, applied to the mask our sigreturn restores.
 * Returns 0, -EINVAL or -EFAULT.
 */
long
vrl_sig_procmask(struct vr_loader_ctx *ctx, const long a[6])
{
	unsigned long old = ctx->uc->uc_sigmask, set = 0, mask, sys = VRL_SIGBIT(SIGSYS);
	int err, tid = vrl_proc.sys_held_any ? vrl_gettid() : 0, held = tid ? held_find(tid) : -1;

	if (a[3] != sizeof(unsigned long))
		return -EINVAL;
	/*
	 * A new thread sets its mask first (glibc's and musl's do): one
	 * started by a thread with an identity of its own takes a copy of it
	 * now, before another thread's change could be taken for its own.
	 */
	if (__atomic_load_n(&ctx->proc->thread_ids, __ATOMIC_ACQUIRE))
		(void)vrl_task(ctx);
	if (held >= 0)
		old |= sys;
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
	if ((mask & sys) && held < 0)
		hold(tid ? tid : vrl_gettid());
	if (!(mask & sys) && held >= 0)
		unhold(held, tid);
	return 0;
}

#define SHADOW_SIZE  (64 * 1024)
#define SHADOW_MAGIC 0x776f646168537256UL /* "VrShadow" */

/* Above the top of a shadow stack: which stack the program asked for. */
struct shadow {
	unsigned long magic;
	void *self; /* the shadow's ss_sp */
	stack_t prog;
};

/* Is @ss a shadow?  Then *@sh is its header.  Returns 1 or 0. */
static int
shadow_of(const stack_t *ss, struct shadow *sh)
{
	if ((ss->ss_flags & SS_DISABLE) || ss->ss_size != SHADOW_SIZE)
		return 0;
	return !vrl_peek(sh, (char *)ss->ss_sp + ss->ss_size, sizeof(*sh)) &&
	       sh->magic == SHADOW_MAGIC && sh->self == ss->ss_sp;
}

/* A new shadow for the program's @prog: guard, stack, header.  Or -errno. */
static long
shadow_new(const stack_t *prog, stack_t *ss)
{
	long p = vrl_mmap(NULL, 4096 + SHADOW_SIZE + 4096, PROT_READ | PROT_WRITE,
	                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	struct shadow *sh;

	if (vrl_is_err(p))
		return p;
	vrl_mprotect((void *)p, 4096, PROT_NONE);
	sh = (struct shadow *)(p + 4096 + SHADOW_SIZE);
	sh->magic = SHADOW_MAGIC;
	sh->self = (void *)(p + 4096);
	sh->prog = *prog;
	ss->ss_sp = sh->self;
	ss->ss_size = SHADOW_SIZE;
	ss->ss_flags = prog->ss_flags & SS_FLAG_BITS;
	return 0;
}

/*
 * The kernel's SIGSYS frame of this trap, in bytes, from its start to the
 * end of its fpstate: what a signal stack must hold for a trapped call.
 */
static unsigned long
frame_size(const struct vr_loader_ctx *ctx)
{
	unsigned long start = (unsigned long)ctx->uc - sizeof(long);
	unsigned long end = (unsigned long)ctx->si + sizeof(*ctx->si);
	const unsigned char *fp = (const void *)ctx->uc->uc_mcontext.fpstate;
	unsigned int magic, size = 512;

	if (fp) {
		memcpy(&magic, fp + 464, sizeof(magic));
		if (magic == FP_XSTATE_MAGIC1)
			memcpy(&size, fp + 468, sizeof(size));
		if ((unsigned long)fp + size > end)
			end = (unsigned long)fp + size;
	}
	return end - start;
}

/*
 * Was the program running on its signal stack @ss (the kernel's on_sig_stack())?
 * The kernel saves the flags it was set with in uc_stack, not this.
 */
static int
on_stack(const struct vr_loader_ctx *ctx, const stack_t *ss)
{
	unsigned long sp = ctx->uc->uc_mcontext.rsp, base = (unsigned long)ss->ss_sp;

	if (ss->ss_flags & (SS_DISABLE | SS_AUTODISARM))
		return 0;
	return sp > base && sp - base <= ss->ss_size;
}

/**
 * vrl_sigstack_note() - remember [@sp, @sp + @size) as a signal stack a
 * thread was given (by the program's sigaltstack() or vroot's own), for
 * vrl_sigstack_maybe().  Never forgotten: another thread may still run
 * on it.  Past VRL_SIGSTACKS of them, the next are not remembered.
 */
void
vrl_sigstack_note(const void *sp, unsigned long size)
{
	unsigned long lo = (unsigned long)sp, hi = lo + size;
	int n = __atomic_load_n(&vrl_proc.nsigstacks, __ATOMIC_ACQUIRE), i;

	for (i = 0; i < n && i < VRL_SIGSTACKS; i++)
		if (__atomic_load_n(&vrl_proc.sigstacks[i].hi, __ATOMIC_ACQUIRE) == hi &&
		    vrl_proc.sigstacks[i].lo == lo)
			return;
	if (n >= VRL_SIGSTACKS)
		return;
	i = __atomic_fetch_add(&vrl_proc.nsigstacks, 1, __ATOMIC_ACQ_REL);
	if (i >= VRL_SIGSTACKS)
		return;
	vrl_proc.sigstacks[i].lo = lo;
	__atomic_store_n(&vrl_proc.sigstacks[i].hi, hi, __ATOMIC_RELEASE);
}

/**
 * vrl_sigstack_maybe() - may @sp be on a signal stack (vrl_sigstack_note())?
 * A call through a rewritten site made there takes the trap path, whose
 * answer keeps off the signal stack's part in use (vrl_sig_stack_below()).
 * Returns 1 or 0.
 */
int
vrl_sigstack_maybe(unsigned long sp)
{
	int n = __atomic_load_n(&vrl_proc.nsigstacks, __ATOMIC_ACQUIRE);

	if (n > VRL_SIGSTACKS)
		n = VRL_SIGSTACKS;
	for (int i = 0; i < n; i++) {
		unsigned long hi = __atomic_load_n(&vrl_proc.sigstacks[i].hi, __ATOMIC_ACQUIRE);

		/* One being noted (hi not yet there) counts as a match: only slower. */
		if (sp - vrl_proc.sigstacks[i].lo <= hi - vrl_proc.sigstacks[i].lo)
			return 1;
	}
	return 0;
}

/**
 * vrl_sig_stack_below() - at the start of a trap answered on a stack of
 * vroot's, from the copy (@si, @uc) of the kernel's frame, which it put at @at:
 * when the trapped call was made on the thread's signal stack, that stack
 * ends below @at until the trap's sigreturn puts the whole one back
 * (from uc_stack).
 *
 * Natively, a signal arriving while a thread runs on its signal stack is
 * delivered below the stack pointer there.  While vroot answers a trap,
 * the thread runs on a stack of vroot's, so the kernel would put the
 * frame of a signal arriving meanwhile (or of a trap a handler run
 * meanwhile makes) at the top of the signal stack, over the program's
 * handler that made the trapped call, or over a frame of vroot's being
 * copied in or back there.  In a nested session every trap answered by
 * the inner loader makes such traps of its own, from its stacks: a
 * program taking frequent signals there died in SIGSEGV.  Left as it is
 * when too little of the stack would remain (the program's own overflow,
 * natively) or it disarms itself (SS_AUTODISARM: there is none then).
 */
void
vrl_sig_stack_below(siginfo_t *si, struct ucontext *uc, unsigned long at)
{
	struct vr_loader_ctx ctx = {uc, si, &vrl_proc};
	const stack_t *ss = &uc->uc_stack;
	unsigned long base = (unsigned long)ss->ss_sp;
	stack_t low;

	if (!on_stack(&ctx, ss) || at <= base || at - base > ss->ss_size)
		return;
	low.ss_sp = ss->ss_sp;
	low.ss_size = (at - base) & ~15UL;
	low.ss_flags = ss->ss_flags & SS_FLAG_BITS;
	/* As sigaltstack() here would: room for a handler's frame and its return's. */
	if (low.ss_size < MINSIGSTKSZ || low.ss_size < 2 * frame_size(&ctx) + 256)
		return;
	vrl_sys2(__NR_sigaltstack, &low, NULL);
}

/**
 * vrl_sig_altstack() - sigaltstack(ss, old_ss) on behalf of the program.
 * The thread's signal stack is what our sigreturn restores (uc_stack), and
 * its flags say whether the program was running on it, so that is what is
 * read and written, with the kernel's checks.  Returns 0,
 * -EPERM (on the signal stack), -EINVAL, -ENOMEM (smaller than
 * MINSIGSTKSZ, or no memory for a shadow) or -EFAULT.
 */
long
vrl_sig_altstack(struct vr_loader_ctx *ctx, const long a[6])
{
	stack_t *cur = &ctx->uc->uc_stack;
	stack_t old = *cur, ss, prog;
	struct shadow sh;
	unsigned int mode;
	long err;

	if (shadow_of(cur, &sh))
		old = sh.prog;
	if (!(cur->ss_flags & SS_DISABLE))
		old.ss_flags =
		        (on_stack(ctx, cur) ? SS_ONSTACK : 0) | (cur->ss_flags & SS_FLAG_BITS);
	if (a[0]) {
		if ((err = vrl_peek(&ss, (const void *)a[0], sizeof(ss))))
			return err;
		if (on_stack(ctx, cur))
			return -EPERM;
		mode = (unsigned int)ss.ss_flags & ~SS_FLAG_BITS;
		if (mode != 0 && mode != SS_ONSTACK && mode != SS_DISABLE)
			return -EINVAL;
		if (mode == SS_DISABLE) {
			ss.ss_sp = NULL;
			ss.ss_size = 0;
			ss.ss_flags = SS_DISABLE;
		} else if (ss.ss_size < MINSIGSTKSZ) {
			return -ENOMEM;
		} else if (ss.ss_size < 2 * frame_size(ctx) + 256) {
			/*
			 * Room for two frames: a handler's return (rt_sigreturn)
			 * traps with the handler's frame still there.
			 */
			prog = ss;
			if ((err = shadow_new(&prog, &ss)))
				return err;
		}
		/*
		 * Set it now, from our stack, which is not on the current signal
		 * stack; and in uc_stack, or sigreturn puts back the old one.
		 */
		if ((err = vrl_sys2(__NR_sigaltstack, &ss, NULL)))
			return err;
		if (!(ss.ss_flags & SS_DISABLE))
			vrl_sigstack_note(ss.ss_sp, ss.ss_size);
		*cur = ss;
	}
	if (a[1] && (err = vrl_poke((void *)a[1], &old, sizeof(old))))
		return err;
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
	unsigned long mask;
	int held = vrl_proc.sys_held_any ? held_find(vrl_gettid()) : -1;

	/*
	 * Blocked as the program sees it: a kill()ed SIGSYS waits for the
	 * unblocking; a seccomp trap of the program's own filter is forced on
	 * it, which kills it, as natively.
	 */
	if (held >= 0 && si->si_code != SYS_SECCOMP) {
		/* kill() sends to the process, tgkill() (raise) to the thread. */
		vrl_proc.sys_held[held].pending = si->si_code == SI_TKILL ? 1 : VRL_SYS_SHARED;
		return;
	}
	if (held >= 0)
		die_of(sig, uc->uc_sigmask);
	mask = vrl_sig_block_all();
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

/**
 * vrl_sig_return() - rt_sigreturn(2) trapped: never reached, as sigentry.S
 * answers the program's rt_sigreturn before any C runs; the table's every
 * trapped call has a handler all the same.  Returns -ENOSYS.
 */
long
vrl_sig_return(struct vr_loader_ctx *ctx, const long a[6])
{
	(void)ctx, (void)a;
	return -ENOSYS;
}

/*
 * masked_call() - call @nr with arguments @a, the signal mask @set (of
 * @size bytes) it puts in force replaced by a copy without SIGSYS, which
 * the kernel's argument @at (or the set pointer @slot inside a struct the
 * argument points to) then names.  A size or address the kernel would
 * refuse goes to it as it is, for its answer.
 */
static long
masked_call(long nr, const long a[6], int at, const void *set, long size, long *slot)
{
	unsigned long copy;
	long b[6];

	for (int i = 0; i < 6; i++)
		b[i] = a[i];
	if (size == sizeof(copy) && set && !vrl_peek(&copy, set, sizeof(copy))) {
		copy &= ~VRL_SIGBIT(SIGSYS);
		if (slot)
			*slot = (long)&copy;
		else
			b[at] = (long)&copy;
	}
	return vrl_sys6(nr, b[0], b[1], b[2], b[3], b[4], b[5]);
}

/*
 * masked_struct_call() - masked_call() for pselect6 and io_pgetevents,
 * whose argument @at points to {const sigset_t *set; size_t size}.
 */
static long
masked_struct_call(long nr, const long a[6], int at)
{
	long data[2], b[6];

	if (vrl_peek(data, (const void *)a[at], sizeof(data)))
		return vrl_sys6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	for (int i = 0; i < 6; i++)
		b[i] = a[i];
	b[at] = (long)data;
	return masked_call(nr, b, at, (const void *)data[0], data[1], &data[0]);
}

/*
 * The calls that put a signal mask in force while they wait (syscalls.h's
 * SIGWAIT): natively a mask with SIGSYS (sigfillset's) is harmless, but
 * here a handler of the program run while the call waits would die at its
 * first trapped call, so they wait with that mask minus SIGSYS.  Each
 * returns what the kernel answers.
 */

/** vrl_sig_suspend() - rt_sigsuspend(mask, size). */
long
vrl_sig_suspend(struct vr_loader_ctx *ctx, const long a[6])
{
	(void)ctx;
	return masked_call(__NR_rt_sigsuspend, a, 0, (const void *)a[0], a[1], NULL);
}

/** vrl_sig_ppoll() - ppoll(fds, n, timeout, mask, size). */
long
vrl_sig_ppoll(struct vr_loader_ctx *ctx, const long a[6])
{
	(void)ctx;
	return masked_call(__NR_ppoll, a, 3, (const void *)a[3], a[4], NULL);
}

/** vrl_sig_epoll_pwait() - epoll_pwait(epfd, events, max, timeout, mask, size). */
long
vrl_sig_epoll_pwait(struct vr_loader_ctx *ctx, const long a[6])
{
	(void)ctx;
	return masked_call(__NR_epoll_pwait, a, 4, (const void *)a[4], a[5], NULL);
}

/** vrl_sig_epoll_pwait2() - epoll_pwait2(epfd, events, max, timeout, mask, size). */
long
vrl_sig_epoll_pwait2(struct vr_loader_ctx *ctx, const long a[6])
{
	(void)ctx;
	return masked_call(__NR_epoll_pwait2, a, 4, (const void *)a[4], a[5], NULL);
}

/** vrl_sig_pselect6() - pselect6(n, in, out, except, timeout, {mask, size}). */
long
vrl_sig_pselect6(struct vr_loader_ctx *ctx, const long a[6])
{
	(void)ctx;
	return masked_struct_call(__NR_pselect6, a, 5);
}

/** vrl_sig_io_pgetevents() - io_pgetevents(ctx, min, nr, events, timeout, {mask, size}). */
long
vrl_sig_io_pgetevents(struct vr_loader_ctx *ctx, const long a[6])
{
	(void)ctx;
	return masked_struct_call(__NR_io_pgetevents, a, 5);
}
