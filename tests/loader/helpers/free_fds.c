/*
 * free_fds.c - what a program gets for descriptor numbers it never opened,
 * and whether it can take them.  Run natively and through `vroot run`; the
 * output must be the same.
 *
 *   free_fds probe LO HI          per number: the errno of fstat, fcntl(F_GETFD),
 *                                 fstatfs, read, lseek, dup, fchdir, close,
 *                                 getdents64, openat(N, "."), openat(N, "/")
 *   free_fds closeall PROG ARGS   close 3 .. the descriptor limit, then exec PROG
 *   free_fds closerange PROG ARGS close_range(3, ~0U, 0), then exec PROG
 *   free_fds dup2 N FILE PATH     dup2 a descriptor of FILE onto N, write and read
 *                                 through N, close it, then open PATH and exec
 *                                 /bin/sh -c 'echo exec-ok'
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *
res(long r)
{
	static char buf[8][32];
	static int k;
	char *b = buf[k++ % 8];

	if (r >= 0)
		return "ok";
	snprintf(b, 32, "%s", strerrorname_np(errno) ? strerrorname_np(errno) : "?");
	return b;
}

static int
probe(int lo, int hi)
{
	for (int fd = lo; fd <= hi; fd++) {
		struct stat st;
		struct statfs sf;
		char c, dents[512];
		const char *r[11];
		long d;

		r[0] = res(fstat(fd, &st));
		r[1] = res(fcntl(fd, F_GETFD));
		r[2] = res(fstatfs(fd, &sf));
		r[3] = res(read(fd, &c, 1));
		r[4] = res(lseek(fd, 0, SEEK_CUR));
		d = dup(fd);
		r[5] = res(d);
		if (d >= 0)
			close((int)d);
		r[6] = res(syscall(SYS_getdents64, fd, dents, sizeof(dents)));
		d = openat(fd, ".", O_RDONLY | O_DIRECTORY);
		r[7] = res(d);
		if (d >= 0)
			close((int)d);
		d = openat(fd, "/", O_RDONLY | O_DIRECTORY);
		r[8] = res(d);
		if (d >= 0)
			close((int)d);
		r[9] = res(faccessat(fd, "", F_OK, AT_EMPTY_PATH));
		/* Last: it would take the descriptor away. */
		r[10] = res(close(fd));
		printf("%d: fstat=%s getfd=%s fstatfs=%s read=%s lseek=%s dup=%s getdents=%s "
		       "openat.=%s openat/=%s faccessat=%s close=%s\n",
		       fd, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10]);
	}
	/* The namespace still answers. */
	printf("fchdir after: %s\n", res(chdir("/")));
	return 0;
}

static int
run(char **argv)
{
	fflush(stdout);
	execvp(argv[0], argv);
	printf("exec %s: %s\n", argv[0], strerror(errno));
	return 1;
}

static int
closeall(char **argv)
{
	struct rlimit rl;

	getrlimit(RLIMIT_NOFILE, &rl);
	for (long fd = 3; fd < (long)rl.rlim_cur; fd++)
		close((int)fd);
	printf("closed 3..%ld\n", (long)rl.rlim_cur - 1);
	return run(argv);
}

static int
closerange(char **argv)
{
	printf("close_range: %s\n", res(syscall(SYS_close_range, 3, ~0U, 0)));
	return run(argv);
}

static int
dup2_onto(int n, const char *file, const char *path)
{
	char buf[16] = "";
	int fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0600), r, d;
	char *sh[] = {"/bin/sh", "-c", "echo exec-ok", NULL};

	if (fd < 0)
		return printf("open %s: %s\n", file, strerror(errno)), 1;
	r = dup2(fd, n);
	printf("dup2 onto %d: %s%s\n", n, res(r), r == n ? " (that number)" : "");
	close(fd);
	printf("write: %s\n", res(write(n, "through", 7)));
	printf("lseek: %s\n", res(lseek(n, 0, SEEK_SET)));
	printf("read: %s \"%s\"\n", res(read(n, buf, sizeof(buf) - 1)), buf);
	printf("getfd: %s\n", res(fcntl(n, F_GETFD)));
	/* dup3 onto the next number, then both go away. */
	d = dup3(n, n + 1, O_CLOEXEC);
	printf("dup3 onto %d: %s%s\n", n + 1, res(d), d == n + 1 ? " (that number)" : "");
	printf("close: %s %s\n", res(close(n)), res(close(n + 1)));
	printf("close again: %s\n", res(close(n)));
	fd = open(path, O_RDONLY);
	printf("open %s: %s\n", path, res(fd));
	return run(sh);
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "probe"))
		return probe(atoi(argv[2]), atoi(argv[3]));
	if (argc >= 3 && !strcmp(argv[1], "closeall"))
		return closeall(argv + 2);
	if (argc >= 3 && !strcmp(argv[1], "closerange"))
		return closerange(argv + 2);
	if (argc == 5 && !strcmp(argv[1], "dup2"))
		return dup2_onto(atoi(argv[2]), argv[3], argv[4]);
	fprintf(stderr, "usage: see the top of free_fds.c\n");
	return 2;
}
