/*
 * stackpool.h - the stacks vroot's code runs on (stackpool.c, sigentry.S).
 *
 * Shared by C and assembly: plain numbers only outside __ASSEMBLER__.
 *
 * A chunk is one mapping: a header page, then VRL_SLOTS slots, each a
 * guard page under VRL_SLOT_SIZE bytes of stack.  A slot's guard is made
 * when the slot is first used (most processes use one or two slots, and
 * each guard costs an mprotect at start and a mapping every fork copies).  Slot i's stack ends
 * (its top) at chunk + VRL_CHUNK_HDR + (i + 1) * VRL_SLOT_STRIDE.  Bit i of
 * the header's busy word is set while an activation runs on slot i.
 */
#ifndef VRL_STACKPOOL_H
#define VRL_STACKPOOL_H

#define VRL_SLOTS       64
#define VRL_GUARD       4096
#define VRL_SLOT_SIZE   (128 * 1024)
#define VRL_SLOT_STRIDE (VRL_SLOT_SIZE + VRL_GUARD)
#define VRL_CHUNK_HDR   4096
#define VRL_CHUNK_SIZE  (VRL_CHUNK_HDR + VRL_SLOTS * VRL_SLOT_STRIDE)

/*
 * The most of a slot the kernel's signal frame copy may take (sigentry.S):
 * the frame with AVX-512 state is 3.4 KiB, with AMX tiles 11.5 KiB.  A
 * larger frame is handled where the kernel put it.  The rest of the slot is
 * the handler's; build.mk refuses any loader function over 16 KiB of stack.
 */
#define VRL_FRAME_MAX (32 * 1024)

/* Offsets in the chunk header. */
#define VRL_CH_BUSY  0  /* unsigned long: bit per slot */
#define VRL_CH_NEXT  8  /* next chunk, or 0 */
#define VRL_CH_READY 16 /* int: guards made and linked in the list */

/* Offsets in the kernel's signal frame (struct rt_sigframe, x86-64). */
#define VRL_SI_ERRNO    4   /* siginfo.si_errno */
#define VRL_SI_CODE     8   /* siginfo.si_code */
#define VRL_SI_SYSCALL  24  /* siginfo.si_syscall */
#define VRL_SI_ARCH     28  /* siginfo.si_arch */
#define VRL_UC_RAX      144 /* ucontext.uc_mcontext.rax */
#define VRL_UC_RSP      160 /* ucontext.uc_mcontext.rsp */
#define VRL_UC_SIGMASK  296 /* ucontext.uc_sigmask */
#define VRL_UC_FPSTATE  224 /* ucontext.uc_mcontext.fpstate */
#define VRL_FX_SW       464 /* struct _fpx_sw_bytes in the fxsave area */
#define VRL_FP_MAGIC1   0x46505853
#define VRL_FX_SIZE     512 /* fxsave area without extended state */
#define VRL_SYS_SECCOMP 1

#ifndef __ASSEMBLER__
#include <stddef.h>

/* Mappings an exec's arguments may take (the argv vector, the state). */
#define VRL_HELD_MAPS 2

struct vrl_chunk {
	unsigned long busy;
	struct vrl_chunk *next;
	int ready;
	int npending;
	unsigned long guarded; /* bit per slot: its guard page is made */
	int held[VRL_SLOTS]; /* pid execing from the slot (see exec.c), or 0 */
	/* What that exec's arguments were built in: unmapped with the slot. */
	struct vrl_held_map {
		void *addr;
		unsigned long len;
	} maps[VRL_SLOTS][VRL_HELD_MAPS];
};

_Static_assert(offsetof(struct vrl_chunk, busy) == VRL_CH_BUSY, "busy");
_Static_assert(offsetof(struct vrl_chunk, next) == VRL_CH_NEXT, "next");
_Static_assert(offsetof(struct vrl_chunk, ready) == VRL_CH_READY, "ready");
_Static_assert(sizeof(struct vrl_chunk) <= VRL_CHUNK_HDR, "header");
_Static_assert(VRL_SLOTS == 64, "one busy word per chunk");

/* First chunk of this process's pool (sigentry.S reads it). */
extern struct vrl_chunk *vrl_pool;

int vrl_pool_init(void);
void vrl_pool_enter(struct vrl_chunk *c, int index);
void vrl_pool_exec_begin(const struct vrl_held_map maps[VRL_HELD_MAPS]);
void vrl_pool_exec_end(void);
#endif

#endif
