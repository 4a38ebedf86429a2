/*
 * filter.c - vroot's seccomp filter, hand-written classic BPF, built from
 * the table of syscalls.h (its VRL_REFUSE and VRL_TRAP rows and their
 * conditions):
 *
 *   arch != x86-64, or an x32 call      -> TRAP  (the handler answers ENOSYS)
 *   a VRL_REFUSE call (io_uring_setup,  -> ERRNO as listed: io_uring would
 *   clone3)                                bypass the filter; clone3's
 *                                          CLONE_CLEAR_SIGHAND would leave the
 *                                          child without our SIGSYS handler,
 *                                          and the flags sit in memory the
 *                                          filter cannot read; the C libraries
 *                                          fall back to clone
 *   a VRL_REFUSE_ARG argument value     -> ERRNO as listed: prctl(PR_SET_
 *                                          SYSCALL_USER_DISPATCH) gives EINVAL,
 *                                          as on kernels without it: our
 *                                          handler's own calls would be
 *                                          dispatched too
 *   a call of ownfd_list.h trapped no   -> TRAP when a descriptor argument is in
 *   other way (close, dup*, fcntl...)      vroot's range and the call is not from
 *                                          the trusted page; else ALLOW
 *   rt_sigprocmask                      -> ALLOW from the trusted page, or
 *                                          when it cannot add to the mask
 *                                          (set == NULL or SIG_UNBLOCK); else TRAP
 *   recvfrom, sendto                    -> ALLOW when the address (argument 4)
 *                                          is NULL: recv(3) and send(3) on any
 *                                          socket; else as a listed call
 *   a call that puts a signal mask in   -> as a listed call when the mask (its
 *   force (rt_sigsuspend, ppoll...)        argument syscalls.h marks s) is not
 *                                          NULL; else ALLOW
 *   ioctl                               -> as a listed call for the requests
 *                                          that change inode flags (argument 1:
 *                                          FS_IOC_SETFLAGS, FS_IOC_FSSETXATTR,
 *                                          FS_IOC_SETVERSION); else ALLOW
 *   an identity call (getuid, setuid...) -> as a listed call when the session
 *                                          fakes an identity; else ALLOW
 *   prctl of the securebits (PRCTL:     -> as a listed call when the session
 *   PR_SET_KEEPCAPS...)                    fakes an identity; else ALLOW
 *   clone (VMCLONE)                     -> as a listed call with CLONE_VM and
 *                                          without CLONE_THREAD (vmclone.c),
 *                                          with CLONE_FILES and without
 *                                          CLONE_VM, with CLONE_THREAD and
 *                                          without CLONE_FILES, or with
 *                                          CLONE_THREAD when the
 *                                          session fakes an identity (a new
 *                                          thread takes its creator's,
 *                                          vfs_ident.c); else ALLOW
 *   mmap (MMAP)                         -> ALLOW without MAP_FIXED (nothing
 *                                          known changes; the entry maps its
 *                                          stacks so); else as a MEM call
 *   munmap, mprotect... (MEM)           -> ALLOW when the address (argument 0)
 *                                          lies in the trusted page slots: a
 *                                          loader maps its page before it can
 *                                          answer a trap; else as a listed call
 *   another VRL_TRAP call (ALWAYS,      -> ALLOW from the trusted page, else TRAP
 *   SIGNAL, EXEC)
 *   anything else                       -> ALLOW
 *
 * The number is tested before the instruction pointer, so the result for
 * every call not in the list depends on nothing but (arch, nr): the kernel's
 * seccomp action cache then lets those through without running the filter.
 *
 * "The trusted page" is this session's or, when sessions nest, an
 * enclosing session's (see sys.h): their loaders' calls pass, ours are
 * answered by the enclosing loaders in turn, which is how a nested
 * namespace is composed on top of the outer one.
 *
 * Foreign-arch calls trap rather than kill: a 64-bit program probing
 * `int $0x80` gets ENOSYS, as on a kernel without IA-32 emulation, instead
 * of dying; and letting them through would let path calls escape the
 * namespace unseen.  All traps carry VRL_TAG in SECCOMP_RET_DATA, so the
 * SIGSYS handler tells them from a program's own filter's traps.
 */
#include <stddef.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/audit.h>
#include <linux/prctl.h>
#include <linux/mman.h>
#include "loader.h"
#include "vfs.h"

#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif
#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT 0x40000000
#endif
#ifndef SIG_UNBLOCK
#define SIG_UNBLOCK 1
#endif

