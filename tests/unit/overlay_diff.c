/*
 * overlay_diff.c - the root overlay against kernel overlayfs, on generated layers.
 *
 * Each round generates a lower layer and an upper layer over it (copied-up
 * and new entries, whiteouts, opaque directories, directories merged with
 * the lower's) from a seeded PRNG, twice: copy A is mounted by the kernel
 * (overlayfs, userxattr), copy B is the root of a vroot namespace.  The same
 * generated operations are applied to both, and after each one the answers
 * (errno, data read, stat fields, listings, attributes) and the state of the
 * paths it named and of their directories are compared; every TREE_EVERY
 * operations and at the end of a round, the whole trees.  At the end of a
 * round each side's layers are read by the other implementation, which must
 * show the same tree (format compatibility, in both directions), and the
 * lower layers must be as they were made: names, modes, sizes, mtimes and
 * ctimes (a base is never written).
 *
 * The kernel side is a child process chrooted at the overlay mount, so that
 * absolute symlink bodies and ".." at the top resolve against the overlay's
 * root, as they do in the namespace (chroot semantics); it answers over a
 * socket.  Its calls are the plain system calls on the virtual paths.
 *
 * Compared: errno; file type, permission bits, group (setgid directories
 * have another), size and link count; which regular files of a tree are one
 * inode (st_ino equality, not the numbers, which are each side's own); file
 * contents; link bodies; device numbers; extended attributes; sorted
 * directory listings with d_type; the times utimensat() set.  The lower
 * layer has hard links, and the kernel mounts with index=on, so a file with
 * several links keeps them through copy-up on both sides.
 * Documented differences, and only those:
 *
 *  - overlayfs reports st_nlink 1 for a merged directory (it does not count
 *    subdirectories across layers): a directory's link count is compared
 *    where the kernel reports a real one.
 *  - Renaming a directory a lower layer has a part of works in vroot (the
 *    contract: no EXDEV); the kernel answers EXDEV, redirect_dir being off
 *    in userxattr mode.  Then the kernel side does what mv(1) does on EXDEV:
 *    it makes the new directory (with the old one's mode and attributes),
 *    moves what is below it (non-directories by rename(2), which keeps hard
 *    links as a rename would) and removes the old one, after the one check
 *    rename(2) would still have made (a non-empty target: ENOTEMPTY); an
 *    exchange is three such moves through a temporary name.  Then the two
 *    sides' answers and trees are compared as for any operation.
 *  - Reading the other's layers, a regular file with several links is
 *    compared by type only: each implementation keeps the shared copies of
 *    such files in an index of its own, which the other does not read (see
 *    cross_reading).
 *  - overlayfs answers ESTALE to rename(2) between two hard links of one
 *    copied-up special file (lower FIFO p; link p q; rename q p), where
 *    rename(2) does nothing and answers 0, as vroot does; with index=on it
 *    does so for regular files too, and for RENAME_EXCHANGE.  A plain rename
 *    or an exchange the kernel answers ESTALE, between two linked
 *    non-directories of one type, is taken as 0; the states compared after
 *    it must then show both names unchanged on both sides.
 *  - A program's mknod of a character device 0:0 (a whiteout): overlayfs
 *    refuses it (EPERM); vroot makes it, kept as an empty file with a record
 *    that shows the device, so that a vroot session nested inside can
 *    remove names (README).  Not generated.
 *  - vroot copies a base FIFO up before opening it for writing: writing to
 *    a FIFO changes its times, vroot opens the layer's own FIFO, and a base
 *    is never written; overlayfs writes through an inode of its own and
 *    copies nothing up.  So the kernel side, after it opened a FIFO for
 *    writing, copies it up too, by fchmod() to its own mode (fifo_copy_up());
 *    an open that fails (O_NONBLOCK without a reader: ENXIO) copies nothing
 *    up on either side.
 *
 * Disagreements about hard links (link counts, and data written through
 * one link and read through another: every differing line names a
 * non-directory of one type on both sides, with more than one link on one
 * side, and differs only in the link count and the data, hardlink_only();
 * or differing answers of a read or stat of such a file, answer_of_gap())
 * are reported under their own name, to point at the index, and fail like
 * any other.
 *
 * A disagreement is printed with the seed and the operations so far, and
 * then, found by replaying shorter sequences on fresh copies of the same
 * layers (delta debugging), a short sequence that still shows it.  A round
 * stops where the states differ; rounds are run until enough operations
 * were compared.
 *
 * Needs root (mount, chroot): skipped otherwise.  VR_ODIFF_SEED=N repeats a
 * run; VR_ODIFF_OPS=N (per round) and VR_ODIFF_TOTAL=N change its size;
 * VR_ODIFF_MINIMIZE=0 or VR_ODIFF_MINIMIZE_SECONDS=N bound the shortening;
 * VR_ODIFF_KEEP=1 leaves the layers in /tmp.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "vroot.h"
#include "fixture.h"
#include "tap.h"

/* The name under which hard-link disagreements are reported (see hardlink_only()). */
#define KNOWN_GAP "hard links through copy-up"

#define OPS        300  /* operations per round, unless VR_ODIFF_OPS says */
#define TOTAL      6000 /* rounds run until this many are compared (VR_ODIFF_TOTAL) */
#define MAX_ROUNDS 60   /* ... or this many rounds ran (a round stops where states differ) */
#define MIN_OPS    5000 /* a default run compares at least this many */
#define BUDGET     10   /* seconds for shortening sequences (VR_ODIFF_MINIMIZE_SECONDS) */
#define TREE_EVERY 50   /* whole trees compared every this many operations */
#define POOL_EVERY 10   /* the generator's picture of the tree refreshed */
#define MAXPRINT   20   /* disagreements printed in full */
#define MAXLINES   8    /* differing lines printed per disagreement */
#define PLEN       160  /* a generated path or link body */
#define DEPTH      3    /* generated directories nest this deep */
#define SGID_GROUP 100  /* the group of generated setgid directories */

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE  (1 << 1)
#endif
#define XA_NOFOLLOW 0x100 /* op flag: the l*xattr call */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const vocab[] = {"a", "b", "c", "d", "e", "f", "g"};
#define NVOCAB ((unsigned int)ARRAY_SIZE(vocab))

/* ---- PRNG and strings ------------------------------------------------------ */

/* chance() - true @pct times in 100. */
static int
chance(struct rng *r, unsigned int pct)
{
	return rnd(r, 100) < pct;
}

/* sb_str() - the built string, "" when nothing was added. */
static const char *
sb_str(const struct sb *b)
{
	return b->p ? b->p : "";
}

static void
sb_free(struct sb *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

static void
sb_quote(struct sb *b, const char *s)
{
	sb_add(b, "\"");
	sb_esc(b, s, strlen(s));
	sb_add(b, "\"");
}

/* sb_rc() - a return value, or the errno's name for -errno. */
static void
sb_rc(struct sb *b, long rc)
{
	const char *name = rc < 0 ? strerrorname_np((int)-rc) : NULL;

	if (rc >= 0)
		sb_addf(b, "%ld", rc);
	else if (name)
		sb_add(b, name);
	else
		sb_addf(b, "E%ld", -rc);
}


/* join() - "@dir/@name" into @out, without doubling the root's slash. */
static void
join(char *out, size_t size, const char *dir, const char *name)
{
	pathf(out, size, "%s/%s", strcmp(dir, "/") ? dir : "", name);
}

/* parent_of() - the directory part of @path, textually ("/" at the top). */
static void
parent_of(char *out, size_t size, const char *path)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	while (n > 0 && path[n - 1] != '/')
		n--;
	while (n > 1 && path[n - 1] == '/')
		n--;
	if (n == 0)
		n = 1;
	snprintf(out, size, "%.*s", (int)n, path);
}

/* ---- the two sides --------------------------------------------------------- */

/*
 * A side answers calls on virtual paths: vroot through task @t, or the
 * kernel (@t NULL) in a process chrooted at the overlay mount.  Every call
 * returns a value >= 0 or -errno.
 */
struct side {
	struct vr_task *t;
};

static long
kret(long r)
{
	return r < 0 ? -errno : r;
}

static int
s_open(const struct side *s, const char *p, int flags, unsigned int mode)
{
	if (s->t)
		return vr_openat(s->t, AT_FDCWD, p, flags, mode);
	return (int)kret(open(p, flags, mode));
}

static int
s_stat(const struct side *s, const char *p, struct stat *st, int flags)
{
	if (s->t)
		return vr_fstatat(s->t, AT_FDCWD, p, st, flags);
	return (int)kret(fstatat(AT_FDCWD, p, st, flags));
}

static int
s_mkdir(const struct side *s, const char *p, unsigned int mode)
{
	if (s->t)
		return vr_mkdirat(s->t, AT_FDCWD, p, mode);
	return (int)kret(mkdir(p, mode));
}

static int
s_mknod(const struct side *s, const char *p, unsigned int mode, unsigned int dev)
{
	if (s->t)
		return vr_mknodat(s->t, AT_FDCWD, p, mode, dev);
	return (int)kret(mknod(p, mode, dev));
}

static int
s_symlink(const struct side *s, const char *body, const char *p)
{
	if (s->t)
		return vr_symlinkat(s->t, body, AT_FDCWD, p);
	return (int)kret(symlink(body, p));
}

static int
s_unlink(const struct side *s, const char *p, int flags)
{
	if (s->t)
		return vr_unlinkat(s->t, AT_FDCWD, p, flags);
	return (int)kret(unlinkat(AT_FDCWD, p, flags));
}

static int
s_rename(const struct side *s, const char *a, const char *b, unsigned int flags)
{
	if (s->t)
		return vr_renameat2(s->t, AT_FDCWD, a, AT_FDCWD, b, flags);
	return (int)kret(renameat2(AT_FDCWD, a, AT_FDCWD, b, flags));
}

static int
s_link(const struct side *s, const char *a, const char *b, int flags)
{
	if (s->t)
		return vr_linkat(s->t, AT_FDCWD, a, AT_FDCWD, b, flags);
	return (int)kret(linkat(AT_FDCWD, a, AT_FDCWD, b, flags));
}

static int
s_chmod(const struct side *s, const char *p, unsigned int mode, int flags)
{
	if (s->t)
		return vr_fchmodat(s->t, AT_FDCWD, p, mode, flags);
	if (flags)
		return (int)kret(syscall(SYS_fchmodat2, AT_FDCWD, p, mode, flags));
	return (int)kret(chmod(p, mode));
}

static int
s_truncate(const struct side *s, const char *p, long len)
{
	if (s->t)
		return vr_truncate(s->t, p, len);
	return (int)kret(truncate(p, len));
}

static int
s_utimens(const struct side *s, const char *p, const struct timespec *ts, int flags)
{
	if (s->t)
		return vr_utimensat(s->t, AT_FDCWD, p, ts, flags);
	return (int)kret(utimensat(AT_FDCWD, p, ts, flags));
}

static int
s_setxattr(const struct side *s, const char *p, const char *name, const void *val, size_t n,
           int flags, int nofollow)
{
	if (s->t)
		return vr_setxattr(s->t, p, name, val, n, flags, nofollow);
	if (nofollow)
		return (int)kret(lsetxattr(p, name, val, n, flags));
	return (int)kret(setxattr(p, name, val, n, flags));
}

static int
s_removexattr(const struct side *s, const char *p, const char *name, int nofollow)
{
	if (s->t)
		return vr_removexattr(s->t, p, name, nofollow);
	return (int)kret(nofollow ? lremovexattr(p, name) : removexattr(p, name));
}

static long
s_getxattr(const struct side *s, const char *p, const char *name, void *val, size_t n, int nofollow)
{
	if (s->t)
		return vr_getxattr(s->t, p, name, val, n, nofollow);
	return kret(nofollow ? lgetxattr(p, name, val, n) : getxattr(p, name, val, n));
}

static long
s_listxattr(const struct side *s, const char *p, char *list, size_t n, int nofollow)
{
	if (s->t)
		return vr_listxattr(s->t, p, list, n, nofollow);
	return kret(nofollow ? llistxattr(p, list, n) : listxattr(p, list, n));
}

static long
s_readlink(const struct side *s, const char *p, char *buf, size_t n)
{
	if (s->t)
		return vr_readlinkat(s->t, AT_FDCWD, p, buf, n);
	return kret(readlink(p, buf, n));
}

static long
s_getdents(const struct side *s, int fd, void *buf, size_t n)
{
	if (s->t)
		return vr_getdents64(s->t, fd, buf, n);
	return kret(syscall(SYS_getdents64, fd, buf, n));
}

