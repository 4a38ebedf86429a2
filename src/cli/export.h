/*
 * export.h - `vroot export` (export.c).
 */
#ifndef VR_CLI_EXPORT_H
#define VR_CLI_EXPORT_H

#include "options.h"

/*
 * vr_cli_export() - `vroot export ARGS` (@argv[1] is "export").
 * Return: the exit status (0; 1: entries left out, each named on stderr;
 * 125: vroot failed).
 */
int vr_cli_export(int argc, char **argv);

#endif
