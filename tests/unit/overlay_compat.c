/*
 * overlay_compat.c - the prefix's on-disk format against kernel overlayfs,
 * both ways, and a prefix on a filesystem without user xattrs.
 *
 *  1. vroot writes, the kernel reads: a base is changed through vroot (file
 *     and directory copy-ups, whiteouts, an opaque directory, renamed base
 *     files and directories, new files, directories, links); then kernel
 *     overlayfs (userxattr) mounts the same layers and must show exactly the
 *     tree vroot showed: names and d_type, types, modes, sizes, contents,
 *     link bodies, user xattrs.
 *  2. The kernel writes, vroot reads: the same kind of changes through a
 *     kernel overlay mount (renaming a base directory excepted: the kernel
 *     answers EXDEV); unmounted, the layers opened with vroot must show
 *     exactly what the kernel showed.
 *  3. A prefix on ramfs, which has no extended attributes (and no
 *     RENAME_WHITEOUT): what needs an opaque directory must fail with a
 *     clear errno (EOPNOTSUPP; EXDEV to rename a base directory) and leave
 *     nothing half made; the rest works, whiteouts made by mknod and
 *     exchanged into place.
 *
 * overlay_diff.c does (1) and (2) on generated histories; this file keeps
 * the cases readable.  A directory's link count is not compared where the
 * kernel reports 1 (overlayfs does so for every merged directory).
 *
 * Needs root (mount); skipped otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "vroot.h"
#include "fixture.h"
#include "tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- a view: the tree as vroot or a kernel mount shows it ---------------- */

/*
 * A view reads virtual paths through vroot task @t, or, with @t NULL, on
 * the host below directory @root (a kernel overlay mount).  Calls return a
 * value >= 0 or -errno.
 */
struct view {
	struct vr_task *t;
	const char *root;
};

static const char *
host(const struct view *v, const char *path, char *buf)
{
	snprintf(buf, PATH_MAX, "%s%s", v->root, path);
	return buf;
}

static long
kret(long r)
{
	return r < 0 ? -errno : r;
}

