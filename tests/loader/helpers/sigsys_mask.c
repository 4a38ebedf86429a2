/*
 * sigsys_mask.c - a program that blocks SIGSYS sees it blocked: in the old
 * set of later sigprocmask calls (its own thread's only), in its /proc
 * status SigBlk, in a fork child and across execve; a kill()ed SIGSYS
 * waits until it is unblocked, and shows in sigpending and in SigPnd
 * (raise) or ShdPnd (kill); a handler that puts SIGSYS in the mask its
 * return restores leaves it blocked; a handler whose sa_mask holds SIGSYS
 * runs with it blocked, and sigaction reports that mask; path calls go on
 * working meanwhile.
 * Prints one line per check, the same natively and through vroot.
 *
 *   sigsys_mask          the checks
 *   sigsys_mask exec     (internal) the image execve'd with SIGSYS blocked
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

static volatile sig_atomic_t caught, usr1_stats;

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

/* status_pending() - which of SigPnd and ShdPnd of @path hold SIGSYS. */
static const char *
status_pending(const char *path)
{
	char line[256];
	FILE *f = fopen(path, "r");
	int sig = 0, shd = 0;

	if (!f)
		return "cannot open";
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v = strtoull(line + 7, NULL, 16) & (1ULL << (SIGSYS - 1));

		if (!strncmp(line, "SigPnd:", 7))
			sig = !!v;
		if (!strncmp(line, "ShdPnd:", 7))
			shd = !!v;
	}
	fclose(f);
	return sig && shd ? "SigPnd ShdPnd" : sig ? "SigPnd" : shd ? "ShdPnd" : "neither";
}

/* pending() - SIGSYS in sigpending's set. */
static const char *
pending(void)
{
	sigset_t p;

	sigemptyset(&p);
	sigpending(&p);
	return sigismember(&p, SIGSYS) ? "pending" : "not pending";
}

/*
 * pending_checks() - SIGSYS sent to the thread (raise) and to the process
 * (kill) while blocked: sigpending and the status file show it.
 */
static void
pending_checks(void)
{
	sigset_t s;
	int before = caught;

	sigemptyset(&s);
	sigaddset(&s, SIGSYS);
	sigprocmask(SIG_BLOCK, &s, NULL);
	printf("blocked, nothing sent: %s, status: %s\n", pending(),
	       status_pending("/proc/self/status"));
	raise(SIGSYS);
	printf("raise()d while blocked: %s, status: %s\n", pending(),
	       status_pending("/proc/self/status"));
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	printf("unblocked: caught %d, %s\n", (int)caught - before, pending());
	sigprocmask(SIG_BLOCK, &s, NULL);
	kill(getpid(), SIGSYS);
	printf("kill()ed while blocked: %s, status: %s\n", pending(),
	       status_pending("/proc/self/status"));
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	printf("unblocked: caught %d, %s, status: %s\n", (int)caught - before, pending(),
	       status_pending("/proc/self/status"));
}

/* on_usr2() - a handler that blocks SIGSYS in the mask its return restores. */
static void
on_usr2(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig;
	(void)si;
	sigaddset(&uc->uc_sigmask, SIGSYS);
}

/* return_mask_checks() - after such a handler, SIGSYS is blocked. */
static void
return_mask_checks(void)
{
	struct sigaction sa;
	struct stat st;
	sigset_t s;
	int before = caught;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_usr2;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR2, &sa, NULL);
	raise(SIGUSR2);
	printf("after a handler's uc_sigmask: %s, status: %s\n", blocked(),
	       status_blocked("/proc/self/status"));
	printf("stat / then: %s\n", stat("/", &st) == 0 ? "ok" : "failed");
	raise(SIGSYS);
	printf("raise()d then: caught %d, %s\n", (int)caught - before, pending());
	sigemptyset(&s);
	sigaddset(&s, SIGSYS);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	printf("unblocked: caught %d, %s\n", (int)caught - before, blocked());
}

static int sa_before;

