/*
 * rewrite.c - trap-free call sites.
 *
 * A trapped call costs a signal delivery and an rt_sigreturn (~8 µs here)
 * before any work.  At the eighth trap at a site of the common shape
 *
 *     b8 NR NR NR NR    mov $NR, %eax
 *     (up to 3 moves between registers, as musl's inline calls have)
 *     0f 05             syscall
 *
 * (glibc's and musl's wrappers, Go's runtime calls) the 5-byte `mov` is
 * replaced by `jmp rel32` to a stub of that site, mapped within ±2 GiB.
 * The `syscall` stays where it was: a thread already past the `mov` still
 * traps normally, and the stub jumps back to it when a call must take the
 * trap path after all.  The stub (layout below) sets %eax as the `mov`
 * did, runs the moves after it, steps below the red zone (a jump, not a call, reaches it, so the
 * red zone is untouched) and calls vrl_rw_entry (rwentry.S), which calls
 * vrl_rw_call() on a vroot-owned stack (Go's goroutine stacks are a few
 * KiB) and returns to the stub, which jumps past the site's `syscall`.
 * The stub path and the signal path both end in vr_loader_dispatch().
 * An exec passes on the sites its image trapped at in its program's and
 * its interpreter's files, which the next image, mapping the same file,
 * rewrites before anything runs (vrl_rw_preset()).
 *
 * Patching, safe against threads running the same bytes: the text page is
 * made writable for the moment of the change (it stays executable), and the
 * bytes are replaced by a locked 16-byte compare-and-exchange of the
 * aligned block that holds them, so a fetch sees the old or the new
 * instruction.  When the `mov` straddles two such blocks, a 2-byte
 * self-jump (`eb fe`) first holds any thread arriving at the site, the
 * tail is written, then the head; membarrier(SYNC_CORE) between the steps
 * makes every thread drop what it decoded before.  A site that cannot be
 * patched this way (not in a private r-x file mapping, a `mov` across two
 * blocks without membarrier, no stub memory in reach, a byte before it
 * that may make the `mov` the tail of a longer instruction) keeps
 * trapping.
 *
 * Which calls may be rewritten is decided in one place, rw_allowed().
 *
 * Nested sessions: only the innermost loader sees a program's traps with
 * its own tag (the newest filter's tag wins), so an outer loader never
 * rewrites a program site; the calls it answers come from the inner
 * loader's trusted page, which is never rewritten.  A site rewritten by
 * the inner loader enters the inner dispatcher, whose own calls still trap
 * into the outer one as before.
 */
#include <linux/mman.h>
#include <linux/fcntl.h>
#include "loader.h"
#include "vfs.h"

#ifndef MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE          (1 << 5)
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE (1 << 6)
#endif

/*
 * The stub of one site (at most 57 of its 64 bytes):
 *     b8 NR              mov $NR, %eax
 *     ...                the site's register moves, if any (3 or 5 bytes each)
 *     41 bb IDX          mov $IDX, %r11d      (statistics slot + 1, or 0)
 *     48 8d 64 24 80     lea -128(%rsp), %rsp
 *     ff 15 REL          call *entry(%rip)    (the chunk's first word)
 *     48 8d a4 24 80 00 00 00   lea 128(%rsp), %rsp
 *     e9 REL             jmp past the syscall
 *     48 8d a4 24 80 00 00 00   lea 128(%rsp), %rsp
 *     e9 REL             jmp to the syscall   (the trap path)
 */
#define STUB_SIZE  64
#define CHUNK_SIZE (64 * 1024)
#define MOV_LEN    5
#define NEAR       ((1L << 31) - 2 * CHUNK_SIZE)
#define SHAPE_SYSCALL (-2) /* make_stub(): glibc's syscall() */

/* A site is rewritten at this trap there (see site_hit()). */
#define RW_AFTER 8

/*
 * rw_allowed() - may calls of @nr skip the signal?  Only calls the filter
 * traps whatever their arguments (syscalls.h's ALWAYS and FAKED), or whose
 * handler performs every case (MEM, MMAP), or those it traps for an
 * argument the stub's C side tests as the filter does (ADDR: rw_passes()
 * sends the others to the site's own syscall): a site of close, fcntl,
 * ioctl or another call trapped for some arguments only would otherwise
 * send every later call to the handler, which answers only the trapped
 * cases.  Of the signal calls only rt_sigaction, whose handler reads
 * nothing but its arguments (a posix_spawn child reads every signal's
 * action and resets those with a handler); not those that read or edit
 * the interrupted context (the other SIGNAL ones, SIGMASK), nor execve
 * (EXEC), which replaces the image: nothing to gain there.
 */
