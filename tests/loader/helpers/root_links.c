/*
 * root_links.c - what the root links of /proc say and where they lead:
 * this process's, a child's (a process of the same namespace when run
 * through vroot) and, when given, another process's.
 *
 *   root_links FILE [PID]
 *
 * For each link prints "NAME LINK-TEXT" (or the errno's name) and
 * "NAME/FILE ok" when FILE (an absolute path) opens through the link.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *
err_name(int e)
{
	switch (e) {
	case ENOENT:
		return "ENOENT";
	case EACCES:
		return "EACCES";
	case ENOTDIR:
		return "ENOTDIR";
	default:
		return strerror(e);
	}
}

static void
show(const char *name, const char *link, const char *file)
{
	char buf[4096], path[4096];
	ssize_t n = readlink(link, buf, sizeof(buf) - 1);
	int fd;

	if (n < 0) {
		printf("%s %s\n", name, err_name(errno));
	} else {
		buf[n] = '\0';
		printf("%s %s\n", name, buf);
	}
	snprintf(path, sizeof(path), "%s%s", link, file);
	fd = open(path, O_RDONLY);
	printf("%s/FILE %s\n", name, fd < 0 ? err_name(errno) : "ok");
	if (fd >= 0)
		close(fd);
}

int
main(int argc, char **argv)
{
	char link[64];
	int p[2], status;
	pid_t child;

	if (argc < 2 || argv[1][0] != '/') {
		fprintf(stderr, "usage: root_links /FILE [PID]\n");
		return 2;
	}
	if (pipe(p))
		return 1;
	child = fork();
	if (child == 0) {
		char c;

		close(p[1]);
		/* Wait for the parent to be done looking. */
		read(p[0], &c, 1);
		_exit(0);
	}
	close(p[0]);
	show("self", "/proc/self/root", argv[1]);
	snprintf(link, sizeof(link), "/proc/self/task/%d/root", getpid());
	show("thread", link, argv[1]);
	snprintf(link, sizeof(link), "/proc/%d/root", child);
	show("child", link, argv[1]);
	snprintf(link, sizeof(link), "/proc/%d/task/%d/root", child, child);
	show("child-thread", link, argv[1]);
	if (argc > 2) {
		snprintf(link, sizeof(link), "/proc/%s/root", argv[2]);
		show("other", link, argv[1]);
	}
	fflush(stdout);
	close(p[1]);
	waitpid(child, &status, 0);
	return 0;
}
