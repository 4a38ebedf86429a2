#!/bin/sh
# fake-owner-records.sh - what fake root records stays on the file in the
# prefix: times root sets on a file that is not its own are kept across
# runs, and a virtual user may not set them, as native root and a native
# user see on a scratch directory; on the host the files stay the user's
# and reachable; a chown of a base file copies it up and leaves the base
# as it was; a file that takes the place of a recorded one (whatever its
# inode number) shows no record.
#
# What native root answers is written below and, as root, checked against
# the kernel itself first; as a user, vroot's answers are compared with it.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd python3 setpriv touch
plan 8

# times.sh DIR: root sets the times of a file it gave away; a user tries.
cat >"$tmp/times.sh" <<'EOF'
cd "$1"
touch f && chown 1234:5678 f && chmod 000 f
touch -m -d @1000000000 f && stat -c '%n %u %g %a %Y' f
setpriv --reuid=65534 --regid=65534 --clear-groups touch -c -m -d @1500000000 f 2>&1 |
	sed 's/^touch: //'
setpriv --reuid=65534 --regid=65534 --clear-groups touch -c f 2>&1 | sed 's/^touch: //'
stat -c '%n %Y' f
EOF
cat >"$tmp/want" <<'EOF'
f 1234 5678 0 1000000000
setting times of 'f': Operation not permitted
setting times of 'f': Permission denied
f 1000000000
EOF
mkdir "$tmp/t"
chmod 755 "$tmp"
if is_root; then
	native=$tmp/native
	mkdir "$native"
	mount -t tmpfs vroot-it "$native" 2>/dev/null && trap 'umount "$native"; cleanup' EXIT
	chmod 755 "$native"
	sh "$tmp/times.sh" "$native" >"$tmp/native.out" 2>&1 || true
	is_file "native root's times and a user's refusals" "$tmp/want" "$tmp/native.out"
else
	skip "native root's times and a user's refusals" "needs root"
fi

vr --fake-root -- sh "$tmp/times.sh" "$tmp/t" >"$tmp/vroot.out" 2>&1 || true
is_file "fake root's times and a virtual user's refusals" "$tmp/want" "$tmp/vroot.out"
capture again vr --fake-root -- stat -c '%n %u %g %a %Y' "$tmp/t/f"
is "... kept for the next run" "$tmp/t/f 1234 5678 0 1000000000" \
	"$(cat "$tmp/again.out" "$tmp/again.err")"

# On the host: the user's file, which the user may read and write.
is "on the host the file is the user's, mode 600, times as set" "$(id -u) 600 1000000000" \
	"$(stat -c '%u %a %Y' "$tmp/prefix$tmp/t/f" 2>&1)"

# Another file takes its place on the host (ext4 gives it the inode number
# just freed, often): it has no record, so it shows as the user's own
# files do, as root's.
rm "$tmp/prefix$tmp/t/f"
: >"$tmp/prefix$tmp/t/f"
capture new vr --fake-root -- stat -c '%n %u %g %a' "$tmp/t/f"
is "a file that took a recorded file's place shows no record" "$tmp/t/f 0 0 644" \
	"$(cat "$tmp/new.out" "$tmp/new.err")"

# A base file: chown copies it up, the base keeps its owner and no record.
mkdir "$tmp/b"
echo x >"$tmp/b/f"
chmod 644 "$tmp/b/f"
capture chown vr --fake-root -- sh -c "chown 1234 $tmp/b/f && stat -c '%u %g %a' $tmp/b/f"
is "chown of a base file as fake root" "1234 0 644" "$(cat "$tmp/chown.out" "$tmp/chown.err")"
rec=$(python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], "user.containers.override_stat").decode())' \
	"$tmp/prefix$tmp/b/f" 2>&1 || true)
base=$(python3 -c 'import os, sys
try:
    os.getxattr(sys.argv[1], "user.containers.override_stat"); print("record")
except OSError:
    print("none")' "$tmp/b/f" 2>&1 || true)
is "... the copy holds the record, the base none and its owner" \
	"1234:0:0644:file x none $(id -u)" "$rec $(cat "$tmp/prefix$tmp/b/f") $base $(stat -c %u "$tmp/b/f")"

# A name whose file changes while it is stat'ed: the owner shown is always
# the one recorded on the file the inode number says (a record read by
# name belongs to the file the stat describes).
cat >"$tmp/swap.py" <<'EOF'
import os, sys
d = sys.argv[1]
os.chdir(d)
for n, uid in (("x", 5), ("y", 6)):
    open(n, "w").close()
    os.chown(n, uid, uid)
want = {os.stat("x").st_ino: 5, os.stat("y").st_ino: 6}
pid = os.fork()
if pid == 0:
    for i in range(20000):
        os.rename("x", "t")
        os.rename("y", "x")
        os.rename("t", "y")
    os._exit(0)
seen = mixed = 0
while True:
    done, _ = os.waitpid(pid, os.WNOHANG)
    try:
        st = os.stat("x")
    except FileNotFoundError:
        if done:
            break
        continue
    seen += 1
    mixed += want.get(st.st_ino) != st.st_uid
    if done:
        break
print("mixed", mixed, "of", "many" if seen > 100 else seen)
EOF
mkdir "$tmp/swap"
rm -rf "$tmp/prefix" "$tmp/prefix.work"
is "a name's file swapped while stat'ed: owner and inode always of one file" "mixed 0 of many" \
	"$(vr --fake-root -- python3 "$tmp/swap.py" "$tmp/swap" 2>&1)"
done_testing