static int
v_lstat(const struct view *v, const char *path, struct stat *st)
{
	char p[PATH_MAX];

	if (v->t)
		return vr_fstatat(v->t, AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
	return (int)kret(lstat(host(v, path, p), st));
}

static int
v_open(const struct view *v, const char *path, int flags)
{
	char p[PATH_MAX];

	flags |= O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
	if (v->t)
		return vr_openat(v->t, AT_FDCWD, path, flags, 0);
	return (int)kret(open(host(v, path, p), flags));
}

static long
v_getdents(const struct view *v, int fd, void *buf, size_t n)
{
	if (v->t)
		return vr_getdents64(v->t, fd, buf, n);
	return kret(syscall(SYS_getdents64, fd, buf, n));
}

static long
v_readlink(const struct view *v, const char *path, char *buf, size_t n)
{
	char p[PATH_MAX];

	if (v->t)
		return vr_readlinkat(v->t, AT_FDCWD, path, buf, n);
	return kret(readlink(host(v, path, p), buf, n));
}

static long
v_listxattr(const struct view *v, const char *path, char *list, size_t n)
{
	char p[PATH_MAX];

	if (v->t)
		return vr_listxattr(v->t, path, list, n, 1);
	return kret(llistxattr(host(v, path, p), list, n));
}

static long
v_getxattr(const struct view *v, const char *path, const char *name, char *val, size_t n)
{
	char p[PATH_MAX];

	if (v->t)
		return vr_getxattr(v->t, path, name, val, n, 1);
	return kret(lgetxattr(host(v, path, p), name, val, n));
}

/* ---- describing a tree ------------------------------------------------------ */

static char
type_char(unsigned int t)
{
	return "upc?d?b?f?l?s?w?"[t & 15];
}

static void
add_err(struct sb *b, long err)
{
	const char *n = strerrorname_np((int)-err);

	sb_add(b, n ? n : "E?");
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

#define MAXNAMES 256

struct ldent {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

/* names_of() - the names of directory @path, sorted, each followed by ":type". */
static int
names_of(const struct view *v, const char *path, char **names, int *n)
{
	char buf[8192] __attribute__((aligned(8)));
	int fd = v_open(v, path, O_RDONLY | O_DIRECTORY);
	long got;

	*n = 0;
	if (fd < 0)
		return fd;
	while ((got = v_getdents(v, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < got && *n < MAXNAMES;) {
			struct ldent *d = (struct ldent *)(buf + off);

			if (asprintf(&names[*n], "%s:%c", d->name, type_char(d->type)) < 0)
				abort();
			(*n)++;
			off += d->reclen;
		}
	}
	close(fd);
	qsort(names, (size_t)*n, sizeof(names[0]), cmp_str);
	return got < 0 ? (int)got : 0;
}

static void
add_data(const struct view *v, const char *path, struct sb *b)
{
	char buf[65536];
	int fd = v_open(v, path, O_RDONLY);
	ssize_t n = fd < 0 ? fd : read(fd, buf, sizeof(buf));

	sb_add(b, "\td=");
	if (fd < 0 || n < 0)
		add_err(b, fd < 0 ? fd : -errno);
	else
		sb_esc(b, buf, (size_t)n);
	if (fd >= 0)
		close(fd);
}

static void
add_xattrs(const struct view *v, const char *path, struct sb *b)
{
	char list[4096], val[256], *name[64];
	long n = v_listxattr(v, path, list, sizeof(list));
	int k = 0;

	if (n == 0)
		return;
	sb_add(b, "\tx=");
	if (n < 0) {
		add_err(b, n);
		return;
	}
	for (long i = 0; i < n && k < 64; i += (long)strlen(list + i) + 1)
		name[k++] = list + i;
	qsort(name, (size_t)k, sizeof(name[0]), cmp_str);
	for (int i = 0; i < k; i++) {
		long m = v_getxattr(v, path, name[i], val, sizeof(val));

		sb_addf(b, "%s%s=", i ? "," : "", name[i]);
		if (m < 0)
			add_err(b, m);
		else
			sb_esc(b, val, (size_t)m);
	}
}

/*
 * dump() - one line per object from @path down, in name order: path, type,
 * mode, link count, size, then the data, link body or names, and xattrs.
 */
static void
dump(const struct view *v, const char *path, struct sb *b, int depth)
{
	char *names[MAXNAMES], child[PATH_MAX], body[PATH_MAX];
	struct stat st;
	int err = v_lstat(v, path, &st), n = 0;

	sb_add(b, path);
	if (err < 0) {
		sb_add(b, "\tE=");
		add_err(b, err);
		sb_add(b, "\n");
		return;
	}
	sb_addf(b, "\t%c\tm=%04o\tn=%lu\ts=%lld", type_char((st.st_mode & S_IFMT) >> 12),
	        st.st_mode & 07777, (unsigned long)st.st_nlink, (long long)st.st_size);
	if (S_ISREG(st.st_mode))
		add_data(v, path, b);
	if (S_ISLNK(st.st_mode)) {
		long k = v_readlink(v, path, body, sizeof(body));

		sb_add(b, "\t->");
		sb_esc(b, body, k > 0 ? (size_t)k : 0);
	}
	if (S_ISCHR(st.st_mode))
		sb_addf(b, "\tr=%u:%u", major(st.st_rdev), minor(st.st_rdev));
	if (S_ISDIR(st.st_mode)) {
		err = names_of(v, path, names, &n);
		sb_add(b, "\tl=");
		for (int i = 0; i < n; i++)
			sb_addf(b, "%s%s", i ? "," : "", names[i]);
		if (err < 0)
			add_err(b, err);
	}
	add_xattrs(v, path, b);
	sb_add(b, "\n");
	for (int i = 0; i < n; i++) {
		char *name = names[i], *colon = strrchr(name, ':');

		*colon = '\0';
		if (strcmp(name, ".") && strcmp(name, "..") && depth < 16) {
			snprintf(child, sizeof(child), "%s/%s", strcmp(path, "/") ? path : "",
			         name);
			dump(v, child, b, depth + 1);
		}
		free(name);
	}
}

static char *
dump_view(const struct view *v)
{
	struct sb b = {0};

	dump(v, "/", &b, 0);
	sb_add(&b, "");
	return b.p;
}

/* ---- comparing ------------------------------------------------------------------ */

/* line_agree() - equal lines, but for a directory's "n=" where the kernel says 1. */
static int
line_agree(const char *k, size_t kn, const char *v, size_t vn)
{
	const char *kf = memmem(k, kn, "\td\tm=", 5), *kl, *vl;

	if (kn == vn && !memcmp(k, v, kn))
		return 1;
	kl = kf ? memmem(k, kn, "\tn=1\t", 5) : NULL;
	vl = kl ? memmem(v, vn, "\tn=", 3) : NULL;
	if (!vl || (size_t)(kl - k) != (size_t)(vl - v) || memcmp(k, v, (size_t)(kl - k)))
		return 0;
	vl = memchr(vl + 3, '\t', vn - (size_t)(vl + 3 - v));
	return vl && (size_t)(k + kn - (kl + 4)) == (size_t)(v + vn - vl) &&
	       !memcmp(kl + 4, vl, (size_t)(k + kn - (kl + 4)));
}

/* find_line() - the line of @text for path @key[0..n) (its first field), or NULL. */
static const char *
find_line(const char *text, const char *key, size_t n)
{
	for (const char *l = text; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != '\0'))
		if (strcspn(l, "\t\n") == n && !memcmp(l, key, n))
			return l;
	return NULL;
}

/* show_missing() - the lines of @a whose path @b lacks (printed).  Return: how many. */
static int
show_missing(const char *a, const char *b, const char *aname, const char *bname, int *shown)
{
	int missing = 0;

	for (const char *l = a; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != '\0')) {
		if (find_line(b, l, strcspn(l, "\t\n")))
			continue;
		missing++;
		if ((*shown)++ >= 12)
			continue;
		diag("  %s %.*s", aname, (int)strcspn(l, "\n"), l);
		diag("  %s -", bname);
	}
	return missing;
}

/*
 * same_tree() - the kernel's dump @k against vroot's @v.  The lines that
 * differ are printed, matched by path.
 */
static int
same_tree(const char *k, const char *v)
{
	int same = 1, shown = 0;

	for (const char *l = k; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != '\0')) {
		size_t n = strcspn(l, "\n");
		const char *o = find_line(v, l, strcspn(l, "\t\n"));

		if (!o || line_agree(l, n, o, strcspn(o, "\n")))
			continue;
		same = 0;
		if (shown++ < 12) {
			diag("  kernel: %.*s", (int)n, l);
			diag("  vroot:  %.*s", (int)strcspn(o, "\n"), o);
		}
	}
	if (show_missing(k, v, "kernel:", "vroot: ", &shown))
		same = 0;
	if (show_missing(v, k, "vroot: ", "kernel:", &shown))
		same = 0;
	return same;
}

/* ---- layers ----------------------------------------------------------------------- */

/* A case's directories: lower, upper, work and a mount point, below @dir. */
struct layers {
	char dir[PATH_MAX], lower[PATH_MAX], upper[PATH_MAX], work[PATH_MAX], mnt[PATH_MAX];
};

static char *top;

static int
layers_make(struct layers *L, const char *name)
{
	pathf(L->dir, sizeof(L->dir), "%s/%s", top, name);
	pathf(L->lower, sizeof(L->lower), "%s/lower", L->dir);
	pathf(L->upper, sizeof(L->upper), "%s/upper", L->dir);
	pathf(L->work, sizeof(L->work), "%s/work", L->dir);
	pathf(L->mnt, sizeof(L->mnt), "%s/mnt", L->dir);
	return fx_mkdirs(L->dir, "upper") || fx_mkdirs(L->dir, "work") || fx_mkdirs(L->dir, "mnt")
	               ? -1
	               : 0;
}

/*
 * base_make() - the base every case starts from: files with and without
 * xattrs, directories a change empties, renames or makes opaque, a link.
 */
static int
base_make(const char *lower)
{
	static const char *const files[][2] = {
	        {"f1", "one\n"},    {"f2", "two\n"},       {"f3", "three\n"},
	        {"gone", "gone\n"}, {"hl", "linked\n"},    {"d1/a", "a\n"},
	        {"d1/b", "b\n"},    {"d1/sub/c", "c\n"},   {"d2/x", "x\n"},
	        {"d2/y", "y\n"},    {"d2/deep/z", "z\n"},  {"d3/p", "p\n"},
	        {"d4/m", "m\n"},    {"d5/keep", "keep\n"},
	};
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(files) && !err; i++)
		err = fx_file(lower, files[i][0], files[i][1]);
	if (!err)
		err = fx_mkdirs(lower, "empty");
	if (!err)
		err = fx_symlink(lower, "ln", "f1");
	if (!err)
		err = fx_symlink(lower, "d1/up", "../d2/y");
	if (!err) {
		char p[PATH_MAX];

		snprintf(p, sizeof(p), "%s/f1", lower);
		err = setxattr(p, "user.origin", "base", 4, 0) < 0 ? -errno : 0;
		snprintf(p, sizeof(p), "%s/d2", lower);
		if (!err)
			err = setxattr(p, "user.dir", "d2", 2, 0) < 0 ? -errno : 0;
		if (!err)
			err = chmod(p, 0750) < 0 ? -errno : 0;
	}
	return err;
}

