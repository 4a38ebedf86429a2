/*
 * syscalls.h - every x86-64 system call, what vroot's filter does with it,
 * who answers it and what its arguments are: the one table the filter
 * (filter.c), site rewriting (rewrite.c), the dispatcher (dispatch.c) and
 * the handlers' declarations (vfs.h) are generated from.
 *
 * X-macro: define any of these before including (the others expand to
 * nothing); the file undefines them at its end.
 *
 *   VRL_TRAP(name, kinds, cond, handler)
 *       trapped when issued from outside the trusted page, in the cases
 *       @cond says; answered by @handler, a function of vrl_handler's type
 *       (so a trapped call without a handler does not build).
 *   VRL_REFUSE(name, kinds, err, why)
 *       the filter answers -@err itself (SECCOMP_RET_ERRNO); nothing runs.
 *   VRL_PASS(name, kinds, why)
 *       let through untrapped, for the reason @why (never empty).
 *   VRL_REFUSE_ARG(name, arg, value, err, why)
 *       for a call that has a row of its own: when argument @arg (its low
 *       32 bits, an int to the kernel) is @value, the filter answers -@err
 *       itself, before the row's rule; nothing runs.
 *
 * @name is the call's name without __NR_.  @kinds says what each argument
 * is, one character per argument from the first (arguments past the string
 * are of no interest):
 *
 *   p  a path the kernel resolves      d  the directory descriptor of the
 *   f  a descriptor                       path in the next argument
 *   a  a socket address (sockaddr, or a msghdr/mmsghdr carrying one)
 *   s  a signal mask the call puts in force while it waits (or a struct
 *      pointing to one: pselect6, io_pgetevents)
 *   -  anything else
 *
 * A call with a p, d, f or a argument is one that could reach a file:
 * tests/integration/syscall-table.sh walks the kernel headers' whole list
 * and fails for a call missing here, and for a passed call with a path;
 * as root it also derives each call's kinds from the argument types and
 * names the running kernel declares (its syscall tracepoints) and fails
 * where a row says otherwise.
 *
 * @cond, for VRL_TRAP (filter.c builds the tests):
 *   ALWAYS   whatever the arguments; a rewritten site calls the handler
 *            straight (rewrite.c)
 *   FAKED    whatever the arguments, in a session that fakes an identity
 *            (vroot run --fake-root, --uid, --gid); else passed
 *   ADDR     when argument 4, a socket address, is not NULL: recv(3) and
 *            send(3) on any socket stay untrapped; a rewritten site calls
 *            the handler for the others and runs its own syscall for these
 *   IOCTL    for the requests that change inode flags (filter.c's
 *            flag_ioctls); every other request is passed
 *   OWNFD    when a descriptor argument is one of vroot's own
 *            (ownfd_list.h); vrl_ownfd_answer() answers those, the
 *            handler the others of the range
 *   SIGMASK  when it can add to the signal mask (a set, and not
 *            SIG_UNBLOCK), so that SIGSYS is never really blocked
 *   SIGWAIT  when its signal mask argument (kinds' s) is not NULL: the mask
 *            is put in force without SIGSYS, or a program's handler run
 *            while it waits would die at its first trapped call
 *   SIGNAL   whatever the arguments; answered before the namespace
 *            (sigsys.c), as the handler reads or edits the interrupted
 *            context; never rewritten but rt_sigaction, whose handler
 *            reads only its arguments
 *   EXEC     whatever the arguments; the new image must start in the
 *            loader again; never rewritten
 *   MEM      when the address (argument 0) is outside the trusted page
 *            slots (a loader maps its page before it can answer a trap):
 *            a change to the address space, which the handler performs
 *            and tells uaccess.c of (addrspace.c)
 *   MMAP     as MEM, and only with MAP_FIXED: a new mapping elsewhere
 *            changes no page already known (the entry maps its stacks so)
 *   PRCTL    in a session that fakes an identity, for the options of the
 *            identity's securebits (filter.c's secure_prctls); every
 *            other option is passed
 *   SIGHELD  whatever the arguments, once a thread of the process has
 *            blocked SIGSYS (the filter vrl_filter_trap_sigmask() adds,
 *            which traps every rt_sigprocmask too); answered as SIGNAL
 *   VMCLONE  vfork, and clone with CLONE_VM but not CLONE_THREAD: a child
 *            that shares the memory but not the descriptor table; clone
 *            with CLONE_FILES but not CLONE_VM, and with CLONE_THREAD but
 *            not CLONE_FILES (the table shared without the memory, or
 *            the memory without the table); in a
 *            session that fakes an identity, clone with CLONE_THREAD too
 *            (the new thread takes its creator's); answered as SIGNAL (the
 *            handler returns through the trusted page)
 * Only ALWAYS, FAKED, MEM and MMAP sites are rewritten, and rt_sigaction's:
 * the others' handlers answer only the trapped cases, or need the signal
 * frame; these answer every case.
 */
