#!/bin/sh
# one-core-build.sh - vroot-loader links the core's objects as libvroot.a
# holds them, not a build of its own: every function of libvroot.a is in
# the loader with the same size (a second compile of src/core with other
# flags or another way to the kernel changes the sizes of most of them),
# and the loader's core reaches the kernel through the system-call hook,
# whose call through a pointer the handler's stack check follows.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd nm perl
plan 3
lib=$top/build/libvroot.a
loader=$top/build/vroot-loader

# functions FILE: "name size" of each function with a size, one a line.
functions() {
	nm -S --defined-only "$1" | awk 'NF == 4 && ($3 == "t" || $3 == "T") {print $4, $2}' | sort
}
functions "$lib" >"$tmp/lib"
functions "$loader" >"$tmp/loader"
# Every line of the library's, as many times as it has it, in the loader's.
missing=$(awk 'NR == FNR { have[$0]++; next } { want[$0]++ }
	END { for (f in want) if (have[f] < want[f]) print f " (" want[f] " in libvroot.a, " have[f] + 0 " in the loader)" }' \
	"$tmp/loader" "$tmp/lib" | sort | head -20)
if [ "$(wc -l <"$tmp/lib")" -gt 100 ] && [ -z "$missing" ]; then
	ok "every function of libvroot.a is in vroot-loader, the same size"
else
	printf 'functions of libvroot.a: %s\n%s\n' "$(wc -l <"$tmp/lib")" "$missing" >"$tmp/why"
	not_ok "every function of libvroot.a is in vroot-loader, the same size" "$tmp/why"
fi

is "the loader gives the core its hook, the trusted page's stub" "vr_sys_hooked vrl_core_syscall" \
	"$(awk '{print $1}' "$tmp/loader" | grep -x 'vrl_core_syscall\|vr_sys_hooked' | sort | tr '\n' ' ' | sed 's/ $//')"

# Without its row in %indirect, the hook's call is one the check cannot follow.
graphs=$(ls "$top"/build/loader/*.ci "$top"/build/src/core/*.ci 2>/dev/null | grep -v '/mem\.ci$' || true)
if [ -z "$graphs" ]; then
	skip "the compiler writes no call graphs (-fcallgraph-info: GCC 10 or later)"
else
	grep -v '^[[:space:]]*vr_sys_hooked *=>' "$top/src/loader/stack-budget.pl" >"$tmp/budget.pl"
	# shellcheck disable=SC2086
	if perl "$tmp/budget.pl" 65536 $graphs >"$tmp/out" 2>&1; then
		not_ok "the hook's call through a pointer is in the call graphs the handler's check reads" "$tmp/out"
	elif grep -q "vr_sys_hooked (src/core/sys.c:[0-9:]*) calls through a pointer" "$tmp/out"; then
		ok "the hook's call through a pointer is in the call graphs the handler's check reads"
	else
		not_ok "the hook's call through a pointer is in the call graphs the handler's check reads" "$tmp/out"
	fi
fi
done_testing
