#!/bin/sh
# descriptor-numbers.sh - what vroot learnt of a descriptor number (the
# directory it holds, an upper-layer file) is believed without asking the
# kernel again only while the number cannot have changed: after close and
# a pipe taking the number, dup2, dup3, close_range, a vfork child's and a
# fork child's own changes, a thread that unshared its table, a clone
# sharing the table but not the memory, and a thread made without
# CLONE_FILES, a path relative to the number resolves where the kernel
# resolves it, in each of them and in the process that made them; fchmod
# through a number that dup2 gave a base file copies it up, the base
# untouched; and a thread with a table of its own reads a base file that
# a write then copies up, adds an inotify watch and execs a number only
# its table has (vroot finds and names such descriptors through
# /proc/thread-self).  Every case runs natively and through
# vroot, with and without rewritten call sites, and must print the same.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc stat
plan 4

cat >"$tmp/num.c" <<'EOF'
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static char a_dir[4096], b_dir[4096], rd_file[4096];
static int n_fd;

/* in() - openat(@fd, @name) as the kernel answered: "ok" or the errno's name. */
static const char *
in(int fd, const char *name)
{
	int r = openat(fd, name, O_RDONLY);

	if (r >= 0) {
		close(r);
		return "ok";
	}
	return errno == ENOENT ? "ENOENT" : errno == ENOTDIR ? "ENOTDIR" : strerror(errno);
}

/* warm() - directory @dir at the lowest free number, used a few times. */
static int
warm(const char *dir, const char *name)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	for (int i = 0; i < 4; i++)
		in(fd, name);
	return fd;
}

static int
child_b(void *arg)
{
	(void)arg;
	close(n_fd);
	if (open(b_dir, O_RDONLY | O_DIRECTORY) != n_fd)
		return 2;
	return strcmp(in(n_fd, "inB"), "ok") ? 1 : 0;
}

/* A thread with a table of its own puts B at the number in its table only. */
static void *
unshare_b(void *arg)
{
	(void)arg;
	if (unshare(CLONE_FILES))
		return "unshare failed";
	return child_b(NULL) ? "B not at the number" : "B at the number";
}

static volatile int raw_done, raw_b;

static int
raw_thread(void *arg)
{
	long fd, in_b;

	(void)arg;
	syscall(SYS_close, n_fd);
	fd = syscall(SYS_openat, AT_FDCWD, b_dir, O_RDONLY | O_DIRECTORY);
	in_b = syscall(SYS_openat, n_fd, "inB", O_RDONLY);
	raw_b = fd == n_fd && in_b >= 0;
	__atomic_store_n(&raw_done, 1, __ATOMIC_RELEASE);
	syscall(SYS_exit, 0);
	return 0;
}

static char stack[256 * 1024] __attribute__((aligned(16)));

static void
closed_pipe(void)
{
	int fd = warm(a_dir, "inA"), p[2];

	close(fd);
	pipe(p);
	printf("closed, a pipe at the number: %s %s\n", p[0] == fd ? "same" : "other",
	       in(p[0], "inA"));
}

static void
dups(void)
{
	int fd = warm(a_dir, "inA"), fd2 = warm(b_dir, "inB");

	dup2(fd2, fd);
	printf("dup2: inA %s, inB %s\n", in(fd, "inA"), in(fd, "inB"));
	close(fd);
	close(fd2);
	fd = warm(a_dir, "inA");
	fd2 = warm(b_dir, "inB");
	dup3(fd2, fd, O_CLOEXEC);
	printf("dup3: inA %s, inB %s\n", in(fd, "inA"), in(fd, "inB"));
}

static void
range(void)
{
	int fd = warm(a_dir, "inA"), p[2];

	syscall(SYS_close_range, fd, ~0U, 0);
	pipe(p);
	printf("close_range, a pipe at the number: %s %s\n", p[0] == fd ? "same" : "other",
	       in(p[0], "inA"));
}

static void
children(void)
{
	int st;
	pid_t pid;

	n_fd = warm(a_dir, "inA");
	pid = vfork();
	if (pid == 0)
		_exit(child_b(NULL));
	waitpid(pid, &st, 0);
	printf("vfork child: %d; parent: inA %s, inB %s\n", WEXITSTATUS(st), in(n_fd, "inA"),
	       in(n_fd, "inB"));
	pid = fork();
	if (pid == 0)
		_exit(child_b(NULL));
	waitpid(pid, &st, 0);
	printf("fork child: %d; parent: inA %s, inB %s\n", WEXITSTATUS(st), in(n_fd, "inA"),
	       in(n_fd, "inB"));
}

static void
own_table(void)
{
	pthread_t t;
	void *res;

	n_fd = warm(a_dir, "inA");
	pthread_create(&t, NULL, unshare_b, NULL);
	pthread_join(t, &res);
	printf("thread with its own table: %s; main: inA %s, inB %s\n", (char *)res,
	       in(n_fd, "inA"), in(n_fd, "inB"));
}

/*
 * A thread with a table of its own, its numbers above the process's: a
 * watch of a directory (which vroot adds through a descriptor of its own,
 * by name), then an exec of a number only its table has.
 */
