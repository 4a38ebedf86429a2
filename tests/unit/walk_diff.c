/*
 * walk_diff.c - the core's path walk against the kernel's, on generated trees.
 *
 * A namespace made of one directory (one lower layer, no upper, no mounts)
 * must answer as the kernel does when that directory is the root: the same
 * errno, the same object (st_dev, st_ino, st_mode), the same canonical path
 * and the same link body.  Each round builds a tree of directories, files and
 * hostile symlinks from a seeded PRNG, then generates paths and asks the core
 * and two kernel oracles:
 *
 *  - openat2: openat2(rootfd, path, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
 *    resolves "..", absolute paths and absolute symlink bodies against rootfd
 *    as a chroot does.  Available to every user.
 *  - chroot: a child process in chroot(tree) answers fstatat, openat,
 *    readlinkat and chdir itself and passes opened descriptors back over a
 *    socket.  Root only; skipped visibly otherwise.
 *
 * openat2 with RESOLVE_* rules is compared too (vr_openat2()): a scoped rule
 * (BENEATH, IN_ROOT) takes the base as its root, so oracle 1 asks openat2
 * from the base's own descriptor; the other rules resolve from the
 * namespace's root, which oracle 1 gets by adding RESOLVE_IN_ROOT at the
 * tree's root.  The chroot child asks openat2 as it is.
 *
 * Paths are asked from three bases per round: the root, a working directory
 * set with vr_chdir(), and a directory descriptor from vr_openat(); every
 * other round with the directory cache on, so that walks also start from
 * directories kept from earlier ones.  The trees
 * also hold a directory without search permission and files without read
 * permission, which only an unprivileged run tells apart.
 *
 * VR_DIFF_SEED=N repeats a run; VR_DIFF_ROUNDS=N changes the number of trees;
 * VR_DIFF_KEEP=1 leaves the trees on disk.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vroot.h"
#include "fixture.h"
#include "tap.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

#define ROUNDS    8     /* trees per run, unless VR_DIFF_ROUNDS says */
#define PATHS     150   /* generated paths per base */
#define MAXENT    256   /* entries of one tree */
#define MAXPRINT  20    /* disagreements printed in full */
#define MIN_CASES 10000 /* cases each oracle must compare in a default run */
#define LONGPATH  (2 * PATH_MAX)
#define NOT_ASKED LONG_MIN /* the oracle cannot answer this case faithfully */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- PRNG and strings ---------------------------------------------------- */







static void
sb_rep(struct sb *b, const char *unit, size_t k)
{
	while (k--)
		sb_add(b, unit);
}


/* sb_take() - the built string, owned by the caller; @b is left empty. */
static char *
sb_take(struct sb *b)
{
	char *p = b->p;

	if (!p)
		p = strdup("");
	if (!p)
		abort();
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

static char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		abort();
	return p;
}

/* repeat_at() - the unit length and count of the longest run starting at @i. */
static size_t
repeat_at(const char *s, size_t n, size_t i, size_t *count)
{
	size_t best = 0;

	*count = 0;
	for (size_t u = 1; u <= 8 && i + u <= n; u++) {
		size_t k = 1;

		while (i + (k + 1) * u <= n && memcmp(s + i, s + i + k * u, u) == 0)
			k++;
		if (k >= 3 && k * u >= 16 && k * u > best * *count) {
			best = u;
			*count = k;
		}
	}
	return best;
}

/*
 * describe() - @s[0..n) as C string pieces joined by " + ", a run of a
 * repeated unit written "unit"*N: exact, and readable for 4 KiB paths.
 */
static void
describe(struct sb *out, const char *s, size_t n)
{
	int pieces = 0, open = 0;
	size_t i = 0;

	while (i < n) {
		size_t k, u = repeat_at(s, n, i, &k);

		if (u || !open) {
			if (open)
				sb_add(out, "\"");
			if (pieces++)
				sb_add(out, " + ");
			sb_add(out, "\"");
			open = 1;
		}
		if (!u) {
			sb_esc(out, s + i++, 1);
			continue;
		}
		sb_esc(out, s + i, u);
		sb_addf(out, "\"*%zu", k);
		open = 0;
		i += u * k;
	}
	if (open)
		sb_add(out, "\"");
	if (!pieces)
		sb_add(out, "\"\"");
}

/* ---- the generated tree ---------------------------------------------------- */

enum kind { K_DIR, K_FILE, K_LINK };

struct ent {
	char *path;     /* canonical virtual path: "/" or "/a/b" */
	int parent;     /* index of the directory holding it */
	int depth;      /* components in path */
	enum kind kind;
	char *body;     /* a link's body */
	int target;     /* the entry a link body names, or -1 */
	int mode;       /* permissions set once the tree is made, or -1 */
	int closed;     /* in a directory without search permission */
};

struct tree {
	struct ent e[MAXENT];
	int n;
	int serial;
	int round;
	uint64_t seed;
	int shown;            /* printed already in this round */
	char host[PATH_MAX];  /* canonical host path of the root */
	size_t hostlen;
};

static const char *
ent_name(const struct ent *e)
{
	return strrchr(e->path, '/') + 1;
}

static void
tree_free(struct tree *t)
{
	for (int i = 0; i < t->n; i++) {
		free(t->e[i].path);
		free(t->e[i].body);
	}
	t->n = 0;
	t->serial = 0;
	t->shown = 0;
}

static int
add_ent(struct tree *t, int parent, enum kind kind, const char *name)
{
	struct ent *e = &t->e[t->n];
	struct sb b = {0};

	if (t->n >= MAXENT)
		abort();
	if (t->n > 0)
		sb_add(&b, t->e[parent].depth ? t->e[parent].path : "");
	sb_add(&b, "/");
	sb_add(&b, name);
	e->path = sb_take(&b);
	if (strlen(e->path) >= PATH_MAX)
		abort();
	e->parent = parent;
	e->depth = t->n > 0 ? t->e[parent].depth + 1 : 0;
	e->kind = kind;
	e->body = NULL;
	e->target = -1;
	e->mode = -1;
	e->closed = t->n > 0 && (t->e[parent].closed || t->e[parent].mode == 0644);
	return t->n++;
}

static int
add_named(struct tree *t, int parent, enum kind kind, char prefix)
{
	char name[16];

	snprintf(name, sizeof(name), "%c%d", prefix, t->serial++);
	return add_ent(t, parent, kind, name);
}

/* long_name() - @c followed by 'x' up to @len bytes, in @buf (NAME_MAX + 2). */
static const char *
long_name(char *buf, char c, size_t len)
{
	buf[0] = c;
	memset(buf + 1, 'x', len - 1);
	buf[len] = '\0';
	return buf;
}

/* pick() - a random entry of @kind (-1: any) at most @maxdepth deep, or -1. */
static int
pick(const struct tree *t, struct rng *r, int kind, int maxdepth)
{
	int idx[MAXENT], n = 0;

	for (int i = 0; i < t->n; i++)
		if ((kind < 0 || t->e[i].kind == (enum kind)kind) && t->e[i].depth <= maxdepth)
			idx[n++] = i;
	return n ? idx[rnd(r, (unsigned int)n)] : -1;
}

/*
 * pick_place() - a directory to put a link in: not one without search
 * permission, so that links, loops and chains stay reachable to the
 * unprivileged user.
 */
static int
pick_place(const struct tree *t, struct rng *r)
{
	int d;

	do
		d = pick(t, r, K_DIR, 9);
	while (t->e[d].closed || t->e[d].mode == 0644);
	return d;
}

static int
pick_child(const struct tree *t, struct rng *r, int dir)
{
	int idx[MAXENT], n = 0;

	for (int i = 1; i < t->n; i++)
		if (t->e[i].parent == dir)
			idx[n++] = i;
	return n ? idx[rnd(r, (unsigned int)n)] : -1;
}

/*
 * rel_path() - a relative path from directory @from to @to (both canonical):
 * one ".." per component of @from below the common prefix, then the rest.
 */
static void
rel_path(struct sb *b, const char *from, const char *to)
{
	const char *f = strcmp(from, "/") ? from : "";
	const char *o = strcmp(to, "/") ? to : "";
	size_t c = 0, mark = b->len;

	for (size_t i = 0;; i++) {
		int fe = f[i] == '\0' || f[i] == '/', oe = o[i] == '\0' || o[i] == '/';

		if (fe && oe)
			c = i;
		if (!f[i] || !o[i] || f[i] != o[i])
			break;
	}
	for (const char *p = f + c; *p; p++)
		if (*p == '/')
			sb_add(b, "../");
	if (o[c] == '/')
		sb_add(b, o + c + 1);
	else if (b->len > mark)
		b->p[--b->len] = '\0'; /* "../.." rather than "../../" */
	if (b->len == mark)
		sb_add(b, ".");
}

static const char *const seps[] = {"/", "/", "/", "/", "//", "/./", "///", "/././"};

