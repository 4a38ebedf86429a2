/*
 * elf.c - mapping an ELF image the way the kernel's binfmt_elf does.
 *
 * ET_EXEC images go at their link addresses (refusing to replace anything
 * already there); ET_DYN images get a load bias: the main program near
 * ELF_ET_DYN_BASE plus random pages, like the kernel places PIEs, the
 * interpreter wherever the kernel's top-down mmap puts it.  The whole span
 * is reserved first (PROT_NONE), aligned to the largest p_align, then each
 * PT_LOAD is mapped over it with MAP_FIXED; holes stay reserved.
 */
#include <linux/elf.h>
#include <linux/mman.h>
#include <linux/random.h>
#include "loader.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define PAGE         4096UL
#define PAGE_DOWN(x) ((x) & ~(PAGE - 1))
#define PAGE_UP(x)   (((x) + PAGE - 1) & ~(PAGE - 1))
#define MAX_PHDRS    128
/* DEFAULT_MAP_WINDOW / 3 * 2 on x86-64, page aligned. */
#define ELF_ET_DYN_BASE 0x555555554000UL
/* The kernel's default mmap_rnd_bits for x86-64. */
#define DYN_RND_PAGES (1UL << 28)
#define MAX_ALIGN     (1UL << 30)

static int
elf_prot(unsigned int f)
{
	return (f & PF_R ? PROT_READ : 0) | (f & PF_W ? PROT_WRITE : 0) |
	       (f & PF_X ? PROT_EXEC : 0);
}

static uintptr_t
random_pages(void)
{
	uint64_t r = 0;

	vrl_sys3(__NR_getrandom, &r, sizeof(r), GRND_NONBLOCK);
	return (uintptr_t)(r % DYN_RND_PAGES) * PAGE;
}

/* Reserve @len bytes aligned to @align, at @hint if free; returns addr or -errno. */
static long
reserve(uintptr_t hint, size_t len, size_t align, int fixed)
{
	long p;
	uintptr_t a;

	if (fixed) {
		p = vrl_mmap((void *)hint, len, PROT_NONE,
		             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1,
		             0);
		if (!vrl_is_err(p) && (uintptr_t)p != hint) {
			vrl_munmap((void *)p, len);
			return -EEXIST;
		}
		return p;
	}
	p = vrl_mmap((void *)hint, len + align - PAGE, PROT_NONE,
	             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vrl_is_err(p))
		return p;
	a = ((uintptr_t)p + align - 1) & ~(align - 1);
	if (a > (uintptr_t)p)
		vrl_munmap((void *)p, a - (uintptr_t)p);
	if ((uintptr_t)p + len + align - PAGE > a + len)
		vrl_munmap((void *)(a + len), (uintptr_t)p + len + align - PAGE - (a + len));
	return (long)a;
}

/* Zero [start, end) inside already mapped pages whose final protection is @prot. */
static int
zero_fill(uintptr_t start, uintptr_t end, int prot)
{
	int err;

	if (start >= end)
		return 0;
	if (!(prot & PROT_WRITE)) {
		err = vrl_mprotect((void *)PAGE_DOWN(start), PAGE_UP(end) - PAGE_DOWN(start),
		                   PROT_READ | PROT_WRITE);
		if (err)
			return err;
	}
	memset((void *)start, 0, end - start);
	if (!(prot & PROT_WRITE))
		return vrl_mprotect((void *)PAGE_DOWN(start), PAGE_UP(end) - PAGE_DOWN(start),
		                    prot);
	return 0;
}

