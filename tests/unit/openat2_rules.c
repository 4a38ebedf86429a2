/*
 * openat2_rules.c - vr_openat2()'s RESOLVE_* rules where the virtual tree has
 * mounts, layers and procfs, table-driven.
 *
 * The fixture, under a fresh /tmp directory:
 *
 *   lower/, upper/   the root overlay (upper.work/ its work directory)
 *   h1/              mounted read-write at /mnt/h1
 *   h3/              mounted at /mnt/h1/nested (a mount inside a mount)
 *   h2/              mounted at /Volumes/Sys (/Volumes is synthetic)
 *   /proc            the host's procfs, mounted at /proc
 *
 * Each row is {name, dir, path, open flags, resolve, errno | canonical
 * virtual path}: "dir" is opened with vr_openat(O_PATH) (NULL: AT_FDCWD at
 * "/"), and a success names the object by vr_revmap_fd() ("*": any).  The
 * expected answers are the kernel's rules (fs/namei.c, the openat2(2) page
 * and its selftests) applied to the tree this namespace shows: a mount is a
 * vroot mount point or a host mount inside one; layers are one filesystem.
 * walk_diff.c compares the rules with the kernel on generated trees without
 * mounts; this file covers what only a namespace with mounts has.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vroot.h"
#include "fixture.h"
#include "tap.h"

#define B  RESOLVE_BENEATH
#define R  RESOLVE_IN_ROOT
#define S  RESOLVE_NO_SYMLINKS
#define M  RESOLVE_NO_MAGICLINKS
#define X  RESOLVE_NO_XDEV
#define PN (O_PATH | O_NOFOLLOW)

struct row {
	const char *name;
	const char *dir;
	const char *path;
	int flags;
	unsigned long long resolve;
	int err;
	const char *want;
};

#define P(v) 0, (v)
#define E(e) (e), NULL

/* clang-format off */
static const struct row rows[] = {
	/* NO_XDEV: vroot mount points, nested mounts, procfs */
	{"enter a mount",                  NULL,             "/mnt/h1/g",       0,  X,     E(EXDEV)},
	{"... without the rule",           NULL,             "/mnt/h1/g",       0,  0,     P("/mnt/h1/g")},
	{"mount point as final name",      NULL,             "/mnt/h1",         PN, X,     E(EXDEV)},
	{"mount point then dot",           "/",              "mnt/h1/.",        PN, X,     E(EXDEV)},
	{"inside a mount",                 "/mnt/h1",        "g",               0,  X,     P("/mnt/h1/g")},
	{"dot at a mount's root",          "/mnt/h1",        ".",               PN, X,     P("/mnt/h1")},
	{"dotdot out of a mount",          "/mnt/h1",        "..",              PN, X,     E(EXDEV)},
	{"dotdot inside a mount",          "/mnt/h1",        "d/..",            PN, X,     P("/mnt/h1")},
	{"into a nested mount",            "/mnt/h1",        "nested/n",        0,  X,     E(EXDEV)},
	{"out of a nested mount",          "/mnt/h1/nested", "..",              PN, X,     E(EXDEV)},
	{"relative link up out of a mount","/mnt/h1",        "up",              O_PATH, X,     E(EXDEV)},
	{"relative link into a mount",     "/",              "mrel",            0,  X,     E(EXDEV)},
	{"absolute link to another mount", "/mnt/h1",        "d/../abs",        0,  X,     E(EXDEV)},
	{"absolute link before any dotdot","/",              "abs",             O_PATH, X,     E(EXDEV)},
	{"absolute link after a dotdot",   "/",              "a/../abs",        O_PATH, X,     P("/a/b")},
	{"absolute link, absolute path",   NULL,             "/abs/f",          0,  X,     P("/a/b/f")},
	{"layers are one filesystem",      "/",              "u/../a/b/f",      0,  X,     P("/a/b/f")},
	{"synthetic dir is the overlay's", NULL,             "/Volumes",        PN, X,     P("/Volumes")},
	{"mount below a synthetic dir",    NULL,             "/Volumes/Sys",    PN, X,     E(EXDEV)},
	{"into procfs",                    NULL,             "/proc/self",      PN, X,     E(EXDEV)},
	{"magic link to another mount",    "/proc",          "self/cwd",        O_PATH, X,     E(EXDEV)},
	{"ordinary procfs link",           "/proc",          "self/status",     PN, X,     P("*")},
	/* NO_MAGICLINKS, and magic links under the other rules */
	{"magic link",                     "/proc",          "self/root",       O_PATH, M,     E(ELOOP)},
	{"magic link as a component",      NULL,             "/proc/self/root/a", 0, M,    E(ELOOP)},
	{"magic link not followed",        "/proc",          "self/exe",        PN, M,     P("*")},
	{"ordinary procfs link allowed",   "/proc",          "self/status",     PN, M,     P("*")},
	{"magic link beneath",             "/proc",          "self/root",       O_PATH, B,     E(EXDEV)},
	{"magic link in root",             "/proc",          "self/cwd",        O_PATH, R,     E(EXDEV)},
	{"magic link, no symlinks",        "/proc",          "self/root",       O_PATH, S,     E(ELOOP)},
	{"ordinary procfs link beneath",   "/proc",          "self/status",     PN, B,     P("*")},
	/* BENEATH and IN_ROOT across mounts and layers */
	{"beneath may cross mounts",       "/mnt",           "h1/g",            0,  B,     P("/mnt/h1/g")},
	{"beneath and no_xdev",            "/mnt",           "h1/g",            0,  B | X, E(EXDEV)},
	{"beneath: absolute link",         "/mnt/h1",        "abs",             0,  B,     E(EXDEV)},
	{"in root: absolute link re-roots","/mnt/h1",        "abs",             0,  R,     E(ENOENT)},
	{"in root: absolute link inside",  "/mnt/h1",        "abs2",            0,  R,     P("/mnt/h1/g")},
	{"in root: absolute link + xdev",  "/mnt/h1",        "abs2",            0,  R | X, P("/mnt/h1/g")},
	{"in root: dotdot link stays",     "/mnt/h1",        "up/g",            0,  R,     P("/mnt/h1/g")},
	{"beneath: dotdot link",           "/mnt/h1",        "up/g",            0,  B,     E(EXDEV)},
	{"beneath: dotdot from a nested",  "/mnt/h1/nested", "../g",            0,  B,     E(EXDEV)},
	{"in root: dotdot from a nested",  "/mnt/h1/nested", "../n",            0,  R,     P("/mnt/h1/nested/n")},
	{"in root: the root itself",       "/mnt/h1",        "/",               PN, R,     P("/mnt/h1")},
	{"beneath: the root itself",       "/mnt/h1",        "/",               PN, B,     E(EXDEV)},
	{"in root: escaping link",         "/a",             "b/esc",           O_PATH, R,     P("/a")},
	{"beneath: escaping link",         "/a",             "b/esc",           O_PATH, B,     E(EXDEV)},
	{"in root: merged directory",      "/a",             "/b/f",            0,  R,     P("/a/b/f")},
	{"in root: upper-only name",       "/u",             "/uf",             0,  R,     P("/u/uf")},
	{"in root: synthetic directory",   "/Volumes",       "/Sys/st",         0,  R,     P("/Volumes/Sys/st")},
	{"in root: a file as the dirfd",   "/a/file",        "/",               PN, R,     E(ENOTDIR)},
	{"beneath: a file as the dirfd",   "/a/file",        "x",               PN, B,     E(ENOTDIR)},
	{"beneath: absolute path, no dirfd", "/missing",     "/a",              PN, B,     E(EXDEV)},
	/* NO_SYMLINKS */
	{"no symlinks: plain",             NULL,             "/a/b/f",          0,  S,     P("/a/b/f")},
	{"no symlinks: final link",        NULL,             "/rel",            0,  S,     E(ELOOP)},
	{"no symlinks: final link kept",   NULL,             "/rel",            PN, S,     P("/rel")},
	{"no symlinks: link component",    NULL,             "/abs/f",          PN, S,     E(ELOOP)},
	{"no symlinks: into a mount",      NULL,             "/mnt/h1/g",       0,  S,     P("/mnt/h1/g")},
	{"no symlinks: O_CREAT|O_EXCL",    NULL,             "/rel",  O_CREAT | O_EXCL | O_WRONLY, S, E(EEXIST)},
	/* Creating under a rule */
	{"in root: create in a mount",     "/mnt/h1",        "/new1",  O_CREAT | O_WRONLY, R, P("/mnt/h1/new1")},
	{"in root: create through a link", "/mnt/h1",        "dangle", O_CREAT | O_WRONLY, R, P("/mnt/h1/new2")},
	{"in root: create in a base dir",  "/a",             "/new3",  O_CREAT | O_WRONLY, R, P("/a/new3")},
	{"beneath: create through a link", "/mnt/h1",        "dangle", O_CREAT | O_WRONLY, B, E(EXDEV)},
};
/* clang-format on */

