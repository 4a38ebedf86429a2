#!/bin/sh
# prefix-fs.sh - filesystems that cannot hold a prefix, and read-only bases.
#
# A prefix on a filesystem without user extended attributes (ramfs) or a
# read-only one is refused: status 125, one line naming the path and what
# to do, nothing created (not even the parents vroot would have made).  One
# that cannot hold whiteouts (overlayfs, a container's root) is used with
# one warning line: base files cannot be removed there (EPERM), the rest
# works.  A base on a read-only filesystem (a read-only bind mount, a
# read-only tmpfs) works for everything, since nothing ever writes a base.
#
# Mounting needs root: as another user the checks are skipped, saying so.
# As root the script runs in a mount namespace of its own.
set -eu
if [ "$(id -u)" = 0 ] && [ -z "${VROOT_PREFIX_FS_NS:-}" ] && command -v unshare >/dev/null &&
	unshare -m --propagation private true 2>/dev/null; then
	VROOT_PREFIX_FS_NS=1 exec unshare -m --propagation private "$0" "$@"
fi
. "$(dirname "$0")/../integration/lib.sh"
if ! is_root; then
	echo "1..0 # SKIP needs root to mount ramfs, overlayfs, tmpfs and read-only bind mounts"
	exit 0
fi
plan 18

# Everything mounted here goes before the temp dir is removed.
mounts=
cleanup() {
	for m in $mounts; do umount -l "$m" 2>/dev/null || true; done
	chmod -R u+rwX "$tmp" 2>/dev/null || true
	rm -rf "$tmp"
}
mnt() { # mnt DIR MOUNT-ARGS...: mount at DIR (created), unmounted at exit
	d=$1
	shift
	mkdir -p "$d"
	mount "$@" "$d"
	mounts="$d $mounts"
}

# refused DESC NEEDLE PREFIX [CHECK-ABSENT]: status 125, one line on stderr
# naming PREFIX and containing NEEDLE, nothing on stdout; CHECK-ABSENT (or
# PREFIX) does not exist afterwards, nor PREFIX.work.
refused() {
	desc=$1 needle=$2 pfx=$3 gone=${4:-$3}
	capture ref "$VROOT" run --prefix "$pfx" -- true
	if [ "$rc" = 125 ] && [ "$(wc -l <"$tmp/ref.err")" = 1 ] &&
		grep -qF -- "$pfx" "$tmp/ref.err" && grep -qF -- "$needle" "$tmp/ref.err" &&
		[ ! -s "$tmp/ref.out" ]; then
		ok "$desc: 125, one line naming the prefix and '$needle'"
	else
		{
			echo "status $rc, stderr:"
			cat "$tmp/ref.err"
		} >"$tmp/ref.diag"
		not_ok "$desc: 125, one line naming the prefix and '$needle'" "$tmp/ref.diag"
	fi
	if [ -e "$gone" ] || [ -e "$pfx.work" ]; then
		ls -la "$(dirname "$gone")" >"$tmp/ref.diag" 2>&1 || true
		not_ok "$desc: nothing created" "$tmp/ref.diag"
	else
		ok "$desc: nothing created"
	fi
}

# --- a prefix without user xattrs --------------------------------------------
if ! mnt "$tmp/ram" -t ramfs ramfs 2>"$tmp/mnt.err"; then
	skip_n 7 "ramfs cannot be mounted here: $(cat "$tmp/mnt.err")"
else
	refused "prefix on ramfs" "user extended attributes" "$tmp/ram/p"
	refused "prefix on ramfs, parents to create" "user extended attributes" \
		"$tmp/ram/a/b/p" "$tmp/ram/a"
	capture adv "$VROOT" run --prefix "$tmp/ram/p" -- true
	is "... the line says where to put it" "1" "$(grep -c 'put --prefix on ext4' "$tmp/adv.err")"
	# An existing prefix there (made by hand, or by an older vroot) is kept.
	mkdir "$tmp/ram/old" "$tmp/ram/old.work"
	printf 'mine\n' >"$tmp/ram/old/f"
	capture old "$VROOT" run --prefix "$tmp/ram/old" -- true
	is "an existing prefix on ramfs: refused" "125" "$rc"
	is "... and left as it was" "mine|" "$(cat "$tmp/ram/old/f")|$(ls -A "$tmp/ram/old.work")"
fi

