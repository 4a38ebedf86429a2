/*
 * sigentry.S - vroot's code runs on vroot's own stacks (stackpool.c).
 *
 * vrl_sigsys_entry is the SIGSYS handler the kernel calls.  The kernel put
 * its signal frame on whatever stack the program gave the thread: a signal
 * stack of a few KiB from malloc (Python's faulthandler: 16 KiB), Go's
 * 32 KiB gsignal stack, or the thread's own stack.  Nothing more may be
 * written there, not even a return address: the frame may end a few bytes
 * above the program's neighbouring heap block.  So the entry, using
 * registers only, claims a pool stack, copies the kernel's frame onto it
 * (the fpstate keeps its 64-byte alignment for XRSTOR), runs the C handler
 * on the copy, then copies the frame back to where the kernel put it and
 * returns to the restorer, which sigreturns from there.
 *
 * Why a copy rather than only a new stack pointer: a program's signal
 * arriving while a trapped call blocks (open of a FIFO) is delivered, when
 * its handler has SA_ONSTACK, at the top of the program's signal stack,
 * because the interrupted stack pointer (ours) is not on it.  That is where
 * the kernel's SIGSYS frame is: the program's handler overwrites it.  Once
 * the frame lives on our stack, the program's signal stack is free for its
 * own handlers, as it is natively while the thread runs outside them.  When
 * our handler is done every nested handler has returned, and the frame's
 * old place is free again to copy the frame back to.
 *
 * A SIGSYS that is not our trap (the program's own filter, kill()) is
 * handled where the kernel put it: the program's handler then runs on the
 * stack it asked for.  A nested session's trap to forward is not (see
 * .Lnested), but for its program's rt_sigreturn.
 *
 * Every register is ours to clobber here: the restorer's rt_sigreturn
 * restores them all from the frame.
 */
#include <asm/unistd.h>
#include "stackpool.h"

#define VRL_TAG_BASE       0x5652 /* loader.h */
#define VRL_MAX_NEST       4      /* sys.h */
#define VRL_TPAGE_RESTORER 0x10   /* sys.h */

/*
 * CLAIM save, restore: take a free slot.  Out: %r11 = the top of its stack,
 * %r10 = its chunk, %r9 = its index; %r11 = 0 when no memory could be had.
 * Clobbers %rax, %rcx; when every chunk is full, a new chunk is mapped (its
 * slot 0 is ours; vrl_pool_enter() links it into the list), which also
 * clobbers %rdi, %rsi, %rdx, %r8: "save" and "restore" keep what the caller
 * needs of them.
 */
.macro CLAIM save, restore
	mov vrl_pool(%rip), %r10
	test %r10, %r10
	jz 4f
1:	mov VRL_CH_BUSY(%r10), %rax
	not %rax
	bsf %rax, %r9
	jz 2f
	lock bts %r9, VRL_CH_BUSY(%r10)
	jc 1b
	lea 1(%r9), %r11
	imul $VRL_SLOT_STRIDE, %r11, %r11
	lea VRL_CHUNK_HDR(%r10,%r11), %r11
	jmp 9f
2:	mov VRL_CH_NEXT(%r10), %rax
	test %rax, %rax
	jz 3f
	mov %rax, %r10
	jmp 1b
	/*
	 * mmap is not a trapped call, so the filter lets it through from
	 * here: there is no stack to call the trusted page with.
	 */
3:	\save
	mov $__NR_mmap, %eax
	xor %edi, %edi
	mov $VRL_CHUNK_SIZE, %esi
	mov $3, %edx		/* PROT_READ | PROT_WRITE */
	mov $0x4022, %r10d	/* MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE */
	mov $-1, %r8
	xor %r9d, %r9d
	syscall
	\restore
	cmp $-4095, %rax
	jae 4f
	mov %rax, %r10
	movq $1, VRL_CH_BUSY(%r10)
	xor %r9d, %r9d
	lea VRL_CHUNK_HDR+VRL_SLOT_STRIDE(%r10), %r11
	jmp 9f
4:	xor %r11d, %r11d
9:
.endm

	.text
/*
 * void vrl_sigsys_entry(int sig, siginfo_t *si, struct ucontext *uc)
 * %rsp: the kernel's frame (its first word is the restorer's address).
 */
	.globl vrl_sigsys_entry
	.hidden vrl_sigsys_entry
	.type vrl_sigsys_entry, @function
vrl_sigsys_entry:
	cmpl $VRL_SYS_SECCOMP, VRL_SI_CODE(%rsi)
	jne .Ldirect
	mov vrl_level(%rip), %eax
	add $VRL_TAG_BASE, %eax
	cmp %eax, VRL_SI_ERRNO(%rsi)
	jne .Lnested
	cmpl $__NR_rt_sigreturn, VRL_SI_SYSCALL(%rsi)
	je .Lsigreturn
.Lpool:
	/* The frame: from %rsp to the end of siginfo or of the fpstate. */
	lea 128(%rsi), %r8
	mov VRL_UC_FPSTATE(%rdx), %rax
	test %rax, %rax
	jz 1f
	mov $VRL_FX_SIZE, %ecx
	cmpl $VRL_FP_MAGIC1, VRL_FX_SW(%rax)
	jne 2f
	mov VRL_FX_SW+4(%rax), %ecx	/* extended_size */
2:	add %rcx, %rax
	cmp %r8, %rax
	cmova %rax, %r8
