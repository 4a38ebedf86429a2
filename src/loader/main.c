/*
 * main.c - the loader's startup sequence.
 *
 *   vroot-loader [OPTIONS] [--] PROGRAM [ARGS...]
 *   vroot-loader [OPTIONS] --exe PATH -- ARGV0 [ARGS...]
 *
 * Options (used by the cli and by execve redirection; none reaches the
 * program):
 *   --exe PATH         the path the program is executed as (AT_EXECFN,
 *                      comm, a script's argument); default: ARGV0
 *   --exe-prefix P     prepended to --exe (execveat relative to a dirfd)
 *   --fd N             the program is already open as descriptor N
 *   --state=HEX        session state from the previous image (state.c)
 *   --trace-fd=N       debug: one line per trapped call on descriptor N
 *   --fake-cwd=PATH    debug: getcwd() returns PATH (proves the trap)
 *   --stats=PATH       count calls into the counters file PATH (stats.h)
 *
 * Environment: VROOT_REWRITE=0 or 1 turns call-site rewriting off or on
 * (default: on); read by the first image, then carried in the state.
 * VROOT_TEST_REAP_DELAY=1, for tests only, makes every image hold a thread
 * that frees a clone's gadget slot for 2 ms first (vmclone.c).
 *
 * Order matters: the trusted page first (raw mmap is never trapped), then
 * the SIGSYS handler, then the filter unless a previous image installed it;
 * only then is any trapped call (opening the program) made.
 */
#include <linux/auxvec.h>
#include <linux/elf.h>
#include <linux/fcntl.h>
#include <linux/resource.h>
#include <asm/stat.h>
#include "loader.h"
#include "vfs.h"
#include "vroot.h"

struct opts {
	const char *exe, *exe_prefix, *fake_cwd, *stats, *rewrite_env;
	char *state; /* decoded in place (state.c) */
	int fd, trace_fd;
	char **argv;
	long argc;
};

void vrl_start_c(long *sp);

/*
 * vdso_sym() - the address of function @name in the vDSO the kernel
 * mapped (AT_SYSINFO_EHDR in the initial stack block @sp), read from its
 * dynamic symbol table through DT_HASH; NULL when there is none.
 */
static void *
vdso_sym(const long *sp, const char *name)
{
	const long *p = sp + 1 + sp[0] + 1;
	const Elf64_Ehdr *eh = NULL;
	const Elf64_Phdr *ph;
	const Elf64_Dyn *dyn = NULL;
	const Elf64_Sym *sym = NULL;
	const unsigned int *hash = NULL;
	const char *str = NULL;
	unsigned long load = 0;
	int have_load = 0;

	while (*p)
		p++; /* the environment */
	for (p++; p[0] != AT_NULL; p += 2)
		if (p[0] == AT_SYSINFO_EHDR)
			eh = (const Elf64_Ehdr *)p[1];
	if (!eh || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return NULL;
	ph = (const Elf64_Phdr *)((const char *)eh + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && !have_load) {
			load = (unsigned long)eh + ph[i].p_offset - ph[i].p_vaddr;
			have_load = 1;
		} else if (ph[i].p_type == PT_DYNAMIC) {
			dyn = (const Elf64_Dyn *)((const char *)eh + ph[i].p_offset);
		}
	}
	if (!have_load || !dyn)
		return NULL;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_SYMTAB)
			sym = (const Elf64_Sym *)(load + dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_STRTAB)
			str = (const char *)(load + dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_HASH)
			hash = (const unsigned int *)(load + dyn->d_un.d_ptr);
	}
	if (!sym || !str || !hash)
		return NULL;
	/* DT_HASH: nbucket, nchain (the number of symbols), ... */
	for (unsigned int i = 0; i < hash[1]; i++)
		if (ELF64_ST_TYPE(sym[i].st_info) == STT_FUNC && sym[i].st_shndx != SHN_UNDEF &&
		    !strcmp(str + sym[i].st_name, name))
			return (void *)(load + sym[i].st_value);
	return NULL;
}

static int
to_int(const char *s)
{
	int v = 0;

	if (!*s)
		vrl_die("bad number", s, 0);
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000)
			vrl_die("bad number", s, 0);
		v = v * 10 + (*s - '0');
	}
	return v;
}

