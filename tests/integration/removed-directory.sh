#!/bin/sh
# removed-directory.sh - "." still names a directory removed while a
# descriptor (or the working directory) held it: fstatat(fd, "."), fstat
# and statx give its attributes (no links left) as natively, for a
# directory made in the prefix and in a --mount.  (A base directory
# removed through the namespace keeps its host name below a whiteout, so
# there "." is ENOENT; natively, in kernel overlayfs, it is found.)
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc stat
plan 4

cat >"$tmp/gone.c" <<'C'
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void
say(const char *what, int r, long nlink)
{
	printf("%s: %s", what, r ? strerrorname_np(errno) : "ok");
	if (!r)
		printf(", %ld links", nlink);
	printf("\n");
}

int
main(int argc, char **argv)
{
	char d[4096];
	struct stat st;
	struct statx stx;
	int fd, r;

	if (argc != 2)
		return 2;
	snprintf(d, sizeof(d), "%s/gone", argv[1]);
	if (mkdir(d, 0755) || (fd = open(d, O_RDONLY | O_DIRECTORY)) < 0 || rmdir(d))
		return perror(d), 2;
	r = fstatat(fd, ".", &st, 0);
	say("fstatat(fd, \".\")", r, (long)st.st_nlink);
	r = fstat(fd, &st);
	say("fstat(fd)", r, (long)st.st_nlink);
	r = statx(fd, ".", 0, STATX_NLINK, &stx);
	say("statx(fd, \".\")", r, (long)stx.stx_nlink);
	say("fstatat(fd, \"nothing\")", fstatat(fd, "nothing", &st, 0), 0);
	return 0;
}
C
gcc -O2 -Wall -o "$tmp/gone" "$tmp/gone.c"
mkdir -p "$tmp/n" "$tmp/v" "$tmp/host"
"$tmp/gone" "$tmp/n" >"$tmp/native.out" 2>&1
grep -q '^fstatat(fd, "."): ok, 0 links$' "$tmp/native.out" ||
	not_ok "natively \".\" names the removed directory" "$tmp/native.out"
capture prefix vr -- "$tmp/gone" "$tmp/v"
is_file "a directory made in the prefix: as natively" "$tmp/native.out" "$tmp/prefix.out"
capture mnt vr --mount "$tmp/host:/m" -- "$tmp/gone" /m
is_file "a directory in a --mount: as natively" "$tmp/native.out" "$tmp/mnt.out"

cwd='mkdir "$1/g" && cd "$1/g" && rmdir ../g && stat -c %h .'
is "the working directory removed: stat . natively" "$(sh -c "$cwd" sh "$tmp/n" 2>&1)" "0"
is "... and through vroot" "$(vr -- sh -c "$cwd" sh "$tmp/v" 2>&1)" "0"
done_testing
