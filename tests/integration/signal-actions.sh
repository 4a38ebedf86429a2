#!/bin/sh
# signal-actions.sh - the actions a program sets are the ones it reads back,
# as natively, where vroot installs its own wrapper in the kernel (a handler
# whose sa_mask blocks SIGSYS): in a process, in a vfork child (whose
# actions are its own, its memory its parent's) and in its parent after
# it, across posix_spawn children (which read and reset every signal's
# action), and while threads change one signal's action concurrently; with
# rewritten call sites and with every call trapping.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc
plan 3

gcc -O2 -pthread -o "$tmp/sa" "$top/tests/loader/helpers/sig_actions.c"
capture native "$tmp/sa"
capture vroot vr -- "$tmp/sa"
is_file "actions read back as natively" "$tmp/native.out" "$tmp/vroot.out"
capture vroot env VROOT_REWRITE=0 "$VROOT" run --prefix "$tmp/p2" -- "$tmp/sa"
is_file "every call trapping: as natively" "$tmp/native.out" "$tmp/vroot.out"
capture vroot vr -- "$VROOT" run --quiet --prefix "$tmp/inner" -- "$tmp/sa"
is_file "in a nested session: as natively" "$tmp/native.out" "$tmp/vroot.out"
done_testing
