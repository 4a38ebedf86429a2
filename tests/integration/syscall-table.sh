#!/bin/sh
# syscall-table.sh - the loader's table of system calls (src/loader/
# syscalls.h) against the kernel's: every x86-64 call <asm/unistd_64.h>
# names has a row, with the header's number; a call the table lets through
# takes no path and no directory descriptor, and says why it is safe; the
# calls that could reach vroot's own descriptors (ownfd_list.h) are all
# trapped; and the filter built from the table really traps each call the
# table says it traps (the bare loader's trace, calls made with arguments
# that fail harmlessly).  A new kernel's call without a row fails here.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc awk
plan 7

# The table, one row per line: number name class cond kinds why (tabs).
cat >"$tmp/table.c" <<'EOF'
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
	if (argc > 1 && (!strcmp(argv[1], "call") || !strcmp(argv[1], "list"))) {
#define VRL_TRAP(name, kinds, cond, fn)                                                            \
	if (strcmp(#cond, "SIGNAL") && strcmp(#cond, "SIGMASK") && strcmp(#cond, "OWNFD") &&      \
	    strcmp(#cond, "FAKED") && strcmp(#cond, "PRCTL"))                                      \
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
done_testing