/* decorate() - @s with repeated slashes, "." components and maybe a trailing "/". */
static char *
decorate(struct rng *r, char *s)
{
	struct sb b = {0};
	const char *p = s;
	int first = 1;

	if (*p == '/')
		sb_add(&b, rnd(r, 3) ? "/" : "//");
	else if (rnd(r, 4) == 0)
		sb_add(&b, "./");
	while (*p) {
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		n = strcspn(p, "/");
		if (!first)
			sb_add(&b, seps[rnd(r, ARRAY_SIZE(seps))]);
		sb_addn(&b, p, n);
		first = 0;
		p += n;
	}
	if (!b.len)
		sb_add(&b, ".");
	if (rnd(r, 8) == 0)
		sb_add(&b, "/");
	free(s);
	return sb_take(&b);
}

/*
 * ref() - a path naming entry @to from directory @from: absolute, relative, or
 * with more ".." than there are levels (clamped at the root).
 */
static char *
ref(const struct tree *t, struct rng *r, int from, int to)
{
	struct sb b = {0};
	char *s;

	switch (rnd(r, 5)) {
	case 0:
	case 1:
		sb_add(&b, t->e[to].path);
		break;
	case 2:
	case 3:
		rel_path(&b, t->e[from].path, t->e[to].path);
		break;
	default:
		sb_rep(&b, "../", (size_t)t->e[from].depth + 1 + rnd(r, 2));
		sb_add(&b, t->e[to].path + 1);
		break;
	}
	s = sb_take(&b);
	if (rnd(r, 10) < 3)
		s = decorate(r, s);
	if (strlen(s) >= PATH_MAX) {
		/* Too long for a symlink body (deep entries): the canonical path is not. */
		free(s);
		s = xstrdup(t->e[to].path);
	}
	return s;
}

/*
 * pad_to() - @tail made @want bytes long by filler inserted at its start:
 * copies of @unit (which ends in '/') and then extra slashes.  An absolute
 * tail stays absolute, a relative one relative.
 */
static char *
pad_to(const char *tail, size_t want, const char *unit)
{
	struct sb b = {0};
	size_t tl = strlen(tail), ul;

	if (tail[0] == '/') {
		sb_add(&b, "/");
		tail++;
		tl--;
	} else if (unit[0] == '/') {
		unit = "./";
	}
	ul = strlen(unit);
	if (b.len + ul + tl > want) {
		tail -= b.len;
		free(b.p);
		return xstrdup(tail);
	}
	while (b.len + ul + tl <= want)
		sb_add(&b, unit);
	while (b.len + tl < want)
		sb_add(&b, "/");
	sb_add(&b, tail);
	return sb_take(&b);
}

static const char *const missing_bodies[] = {
	"missing", "/missing", "missing/", "missing/..", "/missing/x/..", "./missing", "missing/.",
};

static const char *const special_bodies[] = {
	"/", ".", "..", "/..", "./", "../..", "//", "/./..", "../../../..", "./.", "/.//",
};

static const char *const file_tails[] = {"/", "/.", "/..", "//", "/./"};

static char *
body_into_dir(struct tree *t, struct rng *r, int from)
{
	struct sb b = {0};
	char *dir = ref(t, r, from, pick(t, r, K_DIR, 9));

	sb_add(&b, dir);
	sb_add(&b, "/");
	sb_add(&b, ent_name(&t->e[1 + rnd(r, (unsigned int)t->n - 1)]));
	free(dir);
	return sb_take(&b);
}

static char *
body_missing(struct tree *t, struct rng *r, int from)
{
	struct sb b = {0};
	char *dir;

	if (rnd(r, 3))
		return xstrdup(missing_bodies[rnd(r, ARRAY_SIZE(missing_bodies))]);
	dir = ref(t, r, from, pick(t, r, K_DIR, 9));
	sb_add(&b, dir);
	sb_add(&b, "/missing");
	free(dir);
	return sb_take(&b);
}

/* A file named with a trailing "/", "/." or "/..": ENOTDIR. */
static char *
body_file_slash(struct tree *t, struct rng *r, int from)
{
	int f = pick(t, r, K_FILE, 9);
	struct sb b = {0};
	char *s;

	if (f < 0)
		return xstrdup("missing/");
	s = ref(t, r, from, f);
	sb_add(&b, s);
	sb_add(&b, file_tails[rnd(r, ARRAY_SIZE(file_tails))]);
	free(s);
	return sb_take(&b);
}

/* A body of (up to) PATH_MAX - 1 bytes, the longest symlink(2) accepts. */
static char *
body_long(struct tree *t, struct rng *r, int from)
{
	char *tail = ref(t, r, from, rnd(r, (unsigned int)t->n));
	size_t want = PATH_MAX - 1 - (rnd(r, 2) ? 0 : rnd(r, 300));
	char *s = pad_to(tail, want, rnd(r, 2) ? "/" : "./");

	free(tail);
	return s;
}

/* Components of NAME_MAX and NAME_MAX + 1 bytes. */
static char *
body_name_max(struct tree *t, struct rng *r, int from)
{
	char nm[NAME_MAX + 2];
	struct sb b = {0};
	char *dir;

	switch (rnd(r, 4)) {
	case 0:
		return xstrdup(long_name(nm, 'M', NAME_MAX));
	case 1:
		return xstrdup(long_name(nm, 'N', NAME_MAX + 1));
	case 2:
		sb_add(&b, long_name(nm, 'N', NAME_MAX + 1));
		sb_add(&b, "/..");
		return sb_take(&b);
	default:
		dir = ref(t, r, from, pick(t, r, K_DIR, 9));
		sb_add(&b, dir);
		sb_add(&b, "/");
		sb_add(&b, long_name(nm, rnd(r, 2) ? 'M' : 'N', NAME_MAX + rnd(r, 2)));
		free(dir);
		return sb_take(&b);
	}
}

/* ".." through a directory: "dir/../name". */
static char *
body_dotdot(struct tree *t, struct rng *r, int from)
{
	char *dir = ref(t, r, from, pick(t, r, K_DIR, 9));
	struct sb b = {0};

	sb_add(&b, dir);
	sb_add(&b, "/../");
	sb_add(&b, ent_name(&t->e[1 + rnd(r, (unsigned int)t->n - 1)]));
	free(dir);
	return sb_take(&b);
}

static char *
gen_body(struct tree *t, struct rng *r, int link)
{
	int from = t->e[link].parent;
	int to = rnd(r, (unsigned int)t->n);

	switch (rnd(r, 16)) {
	case 0:
	case 1:
	case 2:
	case 3:
	case 4:
		t->e[link].target = to;
		return ref(t, r, from, to);
	case 5:
		return body_into_dir(t, r, from);
	case 6:
		return body_missing(t, r, from);
	case 7:
		return body_file_slash(t, r, from);
	case 8:
		return xstrdup(special_bodies[rnd(r, ARRAY_SIZE(special_bodies))]);
	case 9:
		return body_long(t, r, from);
	case 10:
		return body_name_max(t, r, from);
	case 11:
		to = pick(t, r, K_LINK, 9);
		return ref(t, r, from, to < 0 ? 0 : to);
	case 12:
		return body_dotdot(t, r, from);
	default:
		t->e[link].target = to;
		return decorate(r, ref(t, r, from, to));
	}
}

static void
gen_dirs(struct tree *t, struct rng *r)
{
	char nm[NAME_MAX + 2];
	int n = 5 + (int)rnd(r, 9);

	for (int i = 0; i < n; i++)
		add_named(t, pick(t, r, K_DIR, 3), K_DIR, 'd');
	if (rnd(r, 2))
		add_ent(t, pick(t, r, K_DIR, 3), K_DIR, long_name(nm, 'D', NAME_MAX));
}

static void
gen_files(struct tree *t, struct rng *r)
{
	char nm[NAME_MAX + 2];
	int n = 4 + (int)rnd(r, 9);

	for (int i = 0; i < n; i++)
		add_named(t, pick(t, r, K_DIR, 9), K_FILE, 'f');
	if (rnd(r, 2))
		add_ent(t, pick(t, r, K_DIR, 9), K_FILE, long_name(nm, 'F', NAME_MAX));
}

static void
set_body(struct tree *t, int i, char *body)
{
	free(t->e[i].body);
	if (strlen(body) >= PATH_MAX) {
		/* symlink(2) refuses it; rare (a suffix after a body near PATH_MAX). */
		free(body);
		body = xstrdup("missing");
	}
	t->e[i].body = body;
}

static char *
self_body(struct tree *t, struct rng *r, int s)
{
	struct sb b = {0};

	switch (rnd(r, 4)) {
	case 0:
		return ref(t, r, t->e[s].parent, s);
	case 1:
		sb_add(&b, "./");
		sb_add(&b, ent_name(&t->e[s]));
		break;
	case 2:
		sb_add(&b, ent_name(&t->e[s]));
		sb_add(&b, "/");
		break;
	default:
		sb_add(&b, t->e[s].path);
		sb_add(&b, "/x");
		break;
	}
	return sb_take(&b);
}

