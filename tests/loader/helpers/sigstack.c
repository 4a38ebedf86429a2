/*
 * sigstack.c - trapped calls made by a program with a small signal stack
 * of its own must not write outside it (nor crash), on the main thread and
 * on another one, also when a signal handler makes trapped calls while a
 * trapped call blocks.  Prints one line per call and the number of bytes
 * changed around the signal stack.
 *
 * The signal stack the program set is the one sigaltstack reports.
 *
 * Usage: sigstack SIZE main|thread DIR   (SIZE 0: no signal stack)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAD 16384

static size_t size;
static const char *dir;
static char *block;
static char nested[512];

static size_t
clobbered(void)
{
	size_t i, bad = 0;

	if (!block)
		return 0;
	for (i = 0; i < PAD; i++)
		bad += (block[i] != 'G') + (block[PAD + size + i] != 'G');
	return bad;
}

static void
report(const char *what, long r)
{
	printf("%s: %s; bytes changed around the signal stack: %zu\n", what,
	       r < 0 ? strerror(errno) : "ok", clobbered());
	fflush(stdout);
}

static char *
at(const char *name)
{
	static char buf[8][4096];
	static int next;
	char *p = buf[next++ % 8];

	snprintf(p, 4096, "%s/%s", dir, name);
	return p;
}

/* Small frames: the handler shares the signal stack with the kernel's frame. */
static void
note(const char *what, int failed)
{
	strcat(nested, what);
	strcat(nested, failed ? " failed, " : " ok, ");
}

static void
on_alrm(int sig)
{
	struct stat st;
	char buf[256];

	stack_t cur;

	(void)sig;
	if (size >= 8192) {
		/* On the signal stack: the kernel says so, and refuses a change. */
		sigaltstack(NULL, &cur);
		note("sigaltstack reports SS_ONSTACK", !(cur.ss_flags & SS_ONSTACK));
		note("sigaltstack refuses a change",
		     sigaltstack(&cur, NULL) == 0 || errno != EPERM);
	}
	note("stat", stat(dir, &st) != 0);
	note("readlink exe", readlink("/proc/self/exe", buf, sizeof(buf)) < 0);
	note("getcwd", getcwd(buf, sizeof(buf)) == NULL);
}

static void *
calls(void *unused)
{
	struct sigaction sa;
	struct stat st;
	char buf[4096];
	sigset_t alrm;
	long r;
	int fd;

	(void)unused;
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_UNBLOCK, &alrm, NULL);
	if (size) {
		stack_t ss = {.ss_sp = block + PAD, .ss_size = size};

		stack_t cur;

		if (sigaltstack(&ss, NULL))
			report("sigaltstack", -1);
		sigaltstack(NULL, &cur);
		printf("sigaltstack reports the stack set: %s\n",
		       cur.ss_sp == ss.ss_sp && cur.ss_size == size && cur.ss_flags == 0 ? "yes"
		                                                                         : "no");
	}
	report("stat", stat(dir, &st));
	fd = open(at("file"), O_CREAT | O_WRONLY | O_TRUNC, 0644);
	report("open", fd);
	close(fd);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	r = syscall(SYS_getdents64, fd, buf, sizeof(buf));
	report("getdents", r);
	close(fd);
	report("getcwd", getcwd(buf, sizeof(buf)) ? 0 : -1);
	report("readlink", readlink(at("file"), buf, sizeof(buf)));
	r = readlink("/proc/self/exe", buf, sizeof(buf));
	report("readlink /proc/self/exe", r);
	report("link", link(at("file"), at("hard")));
	report("symlink", symlink("file", at("soft")));
	report("readlink symlink", readlink(at("soft"), buf, sizeof(buf)));
	report("rename", rename(at("hard"), at("moved")));
	report("unlink", unlink(at("moved")) | unlink(at("soft")) | unlink(at("file")));

	/*
	 * The handler makes trapped calls while open() of a FIFO without a
	 * writer blocks in a trapped call.  It runs on the signal stack where
	 * one fits its frame, as programs do.
	 */
	unlink(at("fifo"));
	if (mkfifo(at("fifo"), 0600))
		report("mkfifo", -1);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alrm;
	sa.sa_flags = size >= 8192 ? SA_ONSTACK : 0;
	sigaction(SIGALRM, &sa, NULL);
	{
		struct itimerval it = {.it_value = {.tv_usec = 200000}};

		setitimer(ITIMER_REAL, &it, NULL);
	}
	fd = open(at("fifo"), O_RDONLY);
	report("open of a FIFO interrupted", fd);
	printf("in the handler: %s\n", nested);
	unlink(at("fifo"));
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t t;

	if (argc != 4)
		return 2;
	size = strtoul(argv[1], NULL, 0);
	dir = argv[3];
	if (size) {
		block = malloc(size + 2 * PAD);
		memset(block, 'G', size + 2 * PAD);
	}
	if (strcmp(argv[2], "thread") == 0) {
		/* SIGALRM must reach the thread that blocks. */
		sigset_t set;

		sigemptyset(&set);
		sigaddset(&set, SIGALRM);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
		pthread_create(&t, NULL, calls, NULL);
		pthread_join(t, NULL);
	} else {
		calls(NULL);
	}
	return 0;
}
