#!/bin/sh
# trap-cost.sh - cost of one trapped newfstatat: 1e6 calls natively and
# through build/vroot-loader (pass-through dispatch), 7 interleaved rounds,
# medians in ns per call.  Needs build/tests/loader/statloop (built by
# passthrough.sh).  Not a test: prints numbers.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
L="$top/build/vroot-loader"
S="$top/build/tests/loader/statloop"
N=${N:-1000000}
nat="" vr=""
for i in 1 2 3 4 5 6 7; do
	nat="$nat $("$S" "$N" /etc/passwd)"
	vr="$vr $("$L" "$S" "$N" /etc/passwd)"
done
med() { echo "$@" | tr ' ' '\n' | grep . | sort -n | sed -n 4p; }
echo "native newfstatat:  $(med $nat) ns/call   (rounds:$nat)"
echo "through the loader: $(med $vr) ns/call   (rounds:$vr)"
