#!/bin/sh
# rewritten-sites.sh - after the eighth trap at a call site, later calls
# there go through a rewritten site without a signal (`vroot run --stats`
# counts them), and give exactly what they give natively: a loop of stat
# calls, threads racing on one wrapper while it is being patched, vfork
# and posix_spawn children running patched code, signal actions (SIGSYS's
# is vroot's, the program's a virtual one), a static musl program,
# busybox and a Go program.  VROOT_REWRITE=0 turns the rewriting off: then
# nothing goes through a rewritten site and the results are the same.
# The sites an image trapped at in its interpreter are rewritten in the
# next image it execs before that one runs.  A site of a call trapped for
# some arguments only (recvfrom and sendto with an address) is rewritten
# too: its calls without one still run natively.
# --stats also adds up the core's own counts over the process tree.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc
plan 25

cat >"$tmp/storm.c" <<'EOF'
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static const char *there, *missing;
static volatile int hits, sys_held;

/* A handler whose sa_mask holds SIGSYS: it runs with SIGSYS blocked, as the program sees its mask. */
static void
on_usr1(int sig)
{
	sigset_t m;

	(void)sig;
	sigprocmask(SIG_BLOCK, NULL, &m);
	sys_held += sigismember(&m, SIGSYS);
	hits++;
}

static void
on_sys(int sig)
{
	(void)sig;
}
static pthread_barrier_t go;
static long iters;

/* One stat of each path, as a line: what a caller can see of the result. */
static void
probe(char *out, size_t cap)
{
	struct stat a, b;
	int ra = fstatat(AT_FDCWD, there, &a, 0), ea = errno;
	int rb = fstatat(AT_FDCWD, missing, &b, AT_SYMLINK_NOFOLLOW), eb = errno;

	snprintf(out, cap, "%d/%d %lu %lo %ld | %d/%d", ra, ra ? ea : 0, (unsigned long)a.st_ino,
	         (unsigned long)a.st_mode, (long)a.st_size, rb, rb ? eb : 0);
}

static void *
racer(void *arg)
{
	char first[256], now[256];
	long bad = 0;

	(void)arg;
	pthread_barrier_wait(&go);
	probe(first, sizeof(first));
	for (long i = 1; i < iters; i++) {
		probe(now, sizeof(now));
		bad += strcmp(now, first) != 0;
	}
	return bad ? strdup(now) : strdup(first);
}

