/*
 * diff.c - `vroot diff`: what a prefix changed against its bases, and
 * `vroot reset`: a prefix emptied.
 *
 * The prefix is the overlay's upper layer (README, "The prefix"): a name
 * there that no base has was added; one that a base has too was changed
 * (its content or type: C; its owner, group or mode only: M); a whiteout
 * (a 0/0 character device) deletes the base's name, and an opaque
 * directory ("user.overlay.opaque") deletes every base name below it the
 * prefix does not have.  A base name is looked up as the namespace would:
 * its directories resolved inside the base (symlinks included), the first
 * base that has it winning.  The owner and mode a prefix object shows come
 * from its record ("user.containers.override_stat") when it has one.
 * Times are not compared: a copy keeps its base's, and a directory's change
 * with its entries.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "diff.h"
#include "settings.h"

#define EXIT_FAIL 125

enum out { OUT_LINES, OUT_STAT, OUT_JSON };

struct diff {
	struct vr_cli *c;
	int base[VR_MAX_LAYERS];
	unsigned int nbase;
	enum out out;
	unsigned long added, changed, meta, deleted;
	unsigned long long bytes;
	int first; /* no JSON object printed yet */
	int err;
};

int
vr_cli_names_add(char ***v, size_t *n, size_t *cap, const char *name)
{
	char *copy;

	if (*n == *cap) {
		size_t want = *cap ? 2 * *cap : 32;
		char **w = realloc(*v, want * sizeof(**v));

		if (!w)
			return -1;
		*v = w;
		*cap = want;
	}
	copy = strdup(name);
	if (!copy)
		return -1;
	(*v)[(*n)++] = copy;
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
vr_cli_names_sort(char **v, size_t n)
{
	if (n)
		qsort(v, n, sizeof(*v), by_name);
}

void
vr_cli_names_free(char **v, size_t n)
{
	while (n)
		free(v[--n]);
	free(v);
}

int
vr_cli_dir_names(int fd, char ***out, size_t *n)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d) {
		close(fd);
		return -1;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (vr_cli_names_add(&v, n, &cap, e->d_name) < 0) {
			closedir(d);
			vr_cli_names_free(v, *n);
			*n = 0;
			return -1;
		}
	}
	closedir(d);
	vr_cli_names_sort(v, *n);
	*out = v;
	return 0;
}

/* lower() - the base object at @rel ("/a/b"): 1 and *@st, or 0 when no base has it. */
static int
lower(const struct diff *d, const char *rel, struct stat *st, int *which)
{
	const char *slash = strrchr(rel, '/');
	char parent[PATH_MAX];
	size_t plen = (size_t)(slash - rel);

	if (plen >= sizeof(parent))
		return 0;
	memcpy(parent, rel, plen);
	strcpy(parent + plen, plen ? "" : ".");
	for (unsigned int i = 0; i < d->nbase; i++) {
		struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		                       .resolve = RESOLVE_IN_ROOT};
		int p = (int)syscall(SYS_openat2, d->base[i], parent[0] == '/' ? parent + 1 : parent,
		                     &how, sizeof(how));

		if (p < 0)
			continue;
		if (fstatat(p, slash + 1, st, AT_SYMLINK_NOFOLLOW) == 0) {
			close(p);
			*which = (int)i;
			return 1;
		}
		close(p);
	}
	return 0;
}

/* shown() - owner, group and mode bits the prefix object @fd/@name shows. */
static void
shown(int dirfd, const char *name, struct stat *st)
{
	char path[64], rec[96];
	unsigned int uid, gid, mode;
	int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = (S_ISREG(st->st_mode) || S_ISDIR(st->st_mode))
	            ? getxattr(path, "user.containers.override_stat", rec, sizeof(rec) - 1)
	            : -1;
	close(fd);
	if (n <= 0)
		return;
	rec[n] = '\0';
	if (sscanf(rec, "%u:%u:%o", &uid, &gid, &mode) == 3) {
		st->st_uid = uid;
		st->st_gid = gid;
		st->st_mode = (st->st_mode & S_IFMT) | (mode & 07777);
	}
}

