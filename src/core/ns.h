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

/*
 * vr_fd_hint_set() - descriptor @fd, just opened by the core on host
 * object @st (NULL: asked of @fd), was reached through mount @m (NULL:
 * the root overlay); kept when ns->aliasing, for vr_fd_vpath() and
 * vr_revmap_fd() to map it back to the same place.
 */
void vr_fd_hint_set(struct vr_ns *ns, int fd, const struct vr_mount *m, const struct stat *st);
/*
 * vr_fd_hints_count(), vr_fd_hints_pack(), vr_fd_hints_unpack() - the
 * hints of descriptors an exec keeps (no close-on-exec), carried to the
 * next image's namespace: at most @n records of 12 bytes (fd, hint word).
 */
unsigned int vr_fd_hints_count(const struct vr_ns *ns);
void vr_fd_hints_pack(const struct vr_ns *ns, char *buf, unsigned int n);
void vr_fd_hints_unpack(struct vr_ns *ns, const char *buf, unsigned int n);

/*
 * Coherence (coherence.c).
 *
 * vr_coh_gen() - the prefix's generation counter, which moves after every
 * change the core makes to the upper layer or a read-write mount, in any
 * process on the prefix.  Maps the shared page on first need.
 * Return: 0 with *gen set, or -ENOENT when there is no counter (no upper
 * layer, a work directory this process cannot write): cache nothing then.
 *
 * vr_coh_bump() - announce a change just made (call after the change, so
 * that a lookup cached under the new value has seen it).  Return: the
 * counter's new value (0 without a counter).
 *
 * vr_coh_dgen(), vr_coh_bump_dir() - the same for a second counter that
 * moves only with changes that can alter what a lookup finds for a
 * directory that exists: one removed, renamed or replaced, one gaining
 * its upper copy, its mode, owner or extended attributes changed
 * (opaque).  A new directory, and any change to a non-directory, leave it;
 * vr_coh_bump_dir() moves both counters.
 *
 * vr_coh_fini() - unmap the page (vr_ns_free()).
 *
 * vr_ns_clock_ms() - a coarse monotonic clock in milliseconds, for time
 * bounds: the embedder's (vr_ns_set_clock()), else the system call.
 */
int vr_coh_gen(struct vr_ns *ns, unsigned long *gen);
/*
 * vr_work_map() - @size bytes of file @name in the work directory, shared
 * by every process and user of the prefix (made mode 0666, grown to @size
 * if shorter, never shrunk).  Return: the mapping, or NULL (no work
 * directory, not a regular file, no room).
 */
void *vr_work_map(struct vr_ns *ns, const char *name, size_t size);
unsigned long vr_coh_bump(struct vr_ns *ns);
int vr_coh_dgen(struct vr_ns *ns, unsigned long *gen);
unsigned long vr_coh_bump_dir(struct vr_ns *ns);

/*
 * Directories renamed, shared the same way, so that a working directory
 * below one follows it (task.c), as the kernel's cwd is the directory
 * itself, not its name.  The last few are kept in a ring.
 *
 * vr_coh_renames() - tickets taken so far (0 without a counter).
 * vr_coh_rename() - directory @old (canonical, @olen bytes) is now @new:
 * call after the rename, before it is announced by vr_coh_bump_dir().
 * vr_coh_rename_get() - rename ticket @t into @old and @new (COH_RPATH
 * bytes each, not terminated).  Return: 0, or -ENOENT when it is lost
 * (overwritten, too long, being written).
 */
#define VR_COH_RPATH 760
unsigned long vr_coh_renames(struct vr_ns *ns);
void vr_coh_rename(struct vr_ns *ns, const char *old, size_t olen, const char *new, size_t nlen);
int vr_coh_rename_get(struct vr_ns *ns, unsigned long t, char *old, size_t *olen, char *new,
                      size_t *nlen);

/*
 * Base regular files copied up, shared the same way, so that the other
 * processes' descriptors opened on one before re-point at the copy
 * (copyup.c).  The last few are kept in a ring.
 *
 * vr_coh_copies() - tickets taken so far (0 without a counter).
 * vr_coh_copied() - base file (@dev, @ino) now has a copy: call after the
 * copy is in place.  Return: its ticket (0 without a counter).
 * vr_coh_copy_get() - copy ticket @t's base file.  Return: 0, or -ENOENT
 * when it is lost (overwritten, being written).
 */