#ifndef VRL_TRAP
#define VRL_TRAP(name, kinds, cond, handler)
#endif
#ifndef VRL_REFUSE
#define VRL_REFUSE(name, kinds, err, why)
#endif
#ifndef VRL_PASS
#define VRL_PASS(name, kinds, why)
#endif
#ifndef VRL_REFUSE_ARG
#define VRL_REFUSE_ARG(name, arg, value, err, why)
#endif

#ifndef VRL_SYSCALLS_WHY
#define VRL_SYSCALLS_WHY
#define VRL_WHY_IO                                                                                 \
	"I/O on a descriptor the program holds; the namespace opened it with the access it allows"
#define VRL_WHY_READY "readiness of descriptors the program holds"
#define VRL_WHY_FILE  "acts on the open file or its filesystem, names no path"
#define VRL_WHY_WRITE                                                                              \
	"needs a descriptor open for writing, which the namespace gives only after copy-up or "    \
	"in a read-write mount"
#define VRL_WHY_ANON  "makes or uses descriptors that name no path"
#define VRL_WHY_SOCK  "socket state, no address"
#define VRL_WHY_AIO   "asynchronous I/O on descriptors the program holds"
#define VRL_WHY_URING "io_uring_setup is refused, so no ring exists"
#define VRL_WHY_LESS  "can only take rights away"
#define VRL_WHY_MEM   "memory, no path"
#define VRL_WHY_SYSV  "System V IPC keys are numbers (ftok resolves its path through stat, trapped)"
#define VRL_WHY_MQ                                                                                 \
	"POSIX queue names live in the mqueue filesystem, not in the file tree, as natively"
#define VRL_WHY_SIG  "signals, no path"
#define VRL_WHY_TIME "clocks and timers, no path"
#define VRL_WHY_PROC                                                                               \
	"processes and threads (every image starts in the loader; the filter is inherited)"
#define VRL_WHY_SCHED "scheduling and limits"
#define VRL_WHY_NONE  "no path"
#define VRL_WHY_KEYS  "keys, no path"
#define VRL_WHY_SYS   "privileged or about the system, no path"
#define VRL_WHY_GONE  "not implemented on x86-64 (ENOSYS)"
#define VRL_WHY_PIDFD "a process descriptor, not a file"
/* prctl(2)'s option (linux/prctl.h; not every libc header has it). */
#define VRL_PR_SET_SYSCALL_USER_DISPATCH 59
#endif

