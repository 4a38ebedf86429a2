#!/bin/sh
# unix-sockets.sh - AF_UNIX sockets bound at virtual paths (in a directory
# made inside, relative to the cwd, in a read-write mount, in a base
# directory, and over a base object just removed, as a daemon that
# restarts removes its old socket's name and binds again): connect,
# accept, send work, and getsockname, getpeername,
# accept's addresses and the sender's name recvfrom, recvmsg and recvmmsg
# report give back the path as the program gave it, as the kernel does
# natively (truncated to a short buffer as the kernel truncates); abstract
# and unnamed senders are left alone, also for a name whose host path is
# too long for sun_path (even the path below its layer or mount).  A connect through /proc/self/fd/N
# of an O_PATH descriptor reaches the socket even when its name is gone.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd python3
plan 25

cat >"$tmp/sock.py" <<'EOF'
import os, socket, stat, sys

def stream(p):
    s = socket.socket(socket.AF_UNIX)
    s.bind(p)
    s.listen(1)
    c = socket.socket(socket.AF_UNIX)
    c.connect(p)
    a, peer = s.accept()
    c.sendall(b"ping")
    got = a.recv(4).decode()
    sock = stat.S_ISSOCK(os.lstat(p).st_mode)
    print("stream", p, "|", s.getsockname(), c.getpeername(), a.getsockname(), got, sock)
    for x in (s, c, a):
        x.close()
    os.unlink(p)

def dgram(p, q):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(p)
    c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    c.bind(q)
    c.sendto(b"dg", p)
    data, addr = s.recvfrom(10)
    # The name received is one to reply to.
    s.sendto(b"re", addr)
    back, baddr = c.recvfrom(10)
    print("dgram", p, q, "|", data.decode(), addr, c.getsockname(), back.decode(), baddr)
    s.close()
    c.close()
    os.unlink(p)
    os.unlink(q)

def dgram_msg(p, q):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(p)
    c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    c.bind(q)
    c.sendto(b"m1", p)
    data, anc, flags, addr = s.recvmsg(10)
    c.sendto(b"m2-too-long", p)
    data2, anc2, flags2, addr2 = s.recvmsg(2)
    print("recvmsg", p, q, "|", data.decode(), addr, flags, data2.decode(),
          flags2 & socket.MSG_TRUNC != 0, addr2)
    s.close()
    c.close()
    os.unlink(p)
    os.unlink(q)

def sender(p, kind):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(p)
    c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    name = "\0vroot-abstract-dg-%d" % os.getpid()
    if kind == "abstract":
        c.bind(name)
    c.sendto(b"a", p)
    c.sendto(b"b", p)
    _, addr = s.recvfrom(10)
    _, _, _, addr2 = s.recvmsg(10)
    if kind == "abstract":
        print(kind, addr == name.encode(), addr2 == name.encode())
    else:
        print(kind, repr(addr), repr(addr2))
    s.close()
    c.close()
    os.unlink(p)

# Raw calls: a short address buffer (truncation), recvmmsg.
import ctypes
libc = ctypes.CDLL(None, use_errno=True)

class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]

class msghdr(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint),
                ("iov", ctypes.POINTER(iovec)), ("iovlen", ctypes.c_size_t),
                ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t),
                ("flags", ctypes.c_int)]

class mmsghdr(ctypes.Structure):
    _fields_ = [("hdr", msghdr), ("len", ctypes.c_uint)]

def raw(p, q):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(p)
    c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    c.bind(q)
    buf = ctypes.create_string_buffer(16)
    addr = ctypes.create_string_buffer(b"\xee" * 64, 64)
    alen = ctypes.c_uint(6)
    c.sendto(b"t", p)
    r = libc.recvfrom(s.fileno(), buf, 16, 0, addr, ctypes.byref(alen))
    # Bytes past the 6 the buffer was said to hold stay untouched.
    short = (r, alen.value, addr.raw[2:6], addr.raw[6:8])
    for m in (b"x1", b"x2"):
        c.sendto(m, p)
    n = 2
    vec = (mmsghdr * n)()
    names = [ctypes.create_string_buffer(110) for i in range(n)]
    bufs = [ctypes.create_string_buffer(8) for i in range(n)]
    iovs = [iovec(ctypes.cast(bufs[i], ctypes.c_void_p), 8) for i in range(n)]
    for i in range(n):
        vec[i].hdr.name = ctypes.cast(names[i], ctypes.c_void_p)
        vec[i].hdr.namelen = 110
        vec[i].hdr.iov = ctypes.pointer(iovs[i])
        vec[i].hdr.iovlen = 1
    got = libc.recvmmsg(s.fileno(), vec, n, 0, None)
    mm = [(bufs[i].value.decode(), vec[i].len,
           names[i].raw[2:vec[i].hdr.namelen].rstrip(b"\0").decode(), vec[i].hdr.namelen)
          for i in range(max(got, 0))]
    print("raw", p, q, "|", short, got, mm)
    s.close()
    c.close()
    os.unlink(p)
    os.unlink(q)

