#!/bin/sh
# python-walk.sh - python3 walking and stat-ing trees (os.walk, os.lstat,
# os.stat, os.scandir, os.readlink, os.path.realpath) inside the namespace
# sees what it sees natively: a generated tree shown by --mount and in a
# --base, a real host tree through the default base, and a large directory
# whose entries come from two layers.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd python3
plan 8

cat >"$tmp/walk.py" <<'EOF'
import os, sys
root = sys.argv[1]
ino = len(sys.argv) > 2
def st(s):
    f = [oct(s.st_mode), s.st_nlink, s.st_uid, s.st_gid, s.st_size, s.st_mtime_ns]
    if ino:
        f.append(s.st_ino)
    return " ".join(map(str, f))
def err(e):
    return "%s %s" % (type(e).__name__, e.strerror)
out = []
for top, dirs, files in os.walk(root, onerror=lambda e: out.append("walk " + err(e))):
    dirs.sort()
    rel = os.path.relpath(top, root)
    out.append("dir %s: %s" % (rel, " ".join(sorted(files))))
    with os.scandir(top) as it:
        for e in sorted(it, key=lambda e: e.name):
            out.append("  scandir %s dir=%s file=%s link=%s ino=%s" % (e.name,
                e.is_dir(follow_symlinks=False), e.is_file(follow_symlinks=False),
                e.is_symlink(), e.inode() == e.stat(follow_symlinks=False).st_ino))
    for name in sorted(dirs + files):
        p = os.path.join(top, name)
        out.append("  lstat %s %s" % (name, st(os.lstat(p))))
        try:
            out.append("  stat %s %s" % (name, st(os.stat(p))))
        except OSError as e:
            out.append("  stat %s %s" % (name, err(e)))
        if os.path.islink(p):
            out.append("  readlink %s -> %s" % (name, os.readlink(p)))
            out.append("  realpath %s -> %s" % (name, os.path.realpath(p)))
if os.path.isdir(os.path.join(root, "a", "b", "up")):
    os.chdir(os.path.join(root, "a", "b", "up"))
    out.append("getcwd " + os.getcwd())
print("\n".join(out))
EOF

N=$tmp/n
mktree "$N" "$N"
VM=$(pathlike /vmnt/py "$N")
mktree "$tmp/m" "$VM"
VB=$(pathlike /opt/pyb "$N")
mktree "$tmp/base$VB" "$VB"
python3 "$tmp/walk.py" "$N" 2>&1 | sed "s|$N|$VM|g" >"$tmp/native.m"
vr --mount "$tmp/m:$VM" -- python3 "$tmp/walk.py" "$VM" >"$tmp/vroot.m" 2>&1 || true
is_file "os.walk + stat of a mounted tree, as natively" "$tmp/native.m" "$tmp/vroot.m"
python3 "$tmp/walk.py" "$N" 2>&1 | sed "s|$N|$VB|g" >"$tmp/native.b"
vr --base "$tmp/base" --base / -- python3 "$tmp/walk.py" "$VB" >"$tmp/vroot.b" 2>&1 || true
is_file "os.walk + stat of a tree in a --base, as natively" "$tmp/native.b" "$tmp/vroot.b"
# The same tree, same path, through the default base (/): inode numbers too.
python3 "$tmp/walk.py" "$N" ino >"$tmp/native.n" 2>&1
vr -- python3 "$tmp/walk.py" "$N" ino >"$tmp/vroot.n" 2>&1 || true
is_file "os.walk + stat through the default base, inodes too" "$tmp/native.n" "$tmp/vroot.n"

# A real tree of the host.
real=
for d in /usr/include /usr/lib/python3 /usr/share/perl5 /etc; do
	if [ -d "$d" ]; then
		real=$d
		break
	fi
done
python3 "$tmp/walk.py" "$real" ino >"$tmp/native.r" 2>&1
vr -- python3 "$tmp/walk.py" "$real" ino >"$tmp/vroot.r" 2>&1 || true
is_file "os.walk + stat of the host's $real, as natively" "$tmp/native.r" "$tmp/vroot.r"
is "... which is not small" "yes" "$([ "$(wc -l <"$tmp/native.r")" -gt 1000 ] && echo yes || echo no)"

# A directory of 3000 base entries and 1000 made inside: each listed once.
mkdir -p "$tmp/big/vroot-big"
(cd "$tmp/big/vroot-big" && seq -f 'base%04g' 1 3000 | xargs touch)
capture big vr --base "$tmp/big" --base / -- python3 -c '
import os
for i in range(1000):
    open("/vroot-big/new%04d" % i, "w").close()
os.unlink("/vroot-big/base0001")
names = os.listdir("/vroot-big")
print(len(names), len(set(names)), sum(n.startswith("new") for n in names), "base0001" in names)
n = 0
with os.scandir("/vroot-big") as it:
    for e in it:
        n += 1
print(n)
'
is "listdir of 2999 base + 1000 new entries: each once" "3999 3999 1000 False
3999" "$(cat "$tmp/big.out" "$tmp/big.err")"
is "... the base directory still has its 3000" "3000" "$(ls "$tmp/big/vroot-big" | wc -l)"
# os.fwalk works by directory descriptors (openat, fstatat on dirfds).
cat >"$tmp/fwalk.py" <<'EOF'
import os, sys
out = []
for top, dirs, files, fd in os.fwalk(sys.argv[1]):
    out.append("%s %s %s %s" % (os.path.relpath(top, sys.argv[1]), sorted(dirs), sorted(files),
          sorted(os.stat(n, dir_fd=fd, follow_symlinks=False).st_size for n in files)))
print("\n".join(sorted(out)))
EOF
python3 "$tmp/fwalk.py" "$N" >"$tmp/native.f" 2>&1
vr --mount "$N:/fw" -- python3 "$tmp/fwalk.py" /fw >"$tmp/vroot.f" 2>&1 || true
is_file "os.fwalk (by dirfds) of a mounted tree, as natively" "$tmp/native.f" "$tmp/vroot.f"
done_testing
