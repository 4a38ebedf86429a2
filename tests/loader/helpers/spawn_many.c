/*
 * spawn_many.c - posix_spawn (a CLONE_VM child that execs) many times:
 * the memory mapped in the parent must not grow with the number of
 * children.  Prints whether the count of mappings grew between 20 and 400
 * children.
 */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>

extern char **environ;

static int
mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int n = 0;

	while (f && fgets(line, sizeof(line), f))
		n++;
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
	int before, after;

	if (spawn(20))
		return 1;
	before = mappings();
	if (spawn(400))
		return 1;
	after = mappings();
	printf("mappings grew with the children: %s\n", after > before ? "yes" : "no");
	if (after > before)
		fprintf(stderr, "%d mappings after 20 children, %d after 420\n", before, after);
	return 0;
}