# Through /proc/self/fd/N of an O_PATH descriptor of the socket, its name
# kept or removed (a name only that descriptor's holders can reach).
def by_fd(p, remove):
    s = socket.socket(socket.AF_UNIX)
    s.bind(p)
    s.listen(1)
    fd = os.open(p, os.O_PATH | os.O_NOFOLLOW)
    if remove:
        os.unlink(p)
    c = socket.socket(socket.AF_UNIX)
    try:
        c.connect("/proc/self/fd/%d" % fd)
        a, _ = s.accept()
        c.sendall(b"ping")
        got = a.recv(4).decode()
        a.close()
    except OSError as e:
        got = os.strerror(e.errno)
    print("by-fd", remove, got)
    for x in (s, c):
        x.close()
    if not remove:
        os.unlink(p)

def rebind(p, q):
    # A daemon's restart: its old socket's name removed, a new one bound there.
    os.unlink(p)
    stream(p)
    # A bind that fails (the socket is bound already) leaves a removed name removed.
    os.unlink(q)
    s = socket.socket(socket.AF_UNIX)
    s.bind(p)
    try:
        s.bind(q)
        r = "bound"
    except OSError as e:
        r = os.strerror(e.errno)
    print("rebind-fail", r, os.path.exists(q), sorted(os.listdir(os.path.dirname(q))))
    s.close()

what = sys.argv[1]
if what == "rebind":
    rebind(sys.argv[2], sys.argv[3])
elif what == "by-fd":
    by_fd(sys.argv[2], False)
    by_fd(sys.argv[2], True)
elif what == "stream":
    stream(sys.argv[2])
elif what == "dgram":
    dgram(sys.argv[2], sys.argv[3])
elif what == "recvmsg":
    dgram_msg(sys.argv[2], sys.argv[3])
elif what in ("unnamed-sender", "abstract-sender"):
    sender(sys.argv[2], what.split("-")[0])
elif what == "raw":
    raw(sys.argv[2], sys.argv[3])
else:
    s = socket.socket(socket.AF_UNIX)
    s.bind("\0vroot-abstract-%d" % os.getpid())
    print(s.getsockname() == ("\0vroot-abstract-%d" % os.getpid()).encode())
EOF

mkdir "$tmp/rw"
# run ARGS...: the script inside, cwd /made (made inside), $tmp/rw at /sm.
run() {
	vr --mount "$tmp/rw:/sm" -- sh -c 'mkdir -p /made && cd /made && exec python3 "$0" "$@"' \
		"$tmp/sock.py" "$@" 2>&1
}
# want KIND PATH...: what the kernel answers natively.
want_stream() { echo "stream $1 | $1 $1 $1 ping True"; }

TODO=
is "stream socket in a dir made inside" "$(want_stream /made/s1)" "$(run stream /made/s1)"
is "stream socket, relative path" "$(want_stream rel-s2)" "$(run stream rel-s2)"
is "stream socket in a rw mount" "$(want_stream /sm/s3)" "$(run stream /sm/s3)"
is "stream socket in a base directory (/tmp)" "$(want_stream /tmp/vroot-s4)" "$(run stream /tmp/vroot-s4)"
# want_dg KIND P Q: the script's line natively, with host paths, then the
# host directory replaced by the virtual one (the names and lengths change
# only by that).
want_dg() {
	python3 "$tmp/sock.py" "$1" "$tmp/rw/$2" "$tmp/rw/$3" 2>&1 | sed "s|$tmp/rw/|/made/|g"
}
is "datagram: recvfrom names the sender's virtual path, a reply reaches it" \
	"dgram /made/d1 /made/d2 | dg /made/d2 /made/d2 re /made/d1" "$(run dgram /made/d1 /made/d2)"
is "datagram: as natively" "$(want_dg dgram d1 d2)" "$(run dgram /made/d1 /made/d2)"
is "datagram: recvmsg names the sender, also for a truncated message" \
	"recvmsg /made/d3 /made/d4 | m1 /made/d4 0 m2 True /made/d4" "$(run recvmsg /made/d3 /made/d4)"
is "datagram: recvmsg as natively" "$(want_dg recvmsg d3 d4)" "$(run recvmsg /made/d3 /made/d4)"
is "datagram: sender in a rw mount" "dgram /sm/d5 /sm/d6 | dg /sm/d6 /sm/d6 re /sm/d5" \
	"$(run dgram /sm/d5 /sm/d6)"
