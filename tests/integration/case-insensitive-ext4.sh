#!/bin/sh
# case-insensitive-ext4.sh - a ci mount against the kernel's own case
# folding: the same operations (create, open case variants, exclusive
# create and mkdir of variants, unlink by a variant, listing) in an ext4
# directory flagged casefold (as `chattr +F` does) and through
# `vroot run --mount HOST:/d:ci` over a plain directory, compared.
#
# The kernel: this machine's where it has ext4 casefold and the test runs
# as root (a loop mount); else Debian's kernel, which has it, booted in
# qemu without acceleration (no root needed): deps.sh installs qemu and
# keeps the kernel package unpacked in $kernel_cache; a tiny initramfs
# (busybox, the ext4 and virtio-blk modules, casefold-ops.c built static)
# runs the operations on an image made here with `mkfs.ext4 -O casefold`
# and writes the answers to a second disk as a tar.  About 30 seconds.
#
# Where APFS, which vroot follows, and ext4 answer differently the rows
# are compared with tables instead: vroot's with its rules' answers, the
# kernel's with ext4's (README, "Case-insensitive namespaces").
set -eu
. "$(dirname "$0")/lib.sh"

kernel_cache=${VROOT_KERNEL_CACHE:-/var/cache/vroot/linux-casefold}
PATH=$PATH:/usr/sbin:/sbin
need_cmd gcc python3 mkfs.ext4

# Which kernel answers: "host", "vm", or skip with the reason.
if is_root && [ -e /sys/fs/ext4/features/casefold ]; then
	need_cmd mount umount
	where=host
else
	why_host="this kernel has no ext4 casefold (CONFIG_UNICODE)"
	is_root || why_host="not root (a loop mount)"
	vmlinuz=$(ls "$kernel_cache"/boot/vmlinuz-* 2>/dev/null | head -n 1)
	if [ -z "$vmlinuz" ]; then
		echo "1..0 # SKIP $why_host, and no Debian kernel in $kernel_cache for a VM (deps.sh fetches it as root)"
		exit 0
	fi
	if ! have qemu-system-x86_64; then
		echo "1..0 # SKIP $why_host, and qemu-system-x86_64 not installed (deps.sh installs it as root)"
		exit 0
	fi
	busybox=$(command -v busybox || true)
	if [ -z "$busybox" ] || ! file -L "$busybox" | grep -q 'statically linked'; then
		echo "1..0 # SKIP $why_host, and no static busybox for a VM (busybox-static)"
		exit 0
	fi
	where=vm
fi
if ! gcc -O2 -static -o "$tmp/casefold-ops" "$top/tests/integration/casefold-ops.c" \
	>"$tmp/cc.log" 2>&1; then
	echo "1..0 # SKIP cannot link a static program (libc6-dev): $(head -n 3 "$tmp/cc.log")"
	exit 0
fi
plan 5

# The operations, one a line: LABEL <tab> OP <tab> NAME [<tab> ARG].
cat >"$tmp/gen.py" <<'PY'
import sys, unicodedata
# Names that are not UTF-8 are written as bytes (\udcXX is the byte XX).
sys.stdout.reconfigure(errors="surrogateescape")
part = sys.argv[1]
def op(label, *a):
    print("\t".join((label,) + a))
# Names, and variants made from them: case changes of ASCII and of
# precomposed Latin letters, which both folds agree on.
names = ["foo", "Mixed.Case.TXT", "caf\u00e9", "R\u00e9sum\u00e9 2", "x-Y_z.1"]
def variants(n):
    return sorted({n.upper(), n.lower(), n.swapcase(), n.title()})
if part == "same":
    for n in names:
        op("create " + n, "creat", n, n)
    op("listing", "ls")
    for n in names:
        for v in variants(n):
            op("read " + v, "read", v)
            op("O_EXCL " + v, "excl", v, "x")
            op("mkdir " + v, "mkdir", v)
    for n in names:
        v = n.upper()
        op("O_CREAT|O_TRUNC " + v, "creat", v, "new " + n)
        op("read " + n, "read", n)
    op("listing", "ls")
    op("unlink " + names[1].lower(), "unlink", names[1].lower())
    op("unlink " + names[3].upper(), "unlink", names[3].upper())
    op("listing", "ls")
    op("read absent FOO2", "read", "FOO2")
    # Rows of the folding both take from Unicode: not Turkish (dotless
    # and dotted I), final sigma, and names that are not UTF-8 (the byte
    # 0xE9 alone), which match only themselves.
    for n, v in [("\u0131", "I"), ("\u0130x", "i\u0307x"),
                 ("\u039f\u0394\u039f\u03a3", "\u03bf\u03b4\u03bf\u03c2"),
                 ("caf\udce9", "CAF\udce9")]:
        op("create " + n, "creat", n, n)
        op("read " + v, "read", v)
        op("read " + n, "read", n)
    op("listing", "ls")
