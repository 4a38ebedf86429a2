/*
 * revmap.c - reverse mapping: host paths and descriptors back to virtual paths.
 *
 * The fixture, under a fresh /tmp directory R:
 *
 *   R/x/p          the prefix (upper layer)      R/x/p.work   its work directory
 *   R/x/pp         a sibling with "p" as a string prefix, in no layer
 *   R/low, R/low2  lower layers                  R/lowx       a sibling, in no layer
 *   R/m1           mounted at /mnt/m1            R/m1/inner   mounted at /mnt/deep
 *   R/low          also mounted at /mnt/same (a tie with the lower layer)
 *   R/m2           mounted at /mnt/m2, removed on the host while open
 *   "R/m1 (deleted)"  a live directory whose name ends like a deleted one
 *   R/outside      in nothing
 *
 * Namespace A is all of the above; B is the prefix, R/low, and the host's /
 * at /Volumes/SystemRoot; C is R/low alone, without a prefix.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vroot.h"
#include "tap.h"
#include "fixture.h"


static char *root;


static const char *
err_name(long e)
{
	return e < 0 ? strerror((int)-e) : "success";
}

/* R/@rel, or R itself for "". */
static const char *
host(const char *rel)
{
	static char buf[4][PATH_MAX];
	static int i;
	char *b = buf[i++ & 3];

	if (!rel[0])
		snprintf(b, PATH_MAX, "%s", root);
	else if (fx_path(b, PATH_MAX, root, rel) < 0)
		b[0] = '\0';
	return b;
}

/* check() - a result of want (a path) or of -err (when want is NULL). */
static int
check(long got, const char *buf, const char *want, int err, const char *todo, const char *what)
{
	int pass;

	if (!want)
		pass = got == -err;
	else
		pass = got == (long)strlen(want) && strcmp(buf, want) == 0;
	ok_todo(pass, todo, "%s", what);
	if (!pass)
		diag("  got %ld %s, want %s", got, got >= 0 ? buf : err_name(got),
		     want ? want : strerror(err));
	return pass;
}

/* map_path() - vr_revmap_path(R/@rel) is @want, or -@err. */
static void
map_path(const struct vr_ns *ns, const char *tag, const char *rel, const char *want, int err)
{
	char buf[PATH_MAX], what[PATH_MAX + 128];
	const char *h = rel[0] == '/' || !rel[0] ? rel : host(rel);
	long n;

	if (!strcmp(rel, "."))
		h = root;
	memset(buf, 0, sizeof(buf));
	n = vr_revmap_path(ns, h, buf, sizeof(buf));
	snprintf(what, sizeof(what), "%s: revmap_path %s%s -> %s", tag,
	         rel[0] == '/' || !rel[0] ? "" : "R/", rel[0] ? rel : "\"\"",
	         want ? want : strerror(err));
	check(n, buf, want, err, NULL, what);
}

static int
build(void)
{
	static const char *const files[] = {
	        "x/p/f",     "x/p/d/e",     "x/p/z (deleted)", "x/p/zz (deleted)", "x/p.work/f",
	        "x/pp/f",    "low/f",       "low/sub/g",       "low2/g",           "low2/gone",
	        "lowx/f",    "m1/f",        "m1/inner/z",      "m1/tmpf",          "m1x/f",
	        "outside/f", "outside/del",
	};
	static const char *const dirs[] = {"x/p/d2", "m1/innerx", "m2", "m1 (deleted)"};
	int err = 0;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]) && err == 0; i++)
		err = fx_file(root, files[i], "data\n");
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && err == 0; i++)
		err = fx_mkdirs(root, dirs[i]);
	if (err == 0)
		err = fx_symlink(root, "low/link", "/abs/target");
	return err;
}

