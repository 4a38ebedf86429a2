#!/bin/sh
# syscall-table.sh - the loader's table of system calls (src/loader/
# syscalls.h) against the kernel's: every x86-64 call <asm/unistd_64.h>
# names has a row, with the header's number; a call the table lets through
# takes no path and no directory descriptor, and says why it is safe; the
# calls that could reach vroot's own descriptors (ownfd_list.h) are all
# trapped; the filter built from the table really traps each call the
# table says it traps (the bare loader's trace, calls made with arguments
# that fail harmlessly); and each row's argument kinds are those the
# running kernel declares (its syscall tracepoints' formats in tracefs,
# root only).  A new kernel's call without a row fails here.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc awk
plan 9

# The table, one row per line: number name class cond kinds why (tabs).
cat >"$tmp/table.c" <<'EOF'
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "sys.h"

#define FS_IOC_SETFLAGS_ 0x40086602

static void
row(long nr, const char *name, const char *class, const char *cond, const char *kinds,
    const char *why)
{
	printf("%ld\t%s\t%s\t%s\t%s\t%s\n", nr, name, class, cond, kinds, why);
}

static void
ownfd(void)
{
#define VRL_OWNFD(nr, fd, at, target) printf("%d\n", nr);
#include "ownfd_list.h"
}

/*
 * Each call the table traps whatever its arguments (and the conditional
 * ones, with the argument that makes them trap), with arguments that fail
 * before doing anything: paths under a directory that does not exist,
 * descriptor -1, a zeroed socket address, a signal mask of size 0.
 */
