#!/bin/sh
# proc-self.sh - what a program learns about itself through /proc and
# /dev/fd names the virtual tree: /proc/self/exe (a static busybox and a
# dynamic program copied into a --base tree), /proc/PID/{exe,cwd,fd/N} of
# its own pid, /dev/fd/N, comm, cmdline, the environment; bash process
# substitution; /dev/stdout, /dev/stdin and /dev/stderr on pipes and on
# files; descriptors numbered as natively (lowest free first).
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd bash readlink perl
plan 36

T=$tmp/tree
mktree "$T" /virt
# vm ARGS...: vr with the tree mounted at /virt.
vm() { vr --mount "$T:/virt" "$@"; }

# --- process substitution, /dev/std* ----------------------------------------
is "bash: cat <(…) <(…)" "one
two" "$(vr -- bash -c 'cat <(echo one) <(echo two)' 2>&1)"
is "bash: paste <(…) <(…)" "a	1
b	2" "$(vr -- bash -c 'paste <(printf "a\nb\n") <(printf "1\n2\n")' 2>&1)"
is "bash: done < <(…)" "<p><q>" \
	"$(vr -- bash -c 'while read -r l; do printf "<%s>" "$l"; done < <(printf "p\nq\n")' 2>&1)"
is "bash: > >(…)" "UP" "$(vr -- bash -c 'echo up > >(tr a-z A-Z); wait' 2>&1)"
is "bash: diff <(ls) <(ls) of a mounted dir" "same" \
	"$(vm -- bash -c 'diff <(ls /virt/a) <(cd /virt/a && ls) && echo same' 2>&1)"
is "echo > /dev/stdout into a pipe" "hi" "$(vr -- sh -c 'echo hi > /dev/stdout' | cat)"
is "cat /dev/stdout into a pipe" "alpha" "$(vm -- sh -c 'cat /virt/a/f1 > /dev/stdout' | cat)"
is "cp FILE /dev/stdout into a pipe" "alpha" "$(vm -- cp /virt/a/f1 /dev/stdout | cat)"
is "tee /dev/fd/3 into a pipe" "via-fd3" \
	"$(vr -- sh -c 'exec 3>&1; echo via-fd3 | tee /dev/fd/3 >/dev/null' | cat)"
is "cat /dev/stdin from a pipe" "abc" "$(printf abc | vr -- cat /dev/stdin | cat)"
is "echo > /dev/stderr into a pipe" "e" \
	"$(vr -- sh -c 'echo e > /dev/stderr' 2>&1 >/dev/null | cat)"
printf 'from a file\n' >"$tmp/in"
is "cat /dev/stdin from a file" "from a file" "$(vr -- cat /dev/stdin <"$tmp/in")"
# Opening /dev/stderr reopens the file fd 2 is: natively the same file.
vr -- sh -c 'echo to-stderr > /dev/stderr' 2>"$tmp/errfile" || true
is "echo > /dev/stderr, stderr a file: lands in that file" "to-stderr" "$(cat "$tmp/errfile")"
vr -- sh -c 'echo first; echo second >> /dev/stdout' >"$tmp/outfile" || true
is "echo >> /dev/stdout, stdout a file: appends to it" "first
second" "$(cat "$tmp/outfile")"

# --- /proc/self/exe ---------------------------------------------------------
rl=$(readlink -f "$(command -v readlink)")
is "readlink /proc/self/exe of a host program" "$rl" "$(vr -- readlink /proc/self/exe 2>&1)"
mkdir -p "$tmp/b2/usr/local/bin"
cp "$rl" "$tmp/b2/usr/local/bin/vroot-test-rl"
is "a dynamic program copied into a --base: /proc/self/exe" "/usr/local/bin/vroot-test-rl" \
	"$(vr --base "$tmp/b2" --base / -- /usr/local/bin/vroot-test-rl /proc/self/exe 2>&1)"
bb=
for c in /bin/busybox /usr/bin/busybox; do
	if [ -x "$c" ] && file -L "$c" 2>/dev/null | grep -q 'statically linked'; then bb=$c; fi
