/*
 * readdir_fuzz.c - libFuzzer target: the merged directory listing's
 * getdents64/telldir/seekdir state machine, through the public API only
 * (vr_openat, vr_getdents64, and lseek(2) on the descriptor, which is what
 * telldir, seekdir and rewinddir are).
 *
 * The directory /d is merged from a base (60 files, a directory) and the
 * prefix, with the directory cache on (which keeps what a stream's call
 * left for its next one), where the namespace itself made some names (new files, one
 * shadowing a base file) and removed others (whiteouts).  The names it
 * must list are known from how it was made.  Each input is a sequence of
 * operations on one open descriptor:
 *
 *   byte % 4 == 0  getdents64 with a buffer of 1 + next byte * 5 bytes
 *              1  rewind: lseek(fd, 0, SEEK_SET)
 *              2  seekdir to a position telldir gave: lseek(SEEK_SET) to
 *                 the d_off of listed entry (next byte % count)
 *              3  telldir: lseek(fd, 0, SEEK_CUR)
 *
 * and checks against a model of the listing (the first complete read of
 * the directory, itself checked to hold each expected name exactly once):
 * each read returns the entries that follow the position, as many as fit,
 * with their d_off; a buffer too small for the next entry is EINVAL; the
 * end is 0 only at the end; telldir gives back the position.  A
 * disagreement aborts with the operations printed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vroot.h"

#define NBASE  60
#define MAXENT 128

struct dirent64_ {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

struct entry {
	char name[64];
	int64_t off; /* d_off: the position after this entry */
	unsigned short reclen;
};

static char top[PATH_MAX];
static struct vr_task *task;
static struct entry model[MAXENT];
static int nmodel;

static void
die(const char *what, long err)
{
	fprintf(stderr, "readdir_fuzz: %s: %s\n", what, strerror((int)(err < 0 ? -err : err)));
	abort();
}

static void
cleanup(void)
{
	char cmd[PATH_MAX + 16];

	if (top[0] && !getenv("VR_FUZZ_KEEP")) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
		if (system(cmd) != 0)
			fprintf(stderr, "readdir_fuzz: could not remove %s\n", top);
	}
}

static void
host_file(const char *dir, const char *name)
{
	char p[PATH_MAX];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0)
		die(p, errno);
	close(fd);
}

/* Is @name expected in the listing of /d (see LLVMFuzzerInitialize)? */
static int
expected(const char *name)
{
	int i;

	if (!strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, "sub"))
		return 1;
	if (sscanf(name, "b%d", &i) == 1)
		return i >= 0 && i < NBASE && i % 7 != 3;
	if (sscanf(name, "n%d", &i) == 1)
		return i >= 0 && i < 12;
	return 0;
}

#define NEXPECTED (3 + NBASE - 9 + 12) /* b3, b10, ..., b59: 9 removed */

