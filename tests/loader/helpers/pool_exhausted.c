/*
 * pool_exhausted.c - a trapped call made when no stack of vroot's can be
 * had must not run on the program's signal stack.
 *
 *     pool_exhausted DIR [TRIES]
 *
 * 64 threads block in open() of a FIFO in DIR (through vroot each holds
 * one of the 64 stacks of the first pool chunk), the address-space limit
 * is lowered so that no further chunk can be mapped, and a signal handler
 * on a 16 KiB signal stack then calls readlink("/proc/self/exe"), whose
 * handler path needs more than that.  Prints what readlink gave and how
 * many bytes below the signal stack changed; natively "ok" and 0.  With
 * TRIES, a call that succeeded is made again, a second apart, up to TRIES
 * times until it fails (a thread slow to reach its open() leaves a stack
 * free).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define THREADS 64
#define BELOW   (64 * 1024)
#define ALT     (16 * 1024)

static char fifo[4096];
static int entered;
static volatile long got;
static volatile int got_errno;

static void *
reader(void *arg)
{
	(void)arg;
	__atomic_add_fetch(&entered, 1, __ATOMIC_SEQ_CST);
	int fd = open(fifo, O_RDONLY);
	if (fd >= 0)
		close(fd);
	return NULL;
}

static void
on_usr1(int sig)
{
	char buf[256];

	(void)sig;
	got = readlink("/proc/self/exe", buf, sizeof(buf));
	got_errno = errno;
}

int
main(int argc, char **argv)
{
	pthread_t t[THREADS];
	struct rlimit old, low;
	char statm[128];
	unsigned long pages = 0;
	size_t changed = 0;

	if (argc != 2 && argc != 3)
		return 2;
	snprintf(fifo, sizeof(fifo), "%s/fifo", argv[1]);
	if (mkfifo(fifo, 0600) != 0)
		return perror("mkfifo"), 2;
	int sfd = open("/proc/self/statm", O_RDONLY);
	unsigned char *area = mmap(NULL, BELOW + ALT, PROT_READ | PROT_WRITE,
	                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sfd < 0 || area == MAP_FAILED)
		return perror("setup"), 2;
	memset(area, 'G', BELOW + ALT);
	stack_t ss = {.ss_sp = area + BELOW, .ss_size = ALT};
	struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = SA_ONSTACK};
	if (sigaltstack(&ss, NULL) || sigaction(SIGUSR1, &sa, NULL))
		return perror("sigaltstack"), 2;

	for (int i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, reader, NULL))
			return perror("pthread_create"), 2;
	while (__atomic_load_n(&entered, __ATOMIC_SEQ_CST) < THREADS)
		usleep(1000);
	sleep(1); /* all of them inside open() by now */

	/* No new mapping from here on: what is mapped now, and a little. */
	ssize_t n = pread(sfd, statm, sizeof(statm) - 1, 0);
	if (n <= 0 || sscanf(statm, "%lu", &pages) != 1)
		return perror("statm"), 2;
	getrlimit(RLIMIT_AS, &old);
	low = old;
	low.rlim_cur = pages * 4096ul + (1ul << 20);
	if (setrlimit(RLIMIT_AS, &low))
		return perror("setrlimit"), 2;
	for (int i = 0, tries = argc > 2 ? atoi(argv[2]) : 1; i < tries; i++) {
		raise(SIGUSR1);
		if (got <= 0)
			break;
		sleep(1);
	}
	setrlimit(RLIMIT_AS, &old);

	for (size_t i = 0; i < BELOW; i++)
		changed += area[i] != 'G';
	printf("readlink: %s; bytes changed below the signal stack: %zu\n",
	       got > 0 ? "ok" : strerror(got_errno), changed);
	fflush(stdout);

	int w = open(fifo, O_WRONLY);
	if (w >= 0)
		close(w);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	return 0;
}
