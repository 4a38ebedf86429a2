/*
 * coherence.c - what every process on one prefix shares so that caches
 * stay true: a generation counter, the last directories renamed and base
 * files copied up, the program files being run, and the namespace's clock.
 *
 * The counter is a word in a page of the file "vroot-coherence" in the
 * prefix's work directory, mapped shared by every process of every session
 * on the prefix.  Every change the core makes to the upper layer or to a
 * read-write mount bumps it after the change, so a lookup cached under an
 * older value is known stale at the next call of any of them.  A change
 * made from outside (to a base, or to the prefix by a program that does not
 * run in vroot) does not move it: such changes are noticed by time bounds.
 *
 * The page is made on first need.  A namespace without an upper layer has
 * no page; neither has a process that cannot write the file (another user
 * than the one who made the prefix): vr_coh_gen() then fails and nothing
 * may be cached.
 */
#include "coherence.h"
#include "ns.h"
#include "util.h"

#define COH_FILE  "vroot-coherence"
#define COH_SIZE  16384
#define COH_MAGIC 0x76726f6f74636f68UL /* "vrootcoh" */
#define COH_NONE  ((struct vr_coh *)1) /* no page can be had */

#ifndef CLOCK_MONOTONIC_COARSE
#define CLOCK_MONOTONIC_COARSE 6
#endif

#define COH_RENAMES 8
#define COH_RPATH   VR_COH_RPATH

/*
 * struct vr_coh_rename - a directory renamed, for the working directories
 * of every process to follow: written with seq 0, then seq set to its
 * ticket; a reader copies it and checks seq before and after.
 */
struct vr_coh_rename {
	unsigned long seq;
	unsigned short olen, nlen;
	char old[COH_RPATH], new[COH_RPATH];
};

#define COH_COPIES VR_COH_COPIES

/*
 * struct vr_coh_copy - a base regular file copied up (its device and inode
 * number in the base), for other processes to re-point their descriptors
 * of it: written as struct vr_coh_rename is.
 */
struct vr_coh_copy {
	unsigned long seq, dev, ino;
};

#define COH_IMAGES 64

/*
 * struct vr_coh_image - the program file a process of the prefix runs
 * (mapped by the loader, not by execve(), so the kernel does not refuse
 * writes to it): pid 0 free, -1 being written.  key (vr_proc_key())
 * tells a live process from a later one with the same pid.
 */
struct vr_coh_image {
	int pid;
	unsigned long key, dev, ino;
};

/* struct vr_coh - the shared pages' layout. */
struct vr_coh {
	unsigned long magic; /* written once by whoever finds it zero */
	unsigned long gen;
	unsigned long dgen;    /* moves only with changes to directories */
	unsigned long renames; /* tickets taken for the ring below */
	struct vr_coh_rename r[COH_RENAMES];
	/* Added after the renames: a page an older vroot made reads zero here. */
	unsigned long copies; /* tickets taken for the ring below */
	struct vr_coh_copy c[COH_COPIES];
	struct vr_coh_image run[COH_IMAGES];
	/* Added after the images: directories copied up (tickets, ring). */
	unsigned long dcopies;
	struct vr_coh_copy d[VR_COH_DCOPIES];
	/* Added after those: the image entry after the one claimed last, the oldest. */
	unsigned int image_next;
};

_Static_assert(sizeof(struct vr_coh) <= COH_SIZE, "the shared page holds struct vr_coh");

void *
vr_work_map(struct vr_ns *ns, const char *name, size_t size)
{
	struct stat st;
	void *p;
	int fd;

	if (!ns->has_upper || ns->work.fd < 0)
		return NULL;
	fd = sys_openat(ns->work.fd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0)
		return NULL;
	if (sys_fstat(fd, &st) < 0 || (st.st_mode & S_IFMT) != S_IFREG) {
		sys_close(fd);
		return NULL;
	}
	/* Every user of the prefix writes it, whatever the creator's umask. */
	if ((st.st_mode & 0666) != 0666)
		vr_sys2(__NR_fchmod, fd, 0666);
	/* Grown, never shrunk: processes racing here all ask for the same size. */
	if ((unsigned long)st.st_size < size && vr_sys2(__NR_ftruncate, fd, (long)size) < 0) {
		sys_close(fd);
		return NULL;
	}
	p = sys_mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	sys_close(fd);
	return sys_mmap_failed(p) ? NULL : p;
}

