/*
 * task.h - a thread of the program as the core knows it: its identity,
 * cwd and root (task.c).
 */
#ifndef VR_TASK_H
#define VR_TASK_H

#include "ns.h"

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
