/*
 * sigsys.c - the SIGSYS handler: where a trapped system call lands.
 *
 * Installed with:
 *  - SA_SIGINFO, to read si_code/si_errno (our tag) and si_syscall;
 *  - SA_ONSTACK, because a thread's ordinary stack may be tiny (a Go
 *    goroutine's is a few KiB and grows only through Go's own checks); Go
 *    gives every thread a 32 KiB signal stack, and other programs that set
 *    one up expect their signal work to happen there.  Only the kernel's
 *    frame goes there: the entry (sigentry.S) runs the handler on one of
 *    vroot's own stacks, so a program's small signal stack is enough;
 *  - an empty sa_mask and SA_NODEFER, so the handler runs with exactly the
 *    *program's* signal mask (which never holds SIGSYS, see sigvirt.c),
 *    without a system call to set it;
 *  - SA_RESTORER with the restorer stub of the trusted page (no libc).
 *
 * So a signal arriving while a trapped call blocks (open of a FIFO,
 * connect) interrupts it exactly as it would natively: the program's
 * handler runs nested on top of ours, then the kernel restarts our inner
 * call if that handler has SA_RESTART, or we return -EINTR.  A trapped call
 * made by that nested handler re-enters this handler: whatever the
 * dispatcher does must be re-entrant, or block signals around its critical
 * sections (vrl_sig_block_all()).  The handler returns normally; the
 * kernel's rt_sigreturn then restores the registers, with REG_RAX holding
 * the result, and uc_sigmask.
 */
#include <linux/seccomp.h>
#include <linux/audit.h>
#include <linux/mman.h>
#include <linux/signal.h>
#include "loader.h"
#include "vfs.h"
#include "stackpool.h"

/* Room for the frames of every nested session's handler (see sys.h). */
#define VRL_ALTSTACK (256 * 1024)

#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1
#endif

#define SIGSYS_FLAGS (SA_SIGINFO | SA_ONSTACK | SA_RESTORER | SA_NODEFER)

static void
trace(const struct vrl_proc *p, long nr, const long a[6], long ret)
{
	char mem[128];
	struct vrl_buf b;

	vrl_buf_init(&b, mem, sizeof(mem));
	vrl_buf_str(&b, "vroot: trap ");
	vrl_buf_dec(&b, nr);
	vrl_buf_str(&b, " (");
	vrl_buf_hex(&b, (unsigned long)a[0]);
	vrl_buf_str(&b, ", ");
	vrl_buf_hex(&b, (unsigned long)a[1]);
	vrl_buf_str(&b, ") = ");
	vrl_buf_dec(&b, ret);
	vrl_buf_str(&b, "\n");
	vrl_write(p->state.trace_fd, b.p, b.len);
}

static long
handle_trap(siginfo_t *si, struct ucontext *uc)
{
	struct vr_loader_ctx ctx = {uc, si, &vrl_proc};
	struct sigcontext *r = &uc->uc_mcontext;
	long a[6] = {(long)r->rdi, (long)r->rsi, (long)r->rdx,
	             (long)r->r10, (long)r->r8,  (long)r->r9};
	long nr = si->si_syscall;
	long ret;

	__atomic_add_fetch(&vrl_proc.traps, 1, __ATOMIC_RELAXED);
	if (si->si_arch != AUDIT_ARCH_X86_64 || (nr & 0x40000000))
		return -ENOSYS;
	/* The loader's own probe asks only that the trap came: no answer, no rewriting. */
	if (__atomic_load_n(&vrl_proc.probing, __ATOMIC_RELAXED) && nr == __NR_getcwd)
		return -ERANGE;
	/* The signal calls act on the interrupted context, with a namespace or not. */
	if (vrl_call_cond(nr) == VRL_C_SIGNAL || vrl_call_cond(nr) == VRL_C_SIGMASK ||
	    vrl_call_cond(nr) == VRL_C_SIGWAIT || vrl_call_cond(nr) == VRL_C_SIGHELD ||
	    vrl_call_cond(nr) == VRL_C_VMCLONE)
		ret = vrl_call_handler(nr)(&ctx, a);
	else
		ret = vr_loader_dispatch(&ctx, nr, a);
	if (vrl_proc.state.trace_fd >= 0)
		trace(&vrl_proc, nr, a, ret);
	if (vrl_proc.stats)
		vrl_stats_trap((uintptr_t)r->rip, nr);
	vrl_rw_site((uintptr_t)r->rip, nr);
	return ret;
}

/*
 * ours() - is this SIGSYS a trap this loader answers?  Its own tag, of
 * course.  When a session is nested inside ours, its filter is the newer
 * one and its tag wins on a call both filters trap: such a trap belongs to
 * the nested session's loader, which registered its handler as the
 * program's (our virtual SIGSYS disposition) and gets it forwarded.  Until
 * it has (it is still starting in this image), the only such trap is our
 * own probe for a filter in place (vrl_filter_present()).
 */
static int
ours(const siginfo_t *si)
{
	int tag = si->si_errno;

	if (si->si_code != SYS_SECCOMP)
		return 0;
	if (tag == VRL_TAG)
		return 1;
	return tag > VRL_TAG && tag < VRL_TAG_BASE + VRL_MAX_NEST &&
	       __atomic_load_n(&vrl_proc.sys_act.handler, __ATOMIC_RELAXED) == NULL;
}

