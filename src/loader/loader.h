/*
 * loader.h - internal interfaces of vroot-loader.
 *
 * One concern per file:
 *   start.S    entry, boot stack, final jump      reloc.c    self-relocation
 *   rt.c       memcpy & co, messages              tpage.c    trusted syscall page
 *   filter.c   seccomp BPF filter                 sigsys.c   SIGSYS handler
 *   sigvirt.c  signal virtualisation              uaccess.c  fault-safe user memory
 *   dispatch.c the seam to the core               exec.c     execve redirection
 *   binfmt.c   ELF/#! recognition                 elf.c      mapping ELF images
 *   stack.c    argv/envp/auxv, mm fields          state.c    state across execve
 *   selfexe.c  /proc/self/exe                     main.c     startup sequence
 *   sigentry.S SIGSYS entry, vrl_on_stack()       stackpool.c vroot's stacks
 *   ownfd.c    vroot's own descriptors
 *   rewrite.c  trap-free call sites               rwentry.S  their way in
 *   stats.c    counters of --stats
 */
#ifndef VRL_LOADER_H
#define VRL_LOADER_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include <asm/signal.h>
#include <asm/siginfo.h>
#include <asm/sigcontext.h>
#include <asm/ucontext.h>
#include "sys.h"
#include "rt.h"
#include "stats.h"

/*
 * SECCOMP_RET_DATA of vroot's traps: tells our SIGSYS from a program's.
 * A nested session's loader (trusted page slot N) tags its traps
 * VRL_TAG_BASE + N.
 */
#define VRL_TAG_BASE 0x5652 /* "VR" */
#define VRL_TAG      (VRL_TAG_BASE + (int)vrl_level)

struct vr_ns;
struct vr_task;

/* clone(2)'s flags that vmclone.c, the filter and unshare(2) look at (linux/sched.h). */
#define CLONE_VM_     0x00000100UL
#define CLONE_FILES_  0x00000400UL
#define CLONE_VFORK_  0x00004000UL
#define CLONE_THREAD_ 0x00010000UL
#define CLONE_SETTLS_ 0x00080000UL

#define VRL_PATH_MAX  4096
#define VRL_SIGBIT(s) (1UL << ((s)-1))

/* The rt_sigaction() argument layout on x86-64 (not libc's). */
struct vrl_ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	unsigned long mask;
};

/**
 * struct vrl_state - what crosses execve from one image to the next.
 * Carried on the next loader's command line (see state.c), so it survives
 * a program that clears its environment or closes every descriptor.
 */
/* vr_ns_pass_fds(): VR_MAX_LAYERS + work + stub + VR_MAX_MOUNTS + helper */
#define VRL_INHERIT_MAX 83

/*
 * Call sites an image trapped at, in the text of a file it had mapped
 * (its program or its interpreter), passed to the next image through
 * execve so that, mapping the same file, it rewrites them before they run
 * (rewrite.c's vrl_rw_preset()): offsets of the byte after each `syscall`
 * from the image's load bias, and their call numbers.
 */
#define VRL_HINTS 32
struct vrl_site_hints {
	unsigned long dev, ino, mtime; /* mtime: in ns, so a file rewritten in place differs */
	unsigned int n;
	uint32_t off[VRL_HINTS];
	uint16_t nr[VRL_HINTS];
};

/* A file's text as an image mapped it: identity, load bias, [lo, hi). */
struct vrl_text_id {
	unsigned long dev, ino, mtime;
	uintptr_t bias, lo, hi;
};

struct vrl_state {
	void *task; /* vr_task_pack() output (in the --state argument), or NULL */
	size_t task_len;
	int trace_fd;       /* debug: one line per trapped call, or -1 */
	char fake_cwd[256]; /* debug: getcwd() result override, or "" */
	int fd_floor;       /* vroot's descriptors: [fd_floor, + VRL_OWNFD_SPAN); 0: none yet */
	int rewrite;        /* rewrite call sites: 1, 0, or -1 unset */
	int sigsys;         /* the exec'ing thread's virtual SIGSYS (sigvirt.c's VRL_SYS_*) */
	char stats[256];    /* --stats counters file (host path), or "" */
	int filter;         /* the previous image said its filter is installed */
	/* The previous image's backing descriptors, left open across execve. */
	int inherit[VRL_INHERIT_MAX];
	int ninherit;
	/* The previous image's trapped sites, per file (program, interpreter). */
	struct vrl_site_hints hints[2];
	int nhints;
};

