/*
 * ns.h - the namespace and task objects (internal layout).
 */
#ifndef VR_NS_H
#define VR_NS_H

#include "vroot.h"
#include "arena.h"
#include "layer.h"
#include "sys.h"

/* A backing directory: a layer root, a mount's host directory, the work dir. */
struct vr_backing {
	int fd;           /* O_PATH|O_DIRECTORY, owned by the namespace */
	const char *host; /* canonical host path, as /proc/self/fd shows it */
	size_t hlen;
	unsigned long dev, ino;
};

struct vr_mount {
	struct vr_backing b;
	const char *path; /* canonical virtual path, never "/" */
	size_t plen;
	unsigned int flags, casefold, owner;
	int procfs; /* the host directory is in a procfs: its symlinks are magic */
};

/*
 * The longest canonical virtual path a walk, a working directory or a
 * remembered directory descriptor holds.  The kernel limits the string a
 * program passes (PATH_MAX), not the path of the directory it names: a
 * working directory may lie deeper (mkdir -p of a deep tree goes down by
 * relative steps), and a relative path starts there.
 */
#define VR_VPATH_MAX (8 * PATH_MAX)

/* Descriptors below this number keep a hint of where they were opened. */
#define VR_FD_HINTS 1024

/* Program descriptors whose upper-layer file vr_fd_upper() remembers. */
#define VR_UPFD_NOTES 256
/* Hints of descriptors whose number was reused (vr_fd_hint_set()). */
#define VR_FD_SPILL 16

