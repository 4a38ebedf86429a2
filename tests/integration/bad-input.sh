#!/bin/sh
# bad-input.sh - vroot run refuses bad options with status 125 and one line
# on stderr naming what is wrong, before creating anything; a command that
# cannot be executed is 126, one that is not found 127 (like env and the
# shells), with nothing on stdout.
set -eu
. "$(dirname "$0")/lib.sh"
plan 43

P=$tmp/prefix

# rejected STATUS DESC NEEDLE ARGS...: `vroot run ARGS` exits STATUS with
# exactly one line on stderr that contains NEEDLE, nothing on stdout, and
# (for 125, unless $needs_ns is set: the check needed the namespace) neither
# the prefix nor its work directory appears.
rejected() {
	want=$1 desc=$2 needle=$3
	shift 3
	rm -rf "$P" "$P.work"
	capture rej "$VROOT" run "$@"
	lines=$(wc -l <"$tmp/rej.err")
	if [ "$rc" = "$want" ] && [ "$lines" = 1 ] && grep -qF -- "$needle" "$tmp/rej.err" &&
		[ ! -s "$tmp/rej.out" ]; then
		ok "$desc: status $want, one line naming $needle"
	else
		{
			echo "want status $want and one line naming $needle"
			echo "got status $rc, stderr:"
			cat "$tmp/rej.err"
			echo "stdout:"
			cat "$tmp/rej.out"
		} >"$tmp/rej.diag"
		not_ok "$desc: status $want, one line naming $needle" "$tmp/rej.diag"
	fi
	if [ "$want" = 125 ] && [ -z "${needs_ns:-}" ]; then
		if [ -e "$P" ] || [ -e "$P.work" ]; then
			ls -ld "$P" "$P.work" >"$tmp/rej.diag" 2>&1 || true
			not_ok "$desc: no prefix created" "$tmp/rej.diag"
		else
			ok "$desc: no prefix created"
		fi
	fi
}

# --- options: 125, nothing created -------------------------------------------
rejected 125 "nonexistent --base" "$tmp/no-such-base" \
	--prefix "$P" --base "$tmp/no-such-base" -- true
touch "$tmp/file"
rejected 125 "--base is a file" "$tmp/file" --prefix "$P" --base "$tmp/file" -- true
rejected 125 "nonexistent --mount source" "$tmp/no-such-src" \
	--prefix "$P" --mount "$tmp/no-such-src:/x" -- true
rejected 125 "--mount without a colon" "nocolon" --prefix "$P" --mount nocolon -- true
rejected 125 "--mount with a relative virtual path" "$tmp:rel" \
	--prefix "$P" --mount "$tmp:rel" -- true
rejected 125 "--mount with an unknown flag" "bogus" \
	--prefix "$P" --mount "$tmp:/x:bogus" -- true
rejected 125 "--mount with an empty host" "--mount" --prefix "$P" --mount ":/x" -- true
rejected 125 "unknown option" "--no-such-option" --prefix "$P" --no-such-option -- true
rejected 125 "option missing its argument" "--base" --prefix "$P" --base
rejected 125 "no command" "command" --prefix "$P"
needs_ns=1
rejected 125 "--cwd that does not exist" "/no/such/dir" --prefix "$P" --cwd /no/such/dir -- true
needs_ns=

# --- unusable prefixes: 125 --------------------------------------------------
rm -rf "$P" "$P.work"
capture pf "$VROOT" run --prefix "$tmp/file" -- true
is "--prefix that is a file: status 125" "125" "$rc"
is "... one line naming it" "1 yes" \
	"$(wc -l <"$tmp/pf.err") $(grep -qF "$tmp/file" "$tmp/pf.err" && echo yes)"
is "... the file is left alone" "0" "$(wc -c <"$tmp/file")"
# Below /proc nothing can be created, not even by root.
rejected 125 "--prefix below /proc" "/proc/1/vroot-prefix" --prefix /proc/1/vroot-prefix -- true
# A directory the user cannot write to: mode 555, or immutable for root.
mkdir "$tmp/ro"
chmod 555 "$tmp/ro"
if is_root && ! chattr +i "$tmp/ro" 2>/dev/null; then
	skip "--prefix in a read-only directory" "root, and chattr +i does not work here"
	skip "... no prefix created" "root, and chattr +i does not work here"
else
	P=$tmp/ro/prefix
	rejected 125 "--prefix in a read-only directory" "$tmp/ro/prefix" --prefix "$P" -- true
	P=$tmp/prefix
	if is_root; then chattr -i "$tmp/ro"; fi
