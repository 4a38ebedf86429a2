/*
 * concurrency.c - the core from many threads at once, from a signal handler
 * that interrupts it, and across fork() while other threads are inside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vroot.h"
#include "tap.h"

#define THREADS 8
#define ROUNDS  3000

static struct vr_ns *ns;
static struct vr_task *shared;
static struct stat want_passwd, want_proc;
static atomic_int bad, handler_calls, handler_bad, stop;

static int
same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static void *
worker(void *arg)
{
	struct vr_task *own;
	char buf[PATH_MAX];
	struct stat st;
	int id = (int)(long)arg;

	if (vr_task_dup(shared, &own) < 0) {
		atomic_fetch_add(&bad, 1);
		return NULL;
	}
	for (int i = 0; i < ROUNDS; i++) {
		/* Per-thread cwd: each thread alternates between two directories. */
		const char *dir = (i + id) % 2 ? "/etc" : "/proc";

		if (vr_chdir(own, dir) < 0 || vr_getcwd(own, buf, sizeof(buf)) < 0 ||
		    strcmp(buf, dir) != 0)
			atomic_fetch_add(&bad, 1);
		if (vr_fstatat(own, AT_FDCWD, (i + id) % 2 ? "passwd" : ".", &st, 0) < 0 ||
		    !same(&st, (i + id) % 2 ? &want_passwd : &want_proc))
			atomic_fetch_add(&bad, 1);
		if (vr_fstatat(shared, AT_FDCWD, "/etc/../etc//passwd", &st, 0) < 0 ||
		    !same(&st, &want_passwd))
			atomic_fetch_add(&bad, 1);
		if (vr_realpath(shared, AT_FDCWD, "/etc/./passwd", 0, buf, sizeof(buf)) < 0 ||
		    strcmp(buf, "/etc/passwd") != 0)
			atomic_fetch_add(&bad, 1);
	}
	vr_task_free(own);
	return NULL;
}

static void
on_alarm(int sig)
{
	struct stat st;
	int saved = errno;

	(void)sig;
	atomic_fetch_add(&handler_calls, 1);
	if (vr_fstatat(shared, AT_FDCWD, "/etc/passwd", &st, 0) < 0 || !same(&st, &want_passwd))
		atomic_fetch_add(&handler_bad, 1);
	errno = saved;
}

static void *
forker(void *arg)
{
	int *failures = arg;

	for (int i = 0; i < 20 && !atomic_load(&stop); i++) {
		pid_t pid = fork();
		int status;

		if (pid == 0) {
			struct stat st;

			/* Another thread may have held a scratch slot at fork time. */
			for (int k = 0; k < 50; k++)
				if (vr_fstatat(shared, AT_FDCWD, "/etc/passwd", &st, 0) < 0 ||
				    !same(&st, &want_passwd))
					_exit(1);
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			(*failures)++;
	}
	return NULL;
}

int
main(void)
{
	const char *lowers[] = {"/"};
	struct vr_ns_spec spec = {.lowers = lowers, .nlowers = 1};
	struct itimerval it = {.it_interval = {0, 200}, .it_value = {0, 200}};
	struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = SA_RESTART};
	pthread_t th[THREADS], fk;
	int fork_failures = 0;

	if (stat("/etc/passwd", &want_passwd) < 0 || stat("/proc", &want_proc) < 0)
		skip_all("no /etc/passwd or /proc on this host");
	if (vr_ns_new(&spec, &ns) < 0 || vr_task_new(ns, &shared) < 0)
		skip_all("cannot create a namespace over /");
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	for (long i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	pthread_create(&fk, NULL, forker, &fork_failures);
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	atomic_store(&stop, 1);
	pthread_join(fk, NULL);
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);

	is_int(atomic_load(&bad), 0, "%d threads x %d rounds: every answer right", THREADS, ROUNDS);
	ok(atomic_load(&handler_calls) > 0, "the signal handler ran (%d times)",
	   atomic_load(&handler_calls));
	is_int(atomic_load(&handler_bad), 0, "calls from a signal handler interrupting the core");
	is_int(fork_failures, 0, "children forked while threads were inside the core");
	vr_task_free(shared);
	vr_ns_free(ns);
	return done_testing();
}
