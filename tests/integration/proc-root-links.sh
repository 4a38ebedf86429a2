#!/bin/sh
# proc-root-links.sh - /proc/PID/root inside the namespace.  Natively every
# process here shares the host's root: its root link reads "/" and leads
# there.  Inside, the process's own root link and those of the other
# processes of the namespace (a child) read "/" and lead to the virtual
# root, also through /proc/PID/task/TID/root.  A process outside has the
# host's root, which the namespace does not show: its root link is hidden
# (ENOENT) as its cwd would be, and where a mount shows the host's root
# (--mount /:/host) it reads and leads there, as any directory shown.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc sleep
plan 5

R=$tmp/root
mkdir -p "$R"
if ! gcc -static -O2 -Wall -o "$R/rl" "$top/tests/loader/helpers/root_links.c" 2>"$tmp/gcc.err"; then
	sed 's/^/# /' "$tmp/gcc.err"
	echo "Bail out! gcc -static failed (libc6-dev installs the static C library)"
	exit 1
fi
printf 'base data\n' >"$R/data"
sleep 600 &
pid=$!
trap 'kill $pid 2>/dev/null; cleanup' EXIT

"$R/rl" "$R/data" "$pid" >"$tmp/native"
is "natively: every root link reads / and leads to the host's root" "self /
self/FILE ok
thread /
thread/FILE ok
child /
child/FILE ok
child-thread /
child-thread/FILE ok
other /
other/FILE ok" "$(cat "$tmp/native")"

vr --base "$R" -- /rl /data "$pid" >"$tmp/inside" 2>&1 || true
grep -v '^other' "$tmp/native" >"$tmp/native.ns"
grep -v '^other' "$tmp/inside" >"$tmp/inside.ns"
is_file "the process's own and a child's root links: / and the virtual root, as natively" \
	"$tmp/native.ns" "$tmp/inside.ns"
is "a process outside: its root link hidden (ENOENT), as a directory not shown" "other ENOENT
other/FILE ENOENT" "$(grep '^other' "$tmp/inside")"

# With the host's root shown at /host: the outside process's root is there.
vr --base "$R" --mount /:/host -- /rl "$R/data" "$pid" >"$tmp/mounted" 2>&1 || true
is "... where a mount shows the host's root: its virtual path, and it leads there" "other /host
other/FILE ok" "$(grep '^other' "$tmp/mounted")"
is "... and the namespace's own root links still read /" "self /
child /" "$(grep -E '^(self|child) ' "$tmp/mounted")"
done_testing
