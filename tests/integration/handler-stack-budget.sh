#!/bin/sh
# handler-stack-budget.sh - the build's whole-path stack check of the
# handler (src/loader/stack-budget.pl over the call graphs GCC writes):
# the loader as built is within its budget, and the check fails, naming
# the cause, on a path over budget, an indirect call it cannot follow, a
# recursion and a frame of unbounded size.
set -eu
. "$(dirname "$0")/lib.sh"
plan 6
pl=$top/src/loader/stack-budget.pl

# The loader's graphs and the core's (mem.c is not linked into the loader).
graphs=$(ls "$top"/build/loader/*.ci "$top"/build/src/core/*.ci 2>/dev/null | grep -v '/mem\.ci$' || true)
if [ -z "$graphs" ]; then
	skip_n 2 "the compiler writes no call graphs (-fcallgraph-info: GCC 10 or later)"
else
	# shellcheck disable=SC2086
	if perl "$pl" 65536 $graphs >"$tmp/real" 2>&1; then
		ok "the loader's deepest handler path is within its budget"
		diag "$(cat "$tmp/real")"
	else
		not_ok "the loader's deepest handler path is within its budget" "$tmp/real"
	fi
	deepest=$(sed -n 's/^deepest handler path: \([0-9]*\) .*/\1/p' "$tmp/real")
	# shellcheck disable=SC2086
	if perl "$pl" $((${deepest:-1} - 1)) $graphs >"$tmp/over" 2>&1; then
		not_ok "a budget one byte short of the deepest path fails" "$tmp/over"
	elif grep -q "over its budget of $((${deepest:-1} - 1)):" "$tmp/over" &&
		grep -q "vrl_sigsys_on_pool\|rw_run" "$tmp/over"; then
		ok "a budget one byte short of the deepest path fails"
	else
		not_ok "a budget one byte short of the deepest path fails, naming it" "$tmp/over"
	fi
fi

# graph NAME: a call graph of the entries and what the lines on stdin add.
graph() {
	{
		printf '%s\n' 'graph: { title: "t.c"'
		printf '%s\n' 'node: { title: "vrl_sigsys_on_pool" label: "vrl_sigsys_on_pool\nt.c:1:1\n32 bytes (static)" }'
		printf '%s\n' 'node: { title: "rw_run" label: "rw_run\nt.c:2:1\n32 bytes (static)" }'
		printf '%s\n' 'node: { title: "vrl_sig_return_held" label: "vrl_sig_return_held\nt.c:3:1\n32 bytes (static)" }'
		printf '%s\n' 'node: { title: "vrl_sig_wrap_book" label: "vrl_sig_wrap_book\nt.c:4:1\n32 bytes (static)" }'
		printf '%s\n' 'node: { title: "vrl_on_stack_c" label: "vrl_on_stack_c\nt.c:3:1\n16 bytes (static)" }'
		cat
		printf '%s\n' '}'
	} >"$tmp/$1.ci"
}
# fails DESC NAME PATTERN: the check of graph NAME fails with PATTERN.
fails() {
	if perl "$pl" 65536 "$tmp/$2.ci" >"$tmp/out" 2>&1; then
		not_ok "$1" "$tmp/out"
	elif grep -q "$3" "$tmp/out"; then
		ok "$1"
	else
		echo "want a message matching: $3" >>"$tmp/out"
		not_ok "$1" "$tmp/out"
	fi
}

graph indirect <<'EOF'
node: { title: "t.c:mystery" label: "mystery\nt.c:4:1\n64 bytes (static)" }
edge: { sourcename: "vrl_sigsys_on_pool" targetname: "t.c:mystery" label: "t.c:1:2" }
node: { title: "__indirect_call" label: "Indirect Call Placeholder" shape : ellipse }
edge: { sourcename: "t.c:mystery" targetname: "__indirect_call" label: "t.c:4:2" }
EOF
fails "a call through a pointer nobody listed the targets of fails" indirect \
	"mystery (t.c:4:1) calls through a pointer"

graph recursion <<'EOF'
node: { title: "a" label: "a\nt.c:4:1\n64 bytes (static)" }
node: { title: "b" label: "b\nt.c:5:1\n64 bytes (static)" }
edge: { sourcename: "rw_run" targetname: "a" label: "t.c:2:2" }
edge: { sourcename: "a" targetname: "b" label: "t.c:4:2" }
edge: { sourcename: "b" targetname: "a" label: "t.c:5:2" }
EOF
fails "a recursion without a bound fails" recursion "recursion: rw_run -> a -> b -> a"

graph dynamic <<'EOF'
node: { title: "alloca_user" label: "alloca_user\nt.c:4:1\n96 bytes (dynamic)" }
edge: { sourcename: "rw_run" targetname: "alloca_user" label: "t.c:2:2" }
EOF
fails "a frame of unbounded size fails" dynamic "alloca_user (t.c:4:1): stack of dynamic size"

graph deep <<'EOF'
node: { title: "big" label: "big\nt.c:4:1\n70000 bytes (static)" }
edge: { sourcename: "vrl_sigsys_on_pool" targetname: "big" label: "t.c:1:2" }
EOF
fails "a path over the budget fails" deep "vrl_sigsys_on_pool 32 -> big 70000"
done_testing
