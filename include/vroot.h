/*
 * vroot.h - the public interface of libvroot, vroot's core.
 *
 * libvroot models a virtual root tree (a writable upper layer over read-only
 * lower layers, plus host directories mounted at virtual paths) and answers
 * path-bearing system calls against it.  Every entry point is shaped like the
 * system call it answers: it returns a value >= 0, or -errno.  The library
 * never sets errno, never prints and never allocates with malloc, so it can be
 * called from a SIGSYS handler, from any thread, and from programs without a
 * C library.
 *
 * Objects:
 *   struct vr_ns    a namespace: layers, mounts, options.  Immutable once
 *                   created; shared by every task that uses it.
 *   struct vr_task  a task context: virtual root, virtual working directory
 *                   and identity.  Use one per process (threads that share a
 *                   cwd share the task) or one per thread when each thread
 *                   needs its own working directory.
 *
 * File descriptors returned by vr_openat() are ordinary host descriptors; a
 * descriptor is mapped back to its virtual path when it is used as a dirfd
 * or passed to vr_getdents64()/vr_revmap_fd().
 */
#ifndef VROOT_H
#define VROOT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VR_API __attribute__((visibility("default")))

#define VR_VERSION "0.1.0"
/*
 * The library's ABI: libvroot.so.VR_ABI.  Raised when an exported call is
 * removed or changes its arguments or structures (doc/libvroot.abi lists
 * the exported calls; make check compares it with the library).
 */
#define VR_ABI 1

/**
 * vr_version() - the version of the library the program runs with
 * (VR_VERSION when it was built), to compare with the header's.
 */
VR_API const char *vr_version(void);

struct vr_ns;
struct vr_task;
struct stat;
struct statx;
struct open_how;

/* Mount flags. */
#define VR_MOUNT_RDONLY (1u << 0) /* writes answer -EROFS */

/*
 * Case folding policies.  VR_CASE_FOLD: names are looked up the way APFS
 * looks them up (case-insensitive, normalization-insensitive, case-
 * preserving); see README.md, "Case-insensitive namespaces".
 */
#define VR_CASE_EXACT 0u
#define VR_CASE_FOLD  1u

/* Ownership policies (option slot; only VR_OWNER_HOST is implemented). */
#define VR_OWNER_HOST 0u

/**
 * struct vr_mount_spec - a host directory, or one host file, shown at a
 * virtual path.
 * @host:     host directory (absolute, or relative to the caller's cwd), or
 *            a file of any other type (a device node, a regular file): the
 *            virtual path is then that file, opened, stat()ed and listed as
 *            the host's, and no mount may lie below it.  A symbolic link
 *            is followed.
 * @path:     absolute virtual path where it appears; "/" is not allowed
 *            (the root is the overlay).
 * @flags:    VR_MOUNT_* flags.
 * @casefold: VR_CASE_* policy for lookups inside this mount.
 * @owner:    VR_OWNER_* policy for ownership inside this mount.
 */
struct vr_mount_spec {
	const char *host;
	const char *path;
	unsigned int flags;
	unsigned int casefold;
	unsigned int owner;
};

/**
 * vr_syscall_fn - the system-call hook: every system call the library makes
 * (to open, stat and list the backing directories, to map its memory, to
 * wait on its locks) is made by calling it instead of the `syscall`
 * instruction, so an embedder whose own system calls must go a particular
 * way (a trusted page a seccomp filter lets through, an emulator's own
 * system-call layer, a counter) can route the library's.
 * @n:     the x86-64 system call number (__NR_*).
 * @a1-a6: its arguments, as the kernel takes them; unused ones are 0.
 * Return: the kernel's raw result, a value >= 0 or -errno; never set errno
 * nor return -1 for an error.
 *
 * Contract: the hook is called from wherever the library is called from:
 * several threads at once, a signal handler (a SIGSYS handler that answers
 * a trapped call), a vfork child, a thread that holds one of the library's
 * locks.  So it must be async-signal-safe and reentrant, must not call back
 * into the library, allocate with malloc or take a lock the interrupted
 * code may hold, and must make the call it is given (or answer it as the
 * kernel would: the library trusts the result).  It runs on the caller's
 * stack, which in a signal handler may be small.
 *
 * One hook per process: the library keeps it process-wide from the first
 * vr_ns_new() whose spec gives one, for every namespace (also those made
 * with NULL); a later spec with a different hook is refused (-EEXIST).
 */
typedef long (*vr_syscall_fn)(long n, long a1, long a2, long a3, long a4, long a5, long a6);

/**
 * struct vr_ns_spec - what a namespace is made of.
 * @upper:   writable upper layer directory, or NULL for a read-only root.
 * @work:    work directory on the same filesystem as @upper (temporary files
 *           for atomic copy-up); required with @upper.  Neither @upper nor
 *           @work is ever reachable from inside the namespace.
 * @lowers:  read-only lower layers, topmost first.
 * @nlowers: number of @lowers (at most VR_MAX_LAYERS - 1).
 * @mounts:  host directories (or files) mounted into the virtual tree.
 * @nmounts: number of @mounts (at most VR_MAX_MOUNTS).
 * @casefold: VR_CASE_* policy for lookups in the root overlay (every
 *           layer); each mount has its own.
 * @adopt:   descriptors a backing directory that cannot be opened by its
 *           path (a parent the caller may not search) is taken from when
 *           /proc/self/fd shows one at that path: a process that changed
 *           its user keeps the directories its session opened.  The first
 *           socket among them (an O_PATH descriptor of a listening
 *           socket) reaches the session's privileged helper
 *           (vr_helper_serve()), asked when a copy-up is refused to a
 *           user a root session became.  Duplicated; the caller keeps
 *           its own.  May be NULL.
 * @nadopt:  number of @adopt.
 * @syscall: the system-call hook (see vr_syscall_fn), or NULL: the core
 *           executes the `syscall` instruction itself.
 *
 * The strings are copied; the spec may be freed after vr_ns_new() returns.
 */
