#!/bin/sh
# confine.sh - a hostile program (tests/loader/helpers/hostile.c) that
# calls the trusted syscall stub itself, mprotects or remaps the trusted
# page, writes its own code there through /proc/self/mem, or has a traced
# child run the stub, opens a base file and a host file outside the
# namespace for writing: without --confine it gets through (vroot is not a
# sandbox), with --confine the kernel refuses (EACCES) and both files stay
# byte for byte what they were.  With --confine, ptrace of a process
# outside and signals to it are refused (EPERM), ordinary programs (sh, ls,
# a compile, python) still work, and a kernel whose Landlock is too old
# makes vroot say so in one line.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc python3

abi=$(python3 -c '
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
print(max(libc.syscall(444, None, 0, 1), 0))')
if [ "$abi" -lt 3 ]; then
	echo "1..0 # SKIP the kernel has Landlock ABI $abi (--confine needs 3, Linux 6.2)"
	trap - EXIT
	cleanup
	exit 0
fi
plan 32

B=$tmp/base
H=$tmp/host
mkdir -p "$B" "$H"
gcc -O2 -Wall -static -mno-red-zone -o "$B/hostile" "$top/tests/loader/helpers/hostile.c"
printf 'base file\n' >"$B/target"
printf 'host file outside\n' >"$H/secret"
cp "$B/target" "$tmp/target.orig"
cp "$H/secret" "$tmp/secret.orig"

# attack CONFINE MODE: run the hostile program; its report in $tmp/MODE.out.
attack() {
	capture "$2" "$VROOT" run $1 --base "$B" --prefix "$tmp/prefix" -- \
		/hostile "$2" "$B/target" "$H/secret"
}

restore() {
	cp "$tmp/target.orig" "$B/target"
	cp "$tmp/secret.orig" "$H/secret"
}

for mode in stub mprotect remap procmem ptrace; do
	# Without --confine: the escape works, which is what --confine is for.
	attack "" $mode
	printf '%s %s: escaped\n' $mode "$B/target" $mode "$H/secret" >"$tmp/want"
	is_file "$mode: without --confine the program writes host files" "$tmp/want" \
		"$tmp/$mode.out"
	if cmp -s "$B/target" "$tmp/target.orig"; then
		not_ok "$mode: without --confine the base file changed"
	else
		ok "$mode: without --confine the base file changed"
	fi
	restore

	attack --confine $mode
	printf '%s %s: EACCES\n' $mode "$B/target" $mode "$H/secret" >"$tmp/want"
	is_file "$mode: --confine refuses both writes with EACCES" "$tmp/want" "$tmp/$mode.out"
	if cmp -s "$B/target" "$tmp/target.orig" && cmp -s "$H/secret" "$tmp/secret.orig"; then
		ok "$mode: --confine leaves the base and the host file byte for byte"
	else
		not_ok "$mode: --confine leaves the base and the host file byte for byte"
	fi
	restore
done

# A process outside the namespace, of the same user.
sleep 300 &
outside=$!
capture att "$VROOT" run --confine --base "$B" --prefix "$tmp/prefix" -- /hostile attach $outside
is "--confine: ptrace of a process outside is refused" "attach $outside: EPERM" \
	"$(cat "$tmp/att.out")"
capture att "$VROOT" run --base "$B" --prefix "$tmp/prefix" -- /hostile attach $outside
is "without --confine: ptrace of a process outside works" "attach $outside: escaped" \
	"$(cat "$tmp/att.out")"
# From here the host's root is the base: a prefix of its own (a prefix keeps
# the bases it was made with).
if [ "$abi" -ge 6 ]; then
	capture sig "$VROOT" run --confine --prefix "$tmp/host-prefix" -- \
		python3 -c "import os, sys
try:
    os.kill($outside, 0)
    print('sent')
except OSError as e:
    print(e.strerror)"
	is "--confine: a signal to a process outside is refused" "Operation not permitted" \
		"$(cat "$tmp/sig.out")"
else
	skip "--confine: a signal to a process outside is refused" "Landlock ABI $abi < 6"
fi
capture sig "$VROOT" run --prefix "$tmp/host-prefix" -- sh -c "kill -0 $outside && echo sent"
is "without --confine: a signal to a process outside is sent" sent "$(cat "$tmp/sig.out")"
kill $outside
wait $outside 2>/dev/null || true

# Ordinary programs, in the default namespace (the host's root as the base).
cat >"$tmp/work.sh" <<'EOF'
set -e
cd /tmp
mkdir -p confined && cd confined
printf 'int main(void) { return 7; }\n' >seven.c
cc -o seven seven.c
set +e
./seven
echo "status $?"
set -e
ls
ls /usr/bin/env >/dev/null && echo ls ok
echo redirected >/dev/null && echo devnull ok
python3 -c 'import json, os; print(json.dumps(sorted(os.listdir("."))))'
EOF
capture ord "$VROOT" run --confine --prefix "$tmp/host-prefix" -- sh "$tmp/work.sh"
printf 'status 7\nseven\nseven.c\nls ok\ndevnull ok\n["seven", "seven.c"]\n' >"$tmp/want"
is_file "--confine: sh, cc, ls, python3 work" "$tmp/want" "$tmp/ord.out"
is "--confine: status 0, nothing on stderr" "0:" "$rc:$(cat "$tmp/ord.err")"
[ -e /tmp/confined ] && not_ok "--confine: the compile stayed in the prefix" ||
	ok "--confine: the compile stayed in the prefix"

# /proc is read-only under --confine: no program rewrites the loader.
capture pm "$VROOT" run --confine --prefix "$tmp/host-prefix" -- \
	python3 -c "
try:
    open('/proc/self/mem', 'r+b')
    print('opened')
except OSError as e:
    print(e.strerror)"
is "--confine: /proc/self/mem cannot be opened for writing" "Permission denied" \
	"$(cat "$tmp/pm.out")"

# Older kernels: one line, and a refusal when the bases cannot be kept read-only.
capture old env VROOT_CONFINE_ABI=5 "$VROOT" run --confine --prefix "$tmp/host-prefix" -- echo ran
is "ABI 5: the program runs" "ran" "$(cat "$tmp/old.out")"
is "ABI 5: one warning line naming what is not confined" \
	"1 abstract UNIX sockets and signals" \
	"$(wc -l <"$tmp/old.err") $(grep -o 'abstract UNIX sockets and signals' "$tmp/old.err")"
capture old env VROOT_CONFINE_ABI=2 "$VROOT" run --confine --prefix "$tmp/host-prefix" -- echo ran
is "ABI 2: refused with status 125, one line naming ABI 3" "125 1 1 0" \
	"$rc $(wc -l <"$tmp/old.err") $(grep -c 'needs ABI 3' "$tmp/old.err") $(wc -c <"$tmp/old.out")"
capture old env VROOT_CONFINE_ABI=0 "$VROOT" run --confine --prefix "$tmp/host-prefix" -- echo ran
is "no Landlock: refused with status 125, one line" "125 1 1" \
	"$rc $(wc -l <"$tmp/old.err") $(grep -c 'no Landlock' "$tmp/old.err")"
done_testing
