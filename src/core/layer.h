/*
 * layer.h - how the walk reaches a layer's objects.
 *
 * The walk's lookup of a name in a layer's directory, the stat of a final
 * name, a symlink's body, the opaque test and the opening of a directory
 * to list it go through these operations.  Not all of the walk does: with the host's
 * operations it opens a final name with the program's own flags, takes a
 * directory's "..", stats a name by statx() and tests search permission
 * on the host's descriptors itself (walk.c), and copy-up, whiteouts and
 * listings call the host directly as well; a layer of another kind would
 * need those too.  The host implementation works on O_PATH descriptors
 * only and never follows a symlink, so a lookup cannot leave the
 * directory it starts in.
 */
#ifndef VR_LAYER_H
#define VR_LAYER_H

#include <stddef.h>
#include <asm/stat.h>

struct vr_ns;

struct vr_layer_ops {
	/*
	 * lookup - open @name in directory @dirfd without following it.
	 * On success *fdp is an O_PATH descriptor owned by the caller and *st
	 * its stat.  Return: 0 or -errno (-ENOENT when absent).
	 */
	int (*lookup)(int dirfd, const char *name, int *fdp, struct stat *st);
	/*
	 * stat_at - the attributes of @name in directory @dirfd, not following
	 * it, without opening it.  Return: 0 or -errno (-ENOENT when absent).
	 */
	int (*stat_at)(int dirfd, const char *name, struct stat *st);
	/*
	 * readlink - body of the symlink open as @fd (@name ""), or of the
	 * symlink @name in directory @fd.  Return: length or -errno.
	 */
	long (*readlink)(int fd, const char *name, char *buf, size_t size);
	/* opaque - directory @fd hides lower layers.  Return: 1, 0 or -errno. */
	int (*opaque)(int fd);
	/* opendir - a readable descriptor of directory @fd.  Return: fd or -errno. */
	int (*opendir)(int fd);
};

extern const struct vr_layer_ops vr_host_layer_ops;

/* vr_is_whiteout() - @st is an overlayfs whiteout (character device 0:0). */
static inline int
vr_is_whiteout(const struct stat *st)
{
	return (st->st_mode & 0170000) == 0020000 && st->st_rdev == 0;
}

#endif
