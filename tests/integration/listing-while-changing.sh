#!/bin/sh
# listing-while-changing.sh - a directory stream behaves as the kernel's:
# every entry present for the whole read is returned exactly once while the
# program unlinks (rm -rf, test suites' cleanup) or creates names between
# getdents64 calls, in a base directory, in the prefix, in a directory
# merged from both (names in both layers, whiteouts) and in a --mount;
# telldir/seekdir/rewinddir give back the entries they named, and a name
# made once the end was reached is listed after rewinddir; a listing of
# /proc/self/fd while closing each descriptor read (CPython's close_fds
# fallback) closes them all; a buffer the program cannot write fails with
# EFAULT without losing the stream, and one running into an unmapped page
# gets the entries that fit; a directory descriptor passed in from outside
# the namespace lists as the host has it.  Each is compared with the same
# program run natively.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc file
plan 18

# 10,000 names where it matters most (rm -rf of a base directory); 2,000
# elsewhere: enough to lose about half of them to a stream that skips.
N=10000
few=2000
cat >"$tmp/ds.c" <<'C'
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXN 100000

struct d64 {
	unsigned long long ino;
	long long off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

static long
gd(int fd, void *buf, size_t n)
{
	return syscall(SYS_getdents64, fd, buf, n);
}

static int
is_dot(const char *s)
{
	return !strcmp(s, ".") || !strcmp(s, "..");
}

/* mk DIR N: DIR made, with files f00000... */
static int
mk(const char *dir, int n)
{
	char p[4096];

	if (mkdir(dir, 0755) && errno != EEXIST)
		return perror(dir), 1;
	for (int i = 0; i < n; i++) {
		snprintf(p, sizeof p, "%s/f%05d", dir, i);
		int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			return perror(p), 1;
		close(fd);
	}
	return 0;
}

/* prep DIR N: of f00000..f(N-1): i%3==0 unlinked, i%3==1 written to; g00000.. N/3 new. */
static int
prep(const char *dir, int n)
{
	char p[4096];

	for (int i = 0; i < n; i++) {
		snprintf(p, sizeof p, "%s/f%05d", dir, i);
		if (i % 3 == 0 && unlink(p))
			return perror(p), 1;
		if (i % 3 == 1) {
			int fd = open(p, O_WRONLY | O_APPEND);
			if (fd < 0 || write(fd, "x", 1) != 1)
				return perror(p), 1;
			close(fd);
		}
	}
	for (int i = 0; i < n / 3; i++) {
		snprintf(p, sizeof p, "%s/g%05d", dir, i);
		int fd = open(p, O_WRONLY | O_CREAT, 0644);
		if (fd < 0)
			return perror(p), 1;
		close(fd);
	}
	return 0;
}

/*
 * drain DIR BUFSZ unlink|create: read DIR with getdents64, unlinking each
 * name as it is read (create: and making a new name n... for each).
 */
static int
drain(const char *dir, size_t bufsz, int create)
{
	static unsigned char seen[3][MAXN];
	char *buf = malloc(bufsz), p[64];
	int fd = open(dir, O_RDONLY | O_DIRECTORY), made = 0, other = 0;
	long n, total = 0, dup = 0, calls = 0;

	if (fd < 0)
		return perror(dir), 1;
	while ((n = gd(fd, buf, bufsz)) > 0) {
		calls++;
		for (long off = 0; off < n;) {
			struct d64 *d = (struct d64 *)(buf + off);
			const char *q = strchr("fgn", d->name[0]);
			long i = q ? atol(d->name + 1) : -1;

			off += d->reclen;
			if (is_dot(d->name))
				continue;
			if (!q || i < 0 || i >= MAXN) {
				other++;
			} else {
				if (seen[q - "fgn"][i]++)
					dup++;
				if (*q != 'n')
					total++;
			}
			if (unlinkat(fd, d->name, 0))
				return perror(d->name), 1;
			if (create && made < MAXN) {
				snprintf(p, sizeof p, "n%05d", made++);
				int c = openat(fd, p, O_WRONLY | O_CREAT, 0644);
				if (c < 0)
					return perror(p), 1;
				close(c);
			}
		}
	}
	if (n < 0)
		return perror("getdents64"), 1;
	printf("seen %ld, seen twice %ld, other %d", total, dup, other);
	if (!create)
		printf(", rmdir %s", rmdir(dir) ? strerrorname_np(errno) : "ok");
	printf("\n");
	fprintf(stderr, "%ld getdents64 calls\n", calls);
	return 0;
}

/* seek DIR: telldir/seekdir/rewinddir give back the entries they named. */
static int
seek(const char *dir)
{
	static char names[MAXN][64];
	static long pos[MAXN];
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0, bad = 0, checked = 0;

	if (!d)
		return perror(dir), 1;
	for (;;) {
		long at = telldir(d);
		if (!(e = readdir(d)) || n >= MAXN)
			break;
		pos[n] = at;
		snprintf(names[n++], 64, "%.60s", e->d_name);
	}
	for (int i = n - 1; i >= 0; i -= 7) {
		seekdir(d, pos[i]);
		e = readdir(d);
		checked++;
		if (!e || strcmp(e->d_name, names[i])) {
			if (bad++ < 5)
				printf("seekdir to entry %d gives %s, not %s\n", i, e ? e->d_name : "(end)",
				       names[i]);
		}
	}
	rewinddir(d);
	e = readdir(d);
	if (!e || strcmp(e->d_name, names[0]))
		printf("rewinddir gives %s, not %s\n", e ? e->d_name : "(end)", names[0]);
	printf("%d entries, %d positions checked, %d wrong\n", n, checked, bad);
	/* Read to the end, then a name made: listed once the stream is rewound. */
	while (readdir(d))
		;
	char made[4096];
	int fd, m = 0, found = 0;
	snprintf(made, sizeof made, "%s/zz-made-at-end", dir);
	if ((fd = open(made, O_CREAT | O_WRONLY, 0644)) >= 0)
		close(fd);
	rewinddir(d);
	while ((e = readdir(d))) {
		m++;
		found |= !strcmp(e->d_name, "zz-made-at-end");
	}
	printf("made at the end, after rewinddir: %d entries, the new name %s\n", m,
	       found ? "listed" : "missing");
	unlink(made);
	return 0;
}

/* count FD: the names of directory FD (passed in), one per line. */
static int
count(int fd)
{
	char buf[4096];
	long n, k = 0;

	while ((n = gd(fd, buf, sizeof buf)) > 0)
		for (long off = 0; off < n; k++)
			off += ((struct d64 *)(buf + off))->reclen;
	if (n < 0)
		return printf("getdents64: %s\n", strerrorname_np(errno)), 0;
	printf("%ld entries\n", k);
	return 0;
}

/* rest FD BUFSZ: entries read from here to the end. */
static long
rest(int fd)
{
	char buf[4096];
	long n, k = 0;

	while ((n = gd(fd, buf, sizeof buf)) > 0)
		for (long off = 0; off < n; k++)
			off += ((struct d64 *)(buf + off))->reclen;
	return n < 0 ? -1 : k;
}

/* efault DIR: a bad buffer, then the stream goes on where it was. */
static int
efault(const char *dir)
{
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	long r, k = 0;

	munmap(p + 4096, 4096);
	r = gd(fd, p + 4096, 4096);
	printf("unmapped buffer: %ld %s, then %ld entries\n", r, r < 0 ? strerrorname_np(errno) : "",
	       rest(fd));
	lseek(fd, 0, SEEK_SET);
	r = gd(fd, p + 4096 - 8, 4096);
	printf("8 bytes mapped: %ld %s, then %ld entries\n", r, r < 0 ? strerrorname_np(errno) : "",
	       rest(fd));
	lseek(fd, 0, SEEK_SET);
	r = gd(fd, p + 4096 - 200, 4096);
	for (long off = 0; off < r; k++)
		off += ((struct d64 *)(p + 4096 - 200 + off))->reclen;
	{
		long more = rest(fd), all;

		lseek(fd, 0, SEEK_SET);
		all = rest(fd);
		printf("200 bytes mapped: %s, then the rest: %s\n",
		       r > 0 ? "entries" : strerrorname_np(errno), k + more == all ? "all" : "not all");
	}
	r = gd(fd, NULL, 4096);
	printf("NULL buffer at the end: %ld\n", r);
	lseek(fd, 0, SEEK_SET);
	r = gd(fd, NULL, 4096);
	printf("NULL buffer: %ld %s\n", r, r < 0 ? strerrorname_np(errno) : "");
	return 0;
}

/* fdclose: CPython's close_fds fallback: list /proc/self/fd, closing as it goes. */
static int
fdclose(void)
{
	char buf[280];
	int dfd, left = 0, fds[60];
	long n;

	for (int i = 0; i < 60; i++)
		if ((fds[i] = open("/dev/null", O_RDONLY)) < 0)
			return perror("/dev/null"), 1;
	dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		return perror("/proc/self/fd"), 1;
	while ((n = gd(dfd, buf, sizeof buf)) > 0)
		for (long off = 0; off < n;) {
			struct d64 *d = (struct d64 *)(buf + off);
			int fd = atoi(d->name);

			off += d->reclen;
			if (!is_dot(d->name) && fd > 2 && fd != dfd)
				close(fd);
		}
	for (int i = 0; i < 60; i++)
		if (fcntl(fds[i], F_GETFD) >= 0)
			left++;
	printf("of 60 descriptors, left open: %d\n", left);
	return 0;
}

/* procfd: readlink /proc/self/fd/N of a procfs directory, the pid as PID. */
static int
procfd(void)
{
	char link[64], buf[256], pid[32];
	int fd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY);
	long n;

	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, buf, sizeof buf - 1);
	if (n < 0)
		return printf("readlink: %s\n", strerrorname_np(errno)), 0;
	buf[n] = 0;
	snprintf(pid, sizeof pid, "/%d/", getpid());
	char *at = strstr(buf, pid);
	if (at)
		printf("%.*s/PID/%s\n", (int)(at - buf), buf, at + strlen(pid));
	else
		printf("%s\n", buf);
	return 0;
}

