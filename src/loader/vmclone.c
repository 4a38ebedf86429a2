/*
 * vmclone.c - CLONE_VM children that are not threads (vfork, posix_spawn,
 * clone(CLONE_VM)), made where vroot sees them.
 *
 * Such a child runs in its parent's memory with a descriptor table of its
 * own, so the directory cache, whose descriptors are the parent's, is not
 * for it.  The cache learns whether it runs in its owner by comparing
 * getpid() with the owner's pid, a system call on every walk; while no
 * such child can exist, this file's word (vrl_proc.vm_live, given to the
 * core with vr_ns_cache_sharers()) is zero and the cache skips it.
 *
 * So the filter traps vfork, and clone with CLONE_VM but not CLONE_THREAD
 * (syscalls.h's VMCLONE).  The handler does not make the child itself: a
 * child starting inside the handler would return through a signal frame
 * its parent still needs.  It claims a slot, sets the slot's bit in the
 * word, and returns into the slot's gadget in the trusted page (tpage.c),
 * which makes the call with the program's registers; then the parent and
 * the child each read the program's return address from the slot's
 * record, store the result, count themselves in the record, and jump back.
 * Once both have (or the parent alone, when the call failed), the slot is
 * free again, and with CLONE_VFORK (vfork, posix_spawn) the child has
 * exec'd or exited, so the memory is the parent's alone again.  The next
 * call that reaches the dispatcher sees that (vrl_vmclone_reap()) and
 * clears the bit.  A CLONE_VM child without CLONE_VFORK may run on for
 * good: its clone sets the word's top bit for the rest of the image.
 *
 * In a session that fakes an identity, clone with CLONE_THREAD comes here
 * too: the new thread must start with its creator's identity, which
 * vfs_ident.c keeps with the slot (vrl_ident_clone()) and gives the thread
 * by its TLS base at its first call, or by its id, the parent's result,
 * which the gadget stores (the child's 0 is not stored), when the slot is
 * reaped (vrl_ident_cloned()).  A thread shares the descriptor table: the
 * slot's bit stays only until the parent's next call reaps it.
 *
 * A program whose signal handler leaves the gadget by longjmp before the
 * call keeps its slot taken (and the cache slower) for the rest of the
 * image; when every slot is taken, the call fails with EAGAIN.
 */
#include "loader.h"
#include "vfs.h"

/* The word's bit for a CLONE_VM child that does not wait for the parent. */
#define VM_FOREVER (1UL << 63)

/* slot_word() - word @w (0: return address, 1: result, 2: returns) of slot @i's record. */
static volatile unsigned long *
slot_word(unsigned int i, unsigned int w)
{
	return (volatile unsigned long *)(vrl_tpage + VRL_TPAGE_SIZE + VRL_TDATA_VMCLONE +
	                                  i * VRL_VMCLONE_RECORD + w * 8);
}

/* done() - slot @i's call is behind both parent and child (or failed). */
static int
done(unsigned int i)
{
	unsigned long passed = __atomic_load_n(slot_word(i, 2), __ATOMIC_ACQUIRE);
	long result = (long)__atomic_load_n(slot_word(i, 1), __ATOMIC_ACQUIRE);

	return passed >= 2 || (passed == 1 && result < 0 && result >= -4095);
}

/*
 * claim() - a free slot, taken; -1 when all are.  vm_owned says which are
 * taken, vm_live (the core's word) which have a call on its way.
 */
