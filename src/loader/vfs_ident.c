/*
 * vfs_ident.c - the identity calls, trapped only in a session with a faked
 * identity (filter.c): answered from and applied to the task's identity
 * (struct vr_ident, ident.c).  A set*id call changes the task of the
 * calling process; a vfork child gets a task of its own first, so a child
 * that drops privileges before its exec leaves its parent as it was.
 */
#include "loader.h"
#include "vfs.h"
#include "vroot.h"

#define ID(a) ((unsigned int)(a))

/* ident() - the identity the call runs as. */
static void
ident(struct vr_loader_ctx *ctx, struct vr_ident *id)
{
	vr_task_ident(vrl_task(ctx), id);
}

long
h_getuid(struct vr_loader_ctx *ctx, const long a[6])
{
	struct vr_ident id;

	(void)a;
	ident(ctx, &id);
	return id.uid;
}

long
h_geteuid(struct vr_loader_ctx *ctx, const long a[6])
{
	struct vr_ident id;

	(void)a;
	ident(ctx, &id);
	return id.euid;
}

long
h_getgid(struct vr_loader_ctx *ctx, const long a[6])
{
	struct vr_ident id;

	(void)a;
	ident(ctx, &id);
	return id.gid;
}

long
h_getegid(struct vr_loader_ctx *ctx, const long a[6])
{
	struct vr_ident id;

	(void)a;
	ident(ctx, &id);
	return id.egid;
}

/* put_three() - getres*id()'s three ids out to the program. */
static long
put_three(const long a[6], unsigned int r, unsigned int e, unsigned int s)
{
	if (vrl_poke((void *)a[0], &r, sizeof(r)) || vrl_poke((void *)a[1], &e, sizeof(e)) ||
	    vrl_poke((void *)a[2], &s, sizeof(s)))
		return -EFAULT;
	return 0;
}

long
h_getresuid(struct vr_loader_ctx *ctx, const long a[6])
{
	struct vr_ident id;

	ident(ctx, &id);
	return put_three(a, id.uid, id.euid, id.suid);
}

long
h_getresgid(struct vr_loader_ctx *ctx, const long a[6])
{
	struct vr_ident id;

	ident(ctx, &id);
	return put_three(a, id.gid, id.egid, id.sgid);
}

long
h_getgroups(struct vr_loader_ctx *ctx, const long a[6])
{
	unsigned int list[VR_IDENT_GROUPS];
	int size = (int)a[0], n;

	n = vr_getgroups(vrl_task(ctx), size > VR_IDENT_GROUPS ? VR_IDENT_GROUPS : size, list);
	if (n <= 0 || size == 0)
		return n;
	return vrl_poke((void *)a[1], list, (size_t)n * sizeof(list[0])) ? -EFAULT : n;
}

long
h_setgroups(struct vr_loader_ctx *ctx, const long a[6])
{
	unsigned int list[VR_IDENT_GROUPS];
	long size = a[0];

	if (size < 0 || size > VR_IDENT_GROUPS)
		return vr_setgroups(vrl_task(ctx), size, list);
	if (size && vrl_peek(list, (const void *)a[1], (size_t)size * sizeof(list[0])))
		return -EFAULT;
	return vr_setgroups(vrl_task_for_write(ctx), size, list);
}

long
h_setuid(struct vr_loader_ctx *ctx, const long a[6])
{
	return vr_setuid(vrl_task_for_write(ctx), ID(a[0]));
}

long
h_setgid(struct vr_loader_ctx *ctx, const long a[6])
{
	return vr_setgid(vrl_task_for_write(ctx), ID(a[0]));
}

long
h_setreuid(struct vr_loader_ctx *ctx, const long a[6])
{
	return vr_setreuid(vrl_task_for_write(ctx), ID(a[0]), ID(a[1]));
}

long
h_setregid(struct vr_loader_ctx *ctx, const long a[6])
{
	return vr_setregid(vrl_task_for_write(ctx), ID(a[0]), ID(a[1]));
}

long
h_setresuid(struct vr_loader_ctx *ctx, const long a[6])
{
	return vr_setresuid(vrl_task_for_write(ctx), ID(a[0]), ID(a[1]), ID(a[2]));
}

long
h_setresgid(struct vr_loader_ctx *ctx, const long a[6])
{
	return vr_setresgid(vrl_task_for_write(ctx), ID(a[0]), ID(a[1]), ID(a[2]));
}

long
h_setfsuid(struct vr_loader_ctx *ctx, const long a[6])
{
	return vr_setfsuid(vrl_task_for_write(ctx), ID(a[0]));
}

long
h_setfsgid(struct vr_loader_ctx *ctx, const long a[6])
{
	return vr_setfsgid(vrl_task_for_write(ctx), ID(a[0]));
}

/**
 * vrl_ident_faked() - the session fakes its identity: the filter traps the
 * identity calls.
 */
int
vrl_ident_faked(void)
{
	struct vr_ident id;

	if (!vrl_proc.task)
		return 0;
	vr_task_ident(vrl_proc.task, &id);
	return id.faked != 0;
}
