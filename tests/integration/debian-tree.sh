#!/bin/sh
# debian-tree.sh - a Debian bookworm tree made by debootstrap --variant=minbase
# is the only --base: its own bash, ld.so and libc run (not the host's), its
# dpkg reads its package database, and it is left unchanged by writes.
#
# The tree is made once, as root, into ${VROOT_DEBIAN_CACHE:-/var/cache/vroot/
# debian-minbase} (world-readable, so the unprivileged run uses it too),
# from the mirror this machine's apt uses.
set -eu
. "$(dirname "$0")/lib.sh"

if ! debian_make; then
	echo "1..0 # SKIP $why"
	exit 0
fi
D=$debian_cache
plan 18

# meta: what must not change in the tree.
meta() { find "$D" -printf '%p %y %m %s %T@ %C@ %l\n' | sort | sha256sum; }
before=$(meta)

d() { vr --base "$D" "$@"; }

bash_ver=$(sed -n '/^Package: bash$/,/^$/s/^Version: \([0-9.]*\).*/\1/p' "$D/var/lib/dpkg/status")
capture bv d -- /bin/bash -c 'echo $BASH_VERSION'
is "the tree's /bin/bash -c 'echo \$BASH_VERSION'" "$bash_ver" "$(sed 's/(.*//' "$tmp/bv.out")"
is "... status 0, nothing on stderr" "0 " "$rc $(cat "$tmp/bv.err")"

# /proc/self/maps of the tree's cat: the tree's ld.so and libc are mapped,
# not the host's (told apart by inode number).
d -- /bin/cat /proc/self/maps >"$tmp/maps" 2>&1 || true
inode_of() { stat -L -c %i "$1"; }
mapped() { awk -v name="$1" '$6 ~ "/" name "$" { print $5 }' "$tmp/maps" | sort -u; }
is "the tree's libc.so.6 is mapped" "$(inode_of "$D/usr/lib/x86_64-linux-gnu/libc.so.6")" \
	"$(mapped libc.so.6)"
is "the tree's ld-linux-x86-64.so.2 is mapped" \
	"$(inode_of "$D/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2")" "$(mapped ld-linux-x86-64.so.2)"
hostlibc=$(inode_of /lib/x86_64-linux-gnu/libc.so.6 2>/dev/null || echo none)
check "the host's libc (inode $hostlibc) is not mapped" sh -c "! awk '{ print \$5 }' '$tmp/maps' | grep -qx '$hostlibc'"
is "the tree's cat is the mapped program" "$(inode_of "$D/usr/bin/cat")" "$(mapped cat)"

# dpkg: the tree's database, read by the tree's dpkg.
capture dl d -- /bin/sh -c 'COLUMNS=200 dpkg -l | head -n 12'
is "dpkg -l | head: 12 lines, status 0" "12 0" "$(wc -l <"$tmp/dl.out") $rc"
pkgs=$(sed -n 's/^Package: //p' "$D/var/lib/dpkg/status" | sort | head -n 7 | tr '\n' ' ')
is "... the first packages of the tree's database, installed" "$pkgs" \
	"$(awk 'NR > 5 { printf "%s ", $2 }' "$tmp/dl.out" | sed 's/:amd64//g')"
n_status=$(grep -c '^Package: ' "$D/var/lib/dpkg/status")
is "dpkg -l lists every package of the tree" "$n_status" \
	"$(d -- /bin/sh -c 'dpkg -l | grep -c "^ii "' 2>&1)"
capture verify d -- dpkg --verify bash dpkg coreutils libc6
is "dpkg --verify bash dpkg coreutils libc6: every file's checksum matches" "0 " \
	"$rc $(cat "$tmp/verify.out" "$tmp/verify.err")"
is "dpkg -S /bin/bash" "bash: /bin/bash" "$(d -- dpkg -S /bin/bash 2>&1)"

# The root is the tree's; /proc, /dev and /sys are the host's.
ls -a "$D" >"$tmp/root.native"
d -- /bin/ls -a / >"$tmp/root.vroot" 2>&1 || true
is_file "ls -a / lists the tree's root" "$tmp/root.native" "$tmp/root.vroot"
is "readlink /proc/\$\$/exe of the tree's bash, from a child" "/usr/bin/bash" \
	"$(d -- /bin/bash -c 'readlink /proc/$$/exe; exit' 2>&1)"
is "/etc/debian_version is the tree's" "$(cat "$D/etc/debian_version")" \
	"$(d -- /bin/cat /etc/debian_version 2>&1)"
is "perl (perl-base) runs" "perl ok" "$(d -- perl -e 'print "perl ok\n"' 2>&1)"
(cd "$D/usr/bin" && find . | sort) >"$tmp/bin.native"
d --cwd /usr/bin -- find . >"$tmp/bin.vroot.u" 2>&1 || true
sort "$tmp/bin.vroot.u" >"$tmp/bin.vroot"
is_file "find /usr/bin, as natively on the tree" "$tmp/bin.native" "$tmp/bin.vroot"
# Writes land in the prefix; the tree stays as it was.
if is_root; then
	capture w d -- /bin/sh -c 'echo hi > /etc/vroot-test && rm /etc/issue.net && echo x >> /etc/hostname &&
		mkdir /usr/local/vroot && ln -s /etc/vroot-test /usr/local/vroot/l && cat /usr/local/vroot/l'
	is "writes into the tree's /etc and /usr inside" "0 hi" "$rc $(cat "$tmp/w.out" "$tmp/w.err")"
else
	# A user changes only what the tree's owners and modes let it change,
	# as natively: its /tmp, not root's /etc.
	if [ -w "$D/etc/hostname" ]; then want=allowed; else want=refused; fi
	capture w d -- /bin/sh -c 'echo hi > /tmp/vroot-test && mkdir /tmp/vroot &&
		ln -s /tmp/vroot-test /tmp/vroot/l && cat /tmp/vroot/l &&
		if (echo x >> /etc/hostname) 2>/dev/null; then echo allowed; else echo refused; fi'
	is "a user writes into the tree's /tmp, and into /etc as its modes say" "0 hi $want" \
		"$rc $(cat "$tmp/w.out" "$tmp/w.err" | tr '\n' ' ' | sed 's/ $//')"
fi
is "the tree is unchanged" "$before" "$(meta)"
done_testing
