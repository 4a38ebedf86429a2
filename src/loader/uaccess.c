/*
 * uaccess.c - reading and writing the program's memory without faulting.
 *
 * A bad pointer handed to a trapped call must give the program EFAULT, as
 * the kernel would, not a SIGSEGV inside our handler.  process_vm_readv /
 * process_vm_writev on our own pid do exactly that.  If a filter stacked
 * above ours refuses them, fall back to plain access (and its risk).
 */
#include <linux/uio.h>
#include "loader.h"

/*
 * self_pid() - the pid to read our own memory through, without a getpid
 * per call: cached, and taken anew in a fork child (the wipe-on-fork page
 * reads zero there).  A vfork child gets its parent's pid, whose memory is
 * the very memory it shares; where that is refused (Yama lets a process
 * read its descendants only) vm_rw() tries again with the caller's own.
 */
static int
self_pid(void)
{
	if (vrl_proc.mm_token && *vrl_proc.mm_token)
		return vrl_proc.owner_pid;
	vrl_mm_shared_child();
	return vrl_proc.owner_pid ? vrl_proc.owner_pid : vrl_getpid();
}

static int
vm_rw(int nr, void *local, const void *remote, size_t n)
{
	struct iovec l = {local, n};
	struct iovec r = {(void *)remote, n};
	long got;

	if (!n)
		return 0;
	if (!vrl_proc.no_peek) {
		got = vrl_sys6(nr, self_pid(), (long)&l, 1, (long)&r, 1, 0);
		if (got == -EPERM || got == -ESRCH)
			got = vrl_sys6(nr, vrl_getpid(), (long)&l, 1, (long)&r, 1, 0);
		if (got == (long)n)
			return 0;
		if (got >= 0 || got == -EFAULT)
			return -EFAULT;
		if (got != -ENOSYS && got != -EPERM)
			return (int)got;
		vrl_proc.no_peek = 1;
	}
	if (nr == __NR_process_vm_readv)
		memcpy(local, remote, n);
	else
		memcpy((void *)remote, local, n);
	return 0;
}

/**
 * vrl_peek() - copy @n bytes from the program's @user_src into @dst.
 * Returns 0, or -EFAULT if any of it is not readable.
 */
int
vrl_peek(void *dst, const void *user_src, size_t n)
{
	return vm_rw(__NR_process_vm_readv, dst, user_src, n);
}

/**
 * vrl_poke() - copy @n bytes from @src into the program's @user_dst.
 * Returns 0, or -EFAULT if any of it is not writable.
 */
int
vrl_poke(void *user_dst, const void *src, size_t n)
{
	return vm_rw(__NR_process_vm_writev, (void *)src, user_dst, n);
}

/**
 * vrl_poke_some() - copy @n bytes from @src into the program's @user_dst
 * as far as it is writable, as the kernel's copy to a buffer that runs into
 * an unmapped page does.  The program's range goes as one iovec per page:
 * process_vm_writev() stops between iovecs, never inside one.
 * Returns the bytes copied (@n when all of it was writable), or -errno.
 */
long
vrl_poke_some(void *user_dst, const void *src, size_t n)
{
	struct iovec l, r[16];
	size_t done = 0;

	if (vrl_proc.no_peek)
		return vrl_poke(user_dst, src, n) ? -EFAULT : (long)n;
	while (done < n) {
		uintptr_t at = (uintptr_t)user_dst + done;
		size_t len = 0;
		unsigned int k;
		long got;

		for (k = 0; k < 16 && done + len < n; k++) {
			size_t page = 4096 - ((at + len) & 4095);

			if (page > n - done - len)
				page = n - done - len;
			r[k] = (struct iovec){(void *)(at + len), page};
			len += page;
		}
		l = (struct iovec){(char *)src + done, len};
		got = vrl_sys6(__NR_process_vm_writev, self_pid(), (long)&l, 1, (long)r, k, 0);
		if (got == -ENOSYS || got == -EPERM)
			return vrl_poke((char *)user_dst + done, (const char *)src + done, n - done)
			               ? (long)done
			               : (long)n;
		if (got < 0)
			return got == -EFAULT ? (long)done : got;
		done += (size_t)got;
		if ((size_t)got < len)
			break;
	}
	return (long)done;
}

/**
 * vrl_peek_str() - copy the program's NUL-terminated string @user_src into
 * @dst[@cap].  Returns its length, -EFAULT, or -ENAMETOOLONG when it does
 * not fit (then @dst holds a truncated, terminated prefix).
 */
long
vrl_peek_str(char *dst, const char *user_src, size_t cap)
{
	size_t got = 0, k, i;

	while (got < cap) {
		/* Never read across a page boundary beyond the terminator. */
		k = 4096 - (((uintptr_t)user_src + got) & 4095);
		if (k > cap - got)
			k = cap - got;
		if (vrl_peek(dst + got, user_src + got, k))
			return -EFAULT;
		for (i = 0; i < k; i++)
			if (!dst[got + i])
				return (long)(got + i);
		got += k;
	}
	dst[cap - 1] = 0;
	return -ENAMETOOLONG;
}