static void
parse(long argc, char **argv, struct opts *o)
{
	long i = 1;

	for (; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-')
			break;
		if (!strncmp(a, "--state=", 8))
			o->state = argv[i] + 8;
		else if (!strncmp(a, "--trace-fd=", 11))
			o->trace_fd = to_int(a + 11);
		else if (!strncmp(a, "--fake-cwd=", 11))
			o->fake_cwd = a + 11;
		else if (!strncmp(a, "--stats=", 8))
			o->stats = a + 8;
		else if (i + 1 < argc && !strcmp(a, "--fd"))
			o->fd = to_int(argv[++i]);
		else if (i + 1 < argc && !strcmp(a, "--exe"))
			o->exe = argv[++i];
		else if (i + 1 < argc && !strcmp(a, "--exe-prefix"))
			o->exe_prefix = argv[++i];
		else
			vrl_die("unknown option (usage: vroot-loader [OPTIONS] [--] PROGRAM "
			        "[ARGS...])",
			        a, 0);
	}
	o->argv = argv + i;
	o->argc = argc - i;
	for (char **e = argv + argc + 1; *e; e++)
		if (!strncmp(*e, "VROOT_REWRITE=", 14))
			o->rewrite_env = *e + 14;
		else if (!strcmp(*e, "VROOT_TEST_REAP_DELAY=1"))
			vrl_proc.reap_delay = 1;
	if (!o->exe) {
		if (o->argc == 0)
			vrl_die("no program given (usage: vroot-loader [OPTIONS] [--] PROGRAM "
			        "[ARGS...])",
			        NULL, 0);
		o->exe = o->argv[0];
	}
}

/*
 * move_fds() - the namespace's descriptors to @floor and up: where the
 * session's first image put them, so the filter it installed traps their
 * range.  The program may have lowered its descriptor limit below that
 * since: the soft limit is raised for the move (descriptors above it stay
 * valid) and put back.  Only when the hard limit is lower too do they go
 * lower, to *floor, which the caller must then have the filter trap.
 */
static int
move_fds(int *floor)
{
	unsigned long lim[2], raised[2];
	unsigned int n = vr_ns_backing_count(vrl_proc.ns);
	int err = vr_ns_move_fds(vrl_proc.ns, *floor);

	if (err != -EINVAL && err != -EMFILE)
		return err;
	if (vrl_sys4(__NR_prlimit64, 0, RLIMIT_NOFILE, 0, lim) == 0 &&
	    lim[1] >= (unsigned long)*floor + n) {
		raised[0] = lim[1];
		raised[1] = lim[1];
		if (vrl_sys4(__NR_prlimit64, 0, RLIMIT_NOFILE, raised, 0) == 0) {
			err = vr_ns_move_fds(vrl_proc.ns, *floor);
			vrl_sys4(__NR_prlimit64, 0, RLIMIT_NOFILE, lim, 0);
			if (!err)
				return 0;
		}
	}
	*floor = vrl_ownfd_floor(n);
	return vr_ns_move_fds(vrl_proc.ns, *floor);
}

/*
 * keep_taken() - of the descriptors the previous image passed on, close
 * those the namespace did not take over.  Those it took stay open across
 * exec (exec.c's do_exec()).  Returns how many it took; *@lo, *@hi:
 * the lowest and highest.
 */
static int
keep_taken(struct vrl_state *st, int *lo_, int *hi_)
{
	int lo = -1, hi = -1, n = 0;

	for (int i = 0; i < st->ninherit; i++) {
		int fd = st->inherit[i];

		if (fd < 0)
			continue;
		if (!vr_ns_owns_fd(vrl_proc.ns, fd)) {
			vrl_close(fd);
			continue;
		}
		lo = lo < 0 || fd < lo ? fd : lo;
		hi = fd > hi ? fd : hi;
		n++;
	}
	st->ninherit = 0;
	*lo_ = lo;
	*hi_ = hi;
	return n;
}

/*
 * backing_taken() - every backing descriptor of the namespace is one of
 * the @n taken side by side in [@lo, @hi], none moved since (a move makes
 * a close-on-exec copy): they are open across exec already, as exec.c
 * wants them for the image's life.
 */
static int
backing_taken(int n, int lo, int hi)
{
	unsigned int count = vr_ns_backing_count(vrl_proc.ns);

	if (!n || hi - lo + 1 != n || count != (unsigned int)n)
		return 0;
	for (unsigned int i = 0; i < count; i++) {
		int fd = vr_ns_backing_fd(vrl_proc.ns, i);

		if (fd < lo || fd > hi)
			return 0;
	}
	return 1;
}

/*
 * enter_namespace() - the namespace and task the previous image passed on.
 * Returns 1 when vroot's descriptors had to leave the range the filter in
 * place traps.
 */