/* Loops: a -> b -> a, and a link to itself. */
static void
gen_loops(struct tree *t, struct rng *r)
{
	int a = add_named(t, pick_place(t, r), K_LINK, 'l');
	int b = add_named(t, pick_place(t, r), K_LINK, 'l');
	int s = add_named(t, pick_place(t, r), K_LINK, 'l');

	set_body(t, a, ref(t, r, t->e[a].parent, b));
	set_body(t, b, ref(t, r, t->e[b].parent, a));
	set_body(t, s, self_body(t, r, s));
}

/*
 * A chain c0 -> c1 -> ... -> ck-1 -> a directory or file, 41 to 44 links
 * long: entering it at the right link follows exactly 40 or 41.
 */
static void
gen_chain(struct tree *t, struct rng *r)
{
	int k = 41 + (int)rnd(r, 4), first = t->n, last;

	for (int i = 0; i < k; i++)
		add_named(t, pick_place(t, r), K_LINK, 'c');
	for (int i = first; i + 1 < first + k; i++)
		set_body(t, i, ref(t, r, t->e[i].parent, i + 1));
	last = first + k - 1;
	t->e[last].target = pick(t, r, rnd(r, 4) ? K_DIR : K_FILE, 9);
	if (t->e[last].target < 0)
		t->e[last].target = 0;
	set_body(t, last, ref(t, r, t->e[last].parent, t->e[last].target));
	for (int i = first; i < last; i++)
		t->e[i].target = t->e[last].target;
}

/* vlen() - the length of an entry's canonical path, 0 for the root. */
static size_t
vlen(const struct ent *e)
{
	return e->depth ? strlen(e->path) : 0;
}

/* sized_name() - "<c><serial>" padded with 'x' to @len bytes (cut if longer). */
static const char *
sized_name(char *buf, char c, int serial, size_t len)
{
	size_t n = (size_t)snprintf(buf, NAME_MAX + 2, "%c%d", c, serial);

	if (n < len)
		memset(buf + n, 'x', len - n);
	buf[len] = '\0';
	return buf;
}

/*
 * gen_deep() - a branch of directories named with up to NAME_MAX bytes whose
 * deepest directory has a canonical path of DEEP_MAX (or DEEP_MAX - 1) bytes,
 * holding entries whose canonical path is up to PATH_MAX - 1 bytes long.
 *
 * No directory is made deeper than that, on purpose: the core keeps the
 * canonical path of the walk in PATH_MAX bytes (struct vr_walk, vpath) and
 * answers ENAMETOOLONG for a name whose canonical path would not fit, where
 * the kernel keeps no such path and walks on.  Below a directory of at most
 * DEEP_MAX bytes every name of up to NAME_MAX bytes still fits, so the
 * generated cases stay inside the contract and reach its edge exactly.
 */
#define DEEP_MAX (PATH_MAX - 2 - NAME_MAX)

static void
gen_deep(struct tree *t, struct rng *r)
{
	size_t want = DEEP_MAX - rnd(r, 2);
	char nm[NAME_MAX + 2];
	int d = pick(t, r, K_DIR, 2);

	for (;;) {
		size_t rest = want - vlen(&t->e[d]) - 1;

		if (rest <= NAME_MAX) {
			d = add_ent(t, d, K_DIR, sized_name(nm, 'E', t->serial++, rest));
			break;
		}
		/* Leave at least one byte for the last level. */
		rest = rest == NAME_MAX + 1 ? NAME_MAX - 1 : NAME_MAX;
		d = add_ent(t, d, K_DIR, sized_name(nm, 'E', t->serial++, rest));
	}
	add_ent(t, d, K_FILE, sized_name(nm, 'F', t->serial++, NAME_MAX));
	add_named(t, d, K_FILE, 'g');
	add_ent(t, d, K_LINK, sized_name(nm, 'K', t->serial++, NAME_MAX - 1));
	set_body(t, t->n - 1, ref(t, r, d, (int)rnd(r, (unsigned int)t->n)));
}

/*
 * gen_perms() - a directory without search permission holding a file and a
 * directory, one without read permission holding a file, and a file without
 * any permission.  Only an unprivileged run sees them differ from the rest:
 * root passes every such check, in the kernel and in the core alike.
 */
static void
gen_perms(struct tree *t, struct rng *r)
{
	int s = add_named(t, pick(t, r, K_DIR, 3), K_DIR, 's');
	int w = add_named(t, pick_place(t, r), K_DIR, 'w');

	t->e[s].mode = 0644;
	t->e[w].mode = 0311;
	add_named(t, s, K_FILE, 'f');
	add_named(t, s, K_DIR, 'd');
	add_named(t, w, K_FILE, 'f');
	t->e[add_named(t, pick_place(t, r), K_FILE, 'z')].mode = 0;
}

static void
gen_tree(struct tree *t, struct rng *r)
{
	int first, n = 18 + (int)rnd(r, 16);

	add_ent(t, 0, K_DIR, ""); /* the root, "/" */
	gen_dirs(t, r);
	gen_files(t, r);
	if (rnd(r, 2))
		gen_deep(t, r);
	gen_perms(t, r);
	first = t->n;
	for (int i = 0; i < n; i++)
		add_named(t, pick_place(t, r), K_LINK, 'l');
	gen_loops(t, r);
	gen_chain(t, r);
	for (int i = first; i < first + n; i++)
		set_body(t, i, gen_body(t, r, i));
}

static const char *const kind_names[] = {"dir ", "file", "link"};

static void
show_tree(struct tree *t)
{
	t->shown = 1;
	diag("tree of round %d (round seed 0x%016llx), %d entries:", t->round,
	     (unsigned long long)t->seed, t->n);
	for (int i = 0; i < t->n; i++) {
		const struct ent *e = &t->e[i];
		struct sb b = {0};

		describe(&b, e->path, strlen(e->path));
		if (e->body) {
			sb_add(&b, " -> ");
			describe(&b, e->body, strlen(e->body));
		}
		if (e->mode >= 0)
			diag("  %s %s (mode %04o)", kind_names[e->kind], b.p, (unsigned int)e->mode);
		else
			diag("  %s %s", kind_names[e->kind], b.p);
		free(b.p);
	}
}

static int
make_ent(const struct ent *e, int dirfd)
{
	const char *name = ent_name(e);
	int fd;

	switch (e->kind) {
	case K_DIR:
		return mkdirat(dirfd, name, 0755);
	case K_FILE:
		fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0)
			return -1;
		if (write(fd, e->path, strlen(e->path)) < 0) {
			close(fd);
			return -1;
		}
		return close(fd);
	case K_LINK:
		return symlinkat(e->body, dirfd, name);
	}
	return -1;
}

/*
 * materialize() - create the tree on disk, relative to each parent's
 * descriptor: the deepest host paths are longer than PATH_MAX.
 */
