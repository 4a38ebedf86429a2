/*
 * stack.c - the program's initial stack and the mm fields /proc shows.
 *
 * The block the program starts with (argc, argv, envp, auxv) is built in
 * the real process stack, below the block the kernel made for the loader:
 *
 *     kernel's block: argc | loader argv | envp | auxv | ... strings, AT_RANDOM bytes
 *     ---- old %rsp ----------------------------------------------------------
 *     argv strings of the program, AT_EXECFN string      (copied, contiguous)
 *     argc | argv | NULL | envp (the kernel's) | NULL | auxv (edited) | AT_NULL
 *     ---- new %rsp (16-byte aligned) -------------------------------------------
 *
 * The environment strings, the AT_RANDOM bytes and AT_PLATFORM stay where
 * the kernel put them.  The loader ran on its own .bss stack, so nothing
 * live is overwritten.
 *
 * Then prctl(PR_SET_MM, PR_SET_MM_MAP) (unprivileged, needs
 * CONFIG_CHECKPOINT_RESTORE) points /proc/self/{cmdline,environ,auxv,stat}
 * at the program's own data and moves brk just past the program's bss, as
 * the kernel would have.  Without it, brk stays where the kernel put the
 * loader's (its heap still works: the brk syscall only needs free space
 * above it) and cmdline still shows the loader's arguments.
 */
#include <linux/elf.h>
#include <linux/auxvec.h>
#include <linux/prctl.h>
#include <linux/random.h>
#include "loader.h"

#define PAGE_UP(x) (((x) + 4095UL) & ~4095UL)
#define BRK_RND    (32UL << 20) /* arch_randomize_brk() on x86-64 */
#define AUX_EXTRA  8

struct auxv {
	unsigned long type, val;
};

struct aux_fix {
	unsigned long type, val;
	int done;
};

static unsigned long
brk_start(const struct vrl_image *exe)
{
	uint64_t r = 0;

	vrl_sys3(__NR_getrandom, &r, sizeof(r), GRND_NONBLOCK);
	return PAGE_UP(exe->end) + (r % (BRK_RND / 4096)) * 4096;
}

static const char *
arg_at(const struct vrl_args *a, long i)
{
	if (a->npre + a->ntail == 0)
		return ""; /* the kernel gives argc 0 an empty argv[0] */
	return i < a->npre ? a->pre[i] : a->tail[i - a->npre];
}

static long *
write_auxv(long *w, const struct auxv *aux, struct aux_fix *fix, int nfix)
{
	int i;

	for (; aux->type != AT_NULL; aux++) {
		unsigned long v = aux->val;

		for (i = 0; i < nfix; i++)
			if (fix[i].type == aux->type) {
				v = fix[i].val;
				fix[i].done = 1;
			}
		*w++ = (long)aux->type;
		*w++ = (long)v;
	}
	for (i = 0; i < nfix; i++)
		if (!fix[i].done) {
			*w++ = (long)fix[i].type;
			*w++ = (long)fix[i].val;
		}
	*w++ = AT_NULL;
	*w++ = 0;
	return w;
}

static void
set_mm(const struct vrl_stack_in *in, long *nsp, char *arg_start, char *arg_end, char **envp,
       long envc, long *auxv, long *auxv_end)
{
	struct prctl_mm_map m = {
	        .start_code = in->exe->start_code,
	        .end_code = in->exe->end_code,
	        .start_data = in->exe->start_data,
	        .end_data = in->exe->end_data,
	        .start_stack = (uintptr_t)nsp,
	        .arg_start = (uintptr_t)arg_start,
	        .arg_end = (uintptr_t)arg_end,
	        .env_start = envc ? (uintptr_t)envp[0] : (uintptr_t)arg_end,
	        .env_end = envc ? (uintptr_t)envp[envc - 1] + strlen(envp[envc - 1]) + 1
	                        : (uintptr_t)arg_end,
	        .auxv = (__u64 *)auxv,
	        .auxv_size = (uint32_t)((char *)auxv_end - (char *)auxv),
	        .exe_fd = (uint32_t)-1,
	};

	m.start_brk = m.brk = brk_start(in->exe);
	if (vrl_sys5(__NR_prctl, PR_SET_MM, PR_SET_MM_MAP, &m, sizeof(m), 0) == 0)
		return;
	/* The kernel's saved auxv may be smaller than ours: try without it. */
	m.auxv = NULL;
	m.auxv_size = 0;
	vrl_sys5(__NR_prctl, PR_SET_MM, PR_SET_MM_MAP, &m, sizeof(m), 0);
}

static void
set_comm(const char *execfn)
{
	const char *base = execfn, *p;
	char comm[16];
	size_t n;

	for (p = execfn; *p; p++)
		if (*p == '/' && p[1])
			base = p + 1;
	n = strlen(base);
	if (n > 15)
		n = 15;
	memcpy(comm, base, n);
	comm[n] = 0;
	vrl_sys5(__NR_prctl, PR_SET_NAME, comm, 0, 0, 0);
}

/**
 * vrl_stack_build() - build the program's initial stack below @in->sp,
 * update the mm fields /proc reports, and name the process after the
 * program.  Returns the stack pointer to enter the program with.
 */
void *
vrl_stack_build(const struct vrl_stack_in *in)
{
	long *sp = in->sp, argc = in->args->npre + in->args->ntail, envc, auxc, i, words;
	char **envp = (char **)(sp + 1 + sp[0] + 1);
	const struct auxv *aux;
	struct aux_fix fix[] = {
	        {AT_PHDR, in->exe->phdr, 0},   {AT_PHENT, sizeof(Elf64_Phdr), 0},
	        {AT_PHNUM, in->exe->phnum, 0}, {AT_BASE, in->interp ? in->interp->bias : 0, 0},
	        {AT_ENTRY, in->exe->entry, 0}, {AT_EXECFN, 0, 0},
	};
	size_t slen = strlen(in->execfn) + 1, len;
	char *str, *s, *arg_end;
	long *nsp, *w, *auxv;

	if (argc == 0)
		argc = 1;
	for (envc = 0; envp[envc]; envc++)
		;
	aux = (const struct auxv *)(envp + envc + 1);
	for (auxc = 0; aux[auxc].type != AT_NULL; auxc++)
		;
	for (i = 0; i < argc; i++)
		slen += strlen(arg_at(in->args, i)) + 1;

	str = (char *)(((uintptr_t)sp - slen) & ~15UL);
	words = 1 + argc + 1 + envc + 1 + 2 * (auxc + AUX_EXTRA + 1);
	nsp = (long *)(((uintptr_t)str - words * 8) & ~15UL);

	w = nsp;
	*w++ = argc;
	for (s = str, i = 0; i < argc; i++) {
		len = strlen(arg_at(in->args, i)) + 1;
		memcpy(s, arg_at(in->args, i), len);
		*w++ = (long)s;
		s += len;
	}
	*w++ = 0;
	arg_end = s;
	memcpy(s, in->execfn, strlen(in->execfn) + 1);
	fix[5].val = (unsigned long)s;
	for (i = 0; i < envc; i++)
		*w++ = (long)envp[i];
	*w++ = 0;
	auxv = w;
	w = write_auxv(w, aux, fix, sizeof(fix) / sizeof(fix[0]));

	set_mm(in, nsp, str, arg_end, envp, envc, auxv, w);
	set_comm(in->execfn);
	return nsp;
}
