#!/bin/sh
# copy-up-attributes.sh - a base file or directory copied up by a change
# of its times keeps its mode, owner, size and the other time, whatever
# the program's umask, as a copy of the tree changed natively shows them;
# the copies on the host have them too, and the directories they went
# into are marked impure, as kernel overlayfs marks them.  Set-user-ID
# and set-group-ID included; as root, mode 0 and owners other than
# root's too.  A chown by a faked root copies up, then clears the set-ID
# bits as the kernel's chown does (set-group-ID as the group may execute).
# A change below a chain of base directories copies the chain (more
# levels than are copied at once from the directory cache, and fewer),
# and the same process then lists and tests them as natively.
set -eu
. "$(dirname "$0")/lib.sh"
plan 7

# The tree is /t in the namespace, over the host's root.
B=$tmp/base/t
mkdir -p "$B/d1" "$B/d2/sub" "$B/d3/deep/er" "$B/d4/a" "$B/d4/b"
# Mode 0 only for root: a plain user cannot read it to copy it, natively either.
modes="644 755 600 444 4755 2750"
is_root && modes="$modes 000"
for m in $modes; do
	printf 'data %s\n' "$m" >"$B/d1/f$m"
	chmod "$m" "$B/d1/f$m"
done
printf 'g\n' >"$B/d2/sub/g"
chmod 640 "$B/d2/sub/g"
printf 'h\n' >"$B/d3/deep/er/h"
for f in top a/f1 b/f2; do echo "$f" >"$B/d4/$f"; done
chmod 750 "$B/d2/sub"
chmod 711 "$B/d2"
chmod 2775 "$B/d3/deep"
if is_root; then
	chown 1234:2345 "$B/d2" "$B/d2/sub" "$B/d2/sub/g" "$B/d1/f600" "$B/d3/deep/er/h"
	chown 0:2345 "$B/d1/f644"
fi
find "$B" -exec touch -h -d @1500000000 {} +

