#!/bin/sh
# install.sh - `make install DESTDIR=...` stages everything a user or a
# package needs (vroot, its loader, libvroot, vroot.h, vroot.pc, the man
# pages, bash completion); the staged vroot runs a program from wherever
# the tree is moved; the man page documents every option of `--help`; a
# program builds against the staged library through pkg-config; `make
# uninstall` removes every file it installed.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd make install man pkg-config
plan 9

D=$tmp/stage
capture inst make -s -C "$top" install DESTDIR="$D" PREFIX=/usr/local
is "make install into a staging directory" "0" "$rc$(cat "$tmp/inst.err")"

ver=$(sed -n 's/^#define VR_VERSION "\(.*\)"/\1/p' "$top/include/vroot.h")
abi=$(sed -n 's/^#define VR_ABI \([0-9]*\)/\1/p' "$top/include/vroot.h")
want="usr/local/bin/vroot
usr/local/include/vroot.h
usr/local/lib/libvroot.a
usr/local/lib/libvroot.so.$ver
usr/local/lib/pkgconfig/vroot.pc
usr/local/libexec/vroot/vroot-loader
usr/local/share/bash-completion/completions/vroot
usr/local/share/man/man1/vroot.1
usr/local/share/man/man3/libvroot.3"
is "what it installs" "$want" "$(cd "$D" && find . -type f | sed 's|^\./||' | sort)"
is "the library's links: by soname, and for linking" \
	"libvroot.so.$ver libvroot.so.$abi" \
	"$(readlink "$D/usr/local/lib/libvroot.so.$abi") $(readlink "$D/usr/local/lib/libvroot.so")"

# Moved elsewhere, the staged vroot finds the staged loader (../libexec).
mv "$D/usr/local" "$tmp/moved"
capture run "$tmp/moved/bin/vroot" run --prefix "$tmp/prefix" -- sh -c \
	'echo made >/made-by-installed; cat /made-by-installed'
is "the installed vroot runs a program from a moved tree" "made 0" "$(cat "$tmp/run.out") $rc"
mv "$tmp/moved" "$D/usr/local"

# Every option --help lists is in the man page.
opts=$("$VROOT" --help | grep '^  -' | cut -c1-25 | grep -o -- '--[a-z-]*' | sort -u)
missing=
for o in $opts; do
	man -l "$D/usr/local/share/man/man1/vroot.1" 2>/dev/null | grep -q -- "$o" || missing="$missing $o"
done
is "vroot(1) documents every option of --help ($(echo $opts | wc -w) options)" "" "$missing"
is "libvroot(3) renders" "LIBVROOT(3)" \
	"$(man -l "$D/usr/local/share/man/man3/libvroot.3" 2>/dev/null | sed -n '1s/ .*//p')"

# A program built against the staged library through pkg-config.
cat >"$tmp/hidden.c" <<'C'
#include <stdio.h>
#include <sys/stat.h>
#include "vroot.h"
int main(void)
{
	/* The overlay's own attributes are hidden from programs. */
	printf("%d %d\n", vr_xattr_hidden("trusted.overlay.opaque") != 0,
	       vr_xattr_hidden("user.mine") != 0);
	return 0;
}
C
if have cc; then
	sed "s|=/usr/local|=$D/usr/local|" "$D/usr/local/lib/pkgconfig/vroot.pc" >"$tmp/vroot.pc"
	capture cc sh -c "cc -o '$tmp/hidden' '$tmp/hidden.c' \$(PKG_CONFIG_PATH='$tmp' pkg-config --cflags --libs vroot) -Wl,-rpath,'$D/usr/local/lib' && '$tmp/hidden'"
	is "a program builds and runs against the staged libvroot" "1 0" "$(cat "$tmp/cc.out")$(cat "$tmp/cc.err")"
else
	skip "a program builds against the staged libvroot" "no C compiler"
fi

capture comp bash -c ". '$D/usr/local/share/bash-completion/completions/vroot'; complete -p vroot"
is "bash completion registers for vroot" "complete -F _vroot vroot" "$(cat "$tmp/comp.out")"

capture un make -s -C "$top" uninstall DESTDIR="$D" PREFIX=/usr/local
is "make uninstall removes every file" "0" "$(find "$D" -type f | wc -l)"
done_testing