static int
rw_allowed(long nr)
{
	int cond = vrl_call_cond(nr);

	return cond == VRL_C_ALWAYS || cond == VRL_C_FAKED || cond == VRL_C_MEM ||
	       cond == VRL_C_MMAP || cond == VRL_C_ADDR || nr == __NR_rt_sigaction;
}

/*
 * rw_passes() - the filter lets call @nr with arguments @a through, as
 * filter.c tests them: a rewritten site's call then runs its own syscall,
 * natively (recvfrom and sendto without an address, recv(3) and send(3)).
 * A call it does not pass is answered through the stub; one the filter
 * would trap after all takes the trap.
 */
static int
rw_passes(long nr, const long a[6])
{
	return vrl_call_cond(nr) == VRL_C_ADDR && a[4] == 0;
}

static int
rw_trylock(void)
{
	return !__atomic_exchange_n(&vrl_proc.rw_lock, 1, __ATOMIC_ACQUIRE);
}

static void
rw_unlock(void)
{
	__atomic_store_n(&vrl_proc.rw_lock, 0, __ATOMIC_RELEASE);
}

static int
sync_core(void)
{
	long r = vrl_sys3(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0);

	if (r == -EPERM) {
		/* Registration belongs to the memory map: again after fork. */
		r = vrl_sys3(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE,
		             0, 0);
		if (!r)
			r = vrl_sys3(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0,
			             0);
	}
	return (int)r;
}

/*
 * store16() - replace @n bytes at @dst, which lie in one aligned 16-byte
 * block, by @src, with one locked store.  Returns 0, or -EAGAIN when the
 * block changed under us.
 */
static int
store16(unsigned char *dst, const unsigned char *src, size_t n)
{
	unsigned long *blk = (unsigned long *)((uintptr_t)dst & ~15UL);
	unsigned char want[16];
	unsigned long lo, hi, nlo, nhi;
	unsigned char ok;

	lo = blk[0];
	hi = blk[1];
	memcpy(want, &lo, 8);
	memcpy(want + 8, &hi, 8);
	memcpy(want + ((uintptr_t)dst & 15), src, n);
	memcpy(&nlo, want, 8);
	memcpy(&nhi, want + 8, 8);
	__asm__ volatile("lock cmpxchg16b %1\n\tsete %0"
	                 : "=q"(ok), "+m"(*(volatile unsigned long(*)[2])blk), "+a"(lo), "+d"(hi)
	                 : "b"(nlo), "c"(nhi)
	                 : "memory", "cc");
	return ok ? 0 : -EAGAIN;
}

/*
 * one_thread() - this process has a single thread (/proc/self/stat's
 * twentieth field): no other can run text while it is being patched.
 */
static int
one_thread(void)
{
	char buf[1024];
	long got = vrl_read_at(AT_FDCWD, "/proc/self/stat", buf, sizeof(buf) - 1), field, i = 0;

	if (got <= 0)
		return 0;
	buf[got] = 0;
	/* The command name may hold spaces: count from its closing parenthesis. */
	for (long k = 0; k < got; k++)
		if (buf[k] == ')')
			i = k;
	for (field = 2; buf[i] && field < 20; i++)
		if (buf[i] == ' ')
			field++;
	return buf[i] == '1' && buf[i + 1] == ' ';
}

/*
 * patch() - write @jmp over the `mov` at @site (see the top of the file).
 * Before a change in two steps membarrier is tried first: without it no
 * guard may ever be written, as nothing could then make every thread see
 * it go away again.  A `mov` starting at the last byte of a block leaves
 * no room for the guard: it is written in place when no other thread can
 * be running it (this one has every signal blocked), else -EINVAL.
 */
static int
patch(unsigned char *site, const unsigned char jmp[MOV_LEN])
{
	static const unsigned char guard[2] = {0xeb, 0xfe};
	uintptr_t off = (uintptr_t)site & 15;
	int err;

	/*
	 * One store: a thread sees the old `mov` (still right: it traps) or
	 * the jump.  membarrier afterwards only hurries the others along, so
	 * the patch stands whatever it answers.
	 */
	if (off + MOV_LEN <= 16) {
		err = store16(site, jmp, MOV_LEN);
		if (!err)
			sync_core();
		return err;
	}
	if ((err = sync_core()))
		return err;
	if (off + 2 > 16) {
		if (!one_thread())
			return -EINVAL;
		memcpy(site + 1, jmp + 1, MOV_LEN - 1);
		site[0] = jmp[0];
		return sync_core();
	}
	if ((err = store16(site, guard, 2)))
		return err;
	/* From here on the guard must go, whatever membarrier says. */
	sync_core();
	memcpy(site + 2, jmp + 2, MOV_LEN - 2);
	sync_core();
	while (store16(site, jmp, 2))
		;
	return sync_core();
}