/* open and stat */
VRL_TRAP(open, "p", ALWAYS, h_open)
VRL_TRAP(openat, "dp", ALWAYS, h_openat)
VRL_TRAP(openat2, "dp", ALWAYS, h_openat2)
VRL_TRAP(creat, "p", ALWAYS, h_creat)
VRL_TRAP(stat, "p", ALWAYS, h_stat)
VRL_TRAP(lstat, "p", ALWAYS, h_lstat)
VRL_TRAP(newfstatat, "dp", ALWAYS, h_newfstatat)
VRL_TRAP(statx, "dp", ALWAYS, h_statx)
VRL_TRAP(fstat, "f", ALWAYS, h_fstat)
VRL_TRAP(access, "p", ALWAYS, h_access)
VRL_TRAP(faccessat, "dp", ALWAYS, h_faccessat)
VRL_TRAP(faccessat2, "dp", ALWAYS, h_faccessat2)
VRL_TRAP(readlink, "p", ALWAYS, h_readlink)
VRL_TRAP(readlinkat, "dp", ALWAYS, h_readlinkat)
VRL_TRAP(statfs, "p", ALWAYS, h_statfs)
/* working directory and root */
VRL_TRAP(getcwd, "-", ALWAYS, h_getcwd)
VRL_TRAP(chdir, "p", ALWAYS, h_chdir)
VRL_TRAP(fchdir, "f", ALWAYS, h_fchdir)
VRL_TRAP(chroot, "p", ALWAYS, h_chroot)
/* namespace changes */
VRL_TRAP(mkdir, "p", ALWAYS, h_mkdir)
VRL_TRAP(mkdirat, "dp", ALWAYS, h_mkdirat)
VRL_TRAP(mknod, "p", ALWAYS, h_mknod)
VRL_TRAP(mknodat, "dp", ALWAYS, h_mknodat)
VRL_TRAP(rmdir, "p", ALWAYS, h_rmdir)
VRL_TRAP(unlink, "p", ALWAYS, h_unlink)
VRL_TRAP(unlinkat, "dp", ALWAYS, h_unlinkat)
VRL_TRAP(rename, "pp", ALWAYS, h_rename)
VRL_TRAP(renameat, "dpdp", ALWAYS, h_renameat)
VRL_TRAP(renameat2, "dpdp", ALWAYS, h_renameat2)
VRL_TRAP(link, "pp", ALWAYS, h_link)
VRL_TRAP(linkat, "dpdp", ALWAYS, h_linkat)
VRL_TRAP(symlink, "-p", ALWAYS, h_symlink)
VRL_TRAP(symlinkat, "-dp", ALWAYS, h_symlinkat)
VRL_TRAP(truncate, "p", ALWAYS, h_truncate)
/* ownership, modes, times */
VRL_TRAP(chmod, "p", ALWAYS, h_chmod)
VRL_TRAP(fchmod, "f", ALWAYS, h_fchmod)
VRL_TRAP(fchmodat, "dp", ALWAYS, h_fchmodat)
VRL_TRAP(fchmodat2, "dp", ALWAYS, h_fchmodat2)
VRL_TRAP(chown, "p", ALWAYS, h_chown)
VRL_TRAP(lchown, "p", ALWAYS, h_lchown)
VRL_TRAP(fchown, "f", ALWAYS, h_fchown)
VRL_TRAP(fchownat, "dp", ALWAYS, h_fchownat)
VRL_TRAP(utime, "p", ALWAYS, h_utime)
VRL_TRAP(utimes, "p", ALWAYS, h_utimes)
VRL_TRAP(futimesat, "dp", ALWAYS, h_futimesat)
VRL_TRAP(utimensat, "dp", ALWAYS, h_utimensat)
/* directories */
VRL_TRAP(getdents, "f", ALWAYS, h_getdents)
VRL_TRAP(getdents64, "f", ALWAYS, h_getdents64)
/* extended attributes (internal ones hidden); the *xattrat calls as a kernel without them */
VRL_TRAP(setxattr, "p", ALWAYS, h_setxattr)
VRL_TRAP(lsetxattr, "p", ALWAYS, h_lsetxattr)
VRL_TRAP(fsetxattr, "f", ALWAYS, h_fsetxattr)
VRL_TRAP(getxattr, "p", ALWAYS, h_getxattr)
VRL_TRAP(lgetxattr, "p", ALWAYS, h_lgetxattr)
VRL_TRAP(fgetxattr, "f", ALWAYS, h_fgetxattr)
VRL_TRAP(listxattr, "p", ALWAYS, h_listxattr)
VRL_TRAP(llistxattr, "p", ALWAYS, h_llistxattr)
VRL_TRAP(flistxattr, "f", ALWAYS, h_flistxattr)
VRL_TRAP(removexattr, "p", ALWAYS, h_removexattr)
VRL_TRAP(lremovexattr, "p", ALWAYS, h_lremovexattr)
VRL_TRAP(fremovexattr, "f", ALWAYS, h_fremovexattr)
VRL_TRAP(setxattrat, "dp", ALWAYS, h_enosys)
VRL_TRAP(getxattrat, "dp", ALWAYS, h_enosys)
VRL_TRAP(listxattrat, "dp", ALWAYS, h_enosys)
VRL_TRAP(removexattrat, "dp", ALWAYS, h_enosys)
/* inode flags: by path (Linux 6.17) as a kernel without them, for now; ioctl copies up */
VRL_TRAP(file_getattr, "dp", ALWAYS, h_enosys)
VRL_TRAP(file_setattr, "dp", ALWAYS, h_enosys)
VRL_TRAP(ioctl, "f", IOCTL, h_ioctl)
/* exec */
VRL_TRAP(execve, "p", EXEC, h_execve)
VRL_TRAP(execveat, "dp", EXEC, h_execveat)
/* watches and handles */
VRL_TRAP(inotify_add_watch, "fp", ALWAYS, h_inotify_add_watch)
VRL_TRAP(fanotify_mark, "f--dp", ALWAYS, h_eperm)
VRL_TRAP(name_to_handle_at, "dp", ALWAYS, h_name_to_handle_at)
VRL_TRAP(open_by_handle_at, "f", ALWAYS, h_eperm)
/* AF_UNIX socket names: the msghdr calls always, the name sits out of the filter's sight */
VRL_TRAP(bind, "fa", ALWAYS, h_bind)
VRL_TRAP(connect, "fa", ALWAYS, h_connect)
VRL_TRAP(sendto, "f---a", ADDR, h_sendto)
VRL_TRAP(sendmsg, "fa", ALWAYS, h_sendmsg)
VRL_TRAP(sendmmsg, "fa", ALWAYS, h_sendmmsg)
VRL_TRAP(getsockname, "fa", ALWAYS, h_getsockname)
VRL_TRAP(getpeername, "fa", ALWAYS, h_getpeername)
VRL_TRAP(accept, "fa", ALWAYS, h_accept)
VRL_TRAP(accept4, "fa", ALWAYS, h_accept4)
VRL_TRAP(recvfrom, "f---a", ADDR, h_recvfrom)
VRL_TRAP(recvmsg, "fa", ALWAYS, h_recvmsg)
VRL_TRAP(recvmmsg, "fa", ALWAYS, h_recvmmsg)
/*
 * descriptors: vroot's own stay out of the program's reach (ownfd.c); a
 * number that closes or becomes another's copy is told to the core
 * (vr_fd_changed()), which then believes what it learnt of the others
 * without asking again (main.c's vr_ns_fd_changes_seen())
 */