/*
 * share DIR: one stream read by turns through two descriptors and two
 * processes (a dup, a fork child; the file position is theirs in common):
 * each name once, whoever reads it.
 */
static int
share(const char *dir)
{
	static unsigned char seen[3][MAXN];
	int fd = open(dir, O_RDONLY | O_DIRECTORY), fd2, status, turn = 0;
	long n, total = 0, twice = 0;
	char buf[4096];

	if (fd < 0 || (fd2 = dup(fd)) < 0)
		return perror(dir), 1;
	for (;; turn++) {
		pid_t pid = turn % 3 == 2 ? fork() : -1;
		int r = turn % 3 == 1 ? fd2 : fd;

		if (pid > 0) {
			/* The child reads a turn and exits: the parent reads on after it. */
			waitpid(pid, &status, 0);
			continue;
		}
		n = gd(r, buf, sizeof buf);
		if (pid == 0)
			_exit(n < 0);
		if (n <= 0)
			break;
		for (long off = 0; off < n;) {
			struct d64 *d = (struct d64 *)(buf + off);
			const char *q = strchr("fgn", d->name[0]);
			long i = q ? atol(d->name + 1) : -1;

			off += d->reclen;
			if (q && i >= 0 && i < MAXN) {
				total++;
				twice += seen[q - "fgn"][i]++ > 0;
			}
		}
	}
	if (n < 0)
		return perror("getdents64"), 1;
	/* What the children read is not counted: the parent must not see it again. */
	printf("%s\n", twice ? "some seen twice" : "none seen twice");
	return total == 0;
}