static int
mount_overlay(const struct layers *L)
{
	char opts[4 * PATH_MAX];

	snprintf(opts, sizeof(opts),
	         "lowerdir=%s,upperdir=%s,workdir=%s,userxattr,index=off,metacopy=off", L->lower,
	         L->upper, L->work);
	return mount("overlay", L->mnt, "overlay", 0, opts) < 0 ? -errno : 0;
}

static int
vroot_open(const struct layers *L, const char *upper, const char *work, struct vr_ns **ns,
           struct vr_task **t)
{
	const char *lowers[1] = {L->lower};
	struct vr_ns_spec spec = {.upper = upper, .work = work, .lowers = lowers, .nlowers = 1};
	int err = vr_ns_new(&spec, ns);

	if (err == 0 && (err = vr_task_new(*ns, t)) < 0)
		vr_ns_free(*ns);
	return err;
}

/* ---- the changes ---------------------------------------------------------------- */

enum change_kind {
	C_APPEND,
	C_CHMOD,
	C_TRUNC,
	C_SETX,
	C_UNLINK,
	C_RMDIR,
	C_MKDIR,
	C_CREATE,
	C_RENAME,
	C_SYMLINK,
	C_LINK
};

/* One change; @vroot_only: the kernel answers EXDEV (a base directory moves). */
struct change {
	enum change_kind kind;
	const char *a, *b;
	int vroot_only;
};

