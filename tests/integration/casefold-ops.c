/*
 * casefold-ops.c - runs a list of name operations in one directory and
 * prints each one's answer, for case-insensitive-ext4.sh: the same list
 * runs through vroot and on the kernel's own casefolding (on this machine
 * or in a virtual machine that has only this static program and busybox).
 *
 *   casefold-ops DIR < OPS    one operation a line, fields split by a tab:
 *                             LABEL OP [NAME [ARG]]; prints "LABEL: ANSWER"
 *   casefold-ops -F DIR       flag the empty directory DIR casefold (as
 *                             `chattr +F` does); status 1 and a line if not
 *
 * OP is read NAME (answer: the contents), creat NAME TEXT (O_CREAT|O_TRUNC),
 * excl NAME TEXT (O_CREAT|O_EXCL), mkdir NAME, unlink NAME, rename NAME NEW
 * (answer: ok) or ls (answer: the names, byte-wise sorted, one space
 * between).  A failing call answers with its errno's name (ENOENT).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef FS_CASEFOLD_FL
#define FS_CASEFOLD_FL 0x40000000
#endif

static const char *dir;

/* DIR/NAME: the operations walk the whole path, mount point included. */
static const char *
in(const char *name)
{
	static char path[8192];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void
answer(const char *label, const char *text)
{
	printf("%s: %s\n", label, text);
}

static void
answer_errno(const char *label, int e)
{
	const char *name = strerrorname_np(e);
	char num[16];

	if (!name) {
		snprintf(num, sizeof(num), "E%d", e);
		name = num;
	}
	answer(label, name);
}

static void
op_read(const char *label, const char *name)
{
	char buf[4096];
	int fd = open(in(name), O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		answer_errno(label, errno);
		return;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		answer_errno(label, errno);
	} else {
		buf[n] = '\0';
		answer(label, buf);
	}
	close(fd);
}

static void
op_create(const char *label, const char *name, const char *text, int excl)
{
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (excl ? O_EXCL : O_TRUNC);
	int fd = open(in(name), flags, 0644);
	size_t len = strlen(text);

	if (fd < 0) {
		answer_errno(label, errno);
		return;
	}
	if (write(fd, text, len) != (ssize_t)len)
		answer_errno(label, errno);
	else
		answer(label, "ok");
	close(fd);
}

static int
by_bytes(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
op_ls(const char *label)
{
	char *names[512];
	char line[16384] = "";
	size_t n = 0, used = 0;
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d) {
		answer_errno(label, errno);
		return;
	}
	while ((e = readdir(d)) && n < 512) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_bytes);
	for (size_t i = 0; i < n; i++) {
		used += snprintf(line + used, sizeof(line) - used, "%s%s", i ? " " : "", names[i]);
		if (used >= sizeof(line))
			used = sizeof(line) - 1;
		free(names[i]);
	}
	answer(label, line);
}

static void
op_call(const char *label, int r)
{
	if (r < 0)
		answer_errno(label, errno);
	else
		answer(label, "ok");
}

static void
op_rename(const char *label, const char *from, const char *to)
{
	char old[8192];

	snprintf(old, sizeof(old), "%s", in(from));
	op_call(label, rename(old, in(to)));
}

static int
run_line(char *line)
{
	char *f[4] = {"", "", "", ""};
	int nf = 0;

	line[strcspn(line, "\n")] = '\0';
	if (!*line)
		return 0;
	for (char *p = line; nf < 4; nf++) {
		f[nf] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (!strcmp(f[1], "read"))
		op_read(f[0], f[2]);
	else if (!strcmp(f[1], "creat"))
		op_create(f[0], f[2], f[3], 0);
	else if (!strcmp(f[1], "excl"))
		op_create(f[0], f[2], f[3], 1);
	else if (!strcmp(f[1], "mkdir"))
		op_call(f[0], mkdir(in(f[2]), 0755));
	else if (!strcmp(f[1], "unlink"))
		op_call(f[0], unlink(in(f[2])));
	else if (!strcmp(f[1], "rename"))
		op_rename(f[0], f[2], f[3]);
	else if (!strcmp(f[1], "ls"))
		op_ls(f[0]);
	else {
		fprintf(stderr, "casefold-ops: unknown operation %s\n", f[1]);
		return -1;
	}
	fflush(stdout);
	return 0;
}

static int
flag_casefold(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int flags;

	if (fd < 0 || ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0) {
		perror(dir);
		return 1;
	}
	flags |= FS_CASEFOLD_FL;
	if (ioctl(fd, FS_IOC_SETFLAGS, &flags) < 0) {
		perror(dir);
		return 1;
	}
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	char line[8192];

	if (argc == 3 && !strcmp(argv[1], "-F"))
		return flag_casefold(argv[2]);
	if (argc != 2) {
		fprintf(stderr, "usage: casefold-ops DIR < OPS | -F DIR\n");
		return 2;
	}
	dir = argv[1];
	while (fgets(line, sizeof(line), stdin))
		if (run_line(line) < 0)
			return 2;
	return 0;
}
