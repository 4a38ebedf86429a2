#!/bin/sh
# removed-directory.sh - "." still names a directory removed while a
# descriptor (or the working directory) held it: fstatat(fd, "."), fstat
# and statx give its attributes (no links left) as natively, for a
# directory made in the prefix and in a --mount.  fchdir(2) into such a
# directory works, and there getcwd(2), new names answer ENOENT while "."
# is the directory, as natively.  A base directory removed through the
# namespace (it stays in the base, behind a whiteout) answers as kernel
# overlayfs does: "." and fchdir find it, getcwd and new names ENOENT.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc stat
plan 7

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

# held DIR [mk]: remove DIR/gone (made first with mk) while a descriptor
# holds it, then what ".", fchdir and the new working directory answer.
cat >"$tmp/held.c" <<'C'
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void
say(const char *what, long r)
{
	printf("%s: %s\n", what, r < 0 ? strerrorname_np(errno) : "ok");
}

int
main(int argc, char **argv)
{
	char d[4096], buf[4096];
	struct stat st;
	int fd;

	snprintf(d, sizeof(d), "%s/gone", argv[1]);
	if ((argc > 2 && mkdir(d, 0755)) || (fd = open(d, O_RDONLY | O_DIRECTORY)) < 0 || rmdir(d))
		return perror(d), 2;
	say("fstatat(fd, \".\")", fstatat(fd, ".", &st, 0));
	say("fchdir(fd)", fchdir(fd));
	say("stat(\".\")", stat(".", &st));
	printf("links: %ld\n", (long)st.st_nlink);
	say("getcwd", syscall(SYS_getcwd, buf, sizeof(buf)));
	say("creat(\"f\")", open("f", O_CREAT | O_WRONLY, 0644));
	say("mkdir(\"x\")", mkdir("x", 0755));
	return 0;
}
C
gcc -O2 -Wall -o "$tmp/held" "$tmp/held.c"
mkdir "$tmp/hn" "$tmp/hv" "$tmp/hhost"
"$tmp/held" "$tmp/hn" mk >"$tmp/held-native.out" 2>&1
grep -q '^fchdir(fd): ok$' "$tmp/held-native.out" && grep -q '^getcwd: ENOENT$' "$tmp/held-native.out" ||
	not_ok "natively fchdir enters the removed directory, getcwd answers ENOENT" \
		"$tmp/held-native.out"
capture heldp vr -- "$tmp/held" "$tmp/hv" mk
is_file "fchdir into a removed directory of the prefix: as natively" "$tmp/held-native.out" \
	"$tmp/heldp.out"
capture heldm vr --mount "$tmp/hhost:/m" -- "$tmp/held" /m mk
is_file "fchdir into a removed directory of a --mount: as natively" "$tmp/held-native.out" \
	"$tmp/heldm.out"

# The base case against kernel overlayfs over the same layers.
mkdir -p "$tmp/ol/gone" "$tmp/ou" "$tmp/ow" "$tmp/om" "$tmp/bv/gone"
if [ "$(id -u)" != 0 ] || ! have unshare; then
	skip "a base directory removed: as in kernel overlayfs" "mounting overlayfs needs root"
elif ! unshare -m sh -c 'mount -t overlay overlay -o "lowerdir=$1/ol,upperdir=$1/ou,workdir=$1/ow" \
	"$1/om" && exec "$1/held" "$1/om"' sh "$tmp" >"$tmp/held-ovl.out" 2>&1; then
	not_ok "kernel overlayfs mounted for the comparison" "$tmp/held-ovl.out"
else
	capture heldb vr -- "$tmp/held" "$tmp/bv"
	is_file "a base directory removed: as in kernel overlayfs" "$tmp/held-ovl.out" \
		"$tmp/heldb.out"
fi
done_testing
