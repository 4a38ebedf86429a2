#!/bin/sh
# mount-file.sh - `--mount HOSTFILE:VIRT` shows one host file (a regular
# file, a device node) at a virtual path: read, written and stat()ed as
# the host's own, listed in its directory with its type and inode, named
# by its virtual path (realpath, /proc/self/fd), no directory to walk
# into, not removable; ro holds for a regular file as a read-only bind
# mount does; bad uses are refused with one line.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd python3
plan 16

B=$tmp/base
mkdir -p "$B/etc"
echo base >"$B/etc/hosts"
echo host >"$tmp/f"
ln -s f "$tmp/link"
run() { vr --base "$B" --base / "$@"; }

capture m run --mount "$tmp/f:/etc/hosts" -- cat /etc/hosts
is "a file mounted over a base file: the host's content" "0 host" "$rc $(cat "$tmp/m.out")"
capture m run --mount "$tmp/f:/etc/hosts" -- stat -c '%i %s %F %h' /etc/hosts
is "stat: the host file's inode, size, type, links" "0 $(stat -c '%i %s %F %h' "$tmp/f")" \
	"$rc $(cat "$tmp/m.out")"
capture m run --mount "$tmp/f:/etc/hosts" -- sh -c 'echo more >>/etc/hosts'
is "writes reach the host file" "0 host more" "$rc $(tr '\n' ' ' <"$tmp/f" | sed 's/ $//')"
check "... and not the prefix" test ! -e "$tmp/prefix/etc/hosts"

capture m run --mount "$tmp/f:/etc/hosts:ro" --mount /dev/null:/dev/nul:ro -- sh -c \
	'echo x >>/etc/hosts || echo refused; echo x >/dev/nul && echo dev'
is "ro: a regular file refuses writes; a device still takes them, as on a read-only bind mount" \
	"0 refused dev" "$rc $(tr '\n' ' ' <"$tmp/m.out" | sed 's/ $//')"
grep -q "Read-only file system" "$tmp/m.err" && ok "... EROFS" || not_ok "... EROFS" "$tmp/m.err"

# Listings: the directory of the mount point shows the file with its type
# and inode (d_type, as os.scandir reads it without a stat).
cat >"$tmp/ls.py" <<'EOF2'
import os, sys
for e in sorted(os.scandir(sys.argv[1]), key=lambda e: e.name):
    if e.name in sys.argv[2:]:
        print(e.name, e.is_dir(follow_symlinks=False), e.is_file(follow_symlinks=False),
              e.is_symlink(), e.inode())
EOF2
capture m run --mount "$tmp/f:/etc/hosts" --mount /dev/null:/x/null -- sh -c \
	"python3 $tmp/ls.py /etc hosts; python3 $tmp/ls.py /x null"
is "listed with the host file's type and inode (in the base's directory and a synthetic one)" \
	"0 hosts False True False $(stat -c %i "$tmp/f") null False False False $(stat -c %i /dev/null)" \
	"$rc $(tr '\n' ' ' <"$tmp/m.out" | sed 's/ $//')"

capture m run --mount /dev/null:/x/null -- sh -c \
	'test -c /x/null && echo chr; cat /x/null/y 2>&1; cat /x/null/ 2>&1; cd /x/null 2>&1; true'
is "no directory to walk into: ENOTDIR" \
	"0 chr cat: /x/null/y: Not a directory cat: /x/null/: Not a directory" \
	"$rc $(head -n 3 "$tmp/m.out" | tr '\n' ' ' | sed 's/ $//')"

capture m run --mount "$tmp/f:/etc/hosts" -- sh -c \
	'realpath /etc/hosts; readlink /proc/self/fd/3 3</etc/hosts; cd /etc && realpath hosts'
is "realpath and /proc/self/fd name the virtual path" "0 /etc/hosts /etc/hosts /etc/hosts" \
	"$rc $(tr '\n' ' ' <"$tmp/m.out" | sed 's/ $//')"

capture m run --mount "$tmp/f:/etc/hosts" -- sh -c 'rm -f /etc/hosts; cat /etc/hosts'
is "rm of the mount point fails; the file stays" "0 host more" \
	"$rc $(tr '\n' ' ' <"$tmp/m.out" | sed 's/ $//')"
is "... on the host too" "host more" "$(tr '\n' ' ' <"$tmp/f" | sed 's/ $//')"

capture m run --mount "$tmp/link:/opt/l" -- sh -c 'test -L /opt/l || cat /opt/l'
is "a symbolic link as the source: its target is mounted" "0 host more" \
	"$rc $(tr '\n' ' ' <"$tmp/m.out" | sed 's/ $//')"

# The most mounts a namespace holds: 61 files and the default layout's
# /proc, /dev and /sys.
set --
i=0
while [ $i -lt 61 ]; do
	set -- "$@" --mount "$tmp/f:/many/m$i"
	i=$((i + 1))
done
capture m run "$@" -- sh -c 'cat /many/m0 /many/m60 | wc -l; ls /many | wc -l'
is "64 mounts, the most a namespace holds" "0 4 61" "$rc $(tr '\n' ' ' <"$tmp/m.out" | sed 's/ $//')"

# bad NAME WANT-PATTERN ARGS...: refused with 125 and one line matching.
bad() {
	desc=$1 want=$2
	shift 2
	capture b run "$@" -- true
	if [ "$rc" = 125 ] && [ "$(wc -l <"$tmp/b.err")" = 1 ] && grep -q -e "$want" "$tmp/b.err"; then
		ok "$desc"
	else
		echo "want 125 and one line matching: $want (rc $rc)" >>"$tmp/b.err"
		not_ok "$desc" "$tmp/b.err"
	fi
}
bad "a missing source: one line naming it" "mount source $tmp/missing: No such file" \
	--mount "$tmp/missing:/x"
bad "ci on a file: one line" "$tmp/f is not a directory" --mount "$tmp/f:/x:ci"
bad "a mount below a mounted file: one line naming both" \
	"--mount $tmp:/x/y/z: /x/y is the file $tmp/f" --mount "$tmp/f:/x/y" --mount "$tmp:/x/y/z"
done_testing
