#!/bin/sh
# fake-search-permission.sh - with a faked identity, every directory a
# path goes through must grant the identity search permission, as the
# kernel checks it before each name: the host user's own lookups do not
# judge the virtual user.  One process stats paths as (fake) root, then
# becomes user 65534 and stats them again (a second time from the
# directory cache): a directory of 0700 (made in the prefix, or in the
# base) or 0750 on the way refuses, one of 0755 or 0711 lets it through,
# one of 0611 refuses its owner.  A walk from a working directory below a
# refused one checks nothing above it; "." and ".." are names looked up
# too.  Natively the same, where this machine lets root change users.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd python3
plan 15

WALK=$top/tests/loader/helpers/stat_as_user.py

# cwd.py DIR PATH...: stat each PATH as user 65534 from working directory
# DIR, entered as root.
cat >"$tmp/cwd.py" <<'EOF2'
import os, sys
os.chdir(sys.argv[1])
os.setgid(65534)
os.setgroups([])
os.setuid(65534)
for p in sys.argv[2:]:
    try:
        os.stat(p)
        print(p, "ok")
    except OSError as e:
        print(p, os.strerror(e.errno))
EOF2

# tree DIR: the trees the walks go through.
tree() {
	mkdir -p "$1/made/a/b/c" "$1/shut/a/b/c" "$1/open/a/b/c"
	for d in made shut open; do echo x >"$1/$d/a/b/c/f"; done
	chmod 700 "$1/shut"
}
B=$tmp/base
tree "$B"

printf 'root ok\nroot again ok\nuser Permission denied\nuser again Permission denied\n' \
	>"$tmp/denied"
printf 'root ok\nroot again ok\nuser ok\nuser again ok\n' >"$tmp/allowed"
cat >"$tmp/cwd.exp" <<'EOF2'
b/c/f ok
. ok
.. ok
../a Permission denied
b/../../a Permission denied
./b/c/../c/f ok
EOF2
cat >"$tmp/cwd-shut.exp" <<'EOF2'
. Permission denied
a/b/c/f Permission denied
.. Permission denied
EOF2

walk() { vr --fake-root --base "$B" --base / -- python3 "$WALK" "$@"; }
cwd() { vr --fake-root --base "$B" --base / -- python3 "$tmp/cwd.py" "$@"; }

capture made walk /made/a/b/c/f /made 700
is_file "a directory made 0700 in the prefix is searched by the user" "$tmp/denied" \
	"$tmp/made.out"
capture shut walk /shut/a/b/c/f /shut 0
is_file "a base directory of 0700 is searched by the user" "$tmp/denied" "$tmp/shut.out"
capture shut1 walk /shut/a /shut 0
is_file "the final name's directory too" "$tmp/denied" "$tmp/shut1.out"
capture own walk /made/a/b/c/f /made 611 65534
is_file "0611 for its owner, the user: others' search is not the owner's" "$tmp/denied" \
	"$tmp/own.out"
capture open walk /open/a/b/c/f /open 0
is_file "a base directory of 0755 lets the user through" "$tmp/allowed" "$tmp/open.out"
capture deep walk /open/a/b/c/f /open/a/b 711
is_file "0711 on the way: search for everyone" "$tmp/allowed" "$tmp/deep.out"
capture deep2 walk /open/a/b/c/f /open/a/b 750
is_file "0750 on the way, deeper down" "$tmp/denied" "$tmp/deep2.out"
capture cwd cwd /shut/a b/c/f . .. ../a b/../../a ./b/c/../c/f
is_file "from a working directory below a refused one" "$tmp/cwd.exp" "$tmp/cwd.out"
capture cwdshut cwd /shut . a/b/c/f ..
is_file "in a refused working directory" "$tmp/cwd-shut.exp" "$tmp/cwdshut.out"

# The root directory is the prefix, whose mode it shows: one of 0700 lets
# the user reach only "/" itself.
mkdir -m 700 "$tmp/p700"
capture p700 "$VROOT" run --prefix "$tmp/p700" --fake-root --base "$B" --base / -- \
	python3 "$tmp/cwd.py" / / /open/a/b/c/f open
printf '/ ok\n/open/a/b/c/f Permission denied\nopen Permission denied\n' >"$tmp/p700.exp"
is_file "a prefix of 0700: the root directory refuses" "$tmp/p700.exp" "$tmp/p700.out"

# The same programs natively, where this machine lets root change users.
if [ "$(id -u)" = 0 ]; then
	chmod 755 "$tmp"
	N=$tmp/native
	tree "$N"
	capture nmade python3 "$WALK" "$N/made/a/b/c/f" "$N/made" 700
	is_file "natively, the same for a 0700 directory" "$tmp/denied" "$tmp/nmade.out"
	capture nown python3 "$WALK" "$N/made/a/b/c/f" "$N/made" 611 65534
	is_file "natively, the same for 0611 of the user's" "$tmp/denied" "$tmp/nown.out"
	capture nopen python3 "$WALK" "$N/open/a/b/c/f" "$N/open/a/b" 750
	is_file "natively, the same for 0750 deeper down" "$tmp/denied" "$tmp/nopen.out"
	capture nopen2 python3 "$WALK" "$N/open/a/b/c/f" "$N/open/a/b" 711
	is_file "natively, the same for 0711" "$tmp/allowed" "$tmp/nopen2.out"
	capture ncwd python3 "$tmp/cwd.py" "$N/shut/a" b/c/f . .. ../a b/../../a ./b/c/../c/f
	capture ncwdshut python3 "$tmp/cwd.py" "$N/shut" . a/b/c/f ..
	cat "$tmp/ncwdshut.out" >>"$tmp/ncwd.out"
	cat "$tmp/cwd.exp" "$tmp/cwd-shut.exp" >"$tmp/ncwd.exp"
	is_file "natively, the same from working directories" "$tmp/ncwd.exp" "$tmp/ncwd.out"
else
	skip_n 5 "changing users natively needs root"
fi
done_testing