struct vr_ns {
	struct vr_pool pool;
	const struct vr_layer_ops *ops;
	unsigned int nlayers; /* layers[0] is the upper when has_upper */
	int has_upper;
	struct vr_backing layers[VR_MAX_LAYERS];
	struct vr_backing work; /* fd -1 when there is no upper */
	struct vr_backing stub; /* work/vroot-stub: directories standing in for
	                         * synthetic ones so they can be opened; fd -1 if none */
	int helper_fd;          /* the privileged helper's socket (helper.c), or -1 */
	unsigned int casefold; /* VR_CASE_* of the root overlay */
	unsigned int nmounts;
	unsigned long vdev; /* the one st_dev every root-overlay object shows */
	/*
	 * Where the upper and work directories show inside lower layers or
	 * mounts (a prefix inside its base): the walk's kernel-assisted fast
	 * path must not pass through them.  no_fast: too many to list.
	 */
	unsigned int nhidden_v;
	int no_fast;
	unsigned short hidden_vlen[8];
	char hidden_v[8][256];
	unsigned long ldev[VR_MAX_LAYERS]; /* the layers' devices, distinct */
	unsigned int nldev;
	/*
	 * What the upper layer's filesystem can do, probed on first need by
	 * whiteout.c: 0 not known yet, 1 yes, -1 no.  Written with atomic
	 * stores; threads probing at once store the same answer.
	 */
	int up_rename_whiteout; /* renameat2(RENAME_WHITEOUT) (ramfs: no) */
	int up_user_xattr;      /* user.* xattrs, so opaque directories */
	/* linkat(AT_EMPTY_PATH) of a copy (CAP_DAC_READ_SEARCH; copyup.c) */
	int up_empty_link;
	/*
	 * 1 once the prefix is known to hold a record that gives a regular
	 * file another type (a device: owner.c), so listings read the records
	 * of the upper layer's regular files for their d_type; 0 not yet.
	 */
	int specials;
	/*
	 * The host's fs.protected_hardlinks, read when first asked
	 * (vr_ns_protected_hardlinks()): -1 before.  Every image's start
	 * makes a namespace, few ever link.
	 */
	int protected_hardlinks;
	/*
	 * Layers (bit = layer number) whose files copy_file_range() would
	 * not copy to the upper layer (another filesystem): copied by read
	 * and write without asking again.  Learnt by each process.
	 */
	unsigned int no_kernel_copy;
	/*
	 * Some host directory shows at two virtual places (a --mount of a
	 * directory a layer or another mount also shows, or a lower inside
	 * another): a descriptor's host path alone does not say which place
	 * it was opened at.  Then fd_hint[fd] remembers the source each
	 * descriptor the core opened came through (see vr_fd_hint_set()).
	 * Lowers inside lowers are told apart by the longest match only.
	 */
	int aliasing;
	/* Above the highest descriptor ever noted in upfd: nothing to forget there. */
	int upfd_top;
	unsigned int fd_spill_next;
	/*
	 * Above every number below VR_FD_HINTS ever given a hint: the rest
	 * are 0 (the spill ring's slots are bounded by fd_spill_next).
	 */
	int hint_top;
	/*
	 * Descriptors of base files opened for reading in this process
	 * (counted by the core's opens), and 1 + that count when a copy-up's
	 * look for such descriptors last found none (0: never): while they
	 * match, a copy-up has no descriptor to re-point (copyup.c).
	 */
	unsigned long base_reads, base_reads_clean;
	/* Copy tickets (vr_coh_copies()) this process has looked at. */
	unsigned long copies_seen;
	/*
	 * The prefix's shared coherence page (coherence.c): NULL until first
	 * needed, then mapped or marked unavailable.  Set once, atomically.
	 */
	struct vr_coh *coh;
	/*
	 * The prefix's shared table of faked identities (idtab.c), mapped as
	 * `coh` is; the pid whose key (vr_proc_key()) idtab_key holds.
	 */
	struct vr_idtab *idtab;
	int idtab_pid;
	unsigned long idtab_key;
	int (*clock)(int clock, void *ts); /* NULL: the system call */
	struct vr_stats stats;             /* updated with relaxed atomics */
	struct vr_stats *stats_sink;       /* counted into as well, or NULL */
	struct vr_dcache *dc;              /* directories kept between calls, or NULL (dcache.c) */
	const unsigned long *sharers;      /* vr_ns_cache_sharers()'s word, or NULL */
	int fd_seen;                       /* vr_ns_fd_changes_seen(): 1 said, -1 withdrawn */
	struct vr_foldidx *fidx;           /* folded-name indexes, or NULL (foldidx.c) */
	size_t size;    /* bytes mapped for this object and its strings */
	/*
	 * Only the first nmounts are touched: the words each image writes or
	 * reads as it starts lie in the first pages, the per-descriptor
	 * notes below, and the page of the strings (each page touched is a
	 * fault, in every exec).
	 */
	struct vr_mount mounts[VR_MAX_MOUNTS];
	/*
	 * What the core knows of descriptor fd by its number, for the
	 * numbers below VR_UPFD_NOTES all in one place (a process's low
	 * numbers share a page; the start of an exec writes some):
	 * - hint: fd_hint[fd] (below);
	 * - up: device and inode of the upper-layer file fd held when last
	 *   asked;
	 * - norec: 1 + the change counter (vr_coh_gen()) at which the file of
	 *   up was last known to carry no owner's record; 0 not known (attr.c);
	 * - base: device and inode of the base object the core last opened
	 *   as fd to read (ops.c): an object with neither an owner's record
	 *   nor an origin to read, like a base object stat()ed by name;
	 * - seq: how many times the number changed (vr_fd_changed());
	 * - upv: the stamp (vr_fd_stamp()) as of which up is known to hold
	 *   a file that is no directory, 0 none: believed without an
	 *   fstat() while the stamp is the same.
	 */
	struct {
		unsigned long hint, up[2], norec, base[2], seq, upv;
	} fdn[VR_UPFD_NOTES];
	/*
	 * The hints of the numbers from VR_UPFD_NOTES up, then the spill
	 * ring: fd_hint[i] is vr_fd_hint_word(ns, i).
	 */
	unsigned long fd_hint_hi[VR_FD_HINTS + VR_FD_SPILL - VR_UPFD_NOTES];
	char strings[]; /* copies of every path above */
};

_Static_assert(VR_UPFD_NOTES <= VR_FD_HINTS, "fdn[] holds the low numbers' hints");

/* vr_fd_hint_word() - the word of fd_hint[@i], 0 <= @i < VR_FD_HINTS + VR_FD_SPILL. */
static inline unsigned long *
vr_fd_hint_word(const struct vr_ns *ns, int i)
{
	struct vr_ns *n = (struct vr_ns *)ns; /* the words of a const ns are only read */

	return i < VR_UPFD_NOTES ? &n->fdn[i].hint : &n->fd_hint_hi[i - VR_UPFD_NOTES];
}

