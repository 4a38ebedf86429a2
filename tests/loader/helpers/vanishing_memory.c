/*
 * vanishing_memory.c - trapped calls handed memory that was good for an
 * earlier call and has gone since (unmapped, protected, replaced, moved,
 * released by brk or shmdt, not inherited by a fork child): each line is
 * a case and what stat(2) or readlink(2) said, to be compared with the
 * same program run natively.  vroot reads pages it has seen good directly;
 * every one of these changes must make it check again (EFAULT, no crash).
 *
 * usage: vanishing_memory PATH   (PATH an existing file)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

static const char *path;
static long pg;

static void
say(const char *what, int r)
{
	printf("%s: %s\n", what, r == 0 ? "ok" : strerrorname_np(errno));
	fflush(stdout);
}

/* twice() - stat through @p into @st twice (the second from what was learnt). */
static void
twice(const char *what, char *p, struct stat *st)
{
	char line[128];

	snprintf(line, sizeof(line), "%s, before", what);
	say(line, stat(p, st));
	say(line, stat(p, st));
}

static char *
fresh(int prot)
{
	char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return NULL;
	strcpy(m, path);
	if (prot != (PROT_READ | PROT_WRITE))
		mprotect(m + pg, pg, prot);
	return m;
}

int
main(int argc, char **argv)
{
	struct stat st, *out;
	char *m, *n, link[64];
	int id, status;

	if (argc != 2)
		return 2;
	path = argv[1];
	pg = sysconf(_SC_PAGESIZE);

	m = fresh(PROT_READ | PROT_WRITE);
	out = (struct stat *)(m + pg);
	twice("munmap", m, out);
	munmap(m, 2 * pg);
	say("munmap: path gone", stat(m, &st));
	say("munmap: buffer gone", stat(path, out));

	m = fresh(PROT_READ | PROT_WRITE);
	out = (struct stat *)(m + pg);
	twice("mprotect", m, out);
	mprotect(m + pg, pg, PROT_READ);
	say("mprotect: buffer read-only", stat(path, out));
	mprotect(m, pg, PROT_NONE);
	say("mprotect: path PROT_NONE", stat(m, &st));
	say("mprotect: readlink into a read-only buffer",
	    (int)readlink("/proc/self/exe", (char *)out, 16) < 0 ? -1 : 0);
	munmap(m, 2 * pg);

	m = fresh(PROT_READ | PROT_WRITE);
	twice("mmap MAP_FIXED", m, &st);
	mmap(m, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	say("mmap MAP_FIXED: path replaced by PROT_NONE", stat(m, &st));
	munmap(m, 2 * pg);

	m = fresh(PROT_READ | PROT_WRITE);
	twice("mremap", m, &st);
	n = mremap(m, 2 * pg, 2 * pg, MREMAP_MAYMOVE | MREMAP_FIXED,
	           mmap(NULL, 2 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	say("mremap: moved away", stat(m, &st));
	say("mremap: at its new place", n == MAP_FAILED ? -1 : stat(n, &st));
	munmap(n, 2 * pg);

	m = fresh(PROT_READ | PROT_WRITE);
	twice("madvise guard", m, &st);
	if (madvise(m, pg, MADV_GUARD_INSTALL) == 0)
		say("madvise guard: path under a guard", stat(m, &st));
	else
		printf("madvise guard: not on this kernel\n");
	munmap(m, 2 * pg);

	m = fresh(PROT_READ | PROT_WRITE);
	twice("fork", m, &st);
	madvise(m, 2 * pg, MADV_DONTFORK);
	fflush(stdout);
	if (fork() == 0) {
		say("fork: path not inherited", stat(m, &st));
		_exit(0);
	}
	wait(&status);
	say("fork: still the parent's", stat(m, &st));
	munmap(m, 2 * pg);

	m = sbrk(0);
	if (sbrk(pg) != (void *)-1) {
		strcpy(m, path);
		twice("brk", m, &st);
		sbrk(-pg);
		say("brk: path released", stat(m, &st));
	}

	id = shmget(IPC_PRIVATE, (size_t)pg, IPC_CREAT | 0600);
	if (id >= 0) {
		m = shmat(id, NULL, 0);
		shmctl(id, IPC_RMID, NULL);
		if (m != (void *)-1) {
			strcpy(m, path);
			twice("shmdt", m, &st);
			shmdt(m);
			say("shmdt: path detached", stat(m, &st));
		}
	} else {
		printf("shm: none\n");
	}
	(void)link;
	return 0;
}