struct vr_ns_spec {
	const char *upper;
	const char *work;
	const char *const *lowers;
	unsigned int nlowers;
	const struct vr_mount_spec *mounts;
	unsigned int nmounts;
	unsigned int casefold;
	const int *adopt;
	unsigned int nadopt;
	vr_syscall_fn syscall;
};

#define VR_MAX_LAYERS 16
#define VR_MAX_MOUNTS 64

/**
 * vr_ns_new() - create a namespace from @spec.
 * @spec: the layers and mounts; see struct vr_ns_spec.
 * @nsp:  receives the namespace, owned by the caller (vr_ns_free()).
 *
 * Opens every backing directory once (O_PATH) and keeps the descriptors for
 * the namespace's lifetime.
 *
 * Return: 0, or -EEXIST (@spec->syscall differs from the hook installed
 * already), -EINVAL (malformed spec: relative or duplicate mount path,
 * too many layers or mounts, upper without work, unknown flags or policies),
 * -ENOTDIR, -ENOENT, -EACCES
 * (a backing directory cannot be opened; -ENOTDIR also: a mount lies below
 * a mount of one file), -ENOMEM.
 */
VR_API int vr_ns_new(const struct vr_ns_spec *spec, struct vr_ns **nsp);

/**
 * vr_spec_pack() - @spec as one flat byte string, to hand to another process
 * image (across execve) or another process.
 * @buf:  where to write, or NULL to learn the size.
 * @size: bytes available at @buf.
 * Return: the packed size (written only if it fits in @size), or -EINVAL.
 */
VR_API long vr_spec_pack(const struct vr_ns_spec *spec, void *buf, size_t size);

/**
 * vr_ns_new_packed() - vr_ns_new() from the output of vr_spec_pack().
 * Return: as vr_ns_new(); -EINVAL for a malformed or truncated string.
 */
VR_API int vr_ns_new_packed(const void *buf, size_t len, struct vr_ns **nsp);

/**
 * vr_ns_free() - release a namespace and its descriptors.  Every task made
 * from it must have been freed first.
 */
VR_API void vr_ns_free(struct vr_ns *ns);

/**
 * vr_ns_backing_fd() - the O_PATH descriptor of a backing directory, so an
 * embedder can protect it from the program's close()/dup2().
 * @i: 0 .. vr_ns_backing_count() - 1.
 * Return: the descriptor, or -EINVAL.
 */
VR_API int vr_ns_backing_fd(const struct vr_ns *ns, unsigned int i);
VR_API unsigned int vr_ns_backing_count(const struct vr_ns *ns);

/**
 * vr_ns_pass_fds() - the backing descriptors in the order
 * vr_task_new_packed_taken() takes them: the layers, then (with an upper
 * layer) the work and stub directories, the mounts, the helper's socket;
 * -1 for one that is missing.  Left open across execve, they are what the
 * next process image passes as @local->adopt.
 * Return: how many there are (more than @max: only @max were written).
 */
VR_API unsigned int vr_ns_pass_fds(const struct vr_ns *ns, int *fds, unsigned int max);

/**
 * vr_ns_move_fds() - renumber the namespace's descriptors to @floor or
 * above, out of the range programs use for their own (shell redirections
 * use 3-9, bash keeps 255).  Not thread-safe: call before any other use.
 * Return: 0 or -errno (-EINVAL: @floor above the descriptor limit).
 */
VR_API int vr_ns_move_fds(struct vr_ns *ns, int floor);

/**
 * vr_ns_replace_fd() - the namespace's descriptor @fd is from now on
 * @with, a duplicate the caller made (it still owns @fd and closes or
 * reuses it), so an embedder can give the program the number @fd when it
 * asks for it (dup2).  Safe while other threads use the namespace; a call
 * in flight that read @fd before may still use it once.
 * Return: 0, or -EBADF when @fd is not (any more) the namespace's.
 */
VR_API int vr_ns_replace_fd(struct vr_ns *ns, int fd, int with);

/**
 * vr_ns_clean() - remove from the prefix's work directory the index entries
 * (shared copies of base files with several links) that no name uses any
 * more: left by a process killed while it removed the last name.  Safe
 * while other processes use the prefix.
 * Return: how many were removed, or -errno.
 */
VR_API int vr_ns_clean(struct vr_ns *ns);

/**
 * struct vr_stats - what the core did in one process image (counted from
 * its namespace's creation; a forked child starts from its parent's).
 * @walks:        paths resolved.
 * @attr_by_name: final components of stat-like calls read by one call on
 *                their parent's descriptor instead of being opened.
 * @coh_bumps:    changes to the upper layer or a read-write mount announced
 *                to the other processes on the prefix.
 * @cache_hits:   directories a walk went through taken from the directory
 *                cache (vr_ns_cache_enable()) instead of the kernel.
 * @cache_misses: directories the cache was asked for and did not have (or
 *                had too old), then looked up in the kernel.
 */
struct vr_stats {
	unsigned long walks;
	unsigned long attr_by_name;
	unsigned long coh_bumps;
	unsigned long cache_hits;
	unsigned long cache_misses;
};

