#!/bin/sh
# syscall-table.sh - every x86-64 system call the kernel headers know (and
# the newer ones listed below by number) is either trapped by the loader's
# filter (src/loader/trap_list.h) or listed here with the reason it may pass
# untrapped: it takes no path, or only a descriptor the namespace handed
# out.  A call neither trapped nor listed fails the test, so a new kernel's
# path-taking call cannot slip through unseen.  Known gaps are listed as
# "gap" and reported as TODO lines, not hidden among the safe ones.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc awk
plan 4

# The trapped numbers, from the list the loader is built with.
cat >"$tmp/traps.c" <<'EOF'
#include <stdio.h>
#include <sys/syscall.h>
#include "sys.h"
static const int trapped[] = {
#define VRL_TRAP(nr) nr,
#include "trap_list.h"
};
int
main(void)
{
	for (unsigned int i = 0; i < sizeof(trapped) / sizeof(trapped[0]); i++)
		printf("%d\n", trapped[i]);
	return 0;
}
EOF
gcc -I"$top/src/loader" -o "$tmp/traps" "$tmp/traps.c"
"$tmp/traps" | sort -n >"$tmp/trapped"

# Every call of <asm/unistd_64.h>: "number name".
printf '#include <asm/unistd_64.h>\n' | gcc -dM -E - |
	awk '$2 ~ /^__NR_/ { sub(/^__NR_/, "", $2); print $3, $2 }' >"$tmp/calls"
# Newer than the headers this machine has (number name), up to Linux 6.17.
cat >>"$tmp/calls" <<'EOF'
451 cachestat
452 fchmodat2
453 map_shadow_stack
454 futex_wake
455 futex_wait
456 futex_requeue
457 statmount
458 listmount
459 lsm_get_self_attr
460 lsm_set_self_attr
461 lsm_list_modules
462 mseal
463 setxattrat
464 getxattrat
465 listxattrat
466 removexattrat
467 open_tree_attr
468 file_getattr
469 file_setattr
EOF
sort -n -u "$tmp/calls" -o "$tmp/calls"

# class|names|reason.  safe: may pass untrapped; gap: a known hole.
cat >"$tmp/table" <<'EOF'
safe|read write pread64 pwrite64 readv writev preadv pwritev preadv2 pwritev2 lseek sendfile splice tee vmsplice copy_file_range|I/O on descriptors the program holds; the namespace opened them with the access it allows
safe|poll select pselect6 ppoll epoll_create epoll_create1 epoll_ctl epoll_wait epoll_pwait epoll_pwait2 epoll_ctl_old epoll_wait_old|readiness of descriptors the program holds
safe|fsync fdatasync syncfs sync sync_file_range fadvise64 readahead flock fstatfs cachestat|act on the open file or its filesystem, no path
safe|ftruncate fallocate|need a descriptor open for writing, which the namespace gives only after copy-up or in a read-write mount
safe|mmap|maps a descriptor the program holds; shared writable maps need it open for writing
safe|pipe pipe2 socket socketpair eventfd eventfd2 signalfd signalfd4 timerfd_create timerfd_settime timerfd_gettime memfd_create memfd_secret userfaultfd inotify_init inotify_init1 inotify_rm_watch fanotify_init perf_event_open pidfd_open pidfd_getfd pidfd_send_signal|make or use descriptors that name no path
safe|shutdown listen setsockopt getsockopt|socket state, no address
safe|io_setup io_destroy io_getevents io_submit io_cancel io_pgetevents|AIO reads and writes of descriptors the program holds
safe|io_uring_enter io_uring_register|io_uring_setup is refused, so no ring exists
safe|landlock_create_ruleset landlock_add_rule landlock_restrict_self seccomp|can only take rights away
safe|brk munmap mprotect mremap msync mincore madvise process_madvise mlock munlock mlockall munlockall mlock2 pkey_mprotect pkey_alloc pkey_free mbind set_mempolicy get_mempolicy set_mempolicy_home_node migrate_pages move_pages remap_file_pages membarrier rseq map_shadow_stack mseal|memory, no path
safe|shmget shmat shmctl shmdt semget semop semctl semtimedop msgget msgsnd msgrcv msgctl|System V IPC keys are numbers (ftok resolves its path through stat, trapped)
safe|mq_open mq_unlink mq_timedsend mq_timedreceive mq_notify mq_getsetattr|POSIX queue names live in the mqueue filesystem, not in the file tree, as natively
safe|rt_sigpending rt_sigtimedwait rt_sigqueueinfo rt_sigsuspend rt_tgsigqueueinfo kill tkill tgkill pause restart_syscall|signals
safe|nanosleep clock_gettime clock_settime clock_getres clock_nanosleep clock_adjtime gettimeofday settimeofday time times adjtimex getitimer setitimer alarm timer_create timer_settime timer_gettime timer_getoverrun timer_delete|time
safe|clone clone3 fork vfork exit exit_group wait4 waitid getpid getppid gettid getpgid setpgid getpgrp setsid getsid prctl arch_prctl set_tid_address set_robust_list get_robust_list futex futex_waitv futex_wake futex_wait futex_requeue|processes and threads (every image starts in the loader; the filter is inherited)
safe|sched_yield sched_setparam sched_getparam sched_setscheduler sched_getscheduler sched_get_priority_max sched_get_priority_min sched_rr_get_interval sched_setaffinity sched_getaffinity sched_setattr sched_getattr getpriority setpriority ioprio_get ioprio_set getcpu getrlimit setrlimit prlimit64 getrusage|scheduling and limits
safe|personality uname sysinfo getrandom umask kcmp process_vm_readv process_vm_writev process_mrelease modify_ldt set_thread_area get_thread_area|no path
safe|ptrace|another process's memory and registers, not files (--confine limits it to the session)
safe|unshare setns|a new mount namespace still sees only what mount, open_tree and move_mount make, and those are refused
safe|add_key request_key keyctl|keys, no path
safe|lsm_get_self_attr lsm_set_self_attr lsm_list_modules|the process's own security attributes
safe|statmount listmount|mount ids: the mount table /proc/self/mountinfo shows, no file access
safe|sethostname setdomainname syslog reboot vhangup iopl ioperm delete_module kexec_load init_module sysfs ustat|privileged or about the system, no path
safe|finit_module kexec_file_load|privileged, and descriptors the program holds
safe|create_module get_kernel_syms query_module nfsservctl getpmsg putpmsg afs_syscall tuxcall security vserver lookup_dcookie _sysctl|not implemented on x86-64 (ENOSYS)
gap|close dup dup2 dup3 fcntl|can close or replace vroot's own layer descriptors
EOF

