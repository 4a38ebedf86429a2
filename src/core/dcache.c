/*
 * dcache.c - the directories a process has walked through, kept between
 * calls, so that a walk goes down the virtual tree in memory and asks the
 * kernel only about its final component.
 *
 * A node is a virtual directory by its canonical path: the per-layer host
 * descriptors the walk's lookup found (the upper layer's absence, a
 * whiteout or an opaque directory below are in what it found), its mount,
 * its attributes, and when it was taken.  Only directories that are not
 * the final component of a walk are taken from the cache; the final
 * component is always looked up live, relative to the cached parent's
 * descriptors, so files added, removed or rewritten anywhere are seen at
 * the next call as before.
 *
 * A node is trusted while
 *  - the prefix's directory generation counter (coherence.c) has not
 *    moved since it was taken: every change any process of any session
 *    makes through vroot on the prefix that can alter an existing
 *    directory (removed, renamed, its mode, owner or attributes changed)
 *    moves it, so another process's rename is seen at the next lookup,
 *    while making files and directories leaves it;
 *  - its own directory was not copied up since, nor its mode changed
 *    without a search bit taken away (a base directory gaining its upper
 *    layer, which happens to every directory above a file changed for
 *    the first time, and tar's chmod of each directory it made from 0700
 *    to its mode are told in a ring of their own, vr_coh_dir_copied()
 *    and vr_coh_dir_renew(): only that node goes, unless the ring has
 *    turned over since the node was last checked);
 *  - it is younger than VR_DC_BOUND_MS: a directory of a base (or of a
 *    mount's host directory) renamed, removed or replaced from outside is
 *    seen within that bound.
 * Taking a child from the cache skips the kernel's lookup in its parent,
 * and with it the search permission check there; so a child is taken only
 * when every layer of the parent grants search to owner, group and others
 * alike (allx: in the mode of every layer's directory, and of the owner's
 * record a copy has), which no identity can be refused (POSIX ACLs are
 * not read, as in perm.c), or when the parent has one layer and the kernel
 * says the caller may search it (faccessat2 X_OK with the fsuid: one call
 * for the lookup's three), or when the caller is a faked identity, whose
 * search the walk has judged itself (vr_perm_search()).
 *
 * The program's directory descriptors.  A walk relative to one needs the
 * directory's canonical path; reading it back from /proc/self/fd/N and
 * mapping it into the namespace costs more than the rest of a cached
 * lookup.  So the path found is kept by descriptor number with the host
 * directory's device and inode, and used again while one fstat() of the
 * descriptor shows that directory and the generation counter and the
 * bound say a node taken then would still be trusted.  A number closed
 * and reused for another directory (open, dup2, a fork child, an exec'd
 * image) shows another inode; a directory renamed or removed through
 * vroot moves the counter.  The walk then starts at that directory's node
 * (vr_dc_get_at()).
 *
 * Descriptors.  The nodes' descriptors are vroot's own, in the range the
 * embedder gave (vr_ns_cache_enable()), hidden from the program like the
 * namespace's backing directories (vr_ns_owns_fd()).  They are
 * close-on-exec: a new image starts with an empty cache.  A fork child
 * inherits copies and adopts the cache (a wipe-on-fork page tells it that
 * it is one).  A CLONE_VM child that is not a thread (vfork, posix_spawn)
 * shares this memory but not the descriptor table: it neither reads nor
 * changes the cache.
 *
 * Concurrency.  One lock, only ever tried: a walk that cannot take it (a
 * thread already inside, or a signal handler's call interrupting one on
 * the same thread) walks without the cache.  The holder keeps it until
 * the walk ends, because its objects use the nodes' descriptors until then
 * and only the holder closes them.
 */
#include "coherence.h"
#include "dcache.h"
#include "owner.h"
#include "revmap.h"
#include "rules.h"
#include "util.h"

/*
 * Nodes: enough for the directories a big tree's walk goes through again
 * and again (a build, a stat storm over a few thousand directories); a
 * node's page is touched only once it is used.
 */
#define DC_NODES   2048
#define DC_BUCKETS 1024
/* The cache's descriptors lie in [lo, lo + DC_FDMAP) at most. */
#define DC_FDMAP 4096
_Static_assert(DC_FDMAP >= DC_NODES, "x[] holds every node's links");

#define DC_FDS 16

/* Directory streams whose rest is kept: nested readers (ftw, rm -r) go a few deep. */
#define DC_RESTS 8

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#endif

struct dc_node {
	int fd[VR_MAX_LAYERS]; /* 0, or the cache's own descriptor (never below lo > 0) */
	int borrowed;          /* a mount's root: its descriptor is the mount's */
	unsigned int nfd;
	unsigned char layer[VR_MAX_LAYERS];
	const struct vr_mount *mount;
	int allx;  /* every layer's directory grants search to everyone */
	int norec; /* an upper directory without an owner's record (vr_obj.norec) */
	int recx;  /* no record, or one that grants search to everyone */
	struct stat st;
	unsigned long gen, born;
	unsigned long dcopies; /* directories copied up when last known true */
	/*
	 * Every directory above it, from the namespace's root down, grants
	 * search to everyone (as each was when the walk that took it passed):
	 * a walk may start here for an absolute path (vr_dc_jump()).
	 */
	int reach;
	/* What find() compares, together, once x[].tag matched: */
	int valid;            /* set last when taken, cleared first when dropped */
	unsigned char linked; /* in the chain of @hash */
	unsigned long hash;
	size_t plen;
	char path[VR_DC_PATH];
};

/*
 * A directory descriptor of the program, by number: the canonical virtual
 * path it showed when last asked, and the host directory it was then.
 */
struct dc_fd {
	int fd1; /* the descriptor + 1; 0: free */
	unsigned long dev, ino, gen, born, used;
	unsigned long stamp; /* vr_fd_stamp() when the directory was last known; 0: none */
	size_t plen;
	char path[VR_VPATH_MAX]; /* only the bytes used are ever touched */
};

