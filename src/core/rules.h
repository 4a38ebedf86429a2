/*
 * rules.h - the RESOLVE_* rules' tests and procfs links (rules.c).
 */
#ifndef VR_RULES_H
#define VR_RULES_H

#include "walk.h"

/*
 * vr_walk_crosses_mount() - reaching @child from w->cur enters another
 * mount: a vroot mount point, or a host mount inside a mount.  The root
 * overlay is one filesystem whatever layer an object comes from; a
 * synthetic directory belongs to the tree it shows in.
 *
 * vr_walk_at_mount_root() - w->cur is the root of a mount: ".." leaves it.
 *
 * vr_walk_jump_crosses() - an absolute symlink in w->cur jumps to the root
 * of another mount.  A scoped walk never does: its root is where it
 * started, and with VR_WALK_NO_XDEV it has not left that mount since.  A
 * root below a mount's top is taken to be in the mount's own host mount.
 * The kernel compares with a root it looks up only for an absolute path
 * or a "..": before either, any absolute symlink counts as a crossing
 * (fs/namei.c, nd_jump_root() with nd->root unset).
 *
 * vr_proc_link_is_magic() - @link, a procfs symlink, is a magic link (fd/N,
 * cwd, exe, root, ns/..., map_files/...: the kernel jumps to an object),
 * not an ordinary one (self, thread-self, mounts, net: a relative text).
 * A magic link reads as an absolute host path or as "type:[...]".
 * Return: 1, 0, or -errno.
 *
 * vr_same_host_mount() - descriptors @a and @b lie in the same host mount.
 */
int vr_walk_crosses_mount(const struct vr_walk *w, const struct vr_obj *child);
int vr_walk_at_mount_root(const struct vr_walk *w);
int vr_walk_jump_crosses(const struct vr_walk *w);
int vr_proc_link_is_magic(struct vr_walk *w, const struct vr_obj *link);

/**
 * vr_proc_link_own() - the procfs link w->cur/w->last belongs to the
 * calling process (/proc/PID/... of its own pid or of one of its threads);
 * the host's procfs is taken to be mounted at /proc.  Return: 1 or 0.
 */
int vr_proc_link_own(const struct vr_walk *w);

/**
 * vr_proc_link_hidden() - the object procfs link w->cur/w->last leads to
 * is not the calling process's to reach: the link is another process's
 * and the object has no virtual path (@vpath, vr_fd_vpath()'s -errno), or
 * it is a pipe, socket or other object that is no path (@vpath -ENOTDIR)
 * of a process outside the namespace.  Return: 1 or 0.
 */
int vr_proc_link_hidden(const struct vr_walk *w, long vpath);

/**
 * vr_proc_link_root() - the procfs link w->cur/w->last is the root link
 * (/proc/PID/root, /proc/PID/task/TID/root) of the calling process or of
 * another process of the namespace: it leads to the virtual root, as
 * natively to the root all those processes share.  A process outside has
 * the host's root, which is reached (or hidden) as any other object.
 * Return: 1 or 0.
 */
int vr_proc_link_root(const struct vr_walk *w);
int vr_same_host_mount(int a, int b);

#endif
