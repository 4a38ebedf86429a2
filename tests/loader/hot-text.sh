#!/bin/sh
# hot-text.sh - the functions of src/loader/hot.txt, and the assembly
# entries every trapped or rewritten call goes through, lie together in
# the section that build.mk's hot.ld puts before the rest of
# build/vroot-loader's text.  A link that lost the script, or a name that
# no longer matches its section (a clone's suffix), would spread them over
# the whole text again, which nothing else would notice but the speed.
#
# Usage: tests/loader/hot-text.sh   (from the top of the tree, after
# building build/vroot-loader).  TAP output.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
L="$top/build/vroot-loader"
if ! command -v readelf >/dev/null 2>&1 || ! command -v nm >/dev/null 2>&1; then
	echo "1..0 # SKIP readelf and nm (binutils) are missing"
	exit 0
fi
echo "1..3"
failed=0

# The section: its address and size, in hex (readelf -S: name, type,
# address, offset, size, ...).
set -- $(readelf -SW "$L" | awk '$0 ~ /\] \.text\.hot / {sub(/.*\] /, ""); print $3, $5}')
if [ $# -eq 2 ] && [ $((0x$2)) -gt 0 ]; then
	echo "ok 1 - the loader has a .text.hot section ($((0x$2)) bytes)"
else
	echo "not ok 1 - the loader has a .text.hot section"
	echo "# got: $(readelf -SW "$L" | grep -c '\.text') text sections, none named .text.hot"
	echo "not ok 2 - every function of hot.txt lies in .text.hot # no section"
	echo "not ok 3 - the assembly entries lie in .text.hot # no section"
	exit 1
fi
lo=$((0x$1))
hi=$((lo + 0x$2))

# outside NAME...: the names none of whose definitions lies in [lo, hi).
nm "$L" >"${TMPDIR:-/tmp}/hot-text.$$"
trap 'rm -f "${TMPDIR:-/tmp}/hot-text.$$"' EXIT INT TERM
outside() {
	for name in "$@"; do
		inside=no
		for addr in $(awk -v n="$name" '$3 == n && ($2 == "t" || $2 == "T") {print $1}' \
			"${TMPDIR:-/tmp}/hot-text.$$"); do
			a=$((0x$addr))
			if [ "$a" -ge "$lo" ] && [ "$a" -lt "$hi" ]; then
				inside=yes
			fi
		done
		[ "$inside" = yes ] || echo "$name"
	done
}

# Only the names the loader defines: a stale one is allowed (hot.txt).
names=$(sed -n 's/^\([A-Za-z_][A-Za-z0-9_.]*\)$/\1/p' "$top/src/loader/hot.txt")
defined=
for name in $names; do
	if awk -v n="$name" '$3 == n {f = 1} END {exit !f}' "${TMPDIR:-/tmp}/hot-text.$$"; then
		defined="$defined $name"
	fi
done
# shellcheck disable=SC2086
out=$(outside $defined)
count=$(echo "$defined" | wc -w)
if [ -z "$out" ] && [ "$count" -ge 100 ]; then
	echo "ok 2 - every function of hot.txt lies in .text.hot ($count of them)"
else
	failed=1
	echo "not ok 2 - every function of hot.txt lies in .text.hot"
	echo "# want: the $count defined in the loader, at least 100, inside"
	echo "# got outside: $(echo $out)"
fi

out=$(outside vrl_rw_entry vrl_sigsys_entry)
if [ -z "$out" ]; then
	echo "ok 3 - the assembly entries lie in .text.hot"
else
	failed=1
	echo "not ok 3 - the assembly entries lie in .text.hot"
	echo "# got outside: $(echo $out)"
fi
exit $failed
