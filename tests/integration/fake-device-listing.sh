#!/bin/sh
# fake-device-listing.sh - a directory listing shows the type stat shows:
# a device a faked root made (kept in the prefix as an empty regular file
# with its record) is listed as a device (getdents64's d_type, which find
# -type and ls read), as native root sees it on a scratch directory; so is
# one whose record another tool wrote, once vroot has shown it.
#
# What native root lists is written below and, as root, checked against
# the kernel itself first; as a user, vroot's answers are compared with it.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc python3 find
plan 6

cat >"$tmp/dtypes.c" <<'EOF2'
/* dtypes.c - each name of directory argv[1] but . and .. with its d_type. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	static const char *names[16] = {[DT_UNKNOWN] = "unknown", [DT_FIFO] = "fifo",
	                                [DT_CHR] = "chr", [DT_DIR] = "dir", [DT_BLK] = "blk",
	                                [DT_REG] = "reg", [DT_LNK] = "lnk", [DT_SOCK] = "sock"};
	char buf[4096];
	long n;
	int fd = open(argc > 1 ? argv[1] : ".", O_RDONLY | O_DIRECTORY);

	if (fd < 0) {
		perror("open");
		return 1;
	}
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);

			off += d->d_reclen;
			if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
				printf("%s %s\n", d->d_name,
				       names[d->d_type & 15] ? names[d->d_type & 15] : "?");
		}
	}
	return n < 0;
}
EOF2
gcc -O1 -o "$tmp/dtypes" "$tmp/dtypes.c"

cat >"$tmp/mk.sh" <<'EOF2'
cd "$1"
mknod c c 1 3 && mknod b b 8 1 && mkfifo p && touch f && mkdir d && ln -s f l
EOF2
cat >"$tmp/want" <<'EOF2'
b blk
c chr
d dir
f reg
l lnk
p fifo
--
./b
./c
EOF2
# list DIR: the listing's types, then what find -type c/b finds.
cat >"$tmp/list.sh" <<'EOF2'
cd "$2"
"$1" . | sort
echo --
find . -type c -o -type b | sort
EOF2

mkdir "$tmp/s"
chmod 755 "$tmp"
if is_root; then
	mkdir "$tmp/native"
	native=$tmp/native
	mount -t tmpfs vroot-it "$native" 2>/dev/null && trap 'umount "$native"; cleanup' EXIT
	{ sh "$tmp/mk.sh" "$native" && sh "$tmp/list.sh" "$tmp/dtypes" "$native"; } \
		>"$tmp/native.out" 2>&1
	is_file "native root lists devices as devices" "$tmp/want" "$tmp/native.out"
else
	skip "native root lists devices as devices" "needs root"
fi

vr --fake-root -- sh "$tmp/mk.sh" "$tmp/s" >"$tmp/mk.out" 2>&1 || true
is "mknod as fake root" "" "$(cat "$tmp/mk.out")"
vr --fake-root -- sh "$tmp/list.sh" "$tmp/dtypes" "$tmp/s" >"$tmp/fake.out" 2>&1 || true
is_file "a later run as fake root lists them as native root does" "$tmp/want" "$tmp/fake.out"
vr -- sh "$tmp/list.sh" "$tmp/dtypes" "$tmp/s" >"$tmp/plain.out" 2>&1 || true
is_file "so does a run without a faked identity" "$tmp/want" "$tmp/plain.out"

# A record another tool wrote (fuse-overlayfs, podman) on a prefix vroot
# has not seen a device in: listed as the device once stat showed it.
mkdir -p "$tmp/prefix2$tmp/t"
: >"$tmp/prefix2$tmp/t/null"
python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.containers.override_stat", b"0:0:0666:char-1-3")' \
	"$tmp/prefix2$tmp/t/null"
capture other "$VROOT" run --prefix "$tmp/prefix2" -- sh -c \
	"stat -c '%F %t %T' $tmp/t/null && $tmp/dtypes $tmp/t"
is "another tool's record: stat, then the listing" "character special file 1 3
null chr" "$(cat "$tmp/other.out" "$tmp/other.err")"
capture again "$VROOT" run --prefix "$tmp/prefix2" -- "$tmp/dtypes" "$tmp/t"
is "and in the next run" "null chr" "$(cat "$tmp/again.out" "$tmp/again.err")"
done_testing