static unsigned long
hexnum(const char **s)
{
	unsigned long v = 0;
	int d;

	for (;; (*s)++) {
		char c = **s;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else
			return v;
		v = v << 4 | (unsigned long)d;
	}
}

/* parse_line() - fill @m from the /proc/self/maps line @line; 1 if it is one. */
static int
parse_line(const char *line, struct vrl_map *m)
{
	const char *s = line, *base;
	size_t n;

	m->start = hexnum(&s);
	if (*s++ != '-')
		return 0;
	m->end = hexnum(&s);
	if (*s++ != ' ')
		return 0;
	memcpy(m->perms, s, 4);
	m->perms[4] = 0;
	s += 5;
	m->off = hexnum(&s);
	/* dev, inode, then the path after spaces. */
	for (int f = 0; f < 2 && *s; f++) {
		while (*s == ' ')
			s++;
		while (*s && *s != ' ')
			s++;
	}
	while (*s == ' ')
		s++;
	base = s;
	for (const char *p = s; *p; p++)
		if (*p == '/')
			base = p + 1;
	n = strlen(base);
	if (n >= sizeof(m->name))
		n = sizeof(m->name) - 1;
	memcpy(m->name, base, n);
	m->name[n] = 0;
	return 1;
}

/*
 * The text mappings of files (r-xp), as /proc/self/maps showed them while
 * vrl_proc.map_gen was text_gen: every site's first trap asks where its
 * code lies, and an image has a few dozen such sites.  A mapping going,
 * moving or replaced, or a protection change on one of them, moves
 * map_gen (addrspace.c); our own mprotect() of a patched page splits a
 * mapping in the kernel's list but changes no answer here.  A fork child
 * has the same mappings.
 */
static int
text_cached(uintptr_t addr, struct vrl_map *m)
{
	int hit = 0;

	if (__atomic_exchange_n(&vrl_proc.text_lock, 1, __ATOMIC_ACQUIRE))
		return 0;
	if (vrl_proc.text_valid &&
	    vrl_proc.text_gen == __atomic_load_n(&vrl_proc.map_gen, __ATOMIC_ACQUIRE))
		for (int i = 0; i < vrl_proc.ntext && !hit; i++)
			if (addr >= vrl_proc.text[i].start && addr < vrl_proc.text[i].end) {
				*m = vrl_proc.text[i];
				hit = 1;
			}
	__atomic_store_n(&vrl_proc.text_lock, 0, __ATOMIC_RELEASE);
	return hit;
}

/**
 * vrl_map_of() - find the mapping holding @addr in /proc/self/maps.
 * Fills @m (name: the mapped file's base name, or "" when anonymous).
 * Returns 0, -ENOENT, or the -errno of opening or reading.
 */
