#!/bin/sh
# base-untouched.sh - writes inside the namespace never reach a --base tree
# (nor a :ro mount): overwrite, append, truncate, rm, mv, chmod, touch,
# mkdir, ln, mkfifo, rmdir, sed -i, cp over, python's os calls... each
# either fails with EROFS or is done in the namespace (visible inside,
# stored in the prefix), and a checksum of the base (contents, types,
# modes, link counts, sizes, mtimes, ctimes, symlink targets) is identical
# before and after.
set -eu
. "$(dirname "$0")/lib.sh"
plan 43

B=$tmp/base
D=/vroot-data
mkdir -p "$B$D"
mktree "$B$D" "$D"
mkdir -p "$B$D/ro-dir"
printf 'locked\n' >"$B$D/ro-dir/file"
mkdir "$B$D/links"
printf 'one\n' >"$B$D/links/one"
ln "$B$D/links/one" "$B$D/links/two"
cp -a "$B$D" "$tmp/ro-mount"

# sum DIR: what must not change.
sum() {
	(
		cd "$1"
		find . -printf '%p %y %m %n %s %T@ %C@ %U:%G %l\n' | sort
		find . -type f -exec sha256sum {} + | sort -k 2
	) | sha256sum
}
sum_base=$(sum "$B")
sum_ro=$(sum "$tmp/ro-mount")
find "$B" -type f -exec sha256sum {} + | sort -k 2 >"$tmp/contents.before"

# attempt DESC WRITE CHECK: WRITE (a sh script) in the namespace either fails
# with EROFS, or succeeds and then CHECK (a sh script) holds inside.
attempt() {
	capture w vr --base "$B" --base / --cwd "$D" -- sh -c "$2"
	if [ "$rc" = 0 ]; then
		capture c vr --base "$B" --base / --cwd "$D" -- sh -c "$3"
		if [ "$rc" = 0 ]; then
			ok "$1: done in the namespace"
		else
			{
				echo "write succeeded, but inside the namespace this does not hold:"
				echo "$3"
				cat "$tmp/c.out" "$tmp/c.err"
			} >"$tmp/diag"
			not_ok "$1: done in the namespace" "$tmp/diag"
		fi
	elif grep -q 'Read-only file system' "$tmp/w.err"; then
		ok "$1: refused with EROFS"
	else
		{
			echo "status $rc, neither EROFS nor done:"
			cat "$tmp/w.err"
		} >"$tmp/diag"
		not_ok "$1: refused with EROFS or done in the namespace" "$tmp/diag"
	fi
}

attempt "echo > a base file" 'echo new > a/f1' '[ "$(cat a/f1)" = new ]'
attempt "echo >> a base file" 'echo more >> a/b/f2' '[ "$(cat a/b/f2)" = "bravo bravo
more" ]'
attempt "truncate a base file" 'truncate -s 3 x/y/big' '[ "$(cat x/y/big)" = zzz ]'
attempt "dd conv=notrunc into a base file" \
	'printf XY | dd of="d e/f g" conv=notrunc status=none' '[ "$(cat "d e/f g")" = XYaces ]'
attempt "write through a base symlink" 'echo via-link > x/abs-file' \
	'[ "$(cat a/hard)" = via-link ] || [ "$(cat a/f1)" = via-link ]'
attempt "rm a base file" 'rm a/b/c/zero' '[ ! -e a/b/c/zero ] && [ -d a/b/c ]'
attempt "rm a base symlink" 'rm dangling' '[ ! -L dangling ]'
attempt "rm -r a base directory" 'rm -r x/y' '[ ! -e x/y ] && [ -d x ]'
attempt "rmdir an empty base directory" 'rmdir empty' '[ ! -e empty ]'
attempt "mv a base file" 'mv a/rel a/rel-moved' '[ -L a/rel-moved ] && [ ! -e a/rel ]'
attempt "mv a base directory" 'mv "d e" d-moved' '[ -f "d-moved/f g" ] && [ ! -e "d e" ]'
attempt "chmod a base file" 'chmod 700 x/script' '[ "$(stat -c %a x/script)" = 700 ]'
attempt "chmod a base directory" 'chmod 700 a/b' '[ "$(stat -c %a a/b)" = 700 ]'
attempt "touch a base file" 'touch -d @1700000000 ro-dir/file' \
	'[ "$(stat -c %Y ro-dir/file)" = 1700000000 ]'
