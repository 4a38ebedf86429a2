#!/bin/sh
# inotify-overlay.sh - an inotify watch on an object of the overlay sees
# the changes made to it through the namespace, as a watch on an object of
# kernel overlayfs does: on a base file that a later change copies up, on a
# directory only a base has, on a merged directory.  Each check runs the
# same watcher natively (in $tmp/n) and through vroot (the same tree in
# $tmp/v, seen through the host's root as the base) and compares the
# events it prints: name and mask, in order.  The changes are made by
# another process of the session, the watcher's child.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd python3
plan 32

# watch.py TARGET MASK CMD...: a watch on TARGET for MASK (names of IN_*
# joined by "|"), then CMD, then the events until none comes for 0.3 s:
# one line each, "NAME MASK" ("." for the watched object itself).
cat >"$tmp/watch.py" <<'PY'
import ctypes, os, select, struct, subprocess, sys
libc = ctypes.CDLL(None, use_errno=True)
bits = {"ACCESS": 0x1, "MODIFY": 0x2, "ATTRIB": 0x4, "CLOSE_WRITE": 0x8,
        "CLOSE_NOWRITE": 0x10, "OPEN": 0x20, "MOVED_FROM": 0x40,
        "MOVED_TO": 0x80, "CREATE": 0x100, "DELETE": 0x200,
        "DELETE_SELF": 0x400, "MOVE_SELF": 0x800, "IGNORED": 0x8000,
        "ONLYDIR": 0x01000000, "MASK_CREATE": 0x10000000,
        "MASK_ADD": 0x20000000, "ISDIR": 0x40000000}
target, mask = sys.argv[1], sys.argv[2]
m = 0
for b in mask.split("|"):
    m |= bits[b]
ino = libc.inotify_init1(os.O_NONBLOCK)
wd = libc.inotify_add_watch(ino, target.encode(), m)
if wd < 0:
    sys.exit("inotify_add_watch: " + os.strerror(ctypes.get_errno()))
print("wd", wd)
sys.stdout.flush()
subprocess.run(sys.argv[3:], check=True)
buf = b""
while select.select([ino], [], [], 0.3)[0]:
    buf += os.read(ino, 65536)
while buf:
    w, mk, cookie, n = struct.unpack_from("iIII", buf)
    name = buf[16:16 + n].rstrip(b"\0").decode() or "."
    buf = buf[16 + n:]
    print(name, "|".join(k for k, v in bits.items() if mk & v))
PY

# fresh: the same tree natively and for vroot, no prefix yet.  d: a
# directory the base alone has; m: one that becomes merged (a name of it
# made through the namespace); f, d/old, d/a, m/old, m/a: base files;
# d/e, m/e: base directories.
fresh() {
	rm -rf "$tmp/prefix" "$tmp/prefix.work" "$tmp/n" "$tmp/v"
	# (its own loop variables: the callers' $x is theirs)
	for fr_t in n v; do
		mkdir -p "$tmp/$fr_t/d/e" "$tmp/$fr_t/m/e"
		printf 'base content\n' >"$tmp/$fr_t/f"
		for fr_x in d m; do
			printf 'old\n' >"$tmp/$fr_t/$fr_x/old"
			printf 'a\n' >"$tmp/$fr_t/$fr_x/a"
		done
	done
	touch "$tmp/n/m/up"
	vr -- touch "$tmp/v/m/up"
}

# same DESC TARGET MASK SCRIPT: the watcher on $D/TARGET for MASK, SCRIPT
# run by sh in $D (native: $tmp/n, vroot: $tmp/v); the same events.
same() {
	desc=$1
	fresh
	(cd "$tmp/n" && capture native python3 "$tmp/watch.py" "$2" "$3" sh -c "$4")
	(cd "$tmp/v" && capture vroot vr -- python3 "$tmp/watch.py" "$2" "$3" sh -c "$4")
	if [ -s "$tmp/native.out" ] && cmp -s "$tmp/native.out" "$tmp/vroot.out"; then
		ok "$desc"
	else
		{
			echo "native:"
			cat "$tmp/native.out" "$tmp/native.err"
			echo "vroot:"
			cat "$tmp/vroot.out" "$tmp/vroot.err"
		} >"$tmp/same.diff"
		not_ok "$desc" "$tmp/same.diff"
	fi
}

# differs DESC TARGET MASK SCRIPT WANT: as same, where the README
# documents a difference: vroot's events are WANT (lines joined by ";"),
# whatever the native ones are (shown).
differs() {
	desc=$1
	fresh
	(cd "$tmp/n" && capture native python3 "$tmp/watch.py" "$2" "$3" sh -c "$4")
	(cd "$tmp/v" && capture vroot vr -- python3 "$tmp/watch.py" "$2" "$3" sh -c "$4")
	got=$(tr '\n' ';' <"$tmp/vroot.out" | sed 's/;$//')
	if [ "$got" = "wd 1;$5" ]; then
		ok "$desc"
	else
		{
			echo "want: wd 1;$5"
			echo "got:  $got"
			echo "native:"
			cat "$tmp/native.out" "$tmp/native.err"
			cat "$tmp/vroot.err"
		} >"$tmp/same.diff"
		not_ok "$desc" "$tmp/same.diff"
	fi
}

file_mask="MODIFY|ATTRIB|CLOSE_WRITE|DELETE_SELF|MOVE_SELF"
dir_mask="MODIFY|CLOSE_WRITE|MOVED_FROM|MOVED_TO|CREATE|DELETE|DELETE_SELF|MOVE_SELF"

