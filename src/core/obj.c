/*
 * obj.c - the lifecycle of an object a walk holds (struct vr_obj).
 */
#include "obj.h"
#include "util.h"

int
vr_obj_take_fd(struct vr_obj *o)
{
	if (o->nfd == 0 || o->byname)
		return -ENOENT;
	if (o->owned & 1u) {
		o->owned &= ~1u;
		return o->fd[0];
	}
	return sys_fcntl(o->fd[0], F_DUPFD_CLOEXEC, 0);
}

int
vr_in_procfs(const struct vr_obj *o)
{
	long buf[16]; /* struct statfs: f_type first */

	if (!o->mount || o->nfd == 0)
		return 0;
	if (o->mount->procfs)
		return 1;
	/* A procfs below a mount's host directory (a mount of the host's "/"). */
	return vr_sys2(__NR_fstatfs, o->fd[0], buf) == 0 && buf[0] == 0x9fa0 /* PROC_SUPER_MAGIC */;
}
