/*
 * signal_storm.c - a program taking a signal every few hundred
 * microseconds while it makes path calls, whose handler makes path calls
 * too: each signal interrupts one, and a handler's call is answered while
 * another is.  Prints one line, the same natively and through vroot.
 *
 *   signal_storm COUNT USEC [onstack] [restart] [sysmask]
 *
 * COUNT stat(2) calls, a SIGALRM every USEC microseconds; "onstack": the
 * handler runs on a signal stack of the program's (SA_ONSTACK); "restart":
 * SA_RESTART; "sysmask": SIGSYS in the handler's sa_mask, which it checks
 * it finds in its signal mask (and not once it has returned).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t ticks, bad;
static int sysmask;

/* SIGSYS in the calling thread's signal mask, as a query shows it. */
static int
sys_blocked(void)
{
	sigset_t old;

	sigemptyset(&old);
	sigprocmask(SIG_BLOCK, NULL, &old);
	return sigismember(&old, SIGSYS);
}

static void
on_alrm(int sig)
{
	struct stat st;

	(void)sig;
	if (stat("/", &st) || !S_ISDIR(st.st_mode) || sys_blocked() != sysmask)
		bad++;
	ticks++;
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	struct itimerval it;
	struct stat st;
	long n, i;
	int flags = 0;

	if (argc < 3)
		return 2;
	n = atol(argv[1]);
	for (i = 3; i < argc; i++)
		sysmask |= !strcmp(argv[i], "sysmask");
	for (i = 3; i < argc; i++)
		flags |= !strcmp(argv[i], "onstack")   ? SA_ONSTACK
		         : !strcmp(argv[i], "restart") ? SA_RESTART
		                                       : 0;
	if (flags & SA_ONSTACK) {
		stack_t ss = {.ss_sp = malloc(64 * 1024), .ss_size = 64 * 1024};

		if (!ss.ss_sp || sigaltstack(&ss, NULL))
			return 3;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alrm;
	sigemptyset(&sa.sa_mask);
	if (sysmask)
		sigaddset(&sa.sa_mask, SIGSYS);
	sa.sa_flags = flags;
	sigaction(SIGALRM, &sa, NULL);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = it.it_interval.tv_usec = atol(argv[2]);
	setitimer(ITIMER_REAL, &it, NULL);
	for (i = 0; i < n; i++)
		if (stat("/tmp", &st) || !S_ISDIR(st.st_mode))
			bad++;
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	if (sys_blocked())
		bad++;
	printf("%ld calls, %s, %d failed\n", i, ticks > 0 ? "signals taken" : "no signal",
	       (int)bad);
	return 0;
}