static void
read_model(void)
{
	static char buf[1 << 16];
	int fd = vr_openat(task, AT_FDCWD, "/d", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	long n;

	if (fd < 0)
		die("open /d", fd);
	while ((n = vr_getdents64(task, fd, buf, sizeof(buf))) > 0)
		for (long p = 0; p < n;) {
			struct dirent64_ *d = (struct dirent64_ *)(buf + p);

			if (nmodel == MAXENT || strlen(d->d_name) >= sizeof(model[0].name))
				die("listing too long", E2BIG);
			for (int i = 0; i < nmodel; i++)
				if (!strcmp(model[i].name, d->d_name)) {
					fprintf(stderr, "readdir_fuzz: %s listed twice\n",
					        d->d_name);
					abort();
				}
			if (!expected(d->d_name)) {
				fprintf(stderr, "readdir_fuzz: %s listed, not expected\n",
				        d->d_name);
				abort();
			}
			strcpy(model[nmodel].name, d->d_name);
			model[nmodel].off = d->d_off;
			model[nmodel].reclen = d->d_reclen;
			nmodel++;
			p += d->d_reclen;
		}
	if (n < 0)
		die("getdents64 of /d", n);
	if (nmodel != NEXPECTED) {
		fprintf(stderr, "readdir_fuzz: %d names listed, %d expected\n", nmodel, NEXPECTED);
		abort();
	}
	close(fd);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	char base[PATH_MAX], upper[PATH_MAX], work[PATH_MAX], p[PATH_MAX], name[32];
	const char *lowers[1];
	struct vr_ns_spec spec;
	struct vr_ns *ns;
	long err;
	int fd;

	(void)argc, (void)argv;
	snprintf(top, sizeof(top), "%s/vroot-readdir-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(top))
		die("mkdtemp", errno);
	atexit(cleanup);
	snprintf(base, sizeof(base), "%s/base", top);
	snprintf(upper, sizeof(upper), "%s/upper", top);
	snprintf(work, sizeof(work), "%s/work", top);
	snprintf(p, sizeof(p), "%s/d", base);
	if (mkdir(base, 0755) || mkdir(upper, 0755) || mkdir(work, 0755) || mkdir(p, 0755))
		die("mkdir", errno);
	for (int i = 0; i < NBASE; i++) {
		snprintf(name, sizeof(name), "b%d", i);
		host_file(p, name);
	}
	snprintf(p, sizeof(p), "%s/d/sub", base);
	if (mkdir(p, 0755))
		die(p, errno);
	lowers[0] = base;
	memset(&spec, 0, sizeof(spec));
	spec.upper = upper;
	spec.work = work;
	spec.lowers = lowers;
	spec.nlowers = 1;
	err = vr_ns_new(&spec, &ns);
	/* With the directory cache, as vroot runs: a stream's rest is kept there. */
	if (err == 0)
		err = vr_ns_cache_enable(ns, 900, 1000);
	if (err < 0 || (err = vr_task_new(ns, &task)) < 0)
		die("namespace", err);
	/* Changes made through the namespace: new names, a shadowed one, whiteouts. */
	for (int i = 0; i < 12; i++) {
		snprintf(p, sizeof(p), "/d/n%d", i);
		fd = vr_openat(task, AT_FDCWD, p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
		if (fd < 0)
			die(p, fd);
		close(fd);
	}
	fd = vr_openat(task, AT_FDCWD, "/d/b0", O_WRONLY | O_APPEND | O_CLOEXEC, 0);
	if (fd < 0)
		die("copy-up of /d/b0", fd);
	close(fd);
	for (int i = 3; i < NBASE; i += 7) {
		snprintf(p, sizeof(p), "/d/b%d", i);
		err = vr_unlinkat(task, AT_FDCWD, p, 0);
		if (err < 0)
			die(p, err);
	}
	read_model();
	return 0;
}

/* The model's index after position @off: the entry whose d_off it is, +1. */
static int
index_after(int64_t off)
{
	if (off == 0)
		return 0;
	for (int i = 0; i < nmodel; i++)
		if (model[i].off == off)
			return i + 1;
	return -1;
}

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		fprintf(stderr, "readdir_fuzz: op %zu: ", k);                                      \
		fprintf(stderr, __VA_ARGS__);                                                      \
		fputc('\n', stderr);                                                               \
		abort();                                                                           \
	} while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[1 + 255 * 5 + 8];
	int fd = vr_openat(task, AT_FDCWD, "/d", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	int pos = 0; /* model index of the next entry */
	int64_t off = 0;
	size_t k;

	if (fd < 0)
		die("open /d", fd);
	for (k = 0; k < size; k++) {
		unsigned int op = data[k] % 4, arg = k + 1 < size ? data[k + 1] : 0;

		if (op == 0) {
			size_t bsize = 1 + arg * 5;
			long n = vr_getdents64(task, fd, buf, bsize);
			size_t want = 0;
			int i = pos;

			k++;
			while (i < nmodel && want + model[i].reclen <= bsize)
				want += model[i++].reclen;
			if (pos < nmodel && i == pos) {
				if (n != -EINVAL)
					FAIL("getdents64(%zu) at %d: %ld, want EINVAL", bsize, pos,
					     n);
				continue;
			}
			if (n != (long)want)
				FAIL("getdents64(%zu) at %d: %ld bytes, want %zu", bsize, pos, n,
				     want);
			for (long p = 0; p < n; pos++) {
				struct dirent64_ *d = (struct dirent64_ *)(buf + p);

				if (strcmp(d->d_name, model[pos].name) ||
				    d->d_off != model[pos].off)
					FAIL("entry %d: %s at %lld, want %s at %lld", pos,
					     d->d_name, (long long)d->d_off, model[pos].name,
					     (long long)model[pos].off);
				off = d->d_off;
				p += d->d_reclen;
			}
		} else if (op == 1) {
			if (lseek(fd, 0, SEEK_SET) != 0)
				FAIL("rewind: %s", strerror(errno));
			pos = 0;
			off = 0;
		} else if (op == 2) {
			int i = (int)(arg % (unsigned int)nmodel);

			k++;
			if (lseek(fd, model[i].off, SEEK_SET) != model[i].off)
				FAIL("seekdir(%lld): %s", (long long)model[i].off, strerror(errno));
			off = model[i].off;
			pos = index_after(off);
		} else {
			off_t t = lseek(fd, 0, SEEK_CUR);

			if (t != off)
				FAIL("telldir: %lld, want %lld", (long long)t, (long long)off);
		}
	}
	close(fd);
	return 0;
}