# The changes, then what they left: run in a copy of the tree natively
# and over it through vroot.  A directory's modification time included: a
# copy going in is no change to it (kernel overlayfs puts the upper
# directory's times back too); its access time is left out, which reading
# it may move.
cat >"$tmp/change.sh" <<'EOS'
umask "$2"
cd "$1" || exit 1
for f in d1/*; do touch -c -d @1600000000 "$f"; done
touch -c -m -d @1600000001 d2/sub/g
touch -c -a -d @1600000002 d3/deep/er/h
touch -c -d @1600000003 d4/top d4/a/f1 d4/b/f2
find . -type d -exec stat -c '%n %A %u %g %Y' {} + | sort
find . -type f ! -path ./d3/deep/er/h -exec stat -c '%n %A %u %g %Y %s %h' {} + | sort
stat -c '%n %A %u %g %X %s %h' d3/deep/er/h
EOS

run_both() {
	rm -rf "$tmp/n" "$tmp/prefix" "$tmp/prefix.work"
	cp -a "$B" "$tmp/n"
	sh "$tmp/change.sh" "$tmp/n" "$1" >"$tmp/native" 2>&1
	vr --base "$tmp/base" --base / -- sh "$tmp/change.sh" /t "$1" >"$tmp/vroot" 2>&1 || true
}

run_both 022
is_file "copies keep mode, owner, size and times (umask 022)" "$tmp/native" "$tmp/vroot"
run_both 077
is_file "copies keep mode, owner, size and times (umask 077)" "$tmp/native" "$tmp/vroot"

# On the host: the copies in the upper layer show the same, where no
# owner's record stands in (a plain user cannot give away a file).
listing() {
	find . -type d -exec stat -c '%n %A %u %g %Y' {} +
	find . -type f ! -path ./d3/deep/er/h -exec stat -c '%n %A %u %g %Y' {} +
	find . -path ./d3/deep/er/h -exec stat -c '%n %A %u %g %X' {} +
}
(cd "$tmp/prefix/t" && listing | sort) >"$tmp/upper"
(cd "$tmp/n" && listing | sort) >"$tmp/want"
is_file "the copies on the host have the attributes they show" "$tmp/want" "$tmp/upper"

PY=/usr/bin/python3
if [ -x "$PY" ] && "$PY" -c 'import os,sys; os.setxattr(sys.argv[1], "user.t", b"1")' "$tmp/n" 2>/dev/null; then
	got=$("$PY" - "$tmp/prefix/t" <<'EOS'
import os, sys
for d in ("d1", "d2", "d2/sub", "d3", "d3/deep", "d3/deep/er", "d4", "d4/a", "d4/b"):
    try:
        v = os.getxattr(os.path.join(sys.argv[1], d), "user.overlay.impure").decode()
    except OSError as e:
        v = e.strerror
    print(d, v)
EOS
)
	is "directories that received copies are marked impure" \
		"d1 y
d2 y
d2/sub y
d3 y
d3/deep y
d3/deep/er y
d4 y
d4/a y
d4/b y" "$got"
else
	skip "directories that received copies are marked impure" "no user xattrs here"
fi
# Every way of copying up leaves the directories above as they were:
# a write, a truncation, a mode, a hard link's source, a symlink's own
# times, a FIFO's mode, a directory's mode.  Their modification times
# and the copies' types, against a copy of the tree changed natively.
P=$tmp/base/p
mkdir -p "$P/a/w" "$P/a/t" "$P/b/m" "$P/c/l" "$P/d/s" "$P/e/q" "$P/f/x/y"
for f in a/w/f a/t/f b/m/f c/l/f; do echo "$f" >"$P/$f"; done
ln -s f "$P/d/s/link"
mkfifo "$P/e/q/fifo"
find "$P" -exec touch -h -d @1500000000 {} +
cat >"$tmp/ways.sh" <<'EOS'
cd "$1" || exit 1
echo more >>a/w/f
truncate -s 1 a/t/f
chmod 600 b/m/f
ln c/l/f c/linked
touch -h -d @1600000000 d/s/link
chmod 600 e/q/fifo
chmod 700 f/x/y
find . -path ./c -o -type d -exec stat -c '%n %Y' {} + | sort
find . ! -type d -exec stat -c '%n %F %a %s' {} + | sort
EOS
rm -rf "$tmp/n" "$tmp/prefix" "$tmp/prefix.work"
cp -a "$P" "$tmp/n"
sh "$tmp/ways.sh" "$tmp/n" >"$tmp/native" 2>&1
vr --base "$tmp/base" --base / -- sh "$tmp/ways.sh" /p >"$tmp/vroot" 2>&1 || true
is_file "a copy-up by any change leaves its directories' times" "$tmp/native" "$tmp/vroot"

rm -rf "$tmp/prefix" "$tmp/prefix.work"
got=$(vr --fake-root --base "$tmp/base" --base / -- sh -c \
	'cd /t/d1 && chown 5:5 f2750 f4755 && stat -c "%n %a %u %g" f2750 f4755' 2>&1 || true)
is "a faked root's chown of set-ID base files" "f2750 750 5 5
f4755 755 5 5" "$got"

# Chains of base directories with files at each level; the changes and
# what is read after them run in one process (the shell's own tests) and
# its children, which start with its directory cache.
rm -rf "$tmp/prefix" "$tmp/prefix.work" "$tmp/n"
C=$tmp/base/c
mkdir -p "$C/g/1/2/3/4/5/6/7/8/9" "$C/h/1/2" "$C/h/1/3"
for d in g g/1/2 g/1/2/3/4/5/6/7/8 h h/1 h/1/2 h/1/3; do echo "$d" >"$C/$d/base"; done
find "$C" -exec touch -h -d @1500000000 {} +
cat >"$tmp/chain.sh" <<'EOS'
cd "$1" || exit 1
echo new >g/1/2/3/4/5/6/7/8/9/f
echo new >h/1/2/f
echo new >h/1/3/f
mkdir h/1/2/d
for x in g/1/2/base g/1/2/3/4/5/6/7/8/9/f h/base h/1/base h/1/2/base h/1/2/d h/1/3/f; do
	[ -e "$x" ] && echo "$x is there"
done
ls -a g/1/2 g/1/2/3/4/5/6/7/8 g/1/2/3/4/5/6/7/8/9 h h/1 h/1/2 h/1/3
find . -type d -exec stat -c '%n %Y' {} + | sort
EOS
cp -a "$C" "$tmp/n"
sh "$tmp/chain.sh" "$tmp/n" >"$tmp/native" 2>&1
sed -i 's/ 1[6-9][0-9]\{8\}$/ (now)/' "$tmp/native"
vr --base "$tmp/base" --base / -- sh "$tmp/chain.sh" /c >"$tmp/vroot" 2>&1 || true
sed -i 's/ 1[6-9][0-9]\{8\}$/ (now)/' "$tmp/vroot"
is_file "changes below chains of base directories: listings, names and times" "$tmp/native" \
	"$tmp/vroot"
done_testing
