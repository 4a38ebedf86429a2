#!/bin/sh
# fuzz.sh - a bounded libFuzzer run (25 s each) of the walk
# against the kernel's openat2(RESOLVE_IN_ROOT) and of the merged
# listing's getdents64/telldir/seekdir state machine (tests/fuzz/), from
# the corpus in tests/fuzz/corpus.  Needs clang and its fuzzer runtime
# (deps.sh installs them as root); skips saying so when they are missing.
# A long run: tests/fuzz/run.sh.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd clang make

printf 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }\n' >"$tmp/probe.c"
if ! clang -fsanitize=fuzzer,address,undefined -o "$tmp/probe" "$tmp/probe.c" \
	>"$tmp/probe.log" 2>&1; then
	echo "1..0 # SKIP clang cannot link libFuzzer (libclang-rt-14-dev not installed)"
	trap - EXIT
	cleanup
	exit 0
fi
plan 4

secs=${VROOT_FUZZ_SECONDS:-25}
if ! make -s -C "$top" fuzz >"$tmp/build.log" 2>&1; then
	not_ok "the fuzz targets build" "$tmp/build.log"
	done_testing
fi
for t in walk readdir; do
	mkdir -p "$tmp/corpus-$t"
	capture "$t" "$top/build/fuzz/${t}_fuzz" -max_total_time="$secs" -timeout=20 \
		-rss_limit_mb=2048 -artifact_prefix="$tmp/" "$tmp/corpus-$t" "$top/tests/fuzz/corpus/$t"
	runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$tmp/$t.err")
	if [ "$rc" = 0 ]; then
		ok "$t: $secs s of fuzzing found nothing ($runs cases)"
	else
		grep -v '^#\|^INFO\|^"' "$tmp/$t.err" | tail -n 40 >"$tmp/$t.tail"
		not_ok "$t: fuzzing found a disagreement (status $rc)" "$tmp/$t.tail"
	fi
	# A run that does almost nothing is no test.
	if [ "${runs:-0}" -ge 200 ]; then
		ok "$t: at least 200 cases ran"
	else
		not_ok "$t: at least 200 cases ran (${runs:-0})"
	fi
done
done_testing