static char *root;

static int
build(void)
{
	static const char *const files[][2] = {
	        {"lower/a/b/f", "f\n"}, {"lower/a/file", "file\n"},
	        {"lower/u/lf", "lf\n"}, {"upper/u/uf", "uf\n"},
	        {"h1/g", "g\n"},        {"h1/d/x", "x\n"},
	        {"h3/n", "n\n"},        {"h2/st", "st\n"},
	};
	static const char *const links[][2] = {
	        {"lower/rel", "a/file"},    {"lower/abs", "/a/b"},  {"lower/a/b/esc", "../../.."},
	        {"lower/mrel", "mnt/h1/g"}, {"h1/up", ".."},        {"h1/abs", "/a/file"},
	        {"h1/abs2", "/g"},          {"h1/dangle", "/new2"},
	};
	int err = 0;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]) && !err; i++)
		err = fx_file(root, files[i][0], files[i][1]);
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]) && !err; i++)
		err = fx_symlink(root, links[i][0], links[i][1]);
	if (!err)
		err = fx_mkdirs(root, "lower/mnt");
	if (!err)
		err = fx_mkdirs(root, "h1/nested");
	if (!err)
		err = fx_mkdirs(root, "upper.work");
	return err;
}

static int
new_ns(struct vr_ns **nsp)
{
	char u[PATH_MAX], w[PATH_MAX], l[PATH_MAX], h1[PATH_MAX], h2[PATH_MAX], h3[PATH_MAX];
	const char *lowers[1] = {l};
	struct vr_mount_spec ms[] = {
	        {.host = h1, .path = "/mnt/h1"},
	        {.host = h3, .path = "/mnt/h1/nested"},
	        {.host = h2, .path = "/Volumes/Sys"},
	        {.host = "/proc", .path = "/proc"},
	};
	struct vr_ns_spec spec = {.upper = u,
	                          .work = w,
	                          .lowers = lowers,
	                          .nlowers = 1,
	                          .mounts = ms,
	                          .nmounts = sizeof(ms) / sizeof(ms[0])};

	fx_path(u, sizeof(u), root, "upper");
	fx_path(w, sizeof(w), root, "upper.work");
	fx_path(l, sizeof(l), root, "lower");
	fx_path(h1, sizeof(h1), root, "h1");
	fx_path(h2, sizeof(h2), root, "h2");
	fx_path(h3, sizeof(h3), root, "h3");
	return vr_ns_new(&spec, nsp);
}

