#!/bin/sh
# mode-zero.sh - a user's own files and directories take any mode, 0
# included, and can be changed back: chmod, chown to oneself and the
# CPython os.walk tests' set-up (a directory made unreadable, then
# readable, then removed), a directory one may read but not search listed
# (shutil's copytree test), natively and through vroot.  Matters for a
# plain user, whose copies' records vroot reads and writes.
set -eu
. "$(dirname "$0")/lib.sh"
plan 2

cat >"$tmp/modes.sh" <<'EOS'
cd "$1" || exit 1
r() { "$@" 2>/dev/null && echo "ok: $*" || echo "failed: $*"; }
mkdir -p a/b/c; touch a/b/c/f f
r chmod 0 a/b/c
r ls a/b/c
r chmod 700 a/b/c
r ls a/b/c
r chmod 0 f
r chown "$(id -u)" f
r chmod 644 f
stat -c '%a %n' f a/b/c
r chmod 0 a
r chmod 755 a
mkdir d6; touch d6/f
r chmod 600 d6
r ls d6
r chmod 700 d6
r rm -r a f d6
EOS
mkdir "$tmp/n" "$tmp/v"
sh "$tmp/modes.sh" "$tmp/n" >"$tmp/native" 2>&1
vr -- sh "$tmp/modes.sh" "$tmp/v" >"$tmp/vroot" 2>&1 || true
is_file "chmod 0 and back, chown to oneself, as natively" "$tmp/native" "$tmp/vroot"

if [ -x /usr/bin/python3 ]; then
	cat >"$tmp/walk.py" <<'EOS'
import os, stat, shutil, sys
for i in range(3):
    t = os.path.join(sys.argv[1], "TEST1")
    sub21 = os.path.join(t, "SUB2", "SUB21")
    os.makedirs(sub21)
    open(os.path.join(sub21, "tmp5"), "w").close()
    os.chmod(sub21, 0)
    try:
        os.listdir(sub21)
        print("listed")
    except PermissionError:
        print("EACCES")
    os.chmod(sub21, stat.S_IRWXU)
    shutil.rmtree(t)
print("done")
EOS
	/usr/bin/python3 "$tmp/walk.py" "$tmp/n" >"$tmp/native" 2>&1 || true
	vr -- /usr/bin/python3 "$tmp/walk.py" "$tmp/v" >"$tmp/vroot" 2>&1 || true
	is_file "os.walk tests' set-up: a directory made unreadable and back" "$tmp/native" "$tmp/vroot"
else
	skip "os.walk tests' set-up" "no /usr/bin/python3"
fi
done_testing