struct vr_dcache {
	int lock;
	int pid;       /* the process whose descriptors the nodes hold */
	int *token;    /* in a wipe-on-fork page: 0 in a fork child */
	int own_token; /* the page is the cache's (else the embedder's) */
	int lo, hi;    /* the range the descriptors go to */
	int full;      /* the range was found full and nothing was freed since */
	unsigned long tick;
	unsigned long fd_epoch; /* vr_fd_stamp()'s high half: moved for all numbers at once */
	int root_known, root_allx;
	unsigned long root_gen, root_born;
	/*
	 * The upper directories last known impure (index.c), while fresh:
	 * two, for a copy-up marks the directory it copies into and, when
	 * that one is new, its parent.  imp_next: the one to replace next.
	 */
	struct {
		unsigned long dev, ino, gen, born;
	} imp[2];
	unsigned int imp_next;
	/* The last name read by name (vr_dc_name_get()), while fresh. */
	struct {
		int dfd;
		unsigned long ddev, dino, gen, born;
		size_t nlen;
		struct vr_obj o;
		char name[NAME_MAX + 1];
	} last;
	/*
	 * The nodes by path hash: chains of node index + 1 (0 ends one;
	 * the links are in x[], with a tag of each node's hash, so that a
	 * chain is followed without a look at the nodes it passes, each a
	 * cache miss), head[] by hash % DC_BUCKETS.  A node stays in the
	 * chain of the hash it was last taken with after it is dropped (its
	 * valid flag decides) and moves when it is taken again.
	 */
	unsigned short head[DC_BUCKETS];
	/*
	 * Nodes n[0..fresh) were handed out, and are in a list by last use
	 * (node index + 1; 0 ends it), most recent first; the rest are
	 * untouched zeroes.  A node's two links lie together: a process's
	 * first nodes touch one page of them, not two.
	 */
	unsigned int fresh;
	unsigned short lru_head, lru_tail;
	/*
	 * Per index i, both used from 0 up (a process's first nodes and
	 * descriptors share a page of them): node i's two links in the list
	 * by last use (index + 1; 0 ends it), and fd_node, the node (index
	 * + 1) holding descriptor lo + i, so vr_ns_owns_fd() answers without
	 * a look at every node (a program listing /proc/self/fd asks it for
	 * each of vroot's); and node i's link in its hash chain, with the
	 * tag of its hash (tag_of()).
	 */
	struct {
		unsigned short prev, next, fd_node, chain, tag;
	} x[DC_FDMAP];
	/* The nodes from a page boundary: the first seven share one. */
	struct dc_node n[DC_NODES] __attribute__((aligned(4096)));
	struct dc_fd f[DC_FDS];
	struct vr_dc_rest r[DC_RESTS];
};

#define DC_SIZE ((sizeof(struct vr_dcache) + 4095) & ~(size_t)4095)

/* hash_on() - FNV-1a of @p[0..n), carried on from @h. */
static unsigned long
hash_on(unsigned long h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3UL;
	return h;
}

static unsigned long
hash(const char *p, size_t n)
{
	return hash_on(0xcbf29ce484222325UL, p, n);
}

/*
 * vhash() - hash() of @path[0..len): of w->vpath, carried on from the
 * prefix hashed last (w->hlen), which a walk going down extends.
 */
static unsigned long
vhash(struct vr_walk *w, const char *path, size_t len)
{
	unsigned long h;

	if (path != w->vpath)
		return hash(path, len);
	h = w->hlen && w->hlen <= len ? hash_on(w->hval, path + w->hlen, len - w->hlen)
	                              : hash(path, len);
	w->hlen = len;
	w->hval = h;
	return h;
}

/* fd_map() - descriptor @fd is held by node @k - 1 (0: by none), when in the map's range. */
static void
fd_map(struct vr_dcache *dc, int fd, unsigned short k)
{
	if (fd >= dc->lo && fd - dc->lo < DC_FDMAP)
		__atomic_store_n(&dc->x[fd - dc->lo].fd_node, k, __ATOMIC_RELEASE);
}

/* holds_fd() - node @n holds a descriptor of any layer. */
static int
holds_fd(const struct dc_node *n)
{
	for (unsigned int i = 0; i < VR_MAX_LAYERS; i++)
		if (__atomic_load_n(&n->fd[i], __ATOMIC_ACQUIRE) > 0)
			return 1;
	return 0;
}

/* drop() - forget node @n and close what it holds (the lock is held). */
static void
drop(struct vr_dcache *dc, struct dc_node *n)
{
	__atomic_store_n(&n->valid, 0, __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < VR_MAX_LAYERS; i++) {
		int fd = __atomic_exchange_n(&n->fd[i], 0, __ATOMIC_ACQ_REL);

		if (fd > 0) {
			fd_map(dc, fd, 0);
			sys_close(fd);
		}
	}
}

int
vr_ns_cache_enable_token(struct vr_ns *ns, int lo, int hi, int *token)
{
	struct vr_dcache *dc;
	int own = !token;

	if (lo <= 0 || hi <= lo)
		return -EINVAL;
	if (ns->dc)
		return 0;
	if (own) {
		token = vr_map(4096);
		if (!token)
			return -ENOMEM;
		if (vr_sys3(__NR_madvise, token, 4096, MADV_WIPEONFORK) < 0) {
			vr_unmap(token, 4096);
			return -EINVAL;
		}
	}
	dc = vr_map(DC_SIZE);
	if (!dc) {
		if (own)
			vr_unmap(token, 4096);
		return -ENOMEM;
	}
	/* Zeroes are empty slots: no page of the cache is touched before it is used. */
	*token = 1;
	dc->token = token;
	dc->own_token = own;
	dc->pid = (int)vr_sys0(__NR_getpid);
	dc->lo = lo;
	dc->hi = hi;
	__atomic_store_n(&ns->dc, dc, __ATOMIC_RELEASE);
	return 0;
}

int
vr_ns_cache_enable(struct vr_ns *ns, int lo, int hi)
{
	return vr_ns_cache_enable_token(ns, lo, hi, NULL);
}

void
vr_ns_cache_sharers(struct vr_ns *ns, const unsigned long *word)
{
	ns->sharers = word;
}

void
vr_ns_fd_changes_seen(struct vr_ns *ns, int on)
{
	if (!on)
		__atomic_store_n(&vr_fd_tables_apart, 1, __ATOMIC_RELAXED);
	if (__atomic_load_n(&ns->fd_seen, __ATOMIC_ACQUIRE) >= 0)
		__atomic_store_n(&ns->fd_seen, on ? 1 : -1, __ATOMIC_RELEASE);
}

void
vr_fd_changed(struct vr_ns *ns, int fd)
{
	struct vr_dcache *dc = __atomic_load_n(&ns->dc, __ATOMIC_ACQUIRE);

	if (fd < 0 && dc)
		__atomic_add_fetch(&dc->fd_epoch, 1, __ATOMIC_ACQ_REL);
	else if (fd >= 0 && fd < VR_UPFD_NOTES)
		__atomic_add_fetch(&ns->fdn[fd].seq, 1, __ATOMIC_ACQ_REL);
}

