/*
 * sys.h - the core's only door to the kernel: raw system calls.
 *
 * The core calls no libc function.  Every system call goes through vr_sys6():
 * a call to the embedder's hook when one was installed (struct vr_ns_spec's
 * @syscall, kept in vr_sys_hook for the whole process: sys.c), else an
 * inline `syscall` instruction.  There is one build of the core: libvroot.a,
 * libvroot.so and vroot-loader link the same objects, and the loader is an
 * embedder like any other: its hook calls its trusted page's stub, so the
 * seccomp filter lets the core's own calls through.  The hook is called
 * from one function, vr_sys_hooked(), so that the one call through a
 * pointer on every path that makes a system call is one the loader's
 * stack-budget check can be told the targets of.
 *
 * Wrappers return the kernel's raw result: >= 0, or -errno.
 */
#ifndef VR_SYS_H
#define VR_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <asm/unistd.h>
#include <asm/stat.h>
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/stat.h>
#include <linux/openat2.h>
#include <linux/limits.h>
#include <linux/mman.h>
#include <linux/futex.h>

#if !defined(__x86_64__)
#error "vroot's core supports x86-64 only for now"
#endif

/* vr_syscall_fn of vroot.h, without the public header. */
typedef long (*vr_sys_hook_fn)(long n, long a1, long a2, long a3, long a4, long a5, long a6);
/* The embedder's hook, or NULL: written once, by vr_sys_hook_install(). */
extern vr_sys_hook_fn vr_sys_hook __attribute__((visibility("hidden")));

/*
 * vr_sys_hook_install() - make @fn the process's system-call hook (NULL:
 * keep what is installed).  Return: 0, or -EEXIST when another hook is
 * installed already.
 */
int vr_sys_hook_install(vr_sys_hook_fn fn) __attribute__((visibility("hidden")));

/* vr_sys_hooked() - system call @n made through the installed hook. */
long vr_sys_hooked(long n, long a1, long a2, long a3, long a4, long a5, long a6)
        __attribute__((visibility("hidden")));

static inline long
vr_sys6(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	if (__atomic_load_n(&vr_sys_hook, __ATOMIC_RELAXED))
		return vr_sys_hooked(n, a1, a2, a3, a4, a5, a6);
	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
	                 : "rcx", "r11", "memory");
	return ret;
}

#define vr_sys0(n)             vr_sys6((n), 0, 0, 0, 0, 0, 0)
#define vr_sys1(n, a)          vr_sys6((n), (long)(a), 0, 0, 0, 0, 0)
#define vr_sys2(n, a, b)       vr_sys6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define vr_sys3(n, a, b, c)    vr_sys6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define vr_sys4(n, a, b, c, d) vr_sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define vr_sys5(n, a, b, c, d, e)                                                                  \
	vr_sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

/* Typed wrappers for the calls the core makes. */
static inline int
sys_openat(int dfd, const char *path, int flags, unsigned int mode)
{
	return (int)vr_sys4(__NR_openat, dfd, path, flags, mode);
}

static inline int
sys_openat2(int dfd, const char *path, struct open_how *how)
{
	return (int)vr_sys4(__NR_openat2, dfd, path, how, sizeof(*how));
}

static inline int
sys_close(int fd)
{
	return (int)vr_sys1(__NR_close, fd);
}

static inline int
sys_fstat(int fd, struct stat *st)
{
	return (int)vr_sys2(__NR_fstat, fd, st);
}

static inline int
sys_fstatat(int dfd, const char *path, struct stat *st, int flags)
{
	return (int)vr_sys4(__NR_newfstatat, dfd, path, st, flags);
}

static inline int
sys_statx(int dfd, const char *path, int flags, unsigned int mask, struct statx *stx)
{
	return (int)vr_sys5(__NR_statx, dfd, path, flags, mask, stx);
}

static inline int
sys_faccessat2(int dfd, const char *path, int mode, int flags)
{
	return (int)vr_sys4(__NR_faccessat2, dfd, path, mode, flags);
}

static inline long
sys_readlinkat(int dfd, const char *path, char *buf, size_t size)
{
	return vr_sys4(__NR_readlinkat, dfd, path, buf, size);
}

static inline long
sys_getdents64(int fd, void *buf, size_t size)
{
	return vr_sys3(__NR_getdents64, fd, buf, size);
}

static inline long
sys_lseek(int fd, long off, int whence)
{
	return vr_sys3(__NR_lseek, fd, off, whence);
}

static inline long
sys_fgetxattr(int fd, const char *name, void *buf, size_t size)
{
	return vr_sys4(__NR_fgetxattr, fd, name, buf, size);
}

static inline int
sys_fcntl(int fd, int cmd, long arg)
{
	return (int)vr_sys3(__NR_fcntl, fd, cmd, arg);
}

static inline void *
sys_mmap(void *addr, size_t len, int prot, int flags, int fd, long off)
{
	return (void *)vr_sys6(__NR_mmap, (long)addr, (long)len, prot, flags, fd, off);
}

static inline int
sys_munmap(void *addr, size_t len)
{
	return (int)vr_sys2(__NR_munmap, addr, len);
}

static inline long
sys_futex(int *uaddr, int op, int val)
{
	return vr_sys4(__NR_futex, uaddr, op, val, 0);
}

static inline unsigned int
sys_getuid(void)
{
	return (unsigned int)vr_sys0(__NR_getuid);
}

static inline unsigned int
sys_getgid(void)
{
	return (unsigned int)vr_sys0(__NR_getgid);
}

/* mmap returns an address; errors are the last page of the address space. */
static inline int
sys_mmap_failed(void *p)
{
	return (unsigned long)p > -4096UL;
}

#endif
