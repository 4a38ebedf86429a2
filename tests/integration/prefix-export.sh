#!/bin/sh
# prefix-export.sh - `vroot export FILE.tar` writes the namespace's tree as
# programs in it see it (owners and modes as recorded, a device recorded by
# a faked mknod, symlinks, hard links, long names): extracted natively it
# lists and reads as `find` and `md5sum` inside `vroot run` do, and GNU
# tar lists it without a warning.  `--changes` writes the prefix's changes
# as an OCI image layer: applied over a copy of the base (.wh.NAME
# removes NAME, .wh..wh..opq empties its directory) it gives the merged
# tree, and its whiteouts name exactly what `vroot diff` says is deleted.
# An unwritable output or a missing prefix is refused in one line.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd tar md5sum find
plan 14

root=no
[ "$(id -u)" = 0 ] && root=yes

b=$tmp/base
p=$tmp/p
mkdir -p "$b/etc" "$b/dir/sub" "$b/old" "$b/deep/a" "$b/ro"
# The host's programs: its /usr mounted, the top-level links to it copied
# (or the directory mounted where it is not a link).
mounts="--mount /usr:/usr:ro"
prune="-path ./usr"
for d in bin sbin lib lib64 lib32 libx32; do
	if [ -L "/$d" ]; then
		cp -P "/$d" "$b/$d"
	elif [ -d "/$d" ]; then
		mounts="$mounts --mount /$d:/$d:ro"
		prune="$prune -o -path ./$d"
	fi
done
echo hello >"$b/etc/motd"
echo x >"$b/etc/owner"
echo y >"$b/etc/gone"
echo z >"$b/dir/sub/f"
echo q >"$b/old/file"
echo d >"$b/deep/a/b"
echo h >"$b/etc/h1"
ln "$b/etc/h1" "$b/etc/h2"
ln -s motd "$b/etc/link"
echo r >"$b/ro/file"
chmod 640 "$b/etc/owner"
chmod 555 "$b/ro"
long=$(printf 'd%0110d' 0)
# shellcheck disable=SC2086 # $mounts: several options
run() { "$VROOT" run --fake-root --base "$b" --prefix "$p" $mounts -- "$@"; }

capture mk run sh -c '
	echo changed >/etc/motd; echo new >/etc/new; chown 123:45 /etc/owner
	chmod 600 /etc/motd; rm /etc/gone; rm -r /dir; mv /old /renamed
	ln /etc/new /etc/new2; mknod /etc/null c 1 3; mkfifo /etc/fifo
	rm -r /deep/a; mkdir /deep/a; echo c >/deep/a/c
	mkdir -p /'"$long/$long"'; echo deep >/'"$long/$long/$long"'
	ln -s /'"$long/$long/$long"' /etc/longlink; chown 7:8 /'"$long"''
is "the changes are made" "0 " "$rc $(cat "$tmp/mk.err")"

# What the namespace shows: type, mode, owner, size and link count (not of
# directories: their sizes and counts are the filesystem's), link target.
fmt='\( -type d -printf "%P %y %m %U:%G\n" \) -o -printf "%P %y %m %U:%G %s %n %l\n"'
inside() { run sh -c "cd / && find . \\( $prune -o -path ./proc -o -path ./dev -o -path ./sys \\) -prune -o $fmt" | sort; }
native() { (cd "$1" && eval "find . $fmt" | sort); }
sums_inside() { run sh -c "cd / && find . \\( $prune -o -path ./proc -o -path ./dev -o -path ./sys \\) -prune -o -type f -exec md5sum {} +" | sort -k2; }
sums_native() { (cd "$1" && find . -type f -exec md5sum {} +) | sort -k2; }
# As another user, tar cannot give files their owners nor make devices:
# owners are compared in the root tier only, the device is left out.
strip() { if [ $root = yes ]; then cat; else sed 's/ [0-9]*:[0-9]*/ -/' | grep -v '^etc/null '; fi; }

inside | grep -v '^ d ' | strip >"$tmp/want"
capture ex "$VROOT" export --prefix "$p" "$tmp/all.tar"
is "vroot export: status 0, nothing on stderr" "0 " "$rc $(cat "$tmp/ex.err")"
capture tv tar -tvf "$tmp/all.tar"
is "tar -tvf lists it without a warning" "0 " "$rc $(cat "$tmp/tv.err")"
mkdir "$tmp/x"
if [ $root = yes ]; then
	capture xt tar -xpf "$tmp/all.tar" --same-owner -C "$tmp/x"
else
	capture xt tar -xpf "$tmp/all.tar" --exclude=etc/null -C "$tmp/x"