void
vr_dc_fini(struct vr_ns *ns)
{
	struct vr_dcache *dc = ns->dc;

	if (!dc)
		return;
	/* The nodes never handed out hold nothing (and their pages were never touched). */
	for (unsigned int i = 0; i < dc->fresh; i++)
		drop(dc, &dc->n[i]);
	for (unsigned int i = 0; i < DC_RESTS; i++)
		vr_dc_rest_drop(&dc->r[i]);
	if (dc->own_token)
		vr_unmap(dc->token, 4096);
	vr_unmap(dc, DC_SIZE);
	ns->dc = NULL;
}

/*
 * owner_known() - the caller is surely the cache's owner, no system call
 * asked: the embedder's word says no CLONE_VM child shares the memory, and
 * the wipe-on-fork token says this is no fork child yet to adopt the cache.
 */
static int
owner_known(const struct vr_ns *ns, const struct vr_dcache *dc)
{
	return ns->sharers && !__atomic_load_n(ns->sharers, __ATOMIC_ACQUIRE) &&
	       __atomic_load_n(dc->token, __ATOMIC_ACQUIRE) == 1;
}

unsigned long
vr_fd_stamp(const struct vr_ns *ns, int fd)
{
	const struct vr_dcache *dc = __atomic_load_n(&ns->dc, __ATOMIC_ACQUIRE);
	unsigned long seq;

	if (fd < 0 || fd >= VR_UPFD_NOTES || !dc ||
	    __atomic_load_n(&ns->fd_seen, __ATOMIC_ACQUIRE) != 1 || !owner_known(ns, dc))
		return 0;
	seq = __atomic_load_n(&ns->fdn[fd].seq, __ATOMIC_ACQUIRE);
	return (__atomic_load_n(&dc->fd_epoch, __ATOMIC_ACQUIRE) << 32) + (seq & 0xffffffffUL) + 1;
}

/*
 * adopt() - the cache as this process's, or 0 when it is not: in a fork
 * child (only the forking thread was copied) the lock is freed and the
 * descriptors of nodes that were being taken or dropped are closed; a
 * CLONE_VM child sharing the owner's memory gets nothing.  Without a
 * system call when owner_known().
 */
static int
adopt(const struct vr_ns *ns, struct vr_dcache *dc)
{
	int pid, zero = 0;

	if (owner_known(ns, dc))
		return 1;
	pid = (int)vr_sys0(__NR_getpid);
	if (pid == __atomic_load_n(&dc->pid, __ATOMIC_ACQUIRE))
		return 1;
	if (!__atomic_compare_exchange_n(dc->token, &zero, 2, 0, __ATOMIC_ACQ_REL,
	                                 __ATOMIC_RELAXED))
		return 0;
	/*
	 * Only nodes handed out can hold descriptors, and only an invalid one
	 * that still does is written: a fork child copies none of the pages
	 * it does not change (a write to each was a page fault per page).
	 */
	for (unsigned int i = 0; i < dc->fresh; i++)
		if (!dc->n[i].valid && holds_fd(&dc->n[i]))
			drop(dc, &dc->n[i]);
	/* A thread that had closed a number had perhaps not said so yet. */
	__atomic_add_fetch(&dc->fd_epoch, 1, __ATOMIC_ACQ_REL);
	__atomic_store_n(&dc->lock, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&dc->pid, pid, __ATOMIC_RELEASE);
	__atomic_store_n(dc->token, 1, __ATOMIC_RELEASE);
	return 1;
}

int
vr_dc_self(const struct vr_ns *ns)
{
	const struct vr_dcache *dc = __atomic_load_n(&ns->dc, __ATOMIC_ACQUIRE);

	if (dc && owner_known(ns, dc))
		return __atomic_load_n(&dc->pid, __ATOMIC_ACQUIRE);
	return (int)vr_sys0(__NR_getpid);
}

void
vr_dc_begin(struct vr_walk *w)
{
	struct vr_dcache *dc = __atomic_load_n(&w->ns->dc, __ATOMIC_ACQUIRE);
	unsigned long gen;

	w->dc_on = 0;
	/* A descriptor table the process no longer has to itself: the nodes' numbers may lie. */
	if (!dc || __atomic_load_n(&w->ns->fd_seen, __ATOMIC_ACQUIRE) < 0)
		return;
	if (!w->dc_locked && !w->dc_ro) {
		if (!adopt(w->ns, dc) || __atomic_exchange_n(&dc->lock, 1, __ATOMIC_ACQUIRE))
			return;
		w->dc_locked = 1;
	}
	if (vr_coh_dgen(w->ns, &gen) < 0 || vr_coh_gen(w->ns, &w->dc_fgen) < 0)
		return;
	w->dc_gen = gen;
	w->dc_dcopies = vr_coh_dir_copies(w->ns);
	w->dc_now = vr_ns_clock_ms(w->ns);
	w->dc_on = 1;
}

void
vr_dc_end(struct vr_walk *w)
{
	if (w->dc_locked)
		__atomic_store_n(&w->ns->dc->lock, 0, __ATOMIC_RELEASE);
	w->dc_locked = 0;
	w->dc_on = 0;
}

/* fresh() - a node taken at @gen, @born may be trusted by @w. */
static int
fresh(const struct vr_walk *w, unsigned long gen, unsigned long born)
{
	return gen == w->dc_gen && w->dc_now - born < VR_DC_BOUND_MS;
}

/*
 * not_copied() - node @n's directory was not copied up since @n was last
 * known true; it is now, as of @w (the check is not made again).
 */
static int
not_copied(const struct vr_walk *w, struct dc_node *n)
{
	unsigned long dev, ino;

	if (w->dc_dcopies - n->dcopies > VR_COH_DCOPIES)
		return 0; /* the ring turned over: some were lost */
	for (unsigned long t = n->dcopies + 1; t - 1 != w->dc_dcopies; t++)
		if (vr_coh_dir_copy_get(w->ns, t, &dev, &ino) < 0 ||
		    (dev == n->st.st_dev && ino == n->st.st_ino))
			return 0;
	n->dcopies = w->dc_dcopies;
	return 1;
}

int
vr_dc_root_allx(struct vr_walk *w)
{
	struct vr_dcache *dc = w->ns->dc;
	int allx = 1;

	if (!w->dc_on)
		return 0;
	if (dc->root_known && fresh(w, dc->root_gen, dc->root_born))
		return dc->root_allx;
	for (unsigned int i = 0; i < w->ns->nlayers && allx; i++) {
		struct stat st;

		allx = sys_fstat(w->ns->layers[i].fd, &st) == 0 && (st.st_mode & 0111) == 0111;
	}
	dc->root_allx = allx;
	dc->root_gen = w->dc_gen;
	dc->root_born = w->dc_now;
	dc->root_known = 1;
	return allx;
}