static const char *
err_name(long e)
{
	const char *n = e < 0 ? strerrorname_np((int)-e) : "success";

	return n ? n : "?";
}

static void
run_row(struct vr_task *t, const struct row *r)
{
	struct open_how how = {.flags = (unsigned long long)(r->flags | O_CLOEXEC),
	                       .resolve = r->resolve,
	                       .mode = (r->flags & O_CREAT) ? 0644 : 0};
	char got[PATH_MAX] = "";
	int dfd = AT_FDCWD;
	long fd, n;

	if (r->dir) {
		dfd = vr_openat(t, AT_FDCWD, r->dir, O_PATH | O_CLOEXEC, 0);
		if (dfd < 0 && strcmp(r->dir, "/missing") != 0) {
			ok(0, "%s: dirfd %s: %s", r->name, r->dir, err_name(dfd));
			return;
		}
	}
	fd = vr_openat2(t, dfd, r->path, &how, sizeof(how));
	if (dfd >= 0)
		close(dfd);
	if (fd < 0 || r->err) {
		ok(fd == -r->err, "%s: %s \"%s\": %s", r->name, r->dir ? r->dir : "AT_FDCWD",
		   r->path, err_name(fd < 0 ? fd : 0));
		if (fd != -r->err)
			diag("  want %s", err_name(-r->err));
		if (fd >= 0)
			close((int)fd);
		return;
	}
	n = vr_revmap_fd(t, (int)fd, got, sizeof(got));
	close((int)fd);
	ok(n > 0 && (!strcmp(r->want, "*") || !strcmp(got, r->want)), "%s: %s \"%s\": %s", r->name,
	   r->dir ? r->dir : "AT_FDCWD", r->path, n > 0 ? got : err_name(n));
	if (n <= 0 || (strcmp(r->want, "*") && strcmp(got, r->want)))
		diag("  want %s", r->want);
}

