#!/bin/sh
# embedder-example.sh - examples/vrls, a program that links libvroot.a and
# makes its own namespace, lists and stats virtual directories as a
# program inside `vroot run` sees them: two threads, each with its own
# working directory, stat entries by their relative names; every system
# call the library makes goes through the hook the program gives in its
# namespace spec, which counts them.
set -eu
. "$(dirname "$0")/lib.sh"
plan 4
vrls=$top/build/examples/vrls
if [ ! -x "$vrls" ]; then
	echo "Bail out! $vrls is missing: run make first"
	exit 1
fi

b=$tmp/base
p=$tmp/p
mkdir -p "$b/x/sub" "$b/y/deeper" "$b/x/gone"
echo hello >"$b/x/f"
echo y >"$b/y/g"
ln -s f "$b/x/l"
chmod 600 "$b/y/g"
run() { "$VROOT" run --base "$b" --base / --prefix "$p" -- "$@"; }
capture mk run sh -c 'echo new >/x/new; echo longer >/y/g; rm -r /x/gone; mkfifo /y/fifo'
is "the prefix is changed inside vroot run" "0 " "$rc $(cat "$tmp/mk.err")"

for d in /x /y; do
	echo "cwd $d"
	run sh -c "cd $d && find . -mindepth 1 -maxdepth 1 \\( -type d -printf '%P d %m 0\\n' \\) -o -printf '%P %y %m %s\\n'" | sort
done >"$tmp/want"
capture ls "$vrls" --base "$b" --base / --prefix "$p" /x /y
is "vrls: status 0" "0" "$rc"
is_file "vrls, two threads in two cwds: each listing and stat as inside vroot run" \
	"$tmp/want" "$tmp/ls.out"
calls=$(sed -n 's/^vrls: \([0-9]*\) system calls through the hook$/\1/p' "$tmp/ls.err")
if [ -n "$calls" ] && [ "$calls" -gt 20 ]; then
	ok "the library's system calls went through the embedder's hook ($calls)"
else
	not_ok "the library's system calls went through the embedder's hook" "$tmp/ls.err"
fi
done_testing
