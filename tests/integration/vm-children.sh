#!/bin/sh
# vm-children.sh - children that share the parent's memory but not its
# descriptors (vfork, posix_spawn, clone(CLONE_VM)) are made as natively:
# registers, flags and results in parent and child, and a parent whose
# vfork children looked paths up first (with another thread looking up all
# the while) still finds them: the directory cache, which skips its
# getpid() while no such child can exist, is never used by one; a vfork
# child's chdir before its exec leaves its parent where it was.  With
# glibc and, where musl-gcc is installed, with musl (its posix_spawn
# clones with a stack of its own); inside a nested session too.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc
plan 5

for i in $(seq 0 39); do
	mkdir -p "$tmp/tree/d$i/a/b"
	echo "$i" >"$tmp/tree/d$i/a/b/f"
done
src=$top/tests/loader/helpers/vm_children.c
# -mno-red-zone: the register check pushes in inline assembly.
gcc -O2 -mno-red-zone -pthread -o "$tmp/vmc" "$src"

capture native "$tmp/vmc" "$tmp/tree"
capture vroot vr -- "$tmp/vmc" "$tmp/tree"
is_file "glibc: vfork, posix_spawn, clone(CLONE_VM) as natively" "$tmp/native.out" "$tmp/vroot.out"
capture vroot env VROOT_REWRITE=0 "$VROOT" run --prefix "$tmp/p2" -- "$tmp/vmc" "$tmp/tree"
is_file "glibc, every call trapping: as natively" "$tmp/native.out" "$tmp/vroot.out"
capture vroot vr -- "$VROOT" run --quiet --prefix "$tmp/inner" -- "$tmp/vmc" "$tmp/tree"
is_file "glibc, in a nested session: as natively" "$tmp/native.out" "$tmp/vroot.out"
capture vroot "$VROOT" run --fake-root --prefix "$tmp/p3" -- "$tmp/vmc" "$tmp/tree"
is_file "glibc, with a faked identity: as natively" "$tmp/native.out" "$tmp/vroot.out"

if have musl-gcc; then
	musl-gcc -O2 -mno-red-zone -static -o "$tmp/vmc-musl" "$src"
	capture native "$tmp/vmc-musl" "$tmp/tree"
	capture vroot vr -- "$tmp/vmc-musl" "$tmp/tree"
	is_file "musl, static: as natively" "$tmp/native.out" "$tmp/vroot.out"
else
	skip "musl-gcc is not installed (Debian: musl-tools)"
fi
done_testing