else:
    # Rows where vroot (APFS's rules) and ext4 differ.
    op("create Stra\u00dfe", "creat", "Stra\u00dfe", "strasse")
    op("create \ufb01le", "creat", "\ufb01le", "file")
    op("create n\u00e9e", "creat", "n\u00e9e", "nee")
    op("create old", "creat", "old", "old")
    op("read STRASSE (full folding)", "read", "STRASSE")
    op("read FILE (ligature)", "read", "FILE")
    op("read NFD spelling of n\u00e9e", "read", unicodedata.normalize("NFD", "n\u00e9e"))
    op("rename old OLD", "rename", "old", "OLD")
    op("create \ua7c8 (Unicode 13)", "creat", "\ua7c8", "d")
    op("read \ua7c7 (its capital)", "read", "\ua7c7")
    op("create a\u200db (zero width joiner)", "creat", "a\u200db", "zwj")
    op("read ab", "read", "ab")
    op("listing", "ls")
PY
for part in same differ; do
	python3 "$tmp/gen.py" $part >"$tmp/ops.$part"
done

# vm_modules MODDIR NAME...: the modules' files (under MODDIR/kernel), each
# after those it depends on, from their .modinfo "depends=" (a subshell:
# its variables are its own through the recursion).
vm_modules() (
	md=$1
	shift
	for m in "$@"; do
		f=$(find "$md/kernel" -name "$m.ko" | head -n 1)
		if [ -z "$f" ]; then
			echo "no module $m in $md" >&2
			return 1
		fi
		deps=$(tr '\0' '\n' <"$f" | sed -n 's/^depends=//p' | tr ',' ' ')
		# shellcheck disable=SC2086 # a list of names
		[ -z "$deps" ] || vm_modules "$md" $deps
		echo "$f"
	done
)