static int
enter_namespace(void)
{
	struct vrl_state *st = &vrl_proc.state;
	/* The core's own calls go through the trusted page, as the loader's do. */
	struct vr_ns_spec local = {.adopt = st->inherit,
	                           .nadopt = (unsigned int)st->ninherit,
	                           .syscall = vrl_core_syscall};
	int floor, err = vr_task_new_packed_taken(st->task, st->task_len, &local, &vrl_proc.ns,
	                                          &vrl_proc.task);
	int lo, hi, taken;

	st->task = NULL;
	if (err)
		vrl_die("cannot rebuild the namespace", NULL, err);
	taken = keep_taken(st, &lo, &hi);
	if (vrl_proc.stats)
		vr_ns_count_into(vrl_proc.ns, &vrl_proc.stats->core);
	floor = st->fd_floor ? st->fd_floor : vrl_ownfd_floor(vr_ns_backing_count(vrl_proc.ns));
	err = move_fds(&floor);
	if (err)
		vrl_die("cannot keep the namespace's descriptors", NULL, err);
	if (!backing_taken(taken, lo, hi))
		for (unsigned int i = 0; i < vr_ns_backing_count(vrl_proc.ns); i++)
			vrl_sys3(__NR_fcntl, vr_ns_backing_fd(vrl_proc.ns, i), F_SETFD, 0);
	vrl_sync_host_cwd(vrl_proc.task);
	/* The directory cache's descriptors share the range the filter protects. */
	/* Its fork token shares the wipe-on-fork page of vrl_proc.mm_token. */
	vr_ns_cache_enable_token(vrl_proc.ns, floor, floor + VRL_OWNFD_SPAN,
	                         (int *)(uintptr_t)vrl_proc.mm_token + 16);
	vr_ns_cache_sharers(vrl_proc.ns, &vrl_proc.vm_live);
	/* The filter traps every close, dup2, dup3, close_range and unshare (syscalls.h). */
	vr_ns_fd_changes_seen(vrl_proc.ns, 1);
	err = st->fd_floor && floor != st->fd_floor;
	st->fd_floor = floor;
	return err;
}

static void
setup(const struct opts *o)
{
	int err, moved = 0;

	if ((err = vrl_proc_init()) == -EINVAL)
		vrl_die("madvise(MADV_WIPEONFORK) is missing: vroot needs Linux 4.14 or later",
		        NULL, err);
	if (err)
		vrl_die("cannot set up process state", NULL, err);
	if ((err = vrl_sigsys_install()))
		vrl_die("cannot install the SIGSYS handler", NULL, err);
	if (o->state && vrl_state_decode(&vrl_proc.state, o->state))
		vrl_die("malformed --state", NULL, -EINVAL);
	vrl_sigsys_exec_restore(vrl_proc.state.sigsys);
	if (o->trace_fd >= 0)
		vrl_proc.state.trace_fd = o->trace_fd;
	if (o->fake_cwd) {
		if (strlen(o->fake_cwd) >= sizeof(vrl_proc.state.fake_cwd))
			vrl_die("--fake-cwd too long", NULL, 0);
		memcpy(vrl_proc.state.fake_cwd, o->fake_cwd, strlen(o->fake_cwd) + 1);
	}
	if (o->stats) {
		if (strlen(o->stats) >= sizeof(vrl_proc.state.stats))
			vrl_die("--stats path too long", NULL, 0);
		memcpy(vrl_proc.state.stats, o->stats, strlen(o->stats) + 1);
	}
	if (vrl_proc.state.stats[0] && (err = vrl_stats_open(vrl_proc.state.stats)))
		vrl_die("cannot open the --stats counters", vrl_proc.state.stats, err);
	if (vrl_proc.state.rewrite < 0)
		vrl_proc.state.rewrite = !(o->rewrite_env && !strcmp(o->rewrite_env, "0"));
	vrl_proc.rewrite = vrl_proc.state.rewrite;
	if (vrl_proc.state.task)
		moved = enter_namespace();
	/* Said by the previous image: no probe (a trapped call) needed. */
	if (vrl_proc.state.filter || vrl_filter_present()) {
		if (moved && (err = vrl_filter_add_ownfd(vrl_proc.state.fd_floor)))
			vrl_die("cannot protect the namespace's descriptors", NULL, err);
	} else if ((err = vrl_filter_install())) {
		if (err == -ENOSYS || err == -EINVAL)
			vrl_die("cannot install the seccomp filter: vroot needs Linux 4.14 "
			        "or later, built with CONFIG_SECCOMP_FILTER",
			        NULL, err);
		vrl_die("cannot install the seccomp filter", NULL, err);
	}
}

/*
 * text_loaded() - image @img, mapped from @fd, is the program's (@k 0) or
 * its interpreter's (1): kept for the next image's hints, and the sites
 * the image before trapped at in the same file rewritten now.
 */
static void
text_loaded(int k, int fd, const struct vrl_image *img)
{
	struct vrl_text_id *t = &vrl_proc.images[k];
	struct stat st;

	if (!vrl_proc.rewrite || vrl_sys2(__NR_fstat, fd, &st) < 0)
		return;
	t->dev = st.st_dev;
	t->ino = st.st_ino;
	t->mtime = st.st_mtime * 1000000000UL + st.st_mtime_nsec;
	t->bias = img->bias;
	t->lo = img->start_code;
	t->hi = img->end_code;
	for (int i = 0; i < vrl_proc.state.nhints; i++)
		vrl_rw_preset(t, &vrl_proc.state.hints[i]);
}

