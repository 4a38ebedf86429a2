#!/bin/sh
# second-user.sh - root starts a session and a program in it becomes
# another user for real (setpriv, no capabilities left).  That user's
# changes answer as natively: making and removing names in a base
# directory of mode 1777 and in one it owns, files in new subdirectories,
# copies of base files it may write, also of one with several names (all
# its names show the change), removing a copy or a name of a file with
# several, even though each needs copies of base directories made in
# prefix directories only root may write, or the index of files with
# several names (the session's privileged helper makes those).  The
# objects show the owners the kernel gives natively, and so do their
# copies in the prefix, also in a session nested in another (its processes
# reach its helper through the outer one) and in one whose prefix is named
# by a relative path.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd setpriv
need_root "a session started by root"
plan 7

# mk DIR: a sticky world-writable directory t, a directory d of user 65534
# with an empty directory e, a directory g holding a file f, a file h and
# a file with two names k and k2; a root-owned directory r holding a file w
# everyone may write, and one l with a second name l2.
mk() {
	mkdir -p "$1/t" "$1/d/e" "$1/d/g" "$1/r"
	printf 'f\n' >"$1/d/g/f"
	printf 'h\n' >"$1/d/h"
	printf 'k\n' >"$1/d/k"
	ln "$1/d/k" "$1/d/k2"
	printf 'w\n' >"$1/r/w"
	printf 'l\n' >"$1/r/l"
	ln "$1/r/l" "$1/r/l2"
	chmod 1777 "$1/t"
	chmod 666 "$1/r/w" "$1/r/l"
	chown -R 65534:65534 "$1/d"
}
# The user's changes, each with its status and error, then the tree.
cat >"$tmp/user.sh" <<'EOF2'
cd "$1"
for c in "mkdir t/x" "touch t/f" "mkdir t/x/y" "touch t/x/y/f" "rm t/f" "rmdir d/e" \
	"mkdir d/n" "touch d/n/m" "rm d/g/f" "rmdir d/g" "truncate -s 1 d/h" "truncate -s 2 r/w" \
	"mkdir r/no" "rm r/w" "truncate -s 3 r/l" "rm d/k" "rm d/h"; do
	if err=$($c 2>&1); then echo "$c: ok"; else echo "$c: ${err##*: }"; fi
done
find . -printf '%p %y %u %g %m %s\n' | sort
find . -type f -printf '%p %n links\n' | sort
EOF2
asuser="setpriv --reuid=65534 --regid=65534 --clear-groups sh $tmp/user.sh"
chmod 755 "$tmp"
mk "$tmp/n"
$asuser "$tmp/n" >"$tmp/native.out" 2>&1
grep -q '^mkdir t/x: ok$' "$tmp/native.out" && grep -q '^rmdir d/e: ok$' "$tmp/native.out" &&
	grep -q '^mkdir r/no: Permission denied$' "$tmp/native.out" &&
	grep -q '^\./t/x/y/f f nobody ' "$tmp/native.out" ||
	not_ok "natively the user makes and removes names in t and d, not in r" "$tmp/native.out"

mk "$tmp/v"
(cd "$tmp/v" && find . -printf '%p %y %u %m\n' | sort) >"$tmp/v.before"
capture user "$VROOT" run --prefix "$tmp/p1" -- $asuser "$tmp/v"
is_file "the user's changes and the owners they give: as natively" "$tmp/native.out" "$tmp/user.out"

# The prefix holds copies with their objects' owners and modes, and the
# user's new objects as the user's: as the native tree has them.
(cd "$tmp/p1$tmp/v" 2>/dev/null && find . ! -type c -printf '%p %y %u %g %m\n' | sort) \
	>"$tmp/upper" || true
(cd "$tmp/n" && find . -printf '%p %y %u %g %m\n' | sort) | join - "$tmp/upper" |
	awk '$2 != $6 || $3 != $7 || $4 != $8 || $5 != $9' >"$tmp/upper.diff"
grep -q '^\./t/x/y/f ' "$tmp/upper" || echo "no ./t/x/y/f in the prefix" >>"$tmp/upper.diff"
is_file "the prefix's copies and new objects have the owners the kernel gives" /dev/null \
	"$tmp/upper.diff"
is "the parents' copies keep their owners and modes" \
	"$(stat -c '%U %a' "$tmp/p1/tmp" "$tmp/p1$tmp" 2>&1)" "$(stat -c '%U %a' /tmp "$tmp")"
(cd "$tmp/v" && find . -printf '%p %y %u %m\n' | sort) >"$tmp/v.after"
is_file "the base is untouched" "$tmp/v.before" "$tmp/v.after"

# Nested: the user's new names and copies.  The inner session's processes
# connect to their helper through /proc/self/fd/N of a socket whose name is
# gone, which the outer session must follow to the socket itself.
cat >"$tmp/make.sh" <<'EOF2'
cd "$1"
for c in "mkdir t/x" "touch t/x/f" "truncate -s 2 r/w" "mkdir r/no" "mkdir d/n"; do
	if err=$($c 2>&1); then echo "$c: ok"; else echo "$c: ${err##*: }"; fi
done
find . -printf '%p %y %u %g %m %s\n' | sort
find . -type f -printf '%p %n links\n' | sort
EOF2
mkuser="setpriv --reuid=65534 --regid=65534 --clear-groups sh $tmp/make.sh"
mk "$tmp/n2"
$mkuser "$tmp/n2" >"$tmp/native2.out" 2>&1
mk "$tmp/w"
capture nested "$VROOT" run --prefix "$tmp/p2" -- "$VROOT" run --quiet --prefix "$tmp/p3" -- \
	$mkuser "$tmp/w"
is_file "in a nested session started by root: as natively" "$tmp/native2.out" "$tmp/nested.out"
# A prefix named relative to where vroot starts: the helper, which leaves
# that directory, still finds it.
mk "$tmp/w2"
(cd "$tmp" && capture rel "$VROOT" run --prefix p4 -- $mkuser "$tmp/w2")
is_file "... with the prefix named by a relative path: as natively" "$tmp/native2.out" \
	"$tmp/rel.out"
# helpers: how many helpers of this test's sessions still run (a helper is
# a forked `vroot run`, its arguments unchanged).
helpers() { ps -eo args | grep -c "^$VROOT run --prefix $tmp/p" || true; }
left=$(helpers)
for i in 1 2 3 4 5 6 7 8 9 10; do
	[ "$left" = 0 ] && break
	sleep 0.5
	left=$(helpers)
done
is "the sessions' helpers are gone with the sessions" "$left" 0
done_testing
