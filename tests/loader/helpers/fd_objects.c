/*
 * fd_objects.c - what calls do with an open descriptor named by
 * /proc/self/fd/N or by AT_EMPTY_PATH: each subcommand prints one line per
 * call, "call errno-name" or "call ok ...", and nothing of the paths, so
 * the output natively and through vroot compare as they are.
 *
 *   fd_objects tmpfile-empty DIR NAME   O_TMPFILE in DIR, linkat(fd, "", AT_EMPTY_PATH)
 *   fd_objects chmod-opath LINK         chmod of /proc/self/fd/N, N an O_PATH|O_NOFOLLOW LINK
 *   fd_objects access-pipe              faccessat(fd, "", AT_EMPTY_PATH): pipe, memfd, O_TMPFILE
 *   fd_objects proc-dir                 readlink /proc/self/fd/N of procfs directories
 *   fd_objects handle FILE LINK         name_to_handle_at of FILE, of LINK (a symlink to it)...
 *   fd_objects truncate FILE            fstat of a read descriptor after truncate through it
 *   fd_objects reader FILE              read a descriptor opened before the file is rewritten
 *   fd_objects other-writer FILE        the same, the file rewritten by a child process; a
 *                                       stat of FILE before reading on
 *   fd_objects read PATH...             each PATH's first line, or the errno's name
 *   fd_objects readlink PATH...         each PATH's readlink, or the errno's name
 *   fd_objects open PATH...             open O_RDONLY|O_NONBLOCK of each PATH: ok or errno
 *   fd_objects open-path PATH...        the same with O_PATH
 *   fd_objects hold                     hold a pipe's read end as fd 7 and a socket as
 *                                       fd 8, say "ready", wait to be killed
 *   fd_objects child-objects            a child holds them (as hold); open its fd/7
 *                                       (O_RDONLY|O_NONBLOCK) and fd/8 (O_PATH)
 *
 * Built static, it runs in a tree that holds nothing else.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void
say(const char *what, int r)
{
	if (r < 0)
		printf("%s %s\n", what, strerrorname_np(errno));
	else
		printf("%s ok\n", what);
}

static const char *
proc_fd(int fd)
{
	static char p[64];

	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	return p;
}

static void
tmpfile_empty(const char *dir, const char *name)
{
	char buf[16] = "";
	int fd = open(dir, O_TMPFILE | O_WRONLY, 0640), r;

	say("open O_TMPFILE", fd);
	if (fd < 0)
		return;
	if (write(fd, "made\n", 5) != 5)
		say("write", -1);
	r = linkat(fd, "", AT_FDCWD, name, AT_EMPTY_PATH);
	say("linkat AT_EMPTY_PATH", r);
	r = linkat(fd, "", AT_FDCWD, name, AT_EMPTY_PATH);
	say("linkat AT_EMPTY_PATH again", r);
	fd = open(name, O_RDONLY);
	if (fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0)
		printf("content %s", buf);
}

static void
chmod_opath(const char *link)
{
	struct stat st;
	int fd = open(link, O_PATH | O_NOFOLLOW);

	say("open O_PATH|O_NOFOLLOW", fd);
	say("chmod /proc/self/fd/N", chmod(proc_fd(fd), 0600));
	say("fchmodat /proc/self/fd/N", fchmodat(AT_FDCWD, proc_fd(fd), 0600, 0));
	say("lstat /proc/self/fd/N", lstat(proc_fd(fd), &st));
	printf("is a symlink: %s\n", S_ISLNK(st.st_mode) ? "yes" : "no");
	say("stat /proc/self/fd/N", stat(proc_fd(fd), &st));
	printf("is a symlink: %s\n", S_ISLNK(st.st_mode) ? "yes" : "no");
	say("stat LINK", stat(link, &st));
	printf("target mode %o\n", st.st_mode & 07777);
}

static void
access_pipe(void)
{
	int p[2];

	if (pipe(p) < 0)
		return;
	say("faccessat2 F_OK", (int)syscall(SYS_faccessat2, p[0], "", F_OK, AT_EMPTY_PATH));
	say("faccessat2 R_OK", (int)syscall(SYS_faccessat2, p[0], "", R_OK, AT_EMPTY_PATH));
	say("faccessat2 W_OK of the write end",
	    (int)syscall(SYS_faccessat2, p[1], "", W_OK, AT_EMPTY_PATH));
	p[0] = memfd_create("vroot-test", 0);
	say("faccessat2 R_OK of a memfd",
	    (int)syscall(SYS_faccessat2, p[0], "", R_OK, AT_EMPTY_PATH));
	p[0] = open(".", O_TMPFILE | O_RDWR, 0600);
	say("open O_TMPFILE in .", p[0]);
	say("faccessat2 W_OK of an O_TMPFILE file",
	    (int)syscall(SYS_faccessat2, p[0], "", W_OK, AT_EMPTY_PATH));
}

static void
proc_dir(void)
{
	static const char *const dirs[] = {"/proc", "/proc/self", "/proc/self/fd", "/proc/sys"};
	char buf[256];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		int fd = open(dirs[i], O_RDONLY | O_DIRECTORY);
		ssize_t n = fd < 0 ? -1 : readlink(proc_fd(fd), buf, sizeof(buf) - 1);
		char self[32];

		if (n < 0) {
			say(dirs[i], -1);
			continue;
		}
		buf[n] = 0;
		/* The pid differs from run to run. */
		snprintf(self, sizeof(self), "/proc/%d", (int)getpid());
		if (!strncmp(buf, self, strlen(self)))
			printf("%s -> /proc/PID%s\n", dirs[i], buf + strlen(self));
		else
			printf("%s -> %s\n", dirs[i], buf);
		close(fd);
	}
}