static void *
own_numbers(void *arg)
{
	int in, fd;

	(void)arg;
	if (unshare(CLONE_FILES))
		return "unshare failed";
	for (int i = 0; i < 40; i++)
		open("/", O_RDONLY);
	/* A reader of a file, which a writer then changes: the reader sees it. */
	{
		char got[16] = "";
		int r = open(rd_file, O_RDONLY), w = open(rd_file, O_WRONLY | O_TRUNC);

		if (write(w, "changed\n", 8) != 8 || pread(r, got, sizeof(got) - 1, 0) < 0)
			strcpy(got, "?");
		printf("own table: the reader reads %s", got);
	}
	in = inotify_init1(IN_CLOEXEC);
	printf("own table: watch %s\n", inotify_add_watch(in, a_dir, IN_CREATE) > 0 ? "added" : strerror(errno));
	fflush(stdout);
	fd = open("/bin/echo", O_RDONLY | O_CLOEXEC);
	fexecve(fd, (char *[]){"echo", "own table: exec of its own number", NULL}, environ);
	return strerror(errno);
}

static void
own_numbers_case(void)
{
	pthread_t t;
	void *res;

	pthread_create(&t, NULL, own_numbers, NULL);
	pthread_join(t, &res);
	printf("own table: exec failed: %s\n", (char *)res);
}

/* The table shared, the memory not: the child's change is the parent's too. */
static void
shared_table(void)
{
	int st;
	pid_t pid;

	n_fd = warm(a_dir, "inA");
	pid = clone(child_b, stack + sizeof(stack), CLONE_FILES | SIGCHLD, NULL);
	waitpid(pid, &st, 0);
	printf("clone(CLONE_FILES): %d; parent: inA %s, inB %s\n", WEXITSTATUS(st),
	       in(n_fd, "inA"), in(n_fd, "inB"));
}

/* The memory shared, the table not. */
static void
raw(void)
{
	n_fd = warm(a_dir, "inA");
	if (clone(raw_thread, stack + sizeof(stack),
	          CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM, NULL) > 0)
		while (!__atomic_load_n(&raw_done, __ATOMIC_ACQUIRE))
			sched_yield();
	printf("thread without CLONE_FILES: %s; main: inA %s, inB %s\n",
	       raw_b ? "B at the number" : "B not at the number", in(n_fd, "inA"), in(n_fd, "inB"));
}

/* Each case in a process of its own: one that stops vroot believing stops it for good. */
int
main(int argc, char **argv)
{
	void (*cases[])(void) = {closed_pipe, dups, range, children, own_table, own_numbers_case,
	                           shared_table, raw};
	int st;

	(void)argc;
	snprintf(a_dir, sizeof(a_dir), "%s/a", argv[1]);
	snprintf(b_dir, sizeof(b_dir), "%s/b", argv[1]);
	snprintf(rd_file, sizeof(rd_file), "%s/rd", argv[1]);
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fflush(stdout);
		if (fork() == 0) {
			cases[i]();
			fflush(stdout);
			_exit(0);
		}
		wait(&st);
	}
	return 0;
}
EOF
gcc -O2 -o "$tmp/num" "$tmp/num.c" -lpthread

# The upper-layer file's number given a base file by dup2: fchmod copies it up.
cat >"$tmp/up.c" <<'EOF'
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct stat st;
	int up = open(argv[1], O_WRONLY | O_CREAT | O_EXCL, 0600), base;

	(void)argc;
	for (int i = 0; i < 4; i++)
		fchmod(up, 0600);
	base = open(argv[2], O_RDONLY);
	dup2(base, up);
	printf("fchmod %d", fchmod(up, 0640));
	stat(argv[2], &st);
	printf(", base now %o", (unsigned int)st.st_mode & 07777);
	stat(argv[1], &st);
	printf(", new file %o\n", (unsigned int)st.st_mode & 07777);
	return 0;
}
EOF
gcc -O2 -o "$tmp/up" "$tmp/up.c"

for d in n b; do
	mkdir -p "$tmp/$d/a" "$tmp/$d/b"
	echo a >"$tmp/$d/a/inA"
	echo b >"$tmp/$d/b/inB"
	echo base >"$tmp/$d/base"
	echo first >"$tmp/$d/rd"
	chmod 644 "$tmp/$d/base"
done
"$tmp/num" "$tmp/n" >"$tmp/native.out" 2>&1
capture on env VROOT_REWRITE=1 "$VROOT" run --prefix "$tmp/prefix" -- "$tmp/num" "$tmp/b"
is_file "a number changed by close, dup2, dup3, close_range, children, threads: as natively" \
	"$tmp/native.out" "$tmp/on.out"
capture off env VROOT_REWRITE=0 "$VROOT" run --prefix "$tmp/prefix" -- "$tmp/num" "$tmp/b"
is_file "... and with every call trapping" "$tmp/native.out" "$tmp/off.out"

"$tmp/up" "$tmp/n/new" "$tmp/n/base" >"$tmp/native.out" 2>&1
capture up "$VROOT" run --prefix "$tmp/prefix" -- "$tmp/up" "$tmp/b/new" "$tmp/b/base"
is_file "fchmod through a number dup2 gave a base file: as natively" "$tmp/native.out" \
	"$tmp/up.out"
is "... and the base file on the host is untouched" "644" "$(stat -c %a "$tmp/b/base")"
done_testing