int
main(int argc, char **argv)
{
	char line[256], prev[256] = "";
	const char *mode = argv[1];

	there = argv[2];
	missing = argv[3];
	iters = atol(argv[4]);
	if (!strcmp(mode, "loop")) {
		long diff = 0;
		for (long i = 0; i < iters; i++) {
			probe(line, sizeof(line));
			diff += i && strcmp(line, prev);
			strcpy(prev, line);
		}
		printf("%s changes=%ld\n", line, diff);
	} else if (!strcmp(mode, "generic")) {
		/* glibc's syscall(): a trapped call, its error, and untrapped ones. */
		struct stat a;
		long diff = 0, r, e;
		for (long i = 0; i < iters; i++) {
			r = syscall(SYS_newfstatat, AT_FDCWD, there, &a, 0);
			snprintf(line, sizeof(line), "%ld %lu %ld", r, (unsigned long)a.st_ino,
			         (long)a.st_size);
			r = syscall(SYS_newfstatat, AT_FDCWD, missing, &a, AT_SYMLINK_NOFOLLOW);
			e = errno;
			snprintf(line + strlen(line), sizeof(line) - strlen(line), " | %ld/%ld", r, e);
			diff += syscall(SYS_getppid) != getppid() || syscall(SYS_gettid) != gettid();
			diff += i && strcmp(line, prev);
			strcpy(prev, line);
		}
		printf("%s changes=%ld\n", line, diff);
	} else if (!strcmp(mode, "race")) {
		enum { NT = 16 };
		pthread_t t[NT];
		void *r;
		pthread_barrier_init(&go, NULL, NT);
		for (int i = 0; i < NT; i++)
			pthread_create(&t[i], NULL, racer, NULL);
		for (int i = 0; i < NT; i++) {
			pthread_join(t[i], &r);
			if (!i || strcmp(r, prev))
				printf("thread %d: %s\n", i, (char *)r);
			strcpy(prev, r);
		}
	} else if (!strcmp(mode, "sigaction")) {
		/* Actions set and read back, SIGSYS's too; a posix_spawn child resets them all. */
		struct sigaction sa, got;
		char *cat[] = {"cat", NULL};
		long diff = 0;
		int st = -1;
		pid_t p;
		memset(&sa, 0, sizeof(sa));
		sigemptyset(&sa.sa_mask);
		sigaddset(&sa.sa_mask, SIGSYS);
		for (long i = 0; i < iters; i++) {
			sa.sa_handler = on_usr1;
			sigaction(SIGUSR1, &sa, NULL);
			sigaction(SIGUSR1, NULL, &got);
			diff += got.sa_handler != on_usr1 || !sigismember(&got.sa_mask, SIGSYS);
			sa.sa_handler = i & 1 ? on_sys : SIG_DFL;
			sigaction(SIGSYS, &sa, NULL);
			sigaction(SIGSYS, NULL, &got);
			diff += got.sa_handler != sa.sa_handler;
			if (i % 100 == 0)
				raise(SIGUSR1);
		}
		sa.sa_handler = on_sys;
		sigaction(SIGSYS, &sa, NULL);
		if (posix_spawnp(&p, "cat", NULL, NULL, cat, environ) == 0)
			waitpid(p, &st, 0);
		sigaction(SIGSYS, NULL, &got);
		printf("handled %d, SIGSYS blocked in %d, changes=%ld, spawn status %d, SIGSYS %s\n",
		       hits, sys_held, diff, st, got.sa_handler == on_sys ? "kept" : "lost");
	} else { /* children: vfork and posix_spawn after the sites are patched */
		posix_spawn_file_actions_t fa;
		char *cat[] = {"cat", NULL};
		int st;
		pid_t p;
		for (long i = 0; i < iters; i++)
			probe(line, sizeof(line));
		p = vfork();
		if (p == 0) {
			char again[256];
			probe(again, sizeof(again));
			_exit(strcmp(again, line) ? 1 : 0);
		}
		waitpid(p, &st, 0);
		printf("%s vfork child %s\n", line, st == 0 ? "same" : "differs");
		fflush(stdout);
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, 0, there, O_RDONLY, 0);
		if (posix_spawnp(&p, "cat", &fa, NULL, cat, environ) == 0)
			waitpid(p, &st, 0);
		printf("spawn status %d\n", st);
	}
	return 0;
}
EOF
gcc -O2 -o "$tmp/storm" "$tmp/storm.c" -lpthread
F=$tmp/file
echo "some content" >"$F"

# rewritten ERRFILE: calls through rewritten sites, from --stats.
rewritten() { sed -n 's/.* \([0-9]*\) calls through rewritten sites.*/\1/p' "$1"; }

# twice DESC CMD...: CMD natively, with rewriting and without it, same
# output; the rewriting run went through rewritten sites at least MIN times.
twice() {
	desc=$1 min=$2
	shift 2
	capture native "$@"
	capture on env VROOT_REWRITE=1 "$VROOT" run --stats --prefix "$tmp/prefix" -- "$@"
	capture off env VROOT_REWRITE=0 "$VROOT" run --stats --prefix "$tmp/prefix" -- "$@"
	is "$desc: same as natively" "$(cat "$tmp/native.out")" "$(cat "$tmp/on.out")"
	is "... and without rewriting" "$(cat "$tmp/native.out")" "$(cat "$tmp/off.out")"
	n_on=$(rewritten "$tmp/on.err")
	n_off=$(rewritten "$tmp/off.err")
	if [ "${n_on:-0}" -ge "$min" ] && [ "$n_off" = 0 ]; then
		ok "... through rewritten sites ($n_on calls), none when off"
	else
		cat "$tmp/on.err" "$tmp/off.err" >"$tmp/.diag"
		not_ok "... through rewritten sites ($n_on calls, off: $n_off)" "$tmp/.diag"
	fi
}

twice "a loop of stat calls" 1900 "$tmp/storm" loop "$F" "$tmp/none" 1000
twice "16 threads racing on one wrapper from the start" 20000 "$tmp/storm" race "$F" "$tmp/none" 1000
twice "glibc's generic syscall()" 1900 "$tmp/storm" generic "$F" "$tmp/none" 1000
twice "vfork and posix_spawn children of a patched program" 190 "$tmp/storm" spawn "$F" "$tmp/none" 100
twice "signal actions set and read, SIGSYS's too" 3900 "$tmp/storm" sigaction "$F" "$tmp/none" 1000

