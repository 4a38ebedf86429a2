/*
 * vm_children.c - children that share their parent's memory but not its
 * descriptor table (vfork, posix_spawn, clone(CLONE_VM)), as vroot makes
 * them: registers and flags after the call in parent and child, results,
 * the lookups of a parent whose vfork children looked paths up first
 * (with a second thread looking up all the while), and a vfork child's
 * chdir before its exec, which leaves the parent where it was.  Prints
 * one line per check; the output is the same natively and through vroot.
 * Usage: vm_children DIR (DIR holds d0..d39, each with a/b/f).
 * Build with -mno-red-zone: the register check pushes in inline assembly.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* What the registers held after a raw vfork: [0] the child, [1] the parent. */
static unsigned long after[2][10];

static void
raw_vfork(void)
{
	register long r8 asm("r8") = 0x8888;
	register long r9 asm("r9") = 0x9999;
	register long r10 asm("r10") = 0x1010;
	long rax = SYS_vfork, rdi = 0xd1d1, rsi = 0x5151, rdx = 0xd2d2;
	unsigned long rcx, fl, next;
	int status;

	/* stc: the carry flag set before the call must be set after it too. */
	asm volatile("stc\n\t"
	             "syscall\n"
	             "1:\n\t"
	             "pushfq\n\t"
	             "popq %[fl]\n\t"
	             "leaq 1b(%%rip), %[next]\n\t"
	             : "+a"(rax), "+r"(r8), "+r"(r9), "+r"(r10), "+D"(rdi), "+S"(rsi), "+d"(rdx),
	               "=c"(rcx), [fl] "=&r"(fl), [next] "=&r"(next)
	             :
	             : "r11", "memory", "cc");
	{
		unsigned long *a = after[rax == 0 ? 0 : 1];

		a[0] = rax == 0 ? 0 : rax > 0 ? 1 : 2;
		a[1] = r8 == 0x8888 && r9 == 0x9999 && r10 == 0x1010;
		a[2] = rdi == 0xd1d1 && rsi == 0x5151 && rdx == 0xd2d2;
		a[3] = rcx == next;
		a[4] = fl & 1;
	}
	if (rax == 0)
		syscall(SYS_exit, 0);
	waitpid((pid_t)rax, &status, 0);
	for (int who = 0; who < 2; who++)
		printf("raw vfork %s: rax %s, r8-r10 kept %lu, rdi/rsi/rdx kept %lu, rcx is the "
		       "return address %lu, carry %lu\n",
		       who ? "parent" : "child",
		       after[who][0] == 0   ? "0"
		       : after[who][0] == 1 ? "the pid"
		                            : "an error",
		       after[who][1], after[who][2], after[who][3], after[who][4]);
}

static const char *dir;

/* look() - stat DIR/d@i/a/b/f and list DIR/d@i/a/b: 0 when both work. */
static int
look(int i)
{
	char p[4096];
	struct stat st;

	snprintf(p, sizeof(p), "%s/d%d/a/b/f", dir, i);
	if (stat(p, &st) != 0 || !S_ISREG(st.st_mode))
		return 1;
	snprintf(p, sizeof(p), "%s/d%d/a", dir, i);
	return stat(p, &st) != 0 || !S_ISDIR(st.st_mode);
}

static volatile int stop;

static void *
looker(void *arg)
{
	long bad = 0, n = 0;

	(void)arg;
	while (!stop)
		for (int i = 0; i < 40; i++, n++)
			bad += look(i);
	return (void *)bad;
}

static char stack[256 * 1024];
static volatile int shared;

static int
vm_child(void *arg)
{
	(void)arg;
	shared = 40 + !look(3) + !look(4);
	return 7;
}

int
main(int argc, char **argv)
{
	char *sh[] = {"sh", "-c", "exit 5", NULL}, *none[] = {"none", NULL};
	int status, err, bad = 0;
	pthread_t t;
	void *tbad;
	pid_t p;

	if (argc != 2)
		return 2;
	dir = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);
	raw_vfork();

	err = posix_spawn(&p, "/bin/sh", NULL, NULL, sh, environ);
	if (!err)
		waitpid(p, &status, 0);
	printf("posix_spawn sh: %s, status %d\n", strerror(err), err ? -1 : WEXITSTATUS(status));
	err = posix_spawn(&p, "/nonexistent/none", NULL, NULL, none, environ);
	printf("posix_spawn of a missing file: %s\n", strerror(err));

	p = clone(vm_child, stack + sizeof(stack), CLONE_VM | SIGCHLD, NULL);
	waitpid(p, &status, 0);
	printf("clone(CLONE_VM): status %d, the child's write seen: %d\n", WEXITSTATUS(status),
	       shared);

	/* Children look paths up first; the parent's lookups of them then work. */
	for (int i = 0; i < 40; i++) {
		p = vfork();
		if (p == 0)
			_exit(look(i));
		waitpid(p, &status, 0);
		bad += WEXITSTATUS(status) != 0;
		bad += look(i);
	}
	printf("vfork children, then the parent, look up 40 trees: %d failed\n", bad);

	/* A vfork child's chdir is its own: the parent's working directory stays. */
	{
		char before[4096], now[4096];

		if (!getcwd(before, sizeof(before)))
			return 2;
		p = vfork();
		if (p == 0) {
			if (chdir(dir) != 0)
				_exit(3);
			execl("/bin/true", "true", (char *)NULL);
			_exit(4);
		}
		waitpid(p, &status, 0);
		printf("a vfork child's chdir, then exec: status %d, the parent's cwd kept: %d\n",
		       WEXITSTATUS(status), getcwd(now, sizeof(now)) && !strcmp(before, now));
	}

	/* The same with a second thread looking up all the while. */
	pthread_create(&t, NULL, looker, NULL);
	bad = 0;
	for (int i = 0; i < 60; i++) {
		p = vfork();
		if (p == 0)
			_exit(look(i % 40));
		waitpid(p, &status, 0);
		bad += WEXITSTATUS(status) != 0;
		err = posix_spawn(&p, "/bin/sh", NULL, NULL, sh, environ);
		if (err || waitpid(p, &status, 0) < 0 || WEXITSTATUS(status) != 5)
			bad++;
	}
	stop = 1;
	pthread_join(t, &tbad);
	printf("60 vforks and spawns beside a looking thread: %d failed, the thread's %ld\n", bad,
	       (long)tbad);
	return 0;
}
