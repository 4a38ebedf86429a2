#!/bin/sh
# proc-fd-objects.sh - a descriptor named by /proc/self/fd/N or by
# AT_EMPTY_PATH is the open object itself, as natively: linkat(fd, "",
# AT_EMPTY_PATH) names an O_TMPFILE file, chmod through the magic link of
# an O_PATH descriptor of a symlink is the symlink's (EOPNOTSUPP, the
# target unchanged), faccessat(AT_EMPTY_PATH) answers for a pipe, a memfd
# and an O_TMPFILE file (made in ".", a base directory), and
# readlink names procfs directories; name_to_handle_at gives the handle
# of the object a name shows.  tests/loader/helpers/fd_objects.c
# makes the calls; each check compares its output natively (in $tmp/n)
# and through vroot (over $tmp/v, a base directory).
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc
plan 8

FO=$tmp/fd_objects
gcc -O2 -Wall -o "$FO" "$top/tests/loader/helpers/fd_objects.c"
for d in n v; do
	mkdir -p "$tmp/$d"
	printf 'old\n' >"$tmp/$d/f"
	chmod 644 "$tmp/$d/f"
	ln -s f "$tmp/$d/l"
done

# same DESC SCRIPT: the sh SCRIPT, with $DIR $tmp/n natively and $tmp/v
# through vroot and $FO the helper, prints the same both ways.
same() {
	capture native env DIR="$tmp/n" FO="$FO" sh -c "$2"
	capture vroot vr -- env DIR="$tmp/v" FO="$FO" sh -c "$2"
	if cmp -s "$tmp/native.out" "$tmp/vroot.out"; then
		ok "$1"
	else
		{
			diff "$tmp/native.out" "$tmp/vroot.out" || true
			cat "$tmp/vroot.err"
		} >"$tmp/same.diff"
		not_ok "$1" "$tmp/same.diff"
	fi
}

same "linkat(fd, \"\", AT_EMPTY_PATH) of an O_TMPFILE file" '"$FO" tmpfile-empty "$DIR" "$DIR/new"'
is "... the name is in the prefix, the base directory unchanged" "made no" \
	"$(cat "$tmp/prefix$tmp/v/new") $(test -e "$tmp/v/new" && echo yes || echo no)"
same "chmod of /proc/self/fd/N of an O_PATH descriptor of a symlink" '"$FO" chmod-opath "$DIR/l"'
is "... the base file's mode unchanged, nothing copied up" "644 no" \
	"$(stat -c %a "$tmp/v/f") $(test -e "$tmp/prefix$tmp/v/f" && echo yes || echo no)"
same "faccessat(fd, \"\", AT_EMPTY_PATH) of a pipe, a memfd, an O_TMPFILE file in \".\"" \
	'cd "$DIR" && exec "$FO" access-pipe'
same "readlink /proc/self/fd/N of procfs directories" '"$FO" proc-dir'
same "name_to_handle_at of a file, of a symlink to it, of a descriptor" \
	'"$FO" handle "$DIR/f" "$DIR/l"'
# In a --mount the name lands in the host directory, as natively.
mkdir -p "$tmp/host"
capture mnt vr --mount "$tmp/host:/m" -- "$FO" tmpfile-empty /m /m/new
is "... in a --mount: the host directory gets the name" "made" "$(cat "$tmp/host/new")"
done_testing