/** vr_ns_stats() - copy the counters of @ns into @out. */
VR_API void vr_ns_stats(const struct vr_ns *ns, struct vr_stats *out);

/**
 * vr_ns_count_into() - from now on, add every count of @ns to *@sink as
 * well (atomically), e.g. memory that every process of a session maps
 * shared, so that it sums them; NULL stops.  @sink stays the caller's and
 * must stay mapped while @ns counts into it.
 */
VR_API void vr_ns_count_into(struct vr_ns *ns, struct vr_stats *sink);

/**
 * vr_ns_set_clock() - give the namespace a cheaper clock than the system
 * call (the vDSO's clock_gettime), used for the time bounds of its caches.
 * @fn: called as clock_gettime(2) (clock id, struct timespec *); NULL
 *      goes back to the system call.  Not thread-safe: call before use.
 */
VR_API void vr_ns_set_clock(struct vr_ns *ns, int (*fn)(int clock, void *ts));

/**
 * vr_ns_generation() - the prefix's generation counter, shared by every
 * process of every session on the prefix (a page of the file
 * "vroot-coherence" in its work directory): it moves after every change the
 * core makes to the upper layer or a read-write mount.
 * Return: 0 with *gen set, or -ENOENT: no counter (no upper layer, or a
 * work directory this process cannot write).
 */
VR_API int vr_ns_generation(struct vr_ns *ns, unsigned long *gen);

/**
 * vr_ns_cache_enable() - keep the directories walks go through between
 * calls (at most 2,048, fewer when [@lo, @hi) holds fewer descriptors; each
 * trusted until any process on the prefix changes something through vroot,
 * and for one second at most against changes made to a base from
 * outside).  Needs the prefix's
 * generation counter (vr_ns_generation()); without it nothing is cached.
 * @lo, @hi: the cache's descriptors are placed in [@lo, @hi), numbers the
 *           embedder keeps from the program as it keeps the backing
 *           directories' (vr_ns_owns_fd() and vr_ns_next_own_fd() answer
 *           for them too); @lo is at least 1.  Above the soft descriptor
 *           limit, the limit is raised while one is made and put back.
 *           They are close-on-exec.
 * A fork child keeps the cache; a CLONE_VM child that is not a thread
 * (vfork) does not use it.  Not thread-safe: call before use.
 * Return: 0, -EINVAL (a bad range, or no madvise(MADV_WIPEONFORK)), -ENOMEM.
 */
VR_API int vr_ns_cache_enable(struct vr_ns *ns, int lo, int hi);

/**
 * vr_ns_cache_enable_token() - vr_ns_cache_enable() with @token, a word in
 * a page of the embedder's that it made MADV_WIPEONFORK (the word reads
 * zero in a fork child), for the cache to tell a fork child that must
 * adopt it; without one (NULL) the cache maps such a page of its own,
 * which costs each process two system calls and a page fault more.  The
 * word is the cache's alone and must stay valid as long as @ns.
 */
VR_API int vr_ns_cache_enable_token(struct vr_ns *ns, int lo, int hi, int *token);

/**
 * vr_ns_cache_sharers() - let the directory cache skip the getpid() it
 * makes on every walk to tell its own process from a CLONE_VM child that
 * is not a thread (vfork, posix_spawn), which shares the memory but not
 * the descriptors.
 * @word: a word the embedder keeps non-zero whenever such a child may run
 *        in this memory (from before the child is made until it has exec'd
 *        or exited); while it reads zero, the caller is the cache's
 *        process or a fork child of it.  NULL: getpid() on every walk, as
 *        without this call.  Must stay valid as long as @ns.
 * Not thread-safe: call before use.
 */
VR_API void vr_ns_cache_sharers(struct vr_ns *ns, const unsigned long *word);

/**
 * vr_ns_fd_changes_seen() - say whether the embedder sees every change of
 * what this process's descriptor numbers hold and tells the namespace of
 * each with vr_fd_changed(): every close(), dup2() and dup3() of the
 * process's threads (and of the CLONE_VM children that are not threads,
 * whose changes only make the namespace ask again), a close_range(); and
 * nothing that shares the descriptor table but not the memory (a clone
 * with CLONE_FILES and without CLONE_VM, a thread without CLONE_FILES,
 * unshare(CLONE_FILES), close_range() with CLOSE_RANGE_UNSHARE: say 0
 * before it is made, for good).  While it is said, a descriptor the core
 * opened or looked at keeps what the core learnt of it until its number
 * changes, without an fstat() at each use.  Takes effect only with the
 * directory cache and vr_ns_cache_sharers()'s word.  Default: not said.
 * @on: 1, or 0: the process's threads or another process may hold the
 *      table apart from the memory from now on, so the directory cache,
 *      whose descriptors sit in the table, is not used either; later
 *      calls are ignored.
 */
VR_API void vr_ns_fd_changes_seen(struct vr_ns *ns, int on);

/**
 * vr_fd_changed() - descriptor number @fd was closed or made another's
 * copy (dup2, dup3), or, for @fd < 0, any number may have been (a
 * close_range()).  Call after the change, and before it too when a
 * signal handler's call may run in between.  Async-signal-safe.
 */
VR_API void vr_fd_changed(struct vr_ns *ns, int fd);

/**
 * vr_helper_serve() - as the privileged helper of a session started by
 * root, answer the copy-up requests of one connection @sock (a
 * SOCK_SEQPACKET socket) with the rights of the caller, until the other
 * end closes it.  The sessions' processes connect through the O_PATH
 * descriptor of the helper's listening socket, which they get through
 * struct vr_ns_spec's @adopt.  A request is answered only where the copy
 * changes nothing the program sees: see src/core/helper.c.
 * @ns: the session's namespace, opened by the caller.
 * Return: 0 at the end, or -errno.
 */