same "base file: another process appends to it (the write that copies it up)" \
	f "$file_mask" 'printf more >>f'
same "base file: another process truncates and rewrites it" \
	f "$file_mask" 'printf new >f'
same "base file: chmod by another process" \
	f "ATTRIB" 'chmod 600 f'
# Removing a copy moves it into the work directory first (natively: ATTRIB, DELETE_SELF).
differs "base file: removed by another process" \
	f "$file_mask" 'rm f' ". MOVE_SELF;. ATTRIB;. DELETE_SELF;. IGNORED"

for x in d m; do
	case $x in
	d) kind="base-only directory" ;;
	m) kind="merged directory" ;;
	esac
	same "$kind: create and write a file" \
		$x "$dir_mask" "printf x >$x/new"
	same "$kind: make and remove a directory" \
		$x "$dir_mask" "mkdir $x/sub && rmdir $x/sub"
	same "$kind: a new file renamed inside it, then removed" \
		$x "$dir_mask" "printf x >$x/new && mv $x/new $x/new2 && rm $x/new2"
	# The whiteout that hides the base's name is created under it
	# (natively: "old DELETE").
	differs "$kind: remove a base file" \
		$x "$dir_mask" "rm $x/old" "old CREATE"
	# A base file's copy appears under its name, once (natively: no
	# CREATE); its directory is marked as holding copies (ATTRIB).
	differs "$kind: rename a base file" \
		$x "$dir_mask" "mv $x/a $x/b" "a CREATE;a MOVED_FROM;b MOVED_TO"
	differs "$kind: chmod a base file" \
		$x "ATTRIB|CREATE" "chmod 600 $x/a" "a CREATE;. ATTRIB|ISDIR;a ATTRIB"
	# A copy leaves for the work directory (natively: "a DELETE").
	differs "$kind: chmod a base file, then remove it" \
		$x "$dir_mask" "chmod 600 $x/a && rm $x/a" "a CREATE;a MOVED_FROM"
	# A directory's copy is made in the work directory, then moved in.
	differs "$kind: create in a base subdirectory" \
		$x "$dir_mask" "touch $x/e/x && touch $x/e/y" "e MOVED_TO|ISDIR"
	differs "$kind: remove a base directory" \
		$x "$dir_mask" "rmdir $x/e" "e CREATE"
	same "$kind: write to a base file in it" \
		$x "MODIFY|CLOSE_WRITE" "printf x >>$x/a"
done

# The base itself is never changed by a watch.
fresh
vr -- python3 "$tmp/watch.py" "$tmp/v/f" "$file_mask" true >/dev/null
vr -- python3 "$tmp/watch.py" "$tmp/v/d" "$dir_mask" true >/dev/null
is "watches leave the base's files and directories as they were" \
	"base content|a|e|old" "$(cat "$tmp/v/f")|$(ls "$tmp/v/d" | tr '\n' '|' | sed 's/|$//')"
# A copied-up directory is not opaque: the base's names still show.
is "a watched base-only directory still lists the base's names" \
	"a e new old" "$(vr -- sh -c "python3 $tmp/watch.py $tmp/v/d CREATE 'sh' '-c' 'touch $tmp/v/d/new' >/dev/null && ls $tmp/v/d" | tr '\n' ' ' | sed 's/ $//')"

# The owner and mode a base file shows are those of its copy: the owner's
# record is made as for chmod.
fresh
chmod 640 "$tmp/v/f"
st='stat -c %u:%g:%a "$0"'
before=$(vr --fake-root -- sh -c "$st" "$tmp/v/f")
after=$(vr --fake-root -- sh -c "python3 \"\$1\" \"\$0\" ATTRIB true >/dev/null && $st" \
	"$tmp/v/f" "$tmp/watch.py")
is "fake root: a watched base file keeps the owner and mode it showed" "$before" "$after"
[ -f "$tmp/prefix$tmp/v/f" ] && ok "... and is copied up" || not_ok "... and is copied up"

# What the call refuses copies nothing up: IN_ONLYDIR on a file, a mask
# the kernel refuses.
fresh
err=$(vr -- python3 "$tmp/watch.py" "$tmp/v/f" "MODIFY|ONLYDIR" true 2>&1 || true)
is "IN_ONLYDIR on a base file: ENOTDIR" "inotify_add_watch: Not a directory" "$err"
err=$(vr -- python3 "$tmp/watch.py" "$tmp/v/f" "MASK_ADD|MASK_CREATE|MODIFY" true 2>&1 || true)
is "IN_MASK_ADD with IN_MASK_CREATE: EINVAL" "inotify_add_watch: Invalid argument" "$err"
[ -e "$tmp/prefix$tmp/v/f" ] && not_ok "... and nothing is copied up" || ok "... and nothing is copied up"

# A read-only mount: nothing to copy up, the watch is on the host's file,
# and sees a change made through a read-write mount of the same directory.
fresh
mkdir "$tmp/h"
printf 'host\n' >"$tmp/h/f"
(cd "$tmp/v" && capture vroot vr --mount "$tmp/h:/ro:ro" --mount "$tmp/h:/rw" -- \
	python3 "$tmp/watch.py" /ro/f "MODIFY" sh -c 'printf x >>/rw/f')
is "read-only mount: the watch sees a change through another mount" \
	"wd 1;. MODIFY" "$(tr '\n' ';' <"$tmp/vroot.out" | sed 's/;$//')$(cat "$tmp/vroot.err")"
done_testing
