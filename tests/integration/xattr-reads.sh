#!/bin/sh
# xattr-reads.sh - extended attributes of base files read one after the
# other in one directory, the way ls -l reads them (a stat, then the
# attributes, name after name): each read answers for the name it asks
# about, as natively, also a name asked again, one without attributes, a
# symlink with and without following, a name removed meanwhile, and a
# name that became a directory.  The same again in a session inside
# another: the outer session answers the inner one's getxattrat() and
# listxattrat() with ENOSYS, as a kernel older than 6.13 would, so the
# inner one reads by /proc/self/fd paths instead.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd python3
plan 3

cat >"$tmp/rd.py" <<'EOF'
import errno, os, sys
d = sys.argv[1]
def get(name, follow=True):
    p = os.path.join(d, name)
    try:
        os.lstat(p)
        v = os.getxattr(p, "user.v", follow_symlinks=follow).decode()
        names = ",".join(sorted(x for x in os.listxattr(p, follow_symlinks=follow)))
        return "%s=%s[%s]" % (name, v, names)
    except OSError as e:
        return "%s:%s" % (name, errno.errorcode[e.errno])
out = [get(n) for n in ("a", "b", "a", "c", "b")]
out += [get("l", False), get("l"), get("a")]
def names(p, follow=True):
    try:
        return "%s[%s]" % (os.path.basename(p.rstrip("/")), ",".join(sorted(
            x for x in os.listxattr(p, follow_symlinks=follow) if x.startswith("user."))))
    except OSError as e:
        return "%s:%s" % (p, errno.errorcode[e.errno])
if len(sys.argv) > 2:
    os.unlink(os.path.join(d, "b"))
    out += [get("b"), get("a")]
    # A directory made here, a symlink in it replaced by a directory.
    x = os.path.join(sys.argv[2], "x")
    os.mkdir(sys.argv[2])
    os.symlink("t", x)
    os.lstat(x)
    out.append(names(x, False))
    os.unlink(x)
    os.mkdir(x)
    out.append(names(x + "/"))
print(" ".join(out))
EOF

# The same tree natively and as a base directory.
for t in n v; do
	mkdir -p "$tmp/$t"
	for f in a b c; do printf '%s\n' "$f" >"$tmp/$t/$f"; done
	ln -s a "$tmp/$t/l"
	if ! python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.v", b"A")' "$tmp/$t/a" \
		2>/dev/null; then
		skip_n 3 "the filesystem of $tmp holds no user extended attributes"
		done_testing
		exit 0
	fi
	python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.v", b"B")' "$tmp/$t/b"
	python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.w", b"W")' "$tmp/$t/b"
done
capture nat python3 "$tmp/rd.py" "$tmp/n"
capture in "$VROOT" run --prefix "$tmp/prefix" -- python3 "$tmp/rd.py" "$tmp/v"
is "names read one after the other: each its own attributes" \
	"$(cat "$tmp/nat.out")" "$(cat "$tmp/in.out")$(cat "$tmp/in.err")"
cp "$tmp/nat.out" "$tmp/nat1.out"
capture in "$VROOT" run --prefix "$tmp/outer" -- \
	"$VROOT" run --prefix "$tmp/inner" -- python3 "$tmp/rd.py" "$tmp/v"
is "... read by a session inside another (no getxattrat there)" \
	"$(cat "$tmp/nat1.out")" "$(cat "$tmp/in.out")$(cat "$tmp/in.err")"
capture nat python3 "$tmp/rd.py" "$tmp/n" "$tmp/n2"
capture in "$VROOT" run --prefix "$tmp/prefix" -- python3 "$tmp/rd.py" "$tmp/v" "$tmp/v2"
is "... a name removed meanwhile is gone, one made again is what it is now" \
	"$(cat "$tmp/nat.out")" "$(cat "$tmp/in.out")$(cat "$tmp/in.err")"
done_testing