static const struct change changes[] = {
        {C_APPEND, "/f1", "more\n", 0}, /* copy-up with data and xattrs */
        {C_CHMOD, "/f2", NULL, 0},      /* copy-up, mode 0600 */
        {C_TRUNC, "/f3", NULL, 0},      /* copy-up, then 2 bytes */
        {C_SETX, "/f3", "user.new", 0},
        {C_UNLINK, "/gone", NULL, 0},     /* a whiteout at the top */
        {C_UNLINK, "/d1/a", NULL, 0},     /* a whiteout in a merged directory */
        {C_RENAME, "/d1/b", "/d1/b2", 0}, /* a base file renamed */
        {C_UNLINK, "/d4/m", NULL, 0},
        {C_RMDIR, "/d4", NULL, 0}, /* a base directory removed */
        {C_MKDIR, "/d4", NULL, 0}, /* ... and made again: opaque */
        {C_CREATE, "/d4/new", "new\n", 0},
        {C_MKDIR, "/gone", NULL, 0},      /* a directory over a file's whiteout */
        {C_UNLINK, "/d2/x", NULL, 0},     /* a whiteout inside a directory ... */
        {C_RENAME, "/d2", "/d2moved", 1}, /* ... that then moves */
        {C_RENAME, "/d3", "/d1/d3in", 1}, /* a base directory into a merged one */
        {C_RENAME, "/empty", "/d5", 1},   /* over a base directory: ENOTEMPTY */
        {C_MKDIR, "/new", NULL, 0},
        {C_MKDIR, "/new/sub", NULL, 0},
        {C_CREATE, "/new/sub/file", "fresh\n", 0},
        {C_SYMLINK, "/new/ln", "../f1", 0},
        {C_LINK, "/hl", "/new/hl2", 0}, /* a base file gains a name */
        {C_RENAME, "/new/sub", "/new/sub2", 0},
        {C_RENAME, "/f2", "/d1/f2moved", 0},
        {C_RENAME, "/d1/sub/c", "/d4/c", 0}, /* a base file into the opaque dir */
        {C_UNLINK, "/d1/up", NULL, 0},
        {C_CREATE, "/d1/up", "was a link\n", 0},
};

/* change_vroot() - @c through vroot.  Return: 0 or -errno. */
static int
change_vroot(struct vr_task *t, const struct change *c)
{
	int fd, err = 0;

	switch (c->kind) {
	case C_APPEND:
	case C_CREATE:
		fd = vr_openat(t, AT_FDCWD, c->a,
		               O_WRONLY | O_CLOEXEC |
		                       (c->kind == C_APPEND ? O_APPEND : O_CREAT | O_EXCL),
		               0644);
		if (fd < 0)
			return fd;
		if (write(fd, c->b, strlen(c->b)) != (ssize_t)strlen(c->b))
			err = -EIO;
		close(fd);
		return err;
	case C_CHMOD:
		return vr_fchmodat(t, AT_FDCWD, c->a, 0600, 0);
	case C_TRUNC:
		return vr_truncate(t, c->a, 2);
	case C_SETX:
		return vr_setxattr(t, c->a, c->b, "v", 1, 0, 1);
	case C_UNLINK:
	case C_RMDIR:
		return vr_unlinkat(t, AT_FDCWD, c->a, c->kind == C_RMDIR ? AT_REMOVEDIR : 0);
	case C_MKDIR:
		return vr_mkdirat(t, AT_FDCWD, c->a, 0755);
	case C_RENAME:
		return vr_renameat2(t, AT_FDCWD, c->a, AT_FDCWD, c->b, 0);
	case C_SYMLINK:
		return vr_symlinkat(t, c->b, AT_FDCWD, c->a);
	case C_LINK:
		return vr_linkat(t, AT_FDCWD, c->a, AT_FDCWD, c->b, 0);
	}
	return -EINVAL;
}