VRL_TRAP(close_range, "ff", ALWAYS, h_close_range)
VRL_TRAP(close, "f", ALWAYS, h_close)
VRL_TRAP(dup, "f", OWNFD, h_dup)
VRL_TRAP(dup2, "ff", ALWAYS, h_dup2)
VRL_TRAP(dup3, "ff", ALWAYS, h_dup3)
VRL_TRAP(fcntl, "f", OWNFD, h_fcntl)
VRL_TRAP(fstatfs, "f", OWNFD, h_fstatfs)
/* mounts, and the new mount API and quotas: host paths, refused as mount(2) is */
VRL_TRAP(mount, "pp", ALWAYS, h_eperm)
VRL_TRAP(umount2, "p", ALWAYS, h_eperm)
VRL_TRAP(pivot_root, "pp", ALWAYS, h_eperm)
VRL_TRAP(open_tree, "dp", ALWAYS, h_open_tree)
VRL_TRAP(open_tree_attr, "dp", ALWAYS, h_open_tree_attr)
VRL_TRAP(move_mount, "dpdp", ALWAYS, h_eperm)
VRL_TRAP(fsopen, "-", ALWAYS, h_eperm)
VRL_TRAP(fspick, "dp", ALWAYS, h_eperm)
VRL_TRAP(fsconfig, "f", ALWAYS, h_eperm)
VRL_TRAP(fsmount, "f", ALWAYS, h_eperm)
VRL_TRAP(mount_setattr, "dp", ALWAYS, h_eperm)
VRL_TRAP(quotactl, "-p", ALWAYS, h_enosys)
VRL_TRAP(quotactl_fd, "f", ALWAYS, h_enosys)
/* privileged calls that take a host path: refused as mount(2) is */
VRL_TRAP(swapon, "p", ALWAYS, h_eperm)
VRL_TRAP(swapoff, "p", ALWAYS, h_eperm)
VRL_TRAP(acct, "p", ALWAYS, h_eperm)
VRL_TRAP(uselib, "p", ALWAYS, h_enosys)
/* bpf: pinned objects are named by host paths in bpffs (inside its attribute) */
VRL_TRAP(bpf, "-", ALWAYS, h_bpf)
/* identity (vfs_ident.c) */
VRL_TRAP(getuid, "-", FAKED, h_getuid)
VRL_TRAP(geteuid, "-", FAKED, h_geteuid)
VRL_TRAP(getgid, "-", FAKED, h_getgid)
VRL_TRAP(getegid, "-", FAKED, h_getegid)
VRL_TRAP(getresuid, "-", FAKED, h_getresuid)
VRL_TRAP(getresgid, "-", FAKED, h_getresgid)
VRL_TRAP(getgroups, "-", FAKED, h_getgroups)
VRL_TRAP(setuid, "-", FAKED, h_setuid)
VRL_TRAP(setgid, "-", FAKED, h_setgid)
VRL_TRAP(setreuid, "-", FAKED, h_setreuid)
VRL_TRAP(setregid, "-", FAKED, h_setregid)
VRL_TRAP(setresuid, "-", FAKED, h_setresuid)
VRL_TRAP(setresgid, "-", FAKED, h_setresgid)
VRL_TRAP(setgroups, "-", FAKED, h_setgroups)
VRL_TRAP(setfsuid, "-", FAKED, h_setfsuid)
VRL_TRAP(setfsgid, "-", FAKED, h_setfsgid)
VRL_TRAP(capget, "-", FAKED, h_capget)
VRL_TRAP(capset, "-", FAKED, h_capset)
/*
 * Signals (sigvirt.c): SIGSYS stays vroot's, a signal stack too small for
 * the kernel's SIGSYS frame is never given to the kernel, and the mask a
 * program's handler leaves in its frame never blocks SIGSYS (sigentry.S
 * answers rt_sigreturn before any C runs).
 */
VRL_TRAP(rt_sigaction, "-", SIGNAL, vrl_sig_action)
VRL_TRAP(rt_sigprocmask, "-", SIGMASK, vrl_sig_procmask)
VRL_TRAP(sigaltstack, "-", SIGNAL, vrl_sig_altstack)
VRL_TRAP(rt_sigreturn, "-", SIGNAL, vrl_sig_return)
VRL_TRAP(rt_sigsuspend, "s", SIGWAIT, vrl_sig_suspend)
VRL_TRAP(ppoll, "---s", SIGWAIT, vrl_sig_ppoll)
VRL_TRAP(pselect6, "-----s", SIGWAIT, vrl_sig_pselect6)
VRL_TRAP(epoll_pwait, "f---s", SIGWAIT, vrl_sig_epoll_pwait)
VRL_TRAP(epoll_pwait2, "f---s", SIGWAIT, vrl_sig_epoll_pwait2)
VRL_TRAP(io_pgetevents, "-----s", SIGWAIT, vrl_sig_io_pgetevents)
VRL_TRAP(rt_sigpending, "-", SIGHELD, vrl_sig_pending)

