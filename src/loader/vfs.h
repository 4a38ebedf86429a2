/*
 * vfs.h - the table of trapped calls the core answers.
 */
#ifndef VRL_VFS_H
#define VRL_VFS_H

#include "loader.h"

struct vr_task;

typedef long (*vrl_handler)(struct vr_loader_ctx *ctx, const long a[6]);

/*
 * X-macro: X(syscall number, handler).  Handlers live in vfs.c, vfs_fd.c,
 * vfs_sock.c, vfs_ident.c.
 */
#define VFS_HANDLERS(X)                                                                            \
	X(__NR_open, h_open)                                                                       \
	X(__NR_openat, h_openat)                                                                   \
	X(__NR_creat, h_creat)                                                                     \
	X(__NR_openat2, h_openat2)                                                                 \
	X(__NR_stat, h_stat)                                                                       \
	X(__NR_lstat, h_lstat)                                                                     \
	X(__NR_newfstatat, h_newfstatat)                                                           \
	X(__NR_fstat, h_fstat)                                                                     \
	X(__NR_statx, h_statx)                                                                     \
	X(__NR_access, h_access)                                                                   \
	X(__NR_faccessat, h_faccessat)                                                             \
	X(__NR_faccessat2, h_faccessat2)                                                           \
	X(__NR_readlink, h_readlink)                                                               \
	X(__NR_readlinkat, h_readlinkat)                                                           \
	X(__NR_statfs, h_statfs)                                                                   \
	X(__NR_getcwd, h_getcwd)                                                                   \
	X(__NR_chdir, h_chdir)                                                                     \
	X(__NR_fchdir, h_fchdir)                                                                   \
	X(__NR_chroot, h_chroot)                                                                   \
	X(__NR_mkdir, h_mkdir)                                                                     \
	X(__NR_mkdirat, h_mkdirat)                                                                 \
	X(__NR_mknod, h_mknod)                                                                     \
	X(__NR_mknodat, h_mknodat)                                                                 \
	X(__NR_rmdir, h_rmdir)                                                                     \
	X(__NR_unlink, h_unlink)                                                                   \
	X(__NR_unlinkat, h_unlinkat)                                                               \
	X(__NR_rename, h_rename)                                                                   \
	X(__NR_renameat, h_renameat)                                                               \
	X(__NR_renameat2, h_renameat2)                                                             \
	X(__NR_link, h_link)                                                                       \
	X(__NR_linkat, h_linkat)                                                                   \
	X(__NR_symlink, h_symlink)                                                                 \
	X(__NR_symlinkat, h_symlinkat)                                                             \
	X(__NR_truncate, h_truncate)                                                               \
	X(__NR_chmod, h_chmod)                                                                     \
	X(__NR_fchmod, h_fchmod)                                                                   \
	X(__NR_fchmodat, h_fchmodat)                                                               \
	X(__NR_fchmodat2, h_fchmodat2)                                                             \
	X(__NR_chown, h_chown)                                                                     \
	X(__NR_lchown, h_lchown)                                                                   \
	X(__NR_fchown, h_fchown)                                                                   \
	X(__NR_fchownat, h_fchownat)                                                               \
	X(__NR_utime, h_utime)                                                                     \
	X(__NR_utimes, h_utimes)                                                                   \
	X(__NR_futimesat, h_futimesat)                                                             \
	X(__NR_utimensat, h_utimensat)                                                             \
	X(__NR_getdents, h_getdents)                                                               \
	X(__NR_getdents64, h_getdents64)                                                           \
	X(__NR_setxattr, h_setxattr)                                                               \
	X(__NR_lsetxattr, h_lsetxattr)                                                             \
	X(__NR_fsetxattr, h_fsetxattr)                                                             \
	X(__NR_getxattr, h_getxattr)                                                               \
	X(__NR_lgetxattr, h_lgetxattr)                                                             \
	X(__NR_fgetxattr, h_fgetxattr)                                                             \
	X(__NR_listxattr, h_listxattr)                                                             \
	X(__NR_llistxattr, h_llistxattr)                                                           \
	X(__NR_flistxattr, h_flistxattr)                                                           \
	X(__NR_removexattr, h_removexattr)                                                         \
	X(__NR_lremovexattr, h_lremovexattr)                                                       \
	X(__NR_fremovexattr, h_fremovexattr)                                                       \
	X(__NR_setxattrat, h_enosys)                                                               \
	X(__NR_getxattrat, h_enosys)                                                               \
	X(__NR_listxattrat, h_enosys)                                                              \
	X(__NR_removexattrat, h_enosys)                                                            \
	X(__NR_inotify_add_watch, h_inotify_add_watch)                                             \
	X(__NR_fanotify_mark, h_eperm)                                                             \
	X(__NR_name_to_handle_at, h_name_to_handle_at)                                             \
	X(__NR_open_by_handle_at, h_eperm)                                                         \
	X(__NR_mount, h_eperm)                                                                     \
	X(__NR_umount2, h_eperm)                                                                   \
	X(__NR_pivot_root, h_eperm)                                                                \
	X(__NR_close_range, h_close_range)                                                         \
	X(__NR_bind, h_bind)                                                                       \
	X(__NR_connect, h_connect)                                                                 \
	X(__NR_sendto, h_sendto)                                                                   \
	X(__NR_sendmsg, h_sendmsg)                                                                 \
	X(__NR_getsockname, h_getsockname)                                                         \
	X(__NR_getpeername, h_getpeername)                                                         \
	X(__NR_accept, h_accept)                                                                   \
	X(__NR_accept4, h_accept4)                                                                 \
	X(__NR_recvfrom, h_recvfrom)                                                               \
	X(__NR_recvmsg, h_recvmsg)                                                                 \
	X(__NR_recvmmsg, h_recvmmsg)                                                               \
	X(__NR_io_uring_setup, h_enosys)                                                           \
	X(__NR_open_tree, h_open_tree)                                                             \
	X(__NR_open_tree_attr, h_open_tree_attr)                                                   \
	X(__NR_file_getattr, h_enosys)                                                             \
	X(__NR_file_setattr, h_enosys)                                                             \
	X(__NR_move_mount, h_eperm)                                                                \
	X(__NR_fsopen, h_eperm)                                                                    \
	X(__NR_fspick, h_eperm)                                                                    \
	X(__NR_fsconfig, h_eperm)                                                                  \
	X(__NR_fsmount, h_eperm)                                                                   \
	X(__NR_mount_setattr, h_eperm)                                                             \
	X(__NR_quotactl, h_enosys)                                                                 \
	X(__NR_quotactl_fd, h_enosys)                                                              \
	X(__NR_swapon, h_eperm)                                                                    \
	X(__NR_swapoff, h_eperm)                                                                   \
	X(__NR_acct, h_eperm)                                                                      \
	X(__NR_uselib, h_enosys)                                                                   \
	X(__NR_bpf, h_bpf)                                                                         \
	X(__NR_sendmmsg, h_sendmmsg)                                                               \
	X(__NR_ioctl, h_ioctl)                                                                     \
	X(__NR_getuid, h_getuid)                                                                   \
	X(__NR_geteuid, h_geteuid)                                                                 \
	X(__NR_getgid, h_getgid)                                                                   \
	X(__NR_getegid, h_getegid)                                                                 \
	X(__NR_getresuid, h_getresuid)                                                             \
	X(__NR_getresgid, h_getresgid)                                                             \
	X(__NR_getgroups, h_getgroups)                                                             \
	X(__NR_setuid, h_setuid)                                                                   \
	X(__NR_setgid, h_setgid)                                                                   \
	X(__NR_setreuid, h_setreuid)                                                               \
	X(__NR_setregid, h_setregid)                                                               \
	X(__NR_setresuid, h_setresuid)                                                             \
	X(__NR_setresgid, h_setresgid)                                                             \
	X(__NR_setgroups, h_setgroups)                                                             \
	X(__NR_setfsuid, h_setfsuid)                                                               \
	X(__NR_setfsgid, h_setfsgid)                                                               \
	X(__NR_capget, h_capget)                                                                   \
	X(__NR_capset, h_capset)

/* open_tree(2)'s flag (linux/mount.h, which clashes with the loader's headers). */
#define VRL_OPEN_TREE_CLONE 1
/* bpf(2) commands that take a path (linux/bpf.h). */
#define VRL_BPF_OBJ_PIN 6
#define VRL_BPF_OBJ_GET 7

#define VFS_DECLARE(nr, fn) long fn(struct vr_loader_ctx *ctx, const long a[6]);
VFS_HANDLERS(VFS_DECLARE)

/* vrl_vfs_handler() - the core's handler for @nr, or NULL. */
vrl_handler vrl_vfs_handler(long nr);

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

/* vrl_proc_magic_open() - vr_openat(), with /proc/self/exe opening the program. */
long vrl_proc_magic_open(struct vr_loader_ctx *ctx, int dfd, const char *path, int flags,
                         unsigned int mode);

#endif