/* n2h() - name_to_handle_at() into @h (@room bytes), printed as @what. */
static int
n2h(const char *what, int dfd, const char *path, int flags, struct file_handle *h,
    unsigned int room)
{
	int mnt, r;

	h->handle_bytes = room;
	r = name_to_handle_at(dfd, path, h, &mnt, flags);
	say(what, r);
	return r;
}

static int
same_handle(const struct file_handle *a, const struct file_handle *b)
{
	return a->handle_type == b->handle_type && a->handle_bytes == b->handle_bytes &&
	       !memcmp(a->f_handle, b->f_handle, a->handle_bytes);
}

static void
handle(const char *file, const char *link)
{
	struct file_handle *h[3];
	int fd;

	for (int i = 0; i < 3; i++)
		h[i] = malloc(sizeof(*h[i]) + MAX_HANDLE_SZ);
	if (n2h("name_to_handle_at FILE", AT_FDCWD, file, 0, h[0], MAX_HANDLE_SZ) < 0)
		return;
	n2h("... no room", AT_FDCWD, file, 0, h[1], 0);
	printf("room asked for: %s\n",
	       h[1]->handle_bytes == h[0]->handle_bytes ? "as needed" : "not");
	n2h("LINK, AT_SYMLINK_FOLLOW", AT_FDCWD, link, AT_SYMLINK_FOLLOW, h[1], MAX_HANDLE_SZ);
	printf("the same as FILE's: %s\n", same_handle(h[0], h[1]) ? "yes" : "no");
	n2h("LINK", AT_FDCWD, link, 0, h[1], MAX_HANDLE_SZ);
	printf("the same as FILE's: %s\n", same_handle(h[0], h[1]) ? "yes" : "no");
	fd = open(file, O_RDONLY);
	n2h("descriptor, AT_EMPTY_PATH", fd, "", AT_EMPTY_PATH, h[2], MAX_HANDLE_SZ);
	printf("the same as FILE's: %s\n", same_handle(h[0], h[2]) ? "yes" : "no");
	n2h("a missing name", AT_FDCWD, "missing-name", 0, h[1], MAX_HANDLE_SZ);
	n2h("unknown flags", AT_FDCWD, file, 0x8000, h[1], MAX_HANDLE_SZ);
}

static void
truncate_through(const char *file)
{
	struct stat st;
	int fd = open(file, O_RDONLY), w;

	say("open", fd);
	say("truncate /proc/self/fd/N to 2", truncate(proc_fd(fd), 2));
	say("fstat", fstat(fd, &st));
	printf("fstat size %ld\n", (long)st.st_size);
	w = open(proc_fd(fd), O_WRONLY | O_TRUNC);
	say("open /proc/self/fd/N O_TRUNC", w);
	say("fstat", fstat(fd, &st));
	printf("fstat size %ld\n", (long)st.st_size);
}

static void
reader(const char *file)
{
	char buf[64];
	int fd = open(file, O_RDONLY), w;
	ssize_t n;

	say("open", fd);
	n = read(fd, buf, 2);
	printf("read %.*s\n", (int)(n > 0 ? n : 0), buf);
	w = open(file, O_WRONLY | O_TRUNC);
	say("open O_WRONLY|O_TRUNC", w);
	if (write(w, "NEW content\n", 12) != 12)
		say("write", -1);
	n = read(fd, buf, sizeof(buf));
	printf("read after the change %.*s", (int)(n > 0 ? n : 0), buf);
	printf("flags %o\n", fcntl(fd, F_GETFL) & ~O_LARGEFILE);
	say("lseek 0", (int)lseek(fd, 0, SEEK_SET));
	n = read(fd, buf, sizeof(buf));
	printf("read from 0 %.*s", (int)(n > 0 ? n : 0), buf);
}

