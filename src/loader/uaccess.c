/*
 * uaccess.c - reading and writing the program's memory without faulting.
 *
 * A bad pointer handed to a trapped call must give the program EFAULT, as
 * the kernel would, not a SIGSEGV inside our handler.  process_vm_readv /
 * process_vm_writev on our own pid do exactly that.  If a filter stacked
 * above ours refuses them, fall back to plain access (and its risk).
 *
 * They cost as much as the call they serve, so pages they showed readable
 * or writable are remembered (a small two-way table in vrl_proc: a page
 * goes in one of two slots, so that two pages a loop uses by turns, a
 * path on the heap and a buffer on the stack, do not push each other out)
 * and read or written directly from then on.  A page stays good until the
 * address space changes: every call that can unmap a page or take a
 * permission away (munmap, mprotect, mremap, mmap over a range, brk,
 * shmat, shmdt, guard or poison madvise) is trapped (addrspace.c) and moves
 * vrl_proc.ua_gen before and after it runs; an entry counts only under
 * the generation read before the page was checked.  A fork child forgets
 * everything (ranges marked MADV_DONTFORK are not in it).  What this does
 * not cover, and the kernel's copy would: another thread unmapping a page
 * while a call of this one is reading it (then SIGSEGV instead of EFAULT
 * or success, both possible natively), and a shared file mapping whose
 * file another process truncates (SIGBUS instead of EFAULT).
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

/*
 * An entry of vrl_proc.ua_page: the page number (user addresses have 47
 * bits), the generation it was checked under, and what it allows.
 */
#define UA_R        1ul
#define UA_W        2ul
#define UA_GEN_BITS 27
#define UA_GEN_MASK ((1ul << UA_GEN_BITS) - 1)
#define UA_TOP      (1ul << 47)
#define UA_MAX      (4ul * 4096) /* ranges checked once: a few pages at most */

static unsigned long
ua_entry(unsigned long page, unsigned long gen, unsigned long perm)
{
	return page << (UA_GEN_BITS + 2) | (gen & UA_GEN_MASK) << 2 | perm;
}

/* ua_slot() - the slot @way (0 or 1) of page @pg: its low bits, or a hash of all of them. */
static unsigned long *
ua_slot(unsigned long pg, int way)
{
	unsigned long i = way ? (pg * 0x9e3779b97f4a7c15ul) >> 58 : pg;

	return &vrl_proc.ua_page[i % VRL_UA_SLOTS];
}

/* ua_good() - slot entry @e says page @pg allows @perm under generation @gen. */
static int
ua_good(unsigned long e, unsigned long pg, unsigned long gen, unsigned long perm)
{
	return (e | UA_R | UA_W) == ua_entry(pg, gen, UA_R | UA_W) && (e & perm);
}

/* ua_live() - slot entry @e holds a page known good under generation @gen. */
static int
ua_live(unsigned long e, unsigned long gen)
{
	return ua_good(e, e >> (UA_GEN_BITS + 2), gen, UA_R | UA_W);
}

/**
 * vrl_ua_forget() - no page is known good any more: the address space is
 * about to change, or has.
 */
void
vrl_ua_forget(void)
{
	unsigned long gen = __atomic_add_fetch(&vrl_proc.ua_gen, 1, __ATOMIC_ACQ_REL);

	/* A generation comes back every 2^27 changes: none of its entries may. */
	if (!(gen & UA_GEN_MASK))
		for (unsigned int i = 0; i < VRL_UA_SLOTS; i++)
			__atomic_store_n(&vrl_proc.ua_page[i], 0, __ATOMIC_RELAXED);
}

/**
 * vrl_ua_forget_range() - the pages of [@p, @p + @n) may go or lose a
 * permission: they are forgotten, and every entry is moved to a new
 * generation (so that one a concurrent check is about to make under the
 * old one never counts), the other pages' still good.
 */