static int
ns_a(struct vr_ns **nsp)
{
	char l0[PATH_MAX], l1[PATH_MAX];
	struct vr_mount_spec m[4] = {
	        {.host = NULL, .path = "/mnt/m1"},
	        {.host = NULL, .path = "/mnt/deep"},
	        {.host = NULL, .path = "/mnt/same"},
	        {.host = NULL, .path = "/mnt/m2"},
	};
	char h0[PATH_MAX], h1[PATH_MAX], h2[PATH_MAX], h3[PATH_MAX], u[PATH_MAX], w[PATH_MAX];
	struct vr_ns_spec spec = {.upper = u, .work = w, .nlowers = 2, .mounts = m, .nmounts = 4};
	const char *lp[2] = {l0, l1};

	snprintf(l0, sizeof(l0), "%s", host("low"));
	snprintf(l1, sizeof(l1), "%s", host("low2"));
	snprintf(u, sizeof(u), "%s", host("x/p"));
	snprintf(w, sizeof(w), "%s", host("x/p.work"));
	snprintf(h0, sizeof(h0), "%s", host("m1"));
	snprintf(h1, sizeof(h1), "%s", host("m1/inner"));
	snprintf(h2, sizeof(h2), "%s", host("low"));
	snprintf(h3, sizeof(h3), "%s", host("m2"));
	m[3].host = h3;
	m[0].host = h0;
	m[1].host = h1;
	m[2].host = h2;
	spec.lowers = lp;
	return vr_ns_new(&spec, nsp);
}

static int
ns_b(struct vr_ns **nsp)
{
	char l0[PATH_MAX], u[PATH_MAX], w[PATH_MAX];
	const char *lp[1] = {l0};
	struct vr_mount_spec m[1] = {
	        {.host = "/", .path = "/Volumes/SystemRoot", .flags = VR_MOUNT_RDONLY}};
	struct vr_ns_spec spec = {
	        .upper = u, .work = w, .lowers = lp, .nlowers = 1, .mounts = m, .nmounts = 1};

	snprintf(l0, sizeof(l0), "%s", host("low"));
	snprintf(u, sizeof(u), "%s", host("x/p"));
	snprintf(w, sizeof(w), "%s", host("x/p.work"));
	return vr_ns_new(&spec, nsp);
}

static int
ns_c(struct vr_ns **nsp)
{
	char l0[PATH_MAX];
	const char *lp[1] = {l0};
	struct vr_ns_spec spec = {.lowers = lp, .nlowers = 1};

	snprintf(l0, sizeof(l0), "%s", host("low"));
	return vr_ns_new(&spec, nsp);
}

static void
test_paths_a(const struct vr_ns *ns)
{
	char buf[PATH_MAX];

	map_path(ns, "A", "x/p", "/", 0);
	map_path(ns, "A", "x/p/", "/", 0);
	map_path(ns, "A", "x/p/f", "/f", 0);
	map_path(ns, "A", "x/p/d/e", "/d/e", 0);
	map_path(ns, "A", "x/p.work", NULL, ENOENT);
	map_path(ns, "A", "x/p.work/f", NULL, ENOENT);
	map_path(ns, "A", "x/pp/f", NULL, ENOENT);
	map_path(ns, "A", "x/pp", NULL, ENOENT);
	map_path(ns, "A", "x", NULL, ENOENT);
	map_path(ns, "A", ".", NULL, ENOENT);
	map_path(ns, "A", "/", NULL, ENOENT);
	map_path(ns, "A", "/etc/passwd", NULL, ENOENT);
	map_path(ns, "A", "low", "/", 0);
	map_path(ns, "A", "low/f", "/f", 0); /* R/low is also /mnt/same: a tie, the overlay wins */
	map_path(ns, "A", "low/sub/g", "/sub/g", 0);
	check(vr_revmap_path(ns, host("low/sub/g"), buf, sizeof(buf)), buf, "/sub/g", 0, NULL,
	      "A: a tie between a lower layer and a mount (/mnt/same) maps to the overlay");
	map_path(ns, "A", "low2/g", "/g", 0);
	map_path(ns, "A", "lowx/f", NULL, ENOENT);
	map_path(ns, "A", "m1", "/mnt/m1", 0);
	map_path(ns, "A", "m1/f", "/mnt/m1/f", 0);
	map_path(ns, "A", "m1/inner", "/mnt/deep", 0);
	map_path(ns, "A", "m1/inner/z", "/mnt/deep/z", 0);
	map_path(ns, "A", "m1/innerx", "/mnt/m1/innerx", 0);
	map_path(ns, "A", "m1x/f", NULL, ENOENT);
	map_path(ns, "A", "outside/f", NULL, ENOENT);
	map_path(ns, "A", "", NULL, ENOENT);
	is_err(vr_revmap_path(ns, "x/p/f", buf, sizeof(buf)), ENOENT,
	       "A: revmap_path of a relative host path is ENOENT");

	is_err(vr_revmap_path(ns, host("x/p/d/e"), buf, 4), ERANGE,
	       "A: revmap_path into a buffer one byte short is ERANGE");
	is_int(vr_revmap_path(ns, host("x/p/d/e"), buf, 5), 4,
	       "A: revmap_path into an exact buffer");
	is_str(buf, "/d/e", "A: ... gives the path");
	is_err(vr_revmap_path(ns, host("x/p"), buf, 1), ERANGE,
	       "A: revmap_path / into 1 byte is ERANGE");
	is_int(vr_revmap_path(ns, host("x/p"), buf, 2), 1, "A: revmap_path / into 2 bytes");
	is_err(vr_revmap_path(ns, host("m1/inner/z"), buf, 11), ERANGE,
	       "A: revmap_path of a mount path one byte short is ERANGE");
	is_int(vr_revmap_path(ns, host("m1/inner/z"), buf, 12), 11,
	       "A: revmap_path of a mount path into an exact buffer");
	is_str(buf, "/mnt/deep/z", "A: ... gives the path");
}

