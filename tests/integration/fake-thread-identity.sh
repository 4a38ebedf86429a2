#!/bin/sh
# fake-thread-identity.sh - under a faked identity, credentials are per
# thread as the kernel keeps them: a raw set*id call changes the calling
# thread only (what it may open, what /proc/PID/task/TID/status shows),
# glibc's set*id changes every thread, a new thread, a fork, a
# posix_spawn and an exec start with their creator's identity (a thread
# started by a thread with an identity of its own too), and the
# working directory stays one for all; the same two sessions deep.  A
# program's own seccomp filter installed with SECCOMP_FILTER_FLAG_TSYNC
# reaches every thread all the same.
#
# What native root answers is written below and, as root, checked against
# the kernel itself first; as a user, vroot's answers are compared with it.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc id
plan 7

cat >"$tmp/threads.c" <<'EOF2'
/*
 * threads.c DIR - per-thread identity: a raw set*id call changes the
 * calling thread only; glibc's change every thread; a fork, a spawn, an
 * exec and a new thread start with their creator's; /proc shows each
 * thread's; a chdir (to DIR) is every thread's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *dir;
static char secret[4096];

static pthread_barrier_t bar;
static pid_t ttid;

static void
ids(const char *who)
{
	printf("%s: uid %ld euid %ld\n", who, syscall(SYS_getuid), syscall(SYS_geteuid));
}

static void
status_uid(const char *who, long tid)
{
	char path[64], line[256];
	FILE *f;

	if (tid)
		snprintf(path, sizeof(path), "/proc/self/task/%ld/status", tid);
	else
		snprintf(path, sizeof(path), "/proc/self/status");
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "Uid:", 4))
			printf("%s %s", who, line);
	if (f)
		fclose(f);
}

static void
forked(const char *who)
{
	pid_t p = fork();

	if (p == 0) {
		ids(who);
		fflush(stdout);
		execlp("id", "id", "-u", (char *)NULL);
		_exit(1);
	}
	waitpid(p, NULL, 0);
}

static volatile int idle_go, idle_done, late_done;
static pthread_t late_th;

static void *
idle(void *arg)
{
	(void)arg;
	while (!idle_go)
		usleep(1000);
	ids("idle thread after main's raw setreuid -1 3000");
	idle_done = 1;
	return NULL;
}

static void *
newer(void *arg)
{
	ids(arg);
	return NULL;
}

/* Started by the thread with its own ids; looks after main's raw change. */
static void *
late(void *arg)
{
	(void)arg;
	while (!idle_done)
		usleep(1000);
	ids("thread's idle thread after main's raw setreuid -1 3000");
	late_done = 1;
	return NULL;
}

/* A new thread that forks before any call of its own. */
static void *
forker(void *arg)
{
	pid_t p = fork();

	if (p == 0) {
		ids(arg);
		_exit(0);
	}
	waitpid(p, NULL, 0);
	return NULL;
}

/* A thread started by one with an identity of its own, then its own change. */
static void *
inner(void *arg)
{
	pthread_t th;

	ids(arg);
	printf("its raw setresuid -1 0 -1: %ld\n", syscall(SYS_setresuid, -1, 0, -1));
	printf("its raw setresuid -1 2000 -1: %ld\n", syscall(SYS_setresuid, -1, 2000, -1));
	ids("it");
	pthread_create(&th, NULL, newer, "the thread it starts");
	pthread_join(th, NULL);
	pthread_create(&th, NULL, forker, "the fork child of another it starts");
	pthread_join(th, NULL);
	return NULL;
}

