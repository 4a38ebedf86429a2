# shellcheck shell=bash disable=SC2034 # (settings used by the scripts that source this)
# Shared settings and helpers for bench/setup and bench/run.  Sourced, not run.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)

# Where the base tree tarball and the generated workload payload are kept
# between runs.  Never inside the repository.
CACHE_DIR=${VROOT_BENCH_CACHE:-/var/cache/vroot-bench}

# The base tree: a minimal Debian with the tools the workloads need.
SUITE=${VROOT_BENCH_SUITE:-bookworm}
INCLUDE=python3,gcc,make,libc6-dev,perl

# Bump when the payload recipe (bench/lib/payload.py, statbench.c) changes,
# so cached payloads are rebuilt.
PAYLOAD_VERSION=2

# Packages the harness can use (host side).  Each maps to contenders; a
# package that cannot be installed only skips what depends on it.
HOST_PACKAGES="debootstrap zstd proot fakechroot fakeroot fuse-overlayfs bubblewrap gnuplot-nox"

PROG=${PROG:-$(basename "$0")}

note() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() {
	printf '%s: error: %s\n' "$PROG" "$*" >&2
	exit 1
}
usage_error() {
	printf '%s: %s (try %s -h)\n' "$PROG" "$*" "$PROG" >&2
	exit 2
}
is_root() { [ "$(id -u)" = 0 ]; }
have() { command -v "$1" >/dev/null 2>&1; }

# Cache file names.  The compressor is chosen when the tarball is written and
# recorded in its name.
rootfs_stamp() { echo "$CACHE_DIR/rootfs-$SUITE.stamp"; }
payload_stamp() { echo "$CACHE_DIR/payload-v$PAYLOAD_VERSION.stamp"; }
payload_tar() { echo "$CACHE_DIR/payload-v$PAYLOAD_VERSION.tar"; }

# Prints the rootfs tarball path recorded in the stamp, or nothing.
rootfs_tar() {
	local stamp t
	stamp=$(rootfs_stamp)
	[ -r "$stamp" ] || return 0
	t=$(sed -n 's/^tarball=//p' "$stamp")
	[ -n "$t" ] && [ -r "$CACHE_DIR/$t" ] && echo "$CACHE_DIR/$t"
	return 0
}

# The recipe line the rootfs stamp must match to be reused.
rootfs_recipe() { echo "debootstrap --variant=minbase --include=$INCLUDE $SUITE"; }

cache_ready() {
	local t
	t=$(rootfs_tar)
	[ -n "$t" ] && grep -qxF "recipe=$(rootfs_recipe)" "$(rootfs_stamp)" &&
		[ -r "$(payload_tar)" ] && [ -r "$(payload_stamp)" ] &&
		grep -qxF "rootfs=$(sed -n 's/^id=//p' "$(rootfs_stamp)")" "$(payload_stamp)"
}

# tar extraction of a (possibly compressed) tarball into a directory.
extract_tar() { # FILE DIR
	local f=$1 d=$2 opts=(--numeric-owner -xpf -)
	if is_root; then
		opts+=(--xattrs --xattrs-include='*')
	else
		# Device nodes and ownership cannot be restored without root.
		opts+=(--no-same-owner --exclude='./dev/*')
	fi
	case $f in
	*.zst) zstd -dcq -- "$f" | tar -C "$d" "${opts[@]}" ;;
	*.gz) gzip -dc -- "$f" | tar -C "$d" "${opts[@]}" ;;
	*) tar -C "$d" "${opts[@]}" <"$f" ;;
	esac
}

# Filesystem type of a directory ("tmpfs", "ext2/ext3", ...).
fs_type() { stat -f -c %T -- "$1" 2>/dev/null || echo unknown; }
