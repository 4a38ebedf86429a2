/*
 * vfs_ident.c - the identity calls, trapped only in a session with a faked
 * identity (filter.c): answered from and applied to the task's identity
 * (struct vr_ident, ident.c).  A set*id call changes the task of the
 * calling process; a vfork child gets a task of its own first, so a child
 * that drops privileges before its exec leaves its parent as it was.
 */
#include <linux/fcntl.h>
#include <asm/stat.h>
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

/* The kernel's capability header and data (linux/capability.h). */
#define CAP_HDR_WORDS  2
#define CAP_DATA_WORDS 6

long
h_capget(struct vr_loader_ctx *ctx, const long a[6])
{
	unsigned int hdr[CAP_HDR_WORDS], data[CAP_DATA_WORDS];
	long r;

	if (vrl_peek(hdr, (const void *)a[0], sizeof(hdr)))
		return -EFAULT;
	r = vr_capget(vrl_task(ctx), hdr, data);
	if (r == -EINVAL && vrl_poke((void *)a[0], hdr, sizeof(hdr)))
		return -EFAULT;
	/* A NULL data pointer asks for the version only. */
	if (r == -EINVAL && !a[1])
		return 0;
	if (r < 0 || !a[1])
		return r;
	return vrl_poke((void *)a[1], data, (hdr[0] == 0x19980330u ? 3 : 6) * sizeof(data[0]))
	               ? -EFAULT
	               : 0;
}

long
h_capset(struct vr_loader_ctx *ctx, const long a[6])
{
	unsigned int hdr[CAP_HDR_WORDS], data[CAP_DATA_WORDS] = {0, 0, 0, 0, 0, 0};

	if (vrl_peek(hdr, (const void *)a[0], sizeof(hdr)))
		return -EFAULT;
	if (vrl_peek(data, (const void *)a[1], (hdr[0] == 0x19980330u ? 3 : 6) * sizeof(data[0])))
		return -EFAULT;
	return vr_capset(vrl_task_for_write(ctx), hdr, data);
}

/**
 * vrl_exec_ident() - the identity of the program this image runs, from
 * @fd, the file executed (@direct: an ELF, not a script, whose set-id bits
 * Linux ignores): vr_task_exec_ident().
 */
void
vrl_exec_ident(struct vr_loader_ctx *ctx, int fd, int direct)
{
	struct stat st;

	if (!vrl_ident_faked())
		return;
	if (!direct || vr_fstatat(vrl_task(ctx), fd, "", &st, AT_EMPTY_PATH) < 0)
		st.st_mode = 0;
	vr_task_exec_ident(vrl_task(ctx), st.st_mode, st.st_uid, st.st_gid);
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
