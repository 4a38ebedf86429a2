#!/bin/sh
# unix-sockets.sh - AF_UNIX sockets bound at virtual paths (in a directory
# made inside, relative to the cwd, in a read-write mount, in a base
# directory): connect, accept, send work, and getsockname, getpeername,
# accept's and recvfrom's addresses give back the path as the program gave
# it, as the kernel does natively; abstract names are left alone.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd python3
plan 8

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
    print("dgram", p, q, "|", data.decode(), addr, c.getsockname())
    s.close()
    c.close()
    os.unlink(p)
    os.unlink(q)

what = sys.argv[1]
if what == "stream":
    stream(sys.argv[2])
elif what == "dgram":
    dgram(sys.argv[2], sys.argv[3])
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
TODO="recvfrom/recvmsg are not trapped: the sender's name is a host path"
is "datagram: recvfrom names the sender's virtual path" "dgram /made/d1 /made/d2 | dg /made/d2 /made/d2" \
	"$(run dgram /made/d1 /made/d2)"
TODO=
is "abstract socket name unchanged" "True" "$(run abstract)"
# The same script natively, as a check of the expectations.
is "natively: stream, absolute path" "$(want_stream "$tmp/rw/n1")" "$(python3 "$tmp/sock.py" stream "$tmp/rw/n1" 2>&1)"
is "natively: stream, relative path" "$(want_stream n2)" "$(cd "$tmp/rw" && python3 "$tmp/sock.py" stream n2 2>&1)"
done_testing
