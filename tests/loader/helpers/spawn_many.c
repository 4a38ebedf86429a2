/*
 * spawn_many.c - posix_spawn (a CLONE_VM child that execs) many times:
 * the memory mapped in the parent must not grow with the number of
 * children.  Prints whether the bytes mapped grew between 20 and 420
 * children (counting mappings is not enough: anonymous mappings left
 * side by side merge into one).
 */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>

extern char **environ;

static unsigned long
mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long lo, hi, n = 0;
	char line[512];

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2)
			n += (hi - lo) / 1024;
	if (f)
		fclose(f);
	return n;
}

static int
spawn(int count)
{
	char *argv[] = {"true", NULL};
	int i, st;
	pid_t p;

	for (i = 0; i < count; i++) {
		if (posix_spawn(&p, "/bin/true", NULL, NULL, argv, environ))
			return -1;
		waitpid(p, &st, 0);
	}
	return 0;
}

int
main(void)
{
	unsigned long before, after;

	if (spawn(20))
		return 1;
	before = mappings();
	if (spawn(400))
		return 1;
	after = mappings();
	printf("mappings grew with the children: %s\n", after > before ? "yes" : "no");
	if (after > before)
		fprintf(stderr, "%lu KiB mapped after 20 children, %lu KiB after 420\n", before,
		        after);
	return 0;
}
