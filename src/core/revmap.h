/*
 * revmap.h - from host paths and descriptors back to virtual paths, and
 * what the namespace notes of the program's descriptors (revmap.c).
 */
#ifndef VR_REVMAP_H
#define VR_REVMAP_H

#include "ns.h"

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

#endif
