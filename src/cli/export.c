/*
 * export.c - `vroot export`: the namespace's root tree, or only the
 * prefix's changes, as a tar archive.
 *
 * Everything is read through libvroot, as a program in the namespace
 * would see it: the merge of the prefix over its bases, the owners and
 * modes the prefix records ("user.containers.override_stat"), the devices
 * recorded on empty files, hard links by their (device, inode).  The
 * archive is POSIX ustar, with a pax extended header before an entry
 * whose name, link target, size, owner or time does not fit ustar's
 * fields; no extended attributes.
 *
 * --changes writes what the prefix holds, in the form of an OCI image
 * layer: every object the prefix has (added, copied up, or a directory
 * above one) as the namespace shows it, a base name the prefix deletes as
 * an empty file ".wh.NAME" beside it, and a directory made again over a
 * base one (opaque: none of the base's entries show through) with an empty
 * ".wh..wh..opq" in it.  Whether a name is deleted is asked of a second
 * namespace that has the bases only.
 *
 * Only the root overlay is exported, not what --mount or the layout mount
 * in it, and a directory of another filesystem than a layer's (/proc in
 * the host's root as a base) is written empty, as tar --one-file-system
 * does.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <dirent.h>
#include <unistd.h>

#include "diff.h"
#include "export.h"
#include "settings.h"

#define EXIT_FAIL 125
#define BLOCK     512
#define RECORD    (20 * BLOCK)

struct link {
	dev_t dev;
	ino_t ino;
	char *path;
};

struct exp {
	struct vr_cli *c;
	struct vr_task *t;  /* the namespace */
	struct vr_task *lo; /* the bases alone (--changes) */
	int out;
	const char *out_name;
	char buf[65536];
	size_t n;
	unsigned long long written;
	dev_t devs[VR_MAX_LAYERS + 1];
	unsigned int ndevs;
	struct link *links;
	size_t nlinks;
	dev_t out_dev; /* the archive's file, when one */
	ino_t out_ino;
	int failed; /* an entry was left out (named on stderr) */
	int broken; /* the archive cannot be written */
};

/* flush() - what put() buffered, written out. */
static void
flush(struct exp *e)
{
	for (size_t off = 0; off < e->n && !e->broken;) {
		ssize_t w = write(e->out, e->buf + off, e->n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			vr_cli_error(e->c, "cannot write %s: %s", e->out_name,
			             strerror(w < 0 ? errno : ENOSPC));
			e->broken = 1;
		} else {
			off += (size_t)w;
		}
	}
	e->written += e->n;
	e->n = 0;
}

/* put() - @len bytes of @p into the archive. */
static void
put(struct exp *e, const void *p, size_t len)
{
	const char *s = p;

	while (len && !e->broken) {
		size_t k = sizeof(e->buf) - e->n < len ? sizeof(e->buf) - e->n : len;

		memcpy(e->buf + e->n, s, k);
		e->n += k;
		s += k;
		len -= k;
		if (e->n == sizeof(e->buf))
			flush(e);
	}
}

/* pad() - zeros up to the next multiple of @unit bytes of archive. */
static void
pad(struct exp *e, size_t unit)
{
	static const char zero[BLOCK];
	size_t rest = (size_t)((e->written + e->n) % unit);

	for (rest = rest ? unit - rest : 0; rest; rest -= rest > BLOCK ? BLOCK : rest)
		put(e, zero, rest > BLOCK ? BLOCK : rest);
}

/* octal() - @v into the ustar field @f of @size bytes; 0 when it does not fit. */
static int
octal(char *f, size_t size, unsigned long long v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%0*llo", (int)size - 1, v);

	if (n < 0 || (size_t)n >= size)
		return 0;
	memcpy(f, tmp, (size_t)n + 1);
	return 1;
}

/* pax_record() - "LEN KEY=VALUE\n" appended to @rec (LEN counts itself). */
static void
pax_record(char **rec, size_t *len, const char *key, const char *val)
{
	size_t body = strlen(key) + strlen(val) + 3, n = body + 1;
	char *r;

	/* The length's own digits are part of the length. */
	while ((size_t)snprintf(NULL, 0, "%zu", n) + body != n)
		n = (size_t)snprintf(NULL, 0, "%zu", n) + body;
	r = realloc(*rec, *len + n + 1);
	if (!r)
		return;
	snprintf(r + *len, n + 1, "%zu %s=%s\n", n, key, val);
	*rec = r;
	*len += n;
}

