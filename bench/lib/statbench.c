/* statbench: stat() the paths listed in LIST, round robin, COUNT times in
 * total, and print how many calls found the path and how many did not.
 * Used by workload W8 to isolate the per-call cost of path lookups. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: statbench LIST COUNT\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	size_t n = 0, cap = 1024;
	char **paths = malloc(cap * sizeof *paths);
	char *line = NULL;
	size_t len = 0;
	ssize_t got;
	while (paths && (got = getline(&line, &len, f)) > 0) {
		if (line[got - 1] == '\n')
			line[got - 1] = '\0';
		if (!line[0])
			continue;
		if (n == cap)
			paths = realloc(paths, (cap *= 2) * sizeof *paths);
		if (paths)
			paths[n++] = strdup(line);
	}
	fclose(f);
	if (!paths || n == 0) {
		fprintf(stderr, "statbench: no paths in %s\n", argv[1]);
		return 1;
	}
	long count = strtol(argv[2], NULL, 10);
	long hit = 0, miss = 0, other = 0;
	for (long i = 0; i < count; i++) {
		struct stat st;
		if (stat(paths[(size_t)i % n], &st) == 0)
			hit++;
		else if (errno == ENOENT || errno == ENOTDIR)
			miss++;
		else
			other++;
	}
	printf("stat calls=%ld hit=%ld miss=%ld error=%ld\n", count, hit, miss, other);
	return 0;
}
