#!/bin/sh
# signal-storm.sh - a program taking a signal every half millisecond while
# it makes path calls, its handler making path calls too (on the thread's
# stack or on a signal stack of its own, with SA_RESTART or not), runs as
# natively in a session and in a session nested in another: there every
# call the inner session answers makes calls the outer one answers, and a
# signal arriving meanwhile must not land on a frame still in use (it
# died in SIGSEGV); with SIGSYS in the handler's sa_mask, the handler
# finds it blocked and the program does not once it has returned.  Also
# with call sites not rewritten (tests/loader/helpers/signal_storm.c).
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc
plan 12

gcc -O2 -o "$tmp/storm" "$top/tests/loader/helpers/signal_storm.c"
nest() { "$VROOT" run --prefix "$tmp/outer" -- "$VROOT" run --quiet --prefix "$tmp/inner" "$@"; }

for how in "" "onstack" "restart" "onstack restart" "sysmask" "sysmask onstack"; do
	# shellcheck disable=SC2086 # $how: the helper's words
	capture native "$tmp/storm" 5000 500 $how
	# shellcheck disable=SC2086
	capture one vr -- "$tmp/storm" 5000 500 $how
	# shellcheck disable=SC2086
	capture two nest -- "$tmp/storm" 5000 500 $how
	# shellcheck disable=SC2086
	capture plain env VROOT_REWRITE=0 "$VROOT" run --prefix "$tmp/outer" -- \
		"$VROOT" run --quiet --prefix "$tmp/inner" -- "$tmp/storm" 5000 500 $how
	is "a signal storm (${how:-on the thread's stack}): one session" \
		"$(cat "$tmp/native.out")" "$(cat "$tmp/one.out")"
	is "... nested, with sites rewritten and not" \
		"$(cat "$tmp/native.out") $(cat "$tmp/native.out")" \
		"$(cat "$tmp/two.out") $(cat "$tmp/plain.out")"
done
done_testing