/* tag_of() - bits of hash @h that its bucket (the low ones) does not fix. */
static unsigned short
tag_of(unsigned long h)
{
	return (unsigned short)(h >> 48);
}

static struct dc_node *
find(struct vr_dcache *dc, const char *path, size_t len, unsigned long h)
{
	unsigned short tag = tag_of(h);

	for (unsigned int k = dc->head[h % DC_BUCKETS]; k; k = dc->x[k - 1].chain) {
		struct dc_node *n = &dc->n[k - 1];

		if (dc->x[k - 1].tag == tag && n->valid && n->hash == h && n->plen == len &&
		    vr_memcmp(n->path, path, len) == 0)
			return n;
	}
	return NULL;
}

/* relink() - node @n, not valid, moves to the chain of hash @h. */
static void
relink(struct vr_dcache *dc, struct dc_node *n, unsigned long h)
{
	unsigned int i = (unsigned int)(n - dc->n);

	if (n->linked) {
		unsigned short *at = &dc->head[n->hash % DC_BUCKETS];

		while (*at && *at != i + 1)
			at = &dc->x[*at - 1].chain;
		if (*at)
			*at = dc->x[i].chain;
	}
	n->hash = h;
	dc->x[i].tag = tag_of(h);
	dc->x[i].chain = dc->head[h % DC_BUCKETS];
	dc->head[h % DC_BUCKETS] = (unsigned short)(i + 1);
	n->linked = 1;
}

/* lru_unlink() - node @i leaves the list by last use. */
static void
lru_unlink(struct vr_dcache *dc, unsigned int i)
{
	unsigned short p = dc->x[i].prev, q = dc->x[i].next;

	if (p)
		dc->x[p - 1].next = q;
	else
		dc->lru_head = q;
	if (q)
		dc->x[q - 1].prev = p;
	else
		dc->lru_tail = p;
	dc->x[i].prev = dc->x[i].next = 0;
}

/* lru_front() - node @n, handed out, becomes the most recently used. */
static void
lru_front(struct vr_dcache *dc, const struct dc_node *n)
{
	unsigned int i = (unsigned int)(n - dc->n);

	if (dc->lru_head == i + 1)
		return;
	/* Not the head: in the list when it has one before it. */
	if (dc->x[i].prev)
		lru_unlink(dc, i);
	dc->x[i].next = dc->lru_head;
	if (dc->lru_head)
		dc->x[dc->lru_head - 1].prev = (unsigned short)(i + 1);
	dc->lru_head = (unsigned short)(i + 1);
	if (!dc->lru_tail)
		dc->lru_tail = (unsigned short)(i + 1);
}

/* node_obj() - @o shows node @n, its descriptors not owned. */
static void
node_obj(struct vr_dcache *dc, struct dc_node *n, struct vr_obj *o)
{
	vr_obj_put(o);
	o->exists = 1;
	o->synthetic = 0;
	o->mount = n->mount;
	o->nfd = n->nfd;
	for (unsigned int i = 0; i < n->nfd; i++) {
		o->fd[i] = n->borrowed ? n->mount->b.fd : n->fd[i];
		o->layer[i] = n->layer[i];
	}
	o->owned = 0;
	o->allx = n->allx;
	o->norec = n->norec;
	vr_memcpy(&o->st, &n->st, sizeof(o->st));
	lru_front(dc, n);
}

/*
 * may_search() - the caller may search w->cur, which does not grant it to
 * everyone: asked of the kernel on its one layer, with the identity a
 * lookup there uses (the fsuid, AT_EACCESS), as the lookup the node
 * stands for would have.
 */
static int
may_search(const struct vr_walk *w)
{
	return w->cur.nfd == 1 && !w->cur.synthetic && !w->cur.byname &&
	       sys_faccessat2(w->cur.fd[0], "", 1 /* X_OK */, AT_EMPTY_PATH | AT_EACCESS) == 0;
}

/*
 * get() - the fresh node for @path[0..len) into @o; @child: it is looked
 * up in w->cur, whose search permission must hold (GET_PROBE: likewise,
 * for a final component that needs no node, so that no node is no miss);
 * GET_START: a walk starts there (w->reach is the node's), GET_JUMP: also
 * only when every directory above it grants search to everyone.
 * Return: 1 or 0.
 */
#define GET_START 2
#define GET_JUMP  3
#define GET_PROBE 4
static int
get(struct vr_walk *w, const char *path, size_t len, struct vr_obj *o, int child)
{
	struct vr_dcache *dc = w->ns->dc;
	struct dc_node *n;

	n = find(dc, path, len, vhash(w, path, len));
	if (n && !(fresh(w, n->gen, n->born) && not_copied(w, n))) {
		if (!w->dc_ro) {
			drop(dc, n);
			dc->full = 0; /* its numbers are free again */
		}
		n = NULL;
	}
	/*
	 * A faked identity's search was judged by the walk (vr_perm_search());
	 * the host user, whose lookup the node stands for, is the session's.
	 */
	if (n && (child == 1 || child == GET_PROBE) && !w->cur.allx && !w->t->id.faked &&
	    !may_search(w))
		n = NULL; /* the live lookup gives the kernel's error */
	if (child == GET_JUMP && (!n || !n->reach))
		return 0; /* the walk goes down as usual */
	if (!n) {
		if (child != GET_PROBE)
			vr_ns_count(w->ns, offsetof(struct vr_stats, cache_misses));
		return 0;
	}
	if (child == GET_START || child == GET_JUMP)
		w->reach = n->reach;
	node_obj(dc, n, o);
	vr_ns_count(w->ns, offsetof(struct vr_stats, cache_hits));
	return 1;
}

int
vr_dc_get(struct vr_walk *w, struct vr_obj *o)
{
	if (!w->dc_on || w->vlen >= VR_DC_PATH)
		return 0;
	return get(w, w->vpath, w->vlen, o, 1);
}

int
vr_dc_probe(struct vr_walk *w, struct vr_obj *o)
{
	if (!w->dc_on || w->vlen >= VR_DC_PATH)
		return 0;
	return get(w, w->vpath, w->vlen, o, GET_PROBE);
}

int
vr_dc_get_at(struct vr_walk *w, const char *path, size_t len, struct vr_obj *o)
{
	if (!w->dc_on || len >= VR_DC_PATH)
		return 0;
	return get(w, path, len, o, 0);
}

int
vr_dc_start(struct vr_walk *w, const char *path, size_t len, struct vr_obj *o)
{
	if (!w->dc_on || len >= VR_DC_PATH)
		return 0;
	return get(w, path, len, o, GET_START);
}

