#!/bin/sh
# run.sh - a long fuzzing run of the walk and of the listing state machine.
#
#     tests/fuzz/run.sh [SECONDS] [JOBS]     default: 3600 seconds, 1 job
#
# Builds build/fuzz/*_fuzz (make fuzz), then runs each target for SECONDS
# on a working corpus under build/fuzz/corpus/ (seeded from tests/fuzz/corpus/,
# kept between runs), JOBS processes each.  A disagreement with the kernel
# or with the listing's model stops the target with the case printed and
# saved as build/fuzz/crash-*; replay one with `build/fuzz/walk_fuzz FILE`.
# New inputs worth keeping in the repository's corpus:
#     build/fuzz/walk_fuzz -merge=1 tests/fuzz/corpus/walk build/fuzz/corpus/walk
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-3600}
jobs=${2:-1}
make -C "$top" fuzz
for t in walk readdir; do
	mkdir -p "$top/build/fuzz/corpus/$t"
	cp -n "$top/tests/fuzz/corpus/$t"/* "$top/build/fuzz/corpus/$t"/ 2>/dev/null || true
	echo "== $t: $secs s, $jobs job(s)"
	"$top/build/fuzz/${t}_fuzz" -max_total_time="$secs" -jobs="$jobs" -workers="$jobs" \
		-print_final_stats=1 -artifact_prefix="$top/build/fuzz/" \
		"$top/build/fuzz/corpus/$t"
done