/* ---- describing what a side shows ------------------------------------------ */

/* One letter per file type, indexed by d_type or by st_mode >> 12 (the same). */
static char
type_char(unsigned int t)
{
	return "upc?d?b?f?l?s?w?"[t & 15];
}

struct dent {
	char *name;
	unsigned char type;
};

struct names {
	struct dent *v;
	int n, cap;
};

static void
names_add(struct names *nm, const char *name, unsigned char type)
{
	if (nm->n == nm->cap) {
		nm->cap = nm->cap ? nm->cap * 2 : 16;
		nm->v = realloc(nm->v, (size_t)nm->cap * sizeof(nm->v[0]));
		if (!nm->v)
			abort();
	}
	nm->v[nm->n].name = strdup(name);
	if (!nm->v[nm->n].name)
		abort();
	nm->v[nm->n++].type = type;
}

static void
names_free(struct names *nm)
{
	for (int i = 0; i < nm->n; i++)
		free(nm->v[i].name);
	free(nm->v);
	memset(nm, 0, sizeof(*nm));
}

static int
dent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dent *)a)->name, ((const struct dent *)b)->name);
}

struct ldent {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

/* list_fd() - the names of the directory open as @fd, sorted.  Return: 0 or -errno. */
static long
list_fd(const struct side *s, int fd, struct names *nm)
{
	char buf[8192] __attribute__((aligned(8)));
	long n;

	while ((n = s_getdents(s, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct ldent *d = (struct ldent *)(buf + off);

			names_add(nm, d->name, d->type);
			off += d->reclen;
		}
	}
	if (nm->n > 1)
		qsort(nm->v, (size_t)nm->n, sizeof(nm->v[0]), dent_cmp);
	return n;
}

/* list_path() - the names of directory @path (@flags: O_NOFOLLOW or 0). */
static long
list_path(const struct side *s, const char *path, int flags, struct names *nm)
{
	int fd = s_open(s, path, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC | flags, 0);
	long err;

	if (fd < 0)
		return fd;
	err = list_fd(s, fd, nm);
	close(fd);
	return err;
}

static void
add_names(struct sb *b, long err, const struct names *nm)
{
	if (err < 0) {
		sb_rc(b, err);
		return;
	}
	for (int i = 0; i < nm->n; i++)
		sb_addf(b, "%s%s:%c", i ? "," : "", nm->v[i].name, type_char(nm->v[i].type));
}

/* add_stat() - the compared fields of @st, each after a tab. */
static void
add_stat(struct sb *b, const struct stat *st)
{
	unsigned int t = st->st_mode & S_IFMT;

	sb_addf(b, "\t%c\tm=%04o\tn=%lu\ts=%lld\tg=%u", type_char(t >> 12), st->st_mode & 07777,
	        (unsigned long)st->st_nlink, (long long)st->st_size, st->st_gid);
	if (t == S_IFCHR || t == S_IFBLK)
		sb_addf(b, "\tr=%u:%u", major(st->st_rdev), minor(st->st_rdev));
}

static uint64_t
fnv64(const char *p, size_t n)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
	return h;
}

#define DATA_MAX (1 << 20)

/* add_fd_data() - what @fd reads: its length, a hash and the first bytes. */
static void
add_fd_data(struct sb *b, int fd)
{
	char *buf = malloc(DATA_MAX);
	size_t len = 0;
	ssize_t n;

	if (!buf)
		abort();
	while (len < DATA_MAX && (n = read(fd, buf + len, DATA_MAX - len)) > 0)
		len += (size_t)n;
	if (len == 0 && n < 0) {
		sb_rc(b, -errno);
	} else {
		sb_addf(b, "%zu:%016llx:\"", len, (unsigned long long)fnv64(buf, len));
		sb_esc(b, buf, len < 24 ? len : 24);
		sb_add(b, "\"");
	}
	free(buf);
}

static void
add_data(const struct side *s, const char *path, struct sb *b)
{
	int fd = s_open(s, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0);

	sb_add(b, "\td=");
	if (fd < 0) {
		sb_rc(b, fd);
		return;
	}
	add_fd_data(b, fd);
	close(fd);
}

static void
add_link(const struct side *s, const char *path, struct sb *b)
{
	char buf[PATH_MAX];
	long n = s_readlink(s, path, buf, sizeof(buf));

	sb_add(b, "\t->");
	if (n < 0)
		sb_rc(b, n);
	else
		sb_esc(b, buf, (size_t)n);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* add_xattr_names() - the names of an xattr list, sorted; with values if @vals. */
static void
add_xattr_list(const struct side *s, const char *path, int nofollow, char *list, long n,
               struct sb *b)
{
	char *name[64], val[256];
	int k = 0;

	for (long i = 0; i < n && k < 64; i += (long)strlen(list + i) + 1)
		name[k++] = list + i;
	qsort(name, (size_t)k, sizeof(name[0]), str_cmp);
	for (int i = 0; i < k; i++) {
		long v = path ? s_getxattr(s, path, name[i], val, sizeof(val), nofollow) : 0;

		sb_addf(b, "%s%s", i ? "," : "", name[i]);
		if (!path)
			continue;
		sb_add(b, "=");
		if (v < 0)
			sb_rc(b, v);
		else
			sb_esc(b, val, (size_t)v);
	}
}

/* add_xattrs() - the object's own extended attributes, when it has any. */
static void
add_xattrs(const struct side *s, const char *path, struct sb *b)
{
	char list[4096];
	long n = s_listxattr(s, path, list, sizeof(list), 1);

	if (n == 0)
		return;
	sb_add(b, "\tx=");
	if (n < 0)
		sb_rc(b, n);
	else
		add_xattr_list(s, path, 1, list, n, b);
}

/*
 * describe() - one line for what @path names (not following a final
 * symlink): "path TAB type TAB m=mode TAB n=nlink TAB s=size ..." and then
 * the data, link body, listing or device number, and the xattrs; or
 * "path TAB E=errno".  A directory's names are left in @keep if given.
 */
static void
describe(const struct side *s, const char *path, struct sb *b, struct names *keep)
{
	struct names nm = {0};
	struct stat st;
	int err = s_stat(s, path, &st, AT_SYMLINK_NOFOLLOW);
	long lerr;

	sb_add(b, path);
	if (err < 0) {
		sb_add(b, "\tE=");
		sb_rc(b, err);
		sb_add(b, "\n");
		return;
	}
	add_stat(b, &st);
	if (S_ISREG(st.st_mode))
		add_data(s, path, b);
	else if (S_ISLNK(st.st_mode))
		add_link(s, path, b);
	if (S_ISDIR(st.st_mode)) {
		lerr = list_path(s, path, O_NOFOLLOW, &nm);
		sb_add(b, "\tl=");
		add_names(b, lerr, &nm);
	}
	add_xattrs(s, path, b);
	sb_add(b, "\n");
	if (keep)
		*keep = nm;
	else
		names_free(&nm);
}

/* The non-directories a dump() has met: which names share an inode. */
struct seen {
	dev_t dev;
	ino_t ino;
	char *path;
};
static struct seen *inodes;
static int nseen, capseen;

/*
 * add_class() - "\ti=FIRST" on the line just written for regular file
 * @path when an earlier path of the dump is the same inode: the two sides'
 * st_ino equality classes are compared, not their numbers.  Symlinks and
 * special files are left out: neither side can record where a copy of one
 * came from (user xattrs are for files and directories only).
 */
static void
add_class(const struct side *s, const char *path, struct sb *b)
{
	struct stat st;

	if (s_stat(s, path, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
		return;
	for (int i = 0; i < nseen; i++) {
		if (inodes[i].dev == st.st_dev && inodes[i].ino == st.st_ino) {
			b->len--; /* before the newline */
			sb_addf(b, "\ti=%s\n", inodes[i].path);
			return;
		}
	}
	if (nseen == capseen) {
		capseen = capseen ? capseen * 2 : 64;
		inodes = realloc(inodes, (size_t)capseen * sizeof(*inodes));
		if (!inodes)
			abort();
	}
	inodes[nseen].dev = st.st_dev;
	inodes[nseen].ino = st.st_ino;
	inodes[nseen].path = strdup(path);
	if (!inodes[nseen++].path)
		abort();
}

/* dump() - describe() of @path and of everything below it, in name order. */
static void
dump(const struct side *s, const char *path, struct sb *b, int depth)
{
	struct names nm = {0};
	char child[PATH_MAX];

	if (depth == 0) {
		for (int i = 0; i < nseen; i++)
			free(inodes[i].path);
		nseen = 0;
	}
	describe(s, path, b, &nm);
	add_class(s, path, b);
	for (int i = 0; i < nm.n && depth < 16; i++) {
		const char *name = nm.v[i].name;

		if (!strcmp(name, ".") || !strcmp(name, ".."))
			continue;
		join(child, sizeof(child), path, name);
		dump(s, child, b, depth + 1);
	}
	names_free(&nm);
}

/* ---- operations ------------------------------------------------------------ */

enum op_kind {
	OP_WRITE,
	OP_READ,
	OP_READDIR,
	OP_STAT,
	OP_READLINK,
	OP_MKDIR,
	OP_RMDIR,
	OP_UNLINK,
	OP_RENAME,
	OP_LINK,
	OP_SYMLINK,
	OP_MKNOD,
	OP_CHMOD,
	OP_TRUNCATE,
	OP_UTIMENS,
	OP_SETXATTR,
	OP_RMXATTR,
	OP_GETXATTR,
	OP_LISTXATTR,
	OP_KINDS
};

/* One generated operation; plain bytes, so it can be sent to the kernel side. */
struct op {
	int kind;
	char a[PLEN];
	char b[PLEN]; /* the second path, or a symlink's body */
	int flags;
	unsigned int mode; /* with the file type for mknod */
	unsigned int dev;
	long len; /* truncate's length; pwrite's offset, -1: write() */
	int dlen;
	char data[64]; /* bytes written, or an xattr value */
	char xname[16];
	struct timespec ts[2];
};

struct flagname {
	int flag;
	const char *name;
};

static const struct flagname open_flags[] = {
        {O_WRONLY, "O_WRONLY"},     {O_RDWR, "O_RDWR"},           {O_CREAT, "O_CREAT"},
        {O_EXCL, "O_EXCL"},         {O_TRUNC, "O_TRUNC"},         {O_APPEND, "O_APPEND"},
        {O_NOFOLLOW, "O_NOFOLLOW"}, {O_DIRECTORY, "O_DIRECTORY"}, {0, NULL},
};

static const struct flagname at_flags[] = {
        {AT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW"},
        {AT_SYMLINK_FOLLOW, "AT_SYMLINK_FOLLOW"},
        {0, NULL},
};

static const struct flagname rename_flags[] = {
        {RENAME_NOREPLACE, "RENAME_NOREPLACE"},
        {RENAME_EXCHANGE, "RENAME_EXCHANGE"},
        {0, NULL},
};

static const struct flagname xattr_flags[] = {
        {XATTR_CREATE, "XATTR_CREATE"},
        {XATTR_REPLACE, "XATTR_REPLACE"},
        {0, NULL},
};

static void
sb_flags(struct sb *b, int flags, const struct flagname *fl)
{
	int n = 0;

	if (fl == open_flags && !(flags & O_ACCMODE)) {
		sb_add(b, "O_RDONLY");
		n++;
	}
	for (; fl->name; fl++)
		if (flags & fl->flag)
			sb_addf(b, "%s%s", n++ ? "|" : "", fl->name);
	if (!n)
		sb_add(b, "0");
}

/* One kind of operation: how it runs on a side and how it prints. */
struct opdef {
	const char *name;
	void (*run)(const struct side *s, const struct op *o, struct sb *out);
	void (*print)(const struct op *o, struct sb *out);
	int two_paths; /* o->b is a path whose state changes */
};

static const struct opdef *opdef_of(int kind);

static void
pr_open(const struct op *o, struct sb *b)
{
	sb_add(b, "open(");
	sb_quote(b, o->a);
	sb_add(b, ", ");
	sb_flags(b, o->flags, open_flags);
	if (o->flags & O_CREAT)
		sb_addf(b, ", 0%o", o->mode);
	sb_add(b, ")");
	if (o->kind == OP_READ)
		sb_add(b, " + read");
	if (o->kind == OP_READDIR)
		sb_add(b, " + getdents64");
	if (o->kind != OP_WRITE)
		return;
	sb_add(b, o->len < 0 ? " + write(" : " + pwrite(");
	sb_add(b, "\"");
	sb_esc(b, o->data, (size_t)o->dlen);
	sb_addf(b, "\", %d", o->dlen);
	if (o->len >= 0)
		sb_addf(b, ", %ld", o->len);
	sb_add(b, ")");
}

/* pr_path() - "name("a"[, "b"][, 0mode][, flags])" with the kind's flag names. */
static void
pr_path(const struct op *o, struct sb *b)
{
	static const struct flagname *const fl[OP_KINDS] = {
	        [OP_STAT] = at_flags,  [OP_RENAME] = rename_flags, [OP_LINK] = at_flags,
	        [OP_CHMOD] = at_flags, [OP_UTIMENS] = at_flags,
	};

	sb_addf(b, "%s(", opdef_of(o->kind)->name);
	sb_quote(b, o->a);
	if (opdef_of(o->kind)->two_paths) {
		sb_add(b, ", ");
		sb_quote(b, o->b);
	}
	if (o->kind == OP_MKDIR || o->kind == OP_CHMOD)
		sb_addf(b, ", 0%o", o->mode);
	if (o->kind == OP_TRUNCATE)
		sb_addf(b, ", %ld", o->len);
	if (o->kind == OP_UTIMENS)
		for (int i = 0; i < 2; i++) {
			long ns = o->ts[i].tv_nsec;

			sb_add(b, i ? ", " : ", {");
			if (ns == UTIME_NOW || ns == UTIME_OMIT)
				sb_add(b, ns == UTIME_NOW ? "UTIME_NOW" : "UTIME_OMIT");
			else
				sb_addf(b, "%lld.%09ld", (long long)o->ts[i].tv_sec, ns);
			sb_add(b, i ? "}" : "");
		}
	if (fl[o->kind]) {
		sb_add(b, ", ");
		sb_flags(b, o->flags, fl[o->kind]);
	}
	sb_add(b, ")");
}

static void
pr_symlink(const struct op *o, struct sb *b)
{
	sb_add(b, "symlink(");
	sb_quote(b, o->b);
	sb_add(b, ", ");
	sb_quote(b, o->a);
	sb_add(b, ")");
}

static void
pr_mknod(const struct op *o, struct sb *b)
{
	sb_add(b, "mknod(");
	sb_quote(b, o->a);
	sb_addf(b, ", S_IF%s|0%o, %u:%u)",
	        S_ISFIFO(o->mode)   ? "IFO"
	        : S_ISCHR(o->mode)  ? "CHR"
	        : S_ISSOCK(o->mode) ? "SOCK"
	                            : "REG",
	        o->mode & 07777, major(o->dev), minor(o->dev));
}

static void
pr_xattr(const struct op *o, struct sb *b)
{
	int l = o->flags & XA_NOFOLLOW;

	sb_addf(b, "%s%s(", l ? "l" : "", opdef_of(o->kind)->name);
	sb_quote(b, o->a);
	if (o->kind != OP_LISTXATTR) {
		sb_add(b, ", ");
		sb_quote(b, o->xname);
	}
	if (o->kind == OP_SETXATTR) {
		sb_add(b, ", \"");
		sb_esc(b, o->data, (size_t)o->dlen);
		sb_addf(b, "\", %d, ", o->dlen);
		sb_flags(b, o->flags & ~XA_NOFOLLOW, xattr_flags);
	}
	sb_add(b, ")");
}

static void
op_print(const struct op *o, struct sb *b)
{
	opdef_of(o->kind)->print(o, b);
}

/* ---- running an operation on a side ---------------------------------------- */

/*
 * fifo_copy_up() - on the kernel's side, a FIFO opened for writing is
 * copied up (by a chmod to its own mode), as vroot does (see the header).
 */
static void
fifo_copy_up(int fd, int flags)
{
	struct stat st;

	if ((flags & O_ACCMODE) != O_RDONLY && fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
		fchmod(fd, st.st_mode & 07777);
}

static void
run_write(const struct side *s, const struct op *o, struct sb *out)
{
	int fd = s_open(s, o->a, o->flags | O_NONBLOCK | O_CLOEXEC, o->mode);
	ssize_t n;

	sb_add(out, "open=");
	sb_rc(out, fd < 0 ? fd : 0);
	if (fd < 0)
		return;
	if (!s->t)
		fifo_copy_up(fd, o->flags);
	if (o->len >= 0)
		n = pwrite(fd, o->data, (size_t)o->dlen, o->len);
	else
		n = write(fd, o->data, (size_t)o->dlen);
	sb_add(out, " write=");
	sb_rc(out, n < 0 ? -errno : n);
	close(fd);
}

static void
run_read(const struct side *s, const struct op *o, struct sb *out)
{
	int fd = s_open(s, o->a, o->flags | O_NONBLOCK | O_CLOEXEC, 0);

	sb_add(out, "open=");
	sb_rc(out, fd < 0 ? fd : 0);
	if (fd < 0)
		return;
	sb_add(out, " read=");
	add_fd_data(out, fd);
	close(fd);
}

static void
run_readdir(const struct side *s, const struct op *o, struct sb *out)
{
	struct names nm = {0};
	long err = list_path(s, o->a, o->flags, &nm);

	add_names(out, err, &nm);
	names_free(&nm);
}

static void
run_stat(const struct side *s, const struct op *o, struct sb *out)
{
	struct stat st;
	int err = s_stat(s, o->a, &st, o->flags);

	sb_rc(out, err);
	if (err == 0)
		add_stat(out, &st);
}

static void
run_readlink(const struct side *s, const struct op *o, struct sb *out)
{
	char buf[PATH_MAX];
	long n = s_readlink(s, o->a, buf, sizeof(buf));

	sb_rc(out, n);
	if (n > 0) {
		sb_add(out, " ");
		sb_esc(out, buf, (size_t)n);
	}
}

static void
run_mkdir(const struct side *s, const struct op *o, struct sb *out)
{
	sb_rc(out, s_mkdir(s, o->a, o->mode));
}

static void
run_rmdir(const struct side *s, const struct op *o, struct sb *out)
{
	sb_rc(out, s_unlink(s, o->a, AT_REMOVEDIR));
}

static void
run_unlink(const struct side *s, const struct op *o, struct sb *out)
{
	sb_rc(out, s_unlink(s, o->a, 0));
}

static int kernel_rename_emulated(const struct side *s, const struct op *o, int *rc);

/*
 * linked_pair() - @a and @b are non-directories of one type with more than
 * one link each: what two links of one file look like on the kernel's side,
 * where overlayfs may give them different inode numbers.  Whether they are
 * one file shows after the rename, when both states are compared.
 */
static int
linked_pair(const struct side *s, const char *a, const char *b)
{
	struct stat sa, sb;

	return s_stat(s, a, &sa, AT_SYMLINK_NOFOLLOW) == 0 &&
	       s_stat(s, b, &sb, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(sa.st_mode) &&
	       (sa.st_mode & S_IFMT) == (sb.st_mode & S_IFMT) && sa.st_nlink > 1 && sb.st_nlink > 1;
}

static void
run_rename(const struct side *s, const struct op *o, struct sb *out)
{
	int rc = s_rename(s, o->a, o->b, (unsigned int)o->flags);

	/* "~" marks the kernel's EXDEV replaced by the emulated move. */
	if (rc == -EXDEV && !s->t && kernel_rename_emulated(s, o, &rc))
		sb_add(out, "~");
	/* "^" marks the kernel's ESTALE between two links of one file, taken as 0. */
	if (rc == -ESTALE && !s->t && (o->flags == 0 || o->flags == RENAME_EXCHANGE) &&
	    linked_pair(s, o->a, o->b)) {
		sb_add(out, "^");
		rc = 0;
	}
	sb_rc(out, rc);
}

static void
run_link(const struct side *s, const struct op *o, struct sb *out)
{
	sb_rc(out, s_link(s, o->a, o->b, o->flags));
}

static void
run_symlink(const struct side *s, const struct op *o, struct sb *out)
{
	sb_rc(out, s_symlink(s, o->b, o->a));
}

static void
run_mknod(const struct side *s, const struct op *o, struct sb *out)
{
	sb_rc(out, s_mknod(s, o->a, o->mode, o->dev));
}

static void
run_chmod(const struct side *s, const struct op *o, struct sb *out)
{
	sb_rc(out, s_chmod(s, o->a, o->mode, o->flags));
}

static void
run_truncate(const struct side *s, const struct op *o, struct sb *out)
{
	sb_rc(out, s_truncate(s, o->a, o->len));
}

static int
explicit_time(const struct timespec *ts)
{
	return ts->tv_nsec != UTIME_NOW && ts->tv_nsec != UTIME_OMIT;
}

/* run_utimens() - the answer, and then the times that were set explicitly. */
static void
run_utimens(const struct side *s, const struct op *o, struct sb *out)
{
	int err = s_utimens(s, o->a, o->ts, o->flags);
	struct stat st;

	sb_rc(out, err);
	if (err < 0 || s_stat(s, o->a, &st, o->flags) < 0)
		return;
	if (explicit_time(&o->ts[0]))
		sb_addf(out, " atime=%lld.%09ld", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec);
	if (explicit_time(&o->ts[1]))
		sb_addf(out, " mtime=%lld.%09ld", (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

static void
run_setxattr(const struct side *s, const struct op *o, struct sb *out)
{
	sb_rc(out, s_setxattr(s, o->a, o->xname, o->data, (size_t)o->dlen, o->flags & ~XA_NOFOLLOW,
	                      o->flags & XA_NOFOLLOW));
}

static void
run_rmxattr(const struct side *s, const struct op *o, struct sb *out)
{
	sb_rc(out, s_removexattr(s, o->a, o->xname, o->flags & XA_NOFOLLOW));
}

static void
run_getxattr(const struct side *s, const struct op *o, struct sb *out)
{
	char val[256];
	long n = s_getxattr(s, o->a, o->xname, val, sizeof(val), o->flags & XA_NOFOLLOW);

	sb_rc(out, n);
	if (n > 0) {
		sb_add(out, " ");
		sb_esc(out, val, (size_t)n);
	}
}

static void
run_listxattr(const struct side *s, const struct op *o, struct sb *out)
{
	char list[4096];
	long n = s_listxattr(s, o->a, list, sizeof(list), o->flags & XA_NOFOLLOW);

	sb_rc(out, n);
	if (n > 0) {
		sb_add(out, " ");
		add_xattr_list(s, NULL, 0, list, n, out);
	}
}

static const struct opdef opdefs[OP_KINDS] = {
        [OP_WRITE] = {"write", run_write, pr_open, 0},
        [OP_READ] = {"read", run_read, pr_open, 0},
        [OP_READDIR] = {"readdir", run_readdir, pr_open, 0},
        [OP_STAT] = {"fstatat", run_stat, pr_path, 0},
        [OP_READLINK] = {"readlink", run_readlink, pr_path, 0},
        [OP_MKDIR] = {"mkdir", run_mkdir, pr_path, 0},
        [OP_RMDIR] = {"rmdir", run_rmdir, pr_path, 0},
        [OP_UNLINK] = {"unlink", run_unlink, pr_path, 0},
        [OP_RENAME] = {"renameat2", run_rename, pr_path, 1},
        [OP_LINK] = {"linkat", run_link, pr_path, 1},
        [OP_SYMLINK] = {"symlink", run_symlink, pr_symlink, 0},
        [OP_MKNOD] = {"mknod", run_mknod, pr_mknod, 0},
        [OP_CHMOD] = {"fchmodat", run_chmod, pr_path, 0},
        [OP_TRUNCATE] = {"truncate", run_truncate, pr_path, 0},
        [OP_UTIMENS] = {"utimensat", run_utimens, pr_path, 0},
        [OP_SETXATTR] = {"setxattr", run_setxattr, pr_xattr, 0},
        [OP_RMXATTR] = {"removexattr", run_rmxattr, pr_xattr, 0},
        [OP_GETXATTR] = {"getxattr", run_getxattr, pr_xattr, 0},
        [OP_LISTXATTR] = {"listxattr", run_listxattr, pr_xattr, 0},
};

static const struct opdef *
opdef_of(int kind)
{
	return &opdefs[kind];
}

/* probe() - describe() of the paths @o named and of their directories. */
static void
probe(const struct side *s, const struct op *o, struct sb *out)
{
	char p[4][PLEN];
	int n = 0;

	snprintf(p[n++], PLEN, "%s", o->a);
	parent_of(p[n++], PLEN, o->a);
	if (opdef_of(o->kind)->two_paths) {
		snprintf(p[n++], PLEN, "%s", o->b);
		parent_of(p[n++], PLEN, o->b);
	}
	for (int i = 0; i < n; i++) {
		int seen = 0;

		for (int j = 0; j < i; j++)
			seen |= !strcmp(p[i], p[j]);
		if (!seen)
			describe(s, p[i], out, NULL);
	}
}

/* ---- the kernel's EXDEV, emulated as mv(1) does ----------------------------- */

static int move_any(const struct side *s, const char *src, const char *dst);

/* copy_xattrs() - the extended attributes of directory @src onto @dst. */
static int
copy_xattrs(const struct side *s, const char *src, const char *dst)
{
	char list[4096], val[256];
	long n = s_listxattr(s, src, list, sizeof(list), 1);

	for (long i = 0; i < n; i += (long)strlen(list + i) + 1) {
		long v = s_getxattr(s, src, list + i, val, sizeof(val), 1);
		int err = v < 0 ? (int)v : s_setxattr(s, dst, list + i, val, (size_t)v, 0, 1);

		if (err < 0)
			return err;
	}
	return n < 0 ? (int)n : 0;
}

/*
 * move_dir() - directory @src becomes @dst (which does not exist): a new
 * directory with @src's mode and attributes, @src's entries moved into it,
 * @src removed.  Return: 0 or -errno.
 */
static int
move_dir(const struct side *s, const char *src, const char *dst)
{
	char from[PATH_MAX], to[PATH_MAX];
	struct names nm = {0};
	struct stat st;
	int err = s_stat(s, src, &st, AT_SYMLINK_NOFOLLOW);

	if (err == 0)
		err = (int)list_path(s, src, O_NOFOLLOW, &nm);
	if (err == 0)
		err = s_mkdir(s, dst, 0700);
	if (err == 0)
		err = copy_xattrs(s, src, dst);
	for (int i = 0; i < nm.n && err == 0; i++) {
		if (!strcmp(nm.v[i].name, ".") || !strcmp(nm.v[i].name, ".."))
			continue;
		join(from, sizeof(from), src, nm.v[i].name);
		join(to, sizeof(to), dst, nm.v[i].name);
		err = move_any(s, from, to);
	}
	names_free(&nm);
	if (err == 0 && lchown(dst, st.st_uid, st.st_gid) < 0)
		err = -errno;
	if (err == 0)
		err = s_chmod(s, dst, st.st_mode & 07777, 0);
	return err < 0 ? err : s_unlink(s, src, AT_REMOVEDIR);
}

static int
move_any(const struct side *s, const char *src, const char *dst)
{
	int err = s_rename(s, src, dst, 0);

	return err == -EXDEV ? move_dir(s, src, dst) : err;
}

/* dir_empty() - directory @path lists nothing but "." and "..". */
static int
dir_empty(const struct side *s, const char *path)
{
	struct names nm = {0};
	long err = list_path(s, path, O_NOFOLLOW, &nm);
	int n = nm.n;

	names_free(&nm);
	return err == 0 && n <= 2;
}

static int
is_dir_nofollow(const struct side *s, const char *path)
{
	struct stat st;

	return s_stat(s, path, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

/* strip_slashes() - @p without trailing slashes (the kernel judged them already). */
static void
strip_slashes(char *out, const char *p)
{
	size_t n = strlen(p);

	while (n > 1 && p[n - 1] == '/')
		n--;
	snprintf(out, PLEN, "%.*s", (int)n, p);
}

/*
 * settle_parent() - @p with its directory part resolved (kernel side only,
 * chrooted at the overlay).  The emulated moves name each path again after
 * the first one moved: a parent reached through a symlink ("/g/g", /g being
 * "..") must not be looked up again once that symlink has moved.
 */
static void
settle_parent(char *out, const char *p)
{
	char dir[PLEN], in[PLEN], real[PATH_MAX];
	const char *name;

	snprintf(in, sizeof(in), "%s", p);
	name = strrchr(in, '/');
	parent_of(dir, sizeof(dir), in);
	if (name && name[1] && realpath(dir, real) && strlen(real) + strlen(name) < PLEN)
		join(out, PLEN, real, name + 1);
	else
		snprintf(out, PLEN, "%s", in);
}

/* emulate_exchange() - @a and @b trade places, through a temporary name next to @a. */
static int
emulate_exchange(const struct side *s, const char *a, const char *b)
{
	char dir[PLEN], tmp[PLEN + 16];
	int rc;

	parent_of(dir, sizeof(dir), a);
	join(tmp, sizeof(tmp), dir, ".odiff-swap");
	rc = move_any(s, a, tmp);
	if (rc == 0)
		rc = move_any(s, b, a);
	if (rc == 0)
		rc = move_any(s, tmp, b);
	return rc;
}

/*
 * kernel_rename_emulated() - the kernel said EXDEV to rename @o: if a
 * directory was to move, do what mv(1) does instead, and put the answer
 * rename(2) would have given in *rc.  Return: 1 if emulated, 0 if not.
 */
static int
kernel_rename_emulated(const struct side *s, const struct op *o, int *rc)
{
	char a[PLEN], b[PLEN];

	if (!is_dir_nofollow(s, o->a) &&
	    !((o->flags & RENAME_EXCHANGE) && is_dir_nofollow(s, o->b)))
		return 0;
	strip_slashes(a, o->a);
	strip_slashes(b, o->b);
	settle_parent(a, a);
	settle_parent(b, b);
	if (o->flags & RENAME_EXCHANGE) {
		*rc = emulate_exchange(s, a, b);
		return 1;
	}
	if (is_dir_nofollow(s, b)) {
		if (!dir_empty(s, b)) {
			*rc = -ENOTEMPTY;
			return 1;
		}
		*rc = s_unlink(s, b, AT_REMOVEDIR);
		if (*rc < 0)
			return 1;
	}
	*rc = move_dir(s, a, b);
	return 1;
}

/* ---- generating the layers -------------------------------------------------- */

/* The two copies of a round's layers: top/A/{lower,upper} and top/B/{...}. */
struct layers {
	char root[2][PATH_MAX];
};

static void
lay_path(char *out, const struct layers *L, int i, const char *layer, const char *rel)
{
	pathf(out, PATH_MAX, "%s/%s%s", L->root[i], layer, rel);
}

enum lay_kind {
	LAY_DIR,
	LAY_FILE,
	LAY_LINK,
	LAY_FIFO,
	LAY_WHITEOUT,
	LAY_OPAQUE,
	LAY_XATTR,
	LAY_HARDLINK
};

/* The last regular file made in the lower layer: a target for hard links. */
static char last_lower_file[PLEN];

/*
 * lay() - make one entry in @layer of both copies.  @arg: the content of a
 * file, the body of a link, the value of attribute user.<rel's last name>.
 */
static void
lay(const struct layers *L, const char *layer, enum lay_kind k, const char *rel, const char *arg,
    unsigned int mode)
{
	for (int i = 0; i < 2; i++) {
		char p[PATH_MAX], rest[PLEN];
		int err = 0;

		lay_path(p, L, i, layer, rel);
		snprintf(rest, sizeof(rest), "%s%s", layer, rel);
		switch (k) {
		case LAY_DIR:
			err = mkdir(p, mode) < 0 || chmod(p, mode) < 0 ? -errno : 0;
			/* What is made below a setgid directory takes its group. */
			if (err == 0 && (mode & S_ISGID) && lchown(p, 0, SGID_GROUP) < 0)
				err = -errno;
			break;
		case LAY_FILE:
			err = fx_file(L->root[i], rest, arg);
			if (err == 0 && chmod(p, mode) < 0)
				err = -errno;
			break;
		case LAY_LINK:
			err = fx_symlink(L->root[i], rest, arg);
			break;
		case LAY_FIFO:
			err = mkfifo(p, mode) < 0 ? -errno : 0;
			break;
		case LAY_WHITEOUT:
			err = fx_whiteout(L->root[i], rest);
			break;
		case LAY_OPAQUE:
			err = fx_opaque(L->root[i], rest);
			break;
		case LAY_XATTR:
			err = lsetxattr(p, "user.g", arg, strlen(arg), 0) < 0 ? -errno : 0;
			break;
		case LAY_HARDLINK: {
			char target[PATH_MAX];

			lay_path(target, L, i, layer, arg);
			err = link(target, p) < 0 ? -errno : 0;
			break;
		}
		}
		if (err < 0)
			bail_out("making %s: %s", p, strerror(-err));
	}
}

/* lower_type() - the S_IFMT type @rel has in the lower layer, 0 if none. */
static unsigned int
lower_type(const struct layers *L, const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	lay_path(p, L, 0, "lower", rel);
	return lstat(p, &st) == 0 ? st.st_mode & S_IFMT : 0;
}

/*
 * gen_body() - a symlink body for a link @depth directories deep: names
 * near it, up and down, absolute, dangling, with a trailing slash, "."...
 */
static void
gen_body(struct rng *r, int depth, char *out)
{
	static const char *const special[] = {".", "..", "/", "./", "../..", "//", "/."};
	const char *n1 = vocab[rnd(r, NVOCAB)], *n2 = vocab[rnd(r, NVOCAB)];
	size_t at;

	switch (rnd(r, 12)) {
	case 0:
	case 1:
		snprintf(out, PLEN, "%s", n1);
		break;
	case 2:
		snprintf(out, PLEN, "%s/%s", n1, n2);
		break;
	case 3:
	case 4:
		at = 0;
		for (unsigned int up = 1 + rnd(r, (unsigned int)depth + 1); up > 0; up--)
			at += (size_t)snprintf(out + at, PLEN - at, "../");
		snprintf(out + at, PLEN - at, "%s", n1);
		break;
	case 5:
		snprintf(out, PLEN, "/%s", n1);
		break;
	case 6:
		snprintf(out, PLEN, "/%s/%s", n1, n2);
		break;
	case 7:
		snprintf(out, PLEN, "%s", special[rnd(r, ARRAY_SIZE(special))]);
		break;
	case 8:
		snprintf(out, PLEN, "%s/", n1);
		break;
	case 9:
		snprintf(out, PLEN, "%s/zz", n1);
		break;
	case 10:
		snprintf(out, PLEN, "../%s/../%s", n1, n2);
		break;
	default:
		snprintf(out, PLEN, "./%s", n1);
		break;
	}
}

/* gen_text() - 0 to 300 printable bytes, sometimes none. */
static void
gen_text(struct rng *r, char *out, size_t size)
{
	size_t n = chance(r, 10) ? 0 : rnd(r, 300);

	if (n >= size)
		n = size - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)('a' + rnd(r, 26));
	out[n] = '\0';
}

static unsigned int
dir_mode(struct rng *r)
{
	static const unsigned int m[] = {0755, 0755, 0755, 0700, 0750, 0555, 01777, 02755};

	return m[rnd(r, ARRAY_SIZE(m))];
}

static unsigned int
file_mode(struct rng *r)
{
	static const unsigned int m[] = {0644, 0644, 0600, 0755, 0444, 0640, 04755, 0000};

	return m[rnd(r, ARRAY_SIZE(m))];
}

static void gen_tree(struct rng *r, const struct layers *L, const char *layer, const char *rel,
                     int depth);

/* gen_entry() - one new entry of any kind at @rel in @layer. */
static void
gen_entry(struct rng *r, const struct layers *L, const char *layer, const char *rel, int depth)
{
	unsigned int k = rnd(r, 100);
	char text[PLEN * 2];

	if (k < 40 && depth < DEPTH) {
		lay(L, layer, LAY_DIR, rel, NULL, dir_mode(r));
		gen_tree(r, L, layer, rel, depth + 1);
	} else if (k < 80 && !strcmp(layer, "lower") && last_lower_file[0] && chance(r, 25)) {
		/* Another name of a base file: hard links through copy-up. */
		lay(L, layer, LAY_HARDLINK, rel, last_lower_file, 0);
		return;
	} else if (k < 80) {
		gen_text(r, text, sizeof(text));
		lay(L, layer, LAY_FILE, rel, text, file_mode(r));
		if (!strcmp(layer, "lower"))
			snprintf(last_lower_file, sizeof(last_lower_file), "%s", rel);
	} else if (k < 96) {
		gen_body(r, depth, text);
		lay(L, layer, LAY_LINK, rel, text, 0);
		return;
	} else {
		lay(L, layer, LAY_FIFO, rel, NULL, 0644);
		return; /* user.* attributes are for files and directories only */
	}
	if (chance(r, 15)) {
		gen_text(r, text, 32);
		lay(L, layer, LAY_XATTR, rel, text, 0);
	}
}

/* gen_tree() - the entries of new directory @rel (@depth deep) in @layer. */
static void
gen_tree(struct rng *r, const struct layers *L, const char *layer, const char *rel, int depth)
{
	char p[PLEN];

	for (unsigned int i = 0; i < NVOCAB; i++) {
		if (chance(r, 40))
			continue;
		snprintf(p, sizeof(p), "%s/%s", rel, vocab[i]);
		gen_entry(r, L, layer, p, depth);
	}
}

static void gen_upper(struct rng *r, const struct layers *L, const char *rel, int depth);

/* gen_over() - what the upper layer has at @rel, where the lower has @type. */
static void
gen_over(struct rng *r, const struct layers *L, const char *rel, unsigned int type, int depth)
{
	unsigned int k = rnd(r, 100);

	if (k < 10) {
		lay(L, "upper", LAY_WHITEOUT, rel, NULL, 0);
	} else if (k < 24 && type == S_IFDIR) {
		/* Merged with the lower directory; whiteouts are allowed below. */
		lay(L, "upper", LAY_DIR, rel, NULL, dir_mode(r));
		gen_upper(r, L, rel, depth + 1);
	} else if (k < 30 && type == S_IFDIR) {
		lay(L, "upper", LAY_DIR, rel, NULL, dir_mode(r));
		lay(L, "upper", LAY_OPAQUE, rel, NULL, 0);
		gen_tree(r, L, "upper", rel, depth + 1);
	} else if (k < 38) {
		gen_entry(r, L, "upper", rel, depth); /* replaces the lower's */
	}
}

/*
 * gen_upper() - the upper layer's part of directory @rel, which is merged
 * with the lower's.  Only here are whiteouts made: overlayfs lists a
 * whiteout in a directory that is not merged (as a name nothing can open),
 * so a well-formed upper layer has none there.
 */
static void
gen_upper(struct rng *r, const struct layers *L, const char *rel, int depth)
{
	char p[PLEN];

	for (unsigned int i = 0; i < NVOCAB; i++) {
		unsigned int type;

		snprintf(p, sizeof(p), "%s/%s", rel, vocab[i]);
		type = lower_type(L, p);
		if (type)
			gen_over(r, L, p, type, depth);
		else if (chance(r, 12))
			gen_entry(r, L, "upper", p, depth);
		else if (chance(r, 2))
			lay(L, "upper", LAY_WHITEOUT, p, NULL, 0);
	}
}

/* gen_layers() - both copies of a round's lower and upper layers. */
static void
gen_layers(struct rng *r, const struct layers *L)
{
	last_lower_file[0] = '\0';
	gen_tree(r, L, "lower", "", 0);
	gen_upper(r, L, "", 0);
}

/* ---- generating operations -------------------------------------------------- */

/* What the generator knows of the tree: its paths and their types. */
struct pool {
	char (*path)[PLEN];
	char *type;
	int n, cap;
};

/* pool_load() - the paths of a dump() (the kernel's picture). */
static void
pool_load(struct pool *pl, const char *dump_text)
{
	pl->n = 0;
	for (const char *l = dump_text; *l;) {
		const char *tab = strchr(l, '\t'), *nl = strchr(l, '\n');

		if (!nl)
			break;
		if (tab && tab < nl && (size_t)(tab - l) < PLEN && tab[1] != 'E') {
			if (pl->n == pl->cap) {
				pl->cap = pl->cap ? pl->cap * 2 : 256;
				pl->path = realloc(pl->path, (size_t)pl->cap * PLEN);
				pl->type = realloc(pl->type, (size_t)pl->cap);
				if (!pl->path || !pl->type)
					abort();
			}
			snprintf(pl->path[pl->n], PLEN, "%.*s", (int)(tab - l), l);
			pl->type[pl->n++] = tab[1];
		}
		l = nl + 1;
	}
}

static void
pool_free(struct pool *pl)
{
	free(pl->path);
	free(pl->type);
	memset(pl, 0, sizeof(*pl));
}

struct gen {
	struct rng *r;
	const struct pool *pool;
};

/* pick() - a known path of one of @types ("fd": files or directories; NULL: any). */
static void
pick(struct gen *g, const char *types, char *out)
{
	int idx[4096], n = 0;

	for (int i = 0; i < g->pool->n && n < 4096; i++)
		if (!types || strchr(types, g->pool->type[i]))
			idx[n++] = i;
	snprintf(out, PLEN, "%s", n ? g->pool->path[idx[rnd(g->r, (unsigned int)n)]] : "/");
}

/* pick_new() - a name in a known directory: often new, sometimes taken. */
static void
pick_new(struct gen *g, char *out)
{
	char dir[PLEN];

	pick(g, "d", dir);
	join(out, PLEN, dir, vocab[rnd(g->r, NVOCAB)]);
}

/* pick_wild() - a path of 1 to 4 names, which may not exist at all. */
static void
pick_wild(struct gen *g, char *out)
{
	size_t at = 0;

	for (unsigned int k = 1 + rnd(g->r, 4); k > 0; k--)
		at += (size_t)snprintf(out + at, PLEN - at, "/%s", vocab[rnd(g->r, NVOCAB)]);
}

/*
 * decorate() - sometimes a spelling of @p the walk must see through: a
 * trailing "/" or "/.", a doubled "/", "./" or "name/../" inside it.
 */
static void
decorate(struct gen *g, char *p)
{
	char tmp[PLEN], *slash = strrchr(p, '/');
	unsigned int k = rnd(g->r, 100);

	if (k >= 14 || strlen(p) + 8 >= PLEN)
		return;
	snprintf(tmp, sizeof(tmp), "%s", p);
	if (k < 5)
		strcat(p, "/");
	else if (k < 7)
		strcat(p, "/.");
	else if (k < 9 && slash && slash != p)
		snprintf(p, PLEN, "%.*s//%s", (int)(slash - p), tmp, slash + 1);
	else if (k < 11 && slash)
		snprintf(p, PLEN, "%.*s/./%s", (int)(slash - p), tmp, slash + 1);
	else if (slash)
		snprintf(p, PLEN, "%.*s/%s/../%s", (int)(slash - p), tmp, vocab[rnd(g->r, NVOCAB)],
		         slash + 1);
}

/* pick_any() - mostly a known path, else a new name or a wild path; decorated. */
static void
pick_any(struct gen *g, const char *types, char *out)
{
	unsigned int k = rnd(g->r, 100);

	if (k < 60)
		pick(g, types, out);
	else if (k < 88)
		pick_new(g, out);
	else
		pick_wild(g, out);
	decorate(g, out);
}

static int
depth_of(const char *p)
{
	int d = 0;

	for (; *p; p++)
		d += *p == '/' && p[1] && p[1] != '/';
	return d;
}

static void
gen_data(struct gen *g, struct op *o)
{
	o->dlen = (int)rnd(g->r, 48);
	for (int i = 0; i < o->dlen; i++)
		o->data[i] = (char)('A' + rnd(g->r, 26));
}

static void
gen_write(struct gen *g, struct op *o)
{
	static const int acc[] = {O_WRONLY, O_WRONLY, O_WRONLY, O_RDWR, O_RDWR, O_RDONLY};
	struct rng *r = g->r;

	pick_any(g, chance(r, 70) ? "f" : NULL, o->a);
	o->flags = acc[rnd(r, ARRAY_SIZE(acc))];
	o->flags |= chance(r, 60) ? O_CREAT : 0;
	o->flags |= (o->flags & O_CREAT) && chance(r, 20) ? O_EXCL : 0;
	o->flags |= chance(r, 30) ? O_TRUNC : 0;
	o->flags |= chance(r, 25) ? O_APPEND : 0;
	o->flags |= chance(r, 10) ? O_NOFOLLOW : 0;
	o->flags |= chance(r, 3) ? O_DIRECTORY : 0;
	o->mode = file_mode(r);
	o->len = chance(r, 30) ? (long)rnd(r, 400) : -1;
	gen_data(g, o);
}

static void
gen_read(struct gen *g, struct op *o)
{
	pick_any(g, chance(g->r, 70) ? "f" : NULL, o->a);
	o->flags = O_RDONLY | (chance(g->r, 15) ? O_NOFOLLOW : 0);
}

static void
gen_readdir(struct gen *g, struct op *o)
{
	pick_any(g, chance(g->r, 80) ? "d" : NULL, o->a);
	o->flags = chance(g->r, 20) ? O_NOFOLLOW : 0;
}

static void
gen_stat(struct gen *g, struct op *o)
{
	pick_any(g, NULL, o->a);
	o->flags = chance(g->r, 50) ? AT_SYMLINK_NOFOLLOW : 0;
}

static void
gen_readlink(struct gen *g, struct op *o)
{
	pick_any(g, chance(g->r, 80) ? "l" : NULL, o->a);
}

static void
gen_mkdir(struct gen *g, struct op *o)
{
	if (chance(g->r, 80)) {
		pick_new(g, o->a);
		decorate(g, o->a);
	} else {
		pick_any(g, NULL, o->a);
	}
	o->mode = dir_mode(g->r);
}

static void
gen_rmdir(struct gen *g, struct op *o)
{
	pick_any(g, chance(g->r, 85) ? "d" : NULL, o->a);
}

static void
gen_unlink(struct gen *g, struct op *o)
{
	pick_any(g, chance(g->r, 80) ? "flpcs" : NULL, o->a);
}

/* known() - @p is a path of the generator's picture. */
static int
known(const struct gen *g, const char *p)
{
	for (int i = 0; i < g->pool->n; i++)
		if (!strcmp(g->pool->path[i], p))
			return 1;
	return 0;
}

/* pick_free() - a name in a known directory that the picture does not have, if found. */
static void
pick_free(struct gen *g, char *out)
{
	for (int tries = 0; tries < 8; tries++) {
		pick_new(g, out);
		if (!known(g, out))
			return;
	}
}

static void
gen_rename(struct gen *g, struct op *o)
{
	static const int fl[] = {
	        0, 0, 0, 0, 0, 0, RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_EXCHANGE};
	struct rng *r = g->r;
	unsigned int k = rnd(r, 100);

	o->flags = fl[rnd(r, ARRAY_SIZE(fl))];
	if (k < 30) {
		/* A directory to a free name: what moves a base directory. */
		pick(g, "d", o->a);
		pick_free(g, o->b);
		return;
	}
	pick_any(g, k < 55 ? "d" : NULL, o->a);
	if (k < 75) {
		pick_new(g, o->b);
		decorate(g, o->b);
	} else {
		pick_any(g, NULL, o->b);
	}
}

static void
gen_link(struct gen *g, struct op *o)
{
	pick_any(g, chance(g->r, 80) ? "flp" : NULL, o->a);
	pick_new(g, o->b);
	decorate(g, o->b);
	o->flags = chance(g->r, 20) ? AT_SYMLINK_FOLLOW : 0;
}

static void
gen_symlink(struct gen *g, struct op *o)
{
	pick_new(g, o->a);
	decorate(g, o->a);
	gen_body(g->r, depth_of(o->a) - 1, o->b);
}

static void
gen_mknod(struct gen *g, struct op *o)
{
	static const unsigned int type[] = {S_IFIFO, S_IFIFO, S_IFIFO, S_IFSOCK, S_IFREG};

	pick_new(g, o->a);
	o->mode = type[rnd(g->r, ARRAY_SIZE(type))] | 0644;
	o->dev = 0; /* no character device 0:0: see the documented differences */
}

static void
gen_chmod(struct gen *g, struct op *o)
{
	static const unsigned int m[] = {0644, 0600, 0755, 0700, 0444, 0000, 0777, 01777, 04755};

	pick_any(g, NULL, o->a);
	o->mode = m[rnd(g->r, ARRAY_SIZE(m))];
	o->flags = chance(g->r, 15) ? AT_SYMLINK_NOFOLLOW : 0;
}

static void
gen_truncate(struct gen *g, struct op *o)
{
	static const long len[] = {0, 0, 1, 7, 100, 299, 4096, 9000};

	pick_any(g, chance(g->r, 80) ? "f" : NULL, o->a);
	o->len = len[rnd(g->r, ARRAY_SIZE(len))];
}

static void
gen_time(struct rng *r, struct timespec *ts)
{
	unsigned int k = rnd(r, 10);

	ts->tv_sec = 100000000 + (time_t)rnd(r, 1900000000);
	ts->tv_nsec = (long)rnd(r, 1000000000);
	if (k == 0)
		ts->tv_nsec = UTIME_NOW;
	else if (k == 1)
		ts->tv_nsec = UTIME_OMIT;
}

static void
gen_utimens(struct gen *g, struct op *o)
{
	pick_any(g, NULL, o->a);
	gen_time(g->r, &o->ts[0]);
	gen_time(g->r, &o->ts[1]);
	o->flags = chance(g->r, 30) ? AT_SYMLINK_NOFOLLOW : 0;
}

static void
gen_xattr(struct gen *g, struct op *o)
{
	static const char *const names[] = {"user.a", "user.b", "user.g", "user.long.name"};
	static const int fl[] = {0, 0, XATTR_CREATE, XATTR_REPLACE};

	pick_any(g, NULL, o->a);
	snprintf(o->xname, sizeof(o->xname), "%s", names[rnd(g->r, ARRAY_SIZE(names))]);
	o->flags = chance(g->r, 30) ? XA_NOFOLLOW : 0;
	if (o->kind != OP_SETXATTR)
		return;
	o->flags |= fl[rnd(g->r, ARRAY_SIZE(fl))];
	gen_data(g, o);
}

/* The mix of operations: changes more often than reads. */
static const struct {
	int kind;
	void (*gen)(struct gen *g, struct op *o);
	int weight;
} mix[] = {
        {OP_WRITE, gen_write, 14},    {OP_READ, gen_read, 5},         {OP_READDIR, gen_readdir, 4},
        {OP_STAT, gen_stat, 5},       {OP_READLINK, gen_readlink, 2}, {OP_MKDIR, gen_mkdir, 9},
        {OP_RMDIR, gen_rmdir, 7},     {OP_UNLINK, gen_unlink, 9},     {OP_RENAME, gen_rename, 16},
        {OP_LINK, gen_link, 5},       {OP_SYMLINK, gen_symlink, 5},   {OP_MKNOD, gen_mknod, 2},
        {OP_CHMOD, gen_chmod, 5},     {OP_TRUNCATE, gen_truncate, 4}, {OP_UTIMENS, gen_utimens, 4},
        {OP_SETXATTR, gen_xattr, 4},  {OP_RMXATTR, gen_xattr, 3},     {OP_GETXATTR, gen_xattr, 2},
        {OP_LISTXATTR, gen_xattr, 1},
};

static void
gen_op(struct gen *g, struct op *o)
{
	int total = 0, k;

	memset(o, 0, sizeof(*o));
	for (size_t i = 0; i < ARRAY_SIZE(mix); i++)
		total += mix[i].weight;
	k = (int)rnd(g->r, (unsigned int)total);
	for (size_t i = 0; i < ARRAY_SIZE(mix); i++) {
		if (k < mix[i].weight) {
			o->kind = mix[i].kind;
			mix[i].gen(g, o);
			return;
		}
		k -= mix[i].weight;
	}
}

/* ---- the kernel side: a process chrooted at the overlay mount --------------- */

enum req_type { REQ_APPLY, REQ_DUMP, REQ_QUIT };

struct req {
	int type;
	struct op op;
};

struct kernel {
	pid_t pid;
	int fd;
};

static int
io_full(int fd, void *buf, size_t n, int out)
{
	char *p = buf;

	while (n > 0) {
		ssize_t k = out ? send(fd, p, n, MSG_NOSIGNAL) : read(fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int
send_str(int fd, const struct sb *b)
{
	uint32_t n = (uint32_t)b->len;

	return io_full(fd, &n, sizeof(n), 1) || io_full(fd, b->p, n, 1) ? -1 : 0;
}

/* recv_str() - a string sent by send_str(), malloc'd; NULL if the peer is gone. */
static char *
recv_str(int fd)
{
	uint32_t n;
	char *s;

	if (io_full(fd, &n, sizeof(n), 0))
		return NULL;
	s = malloc((size_t)n + 1);
	if (!s)
		abort();
	if (n && io_full(fd, s, n, 0)) {
		free(s);
		return NULL;
	}
	s[n] = '\0';
	return s;
}

/* apply() - run @o on @s; its answer into @ans and the state it left into @state. */
static void
apply(const struct side *s, const struct op *o, struct sb *ans, struct sb *state)
{
	opdef_of(o->kind)->run(s, o, ans);
	sb_add(ans, "");
	probe(s, o, state);
	sb_add(state, "");
}

static void kernel_serve(int fd) __attribute__((noreturn));

static void
kernel_serve(int fd)
{
	struct side k = {NULL};
	struct req q;

	while (io_full(fd, &q, sizeof(q), 0) == 0 && q.type != REQ_QUIT) {
		struct sb a = {0}, st = {0};

		if (q.type == REQ_APPLY)
			apply(&k, &q.op, &a, &st);
		else
			dump(&k, "/", &a, 0);
		sb_add(&a, "");
		if (send_str(fd, &a) || (q.type == REQ_APPLY && send_str(fd, &st)))
			break;
		sb_free(&a);
		sb_free(&st);
	}
	_exit(0);
}

/* kernel_start() - the kernel side's process, chrooted at @mnt. */
static int
kernel_start(struct kernel *k, const char *mnt)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	k->pid = fork();
	if (k->pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return -errno;
	}
	if (k->pid == 0) {
		close(sv[0]);
		if (chroot(mnt) < 0 || chdir("/") < 0)
			_exit(1);
		kernel_serve(sv[1]);
	}
	close(sv[1]);
	k->fd = sv[0];
	return 0;
}

static void
kernel_stop(struct kernel *k)
{
	struct req q = {.type = REQ_QUIT};

	if (k->pid <= 0)
		return;
	io_full(k->fd, &q, sizeof(q), 1);
	close(k->fd);
	waitpid(k->pid, NULL, 0);
	k->pid = 0;
}

/* kernel_ask() - a request; the answers in @a (and @st for REQ_APPLY), malloc'd. */
static int
kernel_ask(struct kernel *k, int type, const struct op *o, char **a, char **st)
{
	struct req q;

	memset(&q, 0, sizeof(q));
	q.type = type;
	if (o)
		q.op = *o;
	*a = NULL;
	if (st)
		*st = NULL;
	if (io_full(k->fd, &q, sizeof(q), 1))
		return -1;
	*a = recv_str(k->fd);
	if (*a && st)
		*st = recv_str(k->fd);
	return *a && (!st || *st) ? 0 : -1;
}

/* ---- comparing ---------------------------------------------------------------- */

/* field_len() - the length of the field at @p (up to a tab or the end). */
static size_t
field_len(const char *p, size_t n)
{
	const char *t = memchr(p, '\t', n);

	return t ? (size_t)(t - p) : n;
}

/*
 * line_agree() - one line of the kernel's answer against vroot's, field by
 * field.  The one tolerated difference: "n=1" for a directory (field 2 is
 * "d"), which is what overlayfs reports for every merged directory.
 */
/*
 * Set while one implementation reads the other's layers.  Each keeps the
 * copies that the names of a base file with several links share in an
 * index of its own (vroot: work/vroot-index; the kernel: work/index, by
 * file handle), which the other does not read: it shows the names copied
 * up as files apart from the base names not copied up.  Their link counts
 * differ then, and so may the data, mode and attributes of the base names;
 * such a file (several links on either side) is compared by type only.
 */
static int cross_reading;

/* shared_file() - line @l is a regular file with more than one link. */
static int
shared_file(const char *l, size_t n)
{
	const char *t = memchr(l, '\t', n), *nl;

	if (!t || (size_t)(t - l) + 4 > n || t[1] != 'f' || t[2] != '\t')
		return 0;
	nl = memmem(t, n - (size_t)(t - l), "\tn=", 3);
	return nl && !(nl[4] == '1' && nl[5] == '\t');
}

static int
line_agree(const char *k, size_t kn, const char *v, size_t vn)
{
	int field = 0, dir = 0;

	if (kn == vn && memcmp(k, v, kn) == 0)
		return 1;
	if (cross_reading && (shared_file(k, kn) || shared_file(v, vn))) {
		size_t kp = field_len(k, kn), vp = field_len(v, vn);

		return kp == vp && !memcmp(k, v, kp) && kp + 2 < kn && kp + 2 < vn &&
		       k[kp + 1] == v[vp + 1];
	}
	for (;;) {
		size_t kf = field_len(k, kn), vf = field_len(v, vn);
		int same = kf == vf && memcmp(k, v, kf) == 0;

		field++;
		if (field == 2)
			dir = kf == 1 && k[0] == 'd';
		if (!same &&
		    !(dir && kf == 3 && !memcmp(k, "n=1", 3) && vf > 2 && !memcmp(v, "n=", 2)))
			return 0;
		if (kf == kn || vf == vn)
			return kf == kn && vf == vn;
		k += kf + 1;
		kn -= kf + 1;
		v += vf + 1;
		vn -= vf + 1;
	}
}

static size_t
line_len(const char *s)
{
	return strcspn(s, "\n");
}

/* agree() - the kernel's text @k against vroot's @v, line by line. */
static int
agree(const char *k, const char *v)
{
	for (;;) {
		size_t kn = line_len(k), vn = line_len(v);

		if (!line_agree(k, kn, v, vn))
			return 0;
		if (!k[kn] || !v[vn])
			return !k[kn] && !v[vn];
		k += kn + 1;
		v += vn + 1;
	}
}

/* find_line() - the line of @text whose first field is @key[0..n), or NULL. */
static const char *
find_line(const char *text, const char *key, size_t n)
{
	for (const char *l = text; *l; l += line_len(l) + (l[line_len(l)] != '\0'))
		if (field_len(l, line_len(l)) == n && !memcmp(l, key, n))
			return l;
	return NULL;
}

/*
 * show_lines() - the lines where @k and @v differ, matched by their first
 * field (the path, in dumps), a line only one side has shown against "-".
 */
static void
show_lines(const char *k, const char *v)
{
	int shown = 0;

	for (const char *l = k; *l && shown < MAXLINES;
	     l += line_len(l) + (l[line_len(l)] != '\0')) {
		size_t n = line_len(l);
		const char *o = strchr(l, '\n') ? find_line(v, l, field_len(l, n)) : v;

		if (o && line_agree(l, n, o, line_len(o)))
			continue;
		diag("    kernel: %.*s", (int)n, l);
		diag("    vroot:  %.*s", o ? (int)line_len(o) : 1, o ? o : "-");
		shown++;
	}
	for (const char *l = v; *l && shown < MAXLINES && strchr(k, '\n');
	     l += line_len(l) + (l[line_len(l)] != '\0')) {
		if (find_line(k, l, field_len(l, line_len(l))))
			continue;
		diag("    kernel: -");
		diag("    vroot:  %.*s", (int)line_len(l), l);
		shown++;
	}
}

/*
 * Hard links through copy-up: what a disagreement about them looks
 * like when that is all it is.  A pair of lines (one path) is of that kind
 * when both name a non-directory of one type, one of them with more than
 * one link, and they differ only in the link count and the data.
 */

/* field_at() - field @i of line @l[0..n), its length in *len; NULL past the end. */
static const char *
field_at(const char *l, size_t n, int i, size_t *len)
{
	for (;; i--) {
		size_t f = field_len(l, n);

		if (i == 0) {
			*len = f;
			return l;
		}
		if (f == n)
			return NULL;
		l += f + 1;
		n -= f + 1;
	}
}

/* linked_line() - describe() line @l names a non-directory with more than one link. */
static int
linked_line(const char *l, size_t n)
{
	size_t tl = 0, nl = 0;
	const char *t = field_at(l, n, 1, &tl), *c = field_at(l, n, 3, &nl);

	return t && c && !(tl == 1 && t[0] == 'd') && nl > 2 && !memcmp(c, "n=", 2) &&
	       strtoul(c + 2, NULL, 10) > 1;
}

static int
hardlink_pair(const char *k, size_t kn, const char *v, size_t vn)
{
	size_t kl = 0, vl = 0;
	const char *kt = field_at(k, kn, 1, &kl), *vt = field_at(v, vn, 1, &vl);

	if (!kt || !vt || kl != vl || memcmp(kt, vt, kl) ||
	    !(linked_line(k, kn) || linked_line(v, vn)))
		return 0;
	for (int i = 0;; i++) {
		const char *kf = field_at(k, kn, i, &kl), *vf = field_at(v, vn, i, &vl);

		if (!kf || !vf)
			return !kf && !vf;
		if ((kl != vl || memcmp(kf, vf, kl)) &&
		    !(kl >= 2 && vl >= 2 && !memcmp(kf, vf, 2) &&
		      (!memcmp(kf, "n=", 2) || !memcmp(kf, "d=", 2))))
			return 0;
	}
}

/*
 * hardlink_only() - every line where describe() texts @k and @v differ
 * (matched by path) is a hardlink_pair().
 */
static int
hardlink_only(const char *k, const char *v)
{
	for (const char *l = k; *l; l += line_len(l) + (l[line_len(l)] != '\0')) {
		size_t n = line_len(l);
		const char *o = find_line(v, l, field_len(l, n));

		if (!o)
			return 0;
		if (!line_agree(l, n, o, line_len(o)) && !hardlink_pair(l, n, o, line_len(o)))
			return 0;
	}
	for (const char *l = v; *l; l += line_len(l) + (l[line_len(l)] != '\0'))
		if (!find_line(k, l, field_len(l, line_len(l))))
			return 0;
	return 1;
}

/*
 * answer_of_gap() - differing answers of @o are about hard links: @o reads
 * a file's data or status, and the path it names is, in the states @k and
 * @v after it, a non-directory one side has more than one link to that
 * agrees or differs only as hardlink_pair() allows.
 */
static int
answer_of_gap(const struct op *o, const char *k, const char *v)
{
	size_t n = strlen(o->a);
	const char *kl = find_line(k, o->a, n), *vl = find_line(v, o->a, n);

	if ((o->kind != OP_READ && o->kind != OP_STAT) || !kl || !vl)
		return 0;
	if (line_agree(kl, line_len(kl), vl, line_len(vl)))
		return linked_line(kl, line_len(kl));
	return hardlink_pair(kl, line_len(kl), vl, line_len(vl));
}

/* ---- a run and its rounds ------------------------------------------------------ */

/* How a disagreement is handled: counted and printed, only noticed, or only printed. */
enum mode { COUNT, QUIET, SHOW };

/*
 * Where a disagreement was seen: at an operation, in the trees, reading the
 * other's layers, in a base layer (which neither side may write).
 */
enum where { AT_OP, AT_END, AT_CROSS, AT_BASE };

struct run {
	uint64_t seed;
	int nops, keep, minimize;
	char *top;
	long ops, emulated, stale, diffs; /* totals; diffs: those not about hard links */
	long linked;                      /* disagreements about hard links */
	int shown;
	double budget; /* seconds left for minimizing */
	enum mode mode;
	long noticed; /* disagreements seen in any mode */
	int replays;
	int minimized; /* run->nlog and where when minimize() last ran */
	enum where minimized_at;
	/* the current round */
	int round;
	uint64_t rseed;
	struct op *log;
	int nlog, logged;
};

struct round {
	struct layers L; /* copy A for the kernel, copy B for vroot */
	char dir[PATH_MAX], mnt[PATH_MAX];
	struct kernel k;
	struct vr_ns *ns;
	struct vr_task *t;
	struct pool pool;
	char *base[2]; /* base_sum() of each copy's lower layer, as generated */
};

static void minimize(struct run *run, enum where where);

static void
print_ops(struct run *run)
{
	struct sb b = {0};

	for (; run->logged < run->nlog; run->logged++) {
		b.len = 0;
		op_print(&run->log[run->logged], &b);
		diag("    %4d %s", run->logged + 1, sb_str(&b));
	}
	sb_free(&b);
}

/*
 * show_diff() - a disagreement: counted, and the first MAXPRINT printed with
 * the operations so far and then a shorter sequence that still shows it.
 */
static void
show_diff(struct run *run, enum where where, const char *what, const char *k, const char *v,
          int gap)
{
	run->noticed++;
	if (run->mode == QUIET)
		return;
	if (run->mode == SHOW) {
		if (run->logged < run->nlog)
			diag("  shortest sequence found, %d operations on the round's layers:",
			     run->nlog);
		print_ops(run);
		diag("  %s", what);
		show_lines(k, v);
		return;
	}
	if (gap)
		run->linked++;
	else
		run->diffs++;
	if (run->shown++ >= MAXPRINT)
		return;
	diag("%s %ld: %s; VR_ODIFF_SEED=0x%016llx, round %d (round seed 0x%016llx), "
	     "after %d operations",
	     gap ? "disagreement (" KNOWN_GAP ")" : "disagreement", gap ? run->linked : run->diffs,
	     what, (unsigned long long)run->seed, run->round, (unsigned long long)run->rseed,
	     run->nlog);
	if (run->logged < run->nlog)
		diag("  operations %d..%d of round %d:", run->logged + 1, run->nlog, run->round);
	print_ops(run);
	show_lines(k, v);
	if (run->minimize && run->budget > 0 &&
	    (run->minimized != run->nlog || run->minimized_at != where)) {
		run->minimized = run->nlog;
		run->minimized_at = where;
		minimize(run, where);
	}
}

/* step() - one operation on both sides.  Return: 0, or -1 when the states differ. */
static int
step(struct run *run, struct round *rd, const struct op *o)
{
	struct side v = {rd->t};
	struct sb va = {0}, vs = {0};
	char *ka, *ks;
	const char *kans;
	int err = 0;

	if (kernel_ask(&rd->k, REQ_APPLY, o, &ka, &ks))
		bail_out("the kernel side's process is gone");
	apply(&v, o, &va, &vs);
	kans = ka;
	if (kans[0] == '~' || kans[0] == '^')
		kans++;
	if (run->mode == COUNT) {
		run->emulated += ka[0] == '~';
		run->stale += ka[0] == '^';
		run->ops++;
	}
	if (!agree(kans, sb_str(&va)))
		show_diff(run, AT_OP, "the answers differ", kans, sb_str(&va),
		          answer_of_gap(o, ks, sb_str(&vs)));
	if (!agree(ks, sb_str(&vs))) {
		show_diff(run, AT_OP, "the states differ after the operation", ks, sb_str(&vs),
		          hardlink_only(ks, sb_str(&vs)));
		err = -1;
	}
	free(ka);
	free(ks);
	sb_free(&va);
	sb_free(&vs);
	return err;
}

/* kernel_dump() - the kernel side's whole tree, malloc'd. */
static char *
kernel_dump(struct kernel *k)
{
	char *d;

	if (kernel_ask(k, REQ_DUMP, NULL, &d, NULL))
		bail_out("the kernel side's process is gone");
	return d;
}

static char *
vroot_dump(struct vr_task *t)
{
	struct side v = {t};
	struct sb b = {0};

	dump(&v, "/", &b, 0);
	sb_add(&b, "");
	return b.p;
}

/* trees_agree() - the whole trees; also the generator's new picture of them. */
static int
trees_agree(struct run *run, struct round *rd, const char *what)
{
	char *k = kernel_dump(&rd->k), *v = vroot_dump(rd->t);
	int same = agree(k, v);

	if (!same)
		show_diff(run, AT_END, what, k, v, hardlink_only(k, v));
	pool_load(&rd->pool, k);
	free(k);
	free(v);
	return same;
}

/* round_ops() - the round's operations.  Return: how many ran before the states differed. */
static int
round_ops(struct run *run, struct round *rd)
{
	struct rng r = {run->rseed ^ 0x6f70735f6f646966ULL};
	struct gen g = {&r, &rd->pool};
	int i;

	for (i = 0; i < run->nops; i++) {
		if (i % TREE_EVERY == 0 && !trees_agree(run, rd, "the whole trees differ"))
			return i;
		if (i % TREE_EVERY && i % POOL_EVERY == 0) {
			char *d = kernel_dump(&rd->k);

			pool_load(&rd->pool, d);
			free(d);
		}
		gen_op(&g, &run->log[run->nlog++]);
		if (step(run, rd, &run->log[run->nlog - 1]) < 0)
			return i;
	}
	return trees_agree(run, rd, "the whole trees differ at the end") ? i : i - 1;
}

static void
mkdir_or_bail(const char *root, const char *rel)
{
	int err = fx_mkdirs(root, rel);

	if (err < 0)
		bail_out("mkdir %s/%s: %s", root, rel, strerror(-err));
}

/* mount_layers() - kernel overlayfs over copy @i of the layers, at rd->mnt. */
static int
mount_layers(struct round *rd, int i)
{
	char opts[4 * PATH_MAX];
	const char *r = rd->L.root[i];

	snprintf(opts, sizeof(opts),
	         "lowerdir=%s/lower,upperdir=%s/upper,workdir=%s/"
	         "work,userxattr,index=on,metacopy=off",
	         r, r, r);
	return mount("overlay", rd->mnt, "overlay", 0, opts) < 0 ? -errno : 0;
}

/* vroot_open() - a namespace over copy @i of the layers, and a task in it. */
static int
vroot_open(struct round *rd, int i, struct vr_ns **ns, struct vr_task **t)
{
	char lower[PATH_MAX], upper[PATH_MAX], work[PATH_MAX];
	const char *lowers[1] = {lower};
	struct vr_ns_spec spec = {.upper = upper, .work = work, .lowers = lowers, .nlowers = 1};
	int err;

	pathf(lower, sizeof(lower), "%s/lower", rd->L.root[i]);
	pathf(upper, sizeof(upper), "%s/upper", rd->L.root[i]);
	pathf(work, sizeof(work), "%s/work", rd->L.root[i]);
	err = vr_ns_new(&spec, ns);
	/* Directories kept between calls, so the cache's answers are compared too. */
	if (err == 0 && (err = vr_ns_cache_enable(*ns, 800, 1000)) < 0)
		vr_ns_free(*ns);
	if (err == 0) {
		err = vr_task_new(*ns, t);
		if (err < 0)
			vr_ns_free(*ns);
	}
	return err;
}

static void
vroot_close(struct vr_ns **ns, struct vr_task **t)
{
	if (*t)
		vr_task_free(*t);
	if (*ns)
		vr_ns_free(*ns);
	*t = NULL;
	*ns = NULL;
}

/* base_sum_dir() - a line per entry below host directory @dir: its type, mode, size, times. */
static void
base_sum_dir(const struct side *h, const char *dir, size_t skip, struct sb *b, int depth)
{
	char path[PATH_MAX];
	struct names nm = {0};
	struct stat st;

	list_path(h, dir, O_NOFOLLOW, &nm);
	for (int i = 0; i < nm.n; i++) {
		if (!strcmp(nm.v[i].name, ".") || !strcmp(nm.v[i].name, ".."))
			continue;
		join(path, sizeof(path), dir, nm.v[i].name);
		if (s_stat(h, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		/* ctime changes with anything done to an inode but reading it. */
		sb_addf(b, "%s\t%c\tm=%04o\ts=%lld\tt=%lld.%09ld,%lld.%09ld\n", path + skip,
		        type_char((st.st_mode & S_IFMT) >> 12), st.st_mode & 07777,
		        (long long)st.st_size, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
		        (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
		if (S_ISDIR(st.st_mode) && depth < 16)
			base_sum_dir(h, path, skip, b, depth + 1);
	}
	names_free(&nm);
}

/* base_sum() - what the lower layer of the copy at @root holds, to see it unchanged. */
static char *
base_sum(const char *root)
{
	struct side host = {NULL};
	char lower[PATH_MAX];
	struct sb b = {0};

	pathf(lower, sizeof(lower), "%s/lower", root);
	base_sum_dir(&host, lower, strlen(lower), &b, 0);
	sb_add(&b, "");
	return b.p;
}

/*
 * bases_unchanged() - neither copy's lower layer was written (kernel A,
 * vroot B).  A difference prints the layer as made as "kernel:" lines and
 * as left as "vroot:" lines.
 */
static int
bases_unchanged(struct run *run, struct round *rd)
{
	static const char *const what[] = {"the kernel wrote its base layer",
	                                   "vroot wrote its base layer"};
	int same = 1;

	for (int i = 0; i < 2; i++) {
		char *now = base_sum(rd->L.root[i]);

		if (strcmp(now, rd->base[i])) {
			same = 0;
			show_diff(run, AT_BASE, what[i], rd->base[i], now, 0);
		}
		free(now);
	}
	return same;
}

/* round_setup() - the layers, the kernel's mount of copy A, vroot over copy B. */
static void
round_setup(struct run *run, struct round *rd, const char *name)
{
	static const char *const sub[] = {"A/lower", "A/upper", "A/work", "B/lower",
	                                  "B/upper", "B/work",  "mnt"};
	struct rng r = {run->rseed};
	int err;

	memset(rd, 0, sizeof(*rd));
	mkdir_or_bail(run->top, name);
	pathf(rd->dir, sizeof(rd->dir), "%s/%s", run->top, name);
	for (size_t i = 0; i < ARRAY_SIZE(sub); i++)
		mkdir_or_bail(rd->dir, sub[i]);
	pathf(rd->L.root[0], PATH_MAX, "%s/A", rd->dir);
	pathf(rd->L.root[1], PATH_MAX, "%s/B", rd->dir);
	pathf(rd->mnt, sizeof(rd->mnt), "%s/mnt", rd->dir);
	gen_layers(&r, &rd->L);
	for (int i = 0; i < 2; i++)
		rd->base[i] = base_sum(rd->L.root[i]);
	err = mount_layers(rd, 0);
	if (err < 0)
		bail_out("mount -t overlay on %s: %s", rd->mnt, strerror(-err));
	err = kernel_start(&rd->k, rd->mnt);
	if (err < 0)
		bail_out("starting the kernel side: %s", strerror(-err));
	err = vroot_open(rd, 1, &rd->ns, &rd->t);
	if (err < 0)
		bail_out("vr_ns_new over %s: %s", rd->L.root[1], strerror(-err));
}

/* round_teardown() - what round_setup() made, gone (kept if asked to). */
static void
round_teardown(struct run *run, struct round *rd)
{
	kernel_stop(&rd->k);
	umount2(rd->mnt, MNT_DETACH);
	vroot_close(&rd->ns, &rd->t);
	pool_free(&rd->pool);
	free(rd->base[0]);
	free(rd->base[1]);
	if (!run->keep && fx_rmrf(rd->dir) < 0)
		diag("could not remove %s", rd->dir);
}

/*
 * cross_read() - format compatibility: vroot over the layers the kernel
 * changed shows what the kernel showed, and the kernel over the layers
 * vroot changed shows what vroot showed.  The round's mount and namespace
 * are gone after.  Return: a bit per direction that disagreed (1, 2).
 */
/* drop_classes() - @text without its "\ti=" fields (inode classes are not carried across). */
static void
drop_classes(char *text)
{
	char *in = text, *out = text;

	while (*in) {
		if (in[0] == '\t' && in[1] == 'i' && in[2] == '=') {
			in += strcspn(in, "\n");
			continue;
		}
		*out++ = *in++;
	}
	*out = '\0';
}

/* cross_agree() - agree(), as for one implementation reading the other's layers. */
static int
cross_agree(const char *k, const char *v)
{
	int same;

	cross_reading = 1;
	same = agree(k, v);
	cross_reading = 0;
	return same;
}

static int
cross_read(struct run *run, struct round *rd)
{
	char *kd = kernel_dump(&rd->k), *vd = vroot_dump(rd->t), *other = NULL;
	struct vr_ns *ns = NULL;
	struct vr_task *t = NULL;
	int bad = 0, err;

	kernel_stop(&rd->k);
	if (umount2(rd->mnt, 0) < 0)
		bail_out("umount %s: %s", rd->mnt, strerror(errno));
	vroot_close(&rd->ns, &rd->t);
	drop_classes(kd);
	drop_classes(vd);
	err = vroot_open(rd, 0, &ns, &t);
	if (err == 0)
		other = vroot_dump(t);
	vroot_close(&ns, &t);
	if (other)
		drop_classes(other);
	if (!other || !cross_agree(kd, other)) {
		bad |= 1;
		show_diff(run, AT_CROSS, "vroot over the kernel's layers shows another tree", kd,
		          other ? other : "", other && hardlink_only(kd, other));
	}
	free(other);
	other = NULL;
	err = mount_layers(rd, 1);
	if (err == 0)
		err = kernel_start(&rd->k, rd->mnt);
	if (err == 0)
		other = kernel_dump(&rd->k);
	if (other)
		drop_classes(other);
	if (!other || !cross_agree(other, vd)) {
		bad |= 2;
		show_diff(run, AT_CROSS, "the kernel over vroot's layers shows another tree",
		          other ? other : "", vd, other && hardlink_only(other, vd));
	}
	free(other);
	free(kd);
	free(vd);
	return bad;
}

/*
 * replay() - @ops[0..n) on fresh copies of the round's layers.  Return: 1
 * if the disagreement shows @where: at the last operation (the states
 * agreeing before it), in the trees at the end, or reading the other's
 * layers.  @mode SHOW prints it.
 */
static int
replay(struct run *run, struct op *ops, int n, enum where where, enum mode mode)
{
	struct op *log = run->log;
	int nlog = run->nlog, logged = run->logged, shows = 0, i;
	enum mode saved = run->mode;
	struct round rd;
	char name[32];

	snprintf(name, sizeof(name), "replay%d", run->replays++);
	round_setup(run, &rd, name);
	run->mode = QUIET;
	run->log = ops;
	run->nlog = run->logged = 0;
	for (i = 0; i < n; i++) {
		long before = run->noticed;

		run->nlog++;
		if (i == n - 1 && where == AT_OP)
			run->mode = mode;
		if (step(run, &rd, &ops[i]) < 0 && i < n - 1)
			break;
		shows = i == n - 1 && where == AT_OP && run->noticed > before;
	}
	run->mode = mode;
	if (i == n && where == AT_END)
		shows = !trees_agree(run, &rd, "the whole trees differ at the end");
	else if (i == n && where == AT_CROSS)
		shows = cross_read(run, &rd) != 0;
	else if (i == n && where == AT_BASE)
		shows = !bases_unchanged(run, &rd);
	round_teardown(run, &rd);
	run->mode = saved;
	run->log = log;
	run->nlog = nlog;
	run->logged = logged;
	return shows;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* drop() - @ops[0..*n) without [from, to), if that still disagrees; the last op stays. */
static int
drop(struct run *run, struct op *ops, int *n, int from, int to, enum where where)
{
	struct op *rest = malloc((size_t)*n * sizeof(*ops));
	int k = 0, fails;

	if (!rest)
		abort();
	for (int i = 0; i < *n; i++)
		if (i < from || i >= to || (where == AT_OP && i == *n - 1))
			rest[k++] = ops[i];
	fails = k < *n && k > 0 && replay(run, rest, k, where, QUIET);
	if (fails) {
		memcpy(ops, rest, (size_t)k * sizeof(*ops));
		*n = k;
	}
	free(rest);
	return fails;
}

/*
 * minimize() - a short sequence of the operations so far that still shows
 * the disagreement (delta debugging: drop chunks while it shows), printed.
 * Bounded by run->budget seconds in all.
 */
static void
minimize(struct run *run, enum where where)
{
	struct op *ops = malloc((size_t)run->nlog * sizeof(*ops));
	double start = now();
	int n = run->nlog, parts = 2;

	if (!ops)
		abort();
	memcpy(ops, run->log, (size_t)n * sizeof(*ops));
	if (!replay(run, ops, n, where, QUIET)) {
		diag("  (not seen again when replayed on fresh layers: not minimized)");
		free(ops);
		return;
	}
	while (n >= 2 && now() - start < run->budget) {
		int chunk = (n + parts - 1) / parts, dropped = 0;

		for (int from = 0; from < n && !dropped; from += chunk)
			dropped = drop(run, ops, &n, from, from + chunk, where);
		if (dropped)
			parts = parts > 2 ? parts - 1 : 2;
		else if (parts >= n)
			break;
		else
			parts = parts * 2 < n ? parts * 2 : n;
	}
	run->budget -= now() - start;
	replay(run, ops, n, where, SHOW);
	free(ops);
}

static uint64_t
round_seed(uint64_t seed, int round)
{
	struct rng r = {seed ^ (0x5851f42d4c957f2dULL * (uint64_t)(round + 1))};

	return rng_next(&r);
}

static void
run_round(struct run *run)
{
	struct round rd;
	char name[32];
	long before = run->diffs, linked = run->linked;
	int done;

	run->rseed = round_seed(run->seed, run->round);
	run->nlog = run->logged = 0;
	run->minimized = -1;
	snprintf(name, sizeof(name), "r%d", run->round);
	round_setup(run, &rd, name);
	done = round_ops(run, &rd);
	/* A round stops early only at a disagreement. */
	ok(run->diffs == before && run->linked == linked,
	        "round %d: %d operations, the kernel and vroot agree (round seed 0x%016llx)",
	        run->round, done, (unsigned long long)run->rseed);
	before = run->diffs;
	linked = run->linked;
	cross_read(run, &rd);
	ok(run->diffs == before && run->linked == linked,
	        "round %d: each side's layers read by the other show the same tree", run->round);
	ok(bases_unchanged(run, &rd), "round %d: no base layer was written", run->round);
	round_teardown(run, &rd);
}

/* ---- main ------------------------------------------------------------------------ */

static uint64_t
pick_seed(void)
{
	const char *env = getenv("VR_ODIFF_SEED");
	struct timespec ts;

	if (env && *env)
		return strtoull(env, NULL, 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	return rng_next(&(struct rng){(uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
	                              (uint64_t)getpid()});
}

static int
env_int(const char *name, int dflt)
{
	const char *v = getenv(name);

	return v && *v ? atoi(v) : dflt;
}

/* enter_private_mounts() - a mount namespace of our own, so no mount outlives the test. */
static void
enter_private_mounts(void)
{
	if (geteuid() != 0)
		skip_all("needs root to mount overlayfs");
	if (unshare(CLONE_NEWNS) < 0)
		skip_all("unshare(CLONE_NEWNS): %s", strerror(errno));
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		skip_all("making / private: %s", strerror(errno));
}

/* overlay_usable() - kernel overlayfs mounts with userxattr here. */
static void
overlay_usable(const char *top)
{
	struct round rd;
	int err;

	memset(&rd, 0, sizeof(rd));
	snprintf(rd.L.root[0], PATH_MAX, "%s/probe", top);
	snprintf(rd.mnt, sizeof(rd.mnt), "%s/probe/mnt", top);
	mkdir_or_bail(top, "probe/lower");
	mkdir_or_bail(top, "probe/upper");
	mkdir_or_bail(top, "probe/work");
	mkdir_or_bail(top, "probe/mnt");
	err = mount_layers(&rd, 0);
	if (err == 0)
		umount2(rd.mnt, 0);
	fx_rmrf(rd.L.root[0]);
	if (err < 0) {
		fx_rmrf(top);
		skip_all("kernel overlayfs with userxattr: %s", strerror(-err));
	}
}

int
main(void)
{
	struct run run = {0};
	int total;

	enter_private_mounts();
	signal(SIGPIPE, SIG_IGN);
	umask(022);
	run.top = fx_tmpdir("vroot-odiff");
	if (!run.top)
		skip_all("mkdtemp: %s", strerror(errno));
	overlay_usable(run.top);
	run.seed = pick_seed();
	run.nops = env_int("VR_ODIFF_OPS", OPS);
	total = env_int("VR_ODIFF_TOTAL", TOTAL);
	run.keep = env_int("VR_ODIFF_KEEP", 0);
	run.minimize = env_int("VR_ODIFF_MINIMIZE", 1);
	run.budget = env_int("VR_ODIFF_MINIMIZE_SECONDS", BUDGET);
	run.log = calloc((size_t)run.nops + 1, sizeof(*run.log));
	if (!run.log)
		abort();
	diag("seed 0x%016llx (VR_ODIFF_SEED=0x%016llx repeats this run), rounds of %d operations "
	     "until %d are compared",
	     (unsigned long long)run.seed, (unsigned long long)run.seed, run.nops, total);
	for (run.round = 0; run.ops < total && run.round < MAX_ROUNDS; run.round++)
		run_round(&run);
	if (total >= MIN_OPS)
		ok(run.ops >= MIN_OPS, "%ld operations compared in %d rounds (at least %d)",
		   run.ops, run.round, MIN_OPS);
	diag("%ld operations; %ld directory renames the kernel refused with EXDEV emulated, %ld "
	     "ESTALE between links of one file taken as 0",
	     run.ops, run.emulated, run.stale);
	is_int(run.diffs, 0, "disagreements between the kernel and vroot");
	is_int(run.linked, 0, "disagreements about hard links");
	if (run.keep)
		diag("layers kept in %s", run.top);
	else
		fx_rmrf(run.top);
	free(run.top);
	free(run.log);
	return done_testing();
}
