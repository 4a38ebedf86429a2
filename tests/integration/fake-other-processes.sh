#!/bin/sh
# fake-other-processes.sh - under a faked identity, a process sees the
# faked identity of another process of the session in its
# /proc/PID/status (as ps and pgrep -u read it): one started through
# setpriv, one that changed its ids without an exec; a process outside
# the session shows the host's ids.
#
# What native root answers is written below and, as root, checked against
# the kernel itself first; as a user, vroot's answers are compared with it.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd python3 setpriv ps pgrep
plan 4

# procs.sh DIR: two processes with other ids, then what /proc and ps say.
cat >"$tmp/procs.sh" <<'EOF2'
setpriv --reuid=1000 --regid=1000 --clear-groups sleep 30 &
s=$!
python3 -c 'import os, sys, time
os.setresgid(3000, 3000, 3000)
os.setresuid(3000, 3000, 3000)
open(sys.argv[1] + "/ready", "w").close()
time.sleep(30)' "$1" &
p=$!
n=0
while { [ ! -e "$1/ready" ] || [ "$(cat /proc/$s/comm)" != sleep ]; } && [ $n -lt 200 ]; do
	sleep 0.05
	n=$((n + 1))
done
grep -E '^(Uid|Gid):' /proc/$s/status
ps -o uid=,gid= -p $s | awk '{ print "ps:", $1, $2 }'
pgrep -u 1000 -x sleep | grep -qx $s && echo "pgrep -u 1000 finds it"
grep -E '^(Uid|Gid):' /proc/$p/status
ps -o uid= -p $$ | awk '{ print "the shell:", $1 }'
kill $s $p
EOF2
printf 'Uid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000
ps: 1000 1000
pgrep -u 1000 finds it
Uid:\t3000\t3000\t3000\t3000\nGid:\t3000\t3000\t3000\t3000
the shell: 0\n' >"$tmp/want"

mkdir "$tmp/n" "$tmp/v"
chmod 1777 "$tmp/n" "$tmp/v"
chmod 755 "$tmp"
if is_root; then
	sh "$tmp/procs.sh" "$tmp/n" >"$tmp/native" 2>&1 || true
	is_file "native root sees the ids of its other processes" "$tmp/want" "$tmp/native"
else
	skip "native root sees the ids of its other processes" "needs root"
fi
vr --fake-root -- sh "$tmp/procs.sh" "$tmp/v" >"$tmp/vroot" 2>&1 || true
is_file "so does fake root, of the processes of its session" "$tmp/want" "$tmp/vroot"

# A process outside the session: the host's ids, as natively.
sleep 30 &
out=$!
grep -E '^(Uid|Gid):' /proc/$out/status >"$tmp/host"
capture outside vr --fake-root -- grep -E '^(Uid|Gid):' /proc/$out/status
is_file "a process outside the session shows the host's ids" "$tmp/host" "$tmp/outside.out"
is "and nothing on stderr" "" "$(cat "$tmp/outside.err")"
kill $out
done_testing