int
vrl_map_of(uintptr_t addr, struct vrl_map *m)
{
	char buf[2048], line[512];
	size_t ll = 0;
	unsigned long gen = __atomic_load_n(&vrl_proc.map_gen, __ATOMIC_ACQUIRE);
	long got;
	int fd, found = 0, fill, n = 0;
	struct vrl_map cur;

	if (text_cached(addr, m))
		return 0;
	fd = (int)vrl_sys4(__NR_openat, AT_FDCWD, "/proc/self/maps", O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	fill = !__atomic_exchange_n(&vrl_proc.text_lock, 1, __ATOMIC_ACQUIRE);
	if (fill)
		vrl_proc.text_valid = 0;
	while ((got = vrl_sys3(__NR_read, fd, buf, sizeof(buf))) > 0) {
		for (long i = 0; i < got; i++) {
			if (buf[i] != '\n') {
				if (ll < sizeof(line) - 1)
					line[ll++] = buf[i];
				continue;
			}
			line[ll] = 0;
			ll = 0;
			if (!parse_line(line, &cur))
				continue;
			if (!found && addr >= cur.start && addr < cur.end) {
				*m = cur;
				found = 1;
			}
			if (fill && n < VRL_TEXT_MAPS && cur.name[0] && !strcmp(cur.perms, "r-xp"))
				vrl_proc.text[n++] = cur;
		}
		if (found && !fill)
			break;
	}
	vrl_close(fd);
	if (fill) {
		vrl_proc.ntext = n;
		vrl_proc.text_gen = gen;
		vrl_proc.text_valid = got == 0 && n < VRL_TEXT_MAPS;
		__atomic_store_n(&vrl_proc.text_lock, 0, __ATOMIC_RELEASE);
	}
	return found ? 0 : -ENOENT;
}

static int
reachable(uintptr_t a, uintptr_t b)
{
	long d = (long)(a - b);

	return d < NEAR && d > -NEAR;
}

/* chunk_near() - stub memory in reach of @site, mapped when needed. */
static struct vrl_rw_chunk *
chunk_near(uintptr_t site)
{
	struct vrl_rw_chunk *c;
	uintptr_t hint;
	long p;

	for (int i = 0; i < vrl_proc.rw_nchunks; i++) {
		c = &vrl_proc.rw_chunks[i];
		if (c->used + STUB_SIZE <= CHUNK_SIZE && reachable(c->base, site))
			return c;
	}
	if (vrl_proc.rw_nchunks >= VRL_RW_CHUNKS)
		return NULL;
	/* Below the image first (the heap grows above it), then above. */
	for (int i = 1; i <= 32; i++) {
		long step = (i & 1 ? -1L : 1L) * (long)((i + 1) / 2) * (32L << 20);

		hint = ((site & ~(uintptr_t)(CHUNK_SIZE - 1)) + (uintptr_t)step);
		p = vrl_mmap((void *)hint, CHUNK_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
		             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (vrl_is_err(p))
			return NULL;
		if (reachable((uintptr_t)p, site) && reachable((uintptr_t)p + CHUNK_SIZE, site)) {
			c = &vrl_proc.rw_chunks[vrl_proc.rw_nchunks++];
			c->base = (uintptr_t)p;
			/* The entry's address, for `call *entry(%rip)`. */
			*(uintptr_t *)p = (uintptr_t)vrl_rw_entry;
			c->used = STUB_SIZE;
			return c;
		}
		vrl_munmap((void *)p, CHUNK_SIZE);
	}
	return NULL;
}

static void
put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static uint32_t
rel(uintptr_t from_end, uintptr_t to)
{
	return (uint32_t)(int32_t)(long)(to - from_end);
}

/*
 * make_stub() - fill a stub for the site whose `mov $@nr, %eax` is at
 * @site, followed by @nmoves bytes of register moves (copied into the stub,
 * they run there) and the `syscall` ending at @end.  @nmoves SHAPE_SYSCALL: the
 * site is glibc's syscall() (see syscall_shape()), its 5-byte load of the
 * sixth argument is copied instead and %eax keeps the number the caller
 * gave.
 */
static uintptr_t
make_stub(struct vrl_rw_chunk *c, uintptr_t site, uintptr_t end, int nmoves, long nr, uint32_t idx)
{
	static const unsigned char down[5] = {0x48, 0x8d, 0x64, 0x24, 0x80};
	static const unsigned char up[8] = {0x48, 0x8d, 0xa4, 0x24, 0x80, 0x00, 0x00, 0x00};
	unsigned char *s = (unsigned char *)(c->base + c->used), *p = s;
	uintptr_t a = (uintptr_t)s;

	memset(s, 0xcc, STUB_SIZE);
	if (nmoves == SHAPE_SYSCALL) {
		memcpy(p, (const void *)site, MOV_LEN);
		p += MOV_LEN;
	} else {
		*p++ = 0xb8;
		put32(p, (uint32_t)nr);
		p += 4;
		memcpy(p, (const void *)(site + MOV_LEN), (size_t)nmoves);
		p += nmoves;
	}
	*p++ = 0x41;
	*p++ = 0xbb;
	put32(p, idx);
	p += 4;
	memcpy(p, down, sizeof(down));
	p += sizeof(down);
	*p++ = 0xff;
	*p++ = 0x15;
	put32(p, rel((uintptr_t)(p + 4 - s) + a, c->base));
	p += 4;
	/* The trap tail is RW_TRAP_TAIL (13) bytes after this one (rwentry.S). */
	memcpy(p, up, sizeof(up));
	p += sizeof(up);
	*p++ = 0xe9;
	put32(p, rel((uintptr_t)(p + 4 - s) + a, end));
	p += 4;
	memcpy(p, up, sizeof(up));
	p += sizeof(up);
	*p++ = 0xe9;
	put32(p, rel((uintptr_t)(p + 4 - s) + a, end - 2));
	c->used += STUB_SIZE;
	return a;
}

/*
 * reg_move() - is the 3-byte instruction at @p a 64-bit move between two
 * registers (mov, or movslq) that does not write %rax?  Such moves sit
 * between the `mov` and the `syscall` in musl's inline system calls.
 */
static int
reg_move(const unsigned char *p)
{
	int dst;

	if ((p[0] & 0xf8) != 0x48 || (p[2] & 0xc0) != 0xc0)
		return 0;
	if (p[1] == 0x89)
		dst = (p[2] & 7) | (p[0] & 1) << 3;
	else if (p[1] == 0x8b || p[1] == 0x63)
		dst = (p[2] >> 3 & 7) | (p[0] & 4) << 1;
	else
		return 0;
	return dst != 0;
}

/*
 * single_thread_test() - the `mov` at @m follows glibc's test of
 * __libc_single_threaded and the short jump past the direct call:
 *
 *     80 3d REL32 00    cmpb $0x0, REL32(%rip)
 *     7x XX             jcc rel8
 *
 * so the byte before it is a jump's displacement and "b8" an opcode.  Its
 * openat(), the call single-threaded programs make most, has that shape.
 */
static int
single_thread_test(const unsigned char *m, uintptr_t floor)
{
	return (uintptr_t)(m - 9) >= floor && m[-9] == 0x80 && m[-8] == 0x3d && m[-3] == 0x00 &&
	       (m[-2] & 0xf0) == 0x70;
}

/*
 * imm_move() - is the 5-byte instruction at @p `mov $imm32, %r32` into a
 * register other than %eax (glibc's __open64_nocancel sets %edi so)?
 */
static int
imm_move(const unsigned char *p)
{
	return p[0] >= 0xb9 && p[0] <= 0xbf;
}

/*
 * site_shape() - the length in bytes of the moves between `mov $@nr, %eax`
 * and the `syscall` ending at @end (up to 3 moves: register moves, 3 bytes,
 * or immediate moves into another register, 5), or -1 if that is not what
 * precedes it.  A byte of 0x40-0x7f or 0x24 before the `mov` may be a REX
 * prefix, a ModRM byte with an 8-bit displacement or a SIB byte that would
 * make "b8 NR..." the tail of a longer instruction; such sites are left
 * alone (7 of glibc's 436 of the plain shape), unless they follow glibc's
 * single-thread test (single_thread_test()).
 */
static int
site_shape(const unsigned char *end, long nr, uintptr_t floor)
{
	uint32_t imm;

	if (end[-2] != 0x0f || end[-1] != 0x05)
		return -1;
	/* Bit j of @lens: the j-th move is 5 bytes long (else 3). */
	for (int k = 0; k <= 3; k++)
		for (unsigned int lens = 0; lens < 1u << k; lens++) {
			size_t len = 0;
			const unsigned char *m, *q;
			int ok = 1;

			for (int j = 0; j < k; j++)
				len += lens >> j & 1 ? 5 : 3;
			m = end - 2 - len - MOV_LEN;
			if ((uintptr_t)(m - 1) < floor || m[0] != 0xb8)
				continue;
			q = m + MOV_LEN;
			for (int j = 0; j < k && ok; j++) {
				ok = lens >> j & 1 ? imm_move(q) : reg_move(q);
				q += lens >> j & 1 ? 5 : 3;
			}
			if (!ok)
				continue;
			memcpy(&imm, m + 1, 4);
			if ((long)imm != nr)
				continue;
			if (((m[-1] >= 0x40 && m[-1] <= 0x7f) || m[-1] == 0x24) &&
			    !single_thread_test(m, floor))
				continue;
			return (int)len;
		}
	return -1;
}

/*
 * syscall_shape() - is the `syscall` ending at @end the one of glibc's
 * generic syscall() function?
 *
 *     48 89 f8  mov %rdi,%rax    48 89 f7  mov %rsi,%rdi
 *     48 89 d6  mov %rdx,%rsi    48 89 ca  mov %rcx,%rdx
 *     4d 89 c2  mov %r8,%r10     4d 89 c8  mov %r9,%r8
 *     4c 8b 4c 24 08  mov 0x8(%rsp),%r9
 *     0f 05     syscall
 *
 * The number is in %rax by then, so the last instruction, a 5-byte load
 * that does not depend on where it runs (%rsp is the caller's still when
 * the stub runs it), is the one replaced by the jump.  Only the whole
 * sequence is taken: it also says the load starts an instruction.
 */
static const unsigned char glibc_syscall[] = {
	0x48, 0x89, 0xf8, 0x48, 0x89, 0xf7, 0x48, 0x89, 0xd6, 0x48, 0x89, 0xca, 0x4d, 0x89,
	0xc2, 0x4d, 0x89, 0xc8, 0x4c, 0x8b, 0x4c, 0x24, 0x08, 0x0f, 0x05,
};

static int
syscall_shape(const unsigned char *end, uintptr_t floor)
{
	const unsigned char *p = end - sizeof(glibc_syscall);

	return (uintptr_t)p >= floor && !memcmp(p, glibc_syscall, sizeof(glibc_syscall));
}

/* text_prot() - make the text pages of [@a, @a + @n) writable or not. */
static int
text_prot(uintptr_t a, size_t n, int write)
{
	uintptr_t s = a & ~4095UL, e = (a + n + 4095) & ~4095UL;

	return vrl_mprotect((void *)s, e - s, PROT_READ | PROT_EXEC | (write ? PROT_WRITE : 0));
}

/*
 * Two sets of sites, by the address after their `syscall`: those found
 * unfit, so that their traps do not look again (a generic syscall() traps
 * every time), and those trapped before, with their count of traps.  A
 * site is rewritten at its RW_AFTER-th trap: a rewrite costs a read of
 * /proc/self/maps, two mprotect() calls, membarrier(), a private copy of
 * the text page and a stub page, several traps' worth, and the sites of a
 * short-lived program trap a few times only: ld.so's mmap() 4 times, its
 * openat(), fstat() and mprotect() twice each for an `exec` of /bin/true,
 * which runs without a rewrite so (those the image before it trapped at
 * are rewritten at its start instead: vrl_rw_preset()).  A site hot
 * enough to matter traps RW_AFTER - 1 more times than it would at its
 * second trap, once.  The call number of each site trapped before is
 * kept, for the next image.
 */
static unsigned int
site_slot(uintptr_t end)
{
	return (unsigned int)((end * 0x9e3779b97f4a7c15ULL) >> 56) % VRL_RW_SKIP;
}

static int
site_in(uintptr_t *set, uintptr_t end)
{
	unsigned int h = site_slot(end);

	for (int k = 0; k < 8; k++, h = (h + 1) % VRL_RW_SKIP) {
		uintptr_t e = __atomic_load_n(&set[h], __ATOMIC_RELAXED);

		if (!e)
			return 0;
		if (e == end)
			return 1;
	}
	return 0;
}

/* site_put() - @end into @set, unless there already.  Return: its slot, or -1 when no room. */
static int
site_put(uintptr_t *set, uintptr_t end)
{
	unsigned int h = site_slot(end);

	for (int k = 0; k < 8; k++, h = (h + 1) % VRL_RW_SKIP) {
		uintptr_t none = 0;

		if (__atomic_compare_exchange_n(&set[h], &none, end, 0, __ATOMIC_RELAXED,
		                                __ATOMIC_RELAXED) ||
		    none == end)
			return (int)h;
	}
	return -1;
}

/*
 * site_hit() - count a trap of call @nr at the site ending at @end.
 * Return: the traps there so far, or RW_AFTER when the set has no room for
 * it (then nothing counts, and the site is rewritten as it would be at its
 * RW_AFTER-th trap).
 */
static unsigned int
site_hit(uintptr_t end, long nr)
{
	int h = site_put(vrl_proc.rw_seen, end);

	if (h < 0)
		return RW_AFTER;
	__atomic_store_n(&vrl_proc.rw_nr[h], (unsigned short)nr, __ATOMIC_RELAXED);
	if (__atomic_load_n(&vrl_proc.rw_hits[h], __ATOMIC_RELAXED) >= RW_AFTER)
		return RW_AFTER;
	return __atomic_add_fetch(&vrl_proc.rw_hits[h], 1, __ATOMIC_RELAXED);
}

static int
skipped(uintptr_t end)
{
	return site_in(vrl_proc.rw_skip, end);
}

static void
skip(uintptr_t end)
{
	site_put(vrl_proc.rw_skip, end);
}

/*
 * text_of() - @m, the mapping of a site's `syscall`, is a file's text that
 * holds it up to @end.  The instruction may end in the next mapping: a
 * `syscall` across a page boundary, once a site on the page before was
 * patched and mprotect() split the text there.
 */
static int
text_of(const struct vrl_map *m, uintptr_t end)
{
	struct vrl_map next;

	if (strcmp(m->perms, "r-xp") || !m->name[0])
		return 0;
	if (end <= m->end)
		return 1;
	return !vrl_map_of(m->end, &next) && next.start == m->end && end <= next.end &&
	       !strcmp(next.perms, "r-xp") && !strcmp(next.name, m->name);
}

/*
 * site_start() - the shape of the site of call @nr whose `syscall` ends at
 * @end, in text that starts at @floor; *@site receives the address of the
 * instruction the jump replaces.  Return: the moves' length
 * (site_shape()), SHAPE_SYSCALL, or -1 when it has no shape of ours.
 */
static int
site_start(uintptr_t end, long nr, uintptr_t floor, uintptr_t *site)
{
	int nmoves = site_shape((const unsigned char *)end, nr, floor);

	if (nmoves < 0 && syscall_shape((const unsigned char *)end, floor))
		nmoves = SHAPE_SYSCALL;
	if (nmoves < 0 && nmoves != SHAPE_SYSCALL)
		return -1;
	*site = nmoves == SHAPE_SYSCALL ? end - 2 - MOV_LEN : end - 2 - (uintptr_t)nmoves - MOV_LEN;
	return nmoves;
}

/*
 * stub_jump() - when the site at @site (of site_start()'s @nmoves, call
 * @nr, `syscall` ending at @end) is not patched yet, its stub, made in
 * reach, and in @jmp the jump there; @m: its text mapping, for --stats.
 * Return: 0, or -1 (patched already, or no stub memory in reach).
 */
static int
stub_jump(uintptr_t site, uintptr_t end, int nmoves, long nr, const struct vrl_map *m,
          unsigned char jmp[MOV_LEN])
{
	struct vrl_rw_chunk *c;
	uint32_t idx = 0;

	/* Another thread may have patched it meanwhile. */
	if (*(volatile unsigned char *)site != (nmoves == SHAPE_SYSCALL ? 0x4c : 0xb8) ||
	    !(c = chunk_near(site)))
		return -1;
	if (vrl_proc.stats && m)
		idx = (uint32_t)(vrl_stats_site(m->name, end - 2 - m->start + m->off) + 1);
	jmp[0] = 0xe9;
	put32(jmp + 1, rel(site + MOV_LEN, make_stub(c, site, end, nmoves, nr, idx)));
	return 0;
}

/**
 * vrl_rw_site() - called from the SIGSYS handler after answering trapped
 * call @nr whose `syscall` instruction ended at @end: rewrite that site if
 * it has the known shape and can be patched safely.  Never fails the
 * call; a site left alone keeps trapping.
 */
void
vrl_rw_site(uintptr_t end, long nr)
{
	uintptr_t site;
	unsigned char jmp[MOV_LEN];
	struct vrl_map m;
	unsigned long mask;
	int nmoves, err;

	if (!vrl_proc.rewrite || !rw_allowed(nr))
		return;
	if (end - VRL_TPAGE_ADDR < VRL_MAX_NEST * VRL_TPAGE_STEP)
		return; /* a trusted page: a nested loader's own calls */
	if (skipped(end) || site_hit(end, nr) < RW_AFTER)
		return;
	/* Reading the bytes may fault: look at the mapping first. */
	if (vrl_map_of(end - 2, &m) || !text_of(&m, end)) {
		skip(end);
		return;
	}
	nmoves = site_start(end, nr, m.start, &site);
	if (nmoves == -1) {
		skip(end);
		return;
	}
	/* No nested trap may spin on the lock; a fork child may hold a stale one. */
	mask = vrl_sig_block_all();
	if (!rw_trylock()) {
		vrl_sig_restore(mask);
		return;
	}
	if (stub_jump(site, end, nmoves, nr, &m, jmp) || text_prot(site, MOV_LEN, 1))
		goto out;
	err = patch((unsigned char *)site, jmp);
	if (!err) {
		__atomic_add_fetch(&vrl_proc.rw_sites, 1, __ATOMIC_RELAXED);
		if (vrl_proc.stats)
			__atomic_add_fetch(&vrl_proc.stats->rw_sites, 1, __ATOMIC_RELAXED);
	} else if (err == -EINVAL) {
		skip(end); /* not while other threads run: no use looking again */
	}
	text_prot(site, MOV_LEN, 0);
out:
	rw_unlock();
	vrl_sig_restore(mask);
}

/*
 * vrl_rw_preset() - rewrite the sites of text @img (just mapped, not yet
 * run: this image's only thread is the loader's) that the image before
 * this one trapped at in the same file, as @h lists them.  A short-lived
 * program's sites trap a few times each, below the count that has them
 * rewritten (RW_AFTER): ld.so's 8 sites trap 17 times in an exec of
 * /bin/true, some 45 us of signals.  Here a site costs a stub and a jump
 * written in place, the pages they are on two mprotect() calls and a
 * private copy each; no read of /proc/self/maps (the text is the
 * loader's own mapping) and no membarrier (nothing else runs yet).  Each
 * site must have the shape vrl_rw_site() takes; one that does not is left
 * to trap.  The sites count as rewritten, so the next exec passes them on.
 */
void
vrl_rw_preset(const struct vrl_text_id *img, const struct vrl_site_hints *h)
{
	unsigned char jmp[VRL_HINTS][MOV_LEN];
	uintptr_t at[VRL_HINTS], ends[VRL_HINTS], lo = ~0UL, hi = 0;
	unsigned int n = 0;

	if (!vrl_proc.rewrite || h->dev != img->dev || h->ino != img->ino || h->mtime != img->mtime)
		return;
	for (unsigned int i = 0; i < h->n && i < VRL_HINTS; i++) {
		uintptr_t end = img->bias + h->off[i], site;
		struct vrl_map m;
		long nr = h->nr[i];
		int nmoves;

		if (!rw_allowed(nr) || end < img->lo + 2 + MOV_LEN || end > img->hi)
			continue;
		nmoves = site_start(end, nr, img->lo, &site);
		if (nmoves == -1 ||
		    stub_jump(site, end, nmoves, nr,
		              vrl_proc.stats && !vrl_map_of(end - 2, &m) ? &m : NULL, jmp[n]))
			continue;
		at[n] = site;
		ends[n++] = end;
		lo = site < lo ? site : lo;
		hi = site + MOV_LEN > hi ? site + MOV_LEN : hi;
	}
	if (!n || text_prot(lo, hi - lo, 1))
		return;
	for (unsigned int i = 0; i < n; i++) {
		int slot = site_put(vrl_proc.rw_seen, ends[i]);

		memcpy((void *)at[i], jmp[i], MOV_LEN);
		if (slot >= 0) {
			vrl_proc.rw_nr[slot] = h->nr[i];
			vrl_proc.rw_hits[slot] = RW_AFTER;
		}
	}
	text_prot(lo, hi - lo, 0);
	vrl_proc.rw_sites += n;
	if (vrl_proc.stats)
		__atomic_add_fetch(&vrl_proc.stats->rw_sites, n, __ATOMIC_RELAXED);
}

/**
 * vrl_rw_hints() - into @h, the sites in text @img this image trapped at
 * (or rewrote), for the next image: see vrl_rw_preset().  Returns how
 * many.
 */
unsigned int
vrl_rw_hints(const struct vrl_text_id *img, struct vrl_site_hints *h)
{
	h->dev = img->dev;
	h->ino = img->ino;
	h->mtime = img->mtime;
	h->n = 0;
	if (!img->hi)
		return 0;
	for (unsigned int i = 0; i < VRL_RW_SKIP && h->n < VRL_HINTS; i++) {
		uintptr_t end = __atomic_load_n(&vrl_proc.rw_seen[i], __ATOMIC_RELAXED);
		unsigned short nr = __atomic_load_n(&vrl_proc.rw_nr[i], __ATOMIC_RELAXED);

		if (end > img->lo && end <= img->hi && nr && !skipped(end)) {
			h->off[h->n] = (uint32_t)(end - img->bias);
			h->nr[h->n++] = nr;
		}
	}
	return h->n;
}

struct rw_args {
	long nr;
	long a[6];
};

static long
rw_run(void *arg)
{
	struct rw_args *r = arg;
	struct vr_loader_ctx ctx = {NULL, NULL, &vrl_proc};

	/* The one signal call rewritten: answered before the namespace, as handle_trap() does. */
	if (r->nr == __NR_rt_sigaction)
		return vrl_sig_action(&ctx, r->a);
	return vr_loader_dispatch(&ctx, r->nr, r->a);
}

/**
 * vrl_rw_call() - the C side of a rewritten site (see rwentry.S): call @nr
 * with the saved argument registers @regs (r9, r8, r10, rdx, rsi, rdi, as
 * pushed), @site: statistics slot + 1, or 0.  Runs the dispatcher on one of
 * vroot's stacks.  Returns the result and 0, or @nr and 1 when the call
 * must take the trap path (a call that may not skip the signal: never
 * rewritten, checked again all the same), or its own syscall (one the
 * filter passes, rw_passes()).
 */
struct vrl_rw_ret
vrl_rw_call(long nr, const long *regs, unsigned int site)
{
	struct rw_args r = {nr, {regs[5], regs[4], regs[3], regs[2], regs[1], regs[0]}};
	struct vrl_rw_ret out = {nr, 1};

	/* On a signal stack: the trap path keeps off its part in use. */
	if (!rw_allowed(nr) || rw_passes(nr, r.a) || vrl_sigstack_maybe((unsigned long)regs))
		return out;
	if (vrl_proc.stats)
		vrl_stats_rw(site, nr);
	out.ret = vrl_on_stack(rw_run, &r);
	out.trap = 0;
	return out;
}