struct vr_task {
	struct vr_ns *ns;
	struct vr_ident id;
	/* cwd is written under `lock` and read locklessly through `seq`. */
	int lock;
	unsigned int seq;
	unsigned long renames_seen; /* directory renames the cwd has followed */
	size_t cwdlen;
	char cwd[VR_VPATH_MAX];
	size_t rootlen; /* the root chroot() set, canonical; "/" at first */
	char root[PATH_MAX];
};

/* vr_idtab_fini() - unmap the table of identities (idtab.c; vr_ns_free()). */
void vr_idtab_fini(struct vr_ns *ns);

/*
 * vr_ns_count() - add one to the counter at offset @off of struct vr_stats
 * (offsetof(struct vr_stats, walks)...), in @ns and in its sink.
 */
static inline void
vr_ns_count(struct vr_ns *ns, size_t off)
{
	struct vr_stats *sink = __atomic_load_n(&ns->stats_sink, __ATOMIC_ACQUIRE);

	__atomic_add_fetch((unsigned long *)((char *)&ns->stats + off), 1, __ATOMIC_RELAXED);
	if (sink)
		__atomic_add_fetch((unsigned long *)((char *)sink + off), 1, __ATOMIC_RELAXED);
}

/* vr_ns_is_hidden() - (dev, ino) is one of the namespace's own directories. */
int vr_ns_is_hidden(const struct vr_ns *ns, unsigned long dev, unsigned long ino);

/*
 * vr_ns_map_ino() - the inode number a root-overlay object of device @dev
 * shows: objects of the layers share one device, as on a kernel overlay,
 * and a layer's numbers are kept apart from the others' in the high bits.
 * Return: the number, and *devp becomes the overlay's device; objects of
 * other devices (mounts) are left as they are.
 */
unsigned long vr_ns_map_ino(const struct vr_ns *ns, unsigned long *devp, unsigned long ino);

/* vr_ns_map_stat() - vr_ns_map_ino() applied to @st. */
void vr_ns_map_stat(const struct vr_ns *ns, struct stat *st);

/* vr_ns_protected_hardlinks() - the host's fs.protected_hardlinks is set (1) or not (0). */
int vr_ns_protected_hardlinks(struct vr_ns *ns);

/* vr_ns_hidden_below() - a hidden directory shows at or below @path[0..len). */
int vr_ns_hidden_below(const struct vr_ns *ns, const char *path, size_t len);

/* vr_ns_mount_at() - the mount whose path is exactly @path[0..len), or NULL. */
const struct vr_mount *vr_ns_mount_at(const struct vr_ns *ns, const char *path, size_t len);

/*
 * vr_ns_new_taking() - vr_ns_new(), @spec->adopt being the previous
 * image's vr_ns_pass_fds() to take over when @take
 * (vr_task_new_packed_taken()).
 */
int vr_ns_new_taking(const struct vr_ns_spec *spec, int take, struct vr_ns **nsp);

/*
 * vr_ns_pool_begin() - map the scratch pool of a namespace about to be
 * made into @pool and lend all of it to the build as @s (no call can use
 * the pool before the namespace exists).  Return: 0 or -ENOMEM.
 */
int vr_ns_pool_begin(struct vr_pool *pool, struct vr_scratch *s);

/*
 * vr_ns_new_pooled() - vr_ns_new_taking() after vr_ns_pool_begin(),
 * allocating from @s (which the caller may have allocated from too); the
 * system-call hook is installed already.  Return: 0 or -errno.
 */
int vr_ns_new_pooled(const struct vr_ns_spec *spec, int take, struct vr_scratch *s,
                     struct vr_ns **nsp);

/*
 * vr_ns_pool_end() - after vr_ns_new_pooled() returned @err: the new
 * namespace *@nsp owns @pool, or @pool is unmapped on error.  Return: @err.
 */
int vr_ns_pool_end(struct vr_pool *pool, int err, struct vr_ns **nsp);

/*
 * vr_ns_make_stubs() - create the stub directories for every synthetic
 * directory (ancestors of mount points) in the work directory.
 * Best effort: without them, synthetic directories cannot be opened.
 */
void vr_ns_make_stubs(struct vr_ns *ns, char *cursor);

/* vr_ns_mount_below() - some mount lies strictly below @path[0..len). */
int vr_ns_mount_below(const struct vr_ns *ns, const char *path, size_t len);

#endif