/* change_kernel() - @c through the kernel overlay mounted at @mnt. */
static int
change_kernel(const char *mnt, const struct change *c)
{
	char a[PATH_MAX], b[PATH_MAX];
	int fd, err = 0;

	snprintf(a, sizeof(a), "%s%s", mnt, c->a);
	snprintf(b, sizeof(b), "%s%s", mnt, c->b ? c->b : "");
	switch (c->kind) {
	case C_APPEND:
	case C_CREATE:
		fd = open(a,
		          O_WRONLY | O_CLOEXEC |
		                  (c->kind == C_APPEND ? O_APPEND : O_CREAT | O_EXCL),
		          0644);
		if (fd < 0)
			return -errno;
		if (write(fd, c->b, strlen(c->b)) != (ssize_t)strlen(c->b))
			err = -EIO;
		close(fd);
		return err;
	case C_CHMOD:
		return (int)kret(chmod(a, 0600));
	case C_TRUNC:
		return (int)kret(truncate(a, 2));
	case C_SETX:
		return (int)kret(lsetxattr(a, c->b, "v", 1, 0));
	case C_UNLINK:
	case C_RMDIR:
		return (int)kret(unlinkat(AT_FDCWD, a, c->kind == C_RMDIR ? AT_REMOVEDIR : 0));
	case C_MKDIR:
		return (int)kret(mkdir(a, 0755));
	case C_RENAME:
		return (int)kret(rename(a, b));
	case C_SYMLINK:
		return (int)kret(symlink(c->b, a));
	case C_LINK:
		return (int)kret(link(a, b));
	}
	return -EINVAL;
}

/* expected() - what a change answers: all work but moving onto the full /d5. */
static int
expected(const struct change *c)
{
	return c->b && !strcmp(c->b, "/d5") ? -ENOTEMPTY : 0;
}

static void
describe_change(const struct change *c, char *buf, size_t size)
{
	static const char *const name[] = {"append", "chmod",   "truncate", "setxattr",
	                                   "unlink", "rmdir",   "mkdir",    "create",
	                                   "rename", "symlink", "link"};

	int data = c->kind == C_APPEND || c->kind == C_CREATE;

	snprintf(buf, size, "%s %s%s%s", name[c->kind], c->a, c->b && !data ? " " : "",
	         c->b && !data ? c->b : "");
}

/*
 * kernel_apply() - the changes the kernel can make, through the overlay
 * mounted at @mnt.  Return: how many answered otherwise than expected.
 */
static int
kernel_apply(const char *mnt)
{
	char what[PATH_MAX];
	int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(changes); i++) {
		const struct change *c = &changes[i];
		int err;

		if (c->vroot_only)
			continue;
		err = change_kernel(mnt, c);
		if (err == expected(c))
			continue;
		describe_change(c, what, sizeof(what));
		diag("  %s: the kernel answers %d (%s), expected %d", what, err,
		     err < 0 ? strerror(-err) : "success", expected(c));
		bad++;
	}
	return bad;
}

/* kernel_dump() - mount the layers, dump the kernel's view, unmount.  NULL if it cannot. */
static char *
kernel_dump(const struct layers *L)
{
	struct view k = {NULL, L->mnt};
	int err = mount_overlay(L);
	char *d;

	if (err < 0) {
		diag("  mount -t overlay: %s", strerror(-err));
		return NULL;
	}
	d = dump_view(&k);
	if (umount2(L->mnt, 0) < 0)
		diag("  umount %s: %s", L->mnt, strerror(errno));
	return d;
}

/* vroot_dump() - a namespace over the layers, its view dumped.  NULL if it cannot. */
static char *
vroot_dump(const struct layers *L)
{
	struct vr_ns *ns;
	struct vr_task *t;
	struct view v;
	char *d;
	int err = vroot_open(L, L->upper, L->work, &ns, &t);

	if (err < 0) {
		diag("  vr_ns_new: %s", strerror(-err));
		return NULL;
	}
	v.t = t;
	v.root = NULL;
	d = dump_view(&v);
	vr_task_free(t);
	vr_ns_free(ns);
	return d;
}

