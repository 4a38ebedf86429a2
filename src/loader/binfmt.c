/*
 * binfmt.c - what the kernel's binfmt_elf/binfmt_script decide before
 * loading: is this file executable, an ELF image we can load, or a `#!`
 * script, and what is the final argv.  Used both at startup and by the
 * execve redirection, which must report ENOENT/EACCES/ENOEXEC to the caller
 * *before* replacing its image.
 */
#include <linux/elf.h>
#include <linux/fcntl.h>
#include <linux/stat.h>
#include <asm/statfs.h>
#include <asm/stat.h>
#include "loader.h"

#ifndef AT_EACCESS
#define AT_EACCESS 0x200
#endif
#ifndef ST_NOEXEC
#define ST_NOEXEC 8
#endif
#define X_OK 1

/* Like the kernel's prepare_binprm() checks (EACCES for all of them). */
static int
check_exec(int fd)
{
	struct stat st;
	struct statfs sfs;
	long r;

	r = vrl_sys2(__NR_fstat, fd, &st);
	if (r)
		return (int)r;
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	r = vrl_sys4(__NR_faccessat2, fd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS);
	if (r)
		return r == -EACCES || r == -EPERM ? -EACCES : (int)r;
	if (vrl_sys2(__NR_fstatfs, fd, &sfs) == 0 && (sfs.f_flags & ST_NOEXEC))
		return -EACCES;
	return 0;
}

static int
check_elf(const unsigned char *h, long n)
{
	const Elf64_Ehdr *e = (const Elf64_Ehdr *)h;

	if (n < (long)sizeof(*e) || memcmp(h, ELFMAG, SELFMAG))
		return -ENOEXEC;
	if (h[EI_CLASS] != ELFCLASS64 || h[EI_DATA] != ELFDATA2LSB || e->e_machine != EM_X86_64)
		return -ENOEXEC;
	if (e->e_type != ET_EXEC && e->e_type != ET_DYN)
		return -ENOEXEC;
	return 0;
}

static int
spacetab(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Parse a #! line in @b[256] as fs/binfmt_script.c does; on success
 * *name and *arg (maybe NULL) point into @b.
 */
static int
parse_shebang(char *b, const char **name, const char **arg)
{
	char *end = b + 256, *p, *sep;

	for (p = b + 2; p < end && *p != '\n'; p++)
		;
	if (p == end) {
		/* No newline: the interpreter name must still end in the buffer. */
		for (p = b + 2; p < end && spacetab(*p); p++)
			;
		if (p == end)
			return -ENOEXEC;
		for (; p < end && *p && !spacetab(*p); p++)
			;
		if (p == end)
			return -ENOEXEC;
		p = end - 1;
	}
	while (p > b + 2 && spacetab(p[-1]))
		p--;
	*p = 0;
	end = p;
	for (p = b + 2; p < end && spacetab(*p); p++)
		;
	if (p == end)
		return -ENOEXEC;
	*name = p;
	for (sep = p; sep < end && *sep && !spacetab(*sep); sep++)
		;
	*arg = NULL;
	if (sep < end && *sep) {
		*sep++ = 0;
		while (sep < end && spacetab(*sep))
			sep++;
		if (sep < end && *sep)
			*arg = sep;
	}
	return 0;
}

/* argv of a script becomes: interp [arg] script-path argv[1..] */
static void
args_shebang(struct vrl_args *a, const char *interp, const char *arg, const char *script)
{
	int k = arg ? 3 : 2, i;

	if (a->npre) {
		for (i = 1; i < a->npre; i++)
			a->pre[i - 1] = a->pre[i];
		a->npre--;
	} else if (a->ntail) {
		a->tail++;
		a->ntail--;
	}
	for (i = a->npre - 1; i >= 0; i--)
		a->pre[i + k] = a->pre[i];
	a->pre[0] = interp;
	if (arg)
		a->pre[1] = arg;
	a->pre[k - 1] = script;
	a->npre += k;
}

/**
 * vrl_binfmt_resolve() - follow @fd (opened from @path) through up to
 * VRL_MAX_INTERP levels of `#!` to the ELF image to load.
 * @lines:  scratch for the #! lines; @args points into it, so it must
 *          outlive @args.  With @nlines < VRL_MAX_INTERP + 1 (checking
 *          only, small stacks) line 0 is reused and @args must be NULL.
 * @args:   if not NULL, rewritten like the kernel rewrites argv.
 * @elf_fd: receives the descriptor of the ELF image: @fd itself, or a new
 *          one owned by the caller.  Intermediate descriptors are closed.
 * Returns 0, or -ENOEXEC, -EACCES, -ELOOP, or an open error (-ENOENT...).
 * @fd stays the caller's in all cases.
 */
int
vrl_binfmt_resolve(struct vr_loader_ctx *ctx, int fd, const char *path, vrl_line *lines, int nlines,
                   struct vrl_args *args, int *elf_fd)
{
	int level, cur = fd, err, next;
	const char *name, *arg;
	char *b;
	long n;

	for (level = 0;; level++) {
		err = check_exec(cur);
		if (err)
			goto fail;
		b = lines[level < nlines ? level : 0];
		memset(b, 0, sizeof(vrl_line));
		n = vrl_pread(cur, b, sizeof(vrl_line), 0);
		if (n < 0) {
			err = (int)n;
			goto fail;
		}
		if (n >= 2 && b[0] == '#' && b[1] == '!') {
			if (level == VRL_MAX_INTERP) {
				err = -ELOOP;
				goto fail;
			}
			err = parse_shebang(b, &name, &arg);
			if (err)
				goto fail;
			next = vrl_open_exec(ctx, AT_FDCWD, name, 0);
			if (next < 0) {
				err = next;
				goto fail;
			}
			if (args && nlines > level)
				args_shebang(args, name, arg, path);
			if (cur != fd)
				vrl_close(cur);
			cur = next;
			path = name;
			continue;
		}
		err = check_elf((const unsigned char *)b, n);
		if (err)
			goto fail;
		*elf_fd = cur;
		return 0;
	}
fail:
	if (cur != fd)
		vrl_close(cur);
	return err;
}