static int
map_segment(int fd, const Elf64_Phdr *ph, uintptr_t bias)
{
	uintptr_t start = bias + ph->p_vaddr, file_end = start + ph->p_filesz;
	uintptr_t mem_end = start + ph->p_memsz, anon = PAGE_UP(file_end);
	int prot = elf_prot(ph->p_flags);
	long p;

	if (ph->p_filesz) {
		p = vrl_mmap((void *)PAGE_DOWN(start), PAGE_UP(file_end) - PAGE_DOWN(start), prot,
		             MAP_PRIVATE | MAP_FIXED, fd, (long)PAGE_DOWN(ph->p_offset));
		if (vrl_is_err(p))
			return (int)p;
	}
	if (ph->p_memsz <= ph->p_filesz)
		return 0;
	/*
	 * bss: the rest of the last file page (it holds whatever follows in
	 * the file), then anonymous pages.  Zero up to the end of the page,
	 * past p_memsz, as the kernel does: ld.so's startup allocator hands
	 * out the memory after its _end and relies on it being zero.
	 */
	if (zero_fill(file_end, PAGE_UP(file_end), prot))
		return -EFAULT;
	if (PAGE_UP(mem_end) > anon) {
		p = vrl_mmap((void *)anon, PAGE_UP(mem_end) - anon, prot,
		             MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0);
		if (vrl_is_err(p))
			return (int)p;
	}
	return 0;
}

static int
read_ehdr(int fd, Elf64_Ehdr *eh)
{
	long n = vrl_pread(fd, eh, sizeof(*eh), 0);

	if (n < 0)
		return (int)n;
	if (n != sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_X86_64 ||
	    (eh->e_type != ET_EXEC && eh->e_type != ET_DYN) ||
	    eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 || eh->e_phnum > MAX_PHDRS)
		return -ENOEXEC;
	return 0;
}

static int
read_phdrs(int fd, const Elf64_Ehdr *eh, Elf64_Phdr *ph)
{
	long n = vrl_pread(fd, ph, eh->e_phnum * sizeof(*ph), (long)eh->e_phoff);

	if (n < 0)
		return (int)n;
	return n == (long)(eh->e_phnum * sizeof(*ph)) ? 0 : -ENOEXEC;
}

/* Bounds of the PT_LOAD span and the largest alignment; -ENOEXEC if none. */
static int
span_of(const Elf64_Ehdr *eh, const Elf64_Phdr *ph, uintptr_t *lo, uintptr_t *hi, size_t *align)
{
	unsigned int i;
	int any = 0;

	*lo = ~0UL;
	*hi = 0;
	*align = PAGE;
	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (ph[i].p_filesz > ph[i].p_memsz || (ph[i].p_vaddr - ph[i].p_offset) % PAGE ||
		    ph[i].p_vaddr + ph[i].p_memsz < ph[i].p_vaddr ||
		    ph[i].p_vaddr + ph[i].p_memsz > (1UL << 47))
			return -ENOEXEC;
		any = 1;
		if (PAGE_DOWN(ph[i].p_vaddr) < *lo)
			*lo = PAGE_DOWN(ph[i].p_vaddr);
		if (PAGE_UP(ph[i].p_vaddr + ph[i].p_memsz) > *hi)
			*hi = PAGE_UP(ph[i].p_vaddr + ph[i].p_memsz);
		if (ph[i].p_align > *align && !(ph[i].p_align & (ph[i].p_align - 1)) &&
		    ph[i].p_align <= MAX_ALIGN)
			*align = ph[i].p_align;
	}
	return any ? 0 : -ENOEXEC;
}

static void
describe(const Elf64_Ehdr *eh, const Elf64_Phdr *ph, uintptr_t bias, struct vrl_image *img)
{
	unsigned int i;

	img->bias = bias;
	img->entry = bias + eh->e_entry;
	img->phnum = eh->e_phnum;
	img->phdr = 0;
	img->start_code = ~0UL;
	img->end_code = img->start_data = img->end_data = img->end = 0;
	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];

		if (p->p_type == PT_PHDR && !img->phdr)
			img->phdr = bias + p->p_vaddr;
		if (p->p_type != PT_LOAD)
			continue;
		/* As the kernel: the phdrs as found in a loaded segment. */
		if (eh->e_phoff >= p->p_offset && eh->e_phoff < p->p_offset + p->p_filesz)
			img->phdr = bias + p->p_vaddr + (eh->e_phoff - p->p_offset);
		if ((p->p_flags & PF_X) && bias + p->p_vaddr < img->start_code) {
			img->start_code = bias + p->p_vaddr;
			img->end_code = bias + p->p_vaddr + p->p_filesz;
		}
		if ((p->p_flags & PF_W) && !img->start_data) {
			img->start_data = bias + p->p_vaddr;
			img->end_data = bias + p->p_vaddr + p->p_filesz;
		}
		if (bias + p->p_vaddr + p->p_memsz > img->end)
			img->end = bias + p->p_vaddr + p->p_memsz;
	}
	if (img->start_code == ~0UL)
		img->start_code = img->end_code = bias;
	if (!img->start_data)
		img->start_data = img->end_data = img->end_code;
}

