/*
 * dcache.c - the directories a namespace keeps between calls: walks through
 * them are answered from memory (counted as hits), the final name is always
 * the kernel's, another session's changes to directories are seen at the
 * next call, a base directory changed from outside within the bound, and
 * the cache's descriptors are the namespace's own.  With the embedder's
 * word saying no CLONE_VM child shares the memory, a walk makes no getpid();
 * a fork child adopts the cache all the same.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vroot.h"
#include "fixture.h"
#include "tap.h"

#define LO 800
#define HI 1000

static char *top;
static unsigned long getpids;

/* hook() - every call of the library, getpid() counted. */
static long
hook(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	long r;

	if (n == SYS_getpid)
		__atomic_add_fetch(&getpids, 1, __ATOMIC_RELAXED);
	r = syscall(n, a1, a2, a3, a4, a5, a6);
	return r < 0 ? -errno : r;
}

static const char *
at(const char *rel)
{
	static char buf[4][PATH_MAX];
	static int n;
	char *b = buf[n++ % 4];

	pathf(b, PATH_MAX, "%s/%s", top, rel);
	return b;
}

static struct vr_stats
stats(struct vr_ns *ns)
{
	struct vr_stats s;

	vr_ns_stats(ns, &s);
	return s;
}

/* own_fds() - how many descriptors in [LO, HI) the namespace says are its own. */
static int
own_fds(struct vr_ns *ns)
{
	int n = 0;

	for (int fd = LO; fd < HI; fd++)
		n += vr_ns_owns_fd(ns, fd);
	return n;
}

