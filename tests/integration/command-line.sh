#!/bin/sh
# command-line.sh - the edges of `vroot run`'s options: a prefix that is one
# of the bases is refused with one line before anything is created; a
# mount's :rw (the default) and :ro; vroot finds vroot-loader relative to
# its real executable (copied together, an installed tree moved whole, a
# symlink) and says where it looked when it cannot; --help names the
# prefix's DIR.work sibling.
set -eu
. "$(dirname "$0")/lib.sh"
plan 19

P=$tmp/prefix
B=$tmp/base
mkdir -p "$B/d"
printf 'base\n' >"$B/d/f"
sum_base() { (cd "$B" && find . -printf '%p %s %m\n' | sort | cksum); }
before=$(sum_base)

# one_line DESC STATUS NEEDLE: $rc and $tmp/r.{out,err} as wanted.
one_line() {
	if [ "$rc" = "$2" ] && [ "$(wc -l <"$tmp/r.err")" = 1 ] && grep -qF -- "$3" "$tmp/r.err" &&
		[ ! -s "$tmp/r.out" ]; then
		ok "$1"
	else
		{
			echo "want status $2 and one line naming $3; got status $rc:"
			cat "$tmp/r.err" "$tmp/r.out"
		} >"$tmp/diag"
		not_ok "$1" "$tmp/diag"
	fi
}

# --- the prefix is a base ------------------------------------------------------
capture r "$VROOT" run --base "$B" --prefix "$B" -- sh -c 'echo x >/d/new'
one_line "--prefix DIR --base DIR: refused, 125, one line" 125 "prefix $B is the base $B"
check "... nothing written into the base, no $B.work" \
	test "$(sum_base)" = "$before" -a ! -e "$B.work"
capture r "$VROOT" run --base / --base "$B" --prefix "$B/." -- true
one_line "the same directory spelt differently, as the second base: refused" 125 "is the base $B"
# The default base is /: a prefix of / is that base.
had_work=$(test -e /.work && echo yes || true)
capture r "$VROOT" run --prefix / -- true
one_line "--prefix / over the default base /: refused" 125 "prefix / is the base /"
if [ -z "$had_work" ] && [ -e /.work ]; then
	not_ok "... no /.work made"
	rmdir /.work/* /.work 2>/dev/null || true # only what an empty session leaves
else
	ok "... no /.work made"
fi
capture r "$VROOT" run --base "$B" --base / --prefix "$P" -- cat /d/f
is "a prefix beside the base is fine" "0 base" "$rc $(cat "$tmp/r.out")"

# --- :rw and :ro ---------------------------------------------------------------
mkdir "$tmp/host"
capture r "$VROOT" run --prefix "$P" --mount "$tmp/host:/m:rw" -- sh -c 'echo rw >/m/f'
is "--mount HOST:VIRT:rw: writes go to the host directory" "0 rw" "$rc $(cat "$tmp/host/f")"
capture r "$VROOT" run --prefix "$P" --mount "$tmp/host:/m" -- sh -c 'echo dflt >/m/g'
is "... as without :rw" "0 dflt" "$rc $(cat "$tmp/host/g")"
capture r "$VROOT" run --prefix "$P" --mount "$tmp/host:/m:ro" -- sh -c 'echo ro >/m/h'
is "--mount HOST:VIRT:ro: writes fail, nothing reaches the host" "failed no" \
	"$([ "$rc" != 0 ] && echo failed) $(test -e "$tmp/host/h" && echo yes || echo no)"
check "... with EROFS" grep -q "Read-only file system" "$tmp/r.err"

# --- where vroot-loader is found -----------------------------------------------
# build/vroot and its loader copied into one directory, into an installed
# tree's shape, and a symlink: each finds the loader from where it really is.
mkdir -p "$tmp/both" "$tmp/tree/bin" "$tmp/tree/libexec/vroot" "$tmp/link" "$tmp/solo"
cp "$VROOT" "$top/build/vroot-loader" "$tmp/both/"
cp "$VROOT" "$tmp/tree/bin/"
cp "$top/build/vroot-loader" "$tmp/tree/libexec/vroot/"
ln -s "$VROOT" "$tmp/link/vroot"
cp "$VROOT" "$tmp/solo/"
for v in both/vroot tree/bin/vroot link/vroot; do
	capture r "$tmp/$v" run --prefix "$P" -- cat /etc/hostname
	is "vroot as $v finds its loader" "0 $(cat /etc/hostname)" "$rc $(cat "$tmp/r.out")"
done
# Copied alone: the loader is looked for at the install path last.
installed=$(sed -n 's/^#define VR_LOADER_PATH "\(.*\)"$/\1/p' "$top/build/src/cli/paths.h")
if [ -x "$installed" ]; then
	capture r "$tmp/solo/vroot" run --prefix "$P" -- true
	is "vroot copied alone uses the installed loader $installed" "0" "$rc"
	skip_n 2 "vroot-loader is installed at $installed: nothing to miss"
else
	capture r "$tmp/solo/vroot" run --prefix "$P" -- true
	one_line "vroot copied alone, no loader installed: 125, one line" 125 "vroot-loader"
	check "... naming where it looked" grep -qF "beside $tmp/solo/vroot" "$tmp/r.err"
	check "... and the install path" grep -qF "$installed" "$tmp/r.err"
fi

# --- --help --------------------------------------------------------------------
capture r "$VROOT" run --help
is "run --help: status 0, nothing on stderr" "0 " "$rc $(cat "$tmp/r.err")"
check "... names the prefix's DIR.work sibling" grep -q "DIR\.work" "$tmp/r.out"
check "... and :rw" grep -qF ":rw" "$tmp/r.out"
done_testing