/* io_uring would bypass the filter; clone3's flags sit out of its sight
 * (CLONE_CLEAR_SIGHAND would leave the child without vroot's handler): the
 * C libraries fall back to clone. */
VRL_REFUSE(io_uring_setup, "-", ENOSYS, "its requests bypass the filter; programs fall back")
VRL_REFUSE(clone3, "-", ENOSYS, "flags out of the filter's sight; the C libraries fall back")

/* I/O on descriptors */
VRL_PASS(read, "f", VRL_WHY_IO)
VRL_PASS(write, "f", VRL_WHY_IO)
VRL_PASS(pread64, "f", VRL_WHY_IO)
VRL_PASS(pwrite64, "f", VRL_WHY_IO)
VRL_PASS(readv, "f", VRL_WHY_IO)
VRL_PASS(writev, "f", VRL_WHY_IO)
VRL_PASS(preadv, "f", VRL_WHY_IO)
VRL_PASS(pwritev, "f", VRL_WHY_IO)
VRL_PASS(preadv2, "f", VRL_WHY_IO)
VRL_PASS(pwritev2, "f", VRL_WHY_IO)
VRL_PASS(lseek, "f", VRL_WHY_IO)
VRL_PASS(sendfile, "ff", VRL_WHY_IO)
VRL_PASS(splice, "f-f", VRL_WHY_IO)
VRL_PASS(tee, "ff", VRL_WHY_IO)
VRL_PASS(vmsplice, "f", VRL_WHY_IO)
VRL_PASS(copy_file_range, "f-f", VRL_WHY_IO)
VRL_PASS(poll, "-", VRL_WHY_READY)
VRL_PASS(select, "-", VRL_WHY_READY)
VRL_PASS(epoll_create, "-", VRL_WHY_READY)
VRL_PASS(epoll_create1, "-", VRL_WHY_READY)
VRL_PASS(epoll_ctl, "f-f", VRL_WHY_READY)
VRL_PASS(epoll_wait, "f", VRL_WHY_READY)
VRL_PASS(epoll_ctl_old, "f-f", VRL_WHY_READY)
VRL_PASS(epoll_wait_old, "f", VRL_WHY_READY)
VRL_PASS(fsync, "f", VRL_WHY_FILE)
VRL_PASS(fdatasync, "f", VRL_WHY_FILE)
VRL_PASS(syncfs, "f", VRL_WHY_FILE)
VRL_PASS(sync, "-", VRL_WHY_FILE)
VRL_PASS(sync_file_range, "f", VRL_WHY_FILE)
VRL_PASS(fadvise64, "f", VRL_WHY_FILE)
VRL_PASS(readahead, "f", VRL_WHY_FILE)
VRL_PASS(flock, "f", VRL_WHY_FILE)
VRL_PASS(cachestat, "f", VRL_WHY_FILE)
VRL_PASS(ftruncate, "f", VRL_WHY_WRITE)
VRL_PASS(fallocate, "f", VRL_WHY_WRITE)
/* maps a descriptor the program holds; a shared writable map needs it open for writing */
VRL_TRAP(mmap, "----f", MMAP, h_mmap)
/* descriptors that name no path */
VRL_PASS(pipe, "-", VRL_WHY_ANON)
VRL_PASS(pipe2, "-", VRL_WHY_ANON)
VRL_PASS(socket, "-", VRL_WHY_ANON)
VRL_PASS(socketpair, "-", VRL_WHY_ANON)
VRL_PASS(eventfd, "-", VRL_WHY_ANON)
VRL_PASS(eventfd2, "-", VRL_WHY_ANON)
VRL_PASS(signalfd, "f", VRL_WHY_ANON)
VRL_PASS(signalfd4, "f", VRL_WHY_ANON)
VRL_PASS(timerfd_create, "-", VRL_WHY_ANON)
VRL_PASS(timerfd_settime, "f", VRL_WHY_ANON)
VRL_PASS(timerfd_gettime, "f", VRL_WHY_ANON)
VRL_PASS(memfd_create, "-", VRL_WHY_ANON)
VRL_PASS(memfd_secret, "-", VRL_WHY_ANON)
VRL_PASS(userfaultfd, "-", VRL_WHY_ANON)
VRL_PASS(inotify_init, "-", VRL_WHY_ANON)
VRL_PASS(inotify_init1, "-", VRL_WHY_ANON)
VRL_PASS(inotify_rm_watch, "f", VRL_WHY_ANON)
VRL_PASS(fanotify_init, "-", VRL_WHY_ANON)
VRL_PASS(perf_event_open, "---f", VRL_WHY_ANON)
VRL_PASS(pidfd_open, "-", VRL_WHY_PIDFD)
VRL_PASS(pidfd_send_signal, "f", VRL_WHY_PIDFD)
VRL_PASS(pidfd_getfd, "ff",
         "another process's descriptor, reached as natively (ptrace access rules)")
