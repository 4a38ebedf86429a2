/*
 * sys.h - the loader's door to the kernel.
 *
 * Two ways in:
 *
 *  - vrl_raw6(): an inline `syscall` instruction.  Used only before the
 *    trusted page exists (self-relocation, mapping the page itself): a
 *    re-executed loader already runs under vroot's seccomp filter, so these
 *    early calls must be ones the filter never traps (mmap, prctl, ...).
 *
 *  - vrl_sys6(): a call to the `syscall; ret` stub in the trusted page.  The
 *    seccomp filter allows every call whose instruction pointer lies in that
 *    page, so this is how the loader (and the core, through the hook
 *    vrl_core_syscall()) issues calls that the filter would otherwise trap
 *    back to us.
 *
 * Both return the kernel's raw result: >= 0, or -errno.  Nothing here
 * touches errno or any global.
 */
#ifndef VRL_SYS_H
#define VRL_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <asm/unistd.h>
#include <linux/errno.h>

#if !defined(__x86_64__)
#error "vroot's loader supports x86-64 only for now"
#endif

/* Newer than the kernel headers this builds against. */
#ifndef __NR_faccessat2
#define __NR_faccessat2 439
#endif
#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif
#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif
#ifndef __NR_map_shadow_stack
#define __NR_map_shadow_stack 453
#endif
#ifndef __NR_futex_wake
#define __NR_futex_wake    454
#define __NR_futex_wait    455
#define __NR_futex_requeue 456
#endif
#ifndef __NR_statmount
#define __NR_statmount 457
#define __NR_listmount 458
#endif
#ifndef __NR_lsm_get_self_attr
#define __NR_lsm_get_self_attr 459
#define __NR_lsm_set_self_attr 460
#define __NR_lsm_list_modules  461
#endif
#ifndef __NR_mseal
#define __NR_mseal 462
#endif
#ifndef __NR_setxattrat
#define __NR_setxattrat    463
#define __NR_getxattrat    464
#define __NR_listxattrat   465
#define __NR_removexattrat 466
#endif
#ifndef __NR_open_tree_attr
#define __NR_open_tree_attr 467
#endif
#ifndef __NR_file_getattr
#define __NR_file_getattr 468
#define __NR_file_setattr 469
#endif

/*
 * The trusted page.  See tpage.c for why this address.  It must be the
 * same in every process image of a session, since the filter that tests it
 * is inherited across execve.  A session started inside another one (its
 * loader finds the outer session's page in place) takes the next slot,
 * 4 GiB higher: slot N is the page of the N-th nested session in every
 * image, because each image starts in the outermost loader, which maps
 * slot 0, and so on inwards.
 */
#define VRL_TPAGE_ADDR 0x7e8000000000UL /* slot 0 */
#define VRL_TPAGE_STEP (1UL << 32)
#define VRL_MAX_NEST   4 /* slots */
#define VRL_TPAGE_SIZE 4096UL
/* Offsets of the stubs inside the trusted page. */
#define VRL_TPAGE_PLAIN    0x00 /* syscall; ret */
#define VRL_TPAGE_SYSCALL  0x20 /* the same, counting the call (--stats) */
#define VRL_TPAGE_RESTORER 0x10 /* mov $__NR_rt_sigreturn, %eax; syscall */
/*
 * The gadgets a CLONE_VM child (or a thread, under a faked identity) is
 * made through (vmclone.c): gadget i, at VRL_TPAGE_VMCLONE + i *
 * VRL_VMCLONE_STRIDE, makes the call and jumps to the return address in
 * its record in the data page after the trusted page, at
 * VRL_TDATA_VMCLONE + i * VRL_VMCLONE_RECORD: the return address, the
 * parent's result, how many returned (parent, child).
 */
#define VRL_TPAGE_VMCLONE  0x100
#define VRL_VMCLONE_STRIDE 64
#define VRL_VMCLONE_SLOTS  48
#define VRL_TDATA_VMCLONE  0x100
#define VRL_VMCLONE_RECORD 32

