#!/bin/sh
# mount-api-quota-sendmmsg.sh - the calls that take a path or descriptor
# and are easy to forget are answered inside the namespace
# (tests/loader/helpers/untrapped.c): open_tree opens virtual paths (an
# O_PATH descriptor that reads the virtual file) and never a host path
# outside, nor does open_tree_attr; file_getattr and file_setattr (inode
# flags by path) answer ENOSYS as before Linux 6.17; a mount clone, move_mount, fsopen, fspick, fsconfig, fsmount
# and mount_setattr are refused with EPERM as mount(2) is; quotactl and
# quotactl_fd answer ENOSYS (they told whether a host path exists);
# sendmmsg to an AF_UNIX path reaches a socket bound at that virtual path
# and not a host socket outside.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc python3
plan 3

B=$tmp/base
H=$tmp/host
mkdir -p "$B" "$H"
gcc -O2 -Wall -static -o "$B/untrapped" "$top/tests/loader/helpers/untrapped.c"
printf 'base file\n' >"$B/target"
printf 'host secret\n' >"$H/secret"
# A host socket outside the namespace, reporting what reaches it.
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1] + "/sock")
open(sys.argv[1] + "/ready", "w").close()
s.settimeout(20)
try:
    print("got", s.recv(10))
except OSError as e:
    print("nothing")
' "$H" >"$tmp/listener.out" &
listener=$!
i=0
while [ ! -e "$H/ready" ] && [ $i -lt 200 ]; do
	sleep 0.1
	i=$((i + 1))
done

capture un "$VROOT" run --base "$B" --prefix "$tmp/prefix" -- /untrapped "$H"
cat >"$tmp/want" <<'EOT'
open_tree host: ENOENT
open_tree virtual: base file
open_tree flags: O_PATH cloexec
open_tree_attr host: ENOENT
file_getattr host: ENOSYS
file_setattr host: ENOSYS
open_tree clone: EPERM
move_mount: EPERM
fsopen: EPERM
fspick: EPERM
fsconfig: EPERM
fsmount: EPERM
mount_setattr: EPERM
quotactl: ENOSYS
quotactl_fd: ENOSYS
sendmmsg host: ENOENT
sendmmsg virtual: 2 sent, lengths 1 2
received: abc
EOT
is_file "each call answered inside the namespace" "$tmp/want" "$tmp/un.out"
is "nothing on stderr, status 0" "0:" "$rc:$(cat "$tmp/un.err")"
# Wake the listener if nothing reached it.
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"end", sys.argv[1] + "/sock")' "$H" 2>/dev/null || true
wait $listener || true
is "the host socket outside got nothing from inside" "got b'end'" "$(cat "$tmp/listener.out")"
done_testing
