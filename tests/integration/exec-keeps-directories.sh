#!/bin/sh
# exec-keeps-directories.sh - a new program image keeps the directories its
# session opened: a mount's host directory renamed (or replaced) on the
# host while the session runs stays what the mount shows, before and after
# an exec, as a kernel mount stays bound to its directory; files the
# session made through it land in the renamed directory.  Also with a
# session that fakes root (as root its helper's socket goes along).
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd timeout
plan 8

# run_case NAME DIR VDIR VROOT-OPTIONS...: a session whose program waits
# for the host to move DIR (shown at VDIR) away and put an empty directory
# in its place, then reads VDIR/f with the shell itself and with a program
# it starts (an exec), writes VDIR/new and reads it back through another
# image.
run_case() {
	name=$1 d=$2 vd=$3
	shift 3
	c=$tmp/$name.ctl
	mkdir -p "$d" "$c"
	echo before >"$d/f"
	script=": >/ctl/ready
w=0
while [ ! -e /ctl/go ] && [ \$w -lt 400 ]; do sleep 0.05; w=\$((w + 1)); done
read -r a <$vd/f
b=\$(cat $vd/f)
echo made >$vd/new
c=\$(sh -c 'cat $vd/new')
echo \"\$a \$b \$c\""
	"$VROOT" run --prefix "$tmp/$name.p" --mount "$c:/ctl" "$@" -- \
		sh -c "$script" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null &
	pid=$!
	w=0
	while [ ! -e "$c/ready" ] && [ $w -lt 400 ]; do
		sleep 0.05
		w=$((w + 1))
	done
	mv "$d" "$d.moved"
	mkdir "$d"
	: >"$c/go"
	set +e
	timeout 60 sh -c "while kill -0 $pid 2>/dev/null; do sleep 0.05; done"
	wait "$pid"
	rc=$?
	set -e
	is "$name: the program ends well" 0 "$rc"
	is "$name: ${vd:-/} still shows its directory, also to new images" \
		"before before made" "$(cat "$tmp/$name.out")"
	if [ -s "$tmp/$name.err" ]; then diag "stderr: $(cat "$tmp/$name.err")"; fi
}

run_case mount "$tmp/m" /m --mount "$tmp/m:/m"
is "mount: what the session wrote is in the moved directory" made "$(cat "$tmp/m.moved/new")"
run_case fakeroot "$tmp/fm" /m --mount "$tmp/fm:/m" --fake-root
run_case base "$tmp/b" "" --base "$tmp/b" --base /
is "base: the session wrote into its prefix, not the moved base" "f" "$(ls "$tmp/b.moved")"