int
vr_cli_is_opaque(int dirfd, const char *name)
{
	char path[64], v[4];
	int fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = getxattr(path, "user.overlay.opaque", v, sizeof(v));
	close(fd);
	return n == 1 && v[0] == 'y';
}

/* same_content() - regular files @a (prefix) and @b (base) hold the same bytes. */
static int
same_content(int adir, const char *aname, int bbase, const char *brel)
{
	struct open_how how = {.flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT};
	int a = openat(adir, aname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int b = (int)syscall(SYS_openat2, bbase, brel + 1, &how, sizeof(how));
	char x[65536], y[65536];
	int same = a >= 0 && b >= 0;

	while (same) {
		ssize_t n = read(a, x, sizeof(x)), m;

		if (n <= 0) {
			same = n == 0 && read(b, y, 1) == 0;
			break;
		}
		for (ssize_t got = 0; got < n && same; got += m) {
			m = read(b, y + got, (size_t)(n - got));
			same = m > 0;
		}
		same = same && memcmp(x, y, (size_t)n) == 0;
	}
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	return same;
}

static void
json_string(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

/* report() - change @kind ('A', 'C', 'M', 'D') of @rel, of @size bytes in the prefix. */
static void
report(struct diff *d, char kind, const char *rel, off_t size)
{
	static const char *const word[] = {['A' - 'A'] = "added", ['C' - 'A'] = "changed",
	                                   ['D' - 'A'] = "deleted", ['M' - 'A'] = "metadata"};

	switch (kind) {
	case 'A':
		d->added++;
		break;
	case 'C':
		d->changed++;
		break;
	case 'M':
		d->meta++;
		break;
	default:
		d->deleted++;
	}
	if (kind == 'A' || kind == 'C')
		d->bytes += (unsigned long long)size;
	if (d->out == OUT_LINES) {
		printf("%c %s\n", kind, rel[0] ? rel : "/");
	} else if (d->out == OUT_JSON) {
		printf("%s\n  {\"path\": ", d->first ? "" : ",");
		json_string(rel[0] ? rel : "/");
		printf(", \"change\": \"%s\"}", word[kind - 'A']);
		d->first = 0;
	}
}

static void walk(struct diff *d, int dirfd, char *rel, size_t len, int hides);

/* deleted_below() - base names of directory @rel the prefix's directory @have lacks. */
static void
deleted_below(struct diff *d, char *rel, size_t len, char **have, size_t nhave)
{
	char **seen = NULL;
	size_t nseen = 0;

	for (unsigned int i = 0; i < d->nbase; i++) {
		struct open_how how = {.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
		                       .resolve = RESOLVE_IN_ROOT};
		int fd = (int)syscall(SYS_openat2, d->base[i], len ? rel + 1 : ".", &how,
		                      sizeof(how));
		char **v;
		size_t n;

		if (fd < 0 || vr_cli_dir_names(fd, &v, &n) < 0)
			continue;
		for (size_t k = 0; k < n; k++) {
			int skip = 0;

			for (size_t j = 0; j < nhave && !skip; j++)
				skip = !strcmp(have[j], v[k]);
			for (size_t j = 0; j < nseen && !skip; j++)
				skip = !strcmp(seen[j], v[k]);
			if (skip)
				continue;
			if (len + 1 + strlen(v[k]) < PATH_MAX) {
				sprintf(rel + len, "/%s", v[k]);
				report(d, 'D', rel, 0);
				rel[len] = '\0';
			}
			char **w = realloc(seen, (nseen + 1) * sizeof(*seen));

			if (w) {
				seen = w;
				seen[nseen++] = strdup(v[k]);
			}
		}
		vr_cli_names_free(v, n);
	}
	vr_cli_names_free(seen, nseen);
}

/*
 * walk() - the prefix's directory @dirfd, virtual path @rel[0..@len);
 * @hides: the base's names below it are hidden (an opaque directory here
 * or above, or no base directory at all).
 */
static void
walk(struct diff *d, int dirfd, char *rel, size_t len, int hides)
{
	char **v;
	size_t n;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || vr_cli_dir_names(fd, &v, &n) < 0) {
		vr_cli_error(d->c, "cannot list %s in the prefix: %s", len ? rel : "/",
		             strerror(errno));
		d->err = 1;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct stat up, lo;
		int has, which = 0;

		if (len + 1 + strlen(v[i]) >= PATH_MAX || fstatat(dirfd, v[i], &up, AT_SYMLINK_NOFOLLOW))
			continue;
		sprintf(rel + len, "/%s", v[i]);
		has = lower(d, rel, &lo, &which);
		if (S_ISCHR(up.st_mode) && up.st_rdev == makedev(0, 0)) {
			if (has)
				report(d, 'D', rel, 0);
		} else if (!has) {
			report(d, 'A', rel, S_ISREG(up.st_mode) ? up.st_size : 0);
		} else if ((up.st_mode & S_IFMT) != (lo.st_mode & S_IFMT) ||
		           ((S_ISCHR(up.st_mode) || S_ISBLK(up.st_mode)) && up.st_rdev != lo.st_rdev)) {
			report(d, 'C', rel, S_ISREG(up.st_mode) ? up.st_size : 0);
		} else {
			char a[PATH_MAX], b[PATH_MAX];
			int differs = 0;

			if (S_ISREG(up.st_mode))
				differs = up.st_size != lo.st_size ||
				          !same_content(dirfd, v[i], d->base[which], rel);
			if (S_ISLNK(up.st_mode)) {
				ssize_t x = readlinkat(dirfd, v[i], a, sizeof(a));
				ssize_t y = -1;
				struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
				                       .resolve = RESOLVE_IN_ROOT};
				char *slash = strrchr(rel, '/');
				int p;

				*slash = '\0';
				p = (int)syscall(SYS_openat2, d->base[which],
				                 rel[0] ? rel + 1 : ".", &how, sizeof(how));
				*slash = '/';
				if (p >= 0) {
					y = readlinkat(p, slash + 1, b, sizeof(b));
					close(p);
				}
				differs = x != y || (x > 0 && memcmp(a, b, (size_t)x));
			}
			shown(dirfd, v[i], &up);
			if (differs)
				report(d, 'C', rel, up.st_size);
			else if ((up.st_mode & 07777) != (lo.st_mode & 07777) ||
			         up.st_uid != lo.st_uid || up.st_gid != lo.st_gid)
				report(d, 'M', rel, 0);
		}
		if (S_ISDIR(up.st_mode)) {
			int sub = openat(dirfd, v[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			int hid = hides || !has || !S_ISDIR(lo.st_mode) ||
			          vr_cli_is_opaque(dirfd, v[i]);

			if (sub >= 0) {
				walk(d, sub, rel, len + 1 + strlen(v[i]), hid);
				close(sub);
			}
		}
		rel[len] = '\0';
	}
	if (hides)
		deleted_below(d, rel, len, v, n);
	vr_cli_names_free(v, n);
}

/* name_option() - --name NAME at argv[*i].  Return: 1 taken, 0 not it, -1 error (printed). */
static int
name_option(struct vr_cli *c, int argc, char **argv, int *i, const char **name)
{
	if (strcmp(argv[*i], "--name"))
		return 0;
	if (*i + 1 >= argc) {
		vr_cli_error(c, "--name needs an argument");
		return -1;
	}
	*name = argv[++*i];
	return 1;
}

/*
 * pick_prefix() - c->prefix from --prefix, --name (@name) or the default,
 * as vroot run picks it.  Return: 0, or -1 with one line printed.
 */
static int
pick_prefix(struct vr_cli *c, const char *name)
{
	if (name && c->prefix) {
		vr_cli_error(c, "--name and --prefix both name the prefix: give one");
		return -1;
	}
	if (!c->prefix)
		c->prefix = name ? vr_cli_named_prefix(c, name) : vr_cli_default_prefix(c);
	return c->prefix ? 0 : -1;
}

static void
usage_diff(FILE *f)
{
	fputs("usage: vroot diff [--prefix DIR | --name NAME] [--base DIR]... [--stat | --json]\n"
	      "What the prefix changed against its bases, one line per path:\n"
	      "  A PATH  added      C PATH  changed (content or type)\n"
	      "  M PATH  owner, group or mode only      D PATH  deleted\n"
	      "A rename shows as D and A.  --stat: the counts and the bytes the added and\n"
	      "changed files take; --json: an array of {\"path\", \"change\"}.  The bases\n"
	      "must be those the prefix was used with (default: those it remembers, else\n"
	      "/).  --name NAME: the prefix ${XDG_DATA_HOME:-~/.local/share}/vroot/NAME.\n",
	      f);
}

int
vr_cli_diff(int argc, char **argv)
{
	struct vr_cli c = {.prog = "vroot diff"};
	struct diff d = {.c = &c, .first = 1};
	const char *name = NULL;
	char rel[PATH_MAX] = "";
	int top, r;

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage_diff(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--stat") || !strcmp(argv[i], "--json")) {
			d.out = argv[i][2] == 's' ? OUT_STAT : OUT_JSON;
			continue;
		}
		if (!strcmp(argv[i], "--mount") || !strcmp(argv[i], "--cwd")) {
			vr_cli_error(&c, "%s is an option of vroot run, not of vroot diff", argv[i]);
			return EXIT_FAIL;
		}
		r = name_option(&c, argc, argv, &i, &name);
		if (r == 0)
			r = vr_cli_option(&c, argc, argv, &i);
		if (r < 0)
			return EXIT_FAIL;
		if (r == 0) {
			vr_cli_error(&c, "unknown option '%s' (see vroot diff --help)", argv[i]);
			return EXIT_FAIL;
		}
	}
	if (pick_prefix(&c, name) < 0)
		return EXIT_FAIL;
	/* The bases the prefix was made over, when it remembers them. */
	if (vr_settings_bases(&c) < 0)
		return EXIT_FAIL;
	if (!c.nbases)
		c.bases[c.nbases++] = "/";
	if (vr_cli_check(&c) < 0)
		return EXIT_FAIL;
	top = open(c.prefix, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (top < 0) {
		vr_cli_error(&c, "--prefix %s: %s", c.prefix, strerror(errno));
		return EXIT_FAIL;
	}
	for (unsigned int i = 0; i < c.nbases; i++) {
		d.base[i] = open(c.bases[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (d.base[i] < 0) {
			vr_cli_error(&c, "--base %s: %s", c.bases[i], strerror(errno));
			return EXIT_FAIL;
		}
		d.nbase++;
	}
	if (d.out == OUT_JSON)
		fputs("[", stdout);
	walk(&d, top, rel, 0, 0);
	if (d.out == OUT_JSON)
		puts(d.first ? "]" : "\n]");
	if (d.out == OUT_STAT)
		printf("%lu added, %lu changed, %lu metadata only, %lu deleted; %llu bytes in "
		       "added and changed files\n",
		       d.added, d.changed, d.meta, d.deleted, d.bytes);
	return d.err ? EXIT_FAIL : 0;
}

/*
 * users() - the processes (but this one) that hold a descriptor under
 * @dir or @work (canonical paths), every session's process does: their
 * ids into @out[@size], and how many there are.  Processes of other users
 * cannot be read and are not seen.
 */
static int
users(const char *dir, const char *work, char *out, size_t size)
{
	DIR *proc = opendir("/proc");
	struct dirent *p;
	size_t dl = strlen(dir), wl = strlen(work);
	int found = 0;

	if (!proc)
		return 0;
	while ((p = readdir(proc))) {
		char path[PATH_MAX], link[PATH_MAX];
		int pid = atoi(p->d_name), hit = 0;
		DIR *fds;
		struct dirent *f;

		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		fds = opendir(path);
		if (!fds)
			continue;
		while (!hit && (f = readdir(fds))) {
			ssize_t n;

			snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid, f->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			hit = (!strncmp(link, dir, dl) && (!link[dl] || link[dl] == '/')) ||
			      (!strncmp(link, work, wl) && (!link[wl] || link[wl] == '/'));
		}
		closedir(fds);
		if (hit && strlen(out) + 12 < size)
			sprintf(out + strlen(out), "%s%d", found ? " " : "", pid);
		found += hit;
	}
	closedir(proc);
	return found;
}

/*
 * empty() - remove everything in the directory open as @fd but the entry
 * named @keep (NULL: none), making what is in the way writable.
 */
static int
empty(int fd, const char *keep)
{
	char **v;
	size_t n;
	int err = 0, dup = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dup < 0 || vr_cli_dir_names(dup, &v, &n) < 0)
		return -1;
	fchmod(fd, 0700);
	for (size_t i = 0; i < n; i++) {
		struct stat st;

		if ((keep && strcmp(v[i], keep) == 0) ||
		    fstatat(fd, v[i], &st, AT_SYMLINK_NOFOLLOW))
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(fd, v[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub < 0) {
				fchmodat(fd, v[i], 0700, 0);
				sub = openat(fd, v[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			}
			if (sub >= 0) {
				err |= empty(sub, NULL);
				close(sub);
			}
			if (unlinkat(fd, v[i], AT_REMOVEDIR))
				err = -1;
		} else if (unlinkat(fd, v[i], 0)) {
			err = -1;
		}
	}
	vr_cli_names_free(v, n);
	return err;
}

int
vr_cli_reset(int argc, char **argv)
{
	struct vr_cli c = {.prog = "vroot reset"};
	char dir[PATH_MAX], work[PATH_MAX], pids[256] = "";
	const char *name = NULL;
	int r, fd, wfd;

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs("usage: vroot reset [--prefix DIR | --name NAME]\n"
			      "Empty the prefix (and its DIR.work, but for the settings the prefix\n"
			      "remembers), so the namespace shows its bases again.  Refused while\n"
			      "programs of a session run in it.  --name NAME: the prefix\n"
			      "${XDG_DATA_HOME:-~/.local/share}/vroot/NAME.\n",
			      stdout);
			return 0;
		}
		r = name_option(&c, argc, argv, &i, &name);
		if (r == 0 && !strcmp(argv[i], "--prefix"))
			r = vr_cli_option(&c, argc, argv, &i);
		if (r < 0)
			return EXIT_FAIL;
		if (r == 0) {
			vr_cli_error(&c,
			             "unknown option '%s' (usage: vroot reset [--prefix DIR | --name "
			             "NAME])",
			             argv[i]);
			return EXIT_FAIL;
		}
	}
	if (pick_prefix(&c, name) < 0)
		return EXIT_FAIL;
	if (!realpath(c.prefix, dir)) {
		vr_cli_error(&c, "--prefix %s: %s", c.prefix, strerror(errno));
		return EXIT_FAIL;
	}
	if (strcmp(dir, "/") == 0) {
		vr_cli_error(&c, "--prefix %s is /: refusing to empty it", c.prefix);
		return EXIT_FAIL;
	}
	if (strlen(dir) + 6 > sizeof(work)) {
		vr_cli_error(&c, "--prefix %s: path too long", c.prefix);
		return EXIT_FAIL;
	}
	memcpy(work, dir, strlen(dir));
	strcpy(work + strlen(dir), ".work");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		vr_cli_error(&c, "--prefix %s: %s", c.prefix, strerror(errno));
		return EXIT_FAIL;
	}
	if (users(dir, work, pids, sizeof(pids))) {
		vr_cli_error(&c, "%s is in use by running programs (process %s); end them first",
		             dir, pids);
		return EXIT_FAIL;
	}
	wfd = open(work, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* The settings say how the prefix is used: an empty prefix is used so still. */
	if (empty(fd, NULL) || (wfd >= 0 && empty(wfd, "settings"))) {
		vr_cli_error(&c, "could not remove everything in %s: %s", dir, strerror(errno));
		return EXIT_FAIL;
	}
	return 0;
}
