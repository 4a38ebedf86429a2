#!/bin/sh
# case-insensitive-listing.sh - in a case-insensitive namespace, a
# directory that merges layers lists each name once by its folded
# identity, as lookups resolve it: the topmost layer holding any spelling
# of a name decides (an upper "foo" hides a base "FOO", a whiteout "baz"
# hides "Baz" and "BAZ" below it, for listings and for lookups of every
# spelling); within one layer several spellings all list.  Then rm -rf of
# such a directory leaves nothing behind.  (Mounts have one layer each:
# only the root overlay merges.)  No native Linux directory folds case
# without root, so the results are compared against a table.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd python3 find
plan 10

B1=$tmp/b1
B2=$tmp/b2
mkdir -p "$B1/d" "$B2/d"
for f in FOO Bar baz q Q keep; do echo "b1 $f" >"$B1/d/$f"; done
for f in BAR Baz BAZ; do echo "b2 $f" >"$B2/d/$f"; done
mkdir "$B1/d/Sub" "$B2/d/SUB"
echo x >"$B1/d/Sub/x"
echo y >"$B2/d/SUB/x"

# The prefix changed by a run that does not fold (as a base changed from
# outside would be): an upper "foo" over the base's "FOO", a whiteout "baz".
vr --base "$B1" --base "$B2" --base / -- sh -c 'echo upper >/d/foo && rm /d/baz'

ci() { vr --case-insensitive --base "$B1" --base "$B2" --base / "$@" 2>&1 || true; }

want="Bar
Q
Sub
foo
keep
q"
is "ls lists each folded name once" "$want" "$(ci -- ls -1 /d)"
is "... and find" "$({ echo "$want" | sed 's|^|/d/|'; echo /d/Sub/x; } | sort)" \
	"$(ci -- find /d -mindepth 1 | sort)"
is "... and python's os.listdir" "$(echo "$want" | tr '\n' ' ')" \
	"$(ci -- python3 -c 'import os; print(" ".join(sorted(os.listdir("/d"))), end=" ")')"

cat >"$tmp/look.py" <<'PY'
import errno, os
for n in ("foo", "FOO", "Foo", "bar", "BAR", "baz", "Baz", "BAZ", "q", "Q", "SUB/x"):
    try:
        with open("/d/" + n) as f:
            print(n, f.read().strip())
    except OSError as e:
        print(n, errno.errorcode[e.errno])
PY
is "lookups of every spelling find what is listed" "foo upper
FOO upper
Foo upper
bar b1 Bar
BAR b1 Bar
baz ENOENT
Baz ENOENT
BAZ ENOENT
q b1 q
Q b1 Q
SUB/x x" "$(ci -- python3 "$tmp/look.py")"

capture rm vr --case-insensitive --base "$B1" --base "$B2" --base / -- rm -rf /d
is "rm -rf of the directory succeeds" "0" "$rc"
check "... its output is empty" test ! -s "$tmp/rm.err"
is "... and nothing is left, by any spelling" "ENOENT ENOENT" \
	"$(ci -- python3 -c '
import errno, os
r = []
for p in ("/d", "/D"):
    try:
        os.stat(p); r.append("exists")
    except OSError as e:
        r.append(errno.errorcode[e.errno])
print(*r)')"
is "... nor seen without folding" "absent" \
	"$(vr --base "$B1" --base "$B2" --base / -- sh -c 'test -e /d || echo absent' 2>&1)"

# A directory made where a whiteout of another spelling hides a lower
# directory does not merge with the hidden one.
mkdir -p "$B1/w" "$B2/W"
echo hidden >"$B2/W/secret"
vr --base "$B1" --base "$B2" --base / -- rmdir /w
is "mkdir under a whiteout of another spelling: a new, empty directory" "made:" \
	"$(ci -- sh -c 'mkdir /W && echo made: $(ls -A /W)')"

# Removing many names one by one from a merged directory keeps its folded
# index current instead of listing the directory again for each name:
# counted in host system calls, which a listing per name multiplies by
# the directory's size (about 130 times as many for 2,000 names).
mkdir -p "$tmp/b3/many"
(cd "$tmp/b3/many" && seq -f 'name%04g.txt' 1 2000 | xargs touch)
calls() {
	rm -rf "$tmp/p3"
	"$VROOT" run --stats --prefix "$tmp/p3" --reset-settings "$@" --base "$tmp/b3" --base / \
		-- rm -rf /many 2>&1 | sed -n 's/.* \([0-9][0-9]*\) host system calls.*/\1/p'
}
cs=$(calls --case-sensitive)
ci=$(calls --case-insensitive)
diag "rm -rf of 2,000 base names: $cs host system calls, $ci with --case-insensitive"
check "rm -rf of 2,000 base names: at most 3 times the system calls without folding" \
	test "$ci" -le $((3 * cs))
done_testing