#define VR_COH_COPIES 64
unsigned long vr_coh_copies(struct vr_ns *ns);
unsigned long vr_coh_copied(struct vr_ns *ns, unsigned long dev, unsigned long ino);
int vr_coh_copy_get(struct vr_ns *ns, unsigned long t, unsigned long *dev, unsigned long *ino);

/*
 * Directories whose own node alone is out of date, shared the same way,
 * so that a directory cache drops only the node of that directory
 * (dcache.c): a base directory that gained its upper layer (copied up),
 * and one whose mode changed without taking a search bit away (what was
 * judged below it by the old bits was judged as strictly); every other
 * change to a directory moves the directory counter (vr_coh_bump_dir()),
 * which drops them all.  The last VR_COH_DCOPIES are kept in a ring.
 *
 * vr_coh_dir_copies() - tickets taken so far (0 without a counter).
 * vr_coh_dir_copied() - base directory (@dev, @ino) now has its upper
 * directory: call after it is in place (it announces the change).
 * vr_coh_dir_renew() - the same for directory (@dev, @ino), as a node
 * shows it, after any other change that only its own node need know.
 * Return: as vr_coh_bump().
 * vr_coh_dir_copy_get() - ticket @t's directory.  Return: 0, or -ENOENT
 * when it is lost (overwritten, being written).
 */
#define VR_COH_DCOPIES 16
unsigned long vr_coh_dir_copies(struct vr_ns *ns);
void vr_coh_dir_copied(struct vr_ns *ns, unsigned long dev, unsigned long ino);
unsigned long vr_coh_dir_renew(struct vr_ns *ns, unsigned long dev, unsigned long ino);
int vr_coh_dir_copy_get(struct vr_ns *ns, unsigned long t, unsigned long *dev,
                        unsigned long *ino);

/*
 * Program files being run by the processes on the prefix, shared the same
 * way (at most 64 at once), so that writing one is refused with ETXTBSY as
 * the kernel refuses writes to a file a process was execve()d from.
 *
 * vr_coh_image_run() - this process now runs file (@dev, @ino): it replaces
 * the file of its previous image.
 * vr_coh_image_busy() - a live process runs file (@dev, @ino): 1 or 0.
 */
void vr_coh_image_run(struct vr_ns *ns, unsigned long dev, unsigned long ino);
int vr_coh_image_busy(struct vr_ns *ns, unsigned long dev, unsigned long ino);
void vr_coh_fini(struct vr_ns *ns);

/* vr_idtab_fini() - unmap the table of identities (idtab.c; vr_ns_free()). */
void vr_idtab_fini(struct vr_ns *ns);
unsigned long vr_ns_clock_ms(struct vr_ns *ns);

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

/*
 * vr_fd_vpath() - the virtual path of the file open as @fd (revmap.c).
 * Return: length, -EBADF, -ENOTDIR (not a path), -ENOENT, -ENAMETOOLONG.
 */
long vr_fd_vpath(struct vr_ns *ns, int fd, char *buf, size_t size);
/* vr_fd_vpath_st() - the same, @st (NULL: asked) the descriptor's fstat(). */
long vr_fd_vpath_st(struct vr_ns *ns, int fd, const struct stat *st, char *buf, size_t size);

/*
 * vr_fd_upper() - the program's descriptor @fd, whose fstat() is @st,
 * holds an object of the upper layer, reached through the root overlay:
 * its host path lies in the upper directory and in no lower layer or
 * mount found inside it (a mount that also shows it counts only when the
 * descriptor was opened through the overlay).  A removed file counts by
 * where it was.  The answer is remembered by descriptor number for the
 * same file (device and inode) until vr_fd_upper_forget() of the number.
 * Return: 1 or 0 (not, or not known: a pipe, a descriptor from outside).
 */
int vr_fd_upper(struct vr_ns *ns, int fd, const struct stat *st);

/*
 * vr_fd_mount() - the --mount whose host directory holds the object of the
 * program's descriptor @fd (a removed file by where it was), the deepest
 * one; when one directory shows at two places, where @fd was opened.
 * Return: the mount, or NULL (none, not a path, a descriptor opened
 * through the root overlay).
 */
