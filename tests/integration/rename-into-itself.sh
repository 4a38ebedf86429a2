#!/bin/sh
# rename-into-itself.sh - renameat2 of a directory under one of its own
# descendants, or exchanged with one (EINVAL natively), a name onto its own
# ancestor (ENOTEMPTY, or EINVAL for an exchange), with the parents reached
# through symlinks ("g" -> "f", "s" -> "."): the same answers and the same
# tree as natively, for a tree in a base directory and for one made inside.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd python3
plan 4

# rn.py DIR: each case on a fresh tree DIR/N; prints "case: answer" and the tree.
cat >"$tmp/rn.py" <<'EOF2'
import ctypes, errno, os, sys
libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD = -100
cases = [("g/x", "f", 2), ("f", "g/x", 2), ("f", "g/x/z", 0), ("f", "g/x/z", 1),
         ("g/x", "f", 0), ("g/x", "f", 1), ("h", "h/y/z", 0), ("h/y", "h", 2),
         ("s/s/f", "f/x/y", 0), ("s/s", "f", 2), ("f/x", "g/x/y", 2), ("g/g", "f", 2)]
top = sys.argv[1]
mode = sys.argv[2]
for i, (a, b, fl) in enumerate(cases):
    d = os.path.join(top, str(i))
    if mode == "make":
        for p in ("f/x/y", "f/g", "h/y"):
            os.makedirs(os.path.join(d, p))
        os.symlink("f", os.path.join(d, "g"))
        os.symlink(".", os.path.join(d, "s"))
        continue
    r = libc.renameat2(AT_FDCWD, os.path.join(d, a).encode(), AT_FDCWD,
                       os.path.join(d, b).encode(), fl)
    print("%s %s %d: %s" % (a, b, fl, errno.errorcode[ctypes.get_errno()] if r else "0"))
    for root, dirs, files in sorted(os.walk(d)):
        for n in sorted(dirs + files):
            p = os.path.join(root, n)
            print("  ", os.path.relpath(p, d), os.readlink(p) if os.path.islink(p) else "")
EOF2

mkdir -p "$tmp/n" "$tmp/v"
python3 "$tmp/rn.py" "$tmp/n" make
python3 "$tmp/rn.py" "$tmp/n" run >"$tmp/nat.out"
grep -q 'g/x f 2: EINVAL' "$tmp/nat.out" && ok "natively: a directory exchanged with its child is EINVAL" ||
	not_ok "natively: a directory exchanged with its child is EINVAL" "$tmp/nat.out"
python3 "$tmp/rn.py" "$tmp/v" make
snap() { (cd "$tmp/v" && find . -printf '%p %y %l %T@\n' | sort); }
snap >"$tmp/v.before"
capture base "$VROOT" run --prefix "$tmp/prefix" -- python3 "$tmp/rn.py" "$tmp/v" run
is_file "a tree in a base directory: the same answers and tree" "$tmp/nat.out" "$tmp/base.out"
capture made "$VROOT" run --prefix "$tmp/prefix2" -- sh -c \
	"mkdir -p '$tmp/w' && python3 '$tmp/rn.py' '$tmp/w' make && python3 '$tmp/rn.py' '$tmp/w' run"
is_file "a tree made inside: the same answers and tree" "$tmp/nat.out" "$tmp/made.out"
snap >"$tmp/v.after"
is_file "the base directory is untouched" "$tmp/v.before" "$tmp/v.after"
done_testing
