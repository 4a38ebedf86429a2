/*
 * trap_list.h - the system calls the filter traps when they are issued
 * from outside the trusted page (x86-64 numbers).  X-macro: define
 * VRL_TRAP(nr) before including.
 *
 * DESIGN.md's list of path-bearing and fd-metadata calls, plus the signal
 * calls the loader must virtualise: rt_sigaction (for SIGSYS, and to keep
 * SIGSYS out of every handler's sa_mask) and rt_sigprocmask (so SIGSYS is
 * never really blocked: a trap while it is blocked kills the process).
 * rt_sigprocmask is special-cased in filter.c.  sigaltstack, so a signal
 * stack too small for the kernel's SIGSYS frame is never given to the
 * kernel (sigvirt.c); rt_sigreturn, so the mask a program's handler
 * leaves in its frame never blocks SIGSYS (sigentry.S).
 */
/* open and stat */
VRL_TRAP(__NR_open)
VRL_TRAP(__NR_openat)
VRL_TRAP(__NR_openat2)
VRL_TRAP(__NR_creat)
VRL_TRAP(__NR_stat)
VRL_TRAP(__NR_lstat)
VRL_TRAP(__NR_newfstatat)
VRL_TRAP(__NR_statx)
VRL_TRAP(__NR_fstat)
VRL_TRAP(__NR_access)
VRL_TRAP(__NR_faccessat)
VRL_TRAP(__NR_faccessat2)
VRL_TRAP(__NR_readlink)
VRL_TRAP(__NR_readlinkat)
VRL_TRAP(__NR_statfs)
/* working directory and root */
VRL_TRAP(__NR_getcwd)
VRL_TRAP(__NR_chdir)
VRL_TRAP(__NR_fchdir)
VRL_TRAP(__NR_chroot)
/* namespace changes */
VRL_TRAP(__NR_mkdir)
VRL_TRAP(__NR_mkdirat)
VRL_TRAP(__NR_mknod)
VRL_TRAP(__NR_mknodat)
VRL_TRAP(__NR_rmdir)
VRL_TRAP(__NR_unlink)
VRL_TRAP(__NR_unlinkat)
VRL_TRAP(__NR_rename)
VRL_TRAP(__NR_renameat)
VRL_TRAP(__NR_renameat2)
VRL_TRAP(__NR_link)
VRL_TRAP(__NR_linkat)
VRL_TRAP(__NR_symlink)
VRL_TRAP(__NR_symlinkat)
VRL_TRAP(__NR_truncate)
/* ownership, modes, times */
VRL_TRAP(__NR_chmod)
VRL_TRAP(__NR_fchmod)
VRL_TRAP(__NR_fchmodat)
VRL_TRAP(__NR_fchmodat2)
VRL_TRAP(__NR_chown)
VRL_TRAP(__NR_lchown)
VRL_TRAP(__NR_fchown)
VRL_TRAP(__NR_fchownat)
VRL_TRAP(__NR_utime)
VRL_TRAP(__NR_utimes)
VRL_TRAP(__NR_futimesat)
VRL_TRAP(__NR_utimensat)
/* directories */
VRL_TRAP(__NR_getdents)
VRL_TRAP(__NR_getdents64)
/* extended attributes */
VRL_TRAP(__NR_setxattr)
VRL_TRAP(__NR_lsetxattr)
VRL_TRAP(__NR_fsetxattr)
VRL_TRAP(__NR_getxattr)
VRL_TRAP(__NR_lgetxattr)
VRL_TRAP(__NR_fgetxattr)
VRL_TRAP(__NR_listxattr)
VRL_TRAP(__NR_llistxattr)
VRL_TRAP(__NR_flistxattr)
VRL_TRAP(__NR_removexattr)
VRL_TRAP(__NR_lremovexattr)
VRL_TRAP(__NR_fremovexattr)
VRL_TRAP(__NR_setxattrat)
VRL_TRAP(__NR_getxattrat)
VRL_TRAP(__NR_listxattrat)
VRL_TRAP(__NR_removexattrat)
/* inode flags by path (Linux 6.17): as a kernel without them, for now */
VRL_TRAP(__NR_file_getattr)
VRL_TRAP(__NR_file_setattr)
/* inode flags: ioctl only for the requests that change them (filter.c) */
VRL_TRAP(__NR_ioctl)
/* exec */
VRL_TRAP(__NR_execve)
VRL_TRAP(__NR_execveat)
/* watches and handles */
VRL_TRAP(__NR_inotify_add_watch)
VRL_TRAP(__NR_fanotify_mark)
VRL_TRAP(__NR_name_to_handle_at)
VRL_TRAP(__NR_open_by_handle_at)
/*
 * AF_UNIX socket names.  sendto and recvfrom only when they carry an
 * address (filter.c); recvmsg, recvmmsg and sendmmsg always, as sendmsg: the name
 * sits in the msghdr, out of the filter's sight.
 */
