#!/bin/sh
# second-user.sh - root starts a session and a program in it becomes
# another user for real (setpriv, no capabilities left).  That user's
# changes that need vroot to make a directory's copy in a prefix directory
# only root may write (the parents' copy-up) fail with EACCES, where
# natively they work: vroot cannot act as root for it any more (a
# documented limit, README "A second user inside a root session").  Once
# root has changed those directories (so their copies exist, with their
# own owner and mode), the user's changes answer as natively, copying up
# its own files and directories and removing a directory whose copy holds
# whiteouts included (neither can go through the work directory, which
# only root may write).
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd setpriv
need_root "a session started by root"
plan 4

# mk DIR: a sticky world-writable directory t and a directory d of user
# 65534 with an empty directory e and a directory g holding a file f.
mk() {
	mkdir -p "$1/t" "$1/d/e" "$1/d/g"
	printf 'f\n' >"$1/d/g/f"
	printf 'h\n' >"$1/d/h"
	chmod 1777 "$1/t"
	chown -R 65534:65534 "$1/d"
}
# The user's changes, each with its status and error.
cat >"$tmp/user.sh" <<'EOF2'
cd "$1"
for c in "mkdir t/x" "touch t/f" "rm t/f" "rmdir t/x" "rmdir d/e" "mkdir d/n" "rm d/g/f" \
	"rmdir d/g" "truncate -s 1 d/h"; do
	if err=$($c 2>&1); then echo "$c: ok"; else echo "$c: ${err##*: }"; fi
done
EOF2
asuser="setpriv --reuid=65534 --regid=65534 --clear-groups sh $tmp/user.sh"
chmod 755 "$tmp"
mk "$tmp/n"
$asuser "$tmp/n" >"$tmp/native.out" 2>&1
cat >"$tmp/want" <<'EOF2'
mkdir t/x: ok
touch t/f: ok
rm t/f: ok
rmdir t/x: ok
rmdir d/e: ok
mkdir d/n: ok
rm d/g/f: ok
rmdir d/g: ok
truncate -s 1 d/h: ok
EOF2
is_file "natively the user makes and removes names in t and d" "$tmp/want" "$tmp/native.out"

mk "$tmp/v"
(cd "$tmp/v" && find . -printf '%p %y %u %m\n' | sort) >"$tmp/v.before"
capture limit "$VROOT" run --prefix "$tmp/p1" -- $asuser "$tmp/v"
cat >"$tmp/limit.want" <<'EOF2'
mkdir t/x: Permission denied
touch t/f: Permission denied
rm t/f: No such file or directory
rmdir t/x: No such file or directory
rmdir d/e: Permission denied
mkdir d/n: Permission denied
rm d/g/f: Permission denied
rmdir d/g: Directory not empty
truncate -s 1 d/h: Permission denied
EOF2
is_file "the documented limit: the parents' copy-up is refused to the user" \
	"$tmp/limit.want" "$tmp/limit.out"
capture after "$VROOT" run --prefix "$tmp/p2" -- sh -c \
	"chmod 1777 '$tmp/v/t' && chown 65534:65534 '$tmp/v/d' && $asuser '$tmp/v'"
is_file "after root changed t and d: as natively" "$tmp/native.out" "$tmp/after.out"
(cd "$tmp/v" && find . -printf '%p %y %u %m\n' | sort) >"$tmp/v.after"
is_file "the base is untouched" "$tmp/v.before" "$tmp/v.after"
done_testing
