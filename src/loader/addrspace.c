/*
 * addrspace.c - the calls that change the program's address space.
 *
 * uaccess.c reads and writes pages the program showed good directly; it
 * must hear of every change that can unmap a page or take a permission
 * away.  These calls are trapped (syscalls.h: MEM, MMAP) and performed here
 * (the dispatcher calls vrl_addrspace_call() for them directly), the
 * known pages forgotten before and after each one that can do that: an
 * entry a concurrent check made under the old generation never counts.
 */
#include <linux/mman.h>
#include "loader.h"
#include "vfs.h"

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif
#define SHM_REMAP_FLAG 040000

/* brk_seen() - the break was at @b: the highest yet is kept. */
static void
brk_seen(uintptr_t b)
{
	uintptr_t top = __atomic_load_n(&vrl_proc.brk_top, __ATOMIC_RELAXED);

	while (b > top && !__atomic_compare_exchange_n(&vrl_proc.brk_top, &top, b, 1,
	                                               __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		;
}

/* shrinks() - call @nr with arguments @a may unmap a page or take a permission away. */
static int
shrinks(long nr, const long a[6])
{
	switch (nr) {
	case __NR_mmap:
		/* A new mapping elsewhere changes no page already known. */
		return (a[3] & MAP_FIXED) != 0;
	case __NR_brk:
		/* Below the highest break yet: pages may go (a move up takes none away). */
		return a[0] != 0 &&
		       (uintptr_t)a[0] < __atomic_load_n(&vrl_proc.brk_top, __ATOMIC_ACQUIRE);
	case __NR_madvise:
		/* Guard pages, and hardware poisoning (100, 101) fault on access. */
		return a[2] == MADV_GUARD_INSTALL || (a[2] >= 100 && a[2] <= 101);
	case __NR_shmat:
		return (a[2] & SHM_REMAP_FLAG) != 0;
	default:
		return 1;
	}
}

/*
 * text_touched() - call @nr with arguments @a may change what the text
 * mappings rewrite.c keeps say: a mapping goes or moves, or a protection
 * changes on one of them.
 */
static int
text_touched(long nr, const long a[6])
{
	uintptr_t lo = (uintptr_t)a[0], hi = lo + (uintptr_t)a[1];

	switch (nr) {
	case __NR_mmap:
		/*
		 * Placed by the kernel: no mapping it kept goes.  MAP_FIXED
		 * elsewhere (ld.so laying out a library inside its own
		 * reservation): a new text mapping is simply not known yet.
		 */
		if (!(a[3] & MAP_FIXED))
			return 0;
		/* fall through */
	case __NR_munmap:
	case __NR_mprotect:
	case __NR_pkey_mprotect:
		for (int i = 0; i < vrl_proc.ntext; i++)
			if (lo < vrl_proc.text[i].end && hi > vrl_proc.text[i].start)
				return 1;
		return 0;
	case __NR_brk:
	case __NR_madvise:
		return 0;
	default:
		return 1;
	}
}

/*
 * span() - the range of addresses call @nr with arguments @a works on,
 * into *@p, *@n; 0 when it is not one range known from the arguments
 * (everything is forgotten then).
 */
static int
span(long nr, const long a[6], uintptr_t *p, size_t *n)
{
	switch (nr) {
	case __NR_mmap:
	case __NR_munmap:
	case __NR_mprotect:
	case __NR_pkey_mprotect:
	case __NR_madvise:
		*p = (uintptr_t)a[0];
		*n = (size_t)a[1];
		return *n != 0;
	default:
		return 0; /* mremap (two ranges), brk, shmat, shmdt */
	}
}

/* forget() - what uaccess.c knows of the pages call @nr with @a may change. */
static void
forget(long nr, const long a[6])
{
	uintptr_t p;
	size_t n;

	if (span(nr, a, &p, &n))
		vrl_ua_forget_range(p, n);
	else
		vrl_ua_forget();
}

/**
 * vrl_addrspace_call() - perform address-space call @nr (MEM or MMAP in
 * syscalls.h) with arguments @a.
 * Returns the kernel's result.
 */
long
vrl_addrspace_call(long nr, const long a[6])
{
	int shrink = shrinks(nr, a), text = shrink && text_touched(nr, a);
	long r;

	if (shrink)
		forget(nr, a);
	if (text)
		__atomic_add_fetch(&vrl_proc.map_gen, 1, __ATOMIC_ACQ_REL);
	r = vrl_sys6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (shrink)
		forget(nr, a);
	if (text)
		__atomic_add_fetch(&vrl_proc.map_gen, 1, __ATOMIC_ACQ_REL);
	/* A break moved up takes nothing away: the next move down is a shrink. */
	if (nr == __NR_brk && r > 0)
		brk_seen((uintptr_t)r);
	return r;
}

/*
 * The table's handlers: vr_loader_dispatch() answers these calls before
 * looking a handler up; these say the same for anything else that does.
 */
#define ADDRSPACE_HANDLER(name)                                                                    \
	long h_##name(struct vr_loader_ctx *ctx, const long a[6])                                  \
	{                                                                                          \
		(void)ctx;                                                                         \
		return vrl_addrspace_call(__NR_##name, a);                                         \
	}
ADDRSPACE_HANDLER(mmap)
ADDRSPACE_HANDLER(munmap)
ADDRSPACE_HANDLER(mprotect)
ADDRSPACE_HANDLER(pkey_mprotect)
ADDRSPACE_HANDLER(mremap)
ADDRSPACE_HANDLER(brk)
ADDRSPACE_HANDLER(madvise)
ADDRSPACE_HANDLER(shmat)
ADDRSPACE_HANDLER(shmdt)
