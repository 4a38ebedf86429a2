/*
 * selfexe.c - /proc/self/exe must name the program, not the loader.
 *
 * The kernel's exe link of every image in the session is the loader
 * (changing it needs CAP_CHECKPOINT_RESTORE or CAP_SYS_RESOURCE).  Programs
 * read it (Go's os.Executable, readlink -f) and re-execute it (busybox
 * applets, self-extracting archives), so the loader records the host path
 * of the ELF image it mapped and answers for it.  This is the pass-through
 * version of what the core's reverse mapping will do for every magic link.
 */
#include <linux/fcntl.h>
#include "loader.h"

/**
 * vrl_selfexe_record() - remember the path of the image open as @fd as
 * the program's executable.  Returns 0 or -errno.
 */
int
vrl_selfexe_record(int fd)
{
	char link[32];
	struct vrl_buf b;
	long n;

	vrl_buf_init(&b, link, sizeof(link));
	vrl_buf_str(&b, "/proc/self/fd/");
	vrl_buf_dec(&b, fd);
	n = vrl_sys4(__NR_readlinkat, AT_FDCWD, link, vrl_proc.exe_path,
	             sizeof(vrl_proc.exe_path) - 1);
	if (n < 0)
		return (int)n;
	vrl_proc.exe_path[n] = 0;
	return 0;
}

static int
is_self(const char *p)
{
	long v = 0;

	if (strncmp(p, "/proc/", 6))
		return 0;
	p += 6;
	if (!strcmp(p, "self/exe") || !strcmp(p, "thread-self/exe"))
		return 1;
	for (; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	return !strcmp(p, "/exe") && v == vrl_getpid();
}

/**
 * vrl_selfexe_match() - if the program's string @user_path names this
 * process's exe link, the program's real executable path; else NULL
 * (also when the string is unreadable: the kernel then reports EFAULT).
 */
const char *
vrl_selfexe_match(const char *user_path)
{
	char p[32];

	if (!vrl_proc.exe_path[0] || vrl_peek_str(p, user_path, sizeof(p)) < 0)
		return NULL;
	return is_self(p) ? vrl_proc.exe_path : NULL;
}

/**
 * vrl_selfexe_readlink() - readlink of the exe link: copy the path,
 * truncated to @size and not terminated, as readlink does.  Returns the
 * length copied, -EINVAL for a zero @size, or -EFAULT.
 */
long
vrl_selfexe_readlink(const char *path, char *user_buf, long size)
{
	size_t n = strlen(path);

	if (size <= 0)
		return -EINVAL;
	if ((size_t)size < n)
		n = (size_t)size;
	return vrl_poke(user_buf, path, n) ? -EFAULT : (long)n;
}