VRL_PASS(process_madvise, "f", VRL_WHY_PIDFD)
VRL_PASS(process_mrelease, "f", VRL_WHY_PIDFD)
VRL_PASS(shutdown, "f", VRL_WHY_SOCK)
VRL_PASS(listen, "f", VRL_WHY_SOCK)
VRL_PASS(setsockopt, "f", VRL_WHY_SOCK)
VRL_PASS(getsockopt, "f", VRL_WHY_SOCK)
VRL_PASS(io_setup, "-", VRL_WHY_AIO)
VRL_PASS(io_destroy, "-", VRL_WHY_AIO)
VRL_PASS(io_getevents, "-", VRL_WHY_AIO)
VRL_PASS(io_submit, "-", VRL_WHY_AIO)
VRL_PASS(io_cancel, "-", VRL_WHY_AIO)
VRL_PASS(io_uring_enter, "f", VRL_WHY_URING)
VRL_PASS(io_uring_register, "f", VRL_WHY_URING)
VRL_PASS(landlock_create_ruleset, "-", VRL_WHY_LESS)
VRL_PASS(landlock_add_rule, "f", VRL_WHY_LESS)
VRL_PASS(landlock_restrict_self, "f", VRL_WHY_LESS)
VRL_PASS(seccomp, "-", VRL_WHY_LESS)
/* memory */
VRL_TRAP(brk, "-", MEM, h_brk)
VRL_TRAP(munmap, "-", MEM, h_munmap)
VRL_TRAP(mprotect, "-", MEM, h_mprotect)
VRL_TRAP(mremap, "-", MEM, h_mremap)
VRL_PASS(msync, "-", VRL_WHY_MEM)
VRL_PASS(mincore, "-", VRL_WHY_MEM)
VRL_TRAP(madvise, "-", MEM, h_madvise)
VRL_PASS(mlock, "-", VRL_WHY_MEM)
VRL_PASS(munlock, "-", VRL_WHY_MEM)
VRL_PASS(mlockall, "-", VRL_WHY_MEM)
VRL_PASS(munlockall, "-", VRL_WHY_MEM)
VRL_PASS(mlock2, "-", VRL_WHY_MEM)
VRL_TRAP(pkey_mprotect, "-", MEM, h_pkey_mprotect)
VRL_PASS(pkey_alloc, "-", VRL_WHY_MEM)
VRL_PASS(pkey_free, "-", VRL_WHY_MEM)
VRL_PASS(mbind, "-", VRL_WHY_MEM)
VRL_PASS(set_mempolicy, "-", VRL_WHY_MEM)
VRL_PASS(get_mempolicy, "-", VRL_WHY_MEM)
VRL_PASS(set_mempolicy_home_node, "-", VRL_WHY_MEM)
VRL_PASS(migrate_pages, "-", VRL_WHY_MEM)
VRL_PASS(move_pages, "-", VRL_WHY_MEM)
VRL_PASS(remap_file_pages, "-", VRL_WHY_MEM)
VRL_PASS(membarrier, "-", VRL_WHY_MEM)
VRL_PASS(rseq, "-", VRL_WHY_MEM)
VRL_PASS(map_shadow_stack, "-", VRL_WHY_MEM)
VRL_PASS(mseal, "-", VRL_WHY_MEM)
/* System V and POSIX IPC */
VRL_PASS(shmget, "-", VRL_WHY_SYSV)
VRL_TRAP(shmat, "-", MEM, h_shmat)
VRL_PASS(shmctl, "-", VRL_WHY_SYSV)
VRL_TRAP(shmdt, "-", MEM, h_shmdt)
VRL_PASS(semget, "-", VRL_WHY_SYSV)
VRL_PASS(semop, "-", VRL_WHY_SYSV)
VRL_PASS(semctl, "-", VRL_WHY_SYSV)
VRL_PASS(semtimedop, "-", VRL_WHY_SYSV)
VRL_PASS(msgget, "-", VRL_WHY_SYSV)
VRL_PASS(msgsnd, "-", VRL_WHY_SYSV)
VRL_PASS(msgrcv, "-", VRL_WHY_SYSV)
VRL_PASS(msgctl, "-", VRL_WHY_SYSV)
VRL_PASS(mq_open, "-", VRL_WHY_MQ)
VRL_PASS(mq_unlink, "-", VRL_WHY_MQ)
VRL_PASS(mq_timedsend, "f", VRL_WHY_MQ)
VRL_PASS(mq_timedreceive, "f", VRL_WHY_MQ)
VRL_PASS(mq_notify, "f", VRL_WHY_MQ)
VRL_PASS(mq_getsetattr, "f", VRL_WHY_MQ)
/* signals other than those trapped above */
VRL_PASS(rt_sigtimedwait, "-", VRL_WHY_SIG)
VRL_PASS(rt_sigqueueinfo, "-", VRL_WHY_SIG)
VRL_PASS(rt_tgsigqueueinfo, "-", VRL_WHY_SIG)
VRL_PASS(kill, "-", VRL_WHY_SIG)
VRL_PASS(tkill, "-", VRL_WHY_SIG)
VRL_PASS(tgkill, "-", VRL_WHY_SIG)
VRL_PASS(pause, "-", VRL_WHY_SIG)
VRL_PASS(restart_syscall, "-", VRL_WHY_SIG)
/* time */
VRL_PASS(nanosleep, "-", VRL_WHY_TIME)
VRL_PASS(clock_gettime, "-", VRL_WHY_TIME)
VRL_PASS(clock_settime, "-", VRL_WHY_TIME)
VRL_PASS(clock_getres, "-", VRL_WHY_TIME)
VRL_PASS(clock_nanosleep, "-", VRL_WHY_TIME)
VRL_PASS(clock_adjtime, "-", VRL_WHY_TIME)
VRL_PASS(gettimeofday, "-", VRL_WHY_TIME)
VRL_PASS(settimeofday, "-", VRL_WHY_TIME)
VRL_PASS(time, "-", VRL_WHY_TIME)
VRL_PASS(times, "-", VRL_WHY_TIME)
VRL_PASS(adjtimex, "-", VRL_WHY_TIME)
VRL_PASS(getitimer, "-", VRL_WHY_TIME)
VRL_PASS(setitimer, "-", VRL_WHY_TIME)
VRL_PASS(alarm, "-", VRL_WHY_TIME)
VRL_PASS(timer_create, "-", VRL_WHY_TIME)
VRL_PASS(timer_settime, "-", VRL_WHY_TIME)
VRL_PASS(timer_gettime, "-", VRL_WHY_TIME)
VRL_PASS(timer_getoverrun, "-", VRL_WHY_TIME)
VRL_PASS(timer_delete, "-", VRL_WHY_TIME)
/* processes and threads */
/*
 * A child in this memory with a table of its own, or one that shares the
 * table and not the memory: made where vroot sees it (vmclone.c).
 */
