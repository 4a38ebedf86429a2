/*
 * mutate.c - changes to the tree happen in the upper layer or a read-write
 * mount, never in a base: base objects are copied up, removed base names
 * leave whiteouts, names recreated over whiteouts replace them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "vroot.h"
#include "tap.h"

static char root[] = "/tmp/vroot-mutate.XXXXXX";

static const char *
at(const char *rel)
{
	static char buf[4][PATH_MAX];
	static int n;
	char *p = buf[n++ % 4];

	snprintf(p, PATH_MAX, "%s/%s", root, rel);
	return p;
}

static void
mkfile(const char *rel, const char *text)
{
	FILE *f = fopen(at(rel), "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static int
host_exists(const char *rel)
{
	struct stat st;

	return lstat(at(rel), &st) == 0;
}

/* base_sum() - a listing of the base with sizes and modes, to see it unchanged. */
static char *
base_sum(void)
{
	char cmd[PATH_MAX + 64];
	static char out[8192];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "cd %s/base && find . -printf '%%p %%s %%m %%T@\\n' | sort",
	         root);
	p = popen(cmd, "r");
	n = p ? fread(out, 1, sizeof(out) - 1, p) : 0;
	out[n] = '\0';
	if (p)
		pclose(p);
	return strdup(out);
}

