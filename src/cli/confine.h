/*
 * confine.h - `vroot run --confine`: the kernel (Landlock) enforces the
 * namespace's view of the host directories.
 */
#ifndef VR_CLI_CONFINE_H
#define VR_CLI_CONFINE_H

#include "options.h"

/*
 * vr_cli_confine() - restrict this process, and every process it becomes
 * or starts, to the namespace of @c: bases and read-only mounts readable,
 * the prefix, its work directory and read-write mounts writable, @loader
 * executable, nothing else (see confine.c for the exact rights).
 * Return: 0, or -1 with one line printed (no Landlock, an ABI too old to
 * keep the bases read-only, a path that cannot be opened).
 */
int vr_cli_confine(const struct vr_cli *c, const char *loader);

#endif