/* The calls syscalls.h traps, but those of vroot's descriptors (build_ownfd()). */
static const struct {
	unsigned short nr;
	unsigned char cond;
	char kinds[8]; /* not a pointer: the table needs no relocation at start */
} trapped[] = {
#define VRL_TRAP(name, kinds, cond, fn) {__NR_##name, VRL_C_##cond, kinds},
#include "syscalls.h"
};

/* mask_arg() - the position of the signal mask argument in @kinds (syscalls.h's s). */
static unsigned int
mask_arg(const char *kinds)
{
	unsigned int i = 0;

	while (kinds[i] && kinds[i] != 's')
		i++;
	return i < 6 ? i : 0;
}

/* The calls the filter answers itself. */
static const struct {
	unsigned short nr;
	unsigned short err;
} refused[] = {
#define VRL_REFUSE(name, kinds, err, why) {__NR_##name, err},
#include "syscalls.h"
};

/* The argument values the filter answers itself, for calls with rows of their own. */
static const struct {
	unsigned short nr;
	unsigned char arg;
	unsigned short err;
	unsigned int value;
} refused_arg[] = {
#define VRL_REFUSE_ARG(name, arg, value, err, why) {__NR_##name, arg, err, value},
#include "syscalls.h"
};

static const struct {
	unsigned short nr;
	unsigned char args;
} ownfd[] = {
#define VRL_OWNFD(nr, fd, at, target) {nr, (fd) | (at) | (target)},
#include "ownfd_list.h"
#undef VRL_OWNFD
};

#define NTRAPPED     (sizeof(trapped) / sizeof(trapped[0]))
#define NREFUSED     (sizeof(refused) / sizeof(refused[0]))
#define NREFUSED_ARG (sizeof(refused_arg) / sizeof(refused_arg[0]))
#define NOWNFD       (sizeof(ownfd) / sizeof(ownfd[0]))
/* Per ownfd call: a number test, 3 per argument (at most 3), a return. */
#define PROG_MAX      (2 * NTRAPPED + 2 * NREFUSED + 5 * NREFUSED_ARG + 48 + 11 * NOWNFD + 8)
#define OFF_NR        offsetof(struct seccomp_data, nr)
#define OFF_ARCH      offsetof(struct seccomp_data, arch)
#define OFF_IP_LO     offsetof(struct seccomp_data, instruction_pointer)
#define OFF_IP_HI     (OFF_IP_LO + 4)
#define OFF_ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define OFF_ARG_HI(i) (OFF_ARG_LO(i) + 4)
#define RET_TRAP      (SECCOMP_RET_TRAP | VRL_TAG)

struct prog {
	struct sock_filter *f;
	unsigned int n;
};

static void
emit(struct prog *p, unsigned short code, unsigned char jt, unsigned char jf, unsigned int k)
{
	struct sock_filter ins = {code, jt, jf, k};

	p->f[p->n++] = ins;
}

/* A conditional jump whose true branch is patched later with jump_to(). */
static unsigned int
emit_jeq_fwd(struct prog *p, unsigned int k)
{
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, k);
	return p->n - 1;
}

static int
jump_to(struct prog *p, unsigned int from, unsigned int target, int false_branch)
{
	unsigned int d = target - from - 1;

	if (d > 255)
		return -E2BIG;
	if (false_branch)
		p->f[from].jf = (unsigned char)d;
	else
		p->f[from].jt = (unsigned char)d;
	return 0;
}

/*
 * Emit "is the instruction pointer in a trusted page": this session's or
 * an enclosing one's (slots 0 to vrl_level), since their loaders run in
 * the same images and their calls must pass this filter too.  Falls
 * through when it is; the three jumps in @out must be patched to the "not
 * trusted" target (the first on its false branch, the others on their
 * true branch) with patch_ip_check().
 */
static void
emit_ip_check(struct prog *p, unsigned int out[3])
{
	unsigned int hi = (unsigned int)(VRL_TPAGE_ADDR >> 32);

	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_IP_HI);
	emit(p, BPF_JMP | BPF_JGE | BPF_K, 0, 0, hi);
	out[0] = p->n - 1;
	emit(p, BPF_JMP | BPF_JGT | BPF_K, 0, 0, hi + vrl_level);
	out[1] = p->n - 1;
	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_IP_LO);
	/* The pages are 4 GiB aligned: low half in [0, size). */
	emit(p, BPF_JMP | BPF_JGE | BPF_K, 0, 0, (unsigned int)VRL_TPAGE_SIZE);
	out[2] = p->n - 1;
}

