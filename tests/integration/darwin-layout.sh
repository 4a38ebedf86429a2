#!/bin/sh
# darwin-layout.sh - `vroot run --layout darwin` over a small macOS-like
# tree (/System/Library, /usr/lib, /Applications, /private/etc, and a
# static busybox to look around with): the root lists the tree and the
# layout's names; /Volumes lists SystemRoot and the host's real mount
# points (worked out here from /proc/self/mountinfo); /dev holds only the
# macOS names, its devices the host's own nodes (character devices at
# /dev/NAME, not links); `..` from /Volumes/SystemRoot is /Volumes; getcwd,
# readlink -f, realpath and /proc/self/cwd name /Volumes paths around
# /Volumes/SystemRoot and /Users/USER; writes under /Users/USER reach the
# host home, /tmp writes stay in the prefix; names fold case unless
# --case-sensitive says otherwise.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd busybox file
bb=$(command -v busybox)
if ! file -L "$bb" | grep -q "statically linked"; then
	echo "1..0 # SKIP $bb is not static (install busybox-static)"
	exit 0
fi
plan 34

M=$tmp/mac
P=$tmp/prefix
mkdir -p "$M/System/Library/Frameworks" "$M/usr/lib" "$M/Applications/Calc.app" \
	"$M/private/etc" "$M/bin"
printf 'mac\n' >"$M/private/etc/marker"
cp "$bb" "$M/bin/busybox"
for c in sh ls cat pwd readlink realpath echo head wc grep sort tr stat test; do
	ln -s busybox "$M/bin/$c"
done
# A home of the test's own, under the host's root as any home is.
H=$tmp/home
mkdir "$H"
Hc=$(cd "$H" && pwd -P)
user=$(id -un)

# dar SCRIPT: busybox sh -c SCRIPT in the layout; output in $tmp/d.out.
dar() {
	capture d env HOME="$H" PATH=/bin "$VROOT" run --layout darwin --base "$M" \
		--prefix "$P" "$@"
}

# --- listings --------------------------------------------------------------
dar -- ls /
is "ls /: the tree and the layout's names" \
	"0 Applications System Users Volumes bin dev etc private proc tmp usr var" \
	"$rc $(tr '\n' ' ' <"$tmp/d.out" | sed 's/ $//')"
# Independently of vroot: SystemRoot, then every real mount point but /.
# (Run by the second half under its own mounts: it defines volumes_here.)
cat >"$tmp/volumes.sh" <<'EOF2'
volumes_here() {
	awk '{
		split($0, a, " - "); split(a[2], t, " "); dir = $5
		gsub(/\\040/, " ", dir)
		if (dir == "/" || dir ~ /^\/(proc|sys|dev|run)(\/|$)/) next
		if (t[1] ~ /^(autofs|binfmt_misc|bpf|cgroup|cgroup2|configfs|debugfs|devpts|devtmpfs|efivarfs|fusectl|hugetlbfs|mqueue|nsfs|overlay|proc|pstore|ramfs|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tmpfs|tracefs)$/) next
		print dir }' /proc/self/mountinfo | sort -u | while read -r d; do
		[ -d "$d" ] && echo "${d##*/}"
	done | sed '/^$/d' | awk '
		BEGIN { n["SystemRoot"] = 1; print "SystemRoot" }
		{ x = $0; k = 0; while (x in n) x = $0 " " ++k; n[x] = 1; print x }' | sort | tr '\n' ' '
}
EOF2
. "$tmp/volumes.sh"
want_vol=$(volumes_here)
dar -- ls /Volumes
is "ls /Volumes: SystemRoot and the host's real mount points" "0 $want_vol" \
	"$rc $(sort "$tmp/d.out" | tr '\n' ' ')"
dar -- ls /dev
is "ls /dev: only the macOS names" \
	"0 fd null ptmx pts random stderr stdin stdout tty urandom zero" \
	"$rc $(tr '\n' ' ' <"$tmp/d.out" | sed 's/ $//')"
dar -- sh -c 'echo gone >/dev/null && head -c 5 /dev/zero | wc -c && head -c 3 /dev/urandom | wc -c &&
	echo out | cat /dev/stdin && ls /dev/fd/ | grep -c "^[0-9]" >/dev/null && echo fd'
is "/dev/null, zero, urandom, stdin and fd work" "0 5 3 out fd" \
	"$rc $(tr '\n' ' ' <"$tmp/d.out" | sed 's/ $//' | tr -s ' ')"
# The devices are the host's nodes at their macOS names: the type and
# device numbers the host's have, no link on the way.
devs="null zero random urandom tty ptmx"
dar -- sh -c "for d in $devs; do test -c /dev/\$d && ! test -L /dev/\$d && echo \$d; done"
is "test -c: /dev/{$(echo $devs | tr ' ' ,)} are character devices, not links" "0 $devs" \
	"$rc $(tr '\n' ' ' <"$tmp/d.out" | sed 's/ $//')"