/* This image's trusted page (its syscall stub) and its slot (tpage.c). */
extern unsigned long vrl_tpage __attribute__((visibility("hidden")));
extern unsigned int vrl_level __attribute__((visibility("hidden")));

static inline long
vrl_raw6(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
	                 : "rcx", "r11", "memory");
	return ret;
}

/*
 * vrl_stub6() - system call @n through the stub at @stub, a trusted page's:
 * vrl_sys6() through this image's, or a page not yet recorded in
 * vrl_tpage (vrl_self_populate()).
 */
static inline long
vrl_stub6(unsigned long stub, long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	/*
	 * The call pushes a return address: step over the red zone first so
	 * that a leaf caller's red-zone data survives whatever flags this is
	 * built with.
	 */
	__asm__ volatile("lea -128(%%rsp), %%rsp\n\t"
	                 "call *%[t]\n\t"
	                 "lea 128(%%rsp), %%rsp"
	                 : "=a"(ret)
	                 : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8),
	                   "r"(r9), [t] "r"(stub)
	                 : "rcx", "r11", "memory", "cc");
	return ret;
}

static inline long
vrl_sys6(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	return vrl_stub6(vrl_tpage + VRL_TPAGE_SYSCALL, n, a1, a2, a3, a4, a5, a6);
}

#define vrl_sys0(n)             vrl_sys6((n), 0, 0, 0, 0, 0, 0)
#define vrl_sys1(n, a)          vrl_sys6((n), (long)(a), 0, 0, 0, 0, 0)
#define vrl_sys2(n, a, b)       vrl_sys6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define vrl_sys3(n, a, b, c)    vrl_sys6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define vrl_sys4(n, a, b, c, d) vrl_sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define vrl_sys5(n, a, b, c, d, e)                                                                 \
	vrl_sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_READ  22
#define MADV_POPULATE_WRITE 23
#endif

/*
 * vrl_populate() - map in the pages of [@addr, @addr + @len), which are
 * surely written soon, with one call instead of a fault each (see
 * vrl_self_populate()).  Only for a few pages known to be used: a page
 * populated for nothing costs about what its fault would have.  Best
 * effort: Linux before 5.14 refuses the advice.
 */
static inline void
vrl_populate(void *addr, unsigned long len)
{
	vrl_sys3(__NR_madvise, addr, len, MADV_POPULATE_WRITE);
}

/* mmap returns an address; errors are the last page of the address space. */
static inline int
vrl_is_err(long v)
{
	return (unsigned long)v > -4096UL;
}

static inline long
vrl_write(int fd, const void *buf, size_t n)
{
	return vrl_sys3(__NR_write, fd, buf, n);
}

static inline long
vrl_pread(int fd, void *buf, size_t n, long off)
{
	return vrl_sys4(__NR_pread64, fd, buf, n, off);
}

static inline int
vrl_close(int fd)
{
	return (int)vrl_sys1(__NR_close, fd);
}

static inline long
vrl_mmap(void *addr, size_t len, int prot, int flags, int fd, long off)
{
	return vrl_sys6(__NR_mmap, (long)addr, (long)len, prot, flags, fd, off);
}

static inline int
vrl_munmap(void *addr, size_t len)
{
	return (int)vrl_sys2(__NR_munmap, addr, len);
}

static inline int
vrl_mprotect(void *addr, size_t len, int prot)
{
	return (int)vrl_sys3(__NR_mprotect, addr, len, prot);
}

static inline int
vrl_getpid(void)
{
	return (int)vrl_sys0(__NR_getpid);
}

static inline int
vrl_gettid(void)
{
	return (int)vrl_sys0(__NR_gettid);
}

static inline __attribute__((noreturn)) void
vrl_exit_group(int code)
{
	for (;;)
		vrl_sys1(__NR_exit_group, code);
}

#endif
