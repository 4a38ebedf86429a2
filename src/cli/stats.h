/*
 * stats.h - `vroot run --stats`.
 */
#ifndef VR_CLI_STATS_H
#define VR_CLI_STATS_H

#include <stddef.h>
#include "options.h"

/*
 * vr_cli_stats_start() - make the counters file; @opt[@cap] receives the
 * loader option that names it.  Return: 0, or -1 with the error printed.
 */
int vr_cli_stats_start(struct vr_cli *c, char *opt, size_t cap);

/*
 * vr_cli_stats_fork() - run the rest in a child: returns 0 there; this
 * process waits for it, prints the counters and exits as it did.
 * Return: -1 with the error printed when the child cannot be made.
 */
int vr_cli_stats_fork(struct vr_cli *c);

#endif