/* on_hup() - a handler whose sa_mask holds SIGSYS: what it sees. */
static void
on_hup(int sig)
{
	struct stat st;

	(void)sig;
	printf("in a handler with SIGSYS in sa_mask: %s, status: %s, stat: %s\n", blocked(),
	       status_blocked("/proc/thread-self/status"), stat("/", &st) == 0 ? "ok" : "failed");
	raise(SIGSYS);
	printf("raise()d in it: caught %d, %s\n", (int)caught - sa_before, pending());
}

/* on_winch() - the same with SA_SIGINFO (and SA_RESETHAND). */
static void
on_winch(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	printf("in an SA_SIGINFO handler with SIGSYS in sa_mask: %s, signal %s\n", blocked(),
	       si->si_signo == sig ? "right" : "wrong");
}

/* sa_mask_checks() - handlers whose sa_mask holds SIGSYS. */
static void
sa_mask_checks(void)
{
	struct sigaction sa, q;

	sa_before = caught;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_hup;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGSYS);
	sigaction(SIGHUP, &sa, NULL);
	memset(&q, 0, sizeof(q));
	sigaction(SIGHUP, NULL, &q);
	printf("sigaction reports: %s, SIGSYS %s\n",
	       q.sa_handler == on_hup ? "the handler" : "another",
	       sigismember(&q.sa_mask, SIGSYS) ? "in sa_mask" : "not in sa_mask");
	raise(SIGHUP);
	printf("after it: %s, caught %d\n", blocked(), (int)caught - sa_before);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGHUP, &sa, &q);
	printf("replaced, old action: %s, SIGSYS %s\n",
	       q.sa_handler == on_hup ? "the handler" : "another",
	       sigismember(&q.sa_mask, SIGSYS) ? "in sa_mask" : "not in sa_mask");
	sa.sa_sigaction = on_winch;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	sigaction(SIGWINCH, &sa, NULL);
	raise(SIGWINCH);
	sigaction(SIGWINCH, NULL, &q);
	printf("after it: %s, reset to %s\n", blocked(),
	       q.sa_handler == SIG_DFL ? "SIG_DFL" : "other");
}

/* on_usr1() - a handler that makes a path call. */
static void
on_usr1(int sig)
{
	struct stat st;

	(void)sig;
	if (stat("/", &st) == 0)
		usr1_stats++;
}

/* poke_later() - a child that sends SIGUSR1 to the caller in 50 ms. */
static pid_t
poke_later(void)
{
	pid_t pid = fork(), parent;

	if (pid == 0) {
		parent = getppid();
		usleep(50000);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	return pid;
}

/*
 * wait_with_full_mask() - each call that waits with a mask of every signal
 * but SIGUSR1 (SIGSYS too), while SIGUSR1 arrives and its handler stats.
 */
static void
wait_with_full_mask(void)
{
	struct timespec ts = {5, 0};
	struct epoll_event ev;
	sigset_t all, m;
	int ep = epoll_create1(0);
	pid_t pid;

	signal(SIGUSR1, on_usr1);
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	sigfillset(&m);
	sigdelset(&m, SIGUSR1);
	pid = poke_later();
	sigsuspend(&m);
	waitpid(pid, NULL, 0);
	printf("sigsuspend, handler's stat: %d\n", (int)usr1_stats);
	pid = poke_later();
	ppoll(NULL, 0, &ts, &m);
	waitpid(pid, NULL, 0);
	printf("ppoll, handler's stat: %d\n", (int)usr1_stats);
	pid = poke_later();
	pselect(0, NULL, NULL, NULL, &ts, &m);
	waitpid(pid, NULL, 0);
	printf("pselect, handler's stat: %d\n", (int)usr1_stats);
	pid = poke_later();
	epoll_pwait(ep, &ev, 1, 5000, &m);
	waitpid(pid, NULL, 0);
	printf("epoll_pwait, handler's stat: %d\n", (int)usr1_stats);
	sigemptyset(&m);
	sigprocmask(SIG_SETMASK, &m, NULL);
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
	wait_with_full_mask();
	pending_checks();
	return_mask_checks();
	sa_mask_checks();
	return 0;
}
