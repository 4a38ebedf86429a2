#!/bin/sh
# sigsys-kept.sh - a program cannot take away the SIGSYS vroot's traps
# need: a child of clone3(CLONE_CLEAR_SIGHAND), and a signal handler that
# puts SIGSYS in the mask its return restores, go on making trapped calls
# as natively (clone3 is refused as on kernels without it, and programs
# fall back to fork or clone).  Syscall User Dispatch is refused, as on
# kernels without it: the program goes on.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc
plan 2

gcc -O2 -o "$tmp/sigsys_kept" "$top/tests/loader/helpers/sigsys_kept.c"
capture native "$tmp/sigsys_kept"
echo "status $rc" >>"$tmp/native.out"
capture vroot vr -- "$tmp/sigsys_kept"
echo "status $rc" >>"$tmp/vroot.out"
grep -v '^Syscall User Dispatch:' "$tmp/native.out" >"$tmp/native"
grep -v '^Syscall User Dispatch:' "$tmp/vroot.out" >"$tmp/vroot"
is_file "clone3(CLONE_CLEAR_SIGHAND) child, SIGSYS in a handler's uc_sigmask: as natively" \
	"$tmp/native" "$tmp/vroot"
# Natively it is dispatched (or refused, on a kernel without it); inside,
# always refused as by such a kernel: prctl(59, 1, ...) answers EINVAL.
is "Syscall User Dispatch: refused with EINVAL" \
	"Syscall User Dispatch: refused (Invalid argument)" \
	"$(grep '^Syscall User Dispatch:' "$tmp/vroot.out" || true)"
done_testing
