/*
 * nofeature.c - run a command as if the kernel lacked some features.
 *
 *   nofeature FEATURE... -- COMMAND [ARG...]
 *
 * Installs a seccomp filter (SECCOMP_RET_ERRNO) that makes the system
 * calls behind each FEATURE fail the way an older kernel, or one built
 * without the feature, answers them, then executes COMMAND.  The filter is
 * inherited by everything COMMAND starts, and vroot's own filter stacks on
 * top of it: a call vroot lets through from its trusted page still meets
 * this one.
 *
 * FEATUREs:
 *   openat2 faccessat2 renameat2 statx copy_file_range process_vm
 *                   the system call(s) answer ENOSYS
 *   seccomp         seccomp(2) answers ENOSYS, prctl(PR_{GET,SET}_SECCOMP)
 *                   EINVAL (a kernel without CONFIG_SECCOMP)
 *   wipeonfork      madvise(MADV_WIPEONFORK) answers EINVAL (before 4.14)
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#ifndef __NR_openat2
#define __NR_openat2 437
#endif
#ifndef __NR_faccessat2
#define __NR_faccessat2 439
#endif
#define MADV_WIPEONFORK_ 18

/* One rule: system call @nr (and, if @arg >= 0, argument @arg == @val) fails with @err. */
struct rule {
	const char *feature;
	int nr;
	int arg;
	unsigned int val;
	int err;
};

static const struct rule rules[] = {
        {"openat2", __NR_openat2, -1, 0, ENOSYS},
        {"faccessat2", __NR_faccessat2, -1, 0, ENOSYS},
        {"renameat2", __NR_renameat2, -1, 0, ENOSYS},
        {"statx", __NR_statx, -1, 0, ENOSYS},
        {"copy_file_range", __NR_copy_file_range, -1, 0, ENOSYS},
        {"process_vm", __NR_process_vm_readv, -1, 0, ENOSYS},
        {"process_vm", __NR_process_vm_writev, -1, 0, ENOSYS},
        {"seccomp", __NR_seccomp, -1, 0, ENOSYS},
        {"seccomp", __NR_prctl, 0, PR_SET_SECCOMP, EINVAL},
        {"seccomp", __NR_prctl, 0, PR_GET_SECCOMP, EINVAL},
        {"wipeonfork", __NR_madvise, 2, MADV_WIPEONFORK_, EINVAL},
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))

static void
emit(struct sock_filter *f, unsigned int *n, unsigned short code, unsigned char jt,
     unsigned char jf, unsigned int k)
{
	struct sock_filter ins = {code, jt, jf, k};

	f[(*n)++] = ins;
}

static int
known(const char *feature)
{
	for (size_t i = 0; i < NRULES; i++)
		if (strcmp(rules[i].feature, feature) == 0)
			return 1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct sock_filter f[8 + 5 * NRULES];
	struct sock_fprog prog;
	unsigned int n = 0;
	int i, first = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			first = i + 1;
			break;
		}
		if (!known(argv[i])) {
			fprintf(stderr, "nofeature: unknown feature '%s'\n", argv[i]);
			return 2;
		}
	}
	if (!first || first >= argc) {
		fprintf(stderr, "usage: nofeature FEATURE... -- COMMAND [ARG...]\n");
		return 2;
	}
	/* Other architectures' calls: not ours to judge. */
	emit(f, &n, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, arch));
	emit(f, &n, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, AUDIT_ARCH_X86_64);
	emit(f, &n, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	for (size_t r = 0; r < NRULES; r++) {
		const struct rule *u = &rules[r];
		int on = 0;

		for (i = 1; i < first - 1; i++)
			on |= strcmp(argv[i], u->feature) == 0;
		if (!on)
			continue;
		emit(f, &n, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, nr));
		if (u->arg < 0) {
			emit(f, &n, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, (unsigned int)u->nr);
		} else {
			emit(f, &n, BPF_JMP | BPF_JEQ | BPF_K, 0, 3, (unsigned int)u->nr);
			emit(f, &n, BPF_LD | BPF_W | BPF_ABS, 0, 0,
			     (unsigned int)(offsetof(struct seccomp_data, args) + 8 * u->arg));
			emit(f, &n, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, u->val);
		}
		emit(f, &n, BPF_RET | BPF_K, 0, 0,
		     SECCOMP_RET_ERRNO | ((unsigned int)u->err & SECCOMP_RET_DATA));
	}
	emit(f, &n, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	prog.len = (unsigned short)n;
	prog.filter = f;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0) {
		perror("nofeature: cannot install the seccomp filter");
		return 2;
	}
	execvp(argv[first], argv + first);
	fprintf(stderr, "nofeature: %s: %s\n", argv[first], strerror(errno));
	return 127;
}