VR_API int vr_helper_serve(struct vr_ns *ns, int sock);

/** vr_ns_owns_fd() - @fd is one of the namespace's own descriptors. */
VR_API int vr_ns_owns_fd(const struct vr_ns *ns, int fd);

#define VR_IDENT_GROUPS 64

/* Capabilities of a faked identity (struct vr_ident): all of root's, or none. */
#define VR_CAPS_EFFECTIVE 1u /* effective, but for the filesystem ones: CAP_SETUID... */
#define VR_CAPS_FS        2u /* effective CAP_CHOWN, CAP_DAC_*, CAP_FOWNER, CAP_FSETID */
#define VR_CAPS_PERMITTED 4u
/*
 * The identity's securebits (linux/securebits.h: SECBIT_KEEP_CAPS,
 * SECBIT_NO_SETUID_FIXUP, SECBIT_NOROOT and their locks), kept in the
 * caps word from this bit up.
 */
#define VR_CAPS_SECBITS_SHIFT 8

/**
 * vr_ns_release_fd() - give up the namespace's descriptor @fd when it is
 * one it can do without (a directory cache's): closed, its number free.
 * Return: 0, -EBADF (not such a descriptor), -EBUSY (in use right now:
 * move it with vr_ns_replace_fd() instead).
 */
VR_API int vr_ns_release_fd(struct vr_ns *ns, int fd);

/**
 * vr_ns_next_own_fd() - the lowest of the namespace's own descriptors
 * (backing directories and cache) that is >= @lo, or -1 when none is.
 */
VR_API int vr_ns_next_own_fd(const struct vr_ns *ns, int lo);

/**
 * struct vr_ident - the identity a task presents, carried across exec.
 * @uid, @gid:   real ids.
 * @euid, @suid, @fsuid, @egid, @sgid, @fsgid: effective, saved and
 *               filesystem ids.
 * @faked:       0: the identity is the kernel's (the calling thread's own
 *               credentials, read at each check; the fields above are only
 *               informative); 1: the identity is this one (vroot run
 *               --fake-root, --uid, --gid), which get*id and set*id see and
 *               change and every permission check uses.
 * @caps:        VR_CAPS_* of a faked identity: root's capabilities, taken
 *               and given back with the ids as the kernel does.
 * @host_uid, @host_gid: the host ids (the process's real ones) that objects
 *               without a recorded owner show as @show_uid, @show_gid.
 * @ngroups, @groups: supplementary groups.
 */
struct vr_ident {
	unsigned int uid;
	unsigned int gid;
	unsigned int euid, suid, fsuid;
	unsigned int egid, sgid, fsgid;
	unsigned int faked;
	unsigned int caps;
	unsigned int host_uid, host_gid, show_uid, show_gid;
	unsigned int ngroups;
	unsigned int groups[VR_IDENT_GROUPS];
};

/**
 * vr_ident_fake() - @id set to a faked identity @uid:@gid (all four ids of
 * each kind; supplementary groups: @gid).  The host ids of the calling
 * process show as 0 (a tree the user unpacked looks like a system tree,
 * the same to every faked identity).
 */
VR_API void vr_ident_fake(struct vr_ident *id, unsigned int uid, unsigned int gid);

/**
 * vr_ident_publish() - the faked identity of @t is this process's for the
 * other processes on the prefix to show (vr_ident_of()): kept in a table
 * in the prefix's work directory.  Nothing without a faked identity, an
 * upper layer, or a free entry.
 */
VR_API void vr_ident_publish(struct vr_task *t);

/**
 * vr_ident_of() - the faked identity process @pid published, into @id,
 * when @t has a faked identity and @pid is a live process that did.
 * Return: 1, or 0 (its ids are the kernel's).
 */
VR_API int vr_ident_of(struct vr_task *t, int pid, struct vr_ident *id);

/** vr_task_ident() - the identity @t presents, copied into @id. */
VR_API void vr_task_ident(const struct vr_task *t, struct vr_ident *id);

/**
 * vr_task_new() - create a task context in @ns: root "/", cwd "/", identity
 * of the calling process.
 * @tp: receives the task, owned by the caller (vr_task_free()).
 * Return: 0 or -ENOMEM.
 */
VR_API int vr_task_new(struct vr_ns *ns, struct vr_task **tp);

/**
 * vr_task_dup() - a new task with the same root, cwd and identity as @t
 * (a new thread with its own working directory, or a forked process).
 * Return: 0 or -ENOMEM.
 */
VR_API int vr_task_dup(struct vr_task *t, struct vr_task **tp);

/**
 * vr_task_pack() - the task (its namespace's spec with canonical host
 * paths, its cwd and identity) as one byte string for the next process
 * image.  @buf NULL or too small: nothing written.
 * Return: the packed size, or -errno.
 */
VR_API long vr_task_pack(struct vr_task *t, void *buf, size_t size);

/**
 * vr_task_new_packed() - a namespace and a task from vr_task_pack() output.
 * Both are the caller's to free.  Return: 0 or -errno (-EINVAL: malformed).
 */
VR_API int vr_task_new_packed(const void *buf, size_t len, struct vr_ns **nsp, struct vr_task **tp);

/**
 * vr_task_new_packed_adopt() - vr_task_new_packed(), a backing directory
 * that cannot be opened by path taken from @adopt[@nadopt] (struct
 * vr_ns_spec's @adopt): the previous image's, left open across execve.
 */
