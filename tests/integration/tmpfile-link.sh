#!/bin/sh
# tmpfile-link.sh - the standard way to make a file atomically: open an
# O_TMPFILE file in a directory, write it, then give it a name with
# linkat(AT_FDCWD, "/proc/self/fd/N", ..., AT_SYMLINK_FOLLOW).  Inside the
# namespace the name lands where the namespace shows it (the prefix for a
# base directory, the host directory for a --mount), as natively; O_EXCL
# keeps the file from ever being named, as natively.  Before it is named,
# the calls about the descriptor itself (fchmod, fchown, futimens, the
# f*xattr calls) answer for the file, with a faked identity too, also in a
# --mount.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd python3
plan 10

# mk DIR NAME [excl]: prints the new file's content, or the errno's name.
# (os.link calls link(2), which does not follow the magic link: linkat here.)
cat >"$tmp/mk.py" <<'EOF'
import ctypes, errno, os, sys
libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD, AT_SYMLINK_FOLLOW = -100, 0x400
d, name = sys.argv[1], sys.argv[2]
excl = os.O_EXCL if len(sys.argv) > 3 else 0
try:
    fd = os.open(d, os.O_TMPFILE | os.O_WRONLY | excl, 0o640)
    os.write(fd, b"made\n")
    if libc.linkat(AT_FDCWD, b"/proc/self/fd/%d" % fd, AT_FDCWD,
                   os.path.join(d, name).encode(), AT_SYMLINK_FOLLOW) < 0:
        raise OSError(ctypes.get_errno(), "linkat")
    with open(os.path.join(d, name)) as f:
        print(f.read().strip(), oct(os.stat(os.path.join(d, name)).st_mode & 0o777))
except OSError as e:
    print(errno.errorcode[e.errno])
EOF

# case DESC ARGS...: natively in $tmp/n, then in the namespace over $tmp/v
# (a base directory), the same answer.
mkdir -p "$tmp/n" "$tmp/v" "$tmp/host"
printf 'old\n' >"$tmp/n/old"
printf 'old\n' >"$tmp/v/old"
for c in new excl; do
	a=; [ "$c" = excl ] && a=x
	capture nat python3 "$tmp/mk.py" "$tmp/n" "$c" $a
	capture in "$VROOT" run --prefix "$tmp/prefix" -- python3 "$tmp/mk.py" "$tmp/v" "$c" $a
	is "O_TMPFILE linked by /proc/self/fd/N ($c): as natively" \
		"$(cat "$tmp/nat.out")" "$(cat "$tmp/in.out")$(cat "$tmp/in.err")"
done
is "... natively: named, or ENOENT with O_EXCL" "made 640 ENOENT" \
	"$(cat "$tmp/n/new") $(stat -c %a "$tmp/n/new") $(python3 "$tmp/mk.py" "$tmp/n" x2 x)"
is "... the name landed in the prefix, not in the base directory" "made no" \
	"$(cat "$tmp/prefix$tmp/v/new") $(test -e "$tmp/v/new" && echo yes || echo no)"
# Over a removed base name (a whiteout holds it in the prefix).
capture wo "$VROOT" run --prefix "$tmp/prefix" -- sh -c \
	"rm \"$tmp/v/old\" && python3 \"$tmp/mk.py\" \"$tmp/v\" old"
is "over a removed base name" "made 0o640" "$(cat "$tmp/wo.out")$(cat "$tmp/wo.err")"
capture mnt "$VROOT" run --prefix "$tmp/prefix" --mount "$tmp/host:/m" -- python3 "$tmp/mk.py" /m new
is "in a --mount: the host directory gets the name" "made 0o640 made" \
	"$(cat "$tmp/mnt.out")$(cat "$tmp/mnt.err") $(cat "$tmp/host/new")"
# attrs.py DIR: calls about an O_TMPFILE descriptor itself, before any name.
cat >"$tmp/attrs.py" <<'EOF'
import errno, os, sys
fd = os.open(sys.argv[1], os.O_TMPFILE | os.O_RDWR, 0o600)
calls = (("fchmod", lambda: os.fchmod(fd, 0o640)),
         ("fchown", lambda: os.fchown(fd, os.getuid(), -1)),
         ("futimens", lambda: os.utime(fd, ns=(10**18, 10**18))),
         ("fsetxattr", lambda: os.setxattr(fd, "user.t", b"1")),
         ("fgetxattr", lambda: os.getxattr(fd, "user.t")),
         ("flistxattr", lambda: [x for x in os.listxattr(fd) if x.startswith("user.")]))
for what, f in calls:
    try:
        r = f()
        print(what, "ok" if r is None else r)
    except OSError as e:
        print(what, errno.errorcode[e.errno])
st = os.fstat(fd)
print(oct(st.st_mode & 0o7777), st.st_mtime_ns)
if len(sys.argv) > 2:
    os.fchown(fd, 5, 6)
    st = os.fstat(fd)
    print("owner", st.st_uid, st.st_gid)
EOF
capture anat python3 "$tmp/attrs.py" "$tmp/n"
capture ain "$VROOT" run --prefix "$tmp/prefix" -- python3 "$tmp/attrs.py" "$tmp/v"
is "fchmod, fchown, futimens, f*xattr of an O_TMPFILE file: as natively" \
	"$(cat "$tmp/anat.out")" "$(cat "$tmp/ain.out")$(cat "$tmp/ain.err")"
capture amnt "$VROOT" run --prefix "$tmp/prefix" --mount "$tmp/host:/m" -- \
	python3 "$tmp/attrs.py" /m
is "... in a --mount: as natively" \
	"$(cat "$tmp/anat.out")" "$(cat "$tmp/amnt.out")$(cat "$tmp/amnt.err")"
# A file of a read-only mount removed through a read-write one (the same
# host directory): its attributes read, not changed.
printf 'x\n' >"$tmp/host/ro"
setfattr -n user.t -v 1 "$tmp/host/ro" 2>/dev/null || python3 -c \
	'import os, sys; os.setxattr(sys.argv[1], "user.t", b"1")' "$tmp/host/ro"
capture aro "$VROOT" run --prefix "$tmp/prefix" --mount "$tmp/host:/ro:ro" --mount "$tmp/host:/rw" -- \
	python3 -c 'import errno, os
fd = os.open("/ro/ro", os.O_RDONLY)
os.unlink("/rw/ro")
print(os.getxattr(fd, "user.t"))
try:
    os.setxattr(fd, "user.u", b"2")
except OSError as e:
    print(errno.errorcode[e.errno])'
is "... removed from a read-only mount: read, EROFS to a change" "b'1'
EROFS" "$(cat "$tmp/aro.out")$(cat "$tmp/aro.err")"
capture afake "$VROOT" run --prefix "$tmp/prefix" --fake-root -- python3 "$tmp/attrs.py" "$tmp/v" 5
is "... with a faked root too, who may give it away" "$(cat "$tmp/anat.out")
owner 5 6" "$(cat "$tmp/afake.out")$(cat "$tmp/afake.err")"
done_testing