static int
patch_ip_check(struct prog *p, const unsigned int at[3], unsigned int target)
{
	return jump_to(p, at[0], target, 1) | jump_to(p, at[1], target, 0) |
	       jump_to(p, at[2], target, 0);
}

/* ioctl requests that change an inode's flags: answered by the core (copy-up). */
static const unsigned int flag_ioctls[] = {
        0x40086602, /* FS_IOC_SETFLAGS */
        0x401c5820, /* FS_IOC_FSSETXATTR */
        0x40087602, /* FS_IOC_SETVERSION */
};

#define NFLAG_IOCTLS (sizeof(flag_ioctls) / sizeof(flag_ioctls[0]))

/* prctl options of a faked identity's securebits: answered by the core. */
static const unsigned int secure_prctls[] = {
        PR_GET_KEEPCAPS,
        PR_SET_KEEPCAPS,
        PR_GET_SECUREBITS,
        PR_SET_SECUREBITS,
};

#define NSECURE_PRCTLS (sizeof(secure_prctls) / sizeof(secure_prctls[0]))

static int
is_trapped(unsigned int nr)
{
	for (unsigned int i = 0; i < NTRAPPED; i++)
		if (trapped[i].nr == nr && trapped[i].cond != VRL_C_OWNFD)
			return 1;
	return 0;
}

/*
 * build_ownfd() - the calls of ownfd_list.h that syscalls.h does not trap
 * anyway (its OWNFD rows): trapped when a descriptor argument (its low half, as the kernel
 * reads it) is in vroot's range, unless issued from a trusted page.  Emitted
 * right after the number is loaded, so close, dup* and fcntl, frequent
 * calls that now run the filter, run little of it; falls through, the
 * number still in the accumulator, for every other call.
 */
static int
build_ownfd(struct prog *p, unsigned int lo)
{
	unsigned int hi = lo + VRL_OWNFD_SPAN;
	unsigned int jin[NOWNFD], jout[NOWNFD * 6], nin = 0, nout = 0, skip, ip[3], l_ip, i, k;
	int err = 0;

	if (!lo)
		return 0;
	for (i = 0; i < NOWNFD; i++)
		if (!is_trapped(ownfd[i].nr))
			jin[nin++] = emit_jeq_fwd(p, ownfd[i].nr);
	skip = p->n;
	emit(p, BPF_JMP | BPF_JA, 0, 0, 0);
	for (i = 0, k = 0; i < NOWNFD; i++) {
		if (is_trapped(ownfd[i].nr))
			continue;
		err |= jump_to(p, jin[k++], p->n, 0);
		for (unsigned int arg = 0; arg < 6; arg++) {
			if (!(ownfd[i].args & (1u << arg)))
				continue;
			/* Below the range: next argument; in it: trap; above: next. */
			emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_ARG_LO(arg));
			emit(p, BPF_JMP | BPF_JGE | BPF_K, 0, 1, lo);
			emit(p, BPF_JMP | BPF_JGE | BPF_K, 0, 0, hi);
			jout[nout++] = p->n - 1;
		}
		emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	}
	l_ip = p->n;
	emit_ip_check(p, ip);
	emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	emit(p, BPF_RET | BPF_K, 0, 0, RET_TRAP);
	err |= patch_ip_check(p, ip, p->n - 1);
	for (i = 0; i < nout; i++)
		err |= jump_to(p, jout[i], l_ip, 1);
	p->f[skip].k = p->n - skip - 1;
	return err ? -E2BIG : 0;
}