static void *
worker(void *arg)
{
	pthread_t th;

	(void)arg;
	ttid = gettid();
	printf("thread raw setresuid -1 1000 -1: %ld\n", syscall(SYS_setresuid, -1, 1000, -1));
	ids("thread");
	printf("thread opens root's mode 0600 file: %s\n",
	       open(secret, O_RDONLY) < 0 ? strerror(errno) : "ok");
	printf("thread chdir: %d\n", chdir(dir));
	pthread_create(&th, NULL, inner, "thread's new thread");
	pthread_join(th, NULL);
	ids("thread after its new thread's changes");
	pthread_create(&late_th, NULL, late, NULL);
	pthread_barrier_wait(&bar); /* 1: changed */
	pthread_barrier_wait(&bar); /* 2: main looked */
	printf("thread before main's calls: uid %ld euid %ld\n", syscall(SYS_getuid), syscall(SYS_geteuid));
	forked("thread's fork child");
	{
		extern char **environ;
		char *argv[] = {"id", "-u", NULL};
		pid_t c;

		fflush(stdout);
		if (posix_spawnp(&c, "id", NULL, NULL, argv, environ) == 0)
			waitpid(c, NULL, 0);
	}
	pthread_barrier_wait(&bar); /* 3 */
	pthread_barrier_wait(&bar); /* 4: main's calls */
	ids("thread after glibc setresuid 0 0 0");
	pthread_barrier_wait(&bar); /* 5 */
	pthread_barrier_wait(&bar); /* 6: main's glibc setuid */
	ids("thread after glibc setuid 4242");
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t th, th2, th3;
	char cwd[4096];
	int fd;

	if (argc < 2)
		return 2;
	dir = argv[1];
	snprintf(secret, sizeof(secret), "%s/secret", getcwd(cwd, sizeof(cwd)));
	fd = open(secret, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return 2;
	close(fd);

	setvbuf(stdout, NULL, _IONBF, 0);
	pthread_barrier_init(&bar, NULL, 2);
	pthread_create(&th, NULL, worker, NULL);
	pthread_create(&th3, NULL, idle, NULL);
	pthread_barrier_wait(&bar); /* 1 */
	ids("main");
	printf("main opens it: %s\n", open(secret, O_RDONLY) < 0 ? strerror(errno) : "ok");
	printf("main's cwd is the thread's: %d\n", strcmp(getcwd(cwd, sizeof(cwd)), dir) == 0);
	status_uid("main's status", 0);
	status_uid("thread's status", ttid);
	pthread_create(&th2, NULL, newer, "main's new thread");
	pthread_join(th2, NULL);
	forked("main's fork child");
	pthread_barrier_wait(&bar); /* 2 */
	pthread_barrier_wait(&bar); /* 3 */
	printf("main raw setreuid -1 3000: %ld\n", syscall(SYS_setreuid, -1, 3000));
	ids("main");
	idle_go = 1;
	while (!idle_done)
		usleep(1000);
	while (!late_done)
		usleep(1000);
	printf("glibc setresuid 0 0 0: %d\n", setresuid(0, 0, 0));
	ids("main after glibc setresuid 0 0 0");
	pthread_barrier_wait(&bar); /* 4 */
	pthread_barrier_wait(&bar); /* 5 */
	printf("glibc setuid 4242: %d\n", setuid(4242));
	ids("main after glibc setuid 4242");
	pthread_barrier_wait(&bar); /* 6 */
	pthread_join(th, NULL);
	pthread_join(th3, NULL);
	pthread_join(late_th, NULL);
	return 0;
}
EOF2
gcc -O1 -o "$tmp/threads" "$tmp/threads.c" -lpthread

cat >"$tmp/want" <<'EOF2'
thread raw setresuid -1 1000 -1: 0
thread: uid 0 euid 1000
thread opens root's mode 0600 file: Permission denied
thread chdir: 0
thread's new thread: uid 0 euid 1000
its raw setresuid -1 0 -1: 0
its raw setresuid -1 2000 -1: 0
it: uid 0 euid 2000
the thread it starts: uid 0 euid 2000
the fork child of another it starts: uid 0 euid 2000
thread after its new thread's changes: uid 0 euid 1000
main: uid 0 euid 0
main opens it: ok
main's cwd is the thread's: 1
main's status Uid:	0	0	0	0
thread's status Uid:	0	1000	0	1000
main's new thread: uid 0 euid 0
main's fork child: uid 0 euid 0
0
thread before main's calls: uid 0 euid 1000
thread's fork child: uid 0 euid 1000
1000
1000
main raw setreuid -1 3000: 0
main: uid 0 euid 3000
idle thread after main's raw setreuid -1 3000: uid 0 euid 0
thread's idle thread after main's raw setreuid -1 3000: uid 0 euid 1000
glibc setresuid 0 0 0: 0
main after glibc setresuid 0 0 0: uid 0 euid 0
thread after glibc setresuid 0 0 0: uid 0 euid 0
glibc setuid 4242: 0
main after glibc setuid 4242: uid 4242 euid 4242
thread after glibc setuid 4242: uid 4242 euid 4242
EOF2

mkdir "$tmp/w" "$tmp/d"
chmod 755 "$tmp"
if is_root; then
	(cd "$tmp/w" && "$tmp/threads" "$tmp/d") >"$tmp/native" 2>&1 || true
	is_file "native root's threads answer as written here" "$tmp/want" "$tmp/native"
	rm -f "$tmp/w/secret"
else
	skip "native root's threads answer as written here" "needs root"
fi
(cd "$tmp/w" && vr --fake-root -- "$tmp/threads" "$tmp/d") >"$tmp/vroot" 2>&1 || true
is_file "per-thread identities under --fake-root" "$tmp/want" "$tmp/vroot"

# Nested sessions: both fake (the inner one answers every identity call),
# and only the outer one does (the inner session's traps come first to
# the outer one, which forwards them: a new thread's first one must
# still give it its creator's identity there, and the inner session's
# walk reopens a status file through /proc/self/fd).  The prefixes lie
# in a directory a virtual user 1000 may write; the inner vroot is a copy
# it may reach (the tree is root's in the session: a checkout in a 0700
# home directory is not open to it).
mkdir "$tmp/nest" "$tmp/bin"
chmod 1777 "$tmp/nest"
cp "$VROOT" "$top/build/vroot-loader" "$tmp/bin/"
# nested NAME OUTER INNER: the program two sessions deep, its output in $tmp/NAME.
nested() {
	rm -f "$tmp/w/secret"
	# shellcheck disable=SC2086 # the options are words
	(cd "$tmp/w" && "$VROOT" run $2 --prefix "$tmp/nest/$1-o" -- \
		"$tmp/bin/vroot" run $3 --prefix "$tmp/nest/$1-i" -- "$tmp/threads" "$tmp/d") \
		>"$tmp/$1" 2>&1 || true
}
nested both "--uid 1000 --gid 1000" --fake-root
is_file "--fake-root inside --uid 1000: per-thread identities" "$tmp/want" "$tmp/both"
nested outer --fake-root ""
is_file "a session inside --fake-root: per-thread identities" "$tmp/want" "$tmp/outer"

# A program's own filter installed with SECCOMP_FILTER_FLAG_TSYNC after a
# thread changed its own ids reaches every thread (vroot marks no thread
# with a filter of its own), and the threads keep their ids.
cat >"$tmp/tsync.c" <<'EOF2'
/*
 * tsync.c - a program's own filter, installed with SECCOMP_FILTER_FLAG_TSYNC
 * after a thread changed its own ids, reaches every thread; each keeps its
 * ids, and a thread started later still takes its creator's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static pthread_barrier_t bar;

static void
ids(const char *who)
{
	long r = syscall(SYS_getpriority, 0, 0);

	printf("%s: uid %ld euid %ld, getpriority %s\n", who, syscall(SYS_getuid),
	       syscall(SYS_geteuid), r < 0 && errno == ENOMSG ? "filtered" : "passed");
}

static void *
late(void *arg)
{
	ids(arg);
	return NULL;
}

static void *
inner(void *arg)
{
	(void)arg;
	ids("its thread");
	pthread_barrier_wait(&bar); /* 1: all started */
	pthread_barrier_wait(&bar); /* 2: filter in */
	ids("its thread");
	return NULL;
}