static void
call(const char *kinds, long nr, const char *cond, int make)
{
	static char addr[256];
	/* A mask, or {mask, size} for pselect6: size 0, refused before any wait. */
	static long mask[2] = {(long)addr, 0};
	long a[6] = {0};

	for (int i = 0; kinds[i] && i < 6; i++)
		switch (kinds[i]) {
		case 'p':
			a[i] = (long)"/nonexistent-vroot-table/x/y";
			break;
		case 'f':
		case 'd':
			a[i] = -1;
			break;
		case 'a':
			a[i] = (long)addr;
			break;
		case 's':
			a[i] = (long)mask;
			break;
		}
	if (!strcmp(cond, "ADDR"))
		a[4] = (long)addr;
	if (!strcmp(cond, "IOCTL"))
		a[1] = FS_IOC_SETFLAGS_;
	printf("%ld\n", nr);
	fflush(stdout);
	if (make)
		syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

int
main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "ownfd")) {
		ownfd();
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "refuse-arg")) {
#define VRL_REFUSE_ARG(name, arg, value, err, why)                                                 \
	printf("%d\t%s\t%d\t%d\t%d\t%s\n", __NR_##name, #name, arg, value, err, why);
#include "syscalls.h"
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "refuse-arg-call")) {
		int made = 0;
#define VRL_REFUSE_ARG(name, arg, value, err, why)                                                 \
	{                                                                                          \
		long a[6] = {0};                                                                   \
		a[arg] = value;                                                                    \
		errno = 0;                                                                         \
		if (syscall(__NR_##name, a[0], a[1], a[2], a[3], a[4], a[5]) != -1 || errno != err) \
			printf("%s: %s\n", #name, strerror(errno));                                 \
		made++;                                                                            \
	}
#include "syscalls.h"
		printf("%d made\n", made);
		return 0;
	}
	if (argc > 1 && (!strcmp(argv[1], "call") || !strcmp(argv[1], "list"))) {
#define VRL_TRAP(name, kinds, cond, fn)                                                            \
	if (strcmp(#cond, "SIGNAL") && strcmp(#cond, "SIGMASK") && strcmp(#cond, "OWNFD") &&      \
	    strcmp(#cond, "FAKED") && strcmp(#cond, "PRCTL") && strcmp(#cond, "SIGHELD") &&     \
	    strcmp(#cond, "VMCLONE"))                                                              \
		call(kinds, __NR_##name, #cond, !strcmp(argv[1], "call"));
#include "syscalls.h"
		return 0;
	}
#define VRL_TRAP(name, kinds, cond, fn)   row(__NR_##name, #name, "trap", #cond, kinds, #fn);
#define VRL_REFUSE(name, kinds, err, why) row(__NR_##name, #name, "refuse", #err, kinds, why);
#define VRL_PASS(name, kinds, why)        row(__NR_##name, #name, "pass", "-", kinds, why);
#include "syscalls.h"
	return 0;
}
EOF
gcc -I"$top/src/loader" -o "$tmp/table" "$tmp/table.c"
"$tmp/table" >"$tmp/rows"

# Every call of <asm/unistd_64.h>, by the preprocessor: "number name".
printf '#include <asm/unistd_64.h>\n' | gcc -dM -E - |
	awk '$2 ~ /^__NR_/ { sub(/^__NR_/, "", $2); print $3, $2 }' | sort -n >"$tmp/calls"

# 1. A row for every call the kernel headers name.
awk -F'\t' 'FILENAME == ARGV[1] { row[$2] = 1; next } !($2 in row) { print $1, $2 }' \
	"$tmp/rows" FS=' ' "$tmp/calls" >"$tmp/missing"
if [ -s "$tmp/missing" ]; then
	{ echo "calls without a row in syscalls.h (number name):"; cat "$tmp/missing"; } >"$tmp/d1"
	not_ok "every call of the kernel headers has a row" "$tmp/d1"
else
	ok "every call of the kernel headers has a row ($(wc -l <"$tmp/calls") calls, $(wc -l <"$tmp/rows") rows)"
fi

# 2. The rows' numbers are the headers' (the loader's own for newer calls).
awk 'FILENAME == ARGV[1] { nr[$2] = $1; next } ($2 in nr) && nr[$2] != $1 { print $2, $1, nr[$2] }' \
	"$tmp/calls" FS='\t' "$tmp/rows" >"$tmp/wrong"
is "every row's number is the headers'" "" "$(cat "$tmp/wrong")"

# 3. A call let through takes no path and no directory descriptor.
awk -F'\t' '$3 == "pass" && $5 ~ /[pd]/ { print $2 " (" $5 ")" }' "$tmp/rows" >"$tmp/passpath"
is "no call with a path or a directory descriptor is let through" "" "$(cat "$tmp/passpath")"

# 4. Every row a call let through or refused has a reason; every kinds string is well formed.
awk -F'\t' '($3 != "trap" && length($6) < 2) || $5 !~ /^[pdfas-]+$/ { print $2 }' "$tmp/rows" \
	>"$tmp/noreason"
is "every call let through says why, in words" "" "$(cat "$tmp/noreason")"

# 5. The calls that could reach vroot's descriptors are trapped, one way or another.
"$tmp/table" ownfd | sort -n -u >"$tmp/ownfd"
awk -F'\t' 'FILENAME == ARGV[1] { if ($3 == "trap") trapped[$1] = 1; owned[$1] = $4; next }
	!($1 in trapped) { print $1 }' "$tmp/rows" "$tmp/ownfd" >"$tmp/ownfd.untrapped"
awk -F'\t' 'FILENAME == ARGV[1] { listed[$1] = 1; next } $4 == "OWNFD" && !($1 in listed) { print $2 }' \
	"$tmp/ownfd" "$tmp/rows" >>"$tmp/ownfd.untrapped"
is "ownfd_list.h's calls are trapped, and OWNFD rows are its calls" "" \
	"$(tr '\n' ' ' <"$tmp/ownfd.untrapped")"

# 6. The calls that once escaped stay trapped.
missing=
for c in open_tree open_tree_attr move_mount fsopen fspick fsconfig fsmount mount_setattr \
	quotactl quotactl_fd sendmmsg file_getattr file_setattr swapon swapoff acct uselib bpf; do
	awk -F'\t' -v c="$c" '$2 == c && $3 == "trap" { f = 1 } END { exit !f }' "$tmp/rows" ||
		missing="$missing $c"
done
is "the mount API, quotas, sendmmsg, file_setattr, swapon, acct, bpf are trapped" "" "$missing"

# 7. The filter traps what the table says: the bare loader's trace of the
# calls made from the program (not rewritten: a rewritten site skips the trace).
"$tmp/table" list >"$tmp/made"
VROOT_REWRITE=0 "$top/build/vroot-loader" --trace-fd=9 "$tmp/table" call 9>"$tmp/trace" >/dev/null
awk '$1 == "vroot:" && $2 == "trap" { print $3 }' "$tmp/trace" | sort -n -u >"$tmp/trapped"
awk 'FILENAME == ARGV[1] { t[$1] = 1; next } !($1 in t) { print $1 }' \
	"$tmp/trapped" "$tmp/made" >"$tmp/untrapped"
if [ -s "$tmp/untrapped" ]; then
	{ echo "made, not trapped (numbers):"; cat "$tmp/untrapped"; } >"$tmp/d7"
	not_ok "the filter traps every call the table traps" "$tmp/d7"
else
	ok "the filter traps every call the table traps ($(wc -l <"$tmp/made") calls)"
fi

# 8. The argument values the filter refuses are of calls with rows, say why,
# and are refused with their errno by the filter (the bare loader).  Their
# other arguments are 0: harmless where the kernel would take the call
# (prctl's PR_SET_SYSCALL_USER_DISPATCH with PR_SYS_DISPATCH_OFF).
"$tmp/table" refuse-arg >"$tmp/refarg"
awk -F'\t' 'FILENAME == ARGV[1] { row[$2] = 1; next }
	!($2 in row) || length($6) < 2 { print $2 }' "$tmp/rows" "$tmp/refarg" >"$tmp/refarg.bad"
VROOT_REWRITE=0 "$top/build/vroot-loader" "$tmp/table" refuse-arg-call >>"$tmp/refarg.bad" 2>&1 || true
is "refused arguments: of rows, with a reason, refused by the filter" \
	"$(wc -l <"$tmp/refarg") made" "$(cat "$tmp/refarg.bad")"

# 9. Each row's kinds are what the kernel declares: the format of each call's
# tracepoint (events/syscalls/sys_enter_NAME/format) lists its arguments'
# types and names, from which the kinds follow: a char pointer named as a
# path is p ("name" after a directory descriptor too), dfd/olddfd/newdfd
# are d, other integers named for a descriptor (and message queues) f, a sockaddr or msghdr
# pointer a, a sigset pointer s.  Where those rules say wrong, a row of
# kinds.except says what is right and why.  A path argument of a call the
# table lets through untrapped fails here (and in 3.).
tracing=
for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
	[ -d "$d/events/syscalls" ] && tracing=$d && break
done
if [ -z "$tracing" ] && [ "$(id -u)" = 0 ] && [ -d /sys/kernel/tracing ]; then
	mount -t tracefs none /sys/kernel/tracing 2>/dev/null || true
	[ -d /sys/kernel/tracing/events/syscalls ] && tracing=/sys/kernel/tracing
fi
if [ -z "$tracing" ] && [ "$(id -u)" != 0 ]; then
	skip "each row's argument kinds are the kernel's" "tracefs can be read by root only"
elif [ -z "$tracing" ]; then
	skip "each row's argument kinds are the kernel's" \
		"no syscall tracepoints (kernel without tracefs or CONFIG_FTRACE_SYSCALLS)"
else
	# call kinds why: where the rules above cannot tell.
	cat >"$tmp/kinds.except" <<'EOF'
symlink	-p	the first argument is the link's contents, not resolved
symlinkat	-dp	the first argument is the link's contents, not resolved
execveat	dp	its fd is the directory of the path that follows
acct	p	its name is the accounting file's path
umount2	p	its name is the mount point's path
sethostname	-	its name is the host's name
setdomainname	-	its name is the domain's name
rt_sigprocmask	-	the mask it sets stays set (the SIGMASK condition), no wait
rt_sigpending	-	a mask it writes, not one in force
rt_sigtimedwait	-	the signals it waits for, not a mask in force
signalfd	f	the signals the descriptor reports, not a mask in force
signalfd4	f	the signals the descriptor reports, not a mask in force
pselect6	-----s	its sixth argument points to {mask, size} (declared void *)
EOF
	for f in "$tracing"/events/syscalls/sys_enter_*/format; do
		c=${f%/format}
		c=${c##*/sys_enter_}
		awk -v c="$c" '/^\tfield:/ && !/common_|__syscall_nr/ {
			sub(/^\tfield:/, ""); sub(/;.*/, ""); a = a $0 "|" } END { print c ": " a }' "$f"
	done >"$tmp/formats"
	awk -F'\t' 'FILENAME == ARGV[1] { exc[$1] = $2; next }
	function kind(t, n) {
		if (t ~ /struct (sockaddr|user_msghdr|mmsghdr) \*$/) return "a"
		if (t ~ /(sigset_t|struct __aio_sigset) \*$/) return "s"
		if (t ~ /(^|[^*] )char \*$/) {
			if (n ~ /^(filename|pathname|path|oldname|newname|specialfile|special|to_pathname|from_pathname|put_old|new_root|dir_name|dev_name|library)$/)
				return "p"
			return n == "name" ? "?" : "-"
		}
		if (t ~ /\*/) return "-"
		if (t ~ /mqd_t$/) return "f"
		if (n ~ /^(dfd|olddfd|newdfd|from_dfd|to_dfd|dirfd)$/) return "d"
		if (n ~ /fd|fildes/ && n !~ /^nfds?$/) return "f"
		return "-"
	}
	{
		c = $0; sub(/: .*/, "", c)
		# the tracepoints keep the kernel functions names of a few calls
		if (c ~ /^new(stat|lstat|fstat|uname)$/) c = substr(c, 4)
		if (c == "sendfile64") c = "sendfile"
		if (c == "umount") c = "umount2"
		args = $0; sub(/^[^:]*: /, "", args)
		m = split(args, f, "|"); k = ""
		for (i = 1; i <= m; i++) {
			if (f[i] == "") continue
			nm = f[i]; sub(/.*[ *]/, "", nm)
			t = substr(f[i], 1, length(f[i]) - length(nm)); sub(/ +$/, "", t)
			x = kind(t, nm)
			# "name" after a directory descriptor is a path; after a path
			# or a descriptor, the name of an attribute of it
			if (x == "?" && substr(k, length(k), 1) == "d") x = "p"
			else if (x == "?" && k ~ /[pf]/) x = "-"
			k = k x
		}
		sub(/-+$/, "", k)
		if (k == "") k = "-"
		if (c in exc) k = exc[c]
		print c "\t" k
	}' "$tmp/kinds.except" FS=' ' "$tmp/formats" >"$tmp/kernel.kinds"
	awk -F'\t' 'FILENAME == ARGV[1] { k = $5; sub(/-+$/, "", k); row[$2] = k == "" ? "-" : k; next }
	!($1 in row) && $2 ~ /[pda?]/ { print $1 ": no row, the kernel declares " $2 }
	($1 in row) && row[$1] != $2 { print $1 ": table " row[$1] ", kernel " $2 }' \
		"$tmp/rows" "$tmp/kernel.kinds" >"$tmp/kinds.wrong"
	if [ -s "$tmp/kinds.wrong" ]; then
		not_ok "each row's argument kinds are the kernel's" "$tmp/kinds.wrong"
	else
		ok "each row's argument kinds are the kernel's ($(wc -l <"$tmp/kernel.kinds") tracepoints)"
	fi
fi
done_testing