void
vrl_ua_forget_range(uintptr_t p, size_t n)
{
	unsigned long gen = __atomic_add_fetch(&vrl_proc.ua_gen, 1, __ATOMIC_ACQ_REL);
	unsigned long lo = p >> 12, hi = (p + n - 1) >> 12;

	if (!(gen & UA_GEN_MASK) || n == 0 || p + n < p || p >= UA_TOP) {
		vrl_ua_forget();
		return;
	}
	for (unsigned int i = 0; i < VRL_UA_SLOTS; i++) {
		unsigned long *slot = &vrl_proc.ua_page[i];
		unsigned long e = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
		unsigned long pg = e >> (UA_GEN_BITS + 2);

		/* Good under the generation just left, and outside the range. */
		if (!e || ((e >> 2) & UA_GEN_MASK) != ((gen - 1) & UA_GEN_MASK) ||
		    (pg >= lo && pg <= hi))
			continue;
		__atomic_compare_exchange_n(slot, &e, ua_entry(pg, gen, e & (UA_R | UA_W)), 0,
		                            __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
	}
}

/* ua_mine() - the table describes this address space (not a fork child's copy). */
static int
ua_mine(void)
{
	if (vrl_proc.mm_token && *vrl_proc.mm_token)
		return 1;
	vrl_ua_forget();
	return 0;
}

/* ua_known() - every page of [@p, @p + @n) is known to allow @perm. */
static int
ua_known(uintptr_t p, size_t n, unsigned long perm)
{
	unsigned long gen = __atomic_load_n(&vrl_proc.ua_gen, __ATOMIC_ACQUIRE);

	if (n > UA_MAX || p >= UA_TOP || UA_TOP - p < n || !ua_mine())
		return 0;
	for (unsigned long pg = p >> 12; pg <= (p + n - 1) >> 12; pg++)
		if (!ua_good(__atomic_load_n(ua_slot(pg, 0), __ATOMIC_ACQUIRE), pg, gen, perm) &&
		    !ua_good(__atomic_load_n(ua_slot(pg, 1), __ATOMIC_ACQUIRE), pg, gen, perm))
			return 0;
	return 1;
}

/* ua_learn() - [@p, @p + @n) allowed @perm when checked under generation @gen. */
static void
ua_learn(uintptr_t p, size_t n, unsigned long perm, unsigned long gen)
{
	if (n > UA_MAX || p >= UA_TOP || UA_TOP - p < n)
		return;
	/* The filter lets mappings there change unseen (the trusted page slots). */
	if (p + n > VRL_TPAGE_ADDR && p < VRL_TPAGE_ADDR + VRL_MAX_NEST * VRL_TPAGE_STEP)
		return;
	for (unsigned long pg = p >> 12; pg <= (p + n - 1) >> 12; pg++) {
		unsigned long *slot = ua_slot(pg, 0), *other = ua_slot(pg, 1);
		unsigned long e = __atomic_load_n(slot, __ATOMIC_RELAXED),
		              o = __atomic_load_n(other, __ATOMIC_RELAXED);

		/* The page's own slot, else the one not holding a good page, else the first. */
		if (ua_good(o, pg, gen, UA_R | UA_W) ||
		    (!ua_good(e, pg, gen, UA_R | UA_W) && ua_live(e, gen) && !ua_live(o, gen))) {
			slot = other;
			e = o;
		}
		if (ua_good(e, pg, gen, UA_R | UA_W))
			perm |= e & (UA_R | UA_W);
		__atomic_store_n(slot, ua_entry(pg, gen, perm), __ATOMIC_RELEASE);
	}
}

static int
vm_rw(int nr, void *local, const void *remote, size_t n)
{
	struct iovec l = {local, n};
	struct iovec r = {(void *)remote, n};
	unsigned long perm = nr == __NR_process_vm_readv ? UA_R : UA_W, gen;
	long got;

	if (!n)
		return 0;
	if (!vrl_proc.no_peek && !ua_known((uintptr_t)remote, n, perm)) {
		gen = __atomic_load_n(&vrl_proc.ua_gen, __ATOMIC_ACQUIRE);
		got = vrl_sys6(nr, self_pid(), (long)&l, 1, (long)&r, 1, 0);
		if (got == -EPERM || got == -ESRCH)
			got = vrl_sys6(nr, vrl_getpid(), (long)&l, 1, (long)&r, 1, 0);
		if (got == (long)n) {
			ua_learn((uintptr_t)remote, n, perm, gen);
			return 0;
		}
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
	unsigned long gen;
	size_t done = 0;

	if (vrl_proc.no_peek || ua_known((uintptr_t)user_dst, n, UA_W))
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
		gen = __atomic_load_n(&vrl_proc.ua_gen, __ATOMIC_ACQUIRE);
		got = vrl_sys6(__NR_process_vm_writev, self_pid(), (long)&l, 1, (long)r, k, 0);
		if (got > 0)
			ua_learn(at, (size_t)got, UA_W, gen);
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
		/* A page known readable is read up to the terminator only. */
		if (ua_known((uintptr_t)user_src + got, k, UA_R)) {
			for (i = 0; i < k; i++)
				if (!(dst[got + i] = user_src[got + i]))
					return (long)(got + i);
			got += k;
			continue;
		}
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