/* vroot_apply() - a namespace over the layers, and the changes (only the vroot-only ones if asked)
 * made. */
static int
vroot_apply(const struct layers *L, int only_vroot_ones)
{
	struct vr_ns *ns;
	struct vr_task *t;
	int bad = 0, err = vroot_open(L, L->upper, L->work, &ns, &t);

	if (err < 0) {
		diag("  vr_ns_new: %s", strerror(-err));
		return 1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(changes); i++) {
		const struct change *c = &changes[i];
		char what[PATH_MAX];

		if (only_vroot_ones && !c->vroot_only)
			continue;
		err = change_vroot(t, c);
		if (err == expected(c))
			continue;
		describe_change(c, what, sizeof(what));
		diag("  %s: vroot answers %d (%s), expected %d", what, err,
		     err < 0 ? strerror(-err) : "success", expected(c));
		bad++;
	}
	vr_task_free(t);
	vr_ns_free(ns);
	return bad;
}

static int
compare(const char *kd, const char *vd, const char *what)
{
	int same = kd && vd && same_tree(kd, vd);

	return ok(same, "%s", what);
}

/* vroot_writes() - (1): vroot changes a base, the kernel reads the layers. */
static void
vroot_writes(void)
{
	struct layers L;
	char *vd, *kd;

	if (layers_make(&L, "v2k") < 0 || base_make(L.lower) < 0)
		bail_out("cannot make the layers under %s", top);
	ok(vroot_apply(&L, 0) == 0, "vroot makes the changes");
	vd = vroot_dump(&L);
	kd = kernel_dump(&L);
	compare(kd, vd, "the kernel shows vroot's layers as vroot did");
	free(vd);
	free(kd);
}

/*
 * kernel_writes() - (2): the kernel changes a base, vroot reads the layers;
 * then vroot moves base directories there and the kernel reads them back.
 */
static void
kernel_writes(void)
{
	struct layers L;
	char *vd, *kd;
	int err;

	if (layers_make(&L, "k2v") < 0 || base_make(L.lower) < 0)
		bail_out("cannot make the layers under %s", top);
	err = mount_overlay(&L);
	if (err < 0)
		bail_out("mount -t overlay: %s", strerror(-err));
	ok(kernel_apply(L.mnt) == 0, "the kernel makes the changes");
	umount2(L.mnt, 0);
	kd = kernel_dump(&L);
	vd = vroot_dump(&L);
	compare(kd, vd, "vroot shows the kernel's layers as the kernel did");
	free(vd);
	free(kd);
	ok(vroot_apply(&L, 1) == 0, "vroot moves base directories on the kernel's layers");
	vd = vroot_dump(&L);
	kd = kernel_dump(&L);
	compare(kd, vd, "and the kernel shows them as vroot did");
	free(vd);
	free(kd);
}

/* ---- (3) a prefix without user xattrs ----------------------------------------------- */

/* work_clean() - no temporary of vroot's is left in work directory @work. */
static int
work_clean(const char *work)
{
	struct view h = {NULL, work};
	char *names[MAXNAMES];
	int n, clean = 1;

	if (names_of(&h, "", names, &n) < 0)
		return 0;
	for (int i = 0; i < n; i++) {
		if (!strncmp(names[i], "#vroot.", 7)) {
			diag("  left in the work directory: %s", names[i]);
			clean = 0;
		}
		free(names[i]);
	}
	return clean;
}

/* is_whiteout() - host path @dir/@name is a whiteout (character device 0:0). */
static int
is_whiteout(const char *dir, const char *name)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return lstat(p, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == 0;
}

/* root_names() - the names vroot lists at "/", without "." and "..". */
static char *
root_names(struct vr_task *t)
{
	struct view v = {t, NULL};
	char *names[MAXNAMES];
	struct sb b = {0};
	int n;

	if (names_of(&v, "/", names, &n) < 0)
		sb_add(&b, "(cannot list)");
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i], ".:d") && strcmp(names[i], "..:d"))
			sb_addf(&b, "%s%s", b.len ? " " : "", names[i]);
		free(names[i]);
	}
	sb_add(&b, "");
	return b.p;
}