if have musl-gcc; then
	musl-gcc -static -O2 -o "$tmp/storm-musl" "$tmp/storm.c"
	capture native "$tmp/storm-musl" loop "$F" "$tmp/none" 1000
	capture on env VROOT_REWRITE=1 "$VROOT" run --stats --prefix "$tmp/prefix" -- \
		"$tmp/storm-musl" loop "$F" "$tmp/none" 1000
	is "a static musl program: same as natively, through rewritten sites" \
		"$(cat "$tmp/native.out") yes" \
		"$(cat "$tmp/on.out") $([ "$(rewritten "$tmp/on.err")" -ge 1900 ] && echo yes)"
else
	skip "a static musl program" "musl-gcc not installed"
fi

if have busybox; then
	mkdir -p "$tmp/bb/a/b" && touch "$tmp/bb/a/x" "$tmp/bb/a/b/y"
	capture native busybox find "$tmp/bb" -type f
	capture on "$VROOT" run --stats --prefix "$tmp/prefix" -- busybox find "$tmp/bb" -type f
	is "busybox: same as natively" "$(sort "$tmp/native.out")" "$(sort "$tmp/on.out")"
else
	skip "busybox" "busybox not installed"
fi

if have go; then
	mkdir -p "$tmp/gostat"
	cat >"$tmp/gostat/main.go" <<'EOF'
package main

import (
	"fmt"
	"os"
)

func main() {
	n := 0
	for i := 0; i < 500; i++ {
		if fi, err := os.Stat(os.Args[1]); err == nil && fi.Size() > 0 {
			n++
		}
		if _, err := os.Lstat(os.Args[2]); err == nil {
			n += 1000
		}
	}
	wd, _ := os.Getwd()
	fmt.Println(n, wd)
}
EOF
	(cd "$tmp/gostat" && GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0 GOCACHE="$tmp/gocache" \
		GOPATH="$tmp/gopath" GO111MODULE=off go build -o "$tmp/gostat/gostat" main.go)
	capture native "$tmp/gostat/gostat" "$F" "$tmp/none"
	capture on "$VROOT" run --stats --prefix "$tmp/prefix" -- "$tmp/gostat/gostat" "$F" "$tmp/none"
	is "a Go program: same as natively" "$(cat "$tmp/native.out")" "$(cat "$tmp/on.out")"
else
	skip "a Go program" "go not installed"
fi

# --stats adds up every process of the tree, across fork and exec: of the
# 2 x 300 x 2 stat calls, all but the first few at each site of each
# process (a site is rewritten at its eighth trap).
capture tree env VROOT_REWRITE=1 "$VROOT" run --stats --prefix "$tmp/prefix" -- sh -c \
	"'$tmp/storm' loop '$F' '$tmp/none' 300 >/dev/null; '$tmp/storm' loop '$F' '$tmp/none' 300 >/dev/null"
is "--stats counts the whole process tree" "yes" \
	"$([ "$(rewritten "$tmp/tree.err")" -ge 1160 ] && echo yes)"

# An exec'd program's interpreter, the file the parent's own ld.so was
# mapped from: the sites the parent trapped at in it are rewritten before
# the program runs (a short-lived program never reaches the eighth trap at
# a site), so each exec adds several rewritten sites and fewer traps.
# counts ERRFILE: "TRAPPED SITES" from the statistics line.
counts() { sed -n 's/.*stats: \([0-9]*\) trapped calls.*(\([0-9]*\) sites rewritten).*/\1 \2/p' "$1"; }
execs='i=0; while [ $i -lt "$2" ]; do cat "$1"; i=$((i + 1)); done'
capture native sh -c "$execs" sh "$F" 21
capture on env VROOT_REWRITE=1 "$VROOT" run --stats --prefix "$tmp/prefix" -- sh -c "$execs" sh "$F" 21
capture one env VROOT_REWRITE=1 "$VROOT" run --stats --prefix "$tmp/prefix" -- sh -c "$execs" sh "$F" 1
capture off env VROOT_REWRITE=0 "$VROOT" run --stats --prefix "$tmp/prefix" -- sh -c "$execs" sh "$F" 21
is "21 execs of a dynamic program: same as natively" "$(cat "$tmp/native.out")" \
	"$(cat "$tmp/on.out")"
is "... and without rewriting" "$(cat "$tmp/native.out")" "$(cat "$tmp/off.out")"
set -- $(counts "$tmp/on.err") $(counts "$tmp/one.err") $(counts "$tmp/off.err")
if [ "$#" = 6 ] && [ $(($2 - $4)) -ge 80 ] && [ "$1" -lt $(($5 - 20 * 4)) ] && [ "$6" = 0 ]; then
	ok "... each exec rewrote its interpreter's sites first ($(($2 - $4)) sites in 20 more execs; $1 traps against $5)"
