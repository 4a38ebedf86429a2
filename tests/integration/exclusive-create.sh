#!/bin/sh
# exclusive-create.sh - open(O_CREAT | O_EXCL) in a directory only the
# prefix holds is made without looking the name up first; the answers are
# the kernel's all the same: a new name is made, an existing file, directory
# or dangling symlink gives EEXIST, in a directory the caller may not write
# EACCES for a new name but EEXIST for an existing one, a trailing slash
# EISDIR; and a whiteout left there (its base directory removed from
# outside) holds no name.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd python3
plan 5

cat >"$tmp/excl.py" <<'EOF2'
import errno, os, sys
os.chdir(sys.argv[1])
def mk(name):
    try:
        os.close(os.open(name, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        return "ok"
    except OSError as e:
        return errno.errorcode[e.errno]
with open("present", "w") as f:
    f.write("a\n")
os.mkdir("sub")
os.symlink("nowhere", "dangling")
out = [mk(n) for n in ("new", "new", "present", "sub", "dangling", "new2/")]
os.chmod(".", 0o555)
out += [mk("ro-new"), mk("present")]
os.chmod(".", 0o755)
print(" ".join(out), sorted(os.listdir(".")))
EOF2

# The same, natively and in a directory the namespace makes in the prefix.
mkdir "$tmp/n"
capture nat python3 "$tmp/excl.py" "$tmp/n"
capture in "$VROOT" run --prefix "$tmp/prefix" -- sh -c \
	"mkdir \"$tmp/v\" && python3 \"$tmp/excl.py\" \"$tmp/v\""
is "exclusive creates in a directory of the prefix alone: as natively" \
	"$(cat "$tmp/nat.out")$(cat "$tmp/nat.err")" "$(cat "$tmp/in.out")$(cat "$tmp/in.err")"
# What the caller may do in a read-only directory is the machine's (root, or
# a user: CAP_DAC_OVERRIDE decides); asked natively, not assumed.
if touch "$tmp/n/probe-ro" 2>/dev/null && chmod 555 "$tmp/n" && (: >"$tmp/n/x") 2>/dev/null; then
	ro=ok
else
	ro=EACCES
fi
chmod 755 "$tmp/n"
rm -f "$tmp/n/probe-ro" "$tmp/n/x"
check "... and natively a new name in a read-only directory: $ro, an existing one EEXIST" \
	grep -q "$ro EEXIST" "$tmp/nat.out"

# A directory the prefix and a base both hold: a name of the base's is
# there, as it would be natively.
mkdir -p "$tmp/base/m"
printf 'base\n' >"$tmp/base/m/basefile"
capture mg "$VROOT" run --base "$tmp/base" --base / --prefix "$tmp/p1" -- sh -c '
touch /m/other && python3 -c "
import errno, os
try:
    os.open(\"/m/basefile\", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    print(\"made\")
except OSError as e:
    print(errno.errorcode[e.errno])" && cat /m/basefile'
is "a name of the base in a directory the prefix holds too: EEXIST, the base's file kept" \
	"EEXIST base" "$(cat "$tmp/mg.out" | tr '\n' ' ' | sed 's/ $//')$(cat "$tmp/mg.err")"

# A base directory whose name was removed inside, then the directory itself
# removed from the base: the prefix's directory keeps the whiteout.
mkdir -p "$tmp/base/w"
printf 'base\n' >"$tmp/base/w/gone"
vb() { "$VROOT" run --base "$tmp/base" --base / --prefix "$tmp/p2" "$@"; }
vb rm /w/gone
rm -r "$tmp/base/w"
capture wo vb python3 -c '
import os
fd = os.open("/w/gone", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
os.write(fd, b"new\n")
os.close(fd)
print(open("/w/gone").read().strip(), os.listdir("/w"))'
is "over a whiteout the base no longer needs: made" "new ['gone']" \
	"$(cat "$tmp/wo.out")$(cat "$tmp/wo.err")"
capture wo2 vb python3 -c '
import errno, os
try:
    os.open("/w/gone", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    print("made again")
except OSError as e:
    print(errno.errorcode[e.errno])'
is "... and then taken" "EEXIST" "$(cat "$tmp/wo2.out")$(cat "$tmp/wo2.err")"
done_testing
