/*
 * foldidx.c - the folded-name index of a directory, for lookups in a
 * case-insensitive namespace (VR_CASE_FOLD): a name no layer has byte for
 * byte is looked up by its folded form (fold.h) here, and the walk then
 * looks up the stored name the index gives.
 *
 * An index is built once per directory, from a listing of every layer the
 * directory merges (its whiteouts included): a hash table of the entries'
 * vr_fold_hash() values and names.  A lookup is then a hash probe, whose
 * hits are confirmed by comparing folded forms.  An index stands for the
 * directory while every layer's directory is the one it was built from
 * with the same modification and change times, read by one fstat() per
 * layer: any entry added, removed or renamed there, by this process,
 * another or from outside vroot, moves them.  As those times are coarse
 * (a clock tick), an index built less than FI_RACY_NS after the last
 * change is used once and then built again (a change in the same tick
 * after the listing would not show).  The fstat()s are skipped while the
 * prefix's generation counter (coherence.c), which every change vroot
 * makes moves, has not moved since they were last made, for
 * VR_DC_BOUND_MS at most: what changes from outside vroot is seen within
 * that bound, as with the directory cache.  What this process changes in
 * the directory's first layer (vr_fold_note(), before each change) is
 * taken in by patch() without a listing, within that bound of the
 * listing: removing or copying up the names of a big directory one by
 * one lists it once a second, not once a name.
 *
 * The rules (readdir.c lists by the same ones):
 *  - the entries whose folded form is the name's are its spellings;
 *  - the topmost layer holding a spelling, an entry or a whiteout, decides
 *    alone: the spellings in the layers below are hidden, from lookups by
 *    any spelling, their own included, and from listings (an upper "foo"
 *    hides a base's "FOO", a whiteout "foo" every case variant below it);
 *  - of that layer's entries, the name itself if it is one, else the
 *    byte-wise smallest name is the one found (a base made on a
 *    case-sensitive filesystem may hold "foo" and "FOO": both are listed,
 *    and "Foo" finds "FOO"); none, when it holds only a whiteout.
 * The walk still looks a name up as given first where the index is not
 * at hand, asks the index only when it found the name below the
 * directory's topmost layer, and looks the name found up as usual
 * (whiteouts of that very name, opaque directories, mounts are judged
 * there).  A directory merges with the same spelling only in the layers
 * below it.
 *
 * A few indexes are kept (FI_SLOTS), least recently used replaced, in one
 * mapping per index.  The cache's lock holds the locking process's id and
 * is only ever tried: a thread that finds it taken, or a signal handler's
 * call interrupting a holder, scans the directory instead (correct,
 * slower).  A fork child finds the parent's id there and takes it over.
 */
#include "foldidx.h"
#include "dcache.h"
#include "fold.h"
#include "util.h"
#include "coherence.h"

#define FI_SLOTS   8
#define FI_RACY_NS 100000000ul /* 100 ms: far above a clock tick */
#define FI_FOLDED  (NAME_MAX * VR_FOLD_GROWTH)
/* Case variants of one name in one directory that are told apart. */
#define FI_CANDIDATES 16

/* One entry: a name of one layer's directory (position in the dir object). */
struct fi_ent {
	uint64_t h;
	uint32_t off; /* of the name in the names area */
	uint16_t len;
	uint8_t layer;
	uint8_t flags;
};
#define FI_USED     1u
#define FI_WHITEOUT 2u
#define FI_GONE     4u /* removed since the listing (patch()) */
/* Names this process changes in one directory between two of its lookups. */
#define FI_NOTES 4

struct fi_layer {
	unsigned long dev, ino, mtime, mtime_ns, ctime, ctime_ns;
};

struct fi_slot {
	int valid;
	int racy; /* built too soon after a change to tell later ones by the times */
	/* Last found standing for the directory: generation, clock (ms). */
	unsigned long gen, checked;
	unsigned long built; /* clock (ms) of the listing */
	/* The last name looked up and not found: maybe created since. */
	size_t plen;
	char pend[NAME_MAX + 1];
	/* Names this process is changing there (vr_fold_note()); more: over. */
	unsigned int nnote, over;
	size_t nlen[FI_NOTES];
	char note[FI_NOTES][NAME_MAX + 1];
	unsigned int nfd;
	struct fi_layer l[VR_MAX_LAYERS];
	unsigned long used;
	struct fi_ent *tab; /* nslots entries, then the names */
	size_t mapsize;
	uint32_t nslots, nent, nbytes, cap;
};

