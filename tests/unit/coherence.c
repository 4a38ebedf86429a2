/*
 * coherence.c - the generation counter every process on one prefix shares:
 * a change made through one namespace (another session on the prefix, or a
 * forked child) moves it for all the others; reads never move it; a
 * namespace without an upper layer has none.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vroot.h"
#include "fixture.h"
#include "tap.h"

static char *top;

static const char *
at(const char *rel)
{
	static char buf[4][PATH_MAX];
	static int n;
	char *b = buf[n++ % 4];

	pathf(b, PATH_MAX, "%s/%s", top, rel);
	return b;
}

static unsigned long
gen(struct vr_ns *ns)
{
	unsigned long g = 0;

	if (vr_ns_generation(ns, &g) < 0)
		bail_out("no generation counter on a prefix");
	return g;
}

int
main(void)
{
	const char *lowers[1];
	char *base, *up, *work;
	struct vr_ns_spec spec = {.lowers = lowers, .nlowers = 1};
	struct vr_ns *a, *b, *ro;
	struct vr_task *ta, *tb, *tro;
	struct vr_stats sa;
	unsigned long g0, g1, g;
	struct stat st;
	int status, fd;
	pid_t pid;

	top = fx_tmpdir("vroot-coherence");
	if (!top)
		bail_out("no temporary directory");
	if (fx_file(top, "base/etc/conf", "base\n") < 0 || fx_mkdirs(top, "up") < 0 ||
	    fx_mkdirs(top, "up.work") < 0)
		bail_out("cannot build the fixture");
	lowers[0] = base = strdup(at("base"));
	spec.upper = up = strdup(at("up"));
	spec.work = work = strdup(at("up.work"));
	if (vr_ns_new(&spec, &a) < 0 || vr_ns_new(&spec, &b) < 0 || vr_task_new(a, &ta) < 0 ||
	    vr_task_new(b, &tb) < 0)
		bail_out("cannot create two namespaces on one prefix");

	g0 = gen(a);
	ok(gen(b) == g0, "two sessions on one prefix read one counter");
	ok(stat(at("up.work/vroot-coherence"), &st) == 0 && (st.st_mode & 0777) == 0666,
	   "the counter is a file every user of the prefix can write");

	is_int(vr_fstatat(ta, AT_FDCWD, "/etc/conf", &st, 0), 0, "a read");
	is_int(vr_fstatat(tb, AT_FDCWD, "/etc", &st, 0), 0, "another read");
	ok(gen(a) == g0 && gen(b) == g0, "reads do not move the counter");

	is_int(vr_mkdirat(tb, AT_FDCWD, "/etc/new", 0755), 0, "session B makes a directory");
	g1 = gen(a);
	ok(g1 != g0, "session A sees the counter moved");
	is_int(vr_fstatat(ta, AT_FDCWD, "/etc/new", &st, 0), 0, "and finds the directory");

	fd = vr_openat(ta, AT_FDCWD, "/etc/conf", O_WRONLY | O_APPEND, 0);
	ok(fd >= 0, "session A opens a base file for writing");
	if (fd >= 0)
		close(fd);
	g = gen(b);
	ok(g != g1, "its copy-up moves the counter for session B");
	g1 = g;

	pid = fork();
	if (pid == 0)
		_exit(vr_unlinkat(ta, AT_FDCWD, "/etc/conf", 0) == 0 ? 0 : 1);
	ok(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	           WEXITSTATUS(status) == 0,
	   "a forked child removes a file");
	ok(gen(a) != g1, "the parent sees the counter moved");
	ok(gen(b) == gen(a), "and so does the other session");
	is_err(vr_fstatat(tb, AT_FDCWD, "/etc/conf", &st, 0), ENOENT, "which finds it gone");

	vr_ns_stats(a, &sa);
	ok(sa.walks > 0 && sa.coh_bumps > 0, "the counters count walks (%lu) and changes (%lu)",
	   sa.walks, sa.coh_bumps);
	is_int(vr_fstatat(ta, AT_FDCWD, "/etc/new/../new/../../etc", &st, 0), 0, "a walk");
	vr_ns_stats(a, &sa);
	g = sa.attr_by_name;
	if (fx_file(top, "base/etc/plain", "x") < 0)
		bail_out("cannot add a base file");
	is_int(vr_fstatat(ta, AT_FDCWD, "/etc/plain", &st, 0), 0, "a stat of a base file");
	vr_ns_stats(a, &sa);
	ok(sa.attr_by_name == g + 1, "is read by name on its parent");

	spec.upper = spec.work = NULL;
	if (vr_ns_new(&spec, &ro) < 0 || vr_task_new(ro, &tro) < 0)
		bail_out("cannot create a namespace without upper layer");
	is_err(vr_ns_generation(ro, &g), ENOENT, "without an upper layer there is no counter");
	vr_task_free(tro), vr_ns_free(ro);

	vr_task_free(ta), vr_task_free(tb), vr_ns_free(a), vr_ns_free(b);
	fx_rmrf(top);
	free(base), free(up), free(work), free(top);
	return done_testing();
}
