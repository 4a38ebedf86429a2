/*
 * stackpool.c - vroot's stacks: the SIGSYS handler and vrl_on_stack() run
 * on them, never on the program's stacks (sigentry.S).
 *
 * The loader has no thread-local storage, so a stack is not a thread's but
 * an activation's: each entry claims a free slot with one atomic bit and
 * gives it back on return.  A nested trap (a program's signal handler that
 * interrupted a trapped call makes one itself) claims another; a thread
 * made by a raw clone needs nothing.  When every slot of every chunk is
 * taken, the entry maps a new chunk and vrl_pool_enter() links it in.
 * Slots are guard-paged, and mapped MAP_NORESERVE: only pages a handler
 * touched cost memory.
 *
 * Two kinds of process inherit claims that nobody will give back:
 *  - a fork child inherits the claims of the parent's threads that were
 *    inside a handler; only the forking thread lives on in the child, so
 *    the child frees every claim but the one running (the wipe-on-fork
 *    marker of sigvirt.c says when the memory is a fork's copy).  A fork
 *    made by a program's signal handler interrupting a trapped call,
 *    whose child then returns into that call, is not supported: that
 *    call's slot is freed under it.
 *  - a CLONE_VM child (vfork, posix_spawn) that execs from inside the
 *    handler never returns from it, so its claim would stay in the
 *    parent's memory for good.  Before the exec the slot is marked held by
 *    the child's pid; later entries free it once kcmp(KCMP_VM) says that
 *    process no longer runs in this memory (or no longer exists).
 */
#include <linux/mman.h>
#include "loader.h"
#include "stackpool.h"

#ifndef KCMP_VM
#define KCMP_VM 1
#endif

/* In .data, not .bss: a page the start touches anyway (each page touched is a fault). */
__attribute__((section(".data"))) struct vrl_chunk *vrl_pool;

_Static_assert(offsetof(siginfo_t, si_errno) == VRL_SI_ERRNO, "si_errno");
_Static_assert(offsetof(siginfo_t, si_code) == VRL_SI_CODE, "si_code");
_Static_assert(offsetof(struct ucontext, uc_mcontext.fpstate) == VRL_UC_FPSTATE, "fpstate");
_Static_assert(offsetof(siginfo_t, si_syscall) == VRL_SI_SYSCALL, "si_syscall");
_Static_assert(offsetof(siginfo_t, si_arch) == VRL_SI_ARCH, "si_arch");
_Static_assert(offsetof(struct ucontext, uc_mcontext.rsp) == VRL_UC_RSP, "rsp");
_Static_assert(offsetof(struct ucontext, uc_sigmask) == VRL_UC_SIGMASK, "uc_sigmask");
_Static_assert(VRL_TAG_BASE == 0x5652, "sigentry.S has its own copy");
_Static_assert(VRL_TPAGE_RESTORER == 0x10, "sigentry.S has its own copy");
_Static_assert(VRL_MAX_NEST == 4, "sigentry.S has its own copy");

/* The chunk goes into the list (guard pages come with each slot's first use). */
static void
publish(struct vrl_chunk *c)
{
	struct vrl_chunk **link = &vrl_pool;
	struct vrl_chunk *expected;

	c->ready = 1;
	for (;;) {
		expected = NULL;
		if (__atomic_compare_exchange_n(link, &expected, c, 0, __ATOMIC_RELEASE,
		                                __ATOMIC_RELAXED))
			return;
		link = &expected->next;
	}
}

/**
 * vrl_pool_init() - map this process image's first chunk of stacks.
 * Returns 0 or -errno (ENOMEM).
 */
