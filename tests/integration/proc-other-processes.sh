#!/bin/sh
# proc-other-processes.sh - the magic links of a process outside the
# namespace (/proc/PID/fd/N, exe, cwd) lead into the namespace only where
# the namespace shows their target: a file it does not show is hidden
# (ENOENT, as /proc/PID/root already is), a file it shows is reached at its
# virtual path (so the prefix's copy of a changed base file is read).  A
# process's own descriptors keep naming whatever they hold.  The namespace
# is a tree holding only a static helper (tests/loader/helpers/fd_objects.c)
# and one data file; the outside process is a same-user sleep.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc sleep
plan 15

R=$tmp/root
mkdir -p "$R" "$tmp/secret"
if ! gcc -static -O2 -Wall -o "$R/fo" "$top/tests/loader/helpers/fd_objects.c" 2>"$tmp/gcc.err"; then
	cat "$tmp/gcc.err" | sed 's/^/# /'
	echo "Bail out! gcc -static failed (libc6-dev installs the static C library)"
	exit 1
fi
printf 'base data\n' >"$R/data"
printf 'secret\n' >"$tmp/secret/f"
# The outside process: fd 3 a file the namespace does not show, fd 4 one
# it shows as /data; its cwd a directory the namespace does not show.
(cd "$tmp/secret" && exec sleep 600 3<"$tmp/secret/f" 4<"$R/data") &
pid=$!
# Another one holding a pipe (fd 7) and a socket (fd 8).
"$R/fo" hold >"$tmp/hold.out" &
hpid=$!
trap 'kill $pid $hpid 2>/dev/null; cleanup' EXIT
for i in 1 2 3 4 5 6 7 8 9 10; do
	[ -s "$tmp/hold.out" ] && break
	sleep 0.2
done
sleep 0.2
# inside ARGS...: the helper through vroot in the tree.
inside() { vr --base "$R" -- /fo "$@"; }

is "natively a same-user process's descriptors can be read" \
	"/proc/$pid/fd/3 secret
/proc/$pid/fd/4 base data" "$("$R/fo" read /proc/$pid/fd/3 /proc/$pid/fd/4)"
is "/proc/PID/fd/N of a file the namespace does not show: hidden" "/proc/$pid/fd/3 ENOENT" \
	"$(inside read /proc/$pid/fd/3 2>&1)"
is "/proc/PID/exe of a program the namespace does not show: hidden" "/proc/$pid/exe ENOENT" \
	"$(inside read /proc/$pid/exe 2>&1)"
is "/proc/PID/cwd/NAME of a directory the namespace does not show: hidden" \
	"/proc/$pid/cwd/f ENOENT" "$(inside read /proc/$pid/cwd/f 2>&1)"
is "/proc/PID/fd/N of a file the namespace shows: read at its virtual path" \
	"/proc/$pid/fd/4 base data" "$(inside read /proc/$pid/fd/4 2>&1)"
# Change /data in the prefix (the helper truncates and writes it): the
# outside process's descriptor leads to the namespace's /data, the copy.
capture change inside reader /data
is "... after /data changed in the prefix: the prefix's copy" \
	"/proc/$pid/fd/4 NEW content" "$(inside read /proc/$pid/fd/4 2>&1)"
# readlink of the same links: never the host's name of something hidden.
is "natively readlink names the outside process's files" \
	"/proc/$pid/fd/3 $tmp/secret/f
/proc/$pid/cwd $tmp/secret" "$("$R/fo" readlink /proc/$pid/fd/3 /proc/$pid/cwd)"
is "readlink /proc/PID/fd/N, exe, cwd of what the namespace does not show: ENOENT, as the open" \
	"/proc/$pid/fd/3 ENOENT
/proc/$pid/exe ENOENT
/proc/$pid/cwd ENOENT" "$(inside readlink /proc/$pid/fd/3 /proc/$pid/exe /proc/$pid/cwd 2>&1)"
is "readlink /proc/PID/fd/N of a file the namespace shows: its virtual path" \
	"/proc/$pid/fd/4 /data" "$(inside readlink /proc/$pid/fd/4 2>&1)"
is "readlink /proc/self/fd/N of the process's own descriptor: the file it holds" \
	"/proc/self/fd/5 $tmp/secret/f" "$(inside readlink /proc/self/fd/5 5<"$tmp/secret/f" 2>&1)"
# Pipes and sockets: an outside process's are not the namespace's to reach;
# those of a process of the namespace are (its own child's, here).
is "natively an outside process's pipe and socket can be opened" \
	"/proc/$hpid/fd/7 ok
/proc/$hpid/fd/8 ok" "$("$R/fo" open /proc/$hpid/fd/7; "$R/fo" open-path /proc/$hpid/fd/8)"
is "an outside process's pipe and socket: hidden (ENOENT)" \
	"/proc/$hpid/fd/7 ENOENT
/proc/$hpid/fd/8 ENOENT" "$(inside open /proc/$hpid/fd/7 2>&1; inside open-path /proc/$hpid/fd/8 2>&1)"
is "natively a child's pipe and socket can be opened" "child fd/7 ok
child fd/8 ok" "$("$R/fo" child-objects 2>&1)"
is "a process of the namespace: its pipe and socket can be opened, as natively" "child fd/7 ok
child fd/8 ok" "$(inside child-objects 2>&1)"
# The process's own descriptor of a file the namespace does not show.
is "/proc/self/fd/N of the process's own descriptor: the file it holds" \
	"/proc/self/fd/5 secret" "$(inside read /proc/self/fd/5 5<"$tmp/secret/f" 2>&1)"
done_testing