done
if [ -n "$bb" ]; then
	B=$tmp/bbroot
	mkdir -p "$B/bin"
	cp "$bb" "$B/bin/busybox"
	for a in sh readlink ls cat; do ln -s busybox "$B/bin/$a"; done
	is "static busybox in a --base: /proc/self/exe" "/bin/busybox" \
		"$(vr --base "$B" -- /bin/busybox readlink /proc/self/exe 2>&1)"
	is "... through a symlink to it" "/bin/busybox" \
		"$(vr --base "$B" -- /bin/readlink /proc/self/exe 2>&1)"
	is "... ls -l /proc/self/exe" "/proc/self/exe -> /bin/busybox" \
		"$(vr --base "$B" -- /bin/ls -l /proc/self/exe 2>&1 | sed 's/.* \/proc/\/proc/')"
	is "... /proc/\$\$/exe of the shell itself" "/bin/busybox" \
		"$(vr --base "$B" -- /bin/sh -c 'readlink /proc/$$/exe' 2>&1)"
	is "... realpath /proc/self/exe" "/bin/busybox" \
		"$(vr --base "$B" -- /bin/busybox realpath /proc/self/exe 2>&1)"
else
	skip_n 5 "no static busybox (busybox-static not installed)"
fi

# Another process's exe (here the shell's, read by its child readlink).
bash_path=$(readlink -f "$(command -v bash)")
is "readlink /proc/\$\$/exe of the shell, from a child" "$bash_path" \
	"$(vr -- bash -c 'readlink /proc/$$/exe; :' 2>&1)"
is "cat /proc/\$\$/comm of the shell, from a child" "bash" \
	"$(vr -- bash -c 'cat /proc/$$/comm; :' 2>&1)"
cmdl='tr "\0" "|" </proc/$$/cmdline; :'
is "/proc/\$\$/cmdline of the shell, from a child" "$(bash -c "$cmdl")" \
	"$(vr -- bash -c "$cmdl" 2>&1)"

# --- cwd, fds, root ---------------------------------------------------------
is "readlink /proc/self/cwd in a mount" "/virt/a/b" \
	"$(vm --cwd /virt/a/b -- readlink /proc/self/cwd 2>&1)"
is "readlink /proc/\$\$/cwd of the shell" "/virt/a/b" \
	"$(vm --cwd /virt/a/b -- sh -c 'readlink /proc/$$/cwd' 2>&1)"
is "readlink /proc/self/fd/7 of an inherited fd" "/virt/a/f1" \
	"$(vm -- sh -c 'exec 7</virt/a/f1; readlink /proc/self/fd/7' 2>&1)"
is "readlink /proc/\$\$/fd/7 of the shell's fd" "/virt/a/f1" \
	"$(vm -- sh -c 'exec 7</virt/a/f1; readlink /proc/$$/fd/7' 2>&1)"
is "readlink /dev/fd/7" "/virt/a/f1" \
	"$(vm -- sh -c 'exec 7</virt/a/f1; readlink /dev/fd/7' 2>&1)"
is "readlink -f /dev/fd/7" "/virt/a/f1" \
	"$(vm -- sh -c 'exec 7</virt/a/f1; readlink -f /dev/fd/7' 2>&1)"
is "readlink /proc/self/root" "/" "$(vr -- readlink /proc/self/root 2>&1)"
# The descriptors a process has are the ones it would have natively.
sh -c 'ls /proc/$$/fd' >"$tmp/fds.native" 2>&1
vr -- sh -c 'ls /proc/$$/fd' >"$tmp/fds.vroot" 2>&1 || true
is_file "ls /proc/\$\$/fd lists the program's fds only" "$tmp/fds.native" "$tmp/fds.vroot"
fdprog='close STDIN; open(A, "<", $ARGV[0]) or die "$!"; open(B, "<", $ARGV[0]) or die "$!";
	print fileno(A), " ", fileno(B), "\n"'
is "open returns the lowest free descriptor" "$(perl -e "$fdprog" "$T/a/f1" 2>&1)" \
	"$(vm -- perl -e "$fdprog" /virt/a/f1 2>&1)"

# --- comm, cmdline, environment ---------------------------------------------
is "/proc/self/comm names the program" "cat" "$(vr -- cat /proc/self/comm 2>&1)"
is "/proc/self/cmdline is the program's argv" "cat|/proc/self/cmdline|" \
	"$(vr -- cat /proc/self/cmdline | tr '\0' '|')"
env | grep -v '^_=' | sort >"$tmp/env.native"
vr -- env | grep -v '^_=' | sort >"$tmp/env.vroot"
is_file "the environment is the caller's, nothing added" "$tmp/env.native" "$tmp/env.vroot"
done_testing
