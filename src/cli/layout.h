/*
 * layout.h - `vroot run --layout NAME`: named namespace layouts (default,
 * rootfs, darwin), each a short table of entries expanded into the options
 * of a struct vr_cli (layout.c).
 */
#ifndef VR_CLI_LAYOUT_H
#define VR_CLI_LAYOUT_H

#include <stdio.h>

#include "options.h"

struct vr_layout;

/*
 * vr_layout_find() - the layout called @name (NULL: "default").
 * Return: it, or NULL with one line naming the known layouts printed.
 */
const struct vr_layout *vr_layout_find(struct vr_cli *c, const char *name);

/*
 * vr_layout_expand() - add @l's bases, case folding and host mounts to @c
 * where the user's options leave room: a --base replaces the layout's
 * base, --case-insensitive/--case-sensitive its folding, a --mount at a
 * virtual path the layout mounts replaces that mount.  The prefix (and
 * c->work) must be known.  Mounts of vroot's own directories in the work
 * directory are added by vr_layout_prepare().
 * Return: 0, or -1 with one line printed.
 */
int vr_layout_expand(struct vr_cli *c, const struct vr_layout *l);

/*
 * vr_layout_print() - the expansion of @l into @c, one line per setting,
 * base, mount, directory and symbolic link (format: vroot(1), --print-spec).
 */
void vr_layout_print(const struct vr_cli *c, const struct vr_layout *l, FILE *f);

/*
 * vr_layout_prepare() - make the layout's own directories in the work
 * directory (an empty one for /Volumes, the links of /dev) and add their
 * mounts to @c and @spec.  Call after vr_cli_spec() made the work directory.
 * Return: 0, or -1 with one line printed.
 */
int vr_layout_prepare(struct vr_cli *c, const struct vr_layout *l, struct vr_ns_spec *spec);

/*
 * vr_layout_populate() - make, through the namespace of @t, the
 * directories and symbolic links of @l that the namespace lacks (they land
 * in the prefix).  Call before the identity is faked: they are the user's.
 * Return: 0, or -1 with one line printed.
 */
int vr_layout_populate(struct vr_cli *c, const struct vr_layout *l, struct vr_task *t);

/* vr_layout_name() - @l's name. */
const char *vr_layout_name(const struct vr_layout *l);

/* vr_layout_put_path() - @s on @f, space, tab, newline and backslash as \ooo. */
void vr_layout_put_path(FILE *f, const char *s);

#endif
