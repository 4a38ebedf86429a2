/*
 * fill_fds.c - a program that fills its descriptor table, leaves FREE
 * numbers free, then makes calls that need one descriptor (open) or none
 * (stat, mkdir, rename, unlink).  Prints one line per call, "call ok" or
 * "call ERRNO-NAME", and nothing of the count it filled (vroot's own
 * descriptors take a few numbers of the table: README).
 *
 *   fill_fds FREE FILE DIR   open and stat FILE; mkdir DIR/new, rename it
 *                            to DIR/new2 and remove it; then create DIR/f
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char path[4096];

static void
say(const char *what, int r)
{
	if (r < 0)
		printf("%s %s\n", what, strerrorname_np(errno));
	else
		printf("%s ok\n", what);
}

static const char *
in(const char *dir, const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

int
main(int argc, char **argv)
{
	static int fds[1 << 16];
	char new2[4096];
	struct stat st;
	int n = 0, fd, keep;

	if (argc != 4)
		return 2;
	keep = atoi(argv[1]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (n < (1 << 16) && (fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
		fds[n++] = fd;
	say("fill", errno == EMFILE ? -1 : 0);
	for (int i = 0; i < keep && n > 0; i++)
		close(fds[--n]);
	fd = open(argv[2], O_RDONLY);
	say("open", fd);
	if (fd >= 0)
		close(fd);
	say("open again", fd = open(argv[2], O_RDONLY));
	say("stat", stat(argv[2], &st));
	say("mkdir", mkdir(in(argv[3], "new"), 0755));
	snprintf(new2, sizeof(new2), "%s/new2", argv[3]);
	say("rename", rename(in(argv[3], "new"), new2));
	say("rmdir", rmdir(new2));
	if (fd >= 0)
		close(fd);
	fd = open(in(argv[3], "f"), O_WRONLY | O_CREAT, 0644);
	say("create", fd);
	say("unlink", unlink(in(argv[3], "f")));
	return 0;
}