int
vr_dc_jump(struct vr_walk *w, const char *path, size_t len, struct vr_obj *o)
{
	if (!w->dc_on || len >= VR_DC_PATH)
		return 0;
	return get(w, path, len, o, GET_JUMP);
}

/* is_procfs() - @fd is a directory of a procfs: its entries are per process. */
static int
is_procfs(int fd)
{
	long buf[16]; /* struct statfs: f_type first */

	return vr_sys2(__NR_fstatfs, fd, buf) == 0 && buf[0] == 0x9fa0 /* PROC_SUPER_MAGIC */;
}

/* fd_slot() - the entry of descriptor @fd, or the one to reuse for it. */
static struct dc_fd *
fd_slot(struct vr_dcache *dc, int fd)
{
	struct dc_fd *lru = &dc->f[0];

	for (unsigned int i = 0; i < DC_FDS; i++) {
		struct dc_fd *e = &dc->f[i];

		if (e->fd1 == fd + 1)
			return e;
		if (!e->fd1 || (lru->fd1 && e->used < lru->used))
			lru = e;
	}
	return lru;
}

/*
 * fd_set() - entry @e: descriptor @fd, host directory @st, at
 * @path[0..len), known as of @stamp (vr_fd_stamp(), 0: not to be believed
 * without an fstat()).
 */
static void
fd_set(struct vr_walk *w, struct dc_fd *e, int fd, const struct stat *st, const char *path,
       size_t len, unsigned long stamp)
{
	e->fd1 = 0;
	if (len >= sizeof(e->path))
		return;
	e->stamp = stamp;
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->gen = w->dc_gen;
	e->born = w->dc_now;
	e->used = ++w->ns->dc->tick;
	e->plen = len;
	vr_memcpy(e->path, path, len);
	e->fd1 = fd + 1;
}

/* fd_path() - the path of entry @e into @buf (room checked), used now: its length. */
static long
fd_path(struct vr_dcache *dc, struct dc_fd *e, char *buf)
{
	vr_memcpy(buf, e->path, e->plen);
	buf[e->plen] = '\0';
	e->used = ++dc->tick;
	return (long)e->plen;
}

/* kcmp_file() - descriptors @a and @b are one open file (dup, fcntl, fork). */
static int
kcmp_file(const struct vr_ns *ns, int a, int b)
{
	int pid = vr_dc_self(ns);

	return vr_sys5(__NR_kcmp, pid, pid, 0 /* KCMP_FILE */, a, b) == 0;
}

/*
 * same_file() - descriptor @fd is a duplicate of the open file @e was
 * noted for, at @e's place then even where one host directory shows at
 * two, without reading its path back: its own number, while unchanged,
 * or the cache's node of that place, when the node was made from the
 * descriptor the program opened (vr_dc_keep() in ops.c) and so shares
 * the file.
 */
static int
same_file(struct vr_walk *w, int fd, const struct dc_fd *e)
{
	struct vr_dcache *dc = w->ns->dc;
	unsigned long stamp = vr_fd_stamp(w->ns, e->fd1 - 1);
	const struct dc_node *n;

	if (__atomic_load_n(&vr_fd_tables_apart, __ATOMIC_RELAXED))
		return 0;
	if (stamp && stamp == e->stamp)
		return kcmp_file(w->ns, fd, e->fd1 - 1);
	n = find(dc, e->path, e->plen, hash(e->path, e->plen));
	return n && !n->borrowed && n->nfd > 0 && n->fd[0] > 0 && fresh(w, n->gen, n->born) &&
	       kcmp_file(w->ns, fd, n->fd[0]);
}

/* fd_fits() - entry @e holds host directory @st, and @w may trust it. */
static int
fd_fits(const struct vr_walk *w, const struct dc_fd *e, const struct stat *st, size_t size)
{
	return e->fd1 && e->dev == st->st_dev && e->ino == st->st_ino &&
	       fresh(w, e->gen, e->born) && e->plen < size;
}

long
vr_dc_fd_path(struct vr_walk *w, int fd, char *buf, size_t size)
{
	struct vr_dcache *dc = w->ns->dc;
	struct dc_fd *e, *same = NULL, *any = NULL;
	unsigned long stamp = w->dc_on ? vr_fd_stamp(w->ns, fd) : 0;
	struct stat st;
	long n;

	/* The number has not changed since: no fstat() (the walk reads the node's own). */
	if (stamp && (e = fd_slot(dc, fd))->fd1 == fd + 1 && e->stamp == stamp &&
	    fresh(w, e->gen, e->born) && e->plen < size) {
		w->at_fd = fd;
		w->at_full = 0;
		vr_memset(&w->at_st, 0, sizeof(w->at_st));
		w->at_st.st_mode = S_IFDIR;
		w->at_st.st_dev = e->dev;
		w->at_st.st_ino = e->ino;
		return fd_path(dc, e, buf);
	}
	if (!w->dc_on || fd < 0 || sys_fstat(fd, &st) < 0 || (st.st_mode & S_IFMT) != S_IFDIR)
		return vr_fd_vpath(w->ns, fd, buf, size);
	w->at_fd = fd;
	w->at_full = 1;
	vr_memcpy(&w->at_st, &st, sizeof(st));
	e = fd_slot(dc, fd);
	/*
	 * The number's own entry, while the number did not change since:
	 * closed and made again, it may hold the directory at another place.
	 */
	if (e->fd1 == fd + 1 && fd_fits(w, e, &st, size) &&
	    (!w->ns->aliasing || !stamp || e->stamp == stamp)) {
		same = e;
	} else {
		/*
		 * A duplicate (dup, fcntl, a descriptor passed on) is the
		 * directory of the descriptor it copies, at the same place.
		 * Where one host directory shows at two places, that is the
		 * place of a known descriptor kcmp() finds to be the same open
		 * file (same_file()), else the place is read back, if it can
		 * be (not deeper than PATH_MAX).
		 */
		for (unsigned int i = 0; i < DC_FDS && !same; i++) {
			if (!fd_fits(w, &dc->f[i], &st, size))
				continue;
			if (!w->ns->aliasing || same_file(w, fd, &dc->f[i]))
				same = &dc->f[i];
			else if (!any)
				any = &dc->f[i];
		}
		n = same ? 0 : vr_fd_vpath_st(w->ns, fd, &st, buf, size);
		if (!same && n == -ENAMETOOLONG)
			same = any;
		if (!same) {
			e->fd1 = 0;
			if (n > 0 && !is_procfs(fd))
				fd_set(w, e, fd, &st, buf, (size_t)n, stamp);
			return n;
		}
	}
	n = fd_path(dc, same, buf);
	if (same != e)
		fd_set(w, e, fd, &st, buf, (size_t)n, stamp);
	else
		e->stamp = stamp;
	return n;
}