static int
absent(struct vr_task *t, const char *path)
{
	struct stat st;

	return vr_fstatat(t, AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == -ENOENT;
}

/* opaque_refused() - each way of needing an opaque directory fails cleanly. */
static void
opaque_refused(struct vr_task *t, const char *upper, const char *work)
{
	struct stat st;
	char *names;

	is_int(vr_unlinkat(t, AT_FDCWD, "/empty", AT_REMOVEDIR), 0,
	       "rmdir of an empty base directory leaves a whiteout (mknod)");
	is_err(vr_mkdirat(t, AT_FDCWD, "/empty", 0755), EOPNOTSUPP,
	       "mkdir over it needs an opaque directory: EOPNOTSUPP");
	ok(absent(t, "/empty") && is_whiteout(upper, "empty") && work_clean(work),
	   "and nothing changed: the name is absent, the whiteout is kept, no temporary is left");
	is_int(vr_unlinkat(t, AT_FDCWD, "/g", 0), 0, "unlink of a base file");
	is_err(vr_mkdirat(t, AT_FDCWD, "/g", 0755), EOPNOTSUPP,
	       "mkdir over its whiteout: EOPNOTSUPP");
	ok(absent(t, "/g") && is_whiteout(upper, "g") && work_clean(work), "and nothing changed");
	is_int(vr_mkdirat(t, AT_FDCWD, "/n", 0755), 0, "mkdir of a new name works");
	is_err(vr_renameat2(t, AT_FDCWD, "/n", AT_FDCWD, "/empty", 0), EOPNOTSUPP,
	       "renaming it over a whiteout needs it opaque: EOPNOTSUPP");
	ok(vr_fstatat(t, AT_FDCWD, "/n", &st, 0) == 0 && S_ISDIR(st.st_mode) &&
	           absent(t, "/empty") && is_whiteout(upper, "empty") && work_clean(work),
	   "and nothing changed");
	names = root_names(t);
	is_str(names, "dir:d f:f full:d h:f k:f m:f n:d", "the listing shows just that");
	free(names);
}

/* content_is() - the file at @path reads exactly @want through vroot. */
static int
content_is(struct vr_task *t, const char *path, const char *want)
{
	char buf[64];
	int fd = vr_openat(t, AT_FDCWD, path, O_RDONLY, 0);
	ssize_t n = -1;

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf));
		close(fd);
	}
	return n == (ssize_t)strlen(want) && !memcmp(buf, want, (size_t)n);
}

/* is_upper_file() - host path @dir/@name is a regular file. */
static int
is_upper_file(const char *dir, const char *name)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return lstat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * whiteouts_made() - changes that need a whiteout made by rename
 * (RENAME_WHITEOUT, which ramfs lacks) work: the whiteout is made with
 * mknod and exchanged into place, as kernel overlayfs does.
 */
static void
whiteouts_made(struct vr_task *t, const char *upper, const char *work)
{
	struct stat st;
	char *names;
	int fd;

	is_int(vr_renameat2(t, AT_FDCWD, "/f", AT_FDCWD, "/f2", 0), 0,
	       "rename of a copied-up base file to a new name");
	ok(content_is(t, "/f2", "F+v\n") && absent(t, "/f"),
	   "the file is under its new name only, with its data");
	ok(is_whiteout(upper, "f") && is_upper_file(upper, "f2") && work_clean(work),
	   "a whiteout is left at the old name, no temporary in the work directory");
	is_int(vr_renameat2(t, AT_FDCWD, "/h", AT_FDCWD, "/k", 0), 0,
	       "rename of a base file over another base file");
	ok(content_is(t, "/k", "H") && absent(t, "/h") && is_whiteout(upper, "h") &&
	           is_upper_file(upper, "k") && work_clean(work),
	   "the new name has its data, the old one is whited out");
	fd = vr_openat(t, AT_FDCWD, "/m", O_WRONLY | O_APPEND, 0);
	ok(fd >= 0 && write(fd, "+", 1) == 1, "copy-up of base file /m");
	if (fd >= 0)
		close(fd);
	is_int(vr_renameat2(t, AT_FDCWD, "/k", AT_FDCWD, "/m", 0), 0,
	       "rename of a base name over a copied-up file");
	ok(content_is(t, "/m", "H") && absent(t, "/k") && is_whiteout(upper, "k") &&
	           work_clean(work),
	   "the copied-up file is replaced, the old name whited out, nothing left over");
	is_err(vr_renameat2(t, AT_FDCWD, "/f2", AT_FDCWD, "/m", RENAME_NOREPLACE), EEXIST,
	       "RENAME_NOREPLACE onto an existing name: EEXIST");
	is_int(vr_unlinkat(t, AT_FDCWD, "/m", 0), 0, "unlink of an upper file a base also has");
	ok(absent(t, "/m") && is_whiteout(upper, "m") && work_clean(work),
	   "a whiteout takes its place");
	is_int(vr_unlinkat(t, AT_FDCWD, "/full/x", 0), 0, "unlink in a base directory");
	is_int(vr_unlinkat(t, AT_FDCWD, "/full", AT_REMOVEDIR), 0,
	       "rmdir of the emptied (copied-up) base directory");
	ok(absent(t, "/full") && is_whiteout(upper, "full") && work_clean(work),
	   "a whiteout takes its place, the directory's own whiteouts are gone");
	is_err(vr_renameat2(t, AT_FDCWD, "/dir", AT_FDCWD, "/dir2", 0), EXDEV,
	       "renaming a base directory needs an opaque directory: EXDEV (mv copies)");
	ok(vr_fstatat(t, AT_FDCWD, "/dir/y", &st, 0) == 0 && absent(t, "/dir2") &&
	           !is_upper_file(upper, "dir/y") && work_clean(work),
	   "and nothing changed, nothing was copied up");
	is_err(vr_renameat2(t, AT_FDCWD, "/f2", AT_FDCWD, "/dir", RENAME_EXCHANGE), EXDEV,
	       "exchanging a file with a base directory: EXDEV");
	ok(content_is(t, "/f2", "F+v\n") && vr_fstatat(t, AT_FDCWD, "/dir/y", &st, 0) == 0,
	   "and nothing changed");
	names = root_names(t);
	is_str(names, "dir:d f2:f n:d", "the listing shows just that");
	free(names);
}