dar -- sh -c "cd /dev && stat -c '%n %f %t:%T' $devs"
is "stat /dev/NAME: the type and device numbers of the host's node" \
	"0 $(cd /dev && stat -L -c '%n %f %t:%T' $devs | tr '\n' ' ' | sed 's/ $//')" \
	"$rc $(tr '\n' ' ' <"$tmp/d.out" | sed 's/ $//')"
dar -- sh -c 'echo gone >/dev/null && echo ok; head -c 4 /dev/zero | tr "\0" z; echo'
is "writes to /dev/null succeed; /dev/zero reads zeros" "0 ok zzzz" \
	"$rc $(tr '\n' ' ' <"$tmp/d.out" | sed 's/ $//')"
dar -- sh -c 'realpath /dev/null /dev/zero && readlink -f /dev/urandom && cd /dev && realpath tty'
is "realpath and readlink -f of /dev/NAME are /dev/NAME" \
	"0 /dev/null /dev/zero /dev/urandom /dev/tty" "$rc $(tr '\n' ' ' <"$tmp/d.out" | sed 's/ $//')"
dar -- sh -c 'ls -l /dev | grep -c "^c"; readlink /proc/self/fd/3 3</dev/zero'
is "ls -l /dev: six character devices; /proc/self/fd names /dev/zero" "0 6 /dev/zero" \
	"$rc $(tr '\n' ' ' <"$tmp/d.out" | sed 's/ $//')"
check "no /Volumes path in the listing" test "$(grep -c Volumes "$tmp/d.out")" = 0
# A prefix made when /dev's devices were links to /Volumes/SystemRoot/dev:
# the next run leaves none of them in /dev.
ln -s /Volumes/SystemRoot/dev/null "$P.work/layout/dev/null"
ln -s /Volumes/SystemRoot/dev/zero "$P.work/layout/dev/old-name"
dar -- sh -c 'ls /dev | tr "\n" " "; test -c /dev/null && ! test -L /dev/null && echo node'
is "links an older vroot left in the prefix's /dev go" \
	"0 fd null ptmx pts random stderr stdin stdout tty urandom zero node" \
	"$rc $(tr '\n' ' ' <"$tmp/d.out" | sed 's/ *$//' | tr -s ' ')"
dar -- ls /proc/self/fd/
check "/proc is the host's (/proc/self/fd lists)" test "$rc" = 0 -a -s "$tmp/d.out"
dar -- cat /etc/marker
is "/etc is the base's /private/etc" "0 mac" "$rc $(cat "$tmp/d.out")"

# Volumes of the same last name, and one with a space: as root, in a mount
# namespace of the test's own, bind mounts of two directories made in
# build/ (a filesystem that holds files, where $tmp may be a tmpfs).
if is_root && have unshare mount && unshare -m true 2>/dev/null; then
	src=$(mktemp -d "$top/build/darwin-volumes.XXXXXX")
	mkdir -p "$src/one" "$src/two" "$tmp/v/a/vol" "$tmp/v/b/vol" "$tmp/v/c/my disk"
	echo one >"$src/one/id"
	echo two >"$src/two/id"
	capture u unshare -m sh -c '
		. "$1/volumes.sh"
		mount --make-rprivate / &&
		mount --bind "$2/one" "$1/v/a/vol" && mount --bind "$2/two" "$1/v/b/vol" &&
		mount --bind "$2/one" "$1/v/c/my disk" || exit 9
		volumes_here >"$1/u.want"
		shift 2
		"$@" sh -c "ls /Volumes | sort | tr \"\\n\" \" \"; echo
			cat /Volumes/vol/id \"/Volumes/vol 1/id\" \"/Volumes/my disk/id\""
	' - "$tmp" "$src" env HOME="$H" PATH=/bin "$VROOT" run --layout darwin --base "$M" \
		--prefix "$P"
	fstype=$(stat -f -c %T "$src")
	rm -rf "$src"
	is "host mounts: /Volumes lists them, spaces kept" \
		"0 $(cat "$tmp/u.want" 2>&1)" "$rc $(head -n 1 "$tmp/u.out")"
fi
# Bind mounts show the filesystem of their source: on a tmpfs or overlay
# build/ they are no volumes, and the rest cannot be seen here.
if [ -s "$tmp/u.want" ] && ! grep -q "vol 1" "$tmp/u.want"; then
	skip_n 2 "build/ is on $fstype, whose mounts are not volumes"