int
vr_dc_fd_dir_known(struct vr_ns *ns, int fd)
{
	struct vr_dcache *dc = __atomic_load_n(&ns->dc, __ATOMIC_ACQUIRE);
	unsigned long stamp = vr_fd_stamp(ns, fd);
	struct dc_fd *e;
	int known;

	if (!stamp || __atomic_exchange_n(&dc->lock, 1, __ATOMIC_ACQUIRE))
		return 0;
	e = fd_slot(dc, fd);
	known = e->fd1 == fd + 1 && e->stamp == stamp;
	__atomic_store_n(&dc->lock, 0, __ATOMIC_RELEASE);
	return known;
}

void
vr_dc_fd_note(struct vr_walk *w, int fd, const struct stat *st)
{
	struct stat own;

	if (!st)
		st = sys_fstat(fd, &own) < 0 ? NULL : &own;
	if (!w->dc_on || fd < 0 || !st || (st->st_mode & S_IFMT) != S_IFDIR)
		return;
	fd_set(w, fd_slot(w->ns->dc, fd), fd, st, w->vpath, w->vlen, vr_fd_stamp(w->ns, fd));
}

struct vr_dc_rest *
vr_dc_rest(struct vr_walk *w, int fd, int take)
{
	struct vr_dcache *dc = w->ns->dc;
	struct vr_dc_rest *r = NULL;

	if (!w->dc_locked || fd < 0)
		return NULL;
	for (unsigned int i = 0; i < DC_RESTS && !r; i++)
		if (dc->r[i].fd1 == fd + 1)
			r = &dc->r[i];
	if (!r && !take)
		return NULL;
	if (!r) {
		r = &dc->r[0];
		for (unsigned int i = 1; i < DC_RESTS && r->fd1; i++)
			if (!dc->r[i].fd1 || dc->r[i].used < r->used)
				r = &dc->r[i];
	}
	r->used = ++dc->tick;
	if (take) {
		vr_dc_rest_drop(r);
		r->fd1 = fd + 1;
	}
	return r;
}

void
vr_dc_rest_drop(struct vr_dc_rest *r)
{
	if (r->mem)
		vr_unmap(r->mem, r->size);
	r->mem = NULL;
	r->size = r->at = r->end = 0;
	r->fd1 = 0;
}

/*
 * victim() - a node never used yet, or the least recently used one,
 * dropped; the most recently used from now on.
 */
static struct dc_node *
victim(struct vr_dcache *dc)
{
	struct dc_node *n;

	if (dc->fresh < DC_NODES)
		n = &dc->n[dc->fresh++];
	else
		n = &dc->n[dc->lru_tail - 1];
	drop(dc, n);
	lru_front(dc, n);
	return n;
}

/*
 * give_fds() - the least recently used node other than @keep that holds
 * descriptors of its own is dropped, for its numbers in the range.
 * Return: 0, or -1 when there is none.
 */
static int
give_fds(struct vr_dcache *dc, const struct dc_node *keep)
{
	for (unsigned int k = dc->lru_tail; k; k = dc->x[k - 1].prev) {
		struct dc_node *n = &dc->n[k - 1];

		if (n != keep && n->valid && !n->borrowed) {
			drop(dc, n);
			return 0;
		}
	}
	return -1;
}

/* layers_allx() - every layer's directory of @o grants search to everyone. */
static int
layers_allx(const struct vr_obj *o)
{
	for (unsigned int i = 0; i < o->nfd; i++) {
		struct stat st;

		if (i > 0 && sys_fstat(o->fd[i], &st) < 0)
			return 0;
		if (((i ? st.st_mode : o->st.st_mode) & 0111) != 0111)
			return 0;
	}
	return 1;
}

/*
 * dup_high() - a copy of @fd at @dc->lo or above when the program's soft
 * descriptor limit is below the range (a user's usual 1,024, with the
 * range just under it): the limit is raised for the copy and put back,
 * as a descriptor above it stays valid.  Return: the copy, or @err.
 */
static int
dup_high(const struct vr_dcache *dc, int fd, int err)
{
	unsigned long lim[2], raised[2];
	int r;

	if (vr_sys4(__NR_prlimit64, 0, 7 /* RLIMIT_NOFILE */, 0, (long)lim) < 0 ||
	    lim[0] >= (unsigned long)dc->hi || lim[1] <= (unsigned long)dc->lo)
		return err;
	raised[0] = lim[1] < (unsigned long)dc->hi ? lim[1] : (unsigned long)dc->hi;
	raised[1] = lim[1];
	if (vr_sys4(__NR_prlimit64, 0, 7, (long)raised, 0) < 0)
		return err;
	r = sys_fcntl(fd, F_DUPFD_CLOEXEC, dc->lo);
	vr_sys4(__NR_prlimit64, 0, 7, (long)lim, 0);
	return r;
}

/* copy_high() - a copy of @fd in the cache's range (or above it), or -errno. */
static int
copy_high(const struct vr_dcache *dc, int fd)
{
	int r = sys_fcntl(fd, F_DUPFD_CLOEXEC, dc->lo);

	return r == -EMFILE || r == -EINVAL ? dup_high(dc, fd, r) : r;
}

/*
 * hold_fd() - node @n holds cache descriptor @fd as its layer @i: recorded
 * at once, so vr_ns_owns_fd() protects it from then on.
 */
static void
hold_fd(struct vr_dcache *dc, struct dc_node *n, unsigned int i, int fd)
{
	__atomic_store_n(&n->fd[i], fd, __ATOMIC_RELEASE);
	fd_map(dc, fd, (unsigned short)(n - dc->n + 1));
}

/*
 * move_fds() - @o's descriptors into node @n, renumbered into the cache's
 * range (@copies: they are copies made there already); @o keeps the new
 * numbers, not owned.  Return: 0, or -1 with @o unchanged and @n holding
 * nothing.
 */
static int
move_fds(struct vr_dcache *dc, struct dc_node *n, struct vr_obj *o, int copies)
{
	for (unsigned int i = 0; i < o->nfd; i++) {
		int fd = copies ? o->fd[i] : copy_high(dc, o->fd[i]);

		if (fd >= 0)
			hold_fd(dc, n, i, fd);
		if (fd < 0 || fd >= dc->hi) {
			drop(dc, n);
			return -1;
		}
	}
	for (unsigned int i = 0; i < o->nfd; i++) {
		if (o->fd[i] != n->fd[i])
			sys_close(o->fd[i]);
		o->fd[i] = n->fd[i];
	}
	o->owned = 0;
	return 0;
}

