/*
 * own_seccomp.c - a program with its own SIGSYS handler and its own
 * seccomp filter, as sandboxes have.  Run under vroot it must see its own
 * traps (with its own SECCOMP_RET_DATA) and its own SIGSYS disposition,
 * and keep working when it blocks SIGSYS or handles signals with a full
 * mask.  Prints "ok" lines; exits non-zero on the first failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#define MY_TAG 0x1234

static volatile int seen_tag = -1;
static volatile int usr1_ok;

static void
on_sigsys(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig;
	seen_tag = si->si_errno;
	uc->uc_mcontext.gregs[REG_RAX] = 4242;
}

static void
on_usr1(int sig)
{
	int fd = open("/etc/hostname", O_RDONLY);

	(void)sig;
	usr1_ok = fd >= 0;
	if (fd >= 0)
		close(fd);
}

#define CHECK(cond, msg)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("FAIL %s\n", msg);                                                  \
			exit(1);                                                                   \
		}                                                                                  \
		printf("ok %s\n", msg);                                                            \
	} while (0)

int
main(void)
{
	struct sock_filter f[] = {
	        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
	        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP | MY_TAG),
	        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof(f) / sizeof(f[0]), f};
	struct sigaction sa, old;
	sigset_t all, prev;
	int fd, st;
	pid_t pid;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	CHECK(sigaction(SIGSYS, &sa, NULL) == 0, "install own SIGSYS handler");
	CHECK(sigaction(SIGSYS, NULL, &old) == 0 && old.sa_sigaction == on_sigsys,
	      "sigaction(SIGSYS) reads back own handler");
	CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, "no_new_privs");
	CHECK(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0, "install own filter");
	CHECK(syscall(SYS_getppid) == 4242 && seen_tag == MY_TAG, "own trap reaches own handler");
	fd = open("/etc/hostname", O_RDONLY);
	CHECK(fd >= 0, "open still works under both filters");
	close(fd);

	sigfillset(&all);
	CHECK(sigprocmask(SIG_BLOCK, &all, &prev) == 0, "block every signal");
	fd = open("/etc/hostname", O_RDONLY);
	CHECK(fd >= 0, "trapped call with SIGSYS blocked by the program");
	close(fd);
	CHECK(sigprocmask(SIG_SETMASK, &prev, NULL) == 0, "restore mask");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigfillset(&sa.sa_mask);
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0, "SIGUSR1 handler with a full sa_mask");
	raise(SIGUSR1);
	CHECK(usr1_ok, "trapped call inside a handler that blocks everything");

	pid = fork();
	if (pid == 0) {
		sa.sa_handler = SIG_DFL;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGSYS, &sa, NULL);
		_exit(syscall(SYS_getppid) == 4242 ? 1 : 0);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
	      "own trap with SIG_DFL kills with SIGSYS, as natively");
	CHECK(sigaction(SIGSYS, NULL, &old) == 0 && old.sa_sigaction == on_sigsys,
	      "child's SIG_DFL did not change the parent's handler");
	return 0;
}