/* open2() - vr_openat2() of /proc/self/fd/@fd then @tail, from @dfd; the path or the errno. */
static void
open2(struct vr_task *t, int dfd, const char *head, int fd, const char *tail,
      unsigned long long resolve, char *out, size_t size)
{
	struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = resolve};
	char path[64];
	long r, n;

	snprintf(path, sizeof(path), "%s%d%s", head, fd, tail);
	r = vr_openat2(t, dfd, path, &how, sizeof(how));
	if (r < 0) {
		snprintf(out, size, "%s", err_name(r));
		return;
	}
	n = vr_revmap_fd(t, (int)r, out, size);
	if (n < 0)
		snprintf(out, size, "revmap %s", err_name(n));
	close((int)r);
}

/*
 * Magic links to the program's own descriptors: followed without rules,
 * refused by NO_XDEV unless the descriptor is in the link's own procfs.
 */
static void
test_magic_fd(struct vr_task *t)
{
	int h1 = vr_openat(t, AT_FDCWD, "/mnt/h1", O_PATH | O_CLOEXEC, 0);
	int proc = vr_openat(t, AT_FDCWD, "/proc", O_PATH | O_CLOEXEC, 0);
	char got[PATH_MAX];

	if (h1 < 0 || proc < 0) {
		ok(0, "descriptors on /mnt/h1 and /proc: %s", err_name(h1 < 0 ? h1 : proc));
		return;
	}
	open2(t, AT_FDCWD, "/proc/self/fd/", h1, "/g", 0, got, sizeof(got));
	is_str(got, "/mnt/h1/g", "a magic link to a mount's directory, then a name");
	open2(t, proc, "self/fd/", h1, "/g", RESOLVE_NO_XDEV, got, sizeof(got));
	is_str(got, "EXDEV", "... refused by NO_XDEV from /proc: another mount");
	open2(t, proc, "self/fd/", proc, "", RESOLVE_NO_XDEV, got, sizeof(got));
	is_str(got, "/proc", "... allowed by NO_XDEV within the same procfs");
	open2(t, proc, "self/fd/", proc, "/self/status", RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS,
	      got, sizeof(got));
	is_str(got, "ELOOP", "... refused by NO_MAGICLINKS");
	close(h1);
	close(proc);
}

