/*
 * ownfd_list.h - the calls that could reach vroot's own descriptors (the
 * namespace's backing directories) and the arguments that name them.
 * X-macro: define VRL_OWNFD(nr, fd, at, target) before including.  Each
 * of fd, at and target is a mask of argument positions (bit i: argument i):
 *
 *   fd      the call uses this descriptor: vroot's answers EBADF, as a free
 *           number does;
 *   at      a directory descriptor, used only when the path in the next
 *           argument is relative, empty or NULL (an absolute path ignores
 *           it, natively too): then vroot's answers EBADF;
 *   target  a number the call makes the program's (dup2, dup3): vroot's
 *           descriptor moves to another number first (ownfd.c).
 *
 * Why these and no more.  vroot's descriptors are O_PATH, and the kernel
 * refuses an O_PATH descriptor with EBADF wherever it looks a descriptor up
 * with fdget()/fget(): read, write, lseek, ioctl, mmap, fsync, flock,
 * ftruncate, sendfile, splice, epoll_ctl, poll, select, setns, fadvise...
 * answer for them exactly what they answer for a free number.  Only the
 * calls that accept O_PATH (fdget_raw() and the descriptor table itself)
 * can find them: close and the dup family, fcntl, fstat, fstatfs, fchdir,
 * getdents, the *at calls' directory argument, execveat, the handle and
 * mount calls.  Those listed here that syscalls.h does not trap anyway
 * are trapped by the filter only when a masked argument is in vroot's
 * descriptor range (filter.c), so ordinary calls stay untrapped.
 * The socket calls are listed because their handlers look at addresses
 * before the kernel would refuse the descriptor.
 */
#ifndef __NR_open_tree
#define __NR_open_tree 428
#endif
#ifndef __NR_move_mount
#define __NR_move_mount 429
#endif
#ifndef __NR_fspick
#define __NR_fspick 433
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr 442
#endif

#define VRL_A(i) (1u << (i))

/* The descriptor table and descriptor flags. */
VRL_OWNFD(__NR_close, VRL_A(0), 0, 0)
VRL_OWNFD(__NR_dup, VRL_A(0), 0, 0)
VRL_OWNFD(__NR_dup2, VRL_A(0), 0, VRL_A(1))
VRL_OWNFD(__NR_dup3, VRL_A(0), 0, VRL_A(1))
VRL_OWNFD(__NR_fcntl, VRL_A(0), 0, 0)
/* Descriptors used as the object. */
VRL_OWNFD(__NR_fstat, VRL_A(0), 0, 0)
VRL_OWNFD(__NR_fstatfs, VRL_A(0), 0, 0)
VRL_OWNFD(__NR_fchdir, VRL_A(0), 0, 0)
VRL_OWNFD(__NR_fchmod, VRL_A(0), 0, 0)
VRL_OWNFD(__NR_fchown, VRL_A(0), 0, 0)
VRL_OWNFD(__NR_getdents, VRL_A(0), 0, 0)
VRL_OWNFD(__NR_getdents64, VRL_A(0), 0, 0)
VRL_OWNFD(__NR_fsetxattr, VRL_A(0), 0, 0)
VRL_OWNFD(__NR_fgetxattr, VRL_A(0), 0, 0)
VRL_OWNFD(__NR_flistxattr, VRL_A(0), 0, 0)
VRL_OWNFD(__NR_fremovexattr, VRL_A(0), 0, 0)
VRL_OWNFD(__NR_open_by_handle_at, VRL_A(0), 0, 0)
VRL_OWNFD(__NR_inotify_add_watch, VRL_A(0), 0, 0)
/* Directory descriptors of path calls. */
VRL_OWNFD(__NR_openat, 0, VRL_A(0), 0)
VRL_OWNFD(__NR_openat2, 0, VRL_A(0), 0)
VRL_OWNFD(__NR_newfstatat, 0, VRL_A(0), 0)
VRL_OWNFD(__NR_statx, 0, VRL_A(0), 0)
VRL_OWNFD(__NR_faccessat, 0, VRL_A(0), 0)
VRL_OWNFD(__NR_faccessat2, 0, VRL_A(0), 0)
VRL_OWNFD(__NR_readlinkat, 0, VRL_A(0), 0)
VRL_OWNFD(__NR_mkdirat, 0, VRL_A(0), 0)
VRL_OWNFD(__NR_mknodat, 0, VRL_A(0), 0)
VRL_OWNFD(__NR_unlinkat, 0, VRL_A(0), 0)
VRL_OWNFD(__NR_renameat, 0, VRL_A(0) | VRL_A(2), 0)
VRL_OWNFD(__NR_renameat2, 0, VRL_A(0) | VRL_A(2), 0)
VRL_OWNFD(__NR_linkat, 0, VRL_A(0) | VRL_A(2), 0)
VRL_OWNFD(__NR_symlinkat, 0, VRL_A(1), 0)
VRL_OWNFD(__NR_fchmodat, 0, VRL_A(0), 0)
VRL_OWNFD(__NR_fchmodat2, 0, VRL_A(0), 0)
VRL_OWNFD(__NR_fchownat, 0, VRL_A(0), 0)
VRL_OWNFD(__NR_futimesat, 0, VRL_A(0), 0)
VRL_OWNFD(__NR_utimensat, 0, VRL_A(0), 0)
VRL_OWNFD(__NR_execveat, 0, VRL_A(0), 0)
VRL_OWNFD(__NR_name_to_handle_at, 0, VRL_A(0), 0)
VRL_OWNFD(__NR_fanotify_mark, VRL_A(0), VRL_A(3), 0)
VRL_OWNFD(__NR_setxattrat, 0, VRL_A(0), 0)
VRL_OWNFD(__NR_getxattrat, 0, VRL_A(0), 0)
VRL_OWNFD(__NR_listxattrat, 0, VRL_A(0), 0)
VRL_OWNFD(__NR_removexattrat, 0, VRL_A(0), 0)
VRL_OWNFD(__NR_open_tree, 0, VRL_A(0), 0)
VRL_OWNFD(__NR_move_mount, 0, VRL_A(0) | VRL_A(2), 0)
VRL_OWNFD(__NR_fspick, 0, VRL_A(0), 0)
VRL_OWNFD(__NR_mount_setattr, 0, VRL_A(0), 0)
/* Sockets: the kernel checks the descriptor before the address. */
VRL_OWNFD(__NR_bind, VRL_A(0), 0, 0)
VRL_OWNFD(__NR_connect, VRL_A(0), 0, 0)
VRL_OWNFD(__NR_sendto, VRL_A(0), 0, 0)
VRL_OWNFD(__NR_sendmsg, VRL_A(0), 0, 0)
VRL_OWNFD(__NR_getsockname, VRL_A(0), 0, 0)
VRL_OWNFD(__NR_getpeername, VRL_A(0), 0, 0)
VRL_OWNFD(__NR_accept, VRL_A(0), 0, 0)
VRL_OWNFD(__NR_accept4, VRL_A(0), 0, 0)
VRL_OWNFD(__NR_recvfrom, VRL_A(0), 0, 0)
VRL_OWNFD(__NR_recvmsg, VRL_A(0), 0, 0)
VRL_OWNFD(__NR_recvmmsg, VRL_A(0), 0, 0)