static void
read_paths(char **paths, int n)
{
	for (int i = 0; i < n; i++) {
		char buf[256];
		int fd = open(paths[i], O_RDONLY);
		ssize_t r = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

		if (r < 0) {
			printf("%s %s\n", paths[i], strerrorname_np(errno));
			continue;
		}
		buf[r] = 0;
		buf[strcspn(buf, "\n")] = 0;
		printf("%s %s\n", paths[i], buf);
		close(fd);
	}
}

/* other_writer() - reader(), the file rewritten by a forked child. */
static void
other_writer(const char *file)
{
	char buf[64];
	int fd = open(file, O_RDONLY | O_NONBLOCK), st = 0;
	struct stat sb;
	ssize_t n;
	pid_t pid;

	say("open", fd);
	n = read(fd, buf, 2);
	printf("read %.*s\n", (int)(n > 0 ? n : 0), buf);
	pid = fork();
	if (pid == 0) {
		int w = open(file, O_WRONLY | O_TRUNC);

		_exit(w >= 0 && write(w, "NEW content\n", 12) == 12 ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	printf("child %d\n", st);
	say("stat", stat(file, &sb));
	n = read(fd, buf, sizeof(buf));
	printf("read after the change %.*s", (int)(n > 0 ? n : 0), buf);
	printf("flags %o\n", fcntl(fd, F_GETFL) & ~O_LARGEFILE);
	say("lseek 0", (int)lseek(fd, 0, SEEK_SET));
	n = read(fd, buf, sizeof(buf));
	printf("read from 0 %.*s", (int)(n > 0 ? n : 0), buf);
}

static void
readlink_paths(char **paths, int n)
{
	char buf[4096];

	for (int i = 0; i < n; i++) {
		ssize_t len = readlink(paths[i], buf, sizeof(buf) - 1);

		if (len < 0) {
			printf("%s %s\n", paths[i], strerrorname_np(errno));
			continue;
		}
		buf[len] = 0;
		printf("%s %s\n", paths[i], buf);
	}
}

static void
open_paths(char **paths, int n, int flags)
{
	for (int i = 0; i < n; i++) {
		int fd = open(paths[i], flags | O_CLOEXEC);

		printf("%s %s\n", paths[i], fd < 0 ? strerrorname_np(errno) : "ok");
		if (fd >= 0)
			close(fd);
	}
}

/* hold_objects() - a pipe's read end at fd 7, a socket at fd 8. */
static void
hold_objects(void)
{
	int p[2], sv[2];

	if (pipe(p) || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || dup2(p[0], 7) < 0 ||
	    dup2(sv[0], 8) < 0) {
		perror("hold");
		exit(1);
	}
}

static void
hold(void)
{
	hold_objects();
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

static void
child_objects(void)
{
	char path[64], c;
	int sync[2];
	pid_t pid;

	if (pipe(sync) || (pid = fork()) < 0) {
		perror("child-objects");
		exit(1);
	}
	if (pid == 0) {
		hold_objects();
		if (write(sync[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	if (read(sync[0], &c, 1) != 1) {
		perror("child-objects: read");
		exit(1);
	}
	snprintf(path, sizeof(path), "/proc/%d/fd/7", (int)pid);
	c = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC) >= 0;
	printf("child fd/7 %s\n", c ? "ok" : strerrorname_np(errno));
	snprintf(path, sizeof(path), "/proc/%d/fd/8", (int)pid);
	c = open(path, O_PATH | O_CLOEXEC) >= 0;
	printf("child fd/8 %s\n", c ? "ok" : strerrorname_np(errno));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

int
main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(c, "tmpfile-empty") && argc == 4)
		tmpfile_empty(argv[2], argv[3]);
	else if (!strcmp(c, "chmod-opath") && argc == 3)
		chmod_opath(argv[2]);
	else if (!strcmp(c, "access-pipe"))
		access_pipe();
	else if (!strcmp(c, "proc-dir"))
		proc_dir();
	else if (!strcmp(c, "handle") && argc == 4)
		handle(argv[2], argv[3]);
	else if (!strcmp(c, "truncate") && argc == 3)
		truncate_through(argv[2]);
	else if (!strcmp(c, "reader") && argc == 3)
		reader(argv[2]);
	else if (!strcmp(c, "other-writer") && argc == 3)
		other_writer(argv[2]);
	else if (!strcmp(c, "read"))
		read_paths(argv + 2, argc - 2);
	else if (!strcmp(c, "readlink"))
		readlink_paths(argv + 2, argc - 2);
	else if (!strcmp(c, "open"))
		open_paths(argv + 2, argc - 2, O_RDONLY | O_NONBLOCK);
	else if (!strcmp(c, "open-path"))
		open_paths(argv + 2, argc - 2, O_PATH);
	else if (!strcmp(c, "hold"))
		hold();
	else if (!strcmp(c, "child-objects"))
		child_objects();
	else {
		fprintf(stderr, "usage: fd_objects SUBCOMMAND ARGS (see the source)\n");
		return 2;
	}
	return 0;
}
