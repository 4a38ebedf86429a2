/*
 * sigsys_kept.c - ways a program takes away the SIGSYS a vroot trap needs,
 * each followed by trapped calls that must work as natively:
 *  - a child made by clone3(CLONE_CLEAR_SIGHAND), all its handlers reset;
 *  - a signal handler that adds SIGSYS to the mask its return restores;
 *  - Syscall User Dispatch: a call it dispatches reaches the program's
 *    SIGSYS handler, or it is refused with EINVAL (kernels without it).
 * Prints one line per case.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include <sys/prctl.h>

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH  59
#define PR_SYS_DISPATCH_ON            1
#define SYSCALL_DISPATCH_FILTER_ALLOW 0
#define SYSCALL_DISPATCH_FILTER_BLOCK 1
#endif
#ifndef SYS_USER_DISPATCH
#define SYS_USER_DISPATCH 2
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif

static void
on_usr1(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig;
	(void)si;
	sigaddset(&uc->uc_sigmask, SIGSYS);
}

static volatile char selector = SYSCALL_DISPATCH_FILTER_ALLOW;

/* No system call before the selector lets them through again. */
static void
on_sys(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig;
	selector = SYSCALL_DISPATCH_FILTER_ALLOW;
	if (si->si_code == SYS_USER_DISPATCH)
		uc->uc_mcontext.gregs[REG_RAX] = 4242;
}

int
main(void)
{
	struct clone_args ca;
	struct sigaction sa;
	struct stat st;
	int status;
	long pid;

	/* Where clone3 is refused (old kernels), fork is what programs use. */
	memset(&ca, 0, sizeof(ca));
	ca.flags = CLONE_CLEAR_SIGHAND;
	ca.exit_signal = SIGCHLD;
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid < 0 && errno == ENOSYS)
		pid = fork();
	if (pid == 0)
		_exit(stat("/", &st) == 0 && access("/", R_OK) == 0 ? 0 : 1);
	if (pid < 0 || waitpid((pid_t)pid, &status, 0) < 0)
		return 1;
	printf("child of clone3(CLONE_CLEAR_SIGHAND): %s %d\n",
	       WIFEXITED(status) ? "exited" : "killed by signal",
	       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	fflush(stdout);

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	printf("stat after a handler blocked SIGSYS: %s\n",
	       stat("/", &st) ? strerror(errno) : "ok");
	printf("open after a handler blocked SIGSYS: %s\n",
	       access("/etc/passwd", R_OK) ? strerror(errno) : "ok");
	fflush(stdout);

	{
		sigset_t sys;

		sigemptyset(&sys);
		sigaddset(&sys, SIGSYS);
		sigprocmask(SIG_UNBLOCK, &sys, NULL);
	}
	sa.sa_sigaction = on_sys;
	sigaction(SIGSYS, &sa, NULL);
	if (prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, 0, 0, &selector)) {
		printf("Syscall User Dispatch: refused (%s)\n", strerror(errno));
	} else {
		long r;

		selector = SYSCALL_DISPATCH_FILTER_BLOCK;
		r = syscall(SYS_getppid);
		printf("Syscall User Dispatch: %s\n", r == 4242 ? "dispatched" : "not dispatched");
	}
	printf("stat after Syscall User Dispatch: %s\n", stat("/", &st) ? strerror(errno) : "ok");
	return 0;
}