# --- a prefix where whiteouts cannot be made: overlayfs refuses mknod 0:0 ---
mkdir -p "$tmp/ovl/l" "$tmp/ovl/u" "$tmp/ovl/w"
if ! mnt "$tmp/ovl/m" -t overlay overlay \
	-o "lowerdir=$tmp/ovl/l,upperdir=$tmp/ovl/u,workdir=$tmp/ovl/w" 2>"$tmp/mnt.err"; then
	skip_n 2 "overlayfs cannot be mounted here: $(cat "$tmp/mnt.err")"
else
	mkdir -p "$tmp/ovl/b"
	printf 'base\n' >"$tmp/ovl/b/f"
	capture ovl "$VROOT" run --base "$tmp/ovl/b" --base / --prefix "$tmp/ovl/m/p" --cwd / -- \
		sh -c 'echo new >g && cat g f && if rm f 2>/dev/null; then echo removed; fi'
	is "prefix on overlayfs: runs, writes work, base files stay" "0|new base|g" \
		"$rc|$(tr '\n' ' ' <"$tmp/ovl.out" | sed 's/ $//')|$(ls "$tmp/ovl/m/p")"
	is "... with one warning line naming the prefix and the whiteouts" "1 1 1" \
		"$(wc -l <"$tmp/ovl.err") $(grep -cF "$tmp/ovl/m/p" "$tmp/ovl.err") $(grep -c 'warning: .*whiteouts' "$tmp/ovl.err")"
fi

# --- a prefix on a read-only filesystem --------------------------------------
mnt "$tmp/rofs" -t tmpfs tmpfs
mkdir "$tmp/rofs/p" "$tmp/rofs/p.work"
mount -o remount,ro "$tmp/rofs"
capture ro "$VROOT" run --prefix "$tmp/rofs/p" -- true
is "existing prefix on a read-only filesystem: 125, one line naming it" "125 1 1 1" \
	"$rc $(wc -l <"$tmp/ro.err") $(grep -cF "$tmp/rofs/p" "$tmp/ro.err") $(grep -c 'Read-only' "$tmp/ro.err")"
refused "new prefix on a read-only filesystem" "Read-only" "$tmp/rofs/new"
refused "new prefix below a missing directory there" "Read-only" "$tmp/rofs/x/p" "$tmp/rofs/x"

# --- read-only bases ---------------------------------------------------------
# B is bound read-only at RB; T is a tmpfs remounted read-only.
B=$tmp/b
mkdir -p "$B/d/sub" "$B/e"
printf 'base\n' >"$B/d/f"
printf 'keep\n' >"$B/d/sub/k"
printf 'gone\n' >"$B/d/rm"
chmod 640 "$B/d/f"
mnt "$tmp/rb" --bind "$B"
mount -o remount,bind,ro "$tmp/rb"
mnt "$tmp/t" -t tmpfs tmpfs
mkdir -p "$tmp/t/etc" "$tmp/t/dir"
printf 'conf\n' >"$tmp/t/etc/conf"
mount -o remount,ro "$tmp/t"
snap() { (cd "$1" && find . -printf '%p %y %m %s %T@ %C@\n' | sort && find . -type f -exec cat {} +); }
snap "$tmp/rb" >"$tmp/rb.before"
snap "$tmp/t" >"$tmp/t.before"
capture rbase "$VROOT" run --base "$tmp/rb" --base "$tmp/t" --base / --prefix "$tmp/p" -- sh -c '
	set -e
	cat /d/f /etc/conf
	echo more >>/d/f; chmod 600 /d/f; touch -d @1 /d/sub/k
	echo new >/etc/new; echo also >>/etc/conf
	rm /d/rm; mv /d/sub /d/moved; mv /dir /dir2; rmdir /e; mkdir /e
	ln /d/f /d/hard; ln -s f /d/link
	cat /d/f /etc/conf /etc/new; stat -c "%a" /d/f; ls /d; ls -A /e | wc -l
'
is "a read-only bind mount and a read-only tmpfs as bases: every change works" \
	"0|base|conf|base|more|conf|also|new|600|f|hard|link|moved|0" \
	"$rc|$(tr '\n' '|' <"$tmp/rbase.out" | sed 's/|$//')"
if [ -s "$tmp/rbase.err" ]; then not_ok "... nothing on stderr" "$tmp/rbase.err"; else ok "... nothing on stderr"; fi
snap "$tmp/rb" >"$tmp/rb.after"
snap "$tmp/t" >"$tmp/t.after"
is_file "the bases are unchanged (names, modes, sizes, times, data)" "$tmp/rb.before" "$tmp/rb.after"
is_file "... the tmpfs one too" "$tmp/t.before" "$tmp/t.after"
done_testing
