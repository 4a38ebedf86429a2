/*
 * stats.c - `vroot run --stats`: what interception cost the program.
 *
 * The counters live in a memory file this process creates; it stays here,
 * the program runs in a child, and the loader of every image of the
 * session maps the file through /proc/PID/fd/N of this process, so a
 * program that closes every descriptor or clears its environment is still
 * counted.  When the child has exited the counters are printed on stderr
 * and this process exits as the child did.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stats.h"
#include "../loader/stats.h"

#define TOP 10

static pid_t child;

static void
forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

int
vr_cli_stats_start(struct vr_cli *c, char *opt, size_t cap)
{
	struct vrl_stats *s;
	int fd = memfd_create("vroot-stats", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, sizeof(*s)) < 0) {
		vr_cli_error(c, "--stats: cannot make the counters file: %s", strerror(errno));
		return -1;
	}
	s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (s == MAP_FAILED) {
		vr_cli_error(c, "--stats: cannot map the counters file: %s", strerror(errno));
		return -1;
	}
	s->magic = VRL_STATS_MAGIC;
	c->stats_map = s;
	snprintf(opt, cap, "--stats=/proc/%d/fd/%d", (int)getpid(), fd);
	return 0;
}

static int
by_count(const void *a, const void *b)
{
	const struct vrl_stat_site *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

/* print() - the counters, entries of one site added up, busiest first. */
static void
print(const struct vrl_stats *s)
{
	struct vrl_stat_site site[VRL_STAT_SITES];
	unsigned int n = 0, total = s->nsites < VRL_STAT_SITES ? s->nsites : VRL_STAT_SITES;

	for (unsigned int i = 0; i < total; i++) {
		unsigned int j;

		if (!s->site[i].ready)
			continue;
		for (j = 0; j < n; j++)
			if (site[j].off == s->site[i].off && !strcmp(site[j].name, s->site[i].name))
				break;
		if (j == n)
			site[n++] = s->site[i];
		else
			site[j].count += s->site[i].count;
	}
	qsort(site, n, sizeof(site[0]), by_count);
	fprintf(stderr,
	        "vroot: stats: %llu trapped calls, %llu calls through rewritten sites "
	        "(%llu sites rewritten), %llu host system calls by vroot\n",
	        (unsigned long long)s->traps, (unsigned long long)s->rw_calls,
	        (unsigned long long)s->rw_sites, (unsigned long long)s->host_calls);
	if (n)
		fprintf(stderr,
		        "vroot: stats: busiest call sites (calls, system call, file+offset):\n");
	for (unsigned int i = 0; i < n && i < TOP && site[i].count; i++)
		fprintf(stderr, "vroot: stats: %12llu  %3u  %s+0x%llx\n",
		        (unsigned long long)site[i].count, site[i].nr, site[i].name,
		        (unsigned long long)site[i].off);
	if (s->other)
		fprintf(stderr, "vroot: stats: %12llu  calls from sites past the table\n",
		        (unsigned long long)s->other);
	fprintf(stderr, "vroot: stats: paths walked: %lu (final names read by name: %lu)\n",
	        s->core.walks, s->core.attr_by_name);
	fprintf(stderr, "vroot: stats: directory cache: %lu hits, %lu misses\n", s->core.cache_hits,
	        s->core.cache_misses);
	fprintf(stderr, "vroot: stats: changes announced to other processes: %lu\n",
	        s->core.coh_bumps);
}

int
vr_cli_stats_fork(struct vr_cli *c)
{
	int status;
	pid_t r;

	child = fork();
	if (child < 0) {
		vr_cli_error(c, "--stats: cannot fork: %s", strerror(errno));
		return -1;
	}
	if (child == 0)
		return 0;
	/* Like system(): the terminal's signals are for the program. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTERM, forward);
	signal(SIGHUP, forward);
	do
		r = waitpid(child, &status, 0);
	while (r < 0 && errno == EINTR);
	print(c->stats_map);
	if (r < 0)
		exit(125);
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		raise(WTERMSIG(status));
		exit(128 + WTERMSIG(status));
	}
	exit(WEXITSTATUS(status));
}