/*
 * Called by sigentry.S: on its own (its frame in the program's memory)
 * for a SIGSYS to forward, or when no stack could be had.
 */
void vrl_sigsys(int sig, siginfo_t *si, void *ucv);
void vrl_sigsys_on_pool(int sig, siginfo_t *si, void *ucv, struct vrl_chunk *c, long index,
                        unsigned long at);

void
vrl_sigsys(int sig, siginfo_t *si, void *ucv)
{
	struct ucontext *uc = ucv;

	if (ours(si)) {
		uc->uc_mcontext.rax = (unsigned long)handle_trap(si, uc);
		return;
	}
	/*
	 * A nested session's trap: a new thread's first is often one (glibc's
	 * and musl's set their signal mask first, which both filters trap, and
	 * the newer one's tag wins).  A thread started by one with an identity
	 * of its own here takes its copy of it now, as at a trap of ours
	 * (vfs_ident.c), before a change the main thread makes could give it
	 * the main thread's.
	 */
	if (si->si_code == SYS_SECCOMP && __atomic_load_n(&vrl_proc.thread_ids, __ATOMIC_ACQUIRE))
		(void)vrl_thread_task(&vrl_proc);
	vrl_sig_forward(sig, si, uc);
}

/*
 * Called by sigentry.S on slot @index of chunk @c, with a copy of the
 * frame the kernel put at @at.
 */
void
vrl_sigsys_on_pool(int sig, siginfo_t *si, void *ucv, struct vrl_chunk *c, long index,
                   unsigned long at)
{
	vrl_pool_enter(c, (int)index);
	vrl_sig_stack_below(si, ucv, at);
	vrl_sigsys(sig, si, ucv);
}

static int
install(unsigned long flags)
{
	struct vrl_ksigaction sa = {
	        .handler = (void *)vrl_sigsys_entry,
	        .flags = flags,
	        .restorer = (void *)(vrl_tpage + VRL_TPAGE_RESTORER),
	        .mask = 0,
	};

	return (int)vrl_sys4(__NR_rt_sigaction, SIGSYS, &sa, NULL, sizeof(sa.mask));
}

/*
 * Give the main thread a signal stack unless it has one.  The SIGSYS frame
 * alone is AT_MINSIGSTKSZ (3.3 KiB with AVX-512, far more with AMX), and a
 * vfork-style child (posix_spawn) may trap execve on a tiny stack carved
 * out of its suspended parent's frame (musl: 5 KiB): overflowing it
 * corrupts the parent.  CLONE_VFORK children inherit the parent thread's
 * signal stack, so their frame lands here instead.  A program that sets
 * its own signal stack replaces this one.
 */
static int
altstack(void)
{
	stack_t cur, ss;
	long p;

	if (vrl_sys2(__NR_sigaltstack, NULL, &cur) == 0 && !(cur.ss_flags & SS_DISABLE)) {
		vrl_sigstack_note(cur.ss_sp, cur.ss_size);
		return 0;
	}
	p = vrl_mmap(NULL, VRL_ALTSTACK + 4096, PROT_READ | PROT_WRITE,
	             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vrl_is_err(p))
		return (int)p;
	vrl_mprotect((void *)p, 4096, PROT_NONE); /* guard */
	/* The kernel writes every signal's frame there. */
	vrl_populate((char *)p + 4096 + VRL_ALTSTACK - 2 * 4096, 2 * 4096);
	ss.ss_sp = (void *)(p + 4096);
	ss.ss_size = VRL_ALTSTACK;
	ss.ss_flags = 0;
	vrl_sigstack_note(ss.ss_sp, ss.ss_size);
	return (int)vrl_sys2(__NR_sigaltstack, &ss, NULL);
}

/**
 * vrl_sigsys_install() - make vroot's handler the real SIGSYS disposition,
 * unblock SIGSYS (a trap while it is blocked kills the process) and give
 * the thread a signal stack if it has none.  Returns 0 or -errno.
 */
int
vrl_sigsys_install(void)
{
	unsigned long bit = VRL_SIGBIT(SIGSYS);
	int err = vrl_pool_init();

	if (!err)
		err = install(SIGSYS_FLAGS);

	if (!err)
		err = altstack();
	if (err)
		return err;
	return (int)vrl_sys4(__NR_rt_sigprocmask, SIG_UNBLOCK, &bit, NULL, sizeof(bit));
}

/**
 * vrl_sigsys_set_restart() - give the real SIGSYS disposition the
 * program's SA_RESTART choice, so a SIGSYS sent by kill() that interrupts
 * a blocking call restarts it or not as the program asked.
 */
int
vrl_sigsys_set_restart(int restart)
{
	return install(SIGSYS_FLAGS | (restart ? SA_RESTART : 0));
}

/**
 * vrl_sig_block_all() - block every signal in the calling thread (the
 * handler runs with the program's mask); returns the previous mask for
 * vrl_sig_restore().  For short critical sections that must not be
 * re-entered by a nested trap.
 */
unsigned long
vrl_sig_block_all(void)
{
	unsigned long all = ~0UL, old = 0;

	vrl_sys4(__NR_rt_sigprocmask, SIG_SETMASK, &all, &old, sizeof(all));
	return old;
}

/** vrl_sig_restore() - restore the mask vrl_sig_block_all() returned. */
void
vrl_sig_restore(unsigned long mask)
{
	vrl_sys4(__NR_rt_sigprocmask, SIG_SETMASK, &mask, NULL, sizeof(mask));
}
