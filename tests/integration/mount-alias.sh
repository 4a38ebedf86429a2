#!/bin/sh
# mount-alias.sh - a host directory shown at two virtual places (a base and
# a --mount of the same tree): a descriptor keeps the place it was opened
# at.  find(1) walks by descriptors, so `find /host/...` must list the host
# tree, not the overlay's copy of it with the prefix's changes, and
# /proc/self/fd names the path the program used.
set -eu
. "$(dirname "$0")/lib.sh"
plan 5

B=$tmp/base
mkdir -p "$B/d/sub"
printf 'base\n' >"$B/d/f"
# The base is also mounted at /host: /d and /host/d are one host directory.
run() { vr --base "$B" --base / --mount "$B:/host" --cwd / -- sh -c "$1"; }

capture add run 'echo new >/d/only-in-prefix && ls /d | tr "\n" " "'
is "a file made in the overlay's /d shows there" "f only-in-prefix sub " "$(cat "$tmp/add.out")"

capture find run 'find /host/d | sort | tr "\n" " "'
is "find under the mount lists the host tree, not the overlay's" \
	"/host/d /host/d/f /host/d/sub " "$(cat "$tmp/find.out")$(cat "$tmp/find.err")"

capture find2 run 'find /d | sort | tr "\n" " "'
is "find under the overlay path lists the overlay" \
	"/d /d/f /d/only-in-prefix /d/sub " "$(cat "$tmp/find2.out")$(cat "$tmp/find2.err")"

# With 3 and 4 already open (as under make's jobserver or flock), the shell
# opens each file at a free number, dup2()s it to 3 or 4 and closes the
# first, and the second open reuses that number.
capture fd run 'exec 3</host/d/f 4</d/sub; readlink /proc/self/fd/3 /proc/self/fd/4 | tr "\n" " "' \
	3</dev/null 4</dev/null
is "/proc/self/fd names the place each file was opened at" "/host/d/f /d/sub " \
	"$(cat "$tmp/fd.out")$(cat "$tmp/fd.err")"

capture py run 'python3 -c "
import os
fd = os.open(\"/host/d\", os.O_RDONLY | os.O_DIRECTORY)
print(sorted(os.listdir(fd)), os.path.exists(\"/host/d/only-in-prefix\"),
      os.stat(\"only-in-prefix\", dir_fd=fd) if False else os.access(\"only-in-prefix\", os.F_OK, dir_fd=fd))
"'
is "relative lookups from a descriptor opened through the mount stay in it" \
	"['f', 'sub'] False False" "$(cat "$tmp/py.out")$(cat "$tmp/py.err")"
