#!/bin/sh
# tar.sh - tar inside the namespace: extracting lands in the prefix (into a
# directory made inside, into the namespace root, into a base directory)
# and reads back as the tree it came from; archiving a --base tree or a
# mounted tree gives the archive native tar makes of the host directory.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd tar sha256sum
plan 13

# The tree, on the host and as a --base at /vroot-tar/t.
B=$tmp/base
mkdir -p "$B/vroot-tar"
mktree "$B/vroot-tar/t" /vroot-tar/t
N=$B/vroot-tar/t
tar -C "$B/vroot-tar" --sort=name -cf "$tmp/t.tar" t

# listing DIR: a tree's entries with type, mode, size, mtime, link target,
# and every file's checksum; run natively or inside (sh -c).
cat >"$tmp/listing.sh" <<'EOF'
cd "$1" || exit 1
find . -printf '%p %y %m %n %s %T@ %l\n' | sort
find . -type f -exec sha256sum {} + | sort -k 2
EOF
sh "$tmp/listing.sh" "$N" >"$tmp/native.list"

# --- extract ------------------------------------------------------------------
capture x1 vr -- sh -c "mkdir /vroot-x1 && cd /vroot-x1 && tar -xf '$tmp/t.tar'"
is "tar -x into a directory made inside: status" "0" "$rc"
vr -- sh "$tmp/listing.sh" /vroot-x1/t >"$tmp/x1.list" 2>&1 || true
is_file "... the extracted tree reads back as the original" "$tmp/native.list" "$tmp/x1.list"
sh "$tmp/listing.sh" "$tmp/prefix/vroot-x1/t" >"$tmp/x1.host" 2>&1 || true
is_file "... and is stored in the prefix" "$tmp/native.list" "$tmp/x1.host"
check "... not on the host's /" test ! -e /vroot-x1

capture x2 vr --cwd / -- tar -xf "$tmp/t.tar"
is "tar -x into the namespace root: status" "0" "$rc"
vr -- sh "$tmp/listing.sh" /t >"$tmp/x2.list" 2>&1 || true
is_file "... reads back as the original" "$tmp/native.list" "$tmp/x2.list"

# Into a directory of the base: the base's directory is copied up.
capture x3 vr --base "$B" --base / -- sh -c "cd /vroot-tar && mkdir again && tar -C again -xf '$tmp/t.tar'"
is "tar -x into a base directory: status" "0" "$rc"
vr --base "$B" --base / -- sh "$tmp/listing.sh" /vroot-tar/again/t >"$tmp/x3.list" 2>&1 || true
is_file "... reads back as the original" "$tmp/native.list" "$tmp/x3.list"

# --- create -------------------------------------------------------------------
(cd "$B/vroot-tar" && tar --sort=name -cf - t | tar -tvvf -) >"$tmp/c.native" 2>&1
vr --base "$B" --base / --cwd /vroot-tar -- sh -c 'tar --sort=name -cf - t | tar -tvvf -' \
	>"$tmp/c.vroot" 2>&1 || true
is_file "tar -c of a --base tree lists as native tar of the host dir" "$tmp/c.native" "$tmp/c.vroot"
(cd "$N" && tar --sort=name -cf - .) | sha256sum >"$tmp/c.native.sum"
vr --base "$B" --base / --cwd /vroot-tar/t -- tar --sort=name -cf - . | sha256sum >"$tmp/c.vroot.sum"
is_file "... the archives are byte for byte the same" "$tmp/c.native.sum" "$tmp/c.vroot.sum"
vr --mount "$N:/srv/mounted" --cwd /srv/mounted -- tar --sort=name -cf - . |
	sha256sum >"$tmp/c.mount.sum"
is_file "tar -c of a mounted tree: the same archive" "$tmp/c.native.sum" "$tmp/c.mount.sum"
# An archive of what was extracted inside equals the original archive.
vr --cwd /vroot-x1 -- tar --sort=name -cf - t | sha256sum >"$tmp/x1.sum"
sha256sum <"$tmp/t.tar" >"$tmp/t.sum"
is_file "tar -c of the tree extracted inside: the original archive" "$tmp/t.sum" "$tmp/x1.sum"
# tar -d (compare) of the archive against the base tree finds no difference.
capture d vr --base "$B" --base / --cwd /vroot-tar -- tar -df "$tmp/t.tar"
is "tar -d against the base tree: no difference" "0 " "$rc $(cat "$tmp/d.out" "$tmp/d.err")"
done_testing
