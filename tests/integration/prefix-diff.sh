#!/bin/sh
# prefix-diff.sh - `vroot diff` lists what programs changed in a prefix
# against its base (added, changed, owner/mode only, deleted; a rename as a
# deletion and an addition; a directory removed and made again hides what
# the base had in it), as --stat and --json too; `vroot reset` empties the
# prefix, and refuses while a session runs in it.  Both take --name NAME
# for the prefix $XDG_DATA_HOME/vroot/NAME, with the bases it remembers.
set -eu
. "$(dirname "$0")/lib.sh"
plan 15

b=$tmp/base
mkdir -p "$b/etc" "$b/dir/sub" "$b/old" "$b/deep/a" "$b/same"
echo hello >"$b/etc/motd"
echo keep >"$b/etc/keep"
echo x >"$b/etc/mode"
echo x >"$b/etc/owner"
echo y >"$b/etc/gone"
echo z >"$b/dir/sub/f"
echo q >"$b/old/file"
ln -s motd "$b/etc/link"
echo d >"$b/deep/a/b"
echo s >"$b/same/file"
chmod 644 "$b/etc/mode" "$b/etc/owner"
p=$tmp/p
d() { "$VROOT" diff --prefix "$p" --base "$b" --base / "$@"; }

capture run "$VROOT" run --base "$b" --base / --prefix "$p" -- sh -c '
	echo changed >/etc/motd; echo new >/etc/added; chmod 600 /etc/mode
	rm /etc/gone; rm -r /dir; mv /old /renamed; ln -sf other /etc/link
	touch /etc/keep; echo s >/same/file; mkdir /newdir; echo n >/newdir/n
	rm -r /deep/a; mkdir /deep/a; echo n >/deep/a/c'
is "the changes are made" "0" "$rc"
capture run "$VROOT" run --fake-root --base "$b" --base / --prefix "$p" -- chown 123:45 /etc/owner
is "a faked root's chown is made" "0" "$rc"

capture diff d
sort "$tmp/diff.out" >"$tmp/got"
cat >"$tmp/want" <<'EOF'
A /deep/a/c
A /etc/added
A /newdir
A /newdir/n
A /renamed
A /renamed/file
C /etc/link
C /etc/motd
D /deep/a/b
D /dir
D /etc/gone
D /old
M /etc/mode
M /etc/owner
EOF
is_file "vroot diff: each change once, as A, C, M or D" "$tmp/want" "$tmp/got"
is "vroot diff: status 0, nothing on stderr" "0 " "$rc $(cat "$tmp/diff.err")"

is "vroot diff --stat: counts and bytes" \
	"6 added, 2 changed, 2 metadata only, 4 deleted; 23 bytes in added and changed files" \
	"$(d --stat)"

if have python3; then
	d --json >"$tmp/json"
	is "vroot diff --json: the same changes" \
		"$(sed 's/^A /added /; s/^C /changed /; s/^D /deleted /; s/^M /metadata /' "$tmp/want")" \
		"$(python3 -c 'import json, sys
for e in sorted(json.load(open(sys.argv[1])), key=lambda e: (e["change"], e["path"])):
    print(e["change"], e["path"])' "$tmp/json")"
else
	skip "vroot diff --json" "python3 not installed"
fi

# reset: refused while a session runs in the prefix, then empties it.
mkdir "$tmp/sync"
"$VROOT" run --base "$b" --base / --prefix "$p" --mount "$tmp/sync:/sync" -- \
	sh -c ': >/sync/started; exec sleep 30' &
bg=$!
i=0
while [ ! -e "$tmp/sync/started" ] && [ $i -lt 600 ]; do
	sleep 0.05
	i=$((i + 1))
done
capture reset "$VROOT" reset --prefix "$p"
kill "$bg" 2>/dev/null || true
wait "$bg" 2>/dev/null || true
if [ "$rc" = 125 ] && grep -q "is in use by running programs (process [0-9 ]*); end them first" \
	"$tmp/reset.err" && [ -e "$p/etc/added" ]; then
	ok "vroot reset while a session runs: refused, the prefix kept"
else
	echo "status $rc" >>"$tmp/reset.err"
	not_ok "vroot reset while a session runs: refused, the prefix kept" "$tmp/reset.err"
fi

capture reset "$VROOT" reset --prefix "$p"
is "vroot reset: status 0, the prefix and its work directory empty but for the settings" \
	"0||settings" \
	"$rc|$(ls -A "$p")|$(ls -A "$p.work")"
is "after vroot reset: nothing to list" "" "$(d)"
is "after vroot reset: the base shows again" "hello" \
	"$("$VROOT" run --base "$b" --base / --prefix "$p" -- cat /etc/motd)"

capture bad "$VROOT" diff --prefix "$tmp/missing"
is "vroot diff of a missing prefix: one line naming it, status 125" \
	"125 1 yes" "$rc $(wc -l <"$tmp/bad.err") $(grep -q "$tmp/missing" "$tmp/bad.err" && echo yes)"

# --name NAME: the named prefix, over the bases it remembers.
X=$tmp/xdg
capture made env XDG_DATA_HOME="$X" "$VROOT" run --name nm --base "$b" --base / -- \
	sh -c 'echo changed >/etc/motd; rm /etc/gone; echo n >/etc/nm'
made=$rc
capture nd env XDG_DATA_HOME="$X" "$VROOT" diff --name nm
is "vroot diff --name: the named prefix against the bases it remembers" \
	"0|0|D /etc/gone C /etc/motd A /etc/nm" \
	"$made|$rc|$(sort -k2 "$tmp/nd.out" | tr '\n' ' ' | sed 's/ $//')"
capture nb env XDG_DATA_HOME="$X" "$VROOT" diff --name nm --prefix "$p"
is "vroot diff --name and --prefix: refused in one line" "125 1" "$rc $(wc -l <"$tmp/nb.err")"
capture nr env XDG_DATA_HOME="$X" "$VROOT" reset --name nm
is "vroot reset --name: the named prefix emptied, its settings kept" \
	"0||settings" "$rc|$(ls -A "$X/vroot/nm")|$(ls -A "$X/vroot/nm.work")"
capture nbad env XDG_DATA_HOME="$X" "$VROOT" reset --name ../nm
is "vroot reset --name with a slash: refused, nothing removed" "125 settings" \
	"$rc $(ls -A "$X/vroot/nm.work")"
done_testing