static int
build(struct prog *p)
{
	unsigned int list[NTRAPPED], wait[NTRAPPED], sigmask_jump, i, ip[3], sm_ip[3], sm_set_lo,
	        sm_set_hi, sm_how, l_ip, l_trap, l_sigmask, l_sm_args, l_sm_how, l_allow, l_addr,
	        addr_lo, addr_hi, l_ioctl, ioctl_req[NFLAG_IOCTLS], l_mmap, mmap_fixed, l_mem,
	        mem_end, l_prctl, prctl_opt[NSECURE_PRCTLS], l_vmclone, vm_thread, vm_vm, vm_files,
	        vm_tfiles;
	int err = 0, faked = vrl_ident_faked();

	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_ARCH);
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, AUDIT_ARCH_X86_64);
	emit(p, BPF_RET | BPF_K, 0, 0, RET_TRAP);
	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_NR);
	emit(p, BPF_JMP | BPF_JGE | BPF_K, 0, 1, __X32_SYSCALL_BIT);
	emit(p, BPF_RET | BPF_K, 0, 0, RET_TRAP);
	for (i = 0; i < NREFUSED; i++) {
		emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, refused[i].nr);
		emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ERRNO | refused[i].err);
	}
	/* Another call, or another value: on to the number, loaded again. */
	for (i = 0; i < NREFUSED_ARG; i++) {
		emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 3, refused_arg[i].nr);
		emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_ARG_LO(refused_arg[i].arg));
		emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, refused_arg[i].value);
		emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ERRNO | refused_arg[i].err);
		emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_NR);
	}
	err |= build_ownfd(p, (unsigned int)vrl_proc.state.fd_floor);
	sigmask_jump = emit_jeq_fwd(p, __NR_rt_sigprocmask);
	for (i = 0; i < NTRAPPED; i++)
		list[i] = trapped[i].cond == VRL_C_SIGMASK || trapped[i].cond == VRL_C_OWNFD ||
		                          trapped[i].cond == VRL_C_SIGHELD ||
		                          ((trapped[i].cond == VRL_C_FAKED ||
		                            trapped[i].cond == VRL_C_PRCTL) &&
		                           !faked)
		                  ? 0
		                  : emit_jeq_fwd(p, trapped[i].nr);
	emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);

	/* recvfrom, sendto: no address, nothing to map. */
	l_addr = p->n;
	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_ARG_LO(4));
	addr_lo = emit_jeq_fwd(p, 0);
	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_ARG_HI(4));
	addr_hi = emit_jeq_fwd(p, 0);

	/* ioctl: only the flag-changing requests (the kernel's cmd is 32 bits). */
	l_ioctl = p->n;
	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_ARG_LO(1));
	for (i = 0; i < NFLAG_IOCTLS; i++)
		ioctl_req[i] = emit_jeq_fwd(p, flag_ioctls[i]);
	emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);

	/* prctl: only the securebits' options (the kernel's option is an int). */
	l_prctl = p->n;
	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_ARG_LO(0));
	for (i = 0; i < NSECURE_PRCTLS; i++)
		prctl_opt[i] = emit_jeq_fwd(p, secure_prctls[i]);
	emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);

	/* Calls that put a signal mask in force: when it is not NULL. */
	for (i = 0; i < NTRAPPED; i++) {
		wait[i] = p->n;
		if (!list[i] || trapped[i].cond != VRL_C_SIGWAIT)
			continue;
		emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_ARG_LO(mask_arg(trapped[i].kinds)));
		emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0);
		emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_ARG_HI(mask_arg(trapped[i].kinds)));
		emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0);
	}

	/*
	 * clone: a child sharing the memory that is not a thread, one sharing
	 * the descriptor table and not the memory, a thread with a table of
	 * its own, or a faked identity's thread.
	 */
	l_vmclone = p->n;
	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_ARG_LO(0));
	vm_thread = p->n;
	emit(p, BPF_JMP | BPF_JSET | BPF_K, 0, 0, CLONE_THREAD_);
	vm_vm = p->n;
	emit(p, BPF_JMP | BPF_JSET | BPF_K, 0, 0, CLONE_VM_);
	vm_files = p->n;
	emit(p, BPF_JMP | BPF_JSET | BPF_K, 0, 0, CLONE_FILES_);
	vm_tfiles = p->n;
	emit(p, BPF_JMP | BPF_JSET | BPF_K, 0, 0, CLONE_FILES_);

	/* mmap: only over what is mapped (MAP_FIXED) can it change a known page. */
	l_mmap = p->n;
	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_ARG_LO(3));
	mmap_fixed = p->n;
	emit(p, BPF_JMP | BPF_JSET | BPF_K, 0, 0, MAP_FIXED);

	/* An address-space call on the trusted page slots: a loader's own. */
	l_mem = p->n;
	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_ARG_HI(0));
	emit(p, BPF_JMP | BPF_JGE | BPF_K, 0, 1, (unsigned int)(VRL_TPAGE_ADDR >> 32));
	mem_end = p->n;
	emit(p, BPF_JMP | BPF_JGE | BPF_K, 0, 0,
	     (unsigned int)((VRL_TPAGE_ADDR + VRL_MAX_NEST * VRL_TPAGE_STEP) >> 32));

	/* A listed call: allowed only from the trusted page. */
	l_ip = p->n;
	emit_ip_check(p, ip);
	emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	l_trap = p->n;
	emit(p, BPF_RET | BPF_K, 0, 0, RET_TRAP);

	/* rt_sigprocmask: trusted, or harmless to SIGSYS, or trapped. */
	l_sigmask = p->n;
	emit_ip_check(p, sm_ip);
	emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	l_sm_args = p->n;
	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_ARG_LO(1));
	sm_set_lo = emit_jeq_fwd(p, 0);
	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_ARG_HI(1));
	sm_set_hi = emit_jeq_fwd(p, 0);
	l_sm_how = p->n;
	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_ARG_LO(0));
	sm_how = emit_jeq_fwd(p, SIG_UNBLOCK);
	emit(p, BPF_RET | BPF_K, 0, 0, RET_TRAP);
	l_allow = p->n;
	emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);

	for (i = 0; i < NTRAPPED; i++)
		if (list[i])
			err |= jump_to(p, list[i],
			               trapped[i].cond == VRL_C_ADDR      ? l_addr
			               : trapped[i].cond == VRL_C_IOCTL   ? l_ioctl
			               : trapped[i].cond == VRL_C_PRCTL   ? l_prctl
			               : trapped[i].cond == VRL_C_MMAP    ? l_mmap
			               : trapped[i].cond == VRL_C_MEM     ? l_mem
			               : trapped[i].cond == VRL_C_SIGWAIT ? wait[i]
			               : trapped[i].cond == VRL_C_VMCLONE &&
			                               trapped[i].nr == __NR_clone
			                       ? l_vmclone
			                       : l_ip,
			               0);
	err |= jump_to(p, mmap_fixed, l_allow, 1);
	err |= jump_to(p, vm_thread, vm_tfiles, 0) | jump_to(p, vm_vm, l_ip, 0) |
	       jump_to(p, vm_files, l_ip, 0) | jump_to(p, vm_files, l_allow, 1) |
	       jump_to(p, vm_tfiles, faked ? l_ip : l_allow, 0) | jump_to(p, vm_tfiles, l_ip, 1);
	err |= jump_to(p, mem_end, l_allow, 1);
	/* The mask's low half non-zero: listed; zero: test the high half. */
	for (i = 0; i < NTRAPPED; i++)
		if (list[i] && trapped[i].cond == VRL_C_SIGWAIT)
			err |= jump_to(p, wait[i] + 1, l_ip, 1) |
			       jump_to(p, wait[i] + 3, l_allow, 0) |
			       jump_to(p, wait[i] + 3, l_ip, 1);
	for (i = 0; i < NFLAG_IOCTLS; i++)
		err |= jump_to(p, ioctl_req[i], l_ip, 0);
	for (i = 0; i < NSECURE_PRCTLS; i++)
		err |= jump_to(p, prctl_opt[i], l_ip, 0);
	/* Low half zero: test the high half; either non-zero: a listed call. */
	err |= jump_to(p, addr_lo, l_ip, 1);
	p->f[addr_lo].jt = 0;
	err |= jump_to(p, addr_hi, l_allow, 0);
	err |= jump_to(p, addr_hi, l_ip, 1);
	err |= jump_to(p, sigmask_jump, l_sigmask, 0);
	err |= patch_ip_check(p, ip, l_trap);
	err |= patch_ip_check(p, sm_ip, l_sm_args);
	/* set's low half non-zero: go test `how`; both halves zero: allow. */
	err |= jump_to(p, sm_set_lo, l_sm_how, 1);
	p->f[sm_set_lo].jt = 0;
	err |= jump_to(p, sm_set_hi, l_allow, 0);
	err |= jump_to(p, sm_how, l_allow, 0);
	return err ? -E2BIG : 0;
}

