#!/bin/sh
# deps.sh - install the packages the tests use, when we can (root with
# apt-get).  Otherwise the tests that need them skip with a reason.
pkgs="busybox-static musl-tools golang-go debootstrap"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
	echo "# not root: cannot install$missing; tests needing them will skip" >&2
	exit 0
fi
echo "# installing test packages:$missing" >&2
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; } \
	>/tmp/vroot-deps.log 2>&1; then
	echo "# apt-get failed (see /tmp/vroot-deps.log); tests needing$missing will skip" >&2
fi
exit 0
