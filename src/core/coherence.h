/*
 * coherence.h - what every process on a prefix learns of the others'
 * changes (coherence.c).
 */
#ifndef VR_COHERENCE_H
#define VR_COHERENCE_H

#include "ns.h"

/*
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
unsigned long vr_ns_clock_ms(struct vr_ns *ns);

#endif
