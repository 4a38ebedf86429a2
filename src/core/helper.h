/*
 * helper.h - copies a session started by root makes for a user it became
 * (helper.c).
 */
#ifndef VR_HELPER_H
#define VR_HELPER_H

#include "walk.h"

/*
 * The one request a connection carries (helper.c's header comment); the
 * answer is an int: 0, 1 or -errno.  Both are sent with MSG_NOSIGNAL.
 */
#define VR_HELPER_MAGIC        0x56524831u /* "VRH1" */
#define VR_HELPER_COPY         1u
#define VR_HELPER_MSG_NOSIGNAL 0x4000

struct vr_helper_req {
	unsigned int magic, op;
	char dir[PATH_MAX]; /* relative to the upper root, "" for the root */
	char name[NAME_MAX + 1];
};

/*
 * vr_helper_copy() - ask the session's privileged helper to copy the base
 * object shown at upper directory @upfd's path + @name into @upfd, after
 * the caller's own copy failed with EACCES or EPERM.  The helper finds the
 * object itself and copies it only where that changes nothing the program
 * sees.  Return: 0 (copied), 1 (a copy was there first) or -errno:
 * -ENOSYS when there is no helper or the caller is the prefix's owner
 * (nothing to ask), the helper's refusal otherwise.  Callers keep their
 * own error on any failure.
 */
int vr_helper_copy(struct vr_ns *ns, int upfd, const char *name);

/*
 * vr_helper_adopt() - the O_PATH descriptor of the privileged helper's
 * listening socket among @fds (the first socket), duplicated into @ns.
 * Return: 0 (also when there is none) or -errno.
 */
int vr_helper_adopt(struct vr_ns *ns, const int *fds, unsigned int n);

#endif
