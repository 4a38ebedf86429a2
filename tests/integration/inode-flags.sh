#!/bin/sh
# inode-flags.sh - changing inode flags through a read-only descriptor
# (chattr's FS_IOC_SETFLAGS, FS_IOC_FSSETXATTR, FS_IOC_SETVERSION) copies a
# base file or directory up and changes the copy, as any other change does:
# the base keeps its flags (lsattr), the program sees the new ones; in a
# :ro mount it fails with EROFS and the host file is unchanged; a file the
# user may not change natively is refused inside too.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd chattr lsattr python3

# Does the filesystem under $tmp keep inode flags at all (tmpfs: not all)?
printf 'x\n' >"$tmp/probe"
if ! chattr +d "$tmp/probe" 2>/dev/null; then
	echo "1..0 # SKIP the filesystem of ${TMPDIR:-/tmp} keeps no inode flags (chattr +d fails)"
	trap - EXIT
	cleanup
	exit 0
fi
plan 12

B=$tmp/base
R=$tmp/ro
mkdir -p "$B/dir" "$R"
printf 'base\n' >"$B/f"
printf 'base\n' >"$B/x"
printf 'base\n' >"$B/v"
printf 'ro\n' >"$R/g"
flags() { lsattr -d "$1" | cut -d' ' -f1; }
before_f=$(flags "$B/f")
before_dir=$(flags "$B/dir")
before_x=$(flags "$B/x")
before_g=$(flags "$R/g")
before_v=$(lsattr -v "$B/v" | cut -d' ' -f1)

# A namespace on the small base, with the tools from the host read-only.
run() {
	capture "$1" "$VROOT" run --base "$B" --prefix "$tmp/prefix" --mount /usr:/usr:ro \
		--mount /lib:/lib:ro --mount /lib64:/lib64:ro --mount /bin:/bin:ro \
		--mount "$R:/ro:ro" -- /bin/sh -c "$2"
}

run setflags 'chattr +d /f && lsattr /f | cut -d" " -f1'
is "chattr +d on a base file: done, seen inside" "0 $(echo "$before_f" | sed 's/^\(......\)-/\1d/')" \
	"$rc $(cat "$tmp/setflags.out")"
is "the base file keeps its flags" "$before_f" "$(flags "$B/f")"
is "the prefix's copy has the flag" "$(echo "$before_f" | sed 's/^\(......\)-/\1d/')" \
	"$(flags "$tmp/prefix/f")"

run setdir 'chattr +d /dir && lsattr -d /dir | cut -d" " -f1'
is "chattr +d on a base directory: done" 0 "$rc"
is "the base directory keeps its flags" "$before_dir" "$(flags "$B/dir")"

cat >"$B/fsx.py" <<'EOF'
import fcntl, struct, sys
FS_IOC_FSGETXATTR, FS_IOC_FSSETXATTR, FS_XFLAG_NODUMP = 0x801C581F, 0x401C5820, 0x80
with open(sys.argv[1], "rb") as f:
    buf = bytearray(fcntl.ioctl(f, FS_IOC_FSGETXATTR, bytes(28)))
    struct.pack_into("I", buf, 0, struct.unpack_from("I", buf, 0)[0] | FS_XFLAG_NODUMP)
    fcntl.ioctl(f, FS_IOC_FSSETXATTR, bytes(buf))
print("set")
EOF
run fsx "python3 /fsx.py /x"
is "FS_IOC_FSSETXATTR on a base file: done" "0 set" "$rc $(cat "$tmp/fsx.out")"
is "the base file keeps its flags (FS_IOC_FSSETXATTR)" "$before_x" "$(flags "$B/x")"

cat >"$B/ver.py" <<'EOF'
import fcntl, struct, sys
FS_IOC_SETVERSION = 0x40087602
with open(sys.argv[1], "rb") as f:
    try:
        fcntl.ioctl(f, FS_IOC_SETVERSION, struct.pack("l", 4242))
        print("set")
    except OSError as e:
        print(e.strerror)
EOF
run ver "python3 /ver.py /v"
is "the base file keeps its version (FS_IOC_SETVERSION)" "$before_v" \
	"$(lsattr -v "$B/v" | cut -d' ' -f1)"

run ro 'chattr +d /ro/g'
is "chattr in a :ro mount fails" 1 "$rc"
grep -q 'Read-only file system' "$tmp/ro.err" && ok "with EROFS" ||
	not_ok "with EROFS" "$tmp/ro.err"
is "the :ro mount's file keeps its flags" "$before_g" "$(flags "$R/g")"

# A file the user may not change natively is refused inside as well.
if is_root; then
	# Root may change anyone's flags: natively on a copy, inside on the base.
	chown 65534:65534 "$B/f"
	cp -p "$B/f" "$tmp/native-copy"
	set +e
	chattr +d "$tmp/native-copy" 2>/dev/null
	native=$?
	set -e
	rm -rf "$tmp/prefix"
	run other 'chattr +d /f'
else
	set +e
	chattr +d /etc/passwd 2>/dev/null
	native=$?
	set -e
	capture other "$VROOT" run --prefix "$tmp/prefix2" -- chattr +d /etc/passwd
fi
is "a file of another user: the same status as natively ($native)" "$native" "$rc"
done_testing
