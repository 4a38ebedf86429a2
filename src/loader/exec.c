/*
 * exec.c - execve/execveat inside the namespace start the loader again.
 *
 * execve(path, argv, envp) from the program becomes, through the trusted
 * page:
 *
 *     execve("/proc/self/exe",
 *            ["vroot-loader", "--state=HEX", "--fd", "N", "--exe", path,
 *             "--", argv[0], argv[1], ...], envp)
 *
 * /proc/self/exe is the loader itself in every image of the session.  The
 * target was opened and checked here first (through the dispatcher, so the
 * core resolves it in the namespace): errors a caller acts on (ENOENT and
 * EACCES while searching PATH, ENOEXEC to fall back to /bin/sh) must come
 * back from *this* execve, before the image is gone.  Descriptor N (the
 * open target, without O_CLOEXEC) lets the next loader map exactly the file
 * that was checked; it closes N before the program runs.  envp goes
 * through untouched: nothing of vroot is ever in the environment.
 *
 * Runs in the SIGSYS handler, possibly in a vfork child on a small stack
 * shared with its parent: little stack, and memory is only mapped (and
 * then leaked into the parent) for argument vectors too long for the stack.
 */
#include <linux/fcntl.h>
#include <linux/mman.h>
#include "loader.h"
#include "vroot.h"
#include "stackpool.h"
#include "vfs.h"

#define SMALL_ARGV 32
#define PAGE       4096UL

/* Count the program's argv, reading it fault-safely.  Returns n or -EFAULT. */
static long
count_argv(char *const *argv)
{
	char *chunk[32];
	long n = 0;
	size_t k, i;

	if (!argv)
		return 0;
	for (;;) {
		uintptr_t at = (uintptr_t)(argv + n);

		k = (PAGE - (at & (PAGE - 1))) / sizeof(char *);
		if (k == 0 || k > 32)
			k = k ? 32 : 1;
		if (vrl_peek(chunk, argv + n, k * sizeof(char *)))
			return -EFAULT;
		for (i = 0; i < k; i++, n++)
			if (!chunk[i])
				return n;
	}
}

static void
fmt_int(char *buf, size_t cap, const char *prefix, long v, const char *suffix)
{
	struct vrl_buf b;

	vrl_buf_init(&b, buf, cap);
	vrl_buf_str(&b, prefix);
	vrl_buf_dec(&b, v);
	vrl_buf_str(&b, suffix);
}

/* Open the target as execve would find it; returns an O_CLOEXEC fd or -errno. */
static int
open_target(struct vr_loader_ctx *ctx, int dirfd, const char *path, int flags, int empty)
{
	char fdpath[32];

	if (empty)
		return (int)vrl_sys4(__NR_openat, AT_FDCWD, vrl_proc_fd(fdpath, dirfd),
		                     O_RDONLY | O_CLOEXEC, 0);
	return vrl_open_exec(ctx, dirfd, path, !!(flags & AT_SYMLINK_NOFOLLOW));
}

/* @state (@state_size bytes, mapped) is one of the arguments in @head. */
static long
do_exec(char *const *argv, long argc, char *const *envp, const char **head, int nhead,
        char *state, size_t state_size)
{
	struct vrl_held_map maps[VRL_HELD_MAPS] = {{state, state_size}, {NULL, 0}};
	const char *small[SMALL_ARGV + 12];
	const char **v = small;
	size_t size = (size_t)(argc + nhead + 1) * sizeof(char *);
	long r;
	int i;

	if (argc > SMALL_ARGV) {
		r = vrl_mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		             0);
		if (vrl_is_err(r))
			return r;
		v = (const char **)r;
		maps[1].addr = v;
		maps[1].len = size;
	}
	for (i = 0; i < nhead; i++)
		v[i] = head[i];
	r = argc ? vrl_peek(v + nhead, argv, (size_t)argc * sizeof(char *)) : 0;
	v[nhead + argc] = NULL;
	if (!r) {
		vrl_pool_exec_begin(maps);
		/*
		 * The namespace's descriptors go across as they are: the next
		 * image takes a directory it cannot open by path from them (a
		 * program that became another user keeps its session's
		 * prefix).  The loader keeps them open across exec for the
		 * image's life (main.c, ownfd.c), and all are O_PATH
		 * descriptors, which no call of the program can flag.
		 */
		r = vrl_sys3(__NR_execve, "/proc/self/exe", v, envp);
		vrl_pool_exec_end();
	}
	if (v != small)
		vrl_munmap(v, size);
	return r;
}

/**
 * vrl_exec_redirect() - the program's execveat(@dirfd, @path, @argv,
 * @envp, @flags) (execve: @dirfd AT_FDCWD, @flags 0), run through the
 * loader.  Returns only on failure: -errno as execve would report it.
 */
long
vrl_exec_redirect(struct vr_loader_ctx *ctx, int dirfd, const char *path, char *const *argv,
                  char *const *envp, int flags)
{
	vrl_line line;
	char fdarg[16], exe[32], first = 0;
	const char *head[10];
	size_t state_size;
	char *state;
	int fd, elf_fd, nfd, nhead = 0, empty;
	long argc, r;

	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	if (vrl_peek(&first, path, 1))
		return -EFAULT;
	empty = !first && (flags & AT_EMPTY_PATH);
	argc = count_argv(argv);
	if (argc < 0)
		return argc;
	fd = open_target(ctx, dirfd, path, flags, empty);
	if (fd < 0)
		return fd;
	r = vrl_binfmt_resolve(ctx, fd, path, &line, 1, NULL, &elf_fd);
	if (!r && elf_fd != fd)
		vrl_close(elf_fd);
	nfd = r ? -1 : (int)vrl_sys3(__NR_fcntl, fd, F_DUPFD, 0);
	vrl_close(fd);
	if (r)
		return r;
	if (nfd < 0)
		return nfd;

	fmt_int(fdarg, sizeof(fdarg), "", nfd, "");
	head[nhead++] = "vroot-loader";
	state = vrl_state_arg(&ctx->proc->state, ctx->proc->ns ? vrl_task(ctx) : NULL, &state_size);
	if (!state) {
		vrl_close(nfd);
		return -ENOMEM;
	}
	head[nhead++] = state;
	head[nhead++] = "--fd";
	head[nhead++] = fdarg;
	head[nhead++] = "--exe";
	if (empty) {
		fmt_int(exe, sizeof(exe), "/dev/fd/", dirfd, "");
		head[nhead++] = exe;
	} else if (first == '/' || dirfd == AT_FDCWD) {
		head[nhead++] = path;
	} else {
		/* The kernel names it "/dev/fd/DIRFD/PATH"; the loader joins them. */
		fmt_int(exe, sizeof(exe), "/dev/fd/", dirfd, "/");
		head[nhead++] = path;
		head[nhead++] = "--exe-prefix";
		head[nhead++] = exe;
	}
	head[nhead++] = "--";
	r = do_exec(argv, argc, envp, head, nhead, state, state_size);
	vrl_close(nfd);
	vrl_sys2(__NR_munmap, state, state_size);
	return r;
}
