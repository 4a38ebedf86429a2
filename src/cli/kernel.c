/*
 * kernel.c - does this kernel have what vroot needs?
 *
 * Probed before anything is created, so a kernel that is too old (or a
 * container whose seccomp policy hides a system call) gets one line naming
 * the missing feature and the Linux version that has it, and no prefix.
 * Each probe is harmless: it changes nothing in the process or on disk.
 *
 * Needed, no way around them:
 *   seccomp filters returning SECCOMP_RET_TRAP   4.14  interception (the
 *                                                      probe, SECCOMP_GET_ACTION_AVAIL)
 *   renameat2(2)                                 3.15  copy-up, whiteouts
 *   madvise(MADV_WIPEONFORK)                     4.14  fork vs vfork child
 *   mmap(MAP_FIXED_NOREPLACE)                    4.17  the trusted page
 *   faccessat2(2)                                5.8   permission checks
 * A container's seccomp policy may hide a call on a new kernel too: the
 * line names the call and the error, so either cause can be told.
 * Used when present, with a fallback: openat2(2) (5.6, a faster walk),
 * copy_file_range(2), process_vm_readv(2); statx(2) is only ever the
 * program's own call and fails for it as it would natively.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernel.h"

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef SECCOMP_GET_ACTION_AVAIL
#define SECCOMP_GET_ACTION_AVAIL 2
#endif
#ifndef __NR_faccessat2
#define __NR_faccessat2 439
#endif
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif

/* The loader's trusted page slots (src/loader/sys.h): 4 GiB apart. */
#define TPAGE_ADDR  0x7e8000000000UL
#define TPAGE_SLOTS 4

/* Each probe returns 0 when the feature is there, else a positive errno. */
static int
probe_seccomp(void)
{
	uint32_t action = SECCOMP_RET_TRAP;

	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0)
		return errno;
	return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) < 0 ? errno : 0;
}

static int
probe_renameat2(void)
{
	/* Empty names: ENOENT after the flags are accepted, nothing renamed. */
	if (syscall(SYS_renameat2, AT_FDCWD, "", AT_FDCWD, "", RENAME_NOREPLACE) == 0)
		return 0;
	return errno == ENOENT ? 0 : errno;
}

static int
probe_wipeonfork(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int err;

	if (p == MAP_FAILED)
		return errno;
	err = madvise(p, 4096, MADV_WIPEONFORK) < 0 ? errno : 0;
	munmap(p, 4096);
	return err;
}

static int
probe_fixed_noreplace(void)
{
	void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *q;
	int err = 0;

	if (p == MAP_FAILED)
		return errno;
	q = mmap(p, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (q != MAP_FAILED) {
		/* Before 4.17 the flag is unknown and the address a mere hint. */
		munmap(q, 4096);
		err = EINVAL;
	} else if (errno != EEXIST) {
		err = errno;
	}
	munmap(p, 4096);
	return err;
}

static int
probe_faccessat2(void)
{
	return syscall(__NR_faccessat2, AT_FDCWD, "/", F_OK, AT_EACCESS) < 0 ? errno : 0;
}

static const struct feature {
	int (*probe)(void);
	const char *name, *version;
} features[] = {
        {probe_seccomp, "seccomp filters with SECCOMP_RET_TRAP",
         "4.14 or later, built with CONFIG_SECCOMP_FILTER"},
        {probe_renameat2, "renameat2(2)", "3.15 or later"},
        {probe_wipeonfork, "madvise(MADV_WIPEONFORK)", "4.14 or later"},
        {probe_fixed_noreplace, "mmap(MAP_FIXED_NOREPLACE)", "4.17 or later"},
        {probe_faccessat2, "faccessat2(2)", "5.8 or later"},
};

/*
 * free_slot() - is one of the loader's trusted page slots free in this
 * process?  A session started inside another takes the next slot up (see
 * src/loader/sys.h); all taken means sessions nested too deeply.
 */
static int
free_slot(void)
{
	for (unsigned long i = 0; i < TPAGE_SLOTS; i++)
		/* msync() answers ENOMEM for an unmapped range and reads nothing. */
		if (msync((void *)(TPAGE_ADDR + (i << 32)), 4096, MS_ASYNC) < 0 && errno == ENOMEM)
			return 1;
	return 0;
}

int
vr_cli_kernel_check(const struct vr_cli *c)
{
	if (!free_slot()) {
		vr_cli_error(c, "vroot sessions nested too deeply: at most %d, one inside another",
		             TPAGE_SLOTS);
		return -1;
	}
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		const struct feature *f = &features[i];
		int err = f->probe();

		if (!err)
			continue;
		vr_cli_error(c, "this kernel lacks %s (%s): vroot needs Linux %s", f->name,
		             strerror(err), f->version);
		return -1;
	}
	return 0;
}