static void
no_xattrs(void)
{
	struct layers L;
	struct vr_ns *ns;
	struct vr_task *t;
	char upper[PATH_MAX], work[PATH_MAX], *before, *after;
	struct view base;
	int fd, err;

	if (layers_make(&L, "ramfs") < 0 || fx_file(L.lower, "f", "F") < 0 ||
	    fx_file(L.lower, "g", "G") < 0 || fx_file(L.lower, "h", "H") < 0 ||
	    fx_file(L.lower, "k", "K") < 0 || fx_file(L.lower, "m", "M") < 0 ||
	    fx_file(L.lower, "full/x", "X") < 0 || fx_file(L.lower, "dir/y", "Y") < 0 ||
	    fx_mkdirs(L.lower, "empty") < 0)
		bail_out("cannot make the layers under %s", top);
	if (mount("ramfs", L.mnt, "ramfs", 0, "mode=0755") < 0) {
		ok(1, "# SKIP ramfs cannot be mounted here: %s", strerror(errno));
		return;
	}
	pathf(upper, sizeof(upper), "%s/upper", L.mnt);
	pathf(work, sizeof(work), "%s/work", L.mnt);
	base = (struct view){NULL, L.lower};
	before = dump_view(&base);
	if (mkdir(upper, 0755) < 0 || mkdir(work, 0755) < 0)
		bail_out("mkdir on ramfs: %s", strerror(errno));
	ok(setxattr(upper, "user.probe", "y", 1, 0) < 0 && errno == EOPNOTSUPP,
	   "ramfs has no user xattrs (setxattr: EOPNOTSUPP)");
	err = vroot_open(&L, upper, work, &ns, &t);
	if (!is_int(err, 0, "a namespace with its prefix on ramfs")) {
		umount2(L.mnt, MNT_DETACH);
		free(before);
		return;
	}
	fd = vr_openat(t, AT_FDCWD, "/f", O_WRONLY | O_APPEND, 0);
	ok(fd >= 0 && write(fd, "+v\n", 3) == 3, "copy-up of a base file works there");
	if (fd >= 0)
		close(fd);
	opaque_refused(t, upper, work);
	whiteouts_made(t, upper, work);
	after = dump_view(&base);
	is_str(after, before, "the base is unchanged");
	vr_task_free(t);
	vr_ns_free(ns);
	umount2(L.mnt, MNT_DETACH);
	free(before);
	free(after);
}

int
main(void)
{
	if (geteuid() != 0)
		skip_all("needs root to mount overlayfs and ramfs");
	if (unshare(CLONE_NEWNS) < 0)
		skip_all("unshare(CLONE_NEWNS): %s", strerror(errno));
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		skip_all("making / private: %s", strerror(errno));
	umask(022);
	top = fx_tmpdir("vroot-ocompat");
	if (!top)
		skip_all("mkdtemp: %s", strerror(errno));
	vroot_writes();
	kernel_writes();
	no_xattrs();
	if (getenv("VR_OCOMPAT_KEEP"))
		diag("layers kept in %s", top);
	else
		fx_rmrf(top);
	free(top);
	return done_testing();
}