/* map_page() - the shared page, made if missing.  Return: it, or COH_NONE. */
static struct vr_coh *
map_page(struct vr_ns *ns)
{
	struct vr_coh *c = vr_work_map(ns, COH_FILE, COH_SIZE);

	if (!c)
		return COH_NONE;
	__atomic_store_n(&c->magic, COH_MAGIC, __ATOMIC_RELAXED);
	return c;
}

/* page() - the namespace's shared page, mapped on first need, or NULL. */
static struct vr_coh *
page(struct vr_ns *ns)
{
	struct vr_coh *c = __atomic_load_n(&ns->coh, __ATOMIC_ACQUIRE), *none = NULL;

	if (!c) {
		c = map_page(ns);
		/* Threads may race here: one mapping wins, the others go. */
		if (!__atomic_compare_exchange_n(&ns->coh, &none, c, 0, __ATOMIC_ACQ_REL,
		                                 __ATOMIC_ACQUIRE)) {
			if (c != COH_NONE)
				sys_munmap(c, COH_SIZE);
			c = none;
		}
	}
	return c == COH_NONE ? NULL : c;
}

int
vr_coh_gen(struct vr_ns *ns, unsigned long *gen)
{
	struct vr_coh *c = page(ns);

	if (!c)
		return -ENOENT;
	*gen = __atomic_load_n(&c->gen, __ATOMIC_ACQUIRE);
	return 0;
}

int
vr_ns_generation(struct vr_ns *ns, unsigned long *gen)
{
	return vr_coh_gen(ns, gen);
}

int
vr_coh_dgen(struct vr_ns *ns, unsigned long *gen)
{
	struct vr_coh *c = page(ns);

	if (!c)
		return -ENOENT;
	*gen = __atomic_load_n(&c->dgen, __ATOMIC_ACQUIRE);
	return 0;
}

unsigned long
vr_coh_bump(struct vr_ns *ns)
{
	struct vr_coh *c = page(ns);
	unsigned long gen = c ? __atomic_add_fetch(&c->gen, 1, __ATOMIC_RELEASE) : 0;

	vr_ns_count(ns, offsetof(struct vr_stats, coh_bumps));
	return gen;
}

unsigned long
vr_coh_bump_dir(struct vr_ns *ns)
{
	struct vr_coh *c = page(ns);

	if (c)
		__atomic_add_fetch(&c->dgen, 1, __ATOMIC_RELEASE);
	return vr_coh_bump(ns);
}

unsigned long
vr_coh_renames(struct vr_ns *ns)
{
	struct vr_coh *c = page(ns);

	return c ? __atomic_load_n(&c->renames, __ATOMIC_ACQUIRE) : 0;
}

void
vr_coh_rename(struct vr_ns *ns, const char *old, size_t olen, const char *new, size_t nlen)
{
	struct vr_coh *c = page(ns);
	struct vr_coh_rename *r;
	unsigned long t;

	if (!c)
		return;
	t = __atomic_add_fetch(&c->renames, 1, __ATOMIC_ACQ_REL);
	r = &c->r[t % COH_RENAMES];
	__atomic_store_n(&r->seq, 0, __ATOMIC_RELEASE);
	/* Too long to keep: readers find the ticket lost, as if overwritten. */
	if (olen >= COH_RPATH || nlen >= COH_RPATH)
		return;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vr_memcpy(r->old, old, olen);
	vr_memcpy(r->new, new, nlen);
	r->olen = (unsigned short)olen;
	r->nlen = (unsigned short)nlen;
	__atomic_store_n(&r->seq, t, __ATOMIC_RELEASE);
}

int
vr_coh_rename_get(struct vr_ns *ns, unsigned long t, char *old, size_t *olen, char *new,
                  size_t *nlen)
{
	struct vr_coh *c = page(ns);
	struct vr_coh_rename *r;

	if (!c)
		return -ENOENT;
	r = &c->r[t % COH_RENAMES];
	if (__atomic_load_n(&r->seq, __ATOMIC_ACQUIRE) != t)
		return -ENOENT;
	*olen = r->olen < COH_RPATH ? r->olen : 0;
	*nlen = r->nlen < COH_RPATH ? r->nlen : 0;
	vr_memcpy(old, r->old, *olen);
	vr_memcpy(new, r->new, *nlen);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&r->seq, __ATOMIC_RELAXED) == t && *olen && *nlen ? 0 : -ENOENT;
}

