/*
 * diff.h - `vroot diff` and `vroot reset` (diff.c).
 */
#ifndef VR_CLI_DIFF_H
#define VR_CLI_DIFF_H

#include "options.h"

/* vr_cli_diff() - `vroot diff ARGS` (@argv[1] is "diff").  Return: the exit status. */
int vr_cli_diff(int argc, char **argv);

/* vr_cli_reset() - `vroot reset ARGS` (@argv[1] is "reset").  Return: the exit status. */
int vr_cli_reset(int argc, char **argv);

#endif