/*
 * same_dir() - node @n holds, as its only layer, the directory @o just
 * found alone in that layer, through a descriptor of its own.
 */
static int
same_dir(const struct dc_node *n, const struct vr_obj *o)
{
	return n->valid && !n->borrowed && n->nfd == 1 && o->nfd == 1 && o->owned == 1 &&
	       n->layer[0] == o->layer[0] && n->mount == o->mount &&
	       n->st.st_dev == o->st.st_dev && n->st.st_ino == o->st.st_ino;
}

/*
 * renew() - node @n knows @o's attributes as of now; @o is searchable by
 * all: @allx.  @known: what @n knows of an owner's record still holds.
 */
static void
renew(struct vr_walk *w, struct dc_node *n, struct vr_obj *o, int allx, int known)
{
	struct vr_owner rec;

	if (!known) {
		int r = !o->mount && w->ns->has_upper && o->layer[0] == 0
		                ? vr_owner_read(o->fd[0], S_IFDIR, &rec)
		                : -1;

		n->norec = r == 0;
		/* A copy with a record keeps the owner's search bit on the host (owner.h). */
		n->recx = r != 1 || (rec.mode & 0111) == 0111;
	}
	allx = allx && n->recx;
	o->norec = n->norec;
	n->allx = allx;
	vr_memcpy(&n->st, &o->st, sizeof(n->st));
	n->gen = w->dc_gen;
	n->dcopies = w->dc_dcopies;
	n->born = w->dc_now;
	lru_front(w->ns->dc, n);
	o->allx = allx;
}

/* takes() - directory @o, at w->vpath, is one the cache may keep now. */
static int
takes(const struct vr_walk *w, const struct vr_obj *o)
{
	return w->dc_on && !w->dc_ro && o->exists && vr_obj_is_dir(o) && !o->synthetic &&
	       o->nfd > 0 && !o->indexed && !o->byname && !vr_in_procfs(o) && w->vlen < VR_DC_PATH;
}

/* put() - vr_dc_put(); @copies: @o's descriptors are copies in the range. */
static void
put(struct vr_walk *w, struct vr_obj *o, int copies)
{
	struct vr_dcache *dc = w->ns->dc;
	unsigned int all = (1u << o->nfd) - 1;
	struct dc_node *n;
	int allx;

	if (!takes(w, o) || (o->owned != all && (o->owned || !o->mount || o->nfd != 1)))
		return;
	allx = layers_allx(o);
	n = find(dc, w->vpath, w->vlen, vhash(w, w->vpath, w->vlen));
	if (n && same_dir(n, o)) {
		n->reach = w->reach && w->cur.allx;
		/*
		 * Looked up live again (its parent is not searchable by all, or
		 * the node had aged) and found the same: the node's descriptor
		 * stays, and what it knows is new again.
		 */
		sys_close(o->fd[0]);
		o->fd[0] = n->fd[0];
		o->owned = 0;
		renew(w, n, o, allx, fresh(w, n->gen, n->born));
		return;
	}
	if (n)
		drop(dc, n);
	else
		n = victim(dc);
	n->borrowed = o->owned == 0;
	/*
	 * Nodes hold up to VR_MAX_LAYERS descriptors each: the range may fill
	 * before the table does, and then stays about full.
	 */
	if (!n->borrowed && dc->full)
		give_fds(dc, n);
	for (int tries = 0; !n->borrowed && move_fds(dc, n, o, copies) < 0; tries++) {
		dc->full = 1;
		if (tries == VR_MAX_LAYERS || give_fds(dc, n) < 0)
			return;
	}
	n->nfd = o->nfd;
	for (unsigned int i = 0; i < o->nfd; i++)
		n->layer[i] = o->layer[i];
	n->mount = o->mount;
	/* Found in w->cur: the directories above it are w->cur and those above w->cur. */
	n->reach = w->reach && w->cur.allx;
	relink(dc, n, vhash(w, w->vpath, w->vlen));
	n->plen = w->vlen;
	vr_memcpy(n->path, w->vpath, w->vlen);
	renew(w, n, o, allx, 0);
	__atomic_store_n(&n->valid, 1, __ATOMIC_RELEASE);
}

void
vr_dc_put(struct vr_walk *w, struct vr_obj *o)
{
	put(w, o, 0);
}

void
vr_dc_keep(struct vr_walk *w, const struct vr_obj *o)
{
	struct vr_dcache *dc = w->ns->dc;
	struct dc_node *n;
	struct vr_obj c;
	unsigned int i;

	if (!takes(w, o))
		return;
	n = find(dc, w->vpath, w->vlen, vhash(w, w->vpath, w->vlen));
	if (n && fresh(w, n->gen, n->born) && n->nfd == o->nfd && n->st.st_dev == o->st.st_dev &&
	    n->st.st_ino == o->st.st_ino)
		return; /* known already (@o may be that node) */
	vr_memcpy(&c, o, sizeof(c));
	for (i = 0; i < c.nfd; i++) {
		int fd = copy_high(dc, o->fd[i]);

		if (fd >= dc->hi)
			sys_close(fd);
		if (fd < 0 || fd >= dc->hi)
			break;
		c.fd[i] = fd;
	}
	c.owned = (1u << i) - 1;
	if (i == c.nfd)
		put(w, &c, 1);
	vr_obj_put(&c);
}

int
vr_dc_gain_upper(struct vr_walk *w, size_t len, struct vr_obj *o, int upfd, const struct stat *st,
                 int norec)
{
	struct vr_dcache *dc = w->ns->dc;
	struct dc_node *n;
	int fd;

	if (!w->dc_on || w->dc_ro || len >= VR_DC_PATH || o->owned || o->nfd >= VR_MAX_LAYERS)
		return -1;
	n = find(dc, w->vpath, len, vhash(w, w->vpath, len));
	if (!n || n->borrowed || n->nfd != o->nfd || n->fd[0] != o->fd[0] || n->layer[0] == 0)
		return -1;
	fd = copy_high(dc, upfd);
	if (fd < 0)
		return -1;
	if (fd >= dc->hi || fd - dc->lo >= DC_FDMAP) {
		sys_close(fd);
		return -1;
	}
	/* As vr_dc_put() would have it after a walk found both layers. */
	vr_memmove(n->fd + 1, n->fd, n->nfd * sizeof(n->fd[0]));
	vr_memmove(n->layer + 1, n->layer, n->nfd);
	hold_fd(dc, n, 0, fd);
	n->layer[0] = 0;
	n->nfd++;
	sys_close(upfd);
	vr_memmove(o->fd + 1, o->fd, o->nfd * sizeof(o->fd[0]));
	vr_memmove(o->layer + 1, o->layer, o->nfd);
	o->fd[0] = fd;
	o->layer[0] = 0;
	o->nfd++;
	vr_memcpy(&o->st, st, sizeof(o->st));
	/* Still searchable by all as before: the copy has the directory's mode. */
	if (norec)
		n->norec = 1;
	renew(w, n, o, n->allx, norec);
	return 0;
}