/* list DIR: every entry, read 4 KiB at a time. */
static int
list(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	if (fd < 0)
		return perror(dir), 1;
	return count(fd);
}

int
main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "share"))
		return share(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "list"))
		return list(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "mk"))
		return mk(argv[2], atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "prep"))
		return prep(argv[2], atoi(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "drain"))
		return drain(argv[2], (size_t)atol(argv[3]), !strcmp(argv[4], "create"));
	if (argc == 3 && !strcmp(argv[1], "seek"))
		return seek(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "count"))
		return count(atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "efault"))
		return efault(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "fdclose"))
		return fdclose();
	if (argc == 2 && !strcmp(argv[1], "procfd"))
		return procfd();
	fprintf(stderr, "usage: ds mk|prep|drain|seek|count|efault|fdclose|procfd ...\n");
	return 2;
}
C
gcc -O2 -Wall -o "$tmp/ds" "$tmp/ds.c"
ds=$tmp/ds
B=$tmp/base
M=$tmp/mnt
mkdir -p "$B" "$M" "$tmp/native"
# vb ARGS...: vroot with $B as the topmost base (over the host's /).
vb() { vr --base "$B" --base / "$@"; }

# --- unlinking each entry as it is read ---------------------------------------
"$ds" mk "$tmp/native/d" $N
"$ds" mk "$B/d" $N
is "base directory: each of $N files seen once, rmdir succeeds" \
	"$("$ds" drain "$tmp/native/d" 4096 unlink 2>/dev/null)" \
	"$(vb -- "$ds" drain /d 4096 unlink 2>&1 | grep -v calls)"