static int
read_interp(int fd, const Elf64_Ehdr *eh, const Elf64_Phdr *ph, char *interp, size_t cap)
{
	unsigned int i;
	long n;

	interp[0] = 0;
	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_INTERP)
			continue;
		if (ph[i].p_filesz < 2 || ph[i].p_filesz > cap)
			return -ENOEXEC;
		n = vrl_pread(fd, interp, ph[i].p_filesz, (long)ph[i].p_offset);
		if (n != (long)ph[i].p_filesz || interp[n - 1])
			return n < 0 ? (int)n : -ENOEXEC;
		return 0;
	}
	return 0;
}

/**
 * vrl_elf_load() - map the ELF image open as @fd.
 * @main_prog: 1 for the program (PIE placed like the kernel places PIEs,
 *             PT_INTERP reported), 0 for its interpreter.
 * @img:       receives the run-time layout.
 * @interp:    receives the PT_INTERP path, or "" (only when @main_prog).
 * Returns 0 or -errno (-ENOEXEC for a malformed image, -EEXIST when an
 * ET_EXEC image collides with an existing mapping).  On error, whatever
 * was mapped stays mapped; the caller is about to fail the exec anyway.
 */
/* load() - vrl_elf_load() once the headers are read: @eh, @ph. */
static int
load(int fd, int main_prog, struct vrl_image *img, char *interp, size_t interp_cap,
     const Elf64_Ehdr *eh, const Elf64_Phdr *ph)
{
	uintptr_t lo, hi, hint, bias;
	size_t align;
	unsigned int i;
	long base;
	int err;

	if ((err = span_of(eh, ph, &lo, &hi, &align)))
		return err;
	if (main_prog && (err = read_interp(fd, eh, ph, interp, interp_cap)))
		return err;
	if (eh->e_type == ET_EXEC) {
		base = reserve(lo, hi - lo, PAGE, 1);
		bias = 0;
	} else {
		hint = main_prog ? ((ELF_ET_DYN_BASE + random_pages()) & ~(align - 1)) : 0;
		base = reserve(hint, hi - lo, align, 0);
		bias = (uintptr_t)base - lo;
	}
	if (vrl_is_err(base))
		return (int)base;
	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && (err = map_segment(fd, &ph[i], bias)))
			return err;
	describe(eh, ph, bias, img);
	return 0;
}

/*
 * The program headers of an image with up to SMALL_PHDRS of them (nearly
 * every one) are read onto the stack; more, into a mapping.  A frame of
 * MAX_PHDRS headers took the loader's start two pages deeper into its
 * stack (each page first touched is a fault, in every exec).
 */
#define SMALL_PHDRS 24

int
vrl_elf_load(int fd, int main_prog, struct vrl_image *img, char *interp, size_t interp_cap)
{
	Elf64_Ehdr eh;
	Elf64_Phdr small[SMALL_PHDRS], *ph = small;
	size_t size = 0;
	long m;
	int err;

	if ((err = read_ehdr(fd, &eh)))
		return err;
	if (eh.e_phnum > SMALL_PHDRS) {
		size = eh.e_phnum * sizeof(*ph);
		m = vrl_mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (vrl_is_err(m))
			return (int)m;
		ph = (Elf64_Phdr *)m;
	}
	err = read_phdrs(fd, &eh, ph);
	if (!err)
		err = load(fd, main_prog, img, interp, interp_cap, &eh, ph);
	if (size)
		vrl_munmap(ph, size);
	return err;
}
