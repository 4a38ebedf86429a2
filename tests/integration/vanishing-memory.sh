#!/bin/sh
# vanishing-memory.sh - vroot reads and writes the program's memory
# directly once a page has shown good, so every way a page can go or lose
# a permission (munmap, mprotect, mmap over it, mremap, a guard madvise,
# a fork child without MADV_DONTFORK ranges, brk, shmdt) must make it
# check again: the calls get EFAULT as natively, never a crash.  With
# rewritten call sites and with every call trapping.
# tests/loader/helpers/vanishing_memory.c makes the calls.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc
plan 3

VM=$tmp/vanishing_memory
gcc -O2 -Wall -o "$VM" "$top/tests/loader/helpers/vanishing_memory.c"
printf 'file\n' >"$tmp/file"
"$VM" "$tmp/file" >"$tmp/native.out" 2>&1
grep -q '^munmap: path gone: EFAULT$' "$tmp/native.out" ||
	not_ok "natively a path in an unmapped page is EFAULT" "$tmp/native.out"
capture rw vr -- "$VM" "$tmp/file"
is_file "rewritten call sites: as natively" "$tmp/native.out" "$tmp/rw.out"
capture trap env VROOT_REWRITE=0 "$VROOT" run --prefix "$tmp/prefix" -- "$VM" "$tmp/file"
is_file "every call trapping: as natively" "$tmp/native.out" "$tmp/trap.out"
capture static vr -- sh -c "'$VM' '$tmp/file' && '$VM' '$tmp/file'"
cat "$tmp/native.out" "$tmp/native.out" >"$tmp/twice"
is_file "twice, the second time in a new image: as natively" "$tmp/twice" "$tmp/static.out"
done_testing
