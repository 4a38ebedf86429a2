#!/bin/sh
# dpkg-fake-root.sh - as a user with --fake-root, the Debian minbase tree
# (made once by debootstrap, see debian-tree.sh) used read-only as the base:
# dpkg -i of a local package whose files belong to another user and whose
# maintainer script runs chown and chmod, then dpkg --verify and dpkg -r.
# Natively this needs root (dpkg: "requested operation requires superuser
# privilege"); the owners and modes dpkg and the script set must show
# inside and be kept in the prefix for the next run.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd dpkg-deb

if ! debian_make; then
	echo "1..0 # SKIP $why"
	exit 0
fi
D=$debian_cache
plan 6

# The package, built on the host: its files owned by uid 4321.
mkdir -p "$tmp/pkg/DEBIAN" "$tmp/pkg/usr/share/vroot-test" "$tmp/pkg/usr/bin"
cat >"$tmp/pkg/DEBIAN/control" <<'CTL'
Package: vroot-test
Version: 1.0
Architecture: all
Maintainer: vroot <vroot@example.org>
Description: a package for vroot's tests
 Files owned by another user; a maintainer script that changes owners.
CTL
cat >"$tmp/pkg/DEBIAN/postinst" <<'SCRIPT'
#!/bin/sh
set -e
chown 1234:5678 /usr/share/vroot-test/data
chmod 4755 /usr/bin/vroot-test-tool
mkdir -p /var/lib/vroot-test
chown daemon:daemon /var/lib/vroot-test
SCRIPT
chmod 755 "$tmp/pkg/DEBIAN/postinst"
echo data >"$tmp/pkg/usr/share/vroot-test/data"
printf '#!/bin/sh\necho tool\n' >"$tmp/pkg/usr/bin/vroot-test-tool"
chmod 755 "$tmp/pkg/usr/bin/vroot-test-tool"
chmod -R go-w "$tmp/pkg"
# Another user's files, as in a package built elsewhere: as root, uid 4321;
# as a user, the user's own.
if is_root; then
	chown -R 4321:4321 "$tmp/pkg/usr"
fi
owner=$(stat -c %u:%g "$tmp/pkg/usr/bin/vroot-test-tool")
dpkg-deb -b "$tmp/pkg" "$tmp/t.deb" >/dev/null
chmod 755 "$tmp"
chmod 644 "$tmp/t.deb"

before=$(find "$D" -printf '%p %m %u %s %T@\n' | sort | sha256sum)
d() { vr --fake-root --base "$D" --mount "$tmp:/mnt" -- env PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

capture inst d sh -c 'dpkg -i /mnt/t.deb >/dev/null && dpkg-query -W -f="\${Status}\n" vroot-test'
is "dpkg -i as fake root" "0 install ok installed" "$rc $(cat "$tmp/inst.out")"
[ "$rc" = 0 ] || diag "$(cat "$tmp/inst.err")"

capture show d sh -c 'stat -c "%n %u:%g %a" /usr/share/vroot-test/data /usr/bin/vroot-test-tool \
	/usr/share/vroot-test; stat -c "%n %U:%G %a" /var/lib/vroot-test'
is "the owners and modes the package and its script set, in a second run" \
	"/usr/share/vroot-test/data 1234:5678 644
/usr/bin/vroot-test-tool $owner 4755
/usr/share/vroot-test $owner 755
/var/lib/vroot-test daemon:daemon 755" "$(cat "$tmp/show.out" "$tmp/show.err")"

capture verify d dpkg --verify vroot-test
is "dpkg --verify is clean" "0 " "$rc $(cat "$tmp/verify.out" "$tmp/verify.err")"

capture rm d sh -c 'dpkg -r vroot-test >/dev/null && dpkg -s vroot-test 2>&1;
	ls /usr/share/vroot-test 2>&1'
is "dpkg -r" "dpkg-query: package 'vroot-test' is not installed and no information is available
Use dpkg --info (= dpkg-deb --info) to examine archive files.
ls: cannot access '/usr/share/vroot-test': No such file or directory" "$(cat "$tmp/rm.out")"
is "... nothing on stderr" "" "$(cat "$tmp/rm.err")"

is "the base tree is unchanged" "$before" "$(find "$D" -printf '%p %m %u %s %T@\n' | sort | sha256sum)"
done_testing
