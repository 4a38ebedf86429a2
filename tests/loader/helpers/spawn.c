/*
 * spawn.c - posix_spawn (vfork-style: the child shares our memory) of
 * /bin/echo.  Built with glibc and with musl (whose child runs on a small
 * stack).  Prints what echo prints, then "spawn ok".
 */
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>

extern char **environ;

int
main(void)
{
	char *argv[] = {"echo", "spawned", NULL};
	pid_t pid;
	int st, i;

	for (i = 0; i < 3; i++) {
		if (posix_spawn(&pid, "/bin/echo", NULL, NULL, argv, environ))
			return 1;
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
			return 1;
	}
	fflush(stdout);
	if (posix_spawn(&pid, "/nonexistent", NULL, NULL, argv, environ) == 0) {
		waitpid(pid, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 127)
			return 1;
	}
	printf("spawn ok\n");
	return 0;
}
