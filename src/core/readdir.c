/*
 * readdir.c - listing a virtual directory.
 *
 * A listing is the merge of the directory's layers, topmost first: a name is
 * listed once, at its first appearance; whiteouts and the namespace's own
 * directories are hidden (and hide the name in the layers below); names of
 * mount points, and of synthetic directories leading to them, are added.
 *
 * A directory stream must behave as the kernel's: an entry present for the
 * whole read is returned exactly once, whatever is unlinked or created
 * meanwhile, and a d_off handed out is a position lseek() takes back.  The
 * descriptor's file position is the only state there is (shared across
 * fork and dup as the kernel shares it; nothing to keep coherent), so a
 * position must be a point in an order that deletions do not shift:
 *
 * - a mount's directory with no mount point below it is one host directory
 *   with nothing to merge or add: the host's own getdents64 on the
 *   program's descriptor, at the host's own positions (procfs then numbers
 *   /proc/self/fd by descriptor, as natively).  Whether a directory is a
 *   mount's never changes while the namespace lives.
 * - in a directory that folds case (foldidx.c), the topmost layer holding
 *   any spelling of a name decides: the spellings of the layers below are
 *   left out, those of that one layer are all listed.
 * - any other directory is merged, even when one layer has it now: a
 *   copy-up or a whiteout may add the upper layer halfway through a read
 *   (rm -rf of a base directory does exactly that).  Entries come in the
 *   order of a 62-bit hash of their name, "." and ".." first, and an
 *   entry's d_off is its own key: the next call returns the entries whose
 *   key is above the position.  Names with equal keys are never split
 *   across two calls; seekdir() to the middle of such a group (2^-62 per
 *   pair of names) skips the rest of it, as on ext4.
 */
#include "dcache.h"
#include "fold.h"
#include "foldidx.h"
#include "owner.h"
#include "place.h"
#include "readdir.h"
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

/* Positions of the merged order: 0 the start, then ".", "..", then hashed keys. */
#define KEY_DOT    1ull
#define KEY_DOTDOT 2ull
#define KEY_FIRST  3ull
/*
 * Where a stream stands once its last entry was returned: the next call
 * ends at once instead of merging the layers again to find nothing above
 * that entry (every reader makes that call).  Above every key; it is also
 * ext4's own end position.  Names created after the end was reached are
 * not listed until the stream is rewound, which POSIX leaves open.
 */
#define KEY_END 0x7fffffffffffffffull

/* name_key() - the position an entry named @name holds in the merged order. */
static unsigned long long
name_key(const char *name, size_t len)
{
	unsigned long long h = 14695981039346656037ull;

	if (name[0] == '.' && len == 1)
		return KEY_DOT;
	if (name[0] == '.' && len == 2 && name[1] == '.')
		return KEY_DOTDOT;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 1099511628211ull;
	/* 62 bits: far below what lseek() takes on a directory of any filesystem. */
	return KEY_FIRST + (h >> 2);
}

/*
 * What settle() still has to find out about an entry of an overlay layer:
 * left until the entry is about to be returned, so that a call costs a few
 * system calls for the entries it returns, not one for every name.
 */
#define LAZY_WHITEOUT 1u /* a character device: maybe a whiteout */
#define LAZY_INO      2u /* d_ino still the layer's, not the overlay's */
#define LAZY_TYPE     4u /* an upper regular file: maybe a device's record */

/* One name of the listing; `emit` is 0 for a name that only hides others. */
struct entry {
	unsigned long long key; /* name_key() */
	unsigned long long ino;
	unsigned int next; /* offset of the next entry in list order */
	unsigned short len;
	unsigned char type;
	unsigned char emit;
	unsigned char layer; /* index into the directory's w->node.fd[] */
	unsigned char lazy;  /* LAZY_* */
	char name[];
};

