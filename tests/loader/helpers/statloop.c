/*
 * statloop.c - N newfstatat() calls on one path; prints ns per call.
 * Usage: statloop N PATH [libc]
 * By syscall(3), or with "libc" by fstatat(3): glibc's wrapper, whose
 * site vroot rewrites, where the generic syscall() is left trapping.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000, i;
	const char *path = argc > 2 ? argv[2] : "/etc/passwd";
	int libc = argc > 3 && !strcmp(argv[3], "libc");
	struct timespec a, b;
	struct stat st;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++)
		if (libc ? fstatat(AT_FDCWD, path, &st, 0) : syscall(SYS_newfstatat, AT_FDCWD, path, &st, 0))
			return 1;
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
	return 0;
}
