/*
 * state.h - handing the session to the loader.
 */
#ifndef VR_CLI_STATE_H
#define VR_CLI_STATE_H

#include "options.h"

/* Record types of the loader's --state argument. */
#define VR_STATE_TASK    3 /* vr_task_pack() output: namespace, cwd, identity */
#define VR_STATE_INHERIT 7 /* descriptors the namespace adopts (int each) */

/*
 * vr_cli_state() - "--state=HEX" carrying @t for the loader, and @helper
 * (the privileged helper's socket, or -1) for its namespace to adopt.
 * Return: a malloc'd string, or NULL with the error printed.
 */
char *vr_cli_state(struct vr_cli *c, struct vr_task *t, int helper);

/*
 * vr_cli_helper_start() - when vroot runs as root (or with
 * CAP_DAC_OVERRIDE) and @ns (made from @spec) has an upper layer, start
 * the privileged helper (vr_helper_serve()) as a process of its own, not
 * a child of the program, holding no descriptor of the caller's; it ends
 * when no process holds the descriptor returned here any more.
 * Return: an O_PATH descriptor of its listening socket (whose name is
 * gone), left open across execve; -1 when there is none (not privileged,
 * or the helper could not be started: then the session is as one a user
 * started, and this is no error).
 */
int vr_cli_helper_start(struct vr_cli *c, const struct vr_ns_spec *spec, struct vr_ns *ns);

/*
 * vr_cli_exec_loader() - replace this process with the loader running
 * @exe (a virtual path) with argument vector @argv; @opt: one more loader
 * option, or NULL.
 * Return: only on failure, the exit status to use (125).
 */
int vr_cli_exec_loader(struct vr_cli *c, const char *loader, const char *state, const char *opt,
                       const char *exe, char **argv);

#endif