int
vrl_pool_init(void)
{
	long p = vrl_mmap(NULL, VRL_CHUNK_SIZE, PROT_READ | PROT_WRITE,
	                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (vrl_is_err(p))
		return (int)p;
	/*
	 * In a nested session mprotect traps to the enclosing loader, whose
	 * frame would land at the top of the signal stack, over what a
	 * handler running there has (vrl_sig_stack_below() cannot help before
	 * the first trap): every guard of the first chunk is made now, when
	 * nothing runs there; a chunk mapped later keeps its slots unguarded.
	 */
	for (int i = 0; vrl_level > 0 && i < VRL_SLOTS; i++)
		vrl_mprotect((char *)p + VRL_CHUNK_HDR + (long)i * VRL_SLOT_STRIDE, VRL_GUARD,
		             PROT_NONE);
	if (vrl_level > 0)
		((struct vrl_chunk *)p)->guarded = ~0UL;
	/* The header, and the top of the first slot, which the first trap runs on. */
	vrl_populate((void *)p, VRL_CHUNK_HDR);
	vrl_populate((char *)p + VRL_CHUNK_HDR + VRL_SLOT_STRIDE - 3 * 4096, 3 * 4096);
	publish((struct vrl_chunk *)p);
	return 0;
}

static void
release(struct vrl_chunk *c, int i)
{
	__atomic_fetch_and(&c->busy, ~(1UL << i), __ATOMIC_RELEASE);
}

/* unmap_held() - the mappings an exec from slot @i left behind go. */
static void
unmap_held(struct vrl_chunk *c, int i)
{
	for (int k = 0; k < VRL_HELD_MAPS; k++) {
		if (c->maps[i][k].addr)
			vrl_sys2(__NR_munmap, c->maps[i][k].addr, c->maps[i][k].len);
		c->maps[i][k].addr = NULL;
	}
}

/* A fork child: only the claim running now is alive. */
static void
after_fork(struct vrl_chunk *mine, int index)
{
	struct vrl_chunk *c;
	int i;

	vrl_mm_shared_child(); /* adopts the memory */
	for (c = vrl_pool; c; c = c->next) {
		for (i = 0; i < VRL_SLOTS; i++) {
			/* This memory's copy of what an exec'd CLONE_VM child left. */
			if (c->held[i])
				unmap_held(c, i);
			c->held[i] = 0;
			if (c != mine || i != index)
				release(c, i);
		}
		c->npending = 0;
	}
}

/* Free the slots of CLONE_VM children that have exec'd or are gone. */
static void
reclaim(struct vrl_chunk *c)
{
	int pid = vrl_getpid();
	int i, held;
	long r;

	for (i = 0; i < VRL_SLOTS; i++) {
		held = __atomic_load_n(&c->held[i], __ATOMIC_ACQUIRE);
		if (!held || held == pid)
			continue;
		r = vrl_sys5(__NR_kcmp, pid, held, KCMP_VM, 0, 0);
		if (r == 0 || (r < 0 && r != -ESRCH))
			continue;
		if (!__atomic_compare_exchange_n(&c->held[i], &held, 0, 0, __ATOMIC_ACQ_REL,
		                                 __ATOMIC_RELAXED))
			continue;
		__atomic_sub_fetch(&c->npending, 1, __ATOMIC_RELAXED);
		unmap_held(c, i);
		release(c, i);
	}
}

/**
 * vrl_pool_enter() - bookkeeping at the start of an activation on slot
 * @index of chunk @c (called by sigentry.S on that slot): link a chunk the
 * entry had to map, free the claims a fork child inherited, reclaim the
 * slots of exec'd CLONE_VM children.
 */
void
vrl_pool_enter(struct vrl_chunk *c, int index)
{
	struct vrl_chunk *p;

	if (!__atomic_load_n(&c->ready, __ATOMIC_ACQUIRE))
		publish(c);
	/*
	 * This activation is near the slot's top; the guard at its bottom is
	 * in place before the handler can get deep.  Two threads racing on a
	 * slot cannot happen (the busy bit is ours), a second mprotect of the
	 * same page would be harmless anyway.
	 */
	if (vrl_level == 0 && !(__atomic_load_n(&c->guarded, __ATOMIC_RELAXED) & (1UL << index))) {
		vrl_mprotect((char *)c + VRL_CHUNK_HDR + (long)index * VRL_SLOT_STRIDE, VRL_GUARD,
		             PROT_NONE);
		__atomic_fetch_or(&c->guarded, 1UL << index, __ATOMIC_RELAXED);
	}
	if (vrl_proc.mm_token && !*vrl_proc.mm_token)
		after_fork(c, index);
	for (p = vrl_pool; p; p = p->next)
		if (__atomic_load_n(&p->npending, __ATOMIC_RELAXED))
			reclaim(p);
}

/* The slot the caller runs on, or -1 (and *cp NULL) when it is none. */
static int
current_slot(struct vrl_chunk **cp)
{
	unsigned long sp = (unsigned long)__builtin_frame_address(0);
	struct vrl_chunk *c;

	for (c = vrl_pool; c; c = c->next) {
		unsigned long base = (unsigned long)c + VRL_CHUNK_HDR;

		if (sp >= base && sp < base + VRL_SLOTS * (unsigned long)VRL_SLOT_STRIDE) {
			*cp = c;
			return (int)((sp - base) / VRL_SLOT_STRIDE);
		}
	}
	*cp = NULL;
	return -1;
}

/**
 * vrl_pool_exec_begin() - the caller is about to execve from the slot it
 * runs on: if the exec succeeds in a CLONE_VM child, the slot stays held
 * by this process until it is seen gone from this memory, and @maps (the
 * mappings the exec's arguments were built in; NULL addresses for none)
 * are unmapped then: the child cannot unmap them once its exec succeeded.
 */
void
vrl_pool_exec_begin(const struct vrl_held_map maps[VRL_HELD_MAPS])
{
	struct vrl_chunk *c;
	int i = current_slot(&c);

	if (i < 0)
		return;
	/* A CLONE_VM child's exec cannot unmap what its arguments were built in. */
	for (int k = 0; k < VRL_HELD_MAPS; k++)
		c->maps[i][k] = maps[k];
	__atomic_add_fetch(&c->npending, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&c->held[i], vrl_getpid(), __ATOMIC_RELEASE);
}

/** vrl_pool_exec_end() - the execve announced by vrl_pool_exec_begin() failed. */
void
vrl_pool_exec_end(void)
{
	struct vrl_chunk *c;
	int i = current_slot(&c);

	if (i < 0 || !__atomic_exchange_n(&c->held[i], 0, __ATOMIC_ACQ_REL))
		return;
	for (int k = 0; k < VRL_HELD_MAPS; k++)
		c->maps[i][k].addr = NULL; /* the caller unmaps them itself */
	__atomic_sub_fetch(&c->npending, 1, __ATOMIC_RELAXED);
}

/* sigentry.S: vrl_on_stack() on slot @index of chunk @c. */
long vrl_on_stack_c(long (*fn)(void *), void *arg, struct vrl_chunk *c, long index);

long
vrl_on_stack_c(long (*fn)(void *), void *arg, struct vrl_chunk *c, long index)
{
	vrl_pool_enter(c, (int)index);
	return fn(arg);
}
