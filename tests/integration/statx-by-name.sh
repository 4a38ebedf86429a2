#!/bin/sh
# statx-by-name.sh - statx(2) of a final name answered from the one
# statx() the walk makes: the same fields as natively (birth time, block
# counts, attributes, symlinks not followed with AT_SYMLINK_NOFOLLOW), for
# names in a base, in the prefix, removed (a whiteout hides them), and
# followed through a symlink.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd stat python3
plan 3

mkdir -p "$tmp/b/d"
printf 'base\n' >"$tmp/b/d/file"
dd if=/dev/zero of="$tmp/b/d/big" bs=1k count=40 2>/dev/null
ln -s file "$tmp/b/d/link"
# Following the link reads it, which moves its access time to the clock's
# second then (relatime: the first read after a change); an access time an
# hour ahead of its change keeps the native run from moving it under vroot's.
touch -h -a -d "@$(($(date +%s) + 3600))" "$tmp/b/d/link"
mkfifo "$tmp/b/d/fifo"
touch -d @1500000000 "$tmp/b/d/file"
chmod 640 "$tmp/b/d/big"
fields='%n %F %s %b %h %a %W %Y %X %N'
( cd "$tmp/b/d" && stat -c "$fields" file big link fifo && stat -L -c "$fields" link ) \
	>"$tmp/native.out" 2>&1
capture base vr --cwd "$tmp/b/d" -- sh -c "stat -c '$fields' file big link fifo && stat -L -c '$fields' link"
is_file "base names: the fields stat(1) reads by statx, as natively" "$tmp/native.out" "$tmp/base.out"

mkdir -p "$tmp/n"
printf 'up\n' >"$tmp/n/new"
touch -d @1600000000 "$tmp/n/new"
( cd "$tmp/n" && stat -c '%n %F %s %h %Y' new; stat -c '%n' gone 2>&1 | sed 's/^.*: //' ) \
	>"$tmp/native2.out" 2>&1
capture up vr --cwd "$tmp/b/d" -- sh -c "printf 'up\n' >new && touch -d @1600000000 new &&
	rm file && stat -c '%n %F %s %h %Y' new; stat -c '%n' file 2>&1 | sed 's/^.*: //'"
sed 's/gone/file/' "$tmp/native2.out" >"$tmp/native2.want"
is_file "a name made in the prefix, and one removed" "$tmp/native2.want" "$tmp/up.out"

# The buffer is the program's only when the call succeeds.
cat >"$tmp/sx.py" <<'PY'
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
buf = ctypes.create_string_buffer(b"\xab" * 256, 256)
r = libc.statx(-100, b"/no/such/name", 0x100, 0x7ff, buf)
print(r, os.strerror(ctypes.get_errno()), set(buf.raw) == {0xab})
PY
python3 "$tmp/sx.py" >"$tmp/sx.native" 2>&1
capture sx vr -- python3 "$tmp/sx.py"
is_file "a failed statx leaves the buffer alone, as natively" "$tmp/sx.native" "$tmp/sx.out"
