#!/bin/sh
# kernel-features.sh - on a kernel without a feature vroot needs, vroot run
# says which one and which Linux has it, in one line, exits 125 and creates
# nothing; features it can do without change nothing a program sees.  The
# kernel's answers are simulated with tests/loader/helpers/nofeature.c (a
# seccomp filter making the calls fail as an older kernel would).
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc python3
plan 23

NF=$tmp/nofeature
gcc -O2 -Wall -o "$NF" "$top/tests/loader/helpers/nofeature.c"
P=$tmp/prefix

# refused DESC NEEDLE... -- CMD...: CMD exits 125 with exactly one line on
# stderr holding every NEEDLE, nothing on stdout; then no prefix exists.
refused() {
	desc=$1
	shift
	needles=
	while [ "$1" != -- ]; do
		needles="$needles$1
"
		shift
	done
	shift
	rm -rf "$P" "$P.work"
	capture ref "$@"
	good=1
	[ "$rc" = 125 ] && [ "$(wc -l <"$tmp/ref.err")" = 1 ] && [ ! -s "$tmp/ref.out" ] || good=
	printf '%s' "$needles" >"$tmp/needles"
	while IFS= read -r s; do
		grep -qF -- "$s" "$tmp/ref.err" || good=
	done <"$tmp/needles"
	if [ -n "$good" ]; then
		ok "$desc: status 125, one line"
	else
		{
			echo "want status 125 and one line naming:"
			cat "$tmp/needles"
			echo "got status $rc, stderr:"
			cat "$tmp/ref.err"
			echo "stdout:"
			cat "$tmp/ref.out"
		} >"$tmp/ref.diag"
		not_ok "$desc: status 125, one line" "$tmp/ref.diag"
	fi
	if [ -e "$P" ] || [ -e "$P.work" ]; then
		ls -ld "$P" "$P.work" >"$tmp/ref.diag" 2>&1 || true
		not_ok "$desc: no prefix created" "$tmp/ref.diag"
	else
		ok "$desc: no prefix created"
	fi
}

# The simulation works: natively, the calls fail as on an old kernel.
capture sim "$NF" faccessat2 renameat2 -- python3 -c '
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
r = libc.syscall(439, -100, b"/", 0, 0x200)
print(r, errno.errorcode[ctypes.get_errno()])
r = libc.syscall(316, -100, b"", -100, b"", 1)
print(r, errno.errorcode[ctypes.get_errno()])'
is "nofeature makes faccessat2 and renameat2 answer ENOSYS" "-1 ENOSYS
-1 ENOSYS" "$(cat "$tmp/sim.out")"

# --- needed: refused before anything is created -------------------------------
refused "no seccomp" seccomp "Linux 4.14" CONFIG_SECCOMP_FILTER -- \
	"$NF" seccomp -- "$VROOT" run --prefix "$P" -- true
refused "no renameat2" "renameat2(2)" "Linux 3.15" -- \
	"$NF" renameat2 -- "$VROOT" run --prefix "$P" -- true
refused "no MADV_WIPEONFORK" MADV_WIPEONFORK "Linux 4.14" -- \
	"$NF" wipeonfork -- "$VROOT" run --prefix "$P" -- true
refused "no faccessat2" "faccessat2(2)" "Linux 5.8" "Function not implemented" -- \
	"$NF" faccessat2 -- "$VROOT" run --prefix "$P" -- true
refused "several missing: the first is named" seccomp "Linux 4.14" -- \
	"$NF" faccessat2 seccomp -- "$VROOT" run --prefix "$P" -- true
# The loader started directly says the same.
refused "loader without seccomp" vroot-loader seccomp "Linux 4.14" -- \
	"$NF" seccomp -- "$top/build/vroot-loader" /bin/true
refused "loader without MADV_WIPEONFORK" vroot-loader MADV_WIPEONFORK "Linux 4.14" -- \
	"$NF" wipeonfork -- "$top/build/vroot-loader" /bin/true

# --- used when present: everything still works --------------------------------
mkdir -p "$tmp/lower/data/a/b/c"
printf 'orig\n' >"$tmp/lower/data/a/b/c/f"
printf 'orig\nmore\n10\n' >"$tmp/want"
for f in openat2 copy_file_range process_vm statx; do
	rm -rf "$P" "$P.work"
	capture fb "$NF" "$f" -- "$VROOT" run --prefix "$P" --base "$tmp/lower" --base / -- \
		sh -c 'echo more >>/data/a/b/c/f && cat /data/a/b/c/f && stat -c %s /data/a/b/c/f'
	if [ "$rc" = 0 ] && cmp -s "$tmp/want" "$tmp/fb.out" && [ ! -s "$tmp/fb.err" ]; then
		ok "without $f: copy-up, read, stat as usual"
	else
		{
			echo "status $rc, stdout:"
			cat "$tmp/fb.out"
			echo "stderr:"
			cat "$tmp/fb.err"
		} >"$tmp/fb.diag"
		not_ok "without $f: copy-up, read, stat as usual" "$tmp/fb.diag"
	fi
	is "without $f: the base is untouched" "orig" "$(cat "$tmp/lower/data/a/b/c/f")"
done

done_testing
