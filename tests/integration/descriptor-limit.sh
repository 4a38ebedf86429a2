#!/bin/sh
# descriptor-limit.sh - a program that fills its descriptor table up to the
# soft limit, leaving 0, 1 or 2 numbers free, gets the same answers as
# natively: open needs exactly one free number (EMFILE with none), and
# stat, mkdir, rename, rmdir and unlink need none, although a lookup in
# the namespace needs descriptors of its own (vroot's directory cache
# gives its back, and the lookup's own go above the soft limit, under the
# hard one).  tests/loader/helpers/fill_fds.c makes the calls.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt 256 ]; then
	echo "1..0 # SKIP the hard descriptor limit is $hard: no room above a soft limit of 64"
	trap - EXIT
	cleanup
	exit 0
fi
plan 6

FF=$tmp/fill_fds
gcc -O2 -Wall -o "$FF" "$top/tests/loader/helpers/fill_fds.c"
mkdir -p "$tmp/n" "$tmp/v"
printf 'file\n' >"$tmp/n/file"
printf 'file\n' >"$tmp/v/file"
for free in 0 1 2; do
	(ulimit -Sn 64 && "$FF" "$free" "$tmp/n/file" "$tmp/n") >"$tmp/native.out" 2>&1
	grep -q '^fill EMFILE$' "$tmp/native.out" || not_ok "natively the table fills" "$tmp/native.out"
	capture base sh -c 'ulimit -Sn 64 && exec "$@"' sh "$VROOT" run --prefix "$tmp/prefix" -- \
		"$FF" "$free" "$tmp/v/file" "$tmp/v"
	is_file "$free free: in a base directory, as natively" "$tmp/native.out" "$tmp/base.out"
	capture upper sh -c 'ulimit -Sn 64 && exec "$@"' sh "$VROOT" run --prefix "$tmp/prefix" -- \
		"$FF" "$free" "$tmp/v/file" "$tmp/v"
	is_file "$free free: the directory copied up already, as natively" "$tmp/native.out" \
		"$tmp/upper.out"
done
done_testing
