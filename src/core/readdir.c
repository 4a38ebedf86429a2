/*
 * readdir.c - listing a virtual directory.
 *
 * A listing is the merge of the directory's layers, topmost first: a name is
 * listed once, at its first appearance; whiteouts and the namespace's own
 * directories are hidden (and hide the name in the layers below); names of
 * mount points, and of synthetic directories leading to them, are added at
 * the end.  The descriptor's file position is an index into that listing,
 * so telldir()/seekdir() values stay valid while the directory is unchanged.
 * The listing is rebuilt on each call: no state lives outside the call.
 */
#include "place.h"
#include "util.h"

/* d_type values (the kernel's DT_*, not in any uapi header). */
#define DT_UNKNOWN 0
#define DT_CHR     2
#define DT_DIR     4
#define DT_REG     8

#define LIST_BYTES (64ul << 20)
#define HASH_FIRST 1024u /* slots: one page, grown by doubling */
#define HASH_MAX   (1u << 22)
#define READ_BYTES 32768

/* One name of the listing; `emit` is 0 for a name that only hides others. */
struct entry {
	unsigned long long ino;
	unsigned int next; /* offset of the next entry in list order */
	unsigned short len;
	unsigned char type;
	unsigned char emit;
	char name[];
};

struct listing {
	char *mem; /* entries, in listing order; pages touched as they fill */
	size_t used, cap;
	unsigned int *hash; /* hslots offsets + 1, 0 = empty */
	unsigned int hslots;
	unsigned int count;
	int mem_mapped, hash_mapped; /* 0: in the walk's scratch, reused call after call */
};

/* Most directories fit in the walk's scratch: no mapping, no fresh pages to fault in. */
#define SCRATCH_LIST (128u * 1024u)

static int
listing_init(struct listing *l, struct vr_scratch *s)
{
	l->used = 0;
	l->count = 0;
	l->hslots = HASH_FIRST;
	l->mem = vr_alloc(s, SCRATCH_LIST);
	l->cap = SCRATCH_LIST;
	l->mem_mapped = l->mem == NULL;
	if (!l->mem) {
		l->mem = vr_map(LIST_BYTES);
		l->cap = LIST_BYTES;
	}
	l->hash = vr_alloc(s, HASH_FIRST * sizeof(unsigned int));
	l->hash_mapped = l->hash == NULL;
	if (l->hash)
		vr_memset(l->hash, 0, HASH_FIRST * sizeof(unsigned int));
	else
		l->hash = vr_map(HASH_FIRST * sizeof(unsigned int));
	if (l->mem && l->hash)
		return 0;
	if (l->mem_mapped)
		vr_unmap(l->mem, LIST_BYTES);
	if (l->hash_mapped)
		vr_unmap(l->hash, HASH_FIRST * sizeof(unsigned int));
	return -ENOMEM;
}

static void
listing_fini(struct listing *l)
{
	if (l->mem_mapped)
		vr_unmap(l->mem, LIST_BYTES);
	if (l->hash_mapped)
		vr_unmap(l->hash, l->hslots * sizeof(unsigned int));
}

/* more_room() - the entries move from the scratch to a mapping of LIST_BYTES. */
static int
more_room(struct listing *l)
{
	char *mem;

	if (l->mem_mapped)
		return -ENOMEM;
	mem = vr_map(LIST_BYTES);
	if (!mem)
		return -ENOMEM;
	vr_memcpy(mem, l->mem, l->used);
	l->mem = mem;
	l->cap = LIST_BYTES;
	l->mem_mapped = 1;
	return 0;
}