struct listing {
	char *mem; /* entries, in listing order; pages touched as they fill */
	size_t used, cap;
	unsigned int *hash; /* hslots offsets + 1, 0 = empty */
	unsigned int hslots;
	unsigned int count;
	int mem_mapped, hash_mapped; /* 0: in the walk's scratch, reused call after call */
	/* Names whose key is at or below this were returned already: left out. */
	unsigned long long after;
	unsigned long dev[VR_MAX_LAYERS]; /* per w->node.fd[]: the layer directory's device */
	unsigned char impure[VR_MAX_LAYERS];
	int specials; /* vr_owner_specials(), asked at the first upper file: -1 not yet */
	/* Folding: the names of the layers read so far, by folded hash. */
	int fold;
	struct fold_slot *fh; /* fslots, mapped; off 0 = empty */
	unsigned int fslots;
	char *fa, *fb; /* room for two folded names */
	/*
	 * The stream's own descriptor, at position self_pos: the top layer
	 * is read through it when it is that directory (no reopening);
	 * self_moved then says its position must be set again.
	 */
	int self, self_moved;
	long self_pos;
};

struct fold_slot {
	uint64_t h;
	unsigned int off; /* the entry's offset + 1 */
};

/* Most directories fit in the walk's scratch: no mapping, no fresh pages to fault in. */
#define SCRATCH_LIST (128u * 1024u)

