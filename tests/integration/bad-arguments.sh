#!/bin/sh
# bad-arguments.sh - NULL paths, O_PATH descriptors and invalid flags are
# refused as the kernel refuses them, before anything is looked up or
# changed.
#
# One C program makes each call and prints its result (or errno); it runs
# natively and through vroot on the same directory, and the two outputs
# must be equal line by line.  The calls that must not change anything
# also print the directory's mtime afterwards: utimes(NULL) and friends
# once changed the working directory's times under vroot.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc

cat >"$tmp/bad.c" <<'C'
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <linux/stat.h>

#define T(x)                                                                                 \
	do {                                                                                 \
		errno = 0;                                                                   \
		long r_ = (x);                                                               \
		printf("%-56s %s\n", #x, r_ < 0 ? strerrorname_np(errno) : "ok");          \
	} while (0)

int
main(int argc, char **argv)
{
	struct stat st, before, after;
	struct statx sx;
	char b[64];
	int d, p;

	if (argc != 2 || chdir(argv[1]) < 0)
		return 2;
	d = open(".", O_RDONLY | O_DIRECTORY);
	p = open("file", O_PATH);
	stat(".", &before);
	/* NULL paths: only stat and statx take one, with AT_EMPTY_PATH (Linux 6.11). */
	T(syscall(SYS_newfstatat, AT_FDCWD, NULL, &st, 0));
	T(syscall(SYS_statx, AT_FDCWD, NULL, 0, STATX_BASIC_STATS, &sx));
	T(syscall(SYS_utimes, NULL, NULL));
	T(syscall(SYS_utime, NULL, NULL));
	T(syscall(SYS_futimesat, AT_FDCWD, NULL, NULL));
	T(syscall(SYS_utimensat, AT_FDCWD, NULL, NULL, 0));
	T(syscall(SYS_utimensat, d, NULL, NULL, AT_SYMLINK_NOFOLLOW));
	T(syscall(SYS_utimensat, p, NULL, NULL, 0));
	T(syscall(SYS_fchownat, d, NULL, -1, -1, AT_EMPTY_PATH));
	T(syscall(SYS_linkat, d, NULL, AT_FDCWD, "new", AT_EMPTY_PATH));
	stat(".", &after);
	printf("directory times unchanged: %s\n",
	       before.st_mtim.tv_sec == after.st_mtim.tv_sec &&
	                       before.st_mtim.tv_nsec == after.st_mtim.tv_nsec
	               ? "yes"
	               : "no");
	T(syscall(SYS_futimesat, d, NULL, NULL));
	T(syscall(SYS_utimensat, d, NULL, NULL, 0));
	/* Flags are judged before the names. */
	T(syscall(SYS_renameat2, AT_FDCWD, "missing", AT_FDCWD, "x", 3));
	T(syscall(SYS_renameat2, AT_FDCWD, "missing", AT_FDCWD, "x", 6));
	T(syscall(SYS_renameat2, AT_FDCWD, "missing", AT_FDCWD, "x", 8));
	T(syscall(SYS_renameat2, AT_FDCWD, "missing", AT_FDCWD, "x", 1));
	/* An O_PATH descriptor has no attributes to change or read. */
	T(fchmod(p, 0600));
	T(fchown(p, -1, -1));
	T(fgetxattr(p, "user.x", b, sizeof(b)));
	T(flistxattr(p, b, sizeof(b)));
	T(fsetxattr(p, "user.x", "1", 1, 0));
	T(fremovexattr(p, "user.x"));
	T(syscall(SYS_fchmodat, p, "", 0600));
	T(fchownat(p, "", -1, -1, AT_EMPTY_PATH));
	stat("file", &st);
	printf("file mode %o\n", (unsigned)st.st_mode & 07777);
	return 0;
}
C
gcc -O2 -o "$tmp/bad" "$tmp/bad.c"
mkdir "$tmp/dir"
echo data >"$tmp/dir/file"
chmod 644 "$tmp/dir/file"
touch -d @1500000000 "$tmp/dir"
chmod -R a+rX "$tmp"

plan 2
"$tmp/bad" "$tmp/dir" >"$tmp/native" 2>&1 || true
touch -d @1500000000 "$tmp/dir"
vr -- "$tmp/bad" "$tmp/dir" >"$tmp/inside" 2>&1 || true
if diff -u "$tmp/native" "$tmp/inside" >"$tmp/diff"; then
	ok "every call answers as natively ($(wc -l <"$tmp/native") lines)"
else
	not_ok "every call answers as natively" "$tmp/diff"
fi
is "the base's directory was not touched" "1500000000" "$(stat -c %Y "$tmp/dir")"
done_testing