/**
 * struct vrl_proc - the loader's per-process state.  One instance
 * (vrl_proc); written during startup, then read-mostly.
 */
#define VRL_CHILD_TASKS 8
#define VRL_THREAD_IDS  64
#define VRL_SYS_HELD    64
#define VRL_SIGSTACKS   64
#define VRL_RW_CHUNKS   16
#define VRL_UA_SLOTS    64
#define VRL_TEXT_MAPS   48
#define VRL_STAT_CACHE  256
#define VRL_RW_SKIP     256

/* Stub memory of rewritten sites (rewrite.c). */
struct vrl_rw_chunk {
	uintptr_t base;
	size_t used;
};

struct vrl_map {
	uintptr_t start, end;
	unsigned long off;
	char perms[5];
	char name[VRL_STAT_NAME]; /* the mapped file's base name, or "" */
};

struct vrl_proc {
	/*
	 * First, side by side, what every image writes or reads as it starts
	 * and what most trapped calls touch: in this VM each page of this
	 * object touched costs a fault of 8-15 us, in every exec.
	 */
	struct vrl_state state;
	struct vr_ns *ns;       /* the namespace, or NULL: pass-through */
	struct vr_task *task;   /* the process's cwd and identity */
	int nchild_tasks;       /* vfork children with a cwd of their own */
	int owner_pid;          /* process whose memory this is */
	unsigned long vm_live;  /* CLONE_VM children may share it (vmclone.c) */
	unsigned long vm_owned; /* vmclone.c's slots taken */
	int vm_reaping;         /* a thread is freeing vmclone.c's slots */
	int fds_apart;          /* a thread may hold a descriptor table of its own */
	int reap_delay;         /* test: VROOT_TEST_REAP_DELAY=1 widens the reap's window */
	volatile int *mm_token; /* in a MADV_WIPEONFORK page: 0 after fork */
	unsigned long traps;    /* trapped calls handled, for the probe */
	int probing;            /* vrl_filter_present()'s call is on its way */
	int no_peek;            /* process_vm_readv refused: access directly */
	unsigned long ua_gen;   /* moved by every change to the address space */
	/* The highest program break seen (addrspace.c): a brk() below it may unmap. */
	uintptr_t brk_top;
	unsigned long map_gen;  /* moved when the text mappings may change (addrspace.c) */
	int ntext, text_valid, text_lock;
	unsigned long text_gen;
	int rewrite; /* rewrite trapped call sites */
	int rw_lock;
	int rw_nchunks;
	unsigned long rw_sites;  /* sites rewritten in this process */
	struct vrl_stats *stats; /* --stats counters, or NULL */
	/* Pages of the program's seen readable/writable (uaccess.c). */
	unsigned long ua_page[VRL_UA_SLOTS];
	struct vrl_rw_chunk rw_chunks[VRL_RW_CHUNKS];
	/* thread_ids: see thread_tasks below. */
	int thread_ids;
	int thread_lock;
	/* The program's own SIGSYS disposition; the real one stays ours. */
	struct vrl_ksigaction sys_act;
	int sys_act_lock;
	int sys_held_any; /* a thread ever did: sys_held is worth looking at */
	int sys_mask_trapped;
	/* Every signal stack a thread was given, for vrl_sigstack_maybe(). */
	int nsigstacks;
	struct {
		unsigned long lo, hi;
	} sigstacks[VRL_SIGSTACKS];
	struct {
		int tid;
		struct vr_task *task;
	} child_tasks[VRL_CHILD_TASKS];
	/*
	 * A process's first traps read and write these: they lie between
	 * what the start writes (above, and exe_path's first bytes), on
	 * pages it has copied already, where they cost no fault of their own
	 * (a first read of a page of .data maps the file's page, and a write
	 * after it copies it: two faults).
	 */
	uintptr_t rw_skip[VRL_RW_SKIP];     /* sites not to rewrite (rewrite.c) */
	uintptr_t rw_seen[VRL_RW_SKIP];     /* sites trapped before (rewrite.c) */
	unsigned char rw_hits[VRL_RW_SKIP]; /* their traps so far */
	unsigned short rw_nr[VRL_RW_SKIP];  /* their call numbers */
	struct vrl_text_id images[2];       /* the program's and the interpreter's text */
	char exe_path[VRL_PATH_MAX];        /* host path of the program's ELF image */
	/*
	 * Threads with an identity of their own (a set*id call the kernel
	 * makes per thread): each runs as a task of its own, the others as
	 * `task` (vfs_ident.c).  fsbase finds a thread's from a vfork or fork
	 * child, which runs on its TLS; 0 when not known.  thread_ids: set
	 * once a slot was used, so that other processes look no further.
	 */
	struct {
		int tid;
		unsigned long fsbase;
		struct vr_task *task;
	} thread_tasks[VRL_THREAD_IDS];
	/*
	 * The identities threads made through gadget slot i (vmclone.c) start
	 * with, until they take them (vfs_ident.c), and their TLS bases.
	 */
	struct {
		unsigned long fsbase;
		struct vr_task *task;
	} clone_tasks[VRL_VMCLONE_SLOTS];
	/*
	 * Handlers whose sa_mask blocks SIGSYS: the program's action per
	 * signal (bit sig - 1 of sa_wrapped set), the real one vroot's
	 * wrapper, vrl_sig_wrap() (sigvirt.c).
	 */
	unsigned long sa_wrapped;
	unsigned long sa_seq; /* odd while sa_prog is being written */
	struct vrl_ksigaction sa_prog[64];
	/*
	 * Threads whose virtual signal mask blocks SIGSYS (the real one never
	 * does), with a kill()ed SIGSYS held for each; and whether every
	 * rt_sigprocmask now traps (sigvirt.c).
	 */
	struct {
		int tid;
		int pending;
	} sys_held[VRL_SYS_HELD];
	/* Files' text mappings as of map_gen == text_gen (rewrite.c). */
	struct vrl_map text[VRL_TEXT_MAPS];
	uint64_t stat_cache[VRL_STAT_CACHE]; /* trapped site ip << 12 | slot + 1 */
};

