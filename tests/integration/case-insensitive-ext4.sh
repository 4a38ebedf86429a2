#!/bin/sh
# case-insensitive-ext4.sh - a ci mount against the kernel's own case
# folding: the same operations (create, open case variants, exclusive
# create and mkdir of variants, unlink by a variant, listing) in an ext4
# directory flagged casefold (chattr +F, on a loop device: root only) and
# through `vroot run --mount HOST:/d:ci` over a plain directory, compared.
#
# Where APFS, which vroot follows, and ext4 may answer differently the rows
# are not compared with ext4 but with APFS's answers, and ext4's own are
# shown as comments: ext4 folds with the kernel's Unicode tables (12.1),
# may or may not apply the full case foldings (sharp s, ligatures), and
# keeps the old spelling on rename("foo", "Foo") where APFS takes the new.
set -eu
. "$(dirname "$0")/lib.sh"

if ! is_root; then
	echo "1..0 # SKIP not root: a casefold ext4 image needs a loop mount"
	exit 0
fi
if [ ! -e /sys/fs/ext4/features/casefold ]; then
	echo "1..0 # SKIP kernel without ext4 casefold (CONFIG_UNICODE)"
	exit 0
fi
need_cmd mkfs.ext4 chattr python3 mount umount
plan 3

img=$tmp/ext4.img
mnt=$tmp/mnt
mkdir -p "$mnt" "$tmp/plain"
truncate -s 16M "$img"
mkfs.ext4 -q -F -O casefold -E encoding=utf8 "$img"
mount -o loop "$img" "$mnt"
# Unmounted before lib.sh's cleanup removes $tmp.
trap 'umount "$mnt" 2>/dev/null || true; cleanup' EXIT
mkdir "$mnt/d"
chattr +F "$mnt/d"
chmod 777 "$mnt/d" "$tmp/plain"

cat >"$tmp/ops.py" <<'PY'
import errno, os, sys, unicodedata
d = sys.argv[1]
part = sys.argv[2]
def res(f, *a):
    try:
        r = f(*a)
        return "ok" if r is None else r
    except OSError as e:
        return errno.errorcode[e.errno]
def p(n):
    return os.path.join(d, n)
def read(n):
    def r():
        with open(p(n)) as f:
            return f.read()
    return res(r)
def creat(n, text, excl=False):
    def c():
        fl = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if excl else os.O_TRUNC)
        fd = os.open(p(n), fl, 0o644)
        os.write(fd, text.encode())
        os.close(fd)
    return res(c)
def ls():
    return " ".join(sorted(os.listdir(d)))
def row(k, v):
    print(f"{k}: {v}")
# Names, and variants made from them: case changes of ASCII and of
# precomposed Latin letters, which both folds agree on.
names = ["foo", "Mixed.Case.TXT", "caf\u00e9", "R\u00e9sum\u00e9 2", "x-Y_z.1"]
def variants(n):
    return sorted({n.upper(), n.lower(), n.swapcase(), n.title()})
if part == "same":
    for n in names:
        row("create " + n, creat(n, n))
    row("listing", ls())
    for n in names:
        for v in variants(n):
            row("read " + v, read(v))
            row("O_EXCL " + v, creat(v, "x", excl=True))
            row("mkdir " + v, res(os.mkdir, p(v)))
    for n in names:
        v = n.upper()
        row("O_CREAT|O_TRUNC " + v, creat(v, "new " + n))
        row("read " + n, read(n))
    row("listing", ls())
    row("unlink " + names[1].lower(), res(os.unlink, p(names[1].lower())))
    row("unlink " + names[3].upper(), res(os.unlink, p(names[3].upper())))
    row("listing", ls())
    row("read absent FOO2", read("FOO2"))
else:
    # Rows where APFS and ext4 may differ.
    creat("Stra\u00dfe", "strasse")
    creat("\ufb01le", "file")
    creat("n\u00e9e", "nee")
    creat("old", "old")
    row("read STRASSE (full folding)", read("STRASSE"))
    row("read FILE (ligature)", read("FILE"))
    row("read NFD ne\u0301e", read(unicodedata.normalize("NFD", "n\u00e9e")))
    row("rename old OLD", res(os.rename, p("old"), p("OLD")))
    row("listing", ls())
PY

vr --mount "$tmp/plain:/d:ci" -- python3 "$tmp/ops.py" /d same >"$tmp/vroot.same" 2>&1 || true
python3 "$tmp/ops.py" "$mnt/d" same >"$tmp/ext4.same" 2>&1 || true
is_file "the same operations give the same answers as ext4 casefold" \
	"$tmp/ext4.same" "$tmp/vroot.same"

rm -rf "$tmp/plain"/* "$mnt/d"/*
vr --mount "$tmp/plain:/d:ci" -- python3 "$tmp/ops.py" /d differ >"$tmp/vroot.differ" 2>&1 || true
python3 "$tmp/ops.py" "$mnt/d" differ >"$tmp/ext4.differ" 2>&1 || true
cat >"$tmp/apfs.differ" <<'T'
read STRASSE (full folding): strasse
read FILE (ligature): file
read NFD neée: nee
rename old OLD: ok
listing: OLD Straße née ﬁle
T
is_file "where APFS and ext4 may differ: APFS's answers" "$tmp/apfs.differ" "$tmp/vroot.differ"
diag "ext4 casefold answers there:"
diag "$(cat "$tmp/ext4.differ")"
check "... and the host directory holds what the program made" test -f "$tmp/plain/OLD"
done_testing