is "datagram: sender in a base directory (/tmp)" \
	"dgram /tmp/vroot-d7 /tmp/vroot-d8 | dg /tmp/vroot-d8 /tmp/vroot-d8 re /tmp/vroot-d7" \
	"$(run dgram /tmp/vroot-d7 /tmp/vroot-d8)"
is "datagram: relative names stay relative" "dgram rel-d9 rel-d10 | dg rel-d10 rel-d10 re rel-d9" \
	"$(run dgram rel-d9 rel-d10)"
is "unnamed sender: as natively" "$(python3 "$tmp/sock.py" unnamed-sender "$tmp/rw/u1" 2>&1)" \
	"$(run unnamed-sender /made/u1)"
is "abstract sender: unchanged" "abstract True True" "$(run abstract-sender /made/a1)"
is "abstract socket name unchanged" "True" "$(run abstract)"
# want_raw P Q: the raw line for names P and Q: a 6-byte buffer gets the
# family and the first 4 bytes of the path, the length says the full size.
want_raw() {
	printf "raw %s %s | (1, %d, b'%s', b'\\xee\\xee') 2 [('x1', 2, '%s', %d), ('x2', 2, '%s', %d)]\n" \
		"$1" "$2" $((${#2} + 3)) "${2%"${2#????}"}" "$2" $((${#2} + 3)) "$2" $((${#2} + 3))
}
is "raw calls natively: truncation and recvmmsg as expected" \
	"$(want_raw "$tmp/rw/r1" "$tmp/rw/r2")" "$(python3 "$tmp/sock.py" raw "$tmp/rw/r1" "$tmp/rw/r2" 2>&1)"
is "raw calls: a short buffer truncated, full length; recvmmsg names" \
	"$(want_raw /made/r1 /made/r2)" "$(run raw /made/r1 /made/r2)"
# A virtual name that fits sun_path whose host path does not (a --mount of
# a deep host directory): natively such a name works, so inside too.
deep=$tmp/$(printf '%0120d' 0)
mkdir "$deep"
is "stream socket whose host path is longer than sun_path" "$(want_stream /deep/s5)" \
	"$(vr --mount "$deep:/deep" -- python3 "$tmp/sock.py" stream /deep/s5 2>&1)"
# ... and one whose path below its mount, or in the prefix, is too long too.
long=$(printf '%090d' 0)
mkdir "$deep/$long"
is "... even below its --mount's own directory" "$(want_stream "/deep/$long/s6")" \
	"$(vr --mount "$deep:/deep" -- python3 "$tmp/sock.py" stream "/deep/$long/s6" 2>&1)"
is "... or in a directory made inside" "$(want_stream "/made/$long/s7")" \
	"$(vr -- sh -c 'mkdir -p "$1" && exec python3 "$0" stream "$1/s7"' "$tmp/sock.py" "/made/$long" 2>&1)"
is "connect through /proc/self/fd/N, the name kept or removed: as natively" \
	"$(python3 "$tmp/sock.py" by-fd "$tmp/rw/f1" 2>&1)" "$(run by-fd /made/f1)"
is "the same in a nested session" "$(python3 "$tmp/sock.py" by-fd "$tmp/rw/f2" 2>&1)" \
	"$(vr -- "$VROOT" run --quiet --prefix "$tmp/inner" -- python3 "$tmp/sock.py" by-fd "$tmp/rw/f2" 2>&1)"
# Over removed base objects: a socket left from before and a plain file,
# in a base directory; natively in a copy of it.
for d in rb-native rb-base; do
	mkdir "$tmp/$d"
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$tmp/$d/old.sock"
	echo file >"$tmp/$d/plain"
done
want=$(python3 "$tmp/sock.py" rebind "$tmp/rb-native/old.sock" "$tmp/rb-native/plain" 2>&1 |
	sed "s|$tmp/rb-native/|$tmp/rb-base/|g")
run rebind "$tmp/rb-base/old.sock" "$tmp/rb-base/plain" >"$tmp/rb.out" || true
is "bind over a removed base socket: as natively" "$(echo "$want" | head -n 1)" \
	"$(head -n 1 "$tmp/rb.out")"
is "... and a failed bind over a removed base file leaves it removed" "$(echo "$want" | tail -n 1)" \
	"$(tail -n 1 "$tmp/rb.out")"
# The same script natively, as a check of the expectations.
is "natively: stream, absolute path" "$(want_stream "$tmp/rw/n1")" "$(python3 "$tmp/sock.py" stream "$tmp/rw/n1" 2>&1)"
is "natively: stream, relative path" "$(want_stream n2)" "$(cd "$tmp/rw" && python3 "$tmp/sock.py" stream n2 2>&1)"
done_testing
