/*
 * tpage.c - the trusted syscall page.
 *
 * One page at a fixed address holding a `syscall; ret` stub, a signal
 * restorer and the gadgets CLONE_VM children are made through.  The
 * seccomp filter allows any call whose instruction pointer lies in this
 * page; vroot's own calls go through it, the program's do not.
 * The address must be the same in every image of a session (the filter is
 * inherited across execve, the mapping is not), so it is a constant: slot
 * 0, or for a session started inside another one, the first slot its
 * enclosing sessions' loaders left free (slot N at 0x7e8000000000 + N * 4
 * GiB, see sys.h), which is the same in every image too.
 *
 * Why 0x7e8000000000 (126.5 TiB):
 *  - far above anything at a fixed low address: non-PIE executables at
 *    0x400000 and their brk heaps growing up from there, MAP_32BIT users
 *    (below 2 GiB), JVM compressed-oop heaps (below 32 GiB), Wine and
 *    valgrind's low reservations;
 *  - not a Go heap arena hint (Go tries 0x00c000000000, 0x01c000000000, ...
 *    i << 40 | 0xc0 << 32);
 *  - above where the kernel puts PIE executables and, for directly run
 *    loaders, brk (0x555555554000 + up to 1 TiB with the default 28 bits of
 *    mmap randomisation), and above the legacy bottom-up mmap base
 *    (0x2aaaaaaab000 + randomisation, `ulimit -s unlimited`);
 *  - below the lowest top-down mmap base the kernel picks with default
 *    randomisation (about 0x7eff00000000: 47-bit top, minus the stack gap,
 *    minus up to 1 TiB), so mappings made at exec time never sit there and
 *    a program must map over 500 GiB before top-down allocation even
 *    reaches it (and then simply goes around one page);
 *  - inside the application ranges of ASan (high memory, above
 *    0x10007fff8000), TSan and MSan (0x7e8000000000-0x800000000000 in their
 *    x86-64 layouts), so sanitized programs accept the mapping.
 * It is 4 GiB-aligned so the filter can test the high half of the
 * instruction pointer with two comparisons for all the slots it trusts.
 */
#include <linux/mman.h>
#include "loader.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

_Static_assert((VRL_TPAGE_ADDR & 0xffffffffUL) == 0, "trusted page must be 4 GiB aligned");

/*
 * The syscall stub counts every call made through it (for --stats) in the
 * counter the page after it points to: %r11 is the kernel's to clobber.
 */
static const unsigned char stub_plain[] = {
        0x0f, 0x05, /* syscall */
        0xc3,       /* ret */
};

static const unsigned char stub_syscall[] = {
        0x4c, 0x8b, 0x1d, 0xd9, 0x0f, 0x00, 0x00, /* mov 4096(page), %r11 */
        0xf0, 0x49, 0xff, 0x03,                   /* lock incq (%r11) */
        0x0f, 0x05,                               /* syscall */
        0xc3,                                     /* ret */
};

_Static_assert(VRL_TPAGE_SYSCALL + 7 == 0x27, "the counter pointer's offset above");
_Static_assert(sizeof(stub_plain) <= VRL_TPAGE_RESTORER, "syscall stub overlaps the restorer");

static const unsigned char stub_restorer[] = {
        0xb8, __NR_rt_sigreturn,
        0,    0,
        0,          /* mov $__NR_rt_sigreturn, %eax */
        0x0f, 0x05, /* syscall */
        0x0f, 0x0b, /* ud2: rt_sigreturn does not return */
};

/*
 * put_vmclone() - at @at (offset @code in the page) the gadget a CLONE_VM
 * child is made through (vmclone.c), its record at offset @data:
 *   syscall                    the program's clone or vfork, its registers
 *   mov  ret(%rip), %rcx       the return address, read before...
 *   test %rax, %rax; jz 1f     (the child's 0 is not stored: the parent's
 *   mov  %rax, result(%rip)     result, a thread's id, is read later)
 *   1: lock incq passed(%rip)  ...saying so: the record may be reused
 *   lea  -128(%rsp), %rsp      past the red zone, as a signal frame would
 *   push %r11; popfq           the flags as the call left them (%r11)
 *   lea  128(%rsp), %rsp
 *   jmp  *%rcx
 * Parent and child both run it.  %rcx and %r11 end as the syscall
 * instruction leaves them at the program's site; nothing else changes.
 */
