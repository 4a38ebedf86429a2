#!/bin/sh
# own-descriptors.sh - vroot's own descriptors (the namespace's backing
# directories, kept at high numbers in the program's table) are free numbers
# to the program: every call answers for them what it answers natively for a
# number nobody opened; closing every descriptor, close_range and dup2 or
# dup3 onto those numbers work and leave the namespace working; shells'
# high redirections work; the same at a small descriptor limit and in
# nested sessions.  tests/loader/helpers/free_fds.c does the probing; each
# check compares its output natively and through vroot.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc bash
plan 16

FF=$tmp/free_fds
gcc -O2 -Wall -o "$FF" "$top/tests/loader/helpers/free_fds.c"
T=$tmp/tree
mktree "$T" /virt
# vm ARGS...: vr with the tree mounted at /virt (one more descriptor of vroot's).
vm() { vr --mount "$T:/virt" "$@"; }

# same DESC SCRIPT: the sh SCRIPT natively and through vroot prints the same
# and exits alike.  In SCRIPT, $D is the tree ($T natively, /virt through
# vroot) and $FF the helper; "$FF closeall" first drops whatever descriptors
# this test inherited, so both runs start from the same table.
same() {
	capture native env D="$T" FF="$FF" sh -c "$2"
	echo "exit $rc" >>"$tmp/native.out"
	capture vroot vm -- env D=/virt FF="$FF" sh -c "$2"
	echo "exit $rc" >>"$tmp/vroot.out"
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

limit=$(ulimit -n)
same "fstat, fcntl, fstatfs, read, lseek, dup, getdents, openat, close of 990..1009" \
	'exec $FF closeall $FF probe 990 1009'
same "the same of 3 .. the limit ($limit), at most 1200" \
	"exec \$FF closeall \$FF probe 3 $((limit > 1200 ? 1200 : limit - 1))"
same "ulimit -n 300: 3..299" 'ulimit -n 300 && exec $FF closeall $FF probe 3 299'
same "ulimit -n 40: 3..39" 'ulimit -n 40 && exec $FF closeall $FF probe 3 39'
same "close 3 .. the limit, then ls and an exec" \
	'exec $FF closeall sh -c "ls $D/a; cat $D/a/f1"'
same "close_range(3, ~0U, 0), then ls and an exec" \
	'exec $FF closerange sh -c "ls $D/a; cat $D/a/f1"'

# dup2 onto each number vroot may use: the number is the program's, and
# the namespace (a mount, a base file, exec) still works.
bad=
for fd in $(seq 995 1012); do
	capture native "$FF" dup2 "$fd" "$tmp/nat" /etc/hostname
	capture vroot vm -- "$FF" dup2 "$fd" "$tmp/vr" /virt/a/f1
	sed 's|/virt/a/f1|/etc/hostname|' "$tmp/vroot.out" >"$tmp/vroot.cmp"
	if ! cmp -s "$tmp/native.out" "$tmp/vroot.cmp"; then
		bad="$bad $fd"
		diff "$tmp/native.out" "$tmp/vroot.cmp" >>"$tmp/dup2.diff" || true
	fi
done
if [ -z "$bad" ]; then ok "dup2/dup3 onto 995..1012, then open and exec"; else
	not_ok "dup2/dup3 onto 995..1012, then open and exec: differs for$bad" "$tmp/dup2.diff"
fi
is "the file written through the duplicated number" "through" "$(vr -- cat "$tmp/vr")"

same "bash: exec 1001</dev/null; ls" 'bash -c "exec 1001</dev/null; ls $D/a"'
same "bash: exec N>&- for N in 1000..1010, then ls" \
	'bash -c "for n in \$(seq 1000 1010); do eval \"exec \$n>&-\"; done; ls $D/a"'
same "bash: exec {fd}>FILE, write, read back" \
	"bash -c 'exec {fd}>$tmp/bashfd; echo \$fd; echo hi >&\$fd; exec {fd}>&-; cat $tmp/bashfd'"
same "bash: exec 1000..1010 onto /dev/null, then the namespace and /proc/self/fd" \
	'bash -c "for n in \$(seq 1000 1010); do eval \"exec \$n</dev/null\"; done
		ls \$D/a && cat \$D/a/f1 && ls /proc/self/fd | wc -l"'
same "ls /proc/self/fd after closing everything" 'exec $FF closeall ls /proc/self/fd'

# Nested sessions: each level's descriptors are free numbers to the program.
nest() { vm -- "$VROOT" run --prefix "$tmp/inner" -- "$@"; }
capture native "$FF" closeall "$FF" probe 990 1040
capture vroot nest "$FF" closeall "$FF" probe 990 1040
if cmp -s "$tmp/native.out" "$tmp/vroot.out"; then ok "two sessions deep: 990..1040"; else
	diff "$tmp/native.out" "$tmp/vroot.out" >"$tmp/nest.diff" || true
	not_ok "two sessions deep: 990..1040" "$tmp/nest.diff"
fi
capture vroot nest bash -c 'for n in $(seq 1000 1030); do eval "exec $n</dev/null"; done
	'"$FF"' closeall ls -d /virt/a && cat /virt/a/f1'
is "two sessions deep: redirections onto 1000..1030, close all, exec" "closed 3..$((limit - 1))
/virt/a
alpha" "$(cat "$tmp/vroot.out")"
capture vroot nest "$FF" dup2 1003 "$tmp/nest-dup" /virt/a/f1
is "two sessions deep: dup2 onto 1003" "through" "$(nest cat "$tmp/nest-dup" 2>/dev/null)"
done_testing