unsigned long
vr_coh_copies(struct vr_ns *ns)
{
	struct vr_coh *c = page(ns);

	return c ? __atomic_load_n(&c->copies, __ATOMIC_ACQUIRE) : 0;
}

/*
 * ring_put() - (@dev, @ino) under the next ticket of @tickets, in @ring of
 * @n slots.  A reader that finds the slot still being written takes the
 * ticket as lost.
 */
static unsigned long
ring_put(unsigned long *tickets, struct vr_coh_copy *ring, unsigned long n, unsigned long dev,
         unsigned long ino)
{
	unsigned long t = __atomic_add_fetch(tickets, 1, __ATOMIC_ACQ_REL);
	struct vr_coh_copy *e = &ring[t % n];

	__atomic_store_n(&e->seq, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&e->dev, dev, __ATOMIC_RELAXED);
	__atomic_store_n(&e->ino, ino, __ATOMIC_RELAXED);
	__atomic_store_n(&e->seq, t, __ATOMIC_RELEASE);
	return t;
}

/* ring_get() - ticket @t of @ring (@n slots).  Return: 0, or -ENOENT when lost. */
static int
ring_get(const struct vr_coh_copy *ring, unsigned long n, unsigned long t, unsigned long *dev,
         unsigned long *ino)
{
	const struct vr_coh_copy *e = &ring[t % n];

	if (__atomic_load_n(&e->seq, __ATOMIC_ACQUIRE) != t)
		return -ENOENT;
	*dev = __atomic_load_n(&e->dev, __ATOMIC_RELAXED);
	*ino = __atomic_load_n(&e->ino, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&e->seq, __ATOMIC_RELAXED) == t ? 0 : -ENOENT;
}

unsigned long
vr_coh_copied(struct vr_ns *ns, unsigned long dev, unsigned long ino)
{
	struct vr_coh *c = page(ns);

	return c ? ring_put(&c->copies, c->c, COH_COPIES, dev, ino) : 0;
}

int
vr_coh_copy_get(struct vr_ns *ns, unsigned long t, unsigned long *dev, unsigned long *ino)
{
	struct vr_coh *c = page(ns);

	return c ? ring_get(c->c, COH_COPIES, t, dev, ino) : -ENOENT;
}

unsigned long
vr_coh_dir_copies(struct vr_ns *ns)
{
	struct vr_coh *c = page(ns);

	return c ? __atomic_load_n(&c->dcopies, __ATOMIC_ACQUIRE) : 0;
}

unsigned long
vr_coh_dir_renew(struct vr_ns *ns, unsigned long dev, unsigned long ino)
{
	struct vr_coh *c = page(ns);

	if (c)
		ring_put(&c->dcopies, c->d, VR_COH_DCOPIES, dev, ino);
	return vr_coh_bump(ns);
}

void
vr_coh_dir_copied(struct vr_ns *ns, unsigned long dev, unsigned long ino)
{
	vr_coh_dir_renew(ns, dev, ino);
}

int
vr_coh_dir_copy_get(struct vr_ns *ns, unsigned long t, unsigned long *dev, unsigned long *ino)
{
	struct vr_coh *c = page(ns);

	return c ? ring_get(c->d, VR_COH_DCOPIES, t, dev, ino) : -ENOENT;
}

