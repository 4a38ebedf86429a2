/*
 * sigsys_mask.c - a program that blocks SIGSYS sees it blocked: in the old
 * set of later sigprocmask calls (its own thread's only), in its /proc
 * status SigBlk, in a fork child and across execve; a kill()ed SIGSYS
 * waits until it is unblocked; path calls go on working meanwhile.  Prints
 * one line per check, the same natively and through vroot.
 *
 *   sigsys_mask          the checks
 *   sigsys_mask exec     (internal) the image execve'd with SIGSYS blocked
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t caught;

static void
on_sys(int sig)
{
	(void)sig;
	caught++;
}

/* blocked() - SIGSYS in the calling thread's mask, as a query shows it. */
static const char *
blocked(void)
{
	sigset_t old;

	sigemptyset(&old);
	pthread_sigmask(SIG_BLOCK, NULL, &old);
	return sigismember(&old, SIGSYS) ? "blocked" : "unblocked";
}

/* status_blocked() - SIGSYS in SigBlk of @path. */
static const char *
status_blocked(const char *path)
{
	char line[256];
	FILE *f = fopen(path, "r");
	const char *r = "no SigBlk";

	if (!f)
		return "cannot open";
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "SigBlk:", 7))
			r = strtoull(line + 7, NULL, 16) & (1ULL << (SIGSYS - 1)) ? "blocked"
			                                                          : "unblocked";
	fclose(f);
	return r;
}

static void *
thread_main(void *arg)
{
	sigset_t s;
	char path[64];

	(void)arg;
	printf("new thread: %s\n", blocked());
	sigemptyset(&s);
	sigaddset(&s, SIGSYS);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	printf("thread after blocking: %s\n", blocked());
	snprintf(path, sizeof(path), "/proc/thread-self/status");
	printf("thread status: %s\n", status_blocked(path));
	return NULL;
}

int
main(int argc, char **argv)
{
	struct stat st;
	sigset_t s, old;
	pthread_t t;
	pid_t pid;
	int status;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && !strcmp(argv[1], "exec")) {
		printf("after execve: %s\n", blocked());
		return 0;
	}
	signal(SIGSYS, on_sys);
	printf("at start: %s\n", blocked());
	pthread_create(&t, NULL, thread_main, NULL);
	pthread_join(t, NULL);
	printf("main after the thread blocked it: %s\n", blocked());

	sigemptyset(&s);
	sigaddset(&s, SIGSYS);
	sigprocmask(SIG_BLOCK, &s, NULL);
	printf("after blocking: %s\n", blocked());
	sigemptyset(&old);
	sigprocmask(SIG_SETMASK, NULL, &old);
	printf("SIG_SETMASK query: %s\n", sigismember(&old, SIGSYS) ? "blocked" : "unblocked");
	printf("status: %s\n", status_blocked("/proc/self/status"));
	printf("stat / while blocked: %s\n", stat("/", &st) == 0 ? "ok" : "failed");
	kill(getpid(), SIGSYS);
	printf("kill while blocked, caught: %d\n", (int)caught);
	if ((pid = fork()) == 0) {
		printf("fork child: %s\n", blocked());
		_exit(0);
	}
	waitpid(pid, &status, 0);
	if ((pid = fork()) == 0) {
		execl("/proc/self/exe", argv[0], "exec", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	sigprocmask(SIG_UNBLOCK, &s, &old);
	printf("unblocking, old set: %s, caught: %d\n",
	       sigismember(&old, SIGSYS) ? "blocked" : "unblocked", (int)caught);
	printf("after unblocking: %s\n", blocked());
	printf("status: %s\n", status_blocked("/proc/self/status"));
	/* Blocked and unblocked by SIG_SETMASK, the kill()ed one held again. */
	sigprocmask(SIG_SETMASK, &s, NULL);
	kill(getpid(), SIGSYS);
	sigemptyset(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("SIG_SETMASK round, caught: %d\n", (int)caught);
	return 0;
}