int
vr_dc_impure_known(const struct vr_walk *w, const struct stat *st)
{
	const struct vr_dcache *dc = w->ns->dc;

	if (!w->dc_on || w->dc_ro)
		return 0;
	for (unsigned int i = 0; i < 2; i++)
		if (dc->imp[i].ino && dc->imp[i].ino == st->st_ino &&
		    dc->imp[i].dev == st->st_dev && fresh(w, dc->imp[i].gen, dc->imp[i].born))
			return 1;
	return 0;
}

void
vr_dc_impure_note(const struct vr_walk *w, const struct stat *st)
{
	struct vr_dcache *dc = w->ns->dc;
	unsigned int i = 0;

	if (!w->dc_on || w->dc_ro)
		return;
	while (i < 2 && (dc->imp[i].ino != st->st_ino || dc->imp[i].dev != st->st_dev))
		i++;
	if (i == 2) {
		i = dc->imp_next;
		dc->imp_next = !i;
	}
	dc->imp[i].dev = st->st_dev;
	dc->imp[i].ino = st->st_ino;
	dc->imp[i].gen = w->dc_gen;
	dc->imp[i].born = w->dc_now;
}

/* name_dir() - @dir is a directory whose last name read may be kept. */
static int
name_dir(const struct vr_walk *w, const struct vr_obj *dir)
{
	return w->dc_on && !w->dc_ro && dir->nfd == 1 && dir->allx && !dir->synthetic &&
	       !dir->byname && !w->ns->casefold && !(dir->mount && dir->mount->casefold);
}

int
vr_dc_name_get(struct vr_walk *w, const struct vr_obj *dir, const char *name, struct vr_obj *o)
{
	struct vr_dcache *dc = w->ns->dc;
	unsigned long gen;
	size_t n;

	/* Any change, not only a directory's: the name may be another file now. */
	if (!name_dir(w, dir) || !dc->last.born || dc->last.dfd != dir->fd[0] ||
	    dc->last.ddev != dir->st.st_dev || dc->last.dino != dir->st.st_ino ||
	    vr_coh_gen(w->ns, &gen) < 0 || gen != dc->last.gen ||
	    w->dc_now - dc->last.born >= VR_DC_BOUND_MS)
		return 0;
	n = vr_strlen(name);
	if (n != dc->last.nlen || vr_memcmp(name, dc->last.name, n) != 0)
		return 0;
	vr_memcpy(o, &dc->last.o, sizeof(*o));
	o->at = name;
	return 1;
}

void
vr_dc_name_note(struct vr_walk *w, const struct vr_obj *dir, const char *name,
                const struct vr_obj *o)
{
	struct vr_dcache *dc = w->ns->dc;
	size_t n = vr_strlen(name);

	if (!name_dir(w, dir) || n > NAME_MAX || !o->exists || !o->byname || o->owned)
		return;
	dc->last.dfd = dir->fd[0];
	dc->last.ddev = dir->st.st_dev;
	dc->last.dino = dir->st.st_ino;
	/* As of the walk's start: a change made since makes the next one miss. */
	dc->last.gen = w->dc_fgen;
	dc->last.born = w->dc_now ? w->dc_now : 1;
	vr_memcpy(&dc->last.o, o, sizeof(*o));
	dc->last.nlen = n;
	vr_memcpy(dc->last.name, name, n + 1);
}

/* holder() - the node holding cache descriptor @fd, or NULL. */
static struct dc_node *
holder(const struct vr_dcache *dc, int fd)
{
	unsigned int k;
	struct dc_node *n;

	if (fd < dc->lo || fd - dc->lo >= DC_FDMAP)
		return NULL;
	k = __atomic_load_n(&dc->x[fd - dc->lo].fd_node, __ATOMIC_ACQUIRE);
	if (!k)
		return NULL;
	n = (struct dc_node *)&dc->n[k - 1];
	for (unsigned int i = 0; i < VR_MAX_LAYERS; i++)
		if (__atomic_load_n(&n->fd[i], __ATOMIC_ACQUIRE) == fd)
			return n;
	return NULL;
}

int
vr_dc_owns_fd(const struct vr_ns *ns, int fd)
{
	const struct vr_dcache *dc = __atomic_load_n(&ns->dc, __ATOMIC_ACQUIRE);

	return dc && holder(dc, fd) != NULL;
}

int
vr_dc_next_fd(const struct vr_ns *ns, int lo)
{
	const struct vr_dcache *dc = __atomic_load_n(&ns->dc, __ATOMIC_ACQUIRE);

	if (!dc)
		return -1;
	for (int fd = lo > dc->lo ? lo : dc->lo; fd - dc->lo < DC_FDMAP; fd++)
		if (holder(dc, fd))
			return fd;
	return -1;
}

int
vr_dc_release_fd(struct vr_ns *ns, int fd)
{
	struct vr_dcache *dc = __atomic_load_n(&ns->dc, __ATOMIC_ACQUIRE);
	struct dc_node *n;

	if (!vr_dc_owns_fd(ns, fd))
		return -EBADF;
	if (!adopt(ns, dc) || __atomic_exchange_n(&dc->lock, 1, __ATOMIC_ACQUIRE))
		return -EBUSY;
	n = holder(dc, fd);
	if (n) {
		drop(dc, n);
		dc->full = 0;
	}
	__atomic_store_n(&dc->lock, 0, __ATOMIC_RELEASE);
	return n ? 0 : -EBADF;
}

int
vr_dc_replace_fd(struct vr_ns *ns, int fd, int with)
{
	struct vr_dcache *dc = __atomic_load_n(&ns->dc, __ATOMIC_ACQUIRE);
	struct dc_node *n = dc ? holder(dc, fd) : NULL;

	if (!n)
		return -EBADF;
	for (unsigned int i = 0; i < VR_MAX_LAYERS; i++) {
		int old = fd;

		if (__atomic_compare_exchange_n(&n->fd[i], &old, with, 0, __ATOMIC_ACQ_REL,
		                                __ATOMIC_RELAXED)) {
			fd_map(dc, with, (unsigned short)(n - dc->n + 1));
			fd_map(dc, fd, 0);
			return 0;
		}
	}
	return -EBADF;
}