static int
claim(void)
{
	for (unsigned int i = 0; i < VRL_VMCLONE_SLOTS; i++) {
		unsigned long bit = 1UL << i,
		              old = __atomic_load_n(&vrl_proc.vm_owned, __ATOMIC_RELAXED);

		while (!(old & bit))
			if (__atomic_compare_exchange_n(&vrl_proc.vm_owned, &old, old | bit, 1,
			                                __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
				return (int)i;
	}
	return -1;
}

/**
 * h_vmclone() - vfork, or clone with CLONE_VM and without CLONE_THREAD
 * (or with it, under a faked identity), or a clone that shares the
 * descriptor table without the memory or the memory without the table
 * (after which the core no longer believes what it learnt of a
 * descriptor number without asking): made in the trusted page's gadget
 * of a slot, on the way back to the program (see above).  Returns the
 * call's number, which the gadget finds in %rax, or -EAGAIN when no slot
 * is free.
 */
long
h_vmclone(struct vr_loader_ctx *ctx, const long a[6])
{
	long nr = ctx->si ? ctx->si->si_syscall : __NR_vfork;
	unsigned long flags = nr == __NR_vfork ? CLONE_VM_ | CLONE_VFORK_ : (unsigned long)a[0];
	unsigned long live;
	int i;

	/* Only the trap path has a context to return through (never rewritten). */
	if (!ctx->uc)
		return -ENOSYS;
	/* Threads are made without another call between: free the slots of those made. */
	if (__atomic_load_n(&vrl_proc.vm_live, __ATOMIC_RELAXED))
		vrl_vmclone_reap();
	i = claim();
	if (i < 0)
		return -EAGAIN;
	/* A descriptor table shared without the memory, or the memory without the table. */
	if (flags & CLONE_FILES_ ? !(flags & CLONE_VM_) : !!(flags & CLONE_THREAD_))
		vrl_fds_apart(vrl_proc.ns);
	*slot_word((unsigned int)i, 0) = ctx->uc->uc_mcontext.rip;
	*slot_word((unsigned int)i, 1) = 0;
	/* A child with its own memory counts itself in its own copy: the parent alone here. */
	*slot_word((unsigned int)i, 2) = flags & CLONE_VM_ ? 0 : 1;
	if (flags & CLONE_THREAD_)
		vrl_ident_clone(ctx, i, flags & CLONE_SETTLS_ ? (unsigned long)a[4] : 0);
	live = 1UL << i;
	/* A CLONE_VM child that is no thread and does not wait for the parent may run for good. */
	if ((flags & CLONE_VM_) && !(flags & (CLONE_VFORK_ | CLONE_THREAD_)))
		live |= VM_FOREVER;
	__atomic_or_fetch(&vrl_proc.vm_live, live, __ATOMIC_SEQ_CST);
	ctx->uc->uc_mcontext.rip =
	        vrl_tpage + VRL_TPAGE_VMCLONE + (unsigned long)i * VRL_VMCLONE_STRIDE;
	return nr;
}

/**
 * vrl_vmclone_reap() - clear the bits of vrl_proc.vm_live whose call is
 * done in the parent, and free their slots.  Cheap when none is set.
 *
 * One thread reaps at a time; another (or a signal handler's call on the
 * reaping thread) leaves it to that one.  Between seeing a slot's call
 * done and freeing the slot, another reaper could otherwise free it and a
 * clone take it again: the slot of a call still on its way would then be
 * freed, and its record (the return address, the new thread's identity)
 * given to a third clone while the call had not read it yet.
 */
void
vrl_vmclone_reap(void)
{
	unsigned long live;

	if (__atomic_exchange_n(&vrl_proc.vm_reaping, 1, __ATOMIC_ACQUIRE))
		return;
	live = __atomic_load_n(&vrl_proc.vm_live, __ATOMIC_ACQUIRE) & ~VM_FOREVER;
	for (unsigned int i = 0; live; i++, live >>= 1) {
		unsigned long bit = 1UL << i;

		if (!(live & 1) || !done(i))
			continue;
		/* Tests: the window in which another reaper could free the slot. */
		if (vrl_proc.reap_delay) {
			long ts[2] = {0, 2000000};

			vrl_sys2(__NR_nanosleep, ts, NULL);
		}
		__atomic_fetch_and(&vrl_proc.vm_live, ~bit, __ATOMIC_ACQ_REL);
		vrl_ident_cloned((int)i, (long)*slot_word(i, 1));
		__atomic_fetch_and(&vrl_proc.vm_owned, ~bit, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&vrl_proc.vm_reaping, 0, __ATOMIC_RELEASE);
}

/**
 * vrl_vmclone_behind() - every CLONE_VM call of vrl_proc.vm_live is done
 * in the parent (each child has exec'd or exited, or was a thread), whether
 * or not its bit was cleared yet.  Reads only: safe from any handler.
 */
int
vrl_vmclone_behind(void)
{
	unsigned long live = __atomic_load_n(&vrl_proc.vm_live, __ATOMIC_ACQUIRE);

	if (live & VM_FOREVER)
		return 0;
	for (unsigned int i = 0; live; i++, live >>= 1)
		if ((live & 1) && !done(i))
			return 0;
	return 1;
}

/**
 * vrl_vmclone_result() - the result the parent stored of the call made
 * through slot @slot, or 0 when none is stored yet.
 */
long
vrl_vmclone_result(int slot)
{
	return (long)__atomic_load_n(slot_word((unsigned int)slot, 1), __ATOMIC_ACQUIRE);
}

/**
 * vrl_vmclone_forked() - in a fork child: the calls other threads of the
 * parent had on their way are not this process's (only the forking thread
 * was copied), and no CLONE_VM child shares this copy of the memory.
 */
void
vrl_vmclone_forked(void)
{
	__atomic_store_n(&vrl_proc.vm_live, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&vrl_proc.vm_owned, 0, __ATOMIC_RELEASE);
	/* Another thread may have been reaping: it is not in this process. */
	__atomic_store_n(&vrl_proc.vm_reaping, 0, __ATOMIC_RELEASE);
}