struct vr_foldidx {
	int lock; /* the holder's process id, 0 when free */
	int lost; /* a change was not noted (the lock was taken): no patch() */
	unsigned long tick;
	struct fi_slot s[FI_SLOTS];
};

#define FI_SIZE ((sizeof(struct vr_foldidx) + 4095) & ~(size_t)4095)

int
vr_fold_dir(const struct vr_ns *ns, const struct vr_obj *dir)
{
	if (!dir->exists)
		return 0;
	return (dir->mount ? dir->mount->casefold : ns->casefold) == VR_CASE_FOLD;
}

/* What one lookup looks for and has found so far. */
struct fi_query {
	const char *name;
	size_t len;
	uint64_t h;
	char folded[FI_FOLDED];
	long flen;
	unsigned int wl;  /* the topmost layer holding a matching whiteout */
	unsigned int top; /* the topmost layer holding a match of any kind */
	unsigned int n;   /* candidates (entries that are not whiteouts) */
	struct {
		unsigned int layer;
		size_t len;
		char name[NAME_MAX + 1];
	} c[FI_CANDIDATES];
};

static void
query_init(struct fi_query *q, const char *name, size_t len)
{
	q->name = name;
	q->len = len;
	q->h = vr_fold_hash(name, len);
	q->flen = vr_fold_name(name, len, q->folded, sizeof(q->folded));
	q->wl = VR_MAX_LAYERS;
	q->top = VR_MAX_LAYERS;
	q->n = 0;
}

/* A hash-matching entry: judged by its folded form, then by the rules. */
static void
query_offer(struct fi_query *q, const char *name, size_t len, unsigned int layer, int whiteout)
{
	char f[FI_FOLDED];
	long n = vr_fold_name(name, len, f, sizeof(f));

	if (n < 0 || n != q->flen || vr_memcmp(f, q->folded, (size_t)n) != 0)
		return;
	if (layer < q->top)
		q->top = layer;
	if (whiteout) {
		if (layer < q->wl)
			q->wl = layer;
		return;
	}
	if (q->n < FI_CANDIDATES) {
		q->c[q->n].layer = layer;
		q->c[q->n].len = len;
		vr_memcpy(q->c[q->n].name, name, len);
		q->n++;
	}
}

/*
 * The answer: among the candidates of the topmost layer holding a match,
 * the name itself, else the byte-wise smallest; 0 when there is none.
 */
static long
query_result(const struct fi_query *q, char *out)
{
	const char *best = NULL;
	size_t blen = 0;

	for (unsigned int i = 0; i < q->n; i++) {
		size_t len = q->c[i].len;
		int c;

		if (q->c[i].layer != q->top)
			continue;
		/* The name itself, where nothing above hides it, wins. */
		if (len == q->len && vr_memcmp(q->c[i].name, q->name, len) == 0) {
			best = q->c[i].name;
			blen = len;
			break;
		}
		c = best ? vr_memcmp(q->c[i].name, best, VR_MIN(len, blen)) : -1;
		if (c < 0 || (c == 0 && len < blen)) {
			best = q->c[i].name;
			blen = len;
		}
	}
	if (!best)
		return 0;
	vr_memcpy(out, best, blen);
	out[blen] = '\0';
	return (long)blen;
}

/* A listing of one layer's directory: counted, inserted or scanned. */
struct fi_walk {
	struct fi_slot *slot; /* NULL: count or scan */
	struct fi_query *q;   /* scan: judge every entry at once */
	unsigned int layer;
	int whiteouts; /* whiteouts mean something in this directory */
	uint32_t nent, nbytes;
	int overflow;
};

