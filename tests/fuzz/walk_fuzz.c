/*
 * walk_fuzz.c - libFuzzer target: the core's path walk against the
 * kernel's, as tests/unit/walk_diff.c compares them, on paths the fuzzer
 * makes.
 *
 * A namespace of one directory (one lower layer, no upper, no mounts) must
 * answer fstatat(2) as the kernel does when that directory is the root:
 * openat2(rootfd, path, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) with
 * O_PATH, then fstat(2).  Same errno; on success the same st_dev, st_ino
 * and st_mode.  A disagreement aborts with the case printed.
 *
 * The input: byte 0 chooses the flags (bit 0: AT_SYMLINK_NOFOLLOW) and the
 * working directory (bit 1: /a/b instead of /); every later byte is one
 * token of the path (TOKENS below: names of the tree, "..", ".", "/",
 * hostile symlinks, a name of NAME_MAX bytes and one longer), so short
 * inputs make meaningful paths and long ones reach PATH_MAX.
 *
 * The tree (made once, in a temporary directory removed at exit):
 *   a/ a/b/ a/b/c/ a/f f d0/ (mode 0 would need an unprivileged run: not here)
 *   l_rel -> a/f, l_abs -> /a/b, l_up -> ../../.., l_dot -> ., l_root -> /,
 *   l_loop1 <-> l_loop2, l_dangling -> missing, a/l_parent -> ..,
 *   a/b/l_deep -> ../../a/b/c/../.., l_fslash -> a/f/, l_chain -> l_abs/c
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vroot.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

static char root[PATH_MAX];
static int rootfd = -1;
static struct vr_ns *ns;
static struct vr_task *task_root, *task_ab;

static char long_ok[NAME_MAX + 1];  /* NAME_MAX bytes */
static char long_bad[NAME_MAX + 2]; /* NAME_MAX + 1 bytes: ENAMETOOLONG */

static const char *const tokens[] = {
        "/",       "/",          "/",        "..",     ".",        "a",       "b",     "c",
        "f",       "d0",         "x",        "l_rel",  "l_abs",    "l_up",    "l_dot", "l_root",
        "l_loop1", "l_dangling", "l_parent", "l_deep", "l_fslash", "l_chain", "a/b",   "../..",
        "//",      "/a/b/c",     "",         long_ok,  long_bad,
};

#define NTOKENS (sizeof(tokens) / sizeof(tokens[0]))

static void
die(const char *what)
{
	perror(what);
	abort();
}

static void
mk(const char *kind, const char *path, const char *target)
{
	char p[PATH_MAX];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", root, path);
	if (kind[0] == 'd' && mkdir(p, 0755) < 0)
		die(p);
	if (kind[0] == 'l' && symlink(target, p) < 0)
		die(p);
	if (kind[0] == 'f') {
		fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
		if (fd < 0 || write(fd, "x\n", 2) != 2)
			die(p);
		close(fd);
	}
}

static void
cleanup(void)
{
	char cmd[PATH_MAX + 16];

	if (root[0] && !getenv("VR_FUZZ_KEEP")) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd) != 0)
			fprintf(stderr, "walk_fuzz: could not remove %s\n", root);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	const char *lowers[1];
	struct vr_ns_spec spec;
	int err;

	(void)argc, (void)argv;
	snprintf(root, sizeof(root), "%s/vroot-walk-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root))
		die("mkdtemp");
	atexit(cleanup);
	memset(long_ok, 'n', NAME_MAX);
	memset(long_bad, 'm', NAME_MAX + 1);
	mk("d", "a", NULL);
	mk("d", "a/b", NULL);
	mk("d", "a/b/c", NULL);
	mk("d", "d0", NULL);
	mk("f", "a/f", NULL);
	mk("f", "f", NULL);
	mk("l", "l_rel", "a/f");
	mk("l", "l_abs", "/a/b");
	mk("l", "l_up", "../../..");
	mk("l", "l_dot", ".");
	mk("l", "l_root", "/");
	mk("l", "l_loop1", "l_loop2");
	mk("l", "l_loop2", "l_loop1");
	mk("l", "l_dangling", "missing");
	mk("l", "a/l_parent", "..");
	mk("l", "a/b/l_deep", "../../a/b/c/../..");
	mk("l", "l_fslash", "a/f/");
	mk("l", "l_chain", "l_abs/c");
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		die(root);
	lowers[0] = root;
	memset(&spec, 0, sizeof(spec));
	spec.lowers = lowers;
	spec.nlowers = 1;
	err = vr_ns_new(&spec, &ns);
	if (err < 0 || vr_task_new(ns, &task_root) < 0 || vr_task_new(ns, &task_ab) < 0 ||
	    vr_chdir(task_ab, "/a/b") < 0) {
		fprintf(stderr, "walk_fuzz: cannot make the namespace: %s\n", strerror(-err));
		abort();
	}
	return 0;
}

/* The kernel's answer: -errno, or 0 with *st filled. */
static long
kernel_stat(const char *path, int nofollow, struct stat *st)
{
	struct open_how how = {
	        .flags = O_PATH | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0),
	        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd = -1, r;

	/* A scoped walk meeting ".." answers EAGAIN after any rename: retry. */
	for (int i = 0; i < 1000; i++) {
		fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	if (fd < 0)
		return -errno;
	r = fstat((int)fd, st) < 0 ? -errno : 0;
	close((int)fd);
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[3 * PATH_MAX], kpath[3 * PATH_MAX + 8];
	struct stat vs, ks;
	size_t n = 0;
	int nofollow, in_ab;
	long v, k;

	if (size < 1)
		return 0;
	nofollow = data[0] & 1;
	in_ab = (data[0] >> 1) & 1;
	for (size_t i = 1; i < size; i++) {
		const char *tk = tokens[data[i] % NTOKENS];
		size_t l = strlen(tk);

		if (n + l >= 2 * PATH_MAX)
			break;
		memcpy(path + n, tk, l);
		n += l;
	}
	path[n] = '\0';
	/*
	 * From /a/b, a relative path resolves as "/a/b/" + path from the root
	 * (a/b is a real directory), unless the longer string alone reaches
	 * PATH_MAX: then the kernel's ENAMETOOLONG would be this oracle's.
	 */
	if (in_ab && path[0] != '/' && path[0]) {
		if (n + 5 >= PATH_MAX && n < PATH_MAX)
			return 0;
		snprintf(kpath, sizeof(kpath), "/a/b/%s", path);
	} else {
		memcpy(kpath, path, n + 1);
	}
	memset(&vs, 0, sizeof(vs));
	memset(&ks, 0, sizeof(ks));
	v = vr_fstatat(in_ab ? task_ab : task_root, AT_FDCWD, path, &vs,
	               nofollow ? AT_SYMLINK_NOFOLLOW : 0);
	k = kernel_stat(kpath, nofollow, &ks);
	if (v != k || (v == 0 && (vs.st_dev != ks.st_dev || vs.st_ino != ks.st_ino ||
	                          vs.st_mode != ks.st_mode))) {
		fprintf(stderr,
		        "walk_fuzz: disagreement: path \"%s\" (%zu bytes) from %s, %s\n"
		        "  vroot:  %ld (%s) ino %lu mode %o\n"
		        "  kernel: %ld (%s) ino %lu mode %o\n",
		        path, n, in_ab ? "/a/b" : "/", nofollow ? "nofollow" : "follow", v,
		        strerror((int)-v), (unsigned long)vs.st_ino, vs.st_mode, k,
		        strerror((int)-k), (unsigned long)ks.st_ino, ks.st_mode);
		abort();
	}
	return 0;
}