extern struct vrl_proc vrl_proc;

/**
 * struct vr_loader_ctx - one trapped system call being handled.
 * @uc:   the interrupted user context; REG_RAX receives the result, and
 *        uc_sigmask is the mask restored on return (signal virtualisation
 *        edits it).
 * @si:   the SIGSYS siginfo.
 * @proc: the process state.
 */
struct vr_loader_ctx {
	struct ucontext *uc;
	siginfo_t *si;
	struct vrl_proc *proc;
};

/* start.S */
__attribute__((noreturn)) void vrl_jump(void *entry, void *sp);

/* sigentry.S */
void vrl_sigsys_entry(int sig, siginfo_t *si, void *uc);

/**
 * vrl_on_stack() - call @fn(@arg) on one of vroot's stacks (stackpool.c)
 * and return what it returns.  Re-entrant: a nested call, from a signal
 * handler or another thread, runs on a stack of its own.  Uses at most a
 * few words of the caller's stack; when no stack can be mapped at all,
 * returns -ENOMEM without calling @fn.
 */
long vrl_on_stack(long (*fn)(void *arg), void *arg);

/* reloc.c */
int vrl_self_relocate(void);
void vrl_self_populate(unsigned long stub);

/* tpage.c */
int vrl_tpage_map(void);
void vrl_tpage_count(uint64_t *counter);
long vrl_core_syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6);
/* vmclone.c */
void vrl_vmclone_reap(void);
int vrl_vmclone_behind(void);
void vrl_vmclone_forked(void);
long vrl_vmclone_result(int slot);

/* rewrite.c, rwentry.S */
/** struct vrl_map - the line of /proc/self/maps about one address. */

struct vrl_rw_ret {
	long ret;
	long trap;
};

int vrl_map_of(uintptr_t addr, struct vrl_map *m);
void vrl_rw_site(uintptr_t end, long nr);
void vrl_rw_preset(const struct vrl_text_id *img, const struct vrl_site_hints *h);
unsigned int vrl_rw_hints(const struct vrl_text_id *img, struct vrl_site_hints *h);
struct vrl_rw_ret vrl_rw_call(long nr, const long *regs, unsigned int site);
void vrl_rw_entry(void);

/* stats.c */
int vrl_stats_open(const char *path);
int vrl_stats_site(const char *name, uint64_t off);
void vrl_stats_trap(uintptr_t ip, long nr);
void vrl_stats_rw(unsigned int site, long nr);

/* filter.c */
int vrl_filter_install(void);
int vrl_filter_present(void);
int vrl_filter_add_ownfd(int floor);
int vrl_filter_trap_sigmask(void);

/* sigsys.c */
int vrl_sigsys_install(void);
int vrl_sigsys_set_restart(int restart);
unsigned long vrl_sig_block_all(void);
void vrl_sig_restore(unsigned long mask);

