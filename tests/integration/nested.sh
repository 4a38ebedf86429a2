#!/bin/sh
# nested.sh - vroot run inside vroot run: the inner session's namespace is
# composed on top of the outer one.  Its --prefix and --base are paths of
# the outer namespace, so what the inner session writes lands in its
# prefix inside the outer prefix, and the host is never touched; programs,
# exit statuses and virtual paths behave as in a single session.  Up to 4
# sessions nest; a fifth is refused with one line.  Known gaps are marked
# TODO: deleting lower names inside a nested session.
set -eu
. "$(dirname "$0")/lib.sh"
plan 22

mkdir "$tmp/shared"
O=$tmp/outer
I=$tmp/inner
# nest ARGS...: ARGS run in a session inside a session.
nest() { "$VROOT" run --prefix "$O" -- "$VROOT" run --prefix "$I" "$@"; }
# errs NAME: the stderr of capture NAME without the warning an inner
# session's start prints (its prefix cannot hold whiteouts: see below).
errs() { grep -v '^vroot: warning: .*whiteouts' "$tmp/$1.err" || true; }

capture hi nest -- sh -c 'echo hi'
is "two levels: echo" "0 hi" "$rc $(cat "$tmp/hi.out")$(errs hi)"

capture rw "$VROOT" run --prefix "$O" --cwd "$tmp/shared" -- sh -c \
	"echo outer >o && \"$VROOT\" run --prefix \"$I\" -- sh -c 'cat o && echo inner >i && cat i && pwd' && \
	 test ! -e i && cat \"$I$tmp/shared/i\""
is "the inner session sees the outer's files, writes into its own prefix" \
	"outer
inner
$tmp/shared
inner" "$(cat "$tmp/rw.out")$(errs rw)"
is "... which lies in the outer prefix" "inner" "$(cat "$O$I$tmp/shared/i" 2>&1)"
is "... and nothing reached the host" "" "$(ls -A "$tmp/shared"; ls -d "$I" 2>/dev/null)"

capture st nest -- sh -c 'sh -c "exit 7"'
is "exit status through two levels" "7" "$rc"
capture sig nest -- sh -c 'kill -TERM $$'
is "death by a signal through two levels" "143" "$rc"
capture exe nest -- readlink /proc/self/exe
is "/proc/self/exe names the program" "/usr/bin/readlink" "$(cat "$tmp/exe.out")"
capture py nest -- python3 -c 'import os, subprocess; print(os.getcwd() == os.path.realpath("."), subprocess.run(["sh", "-c", "echo sub"], capture_output=True).stdout.decode().strip())'
is "python3 and a subprocess" "True sub" "$(cat "$tmp/py.out")"
capture ls nest -- sh -c 'ls /proc/self/fd'
is "no session's descriptors show in /proc/self/fd" "$(sh -c 'ls /proc/self/fd' </dev/null 2>&1)" \
	"$(cat "$tmp/ls.out")"

# Deleting a name the inner session's lower layers hold needs a whiteout in
# its prefix: a 0:0 character device, which the outer session does not let
# programs make (it would be a whiteout of its own; kernel overlayfs
# refuses it too).  The inner vroot run says so when it starts.
is "the inner session warns that its prefix cannot hold whiteouts" "1" \
	"$(grep -c '^vroot: warning: .*whiteouts' "$tmp/hi.err")"
capture rm nest -- sh -c "rm -rf \"$tmp/shared\" 2>/dev/null; test -e \"$tmp/shared\" && echo there || echo gone"
capture rm2 "$VROOT" run --prefix "$O" -- sh -c "test -d \"$tmp/shared\" && echo there"
TODO="whiteouts of a nested session: the outer session refuses 0:0 devices"
is "a removal inside the inner session stays in it" "gone there" \
	"$(cat "$tmp/rm.out") $(cat "$tmp/rm2.out")"
TODO=

# ... with advice that holds inside a session, and none with --quiet.
is "... saying why: inside another session, not the filesystem" "1 0" \
	"$(grep -c 'inside another vroot session' "$tmp/hi.err") $(grep -c 'ext4' "$tmp/hi.err")"
capture q "$VROOT" run --prefix "$O" -- "$VROOT" run --quiet --prefix "$I" -- sh -c 'echo hi'
is "--quiet: no warning, the program runs" "0 hi " "$rc $(cat "$tmp/q.out") $(cat "$tmp/q.err")"

# Changing a file the inner session's lower layers hold copies it up into
# the inner prefix (through an O_TMPFILE file linked by /proc/self/fd/N):
# a write, touch and chmod, as in one session; the host file stays.
mkdir "$tmp/low"
for f in w t m; do printf 'low\n' >"$tmp/low/$f"; done
chmod 644 "$tmp/low/m"
touch -d @1600000000 "$tmp/low/t"
capture ch nest -- sh -c "cd \"$tmp/low\" && echo new >w && cat w && touch t && chmod 600 m &&
	stat -c '%a' m && test \"\$(stat -c %Y t)\" != 1600000000 && echo touched"
is "inside two sessions: write, touch, chmod a lower file" "0 new
600
touched" "$rc $(cat "$tmp/ch.out")$(errs ch)"
is "... the host files unchanged" "low low 644 1600000000" \
	"$(cat "$tmp/low/w") $(cat "$tmp/low/t") $(stat -c '%a' "$tmp/low/m") $(stat -c %Y "$tmp/low/t")"
capture ch2 nest -- sh -c "cat \"$tmp/low/w\"; stat -c %a \"$tmp/low/m\""
is "... a second inner run sees the changes" "new
600" "$(cat "$tmp/ch2.out")"
capture ch3 "$VROOT" run --prefix "$O" -- cat "$tmp/low/w"
is "... the outer session does not" "low" "$(cat "$tmp/ch3.out")"

# Four levels, and a fifth refused.
v4() {
	"$VROOT" run --prefix "$tmp/l1" -- "$VROOT" run --prefix "$tmp/l2" -- \
		"$VROOT" run --prefix "$tmp/l3" -- "$VROOT" run --prefix "$tmp/l4" "$@"
}
capture four v4 -- sh -c 'echo four'
is "four levels" "0 four" "$rc $(cat "$tmp/four.out")"
capture five v4 -- "$VROOT" run --prefix "$tmp/l5" -- sh -c 'echo five'
is "a fifth level: 125" "125" "$rc"
is "... one line saying so, nothing on stdout" "1 yes " \
	"$(errs five | wc -l) $(grep -q 'nested too deeply' "$tmp/five.err" && echo yes) $(cat "$tmp/five.out")"
is "... and no fifth prefix anywhere" "" \
	"$(find "$tmp/l1" "$tmp/l2" "$tmp/l3" "$tmp/l4" -name l5 2>/dev/null; ls -d "$tmp/l5" 2>/dev/null)"

# Go gives every thread its own 32 KiB signal stack, on which the handlers
# of both sessions run, one above the other.
if have go; then
	(cd "$top/tests/loader/helpers" && GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0 \
		GOCACHE="$tmp/gocache" GOPATH="$tmp/gopath" go build -o "$tmp/hello-go" hello.go)
	capture go nest -- "$tmp/hello-go"
	is "a Go program in a nested session: exe, a child, its cwd" \
		"0 go hello exe=$tmp/hello-go child=from-child wd=$PWD" "$rc $(cat "$tmp/go.out")"
else
	skip "a Go program in a nested session" "go not installed"
fi
done_testing