is "... the base is untouched" "$N" "$(ls "$B/d" | wc -l | tr -d ' ')"

"$ds" mk "$tmp/native/p" $few
vr -- "$ds" mk /in-prefix $few
is "prefix directory: each of $few files seen once, rmdir succeeds" \
	"$("$ds" drain "$tmp/native/p" 4096 unlink 2>/dev/null)" \
	"$(vr -- "$ds" drain /in-prefix 4096 unlink 2>&1 | grep -v calls)"

# A third of the base's names unlinked (whiteouts), a third rewritten (in
# both layers), a third left, and new names only in the prefix.
"$ds" mk "$tmp/native/m" $few
"$ds" prep "$tmp/native/m" $few
"$ds" mk "$B/m" $few
vb -- "$ds" prep /m $few
is "merged directory with whiteouts: each name seen once, rmdir succeeds" \
	"$("$ds" drain "$tmp/native/m" 4096 unlink 2>/dev/null)" \
	"$(vb -- "$ds" drain /m 4096 unlink 2>&1 | grep -v calls)"

"$ds" mk "$tmp/native/s" 2000
"$ds" mk "$M/d" 2000
is "--mount directory, 280-byte buffer: each file seen once, rmdir succeeds" \
	"$("$ds" drain "$tmp/native/s" 280 unlink 2>/dev/null)" \
	"$(vr --mount "$M:/m" -- "$ds" drain /m/d 280 unlink 2>&1 | grep -v calls)"

# --- creating a name for each one read ----------------------------------------
"$ds" mk "$tmp/native/c" $few
"$ds" mk "$B/c" $few
is "base directory, creating while reading: each first name seen once" \
	"$("$ds" drain "$tmp/native/c" 4096 create 2>/dev/null)" \
	"$(vb -- "$ds" drain /c 4096 create 2>&1 | grep -v calls)"
"$ds" mk "$tmp/native/c2" 2000
"$ds" mk "$M/d" 2000
is "--mount directory, creating while reading: each first name seen once" \
	"$("$ds" drain "$tmp/native/c2" 4096 create 2>/dev/null)" \
	"$(vr --mount "$M:/m" -- "$ds" drain /m/d 4096 create 2>&1 | grep -v calls)"

# --- one stream, several readers ----------------------------------------------
"$ds" mk "$tmp/native/sh" $few
"$ds" mk "$B/sh" $few
vb -- "$ds" prep /sh $few
"$ds" prep "$tmp/native/sh" $few
is "one stream read by turns through a dup and by fork children: each name once" \
	"$("$ds" share "$tmp/native/sh")" "$(vb -- "$ds" share /sh 2>&1)"

