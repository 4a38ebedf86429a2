/*
 * foldwalk.c - walks in a namespace that folds case (VR_CASE_FOLD),
 * through the library: a big base directory looked up by case variants,
 * names created then found by variants, threads looking up at once (one
 * holds the index, the others read the directory), a fork child, the
 * directory cache on, and case-only renames.  Built plain and with
 * ASan/UBSan like every unit test.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vroot.h"
#include "tap.h"

#define NBASE 3000
#define NNEW  500

static char root[] = "/tmp/vroot-foldwalk.XXXXXX";
static struct vr_task *task;

static void
mkfile(const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	close(open(p, O_CREAT | O_WRONLY, 0644));
}

/* Looks up NBASE upper-case variants; returns how many were found. */
static void *
look_all(void *arg)
{
	long found = 0;

	(void)arg;
	for (int i = 0; i < NBASE; i++) {
		char p[64];
		struct stat st;

		snprintf(p, sizeof(p), "/BIG/NAME%04d.TXT", i);
		found += vr_fstatat(task, AT_FDCWD, p, &st, 0) == 0;
	}
	return (void *)found;
}

int
main(void)
{
	char up[PATH_MAX], work[PATH_MAX], lo[PATH_MAX], out[PATH_MAX], p[PATH_MAX];
	const char *lowers[1] = {lo};
	struct vr_ns_spec spec = {.upper = up,
	                          .work = work,
	                          .lowers = lowers,
	                          .nlowers = 1,
	                          .casefold = VR_CASE_FOLD};
	struct vr_ns *ns = NULL;
	pthread_t th[4];
	struct stat st;
	long n, found;
	int ok_new = 0, fd, status;
	pid_t pid;

	if (!mkdtemp(root))
		skip_all("mkdtemp: %s", strerror(errno));
	snprintf(up, sizeof(up), "%s/up", root);
	snprintf(work, sizeof(work), "%s/up.work", root);
	snprintf(lo, sizeof(lo), "%s/lo", root);
	mkdir(up, 0755), mkdir(work, 0755), mkdir(lo, 0755);
	snprintf(p, sizeof(p), "%s/lo/Big", root);
	mkdir(p, 0755);
	for (int i = 0; i < NBASE; i++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "lo/Big/name%04d.txt", i);
		mkfile(rel);
	}
	if (vr_ns_new(&spec, &ns) < 0 || vr_task_new(ns, &task) < 0)
		skip_all("no namespace");
	vr_ns_cache_enable(ns, 900, 1000);

	found = (long)look_all(NULL);
	is_int(found, NBASE, "%d variants of names in a big base directory", NBASE);
	n = vr_realpath(task, AT_FDCWD, "/big/NAME0042.TXT", 0, out, sizeof(out));
	is_str(n > 0 ? out : "", "/Big/name0042.txt", "realpath gives the stored case");
	is_err(vr_fstatat(task, AT_FDCWD, "/big/name0042.txt/", &st, 0), ENOTDIR,
	       "a trailing slash on a file found by a variant: ENOTDIR");

	for (int i = 0; i < NNEW; i++) {
		snprintf(p, sizeof(p), "/big/New%04d", i);
		fd = vr_openat(task, AT_FDCWD, p, O_CREAT | O_WRONLY, 0644);
		if (fd >= 0)
			close(fd);
	}
	for (int i = 0; i < NNEW; i++) {
		snprintf(p, sizeof(p), "/BIG/NEW%04d", i);
		ok_new += vr_fstatat(task, AT_FDCWD, p, &st, 0) == 0;
	}
	is_int(ok_new, NNEW, "%d names created, each found by a variant", NNEW);

	/* Threads at once: one holds the index, the others read the directory. */
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, look_all, NULL);
	found = 0;
	for (int i = 0; i < 4; i++) {
		void *r;

		pthread_join(th[i], &r);
		found += (long)r;
	}
	is_int(found, 4 * NBASE, "4 threads looking up variants at once find them all");

	pid = fork();
	if (pid == 0)
		_exit(look_all(NULL) == (void *)(long)NBASE ? 0 : 1);
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "so does a fork child");

	is_int(vr_renameat2(task, AT_FDCWD, "/big/name0001.txt", AT_FDCWD, "/big/NAME0001.TXT", 0),
	       0, "rename of a base name to its upper-case spelling");
	n = vr_realpath(task, AT_FDCWD, "/big/name0001.txt", 0, out, sizeof(out));
	is_str(n > 0 ? out : "", "/Big/NAME0001.TXT", "... is the stored case from then on");
	snprintf(p, sizeof(p), "%s/up/Big/NAME0001.TXT", root);
	ok(stat(p, &st) == 0, "... a copy in the upper layer under the new spelling");
	is_int(vr_renameat2(task, AT_FDCWD, "/BIG", AT_FDCWD, "/big", 0), 0,
	       "rename of a base directory to its lower-case spelling");
	n = vr_realpath(task, AT_FDCWD, "/BIG/NAME0002.TXT", 0, out, sizeof(out));
	is_str(n > 0 ? out : "", "/big/name0002.txt", "... its files are below the new spelling");
	is_err(vr_mkdirat(task, AT_FDCWD, "/BiG", 0755), EEXIST, "mkdir of a variant: EEXIST");
	is_int(vr_unlinkat(task, AT_FDCWD, "/BIG/new0007", 0), 0, "unlink by a variant");
	is_err(vr_fstatat(task, AT_FDCWD, "/big/New0007", &st, 0), ENOENT, "... the name is gone");

	vr_task_free(task);
	vr_ns_free(ns);
	snprintf(p, sizeof(p), "rm -rf %s", root);
	if (system(p) != 0)
		diag("could not remove %s", root);
	return done_testing();
}
