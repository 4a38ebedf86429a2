#!/bin/sh
# sigsys-mask.sh - a program that blocks SIGSYS sees it blocked as
# natively, though vroot never really blocks it (its traps need it): in
# the old set of later sigprocmask calls (per thread), in /proc status
# SigBlk, in a fork child and after execve; a kill()ed SIGSYS waits for
# the unblocking, shown by sigpending and SigPnd/ShdPnd; a handler that
# puts SIGSYS in the mask its return restores leaves it blocked the same
# way, and a handler whose sa_mask holds it runs with it blocked (and
# sigaction reports that sa_mask); path calls keep working meanwhile,
# also in a handler run while sigsuspend, ppoll, pselect or epoll_pwait
# waits with a mask that holds SIGSYS; also in a nested session
# (tests/loader/helpers/sigsys_mask.c).
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc
plan 3

gcc -O2 -pthread -o "$tmp/sigsys_mask" "$top/tests/loader/helpers/sigsys_mask.c"
capture native "$tmp/sigsys_mask"
echo "status $rc" >>"$tmp/native.out"
capture vroot vr -- "$tmp/sigsys_mask"
echo "status $rc" >>"$tmp/vroot.out"
is_file "SIGSYS blocked: old sets, SigBlk, fork, execve, a held kill(), waits with it masked" \
	"$tmp/native.out" "$tmp/vroot.out"
capture vroot0 env VROOT_REWRITE=0 "$VROOT" run --prefix "$tmp/prefix0" -- "$tmp/sigsys_mask"
echo "status $rc" >>"$tmp/vroot0.out"
is_file "... the same with call sites not rewritten" "$tmp/native.out" "$tmp/vroot0.out"
capture nested "$VROOT" run --prefix "$tmp/outer" -- "$VROOT" run --quiet --prefix "$tmp/inner" -- \
	"$tmp/sigsys_mask"
echo "status $rc" >>"$tmp/nested.out"
is_file "... the same in a session nested in another" "$tmp/native.out" "$tmp/nested.out"
done_testing