static void *
worker(void *arg)
{
	pthread_t th, th2;

	(void)arg;
	printf("thread raw setresuid -1 1000 -1: %ld\n", syscall(SYS_setresuid, -1, 1000, -1));
	pthread_create(&th, NULL, inner, NULL);
	pthread_join(th, NULL);
	ids("thread");
	pthread_create(&th2, NULL, late, "thread's thread after the filter");
	pthread_join(th2, NULL);
	return NULL;
}

int
main(void)
{
	struct sock_filter f[] = {
	        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getpriority, 0, 1),
	        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOMSG),
	        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog fp = {4, f};
	pthread_t th;

	setvbuf(stdout, NULL, _IONBF, 0);
	pthread_barrier_init(&bar, NULL, 2);
	pthread_create(&th, NULL, worker, NULL);
	pthread_barrier_wait(&bar); /* 1 */
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	printf("seccomp with TSYNC: %ld\n",
	       syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &fp));
	pthread_barrier_wait(&bar); /* 2 */
	pthread_join(th, NULL);
	ids("main");
	return 0;
}
EOF2
gcc -O1 -o "$tmp/tsync" "$tmp/tsync.c" -lpthread
cat >"$tmp/tsync.want" <<'EOF2'
thread raw setresuid -1 1000 -1: 0
its thread: uid 0 euid 1000, getpriority passed
seccomp with TSYNC: 0
its thread: uid 0 euid 1000, getpriority filtered
thread: uid 0 euid 1000, getpriority filtered
thread's thread after the filter: uid 0 euid 1000, getpriority filtered
main: uid 0 euid 0, getpriority filtered
EOF2
if is_root; then
	"$tmp/tsync" >"$tmp/tsync.native" 2>&1 || true
	is_file "native root: a TSYNC filter after a thread's own setresuid" "$tmp/tsync.want" \
		"$tmp/tsync.native"
