/*
 * vrls - list and stat directories of a virtual root tree from a program
 * that links libvroot itself, as an emulator's system-call layer would.
 *
 *   vrls [--base DIR]... [--prefix DIR] [--mount HOST:VIRT]... VDIR...
 *
 * Each VDIR is listed by its own thread, whose libvroot task has its own
 * working directory (vr_chdir): the entries are read with vr_getdents64()
 * and stat-ed by their relative names with vr_fstatat(), so each thread's
 * names resolve against its own cwd.  Printed per VDIR, in the order
 * given: "cwd PATH" (vr_getcwd), then one line per entry, sorted:
 * "NAME TYPE MODE SIZE" (TYPE as find's %y, MODE in octal, SIZE 0 for a
 * directory).  Every system call the library makes goes through the
 * counting hook below (struct vr_ns_spec's syscall); their count goes to
 * standard error.
 *
 * Build: cc -o vrls vrls.c -I/usr/local/include /usr/local/lib/libvroot.a -lpthread
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vroot.h"

#define MAX_DIRS 16

/* Calls the library made: the hook may run in several threads at once. */
static unsigned long calls;

/*
 * count() - the system-call hook: counts, then makes the call with the
 * `syscall` instruction, returning the kernel's raw result (-errno).  It
 * touches nothing but an atomic counter, so it is async-signal-safe.
 */
static long
count(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	__atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
	                 : "rcx", "r11", "memory");
	return ret;
}

struct job {
	struct vr_task *t; /* this thread's own task: its own cwd */
	const char *dir;
	char *out; /* what it prints, printed by main in order */
	size_t len;
	int err;
	int started;
	pthread_barrier_t *all_in; /* every thread has made its chdir */
};

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char
type_of(mode_t m)
{
	return S_ISDIR(m)    ? 'd'
	       : S_ISLNK(m)  ? 'l'
	       : S_ISCHR(m)  ? 'c'
	       : S_ISBLK(m)  ? 'b'
	       : S_ISFIFO(m) ? 'p'
	       : S_ISSOCK(m) ? 's'
	                     : 'f';
}

/* list() - a thread: cd into job->dir in its task, list and stat it there. */
static void *
list(void *arg)
{
	struct job *j = arg;
	FILE *f = open_memstream(&j->out, &j->len);
	char buf[8192], cwd[4096], **names = NULL;
	size_t n = 0;
	long got;
	int fd;

	if (!f) {
		j->err = 12;
		pthread_barrier_wait(j->all_in);
		return NULL;
	}
	j->err = -vr_chdir(j->t, j->dir);
	/* Every thread is in its directory before any lists: each has its own. */
	pthread_barrier_wait(j->all_in);
	if (j->err || vr_getcwd(j->t, cwd, sizeof(cwd)) < 0)
		goto out;
	fprintf(f, "cwd %s\n", cwd);
	fd = vr_openat(j->t, AT_FDCWD, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0) {
		j->err = -fd;
		goto out;
	}
	while ((got = vr_getdents64(j->t, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < got;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			char **w;

			off += d->d_reclen;
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				continue;
			w = realloc(names, (n + 1) * sizeof(*names));
			if (!w)
				break;
			names = w;
			names[n++] = strdup(d->d_name);
		}
	}
	close(fd);
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		/* Relative: resolved against this thread's working directory. */
		int err = vr_fstatat(j->t, AT_FDCWD, names[i], &st, AT_SYMLINK_NOFOLLOW);

		if (err < 0)
			fprintf(f, "%s ? %s\n", names[i], strerror(-err));
		else
			fprintf(f, "%s %c %o %lld\n", names[i], type_of(st.st_mode),
			        (unsigned int)(st.st_mode & 07777),
			        S_ISDIR(st.st_mode) ? 0LL : (long long)st.st_size);
		free(names[i]);
	}
	free(names);
out:
	fclose(f);
	return NULL;
}

int
main(int argc, char **argv)
{
	const char *bases[VR_MAX_LAYERS];
	struct vr_mount_spec mounts[VR_MAX_MOUNTS];
	struct vr_ns_spec spec = {.syscall = count};
	struct job jobs[MAX_DIRS];
	pthread_t th[MAX_DIRS];
	pthread_barrier_t all_in;
	struct vr_ns *ns;
	struct vr_task *t;
	char work[4096];
	int i, ndirs = 0, err, status = 0;

	memset(mounts, 0, sizeof(mounts));
	memset(jobs, 0, sizeof(jobs));
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--base") && i + 1 < argc &&
		    spec.nlowers < VR_MAX_LAYERS - 1) {
			bases[spec.nlowers++] = argv[++i];
		} else if (!strcmp(argv[i], "--prefix") && i + 1 < argc) {
			spec.upper = argv[++i];
			snprintf(work, sizeof(work), "%s.work", spec.upper);
			spec.work = work;
		} else if (!strcmp(argv[i], "--mount") && i + 1 < argc &&
		           spec.nmounts < VR_MAX_MOUNTS && strchr(argv[i + 1], ':')) {
			char *host = argv[++i], *virt = strchr(host, ':');

			*virt++ = '\0';
			mounts[spec.nmounts].host = host;
			mounts[spec.nmounts++].path = virt;
		} else if (argv[i][0] != '-' && ndirs < MAX_DIRS) {
			jobs[ndirs++].dir = argv[i];
		} else {
			fprintf(stderr, "usage: vrls [--base DIR]... [--prefix DIR] "
			                "[--mount HOST:VIRT]... VDIR...\n");
			return 2;
		}
	}
	if (!spec.nlowers)
		bases[spec.nlowers++] = "/";
	spec.lowers = bases;
	spec.mounts = mounts;
	err = vr_ns_new(&spec, &ns);
	if (err == 0)
		err = vr_task_new(ns, &t);
	if (err < 0) {
		fprintf(stderr, "vrls: cannot make the namespace: %s\n", strerror(-err));
		return 1;
	}
	if (!ndirs)
		return 0;
	pthread_barrier_init(&all_in, NULL, (unsigned int)ndirs);
	for (i = 0; i < ndirs; i++) {
		jobs[i].all_in = &all_in;
		jobs[i].err = -vr_task_dup(t, &jobs[i].t);
		if (jobs[i].err == 0)
			jobs[i].err = pthread_create(&th[i], NULL, list, &jobs[i]);
		jobs[i].started = jobs[i].err == 0;
	}
	for (i = 0; i < ndirs; i++) {
		if (jobs[i].started)
			pthread_join(th[i], NULL);
		if (jobs[i].out)
			fwrite(jobs[i].out, 1, jobs[i].len, stdout);
		if (jobs[i].err) {
			fprintf(stderr, "vrls: %s: %s\n", jobs[i].dir, strerror(jobs[i].err));
			status = 1;
		}
		free(jobs[i].out);
		if (jobs[i].t)
			vr_task_free(jobs[i].t);
	}
	vr_task_free(t);
	vr_ns_free(ns);
	fprintf(stderr, "vrls: %lu system calls through the hook\n",
	        __atomic_load_n(&calls, __ATOMIC_RELAXED));
	return status;
}