int
main(void)
{
	const char *lowers[1];
	char *base, *up, *work;
	struct vr_ns_spec spec = {.lowers = lowers, .nlowers = 1, .syscall = hook};
	static unsigned long sharers;
	unsigned long n0;
	pid_t pid;
	int status;
	struct vr_ns *a, *b;
	struct vr_task *ta, *tb;
	struct vr_stats s0, s1;
	struct stat st;
	int fd, moved;

	top = fx_tmpdir("vroot-dcache");
	if (!top)
		bail_out("no temporary directory");
	if (chmod(top, 0755) < 0 || fx_file(top, "base/d/a/b/f", "f\n") < 0 ||
	    fx_file(top, "base/k/a/f", "k\n") < 0 || fx_file(top, "base/shut/s/f", "s\n") < 0 ||
	    chmod(at("base/shut"), 0700) < 0 || fx_mkdirs(top, "up") < 0 ||
	    fx_mkdirs(top, "up.work") < 0)
		bail_out("cannot build the fixture");
	lowers[0] = base = strdup(at("base"));
	spec.upper = up = strdup(at("up"));
	spec.work = work = strdup(at("up.work"));
	if (vr_ns_new(&spec, &a) < 0 || vr_ns_new(&spec, &b) < 0 || vr_task_new(a, &ta) < 0 ||
	    vr_task_new(b, &tb) < 0)
		bail_out("cannot create two namespaces on one prefix");
	is_err(vr_ns_cache_enable(a, 10, 5), EINVAL, "an empty descriptor range is refused");
	is_int(vr_ns_cache_enable(a, LO, HI), 0, "session A keeps directories");
	is_int(vr_ns_cache_enable(b, LO + 100, HI), 0, "session B keeps directories");

	is_int(vr_mkdirat(tb, AT_FDCWD, "/d/a/b/up", 0755), 0,
	       "session B gives /d/a/b an upper copy");
	is_int(vr_fstatat(ta, AT_FDCWD, "/d/a/b/f", &st, 0), 0, "a first walk");
	s0 = stats(a);
	ok(own_fds(a) >= 3, "its directories are held in the namespace's range (%d)", own_fds(a));
	is_int(vr_fstatat(ta, AT_FDCWD, "/d/a/b/f", &st, 0), 0, "the same walk again");
	s1 = stats(a);
	ok(s1.cache_hits == s0.cache_hits + 1 && s1.cache_misses == s0.cache_misses,
	   "starts at /d/a/b from memory: every directory above it is searchable by all "
	   "(hits %lu, misses %lu)",
	   s1.cache_hits - s0.cache_hits, s1.cache_misses - s0.cache_misses);

	is_int(vr_mkdirat(tb, AT_FDCWD, "/d/a/b/new", 0755), 0, "session B makes a directory");
	is_int(vr_fstatat(ta, AT_FDCWD, "/d/a/b/new", &st, 0), 0, "A sees it at once");
	s0 = stats(a);
	ok(s0.cache_hits > s1.cache_hits, "and its directories stay kept");

	is_int(vr_renameat2(tb, AT_FDCWD, "/d/a", AT_FDCWD, "/d/x", 0), 0,
	       "session B renames a directory A walked through");
	is_err(vr_fstatat(ta, AT_FDCWD, "/d/a/b/f", &st, 0), ENOENT, "A finds the old path gone");
	is_int(vr_fstatat(ta, AT_FDCWD, "/d/x/b/new", &st, 0), 0, "and the new one there");

	is_int(vr_fchmodat(tb, AT_FDCWD, "/d/x", 0700, 0), 0, "B takes search from others");
	is_int(vr_fstatat(ta, AT_FDCWD, "/d/x/b/f", &st, 0), 0, "A walks below it");
	s0 = stats(a);
	is_int(vr_fstatat(ta, AT_FDCWD, "/d/x/b/f", &st, 0), 0, "and again");
	s1 = stats(a);
	ok(s1.cache_hits == s0.cache_hits + 3,
	   "/d, /d/x and /d/x/b come from memory: the kernel says the caller may search "
	   "/d/x, which not everyone may");

	is_int(vr_fstatat(ta, AT_FDCWD, "/shut/s/f", &st, 0), 0, "below a base directory of 0700");
	s0 = stats(a);
	is_int(vr_fstatat(ta, AT_FDCWD, "/shut/s/f", &st, 0), 0, "again");
	s1 = stats(a);
	ok(s1.cache_hits == s0.cache_hits + 2, "/shut and /shut/s from memory (0700, the caller's)");
	{
		/* Search taken away from outside: the kernel's answer, not the node's. */
		int native;

		if (chmod(at("base/shut"), 0) < 0)
			bail_out("cannot change the base");
		native = stat(at("base/shut/s/f"), &st) < 0 ? -errno : 0;
		is_int(vr_fstatat(ta, AT_FDCWD, "/shut/s/f", &st, 0), native,
		       "a 000 directory below: as natively (%s)", native ? "EACCES" : "root searches");
		if (chmod(at("base/shut"), 0700) < 0)
			bail_out("cannot change the base back");
	}

	is_int(vr_fstatat(ta, AT_FDCWD, "/k/a/f", &st, 0), 0, "a walk below base directories");
	if (rename(at("base/k/a"), at("base/k/moved")) < 0 || fx_mkdirs(top, "base/k/a") < 0)
		bail_out("cannot change the base");
	usleep(1100 * 1000);
	is_err(vr_fstatat(ta, AT_FDCWD, "/k/a/f", &st, 0), ENOENT,
	       "a base directory replaced from outside shows within the bound");
	is_int(vr_fstatat(ta, AT_FDCWD, "/k/moved/f", &st, 0), 0, "at its new name too");

	/*
	 * More directories than the range has descriptors for: the least
	 * recently used give theirs up, and the last ones walked stay kept.
	 */
	{
		struct vr_ns *c;
		struct vr_task *tc;
		char rel[64];

		for (int i = 0; i < 20; i++) {
			snprintf(rel, sizeof(rel), "base/m/d%02d/f", i);
			if (fx_file(top, rel, "m\n") < 0)
				bail_out("cannot build the fixture");
		}
		if (vr_ns_new(&spec, &c) < 0 || vr_task_new(c, &tc) < 0 ||
		    vr_ns_cache_enable(c, HI, HI + 8) < 0)
			bail_out("cannot make a third session");
		for (int i = 0; i < 20; i++) {
			snprintf(rel, sizeof(rel), "/m/d%02d/f", i);
			vr_fstatat(tc, AT_FDCWD, rel, &st, 0);
		}
		s0 = stats(c);
		is_int(vr_fstatat(tc, AT_FDCWD, "/m/d19/f", &st, 0), 0,
		       "a walk after the range filled");
		s1 = stats(c);
		ok(s1.cache_hits == s0.cache_hits + 1 && s1.cache_misses == s0.cache_misses,
		   "finds /m/d19 kept (hits %lu, misses %lu)",
		   (unsigned long)(s1.cache_hits - s0.cache_hits),
		   (unsigned long)(s1.cache_misses - s0.cache_misses));
		s0 = stats(c);
		is_err(vr_fstatat(tc, AT_FDCWD, "/m/none", &st, 0), ENOENT, "a name not in /m");
		s1 = stats(c);
		ok(s1.cache_hits == s0.cache_hits + 1 && s1.cache_misses == s0.cache_misses,
		   "finds /m kept (hits %lu, misses %lu)",
		   (unsigned long)(s1.cache_hits - s0.cache_hits),
		   (unsigned long)(s1.cache_misses - s0.cache_misses));
		vr_task_free(tc), vr_ns_free(c);
	}

	fd = vr_ns_next_own_fd(a, LO);
	ok(fd >= LO && fd < HI && vr_ns_owns_fd(a, fd), "vr_ns_next_own_fd() finds a kept one");
	moved = fcntl(fd, F_DUPFD_CLOEXEC, LO);
	is_int(vr_ns_replace_fd(a, fd, moved), 0, "it can be moved to another number");
	ok(!vr_ns_owns_fd(a, fd) && vr_ns_owns_fd(a, moved), "the old number is free then");
	close(fd);
	is_int(vr_fstatat(ta, AT_FDCWD, "/k/moved/f", &st, 0), 0, "and walks go on working");

	n0 = getpids;
	vr_fstatat(ta, AT_FDCWD, "/k/moved/f", &st, 0);
	ok(getpids > n0, "without the embedder's word, a walk asks getpid()");
	vr_ns_cache_sharers(a, &sharers);
	n0 = getpids;
	s0 = stats(a);
	is_int(vr_fstatat(ta, AT_FDCWD, "/k/moved/f", &st, 0), 0, "with the word at 0, a walk");
	s1 = stats(a);
	ok(getpids == n0 && s1.cache_hits > s0.cache_hits,
	   "uses the cache without a getpid() (%lu)", getpids - n0);
	__atomic_store_n(&sharers, 1, __ATOMIC_RELEASE);
	n0 = getpids;
	vr_fstatat(ta, AT_FDCWD, "/k/moved/f", &st, 0);
	ok(getpids > n0, "with the word set (a CLONE_VM child may run), it asks again");
	__atomic_store_n(&sharers, 0, __ATOMIC_RELEASE);
	pid = fork();
	if (pid == 0) {
		/* The first walk adopts the cache (one getpid()), the next one needs none. */
		unsigned long before;
		int bad = vr_fstatat(ta, AT_FDCWD, "/k/moved/f", &st, 0) != 0;

		before = getpids;
		s0 = stats(a);
		bad |= vr_fstatat(ta, AT_FDCWD, "/k/moved/f", &st, 0) != 0;
		s1 = stats(a);
		bad |= (getpids != before) << 1;
		bad |= (s1.cache_hits <= s0.cache_hits) << 2;
		_exit(bad);
	}
	waitpid(pid, &status, 0);
	is_int(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0,
	       "a fork child adopts the cache, then walks without getpid()");

	vr_task_free(ta), vr_task_free(tb), vr_ns_free(a), vr_ns_free(b);
	fx_rmrf(top);
	free(base), free(up), free(work), free(top);
	return done_testing();
}
