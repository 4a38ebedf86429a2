/*
 * fifo_signal.c - a signal arriving while a trapped call blocks (open of a
 * FIFO without a writer) must interrupt it as natively: EINTR without
 * SA_RESTART, a transparent restart with it; with O_RDONLY alone and with
 * O_CLOEXEC (which vroot's walk opens itself).  Usage: fifo_signal DIR
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int hits;

static void
on_alrm(int sig)
{
	(void)sig;
	hits++;
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	char path[4096];
	int fd, st;
	pid_t w;

	snprintf(path, sizeof(path), "%s/fifo", argc > 1 ? argv[1] : "/tmp");
	for (int cloexec = 0; cloexec < 2; cloexec++) {
		int flags = O_RDONLY | (cloexec ? O_CLOEXEC : 0);

		unlink(path);
		if (mkfifo(path, 0600))
			return 1;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_alrm;
		sigaction(SIGALRM, &sa, NULL);
		alarm(1);
		fd = open(path, flags);
		printf("no SA_RESTART (%#o): fd=%d errno=%s hits=%d\n", flags, fd,
		       fd < 0 ? strerror(errno) : "-", hits);

		sa.sa_flags = SA_RESTART;
		sigaction(SIGALRM, &sa, NULL);
		w = fork();
		if (w == 0) {
			sleep(2);
			_exit(open(path, O_WRONLY) < 0);
		}
		alarm(1);
		fd = open(path, flags);
		waitpid(w, &st, 0);
		printf("SA_RESTART (%#o): opened=%d hits=%d\n", flags, fd >= 0, hits);
		if (fd >= 0)
			close(fd);
	}
	unlink(path);
	return 0;
}
