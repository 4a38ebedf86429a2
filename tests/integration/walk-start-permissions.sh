#!/bin/sh
# walk-start-permissions.sh - an absolute path's walk may start at its
# directory when the directory cache holds it and every directory above it
# grants search to everyone (dcache.c's reach); a directory on the way
# that does not is still searched by the caller.  One root process stats a
# path, then becomes user 65534 and stats it again, its directories kept
# from the first stat: a directory of 0700 or 0750 on the way refuses the
# second, as natively; 0755 and 0711 let it through.  Real user changes:
# root only.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd python3
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP changing users needs root"
	trap - EXIT
	cleanup
	exit 0
fi
plan 8

WALK=$top/tests/loader/helpers/stat_as_user.py

printf 'root ok\nroot again ok\nuser Permission denied\nuser again Permission denied\n' \
	>"$tmp/denied"
printf 'root ok\nroot again ok\nuser ok\nuser again ok\n' >"$tmp/allowed"

# The same tree natively ($tmp searchable by the user) and as the base.
chmod 755 "$tmp"
B=$tmp/base
mkdir -p "$B/t/a/b/c"
echo x >"$B/t/a/b/c/f"

# case NAME DIR MODE WANT: DIR (under /t) gets MODE, then the walk as above
# (through vroot on a prefix of its own).
k=0
case_() {
	capture "n$1" python3 "$WALK" "$B/t/a/b/c/f" "$B$2" "$3"
	chmod 755 "$B$2"
	k=$((k + 1))
	capture "v$1" "$VROOT" run --prefix "$tmp/p$k" --reset-settings --base "$B" --base / -- \
		python3 "$WALK" /t/a/b/c/f "$2" "$3"
	if cmp -s "$tmp/n$1.out" "$tmp/$4"; then
		is_file "$1: through vroot as natively" "$tmp/n$1.out" "$tmp/v$1.out"
	else
		not_ok "$1: natively not as expected" "$tmp/n$1.out"
	fi
}
case_ "0700 at the top" /t 700 denied
case_ "0750 deeper down" /t/a/b 750 denied
case_ "0755" /t/a 755 allowed
case_ "0711" /t/a 711 allowed
case_ "0700 just above" /t/a/b/c 700 denied
case_ "0750 in the middle" /t/a 750 denied
case_ "0701 at the top" /t 701 allowed
case_ "0710 at the top" /t 710 denied
done_testing