static int
materialize(const struct tree *t)
{
	int fds[MAXENT], err = 0;

	for (int i = 0; i < t->n; i++)
		fds[i] = -1;
	fds[0] = open(t->host, O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (int i = 1; i < t->n && !err; i++) {
		const struct ent *e = &t->e[i];

		err = make_ent(e, fds[e->parent]);
		if (!err && e->kind == K_DIR) {
			fds[i] = openat(fds[e->parent], ent_name(e),
					O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			err = fds[i] < 0;
		}
		if (err)
			diag("creating %.200s: %s", e->path, strerror(errno));
	}
	/* Permissions last, deepest first, so that making the tree is not refused. */
	for (int i = t->n - 1; i > 0 && !err; i--)
		if (t->e[i].mode >= 0)
			err = fchmodat(fds[t->e[i].parent], ent_name(&t->e[i]),
				       (mode_t)t->e[i].mode, 0);
	for (int i = 0; i < t->n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return err ? -1 : 0;
}

/* rm_tree() - remove @name in @dirfd and everything below it. */
static void
rm_tree(int dirfd, const char *name)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd;

	/*
	 * A directory of the tree may lack read or search permission.  Never
	 * chmod a symlink's target: absolute bodies name host paths here.
	 */
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
		fchmodat(dirfd, name, 0700, 0);
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		unlinkat(dirfd, name, 0);
		return;
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			rm_tree(fd, de->d_name);
	closedir(d);
	unlinkat(dirfd, name, AT_REMOVEDIR);
}

/* ---- generated paths ---------------------------------------------------- */

static const char *const special_paths[] = {
	"/", ".", "..", "/..", "//", "///", "./", "../", "/../..", "/./", ".//.", "..//..",
	"/.", "./..", "...", "/...", "//..//.", "../../../../..", "./././.",
};

/* pick_component() - a name for the next component; *cur follows the model. */
static const char *
pick_component(const struct tree *t, struct rng *r, int *cur, char *nm)
{
	unsigned int k = rnd(r, 100);
	int c;

	if (*cur >= 0 && k < 55 && (c = pick_child(t, r, *cur)) >= 0) {
		*cur = t->e[c].kind == K_DIR ? c : t->e[c].kind == K_LINK ? t->e[c].target : -1;
		if (*cur >= 0 && t->e[*cur].kind != K_DIR)
			*cur = -1;
		return ent_name(&t->e[c]);
	}
	if (k < 63)
		return ".";
	if (k < 73) {
		*cur = *cur > 0 ? t->e[*cur].parent : *cur == 0 ? 0 : pick(t, r, K_DIR, 9);
		return "..";
	}
	if (k < 88) {
		c = 1 + (int)rnd(r, (unsigned int)t->n - 1);
		*cur = t->e[c].kind == K_DIR ? c : -1;
		return ent_name(&t->e[c]);
	}
	if (k < 93)
		return "missing";
	if (k < 96)
		return long_name(nm, 'M', NAME_MAX);
	if (k < 98)
		return long_name(nm, 'N', NAME_MAX + 1);
	return "...";
}

static void
add_components(const struct tree *t, struct rng *r, struct sb *b, int cur, int n)
{
	char nm[NAME_MAX + 2];

	for (int i = 0; i < n; i++) {
		if (b->len && b->p[b->len - 1] != '/')
			sb_add(b, seps[rnd(r, ARRAY_SIZE(seps))]);
		sb_add(b, pick_component(t, r, &cur, nm));
	}
}

/* walk_path() - components chosen by walking the model from the root or @from. */
static char *
walk_path(const struct tree *t, struct rng *r, int from)
{
	struct sb b = {0};
	int abs = rnd(r, 5) < 2;

	if (abs)
		sb_add(&b, rnd(r, 4) ? "/" : "//");
	add_components(t, r, &b, abs ? 0 : from, 1 + (int)rnd(r, 6));
	return sb_take(&b);
}

/* entry_path() - the path of an entry of the tree, maybe with more after it. */
static char *
entry_path(const struct tree *t, struct rng *r, int from)
{
	int e = (int)rnd(r, (unsigned int)t->n);
	struct sb b = {0};
	char *s;

	if (rnd(r, 2))
		sb_add(&b, t->e[e].path);
	else
		rel_path(&b, t->e[from].path, t->e[e].path);
	s = sb_take(&b);
	if (rnd(r, 5) < 2)
		s = decorate(r, s);
	if (rnd(r, 4) == 0) {
		sb_add(&b, s);
		free(s);
		add_components(t, r, &b, t->e[e].kind == K_DIR ? e : -1, 1 + (int)rnd(r, 2));
		s = sb_take(&b);
	}
	return s;
}

/* long_path() - a path of PATH_MAX give or take a few bytes, or of 2000..4200. */
static char *
long_path(const struct tree *t, struct rng *r, int from)
{
	static const size_t lens[] = {PATH_MAX - 3, PATH_MAX - 2, PATH_MAX - 1, PATH_MAX,
				      PATH_MAX + 1};
	char *tail = rnd(r, 2) ? entry_path(t, r, from) : walk_path(t, r, from);
	size_t want = rnd(r, 4) ? lens[rnd(r, ARRAY_SIZE(lens))] : 2000 + rnd(r, 2200);
	int dir = pick_child(t, r, tail[0] == '/' ? 0 : from);
	struct sb unit = {0};
	char *s;

	switch (rnd(r, 3)) {
	case 0:
		sb_add(&unit, "/");
		break;
	case 1:
		sb_add(&unit, "./");
		break;
	default:
		/* "name/../": every ".." re-walks its parent in the core. */
		sb_add(&unit, dir >= 0 ? ent_name(&t->e[dir]) : ".");
		sb_add(&unit, "/../");
		break;
	}
	s = pad_to(tail, want, unit.p);
	free(unit.p);
	free(tail);
	return s;
}

static char *
trail(struct rng *r, char *s)
{
	static const char *const tails[] = {"/", "/", "/", "/", "//", "/.", "/..", "/./"};
	struct sb b = {0};

	if (!s[0] || rnd(r, 5))
		return s;
	sb_add(&b, s);
	sb_add(&b, tails[rnd(r, ARRAY_SIZE(tails))]);
	free(s);
	return sb_take(&b);
}

static char *
gen_path(const struct tree *t, struct rng *r, int from)
{
	unsigned int k = rnd(r, 100);

	if (k < 2)
		return xstrdup("");
	if (k < 8)
		return xstrdup(special_paths[rnd(r, ARRAY_SIZE(special_paths))]);
	if (k < 13)
		return long_path(t, r, from);
	if (k < 50)
		return trail(r, entry_path(t, r, from));
	return trail(r, walk_path(t, r, from));
}

/* ---- operations and answers ---------------------------------------------- */

enum opkind { OP_STAT, OP_REALPATH, OP_READLINK, OP_OPEN, OP_CHDIR, OP_OPEN2 };

struct op {
	enum opkind kind;
	int flags;
	const char *name;
	unsigned long long resolve; /* OP_OPEN2: RESOLVE_* */
};

#define R_BENEATH RESOLVE_BENEATH
#define R_IN_ROOT RESOLVE_IN_ROOT
#define R_NOSYM   RESOLVE_NO_SYMLINKS
#define R_NOMAGIC RESOLVE_NO_MAGICLINKS
#define R_NOXDEV  RESOLVE_NO_XDEV
#define R_SCOPED  (RESOLVE_BENEATH | RESOLVE_IN_ROOT)

/* Operations whose flags hold AT_EMPTY_PATH run for "" and one path in ten. */
static const struct op ops[] = {
	{OP_STAT, 0, "fstatat(0)", 0},
	{OP_STAT, AT_SYMLINK_NOFOLLOW, "fstatat(AT_SYMLINK_NOFOLLOW)", 0},
	{OP_STAT, AT_EMPTY_PATH, "fstatat(AT_EMPTY_PATH)", 0},
	{OP_STAT, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, "fstatat(AT_EMPTY_PATH|AT_SYMLINK_NOFOLLOW)",
	 0},
	{OP_REALPATH, 0, "realpath(0)", 0},
	{OP_REALPATH, AT_SYMLINK_NOFOLLOW, "realpath(AT_SYMLINK_NOFOLLOW)", 0},
	{OP_REALPATH, AT_EMPTY_PATH, "realpath(AT_EMPTY_PATH)", 0},
	{OP_READLINK, 0, "readlinkat", 0},
	{OP_OPEN, O_RDONLY, "openat(O_RDONLY)", 0},
	{OP_OPEN, O_RDONLY | O_DIRECTORY, "openat(O_RDONLY|O_DIRECTORY)", 0},
	{OP_OPEN, O_RDONLY | O_NOFOLLOW, "openat(O_RDONLY|O_NOFOLLOW)", 0},
	{OP_OPEN, O_PATH | O_NOFOLLOW, "openat(O_PATH|O_NOFOLLOW)", 0},
	{OP_OPEN, O_PATH | O_NOFOLLOW | O_DIRECTORY, "openat(O_PATH|O_NOFOLLOW|O_DIRECTORY)", 0},
	{OP_CHDIR, 0, "chdir+getcwd", 0},
	{OP_OPEN2, O_PATH, "openat2(O_PATH, BENEATH)", R_BENEATH},
	{OP_OPEN2, O_RDONLY, "openat2(O_RDONLY, BENEATH)", R_BENEATH},
	{OP_OPEN2, O_PATH | O_NOFOLLOW, "openat2(O_PATH|O_NOFOLLOW, BENEATH|NO_SYMLINKS)",
	 R_BENEATH | R_NOSYM},
	{OP_OPEN2, O_PATH | O_DIRECTORY, "openat2(O_PATH|O_DIRECTORY, BENEATH|NO_XDEV)",
	 R_BENEATH | R_NOXDEV},
	{OP_OPEN2, O_PATH, "openat2(O_PATH, IN_ROOT)", R_IN_ROOT},
	{OP_OPEN2, O_RDONLY | O_NOFOLLOW, "openat2(O_RDONLY|O_NOFOLLOW, IN_ROOT|NO_MAGICLINKS)",
	 R_IN_ROOT | R_NOMAGIC},
	{OP_OPEN2, O_PATH, "openat2(O_PATH, IN_ROOT|NO_SYMLINKS)", R_IN_ROOT | R_NOSYM},
	{OP_OPEN2, O_PATH, "openat2(O_PATH, IN_ROOT|NO_XDEV)", R_IN_ROOT | R_NOXDEV},
	{OP_OPEN2, O_PATH, "openat2(O_PATH, NO_SYMLINKS)", R_NOSYM},
	{OP_OPEN2, O_PATH | O_NOFOLLOW, "openat2(O_PATH|O_NOFOLLOW, NO_SYMLINKS)", R_NOSYM},
	{OP_OPEN2, O_RDONLY, "openat2(O_RDONLY, NO_XDEV)", R_NOXDEV},
	{OP_OPEN2, O_PATH, "openat2(O_PATH, NO_XDEV|NO_MAGICLINKS)", R_NOXDEV | R_NOMAGIC},
};

#define NOPS ARRAY_SIZE(ops)

struct answer {
	long ret;     /* >= 0, or -errno */
	int obj;      /* dev, ino, mode (and fl for opens) are set */
	dev_t dev;
	ino_t ino;
	mode_t mode;
	int fl;       /* F_GETFL & (O_ACCMODE | O_PATH) of an opened descriptor */
	int text;     /* s is set: a canonical path, a link body or a cwd */
	char s[PATH_MAX + 64];
};

static void
ans_reset(struct answer *a)
{
	a->ret = 0;
	a->obj = 0;
	a->text = 0;
	a->fl = 0;
	a->s[0] = '\0';
}

static void
ans_stat(struct answer *a, const struct stat *st)
{
	a->obj = 1;
	a->dev = st->st_dev;
	a->ino = st->st_ino;
	a->mode = st->st_mode;
}

/* ans_fd() - what an opened descriptor is; closes it. */
static void
ans_fd(struct answer *a, int fd)
{
	struct stat st;

	a->ret = fstat(fd, &st) < 0 ? -errno : 0;
	if (a->ret == 0) {
		ans_stat(a, &st);
		a->fl = fcntl(fd, F_GETFL) & (O_ACCMODE | O_PATH);
	}
	close(fd);
}

/* ans_vpath() - the virtual path of descriptor @fd from its host path; closes it. */
static void
ans_vpath(struct answer *a, const struct tree *t, int fd)
{
	char proc[64], host[PATH_MAX + 64];
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, host, sizeof(host) - 1);
	a->ret = n < 0 ? -errno : 0;
	close(fd);
	/*
	 * The magic link's text is limited to a page: the host path of the
	 * deepest entries (the tree's host directory + up to PATH_MAX - 1 bytes)
	 * does not fit, and the kernel cannot tell this oracle the answer.
	 */
	if (a->ret == -ENAMETOOLONG)
		a->ret = NOT_ASKED;
	if (n < 0)
		return;
	host[n] = '\0';
	a->text = 1;
	if (strncmp(host, t->host, t->hostlen) != 0 ||
	    (host[t->hostlen] != '/' && host[t->hostlen] != '\0'))
		snprintf(a->s, sizeof(a->s), "(outside the tree) %.*s", PATH_MAX, host);
	else if (host[t->hostlen])
		memcpy(a->s, host + t->hostlen, (size_t)n - t->hostlen + 1);
	else
		strcpy(a->s, "/");
}

static int
ans_equal(const struct answer *a, const struct answer *b)
{
	if (a->ret != b->ret || a->obj != b->obj || a->text != b->text)
		return 0;
	if (a->obj && (a->dev != b->dev || a->ino != b->ino || a->mode != b->mode || a->fl != b->fl))
		return 0;
	return !a->text || strcmp(a->s, b->s) == 0;
}

static void
ans_format(struct sb *b, const struct answer *a)
{
	if (a->ret < 0) {
		const char *name = strerrorname_np((int)-a->ret);

		sb_addf(b, "-%s (%ld)", name ? name : "?", a->ret);
		return;
	}
	sb_addf(b, "%ld", a->ret);
	if (a->obj)
		sb_addf(b, " dev=%#lx ino=%lu mode=0%o", (unsigned long)a->dev,
			(unsigned long)a->ino, (unsigned int)a->mode);
	if (a->obj && a->fl)
		sb_addf(b, " fl=0%o", (unsigned int)a->fl);
	if (a->text) {
		sb_add(b, " ");
		describe(b, a->s, strlen(a->s));
	}
}

/* ---- the core's answers ---------------------------------------------------- */

static void
core_chdir(struct vr_task *t, const char *path, struct answer *a)
{
	struct vr_task *t2;
	long n;

	a->ret = vr_task_dup(t, &t2);
	if (a->ret < 0)
		return;
	a->ret = vr_chdir(t2, path);
	if (a->ret == 0) {
		n = vr_getcwd(t2, a->s, sizeof(a->s));
		a->ret = n < 0 ? n : 0;
		a->text = n >= 0;
	}
	vr_task_free(t2);
}

static void
core_answer(struct vr_task *t, int dirfd, const struct op *op, const char *path, struct answer *a)
{
	struct stat st;
	long n;

	ans_reset(a);
	switch (op->kind) {
	case OP_STAT:
		a->ret = vr_fstatat(t, dirfd, path, &st, op->flags);
		if (a->ret == 0)
			ans_stat(a, &st);
		break;
	case OP_REALPATH:
		n = vr_realpath(t, dirfd, path, op->flags, a->s, sizeof(a->s));
		a->ret = n < 0 ? n : 0;
		a->text = n >= 0;
		break;
	case OP_READLINK:
		n = vr_readlinkat(t, dirfd, path, a->s, PATH_MAX);
		a->ret = n;
		a->text = n >= 0;
		if (n >= 0)
			a->s[n] = '\0';
		break;
	case OP_OPEN:
		n = vr_openat(t, dirfd, path, op->flags | O_CLOEXEC, 0);
		a->ret = n < 0 ? n : 0;
		if (n >= 0)
			ans_fd(a, (int)n);
		break;
	case OP_CHDIR:
		core_chdir(t, path, a);
		break;
	case OP_OPEN2: {
		struct open_how how = {.flags = (uint64_t)(op->flags | O_CLOEXEC),
				       .resolve = op->resolve};

		n = vr_openat2(t, dirfd, path, &how, sizeof(how));
		a->ret = n < 0 ? n : 0;
		if (n >= 0)
			ans_fd(a, (int)n);
		break;
	}
	}
}

/* ---- oracle 1: openat2(RESOLVE_IN_ROOT) ------------------------------------ */

struct o1 {
	int rootfd;           /* the tree's root */
	int basefd;           /* the base directory, for AT_EMPTY_PATH */
	char canon[PATH_MAX]; /* the base's canonical path, "/" for the root */
};

/*
 * o1_open_at() - openat2 from @dirfd.  A scoped lookup that meets ".."
 * answers EAGAIN when any rename or mount happened anywhere on the system
 * during the walk (fs/namei.c, LOOKUP_IS_SCOPED): that is a retry, not an
 * answer, so ask again.
 */
static long
o1_open_at(int dirfd, const char *path, int flags, unsigned long long resolve)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = resolve,
	};
	long fd = -1;

	for (int i = 0; i < 1000; i++) {
		fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	return fd < 0 ? -errno : fd;
}

