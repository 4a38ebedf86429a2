#!/bin/sh
# open-directory.sh - open(O_DIRECTORY) for reading, as opendir() and
# find do: the descriptor's status flags are the ones a native open
# gives, a symlink to a directory is followed inside the namespace (its
# absolute target is the namespace's, not the host's), and a file or a
# missing name fail as natively.  A plain open(O_RDONLY) (flags 0, as a
# shell's "<" and fopen's "r" make it) of a file, a directory and a
# missing name too: the number, flags and data natively given.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd python3
plan 3

cat >"$tmp/od.py" <<'EOF'
import errno, fcntl, os, sys
out = []
for p in sys.argv[1:]:
    try:
        fd = os.open(p, os.O_RDONLY | os.O_DIRECTORY)
        out.append("%s:%o:%s" % (p, fcntl.fcntl(fd, fcntl.F_GETFL),
                                 ",".join(sorted(os.listdir(fd)))[:40]))
        os.close(fd)
    except OSError as e:
        out.append("%s:%s" % (p, errno.errorcode[e.errno]))
print(" ".join(out))
EOF

capture nat python3 "$tmp/od.py" /usr /etc/hostname /no-such-dir
capture in vr -- python3 "$tmp/od.py" /usr /etc/hostname /no-such-dir
is "a directory, a file and a missing name: as natively" \
	"$(cat "$tmp/nat.out")" "$(cat "$tmp/in.out")$(cat "$tmp/in.err")"

cat >"$tmp/rd.py" <<'EOF'
import ctypes, fcntl, os, sys
libc = ctypes.CDLL(None, use_errno=True)
out = []
for p in sys.argv[1:]:
    fd = libc.open(p.encode(), 0)
    if fd < 0:
        out.append("%s:%d" % (p, ctypes.get_errno()))
        continue
    try:
        data = os.read(fd, 8)
    except OSError as e:
        data = e.errno
    out.append("%s:%d:%o:%r" % (p, fd, fcntl.fcntl(fd, fcntl.F_GETFL), data))
print(" ".join(out))
EOF
capture rdn python3 "$tmp/rd.py" /etc/hostname /usr /no-such-file /etc/passwd
capture rdv vr -- python3 "$tmp/rd.py" /etc/hostname /usr /no-such-file /etc/passwd
is "a plain O_RDONLY open: as natively" "$(cat "$tmp/rdn.out")" \
	"$(cat "$tmp/rdv.out")$(cat "$tmp/rdv.err")"

# A base whose /l is a symlink to /vroot-open-d, which only the base has.
B=$tmp/base
mkdir -p "$B/vroot-open-d/inside" "$B/real"
ln -s /vroot-open-d "$B/l"
ln -s real "$B/rel"
if [ -e /vroot-open-d ]; then
	skip_n 1 "/vroot-open-d exists on this host"
else
	capture sym "$VROOT" run --base "$B" --base / --prefix "$tmp/p2" -- \
		python3 "$tmp/od.py" /l /rel
	fl=$(cut -d: -f2 "$tmp/nat.out")
	is "symlinks to directories are followed in the namespace" "/l:$fl:inside /rel:$fl:" \
		"$(cat "$tmp/sym.out")$(cat "$tmp/sym.err")"
fi
done_testing
