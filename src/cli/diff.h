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

/*
 * Lists of names, as diff.c and export.c build them: an array of strings
 * the caller frees with vr_cli_names_free().
 */

/*
 * vr_cli_names_add() - append a copy of @name to *@v (*@n names, room for
 * *@cap).  Return: 0, or -1 out of memory.
 */
int vr_cli_names_add(char ***v, size_t *n, size_t *cap, const char *name);

/* vr_cli_names_sort() - sort @v[0..@n) in byte order. */
void vr_cli_names_sort(char **v, size_t n);

/* vr_cli_names_free() - free @v[0..@n) and @v. */
void vr_cli_names_free(char **v, size_t n);

/*
 * vr_cli_dir_names() - the names in the host directory open as @fd (which
 * is consumed), "." and ".." left out, sorted, into *@out (*@n of them).
 * Return: 0, or -1 (nothing to free).
 */
int vr_cli_dir_names(int fd, char ***out, size_t *n);

/*
 * vr_cli_is_opaque() - directory @name of host directory @dirfd is opaque
 * (kernel overlayfs's format, user.overlay.opaque).
 */
int vr_cli_is_opaque(int dirfd, const char *name);

#endif