elif [ -s "$tmp/u.want" ]; then
	is "... named alike: NAME, NAME 1 in the mount points' byte order" \
		"one two one" "$(tail -n +2 "$tmp/u.out" | tr '\n' ' ' | sed 's/ $//')"
	# More host mounts than a namespace holds: the first in byte order are
	# kept, the rest left out with one warning line, and the run goes on.
	i=0
	while [ $i -lt 70 ]; do
		mkdir -p "$tmp/many/v$(printf %02d $i)"
		i=$((i + 1))
	done
	capture m unshare -m sh -c '
		mount --make-rprivate / || exit 9
		for d in "$1"/many/v*; do mount --bind "$2" "$d" || exit 9; done
		shift 2
		"$@" ls /Volumes
	' - "$tmp" "$top/tests" env HOME="$H" PATH=/bin "$VROOT" run --layout darwin --base "$M" \
		--prefix "$P"
	warned=$(grep -c "host mount points left out of /Volumes" "$tmp/m.err" || true)
	is "70 more host mounts: the run goes on, one warning line, /Volumes has the first" \
		"0 1 v00 yes" \
		"$rc $warned $(grep -m1 '^v' "$tmp/m.out") $(grep -q '^v69$' "$tmp/m.out" || echo yes)"
else
	skip_n 3 "needs root and unshare -m (a private mount namespace for test mounts)"
fi

# --- .. and the names of the working directory ------------------------------
dar -- sh -c 'cd /Volumes/SystemRoot/.. && pwd && pwd -P && readlink /proc/self/cwd'
is "cd /Volumes/SystemRoot/..: pwd, getcwd and /proc/self/cwd are /Volumes" \
	"0 /Volumes /Volumes /Volumes" "$rc $(tr '\n' ' ' <"$tmp/d.out" | sed 's/ $//')"
dar -- sh -c "cd /Volumes/SystemRoot$Hc && pwd -P && readlink /proc/self/cwd && realpath . &&
	readlink -f ../$(basename "$Hc")"
is "inside /Volumes/SystemRoot: getcwd, /proc/self/cwd, realpath, readlink -f" \
	"0 /Volumes/SystemRoot$Hc /Volumes/SystemRoot$Hc /Volumes/SystemRoot$Hc /Volumes/SystemRoot$Hc" \
	"$rc $(tr '\n' ' ' <"$tmp/d.out" | sed 's/ $//')"
dar -- readlink /Users/"$user"
is "/Users/$user is a link to the home through /Volumes/SystemRoot" \
	"0 /Volumes/SystemRoot$Hc" "$rc $(cat "$tmp/d.out")"
dar -- sh -c "cd /Users/$user && pwd && pwd -P && readlink /proc/self/cwd && realpath . &&
	realpath /Users/$user && readlink -f /Users/$user/."
is "cd /Users/$user: pwd keeps the link; getcwd, /proc/self/cwd, realpath, readlink -f show /Volumes" \
	"0 /Users/$user /Volumes/SystemRoot$Hc /Volumes/SystemRoot$Hc /Volumes/SystemRoot$Hc /Volumes/SystemRoot$Hc /Volumes/SystemRoot$Hc" \
	"$rc $(tr '\n' ' ' <"$tmp/d.out" | sed 's/ $//')"

# --- where writes land ----------------------------------------------------
dar -- sh -c "echo home >/Users/$user/from-mac && cat /Users/$user/from-mac"
is "a file written under /Users/$user" "0 home" "$rc $(cat "$tmp/d.out")"
is "... lands in the host home" "home" "$(cat "$H/from-mac" 2>&1)"
check "... and not in the prefix" test ! -e "$P/Users/$user/from-mac"
name=vroot-darwin-$$
dar -- sh -c "echo t >/tmp/$name && cat /private/tmp/$name"
is "/tmp is /private/tmp" "0 t" "$rc $(cat "$tmp/d.out")"
is "... whose files land in the prefix" "t" "$(cat "$P/private/tmp/$name" 2>&1)"
check "... not in the host's /tmp" test ! -e "/tmp/$name"
is "/private/tmp is sticky and writable by all, as /tmp is" "1777" \
	"$(stat -c %a "$P/private/tmp")"
check "the base is untouched" test ! -e "$M/tmp" -a ! -e "$M/Users" -a ! -e "$M/private/tmp"

# --- case -----------------------------------------------------------------
dar -- ls /system/LIBRARY
is "names fold case by default" "0 Frameworks" "$rc $(cat "$tmp/d.out")"
dar --case-sensitive -- ls /system/LIBRARY
check "--case-sensitive: they do not" test "$rc" != 0
dar -- ls /System/Library
is "... the exact names still work" "0 Frameworks" "$rc $(cat "$tmp/d.out")"

# --- the mount table and the spec -----------------------------------------
dar -- grep -c " /Volumes/SystemRoot " /proc/self/mountinfo
is "/proc/self/mountinfo shows /Volumes/SystemRoot" "0 1" "$rc $(cat "$tmp/d.out")"
capture s env HOME="$H" "$VROOT" run --layout darwin --print-spec
is "--layout darwin without --base: refused, 125, one line" \
	"125 1" "$rc $(wc -l <"$tmp/s.err")"
capture s env HOME="$H" "$VROOT" run --layout darwin --base "$M" --prefix "$P" --print-spec
is "--print-spec: the link /Users/$user, the mount of /" "0 2" \
	"$rc $(grep -cx -e "symlink /Users/$user /Volumes/SystemRoot$Hc" \
		-e "mount / /Volumes/SystemRoot rw" "$tmp/s.out")"
done_testing
