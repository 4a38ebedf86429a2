#!/bin/sh
# prefix-settings.sh - a prefix remembers how it was made: the first run
# writes PREFIX.work/settings (layout, bases, case folding, identity, the
# user's mounts); later runs take what they do not give; a different base
# list, case folding or layout is refused with one line naming the setting
# and --reset-settings, and changes nothing; mounts and identity given
# replace the stored ones; --name NAME is a prefix in the data directory;
# `vroot list` shows the named prefixes with size and settings; `vroot
# diff` compares with the stored bases; `vroot reset` keeps the settings.
set -eu
. "$(dirname "$0")/lib.sh"
plan 22

P=$tmp/prefix
B=$tmp/base
mkdir -p "$B/Dir" "$tmp/h1" "$tmp/h 2"
echo base >"$B/Dir/File"
echo one >"$tmp/h1/f"
echo two >"$tmp/h 2/f"

run() { capture r "$VROOT" run "$@"; }
out() { tr '\n' ' ' <"$tmp/r.out" | sed 's/ $//'; }
# refused DESC NEEDLE: status 125, one line naming NEEDLE and --reset-settings, settings unchanged.
refused() {
	if [ "$rc" = 125 ] && [ "$(wc -l <"$tmp/r.err")" = 1 ] && grep -qF -- "$2" "$tmp/r.err" &&
		grep -qF -- "--reset-settings" "$tmp/r.err" && cmp -s "$tmp/settings.before" "$P.work/settings"; then
		ok "$1"
	else
		{
			echo "want 125, one line naming $2 and --reset-settings; got $rc:"
			cat "$tmp/r.err"
			diff "$tmp/settings.before" "$P.work/settings"
		} >"$tmp/diag" 2>&1
		not_ok "$1" "$tmp/diag"
	fi
}

run --prefix "$P" --base "$B" --base / --case-insensitive --fake-root --mount "$tmp/h1:/m:ro" \
	-- cat /dir/file /m/f
is "the first run" "0 base one" "$rc $(out)"
cat >"$tmp/want" <<EOF
# vroot prefix settings (vroot(1), PREFIX SETTINGS)
layout default
base $B
base /
casefold on
identity 0:0
mount $tmp/h1 /m ro
EOF
is_file "... writes its settings into PREFIX.work/settings" "$tmp/want" "$P.work/settings"
cp "$P.work/settings" "$tmp/settings.before"

run --prefix "$P" -- sh -c 'id -u; cat /DIR/FILE /m/f'
is "a later run without options: the same bases, folding, identity, mount" "0 0 base one" \
	"$rc $(out)"
check "... and the settings unchanged" cmp "$tmp/settings.before" "$P.work/settings"
run --prefix "$P" --case-sensitive -- true
refused "--case-sensitive on a case-insensitive prefix: refused" "casefold on"
run --prefix "$P" --base / -- true
refused "another base list: refused" "was made over --base $B --base /"
run --prefix "$P" --layout rootfs --base "$B" --base / -- true
refused "another layout: refused" "--layout default"
run --prefix "$P" --base "$B/../base" --base / --case-insensitive -- cat /dir/file
is "the same options given again, a base spelt otherwise: fine" "0 base" "$rc $(out)"

run --prefix "$P" --host-identity --mount "$tmp/h 2:/n" -- sh -c 'id -u; cat /n/f; test -e /m || echo no-m'
is "--host-identity and another --mount replace the stored ones" "0 $(id -u) two no-m" \
	"$rc $(out)"
is "... and are remembered" "identity host|mount $tmp/h\\0402 /n rw" \
	"$(grep -e ^identity -e ^mount "$P.work/settings" | tr '\n' '|' | sed 's/|$//')"
run --prefix "$P" -- sh -c 'id -u; cat /n/f'
is "... by the next run" "0 $(id -u) two" "$rc $(out)"

run --prefix "$P" --print-spec
check "--print-spec shows the stored settings" grep -qzx \
	"layout default.base $B.base /.prefix $P.casefold on.identity host.mount $tmp/h\\\\0402 /n rw.*" \
	"$tmp/r.out"

run --prefix "$P" --reset-settings --base / --base "$B" -- cat /Dir/File
is "--reset-settings: this run's options are taken" "0 base" "$rc $(out)"
is "... and stored" "layout default|base /|base $B|casefold off|identity host" \
	"$(grep -v '^#' "$P.work/settings" | tr '\n' '|' | sed 's/|$//')"

run --prefix "$P" -- sh -c 'echo new >/Dir/new'
capture df "$VROOT" diff --prefix "$P"
is "vroot diff: against the bases the prefix remembers" "0 A /Dir/new" "$rc $(cat "$tmp/df.out")"
capture rs "$VROOT" reset --prefix "$P"
is "vroot reset keeps the settings" "0 base $B" "$rc $(grep "^base $B" "$P.work/settings")"

# --- named prefixes ---------------------------------------------------------
X=$tmp/xdg
capture r env XDG_DATA_HOME="$X" "$VROOT" run --name mac --base "$B" --base / --case-insensitive \
	-- sh -c 'echo made >/new'
is "--name NAME: the prefix \$XDG_DATA_HOME/vroot/NAME" "0 made" \
	"$rc $(cat "$X/vroot/mac/new" 2>&1)"
capture r env XDG_DATA_HOME="$X" "$VROOT" run --name mac -- cat /DIR/FILE /NEW
is "... a later run by name alone: its settings" "0 base made" "$rc $(out)"
capture r env XDG_DATA_HOME="$X" "$VROOT" run --name other -- true
capture l env XDG_DATA_HOME="$X" "$VROOT" list
is "vroot list: a header, then each named prefix" "0 NAME|mac|other" \
	"$rc $(awk '{print $1}' "$tmp/l.out" | tr '\n' '|' | sed 's/|$//')"
check "... with its size and settings" grep -qx \
	"mac  *[0-9.]*[BKMG]  layout default; base $B; base /; casefold on; identity host" "$tmp/l.out"
capture r "$VROOT" run --name a/b -- true
is "--name with a slash: refused, one line" "125 1" "$rc $(wc -l <"$tmp/r.err")"
capture r "$VROOT" run --name mac --prefix "$P" -- true
is "--name and --prefix: refused, one line" "125 1" "$rc $(wc -l <"$tmp/r.err")"
done_testing