static void
put_vmclone(unsigned char *at, unsigned long code, unsigned long data)
{
	int ret = (int)(data - (code + 9)), result = (int)(data + 8 - (code + 21)),
	    passed = (int)(data + 16 - (code + 29));
	unsigned char g[] = {
	        0x0f, 0x05,                            /* syscall */
	        0x48, 0x8b, 0x0d, 0,    0,    0, 0,    /* mov ret(%rip), %rcx */
	        0x48, 0x85, 0xc0,                      /* test %rax, %rax */
	        0x74, 0x07,                            /* jz past the store */
	        0x48, 0x89, 0x05, 0,    0,    0, 0,    /* mov %rax, result(%rip) */
	        0xf0, 0x48, 0xff, 0x05, 0,    0, 0, 0, /* lock incq passed(%rip) */
	        0x48, 0x8d, 0x64, 0x24, 0x80,          /* lea -128(%rsp), %rsp */
	        0x41, 0x53,                            /* push %r11 */
	        0x9d,                                  /* popfq */
	        0x48, 0x8d, 0xa4, 0x24, 0x80, 0, 0, 0, /* lea 128(%rsp), %rsp */
	        0xff, 0xe1,                            /* jmp *%rcx */
	};

	_Static_assert(sizeof(g) <= VRL_VMCLONE_STRIDE, "gadgets overlap");
	_Static_assert(VRL_TPAGE_VMCLONE + VRL_VMCLONE_SLOTS * VRL_VMCLONE_STRIDE <= VRL_TPAGE_SIZE,
	               "gadgets past the page");
	_Static_assert(VRL_TDATA_VMCLONE + VRL_VMCLONE_SLOTS * VRL_VMCLONE_RECORD <= VRL_TPAGE_SIZE,
	               "records past the data page");
	memcpy(g + 5, &ret, 4);
	memcpy(g + 17, &result, 4);
	memcpy(g + 25, &passed, 4);
	memcpy(at, g, sizeof(g));
}

unsigned long vrl_tpage = VRL_TPAGE_ADDR;
/* In .data, not .bss: a page the start touches anyway (each page touched is a fault). */
__attribute__((section(".data"))) unsigned int vrl_level;

/*
 * map_at() - the page at @addr, and after it a data page whose first word
 * points to the stub's call counter (by default the second word of that
 * page).  Returns 0, -EEXIST when taken, or -errno.
 */
static int
map_at(unsigned long addr)
{
	/* Both pages are written at once: mapped by the call, not a fault each. */
	long p = vrl_raw6(__NR_mmap, (long)addr, 2 * VRL_TPAGE_SIZE, PROT_READ | PROT_WRITE,
	                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_POPULATE, -1, 0);
	unsigned char *page = (unsigned char *)p;

	if (vrl_is_err(p))
		return (int)p;
	if ((unsigned long)p != addr) {
		/* A kernel older than 4.17 took the flag as a mere hint. */
		vrl_raw6(__NR_munmap, p, 2 * VRL_TPAGE_SIZE, 0, 0, 0, 0);
		return -ENOSYS;
	}
	memset(page, 0xcc, VRL_TPAGE_SIZE); /* int3 everywhere else */
	memcpy(page + VRL_TPAGE_PLAIN, stub_plain, sizeof(stub_plain));
	memcpy(page + VRL_TPAGE_SYSCALL, stub_syscall, sizeof(stub_syscall));
	memcpy(page + VRL_TPAGE_RESTORER, stub_restorer, sizeof(stub_restorer));
	for (unsigned int i = 0; i < VRL_VMCLONE_SLOTS; i++)
		put_vmclone(page + VRL_TPAGE_VMCLONE + i * VRL_VMCLONE_STRIDE,
		            VRL_TPAGE_VMCLONE + i * VRL_VMCLONE_STRIDE,
		            VRL_TPAGE_SIZE + VRL_TDATA_VMCLONE + i * VRL_VMCLONE_RECORD);
	*(unsigned long *)(page + VRL_TPAGE_SIZE) = addr + VRL_TPAGE_SIZE + 8;
	return (int)vrl_raw6(__NR_mprotect, p, VRL_TPAGE_SIZE, PROT_READ | PROT_EXEC, 0, 0, 0);
}

/**
 * vrl_tpage_map() - map and fill the trusted page, read+exec only, in the
 * first free slot: slot 0, or the next one up when this loader starts
 * inside another session (whose loaders hold the slots below).  Sets
 * vrl_tpage and vrl_level.
 *
 * Runs before the page exists, so it uses raw system calls; mmap and
 * mprotect are never trapped by the filter.  Returns 0, -EEXIST when
 * every slot is taken (sessions nested too deeply), -ENOSYS when the
 * kernel lacks MAP_FIXED_NOREPLACE, or another -errno.
 */
int
vrl_tpage_map(void)
{
	int err = -EEXIST;

	for (unsigned int level = 0; level < VRL_MAX_NEST && err == -EEXIST; level++) {
		unsigned long addr = VRL_TPAGE_ADDR + level * VRL_TPAGE_STEP;

		err = map_at(addr);
		if (!err) {
			/* Before the first write to .data, which would fault. */
			vrl_self_populate(addr + VRL_TPAGE_PLAIN);
			vrl_tpage = addr;
			vrl_level = level;
		}
	}
	return err;
}

/**
 * vrl_tpage_count() - count the calls through the trusted page in
 * *@counter from now on (a word that stays mapped).
 */
void
vrl_tpage_count(uint64_t *counter)
{
	__atomic_store_n((uint64_t **)(vrl_tpage + VRL_TPAGE_SIZE), counter, __ATOMIC_RELEASE);
}

/**
 * vrl_core_syscall() - the system-call hook the loader gives the core
 * (struct vr_ns_spec's @syscall): system call @n made through the trusted
 * page's counting stub, which the filter lets pass.  A leaf: its frame is
 * all the stack the hook adds to a handler path (stack-budget.pl).
 */
long
vrl_core_syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	return vrl_sys6(n, a1, a2, a3, a4, a5, a6);
}
