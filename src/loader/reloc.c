/*
 * reloc.c - self-relocation of the static-pie loader.
 *
 * Without a libc there is no rcrt1 to apply our own R_X86_64_RELATIVE
 * relocations, so this runs first, before any code reads a global pointer.
 * It may only use its own locals and rip-relative addresses of hidden
 * symbols (everything is built -fvisibility=hidden), and must not call
 * anything that could read a relocated datum.
 */
#include <linux/elf.h>
#include "loader.h"

#ifndef R_X86_64_RELATIVE
#define R_X86_64_RELATIVE 8
#endif
#ifndef DT_RELR
#define DT_RELR 36
#endif

extern const Elf64_Ehdr __ehdr_start __attribute__((visibility("hidden")));
extern Elf64_Dyn _DYNAMIC[] __attribute__((visibility("hidden")));

/**
 * vrl_self_relocate() - apply the loader's own RELATIVE relocations.
 *
 * The image is linked at address 0, so its load address is the runtime
 * address of its ELF header.  Returns 0, or -ENOEXEC for a relocation type
 * a static-pie loader must not contain (the build would be broken).
 */
int
vrl_self_relocate(void)
{
	uintptr_t base = (uintptr_t)&__ehdr_start;
	const Elf64_Rela *rela = NULL;
	size_t relasz = 0, relaent = sizeof(Elf64_Rela);
	const Elf64_Dyn *d;
	size_t i;

	/*
	 * The relocations write the page that holds _DYNAMIC: a first touch
	 * by reading would fault it in shared with the page cache, and the
	 * first write fault again for a private copy.  A write first: one
	 * fault.
	 */
	__asm__ volatile("lock orq $0, %0" : "+m"(_DYNAMIC[0].d_tag));
	for (d = _DYNAMIC; d->d_tag != DT_NULL; d++) {
		switch (d->d_tag) {
		case DT_RELA:
			rela = (const Elf64_Rela *)(base + d->d_un.d_ptr);
			break;
		case DT_RELASZ:
			relasz = d->d_un.d_val;
			break;
		case DT_RELAENT:
			relaent = d->d_un.d_val;
			break;
		case DT_REL:
		case DT_RELR:
			return -ENOEXEC;
		}
	}
	if (!rela)
		return 0;
	for (i = 0; i < relasz / relaent; i++) {
		const Elf64_Rela *r = (const Elf64_Rela *)((const char *)rela + i * relaent);

		if (ELF64_R_TYPE(r->r_info) != R_X86_64_RELATIVE)
			return -ENOEXEC;
		*(uint64_t *)(base + r->r_offset) = base + r->r_addend;
	}
	return 0;
}

extern char _edata[] __attribute__((visibility("hidden")));
extern char vrl_boot_stack_top[] __attribute__((visibility("hidden")));

static void
populate(unsigned long stub, uintptr_t start, uintptr_t end, int advice)
{
	vrl_stub6(stub, __NR_madvise, (long)start, (long)(end - start), advice, 0, 0, 0);
}

/**
 * vrl_self_populate() - map the loader's own pages in with a call each
 * instead of a fault each, through the trusted page's plain stub at
 * @stub (madvise is trapped; the page's address is not yet stored).
 *
 * A page's first touch is a fault, several microseconds where a
 * hypervisor nests the page tables, and a start touched some 10 of the
 * loader's pages one fault at a time; mapped in by one call each range,
 * they cost less.  Populated: everything read only (the headers, the
 * text, the constants), the written segment's part from the file (the
 * relocated pointers and .data), the boot stack's top pages.  The rest of
 * the bss is mostly the boot stack, little of it ever touched.  Runs
 * before the first write to .data and before relocation: only locals and
 * rip-relative addresses.  Errors are ignored (Linux before 5.14 has no
 * MADV_POPULATE_*): the pages then fault in as before.
 */
void
vrl_self_populate(unsigned long stub)
{
	uintptr_t base = (uintptr_t)&__ehdr_start, rw = (uintptr_t)_DYNAMIC & ~4095UL;
	uintptr_t top = (uintptr_t)vrl_boot_stack_top & ~4095UL;

	populate(stub, base, rw, MADV_POPULATE_READ);
	populate(stub, rw, ((uintptr_t)_edata + 4095) & ~4095UL, MADV_POPULATE_WRITE);
	populate(stub, top - 4 * 4096, top, MADV_POPULATE_WRITE);
}
