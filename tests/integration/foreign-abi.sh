#!/bin/sh
# foreign-abi.sh - vroot runs x86-64 programs only, and no other system
# call ABI gets past the namespace: `vroot run` refuses an i386 or x32 ELF
# with one line (126), execve of one inside fails with ENOEXEC, and a
# 64-bit program calling open through `int $0x80` (i386) or with
# __X32_SYSCALL_BIT gets ENOSYS instead of reaching a host file the
# namespace hides.  Where the kernel has no IA-32 emulation, `int $0x80`
# never becomes a system call (the program gets SIGSEGV natively) and
# inside it must end the same way.  The ELF files are generated here,
# byte by byte.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc python3
plan 14

FA=$tmp/foreign_abi
gcc -O2 -Wall -o "$FA" "$top/tests/loader/helpers/foreign_abi.c"

# i386_elf: a static i386 program (ELF header, one PT_LOAD at 0x08048000)
# that writes "hi" with int $0x80 (write = 4, exit = 1).
i386_elf() {
	printf '\177\105\114\106\001\001\001\000\000\000\000\000\000\000\000\000'
	# e_type EXEC, e_machine 3 (EM_386), e_version, e_entry 0x08048054, e_phoff 52
	printf '\002\000\003\000\001\000\000\000\124\200\004\010\064\000\000\000'
	# e_shoff, e_flags, e_ehsize 52, e_phentsize 32, e_phnum 1
	printf '\000\000\000\000\000\000\000\000\064\000\040\000\001\000\000\000'
	# e_shentsize/shnum/shstrndx; PT_LOAD, offset 0, vaddr 0x08048000
	printf '\000\000\000\000\001\000\000\000\000\000\000\000\000\200\004\010'
	# paddr, filesz = memsz = 118, PF_R|PF_X
	printf '\000\200\004\010\166\000\000\000\166\000\000\000\005\000\000\000'
	# align 0x1000; mov $4,%eax; mov $1,%ebx; mov $msg,%ecx
	printf '\000\020\000\000\270\004\000\000\000\273\001\000\000\000\271\163'
	# mov $3,%edx; int $0x80; mov $1,%eax; xor %ebx,%ebx
	printf '\200\004\010\272\003\000\000\000\315\200\270\001\000\000\000\061'
	# int $0x80; msg: "hi\n"
	printf '\333\315\200\150\151\012'
}
mkdir "$tmp/bin"
i386_elf >"$tmp/bin/i386"
# The same header with e_machine EM_X86_64 and ELFCLASS32: an x32 program.
i386_elf | python3 -c 'import sys; b = bytearray(sys.stdin.buffer.read()); b[18] = 62; sys.stdout.buffer.write(b)' \
	>"$tmp/bin/x32"
chmod 755 "$tmp/bin/i386" "$tmp/bin/x32"
is "the i386 ELF is 118 bytes" "118" "$(wc -c <"$tmp/bin/i386")"

# Natively: does this kernel run i386 code (IA32 emulation)?
capture native "$tmp/bin/i386"
ia32=
if [ "$rc" = 0 ] && [ "$(cat "$tmp/native.out")" = hi ]; then
	ia32=1
	ok "natively the i386 program runs"
else
	skip "natively the i386 program runs" "no IA32 emulation in this kernel"
fi

# one_line DESC STATUS NEEDLE NAME: $rc and $tmp/NAME.{out,err} as wanted.
one_line() {
	if [ "$rc" = "$2" ] && [ "$(wc -l <"$tmp/$4.err")" = 1 ] && grep -qF -- "$3" "$tmp/$4.err" &&
		[ ! -s "$tmp/$4.out" ]; then
		ok "$1"
	else
		{
			echo "want status $2 and one line naming $3; got status $rc:"
			cat "$tmp/$4.err" "$tmp/$4.out"
		} >"$tmp/diag"
		not_ok "$1" "$tmp/diag"
	fi
}

capture run vr -- "$tmp/bin/i386"
one_line "vroot run of an i386 ELF: 126, one line" 126 \
	"$tmp/bin/i386: cannot execute: 32-bit programs are not supported" run
capture run vr -- "$tmp/bin/x32"
one_line "vroot run of an x32 ELF: 126, one line" 126 "32-bit programs are not supported" run
is "... nothing of it ran" "" "$(cat "$tmp/run.out")"

# execve inside the namespace: ENOEXEC, as for any format the loader cannot map.
capture ex vr -- python3 -c '
import errno, os, sys
try:
    os.execv(sys.argv[1], [sys.argv[1]])
except OSError as e:
    print(errno.errorcode[e.errno])' "$tmp/bin/i386"
is "execve of an i386 ELF inside: ENOEXEC" "ENOEXEC" "$(cat "$tmp/ex.out")"
capture ex vr -- bash -c "$tmp/bin/i386"
is "bash inside: 126, Exec format error" "126 yes" \
	"$rc $(grep -q 'Exec format error' "$tmp/ex.err" && echo yes)"

# Other ABIs from a 64-bit program: a host file the namespace hides.
mkdir "$tmp/hidden"
printf 'host secret\n' >"$tmp/hidden/f"
capture hide vr -- rm -rf "$tmp/hidden"
is "the namespace hides $tmp/hidden (a whiteout in the prefix)" "0 1" \
	"$rc $(test -f "$tmp/hidden/f" && echo 1)"
capture n64 vr -- cat "$tmp/hidden/f"
is "... a 64-bit open inside: not found" "1" "$rc"
# Natively, int $0x80 either reaches the file (IA-32 emulation) or is no
# system call at all: inside, the first must be ENOSYS, the second the
# same end as natively.
capture n80 "$FA" i386 "$tmp/hidden/f"
native80="$rc $(cat "$tmp/n80.out")"
if [ -n "$ia32" ]; then
	is "natively int \$0x80 open reaches the file" "0 opened: host secret" "$native80"
	want80="1 error: ENOSYS" end80=ENOSYS
else
	is "natively int \$0x80 is no system call here (SIGSEGV)" "139 " "$native80"
	want80=$native80 end80="SIGSEGV, as natively"
fi
capture i32 vr -- "$FA" i386 "$tmp/hidden/f"
is "int \$0x80 open inside: $end80, the host file stays out of reach" "$want80" \
	"$rc $(cat "$tmp/i32.out")"
capture x32 vr -- "$FA" x32 "$tmp/hidden/f"
is "x32 open inside: ENOSYS" "1 error: ENOSYS" "$rc $(cat "$tmp/x32.out")"
# A file that exists only inside: still ENOSYS, never a host lookup.
capture mk vr -- sh -c "mkdir -p /vroot-only && echo inside >/vroot-only/f && cat /vroot-only/f"
is "a file made inside is there for 64-bit calls" "inside" "$(cat "$tmp/mk.out")"
capture i32b vr -- "$FA" i386 /vroot-only/f
is "int \$0x80 open of it inside: $end80" "$want80" "$rc $(cat "$tmp/i32b.out")"
done_testing
