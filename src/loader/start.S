/*
 * start.S - process entry and the final jump into the program.
 *
 * The kernel starts us with %rsp pointing at argc, followed by argv, envp
 * and auxv, all other registers zero.  We move onto a private stack in .bss
 * before running any C: the program's argv/envp/auxv block is later built
 * *below* the kernel's %rsp, in the real process stack, and that memory must
 * not hold live loader frames.
 */
	.section .bss
	.balign 64
vrl_boot_stack:
	.space 262144
	.globl vrl_boot_stack_top
	.hidden vrl_boot_stack_top
vrl_boot_stack_top:

	.text
	.globl _start
	.type _start, @function
_start:
	.cfi_startproc
	.cfi_undefined rip
	xor %ebp, %ebp
	mov %rsp, %rdi
	lea vrl_boot_stack_top(%rip), %rsp
	and $-16, %rsp
	call vrl_start_c
	hlt
	.cfi_endproc
	.size _start, . - _start

/*
 * void vrl_jump(void *entry, void *sp)
 *
 * Enter the program (or its interpreter) as the kernel would: %rsp at argc,
 * %rdx = 0 (no function for atexit, per the x86-64 psABI), every other
 * register cleared, direction flag clear.
 */
	.globl vrl_jump
	.hidden vrl_jump
	.type vrl_jump, @function
vrl_jump:
	mov %rsi, %rsp
	mov %rdi, %r11
	xor %eax, %eax
	xor %ebx, %ebx
	xor %ecx, %ecx
	xor %edx, %edx
	xor %esi, %esi
	xor %edi, %edi
	xor %ebp, %ebp
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %r10d, %r10d
	xor %r12d, %r12d
	xor %r13d, %r13d
	xor %r14d, %r14d
	xor %r15d, %r15d
	cld
	jmp *%r11
	.size vrl_jump, . - vrl_jump

	.section .note.GNU-stack, "", @progbits