static char *
read_file(struct vr_task *t, const char *path)
{
	static char buf[256];
	int fd = vr_openat(t, AT_FDCWD, path, O_RDONLY, 0);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* listed() - @name appears in the listing of virtual directory @dir. */
static int
listed(struct vr_task *t, const char *dir, const char *name)
{
	char buf[8192];
	int fd = vr_openat(t, AT_FDCWD, dir, O_RDONLY | O_DIRECTORY, 0), found = 0;
	long n;

	while (fd >= 0 && (n = vr_getdents64(t, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct {
				unsigned long long ino;
				long long off;
				unsigned short reclen;
				unsigned char type;
				char name[];
			} *d = (void *)(buf + off);

			found |= strcmp(d->name, name) == 0;
			off += d->reclen;
		}
	}
	if (fd >= 0)
		close(fd);
	return found;
}

/*
 * kernel_rules() - calls whose answers follow rules of fs/namei.c and
 * fs/overlayfs that vroot once got wrong, each checked against kernel
 * overlayfs: the answer, and that a call that fails copies nothing up.
 */
static void
kernel_rules(struct vr_task *t)
{
	struct stat st;
	int fd;

	/* do_renameat2(): a trailing slash on the new name of an exchange asks for a directory. */
	is_err(vr_renameat2(t, AT_FDCWD, "/x/sub", AT_FDCWD, "/x/file/", 2), ENOTDIR,
	       "RENAME_EXCHANGE onto \"file/\": ENOTDIR");
	is_err(vr_renameat2(t, AT_FDCWD, "/x/sub", AT_FDCWD, "/x/lnk/", 2), ENOTDIR,
	       "RENAME_EXCHANGE onto \"symlink/\": ENOTDIR (the link is not followed)");
	is_err(vr_renameat2(t, AT_FDCWD, "/x/file", AT_FDCWD, "/x/fifo/", 2), ENOTDIR,
	       "RENAME_EXCHANGE of a file onto \"fifo/\": ENOTDIR");
	is_err(vr_renameat2(t, AT_FDCWD, "/x/fifo/", AT_FDCWD, "/x/sub", 2), ENOTDIR,
	       "RENAME_EXCHANGE of \"fifo/\": ENOTDIR");
	/* A name exchanged with one of its own ancestors: EINVAL (a rename: ENOTEMPTY). */
	is_err(vr_renameat2(t, AT_FDCWD, "/x/sub/a", AT_FDCWD, "/x", 2), EINVAL,
	       "RENAME_EXCHANGE with an ancestor of the old name: EINVAL");
	is_err(vr_renameat2(t, AT_FDCWD, "/x/sub/a", AT_FDCWD, "/x", 0), ENOTEMPTY,
	       "rename onto an ancestor: ENOTEMPTY");
	/* xattr_permission(): no user.* attribute on a symlink or a FIFO. */
	is_err(vr_setxattr(t, "/x/lnk", "user.x", "v", 1, 0, 1), EPERM,
	       "lsetxattr(user.x) on a base symlink: EPERM");
	is_err(vr_setxattr(t, "/x/lnk", "user.x", "v", 1, 2 /* XATTR_REPLACE */, 1), EPERM,
	       "with XATTR_REPLACE too");
	is_err(vr_setxattr(t, "/x/fifo", "user.x", "v", 1, 0, 0), EPERM,
	       "setxattr(user.x) on a base FIFO: EPERM");
	/* may_open(): O_TRUNC asks for write access, which a directory refuses. */
	is_err(vr_openat(t, AT_FDCWD, "/x/sub/./", O_RDONLY | O_TRUNC, 0), EISDIR,
	       "O_RDONLY|O_TRUNC of a base directory: EISDIR");
	/* open_last_lookups(): O_CREAT and a trailing slash, in the path or a link's body. */
	is_err(vr_openat(t, AT_FDCWD, "/x/lnk/", O_CREAT | O_WRONLY, 0644), EISDIR,
	       "O_CREAT of \"symlink/\" to a directory: EISDIR");
	is_err(vr_openat(t, AT_FDCWD, "/x/dang", O_CREAT | O_WRONLY, 0644), EISDIR,
	       "O_CREAT through a link to \"missing/\": EISDIR");
	is_err(vr_openat(t, AT_FDCWD, "/x/self", O_CREAT | O_RDWR | O_TRUNC, 0644), EISDIR,
	       "O_CREAT through a link to itself with a slash: EISDIR, not ELOOP");
	is_err(vr_openat(t, AT_FDCWD, "/x/dang", O_WRONLY, 0), ENOENT,
	       "without O_CREAT the link to \"missing/\" is ENOENT");
	/* A FIFO without a reader. */
	is_err(vr_openat(t, AT_FDCWD, "/x/fifo", O_WRONLY | O_NONBLOCK, 0), ENXIO,
	       "O_WRONLY|O_NONBLOCK of a base FIFO with no reader: ENXIO");
	fd = vr_openat(t, AT_FDCWD, "/x/fifo", O_RDONLY | O_TRUNC | O_NONBLOCK, 0);
	ok(fd >= 0, "O_RDONLY|O_TRUNC of a base FIFO opens it");
	if (fd >= 0)
		close(fd);
	ok(!host_exists("up/x"), "none of these copied anything up");

	/* A file made over a whiteout in a set-group-ID directory keeps its set-user-ID bit. */
	is_int(vr_unlinkat(t, AT_FDCWD, "/sg/f", 0), 0, "unlink of a base file in a setgid dir");
	fd = vr_openat(t, AT_FDCWD, "/sg/f", O_CREAT | O_WRONLY, 04755);
	ok(fd >= 0, "made again over its whiteout, mode 04755");
	if (fd >= 0)
		close(fd);
	ok(vr_fstatat(t, AT_FDCWD, "/sg/f", &st, 0) == 0 && (st.st_mode & 07777) == 04755,
	   "with its set-user-ID bit (mode %04o)", st.st_mode & 07777);

	/* ovl_rename(): a directory exchanged onto a base's name is made opaque. */
	is_int(vr_mkdirat(t, AT_FDCWD, "/xnew", 0700), 0, "mkdir /xnew");
	is_int(vr_mkdirat(t, AT_FDCWD, "/xnew/sub", 0700), 0, "mkdir /xnew/sub");
	is_int(vr_renameat2(t, AT_FDCWD, "/x/sub", AT_FDCWD, "/xnew", 2), 0,
	       "RENAME_EXCHANGE of a base directory with a new one");
	ok(!listed(t, "/x/sub", "a") && listed(t, "/x/sub", "sub"),
	   "the new one, at the base's name, shows none of the base's entries");
	ok(vr_fstatat(t, AT_FDCWD, "/x/sub/b", &st, AT_SYMLINK_NOFOLLOW) == -ENOENT,
	   "nor finds them");
	is_str(read_file(t, "/xnew/a"), "a", "the base's directory moved with its data");
	is_int(vr_renameat2(t, AT_FDCWD, "/x/sub/sub", AT_FDCWD, "/x/sub", 2), -EINVAL,
	       "(an exchange with its own parent: EINVAL)");
	is_int(vr_renameat2(t, AT_FDCWD, "/xnew", AT_FDCWD, "/x/sub", 2), 0, "exchanged back");
	ok(listed(t, "/x/sub", "a") && !listed(t, "/x/sub", "sub") && !listed(t, "/xnew", "a"),
	   "each shows its own entries again");
}

int
main(void)
{
	struct vr_mount_spec mounts[] = {
	        {.host = NULL, .path = "/rw"},
	        {.host = NULL, .path = "/ro", .flags = VR_MOUNT_RDONLY},
	};
	const char *lowers[1];
	struct vr_ns_spec spec = {.lowers = lowers, .nlowers = 1, .mounts = mounts, .nmounts = 2};
	struct timespec ts[2] = {{.tv_sec = 1000000}, {.tv_sec = 2000000}};
	struct vr_ns *ns;
	struct vr_task *t;
	struct stat st;
	char *before, *after, cmd[PATH_MAX + 16];

	if (!mkdtemp(root))
		skip_all("mkdtemp: %s", strerror(errno));
	mkdir(at("base"), 0755), mkdir(at("base/d"), 0755), mkdir(at("base/both"), 0755);
	mkfile("base/f", "base"), mkfile("base/both/lowf", "low"), mkfile("base/d/inner", "in");
	mkdir(at("base/deep"), 0755), mkdir(at("base/deep/x"), 0755),
	        mkdir(at("base/deep/x/y"), 0755);
	mkfile("base/deep/x/y/leaf", "leaf"), mkfile("base/deep/x/y/gone", "gone");
	mkfile("base/g", "gee"), mkfile("base/h", "aitch"), mkfile("base/sparse", "sparse data");
	{
		int fd = open(at("base/bigsparse"), O_CREAT | O_WRONLY, 0644);

		if (fd >= 0) {
			if (pwrite(fd, "end", 3, (64L << 20) - 3) != 3)
				diag("cannot write the sparse file");
			close(fd);
		}
	}
	mkdir(at("base/x"), 0755), mkdir(at("base/x/sub"), 0755), mkfile("base/x/sub/a", "a");
	mkfile("base/x/sub/b", "b"), mkfile("base/x/file", "file"), mkfifo(at("base/x/fifo"), 0644);
	if (symlink("sub", at("base/x/lnk")) || symlink("self/", at("base/x/self")) ||
	    symlink("nx/", at("base/x/dang")))
		diag("cannot make the base's symlinks");
	mkdir(at("base/sg"), 0755), chmod(at("base/sg"), 02775), mkfile("base/sg/f", "f");
	mkdir(at("up"), 0755), mkdir(at("up.work"), 0755), mkdir(at("up/both"), 0755);
	mkdir(at("rw"), 0755), mkdir(at("ro"), 0755), mkfile("ro/r", "r"), mkfile("rw/w", "w");
	lowers[0] = strdup(at("base"));
	spec.upper = strdup(at("up"));
	spec.work = strdup(at("up.work"));
	mounts[0].host = strdup(at("rw"));
	mounts[1].host = strdup(at("ro"));
	before = base_sum();
	if (vr_ns_new(&spec, &ns) < 0 || vr_task_new(ns, &t) < 0)
		skip_all("cannot create the namespace");

	is_int(vr_mkdirat(t, AT_FDCWD, "/newdir", 0755), 0, "mkdir in the upper root");
	ok(host_exists("up/newdir") && !host_exists("base/newdir"), "it is in the prefix only");
	is_err(vr_mkdirat(t, AT_FDCWD, "/newdir", 0755), EEXIST, "mkdir of an existing name");
	is_err(vr_mkdirat(t, AT_FDCWD, "/d", 0755), EEXIST, "mkdir over a base directory");
	is_int(vr_mkdirat(t, AT_FDCWD, "/d/sub", 0755), 0, "mkdir in a base-only directory");
	ok(host_exists("up/d/sub") && !host_exists("base/d/sub"), "its parent was copied up first");
	ok(stat(at("up/d"), &st) == 0 && (st.st_mode & 07777) == 0755, "with the base's mode");
	is_int(vr_mkdirat(t, AT_FDCWD, "/both/sub/", 0755), 0, "mkdir in a merged directory");
	is_err(vr_mkdirat(t, AT_FDCWD, "/missing/sub", 0755), ENOENT, "mkdir below a missing one");
	is_err(vr_mkdirat(t, AT_FDCWD, "/", 0755), EEXIST, "mkdir /");
	is_int(vr_symlinkat(t, "/f", AT_FDCWD, "/newdir/l"), 0, "symlink in the upper");
	is_err(vr_symlinkat(t, "", AT_FDCWD, "/newdir/l2"), ENOENT, "symlink to \"\"");
	is_int(vr_fstatat(t, AT_FDCWD, "/newdir/l", &st, 0), 0, "and it resolves in the namespace");
	is_int(vr_mknodat(t, AT_FDCWD, "/newdir/fifo", S_IFIFO | 0644, 0), 0,
	       "mkfifo in the upper");
	is_int(vr_linkat(t, AT_FDCWD, "/newdir/fifo", AT_FDCWD, "/newdir/fifo2", 0), 0,
	       "link within the upper");
	is_err(vr_linkat(t, AT_FDCWD, "/rw/w", AT_FDCWD, "/newdir/w", 0), EXDEV,
	       "link across a mount: EXDEV");
	is_int(vr_renameat2(t, AT_FDCWD, "/newdir/fifo2", AT_FDCWD, "/both/fifo3", 0), 0,
	       "rename within the upper");
	ok(host_exists("up/both/fifo3") && !host_exists("up/newdir/fifo2"), "moved on the host");
	is_int(vr_mkdirat(t, AT_FDCWD, "/tree", 0755), 0, "mkdir /tree");
	is_int(vr_renameat2(t, AT_FDCWD, "/both/sub", AT_FDCWD, "/tree/sub", 0), 0,
	       "rename of an upper directory");
	is_int(vr_unlinkat(t, AT_FDCWD, "/deep/x/y/gone", 0), 0, "unlink in a base subtree");
	is_int(vr_renameat2(t, AT_FDCWD, "/deep", AT_FDCWD, "/tree/deep2", 0), 0,
	       "rename of a base directory with a subtree: no EXDEV");
	is_str(read_file(t, "/tree/deep2/x/y/leaf"), "leaf", "the subtree came along");
	ok(listed(t, "/tree/deep2/x", "y") && listed(t, "/tree/deep2", "x"), "and lists");
	is_err(vr_fstatat(t, AT_FDCWD, "/deep", &st, 0), ENOENT, "the old name is gone");
	ok(host_exists("base/deep/x/y/leaf"), "the base still has it");
	is_int(vr_renameat2(t, AT_FDCWD, "/tree/deep2", AT_FDCWD, "/deep", 0), 0,
	       "and back over its own whiteout");
	is_str(read_file(t, "/deep/x/y/leaf"), "leaf", "with the subtree");
	ok(!listed(t, "/deep/x/y", "gone"), "a name removed before the move stays removed");
	is_err(vr_renameat2(t, AT_FDCWD, "/rw/w", AT_FDCWD, "/w", 0), EXDEV,
	       "rename across a mount");
	is_int(vr_renameat2(t, AT_FDCWD, "/rw/w", AT_FDCWD, "/rw/w2", 0), 0,
	       "rename in a read-write mount");
	is_err(vr_renameat2(t, AT_FDCWD, "/ro/r", AT_FDCWD, "/ro/r2", 0), EROFS,
	       "rename in a read-only mount");
	is_err(vr_unlinkat(t, AT_FDCWD, "/ro/r", 0), EROFS, "unlink in a read-only mount");

	/* A base file gains a second name: copied up once, one inode, two links. */
	is_int(vr_linkat(t, AT_FDCWD, "/f", AT_FDCWD, "/newdir/f2", 0), 0, "link of a base file");
	ok(vr_fstatat(t, AT_FDCWD, "/f", &st, 0) == 0 && st.st_nlink == 2, "the copy has 2 links");
	{
		struct stat st2;

		ok(vr_fstatat(t, AT_FDCWD, "/newdir/f2", &st2, 0) == 0 && st2.st_ino == st.st_ino,
		   "both names are one file");
	}
	/* A base file renamed: its old name is whited out. */
	is_int(vr_renameat2(t, AT_FDCWD, "/both/lowf", AT_FDCWD, "/both/moved", 0), 0,
	       "rename of a base file");
	is_err(vr_fstatat(t, AT_FDCWD, "/both/lowf", &st, 0), ENOENT, "the old name is gone");
	ok(lstat(at("up/both/lowf"), &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == 0,
	   "hidden by a whiteout (char 0:0) in the upper layer");
	is_str(read_file(t, "/both/moved"), "low", "the new name has the data");
	is_err(vr_renameat2(t, AT_FDCWD, "/newdir/f2", AT_FDCWD, "/newdir", 1 /* NOREPLACE */),
	       EEXIST, "RENAME_NOREPLACE over an existing name");

	/* Removing base names leaves whiteouts; recreating replaces them. */
	is_int(vr_unlinkat(t, AT_FDCWD, "/newdir/f2", 0), 0, "unlink of an upper name");
	is_int(vr_unlinkat(t, AT_FDCWD, "/f", 0), 0, "unlink of a copied-up base file");
	is_err(vr_fstatat(t, AT_FDCWD, "/f", &st, 0), ENOENT, "it is gone");
	ok(lstat(at("up/f"), &st) == 0 && S_ISCHR(st.st_mode), "a whiteout took its place");
	ok(!listed(t, "/", "f"), "and the listing hides it");
	{
		int fd = vr_openat(t, AT_FDCWD, "/f", O_CREAT | O_WRONLY | O_EXCL, 0600);

		ok(fd >= 0 && write(fd, "again", 5) == 5, "creating the name again");
		if (fd >= 0)
			close(fd);
	}
	is_str(read_file(t, "/f"), "again", "the new file, not the base's");
	ok(lstat(at("up/f"), &st) == 0 && S_ISREG(st.st_mode), "replaced the whiteout");
	is_err(vr_unlinkat(t, AT_FDCWD, "/d", AT_REMOVEDIR), ENOTEMPTY, "rmdir of a full base dir");
	is_int(vr_unlinkat(t, AT_FDCWD, "/d/sub", AT_REMOVEDIR), 0, "rmdir of its new subdir");
	is_int(vr_unlinkat(t, AT_FDCWD, "/d/inner", 0), 0, "unlink of its base file");
	is_int(vr_unlinkat(t, AT_FDCWD, "/d", AT_REMOVEDIR), 0, "rmdir of the now empty base dir");
	is_err(vr_fstatat(t, AT_FDCWD, "/d", &st, 0), ENOENT, "the directory is gone");
	is_int(vr_mkdirat(t, AT_FDCWD, "/d", 0700), 0, "mkdir of the same name");
	ok(vr_fstatat(t, AT_FDCWD, "/d/inner", &st, 0) == -ENOENT, "the new one is empty (opaque)");
	ok(!listed(t, "/d", "inner"), "and lists nothing of the base's");

	is_err(vr_unlinkat(t, AT_FDCWD, "/newdir", 0), EISDIR, "unlink of a directory");
	is_err(vr_unlinkat(t, AT_FDCWD, "/newdir", AT_REMOVEDIR), ENOTEMPTY, "rmdir of a full one");
	is_int(vr_unlinkat(t, AT_FDCWD, "/newdir/l", 0), 0, "unlink in the upper");
	is_int(vr_unlinkat(t, AT_FDCWD, "/newdir/fifo", 0), 0, "unlink the fifo");
	is_int(vr_unlinkat(t, AT_FDCWD, "/newdir", AT_REMOVEDIR), 0, "rmdir in the upper");
	is_err(vr_unlinkat(t, AT_FDCWD, "/tree/sub/.", AT_REMOVEDIR), EINVAL, "rmdir of \".\"");

	/* Attribute changes copy up. */
	is_int(vr_fchmodat(t, AT_FDCWD, "/g", 0600, 0), 0, "chmod of a base file");
	ok(stat(at("up/g"), &st) == 0 && (st.st_mode & 07777) == 0600, "applied to an upper copy");
	is_str(read_file(t, "/g"), "gee", "which has the data");
	is_int(vr_fchmodat(t, AT_FDCWD, "/both", 0700, 0), 0,
	       "chmod of a merged directory (upper)");
	ok(stat(at("up/both"), &st) == 0 && (st.st_mode & 07777) == 0700,
	   "applied to the upper copy");
	is_int(vr_utimensat(t, AT_FDCWD, "/h", ts, 0), 0, "utimensat of a base file");
	ok(vr_fstatat(t, AT_FDCWD, "/h", &st, 0) == 0 && st.st_mtime == 2000000, "mtime set");
	is_int(vr_truncate(t, "/sparse", 3), 0, "truncate of a base file");
	ok(vr_fstatat(t, AT_FDCWD, "/sparse", &st, 0) == 0 && st.st_size == 3, "size set");
	is_int(vr_fchmodat(t, AT_FDCWD, "/rw/w2", 0600, 0), 0, "chmod in a read-write mount");
	is_int(vr_utimensat(t, AT_FDCWD, "/rw/w2", ts, 0), 0, "utimensat in a read-write mount");
	ok(stat(at("rw/w2"), &st) == 0 && st.st_mtime == 2000000, "mtime set");
	is_int(vr_truncate(t, "/rw/w2", 0), 0, "truncate in a read-write mount");
	is_err(vr_truncate(t, "/both", 0), EISDIR, "truncate of a directory");
	is_int(vr_fchownat(t, AT_FDCWD, "/rw/w2", (unsigned)-1, (unsigned)-1, 0), 0,
	       "fchownat with no change");
	is_int(vr_fchmodat(t, AT_FDCWD, "/ro/r", 0600, 0), -EROFS, "chmod in a read-only mount");
	{
		/* A big sparse base file keeps its holes when copied up. */
		int fd = vr_openat(t, AT_FDCWD, "/bigsparse", O_WRONLY, 0);

		ok(fd >= 0, "write open of a sparse base file");
		if (fd >= 0)
			close(fd);
		ok(stat(at("up/bigsparse"), &st) == 0 && st.st_size == (64L << 20) &&
		           st.st_blocks * 512 < (1L << 20),
		   "its copy is as long and still sparse (%ld blocks)", (long)st.st_blocks);
	}

	kernel_rules(t);

	after = base_sum();
	is_str(after, before, "the base is unchanged (names, sizes, modes, times)");
	vr_task_free(t);
	vr_ns_free(ns);
	free(before), free(after), free((char *)lowers[0]), free((char *)spec.upper);
	free((char *)spec.work), free((char *)mounts[0].host), free((char *)mounts[1].host);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		diag("could not remove %s", root);
	return done_testing();
}
