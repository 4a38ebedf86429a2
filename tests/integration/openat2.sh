#!/bin/sh
# openat2.sh - openat2(2) inside the namespace: without resolve rules it is
# openat in the virtual tree; RESOLVE_CACHED answers EAGAIN; the rules not
# modelled yet answer ENOSYS, so programs take their openat fallback.
set -eu
. "$(dirname "$0")/lib.sh"
plan 3

if ! have gcc; then
	skip_n 3 "needs gcc"
	exit 0
fi
cat >"$tmp/o2.c" <<'C'
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

static void
try(const char *what, const char *path, unsigned long long resolve)
{
	struct open_how h = {.flags = O_RDONLY, .resolve = resolve};
	char buf[64] = "";
	long fd = syscall(SYS_openat2, AT_FDCWD, path, &h, sizeof(h));

	if (fd >= 0 && read((int)fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	printf("%s %s\n", what, fd >= 0 ? strtok(buf, "\n") : strerror(errno));
}

int
main(void)
{
	try("plain", "/etc/vroot-o2", 0);
	try("cached", "/etc/vroot-o2", RESOLVE_CACHED);
	try("beneath", "etc/vroot-o2", RESOLVE_BENEATH);
	return 0;
}
C
gcc -o "$tmp/o2" "$tmp/o2.c"
capture out vr -- sh -c "echo virtual >/etc/vroot-o2 && '$tmp/o2'"
is "openat2 without rules opens the virtual file" "plain virtual" "$(sed -n 1p "$tmp/out.out")"
is "RESOLVE_CACHED: EAGAIN" "cached Resource temporarily unavailable" "$(sed -n 2p "$tmp/out.out")"
is "other rules: ENOSYS, for the openat fallback" "beneath Function not implemented" \
	"$(sed -n 3p "$tmp/out.out")"
done_testing