fi
is "tar -x extracts it" "0 " "$rc $(cat "$tmp/xt.err")"
native "$tmp/x" | grep -v '^ d ' | strip >"$tmp/got"
is_file "extracted: the tree, modes, owners, links as find shows them inside" "$tmp/want" "$tmp/got"
sums_inside >"$tmp/sum.want"
sums_native "$tmp/x" >"$tmp/sum.got"
is_file "extracted: the contents as read inside" "$tmp/sum.want" "$tmp/sum.got"
is "the faked device and owners are in the archive" \
	"hrw-r--r-- 0/0 etc/new2 link to etc/new|crw-r--r-- 0/0 1,3 etc/null|-rw-r----- 123/45 etc/owner" \
	"$(tar --numeric-owner -tvf "$tmp/all.tar" | awk '$6 == "etc/null" || $6 == "etc/owner" || $6 == "etc/new2" {
		printf "%s%s %s %s %s%s", sep, $1, $2, ($1 ~ /^c/ ? $3 : ""), $6, ($7 == "link" ? " link to " $9 : "")
		sep = "|" }' | sed 's/  / /g')"

# --changes: applied over a copy of the base the OCI way, the merged tree.
capture ch "$VROOT" export --prefix "$p" --changes "$tmp/ch.tar"
is "vroot export --changes: status 0, nothing on stderr" "0 " "$rc $(cat "$tmp/ch.err")"
tar -tf "$tmp/ch.tar" | sort >"$tmp/ch.list"
mkdir "$tmp/c"
cp -a "$b/." "$tmp/c/"
chmod -R u+w "$tmp/c"
grep '\.wh\.\.wh\.\.opq$' "$tmp/ch.list" | while read -r f; do
	find "$tmp/c/${f%.wh..wh..opq}" -mindepth 1 -delete
done
grep '\.wh\.' "$tmp/ch.list" | grep -v '\.wh\.\.wh\.\.opq$' | while read -r f; do
	n=$(basename "$f")
	rm -rf "$tmp/c/$(dirname "$f")/${n#.wh.}"
done
chmod 555 "$tmp/c/ro"
if [ $root = yes ]; then
	capture cx tar -xpf "$tmp/ch.tar" --same-owner --exclude='.wh.*' -C "$tmp/c"
else
	capture cx tar -xpf "$tmp/ch.tar" --exclude='.wh.*' --exclude=etc/null -C "$tmp/c"
fi
is "tar -x of --changes over a copy of the base" "0 " "$rc $(cat "$tmp/cx.err")"
native "$tmp/c" | grep -v '^ d ' | strip >"$tmp/cgot"
is_file "--changes over the base, whiteouts applied: the merged tree" "$tmp/want" "$tmp/cgot"
sums_native "$tmp/c" >"$tmp/csum.got"
is_file "--changes over the base: the contents as read inside" "$tmp/sum.want" "$tmp/csum.got"

# The whiteouts name exactly the deleted paths: .wh.NAME each one vroot
# diff reports alone, .wh..wh..opq the directories the rest are in.
"$VROOT" diff --prefix "$p" | sed -n 's|^D /||p' | sort >"$tmp/deleted"
sed -n 's|\.wh\.\.wh\.\.opq$||p' "$tmp/ch.list" | sed 's|/$||' >"$tmp/opq"
: >"$tmp/wh.want"
while read -r f; do
	grep -qx "$(dirname "$f")" "$tmp/opq" && echo "opaque $(dirname "$f")" || echo "$f"
done <"$tmp/deleted" | sort -u >"$tmp/wh.want"
{
	grep '\.wh\.' "$tmp/ch.list" | grep -v '\.wh\.\.wh\.\.opq$' | sed 's|\(.*/\)*\.wh\.|\1|'
	sed 's/^/opaque /' "$tmp/opq"
} | sort -u >"$tmp/wh.got"
is_file "--changes: the whiteouts name exactly the deleted paths" "$tmp/wh.want" "$tmp/wh.got"

# Refusals: one line naming the path, nothing written.
capture bad "$VROOT" export --prefix "$p" "$tmp/missing/dir/out.tar"
is "an unwritable output: refused in one line naming it" "125 1 yes" \
	"$rc $(wc -l <"$tmp/bad.err") $(grep -q "$tmp/missing/dir/out.tar" "$tmp/bad.err" && echo yes)"
capture bad "$VROOT" export --prefix "$tmp/nope" "$tmp/nope.tar"
is "a missing prefix: refused in one line naming it, no archive made" "125 1 yes no" \
	"$rc $(wc -l <"$tmp/bad.err") $(grep -q "$tmp/nope" "$tmp/bad.err" && echo yes) $([ -e "$tmp/nope.tar" ] && echo yes || echo no)"
done_testing