# run_vm: the operations on ext4 casefold in Debian's kernel, in qemu.
run_vm() {
	kver=${vmlinuz##*/vmlinuz-}
	r=$tmp/initrd
	mkdir -p "$r/bin" "$r/mods" "$r/dev" "$r/proc" "$r/sys" "$r/mnt" "$r/out"
	cp "$busybox" "$r/bin/busybox"
	cp "$tmp/casefold-ops" "$r/bin/"
	cp "$tmp/ops.same" "$tmp/ops.differ" "$r/"
	# virtio's disks and ext4 (crc32c: ext4's soft dependency, asked of
	# the crypto API at mount, which cannot load it without modprobe).
	vm_modules "$kernel_cache/lib/modules/$kver" virtio_pci virtio_blk \
		crc32c_generic ext4 | awk '!seen[$0]++' >"$tmp/mods"
	while read -r f; do
		cp "$f" "$r/mods/"
		echo "${f##*/}" >>"$r/mods/order"
	done <"$tmp/mods"
	cat >"$r/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
exec 2>>/out/log
for m in $(cat /mods/order); do insmod /mods/$m || echo "insmod $m failed" >&2; done
i=0
while [ ! -b /dev/vdb ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
uname -r >/out/kernel
if mount -t ext4 /dev/vda /mnt; then
	[ -e /sys/fs/ext4/features/casefold ] || echo "no ext4 casefold" >&2
	for part in same differ; do
		mkdir /mnt/$part && casefold-ops -F /mnt/$part &&
			casefold-ops /mnt/$part </ops.$part >/out/ext4.$part
	done
	umount /mnt
fi
tar -c -f /dev/vdb -C /out .
sync
poweroff -f
INIT
	chmod 755 "$r/init"
	(cd "$r" && find . | "$busybox" cpio -o -H newc 2>/dev/null) >"$tmp/initrd.cpio"
	truncate -s 32M "$tmp/ext4.img"
	mkfs.ext4 -q -F -O casefold -E encoding=utf8 "$tmp/ext4.img"
	truncate -s 4M "$tmp/out.img"
	start=$(date +%s)
	timeout 240 qemu-system-x86_64 -nodefaults -display none -no-reboot \
		-m 256 -kernel "$vmlinuz" -initrd "$tmp/initrd.cpio" \
		-append "console=ttyS0 panic=-1 quiet" \
		-serial "file:$tmp/console.log" \
		-drive "file=$tmp/ext4.img,format=raw,if=virtio" \
		-drive "file=$tmp/out.img,format=raw,if=virtio" \
		>"$tmp/qemu.log" 2>&1 || echo "qemu: status $?" >>"$tmp/qemu.log"
	mkdir "$tmp/vmout"
	tar -x -f "$tmp/out.img" -C "$tmp/vmout" 2>>"$tmp/qemu.log" || true
	diag "Debian's kernel $(cat "$tmp/vmout/kernel" 2>/dev/null) in qemu: $(($(date +%s) - start)) s"
	for part in same differ; do
		if [ -s "$tmp/vmout/ext4.$part" ]; then
			cp "$tmp/vmout/ext4.$part" "$tmp/ext4.$part"
		else
			{
				echo "no answers from the VM"
				cat "$tmp/qemu.log" "$tmp/vmout/log" 2>/dev/null || true
				tail -n 30 "$tmp/console.log" 2>/dev/null || true
			} >"$tmp/ext4.$part"
		fi
	done
}

# run_host: the operations on ext4 casefold in this machine's kernel.
run_host() {
	mkdir -p "$tmp/mnt"
	truncate -s 32M "$tmp/ext4.img"
	mkfs.ext4 -q -F -O casefold -E encoding=utf8 "$tmp/ext4.img"
	mount -o loop "$tmp/ext4.img" "$tmp/mnt"
	# Unmounted before lib.sh's cleanup removes $tmp.
	trap 'umount "$tmp/mnt" 2>/dev/null || true; cleanup' EXIT
	diag "this machine's kernel $(uname -r)"
	for part in same differ; do
		mkdir "$tmp/mnt/$part"
		"$tmp/casefold-ops" -F "$tmp/mnt/$part"
		"$tmp/casefold-ops" "$tmp/mnt/$part" <"$tmp/ops.$part" \
			>"$tmp/ext4.$part" 2>&1 || true
	done
}

run_$where

for part in same differ; do
	mkdir "$tmp/plain-$part"
	vr --mount "$tmp/plain-$part:/d:ci" -- "$tmp/casefold-ops" /d \
		<"$tmp/ops.$part" >"$tmp/vroot.$part" 2>&1 || true
done
is_file "the same operations give the same answers as ext4 casefold" \
	"$tmp/ext4.same" "$tmp/vroot.same"

# The kernel (fs/unicode, Unicode 12.1) folds fully and is normalization-
# insensitive too; it differs from vroot on letters newer than 12.1, on
# rename("old", "OLD"), which it takes for a rename of a file onto itself
# (nothing to do, the old spelling stays), and, in some versions, on
# default-ignorable code points such as the zero width joiner (Debian 12's
# 6.1 drops them from the folded name: "ab" finds "a<ZWJ>b").
cat >"$tmp/apfs.differ" <<'T'
create Straße: ok
create ﬁle: ok
create née: ok
create old: ok
read STRASSE (full folding): strasse
read FILE (ligature): file
read NFD spelling of née: nee
rename old OLD: ok
create ꟈ (Unicode 13): ok
read Ꟈ (its capital): d
create a‍b (zero width joiner): ok
read ab: ENOENT
listing: OLD Straße a‍b née ꟈ ﬁle
T
sed 's/^read Ꟈ (its capital): d$/read Ꟈ (its capital): ENOENT/
s/^listing: OLD /listing: /
s/^listing: \(.*\) née /listing: \1 née old /' "$tmp/apfs.differ" |
	grep -v '^read ab:' >"$tmp/ext4.table"
is_file "where vroot and ext4 differ: vroot gives its rules' answers" \
	"$tmp/apfs.differ" "$tmp/vroot.differ"
grep -v '^read ab:' "$tmp/ext4.differ" >"$tmp/ext4.rows" || true
is_file "... and the kernel its own, as documented" "$tmp/ext4.table" "$tmp/ext4.rows"
diag "ext4's answer to the ignorable code point: $(grep '^read ab:' "$tmp/ext4.differ" || echo none)"
check "... and the host directory holds what the program made" \
	test -f "$tmp/plain-differ/OLD"
check "the VM's or loop mount's directory folds case (its answers are not all ENOENT)" \
	grep -q '^read FOO: foo$' "$tmp/ext4.same"
done_testing
