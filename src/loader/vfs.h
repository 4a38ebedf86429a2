/*
 * vfs.h - the handlers of trapped calls, declared from syscalls.h, and
 * what the loader's handlers share.
 */
#ifndef VRL_VFS_H
#define VRL_VFS_H

#include "loader.h"

struct vr_task;

typedef long (*vrl_handler)(struct vr_loader_ctx *ctx, const long a[6]);

/*
 * How the filter treats a trapped call (syscalls.h's cond column): VRL_C_
 * and the column's word.  0 is "not trapped".
 */
enum vrl_cond {
	VRL_C_NONE,
	VRL_C_ALWAYS,
	VRL_C_FAKED,
	VRL_C_ADDR,
	VRL_C_IOCTL,
	VRL_C_OWNFD,
	VRL_C_SIGMASK,
	VRL_C_SIGWAIT,
	VRL_C_SIGNAL,
	VRL_C_EXEC,
	VRL_C_MEM,
	VRL_C_MMAP,
	VRL_C_PRCTL,
	VRL_C_SIGHELD,
	VRL_C_VMCLONE,
};

/* One past the highest system call number syscalls.h may name. */
#define VRL_NR_TABLE 512

/* Every trapped call's handler (syscalls.h), declared from the table. */
#define VRL_TRAP(name, kinds, cond, fn) long fn(struct vr_loader_ctx *ctx, const long a[6]);
#include "syscalls.h"

/* vrl_call_handler() - the handler syscalls.h gives trapped call @nr, or NULL. */
vrl_handler vrl_call_handler(long nr);
/* vrl_call_cond() - when the filter traps @nr (enum vrl_cond; VRL_C_NONE: never). */
int vrl_call_cond(long nr);

/* open_tree(2)'s flag (linux/mount.h, which clashes with the loader's headers). */
#define VRL_OPEN_TREE_CLONE 1
/* bpf(2) commands that take a path (linux/bpf.h). */
#define VRL_BPF_OBJ_PIN 6
#define VRL_BPF_OBJ_GET 7

/* vrl_fd_not_opath() - -EBADF for an O_PATH descriptor, 0 for another (vfs.c). */
long vrl_fd_not_opath(int fd);

/* vrl_ident_faked() - the session fakes its identity (vfs_ident.c). */
int vrl_ident_faked(void);
/* vrl_ident_status() - this process's /proc status file as a faked identity shows it (vfs_ident.c). */
long vrl_ident_status(struct vr_loader_ctx *ctx, int dfd, const char *path, int flags);
/* vrl_sealed_file() - a sealed memory file holding @buf[@len] (vfs_ident.c). */
long vrl_sealed_file(const char *name, const char *buf, size_t len, int flags);
/*
 * vrl_proc_mounts() - open(@dfd, @path, @flags) of this process's
 * /proc/PID/mountinfo or mounts: the namespace's table in a sealed memory
 * file (vfs_mounts.c).  Returns a descriptor or -errno, or 1 when the call
 * is not one of those.
 */
long vrl_proc_mounts(struct vr_loader_ctx *ctx, int dfd, const char *path, int flags);
/* vrl_exec_ident() - the identity of the program started from @fd (vfs_ident.c). */
void vrl_exec_ident(struct vr_loader_ctx *ctx, int fd, int direct);

/* vrl_sync_host_cwd() - the host cwd follows the virtual one (vfs.c). */
void vrl_sync_host_cwd(struct vr_task *t);

/* vrl_task() - the task a trapped call runs as (a vfork child's own after its chdir). */
struct vr_task *vrl_task(struct vr_loader_ctx *ctx);
/* vrl_task_for_write() - as vrl_task(), private to a vfork child before a change. */
struct vr_task *vrl_task_for_write(struct vr_loader_ctx *ctx);
/* vrl_thread_task() - the calling thread's own task, or NULL (vfs_ident.c). */
struct vr_task *vrl_thread_task(struct vrl_proc *p);
/* vrl_ident_clone(), vrl_ident_cloned() - a new thread's identity (vfs_ident.c). */
void vrl_ident_clone(struct vr_loader_ctx *ctx, int slot, unsigned long tls);
void vrl_ident_cloned(int slot, long result);

/* vrl_threads_cwd() - task @t's new cwd given to the other threads' tasks (vfs_ident.c). */
void vrl_threads_cwd(struct vr_loader_ctx *ctx, struct vr_task *t);
/*
 * vrl_ident_forked() - in a fork child: the forking thread's identity is
 * the process's, published for the others (vfs_ident.c).
 */
void vrl_ident_forked(void);

/*
 * vrl_proc_magic_readlink() - readlink of this process's /proc magic links
 * (fd/N, cwd, root, exe) answered with virtual paths.
 * Return: 1 with *n set (length or -errno) when @path is one, else 0.
 */
int vrl_proc_magic_readlink(struct vr_loader_ctx *ctx, int dfd, const char *path, char *buf,
                            size_t size, long *n);

/*
 * vrl_proc_self_exe() - the host path of the program when @path (from @dfd)
 * is this process's /proc/PID/exe, else NULL.
 */
const char *vrl_proc_self_exe(struct vr_loader_ctx *ctx, int dfd, const char *path);

/*
 * vrl_fds_apart() - a thread may hold a descriptor table of its own from
 * now on: the core stops believing what it learnt of a number, and
 * descriptors are named through /proc/thread-self (vrl_proc_fd()).
 */
void vrl_fds_apart(struct vr_ns *ns);

/*
 * vrl_proc_fd() - "/proc/self/fd/N" into @buf[32], "/proc/thread-self/fd/N"
 * once vrl_fds_apart() was called: /proc/self names the process's table,
 * which a thread with one of its own does not use.
 */
const char *vrl_proc_fd(char *buf, int fd);

/* vrl_proc_magic_open() - vr_openat(), with /proc/self/exe opening the program. */
long vrl_proc_magic_open(struct vr_loader_ctx *ctx, int dfd, const char *path, int flags,
                         unsigned int mode);

#endif