/* A filter of the ownfd range test alone, for a range moved (see main.c). */
static int
build_ownfd_only(struct prog *p, unsigned int lo)
{
	int err;

	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_ARCH);
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, AUDIT_ARCH_X86_64);
	emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_NR);
	err = build_ownfd(p, lo);
	emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	return err;
}

static int
install(struct prog *p)
{
	struct sock_fprog fp;
	long r;

	fp.len = (unsigned short)p->n;
	fp.filter = p->f;
	r = vrl_sys5(__NR_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (r < 0)
		return (int)r;
	r = vrl_sys3(__NR_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW, &fp);
	if (r == -EINVAL)
		r = vrl_sys3(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp);
	return (int)r;
}

/**
 * vrl_filter_add_ownfd() - add to the filter in place a filter trapping
 * the calls of ownfd_list.h for vroot's descriptors at [@floor, + span):
 * where they must go when the program lowered its hard descriptor limit
 * below the range the first filter traps.  Returns 0 or -errno.
 */
int
vrl_filter_add_ownfd(int floor)
{
	struct sock_filter f[11 * NOWNFD + 16];
	struct prog p = {f, 0};

	if (build_ownfd_only(&p, (unsigned int)floor))
		return -E2BIG;
	return install(&p);
}

/**
 * vrl_filter_trap_sigmask() - add to the filter in place, for every thread
 * of the process where the kernel allows, a filter trapping every
 * rt_sigprocmask and every call of syscalls.h's SIGHELD rows
 * (rt_sigpending) not issued from a trusted page: once a program has
 * blocked SIGSYS, its queries and SIG_UNBLOCK calls must see and change
 * the virtual mask too.  Programs that never block SIGSYS pay nothing for
 * it.  Returns 0 or -errno.
 */
int
vrl_filter_trap_sigmask(void)
{
	struct sock_filter f[16 + NTRAPPED];
	struct prog p = {f, 0};
	struct sock_fprog fp;
	unsigned int ip[3], calls[1 + NTRAPPED], n = 0, i;
	int err = 0;
	long r;

	emit(&p, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_ARCH);
	emit(&p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, AUDIT_ARCH_X86_64);
	emit(&p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	emit(&p, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_NR);
	calls[n++] = emit_jeq_fwd(&p, __NR_rt_sigprocmask);
	for (i = 0; i < NTRAPPED; i++)
		if (trapped[i].cond == VRL_C_SIGHELD)
			calls[n++] = emit_jeq_fwd(&p, trapped[i].nr);
	emit(&p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	for (i = 0; i < n; i++)
		err |= jump_to(&p, calls[i], p.n, 0);
	emit_ip_check(&p, ip);
	emit(&p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	emit(&p, BPF_RET | BPF_K, 0, 0, RET_TRAP);
	if (err || patch_ip_check(&p, ip, p.n - 1))
		return -E2BIG;
	fp.len = (unsigned short)p.n;
	fp.filter = p.f;
	r = vrl_sys3(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
	             SECCOMP_FILTER_FLAG_SPEC_ALLOW | SECCOMP_FILTER_FLAG_TSYNC, &fp);
	/* Another thread with a filter of its own: this thread's (and its children's). */
	if (r != 0)
		r = vrl_sys3(__NR_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW,
		             &fp);
	return (int)r;
}

/**
 * vrl_filter_install() - set no_new_privs and install vroot's filter on
 * the calling (single-threaded) process.  Returns 0 or -errno.
 *
 * SECCOMP_FILTER_FLAG_SPEC_ALLOW keeps the kernel from forcing the
 * speculative-store-bypass mitigation on every filtered process, which
 * would slow the program for no benefit: vroot is not a sandbox.
 */
int
vrl_filter_install(void)
{
	struct sock_filter f[PROG_MAX];
	struct prog p = {f, 0};

	if (build(&p) || p.n > PROG_MAX)
		return -E2BIG;
	return install(&p);
}

/**
 * vrl_filter_present() - is vroot's filter already installed (this image
 * was started by a redirected execve)?  Needs the SIGSYS handler in place.
 *
 * prctl(PR_GET_SECCOMP) only says that *some* filter is (a container
 * runtime's, a parent sandbox's), so a listed call is issued from outside
 * the trusted page and we watch whether our handler saw it with our tag.
 * Returns 1 or 0.
 */
int
vrl_filter_present(void)
{
	unsigned long before;

	if (vrl_sys5(__NR_prctl, PR_GET_SECCOMP, 0, 0, 0, 0) != 2)
		return 0;
	before = __atomic_load_n(&vrl_proc.traps, __ATOMIC_SEQ_CST);
	/* getcwd(NULL, 0): no side effect whoever answers it. */
	__atomic_store_n(&vrl_proc.probing, 1, __ATOMIC_SEQ_CST);
	vrl_raw6(__NR_getcwd, 0, 0, 0, 0, 0, 0);
	__atomic_store_n(&vrl_proc.probing, 0, __ATOMIC_SEQ_CST);
	return __atomic_load_n(&vrl_proc.traps, __ATOMIC_SEQ_CST) != before;
}
