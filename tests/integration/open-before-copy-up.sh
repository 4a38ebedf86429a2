#!/bin/sh
# open-before-copy-up.sh - a descriptor opened for reading on a base file
# before the file is first changed reads the changed file, as natively
# (and as on kernel overlayfs): the process that copies the file up
# re-points its own descriptors of it at the copy, keeping their number,
# offset and status flags, and every other process of the session does
# the same at its next trapped call.  fstat on such a descriptor after a
# truncate through /proc/self/fd/N shows the new size.  An inotify watch
# placed on a base file, before or after its copy-up, reports the changes
# made to the copy (placing it copies the file up: inotify-overlay.sh).
# tests/loader/helpers/fd_objects.c does the reading; each check compares
# with the same natively, on a file in $tmp/n, and through vroot on a base
# file in $tmp/v.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc sh python3
plan 11

FO=$tmp/fd_objects
gcc -O2 -Wall -o "$FO" "$top/tests/loader/helpers/fd_objects.c"
mkdir -p "$tmp/n" "$tmp/v"
# fresh: the file as it was, in both places, and no copy in the prefix.
fresh() {
	rm -rf "$tmp/prefix" "$tmp/prefix.work"
	printf 'base content\n' >"$tmp/n/f"
	printf 'base content\n' >"$tmp/v/f"
}

# same DESC CMD...: CMD with "$D" its directory, natively ($tmp/n) and
# through vroot ($tmp/v), prints the same.
same() {
	desc=$1
	shift
	fresh
	capture native env D="$tmp/n" "$@"
	capture vroot vr -- env D="$tmp/v" "$@"
	if cmp -s "$tmp/native.out" "$tmp/vroot.out"; then
		ok "$desc"
	else
		{
			diff "$tmp/native.out" "$tmp/vroot.out" || true
			cat "$tmp/vroot.err"
		} >"$tmp/same.diff"
		not_ok "$desc" "$tmp/same.diff"
	fi
}

same "read, rewrite the file, read on: the new content, offset and flags kept" \
	sh -c 'exec "$0" reader "$D/f"' "$FO"
same "fstat after truncate through /proc/self/fd/N, and after O_TRUNC through it" \
	sh -c 'exec "$0" truncate "$D/f"' "$FO"
same "shell: exec 3< f; printf NEW 1<> f; cat <&3" \
	sh -c 'exec 3<"$D/f"; printf NEW 1<>"$D/f"; cat <&3'
same "shell: read a line from 3, then change the file, read the rest" \
	sh -c 'exec 3<"$D/f"; read -r l <&3; printf "first line\nsecond line\n" >"$D/f"; cat <&3; echo "[$l]"'
is "... the base file is unchanged" "base content" "$(cat "$tmp/v/f")"
same "a child changes the file: the parent's descriptor reads the new content" \
	sh -c 'exec 3<"$D/f"; sh -c "printf NEW >\"\$D/f\""; cat <&3'
same "a forked child rewrites the file: the parent reads on at its offset, flags kept" \
	sh -c 'exec "$0" other-writer "$D/f"' "$FO"
# A base file with two links: its copy is shared through the index.
fresh
ln "$tmp/n/f" "$tmp/n/g"
ln "$tmp/v/f" "$tmp/v/g"
capture native env D="$tmp/n" sh -c 'exec 3<"$D/g"; sh -c "printf NEW >\"\$D/f\""; cat <&3'
capture vroot vr -- env D="$tmp/v" sh -c 'exec 3<"$D/g"; sh -c "printf NEW >\"\$D/f\""; cat <&3'
is "a child changes a file with two links: a descriptor of the other name reads it" \
	"$(cat "$tmp/native.out")" "$(cat "$tmp/vroot.out")$(cat "$tmp/vroot.err")"
rm -f "$tmp/n/g" "$tmp/v/g"
# A SQLite reader opened read-only on a base database before another
# process commits to it sees the commit.
cat >"$tmp/sqlite.py" <<'PY'
import sqlite3, subprocess, sys
db = sys.argv[1]
if len(sys.argv) > 2:
    c = sqlite3.connect(db)
    c.execute("create table if not exists t(x)")
    c.execute("insert into t values(1)")
    c.commit()
    sys.exit(0)
r = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
print("before", r.execute("select count(*) from t").fetchone()[0])
subprocess.run([sys.executable, sys.argv[0], db, "write"], check=True)
print("after", r.execute("select count(*) from t").fetchone()[0])
PY
if python3 -c 'import sqlite3' 2>/dev/null; then
	fresh
	python3 "$tmp/sqlite.py" "$tmp/n/db" make
	python3 "$tmp/sqlite.py" "$tmp/v/db" make
	same "SQLite: a reader sees another process's commit to a base database" \
		sh -c 'exec python3 "$0" "$D/db"' "$tmp/sqlite.py"
else
	skip "SQLite: a reader sees another process's commit" "python3 has no sqlite3 module"
fi

# watch FILE [copy]: IN_MODIFY seen for a write to FILE after a watch on
# it ("copy": FILE changed once before the watch is placed).
cat >"$tmp/watch.py" <<'PY'
import ctypes, os, select, sys
libc = ctypes.CDLL(None, use_errno=True)
f = sys.argv[1]
if len(sys.argv) > 2:
    with open(f, "a") as w:
        w.write("changed before\n")
ino = libc.inotify_init1(os.O_NONBLOCK)
if libc.inotify_add_watch(ino, f.encode(), 0x2) < 0:  # IN_MODIFY
    sys.exit("inotify_add_watch: " + os.strerror(ctypes.get_errno()))
with open(f, "a") as w:
    w.write("more\n")
r, _, _ = select.select([ino], [], [], 2)
print("IN_MODIFY" if r and os.read(ino, 4096) else "no event")
PY
same "inotify: a watch placed after the copy-up sees the copy's changes" \
	sh -c 'exec python3 "$0" "$D/f" copy' "$tmp/watch.py"
same "inotify: a watch on a base file sees the change that copies it up" \
	sh -c 'exec python3 "$0" "$D/f"' "$tmp/watch.py"
done_testing