VRL_TRAP(clone, "-", VMCLONE, h_vmclone)
VRL_PASS(fork, "-", VRL_WHY_PROC)
VRL_TRAP(vfork, "-", VMCLONE, h_vmclone)
VRL_PASS(exit, "-", VRL_WHY_PROC)
VRL_PASS(exit_group, "-", VRL_WHY_PROC)
VRL_PASS(wait4, "-", VRL_WHY_PROC)
VRL_PASS(waitid, "-", VRL_WHY_PROC)
VRL_PASS(getpid, "-", VRL_WHY_PROC)
VRL_PASS(getppid, "-", VRL_WHY_PROC)
VRL_PASS(gettid, "-", VRL_WHY_PROC)
VRL_PASS(getpgid, "-", VRL_WHY_PROC)
VRL_PASS(setpgid, "-", VRL_WHY_PROC)
VRL_PASS(getpgrp, "-", VRL_WHY_PROC)
VRL_PASS(setsid, "-", VRL_WHY_PROC)
VRL_PASS(getsid, "-", VRL_WHY_PROC)
VRL_TRAP(prctl, "-", PRCTL, h_prctl)
VRL_REFUSE_ARG(prctl, 0, VRL_PR_SET_SYSCALL_USER_DISPATCH, EINVAL,
               "Syscall User Dispatch, as on kernels without it: the SIGSYS handler's own calls "
               "would be dispatched too")
VRL_PASS(arch_prctl, "-", VRL_WHY_PROC)
VRL_PASS(set_tid_address, "-", VRL_WHY_PROC)
VRL_PASS(set_robust_list, "-", VRL_WHY_PROC)
VRL_PASS(get_robust_list, "-", VRL_WHY_PROC)
VRL_PASS(futex, "-", VRL_WHY_PROC)
VRL_PASS(futex_waitv, "-", VRL_WHY_PROC)
VRL_PASS(futex_wake, "-", VRL_WHY_PROC)
VRL_PASS(futex_wait, "-", VRL_WHY_PROC)
VRL_PASS(futex_requeue, "-", VRL_WHY_PROC)
VRL_PASS(ptrace, "-",
         "another process's memory and registers, not files (--confine limits it to the session)")
/*
 * A new mount namespace still sees only what mount, open_tree and move_mount
 * make, and those are refused; a descriptor table of the thread's own is
 * seen (vfs_fd.c).
 */