/* sigvirt.c */
long vrl_sig_action(struct vr_loader_ctx *ctx, const long a[6]);
long vrl_sig_procmask(struct vr_loader_ctx *ctx, const long a[6]);
long vrl_sig_altstack(struct vr_loader_ctx *ctx, const long a[6]);
void vrl_sig_forward(int sig, siginfo_t *si, struct ucontext *uc);
void vrl_sig_wrap(int sig, siginfo_t *si, void *uc);
void vrl_sig_stack_below(siginfo_t *si, struct ucontext *uc, unsigned long at);
int vrl_sigstack_maybe(unsigned long sp);
void vrl_sigstack_note(const void *sp, unsigned long size);
/* The calling thread's virtual SIGSYS across execve (sigvirt.c, state.c). */
#define VRL_SYS_BLOCKED 1
#define VRL_SYS_PENDING 2
#define VRL_SYS_TRAPPED 4
#define VRL_SYS_SHARED  8 /* the held SIGSYS was sent to the process (kill) */
int vrl_sigsys_exec_state(void);
void vrl_sigsys_exec_restore(int st);
int vrl_sigsys_held(int tid);
int vrl_proc_init(void);
int vrl_mm_shared_child(void);

/* addrspace.c */
long vrl_addrspace_call(long nr, const long a[6]);

/* uaccess.c */
int vrl_peek(void *dst, const void *user_src, size_t n);
void vrl_ua_forget(void);
void vrl_ua_forget_range(uintptr_t p, size_t n);
int vrl_poke(void *user_dst, const void *src, size_t n);
long vrl_poke_some(void *user_dst, const void *src, size_t n);
long vrl_peek_str(char *dst, const char *user_src, size_t cap);

/* selfexe.c */
int vrl_selfexe_record(int fd);
const char *vrl_selfexe_match(const char *user_path);
long vrl_selfexe_readlink(const char *path, char *user_buf, long size);

/* dispatch.c: the seam to the core */
long vr_loader_dispatch(struct vr_loader_ctx *ctx, long nr, const long a[6]);
int vrl_open_exec(struct vr_loader_ctx *ctx, int dirfd, const char *path, int nofollow);

/* exec.c */
long vrl_exec_redirect(struct vr_loader_ctx *ctx, int dirfd, const char *path, char *const *argv,
                       char *const *envp, int flags);

/* binfmt.c */
#define VRL_MAX_INTERP 4 /* the kernel's BINPRM_MAX_RECURSION */

/**
 * struct vrl_args - a program's argv as a short prefix of loader-owned
 * strings followed by a tail of the caller's vector.
 */
struct vrl_args {
	const char *pre[3 * VRL_MAX_INTERP + 1];
	int npre;
	char *const *tail;
	long ntail;
};

/* One #! line (BINPRM_BUF_SIZE); a chain needs VRL_MAX_INTERP + 1 of them. */
typedef char vrl_line[256];

int vrl_binfmt_resolve(struct vr_loader_ctx *ctx, int fd, const char *path, vrl_line *lines,
                       int nlines, struct vrl_args *args, int *elf_fd);

/* elf.c */
/**
 * struct vrl_image - an ELF image mapped into memory.  Addresses are
 * run-time addresses (load bias applied).
 */
struct vrl_image {
	uintptr_t bias;
	uintptr_t entry;
	uintptr_t phdr;
	unsigned int phnum;
	uintptr_t start_code, end_code, start_data, end_data, end;
};

int vrl_elf_load(int fd, int main_prog, struct vrl_image *img, char *interp, size_t interp_cap);

/* stack.c */
/**
 * struct vrl_stack_in - what the program's initial stack is built from.
 * @sp:      the kernel's initial stack pointer (argc) of this loader.
 * @args:    the program's argv.
 * @execfn:  the path the program was executed as (AT_EXECFN).
 * @exe:     the program; @interp its interpreter, or NULL.
 */
struct vrl_stack_in {
	long *sp;
	const struct vrl_args *args;
	const char *execfn;
	const struct vrl_image *exe;
	const struct vrl_image *interp;
};

void *vrl_stack_build(const struct vrl_stack_in *in);

/* ownfd.c: vroot's own descriptors, which the program must not reach */
#define VRL_OWNFD_SPAN 2048
int vrl_ownfd_answer(struct vr_loader_ctx *ctx, long nr, const long a[6], long *ret);
int vrl_ownfd_floor(unsigned int n);

/* state.c */
int vrl_state_decode(struct vrl_state *st, char *hex);
char *vrl_state_arg(const struct vrl_state *st, struct vr_task *t, size_t *size);

#endif
