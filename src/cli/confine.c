/*
 * confine.c - `vroot run --confine`: Landlock rules that make the kernel
 * itself hold the namespace's backing directories to what the namespace
 * allows, whatever the program does to vroot's interception (jumping to
 * the trusted syscall page, remapping it, writing the loader's code,
 * ptrace of a child).
 *
 * The domain is made in the cli just before it executes the loader, so it
 * covers the first program image and everything started from it (Landlock
 * domains are inherited across fork and execve and cannot be left).
 *
 *   bases, :ro mounts          execute, read files, list directories
 *   the prefix, its work dir,  every right this kernel's Landlock handles
 *   read-write mounts
 *   /proc, /sys (the host's)   as a base: read-only, whatever the namespace
 *                              says (writing /proc/self/mem would rewrite
 *                              the loader's code)
 *   the loader binary          execute and read (every image starts in it)
 *   everything else            nothing that Landlock handles
 *
 * Landlock ABI needed: 3 (Linux 6.2: truncate(2) is a handled right, so a
 * base file cannot be emptied; cross-directory renames, which copy-up does,
 * need the REFER right of ABI 2).  Used when present: ABI 5 (ioctl on
 * device files opened inside follows the rules), ABI 6 (abstract UNIX
 * sockets and signals scoped to the domain).  Below 3 the run is refused;
 * below 6 one line says what is not confined.
 *
 * VROOT_CONFINE_ABI=N makes vroot use at most ABI N, to try the fallbacks
 * on a newer kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "confine.h"

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule       445
#define __NR_landlock_restrict_self  446
#endif

/* The uapi, written out: the C library's header may predate ABI 6. */
#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH      1

#define LL_FS_EXECUTE     (1ULL << 0)
#define LL_FS_WRITE_FILE  (1ULL << 1)
#define LL_FS_READ_FILE   (1ULL << 2)
#define LL_FS_READ_DIR    (1ULL << 3)
#define LL_FS_REFER       (1ULL << 13)
#define LL_FS_TRUNCATE    (1ULL << 14)
#define LL_FS_IOCTL_DEV   (1ULL << 15)
#define LL_FS_ABI1        ((1ULL << 13) - 1)
#define LL_SCOPE_ABSTRACT (1ULL << 0)
#define LL_SCOPE_SIGNAL   (1ULL << 1)
#define LL_FS_FILE_RIGHTS                                                                          \
	(LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV)
#define LL_FS_READ_ONLY (LL_FS_EXECUTE | LL_FS_READ_FILE | LL_FS_READ_DIR)

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

struct ll_path_beneath {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

/* landlock_abi() - the ABI version to use (0: no Landlock). */
static int
landlock_abi(void)
{
	long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
	const char *cap = getenv("VROOT_CONFINE_ABI");

	if (abi < 0)
		return 0;
	if (cap && *cap && atol(cap) >= 0 && atol(cap) < abi)
		abi = atol(cap);
	return (int)abi;
}

/* Every filesystem right Landlock ABI @abi handles. */
static uint64_t
fs_rights(int abi)
{
	uint64_t r = LL_FS_ABI1;

	if (abi >= 2)
		r |= LL_FS_REFER;
	if (abi >= 3)
		r |= LL_FS_TRUNCATE;
	if (abi >= 5)
		r |= LL_FS_IOCTL_DEV;
	return r;
}

/* allow() - @rights beneath @path (a file gets its file rights only). */
static int
allow(const struct vr_cli *c, int ruleset, const char *path, uint64_t rights, int file)
{
	struct ll_path_beneath pb;
	int fd = open(path, O_PATH | O_CLOEXEC), err = 0;

	if (fd < 0) {
		vr_cli_error(c, "--confine: %s: %s", path, strerror(errno));
		return -1;
	}
	pb.allowed_access = file ? rights & LL_FS_FILE_RIGHTS : rights;
	pb.parent_fd = fd;
	if (syscall(__NR_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &pb, 0) < 0)
		err = errno;
	close(fd);
	if (err) {
		vr_cli_error(c, "--confine: cannot add a rule for %s: %s", path, strerror(err));
		return -1;
	}
	return 0;
}

/* Is mount @m one of the host's /proc or /sys? */
static int
host_pseudo(const struct vr_mount_spec *m)
{
	return (strcmp(m->host, "/proc") == 0 || strcmp(m->host, "/sys") == 0);
}

static int
add_rules(const struct vr_cli *c, int ruleset, uint64_t all, const char *loader)
{
	for (unsigned int i = 0; i < c->nbases; i++)
		if (allow(c, ruleset, c->bases[i], LL_FS_READ_ONLY, 0) < 0)
			return -1;
	for (unsigned int i = 0; i < c->nmounts; i++) {
		const struct vr_mount_spec *m = &c->mounts[i];
		int ro = (m->flags & VR_MOUNT_RDONLY) || host_pseudo(m);

		if (allow(c, ruleset, m->host, ro ? LL_FS_READ_ONLY : all, 0) < 0)
			return -1;
	}
	if (c->prefix &&
	    (allow(c, ruleset, c->prefix, all, 0) < 0 || allow(c, ruleset, c->work, all, 0) < 0))
		return -1;
	return allow(c, ruleset, loader, LL_FS_EXECUTE | LL_FS_READ_FILE, 1);
}

int
vr_cli_confine(const struct vr_cli *c, const char *loader)
{
	int abi = landlock_abi(), ruleset, err = 0;
	struct ll_ruleset_attr attr;
	size_t size;

	if (abi < 1) {
		vr_cli_error(c, "--confine: this kernel has no Landlock (Linux 6.2 or later, "
		                "with landlock in its lsm= list)");
		return -1;
	}
	if (abi < 3) {
		vr_cli_error(c,
		             "--confine: Landlock ABI %d cannot keep the bases read-only "
		             "against truncate (needs ABI 3, Linux 6.2)",
		             abi);
		return -1;
	}
	if (abi < 6)
		vr_cli_error(
		        c,
		        "warning: --confine: Landlock ABI %d: %sabstract UNIX sockets "
		        "and signals are not confined to the namespace (needs ABI 6, Linux 6.12)",
		        abi, abi < 5 ? "ioctls on devices, " : "");
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = fs_rights(abi);
	size = sizeof(attr.handled_access_fs) + sizeof(attr.handled_access_net);
	if (abi >= 6) {
		attr.scoped = LL_SCOPE_ABSTRACT | LL_SCOPE_SIGNAL;
		size = sizeof(attr);
	}
	ruleset = (int)syscall(__NR_landlock_create_ruleset, &attr, size, 0);
	if (ruleset < 0) {
		vr_cli_error(c, "--confine: cannot create a Landlock ruleset: %s", strerror(errno));
		return -1;
	}
	if (add_rules(c, ruleset, attr.handled_access_fs, loader) < 0) {
		close(ruleset);
		return -1;
	}
	/* Unprivileged callers need no_new_privs; the loader sets it anyway. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(__NR_landlock_restrict_self, ruleset, 0) < 0)
		err = errno;
	close(ruleset);
	if (err) {
		vr_cli_error(c, "--confine: cannot enforce the Landlock rules: %s", strerror(err));
		return -1;
	}
	return 0;
}