static int
listing_init(struct listing *l, struct vr_scratch *s)
{
	l->used = 0;
	l->count = 0;
	l->specials = -1;
	l->after = 0;
	l->self = -1;
	l->self_moved = 0;
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
	if (l->fh)
		vr_unmap(l->fh, l->fslots * sizeof(struct fold_slot));
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

/* entry_bytes() - what an entry of a @len-byte name takes in a listing. */
static size_t
entry_bytes(size_t len)
{
	return (sizeof(struct entry) + len + 1 + 7) & ~(size_t)7;
}

/* add() - record a name; 0 if it was already there, 1 if added, -ENOMEM. */
static int
add(struct listing *l, const char *name, size_t len, unsigned long long ino, unsigned char type,
    int emit, unsigned int layer, unsigned int lazy)
{
	size_t need = entry_bytes(len);
	unsigned long long key = name_key(name, len);
	struct entry *e;
	unsigned int h;

	/* Folding: names returned already still hide their other spellings. */
	if ((key <= l->after && !l->fold) || l->hash[slot_of(l, name, len)])
		return 0;
	if ((l->count + 1) * 2 > l->hslots && grow(l) < 0)
		return -ENOMEM;
	if (l->used + need > l->cap && more_room(l) < 0)
		return -ENOMEM;
	h = slot_of(l, name, len);
	e = (struct entry *)(l->mem + l->used);
	e->key = key;
	e->ino = ino;
	e->len = (unsigned short)len;
	e->type = type;
	e->emit = (unsigned char)emit;
	e->layer = (unsigned char)layer;
	e->lazy = (unsigned char)lazy;
	vr_memcpy(e->name, name, len);
	e->name[len] = '\0';
	l->hash[h] = (unsigned int)l->used + 1;
	l->used += need;
	e->next = (unsigned int)l->used;
	l->count++;
	return 1;
}

/* hidden_entry() - the entry is one of the namespace's own directories. */
static int
hidden_entry(struct vr_walk *w, int dirfd, const struct vr_dirent64 *d)
{
	struct stat st;

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
 * specials() - the upper layer's regular files may be devices kept as
 * regular files (owner.h), which show their recorded type: asked of the
 * prefix once per listing, and only when it has such files.
 */
static int
specials(struct vr_walk *w, struct listing *l)
{
	if (l->specials < 0)
		l->specials = vr_owner_specials(w->ns);
	return l->specials;
}

/*
 * fold_index() - every entry of the layers read so far in l->fh, by the
 * hash of its folded form (made anew before each layer below the first).
 */
static int
fold_index(struct listing *l)
{
	unsigned int slots = 64;
	size_t off = 0;

	if (l->fh)
		vr_unmap(l->fh, l->fslots * sizeof(struct fold_slot));
	while (slots < 2 * l->count + 2)
		slots *= 2;
	l->fh = vr_map(slots * sizeof(struct fold_slot));
	l->fslots = l->fh ? slots : 0;
	if (!l->fh)
		return -ENOMEM;
	for (unsigned int i = 0; i < l->count; i++) {
		const struct entry *e = (const struct entry *)(l->mem + off);
		uint64_t h = vr_fold_hash(e->name, e->len);
		unsigned int k = (unsigned int)h & (slots - 1);

		while (l->fh[k].off)
			k = (k + 1) & (slots - 1);
		l->fh[k].h = h;
		l->fh[k].off = (unsigned int)off + 1;
		off = e->next;
	}
	return 0;
}

/* fold_above() - a layer read before holds a spelling of @name (@len bytes). */
static int
fold_above(struct listing *l, const char *name, size_t len)
{
	uint64_t h = vr_fold_hash(name, len);
	unsigned int mask = l->fslots - 1;
	long n = -1;

	for (unsigned int k = (unsigned int)h & mask; l->fh[k].off; k = (k + 1) & mask) {
		const struct entry *e = (const struct entry *)(l->mem + l->fh[k].off - 1);
		long m;

		if (l->fh[k].h != h)
			continue;
		if (n < 0)
			n = vr_fold_name(name, len, l->fa, NAME_MAX * VR_FOLD_GROWTH);
		m = vr_fold_name(e->name, e->len, l->fb, NAME_MAX * VR_FOLD_GROWTH);
		if (n >= 0 && m == n && vr_memcmp(l->fa, l->fb, (size_t)n) == 0)
			return 1;
	}
	return 0;
}

/*
 * own_stream() - layer directory @i of the listing is the stream's own
 * descriptor's directory (the walk learnt its identity for nothing): read
 * it through that descriptor from the start.  Return: 1 if it is.
 */
static int
own_stream(struct vr_walk *w, struct listing *l, unsigned int i)
{
	if (i != 0 || l->self < 0 || w->at_fd != l->self || w->at_st.st_dev != w->node.st.st_dev ||
	    w->at_st.st_ino != w->node.st.st_ino)
		return 0;
	if (l->self_pos != 0 && sys_lseek(l->self, 0, 0 /* SEEK_SET */) != 0)
		return 0;
	l->self_moved = 1;
	return 1;
}

/*
 * read_layer() - add the entries of layer directory w->node.fd[@i]; @overlay:
 * 0 a mount's, 1 a lower layer's, 2 the upper layer's (whose copied-up
 * entries show their base inode numbers, as stat() does, when it is marked
 * impure).
 */
static int
read_layer(struct vr_walk *w, struct listing *l, unsigned int i, int overlay, char *buf)
{
	int fd = w->node.fd[i], own = own_stream(w, l, i),
	    dfd = own ? l->self : w->ns->ops->opendir(fd);
	unsigned int lazy = overlay ? LAZY_INO : 0;
	struct stat st;
	long n;
	int err = 0;

	if (dfd < 0)
		return dfd;
	l->impure[i] = overlay == 2 && vr_is_impure(fd);
	/* The walk has the top layer's own: one fstat() less per listing. */
	if (overlay && i == 0)
		l->dev[i] = w->node.st.st_dev;
	else
		l->dev[i] = overlay && sys_fstat(fd, &st) == 0 ? st.st_dev : 0;
	while (err >= 0 && (n = sys_getdents64(dfd, buf, READ_BYTES)) > 0) {
		for (long off = 0; off < n && err >= 0;) {
			struct vr_dirent64 *d = (struct vr_dirent64 *)(buf + off);
			size_t len = vr_strlen(d->d_name);
			unsigned int more;

			off += d->d_reclen;
			/* A name returned already costs no more than its hash. */
			if (!l->fold && name_key(d->d_name, len) <= l->after)
				continue;
			if (l->fold && i > 0 && fold_above(l, d->d_name, len))
				continue;
			more = overlay && d->d_type == DT_CHR ? LAZY_WHITEOUT : 0;
			if (overlay == 2 && d->d_type == DT_REG && specials(w, l))
				more = LAZY_TYPE;
			err = add(l, d->d_name, len, d->d_ino, d->d_type, !hidden_entry(w, dfd, d),
			          i, lazy | more);
		}
	}
	/*
	 * A lower layer's directory removed from outside while its node was
	 * still trusted (dcache.c's bound) has nothing left to show.
	 */
	if (err >= 0 && n < 0 && !(n == -ENOENT && i > 0))
		err = (int)n;
	if (!own)
		sys_close(dfd);
	return err < 0 ? err : 0;
}

/*
 * settle() - what read_layer() left for later about @e, an entry of layer
 * directory @fd (on device @dev; @impure: marked impure): a whiteout is
 * not listed (it still hid the name below it), an overlay entry gets the
 * inode number stat() shows.  Return: 1 if @e is listed.
 */
static int
settle(struct vr_walk *w, int fd, unsigned long dev, int impure, struct entry *e)
{
	unsigned long ino = e->ino;
	struct stat st;

	if ((e->lazy & LAZY_WHITEOUT) && sys_fstatat(fd, e->name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    vr_is_whiteout(&st))
		e->emit = 0;
	if (e->emit && (e->lazy & LAZY_INO)) {
		if (impure && (e->type == DT_REG || e->type == DT_DIR))
			vr_origin_entry(w->ns, fd, e->name, &dev, &ino);
		e->ino = vr_ns_map_ino(w->ns, &dev, ino);
	}
	if (e->emit && (e->lazy & LAZY_TYPE))
		e->type = vr_owner_dtype(fd, e->name);
	e->lazy = 0;
	return e->emit;
}

/* settle_listed() - settle() of @e, whose layer is the index into w->node.fd[]. */
static int
settle_listed(struct vr_walk *w, struct listing *l, struct entry *e)
{
	if (!e->lazy)
		return e->emit;
	return settle(w, w->node.fd[e->layer], l->dev[e->layer], l->impure[e->layer], e);
}

/*
 * settle_kept() - settle() of @e, kept in rest @r, whose layer is a layer
 * number: the directory may have gained its upper layer since, which moves
 * the others in w->node.fd[].  Gone from the directory: @e is not listed.
 */
static int
settle_kept(struct vr_walk *w, struct vr_dc_rest *r, struct entry *e)
{
	if (!e->lazy)
		return e->emit;
	for (unsigned int i = 0; i < w->node.nfd; i++)
		if (w->node.layer[i] == e->layer)
			return settle(w, w->node.fd[i], r->dev_of[e->layer], r->impure[e->layer],
			              e);
	e->emit = 0;
	return 0;
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
		unsigned int h;
		int err;

		if (at < 0 || (size_t)at >= m->plen)
			continue;
		c = m->path + at + 1;
		while (c[len] && c[len] != '/')
			len++;
		st.st_ino = 0;
		st.st_mode = S_IFDIR;
		if (!c[len] && sys_fstat(m->b.fd, &st) < 0)
			st.st_mode = S_IFDIR;
		/* DT_* is the mode's type bits: a mount of one file lists as what it is. */
		err = add(l, c, len, st.st_ino ? st.st_ino : hash_name(c, len),
		          (unsigned char)((st.st_mode & S_IFMT) >> 12), 1, 0, 0);
		if (err < 0)
			return err;
		/* A layer's entry of that name (a whiteout too) is the file's, as lookups find. */
		h = l->hash[slot_of(l, c, len)];
		if (err == 0 && (st.st_mode & S_IFMT) != S_IFDIR && h) {
			struct entry *e = (struct entry *)(l->mem + h - 1);

			e->ino = st.st_ino;
			e->type = (unsigned char)((st.st_mode & S_IFMT) >> 12);
			e->emit = 1;
			e->lazy = 0;
		}
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
	l->fold = !o->synthetic && !o->mount && o->nfd > 1 && vr_fold_dir(w->ns, o);
	if (l->fold) {
		l->fa = vr_alloc(&w->s, NAME_MAX * VR_FOLD_GROWTH);
		l->fb = vr_alloc(&w->s, NAME_MAX * VR_FOLD_GROWTH);
		if (!l->fa || !l->fb)
			return -ENOMEM;
	}
	if (o->synthetic) {
		err = add(l, ".", 1, o->st.st_ino, DT_DIR, 1, 0, 0);
		if (err >= 0)
			err = add(l, "..", 2, o->st.st_ino, DT_DIR, 1, 0, 0);
	}
	for (unsigned int i = 0; i < o->nfd && !o->synthetic && err >= 0; i++) {
		if (l->fold && i > 0)
			err = fold_index(l);
		if (err < 0)
			break;
		err = read_layer(w, l, i,
		                 o->mount                                 ? 0
		                 : (o->layer[i] == 0 && w->ns->has_upper) ? 2
		                                                          : 1,
		                 buf);
	}
	if (err >= 0)
		err = add_mount_children(w, l);
	return err < 0 ? err : 0;
}

/* One entry still to return: its key and where it lies in the listing. */
struct cand {
	unsigned long long key;
	struct entry *e;
};

/* cand_before() - @a comes before @b: by key, equal keys by name. */
static int
cand_before(const struct cand *a, const struct cand *b)
{
	size_t n;
	int c;

	if (a->key != b->key)
		return a->key < b->key;
	n = a->e->len < b->e->len ? a->e->len : b->e->len;
	c = vr_memcmp(a->e->name, b->e->name, n);
	return c ? c < 0 : a->e->len < b->e->len;
}

/* sift() - restore the min-heap @h[0..@n) below slot @i. */
static void
sift(struct cand *h, size_t n, size_t i)
{
	for (;;) {
		size_t m = i, l = 2 * i + 1, r = l + 1;
		struct cand t;

		if (l < n && cand_before(&h[l], &h[m]))
			m = l;
		if (r < n && cand_before(&h[r], &h[m]))
			m = r;
		if (m == i)
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/* dirent_bytes() - the length of @e's getdents64 record. */
static size_t
dirent_bytes(const struct entry *e)
{
	return (offsetof(struct vr_dirent64, d_name) + e->len + 1 + 7) & ~(size_t)7;
}

/* put_dirent() - one getdents64 record at @out; its length. */
static size_t
put_dirent(char *out, const struct entry *e, unsigned long long off)
{
	size_t reclen = dirent_bytes(e);
	struct vr_dirent64 *d = (struct vr_dirent64 *)out;

	d->d_ino = e->ino;
	d->d_off = (long long)off;
	d->d_reclen = (unsigned short)reclen;
	d->d_type = e->type;
	vr_memcpy(d->d_name, e->name, e->len + 1u);
	return reclen;
}

/*
 * positions() - the records of @out[0..@used) point at their own keys, the
 * last at KEY_END when @done (nothing left: telldir() says so); *@pos
 * becomes the last one's.
 */
static void
positions(char *out, size_t used, int done, unsigned long long *pos)
{
	for (size_t at = 0; at < used;) {
		struct vr_dirent64 *d = (struct vr_dirent64 *)(out + at);

		at += d->d_reclen;
		if (done && at == used)
			d->d_off = (long long)KEY_END;
		*pos = (unsigned long long)d->d_off;
	}
}

/*
 * keep_rest() - the @n candidates of heap @h, in the order they are to be
 * returned, into a rest for @fd (dcache.h), which the stream's next call
 * takes while its position is still @pos.  Without room or the cache, the
 * next call merges again: nothing is lost.
 */
static void
keep_rest(struct vr_walk *w, struct listing *l, int fd, unsigned long long pos, struct cand *h,
          size_t n)
{
	struct vr_dc_rest *r;
	size_t bytes = 0;

	for (size_t i = 0; i < n; i++)
		bytes += entry_bytes(h[i].e->len);
	bytes = (bytes + 4095) & ~(size_t)4095;
	r = vr_dc_rest(w, fd, 1);
	if (!r)
		return;
	r->mem = vr_map(bytes);
	if (!r->mem) {
		vr_dc_rest_drop(r);
		return;
	}
	r->size = bytes;
	r->pos = pos;
	r->dev = w->node.st.st_dev;
	r->ino = w->node.st.st_ino;
	for (unsigned int i = 0; i < w->node.nfd; i++) {
		r->dev_of[w->node.layer[i]] = l->dev[i];
		r->impure[w->node.layer[i]] = l->impure[i];
	}
	while (n) {
		struct entry *e = (struct entry *)(r->mem + r->end);
		size_t need = entry_bytes(h[0].e->len);

		vr_memcpy(e, h[0].e, need);
		e->layer = w->node.layer[e->layer];
		r->end += need;
		e->next = (unsigned int)r->end;
		h[0] = h[--n];
		sift(h, n, 0);
	}
}

/*
 * emit() - the entries whose key is above *@pos, in key order, as many
 * whole groups of equal keys as fit in @size; *@pos becomes the last one's
 * key.  The candidates are heaped in memory from @s (or a mapping), so a
 * call costs the listing plus a few pops, not a sort of the directory.
 * What is left is kept for stream @fd's next call (keep_rest()).
 * Return: bytes, 0 at the end, -EINVAL (the next group does not fit), -ENOMEM.
 */
static long
emit(struct vr_walk *w, struct listing *l, int fd, unsigned long long *pos, char *out, size_t size)
{
	size_t n = 0, off = 0, used = 0, group = 0, bytes = (size_t)l->count * sizeof(struct cand);
	struct cand *h = vr_alloc(&w->s, bytes);
	unsigned long long last = *pos;
	int mapped = h == NULL, split = 0;

	if (mapped && bytes && !(h = vr_map(bytes)))
		return -ENOMEM;
	for (unsigned int i = 0; i < l->count; i++) {
		struct entry *e = (struct entry *)(l->mem + off);

		off = e->next;
		if (e->emit && e->key > *pos)
			h[n++] = (struct cand){e->key, e};
	}
	for (size_t i = n / 2; i-- > 0;)
		sift(h, n, i);
	while (n) {
		struct cand c = h[0];
		size_t reclen = dirent_bytes(c.e);

		if (!settle_listed(w, l, c.e)) {
			h[0] = h[--n];
			sift(h, n, 0);
			continue;
		}
		if (c.key != last)
			group = used;
		if (used + reclen > size) {
			/* Never split names of one key over two calls. */
			split = c.key == last;
			if (split)
				used = group;
			break;
		}
		used += put_dirent(out + used, c.e, c.key);
		last = c.key;
		h[0] = h[--n];
		sift(h, n, 0);
	}
	positions(out, used, !n, pos);
	/* A group taken back left the heap: the next call merges again. */
	if (used && n && !split)
		keep_rest(w, l, fd, *pos, h, n);
	if (mapped && bytes)
		vr_unmap(h, bytes);
	if (!used)
		return n ? -EINVAL : 0;
	return (long)used;
}

/*
 * emit_kept() - emit() from rest @r: its entries in order from r->at, as
 * many whole groups of equal keys as fit in @size.
 */
static long
emit_kept(struct vr_walk *w, struct vr_dc_rest *r, unsigned long long *pos, char *out, size_t size)
{
	size_t used = 0, group = 0, at = r->at, group_at = r->at;
	unsigned long long last = *pos;

	while (at < r->end) {
		struct entry *e = (struct entry *)(r->mem + at);
		size_t reclen = dirent_bytes(e);

		if (!settle_kept(w, r, e)) {
			at = e->next;
			continue;
		}
		if (e->key != last) {
			group = used;
			group_at = at;
		}
		if (used + reclen > size) {
			if (e->key == last) {
				used = group;
				at = group_at;
			}
			break;
		}
		used += put_dirent(out + used, e, e->key);
		last = e->key;
		at = e->next;
	}
	r->at = at;
	positions(out, used, at == r->end, pos);
	if (!used)
		return at < r->end ? -EINVAL : 0;
	return (long)used;
}

/* mount_below() - a mount point lies below w->vpath: its listing gains names. */
static int
mount_below(const struct vr_walk *w)
{
	for (unsigned int i = 0; i < w->ns->nmounts; i++) {
		const struct vr_mount *m = &w->ns->mounts[i];
		long at = vr_path_under(m->path, m->plen, w->vpath, w->vlen);

		if (at >= 0 && (size_t)at < m->plen)
			return 1;
	}
	return 0;
}

/*
 * host_getdents() - the host's own listing of @fd, at its own positions,
 * less the namespace's own directories.  A call whose every entry was
 * hidden reads on, so 0 still means the end.
 */
static long
host_getdents(struct vr_walk *w, int fd, char *buf, size_t size)
{
	long n, out;

	do {
		n = sys_getdents64(fd, buf, size);
		out = 0;
		for (long in = 0; in < n;) {
			struct vr_dirent64 *d = (struct vr_dirent64 *)(buf + in);
			unsigned short rl = d->d_reclen;

			if (!hidden_entry(w, fd, d)) {
				vr_memmove(buf + out, d, rl);
				out += rl;
			}
			in += rl;
		}
	} while (n > 0 && out == 0);
	return n < 0 ? n : out;
}

/*
 * merged_getdents() - the merged listing of w->node from @fd's position
 * @pos on: from the rest the stream's last call kept when it is still
 * there (the same directory, the position that call left), else merged
 * from the layers.  Between two calls of a stream the listing is not
 * merged again, so names made or removed meanwhile may or may not show
 * (POSIX leaves it open; kernel overlayfs keeps its merged listing the
 * same way until the stream is rewound), while every entry present for
 * the whole read is returned exactly once.
 */
static long
merged_getdents(struct vr_walk *w, int fd, long pos, char *buf, size_t size)
{
	struct vr_dc_rest *r = vr_dc_rest(w, fd, 0);
	struct listing l = {0};
	unsigned long long at = (unsigned long long)pos;
	long n;

	if (pos < 0)
		return pos;
	if (r && pos && r->pos == at && r->dev == w->node.st.st_dev &&
	    r->ino == w->node.st.st_ino) {
		n = emit_kept(w, r, &at, buf, size);
		if (n > 0 && (pos = sys_lseek(fd, (long)at, 0 /* SEEK_SET */)) < 0)
			n = pos;
		if (n > 0 && r->at < r->end)
			r->pos = at;
		else if (n != -EINVAL)
			vr_dc_rest_drop(r);
		return n;
	}
	if (r)
		vr_dc_rest_drop(r);
	n = listing_init(&l, &w->s);
	if (n < 0)
		return n;
	l.after = at;
	l.self = fd;
	l.self_pos = pos;
	n = build(w, &l);
	if (n >= 0)
		n = emit(w, &l, fd, &at, buf, size);
	if (n > 0 && (pos = sys_lseek(fd, (long)at, 0 /* SEEK_SET */)) < 0) {
		n = pos;
		if ((r = vr_dc_rest(w, fd, 0)))
			vr_dc_rest_drop(r);
	} else if (n <= 0 && l.self_moved) {
		/* Nothing returned: the stream stays where it was. */
		sys_lseek(fd, l.self_pos, 0 /* SEEK_SET */);
	}
	listing_fini(&l);
	return n;
}

long
vr_getdents64(struct vr_task *t, int fd, void *buf, size_t size)
{
	return vr_getdents64_at(t, fd, sys_lseek(fd, 0, 1 /* SEEK_CUR */), buf, size);
}

long
vr_getdents64_at(struct vr_task *t, int fd, long pos, void *buf, size_t size)
{
	struct vr_walk *w;
	long n;
	int err;

	/* lseek() refuses an O_PATH descriptor (EBADF) as getdents64() does. */
	if (pos == -EBADF)
		return pos;
	/* A directory read to its end (or seeked there) needs no walk. */
	if ((unsigned long long)pos == KEY_END) {
		struct stat st;

		if (vr_dc_fd_dir_known(t->ns, fd) ||
		    (sys_fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)))
			return 0;
	}
	w = vr_walk_begin(t, &err);
	if (!w)
		return err;
	/* From where the descriptor is (dcache.c knows it without /proc). */
	n = vr_walk_path(w, fd, "", VR_WALK_EMPTY | VR_WALK_KEEP);
	if (n == -ENOENT) {
		/* Not in the namespace (passed in from outside): the host's directory. */
		n = host_getdents(w, fd, buf, size);
		goto out;
	}
	if (n >= 0 && !vr_obj_is_dir(&w->node))
		n = -ENOTDIR;
	if (n < 0)
		goto out;
	if (w->node.mount && !w->node.synthetic && w->node.nfd == 1 && !mount_below(w))
		n = host_getdents(w, fd, buf, size);
	else
		n = merged_getdents(w, fd, pos, buf, size);
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
		    (e->name[0] == '.' && (e->len == 1 || (e->len == 2 && e->name[1] == '.'))) ||
		    !settle_listed(w, &l, e))
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
