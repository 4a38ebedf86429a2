#!/bin/sh
# deps.sh - install what the integration tests run (busybox-static,
# musl-tools, golang-go, debootstrap, gcc, make, git, python3, perl, file,
# tar, clang with its fuzzer runtime for tests/integration/fuzz.sh, man-db and
# pkg-config for install.sh, fuse-overlayfs for fake-fuse-overlayfs.sh,
# qemu-system-x86 for case-insensitive-ext4.sh, sudo for fake-sudo.sh;
# libutf8proc-dev, which the build needs too, so CI installs it before it
# builds), create the cached
# Debian minbase tree that debian-tree.sh uses as a base, and unpack
# Debian's kernel package (not installed) for case-insensitive-ext4.sh to
# boot in qemu where this machine's kernel has no ext4 casefold.
# Root only; as another user it reports what is missing and skips.  Before
# it installs or debootstraps it says so on stderr (prove shows a test's
# stderr), as that changes the machine and takes minutes.
#
# Usage: tests/integration/deps.sh   (TAP; run before the other tests)
set -eu
. "$(dirname "$0")/lib.sh"

pkgs="busybox-static musl-tools golang-go debootstrap gcc make git python3 perl file tar"
pkgs="$pkgs clang libclang-rt-14-dev man-db pkg-config libutf8proc-dev fuse-overlayfs"
pkgs="$pkgs qemu-system-x86 sudo"
plan 3

missing=
for p in $pkgs; do
	if ! dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	ok "packages installed: $pkgs"
elif ! is_root; then
	skip "packages installed" "not root, cannot install:$missing"
elif ! have apt-get; then
	skip "packages installed" "no apt-get to install:$missing"
else
	echo "deps.sh: installing what the tests use with apt-get:$missing" >&2
	# shellcheck disable=SC2086 # word splitting wanted
	if { apt-get update -q && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends $missing; } \
		>"$tmp/apt.log" 2>&1; then
		ok "installed:$missing"
	else
		tail -n 20 "$tmp/apt.log" >"$tmp/apt.tail"
		not_ok "apt-get install$missing" "$tmp/apt.tail"
	fi
fi

# kernel_make: Debian's kernel image package for this machine's suite,
# downloaded and unpacked into $kernel_cache (renamed into place when
# whole).  Status 0 when it is there afterwards; the reason in $why else.
kernel_cache=${VROOT_KERNEL_CACHE:-/var/cache/vroot/linux-casefold}
kernel_make() {
	if ls "$kernel_cache"/boot/vmlinuz-* >/dev/null 2>&1; then
		kernel_have="$(basename "$(ls "$kernel_cache"/boot/vmlinuz-* | head -n 1)")"
		return 0
	fi
	if ! is_root; then
		why="needs root to fetch it with apt (no kernel in $kernel_cache)"
		return 1
	fi
	if ! have apt-get apt-cache dpkg-deb; then
		why="no apt-get to fetch it (no kernel in $kernel_cache)"
		return 1
	fi
	kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')
	if [ -z "$kpkg" ]; then
		why="apt knows no linux-image-amd64 package"
		return 1
	fi
	echo "deps.sh: apt-get download $kpkg, unpacked into $kernel_cache (once)" >&2
	mkdir -p "$tmp/kernel"
	if ! (cd "$tmp/kernel" && { apt-get download "$kpkg" ||
		{ apt-get update -q && apt-get download "$kpkg"; }; }) \
		>"$tmp/kernel.log" 2>&1; then
		tail -n 5 "$tmp/kernel.log" | sed 's/^/# /'
		why="apt-get download $kpkg failed"
		return 1
	fi
	build=$kernel_cache.new.$$
	rm -rf "$build"
	mkdir -p "$(dirname "$kernel_cache")"
	if ! dpkg-deb -x "$tmp"/kernel/*.deb "$build"; then
		rm -rf "$build"
		why="dpkg-deb -x of $kpkg failed"
		return 1
	fi
	if ! grep -q '^CONFIG_UNICODE=y' "$build"/boot/config-*; then
		rm -rf "$build"
		why="$kpkg has no CONFIG_UNICODE=y"
		return 1
	fi
	rm -rf "$build/usr"
	chmod -R a+rX "$build"
	mv -T "$build" "$kernel_cache" 2>/dev/null || rm -rf "$build"
	kernel_have=$kpkg
	ls "$kernel_cache"/boot/vmlinuz-* >/dev/null 2>&1
}

if kernel_make; then
	ok "Debian kernel for the casefold VM in $kernel_cache ($kernel_have)"
else
	skip "Debian kernel for the casefold VM" "$why"
fi

if debian_make; then
	ok "Debian minbase tree cached in $debian_cache"
else
	skip "Debian minbase tree cached" "$why"
fi
done_testing
