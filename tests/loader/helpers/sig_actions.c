/*
 * sig_actions.c - signal actions set and read back where vroot keeps the
 * program's action apart from the kernel's (a handler whose sa_mask holds
 * SIGSYS), printed so that a run through vroot can be compared with a
 * native one:
 *  - a process's handler and its mask, read back;
 *  - a vfork child's own changes, read back in the child (its actions are
 *    its own, its memory its parent's), and the parent's after it;
 *  - posix_spawn children, whose glibc resets every signal's action;
 *  - two threads changing one signal's action, one through a handler that
 *    blocks SIGSYS, the other to the default, while a third reads it: every
 *    action read is one of those set, and the last one read is the one in
 *    force (raising the signal runs the handler if and only if it says so).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static volatile int ran, usr1, usr1_child;

static void
on_usr1(int sig)
{
	(void)sig;
	usr1++;
}

static void
on_usr1_child(int sig)
{
	(void)sig;
	usr1_child++;
}

static void
on_winch(int sig)
{
	(void)sig;
	ran++;
}

static const char *
name(void (*h)(int))
{
	if (h == SIG_DFL)
		return "default";
	if (h == SIG_IGN)
		return "ignore";
	if (h == on_usr1)
		return "on_usr1";
	if (h == on_usr1_child)
		return "on_usr1_child";
	if (h == on_winch)
		return "on_winch";
	return "unknown";
}

/* set() - @sig's handler @h, its mask every signal (SIGSYS too) or none. */
static void
set(int sig, void (*h)(int), int full)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = h;
	if (full)
		sigfillset(&sa.sa_mask);
	else
		sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void (*get(int sig, int *sys))(int)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigaction(sig, NULL, &sa);
	if (sys)
		*sys = sigismember(&sa.sa_mask, SIGSYS);
	return sa.sa_handler;
}

static volatile int stop;
static long odd;

static void *
wrapper(void *arg)
{
	(void)arg;
	for (int i = 0; i < 4000; i++)
		set(SIGWINCH, i % 2 ? SIG_DFL : on_winch, 1);
	return NULL;
}

static void *
resetter(void *arg)
{
	(void)arg;
	for (int i = 0; i < 4000; i++)
		set(SIGWINCH, SIG_DFL, 0);
	return NULL;
}

static void *
reader(void *arg)
{
	(void)arg;
	while (!stop) {
		void (*h)(int) = get(SIGWINCH, NULL);

		if (h != SIG_DFL && h != on_winch)
			odd++;
	}
	return NULL;
}

int
main(void)
{
	/* Written by the vfork child, which shares this memory. */
	static const char *in_child[4];
	pthread_t t[3];
	void (*h)(int);
	pid_t pid;
	int sys, status;
	static int consistent = 1;

	set(SIGUSR1, on_usr1, 1);
	h = get(SIGUSR1, &sys);
	printf("handler %s, mask holds SIGSYS %d\n", name(h), sys);

	pid = vfork();
	if (pid == 0) {
		in_child[0] = name(get(SIGUSR1, NULL));
		set(SIGUSR1, SIG_DFL, 0);
		in_child[1] = name(get(SIGUSR1, NULL));
		set(SIGUSR1, on_usr1_child, 0);
		in_child[2] = name(get(SIGUSR1, NULL));
		set(SIGUSR1, SIG_IGN, 1);
		in_child[3] = name(get(SIGUSR1, NULL));
		_exit(0);
	}
	waitpid(pid, &status, 0);
	printf("vfork child read %s, then %s, %s, %s\n", in_child[0], in_child[1], in_child[2],
	       in_child[3]);
	h = get(SIGUSR1, &sys);
	printf("parent after it: %s, mask holds SIGSYS %d\n", name(h), sys);

	for (int i = 0; i < 3; i++) {
		char *argv[] = {"sh", "-c", "exit 3", NULL};

		if (posix_spawnp(&pid, "sh", NULL, NULL, argv, environ) == 0 &&
		    waitpid(pid, &status, 0) == pid)
			printf("posix_spawn child %d: status %d\n", i, WEXITSTATUS(status));
	}
	printf("after the spawns: %s\n", name(get(SIGUSR1, NULL)));

	pthread_create(&t[0], NULL, reader, NULL);
	pthread_create(&t[1], NULL, wrapper, NULL);
	pthread_create(&t[2], NULL, resetter, NULL);
	pthread_join(t[1], NULL);
	pthread_join(t[2], NULL);
	stop = 1;
	pthread_join(t[0], NULL);
	printf("actions read that were never set: %ld\n", odd);
	for (int i = 0; i < 50; i++) {
		int before = ran;

		h = get(SIGWINCH, NULL);
		raise(SIGWINCH);
		if ((ran != before) != (h == on_winch))
			consistent = 0;
		set(SIGWINCH, i % 2 ? on_winch : SIG_DFL, i % 3 == 0);
	}
	printf("the action read is the one in force: %d\n", consistent);
	return 0;
}