VR_API int vr_task_new_packed_adopt(const void *buf, size_t len, const int *adopt,
                                    unsigned int nadopt, struct vr_ns **nsp, struct vr_task **tp);

/**
 * vr_task_new_packed_spec() - vr_task_new_packed(), with the fields of a
 * spec that a packed string cannot carry, being this process image's own,
 * taken from @local: @adopt and @nadopt (as vr_task_new_packed_adopt()) and
 * the system-call hook @syscall, installed before the first system call the
 * unpacking makes.  The other fields of *@local are ignored; @local may be
 * NULL.  Return: as vr_task_new_packed(); -EEXIST as vr_ns_new().
 */
VR_API int vr_task_new_packed_spec(const void *buf, size_t len, const struct vr_ns_spec *local,
                                   struct vr_ns **nsp, struct vr_task **tp);

/**
 * vr_task_new_packed_taken() - vr_task_new_packed_spec(), where
 * @local->adopt[@local->nadopt] is vr_ns_pass_fds() of the namespace the
 * previous process image of this session packed (vr_task_pack(), whose
 * host paths are canonical): each backing directory (and the helper's
 * socket) is that descriptor itself, taken over rather than opened by its
 * path again, as a kernel mount stays bound to its directory; one that is
 * missing (-1) is opened by its path, and so is every one when @nadopt
 * does not match the spec.  The caller then closes those of @adopt that
 * vr_ns_owns_fd() does not claim.  An exec costs a few system calls
 * instead of a few per backing directory.
 */
VR_API int vr_task_new_packed_taken(const void *buf, size_t len, const struct vr_ns_spec *local,
                                    struct vr_ns **nsp, struct vr_task **tp);

/**
 * vr_ns_copies_pending() - some process on the prefix copied a base file up
 * since this process last looked (vr_task_follow_copies()): one load from
 * the shared page.  Return: 1 or 0.
 */
VR_API int vr_ns_copies_pending(struct vr_ns *ns);

/**
 * vr_task_follow_copies() - this process's descriptors opened for reading
 * on base files that another process has since copied up read the copies
 * from now on (same number, offset and status flags), as descriptors of a
 * kernel overlay do.  Only descriptors the process opened through the
 * namespace or inherited are looked at, by listing /proc/self/fd, and only
 * when a copy was made since the last look.  Call before answering a
 * trapped call; not from a vfork child, whose descriptor table is its own
 * but whose memory (and so the record of what was looked at) is the
 * parent's.
 */
VR_API void vr_task_follow_copies(struct vr_task *t);

/**
 * vr_ns_image_run() - this process now runs the program file open as @fd
 * (mapped by the embedder rather than execve()d), in place of the one its
 * previous image ran: while it lives, opening that file to write and
 * truncating it answer ETXTBSY in every process on the prefix, as the
 * kernel answers for an execve()d file.  At most 64 running files of a
 * prefix are known at once; past that a file is not protected.
 */
VR_API void vr_ns_image_run(struct vr_ns *ns, int fd);

/** vr_task_free() - release a task context. */
VR_API void vr_task_free(struct vr_task *t);

/** vr_task_set_ident() - set the identity @t presents. */
VR_API void vr_task_set_ident(struct vr_task *t, const struct vr_ident *id);

/**
 * vr_task_set_cwd_unchecked() - set the virtual cwd to @path without
 * resolving it (restoring a cwd saved across execve).  @path must be
 * absolute and canonical.
 * Return: 0, -EINVAL (not absolute) or -ENAMETOOLONG.
 */
VR_API int vr_task_set_cwd_unchecked(struct vr_task *t, const char *path);

/**
 * vr_task_copy_cwd() - @to gets the virtual cwd and root of @from (threads
 * that run as tasks of their own but share one working directory, as
 * threads do).
 * Return: 0, -ENOMEM or -ENAMETOOLONG.
 */
VR_API int vr_task_copy_cwd(struct vr_task *to, struct vr_task *from);

/*
 * System-call-shaped operations.  @dirfd is AT_FDCWD (the task's virtual
 * cwd) or a descriptor obtained through this library; paths are virtual.
 * Flags and return values are those of the system call of the same name.
 */
VR_API int vr_openat(struct vr_task *t, int dirfd, const char *path, int flags, unsigned int mode);

/**
 * vr_openat2() - openat2(2) in the virtual tree.  @how points to @size
 * bytes (<linux/openat2.h>), checked as the kernel checks them (-EINVAL,
 * -E2BIG).  The RESOLVE_* rules hold in the virtual tree: BENEATH and
 * IN_ROOT scope the walk to @dirfd's directory; NO_XDEV refuses to cross
 * a mount (a vroot mount point, or a host mount inside one: the overlay is
 * one filesystem); NO_SYMLINKS and NO_MAGICLINKS refuse to follow links
 * (procfs magic links for the latter).  RESOLVE_CACHED answers -EAGAIN.
 * Return: a descriptor, or -errno as vr_openat(), plus -EXDEV for an escape
 * or a crossing and -ELOOP for a refused link.
 */
VR_API int vr_openat2(struct vr_task *t, int dirfd, const char *path, const struct open_how *how,
                      size_t size);
VR_API int vr_fstatat(struct vr_task *t, int dirfd, const char *path, struct stat *st, int flags);
VR_API int vr_statx(struct vr_task *t, int dirfd, const char *path, int flags, unsigned int mask,
                    struct statx *stx);