static unsigned int
hash_name(const char *s, size_t len)
{
	unsigned int h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static unsigned int hash_name(const char *s, size_t len);

/* slot_of() - the slot for @name: its entry's, or the empty one it would take. */
static unsigned int
slot_of(const struct listing *l, const char *name, size_t len)
{
	unsigned int mask = l->hslots - 1, h = hash_name(name, len) & mask;

	while (l->hash[h]) {
		const struct entry *e = (const struct entry *)(l->mem + l->hash[h] - 1);

		if (e->len == len && vr_memcmp(e->name, name, len) == 0)
			break;
		h = (h + 1) & mask;
	}
	return h;
}

/* grow() - twice the slots, every entry hashed again. */
static int
grow(struct listing *l)
{
	unsigned int *old = l->hash, oslots = l->hslots;
	size_t off = 0;

	if (oslots >= HASH_MAX)
		return -ENOMEM;
	l->hash = vr_map(oslots * 2 * sizeof(unsigned int));
	if (!l->hash) {
		l->hash = old;
		return -ENOMEM;
	}
	l->hslots = oslots * 2;
	for (unsigned int i = 0; i < l->count; i++) {
		struct entry *e = (struct entry *)(l->mem + off);

		l->hash[slot_of(l, e->name, e->len)] = (unsigned int)off + 1;
		off = e->next;
	}
	if (l->hash_mapped)
		vr_unmap(old, oslots * sizeof(unsigned int));
	l->hash_mapped = 1;
	return 0;
}

/* add() - record a name; 0 if it was already there, 1 if added, -ENOMEM. */
static int
add(struct listing *l, const char *name, size_t len, unsigned long long ino, unsigned char type,
    int emit)
{
	size_t need = (sizeof(struct entry) + len + 1 + 7) & ~(size_t)7;
	struct entry *e;
	unsigned int h;

	if (l->hash[slot_of(l, name, len)])
		return 0;
	if ((l->count + 1) * 2 > l->hslots && grow(l) < 0)
		return -ENOMEM;
	if (l->used + need > l->cap && more_room(l) < 0)
		return -ENOMEM;
	h = slot_of(l, name, len);
	e = (struct entry *)(l->mem + l->used);
	e->ino = ino;
	e->len = (unsigned short)len;
	e->type = type;
	e->emit = (unsigned char)emit;
	vr_memcpy(e->name, name, len);
	e->name[len] = '\0';
	l->hash[h] = (unsigned int)l->used + 1;
	l->used += need;
	e->next = (unsigned int)l->used;
	l->count++;
	return 1;
}

/* hidden_entry() - the entry is a whiteout or one of the namespace's own dirs. */
static int
hidden_entry(struct vr_walk *w, int dirfd, const struct vr_dirent64 *d, int overlay)
{
	struct stat st;

	if (d->d_type == DT_CHR && overlay) {
		if (sys_fstatat(dirfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    vr_is_whiteout(&st))
			return 1;
	}
	if (d->d_type != DT_DIR && d->d_type != DT_UNKNOWN)
		return 0;
	/* The upper root's own "." and ".." are the listing's. */
	if (d->d_name[0] == '.' && (!d->d_name[1] || (d->d_name[1] == '.' && !d->d_name[2])))
		return 0;
	if (!w->ns->has_upper || (d->d_ino != w->ns->layers[0].ino && d->d_ino != w->ns->work.ino))
		return 0;
	return sys_fstatat(dirfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       vr_ns_is_hidden(w->ns, st.st_dev, st.st_ino);
}

/*
 * read_layer() - add the entries of layer directory @fd; @overlay: 0 a
 * mount's, 1 a lower layer's, 2 the upper layer's (whose copied-up entries
 * show their base inode numbers, as stat() does, when it is marked impure).
 */
static int
read_layer(struct vr_walk *w, struct listing *l, int fd, int overlay, char *buf)
{
	unsigned long dev = 0;
	int dfd = w->ns->ops->opendir(fd);
	int impure = overlay == 2 && vr_is_impure(fd);
	struct stat st;

	/* Entries show the inode numbers stat() shows: mapped for the overlay. */
	if (overlay && sys_fstat(fd, &st) == 0)
		dev = st.st_dev;
	long n;
	int err = 0;

	if (dfd < 0)
		return dfd;
	while (err >= 0 && (n = sys_getdents64(dfd, buf, READ_BYTES)) > 0) {
		for (long off = 0; off < n && err >= 0;) {
			struct vr_dirent64 *d = (struct vr_dirent64 *)(buf + off);
			int hide = hidden_entry(w, dfd, d, overlay);
			unsigned long edev = dev, ino = d->d_ino;

			if (impure && (d->d_type == DT_REG || d->d_type == DT_DIR))
				vr_origin_entry(w->ns, dfd, d->d_name, &edev, &ino);
			if (overlay)
				ino = vr_ns_map_ino(w->ns, &edev, ino);

			err = add(l, d->d_name, vr_strlen(d->d_name), ino, d->d_type, !hide);
			off += d->d_reclen;
		}
	}
	if (err >= 0 && n < 0)
		err = (int)n;
	sys_close(dfd);
	return err < 0 ? err : 0;
}

/* add_mount_children() - names below w->vpath that lead to mount points. */
static int
add_mount_children(struct vr_walk *w, struct listing *l)
{
	for (unsigned int i = 0; i < w->ns->nmounts; i++) {
		const struct vr_mount *m = &w->ns->mounts[i];
		long at = vr_path_under(m->path, m->plen, w->vpath, w->vlen);
		const char *c;
		size_t len = 0;
		struct stat st;
		int err;

		if (at < 0 || (size_t)at >= m->plen)
			continue;
		c = m->path + at + 1;
		while (c[len] && c[len] != '/')
			len++;
		st.st_ino = 0;
		if (!c[len])
			sys_fstat(m->b.fd, &st);
		err = add(l, c, len, st.st_ino ? st.st_ino : hash_name(c, len), DT_DIR, 1);
		if (err < 0)
			return err;
	}
	return 0;
}

static int
build(struct vr_walk *w, struct listing *l)
{
	struct vr_obj *o = &w->node;
	char *buf = vr_alloc(&w->s, READ_BYTES);
	int err = 0;

	if (!buf)
		return -ENOMEM;
	if (o->synthetic) {
		err = add(l, ".", 1, o->st.st_ino, DT_DIR, 1);
		if (err >= 0)
			err = add(l, "..", 2, o->st.st_ino, DT_DIR, 1);
	}
	for (unsigned int i = 0; i < o->nfd && !o->synthetic && err >= 0; i++)
		err = read_layer(w, l, o->fd[i],
		                 o->mount                                 ? 0
		                 : (o->layer[i] == 0 && w->ns->has_upper) ? 2
		                                                          : 1,
		                 buf);
	if (err >= 0)
		err = add_mount_children(w, l);
	return err < 0 ? err : 0;
}

/* emit() - copy entries from index @pos on; returns bytes, sets *pos. */
static long
emit(struct listing *l, long *pos, char *out, size_t size)
{
	size_t off = 0, used = 0;
	long idx = 0;

	for (unsigned int i = 0; i < l->count; i++) {
		struct entry *e = (struct entry *)(l->mem + off);
		size_t reclen =
		        (offsetof(struct vr_dirent64, d_name) + e->len + 1 + 7) & ~(size_t)7;
		struct vr_dirent64 *d;

		off = e->next;
		if (!e->emit)
			continue;
		if (idx++ < *pos)
			continue;
		if (used + reclen > size)
			return used ? (long)used : -EINVAL;
		d = (struct vr_dirent64 *)(out + used);
		d->d_ino = e->ino;
		d->d_off = idx;
		d->d_reclen = (unsigned short)reclen;
		d->d_type = e->type;
		vr_memcpy(d->d_name, e->name, e->len + 1u);
		used += reclen;
		*pos = idx;
	}
	return (long)used;
}

long
vr_getdents64(struct vr_task *t, int fd, void *buf, size_t size)
{
	struct listing l = {0};
	struct vr_walk *w;
	long pos, n;
	int err, fl;

	fl = sys_fcntl(fd, F_GETFL, 0);
	if (fl < 0)
		return fl;
	if (fl & O_PATH)
		return -EBADF;
	w = vr_walk_begin(t, &err);
	if (!w)
		return err;
	n = vr_fd_vpath(w->ns, fd, w->vpath, PATH_MAX);
	if (n >= 0)
		n = vr_walk_path(w, AT_FDCWD, w->vpath, VR_WALK_NSROOT);
	if (n >= 0 && !vr_obj_is_dir(&w->node))
		n = -ENOTDIR;
	if (n < 0)
		goto out;
	pos = sys_lseek(fd, 0, 1 /* SEEK_CUR */);
	n = pos;
	if (pos < 0)
		goto out;
	n = listing_init(&l, &w->s);
	if (n < 0)
		goto out;
	n = build(w, &l);
	if (n >= 0)
		n = emit(&l, &pos, buf, size);
	if (n > 0)
		sys_lseek(fd, pos, 0 /* SEEK_SET */);
	listing_fini(&l);
out:
	vr_walk_end(w);
	return n;
}

int
vr_dir_foreach(struct vr_walk *w, int (*fn)(void *arg, const char *name, unsigned char type),
               void *arg)
{
	struct listing l = {0};
	size_t off = 0;
	int err;

	err = listing_init(&l, &w->s);
	if (err < 0)
		return err;
	err = build(w, &l);
	for (unsigned int i = 0; i < l.count && err >= 0; i++) {
		struct entry *e = (struct entry *)(l.mem + off);

		off = e->next;
		if (!e->emit ||
		    (e->name[0] == '.' && (e->len == 1 || (e->len == 2 && e->name[1] == '.'))))
			continue;
		err = fn(arg, e->name, e->type);
	}
	listing_fini(&l);
	return err < 0 ? err : 0;
}

/* is_empty_fn() - any name at all makes the directory not empty. */
static int
is_empty_fn(void *arg, const char *name, unsigned char type)
{
	(void)name, (void)type;
	*(int *)arg = 0;
	return -ENOTEMPTY; /* stop at the first one */
}

int
vr_dir_is_empty(struct vr_walk *w)
{
	int empty = 1, err = vr_dir_foreach(w, is_empty_fn, &empty);

	return (err == 0 || err == -ENOTEMPTY) && empty;
}