static int
entry_is_whiteout(int fd, const struct vr_dirent64 *d)
{
	struct stat st;

	return d->d_type == 2 /* DT_CHR */ &&
	       sys_fstatat(fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && vr_is_whiteout(&st);
}

static int insert(struct fi_slot *s, const char *name, size_t len, unsigned int layer, int wo);

static int
each(void *arg, int fd, const struct vr_dirent64 *d)
{
	struct fi_walk *fw = arg;
	struct fi_slot *s = fw->slot;
	size_t len = vr_strlen(d->d_name);
	/* Counting needs no stat of the whiteouts. */
	int wo = (s || fw->q) && fw->whiteouts && entry_is_whiteout(fd, d);

	if (len > NAME_MAX)
		return 0;
	if (fw->q) {
		if (vr_fold_hash(d->d_name, len) == fw->q->h)
			query_offer(fw->q, d->d_name, len, fw->layer, wo);
		return 0;
	}
	if (!s) {
		fw->nent++;
		fw->nbytes += (uint32_t)len;
		return 0;
	}
	if (insert(s, d->d_name, len, fw->layer, wo) < 0)
		fw->overflow = 1; /* grown since it was counted: built again next time */
	return 0;
}

/* ns_opendir() - layer @i of @dir, open for listing (layer.h's opendir: no search needed). */
static int
ns_opendir(const struct vr_obj *dir, unsigned int i)
{
	char p[32];

	return sys_openat(AT_FDCWD, vr_proc_fd(p, dir->fd[i]), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
}

/* list() - every layer of @dir through fw (counting, filling or scanning). */
static int
list(const struct vr_obj *dir, struct fi_walk *fw, char *buf, size_t size)
{
	for (unsigned int i = 0; i < dir->nfd; i++) {
		int fd = ns_opendir(dir, i);
		int err;

		if (fd < 0)
			return fd;
		fw->layer = i;
		fw->whiteouts = !dir->mount && i + 1 < dir->nfd;
		err = vr_each_entry(fd, buf, size, each, fw);
		sys_close(fd);
		if (err < 0)
			return err;
	}
	return 0;
}

static void
layer_of(struct fi_layer *l, const struct stat *st)
{
	l->dev = st->st_dev;
	l->ino = st->st_ino;
	l->mtime = st->st_mtime;
	l->mtime_ns = st->st_mtime_nsec;
	l->ctime = st->st_ctime;
	l->ctime_ns = st->st_ctime_nsec;
}

/* stamp() - @dir's layers as they are now, into @l; 0 or -errno. */
static int
stamp(const struct vr_obj *dir, struct fi_layer *l)
{
	for (unsigned int i = 0; i < dir->nfd; i++) {
		struct stat st;
		int err = sys_fstat(dir->fd[i], &st);

		if (err < 0)
			return err;
		layer_of(&l[i], &st);
	}
	return 0;
}

static unsigned long
now_ns(void)
{
	struct {
		long sec, nsec;
	} ts = {0, 0};

	vr_sys2(__NR_clock_gettime, 0 /* CLOCK_REALTIME */, &ts);
	return (unsigned long)ts.sec * 1000000000ul + (unsigned long)ts.nsec;
}

/* racy() - a layer changed too shortly before @t for its times to tell. */
static int
racy(const struct fi_layer *l, unsigned int n, unsigned long t)
{
	for (unsigned int i = 0; i < n; i++) {
		unsigned long m = l[i].mtime * 1000000000ul + l[i].mtime_ns;
		unsigned long c = l[i].ctime * 1000000000ul + l[i].ctime_ns;

		if (m + FI_RACY_NS > t || c + FI_RACY_NS > t)
			return 1;
	}
	return 0;
}

static void
slot_drop(struct fi_slot *s)
{
	s->valid = 0;
	if (s->tab)
		vr_unmap(s->tab, s->mapsize);
	s->tab = NULL;
	s->mapsize = 0;
}

/*
 * trusted() - the slot for @dir (by its first layer's device and inode
 * number) that needs no fstat() to be believed: the generation has not
 * moved since the last check, made less than VR_DC_BOUND_MS ago.
 */
static struct fi_slot *
trusted(const struct vr_ns *ns, struct vr_foldidx *fi, const struct vr_obj *dir, int have_gen,
        unsigned long gen, unsigned long now)
{
	unsigned long dev = dir->st.st_dev, ino = dir->st.st_ino;

	if (ino == 0 && dir->fd[0] == ns->layers[0].fd) {
		/* The root, whose attributes the walk reads only at its end. */
		dev = ns->layers[0].dev;
		ino = ns->layers[0].ino;
	}
	if (!have_gen || ino == 0)
		return NULL;
	for (unsigned int i = 0; i < FI_SLOTS; i++) {
		struct fi_slot *s = &fi->s[i];

		if (s->valid && !s->racy && !s->nnote && s->nfd == dir->nfd && s->l[0].ino == ino &&
		    s->l[0].dev == dev && s->gen == gen && now - s->checked < VR_DC_BOUND_MS)
			return s;
	}
	return NULL;
}

/* find() - the slot built from the directory whose first layer is @l[0]. */
static struct fi_slot *
find(struct vr_foldidx *fi, const struct vr_obj *dir, const struct fi_layer *l)
{
	for (unsigned int i = 0; i < FI_SLOTS; i++) {
		struct fi_slot *s = &fi->s[i];

		if (s->valid && s->nfd == dir->nfd && s->l[0].ino == l[0].ino &&
		    s->l[0].dev == l[0].dev)
			return s;
	}
	return NULL;
}

/* insert() - @name (@len bytes) of layer @layer into @s; 0, or -1 when full. */
static int
insert(struct fi_slot *s, const char *name, size_t len, unsigned int layer, int wo)
{
	char *names = (char *)(s->tab + s->nslots);
	uint64_t h;
	uint32_t i;

	if (s->nent >= s->cap || s->nbytes + len > s->mapsize - sizeof(struct fi_ent) * s->nslots)
		return -1;
	h = vr_fold_hash(name, len);
	for (i = (uint32_t)h & (s->nslots - 1); s->tab[i].flags & FI_USED;
	     i = (i + 1) & (s->nslots - 1))
		;
	s->tab[i].h = h;
	s->tab[i].off = s->nbytes;
	s->tab[i].len = (uint16_t)len;
	s->tab[i].layer = (uint8_t)layer;
	s->tab[i].flags = (uint8_t)(FI_USED | (wo ? FI_WHITEOUT : 0));
	vr_memcpy(names + s->nbytes, name, len);
	s->nbytes += (uint32_t)len;
	s->nent++;
	return 0;
}

/* restat() - @s's entry for @name (@len bytes) in @dir's first layer made as it is now. */
static int
restat(struct fi_slot *s, const struct vr_obj *dir, const char *name, size_t len)
{
	const char *names = (const char *)(s->tab + s->nslots);
	uint64_t h = vr_fold_hash(name, len);
	struct fi_ent *e = NULL;
	struct stat st;
	int err = sys_fstatat(dir->fd[0], name, &st, AT_SYMLINK_NOFOLLOW), wo;

	if (err < 0 && err != -ENOENT)
		return err;
	for (uint32_t i = (uint32_t)h & (s->nslots - 1); s->tab[i].flags & FI_USED && !e;
	     i = (i + 1) & (s->nslots - 1))
		if (s->tab[i].h == h && s->tab[i].layer == 0 && s->tab[i].len == len &&
		    vr_memcmp(names + s->tab[i].off, name, len) == 0)
			e = &s->tab[i];
	if (err < 0) {
		if (e)
			e->flags |= FI_GONE;
		return 0;
	}
	wo = !dir->mount && dir->nfd > 1 && vr_is_whiteout(&st);
	if (!e)
		return insert(s, name, len, 0, wo);
	e->flags = (uint8_t)(FI_USED | (wo ? FI_WHITEOUT : 0));
	return 0;
}

/*
 * patch() - @s, whose directory changed since it was listed, brought up
 * to date without listing it again when the change is explained: by the
 * names this process noted it was changing there (vr_fold_note()), or
 * by the name last looked up in vain, now there (a program looks a name
 * up, then creates it).  Only in the first layer (where changes are
 * made), and within VR_DC_BOUND_MS of the listing: what another process
 * changed meanwhile is seen at the next listing.
 */
static int
patch(struct vr_foldidx *fi, struct fi_slot *s, const struct vr_obj *dir, const struct fi_layer *l,
      unsigned long now)
{
	struct stat st;
	int seen;

	if (now - s->built >= VR_DC_BOUND_MS)
		return 0;
	/* Equal times may hide a change of the same clock tick: notes are taken in still. */
	if (!s->nnote && vr_memcmp(s->l, l, sizeof(*l) * dir->nfd) == 0)
		return 1; /* only too young to be sure of: trusted for the bound */
	if (s->over || fi->lost || vr_memcmp(&s->l[1], &l[1], sizeof(*l) * (dir->nfd - 1)) != 0)
		return 0;
	seen = s->plen && sys_fstatat(dir->fd[0], s->pend, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (!s->nnote && !seen)
		return 0;
	for (unsigned int i = 0; i < s->nnote; i++)
		if (restat(s, dir, s->note[i], s->nlen[i]) < 0)
			return 0;
	if (seen && restat(s, dir, s->pend, s->plen) < 0)
		return 0;
	vr_memcpy(s->l, l, sizeof(*l) * dir->nfd);
	s->plen = 0;
	s->nnote = 0;
	return 1;
}

static struct fi_slot *
victim(struct vr_foldidx *fi)
{
	struct fi_slot *lru = &fi->s[0];

	for (unsigned int i = 0; i < FI_SLOTS; i++) {
		if (!fi->s[i].valid) {
			lru = &fi->s[i];
			break;
		}
		if (fi->s[i].used < lru->used)
			lru = &fi->s[i];
	}
	slot_drop(lru);
	return lru;
}

/* build() - a new index of @dir (layers stamped @l before listing at @t). */
static struct fi_slot *
build(struct vr_foldidx *fi, const struct vr_obj *dir, const struct fi_layer *l, unsigned long t,
      char *buf, size_t size)
{
	struct fi_walk fw = {0};
	struct fi_slot *s;
	uint32_t nslots = 16;

	if (list(dir, &fw, buf, size) < 0)
		return NULL;
	/* 2 to 4 slots of 16 bytes per name; at most 3/4 full with those patch() adds. */
	while (nslots < 2 * (fw.nent + 8))
		nslots *= 2;
	s = victim(fi);
	/* Room for names added later (patch()): half as many again. */
	s->mapsize = ((size_t)nslots * sizeof(struct fi_ent) + fw.nbytes + fw.nbytes / 2 + 8192) &
	             ~(size_t)4095;
	s->tab = vr_map(s->mapsize);
	if (!s->tab) {
		s->mapsize = 0;
		return NULL;
	}
	s->nslots = nslots;
	s->cap = nslots / 4 * 3;
	s->nent = 0;
	s->nbytes = 0;
	fw.slot = s;
	if (list(dir, &fw, buf, size) < 0) {
		slot_drop(s);
		return NULL;
	}
	s->nfd = dir->nfd;
	vr_memcpy(s->l, l, sizeof(*l) * dir->nfd);
	s->racy = fw.overflow || racy(l, dir->nfd, t);
	s->plen = 0;
	s->nnote = 0;
	s->over = 0;
	s->valid = 1;
	return s;
}

static void
probe(const struct fi_slot *s, struct fi_query *q)
{
	const char *names = (const char *)(s->tab + s->nslots);

	for (uint32_t i = (uint32_t)q->h & (s->nslots - 1); s->tab[i].flags & FI_USED;
	     i = (i + 1) & (s->nslots - 1)) {
		const struct fi_ent *e = &s->tab[i];

		if (e->h == q->h && !(e->flags & FI_GONE))
			query_offer(q, names + e->off, e->len, e->layer,
			            (e->flags & FI_WHITEOUT) != 0);
	}
}

static int
lock(struct vr_ns *ns, struct vr_foldidx **fip)
{
	struct vr_foldidx *fi = __atomic_load_n(&ns->fidx, __ATOMIC_ACQUIRE);
	int pid = vr_dc_self(ns), held;

	if (!fi) {
		struct vr_foldidx *mine = vr_map(FI_SIZE);

		if (!mine)
			return 0;
		if (!__atomic_compare_exchange_n(&ns->fidx, &fi, mine, 0, __ATOMIC_ACQ_REL,
		                                 __ATOMIC_ACQUIRE))
			vr_unmap(mine, FI_SIZE);
		else
			fi = mine;
	}
	held = __atomic_load_n(&fi->lock, __ATOMIC_ACQUIRE);
	if (held == pid)
		return 0; /* another thread, or an interrupted call of this one */
	if (!__atomic_compare_exchange_n(&fi->lock, &held, pid, 0, __ATOMIC_ACQ_REL,
	                                 __ATOMIC_RELAXED))
		return 0;
	/* held != 0: a fork child's copy of its parent's lock, taken over. */
	*fip = fi;
	if (__atomic_exchange_n(&fi->lost, 0, __ATOMIC_ACQ_REL))
		for (unsigned int i = 0; i < FI_SLOTS; i++)
			fi->s[i].over = 1; /* a change went unnoted: listed again */
	return 1;
}

/*
 * fold_get() - @q judged against @dir's index, got as @mode says (VR_FOLD_*
 * but FOUND; @pend: a name not found may be created next), or against
 * the directory itself when no index is to be had.
 * Return: as vr_fold_find().
 */
static long
fold_get(struct vr_walk *w, const struct vr_obj *dir, struct fi_query *q, int mode, int pend,
         char *out)
{
	int rebuild = mode == VR_FOLD_REBUILD;
	size_t mark = w->s.used, size = 32768, len = q->len;
	struct fi_layer l[VR_MAX_LAYERS];
	struct vr_foldidx *fi = NULL;
	unsigned long t, gen = 0, now = vr_ns_clock_ms(w->ns);
	int have_gen = vr_coh_gen(w->ns, &gen) == 0;
	const char *name = q->name;
	char *buf;
	long n = 0;
	int err;

	buf = vr_alloc(&w->s, size);
	if (!buf)
		return -ENOMEM;
	if (lock(w->ns, &fi)) {
		struct fi_slot *s = rebuild ? NULL : trusted(w->ns, fi, dir, have_gen, gen, now);

		if (!s && mode == VR_FOLD_TRUSTED) {
			__atomic_store_n(&fi->lock, 0, __ATOMIC_RELEASE);
			w->s.used = mark;
			return -EAGAIN;
		}
		err = s ? 0 : stamp(dir, l);
		if (!s && err == 0) {
			t = now_ns();
			s = find(fi, dir, l);
			if (s &&
			    (rebuild || s->racy || s->nnote ||
			     vr_memcmp(s->l, l, sizeof(*l) * dir->nfd)) &&
			    (rebuild || !patch(fi, s, dir, l, now))) {
				slot_drop(s);
				s = NULL;
			}
			if (!s) {
				s = build(fi, dir, l, t, buf, size);
				if (s)
					s->built = now;
			}
			if (s) {
				s->gen = gen;
				s->checked = now;
			}
		}
		if (s) {
			s->used = ++fi->tick;
			probe(s, q);
			n = query_result(q, out);
			/* Not there: perhaps about to be created (patch()). */
			if (pend && (mode != VR_FOLD_TRUSTED || n != 0)) {
				s->plen = n == 0 ? len : 0;
				if (n == 0)
					vr_memcpy(s->pend, name, len);
			}
		}
		__atomic_store_n(&fi->lock, 0, __ATOMIC_RELEASE);
		if (s) {
			w->s.used = mark;
			return n;
		}
	}
	/* No index to be had: the directory itself, entry by entry. */
	if (mode == VR_FOLD_TRUSTED) {
		w->s.used = mark;
		return -EAGAIN;
	}
	{
		struct fi_walk fw = {.q = q};

		err = list(dir, &fw, buf, size);
		n = err < 0 ? err : query_result(q, out);
	}
	w->s.used = mark;
	return n;
}

long
vr_fold_find(struct vr_walk *w, const struct vr_obj *dir, const char *name, size_t len, int mode,
             char *out)
{
	size_t mark = w->s.used;
	int found = mode & VR_FOLD_FOUND;
	struct fi_query *q;
	long n = 0;

	if (dir->synthetic || dir->nfd == 0)
		return 0; /* only mount points below it: vr_fold_mount() */
	q = vr_alloc(&w->s, sizeof(*q));
	if (!q)
		return -ENOMEM;
	query_init(q, name, len);
	if (q->flen >= 0)
		n = fold_get(w, dir, q, mode & ~VR_FOLD_FOUND, !found, out);
	/* Only a whiteout where the name was found: hidden by it. */
	if (n == 0 && found && q->wl < VR_MAX_LAYERS)
		n = -ENOENT;
	w->s.used = mark;
	return n;
}

int
vr_fold_in_lower(struct vr_walk *w, const struct vr_obj *dir, const char *name, size_t len)
{
	size_t mark = w->s.used;
	struct fi_query *q;
	int below = 0;
	char *out;
	long n = 0;

	if (dir->mount || dir->synthetic || dir->nfd < 2)
		return 0;
	q = vr_alloc(&w->s, sizeof(*q));
	out = vr_alloc(&w->s, NAME_MAX + 1);
	if (!q || !out) {
		w->s.used = mark;
		return -ENOMEM;
	}
	query_init(q, name, len);
	if (q->flen >= 0)
		n = fold_get(w, dir, q, VR_FOLD_ANY, 0, out);
	for (unsigned int i = 0; n >= 0 && i < q->n; i++)
		below |= dir->layer[q->c[i].layer] != 0;
	w->s.used = mark;
	return n < 0 ? (int)n : below;
}

void
vr_fold_note(struct vr_walk *w, const struct vr_obj *dir, const char *name, size_t len)
{
	struct vr_foldidx *fi = __atomic_load_n(&w->ns->fidx, __ATOMIC_ACQUIRE);
	unsigned long dev = dir->st.st_dev, ino = dir->st.st_ino;

	if (!fi || !vr_fold_dir(w->ns, dir) || dir->synthetic || dir->nfd == 0 || len > NAME_MAX)
		return;
	if (!lock(w->ns, &fi)) {
		__atomic_store_n(&fi->lost, 1, __ATOMIC_RELEASE);
		return;
	}
	if (ino == 0 && dir->fd[0] == w->ns->layers[0].fd) {
		dev = w->ns->layers[0].dev;
		ino = w->ns->layers[0].ino;
	}
	for (unsigned int i = 0; i < FI_SLOTS; i++) {
		struct fi_slot *s = &fi->s[i];
		unsigned int k = 0;

		if (!s->valid || s->nfd != dir->nfd || s->l[0].ino != ino || s->l[0].dev != dev)
			continue;
		while (k < s->nnote && (s->nlen[k] != len || vr_memcmp(s->note[k], name, len) != 0))
			k++;
		if (k == FI_NOTES) {
			s->over = 1;
		} else if (k == s->nnote) {
			s->nlen[k] = len;
			vr_memcpy(s->note[k], name, len);
			s->note[k][len] = '\0';
			s->nnote++;
		}
	}
	__atomic_store_n(&fi->lock, 0, __ATOMIC_RELEASE);
}

long
vr_fold_mount(struct vr_walk *w, const char *name, size_t len, char *out)
{
	size_t mark = w->s.used, at = w->plen == 1 ? 1 : w->plen + 1;
	struct fi_query *q = vr_alloc(&w->s, sizeof(*q));
	long n = 0;

	if (!q)
		return -ENOMEM;
	query_init(q, name, len);
	for (unsigned int i = 0; i < w->ns->nmounts && q->flen >= 0; i++) {
		const struct vr_mount *m = &w->ns->mounts[i];
		const char *c = m->path + at;
		size_t clen = m->plen - at;

		/* A mount below the directory: its next component is a child. */
		if (m->plen <= at || vr_memcmp(m->path, w->vpath, w->plen) != 0 ||
		    (w->plen > 1 && m->path[w->plen] != '/'))
			continue;
		for (size_t k = 0; k < clen; k++)
			if (c[k] == '/')
				clen = k;
		if (clen && clen <= NAME_MAX && vr_fold_hash(c, clen) == q->h)
			query_offer(q, c, clen, 0, 0);
	}
	if (q->flen >= 0)
		n = query_result(q, out);
	w->s.used = mark;
	return n;
}

void
vr_fold_fini(struct vr_ns *ns)
{
	struct vr_foldidx *fi = ns->fidx;

	if (!fi)
		return;
	for (unsigned int i = 0; i < FI_SLOTS; i++)
		slot_drop(&fi->s[i]);
	vr_unmap(fi, FI_SIZE);
	ns->fidx = NULL;
}
