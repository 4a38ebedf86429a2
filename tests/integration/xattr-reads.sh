#!/bin/sh
# xattr-reads.sh - extended attributes of base files read one after the
# other in one directory, the way ls -l reads them (a stat, then the
# attributes, name after name): each read answers for the name it asks
# about, as natively, also a name asked again, one without attributes, a
# symlink with and without following, a name removed meanwhile, and a
# name that became a directory.  The same again in a session inside
# another: the outer session answers the inner one's getxattrat() and
# listxattrat() with ENOSYS, as a kernel older than 6.13 would, so the
# inner one reads by /proc/self/fd paths instead; and under a filter that
# refuses both with EPERM, as a container's may.  Directories' attributes
# too, which vroot reads by "." in the directory: one the caller may not
# search (mode 0600, its own) is read through /proc/self/fd instead, as
# natively it reads.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc python3
plan 6

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
		skip_n 4 "the filesystem of $tmp holds no user extended attributes"
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
cat >"$tmp/noxat.c" <<'EOF2'
/* noxat PROGRAM ARGS... - run PROGRAM with the *xattrat calls refused (EPERM). */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 463, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 464, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 465, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog p = {sizeof(f) / sizeof(f[0]), f};

	if (argc < 2 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &p))
		return 125;
	execvp(argv[1], argv + 1);
	return 127;
}
EOF2
gcc -o "$tmp/noxat" "$tmp/noxat.c"
capture in "$tmp/noxat" "$VROOT" run --prefix "$tmp/p-noxat" -- python3 "$tmp/rd.py" "$tmp/v"
is "... read under a filter that refuses getxattrat with EPERM" \
	"$(cat "$tmp/nat1.out")" "$(cat "$tmp/in.out")$(cat "$tmp/in.err")"
capture nat python3 "$tmp/rd.py" "$tmp/n" "$tmp/n2"
capture in "$VROOT" run --prefix "$tmp/prefix" -- python3 "$tmp/rd.py" "$tmp/v" "$tmp/v2"
is "... a name removed meanwhile is gone, one made again is what it is now" \
	"$(cat "$tmp/nat.out")" "$(cat "$tmp/in.out")$(cat "$tmp/in.err")"
cat >"$tmp/rdd.py" <<'EOF'
import errno, os, sys
def rd(p):
    try:
        v = os.getxattr(p, "user.v").decode()
        names = ",".join(sorted(x for x in os.listxattr(p) if x.startswith("user.")))
        return "%s=%s[%s]" % (os.path.basename(p), v, names)
    except OSError as e:
        return "%s:%s" % (os.path.basename(p), errno.errorcode[e.errno])
out = [rd(os.path.join(sys.argv[1], n)) for n in ("d", "e", "d")]
os.mkdir(sys.argv[2])
for n, m in (("f", 0o755), ("g", 0o700)):
    p = os.path.join(sys.argv[2], n)
    os.mkdir(p)
    os.setxattr(p, "user.v", n.upper().encode())
    os.setxattr(p, "user.w", b"W")
    os.chmod(p, m)
    out.append(rd(p))
os.chmod(os.path.join(sys.argv[2], "g"), 0o600)
out += [rd(os.path.join(sys.argv[2], "g")), rd(os.path.join(sys.argv[2], "f"))]
print(" ".join(out))
EOF
for t in n v; do
	mkdir "$tmp/$t/d" "$tmp/$t/e"
	python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.v", b"D")' "$tmp/$t/d"
	python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.v", b"E")' "$tmp/$t/e"
	chmod 600 "$tmp/$t/e"
done
capture nat python3 "$tmp/rdd.py" "$tmp/n" "$tmp/n3"
capture in "$VROOT" run --prefix "$tmp/prefix" -- python3 "$tmp/rdd.py" "$tmp/v" "$tmp/v3"
is "directories' attributes, also of one the caller may not search" \
	"$(cat "$tmp/nat.out")" "$(cat "$tmp/in.out")$(cat "$tmp/in.err")"
capture in "$tmp/noxat" "$VROOT" run --prefix "$tmp/p-noxat" -- \
	python3 "$tmp/rdd.py" "$tmp/v" "$tmp/v4"
is "... and under the filter that refuses the *xattrat calls" \
	"$(cat "$tmp/nat.out")" "$(cat "$tmp/in.out")$(cat "$tmp/in.err")"
done_testing