# --- what a listing costs -----------------------------------------------------
# A stream merges its layers once, not at each call: listing a directory
# ten times as large (base names, 4 KiB at a time) costs about ten times
# the host system calls vroot makes; merging at every call, which reads
# the whole directory again each time, makes it about forty.
for k in 0 2000 20000; do
	"$ds" mk "$B/cost$k" $k
done
calls() {
	vb --stats -- "$ds" list "$1" 2>&1 | sed -n 's/.* \([0-9][0-9]*\) host system calls.*/\1/p'
}
c0=$(calls /cost0)
c1=$(calls /cost2000)
c2=$(calls /cost20000)
diag "host system calls listing a base directory: $c0 empty, $c1 for 2,000 names, $c2 for 20,000"
check "listing 10 times the names costs at most 15 times the calls" \
	test $((c2 - c0)) -le $((15 * (c1 - c0)))

# --- telldir, seekdir, rewinddir -----------------------------------------------
rm -rf "$tmp/native/m"
"$ds" mk "$tmp/native/m" 3000
"$ds" prep "$tmp/native/m" 3000
"$ds" mk "$B/t" 3000
vb -- "$ds" prep /t 3000
is "seekdir to every telldir position: merged directory" "$("$ds" seek "$tmp/native/m")" \
	"$(vb -- "$ds" seek /t 2>&1)"
rm -rf "$M/d" "$tmp/native/s"
"$ds" mk "$M/d" 3000
"$ds" mk "$tmp/native/s" 3000
is "seekdir to every telldir position: --mount directory" "$("$ds" seek "$tmp/native/s")" \
	"$(vr --mount "$M:/m" -- "$ds" seek /m/d 2>&1)"

# --- /proc/self/fd ------------------------------------------------------------
is "closing each descriptor listed in /proc/self/fd (280-byte buffer)" "$("$ds" fdclose)" \
	"$(vr -- "$ds" fdclose 2>&1)"
is "readlink /proc/self/fd/N of a procfs directory" "$("$ds" procfd)" \
	"$(vr -- "$ds" procfd 2>&1)"

# --- bad buffers --------------------------------------------------------------
"$ds" efault "$tmp/native/m" >"$tmp/efault.native"
vb -- "$ds" efault /t >"$tmp/efault.base" 2>&1
sed -n 1,2p "$tmp/efault.native" >"$tmp/want"
sed -n 1,2p "$tmp/efault.base" >"$tmp/got"
is_file "unmapped buffer: EFAULT, then the stream goes on (merged directory)" "$tmp/want" "$tmp/got"
sed -n '3,$p' "$tmp/efault.native" >"$tmp/want"
sed -n '3,$p' "$tmp/efault.base" >"$tmp/got"
is_file "buffer running into an unmapped page: the entries that fit (merged directory)" \
	"$tmp/want" "$tmp/got"
"$ds" efault "$tmp/native/s" >"$tmp/want"
vr --mount "$M:/m" -- "$ds" efault /m/d >"$tmp/got" 2>&1
is_file "bad buffers in a --mount directory" "$tmp/want" "$tmp/got"

# --- a descriptor from outside the namespace ----------------------------------
mkdir -p "$tmp/outside" "$tmp/only/tmp"
touch "$tmp/outside/a" "$tmp/outside/b"
gcc -O2 -static -o "$tmp/only/ds" "$tmp/ds.c" 2>/dev/null || cp "$ds" "$tmp/only/ds"
if file -L "$tmp/only/ds" | grep -q 'statically linked'; then
	is "getdents64 on a directory descriptor passed in from outside" \
		"$("$ds" count 3 3<"$tmp/outside")" \
		"$(vr --base "$tmp/only" -- /ds count 3 3<"$tmp/outside" 2>&1)"
else
	skip "directory descriptor from outside" "no static C library to build a program for a bare base"
fi
is "... the same descriptor inside a namespace over /" "$("$ds" count 3 3<"$tmp/outside")" \
	"$(vr -- "$ds" count 3 3<"$tmp/outside" 2>&1)"

done_testing
