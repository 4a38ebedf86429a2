#!/bin/sh
# deps.sh - install what the integration tests run (busybox-static,
# musl-tools, golang-go, debootstrap, gcc, make, git, python3, perl, file,
# tar, clang with its fuzzer runtime for tests/integration/fuzz.sh, man-db and
# pkg-config for install.sh, fuse-overlayfs for fake-fuse-overlayfs.sh;
# libutf8proc-dev, which the build needs too, so
# CI installs it before it builds) and
# create the cached Debian minbase tree that debian-tree.sh uses as a base.
# Root only; as another user it reports what is missing and skips.  Before
# it installs or debootstraps it says so on stderr (prove shows a test's
# stderr), as that changes the machine and takes minutes.
#
# Usage: tests/integration/deps.sh   (TAP; run before the other tests)
set -eu
. "$(dirname "$0")/lib.sh"

pkgs="busybox-static musl-tools golang-go debootstrap gcc make git python3 perl file tar"
pkgs="$pkgs clang libclang-rt-14-dev man-db pkg-config libutf8proc-dev fuse-overlayfs"
plan 2

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

if debian_make; then
	ok "Debian minbase tree cached in $debian_cache"
else
	skip "Debian minbase tree cached" "$why"
fi
done_testing
