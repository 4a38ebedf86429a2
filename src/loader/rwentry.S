/*
 * rwentry.S - where a rewritten call site enters the loader (rewrite.c).
 *
 * A site's stub arrives here by `call *`, after moving %rsp below the red
 * zone, with %eax = the system call number and %r11d = the site's index.
 * Everything the kernel preserves across `syscall` is preserved here too:
 * the six argument registers, the flags (the C code may change them), and
 * the callee-saved registers (the C ABI keeps those), and %xmm0-15, which
 * the compiler may use for copies (the loader is built for the x86-64
 * baseline, whose SSE instructions leave the upper halves of %ymm/%zmm
 * and the x87 state alone).  %r11 receives the flags, as after `syscall`;
 * %rcx is clobbered.
 *
 * vrl_rw_call() returns two words: %rax the result, %rdx non-zero when the
 * call must take the trap path after all; then %rax is the number again and the
 * return goes to the stub's second tail, which jumps to the site's own
 * `syscall` instruction.
 */
#define RW_TRAP_TAIL 13 /* from the stub's first tail to its second */

	.text
	.globl vrl_rw_entry
	.hidden vrl_rw_entry
	.type vrl_rw_entry, @function
vrl_rw_entry:
	pushfq
	push %rdi
	push %rsi
	push %rdx
	push %r10
	push %r8
	push %r9
	push %rbp
	cld
	mov %rsp, %rbp
	and $-16, %rsp
	sub $256, %rsp
	movaps %xmm0, 0(%rsp)
	movaps %xmm1, 16(%rsp)
	movaps %xmm2, 32(%rsp)
	movaps %xmm3, 48(%rsp)
	movaps %xmm4, 64(%rsp)
	movaps %xmm5, 80(%rsp)
	movaps %xmm6, 96(%rsp)
	movaps %xmm7, 112(%rsp)
	movaps %xmm8, 128(%rsp)
	movaps %xmm9, 144(%rsp)
	movaps %xmm10, 160(%rsp)
	movaps %xmm11, 176(%rsp)
	movaps %xmm12, 192(%rsp)
	movaps %xmm13, 208(%rsp)
	movaps %xmm14, 224(%rsp)
	movaps %xmm15, 240(%rsp)
	mov %eax, %edi
	lea 8(%rbp), %rsi
	mov %r11d, %edx
	call vrl_rw_call
	movaps 0(%rsp), %xmm0
	movaps 16(%rsp), %xmm1
	movaps 32(%rsp), %xmm2
	movaps 48(%rsp), %xmm3
	movaps 64(%rsp), %xmm4
	movaps 80(%rsp), %xmm5
	movaps 96(%rsp), %xmm6
	movaps 112(%rsp), %xmm7
	movaps 128(%rsp), %xmm8
	movaps 144(%rsp), %xmm9
	movaps 160(%rsp), %xmm10
	movaps 176(%rsp), %xmm11
	movaps 192(%rsp), %xmm12
	movaps 208(%rsp), %xmm13
	movaps 224(%rsp), %xmm14
	movaps 240(%rsp), %xmm15
	mov %rbp, %rsp
	pop %rbp
	test %rdx, %rdx
	jnz 1f
	pop %r9
	pop %r8
	pop %r10
	pop %rdx
	pop %rsi
	pop %rdi
	mov (%rsp), %r11
	popfq
	ret
1:	pop %r9
	pop %r8
	pop %r10
	pop %rdx
	pop %rsi
	pop %rdi
	addq $RW_TRAP_TAIL, 8(%rsp)
	popfq
	ret
	.size vrl_rw_entry, . - vrl_rw_entry

	.section .note.GNU-stack, "", @progbits
