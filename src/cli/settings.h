/*
 * settings.h - what a prefix remembers of how it was made (settings.c):
 * PREFIX.work/settings, and `vroot list`.
 */
#ifndef VR_CLI_SETTINGS_H
#define VR_CLI_SETTINGS_H

#include "options.h"

/*
 * vr_settings_load() - merge the prefix's stored settings into @c, whose
 * prefix and work path are known: an option not given takes the stored
 * value; a layout, base list or case folding given that differs from the
 * stored one is refused; mounts and identity given replace the stored
 * ones.  @reset: --reset-settings, nothing is read.
 * *save: set when the file should be (re)written after this run's checks.
 * Return: 0, or -1 with one line printed (a conflict, an unreadable file).
 */
int vr_settings_load(struct vr_cli *c, int reset, int *save);

/*
 * vr_settings_bases() - when @c has no bases, the prefix's stored ones
 * (for vroot diff).  Return: 0 (none stored: none set), or -1 with one
 * line printed (an unreadable or malformed file).
 */
int vr_settings_bases(struct vr_cli *c);

/*
 * vr_settings_save() - write @c's layout, bases, case folding, identity
 * and its first @nuser mounts (the user's, not the layout's) into the
 * prefix's work directory, atomically.
 * Return: 0, or -1 with one line printed.
 */
int vr_settings_save(const struct vr_cli *c, unsigned int nuser);

/* vr_cli_list() - `vroot list ARGS` (@argv[1] is "list").  Return: the exit status. */
int vr_cli_list(int argc, char **argv);

#endif