awk -F'|' '{ n = split($2, w, " "); for (i = 1; i <= n; i++) print w[i], $1, $3 }' \
	"$tmp/table" >"$tmp/listed"

# unclassified: calls neither trapped nor listed.
awk 'FILENAME == ARGV[1] { trapped[$1] = 1; next }
	FILENAME == ARGV[2] { listed[$1] = 1; next }
	!($1 in trapped) && !($2 in listed) { print $1, $2 }' \
	"$tmp/trapped" "$tmp/listed" "$tmp/calls" >"$tmp/unclassified"
if [ -s "$tmp/unclassified" ]; then
	{
		echo "neither trapped nor listed with a reason (number name):"
		cat "$tmp/unclassified"
	} >"$tmp/uc.diag"
	not_ok "every call is trapped or listed with a reason" "$tmp/uc.diag"
else
	ok "every call is trapped or listed with a reason ($(wc -l <"$tmp/calls") calls)"
fi

# Names in the table that no header or the list above knows: typos.
awk 'FILENAME == ARGV[1] { known[$2] = 1; next } !($1 in known) { print $1 }' \
	"$tmp/calls" "$tmp/listed" >"$tmp/unknown"
is "every name in the table is a system call" "" "$(cat "$tmp/unknown")"

# A trapped call listed as well: the table is out of date (a note, not an error).
awk 'FILENAME == ARGV[1] { trapped[$1] = 1; next }
	FILENAME == ARGV[2] { nr[$2] = $1; next }
	($1 in nr) && (nr[$1] in trapped) { print $1 }' \
	"$tmp/trapped" "$tmp/calls" "$tmp/listed" >"$tmp/both"
[ -s "$tmp/both" ] && diag "trapped now, still listed: $(tr '\n' ' ' <"$tmp/both")"

# The calls that once escaped stay trapped.
missing=
for c in open_tree open_tree_attr move_mount fsopen fspick fsconfig fsmount mount_setattr \
	quotactl quotactl_fd sendmmsg file_getattr file_setattr swapon swapoff acct uselib bpf; do
	nr=$(awk -v c="$c" '$2 == c { print $1 }' "$tmp/calls")
	grep -qx "$nr" "$tmp/trapped" || missing="$missing $c"
done
is "the mount API, quotas, sendmmsg, file_setattr, swapon, acct, bpf are trapped" "" "$missing"

awk -F'|' '$1 == "gap" { print "known gap: " $2 ": " $3 }' "$tmp/table" >"$tmp/gaps"
TODO="known gaps, listed in the table"
if [ -s "$tmp/gaps" ]; then
	not_ok "no call is a known gap" "$tmp/gaps"
else
	ok "no call is a known gap"
fi
TODO=
done_testing
