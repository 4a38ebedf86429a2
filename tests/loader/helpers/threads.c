/*
 * threads.c - threads doing trapped calls at once, one of them forking
 * and executing.  Prints "threads ok" on success.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NT    8
#define NITER 2000

static void *
work(void *arg)
{
	long i, bad = 0;
	struct stat st;

	for (i = 0; i < NITER; i++) {
		int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);

		if (fd < 0 || fstat(fd, &st) || stat("/", &st))
			bad++;
		if (fd >= 0)
			close(fd);
	}
	if ((long)arg == 0) {
		pid_t p = fork();
		int status;

		if (p == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		if (waitpid(p, &status, 0) != p || !WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	}
	return (void *)bad;
}

int
main(void)
{
	pthread_t t[NT];
	long i, bad = 0;
	void *r;

	for (i = 0; i < NT; i++)
		pthread_create(&t[i], NULL, work, (void *)i);
	for (i = 0; i < NT; i++) {
		pthread_join(t[i], &r);
		bad += (long)r;
	}
	printf(bad ? "threads FAIL %ld\n" : "threads ok\n", bad);
	return bad != 0;
}