VR_API int vr_faccessat2(struct vr_task *t, int dirfd, const char *path, int mode, int flags);
VR_API long vr_readlinkat(struct vr_task *t, int dirfd, const char *path, char *buf, size_t size);

/**
 * vr_watch_open() - an O_PATH descriptor (the caller's to close) of the
 * object at @path, for an inotify watch the caller places through its
 * magic link: the object the namespace's later changes reach.  A regular
 * file or directory the root overlay has only in a lower layer is copied
 * up first (a directory made in the upper layer as a create inside it
 * would, a file copied as chmod copies it), when the caller may read it;
 * where no copy can be made (no upper layer, a read-only mount, a failed
 * copy) it is the lower object.  @flags: O_NOFOLLOW (IN_DONT_FOLLOW),
 * O_DIRECTORY (IN_ONLYDIR).  Return: the descriptor, or -errno as
 * inotify_add_watch(2) (-ENOENT, -ENOTDIR, -EACCES, ...).
 */
VR_API int vr_watch_open(struct vr_task *t, const char *path, int flags);

/*
 * Changes to the tree.  They happen in place on objects in the upper layer
 * or in a read-write mount; one that needs a base object copied up or a
 * whiteout written answers -EROFS (bases are never written).  A read-only
 * mount answers -EROFS; a change across layers or mounts -EXDEV.
 */
VR_API int vr_mkdirat(struct vr_task *t, int dirfd, const char *path, unsigned int mode);
VR_API int vr_mknodat(struct vr_task *t, int dirfd, const char *path, unsigned int mode,
                      unsigned int dev);
VR_API int vr_symlinkat(struct vr_task *t, const char *target, int dirfd, const char *path);
VR_API int vr_unlinkat(struct vr_task *t, int dirfd, const char *path, int flags);
VR_API int vr_renameat2(struct vr_task *t, int olddirfd, const char *oldpath, int newdirfd,
                        const char *newpath, unsigned int flags);
VR_API int vr_linkat(struct vr_task *t, int olddirfd, const char *oldpath, int newdirfd,
                     const char *newpath, int flags);
VR_API int vr_fchmodat(struct vr_task *t, int dirfd, const char *path, unsigned int mode,
                       int flags);
VR_API int vr_fchownat(struct vr_task *t, int dirfd, const char *path, unsigned int uid,
                       unsigned int gid, int flags);
/* fchmod(2), fchown(2): the file open as @fd (-EBADF for an O_PATH descriptor). */
VR_API int vr_fchmod(struct vr_task *t, int fd, unsigned int mode);
VR_API int vr_fchown(struct vr_task *t, int fd, unsigned int uid, unsigned int gid);
/*
 * @path NULL: the file open as @dirfd, as futimens(3) (no @flags; -EBADF for
 * an O_PATH descriptor).  @times: struct timespec[2] or NULL.
 */
VR_API int vr_utimensat(struct vr_task *t, int dirfd, const char *path, const void *times,
                        int flags);
VR_API int vr_truncate(struct vr_task *t, const char *path, long length);

/*
 * Extended attributes of virtual paths (@nofollow: the l*xattr variants).
 * The overlay's own attributes ("user.overlay.*", "trusted.overlay.*", the
 * owner records) are left out of lists; a program's attributes of those
 * names are kept escaped in the root overlay, as kernel overlayfs escapes
 * them ("user.overlay.X" as "user.overlay.overlay.X"), so a session or a
 * kernel overlay nested inside has its own.  Setting or removing on a base
 * object copies it up.
 */
VR_API long vr_getxattr(struct vr_task *t, const char *path, const char *name, void *value,
                        size_t size, int nofollow);
VR_API long vr_listxattr(struct vr_task *t, const char *path, char *list, size_t size,
                         int nofollow);
VR_API int vr_setxattr(struct vr_task *t, const char *path, const char *name, const void *value,
                       size_t size, int flags, int nofollow);
VR_API int vr_removexattr(struct vr_task *t, const char *path, const char *name, int nofollow);
/** vr_xattr_hidden() - @name is one of the overlay's own attributes. */
VR_API int vr_xattr_hidden(const char *name);
/**
 * vr_xattr_filter_list() - a listxattr() result of @n bytes of the root
 * overlay as the program sees it: hidden names dropped, escaped ones
 * unescaped.  Return: its new length.
 */
VR_API long vr_xattr_filter_list(char *list, long n);
/**
 * vr_fxattr_removed() - f*xattr call @nr (__NR_fgetxattr, __NR_fsetxattr,
 * __NR_fremovexattr, __NR_flistxattr; @value the list for the last) on the
 * program's descriptor @fd of a removed file of the overlay's upper layer
 * or of a --mount (an O_TMPFILE file), which no path names: made on the
 * descriptor itself, names escaped as on any object of the overlay (a
 * mount's are the host's; a read-only mount's answer -EROFS to changes);
 * @nr 0 only asks.  Return: the call's result (0 for @nr 0), or -ENOENT
 * when @fd is not such a file (nothing done).
 */
VR_API long vr_fxattr_removed(struct vr_task *t, int fd, long nr, const char *name, void *value,
                              size_t size, int flags);
/**
 * vr_fileattr_set() - ioctl(@request, @arg) that changes an inode's flags
 * (FS_IOC_SETFLAGS, FS_IOC_FSSETXATTR, FS_IOC_SETVERSION) on the object at
 * canonical @path: a base object is copied up first and changed there; in a
 * read-only mount -EROFS.  Return: the ioctl's result, or -errno (-EPERM:
 * not the owner, checked before any copy-up as the kernel checks; -ENOTTY:
 * not a regular file or directory, whose ioctls are the driver's).
 */
