/*
 * state.h - handing the session to the loader.
 */
#ifndef VR_CLI_STATE_H
#define VR_CLI_STATE_H

#include "options.h"

/* Record types of the loader's --state argument. */
#define VR_STATE_TASK 3 /* vr_task_pack() output: namespace, cwd, identity */

/*
 * vr_cli_state() - "--state=HEX" carrying @t for the loader.
 * Return: a malloc'd string, or NULL with the error printed.
 */
char *vr_cli_state(struct vr_cli *c, struct vr_task *t);

/*
 * vr_cli_exec_loader() - replace this process with the loader running
 * @exe (a virtual path) with argument vector @argv; @opt: one more loader
 * option, or NULL.
 * Return: only on failure, the exit status to use (125).
 */
int vr_cli_exec_loader(struct vr_cli *c, const char *loader, const char *state, const char *opt,
                       const char *exe, char **argv);

#endif
