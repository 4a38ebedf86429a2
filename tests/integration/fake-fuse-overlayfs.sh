#!/bin/sh
# fake-fuse-overlayfs.sh - the owners and modes fake root records in a
# prefix (user.containers.override_stat) read the same through
# fuse-overlayfs mounting that prefix over its base, as rootless container
# storage mounts a layer: fuse-overlayfs reads the attribute only in a
# layer whose root carries one, and (before 1.14) wants one on every
# directory on the way, so the test gives those two theirs, as container
# storage does.  Devices are left out: fuse-overlayfs reads their type
# from the record only from 1.15 on.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd fuse-overlayfs fusermount3 python3
[ -c /dev/fuse ] || { echo "1..0 # SKIP no /dev/fuse"; exit 0; }
# A user mounts through the set-user-ID fusermount3, once it may open /dev/fuse.
is_root || { [ -r /dev/fuse ] && [ -w /dev/fuse ]; } ||
	{ echo "1..0 # SKIP /dev/fuse is not open to users here"; exit 0; }
plan 2

mkdir -p "$tmp/base/data" "$tmp/mnt" "$tmp/fw"
echo hi >"$tmp/base/data/basefile"
vr --base "$tmp/base" --base / --fake-root -- sh -c 'cd /data &&
	touch f && chown 12:34 f && chmod 4751 f &&
	mkdir d && chown 5:6 d && chmod 2770 d &&
	chown 7:8 basefile && chmod 600 basefile' >"$tmp/mk.out" 2>&1 || true
is "chown and chmod as fake root" "" "$(cat "$tmp/mk.out")"
show='cd $1/data && stat -c "%n %u %g %a %F" f d basefile'
vr --base "$tmp/base" --base / --fake-root -- sh -c "$show" sh "" >"$tmp/want" 2>&1 || true

python3 -c 'import os, sys
for p in sys.argv[1:]:
    os.setxattr(p, "user.containers.override_stat", b"0:0:0755:dir")' \
	"$tmp/prefix" "$tmp/prefix/data"
if fuse-overlayfs -o "lowerdir=$tmp/base,upperdir=$tmp/prefix,workdir=$tmp/fw" "$tmp/mnt" \
	2>"$tmp/mount.err"; then
	sh -c "$show" sh "$tmp/mnt" >"$tmp/got" 2>&1 || true
	fusermount3 -u "$tmp/mnt"
	is_file "fuse-overlayfs shows the owners and modes vroot shows" "$tmp/want" "$tmp/got"
else
	not_ok "fuse-overlayfs mounts the prefix" "$tmp/mount.err"
fi
done_testing