VRL_TRAP(__NR_bind)
VRL_TRAP(__NR_connect)
VRL_TRAP(__NR_sendto)
VRL_TRAP(__NR_sendmsg)
VRL_TRAP(__NR_sendmmsg)
VRL_TRAP(__NR_getsockname)
VRL_TRAP(__NR_getpeername)
VRL_TRAP(__NR_accept)
VRL_TRAP(__NR_accept4)
VRL_TRAP(__NR_recvfrom)
VRL_TRAP(__NR_recvmsg)
VRL_TRAP(__NR_recvmmsg)
/* descriptors the namespace must keep; io_uring would bypass the filter */
VRL_TRAP(__NR_close_range)
VRL_TRAP(__NR_io_uring_setup)
/* mounts */
VRL_TRAP(__NR_mount)
VRL_TRAP(__NR_umount2)
VRL_TRAP(__NR_pivot_root)
/*
 * The new mount API and quotas take host paths (and mounts made with them
 * would act on the layers' host trees): refused, as mount(2) is.
 */
VRL_TRAP(__NR_open_tree)
VRL_TRAP(__NR_open_tree_attr)
VRL_TRAP(__NR_move_mount)
VRL_TRAP(__NR_fsopen)
VRL_TRAP(__NR_fspick)
VRL_TRAP(__NR_fsconfig)
VRL_TRAP(__NR_fsmount)
VRL_TRAP(__NR_mount_setattr)
VRL_TRAP(__NR_quotactl)
VRL_TRAP(__NR_quotactl_fd)
/* privileged calls that take a host path: refused as mount(2) is */
VRL_TRAP(__NR_swapon)
VRL_TRAP(__NR_swapoff)
VRL_TRAP(__NR_acct)
VRL_TRAP(__NR_uselib)
/* bpf: pinned objects are named by host paths in bpffs */
VRL_TRAP(__NR_bpf)
/*
 * identity: trapped only when the session fakes one (vroot run --fake-root,
 * --uid, --gid; filter.c), answered by vfs_ident.c
 */
VRL_TRAP(__NR_getuid)
VRL_TRAP(__NR_geteuid)
VRL_TRAP(__NR_getgid)
VRL_TRAP(__NR_getegid)
VRL_TRAP(__NR_getresuid)
VRL_TRAP(__NR_getresgid)
VRL_TRAP(__NR_getgroups)
VRL_TRAP(__NR_setuid)
VRL_TRAP(__NR_setgid)
VRL_TRAP(__NR_setreuid)
VRL_TRAP(__NR_setregid)
VRL_TRAP(__NR_setresuid)
VRL_TRAP(__NR_setresgid)
VRL_TRAP(__NR_setgroups)
VRL_TRAP(__NR_setfsuid)
VRL_TRAP(__NR_setfsgid)
VRL_TRAP(__NR_capget)
VRL_TRAP(__NR_capset)
/* signals (see above) */
VRL_TRAP(__NR_rt_sigaction)
VRL_TRAP(__NR_rt_sigprocmask)
VRL_TRAP(__NR_sigaltstack)
VRL_TRAP(__NR_rt_sigreturn)