attempt "touch a new file in a base directory" 'touch a/b/new' '[ -f a/b/new ]'
attempt "mkdir inside a base directory" 'mkdir a/b/c/newdir' '[ -d a/b/c/newdir ]'
attempt "mkdir -p below a base directory" 'mkdir -p x/n1/n2' '[ -d x/n1/n2 ]'
attempt "ln a base file" 'ln ro-dir/file ro-dir/file-link' \
	'[ "$(stat -c %i ro-dir/file)" = "$(stat -c %i ro-dir/file-link)" ]'
attempt "ln -s in a base directory" 'ln -s ../a/f1 ro-dir/sym' '[ -L ro-dir/sym ]'
attempt "mkfifo in a base directory" 'mkfifo a/fifo' '[ -p a/fifo ]'
attempt "sed -i on a base file" "sed -i s/^/SED/ a/hard" 'grep -q ^SED a/hard'
attempt "cp over a base file" 'cp /etc/hostname a/b/f2' 'cmp -s /etc/hostname a/b/f2'
attempt "mv a file over a base file" 'echo replaced > /tmp/vroot-new && mv -f /tmp/vroot-new x/script' \
	'[ "$(cat x/script)" = replaced ]'
attempt "chown a base file to oneself" 'chown "$(id -u):$(id -g)" a/f1' \
	'[ "$(stat -c %u:%g a/f1)" = "$(id -u):$(id -g)" ]'
if have python3; then
	attempt "python: os.utime, os.truncate, os.rename, os.setxattr" \
		'python3 -c "
import os
os.utime(\"a/b/f2\", (1, 2))
os.truncate(\"a/f1\", 1)
os.rename(\"a/b/up\", \"a/b/up2\")
try:
    os.setxattr(\"a/b/c\", \"user.vroot-test\", b\"1\")
except OSError as e:
    if e.errno != 95: raise
"' \
		'[ "$(stat -c %Y a/b/f2)" = 2 ] && [ "$(stat -c %s a/f1)" = 1 ] && [ -L a/b/up2 ]'
else
	skip "python: os.utime, os.truncate, os.rename, os.setxattr" "$why"
fi

# Copy-up keeps what the program saw: a hard link's other name shows the
# write, the inode number and the link count stay.
capture links vr --base "$B" --base / --cwd "$D/links" -- sh -c '
	stat -c "%i %h" one two; echo changed > one; stat -c "%i %h" one two; cat two'
ino=$(stat -c %i "$B$D/links/one")
is "copy-up: st_ino and st_nlink of both names stay" "$ino 2
$ino 2
$ino 2
$ino 2" "$(head -n 4 "$tmp/links.out")"
is "copy-up: the hard link's other name shows the write" "changed" "$(sed -n 5p "$tmp/links.out")"

# Inside, the namespace shows the changes or the base as it was; either way
# it reads without error.
capture walk vr --base "$B" --base / -- sh -c "find $D -exec stat -c '%n %a %s' {} + >/dev/null"
is "the changed tree walks and stats inside" "0" "$rc"

is "the base checksum is unchanged" "$sum_base" "$(sum "$B")"
find "$B" -type f -exec sha256sum {} + | sort -k 2 >"$tmp/contents.after"
is_file "every base file has its old contents" "$tmp/contents.before" "$tmp/contents.after"
# Writes that were done went to the prefix, not anywhere else.
check "the prefix holds the namespace's changes" test -d "$tmp/prefix$D"

# A :ro mount: every write is refused with EROFS, nothing changes.
ro() {
	capture r vr --mount "$tmp/ro-mount:/ro:ro" --cwd /ro -- sh -c "$2"
	if [ "$rc" != 0 ] && grep -q 'Read-only file system' "$tmp/r.err"; then
		ok "$1 in a :ro mount: EROFS"
	else
		{
			echo "status $rc"
			cat "$tmp/r.err"
		} >"$tmp/diag"
		not_ok "$1 in a :ro mount: EROFS" "$tmp/diag"
	fi
}
ro "echo >" 'echo new > a/f1'
ro "echo > new file" 'echo new > a/new'
ro "rm" 'rm a/f1'
ro "mv" 'mv a/f1 a/f9'
ro "chmod" 'chmod 700 a/f1'
ro "touch" 'touch a/f1'
ro "mkdir" 'mkdir a/d'
ro "ln -s" 'ln -s f1 a/s'
ro "ln" 'ln a/f1 a/h'
ro "rmdir" 'rmdir empty'
ro "truncate" 'truncate -s 0 a/f1'
is "the :ro mount's checksum is unchanged" "$sum_ro" "$(sum "$tmp/ro-mount")"
done_testing
