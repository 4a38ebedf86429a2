#!/bin/sh
# overlay-xattr-names.sh - a program's extended attributes named like the
# overlay's own ("user.overlay.*": an overlay of its own inside the
# namespace, such as a nested vroot session or kernel overlayfs) are the
# program's: set, read, listed and removed by their names, kept on disk
# escaped as kernel overlayfs keeps them since Linux 6.7
# ("user.overlay.overlay.*"), and never taken for the overlay's own (a
# base directory a program marks "opaque" still shows its base contents).
# Compared with kernel overlayfs over the same base, where the machine lets
# the test mount one.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd python3
plan 6

mkdir -p "$tmp/base/d" "$tmp/base/e"
echo f >"$tmp/base/f"
echo x >"$tmp/base/d/x"

# ops.py DIR: attributes set on a base file (copied up) and base directories.
cat >"$tmp/ops.py" <<'EOF'
import errno, os, sys
d = sys.argv[1]
p = lambda n: os.path.join(d, n)
def names(n):
    return ",".join(sorted(x for x in os.listxattr(p(n)) if x.startswith("user.")))
def get(n, a):
    try:
        return os.getxattr(p(n), a).decode()
    except OSError as e:
        return errno.errorcode[e.errno]
os.setxattr(p("f"), "user.overlay.x", b"1")
os.setxattr(p("d"), "user.overlay.opaque", b"y")
os.setxattr(p("e"), "user.mine", b"2")
print("f", names("f"), get("f", "user.overlay.x"))
print("d", names("d"), get("d", "user.overlay.opaque"), os.listdir(p("d")))
print("e", names("e"), get("e", "user.mine"))
os.removexattr(p("f"), "user.overlay.x")
print("f", names("f"), get("f", "user.overlay.x"))
os.setxattr(p("f"), "user.overlay.y", b"3")
EOF
# disk.py UPPER: the escaped names the upper layer holds.
cat >"$tmp/disk.py" <<'EOF'
import os, sys
for n in ("f", "d", "e"):
    q = os.path.join(sys.argv[1], n)
    a = [x for x in os.listxattr(q) if x.startswith("user.overlay.overlay.")]
    print(n, ",".join("%s=%s" % (x, os.getxattr(q, x).decode()) for x in sorted(a)))
EOF

capture v "$VROOT" run --prefix "$tmp/prefix" --base "$tmp/base" --base / -- \
	python3 "$tmp/ops.py" /
is "set, read, listed and removed by the program's names" "0 f user.overlay.x 1
d user.overlay.opaque y ['x']
e user.mine 2
f  ENODATA" "$rc $(cat "$tmp/v.out")$(cat "$tmp/v.err")"
python3 "$tmp/disk.py" "$tmp/prefix" >"$tmp/vdisk" 2>&1 || true
is "... kept escaped on disk" "f user.overlay.overlay.y=3
d user.overlay.overlay.opaque=y
e " "$(cat "$tmp/vdisk")"
capture v2 "$VROOT" run --prefix "$tmp/prefix" --base "$tmp/base" --base / -- ls /d
is "... a directory a program marked opaque still shows its base contents" "x" \
	"$(cat "$tmp/v2.out")$(cat "$tmp/v2.err")"
is "... and the base is untouched" "" \
	"$(cd "$tmp/base" && python3 -c 'import os; print(*[os.listxattr(n) for n in ("f", "d", "e") if os.listxattr(n)])')"

# Kernel overlayfs, in a mount namespace of its own (a user namespace too
# for a user), over the same base with a fresh upper layer.
if is_root; then ns="unshare -m"; else ns="unshare -rm"; fi
mkdir "$tmp/kup" "$tmp/kwork" "$tmp/mnt"
$ns sh -c 'mount -t overlay -o "lowerdir=$1/base,upperdir=$1/kup,workdir=$1/kwork,userxattr" \
	vroot-it "$1/mnt" || exit 3
	python3 "$1/ops.py" "$1/mnt"' sh "$tmp" >"$tmp/k.out" 2>&1 && krc=0 || krc=$?
if [ "$krc" = 3 ] || ! $ns true 2>/dev/null; then
	skip "kernel overlayfs answers the same" "kernel overlayfs with userxattr unavailable"
	skip "... and keeps the same escaped names" "kernel overlayfs with userxattr unavailable"
else
	is "kernel overlayfs answers the same" "$rc $(cat "$tmp/v.out")" "$krc $(cat "$tmp/k.out")"
	python3 "$tmp/disk.py" "$tmp/kup" >"$tmp/kdisk" 2>&1 || true
	is_file "... and keeps the same escaped names" "$tmp/kdisk" "$tmp/vdisk"
fi
done_testing