static void
test_paths_b(const struct vr_ns *ns)
{
	char want[PATH_MAX];

	map_path(ns, "B", "/etc/passwd", "/Volumes/SystemRoot/etc/passwd", 0);
	map_path(ns, "B", "/", "/Volumes/SystemRoot", 0);
	map_path(ns, "B", "low/f", "/f", 0);
	map_path(ns, "B", "x/p/f", "/f", 0);
	map_path(ns, "B", "x/p.work/f", NULL, ENOENT);
	map_path(ns, "B", "x/p.work", NULL, ENOENT);
	snprintf(want, sizeof(want), "/Volumes/SystemRoot%s", host("x/pp/f"));
	map_path(ns, "B", "x/pp/f", want, 0);
	snprintf(want, sizeof(want), "/Volumes/SystemRoot%s", host("outside/f"));
	map_path(ns, "B", "outside/f", want, 0);
}

static void
test_paths_c(const struct vr_ns *ns)
{
	map_path(ns, "C", "low/f", "/f", 0);
	map_path(ns, "C", "low", "/", 0);
	map_path(ns, "C", "x/p/f", NULL, ENOENT);
	map_path(ns, "C", "x/p.work/f", NULL, ENOENT);
	map_path(ns, "C", "low2/g", NULL, ENOENT);
}

/* proc_text() - readlink("/proc/self/fd/@fd"), the host's own text. */
static const char *
proc_text(int fd)
{
	static char buf[PATH_MAX];
	char proc[64];
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, buf, sizeof(buf) - 1);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

/* map_fd() - vr_revmap_fd(@fd) is @want (NULL: -@err). */
static void
map_fd(struct vr_task *t, int fd, const char *want, int err, const char *todo, const char *what)
{
	char buf[PATH_MAX + 64];
	long n;

	memset(buf, 0, sizeof(buf));
	n = vr_revmap_fd(t, fd, buf, sizeof(buf));
	check(n, buf, want, err, todo, what);
}

