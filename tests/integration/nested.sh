#!/bin/sh
# nested.sh - vroot run inside vroot run: the inner session's namespace is
# composed on top of the outer one.  Its --prefix and --base are paths of
# the outer namespace, so what the inner session writes lands in its
# prefix inside the outer prefix, and the host is never touched; programs,
# exit statuses and virtual paths behave as in a single session, and so do
# removals and changes of lower names (the inner session's whiteouts and
# attributes are kept by the outer one as a program's, not as its own).
# Up to 4 sessions nest; a fifth is refused with one line.
set -eu
. "$(dirname "$0")/lib.sh"
plan 29

mkdir "$tmp/shared"
O=$tmp/outer
I=$tmp/inner
# nest ARGS...: ARGS run in a session inside a session.
nest() { "$VROOT" run --prefix "$O" -- "$VROOT" run --prefix "$I" "$@"; }
# errs NAME: the stderr of capture NAME.
errs() { cat "$tmp/$1.err"; }

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
# its prefix: a 0:0 character device, which the outer session keeps as a
# program's (a record on an empty file, as for a faked root's devices),
# never as a whiteout of its own.  The inner start has nothing to warn of.
is "the inner session starts without a warning" "" "$(cat "$tmp/hi.err")"
capture rm nest -- sh -c "rm -rf \"$tmp/shared\" 2>/dev/null; test -e \"$tmp/shared\" && echo there || echo gone"
capture rm2 "$VROOT" run --prefix "$O" -- sh -c "test -d \"$tmp/shared\" && echo there"
is "a removal inside the inner session stays in it" "gone there" \
	"$(cat "$tmp/rm.out") $(cat "$tmp/rm2.out")"
capture wo "$VROOT" run --prefix "$O" -- stat -c '%F %t:%T' "$I$tmp/shared"
is "... the outer session shows the whiteout as a 0:0 device" "character special file 0:0" \
	"$(cat "$tmp/wo.out")$(errs wo)"
is "... and keeps it as an empty file with a record" "regular empty file" \
	"$(stat -c %F "$O$I$tmp/shared")"

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

# Removals and renames of lower names, a file of two links changed, and a
# listing after: two and three sessions deep as in one.  The host keeps
# everything; the outer session sees none of it.
mkdir -p "$tmp/base/d/e" "$tmp/base/keep"
for f in f a b d/x d/e/y keep/z; do printf '%s\n' "$f" >"$tmp/base/$f"; done
ln "$tmp/base/a" "$tmp/base/l1"
ln "$tmp/base/a" "$tmp/base/l2"
ln "$tmp/base/keep/z" "$tmp/base/z2"
script='cd "$1" && rm f && rm -rf d && mv a b && echo more >>l1 &&
	ls -A && cat b l2 && stat -c "%n %h" l1 l2 z2 keep/z && ln keep/z keep/z3 &&
	stat -c "%h" z2 && for n in f d a; do test -e $n && echo "$n is back"; done;
	mkdir d && ls -A d && echo x >f && cat f && ls -A'
ref=$("$VROOT" run --prefix "$tmp/p1" -- sh -c "$script" sh "$tmp/base" 2>&1)
capture n2 nest -- sh -c "$script" sh "$tmp/base"
is "two sessions deep: rm, rm -rf, mv over a base name, a shared file changed" \
	"0 $ref" "$rc $(cat "$tmp/n2.out")$(errs n2)"
capture n2b nest -- ls -A "$tmp/base"
is "... a second inner run lists what the first left" \
	"$("$VROOT" run --prefix "$tmp/p1" -- ls -A "$tmp/base" 2>&1)" "$(cat "$tmp/n2b.out")$(errs n2b)"
capture n2c "$VROOT" run --prefix "$O" -- ls -A "$tmp/base"
is "... the outer session sees the base as it is" "$(ls -A "$tmp/base")" \
	"$(cat "$tmp/n2c.out")$(errs n2c)"
is "... and so does the host" "a b d f keep l1 l2 z2 a 3" \
	"$(cd "$tmp/base" && echo * $(cat a) $(stat -c %h a))"
v3() {
	"$VROOT" run --prefix "$tmp/m1" -- "$VROOT" run --prefix "$tmp/m2" -- \
		"$VROOT" run --prefix "$tmp/m3" "$@"
}
capture n3 v3 -- sh -c "$script" sh "$tmp/base"
is "three sessions deep: the same" "0 $ref" "$rc $(cat "$tmp/n3.out")$(errs n3)"
capture n3b "$VROOT" run --prefix "$tmp/m1" -- "$VROOT" run --prefix "$tmp/m2" -- \
	ls -A "$tmp/base"
is "... the middle session sees the base as it is" "$(ls -A "$tmp/base")" \
	"$(cat "$tmp/n3b.out")$(errs n3b)"

# A faked root outside: the copies the inner session makes keep the mode
# they show (their O_TMPFILE file's fchmod answers for the file itself).
capture fr "$VROOT" run --fake-root --prefix "$tmp/f1" -- "$VROOT" run --prefix "$tmp/f2" -- \
	sh -c "cd \"$tmp/base\" && echo n >>b && chmod 640 keep/z && stat -c '%a %s' b keep/z"
is "under a faked root: a copy-up keeps its mode" "0 644 4
640 7" "$rc $(cat "$tmp/fr.out")$(errs fr)"

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
