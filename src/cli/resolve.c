/*
 * vroot-resolve - show how virtual paths resolve in a namespace.
 *
 *   vroot-resolve [--base DIR]... [--prefix DIR] [--mount HOST:VIRT[:OPTS]]...
 *                 [--cwd DIR] [--nofollow] PATH...
 *
 * For each PATH: its canonical virtual path, the object's type and the host
 * file behind it.  A debugging aid, and the smallest user of libvroot.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "options.h"

static const char *
type_name(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFDIR:
		return "directory";
	case S_IFREG:
		return "file";
	case S_IFLNK:
		return "symlink";
	case S_IFCHR:
		return "char device";
	case S_IFBLK:
		return "block device";
	case S_IFIFO:
		return "fifo";
	case S_IFSOCK:
		return "socket";
	default:
		return "unknown";
	}
}

static void
usage(FILE *f)
{
	fputs("usage: vroot-resolve [--base DIR]... [--prefix DIR] [--mount HOST:VIRT[:OPTS]]...\n"
	      "                     [--cwd DIR] [--case-insensitive] [--nofollow] PATH...\n"
	      "Shows how each virtual PATH resolves: canonical path, type, host file.\n"
	      "  --base DIR     read-only lower layer, repeatable, first is topmost (default /)\n"
	      "  --prefix DIR   writable upper layer, created if missing (DIR.work: its work dir)\n"
	      "  --mount H:V    show host directory H at virtual path V (:ro for read-only,\n"
	      "                 :ci for case-insensitive names, :ro,ci for both)\n"
	      "  --cwd DIR      virtual working directory for relative paths (default /)\n"
	      "  --nofollow     do not follow a final symlink\n"
	      "  --case-insensitive  names in the root overlay fold case (vroot(1))\n",
	      f);
}

static int
resolve_one(struct vr_task *t, const char *path, int nofollow)
{
	char vpath[PATH_MAX], host[PATH_MAX], proc[64];
	int atfl = nofollow ? AT_SYMLINK_NOFOLLOW : 0;
	struct stat st;
	long n;
	int fd;

	n = vr_realpath(t, AT_FDCWD, path, atfl, vpath, sizeof(vpath));
	if (n < 0) {
		fprintf(stderr, "vroot-resolve: %s: %s\n", path, strerror((int)-n));
		return -1;
	}
	n = vr_fstatat(t, AT_FDCWD, path, &st, atfl);
	if (n < 0) {
		fprintf(stderr, "vroot-resolve: %s: %s\n", path, strerror((int)-n));
		return -1;
	}
	printf("%s -> %s\n  type: %s, mode %04o, dev %lu, ino %lu\n", path, vpath,
	       type_name(st.st_mode), (unsigned)(st.st_mode & 07777), (unsigned long)st.st_dev,
	       (unsigned long)st.st_ino);
	fd = vr_openat(t, AT_FDCWD, path, O_PATH | (nofollow ? O_NOFOLLOW : 0), 0);
	if (fd < 0) {
		printf("  host: (none: %s)\n", strerror(-fd));
		return 0;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, host, sizeof(host) - 1);
	host[n < 0 ? 0 : n] = '\0';
	printf("  host: %s\n", host);
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	struct vr_cli c = {.prog = "vroot-resolve"};
	struct vr_ns_spec spec;
	struct vr_ns *ns;
	struct vr_task *t;
	int i, nofollow = 0, failed = 0, err;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		int r;

		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("vroot-resolve %s\n", VR_VERSION);
			return 0;
		}
		if (strcmp(argv[i], "--nofollow") == 0) {
			nofollow = 1;
			continue;
		}
		r = vr_cli_option(&c, argc, argv, &i);
		if (r < 0)
			return 125;
		if (r == 0) {
			vr_cli_error(&c, "unknown option '%s' (see --help)", argv[i]);
			return 125;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 125;
	}
	if (vr_cli_spec(&c, 1, &spec) < 0)
		return 125;
	err = vr_ns_new(&spec, &ns);
	if (err < 0) {
		vr_cli_error(&c, "cannot set up the namespace: %s", strerror(-err));
		return 125;
	}
	err = vr_task_new(ns, &t);
	if (err == 0 && c.cwd)
		err = vr_chdir(t, c.cwd);
	if (err < 0) {
		vr_cli_error(&c, "--cwd %s: %s", c.cwd ? c.cwd : "/", strerror(-err));
		return 125;
	}
	for (; i < argc; i++)
		failed |= resolve_one(t, argv[i], nofollow) < 0;
	vr_task_free(t);
	vr_ns_free(ns);
	free(c.work);
	return failed ? 1 : 0;
}