fi

# --- commands that cannot run: 126, 127 ---------------------------------------
mkdir -p "$tmp/cmds"
printf '#!/bin/sh\necho should not run\n' >"$tmp/cmds/noexec"
chmod 644 "$tmp/cmds/noexec"
rejected 126 "command is a directory" "$tmp/cmds" --prefix "$P" -- "$tmp/cmds"
rejected 126 "command is not executable" "$tmp/cmds/noexec" --prefix "$P" -- "$tmp/cmds/noexec"
oldpath=$PATH
PATH=/usr/bin:/bin
rejected 127 "command not on PATH" "vroot-no-such-command" --prefix "$P" -- vroot-no-such-command
# A PATH directory the user cannot search does not make a missing command
# "cannot execute" (bash and dash say 127, not found).
mkdir "$tmp/nosearch"
chmod 000 "$tmp/nosearch"
PATH=$tmp/nosearch:/usr/bin:/bin
rejected 127 "command not on a PATH with an unsearchable dir" "vroot-no-such-command" \
	--prefix "$P" -- vroot-no-such-command
PATH=$oldpath
rejected 127 "command path does not exist" "$tmp/cmds/missing" --prefix "$P" -- "$tmp/cmds/missing"
rejected 127 "command below a file" "$tmp/cmds/noexec/x" --prefix "$P" -- "$tmp/cmds/noexec/x"

# A minimal ELF executable for aarch64 (EM_AARCH64 = 183): ELF header and one
# PT_LOAD program header.
elf() {
	# e_ident: magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT, padding
	printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000'
	# e_type EXEC, e_machine 183, e_version 1, e_entry 0x400078
	printf '\002\000\267\000\001\000\000\000\170\000\100\000\000\000\000\000'
	# e_phoff 64, e_shoff 0
	printf '\100\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000'
	# e_flags, e_ehsize 64, e_phentsize 56, e_phnum 1, e_shentsize, e_shnum, e_shstrndx
	printf '\000\000\000\000\100\000\070\000\001\000\000\000\000\000\000\000'
	# PT_LOAD, PF_R|PF_X, offset 0, vaddr = paddr = 0x400000
	printf '\001\000\000\000\005\000\000\000\000\000\000\000\000\000\000\000'
	printf '\000\000\100\000\000\000\000\000\000\000\100\000\000\000\000\000'
	# filesz = memsz = 0x80, align 0x1000; then the "code" (4 nops)
	printf '\200\000\000\000\000\000\000\000\200\000\000\000\000\000\000\000'
	printf '\000\020\000\000\000\000\000\000\037\040\003\325\037\040\003\325'
}
elf >"$tmp/cmds/aarch64"
chmod 755 "$tmp/cmds/aarch64"
is "the aarch64 ELF is 128 bytes" "128" "$(wc -c <"$tmp/cmds/aarch64")"
rejected 126 "ELF for aarch64" "$tmp/cmds/aarch64" --prefix "$P" -- "$tmp/cmds/aarch64"
# Shells see the same failure through the namespace as natively.
if grep -qs aarch64 /proc/sys/fs/binfmt_misc/* 2>/dev/null; then
	skip "bash running the aarch64 ELF, as natively" "binfmt_misc runs aarch64 binaries here"
else
	capture native bash -c "$tmp/cmds/aarch64"
	nrc=$rc
	capture vroot "$VROOT" run --prefix "$P" -- bash -c "$tmp/cmds/aarch64"
	is "bash running the aarch64 ELF, as natively" "$nrc $(cat "$tmp/native.err")" \
		"$rc $(cat "$tmp/vroot.err")"
fi
for c in "$tmp/cmds" "$tmp/cmds/noexec" vroot-no-such-command; do
	capture native bash -c "$c"
	nrc=$rc
	capture vroot "$VROOT" run --prefix "$P" -- bash -c "$c"
	is "bash -c ${c##*/}: status and message as natively" "$nrc $(cat "$tmp/native.err")" \
		"$rc $(cat "$tmp/vroot.err")"
done
# The program's own 126/127 are passed through unchanged.
is "a program's own status 126" "126" "$("$VROOT" run --prefix "$P" -- sh -c 'exit 126' || echo $?)"
is "a program's own status 127" "127" "$("$VROOT" run --prefix "$P" -- sh -c 'exit 127' || echo $?)"
is "a program's own status 125" "125" "$("$VROOT" run --prefix "$P" -- sh -c 'exit 125' || echo $?)"
done_testing
