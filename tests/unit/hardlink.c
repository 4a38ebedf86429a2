/*
 * hardlink.c - hard links and inode numbers through copy-up.
 *
 * A base file with several links is copied up once, into the prefix's
 * index, and every name of it copied up is a link of that copy: a write
 * through one name shows through the others, st_nlink counts the names
 * the merged view has (after copy-up, link, unlink of upper and of
 * base-only names, rename over a name), and st_ino stays what it was
 * before the copy-up, for every name; so does a file's with one link, and
 * a directory's.  Processes copying up names of one file at once end with
 * one shared inode.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <time.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "vroot.h"
#include "fixture.h"
#include "tap.h"

#define PROCS 6

static char *top;
static struct vr_task *t;

static const char *
at(const char *rel)
{
	static char buf[4][PATH_MAX];
	static int n;
	char *p = buf[n++ % 4];

	fx_path(p, PATH_MAX, top, rel);
	return p;
}

static char *
vread(const char *path)
{
	static char buf[4][256];
	static int k;
	char *b = buf[k++ % 4];
	int fd = vr_openat(t, AT_FDCWD, path, O_RDONLY, 0);
	ssize_t n = fd >= 0 ? read(fd, b, 255) : -1;

	if (fd >= 0)
		close(fd);
	b[n > 0 ? n : 0] = '\0';
	return b;
}

static int
vwrite(const char *path, int flags, const char *text)
{
	int fd = vr_openat(t, AT_FDCWD, path, O_WRONLY | flags, 0);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

/* vstat() - lstat of virtual @path; st_ino 0 when it fails. */
static struct stat
vstat(const char *path)
{
	struct stat st;

	if (vr_fstatat(t, AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
		memset(&st, 0, sizeof(st));
	return st;
}

/* names_ok() - every path in @paths (NULL-ended) has inode @ino and @nlink links. */
static int
names_ok(const char *const *paths, ino_t ino, nlink_t nlink)
{
	int good = 1;

	for (int i = 0; paths[i]; i++) {
		struct stat st = vstat(paths[i]);

		if (st.st_ino != ino || st.st_nlink != nlink) {
			diag("  %s: ino %lu nlink %lu, want %lu %lu", paths[i],
			     (unsigned long)st.st_ino, (unsigned long)st.st_nlink,
			     (unsigned long)ino, (unsigned long)nlink);
			good = 0;
		}
	}
	return good;
}

/* index_entries() - how many names the prefix's index directory holds. */
static int
index_entries(void)
{
	DIR *d = opendir(at("up.work/vroot-index"));
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void
make_base(void)
{
	static const char *const ones[] = {"base/one/w", "base/one/chmod", "base/one/utimens",
	                                   "base/one/trunc", "base/one/xattr"};

	fx_file(top, "base/d/a", "old\n");
	fx_mkdirs(top, "base/e");
	link(at("base/d/a"), at("base/d/b"));
	link(at("base/d/a"), at("base/e/c"));
	fx_file(top, "base/d/new", "replacement\n");
	fx_file(top, "base/g/g1", "gee\n");
	link(at("base/g/g1"), at("base/g/g2"));
	link(at("base/g/g1"), at("base/g/g3"));
	fx_file(top, "base/g/single", "single\n");
	fx_file(top, "base/h/h1", "base\n");
	link(at("base/h/h1"), at("base/h/h2"));
	link(at("base/h/h1"), at("base/h/h3"));
	for (size_t i = 0; i < sizeof(ones) / sizeof(ones[0]); i++)
		fx_file(top, ones[i], "one link\n");
	fx_file(top, "base/k/k1", "kay\n");
	link(at("base/k/k1"), at("base/k/k2"));
	fx_mkdirs(top, "base/dir/sub");
	fx_mkdirs(top, "up");
	fx_mkdirs(top, "up.work");
}

/* test_shared() - one base file with three names, changed through them. */
static void
test_shared(void)
{
	const char *all[] = {"/d/a", "/d/b", "/e/c", NULL};
	struct stat before = vstat("/d/a"), st;
	char val[64];
	long n;

	ok(before.st_ino && names_ok(all, before.st_ino, 3),
	   "a base file with 3 links: one inode, 3 links, by every name");
	is_int(vwrite("/d/a", O_TRUNC, "new\n"), 0, "write through one name (copy-up)");
	is_str(vread("/d/b"), "new\n", "the second name reads the write");
	is_str(vread("/e/c"), "new\n", "the third name, in another directory, too");
	ok(names_ok(all, before.st_ino, 3), "after the copy-up: the same inode, 3 links");
	st = vstat("/d/a");
	is_int((long)st.st_dev, (long)before.st_dev, "and the same device");
	ok(fx_exists(top, "up/d/a") && !fx_exists(top, "up/d/b"), "only the written name is upper");
	{
		FILE *f = fopen(at("base/d/a"), "r");
		char b[16] = "";

		if (f) {
			if (!fgets(b, sizeof(b), f))
				b[0] = '\0';
			fclose(f);
		}
		is_str(b, "old\n", "the base file is unchanged");
	}
	n = vr_getxattr(t, "/d/a", "user.overlay.vroot.origin", val, sizeof(val), 0);
	is_err(n, ENODATA, "the origin attribute is hidden");
	n = vr_listxattr(t, "/d/a", val, sizeof(val), 0);
	ok(n >= 0 && !memmem(val, (size_t)n, "vroot", 5), "and not listed");

	is_int(vr_fchmodat(t, AT_FDCWD, "/e/c", 0600, 0), 0, "chmod through a base-only name");
	st = vstat("/d/b");
	is_int(st.st_mode & 07777, 0600, "another name sees the mode");
	is_int(vr_linkat(t, AT_FDCWD, "/d/b", AT_FDCWD, "/d/n", 0), 0, "link: a fourth name");
	{
		const char *four[] = {"/d/a", "/d/b", "/e/c", "/d/n", NULL};

		ok(names_ok(four, before.st_ino, 4), "4 links, one inode");
	}
	is_str(vread("/d/n"), "new\n", "the new name reads the data");
	is_int(vr_unlinkat(t, AT_FDCWD, "/d/n", 0), 0, "unlink of an upper-only name");
	ok(names_ok(all, before.st_ino, 3), "3 links again");
	is_int(vr_unlinkat(t, AT_FDCWD, "/e/c", 0), 0, "unlink of a base-only name");
	{
		const char *two[] = {"/d/a", "/d/b", NULL};

		ok(names_ok(two, before.st_ino, 2), "2 links");
	}
	is_err(vr_fstatat(t, AT_FDCWD, "/e/c", &st, 0), ENOENT, "the name is gone");
	is_int(vr_renameat2(t, AT_FDCWD, "/d/a", AT_FDCWD, "/d/b", 0), 0,
	       "rename between two links of the file: nothing to do");
	ok(vstat("/d/a").st_ino == before.st_ino && vstat("/d/b").st_nlink == 2,
	   "both names are still there");
	is_int(vr_renameat2(t, AT_FDCWD, "/d/new", AT_FDCWD, "/d/b", 0), 0,
	       "rename of another file over a name");
	st = vstat("/d/a");
	ok(st.st_ino == before.st_ino && st.st_nlink == 1, "1 link left (%lu)",
	   (unsigned long)st.st_nlink);
	is_str(vread("/d/b"), "replacement\n", "the name is the other file");
	is_int(vr_renameat2(t, AT_FDCWD, "/d/a", AT_FDCWD, "/e/z", 0), 0,
	       "rename of the last name");
	st = vstat("/e/z");
	ok(st.st_ino == before.st_ino && st.st_nlink == 1, "it keeps its inode number");
	is_int(index_entries(), 2, "the index holds the entry and its count");
	is_int(vr_unlinkat(t, AT_FDCWD, "/e/z", 0), 0, "unlink of the last name");
	is_int(index_entries(), 0, "the index entry went with it");
}

/* test_base_only() - names of a file never copied up, replaced and renamed. */
static void
test_base_only(void)
{
	struct stat before = vstat("/g/g1"), st;

	is_int(vr_renameat2(t, AT_FDCWD, "/g/single", AT_FDCWD, "/g/g1", 0), 0,
	       "rename over a base-only name of a file with 3 links");
	st = vstat("/g/g2");
	ok(st.st_ino == before.st_ino && st.st_nlink == 2, "the others: same inode, 2 links");
	is_str(vread("/g/g3"), "gee\n", "with their data");
	is_int(vr_renameat2(t, AT_FDCWD, "/g/g2", AT_FDCWD, "/g/g3", 0), 0,
	       "rename between its two base names");
	ok(vstat("/g/g2").st_nlink == 2 && vstat("/g/g3").st_ino == before.st_ino,
	   "both still there, 2 links");
	is_int(vr_unlinkat(t, AT_FDCWD, "/g/g2", 0), 0, "unlink of one");
	ok(vstat("/g/g3").st_nlink == 1, "1 link left");
	is_int(vr_unlinkat(t, AT_FDCWD, "/g/g3", 0), 0, "unlink of the last");
	is_int(index_entries(), 0, "no index entry is left");
}

/* change() - one copy-up kind applied to @path. */
static int
change(int kind, const char *path)
{
	struct timespec ts[2] = {{.tv_sec = 1000}, {.tv_sec = 2000}};

	switch (kind) {
	case 0:
		return vwrite(path, O_APPEND, "more\n");
	case 1:
		return vr_fchmodat(t, AT_FDCWD, path, 0640, 0);
	case 2:
		return vr_utimensat(t, AT_FDCWD, path, ts, 0);
	case 3:
		return vr_truncate(t, path, 2);
	default:
		return vr_setxattr(t, path, "user.test", "v", 1, 0, 0);
	}
}

/* test_one_link() - st_ino of files with one link and of a directory, through copy-up. */
static void
test_one_link(void)
{
	static const char *const what[] = {"write-open", "chmod", "utimensat", "truncate",
	                                   "setxattr"};
	static const char *const path[] = {"/one/w", "/one/chmod", "/one/utimens", "/one/trunc",
	                                   "/one/xattr"};
	struct stat st, dir;
	struct statx stx;
	int fd;

	for (int k = 0; k < 5; k++) {
		struct stat before = vstat(path[k]);
		char rel[64];

		snprintf(rel, sizeof(rel), "up%s", path[k]);
		is_int(change(k, path[k]), 0, "%s of a base file with one link", what[k]);
		st = vstat(path[k]);
		ok(fx_exists(top, rel) && before.st_ino && st.st_ino == before.st_ino &&
		           st.st_dev == before.st_dev,
		   "%s: copied up, st_ino and st_dev as before", what[k]);
	}
	st = vstat("/one/w");
	fd = vr_openat(t, AT_FDCWD, "/one/w", O_RDONLY, 0);
	ok(fd >= 0 && vr_fstatat(t, fd, "", &dir, AT_EMPTY_PATH) == 0 && dir.st_ino == st.st_ino &&
	           dir.st_dev == st.st_dev,
	   "fstat of an open copy shows the same number");
	ok(fd >= 0 && vr_statx(t, fd, "", AT_EMPTY_PATH, STATX_INO, &stx) == 0 &&
	           stx.stx_ino == st.st_ino,
	   "so does statx of it");
	if (fd >= 0)
		close(fd);
	ok(vr_statx(t, AT_FDCWD, "/one/w", 0, STATX_BASIC_STATS, &stx) == 0 &&
	           stx.stx_ino == st.st_ino && stx.stx_nlink == 1,
	   "statx by name");

	dir = vstat("/dir");
	is_int(vr_mkdirat(t, AT_FDCWD, "/dir/new", 0755), 0, "mkdir copies a base directory up");
	st = vstat("/dir");
	ok(fx_exists(top, "up/dir") && st.st_ino == dir.st_ino && st.st_dev == dir.st_dev,
	   "the directory keeps its st_ino");
	is_int(vr_renameat2(t, AT_FDCWD, "/dir", AT_FDCWD, "/dir2", 0), 0, "and is renamed");
	st = vstat("/dir2");
	ok(st.st_ino == dir.st_ino, "still the same number");

	is_int(vwrite("/upper-only", O_CREAT, "u\n"), 0, "a new file");
	{
		struct stat host;

		st = vstat("/upper-only");
		ok(stat(at("up/upper-only"), &host) == 0 && st.st_ino == host.st_ino,
		   "an upper-only file shows its own inode number");
	}
}

/* dir_ino() - the d_ino the namespace's listing of @dir gives @name; 0: not listed. */
static unsigned long
dir_ino(const char *dir, const char *name)
{
	char buf[8192];
	unsigned long ino = 0;
	int fd = vr_openat(t, AT_FDCWD, dir, O_RDONLY | O_DIRECTORY, 0);
	long n;

	if (fd < 0)
		return 0;
	while ((n = vr_getdents64(t, fd, buf, sizeof(buf))) > 0)
		for (long off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);

			if (strcmp(d->d_name, name) == 0)
				ino = d->d_ino;
			off += d->d_reclen;
		}
	close(fd);
	return ino;
}

/*
 * test_dino() - listings show the inode numbers stat() shows, also for
 * copied-up files and directories and after they move (find -inum).
 */
static void
test_dino(void)
{
	struct stat st;

	st = vstat("/one/w");
	ok(st.st_ino && dir_ino("/one", "w") == st.st_ino,
	   "a copied-up file's d_ino is its st_ino (its base number)");
	st = vstat("/dir2");
	ok(st.st_ino && dir_ino("/", "dir2") == st.st_ino, "so is a copied-up directory's");
	is_int(vwrite("/k/k1", O_APPEND, "more\n"), 0, "a file with two links copied up");
	st = vstat("/k/k1");
	ok(st.st_ino && vstat("/k/k2").st_ino == st.st_ino && dir_ino("/k", "k1") == st.st_ino &&
	           dir_ino("/k", "k2") == st.st_ino,
	   "both names, copied-up and not, list one number, stat's");
	{
		char v[16] = "";

		is_int(vr_setxattr(t, "/k/k2", "user.k", "kv", 2, 0, 0), 0,
		       "an attribute set through the name not copied up");
		ok(vr_getxattr(t, "/k/k1", "user.k", v, sizeof(v), 0) == 2 && !strcmp(v, "kv"),
		   "is the shared copy's: the other name shows it");
		is_err(vr_setxattr(t, "/k/k2", "user.k", "x", 1, XATTR_CREATE, 0), EEXIST,
		       "XATTR_CREATE of it again: EEXIST");
		ok(!fx_exists(top, "up/k/k2"), "the name was not linked up for it (as overlayfs)");
		is_int(vr_removexattr(t, "/k/k2", "user.k", 0), 0, "and removed through it");
	}
	ok(vr_unlinkat(t, AT_FDCWD, "/k/k1", 0) == 0 && vr_unlinkat(t, AT_FDCWD, "/k/k2", 0) == 0 &&
	           index_entries() == 0,
	   "both removed: no index entry left");
	is_int(vr_mkdirat(t, AT_FDCWD, "/moved", 0755), 0, "a new directory");
	st = vstat("/one/chmod");
	is_int(vr_renameat2(t, AT_FDCWD, "/one/chmod", AT_FDCWD, "/moved/c", 0), 0,
	       "a copied-up file moves into it");
	ok(st.st_ino && dir_ino("/moved", "c") == st.st_ino &&
	           vstat("/moved/c").st_ino == st.st_ino,
	   "its listing there shows the base number too");
	is_int(vr_linkat(t, AT_FDCWD, "/one/trunc", AT_FDCWD, "/moved/t", 0), 0,
	       "a copied-up file linked into it");
	ok(dir_ino("/moved", "t") == vstat("/one/trunc").st_ino, "lists with the same number");
	st = vstat("/upper-only");
	ok(st.st_ino && dir_ino("/", "upper-only") == st.st_ino,
	   "an upper-only file lists its own");
}

/* test_parallel() - processes copy up two names of one file at once. */
static void
test_parallel(void)
{
	const char *all[] = {"/h/h1", "/h/h2", "/h/h3", NULL};
	struct stat before = vstat("/h/h1"), a, b;
	int go[2], status, good = 1;
	pid_t pid[PROCS];
	char *data;
	int lines = 0;

	if (pipe(go) < 0) {
		ok(0, "pipe: %s", strerror(errno));
		return;
	}
	for (int i = 0; i < PROCS; i++) {
		pid[i] = fork();
		if (pid[i] == 0) {
			char c, line[32];

			close(go[1]);
			if (read(go[0], &c, 1) < 0)
				_exit(2);
			snprintf(line, sizeof(line), "p%d\n", i);
			_exit(vwrite(i % 2 ? "/h/h2" : "/h/h1", O_APPEND, line) == 0 ? 0 : 1);
		}
	}
	close(go[0]);
	close(go[1]); /* every child starts at once */
	for (int i = 0; i < PROCS; i++)
		if (pid[i] < 0 || waitpid(pid[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			good = 0;
	ok(good, "%d processes appended through two names at once", PROCS);
	ok(names_ok(all, before.st_ino, 3), "one inode, 3 links after");
	data = vread("/h/h3");
	for (char *p = data; *p; p++)
		lines += *p == '\n';
	is_int(lines, PROCS + 1, "the third name reads every line");
	ok(stat(at("up/h/h1"), &a) == 0 && stat(at("up/h/h2"), &b) == 0 && a.st_ino == b.st_ino,
	   "in the prefix the two names are links of one file");
	ok(!fx_exists(top, "up/h/h3"), "the name nobody wrote is not copied up");
}

/*
 * test_clean() - what a process killed while removing the last names left:
 * an index entry no name shows (its count raised, its names gone), and a
 * count without an entry.  vr_ns_clean() removes both, nothing else.
 */
static void
test_clean(struct vr_ns *ns)
{
	char key[NAME_MAX + 1] = "", path[PATH_MAX];
	DIR *d = opendir(at("up.work/vroot-index"));
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && !strstr(e->d_name, ".d"))
			snprintf(key, sizeof(key), "%s", e->d_name);
	if (d)
		closedir(d);
	ok(key[0] != '\0', "the shared file has an index entry");
	is_int(vr_ns_clean(ns), 0, "vr_ns_clean() leaves an entry in use alone");
	is_int(index_entries(), 2, "entry and count are still there");
	/* Its names gone behind vroot's back, the count raised as an unlink does. */
	unlink(at("up/h/h1"));
	unlink(at("up/h/h2"));
	snprintf(path, sizeof(path), "up.work/vroot-index/%s.d", key);
	if (truncate(at(path), 3) < 0)
		diag("truncate %s: %s", path, strerror(errno));
	fx_file(top, "up.work/vroot-index/1-2.d", "");
	is_int(vr_ns_clean(ns), 2, "vr_ns_clean() removes the unused entry and a lone count");
	is_int(index_entries(), 0, "the index is empty");
}

int
main(void)
{
	const char *lowers[1];
	struct vr_ns_spec spec = {.lowers = lowers, .nlowers = 1};
	char base[PATH_MAX], up[PATH_MAX], work[PATH_MAX];
	struct vr_ns *ns;

	top = fx_tmpdir("vroot-hardlink");
	if (!top)
		skip_all("mkdtemp: %s", strerror(errno));
	make_base();
	fx_path(base, sizeof(base), top, "base");
	fx_path(up, sizeof(up), top, "up");
	fx_path(work, sizeof(work), top, "up.work");
	lowers[0] = base;
	spec.upper = up;
	spec.work = work;
	if (vr_ns_new(&spec, &ns) < 0 || vr_task_new(ns, &t) < 0)
		skip_all("cannot create the namespace");
	test_shared();
	test_base_only();
	test_one_link();
	test_dino();
	test_parallel();
	test_clean(ns);
	vr_task_free(t);
	vr_ns_free(ns);
	fx_rmrf(top);
	free(top);
	return done_testing();
}
