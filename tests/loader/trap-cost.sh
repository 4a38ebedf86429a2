#!/bin/sh
# trap-cost.sh - cost of trapped calls: 1e6 newfstatat natively and through
# build/vroot-loader (pass-through dispatch); the same by glibc's fstatat
# wrapper natively, through the loader with its site rewritten, and with
# rewriting off (VROOT_REWRITE=0: every call traps); and AF_UNIX datagrams received
# by recv, recvfrom with an address, recvmsg without and with a name
# (recvfrom traps only with an address; recvmsg always), 7 interleaved
# rounds, medians in ns per call.  Needs build/tests/loader/{statloop,recvloop}
# (built by passthrough.sh).  Not a test: prints numbers.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
L="$top/build/vroot-loader"
S="$top/build/tests/loader/statloop"
R="$top/build/tests/loader/recvloop"
N=${N:-1000000}
RN=${RN:-$((N / 5))}
med() { echo "$@" | tr ' ' '\n' | grep . | sort -n | sed -n 4p; }
nat="" vr=""
for i in 1 2 3 4 5 6 7; do
	nat="$nat $("$S" "$N" /etc/passwd)"
	vr="$vr $("$L" "$S" "$N" /etc/passwd)"
done
echo "native newfstatat:  $(med $nat) ns/call   (rounds:$nat)"
echo "through the loader: $(med $vr) ns/call   (rounds:$vr)"
nat="" rw="" tr=""
for i in 1 2 3 4 5 6 7; do
	nat="$nat $("$S" "$N" /etc/passwd libc)"
	rw="$rw $(VROOT_REWRITE=1 "$L" "$S" "$N" /etc/passwd libc)"
	tr="$tr $(VROOT_REWRITE=0 "$L" "$S" "$N" /etc/passwd libc)"
done
echo "fstatat natively:              $(med $nat) ns/call   (rounds:$nat)"
echo "fstatat, site rewritten:       $(med $rw) ns/call   (rounds:$rw)"
echo "fstatat, trapped (rewrite off): $(med $tr) ns/call   (rounds:$tr)"
[ -x "$R" ] || exit 0
for mode in recv recvfrom recvmsg recvname; do
	nat="" vr=""
	for i in 1 2 3 4 5 6 7; do
		nat="$nat $("$R" "$RN" "$mode")"
		vr="$vr $("$L" "$R" "$RN" "$mode")"
	done
	echo "write + $mode: native $(med $nat) ns, through the loader $(med $vr) ns"
done