/* The host's text is returned unchanged for descriptors that are no path. */
static void
test_fd_nonpaths(struct vr_task *t)
{
	char want[PATH_MAX], buf[8];
	int p[2], s[2], fd;

	if (pipe2(p, O_CLOEXEC) == 0) {
		snprintf(want, sizeof(want), "%s", proc_text(p[0]));
		ok(strncmp(want, "pipe:[", 6) == 0, "the host shows a pipe as %s", want);
		map_fd(t, p[0], want, 0, NULL, "revmap_fd of a pipe's read end is unchanged");
		snprintf(want, sizeof(want), "%s", proc_text(p[1]));
		map_fd(t, p[1], want, 0, NULL, "revmap_fd of a pipe's write end is unchanged");
		is_err(vr_revmap_fd(t, p[0], buf, 4), ERANGE,
		       "revmap_fd of a pipe into a short buffer is ERANGE");
		close(p[0]);
		close(p[1]);
	} else {
		ok(0, "pipe2: %s", strerror(errno));
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s) == 0) {
		snprintf(want, sizeof(want), "%s", proc_text(s[0]));
		ok(strncmp(want, "socket:[", 8) == 0, "the host shows a socket as %s", want);
		map_fd(t, s[0], want, 0, NULL, "revmap_fd of a socket is unchanged");
		close(s[0]);
		close(s[1]);
	} else {
		ok(0, "socketpair: %s", strerror(errno));
	}
	fd = eventfd(0, EFD_CLOEXEC);
	if (fd >= 0) {
		snprintf(want, sizeof(want), "%s", proc_text(fd));
		map_fd(t, fd, want, 0, NULL, "revmap_fd of an eventfd (anon_inode) is unchanged");
		close(fd);
	}
	fd = memfd_create("vroot-test", MFD_CLOEXEC);
	if (fd >= 0) {
		snprintf(want, sizeof(want), "%s", proc_text(fd));
		ok(strcmp(want, "/memfd:vroot-test (deleted)") == 0, "the host shows a memfd as %s",
		   want);
		map_fd(t, fd, want, 0, NULL, "revmap_fd of a memfd is unchanged");
		close(fd);
	}
}

static int
host_open(const char *rel, int flags)
{
	return open(host(rel), flags | O_CLOEXEC);
}