const struct vr_mount *vr_fd_mount(struct vr_ns *ns, int fd);

/*
 * vr_fd_stamp() - what tells whether descriptor number @fd still holds
 * what it held when a note of it was made: the number's count of changes
 * and the count of changes to all numbers (a close_range(), a fork
 * child), as vr_fd_changed() moves them.  A note made with the stamp
 * read before what it notes was learnt is believed without an fstat()
 * while the stamp is the same.  0 (never believed) unless the embedder
 * sees every change (vr_ns_fd_changes_seen()), @fd is below
 * VR_UPFD_NOTES and the caller is surely the cache's process (not a
 * CLONE_VM child, whose descriptor table is its own, nor a fork child
 * that has not adopted the cache yet).
 */
unsigned long vr_fd_stamp(const struct vr_ns *ns, int fd);

/*
 * vr_fd_upper_known() - vr_fd_upper() of @fd without an fstat(): 1 when
 * the number still holds the file that is no directory it was last known
 * to hold, as @stamp (vr_fd_stamp() of @fd, read now) tells, with *@st's
 * type, device and inode filled in (nothing else); else 0, and the caller
 * asks the kernel.
 */
int vr_fd_upper_known(struct vr_ns *ns, int fd, unsigned long stamp, struct stat *st);

/*
 * vr_fd_upper_stamp() - vr_fd_upper() answered 1 for @fd and @st, an
 * fstat() made when the stamp was @stamp (vr_fd_stamp(), read before it):
 * believed without an fstat() while the stamp stays, unless @st is a
 * directory.
 */
void vr_fd_upper_stamp(struct vr_ns *ns, int fd, const struct stat *st, unsigned long stamp);

/* vr_fd_upper_forget() - @fd was just opened on something else (vr_fd_upper()). */
void vr_fd_upper_forget(struct vr_ns *ns, int fd);

/*
 * vr_fd_upper_note() - @fd was just opened through the root overlay on
 * @st, an object of the upper layer: vr_fd_upper() answers 1 from now on.
 * @norec: 0, or what upfd_norec[@fd] holds for a file known to have no
 * owner's record (1 + the change counter as of which it is known).
 * @stamp: vr_fd_stamp() of @fd, read now: the note is believed without an
 * fstat() while it stays (vr_fd_upper_stamp()).
 */
void vr_fd_upper_note(struct vr_ns *ns, int fd, const struct stat *st, unsigned long norec,
                      unsigned long stamp);

/*
 * vr_revmap_link() - the body of a procfs magic link (@body[0..n), room
 * for @size bytes) rewritten to the virtual path it names; non-paths stay
 * as they are, and so do paths outside the namespace unless @hide.
 * Return: new length, or -ENOENT for a path outside the namespace when
 * @hide.
 */
long vr_revmap_link(const struct vr_ns *ns, char *body, long n, size_t size, int hide);

/*
 * vr_task_cwd() - copy the task's cwd into @buf (@size bytes, up to
 * VR_VPATH_MAX are needed).  Return: length, -ENAMETOOLONG (longer than
 * @size allows), or -errno.
 */
long vr_task_cwd(struct vr_task *t, char *buf, size_t size);

/*
 * vr_task_new_as() - vr_task_new() with identity @id (NULL: the process's
 * real uid and gid, asked).  Return: 0 or -ENOMEM.
 */
int vr_task_new_as(struct vr_ns *ns, const struct vr_ident *id, struct vr_task **tp);

/* vr_task_root() - copy the task's root into @buf (PATH_MAX).  Return: length or -errno. */
long vr_task_root(struct vr_task *t, char *buf);
/* vr_task_root_in() - the same into @buf of @size bytes: -ENAMETOOLONG when it does not fit. */
long vr_task_root_in(struct vr_task *t, char *buf, size_t size);

/* vr_task_publish_root() - set the root to canonical @path.  Return: 0 or -ENAMETOOLONG. */
int vr_task_publish_root(struct vr_task *t, const char *path, size_t len);

/*
 * vr_task_publish_cwd() - set the cwd to canonical @path (shorter than
 * VR_VPATH_MAX).  Return: 0 or -ENAMETOOLONG.
 */
int vr_task_publish_cwd(struct vr_task *t, const char *path, size_t len);

#endif