/* The structure and flags are checked as openat2(2) checks them. */
static void
test_args(struct vr_task *t)
{
	struct {
		struct open_how how;
		unsigned long long more[2];
	} big = {{.flags = O_RDONLY | O_CLOEXEC}, {0, 0}};
	struct open_how how = {.flags = O_RDONLY | O_CLOEXEC};
	long fd;

	is_err(vr_openat2(t, AT_FDCWD, "/a/file", &how, 16), EINVAL,
	       "size below the first version");
	is_err(vr_openat2(t, AT_FDCWD, "/a/file", &how, 4097), E2BIG, "size over a page");
	fd = vr_openat2(t, AT_FDCWD, "/a/file", &big.how, sizeof(big));
	ok(fd >= 0, "a larger structure with zero unknown fields (%s)", err_name(fd < 0 ? fd : 0));
	if (fd >= 0)
		close((int)fd);
	big.more[1] = 1;
	is_err(vr_openat2(t, AT_FDCWD, "/a/file", &big.how, sizeof(big)), E2BIG,
	       "non-zero unknown fields");
	how.resolve = RESOLVE_BENEATH | RESOLVE_IN_ROOT;
	is_err(vr_openat2(t, AT_FDCWD, "a/file", &how, sizeof(how)), EINVAL,
	       "BENEATH and IN_ROOT together");
	how.resolve = 0x40;
	is_err(vr_openat2(t, AT_FDCWD, "a/file", &how, sizeof(how)), EINVAL, "unknown resolve bit");
	how.resolve = RESOLVE_CACHED;
	is_err(vr_openat2(t, AT_FDCWD, "a/file", &how, sizeof(how)), EAGAIN,
	       "RESOLVE_CACHED: ask again without");
	how.resolve = 0;
	how.mode = 0644;
	is_err(vr_openat2(t, AT_FDCWD, "a/file", &how, sizeof(how)), EINVAL,
	       "a mode without O_CREAT");
	how.flags |= 1ULL << 40;
	how.mode = 0;
	is_err(vr_openat2(t, AT_FDCWD, "a/file", &how, sizeof(how)), EINVAL, "unknown flag bits");
	how.flags = O_CREAT | O_WRONLY;
	how.mode = S_IFREG | 0644;
	is_err(vr_openat2(t, AT_FDCWD, "new", &how, sizeof(how)), EINVAL, "file type bits in mode");
	how.flags = O_PATH | O_RDWR;
	how.mode = 0;
	is_err(vr_openat2(t, AT_FDCWD, "a/file", &how, sizeof(how)), EINVAL, "O_PATH with O_RDWR");
	how.flags = O_RDONLY;
	is_err(vr_openat2(t, AT_FDCWD, NULL, &how, sizeof(how)), EFAULT,
	       "flags are checked, then the path");
}

int
main(void)
{
	struct vr_ns *ns = NULL;
	struct vr_task *t = NULL;
	int err;

	umask(022);
	root = fx_tmpdir("vro2");
	if (!root)
		skip_all("cannot create a temp dir: %s", strerror(errno));
	err = build();
	if (err == 0)
		err = new_ns(&ns);
	if (err == 0)
		err = vr_task_new(ns, &t);
	if (err < 0) {
		ok(0, "fixture and namespace: %s", strerror(-err));
		goto out;
	}
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(t, &rows[i]);
	test_magic_fd(t);
	test_args(t);
	ok(fx_exists(root, "h1/new1") && fx_exists(root, "h1/new2") &&
	           fx_exists(root, "upper/a/new3") && !fx_exists(root, "lower/a/new3"),
	   "files created under IN_ROOT land in the mount and the upper layer");
out:
	if (t)
		vr_task_free(t);
	vr_ns_free(ns);
	fx_rmrf(root);
	free(root);
	return done_testing();
}