static void
test_fd_paths(struct vr_task *t)
{
	static const struct {
		const char *vpath;
		int flags;
		const char *want;
	} opens[] = {
	        {"/f", O_RDONLY, "/f"},
	        {"/sub/g", O_RDONLY, "/sub/g"},
	        {"/g", O_RDONLY, "/g"},
	        {"/", O_RDONLY | O_DIRECTORY, "/"},
	        {"/d/e", O_RDONLY, "/d/e"},
	        {"/d/../sub/./g", O_RDONLY, "/sub/g"},
	        {"/mnt/m1/f", O_RDONLY, "/mnt/m1/f"},
	        {"/mnt/m1", O_PATH, "/mnt/m1"},
	        {"/mnt/deep", O_RDONLY | O_DIRECTORY, "/mnt/deep"},
	        {"/mnt/deep/z", O_RDONLY, "/mnt/deep/z"},
	        {"/link", O_PATH | O_NOFOLLOW, "/link"},
	        {"/z (deleted)", O_RDONLY, "/z (deleted)"},
	};
	char buf[PATH_MAX];
	int fd, fd2;

	for (size_t i = 0; i < sizeof(opens) / sizeof(opens[0]); i++) {
		char what[PATH_MAX];

		fd = vr_openat(t, AT_FDCWD, opens[i].vpath, opens[i].flags | O_CLOEXEC, 0);
		snprintf(what, sizeof(what), "revmap_fd of vr_openat(\"%s\") is %s", opens[i].vpath,
		         opens[i].want);
		if (fd < 0) {
			ok(0, "%s (open: %s)", what, err_name(fd));
			continue;
		}
		map_fd(t, fd, opens[i].want, 0, NULL, what);
		close(fd);
	}

	fd = vr_openat(t, AT_FDCWD, "/d/e", O_RDONLY | O_CLOEXEC, 0);
	is_err(fd >= 0 ? vr_revmap_fd(t, fd, buf, 4) : fd, ERANGE,
	       "revmap_fd into a buffer one byte short is ERANGE");
	is_int(fd >= 0 ? vr_revmap_fd(t, fd, buf, 5) : fd, 4, "revmap_fd into an exact buffer");
	fd2 = fd >= 0 ? dup(fd) : -1;
	map_fd(t, fd2, "/d/e", 0, NULL, "revmap_fd of a dup'ed descriptor");
	if (fd >= 0)
		close(fd);
	if (fd2 >= 0)
		close(fd2);

	/* Deleted but open: the virtual path and the kernel's suffix. */
	fd = vr_openat(t, AT_FDCWD, "/newfile", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	ok(fd >= 0 && fx_exists(root, "x/p/newfile"), "created /newfile in the prefix (%s)",
	   err_name(fd < 0 ? fd : 0));
	if (fd >= 0) {
		map_fd(t, fd, "/newfile", 0, NULL, "revmap_fd of a new file");
		unlink(host("x/p/newfile"));
		map_fd(t, fd, "/newfile (deleted)", 0, NULL,
		       "revmap_fd of a deleted open file keeps \" (deleted)\"");
		is_err(vr_revmap_fd(t, fd, buf, sizeof("/newfile (deleted)") - 1), ERANGE,
		       "revmap_fd with no room for the NUL after \" (deleted)\" is ERANGE");
		is_err(vr_revmap_fd(t, fd, buf, sizeof("/newfile")), ERANGE,
		       "revmap_fd with no room for \" (deleted)\" is ERANGE");
		is_int(vr_revmap_fd(t, fd, buf, sizeof("/newfile (deleted)")),
		       (long)sizeof("/newfile (deleted)") - 1, "revmap_fd into an exact buffer");
		close(fd);
	}
	fd = vr_openat(t, AT_FDCWD, "/zz (deleted)", O_RDONLY | O_CLOEXEC, 0);
	if (fd >= 0) {
		unlink(host("x/p/zz (deleted)"));
		map_fd(t, fd, "/zz (deleted) (deleted)", 0, NULL,
		       "revmap_fd of a deleted file named \"... (deleted)\"");
		close(fd);
	} else {
		ok(0, "open /zz (deleted): %s", err_name(fd));
	}
	fd = vr_openat(t, AT_FDCWD, "/d2", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd >= 0) {
		rmdir(host("x/p/d2"));
		map_fd(t, fd, "/d2 (deleted)", 0, NULL, "revmap_fd of a removed directory");
		close(fd);
	} else {
		ok(0, "open /d2: %s", err_name(fd));
	}
	fd = vr_openat(t, AT_FDCWD, "/gone", O_RDONLY | O_CLOEXEC, 0);
	if (fd >= 0) {
		unlink(host("low2/gone"));
		map_fd(t, fd, "/gone (deleted)", 0, NULL,
		       "revmap_fd of a lower file deleted on the host");
		close(fd);
	} else {
		ok(0, "open /gone: %s", err_name(fd));
	}
	fd = vr_openat(t, AT_FDCWD, "/mnt/m1/tmpf", O_RDONLY | O_CLOEXEC, 0);
	if (fd >= 0) {
		unlink(host("m1/tmpf"));
		map_fd(t, fd, "/mnt/m1/tmpf (deleted)", 0, NULL,
		       "revmap_fd of a deleted file in a mount");
		close(fd);
	} else {
		ok(0, "open /mnt/m1/tmpf: %s", err_name(fd));
	}
	fd = vr_openat(t, AT_FDCWD, "/mnt/m2", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd >= 0) {
		rmdir(host("m2"));
		map_fd(t, fd, "/mnt/m2 (deleted)", 0, NULL,
		       "revmap_fd of a mount's host dir removed on the host");
		close(fd);
	} else {
		ok(0, "open /mnt/m2: %s", err_name(fd));
	}
	fd = host_open("m1 (deleted)", O_PATH | O_DIRECTORY);
	map_fd(t, fd, NULL, ENOENT, NULL,
	       "revmap_fd of a live dir \"R/m1 (deleted)\" is not R/m1 (ENOENT)");
	close(fd);
	fd = host_open("outside/del", O_RDONLY);
	if (fd >= 0) {
		unlink(host("outside/del"));
		map_fd(t, fd, NULL, ENOENT, NULL,
		       "revmap_fd of a deleted host file outside is ENOENT");
		close(fd);
	}

	/* Host descriptors that the namespace does not reach. */
	fd = host_open("outside/f", O_RDONLY);
	map_fd(t, fd, NULL, ENOENT, NULL, "revmap_fd of a host file outside every layer is ENOENT");
	close(fd);
	fd = host_open("x/pp/f", O_RDONLY);
	map_fd(t, fd, NULL, ENOENT, NULL, "revmap_fd of R/x/pp/f (prefix R/x/p) is ENOENT");
	close(fd);
	fd = host_open("x/p.work", O_PATH | O_DIRECTORY);
	map_fd(t, fd, NULL, ENOENT, NULL, "revmap_fd of the work dir is ENOENT");
	close(fd);
	fd = host_open("x/p.work/f", O_RDONLY);
	map_fd(t, fd, NULL, ENOENT, NULL, "revmap_fd of a file in the work dir is ENOENT");
	close(fd);
	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	map_fd(t, fd, NULL, ENOENT, NULL, "revmap_fd of the host's / is ENOENT");
	close(fd);
	fd = host_open("x/p/f", O_RDONLY);
	map_fd(t, fd, "/f", 0, NULL, "revmap_fd of a host descriptor on the prefix");
	close(fd);

	map_fd(t, -1, NULL, EBADF, NULL, "revmap_fd -1 is EBADF");
	fd = 900;
	while (fcntl(fd, F_GETFD) >= 0)
		fd++;
	map_fd(t, fd, NULL, EBADF, NULL, "revmap_fd of a closed descriptor is EBADF");
}

/* The host's / mounted: what lies outside the layers shows below the mount. */
static void
test_fd_b(struct vr_task *t)
{
	int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		map_fd(t, fd, "/Volumes/SystemRoot/etc/passwd", 0, NULL,
		       "B: revmap_fd of a host file through the host-root mount");
		close(fd);
	}
	fd = vr_openat(t, AT_FDCWD, "/f", O_RDONLY | O_CLOEXEC, 0);
	map_fd(t, fd, "/f", 0, NULL, "B: revmap_fd of an overlay file prefers the overlay");
	if (fd >= 0)
		close(fd);
	fd = host_open("x/p.work/f", O_RDONLY);
	map_fd(t, fd, NULL, ENOENT, NULL,
	       "B: revmap_fd of the work dir is ENOENT even below a mount");
	close(fd);
	fd = memfd_create("vroot-test", MFD_CLOEXEC);
	if (fd >= 0) {
		map_fd(t, fd, "/memfd:vroot-test (deleted)", 0, NULL,
		       "B: revmap_fd of a memfd is unchanged, not below the host-root mount");
		close(fd);
	}
}

int
main(void)
{
	struct vr_ns *a = NULL, *b = NULL, *c = NULL;
	struct vr_task *ta = NULL, *tb = NULL;
	int err;

	root = fx_tmpdir("vrrev");
	if (!root)
		skip_all("cannot create a temp dir: %s", strerror(errno));
	err = build();
	if (err == 0)
		err = ns_a(&a);
	if (err == 0)
		err = ns_b(&b);
	if (err == 0)
		err = ns_c(&c);
	if (err == 0)
		err = vr_task_new(a, &ta);
	if (err == 0)
		err = vr_task_new(b, &tb);
	if (!ok(err == 0, "fixture and namespaces")) {
		diag("  %s", err_name(err));
		goto out;
	}
	test_paths_a(a);
	test_paths_b(b);
	test_paths_c(c);
	test_fd_nonpaths(ta);
	test_fd_paths(ta);
	test_fd_b(tb);
out:
	if (ta)
		vr_task_free(ta);
	if (tb)
		vr_task_free(tb);
	vr_ns_free(a);
	vr_ns_free(b);
	vr_ns_free(c);
	fx_rmrf(root);
	free(root);
	return done_testing();
}