VRL_TRAP(unshare, "-", ALWAYS, h_unshare)
VRL_PASS(setns, "f", "joins a namespace by its descriptor; the mount calls stay refused there")
VRL_PASS(kcmp, "-", "compares two processes' objects, reaches none")
VRL_PASS(process_vm_readv, "-", VRL_WHY_NONE)
VRL_PASS(process_vm_writev, "-", VRL_WHY_NONE)
/* scheduling and limits */
VRL_PASS(sched_yield, "-", VRL_WHY_SCHED)
VRL_PASS(sched_setparam, "-", VRL_WHY_SCHED)
VRL_PASS(sched_getparam, "-", VRL_WHY_SCHED)
VRL_PASS(sched_setscheduler, "-", VRL_WHY_SCHED)
VRL_PASS(sched_getscheduler, "-", VRL_WHY_SCHED)
VRL_PASS(sched_get_priority_max, "-", VRL_WHY_SCHED)
VRL_PASS(sched_get_priority_min, "-", VRL_WHY_SCHED)
VRL_PASS(sched_rr_get_interval, "-", VRL_WHY_SCHED)
VRL_PASS(sched_setaffinity, "-", VRL_WHY_SCHED)
VRL_PASS(sched_getaffinity, "-", VRL_WHY_SCHED)
VRL_PASS(sched_setattr, "-", VRL_WHY_SCHED)
VRL_PASS(sched_getattr, "-", VRL_WHY_SCHED)
VRL_PASS(getpriority, "-", VRL_WHY_SCHED)
VRL_PASS(setpriority, "-", VRL_WHY_SCHED)
VRL_PASS(ioprio_get, "-", VRL_WHY_SCHED)
VRL_PASS(ioprio_set, "-", VRL_WHY_SCHED)
VRL_PASS(getcpu, "-", VRL_WHY_SCHED)
VRL_PASS(getrlimit, "-", VRL_WHY_SCHED)
VRL_PASS(setrlimit, "-", VRL_WHY_SCHED)
VRL_PASS(prlimit64, "-", VRL_WHY_SCHED)
VRL_PASS(getrusage, "-", VRL_WHY_SCHED)
/* the rest */
VRL_PASS(personality, "-", VRL_WHY_NONE)
VRL_PASS(uname, "-", VRL_WHY_NONE)
VRL_PASS(sysinfo, "-", VRL_WHY_NONE)
VRL_PASS(getrandom, "-", VRL_WHY_NONE)
VRL_PASS(umask, "-", VRL_WHY_NONE)
VRL_PASS(modify_ldt, "-", VRL_WHY_NONE)
VRL_PASS(set_thread_area, "-", VRL_WHY_NONE)
VRL_PASS(get_thread_area, "-", VRL_WHY_NONE)
VRL_PASS(add_key, "-", VRL_WHY_KEYS)
VRL_PASS(request_key, "-", VRL_WHY_KEYS)
VRL_PASS(keyctl, "-", VRL_WHY_KEYS)
VRL_PASS(lsm_get_self_attr, "-", "the process's own security attributes")
VRL_PASS(lsm_set_self_attr, "-", "the process's own security attributes")
VRL_PASS(lsm_list_modules, "-", "the process's own security attributes")
VRL_PASS(statmount, "-", "mount ids: the mount table /proc/self/mountinfo shows, no file access")
VRL_PASS(listmount, "-", "mount ids: the mount table /proc/self/mountinfo shows, no file access")
VRL_PASS(sethostname, "-", VRL_WHY_SYS)
VRL_PASS(setdomainname, "-", VRL_WHY_SYS)
VRL_PASS(syslog, "-", VRL_WHY_SYS)
VRL_PASS(reboot, "-", VRL_WHY_SYS)
VRL_PASS(vhangup, "-", VRL_WHY_SYS)
VRL_PASS(iopl, "-", VRL_WHY_SYS)
VRL_PASS(ioperm, "-", VRL_WHY_SYS)
VRL_PASS(delete_module, "-", VRL_WHY_SYS)
VRL_PASS(init_module, "-", VRL_WHY_SYS)
VRL_PASS(kexec_load, "-", VRL_WHY_SYS)
VRL_PASS(sysfs, "-", VRL_WHY_SYS)
VRL_PASS(ustat, "-", VRL_WHY_SYS)
VRL_PASS(finit_module, "f", "privileged, and a descriptor the program holds")
VRL_PASS(kexec_file_load, "ff", "privileged, and descriptors the program holds")
VRL_PASS(create_module, "-", VRL_WHY_GONE)
VRL_PASS(get_kernel_syms, "-", VRL_WHY_GONE)
VRL_PASS(query_module, "-", VRL_WHY_GONE)
VRL_PASS(nfsservctl, "-", VRL_WHY_GONE)
VRL_PASS(getpmsg, "-", VRL_WHY_GONE)
VRL_PASS(putpmsg, "-", VRL_WHY_GONE)
VRL_PASS(afs_syscall, "-", VRL_WHY_GONE)
VRL_PASS(tuxcall, "-", VRL_WHY_GONE)
VRL_PASS(security, "-", VRL_WHY_GONE)
VRL_PASS(vserver, "-", VRL_WHY_GONE)
VRL_PASS(lookup_dcookie, "-", VRL_WHY_GONE)
VRL_PASS(_sysctl, "-", VRL_WHY_GONE)

#undef VRL_TRAP
#undef VRL_REFUSE
#undef VRL_PASS
#undef VRL_REFUSE_ARG