else
	cat "$tmp/on.err" "$tmp/one.err" "$tmp/off.err" >"$tmp/.diag"
	not_ok "... each exec rewrote its interpreter's sites first (21, 1, off: $*)" "$tmp/.diag"
fi

# core NAME ERRFILE: the core's count NAME ("paths walked"...), from --stats.
core() { sed -n "s/.*$1: \([0-9]*\).*/\1/p" "$2"; }
# The core's own counts too, from every process: 2 x 300 x 2 stats; and
# find's fstatat(dirfd, name) of 50 files, each walk starting at the
# cached directory the descriptor is.
mkdir -p "$tmp/many"
for i in $(seq 50); do echo x >"$tmp/many/f$i"; done
capture dirs "$VROOT" run --stats --prefix "$tmp/prefix" -- find "$tmp/many" -type f -size +0
walked=$(core "paths walked" "$tmp/tree.err")
hits=$(core "directory cache" "$tmp/dirs.err")
if [ "${walked:-0}" -ge 1200 ] && [ "${hits:-0}" -ge 49 ]; then
	ok "--stats adds up the core's counts ($walked paths walked; $hits cache hits)"
else
	cat "$tmp/tree.err" "$tmp/dirs.err" >"$tmp/.diag"
	not_ok "--stats adds up the core's counts ($walked walked, $hits cache hits)" "$tmp/.diag"
fi

# Datagrams between two named sockets: sendto and recvfrom with addresses
# trap (the names are mapped) until their sites are rewritten; every
# other recvfrom, at the same site, has no address and is the kernel's.
cat >"$tmp/dgram.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_un a = {AF_UNIX}, b = {AF_UNIX}, from;
	int n = atoi(argv[2]), sa = socket(AF_UNIX, SOCK_DGRAM, 0);
	int sb = socket(AF_UNIX, SOCK_DGRAM, 0);
	long bad = 0, named = 0;
	char buf[64];

	snprintf(a.sun_path, sizeof(a.sun_path), "%s/a", argv[1]);
	snprintf(b.sun_path, sizeof(b.sun_path), "%s/b", argv[1]);
	if (bind(sa, (struct sockaddr *)&a, sizeof(a)) || bind(sb, (struct sockaddr *)&b, sizeof(b)))
		return perror("bind"), 1;
	for (int i = 0; i < n; i++) {
		socklen_t len = sizeof(from);
		int k = snprintf(buf, sizeof(buf), "m%d", i);

		if (sendto(sa, buf, (size_t)k, 0, (struct sockaddr *)&b, sizeof(b)) != k)
			bad++;
		memset(&from, 0, sizeof(from));
		if (i % 2)
			bad += recvfrom(sb, buf, sizeof(buf), 0, NULL, NULL) != k;
		else if (recvfrom(sb, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len) != k ||
		         strcmp(from.sun_path, a.sun_path) != 0)
			bad++;
		else
			named++;
	}
	printf("%d round trips, %ld named %s, %ld wrong\n", n, named, a.sun_path, bad);
	return 0;
}
EOF
gcc -O2 -o "$tmp/dgram" "$tmp/dgram.c"
mkdir "$tmp/dg-n" "$tmp/dg"
"$tmp/dgram" "$tmp/dg-n" 200 | sed "s|$tmp/dg-n/|$tmp/dg/|" >"$tmp/dg.want"
rm -rf "$tmp/prefix" "$tmp/prefix.work"
capture on env VROOT_REWRITE=1 "$VROOT" run --stats --prefix "$tmp/prefix" -- "$tmp/dgram" "$tmp/dg" 200
rm -rf "$tmp/prefix" "$tmp/prefix.work"
capture off env VROOT_REWRITE=0 "$VROOT" run --stats --prefix "$tmp/prefix" -- "$tmp/dgram" "$tmp/dg" 200
is "datagrams with and without addresses: as natively, rewritten or not" \
	"$(cat "$tmp/dg.want") / $(cat "$tmp/dg.want")" "$(cat "$tmp/on.out") / $(cat "$tmp/off.out")"
set -- $(counts "$tmp/on.err") $(counts "$tmp/off.err")
# 300 calls with an address: each traps without rewriting, a few at each site with.
if [ "$#" = 4 ] && [ $(($3 - $1)) -ge 250 ]; then
	ok "... their sites rewritten ($1 traps against $3 without rewriting)"
else
	cat "$tmp/on.err" "$tmp/off.err" >"$tmp/.diag"
	not_ok "... their sites rewritten (on, off: $*)" "$tmp/.diag"
fi
done_testing
