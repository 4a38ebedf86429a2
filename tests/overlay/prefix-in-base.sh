#!/bin/sh
# prefix-in-base.sh - the prefix inside its own base, as by default (--base /
# with the prefix under ~/.local/share/vroot/default): the prefix and its
# work directory are not visible inside the namespace, listings and walks
# do not descend into them, copies do not recurse into them, and the
# prefix's own virtual path is an ordinary name a program can create.
set -eu
. "$(dirname "$0")/../integration/lib.sh"
plan 17

# W: the prefix's parent, holding nothing else than this.
W=$tmp/w
D=$W/data
P=$W/prefix
mkdir -p "$D/sub" "$tmp/home"
printf 'data\n' >"$D/sub/f"
printf 'other\n' >"$W/other"
vr() { "$VROOT" run --prefix "$P" "$@"; }

# The default prefix: HOME decides, the base is /.
capture def env HOME="$tmp/home" XDG_DATA_HOME= "$VROOT" run -- \
	sh -c "ls -a '$tmp/home/.local/share/vroot'; echo made >'$tmp/home/f'; cat '$tmp/home/f'"
is "default prefix: runs, and ~/.local/share/vroot lists empty inside" \
	"0|.|..|made" "$rc|$(tr '\n' '|' <"$tmp/def.out" | sed 's/|$//')"
ok_if() { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; }
ok_if "... while on the host it holds default and default.work" \
	'[ -d "$tmp/home/.local/share/vroot/default" ] && [ -d "$tmp/home/.local/share/vroot/default.work" ]'
ok_if "... and the file written inside went into the prefix" \
	'[ -f "$tmp/home/.local/share/vroot/default$tmp/home/f" ] && [ ! -e "$tmp/home/f" ]'

# An explicit prefix under the base /.
capture ls vr -- ls -a "$W"
is "ls of the prefix's parent shows neither the prefix nor its work directory" \
	"0 . .. data other" "$rc $(tr '\n' ' ' <"$tmp/ls.out" | sed 's/ $//')"
capture find vr -- find "$W" -name '*prefix*'
is "find in the prefix's parent finds nothing of it" "0 " "$rc $(cat "$tmp/find.out")"
# (Its status is not checked: as another user, find meets unreadable directories.)
capture find2 vr -- sh -c "find / -maxdepth 4 -path '$W/*' 2>/dev/null | sort"
is "find / reaches the prefix's parent, not the prefix" "$W/data $W/other" \
	"$(tr '\n' ' ' <"$tmp/find2.out" | sed 's/ $//')"
capture tar vr -- sh -c "tar -C '$W' -cf - . | tar -tf - | sort"
is "tar of the parent does not take it in" "0|./|./data/|./data/sub/|./data/sub/f|./other" \
	"$rc|$(tr '\n' '|' <"$tmp/tar.out" | sed 's/|$//')"
capture cd vr -- sh -c "cd '$P' || cd '$P.work' || echo neither"
is "neither can be entered" "neither" "$(cat "$tmp/cd.out")"
capture cat vr -- cat "$P.work/vroot-stub"
is "nothing in the work directory can be reached" "1" "$rc"

# The prefix's own virtual path is a free name.
capture mk vr -- sh -c "mkdir '$P' && echo mine >'$P/x' && cat '$P/x' && ls -a '$P'"
is "a program creates a directory and a file at the prefix's own path" \
	"0|mine|.|..|x" "$rc|$(tr '\n' '|' <"$tmp/mk.out" | sed 's/|$//')"
ok_if "... an ordinary upper directory on the host (prefix/prefix)" \
	'[ -f "$P$P/x" ] && [ ! -e "$P/x" ]'
capture again vr -- sh -c "cat '$P/x'; ls '$P'"
is "... seen again by the next run, without the prefix's own tree" "0|mine|x" \
	"$rc|$(tr '\n' '|' <"$tmp/again.out" | sed 's/|$//')"
capture mv vr -- sh -c "mv '$W/other' '$P.work' && cat '$P.work'"
is "renaming a file to the work directory's path makes an ordinary file" "0 other" \
	"$rc $(cat "$tmp/mv.out")"
ok_if "... the host's work directory is untouched" '[ -d "$P.work" ] && [ -f "$P$P.work" ]'

# Copies inside do not recurse into the prefix, which grows as they write.
C=$tmp/wcopy
capture cp vr -- sh -c "cp -r '$W' '$C' && find '$C' | sort"
is "cp -r of the parent copies what is visible, once" \
	"0|$C|$C/data|$C/data/sub|$C/data/sub/f|$C/prefix|$C/prefix.work|$C/prefix/x" \
	"$rc|$(tr '\n' '|' <"$tmp/cp.out" | sed 's/|$//')"
entries=$(find "$P" | wc -l)
ok_if "... and the prefix on the host holds just those files ($entries entries)" \
	'[ "$entries" -lt 40 ]'
is "the base is unchanged: what was made or moved inside is not on the host" "absent present" \
	"$([ -e "$C" ] && echo present || echo absent) $([ -e "$W/other" ] && echo present || echo absent)"
done_testing