1:	sub %rsp, %r8
	cmp $VRL_FRAME_MAX, %r8
	ja .Ldirect
	mov %rdi, %r12
	mov %rsi, %r13
	mov %rdx, %r14
	mov %r8, %r15
	CLAIM
	test %r11, %r11
	jz .Lno_stack
	/* The copy: under the top, at the frame's address modulo 64. */
	lea -64(%r11), %rdi
	sub %r15, %rdi
	and $-64, %rdi
	mov %rsp, %rax
	and $63, %eax
	add %rax, %rdi
	mov %rdi, %rbx
	mov %rsp, %rsi
	mov %r15, %rcx
	rep movsb
	mov %rbx, %rbp
	sub %rsp, %rbp			/* delta: copy - frame */
	lea (%r14,%rbp), %r14		/* the copy's ucontext */
	mov VRL_UC_FPSTATE(%r14), %rax
	test %rax, %rax
	jz 3f
	add %rbp, %rax
	mov %rax, VRL_UC_FPSTATE(%r14)
3:	mov %r12d, %edi
	lea (%r13,%rbp), %rsi
	mov %r14, %rdx
	mov %r10, %rcx
	mov %r9, %r8
	mov %r10, %r12
	mov %r9, %r13
	mov %rbx, %r9
	sub %rbp, %r9			/* where the kernel put the frame */
	lea -8(%rbx), %rsp
	call vrl_sigsys_on_pool
	/* rbx copy, rbp delta, r12 chunk, r13 index, r14 uc copy, r15 length */
	mov VRL_UC_FPSTATE(%r14), %rax
	test %rax, %rax
	jz 4f
	sub %rbp, %rax
	mov %rax, VRL_UC_FPSTATE(%r14)
	/*
	 * Back on the frame's place before writing it: a signal arriving
	 * now is delivered below it, not on top of it.
	 */
4:	mov %rbx, %rsi
	mov %rbx, %rdi
	sub %rbp, %rdi
	mov %rdi, %rsp
	mov %r15, %rcx
	rep movsb
	lock btr %r13, VRL_CH_BUSY(%r12)
	ret
	/*
	 * The program's rt_sigreturn (the filter traps it from anywhere but
	 * our page): its frame is under its stack pointer, as the kernel
	 * expects.  A handler may have put SIGSYS in the mask that frame
	 * restores, which would kill the program at its next trapped call:
	 * take it out, and make the call from our page, where this frame of
	 * ours is simply left behind.  The thread's virtual mask keeps it
	 * (vrl_sig_return_held(), on a stack of ours: the frame may sit on a
	 * small signal stack; without one, it is not remembered).  (A
	 * foreign-arch call with the number 15 is never ours to do: it is
	 * answered ENOSYS as the others.)
	 */
.Lsigreturn:
	cmpl $0xc000003e, VRL_SI_ARCH(%rsi)	/* AUDIT_ARCH_X86_64 */
	jne .Ldirect
	mov VRL_UC_RSP(%rdx), %rsp
	btrq $30, VRL_UC_SIGMASK(%rsp)		/* SIGSYS - 1 */
	jnc 5f
	mov %rsp, %rbx
	CLAIM
	test %r11, %r11
	jz 6f
	mov %r11, %rsp
	mov %r10, %r12
	mov %r9, %r13
	mov %r10, %rdi
	mov %r9, %rsi
	call vrl_sig_return_held
	lock btr %r13, VRL_CH_BUSY(%r12)
6:	mov %rbx, %rsp
5:	mov vrl_tpage(%rip), %rax
	add $VRL_TPAGE_RESTORER, %rax
	jmp *%rax
	/*
	 * No memory for a stack of ours: the call fails with ENOMEM rather
	 * than run the handler on the stack the signal came on, which may be
	 * a program's small signal stack.
	 */
.Lno_stack:
	movq $-12, VRL_UC_RAX(%r14)	/* -ENOMEM */
	ret
	/*
	 * A trap of a session nested in ours (a newer tag) goes to its
	 * loader, our program's handler, from a stack of ours too: that
	 * loader answers it on stacks of its own, from which the calls it
	 * makes trap here, their frames at the top of the signal stack; a
	 * copy of this frame and a signal stack that ends below it
	 * (vrl_sig_stack_below()) keep them off whatever is still in use
	 * there.  Its program's rt_sigreturn goes where the kernel put it: that
	 * loader never returns from it.
	 */
.Lnested:
	jb .Ldirect
	add $VRL_MAX_NEST, %eax
	sub vrl_level(%rip), %eax
	cmp %eax, VRL_SI_ERRNO(%rsi)
	jae .Ldirect
	cmpl $__NR_rt_sigreturn, VRL_SI_SYSCALL(%rsi)
	jne .Lpool
.Ldirect:
	jmp vrl_sigsys
	.size vrl_sigsys_entry, . - vrl_sigsys_entry

/*
 * long vrl_on_stack(long (*fn)(void *arg), void *arg)
 * fn(arg) on a pool stack (loader.h).
 */
	.globl vrl_on_stack
	.hidden vrl_on_stack
	.type vrl_on_stack, @function
vrl_on_stack:
	CLAIM "push %rdi; push %rsi", "pop %rsi; pop %rdi"
	test %r11, %r11
	jz 1f
	mov %rsp, %rax
	mov %r11, %rsp
	push %rax
	push %r12
	push %r13
	push %r14
	mov %r10, %r12
	mov %r9, %r13
	mov %r10, %rdx
	mov %r9, %rcx
	call vrl_on_stack_c
	mov %r12, %rdx
	mov %r13, %rcx
	pop %r14
	pop %r13
	pop %r12
	pop %rsp
	lock btr %rcx, VRL_CH_BUSY(%rdx)
	ret
	/* No memory for a stack: the call fails, as at the trap (above). */
1:	mov $-12, %rax			/* -ENOMEM */
	ret
	.size vrl_on_stack, . - vrl_on_stack

	.section .note.GNU-stack, "", @progbits