/* header() - one 512-byte ustar header: @name, @st's metadata, @type, @link, @size. */
static void
header(struct exp *e, const char *name, const struct stat *st, char type, const char *link,
       unsigned long long size)
{
	unsigned char h[BLOCK];
	unsigned int sum = 0;

	memset(h, 0, sizeof(h));
	strncpy((char *)h, name, 100);
	octal((char *)h + 100, 8, st->st_mode & 07777);
	octal((char *)h + 108, 8, st->st_uid);
	octal((char *)h + 116, 8, st->st_gid);
	octal((char *)h + 124, 12, size);
	octal((char *)h + 136, 12, st->st_mtime > 0 ? (unsigned long long)st->st_mtime : 0);
	memset(h + 148, ' ', 8);
	h[156] = (unsigned char)type;
	if (link)
		strncpy((char *)h + 157, link, 100);
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	if (type == '3' || type == '4') {
		octal((char *)h + 329, 8, major(st->st_rdev));
		octal((char *)h + 337, 8, minor(st->st_rdev));
	}
	for (size_t i = 0; i < sizeof(h); i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	put(e, h, sizeof(h));
}

/*
 * entry() - the header(s) of @name: a pax extended header first when a
 * value does not fit its ustar field.
 */
static void
entry(struct exp *e, const char *name, const struct stat *st, char type, const char *link,
      unsigned long long size)
{
	char f[12], num[32], *rec = NULL;
	size_t len = 0;

	if (strlen(name) > 100)
		pax_record(&rec, &len, "path", name);
	if (link && strlen(link) > 100)
		pax_record(&rec, &len, "linkpath", link);
	if (!octal(f, 12, size) && snprintf(num, sizeof(num), "%llu", size) > 0)
		pax_record(&rec, &len, "size", num);
	if (!octal(f, 8, st->st_uid) && snprintf(num, sizeof(num), "%u", st->st_uid) > 0)
		pax_record(&rec, &len, "uid", num);
	if (!octal(f, 8, st->st_gid) && snprintf(num, sizeof(num), "%u", st->st_gid) > 0)
		pax_record(&rec, &len, "gid", num);
	if ((st->st_mtime < 0 || !octal(f, 12, (unsigned long long)st->st_mtime)) &&
	    snprintf(num, sizeof(num), "%lld", (long long)st->st_mtime) > 0)
		pax_record(&rec, &len, "mtime", num);
	if (rec) {
		struct stat x = *st;

		x.st_mode = 0644;
		header(e, "././@PaxHeader", &x, 'x', NULL, len);
		put(e, rec, len);
		pad(e, BLOCK);
		free(rec);
	}
	header(e, name, st, type, link, size);
}

/* link_of() - the path an earlier entry of @st's inode was written at, else NULL (noted). */
static const char *
link_of(struct exp *e, const struct stat *st, const char *name)
{
	struct link *l;

	for (size_t i = 0; i < e->nlinks; i++)
		if (e->links[i].dev == st->st_dev && e->links[i].ino == st->st_ino)
			return e->links[i].path;
	l = realloc(e->links, (e->nlinks + 1) * sizeof(*l));
	if (l) {
		e->links = l;
		l[e->nlinks].dev = st->st_dev;
		l[e->nlinks].ino = st->st_ino;
		l[e->nlinks].path = strdup(name);
		e->nlinks += l[e->nlinks].path != NULL;
	}
	return NULL;
}

/* skipped() - @name is left out of the archive: one line, and a failure status. */
static void
skipped(struct exp *e, const char *name, const char *why, int err)
{
	vr_cli_error(e->c, "/%s: %s%s%s; left out of the archive", name, why, err ? ": " : "",
	             err ? strerror(err) : "");
	e->failed = 1;
}

/* file() - a regular file's header and contents, read through the namespace. */
static void
file(struct exp *e, int dirfd, const char *path, const char *name, const struct stat *st)
{
	unsigned long long left = (unsigned long long)st->st_size;
	const char *first = st->st_nlink > 1 ? link_of(e, st, name) : NULL;
	char buf[65536];
	int fd;

	if (first) {
		entry(e, name, st, '1', first, 0);
		return;
	}
	fd = vr_openat(e->t, dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd < 0) {
		skipped(e, name, "cannot open it", -fd);
		return;
	}
	entry(e, name, st, '0', NULL, left);
	while (left && !e->broken) {
		ssize_t r = read(fd, buf, left < sizeof(buf) ? left : sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			/* Shrunk or unreadable while read: the size is written, so zeros. */
			vr_cli_error(e->c, "/%s: %s while read; the rest written as zeros", name,
			             r < 0 ? strerror(errno) : "file shrank");
			e->failed = 1;
			memset(buf, 0, sizeof(buf));
			while (left && !e->broken) {
				size_t k = left < sizeof(buf) ? left : sizeof(buf);

				put(e, buf, k);
				left -= k;
			}
			break;
		}
		put(e, buf, (size_t)r);
		left -= (unsigned long long)r;
	}
	close(fd);
	pad(e, BLOCK);
}

/*
 * object() - the entry of the object at @path from @dirfd (in the
 * namespace), archived as @name (no leading slash), whose stat is @st.
 */
static void
object(struct exp *e, int dirfd, const char *path, const char *name, const struct stat *st)
{
	char target[PATH_MAX + 1], dname[PATH_MAX + 2];
	long n;

	switch (st->st_mode & S_IFMT) {
	case S_IFREG:
		file(e, dirfd, path, name, st);
		break;
	case S_IFDIR:
		snprintf(dname, sizeof(dname), "%s/", name);
		entry(e, dname, st, '5', NULL, 0);
		break;
	case S_IFLNK:
		n = vr_readlinkat(e->t, dirfd, path, target, sizeof(target) - 1);
		if (n < 0) {
			skipped(e, name, "cannot read the link", (int)-n);
			break;
		}
		target[n] = '\0';
		entry(e, name, st, '2', target, 0);
		break;
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
		entry(e, name, st,
		      S_ISCHR(st->st_mode)   ? '3'
		      : S_ISBLK(st->st_mode) ? '4'
		                             : '6',
		      NULL, 0);
		break;
	default:
		skipped(e, name, "a socket (tar has no entry type for it)", 0);
	}
}

/* same_fs() - @st (a directory) is on a filesystem of one of the layers. */
static int
same_fs(const struct exp *e, const struct stat *st)
{
	for (unsigned int i = 0; i < e->ndevs; i++)
		if (e->devs[i] == st->st_dev)
			return 1;
	return 0;
}

/* is_output() - @st is the archive being written (inside a base, or the prefix). */
static int
is_output(const struct exp *e, const struct stat *st)
{
	return e->out_ino && st->st_dev == e->out_dev && st->st_ino == e->out_ino;
}

/* listing() - the sorted names in the namespace's directory @path; NULL: none or an error. */
static char **
listing(struct exp *e, const char *path, size_t *n)
{
	char buf[32768], **v = NULL;
	size_t cap = 0;
	long got;
	int fd =
	        vr_openat(e->t, AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);

	*n = 0;
	if (fd < 0) {
		skipped(e, path + 1, "cannot list it", -fd);
		return NULL;
	}
	while ((got = vr_getdents64(e->t, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < got;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);

			off += d->d_reclen;
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				continue;
			if (vr_cli_names_add(&v, n, &cap, d->d_name) < 0)
				break;
		}
	}
	close(fd);
	if (got < 0)
		skipped(e, path + 1, "cannot list it", (int)-got);
	vr_cli_names_sort(v, *n);
	return v;
}

/*
 * tree() - every object below the namespace's directory @path ("/" +
 * virtual path, @len bytes).  By whole paths, not by directory descriptors:
 * a descriptor of a base's directory that another base shows too (a base
 * inside the host's root, which is a base as well) maps back to the first.
 */
static void
tree(struct exp *e, char *path, size_t len)
{
	size_t n;
	char **v = listing(e, path, &n);

	for (size_t i = 0; i < n && !e->broken; i++) {
		struct stat st;
		int err;

		if (len + 1 + strlen(v[i]) >= PATH_MAX) {
			skipped(e, path + 1, "a name in it is too long", ENAMETOOLONG);
			continue;
		}
		sprintf(path + len, "%s%s", len > 1 ? "/" : "", v[i]);
		err = vr_fstatat(e->t, AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW);
		if (err < 0)
			skipped(e, path + 1, "cannot stat it", -err);
		else if (!is_output(e, &st))
			object(e, AT_FDCWD, path, path + 1, &st);
		if (err == 0 && S_ISDIR(st.st_mode) && same_fs(e, &st))
			tree(e, path, strlen(path));
		path[len] = '\0';
	}
	vr_cli_names_free(v, n);
}

/* marker() - the empty regular file @dir/@name (a whiteout or opaque marker). */
static void
marker(struct exp *e, const char *dir, const char *name, const struct stat *like)
{
	char path[PATH_MAX + 32];
	struct stat st = *like;

	st.st_mode = S_IFREG | 0644;
	snprintf(path, sizeof(path), "%s%s%s", dir, dir[0] ? "/" : "", name);
	entry(e, path, &st, '0', NULL, 0);
}

/*
 * changes() - what the prefix's directory @up (virtual path @rel[0..@len))
 * holds: each name the namespace shows, as it shows it; each base name it
 * hides, as a whiteout.
 */
static void
changes(struct exp *e, int up, char *rel, size_t len)
{
	char vpath[PATH_MAX + 2];
	char **v = NULL;
	size_t n = 0;
	int dup = openat(up, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dup < 0) {
		skipped(e, rel, "cannot list it in the prefix", errno);
		return;
	}
	if (vr_cli_dir_names(dup, &v, &n) < 0)
		v = NULL, n = 0;
	for (size_t i = 0; v && i < n && !e->broken; i++) {
		struct stat st, base, hst;
		int err, sub;

		if (len + 1 + strlen(v[i]) >= PATH_MAX - 8 ||
		    fstatat(up, v[i], &hst, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		sprintf(rel + len, "%s%s", len ? "/" : "", v[i]);
		snprintf(vpath, sizeof(vpath), "/%s", rel);
		err = vr_fstatat(e->t, AT_FDCWD, vpath, &st, AT_SYMLINK_NOFOLLOW);
		if (err == -ENOENT) {
			/* Not shown: a whiteout, when a base has the name. */
			if (vr_fstatat(e->lo, AT_FDCWD, vpath, &base, AT_SYMLINK_NOFOLLOW) == 0) {
				rel[len] = '\0';
				snprintf(vpath, sizeof(vpath), ".wh.%s", v[i]);
				marker(e, rel, vpath, &base);
			}
			rel[len] = '\0';
			continue;
		}
		if (err < 0) {
			skipped(e, rel, "cannot stat it", -err);
			rel[len] = '\0';
			continue;
		}
		if (!is_output(e, &st))
			object(e, AT_FDCWD, vpath, rel, &st);
		if (S_ISDIR(st.st_mode) && S_ISDIR(hst.st_mode)) {
			if (vr_cli_is_opaque(up, v[i]) &&
			    vr_fstatat(e->lo, AT_FDCWD, vpath, &base, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISDIR(base.st_mode))
				marker(e, rel, ".wh..wh..opq", &st);
			sub = openat(up, v[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				skipped(e, rel, "cannot list it in the prefix", errno);
			} else {
				changes(e, sub, rel, strlen(rel));
				close(sub);
			}
		}
		rel[len] = '\0';
	}
	vr_cli_names_free(v, v ? n : 0);
}

static void
usage_export(FILE *f)
{
	fputs("usage: vroot export [--prefix DIR | --name NAME] [--base DIR]... [--changes] "
	      "FILE.tar|-\n"
	      "Write the namespace's tree (the prefix over its bases, as programs in it\n"
	      "see it: owners and modes as recorded, devices, symlinks, hard links) as a\n"
	      "tar archive into FILE.tar, or on standard output for -.  --changes: only\n"
	      "what the prefix holds, as an OCI image layer: the added and changed\n"
	      "objects, a deleted base name as an empty .wh.NAME, a directory made again\n"
	      "over a base one with an empty .wh..wh..opq in it (tar -x does not apply\n"
	      "these: it extracts them as empty files).  Mounts are not exported, nor\n"
	      "what other filesystems are mounted on in a base.  The bases default to\n"
	      "those the prefix remembers.\n",
	      f);
}

/* struct export_opts - what `vroot export` was asked for. */
struct export_opts {
	const char *name;
	const char *out;
	int changes;
};

static int
parse_export(struct vr_cli *c, int argc, char **argv, struct export_opts *o)
{
	for (int i = 2; i < argc; i++) {
		int r;

		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage_export(stdout);
			exit(0);
		}
		if (!strcmp(argv[i], "--changes")) {
			o->changes = 1;
			continue;
		}
		if (!strcmp(argv[i], "--name")) {
			if (i + 1 >= argc) {
				vr_cli_error(c, "--name needs an argument");
				return -1;
			}
			o->name = argv[++i];
			continue;
		}
		if (argv[i][0] != '-' || !strcmp(argv[i], "-")) {
			if (o->out) {
				vr_cli_error(c, "one output file: '%s' and '%s' given", o->out,
				             argv[i]);
				return -1;
			}
			o->out = argv[i];
			continue;
		}
		r = strcmp(argv[i], "--prefix") && strcmp(argv[i], "--base")
		            ? 0
		            : vr_cli_option(c, argc, argv, &i);
		if (r < 0)
			return -1;
		if (r == 0) {
			vr_cli_error(c, "unknown option '%s' (see vroot export --help)", argv[i]);
			return -1;
		}
	}
	if (!o->out) {
		vr_cli_error(c, "no output file (usage: vroot export [OPTIONS] FILE.tar|-)");
		return -1;
	}
	if (o->name && c->prefix) {
		vr_cli_error(c, "--name and --prefix both name the prefix: give one");
		return -1;
	}
	return 0;
}

/* open_ns() - the namespace of @c (the prefix, or the bases alone), one task in it. */
static int
open_ns(struct vr_cli *c, int with_prefix, struct vr_task **t)
{
	struct vr_ns_spec spec;
	struct vr_ns *ns;
	const char *prefix = c->prefix;
	int err;

	if (!with_prefix)
		c->prefix = NULL;
	err = vr_cli_spec(c, 0, &spec);
	c->prefix = prefix;
	if (err < 0)
		return -1;
	err = vr_ns_new(&spec, &ns);
	if (err == 0)
		err = vr_task_new(ns, t);
	if (err < 0) {
		vr_cli_error(c, "cannot set up the namespace of %s: %s", c->prefix, strerror(-err));
		return -1;
	}
	if (c->has_ident) {
		struct vr_ident id;

		vr_ident_fake(&id, c->uid, c->gid);
		vr_task_set_ident(*t, &id);
	}
	return 0;
}

/* layer_devs() - the filesystems of the layers, which the export descends into. */
static void
layer_devs(struct exp *e)
{
	struct stat st;

	if (stat(e->c->prefix, &st) == 0)
		e->devs[e->ndevs++] = st.st_dev;
	for (unsigned int i = 0; i < e->c->nbases; i++)
		if (stat(e->c->bases[i], &st) == 0)
			e->devs[e->ndevs++] = st.st_dev;
}

int
vr_cli_export(int argc, char **argv)
{
	struct vr_cli c = {.prog = "vroot export"};
	struct export_opts o = {0};
	struct exp *e;
	char rel[PATH_MAX] = "", root[PATH_MAX] = "/";
	int save, top, regular = 0, status;
	struct stat st;

	if (parse_export(&c, argc, argv, &o) < 0)
		return EXIT_FAIL;
	if (!c.prefix)
		c.prefix = o.name ? vr_cli_named_prefix(&c, o.name) : vr_cli_default_prefix(&c);
	if (!c.prefix)
		return EXIT_FAIL;
	if (stat(c.prefix, &st) < 0) {
		vr_cli_error(&c, "prefix %s: %s", c.prefix, strerror(errno));
		return EXIT_FAIL;
	}
	if (vr_cli_work_path(&c) < 0 || vr_settings_load(&c, 0, &save) < 0)
		return EXIT_FAIL;
	c.nmounts = 0;
	e = calloc(1, sizeof(*e));
	if (!e || open_ns(&c, 1, &e->t) < 0 || (o.changes && open_ns(&c, 0, &e->lo) < 0))
		return EXIT_FAIL;
	e->c = &c;
	e->out_name = strcmp(o.out, "-") ? o.out : "standard output";
	if (!strcmp(o.out, "-")) {
		e->out = STDOUT_FILENO;
	} else {
		e->out = open(o.out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (e->out < 0) {
			vr_cli_error(&c, "cannot write %s: %s", o.out, strerror(errno));
			return EXIT_FAIL;
		}
		regular = fstat(e->out, &st) == 0 && S_ISREG(st.st_mode);
		if (regular) {
			e->out_dev = st.st_dev;
			e->out_ino = st.st_ino;
		}
	}
	layer_devs(e);
	if (o.changes) {
		top = open(c.prefix, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (top < 0) {
			vr_cli_error(&c, "prefix %s: %s", c.prefix, strerror(errno));
			return EXIT_FAIL;
		}
		changes(e, top, rel, 0);
		close(top);
	} else {
		tree(e, root, 1);
	}
	/* Two zero blocks end the archive; tar writes whole records. */
	pad(e, BLOCK);
	{
		static const char zero[2 * BLOCK];

		put(e, zero, sizeof(zero));
	}
	pad(e, RECORD);
	flush(e);
	status = e->broken ? EXIT_FAIL : e->failed ? 1 : 0;
	if (e->broken && regular)
		unlink(o.out);
	if (e->out != STDOUT_FILENO && close(e->out) < 0 && !e->broken) {
		vr_cli_error(&c, "cannot write %s: %s", o.out, strerror(errno));
		status = EXIT_FAIL;
	}
	return status;
}
