#!/bin/sh
# fake-keepcaps.sh - under --fake-root, root's capabilities go with its
# last uid 0 unless it asked to keep them (PR_SET_KEEPCAPS, or
# SECBIT_KEEP_CAPS and SECBIT_NO_SETUID_FIXUP through PR_SET_SECUREBITS),
# the securebits follow the kernel's rules (locks, CAP_SETPCAP, an exec
# clears KEEP_CAPS), as native root sees them.
#
# What native root answers is written below and, as root, checked against
# the kernel itself first; as a user, vroot's answers are compared with it.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc
plan 2

cat >"$tmp/caps.c" <<'EOF2'
/*
 * caps.c - what root keeps of its capabilities when it gives up uid 0,
 * with and without PR_SET_KEEPCAPS and SECBIT_KEEP_CAPS, each case in a
 * child; "exec" as argv[1]: the securebits after an exec.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void
caps(const char *when)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	syscall(SYS_capget, &h, d);
	printf("  %s: permitted %s, effective %s\n", when,
	       d[0].permitted ? "some" : "none", d[0].effective ? "some" : "none");
}

static void
say(const char *what, long r)
{
	printf("%s: %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
}

/* raise_setuid() - capset: CAP_SETUID effective again, from what is permitted. */
static long
raise_setuid(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	syscall(SYS_capget, &h, d);
	d[0].effective |= 1u << CAP_SETUID;
	d[0].permitted |= 1u << CAP_SETUID;
	return syscall(SYS_capset, &h, d);
}

static void
drop(void)
{
	say("setresuid 1000 1000 1000", syscall(SYS_setresuid, 1000, 1000, 1000));
	caps("after");
	say("capset CAP_SETUID", raise_setuid());
	say("setresuid 0 0 0", syscall(SYS_setresuid, 0, 0, 0));
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1) {
		say("after exec: PR_GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
		say("after exec: PR_GET_SECUREBITS", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
		return 0;
	}
	if (fork() == 0) {
		say("PR_GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
		drop();
		return 0;
	}
	wait(NULL);
	if (fork() == 0) {
		say("PR_SET_KEEPCAPS 1", prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
		say("PR_GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
		say("PR_SET_KEEPCAPS 2", prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0));
		drop();
		return 0;
	}
	wait(NULL);
	if (fork() == 0) {
		say("PR_SET_SECUREBITS KEEP_CAPS|KEEP_CAPS_LOCKED", prctl(PR_SET_SECUREBITS, 0x30, 0, 0, 0));
		say("PR_GET_SECUREBITS", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
		say("PR_GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
		say("PR_SET_KEEPCAPS 0", prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0));
		say("PR_SET_SECUREBITS 0", prctl(PR_SET_SECUREBITS, 0, 0, 0, 0));
		drop();
		return 0;
	}
	wait(NULL);
	if (fork() == 0) {
		say("PR_SET_SECUREBITS NO_SETUID_FIXUP", prctl(PR_SET_SECUREBITS, 0x4, 0, 0, 0));
		say("PR_SET_KEEPCAPS 1", prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
		drop();
		fflush(stdout);
		execl("/proc/self/exe", argv[0], "exec", (char *)NULL);
		return 1;
	}
	wait(NULL);
	if (fork() == 0) {
		say("setresuid 1000 1000 1000", syscall(SYS_setresuid, 1000, 1000, 1000));
		say("as a user: PR_SET_KEEPCAPS 1", prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
		say("as a user: PR_SET_SECUREBITS KEEP_CAPS", prctl(PR_SET_SECUREBITS, 0x10, 0, 0, 0));
		say("as a user: PR_GET_SECUREBITS", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
		return 0;
	}
	wait(NULL);
	return 0;
}
EOF2
gcc -O1 -o "$tmp/caps" "$tmp/caps.c"

cat >"$tmp/want" <<'EOF2'
PR_GET_KEEPCAPS: 0
setresuid 1000 1000 1000: 0
  after: permitted none, effective none
capset CAP_SETUID: -1 Operation not permitted
setresuid 0 0 0: -1 Operation not permitted
PR_SET_KEEPCAPS 1: 0
PR_GET_KEEPCAPS: 1
PR_SET_KEEPCAPS 2: -1 Invalid argument
setresuid 1000 1000 1000: 0
  after: permitted some, effective none
capset CAP_SETUID: 0
setresuid 0 0 0: 0
PR_SET_SECUREBITS KEEP_CAPS|KEEP_CAPS_LOCKED: 0
PR_GET_SECUREBITS: 48
PR_GET_KEEPCAPS: 1
PR_SET_KEEPCAPS 0: -1 Operation not permitted
PR_SET_SECUREBITS 0: -1 Operation not permitted
setresuid 1000 1000 1000: 0
  after: permitted some, effective none
capset CAP_SETUID: 0
setresuid 0 0 0: 0
PR_SET_SECUREBITS NO_SETUID_FIXUP: 0
PR_SET_KEEPCAPS 1: 0
setresuid 1000 1000 1000: 0
  after: permitted some, effective some
capset CAP_SETUID: 0
setresuid 0 0 0: 0
after exec: PR_GET_KEEPCAPS: 0
after exec: PR_GET_SECUREBITS: 4
setresuid 1000 1000 1000: 0
as a user: PR_SET_KEEPCAPS 1: 0
as a user: PR_SET_SECUREBITS KEEP_CAPS: -1 Operation not permitted
as a user: PR_GET_SECUREBITS: 16
EOF2

if is_root; then
	"$tmp/caps" >"$tmp/native" 2>&1 || true
	is_file "native root's capabilities and securebits are the ones written here" \
		"$tmp/want" "$tmp/native"
else
	skip "native root's capabilities and securebits" "needs root"
fi
vr --fake-root -- "$tmp/caps" >"$tmp/vroot" 2>&1 || true
is_file "fake root's are the same" "$tmp/want" "$tmp/vroot"
done_testing
