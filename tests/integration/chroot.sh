#!/bin/sh
# chroot.sh - chroot(2) inside the namespace is emulated for everyone: the
# new root holds absolute paths, absolute symlinks and "..", getcwd and
# realpath answer below it, and it crosses exec; the base is not written.
set -eu
. "$(dirname "$0")/lib.sh"
plan 7

bb=$(command -v busybox || true)
if [ -z "$bb" ] || ! file -L "$bb" 2>/dev/null | grep -q 'statically linked'; then
	skip_n 7 "needs busybox-static"
	exit 0
fi
# chroot(8) lives in an sbin directory, which a plain user's PATH lacks.
chroot=$(PATH=$PATH:/usr/sbin:/sbin command -v chroot || true)
if [ -z "$chroot" ]; then
	skip_n 7 "chroot(8) not installed"
	exit 0
fi
mkdir -p "$tmp/tree/bin" "$tmp/tree/etc" "$tmp/tree/d/e"
cp "$bb" "$tmp/tree/bin/busybox"
ln -s busybox "$tmp/tree/bin/sh"
echo inside >"$tmp/tree/etc/marker"
ln -s /etc/marker "$tmp/tree/d/abs"
sum_before=$(cd "$tmp/tree" && find . -printf '%p %s %m\n' | sort | cksum)

capture out vr -- "$chroot" "$tmp/tree" /bin/sh -c '/bin/busybox cat /etc/marker; /bin/busybox ls /'
is "chroot then exec inside: the new root's files" "inside
bin
d
etc" "$(cat "$tmp/out.out")"
capture out vr -- "$chroot" "$tmp/tree" /bin/sh -c 'cd /d/e && cd ../../../.. && pwd && cd /d && pwd'
is "\"..\" stops at the new root; pwd is below it" "/
/d" "$(cat "$tmp/out.out")"
capture out vr -- "$chroot" "$tmp/tree" /bin/sh -c '/bin/busybox cat /d/abs; /bin/busybox readlink -f /d/abs'
is "absolute symlinks resolve in the new root" "inside
/etc/marker" "$(cat "$tmp/out.out")"
capture out vr -- "$chroot" "$tmp/tree" /bin/sh -c 'echo new >/d/new && /bin/busybox cat /d/new'
is "writes work inside the new root" "new" "$(cat "$tmp/out.out")"
check "and land in the prefix, below the tree's path" test -f "$tmp/prefix$tmp/tree/d/new"
capture out vr -- "$chroot" "$tmp/tree/missing" /bin/sh -c true
check "chroot into a missing directory fails" test "$rc" != 0
check "the tree itself is unchanged" test "$sum_before" = \
	"$(cd "$tmp/tree" && find . -printf '%p %s %m\n' | sort | cksum)"
done_testing
