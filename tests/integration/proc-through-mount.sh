#!/bin/sh
# proc-through-mount.sh - a procfs reached at another path than /proc
# (through --mount /:/Volumes/SystemRoot, which shows the host's /proc at
# /Volumes/SystemRoot/proc) is translated as /proc is: its exe, cwd and
# fd/N links name virtual paths, and opening them reaches the same objects;
# stat of exe is the program's, not the loader's (at /proc too).
# Each line of the script is run with P=/proc and with
# P=/Volumes/SystemRoot/proc, and both must print what natively /proc does.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd readlink cat ls stat
plan 3

T=$tmp/tree
mkdir -p "$T/a"
printf 'in the mount\n' >"$T/a/g"
# The cwd and the descriptor are in a --mount, so their host paths differ
# from their virtual ones.
script='cd /virt/a
readlink "$P/self/exe"
readlink "$P/self/cwd"
readlink "$P/self/fd/3" 3</virt/a/g
readlink "$P/self/root"
cat "$P/self/cwd/g"
cat "$P/self/fd/3" 3</virt/a/g
ls "$P/self/cwd/"
stat -L -c %s "$P/self/exe"
cd "$P/self" && readlink exe'
# run P: the script through vroot.
run() {
	vr --mount /:/Volumes/SystemRoot --mount "$T:/virt" -- env P="$1" sh -c "$script" 2>&1
}
want="$(readlink -f "$(command -v readlink)")
/virt/a
/virt/a/g
/
in the mount
in the mount
g
$(stat -L -c %s "$(command -v stat)")
$(readlink -f "$(command -v sh)")"
is "/proc: exe, cwd, fd/N, root, stat of exe" "$want" "$(run /proc)"
is "/Volumes/SystemRoot/proc: the same" "$want" "$(run /Volumes/SystemRoot/proc)"
is "/Volumes/SystemRoot/proc/self/exe opens the program" \
	"$(head -c 64 "$(readlink -f "$(command -v head)")" | od -c)" \
	"$(vr --mount /:/Volumes/SystemRoot -- sh -c 'head -c 64 /Volumes/SystemRoot/proc/self/exe | od -c' 2>&1)"
done_testing