/* image_live() - entry @e, read as (@pid, @key), is a live process's. */
static int
image_live(struct vr_coh_image *e, int pid, unsigned long key)
{
	if (key && vr_proc_key(pid) == key)
		return 1;
	/* Gone: the entry is free again, unless it was rewritten meanwhile. */
	__atomic_compare_exchange_n(&e->pid, &pid, 0, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
	return 0;
}

/* image_claim() - entry @e, holding @pid, is this one's to write: 1 or 0. */
static int
image_claim(struct vr_coh_image *e, int pid)
{
	return __atomic_compare_exchange_n(&e->pid, &pid, -1, 0, __ATOMIC_ACQ_REL,
	                                   __ATOMIC_RELAXED);
}

void
vr_coh_image_run(struct vr_ns *ns, unsigned long dev, unsigned long ino)
{
	struct vr_coh *c = page(ns);
	int pid = (int)vr_sys0(__NR_getpid), i;
	unsigned long key;
	unsigned int first;
	struct vr_coh_image *e = NULL;

	if (!c || !(key = vr_proc_key(pid)))
		return;
	/* An exec keeps the pid: the entry of its last image becomes this one's. */
	for (i = 0; i < COH_IMAGES && !e; i++)
		if (__atomic_load_n(&c->run[i].pid, __ATOMIC_ACQUIRE) == pid &&
		    image_claim(&c->run[i], pid))
			e = &c->run[i];
	/*
	 * Else a free entry, or a dead process's: asking whether one lives
	 * costs calls (vr_proc_key()), so the oldest entry (taken longest
	 * ago) is asked first, and a free one needs no asking.
	 */
	first = __atomic_load_n(&c->image_next, __ATOMIC_RELAXED) % COH_IMAGES;
	for (int ask = 0; ask < 2 && !e; ask++) {
		for (i = 0; i < COH_IMAGES && !e; i++) {
			struct vr_coh_image *r = &c->run[(first + i) % COH_IMAGES];
			int p = __atomic_load_n(&r->pid, __ATOMIC_ACQUIRE);
			unsigned long s = __atomic_load_n(&r->key, __ATOMIC_RELAXED);

			if (ask && p > 0 && !image_live(r, p, s))
				p = 0;
			if (p == 0 && image_claim(r, 0))
				e = r;
		}
	}
	if (!e)
		return; /* full: this image is not protected */
	__atomic_store_n(&c->image_next, (unsigned int)(e - c->run) + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&e->key, key, __ATOMIC_RELAXED);
	__atomic_store_n(&e->dev, dev, __ATOMIC_RELAXED);
	__atomic_store_n(&e->ino, ino, __ATOMIC_RELAXED);
	__atomic_store_n(&e->pid, pid, __ATOMIC_RELEASE);
}

void
vr_ns_image_run(struct vr_ns *ns, int fd)
{
	struct stat st;

	if (sys_fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG)
		vr_coh_image_run(ns, st.st_dev, st.st_ino);
}

int
vr_coh_image_busy(struct vr_ns *ns, unsigned long dev, unsigned long ino)
{
	struct vr_coh *c = page(ns);

	if (!c)
		return 0;
	for (int i = 0; i < COH_IMAGES; i++) {
		struct vr_coh_image *e = &c->run[i];
		int pid = __atomic_load_n(&e->pid, __ATOMIC_ACQUIRE);
		unsigned long key = __atomic_load_n(&e->key, __ATOMIC_RELAXED);

		if (pid > 0 && __atomic_load_n(&e->ino, __ATOMIC_RELAXED) == ino &&
		    __atomic_load_n(&e->dev, __ATOMIC_RELAXED) == dev &&
		    __atomic_load_n(&e->pid, __ATOMIC_ACQUIRE) == pid && image_live(e, pid, key))
			return 1;
	}
	return 0;
}

void
vr_coh_fini(struct vr_ns *ns)
{
	struct vr_coh *c = ns->coh;

	if (c && c != COH_NONE)
		sys_munmap(c, COH_SIZE);
	ns->coh = NULL;
}

unsigned long
vr_ns_clock_ms(struct vr_ns *ns)
{
	struct {
		long sec, nsec;
	} ts = {0, 0};

	if (ns->clock)
		ns->clock(CLOCK_MONOTONIC_COARSE, &ts);
	else
		vr_sys2(__NR_clock_gettime, CLOCK_MONOTONIC_COARSE, &ts);
	return (unsigned long)ts.sec * 1000 + (unsigned long)ts.nsec / 1000000;
}

void
vr_ns_set_clock(struct vr_ns *ns, int (*fn)(int clock, void *ts))
{
	ns->clock = fn;
}

void
vr_ns_stats(const struct vr_ns *ns, struct vr_stats *out)
{
	out->walks = __atomic_load_n(&ns->stats.walks, __ATOMIC_RELAXED);
	out->attr_by_name = __atomic_load_n(&ns->stats.attr_by_name, __ATOMIC_RELAXED);
	out->coh_bumps = __atomic_load_n(&ns->stats.coh_bumps, __ATOMIC_RELAXED);
	out->cache_hits = __atomic_load_n(&ns->stats.cache_hits, __ATOMIC_RELAXED);
	out->cache_misses = __atomic_load_n(&ns->stats.cache_misses, __ATOMIC_RELAXED);
}

void
vr_ns_count_into(struct vr_ns *ns, struct vr_stats *sink)
{
	__atomic_store_n(&ns->stats_sink, sink, __ATOMIC_RELEASE);
}