VR_API int vr_fileattr_set(struct vr_task *t, const char *path, unsigned int request, void *arg);
/** vr_statfs() - statfs(2) of the filesystem behind @path; @buf is a struct statfs. */
VR_API int vr_statfs(struct vr_task *t, const char *path, void *buf);

/**
 * vr_unix_path() - the host name for AF_UNIX socket path @path.
 * @bind: 1 for bind() (a new name in a writable directory), 0 for
 *        connect()/sendto() (an existing socket, symlinks followed).
 * @out:  receives a host path that fits in sun_path: the object's own host
 *        path when it is short enough (so the name the kernel reports maps
 *        back with vr_revmap_path()), else "/proc/self/fd/B/path/name"
 *        through B, the namespace's own descriptor of the layer or mount
 *        it lies in (which maps back by reading B's host path again),
 *        for bind() else "/proc/self/fd/W/sock-DEV-INO/name" through W,
 *        the work directory's, and a symlink there to the directory
 *        (which maps back by following it again), else
 *        "/proc/self/fd/N/name" or "/proc/self/fd/N".
 * Return: descriptor N, which the caller closes once the call is made, or
 * -errno (-EADDRINUSE: the name exists; -EROFS, also where a whiteout holds
 * the name: vr_unix_bind() binds there; -ENOENT...).
 */
VR_API int vr_unix_path(struct vr_task *t, const char *path, int bind, char *out, size_t size);
/**
 * vr_unix_bind() - bind(2) socket @sock to AF_UNIX path @path, at the host
 * name vr_unix_path() gives.  Where a base object was removed (a whiteout
 * holds the name in the upper layer), the whiteout moves aside in its
 * directory while the kernel makes the socket there, then goes, or comes
 * back if the bind fails: meanwhile, for the moment of the call, the base
 * object shows at the name.
 * Return: 0 or -errno, as bind(2) (-EADDRINUSE: the name exists).
 */
VR_API int vr_unix_bind(struct vr_task *t, int sock, const char *path);

/**
 * vr_getdents64() - read entries of the virtual directory open as @fd.
 *
 * A directory present in several layers is merged: names from upper layers
 * win, whiteouts and the namespace's internal entries are hidden, mount
 * points are listed.  The descriptor's file position is the stream's
 * position: a d_off handed out can be given back through lseek() (so
 * telldir()/seekdir()/rewinddir() work), and names unlinked or created
 * while the directory is read never make another entry be skipped or
 * returned twice.  A directory not in the namespace is listed as the host
 * has it.
 * Return: bytes written into @buf, 0 at the end, or -errno (-EINVAL if
 * @size is too small for the next entry, -ENOTDIR, -EBADF).
 */
VR_API long vr_getdents64(struct vr_task *t, int fd, void *buf, size_t size);

/**
 * vr_getdents64_at() - vr_getdents64() for a caller that has just read the
 * descriptor's position itself: @pos, what lseek(@fd, 0, SEEK_CUR)
 * answered (a negative -errno as it did).  One system call fewer.
 */
VR_API long vr_getdents64_at(struct vr_task *t, int fd, long pos, void *buf, size_t size);

/**
 * vr_task_buf_get() - memory for one call's data (a listing, an attribute
 * value) from the namespace's pool of per-call scratch: no mapping made in
 * the common case.  Safe in a signal handler, across threads and in nested
 * calls (each claim is its own); give it back with vr_task_buf_put()
 * before the call returns.
 * @size: receives the buffer's size (512 KiB).
 * Return: the buffer, or NULL when no memory can be had.
 */
VR_API void *vr_task_buf_get(struct vr_task *t, size_t *size);
/** vr_task_buf_put() - release @buf, from vr_task_buf_get(); NULL is ignored. */
VR_API void vr_task_buf_put(struct vr_task *t, void *buf);

VR_API int vr_chdir(struct vr_task *t, const char *path);

/*
 * Identity calls of a task with a faked identity (struct vr_ident), shaped
 * as the system calls and following the kernel's rules (kernel/sys.c): an
 * effective uid 0 (gid calls: too) may set any id; others only to one of
 * their real, effective or saved ids.  (unsigned)-1 leaves an id unchanged.
 * vr_setfsuid() and vr_setfsgid() return the previous id, as the calls do.
 * vr_getgroups() with @size 0 returns the count; -EINVAL when @size is
 * too small.  vr_setgroups(): -EPERM without root, -EINVAL past
 * VR_IDENT_GROUPS.  Return: 0 (an id for the get and fs calls) or -errno.
 */
VR_API int vr_setuid(struct vr_task *t, unsigned int uid);
VR_API int vr_setgid(struct vr_task *t, unsigned int gid);
VR_API int vr_setreuid(struct vr_task *t, unsigned int ruid, unsigned int euid);
VR_API int vr_setregid(struct vr_task *t, unsigned int rgid, unsigned int egid);
VR_API int vr_setresuid(struct vr_task *t, unsigned int ruid, unsigned int euid,
                        unsigned int suid);
VR_API int vr_setresgid(struct vr_task *t, unsigned int rgid, unsigned int egid,
                        unsigned int sgid);
VR_API long vr_setfsuid(struct vr_task *t, unsigned int uid);
VR_API long vr_setfsgid(struct vr_task *t, unsigned int gid);
VR_API int vr_getgroups(struct vr_task *t, int size, unsigned int *list);
/*
 * vr_capget(), vr_capset() - capget(2)/capset(2) of the calling process
 * for a faked identity; @hdr (version, pid) and @data (effective,
 * permitted, inheritable; twice for versions 2 and 3) as the kernel's
 * structures, copied in and out by the caller.  vr_capget() with an
 * unknown version writes the kernel's into @hdr and answers -EINVAL.
 * Another process's: -ESRCH (capget), -EPERM (capset).
 */
