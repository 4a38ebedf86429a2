#!/bin/sh
# duplicate-dirfd.sh - a duplicate of a directory descriptor (fcntl
# F_DUPFD, which vroot does not see made) is at the place of the
# descriptor it copies, also where one host directory shows at two
# places (host / is the base, and a directory of it is mounted again at
# /alias).  vroot takes the place of a known descriptor that kcmp() says
# is the same open file (the original, while its number is unchanged, or
# the cache's own copy of a directory the program opened), else reads it
# back from the kernel, which cannot tell the two places apart.  Each
# case checks both places, with the originals open and after they are
# closed, in both orders (the first known descriptor of the directory is
# the other place's), the second time on numbers the first time used.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc
plan 2

cat >"$tmp/dup.c" <<'EOF'
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* place() - where descriptor @fd is: its cwd once entered, and whether its file shows. */
static void
place(const char *what, int fd)
{
	char cwd[4096];
	int f = openat(fd, "inA", O_RDONLY);

	if (fchdir(fd) != 0 || !getcwd(cwd, sizeof(cwd)))
		strcpy(cwd, "?");
	printf("%s: %s, inA %s\n", what, cwd, f >= 0 ? "ok" : "missing");
	if (f >= 0)
		close(f);
}

/* opened() - @dir at the lowest free number, used a few times (the cache knows it). */
static int
opened(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	for (int i = 0; i < 3; i++)
		close(openat(fd, "inA", O_RDONLY));
	return fd;
}

static void
pair(const char *first, const char *second, const char *order)
{
	int a = opened(first), b = opened(second);
	int da = fcntl(a, F_DUPFD_CLOEXEC, 3), db = fcntl(b, F_DUPFD, 3);

	printf("%s\n", order);
	place("first's copy, both open", da);
	place("second's copy, both open", db);
	close(a);
	close(b);
	place("first's copy, closed", da);
	place("second's copy, closed", db);
	close(da);
	close(db);
}

int
main(int argc, char **argv)
{
	char alias[4096];

	(void)argc;
	snprintf(alias, sizeof(alias), "%s", argv[2]);
	pair(argv[1], alias, "base place first");
	pair(alias, argv[1], "other place first");
	return 0;
}
EOF
gcc -O2 -o "$tmp/dup" "$tmp/dup.c"
mkdir -p "$tmp/d/a"
echo a >"$tmp/d/a/inA"
d=$(cd "$tmp/d/a" && pwd -P)
alias=/alias/a

for first in base other; do
	if [ $first = base ]; then
		one=$d two=$alias
	else
		one=$alias two=$d
	fi
	echo "$first place first"
	echo "first's copy, both open: $one, inA ok"
	echo "second's copy, both open: $two, inA ok"
	echo "first's copy, closed: $one, inA ok"
	echo "second's copy, closed: $two, inA ok"
done >"$tmp/want"

capture on env VROOT_REWRITE=1 "$VROOT" run --prefix "$tmp/prefix" --mount "$tmp/d:/alias" -- \
	"$tmp/dup" "$d" "$alias"
is_file "a duplicate directory descriptor is at its original's place, at either of two" \
	"$tmp/want" "$tmp/on.out"
capture off env VROOT_REWRITE=0 "$VROOT" run --prefix "$tmp/prefix" --mount "$tmp/d:/alias" -- \
	"$tmp/dup" "$d" "$alias"
is_file "... and with every call trapping" "$tmp/want" "$tmp/off.out"
done_testing
