#!/bin/sh
# mount-table.sh - /proc/self/mountinfo, /proc/mounts and /etc/mtab inside
# show the namespace's mounts at their virtual paths: the root overlay at
# "/", a --mount with the host file system it lies in (ro when mounted
# read-only), /dev, /proc, /sys with the host's mounts below them; no host
# path of a mount's directory shows as a mount point.  findmnt and df
# read them as natively.
set -eu
. "$(dirname "$0")/lib.sh"
plan 8

h="$tmp/host dir"
mkdir -p "$h"
echo x >"$h/f"
run() { vr --mount "$h:/mnt/h:ro" -- "$@"; }

run cat /proc/self/mountinfo >"$tmp/mi"
is "the root overlay is the first line, at /" "1 0 / / - vroot vroot" \
	"$(head -n 1 "$tmp/mi" | awk '{print $1, $2, $4, $5, $7, $8, $9}')"
# The mount's line: at /mnt/h, read-only, escaped as the kernel escapes.
is "a read-only --mount shows at its virtual path, ro" "/mnt/h ro" \
	"$(awk '$5 == "/mnt/h" {split($6, o, ","); print $5, o[1]}' "$tmp/mi")"
is "no host path of a mount's directory is a mount point" "" \
	"$(awk -v t="$tmp" 'index($5, t) == 1' "$tmp/mi")"
is "/proc/mounts and /etc/mtab list the same mounts" \
	"$(run sh -c 'cut -d" " -f2 /proc/mounts')" "$(run sh -c 'cut -d" " -f2 /etc/mtab')"

if have findmnt; then
	# The file system the mount's directory lies in, as the host sees it.
	# (the source of a mount of a subdirectory is SOURCE[/dir], as for a bind mount)
	want=$(findmnt -n -o FSTYPE,SOURCE --target "$h" | head -n 1)
	is "findmnt: the mount's file system is the host's" "$want" \
		"$(run findmnt -n -o FSTYPE,SOURCE /mnt/h | head -n 1 | sed 's/\[.*//')"
	is "findmnt: the host's mounts below /dev show there" \
		"$(findmnt -n -l -o TARGET,FSTYPE -R /dev | sort)" \
		"$(run findmnt -n -l -o TARGET,FSTYPE -R /dev | sort)"
else
	skip_n 2 "findmnt (util-linux) not installed"
fi
capture df run df -P /mnt/h
is "df of the mount works, and names it" "0 /mnt/h" \
	"$rc $(awk 'NR == 2 {print $6}' "$tmp/df.out")"
# Another process's table is the host's: it may be outside the namespace.
is "a process outside keeps its own table" "$(cat /proc/$$/mountinfo)" \
	"$(run cat /proc/$$/mountinfo)"
done_testing