else
	skip "native root: a TSYNC filter after a thread's own setresuid" "needs root"
fi
vr --fake-root -- "$tmp/tsync" >"$tmp/tsync.vroot" 2>&1 || true
is_file "--fake-root: a TSYNC filter after a thread's own setresuid" "$tmp/tsync.want" \
	"$tmp/tsync.vroot"

# Threads made while other threads free the gadget slots of earlier clones
# (each made thread's first call vroot answers does): a slot seen done by
# one thread may not be freed by it after another freed and reused it, or
# a clone on its way loses its slot and its creator's identity goes to
# another thread.  VROOT_TEST_REAP_DELAY=1 holds every such thread between
# the two for 2 ms.
cat >"$tmp/reap.c" <<'EOF2'
/*
 * reap.c - four threads with ids of their own each make threads one after
 * another; every new thread must start with its creator's euid.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static int bad;

static void *
child(void *arg)
{
	if (syscall(SYS_geteuid) != (long)arg)
		__atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void *
creator(void *arg)
{
	syscall(SYS_setresuid, -1, (long)arg, -1);
	for (int i = 0; i < 200; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, child, arg) == 0)
			pthread_join(t, NULL);
	}
	return NULL;
}

int
main(void)
{
	pthread_t c[4];

	/*
	 * EAGAIN while every clone slot waits on the reap delay: try again
	 * (an unchecked failure left c[i] unset, and its join crashed).
	 */
	for (long i = 0; i < 4; i++)
		while (pthread_create(&c[i], NULL, creator, (void *)(1001 + i)) != 0)
			usleep(1000);
	for (int i = 0; i < 4; i++)
		pthread_join(c[i], NULL);
	printf("threads with another thread's euid: %d\n", bad);
	return 0;
}
EOF2
gcc -O1 -o "$tmp/reap" "$tmp/reap.c" -lpthread
echo "threads with another thread's euid: 0" >"$tmp/reap.want"
VROOT_TEST_REAP_DELAY=1 vr --fake-root -- "$tmp/reap" >"$tmp/reap.vroot" 2>&1 || true
is_file "--fake-root: threads made while others free their clones' slots" "$tmp/reap.want" \
	"$tmp/reap.vroot"
done_testing
