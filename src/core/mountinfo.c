/*
 * mountinfo.c - the namespace's mount table, as /proc/PID/mountinfo and
 * /proc/PID/mounts show one (vr_mountinfo() in vroot.h).
 *
 * The table has the root overlay at "/" (file system type "vroot"), then
 * for each mount of the namespace the host mount its directory lies in,
 * at the mount's virtual path (with "ro" when the mount is read-only),
 * and every host mount below that directory at the matching virtual path:
 * /proc, /dev and /sys bring /dev/pts, /sys/fs/cgroup... as the host has
 * them.  Host mounts below the bases are not listed: they are part of the
 * base they lie in.  Mount ids are numbered here, 1 for the root; a line's
 * parent is the nearest line above it on the path.  Paths are written
 * with the kernel's octal escapes (space, tab, newline, backslash).
 */
#include "place.h"
#include "util.h"

/* What is written, into the caller's buffer; len counts past its end too. */
struct sb {
	char *buf;
	size_t size, len;
};

static void
sb_add(struct sb *b, const char *s, size_t n)
{
	if (b->len < b->size)
		vr_memcpy(b->buf + b->len, s, b->len + n <= b->size ? n : b->size - b->len);
	b->len += n;
}

#define HOST_MAX  (1ul << 20) /* the host's mountinfo, read whole */
#define LINES_MAX 1024
#define FIELD_MAX 4096

/* One host mountinfo line, its fields split out (paths unescaped). */
struct host_line {
	const char *majmin, *root, *mp, *opts, *fstype, *source, *super;
	size_t mplen;
};

/* One line of the table made. */
struct out_line {
	const struct host_line *h; /* NULL: the root overlay */
	char mp[FIELD_MAX];
	size_t mplen;
	char root[FIELD_MAX];
	int ro;
	unsigned int parent;
};

struct mi {
	char *host; /* the host's text, split in place */
	struct host_line hl[LINES_MAX];
	unsigned int nh;
	struct out_line out[LINES_MAX];
	unsigned int nout;
};

/* unescape() - the kernel's \ooo escapes undone in place; returns the length. */
static size_t
unescape(char *s)
{
	char *d = s;

	for (char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
		    p[3] >= '0' && p[3] <= '7') {
			*d++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 3;
		} else {
			*d++ = *p;
		}
	}
	*d = '\0';
	return (size_t)(d - s);
}

/* field() - the next space-separated field at *@p, NUL-terminated; NULL at the line's end. */
static char *
field(char **p)
{
	char *s = *p, *e;

	if (!*s)
		return NULL;
	for (e = s; *e && *e != ' '; e++)
		;
	*p = *e ? e + 1 : e;
	*e = '\0';
	return s;
}

/* parse() - split the host's mountinfo @m->host into @m->hl. */
static void
parse(struct mi *m)
{
	char *line = m->host;

	while (*line && m->nh < LINES_MAX) {
		char *end = line, *p = line, *f;
		struct host_line *h = &m->hl[m->nh];
		int n = 0;

		while (*end && *end != '\n')
			end++;
		if (*end)
			*end++ = '\0';
		while ((f = field(&p)) && vr_strcmp(f, "-")) {
			if (n == 2)
				h->majmin = f;
			else if (n == 3)
				h->root = f;
			else if (n == 4)
				h->mp = f;
			else if (n == 5)
				h->opts = f;
			n++;
		}
		h->fstype = f ? field(&p) : NULL;
		h->source = h->fstype ? field(&p) : NULL;
		h->super = h->source ? field(&p) : NULL;
		if (n >= 6 && h->super) {
			unescape((char *)h->root);
			h->mplen = unescape((char *)h->mp);
			m->nh++;
		}
		line = end;
	}
}

/* join() - @a[0..@alen) + @b into @out[FIELD_MAX]; "" + "" is "/".  Return: 0 or -ENAMETOOLONG. */
static int
join(char *out, const char *a, size_t alen, const char *b)
{
	size_t blen = vr_strlen(b);

	if (alen == 1 && a[0] == '/' && blen)
		alen = 0;
	if (alen + blen + 2 > FIELD_MAX)
		return -ENAMETOOLONG;
	vr_memcpy(out, a, alen);
	vr_memcpy(out + alen, b, blen);
	if (!alen && !blen)
		out[blen++] = '/';
	out[alen + blen] = '\0';
	return 0;
}

/* add() - a line at virtual @mp for host line @h (root @root), read-only if @ro. */
static int
add(struct mi *m, const struct host_line *h, const char *mp, size_t mplen, const char *root, int ro)
{
	struct out_line *o;

	if (m->nout >= LINES_MAX)
		return -E2BIG;
	o = &m->out[m->nout];
	if (join(o->mp, mp, mplen, "") < 0 || join(o->root, root, vr_strlen(root), "") < 0)
		return -ENAMETOOLONG;
	o->mplen = vr_strlen(o->mp);
	o->h = h;
	o->ro = ro;
	m->nout++;
	return 0;
}