VR_API int vr_capget(struct vr_task *t, unsigned int *hdr, unsigned int *data);
VR_API int vr_capset(struct vr_task *t, const unsigned int *hdr, const unsigned int *data);
/*
 * vr_prctl_secure() - prctl(2) @option PR_GET_KEEPCAPS, PR_SET_KEEPCAPS,
 * PR_GET_SECUREBITS or PR_SET_SECUREBITS with argument @arg2 for a faked
 * identity, by the kernel's rules (setting securebits needs CAP_SETPCAP;
 * a locked bit stays).  Return: the call's result, -EINVAL, -EPERM, or
 * -ENOSYS (no faked identity, or another option).
 */
VR_API long vr_prctl_secure(struct vr_task *t, int option, unsigned long arg2);
/*
 * vr_task_exec_ident() - @t's identity after an execve() of a program
 * showing @mode, @uid, @gid: a set-user-ID (set-group-ID) program makes
 * its owner (group) the effective id; the saved and filesystem ids follow
 * the effective ones; root's capabilities stay with a uid 0 only.
 */
VR_API void vr_task_exec_ident(struct vr_task *t, unsigned int mode, unsigned int uid,
                               unsigned int gid);
VR_API int vr_setgroups(struct vr_task *t, long size, const unsigned int *list);

/**
 * vr_chroot() - make directory @path the task's root: absolute paths and
 * absolute symlinks start there, ".." stops there, and getcwd(), realpath()
 * and the reverse map answer relative to it.  The cwd does not move.
 * Return: 0, -ENOENT, -ENOTDIR, -EACCES...
 */
VR_API int vr_chroot(struct vr_task *t, const char *path);

/**
 * vr_task_unroot() - namespace path @buf[0..n) as the task sees it under
 * its root (vr_chroot()); rewritten in place.
 * Return: the new length, or -ENOENT when the path lies outside the root.
 */
VR_API long vr_task_unroot(struct vr_task *t, char *buf, long n);
VR_API int vr_fchdir(struct vr_task *t, int fd);

/**
 * vr_getcwd() - copy the virtual cwd into @buf.
 * Return: length including the terminating NUL (as the system call), or
 * -ERANGE.
 */
VR_API long vr_getcwd(struct vr_task *t, char *buf, size_t size);

/**
 * vr_realpath() - the canonical virtual path of @path (all symlinks
 * resolved, no ".", ".." or repeated "/"), as realpath(3).
 * @flags: AT_SYMLINK_NOFOLLOW keeps a final symlink; AT_EMPTY_PATH allows "".
 * Return: length without the NUL, or -errno (-ERANGE if @size is too small).
 */
VR_API long vr_realpath(struct vr_task *t, int dirfd, const char *path, int flags, char *buf,
                        size_t size);

/**
 * vr_mountinfo() - the namespace's mount table, as the text of
 * /proc/PID/mountinfo (@mounts 0) or /proc/PID/mounts (@mounts 1) shows
 * one: the root overlay at "/" (type "vroot"), each mount at its virtual
 * path with the host mount it lies in, and the host mounts below its
 * directory (/dev/pts under /dev...).  Reads the host's
 * /proc/self/mountinfo.  Not signal-safe (maps memory); thread-safe.
 * Return: the length written into @buf[@size] (no NUL), or -errno:
 * -ERANGE when @size is too small, -ENOMEM, the errors of opening procfs.
 */
VR_API long vr_mountinfo(struct vr_task *t, int mounts, char *buf, size_t size);

/**
 * vr_proc_link_name() - the host's name of the procfs link @path names
 * (not followed), wherever the namespace shows that procfs: "/proc/PID/fd/N"
 * also for "/Volumes/SystemRoot/proc/self/fd/N" when a mount shows the
 * host's root there.
 * Return: length without the NUL; -EINVAL when @path names no procfs link;
 * -errno of the walk.
 */
VR_API long vr_proc_link_name(struct vr_task *t, int dirfd, const char *path, char *buf,
                              size_t size);

/**
 * vr_ns_procfs_in_mount() - a mount of the namespace shows the host's
 * /proc below its root (a mount of the host's "/"): procfs links may be
 * met at paths other than /proc.  Return: 1 or 0.
 */
VR_API int vr_ns_procfs_in_mount(const struct vr_ns *ns);

/**
 * vr_revmap_path() - the virtual path of host path @host.
 *
 * The host path is matched against the backing directories on whole
 * components; the longest match wins, the root overlay before mounts on a
 * tie.  Paths inside the namespace's own work directory, or that are not
 * inside any backing directory, are not reachable.
 * Return: length without the NUL, -ENOENT (not reachable), -ERANGE.
 */
VR_API long vr_revmap_path(const struct vr_ns *ns, const char *host, char *buf, size_t size);

/**
 * vr_revmap_fd() - what readlink("/proc/self/fd/N") shows inside the
 * namespace: the virtual path of the file open as @fd, or the host's text
 * unchanged for objects that are not paths ("pipe:[…]", "socket:[…]",
 * "anon_inode:…").  A " (deleted)" suffix is kept.
 * Return: length without the NUL, -EBADF, -ENOENT (a host file outside the
 * namespace), -ERANGE.
 */
VR_API long vr_revmap_fd(struct vr_task *t, int fd, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
