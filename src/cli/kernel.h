/*
 * kernel.h - the kernel features vroot needs, probed before anything is
 * created; and how deeply sessions nest.
 */
#ifndef VR_CLI_KERNEL_H
#define VR_CLI_KERNEL_H

#include "options.h"

/*
 * vr_cli_kernel_check() - the kernel has every feature the loader and the
 * core need, and this process is not inside as many nested vroot sessions
 * as the loader allows.  Return: 0, or -1 with one line printed naming
 * what is missing and the Linux version that has it.
 */
int vr_cli_kernel_check(const struct vr_cli *c);

#endif
