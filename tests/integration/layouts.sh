#!/bin/sh
# layouts.sh - `vroot run --layout NAME`: --print-spec shows the expansion
# of the default, rootfs and darwin layouts (one line each, paths escaped)
# and creates nothing; the user's --base, --mount, --case-* and identity
# options win over the layout's; an unknown layout is one line naming the
# known ones; rootfs runs a tree with the host's /proc, /dev, /sys, /tmp
# and home mounted in it.
set -eu
. "$(dirname "$0")/lib.sh"
plan 14

P=$tmp/prefix
H=$tmp/home
mkdir "$H"
Hc=$(cd "$H" && pwd -P)

# spec ARGS...: vroot run --print-spec ARGS with $H as home; output in $tmp/s.out.
spec() { capture s env HOME="$H" "$VROOT" run --prefix "$P" --print-spec "$@"; }

spec
cat >"$tmp/want" <<EOF
layout default
base /
prefix $P
casefold off
identity host
mount /proc /proc rw
mount /dev /dev rw
mount /sys /sys rw
EOF
is "--print-spec: the default layout, status 0, nothing on stderr" "0 " "$rc $(cat "$tmp/s.err")"
is_file "... one line per setting, base and mount" "$tmp/want" "$tmp/s.out"
check "... and nothing created" test ! -e "$P" -a ! -e "$P.work"

mkdir -p "$tmp/b" "$tmp/my host"
spec --layout default --base "$tmp/b" --mount "$tmp/my host:/proc:ro" --case-insensitive \
	--fake-root -- true
cat >"$tmp/want" <<EOF
layout default
base $tmp/b
prefix $P
casefold on
identity 0:0
mount $tmp/my\\040host /proc ro
mount /dev /dev rw
mount /sys /sys rw
EOF
is_file "the user's --base, --mount (a space as \\040), --case-insensitive, --fake-root win" \
	"$tmp/want" "$tmp/s.out"

capture s "$VROOT" run --layout nosuch --print-spec
is "an unknown layout: 125, one line naming the known ones" \
	"125 1 vroot: --layout nosuch: unknown layout (known: default, rootfs, darwin)" \
	"$rc $(wc -l <"$tmp/s.err") $(cat "$tmp/s.err")"
"$VROOT" run --prefix "$tmp/remembers" -- true
capture s "$VROOT" run --prefix "$tmp/remembers" --layout nosuch -- true
is "... also for a prefix that remembers its layout" \
	"125 1 vroot: --layout nosuch: unknown layout (known: default, rootfs, darwin)" \
	"$rc $(wc -l <"$tmp/s.err") $(cat "$tmp/s.err")"
capture s "$VROOT" run --layout rootfs -- true
is "--layout rootfs without --base: 125, one line" "125 1" "$rc $(wc -l <"$tmp/s.err")"

spec --layout rootfs --base "$tmp/b"
cat >"$tmp/want" <<EOF
layout rootfs
base $tmp/b
prefix $P
casefold off
identity host
mount /proc /proc rw
mount /dev /dev rw
mount /sys /sys rw
mount /tmp /tmp rw
mount $Hc $Hc rw
EOF
is_file "--layout rootfs: the host's /proc, /dev, /sys, /tmp and home" "$tmp/want" "$tmp/s.out"
spec --layout darwin --base "$tmp/b" --case-sensitive --uid 5 --gid 6
check "--layout darwin --case-sensitive --uid 5 --gid 6: folding off, identity 5:6" \
	grep -qz "casefold off.identity 5:6" "$tmp/s.out"
check "... / at /Volumes/SystemRoot, vroot's /dev and /Volumes read-only" grep -qzx \
	".*mount / /Volumes/SystemRoot rw.*mount $P.work/layout/volumes /Volumes ro.mount $P.work/layout/dev /dev ro.*" \
	"$tmp/s.out"

# --- rootfs, run ----------------------------------------------------------
bb=$(command -v busybox || true)
if [ -n "$bb" ] && file -L "$bb" | grep -q "statically linked"; then
	R=$tmp/rootfs
	mkdir -p "$R/bin" "$R/etc" "$R/proc" "$R/dev" "$R/sys" "$R/tmp"
	cp "$bb" "$R/bin/busybox"
	ln -s busybox "$R/bin/sh"
	echo distro >"$R/etc/marker"
	name=vroot-rootfs-$$
	capture r env HOME="$H" PATH=/bin "$VROOT" run --layout rootfs --base "$R" --prefix "$P" \
		-- sh -c "busybox cat /etc/marker; echo h >$Hc/from-rootfs; echo t >/tmp/$name;
			busybox ls /proc/self/fd/ >/dev/null && echo proc"
	is "--layout rootfs: the tree's files, the host's /proc and /dev" "0 distro proc" \
		"$rc $(tr '\n' ' ' <"$tmp/r.out" | sed 's/ $//')"
	is "... the home is the host's" "h" "$(cat "$H/from-rootfs" 2>&1)"
	is "... /tmp is the host's" "t" "$(cat "/tmp/$name" 2>&1)"
	rm -f "/tmp/$name"
	check "... and the tree is untouched" test ! -e "$R/$Hc" -a ! -e "$R/tmp/$name"
else
	skip_n 4 "needs busybox-static"
fi
done_testing