/* o1_open() - openat2 in the tree's root, as a chroot resolves. */
static long
o1_open(const struct o1 *o, const char *path, int flags)
{
	return o1_open_at(o->rootfd, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

/*
 * o1_map() - the string openat2(rootfd, RESOLVE_IN_ROOT) resolves as the
 * kernel resolves @path from the base.  A relative path from a directory
 * whose canonical path is C is resolved exactly as "C/path" from the root:
 * C holds only real directories, so ".." walks back up the same way.  Only
 * the length differs: when "C/path" reaches PATH_MAX but @path does not, the
 * kernel would give ENAMETOOLONG for a reason the real call does not have,
 * so that case is not asked (NULL).  "" and paths of PATH_MAX or more are
 * passed as they are: their answer does not depend on the base.
 */
static const char *
o1_map(const struct o1 *o, const char *path, char *buf)
{
	size_t cl = strlen(o->canon), pl = strlen(path);

	if (path[0] == '/' || pl == 0 || pl >= PATH_MAX || strcmp(o->canon, "/") == 0)
		return path;
	if (cl + 1 + pl >= PATH_MAX)
		return NULL;
	memcpy(buf, o->canon, cl);
	buf[cl] = '/';
	memcpy(buf + cl + 1, path, pl + 1);
	return buf;
}

/* o1_obj() - an O_PATH descriptor of what @path names, as fstatat would find it. */
static long
o1_obj(const struct o1 *o, const char *path, int at_flags, int oflags)
{
	char buf[PATH_MAX];
	const char *p;
	long fd;

	if ((at_flags & AT_EMPTY_PATH) && !path[0]) {
		fd = fcntl(o->basefd, F_DUPFD_CLOEXEC, 0);
		return fd < 0 ? -errno : fd;
	}
	p = o1_map(o, path, buf);
	if (!p)
		return NOT_ASKED;
	if (at_flags & AT_SYMLINK_NOFOLLOW)
		oflags |= O_NOFOLLOW;
	return o1_open(o, p, O_PATH | oflags);
}

/*
 * o1_readlink() - readlinkat(2) is a lookup without following the final
 * link (LOOKUP_EMPTY), then EINVAL for what is not a link ("" names the base
 * and answers ENOENT).
 */
static void
o1_readlink(const struct o1 *o, const char *path, struct answer *a)
{
	struct stat st;
	long fd = o1_obj(o, path, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, 0);
	ssize_t n;

	a->ret = fd;
	if (fd < 0)
		return;
	if (fstat((int)fd, &st) < 0 || !S_ISLNK(st.st_mode)) {
		a->ret = path[0] ? -EINVAL : -ENOENT;
		close((int)fd);
		return;
	}
	n = readlinkat((int)fd, "", a->s, PATH_MAX);
	a->ret = n < 0 ? -errno : n;
	a->text = n >= 0;
	if (n >= 0)
		a->s[n] = '\0';
	close((int)fd);
}

/* o1_chdir() - chdir(2) is a following lookup of a directory, then MAY_EXEC. */
static void
o1_chdir(const struct o1 *o, const struct tree *t, const char *path, struct answer *a)
{
	long fd = o1_obj(o, path, 0, O_DIRECTORY);

	a->ret = fd;
	if (fd < 0)
		return;
	if (faccessat((int)fd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS) < 0) {
		a->ret = -errno;
		close((int)fd);
		return;
	}
	ans_vpath(a, t, (int)fd);
}

static void
o1_answer(const struct o1 *o, const struct tree *t, const struct op *op, const char *path,
	  struct answer *a)
{
	char buf[PATH_MAX];
	const char *p;
	struct stat st;
	long fd;

	ans_reset(a);
	switch (op->kind) {
	case OP_STAT:
		a->ret = fd = o1_obj(o, path, op->flags, 0);
		if (fd < 0)
			return;
		a->ret = fstat((int)fd, &st) < 0 ? -errno : 0;
		if (a->ret == 0)
			ans_stat(a, &st);
		close((int)fd);
		return;
	case OP_REALPATH:
		a->ret = fd = o1_obj(o, path, op->flags, 0);
		if (fd >= 0)
			ans_vpath(a, t, (int)fd);
		return;
	case OP_READLINK:
		o1_readlink(o, path, a);
		return;
	case OP_OPEN:
		p = o1_map(o, path, buf);
		a->ret = fd = p ? o1_open(o, p, op->flags) : NOT_ASKED;
		if (fd >= 0)
			ans_fd(a, (int)fd);
		return;
	case OP_CHDIR:
		o1_chdir(o, t, path, a);
		return;
	case OP_OPEN2:
		/*
		 * A scoped rule's root is the base; the others' the tree's root.
		 * NO_XDEV unscoped with a relative path is not asked: the kernel
		 * then has no root yet and calls any absolute symlink met before
		 * a ".." a crossing, which RESOLVE_IN_ROOT here would not.
		 */
		if (op->resolve & R_SCOPED)
			fd = o1_open_at(o->basefd, path, op->flags, op->resolve);
		else if ((op->resolve & R_NOXDEV) && path[0] != '/')
			fd = NOT_ASKED;
		else if ((p = o1_map(o, path, buf)))
			fd = o1_open_at(o->rootfd, p, op->flags, op->resolve | RESOLVE_IN_ROOT);
		else
			fd = NOT_ASKED;
		a->ret = fd;
		if (fd >= 0)
			ans_fd(a, (int)fd);
		return;
	}
}

/* ---- oracle 2: a child in chroot(tree) ------------------------------------- */

enum qkind { Q_STAT, Q_OPEN, Q_READLINK, Q_CHDIR, Q_SETCWD, Q_SETDIRFD, Q_OPEN2 };

struct query {
	int kind;
	int flags;
	unsigned long long resolve; /* Q_OPEN2 */
	int empty; /* Q_OPEN: "" names the base (AT_EMPTY_PATH) */
	char path[LONGPATH];
};

struct reply {
	long ret;
	int obj;
	struct stat st;
	char s[PATH_MAX + 64];
};

struct o2 {
	pid_t pid;
	int sock;
};

static void
child_chdir(const struct query *q, struct reply *rp)
{
	int here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);

	rp->ret = chdir(q->path) < 0 ? -errno : 0;
	if (rp->ret == 0)
		rp->ret = getcwd(rp->s, sizeof(rp->s)) ? 0 : -errno;
	if (here >= 0 && fchdir(here) < 0)
		_exit(3);
	close(here);
}

/* child_base() - the base for what follows: a cwd, or a directory descriptor. */
static void
child_base(const struct query *q, struct reply *rp, int *dfd)
{
	if (*dfd >= 0)
		close(*dfd);
	*dfd = AT_FDCWD;
	if (chdir("/") < 0)
		_exit(3);
	if (q->kind == Q_SETCWD) {
		rp->ret = chdir(q->path) < 0 ? -errno : 0;
		return;
	}
	*dfd = open(q->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	rp->ret = *dfd < 0 ? -errno : 0;
	if (*dfd < 0)
		*dfd = AT_FDCWD;
}

/* child_do() - answer @q; Return: a descriptor to pass back, or -1. */
static int
child_do(const struct query *q, struct reply *rp, int *dfd)
{
	ssize_t n;
	int fd = -1;

	switch (q->kind) {
	case Q_STAT:
		rp->ret = fstatat(*dfd, q->path, &rp->st, q->flags) < 0 ? -errno : 0;
		rp->obj = rp->ret == 0;
		break;
	case Q_OPEN:
		if (q->empty && !q->path[0])
			fd = openat(*dfd, ".", O_PATH | O_CLOEXEC);
		else
			fd = openat(*dfd, q->path, q->flags | O_CLOEXEC);
		rp->ret = fd < 0 ? -errno : 0;
		break;
	case Q_OPEN2:
		fd = (int)o1_open_at(*dfd, q->path, q->flags, q->resolve);
		rp->ret = fd < 0 ? fd : 0;
		break;
	case Q_READLINK:
		n = readlinkat(*dfd, q->path, rp->s, PATH_MAX);
		rp->ret = n < 0 ? -errno : n;
		if (n >= 0)
			rp->s[n] = '\0';
		break;
	case Q_CHDIR:
		child_chdir(q, rp);
		break;
	case Q_SETCWD:
	case Q_SETDIRFD:
		child_base(q, rp, dfd);
		break;
	}
	return fd;
}

static int
send_reply(int sock, const struct reply *rp, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cm;
	struct iovec iov = {(void *)rp, sizeof(*rp)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *c;

	if (fd >= 0) {
		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

static void __attribute__((noreturn))
child_serve(int sock, const char *root)
{
	static struct query q;
	static struct reply rp;
	int dfd = AT_FDCWD;

	memset(&rp, 0, sizeof(rp));
	rp.ret = chroot(root) < 0 || chdir("/") < 0 ? -errno : 0;
	if (send_reply(sock, &rp, -1) < 0 || rp.ret < 0)
		_exit(0);
	for (;;) {
		ssize_t n = recv(sock, &q, sizeof(q) - 1, 0);
		int fd;

		if (n <= (ssize_t)offsetof(struct query, path))
			_exit(0);
		((char *)&q)[n] = '\0';
		memset(&rp, 0, offsetof(struct reply, s));
		rp.s[0] = '\0';
		fd = child_do(&q, &rp, &dfd);
		if (send_reply(sock, &rp, fd) < 0)
			_exit(0);
		if (fd >= 0)
			close(fd);
	}
}

/* o2_ask() - send @q, wait for the reply and a descriptor (*fd, or -1). */
static int
o2_ask(const struct o2 *o, const struct query *q, struct reply *rp, int *fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cm;
	size_t len = offsetof(struct query, path) + strlen(q->path) + 1;
	struct iovec iov = {rp, sizeof(*rp)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *c;

	*fd = -1;
	if (send(o->sock, q, len, MSG_NOSIGNAL) != (ssize_t)len)
		return -1;
	mh.msg_control = cm.buf;
	mh.msg_controllen = sizeof(cm.buf);
	if (recvmsg(o->sock, &mh, MSG_CMSG_CLOEXEC) < (ssize_t)offsetof(struct reply, s))
		return -1;
	c = CMSG_FIRSTHDR(&mh);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(c), sizeof(int));
	return 0;
}

/* o2_start() - fork the chroot child.  Return: 0, or -errno of its chroot. */
static long
o2_start(struct o2 *o, const char *root)
{
	struct reply *rp = malloc(sizeof(*rp));
	int sv[2];
	long ret;

	if (!rp)
		abort();
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		free(rp);
		return -errno;
	}
	fflush(stdout);
	o->pid = fork();
	if (o->pid == 0) {
		close(sv[0]);
		child_serve(sv[1], root);
	}
	close(sv[1]);
	o->sock = sv[0];
	ret = o->pid < 0 ? -errno : 0;
	if (ret == 0)
		ret = recv(o->sock, rp, sizeof(*rp), 0) < (ssize_t)sizeof(long) ? -EPIPE : rp->ret;
	free(rp);
	return ret;
}

static void
o2_stop(struct o2 *o)
{
	if (o->sock >= 0)
		close(o->sock);
	if (o->pid > 0)
		waitpid(o->pid, NULL, 0);
	o->sock = -1;
	o->pid = -1;
}

/* o2_call() - ask the child; Return: 0, or -1 when the child is gone. */
static int
o2_call(const struct o2 *o, int kind, int flags, int empty, const char *path, struct reply *rp,
	int *fd)
{
	static struct query q;

	q.kind = kind;
	q.flags = flags;
	q.resolve = 0;
	q.empty = empty;
	if (strlen(path) >= sizeof(q.path))
		abort();
	strcpy(q.path, path);
	return o2_ask(o, &q, rp, fd);
}

/* o2_call2() - ask the child for openat2 with @op's flags and rules. */
static int
o2_call2(const struct o2 *o, const struct op *op, const char *path, struct reply *rp, int *fd)
{
	static struct query q;

	q.kind = Q_OPEN2;
	q.flags = op->flags;
	q.resolve = op->resolve;
	q.empty = 0;
	if (strlen(path) >= sizeof(q.path))
		abort();
	strcpy(q.path, path);
	return o2_ask(o, &q, rp, fd);
}

static int
o2_answer(const struct o2 *o, const struct tree *t, const struct op *op, const char *path,
	  struct answer *a)
{
	static struct reply rp;
	int fd, err = 0;

	ans_reset(a);
	switch (op->kind) {
	case OP_STAT:
		err = o2_call(o, Q_STAT, op->flags, 0, path, &rp, &fd);
		if (rp.obj)
			ans_stat(a, &rp.st);
		break;
	case OP_REALPATH:
		err = o2_call(o, Q_OPEN, O_PATH | (op->flags & AT_SYMLINK_NOFOLLOW ? O_NOFOLLOW : 0),
			      !!(op->flags & AT_EMPTY_PATH), path, &rp, &fd);
		if (fd >= 0)
			ans_vpath(a, t, fd);
		break;
	case OP_READLINK:
		err = o2_call(o, Q_READLINK, 0, 0, path, &rp, &fd);
		a->text = rp.ret >= 0;
		break;
	case OP_OPEN:
		err = o2_call(o, Q_OPEN, op->flags, 0, path, &rp, &fd);
		if (fd >= 0)
			ans_fd(a, fd);
		break;
	case OP_CHDIR:
		err = o2_call(o, Q_CHDIR, 0, 0, path, &rp, &fd);
		a->text = rp.ret >= 0;
		break;
	case OP_OPEN2:
		err = o2_call2(o, op, path, &rp, &fd);
		if (fd >= 0)
			ans_fd(a, fd);
		break;
	}
	if (err < 0)
		return -1;
	if (a->ret == 0)
		a->ret = rp.ret;
	if (a->text && (op->kind == OP_READLINK || op->kind == OP_CHDIR))
		memcpy(a->s, rp.s, sizeof(rp.s));
	return 0;
}

/* ---- running the comparison ---------------------------------------------- */

struct oracle {
	const char *name;
	int up;
	char why[200];
	long cases[NOPS];
	long bad[NOPS];
	long not_asked;
	long answers[256]; /* by errno; [0] success */
};

struct base {
	int dirfd;            /* the core's: AT_FDCWD, or a descriptor from vr_openat() */
	const char *how;      /* "cwd" or "dirfd" */
	char *arg;            /* the path given to vr_chdir() / vr_openat() from "/" */
	int ent;              /* the directory paths are generated from */
};

struct ctx {
	uint64_t seed;
	int rounds;
	char tmp[PATH_MAX];
	struct tree tree;
	struct vr_ns *ns;
	struct vr_task *task;
	struct oracle or1, or2;
	struct o1 o1;
	struct o2 o2;
	const struct base *base;
	long disagreements;
	long npaths; /* paths asked so far: openat2's rules take turns on them */
	int printed;
	int keep; /* VR_DIFF_KEEP: leave the trees on disk for a closer look */
};

static void
diag_str(const char *label, const char *str)
{
	struct sb b = {0};

	describe(&b, str, strlen(str));
	diag("  %s%s", label, b.p);
	free(b.p);
}

static void
diag_answer(const char *label, const struct answer *a)
{
	struct sb b = {0};

	ans_format(&b, a);
	diag("  %s%s", label, b.p);
	free(b.p);
}

/*
 * report() - print a disagreement in full: the first MAXPRINT of a run, at
 * most two per path (the other operations on it usually disagree alike).
 */
static void
report(struct ctx *c, const struct oracle *or, const struct op *op, const char *path,
       const struct answer *core, const struct answer *kern)
{
	static char last[LONGPATH];
	static int same;
	char label[128];

	c->disagreements++;
	same = strcmp(last, path) ? 0 : same + 1;
	snprintf(last, sizeof(last), "%s", path);
	if (c->printed >= MAXPRINT || same >= 2)
		return;
	c->printed++;
	if (!c->tree.shown)
		show_tree(&c->tree);
	diag("disagreement: oracle %s, seed 0x%016llx, round %d (round seed 0x%016llx)", or->name,
	     (unsigned long long)c->seed, c->tree.round, (unsigned long long)c->tree.seed);
	snprintf(label, sizeof(label), "base: %s from \"/\": ", c->base->how);
	diag_str(label, c->base->arg);
	snprintf(label, sizeof(label), "%s, path of %zu bytes: ", op->name, strlen(path));
	diag_str(label, path);
	diag_answer("core:   ", core);
	diag_answer("kernel: ", kern);
}

/* ask() - oracle @or's answer.  Return: 0, or -1 when the chroot child is gone. */
static int
ask(struct ctx *c, struct oracle *or, const struct op *op, const char *path, struct answer *a)
{
	if (or == &c->or1) {
		o1_answer(&c->o1, &c->tree, op, path, a);
		return 0;
	}
	if (o2_answer(&c->o2, &c->tree, op, path, a) == 0)
		return 0;
	or->up = 0;
	ok(0, "chroot oracle: the child answers (round %d)", c->tree.round);
	return -1;
}

/*
 * check() - compare the core's answer with oracle @or's.
 *
 * An ELOOP from the kernel that the core does not give is asked again: the
 * kernel counts the links of a lookup across its lockless attempt and the
 * locked retry that follows when the lockless one fails (fs/namei.c sets
 * total_link_count in __set_nameidata(), once per lookup, not in
 * path_init()).  When activity elsewhere on the system makes the lockless
 * walk fail (-ECHILD) after it followed some links, a path that needs 21 to
 * 40 links can answer ELOOP.  A real ELOOP stays ELOOP when asked again.
 */
static void
check(struct ctx *c, struct oracle *or, size_t i, const char *path, const struct answer *core)
{
	static struct answer kern;

	if (ask(c, or, &ops[i], path, &kern) < 0)
		return;
	for (int n = 0; n < 5 && kern.ret == -ELOOP && !ans_equal(core, &kern); n++)
		if (ask(c, or, &ops[i], path, &kern) < 0)
			return;
	if (kern.ret == NOT_ASKED) {
		or->not_asked++;
		return;
	}
	or->cases[i]++;
	or->answers[kern.ret < 0 && kern.ret > -256 ? -kern.ret : 0]++;
	if (!ans_equal(core, &kern)) {
		or->bad[i]++;
		report(c, or, &ops[i], path, core, &kern);
	}
}

static void
one_path(struct ctx *c, const char *path, int with_empty)
{
	static struct answer core;

	c->npaths++;
	for (size_t i = 0; i < NOPS; i++) {
		if ((ops[i].flags & AT_EMPTY_PATH) && !with_empty)
			continue;
		/* Each path is asked half the openat2 rules, to keep the run short. */
		if (ops[i].kind == OP_OPEN2 && (c->npaths + (long)i) % 2)
			continue;
		if (ops[i].kind == OP_CHDIR && c->base->dirfd != AT_FDCWD)
			continue;
		core_answer(c->task, c->base->dirfd, &ops[i], path, &core);
		if (c->or1.up)
			check(c, &c->or1, i, path, &core);
		if (c->or2.up)
			check(c, &c->or2, i, path, &core);
	}
}

/* pick_base_arg() - a directory for a base, and a path to it from "/". */
static char *
pick_base_arg(struct tree *t, struct rng *r, int *ent)
{
	int links[MAXENT], n = 0;
	struct sb b = {0};

	for (int i = 0; i < t->n; i++)
		if (t->e[i].kind == K_LINK && t->e[i].target >= 0 &&
		    t->e[t->e[i].target].kind == K_DIR)
			links[n++] = i;
	if (n && rnd(r, 3) == 0) {
		int l = links[rnd(r, (unsigned int)n)];

		*ent = t->e[l].target;
		sb_add(&b, t->e[l].path);
		sb_add(&b, rnd(r, 2) ? "/" : "");
		return sb_take(&b);
	}
	*ent = pick(t, r, K_DIR, rnd(r, 4) ? 9 : INT_MAX);
	if (rnd(r, 2))
		return decorate(r, xstrdup(t->e[*ent].path));
	rel_path(&b, "/", t->e[*ent].path);
	return sb_take(&b);
}

/*
 * base_canon() - oracle 1's view of the base: its descriptor and canonical
 * path.  A working directory also needs search permission, as chdir(2) does.
 */
static long
base_canon(struct ctx *c, const struct base *b)
{
	static struct answer a;
	long fd;

	strcpy(c->o1.canon, "/");
	fd = o1_open(&c->o1, b->arg, O_PATH | O_DIRECTORY);
	if (fd < 0)
		return fd;
	c->o1.basefd = (int)fd;
	if (!strcmp(b->how, "cwd") && faccessat((int)fd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS) < 0)
		return -errno;
	ans_reset(&a);
	ans_vpath(&a, &c->tree, (int)fcntl((int)fd, F_DUPFD_CLOEXEC, 0));
	if (a.ret == 0)
		snprintf(c->o1.canon, sizeof(c->o1.canon), "%s", a.s);
	return a.ret;
}

/* core_base() - put the core at the base.  Return: 0 or -errno. */
static long
core_base(struct ctx *c, struct base *b)
{
	long ret = vr_chdir(c->task, "/");

	if (ret < 0)
		return ret;
	if (!strcmp(b->how, "cwd"))
		return vr_chdir(c->task, b->arg);
	ret = vr_openat(c->task, AT_FDCWD, b->arg, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	if (ret >= 0)
		b->dirfd = (int)ret;
	return ret < 0 ? ret : 0;
}

/* oracle_bases() - put both oracles at the base; Return: the answers agreed. */
static int
oracle_bases(struct ctx *c, const struct base *b, long core)
{
	static struct reply rp;
	long k1 = core, k2 = core;
	int fd = -1;

	if (c->or1.up)
		k1 = base_canon(c, b);
	if (c->or2.up) {
		if (o2_call(&c->o2, strcmp(b->how, "cwd") ? Q_SETDIRFD : Q_SETCWD, 0, 0, b->arg, &rp,
			    &fd) < 0)
			rp.ret = -EPIPE;
		k2 = rp.ret;
	}
	if (k1 == core && k2 == core)
		return 1;
	ok(0, "round %d: base %s \"%s\": core %ld, openat2 %ld, chroot %ld", c->tree.round, b->how,
	   b->arg, core, k1, k2);
	return 0;
}

static void
run_base(struct ctx *c, struct rng *r, struct base *b)
{
	long core;

	b->dirfd = AT_FDCWD;
	c->base = b;
	c->o1.basefd = -1;
	core = core_base(c, b);
	if (oracle_bases(c, b, core) && core == 0) {
		for (int i = 0; i < PATHS; i++) {
			char *p = gen_path(&c->tree, r, b->ent);

			one_path(c, p, !p[0] || rnd(r, 10) == 0);
			free(p);
		}
	}
	if (b->dirfd >= 0)
		close(b->dirfd);
	if (c->o1.basefd >= 0)
		close(c->o1.basefd);
}

static uint64_t
round_seed(uint64_t seed, int round)
{
	struct rng r = {seed ^ (0x5851f42d4c957f2dULL * (uint64_t)(round + 1))};

	return rng_next(&r);
}

/* setup_round() - make the tree, the namespace and the oracles; 0 or -1. */
static int
setup_round(struct ctx *c, struct rng *r)
{
	struct tree *t = &c->tree;
	const char *lowers[1];
	struct vr_ns_spec spec = {0};
	char dir[PATH_MAX + 16];
	long err;

	gen_tree(t, r);
	snprintf(dir, sizeof(dir), "%s/r%d", c->tmp, t->round);
	if (mkdir(dir, 0755) < 0 || !realpath(dir, t->host)) {
		ok(0, "round %d: tree directory %s: %s", t->round, dir, strerror(errno));
		return -1;
	}
	t->hostlen = strlen(t->host);
	if (!ok(materialize(t) == 0, "round %d: tree made on disk", t->round))
		return -1;
	lowers[0] = t->host;
	spec.lowers = lowers;
	spec.nlowers = 1;
	err = vr_ns_new(&spec, &c->ns);
	if (err == 0)
		err = vr_task_new(c->ns, &c->task);
	/* Every other round keeps directories between walks (dcache.c). */
	if (err == 0 && (t->round & 1))
		err = vr_ns_cache_enable(c->ns, 800, 1000);
	if (err < 0) {
		ok(0, "round %d: namespace over the tree: %s", t->round, strerror((int)-err));
		return -1;
	}
	c->o1.rootfd = open(t->host, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c->or2.up && (err = o2_start(&c->o2, t->host)) < 0) {
		c->or2.up = 0;
		snprintf(c->or2.why, sizeof(c->or2.why), "chroot child failed: %s",
			 strerror((int)-err));
	}
	return 0;
}

static void
teardown_round(struct ctx *c)
{
	char dir[PATH_MAX + 16];

	o2_stop(&c->o2);
	if (c->task)
		vr_task_free(c->task);
	if (c->ns)
		vr_ns_free(c->ns);
	c->task = NULL;
	c->ns = NULL;
	if (c->o1.rootfd >= 0)
		close(c->o1.rootfd);
	c->o1.rootfd = -1;
	snprintf(dir, sizeof(dir), "%s/r%d", c->tmp, c->tree.round);
	if (!c->keep)
		rm_tree(AT_FDCWD, dir);
	tree_free(&c->tree);
}

static void
run_round(struct ctx *c, int round)
{
	struct base bases[3] = {
		{.how = "cwd", .arg = xstrdup("/"), .ent = 0},
		{.how = "cwd"},
		{.how = "dirfd"},
	};
	struct rng r;

	c->tree.round = round;
	c->tree.seed = round_seed(c->seed, round);
	r.s = c->tree.seed;
	if (setup_round(c, &r) == 0) {
		diag("round %d: round seed 0x%016llx, %d entries", round,
		     (unsigned long long)c->tree.seed, c->tree.n);
		bases[1].arg = pick_base_arg(&c->tree, &r, &bases[1].ent);
		bases[2].arg = pick_base_arg(&c->tree, &r, &bases[2].ent);
		for (size_t i = 0; i < ARRAY_SIZE(bases); i++)
			run_base(c, &r, &bases[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bases); i++)
		free(bases[i].arg);
	teardown_round(c);
}

/* ---- main ------------------------------------------------------------------ */

static uint64_t
pick_seed(void)
{
	const char *env = getenv("VR_DIFF_SEED");
	struct timeval tv;

	if (env && *env)
		return strtoull(env, NULL, 0);
	gettimeofday(&tv, NULL);
	return ((uint64_t)tv.tv_sec << 20) ^ (uint64_t)tv.tv_usec ^ ((uint64_t)getpid() << 40);
}

/* probe_oracles() - which kernel oracles this process can use. */
static void
probe_oracles(struct ctx *c)
{
	struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT};
	int dir = open(c->tmp, O_PATH | O_DIRECTORY | O_CLOEXEC);
	long fd = syscall(SYS_openat2, dir, "/..", &how, sizeof(how));

	c->or1.name = "openat2";
	c->or2.name = "chroot";
	c->or1.up = fd >= 0;
	if (fd >= 0)
		close((int)fd);
	else
		snprintf(c->or1.why, sizeof(c->or1.why), "openat2: %s", strerror(errno));
	close(dir);
	c->or2.up = geteuid() == 0;
	if (!c->or2.up)
		snprintf(c->or2.why, sizeof(c->or2.why), "not root (euid %u): no chroot",
			 (unsigned int)geteuid());
}

/* show_answers() - how often the kernel gave each answer: the generator's reach. */
static void
show_answers(const struct oracle *or)
{
	struct sb b = {0};

	for (int e = 0; e < 256; e++) {
		const char *name = e ? strerrorname_np(e) : "success";

		if (or->answers[e])
			sb_addf(&b, " %s %ld", name ? name : "?", or->answers[e]);
	}
	diag("%s: kernel answers:%s", or->name, b.p ? b.p : " none");
	free(b.p);
}

static void
summary(struct ctx *c, struct oracle *or)
{
	long total = 0, bad = 0;

	if (!or->up && !or->cases[0]) {
		ok(1, "%s oracle # SKIP %s", or->name, or->why);
		return;
	}
	for (size_t i = 0; i < NOPS; i++) {
		ok(or->bad[i] == 0, "%s: %s: %ld cases, %ld disagreements", or->name, ops[i].name,
		   or->cases[i], or->bad[i]);
		total += or->cases[i];
		bad += or->bad[i];
	}
	diag("%s: %ld cases compared, %ld disagreements, %ld not askable", or->name, total, bad,
	     or->not_asked);
	show_answers(or);
	if (c->rounds >= ROUNDS)
		ok(total >= MIN_CASES, "%s: at least %d cases compared (%ld)", or->name, MIN_CASES,
		   total);
}

int
main(void)
{
	static struct ctx c;
	const char *rounds = getenv("VR_DIFF_ROUNDS");
	const char *tmpdir = getenv("TMPDIR");

	setvbuf(stdout, NULL, _IOLBF, 0);
	c.seed = pick_seed();
	c.rounds = rounds && *rounds ? atoi(rounds) : ROUNDS;
	c.keep = getenv("VR_DIFF_KEEP") != NULL;
	c.o1.rootfd = -1;
	c.o2.sock = -1;
	c.o2.pid = -1;
	snprintf(c.tmp, sizeof(c.tmp), "%s/walk_diff.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(c.tmp))
		skip_all("cannot make a temporary directory: %s", strerror(errno));
	probe_oracles(&c);
	if (!c.or1.up && !c.or2.up) {
		rmdir(c.tmp);
		skip_all("no kernel oracle: %s; %s", c.or1.why, c.or2.why);
	}
	diag("seed 0x%016llx (VR_DIFF_SEED=0x%016llx repeats this run), %d rounds",
	     (unsigned long long)c.seed, (unsigned long long)c.seed, c.rounds);
	for (int i = 0; i < c.rounds; i++)
		run_round(&c, i);
	summary(&c, &c.or1);
	summary(&c, &c.or2);
	if (c.disagreements > c.printed)
		diag("%ld more disagreements not printed", c.disagreements - c.printed);
	diag("%ld disagreements in all", c.disagreements);
	if (c.keep)
		diag("trees kept in %s", c.tmp);
	else
		rmdir(c.tmp);
	return done_testing();
}
