#!/bin/sh
# fake-kernel-overlay.sh - a prefix fake root wrote, mounted by kernel
# overlayfs over its base (userxattr, as a user may mount it in a user
# namespace of its own): through the mount, each object's
# user.containers.override_stat record (what rootless container storage
# and fuse-overlayfs read), or the owner and mode it shows where it has
# none, gives the owner, group, mode and type vroot shows, devices
# included; and the kernel shows the records' objects as the user's own
# files, which it may read and remove.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd python3 unshare
plan 3

mkdir -p "$tmp/base/data/sub" "$tmp/mnt" "$tmp/w"
echo hi >"$tmp/base/data/basefile"
echo hi >"$tmp/base/data/sub/plain"
vr --base "$tmp/base" --base / --fake-root -- sh -c 'cd /data &&
	touch f && chown 12:34 f && chmod 4751 f &&
	mkdir d && chown 5:6 d && chmod 2770 d &&
	chown 7:8 basefile && chmod 000 basefile &&
	mknod c c 1 3 && chown 9:10 c && mknod b b 8 1 && chmod 600 b &&
	echo new >n' >"$tmp/mk.out" 2>&1 || true
is "chown, chmod and mknod as fake root" "" "$(cat "$tmp/mk.out")"

# show.py DIR: name, owner, group, mode, type and device of each object
# under DIR/data, from its record where it has one.
cat >"$tmp/show.py" <<'EOF'
import os, stat, sys
top = os.path.join(sys.argv[1], "data")
types = {"file": "reg", "dir": "dir", "char": "chr", "block": "blk"}
for name in sorted(os.listdir(top)) + ["sub/plain"]:
    p = os.path.join(top, name)
    st = os.lstat(p)
    uid, gid, mode = st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)
    kind = {stat.S_IFREG: "reg", stat.S_IFDIR: "dir", stat.S_IFCHR: "chr",
            stat.S_IFBLK: "blk"}.get(stat.S_IFMT(st.st_mode), "other")
    dev = "%d,%d" % (os.major(st.st_rdev), os.minor(st.st_rdev)) if kind in ("chr", "blk") else "-"
    if len(sys.argv) > 2:
        try:
            rec = os.getxattr(p, "user.containers.override_stat").decode().split(":")
            uid, gid, mode = int(rec[0]), int(rec[1]), int(rec[2], 8) & 0o7777
            t = rec[3].split("-")
            kind = types.get(t[0], t[0])
            dev = "%s,%s" % (t[1], t[2]) if len(t) == 3 else "-"
        except OSError:
            pass
    print(name, uid, gid, "%o" % mode, kind, dev)
EOF
vr --base "$tmp/base" --base / --fake-root -- python3 "$tmp/show.py" / >"$tmp/want" 2>&1 || true

# The mount, in a mount namespace of its own (a user namespace too for a
# user, whose own uid is root there, as under --fake-root).
if is_root; then ns="unshare -m"; else ns="unshare -rm"; fi
if ! $ns true 2>/dev/null; then
	skip "kernel overlayfs shows the records vroot shows" "no user namespaces here"
	skip "... and the objects as the user's own, readable and removable" \
		"no user namespaces here"
	done_testing
	exit 0
fi
$ns sh -c 'mount -t overlay -o "lowerdir=$1/base,upperdir=$1/prefix,workdir=$1/w,userxattr" \
	vroot-it "$1/mnt" || exit 3
	python3 "$1/show.py" "$1/mnt" records >"$1/got" 2>&1
	cd "$1/mnt/data" && stat -c "%n %u %s" f c && cat f c basefile &&
	rm f c b && rmdir d && echo removed' sh "$tmp" >"$tmp/host.out" 2>&1 || true
if grep -q "wrong fs type\|unknown filesystem\|not permitted" "$tmp/host.out"; then
	skip "kernel overlayfs shows the records vroot shows" "kernel overlayfs with userxattr unavailable"
	skip "... and the objects as the user's own, readable and removable" \
		"kernel overlayfs with userxattr unavailable"
	done_testing
	exit 0
fi
is_file "kernel overlayfs shows the records vroot shows" "$tmp/want" "$tmp/got"
is "... and the objects as the user's own, readable and removable" "f 0 0
c 0 0
hi
removed" "$(cat "$tmp/host.out")"
done_testing