/* The path the program runs as: --exe-prefix joined to --exe. */
static const char *
exec_name(const struct opts *o, char *buf, size_t cap)
{
	size_t a, b;

	if (!o->exe_prefix)
		return o->exe;
	a = strlen(o->exe_prefix);
	b = strlen(o->exe);
	if (a + b + 1 > cap)
		vrl_die("program path too long", o->exe, -ENAMETOOLONG);
	memcpy(buf, o->exe_prefix, a);
	memcpy(buf + a, o->exe, b + 1);
	return buf;
}

/**
 * vrl_start_c() - called by _start on the boot stack with the kernel's
 * initial stack pointer; maps the program and enters it.  Never returns.
 */
void
vrl_start_c(long *sp)
{
	struct opts o = {.fd = -1, .trace_fd = -1};
	struct vr_loader_ctx ctx = {NULL, NULL, &vrl_proc};
	/*
	 * Off the boot stack.  Every start writes lines[0] and interp: they
	 * come first, nearest the end of .data, whose last page is touched
	 * anyway (each page first touched is a fault); name only serves
	 * --exe-prefix.
	 */
	static struct {
		vrl_line lines[VRL_MAX_INTERP + 1];
		char interp[VRL_PATH_MAX];
		char name[2 * VRL_PATH_MAX];
	} b;
	struct vrl_image exe, ld;
	struct vrl_args args;
	struct vrl_stack_in in;
	const char *execfn;
	int fd, elf_fd, ifd, err;

	/* First: it maps the loader's pages in, before relocation touches them. */
	if ((err = vrl_tpage_map()) == -EEXIST)
		vrl_die("vroot sessions nested too deeply (at most 4): every trusted syscall page "
		        "slot from 0x7e8000000000 up is taken",
		        NULL, 0);
	if (err == -ENOSYS)
		vrl_die("mmap(MAP_FIXED_NOREPLACE) is missing: vroot needs Linux 4.17 or later",
		        NULL, 0);
	if (err)
		vrl_die("cannot map the trusted syscall page at 0x7e8000000000", NULL, err);
	if (vrl_self_relocate())
		vrl_die("cannot relocate itself", NULL, -ENOEXEC);
	parse(sp[0], (char **)(sp + 1), &o);
	setup(&o);
	/* The cache's time bound read without a system call. */
	if (vrl_proc.ns)
		vr_ns_set_clock(vrl_proc.ns, (int (*)(int, void *))vdso_sym(sp, "__vdso_clock_gettime"));

	execfn = exec_name(&o, b.name, sizeof(b.name));
	fd = o.fd >= 0 ? o.fd : vrl_open_exec(&ctx, AT_FDCWD, execfn, 0);
	if (fd < 0)
		vrl_fail(fd == -ENOENT || fd == -ENOTDIR ? 127 : 126, "cannot execute", execfn, fd);
	args.npre = 0;
	args.tail = o.argv;
	args.ntail = o.argc;
	if ((err = vrl_binfmt_resolve(&ctx, fd, execfn, b.lines, VRL_MAX_INTERP + 1, &args,
	                              &elf_fd)))
		vrl_fail(126, "cannot execute", execfn, err);
	vrl_exec_ident(&ctx, fd, elf_fd == fd);
	if ((err = vrl_selfexe_record(elf_fd)))
		vrl_die("cannot name the program", execfn, err);
	if ((err = vrl_elf_load(elf_fd, 1, &exe, b.interp, sizeof(b.interp))))
		vrl_fail(126, "cannot load", execfn, err);
	text_loaded(0, elf_fd, &exe);
	/* Mapped, not execve()d: the core refuses writes to it (ETXTBSY) itself. */
	if (vrl_proc.ns)
		vr_ns_image_run(vrl_proc.ns, elf_fd);
	if (b.interp[0]) {
		ifd = vrl_open_exec(&ctx, AT_FDCWD, b.interp, 0);
		if (ifd < 0)
			vrl_fail(127, "cannot open the ELF interpreter", b.interp, ifd);
		if ((err = vrl_elf_load(ifd, 0, &ld, NULL, 0)))
			vrl_fail(126, "cannot load the ELF interpreter", b.interp, err);
		text_loaded(1, ifd, &ld);
		vrl_close(ifd);
	}
	if (elf_fd != fd)
		vrl_close(elf_fd);
	vrl_close(fd);

	in.sp = sp;
	in.args = &args;
	in.execfn = execfn;
	in.exe = &exe;
	in.interp = b.interp[0] ? &ld : NULL;
	vrl_jump((void *)(b.interp[0] ? ld.entry : exe.entry), vrl_stack_build(&in));
}