/* add_mount() - the lines virtual mount @vm brings (see the top of the file). */
static int
add_mount(struct mi *m, const struct vr_mount *vm)
{
	const struct host_line *best = NULL;
	long blen = -1;
	int ro = (vm->flags & VR_MOUNT_RDONLY) != 0, err;
	char root[FIELD_MAX], mp[FIELD_MAX];

	for (unsigned int i = 0; i < m->nh; i++) {
		long l = vr_path_under(vm->b.host, vm->b.hlen, m->hl[i].mp, m->hl[i].mplen);

		if (l >= blen) {
			blen = l;
			best = &m->hl[i];
		}
	}
	if (!best)
		return 0;
	/* The host mount holding the directory: its root, plus the way down. */
	err = join(root, best->root, vr_strlen(best->root), vm->b.host + blen);
	if (!err)
		err = add(m, best, vm->path, vm->plen, root, ro);
	for (unsigned int i = 0; i < m->nh && !err; i++) {
		const struct host_line *h = &m->hl[i];
		long l = vr_path_under(h->mp, h->mplen, vm->b.host, vm->b.hlen);

		if (l < 0 || h->mplen == vm->b.hlen)
			continue;
		err = join(mp, vm->path, vm->plen, h->mp + l);
		if (!err)
			err = add(m, h, mp, vr_strlen(mp), h->root, ro);
	}
	return err;
}

/* put_escaped() - @s with the kernel's escapes, into @b. */
static void
put_escaped(struct sb *b, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\') {
			char e[4] = {'\\', (char)('0' + ((unsigned char)*s >> 6)),
			             (char)('0' + (((unsigned char)*s >> 3) & 7)),
			             (char)('0' + ((unsigned char)*s & 7))};

			sb_add(b, e, 4);
		} else {
			sb_add(b, s, 1);
		}
	}
}

static void
put_num(struct sb *b, unsigned long v)
{
	char n[24];

	sb_add(b, n, vr_utoa(v, n));
}

static void
put(struct sb *b, const char *s)
{
	sb_add(b, s, vr_strlen(s));
}

/* put_opts() - mount options @opts, "ro" first when @ro. */
static void
put_opts(struct sb *b, const char *opts, int ro)
{
	if (ro && opts[0] == 'r' && opts[1] == 'w' && (!opts[2] || opts[2] == ',')) {
		put(b, "ro");
		put(b, opts + 2);
	} else {
		put(b, opts);
	}
}

/* write_out() - the table made, in mountinfo (@mounts 0) or mounts form. */
static void
write_out(const struct mi *m, struct sb *b, const struct vr_ns *ns, int mounts)
{
	char majmin[48];
	size_t n = vr_utoa(ns->vdev >> 8 & 0xfff, majmin);

	majmin[n++] = ':';
	n += vr_utoa((ns->vdev & 0xff) | (ns->vdev >> 12 & 0xfff00), majmin + n);
	majmin[n] = '\0';
	for (unsigned int i = 0; i < m->nout; i++) {
		const struct out_line *o = &m->out[i];
		const struct host_line *h = o->h;

		if (mounts) {
			put(b, h ? h->source : "vroot");
			put(b, " ");
			put_escaped(b, o->mp);
			put(b, " ");
			put(b, h ? h->fstype : "vroot");
			put(b, " ");
			put_opts(b, h ? h->opts : "rw", o->ro);
			/* The file system's own options, less its rw or ro. */
			if (h && h->super[0] == 'r' && (h->super[1] == 'w' || h->super[1] == 'o') &&
			    h->super[2] == ',')
				put(b, h->super + 2);
			put(b, " 0 0\n");
			continue;
		}
		put_num(b, i + 1);
		put(b, " ");
		put_num(b, o->parent);
		put(b, " ");
		put(b, h ? h->majmin : majmin);
		put(b, " ");
		put_escaped(b, o->root);
		put(b, " ");
		put_escaped(b, o->mp);
		put(b, " ");
		put_opts(b, h ? h->opts : "rw,relatime", o->ro);
		put(b, " - ");
		put(b, h ? h->fstype : "vroot");
		put(b, " ");
		put(b, h ? h->source : "vroot");
		put(b, " ");
		/* A read-only mount of a writable file system: the mount is ro. */
		put(b, h ? h->super : "rw");
		put(b, "\n");
	}
}

long
vr_mountinfo(struct vr_task *t, int mounts, char *buf, size_t size)
{
	struct vr_ns *ns = t->ns;
	struct mi *m = vr_map(sizeof(*m) + HOST_MAX);
	struct sb b = {buf, size, 0};
	long n = 0, r;
	int fd, err = 0;

	if (!m)
		return -ENOMEM;
	m->host = (char *)(m + 1);
	fd = sys_openat(AT_FDCWD, "/proc/self/mountinfo", O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0) {
		err = fd;
		goto out;
	}
	while (n < (long)HOST_MAX - 1 && (r = vr_sys3(__NR_read, fd, m->host + n, HOST_MAX - 1 - n)) > 0)
		n += r;
	sys_close(fd);
	m->host[n] = '\0';
	parse(m);
	err = add(m, NULL, "/", 1, "/", 0);
	for (unsigned int i = 0; i < ns->nmounts && !err; i++)
		err = add_mount(m, &ns->mounts[i]);
	if (err)
		goto out;
	/* A line's parent: the nearest line above it on the path. */
	for (unsigned int i = 1; i < m->nout; i++) {
		long best = -1;

		for (unsigned int j = 0; j < m->nout; j++) {
			long l = vr_path_under(m->out[i].mp, m->out[i].mplen, m->out[j].mp,
			                       m->out[j].mplen);

			if (j != i && l > best && m->out[j].mplen < m->out[i].mplen) {
				best = l;
				m->out[i].parent = j + 1;
			}
		}
	}
	write_out(m, &b, ns, mounts);
	err = b.len > size ? -ERANGE : (int)b.len;
out:
	vr_unmap(m, sizeof(*m) + HOST_MAX);
	return err < 0 ? err : (long)b.len;
}
