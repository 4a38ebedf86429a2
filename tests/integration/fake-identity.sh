#!/bin/sh
# fake-identity.sh - vroot run --fake-root and --uid/--gid: the identity
# calls answer the faked identity and change it by the kernel's rules;
# chown, chmod and mknod as fake root show what native root shows on a
# scratch directory, and are kept in the prefix across runs; tar keeps
# several owners, set-user-ID files and devices.
#
# What native root answers is written below and, as root, checked against
# the kernel itself first; as a user, vroot's answers are compared with it.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc python3 tar setpriv
plan 25

cat >"$tmp/ids.c" <<'EOF'
/* ids.c - set*id rules: each scenario in a child, its answers printed. */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void
ids(void)
{
	uid_t r, e, s;
	gid_t gr, ge, gs, g[8];
	int n;

	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	n = getgroups(8, g);
	printf("  uid %u %u %u fs %d gid %u %u %u fs %d groups", r, e, s, setfsuid(-1), gr, ge,
	       gs, setfsgid(-1));
	for (int i = 0; i < n; i++)
		printf(" %u", g[i]);
	printf("\n");
}

static void
say(const char *what, long r)
{
	printf("%s: %s\n", what, r < 0 ? strerror(errno) : "ok");
}

static volatile int started, changed;

static void *
other(void *arg)
{
	(void)arg;
	started = 1;
	while (!changed)
		usleep(1000);
	printf("other thread: uid %ld euid %ld\n", syscall(SYS_getuid), syscall(SYS_geteuid));
	return NULL;
}

int
main(void)
{
	gid_t two[2] = {5, 6};
	pthread_t th;

	setvbuf(stdout, NULL, _IONBF, 0);
	setgroups(0, NULL);
	ids();
	if (fork() == 0) {
		say("setgroups 5 6", setgroups(2, two));
		say("setresgid 100 100 100", setresgid(100, 100, 100));
		say("setreuid 1000 1000", setreuid(1000, 1000));
		ids();
		say("setuid 0", setuid(0));
		say("setgid 0", setgid(0));
		say("setgroups", setgroups(0, NULL));
		say("setreuid -1 1000", setreuid(-1, 1000));
		return 0;
	}
	wait(NULL);
	if (fork() == 0) {
		say("setresuid 1000 1000 0", setresuid(1000, 1000, 0));
		ids();
		say("setuid 0", setuid(0));
		ids();
		say("seteuid 2000", seteuid(2000));
		ids();
		say("setresuid 3000 -1 -1", setresuid(3000, -1, -1));
		say("seteuid 0", seteuid(0));
		say("setresuid 3000 -1 -1", setresuid(3000, -1, -1));
		ids();
		return 0;
	}
	wait(NULL);
	if (fork() == 0) {
		printf("setfsuid 1234: was %d\n", setfsuid(1234));
		printf("setfsgid 99: was %d\n", setfsgid(99));
		ids();
		say("setuid 1000", setuid(1000));
		printf("setfsuid 0: was %d\n", setfsuid(0));
		ids();
		say("setregid 7 8", setregid(7, 8));
		ids();
		return 0;
	}
	wait(NULL);
	if (fork() == 0) {
		pthread_create(&th, NULL, other, NULL);
		while (!started)
			usleep(1000);
		say("setuid 4242 with two threads", setuid(4242));
		changed = 1;
		pthread_join(th, NULL);
		ids();
		execlp("id", "id", "-u", (char *)NULL);
		return 1;
	}
	wait(NULL);
	return 0;
}
EOF
gcc -O1 -o "$tmp/ids" "$tmp/ids.c" -lpthread

# What native root answers (Linux kernel/sys.c rules).
cat >"$tmp/ids.want" <<'EOF'
  uid 0 0 0 fs 0 gid 0 0 0 fs 0 groups
setgroups 5 6: ok
setresgid 100 100 100: ok
setreuid 1000 1000: ok
  uid 1000 1000 1000 fs 1000 gid 100 100 100 fs 100 groups 5 6
setuid 0: Operation not permitted
setgid 0: Operation not permitted
setgroups: Operation not permitted
setreuid -1 1000: ok
setresuid 1000 1000 0: ok
  uid 1000 1000 0 fs 1000 gid 0 0 0 fs 0 groups
setuid 0: ok
  uid 1000 0 0 fs 0 gid 0 0 0 fs 0 groups
seteuid 2000: ok
  uid 1000 2000 0 fs 2000 gid 0 0 0 fs 0 groups
setresuid 3000 -1 -1: Operation not permitted
seteuid 0: ok
setresuid 3000 -1 -1: ok
  uid 3000 0 0 fs 0 gid 0 0 0 fs 0 groups
setfsuid 1234: was 0
setfsgid 99: was 0
  uid 0 0 0 fs 1234 gid 0 0 0 fs 99 groups
setuid 1000: ok
setfsuid 0: was 1000
  uid 1000 1000 1000 fs 1000 gid 0 0 0 fs 99 groups
setregid 7 8: Operation not permitted
  uid 1000 1000 1000 fs 1000 gid 0 0 0 fs 99 groups
setuid 4242 with two threads: ok
other thread: uid 4242 euid 4242
  uid 4242 4242 4242 fs 4242 gid 0 0 0 fs 0 groups
4242
EOF

# files.sh DIR: chown, chmod and mknod as root, then what stat shows.
cat >"$tmp/files.sh" <<'EOF'
cd "$1"
touch f && chown 12:34 f && chmod 4755 f
touch g && chmod 4755 g && chown 56:78 g
mkdir d && chown 5:6 d && chmod 2775 d
touch d/in && mkdir d/sub
mknod c c 1 3 && chown 7:8 c && chmod 620 c
mknod b b 8 1
mkfifo p
echo secret >z && chmod 000 z
echo "root reads a mode 000 file: $(cat z)"
echo "root appends to a mode 000 file: $(echo more >>z && echo ok)"
chmod 1777 d/sub
touch s && chmod 6711 s
ln -s f l
EOF
cat >"$tmp/show.sh" <<'EOF'
cd "$1"
for n in f g d d/in d/sub c b p z s l; do
	stat -c '%n %u %g %a %F %t %T' "$n"
done
ls -ln f c b | cut -c1-10
EOF
cat >"$tmp/files.want" <<'EOF'
root reads a mode 000 file: secret
root appends to a mode 000 file: ok
f 12 34 4755 regular empty file 0 0
g 56 78 755 regular empty file 0 0
d 5 6 2775 directory 0 0
d/in 0 6 644 regular empty file 0 0
d/sub 0 6 3777 directory 0 0
c 7 8 620 character special file 1 3
b 0 0 644 block special file 8 1
p 0 0 644 fifo 0 0
z 0 0 0 regular file 0 0
s 0 0 6711 regular empty file 0 0
l 0 0 777 symbolic link 0 0
brw-r--r--
crw--w----
-rwsr-xr-x
EOF

# An archive of several owners, set-id files and devices (made without
# privileges: tar's own format, written by Python).
cat >"$tmp/mktar.py" <<'EOF'
import io, sys, tarfile
t = tarfile.open(sys.argv[1], "w", format=tarfile.GNU_FORMAT)
def add(name, typ, mode, uid, gid, data=b"", **kw):
    i = tarfile.TarInfo(name)
    i.type, i.mode, i.uid, i.gid, i.mtime = typ, mode, uid, gid, 1000000000
    for k, v in kw.items():
        setattr(i, k, v)
    i.size = len(data) if typ == tarfile.REGTYPE else 0
    t.addfile(i, io.BytesIO(data) if typ == tarfile.REGTYPE else None)
D, R = tarfile.DIRTYPE, tarfile.REGTYPE
add("t", D, 0o755, 0, 0)
add("t/etc", D, 0o755, 0, 0)
add("t/etc/shadow", R, 0o640, 0, 42, b"x\n")
add("t/home", D, 0o755, 0, 0)
add("t/home/u", D, 0o700, 1000, 1000)
add("t/home/u/f", R, 0o600, 1000, 1000, b"mine\n")
add("t/bin", D, 0o755, 0, 0)
add("t/bin/su", R, 0o4755, 0, 0, b"#!/bin/sh\n")
add("t/bin/wall", R, 0o2755, 0, 5, b"#!/bin/sh\n")
add("t/tmp", D, 0o1777, 0, 0)
add("t/dev", D, 0o755, 0, 0)
add("t/dev/null", tarfile.CHRTYPE, 0o666, 0, 0, devmajor=1, devminor=3)
add("t/dev/sda", tarfile.BLKTYPE, 0o660, 0, 6, devmajor=8, devminor=0)
add("t/dev/fifo", tarfile.FIFOTYPE, 0o644, 0, 0)
add("t/link", tarfile.SYMTYPE, 0o777, 0, 0, linkname="bin/su")
t.close()
EOF
python3 "$tmp/mktar.py" "$tmp/a.tar"
# Type, mode, owner and name of each entry (tar -tv's columns), sorted.
listing() { tar -tvf "$1" --numeric-owner | awk '{ print $1, $2, $NF }' | sort -k3; }
listing "$tmp/a.tar" >"$tmp/tar.want"

cat >"$tmp/kill.sh" <<'EOF'
cd "$1"
touch u g r t n w m c && chmod 4777 u r t && chmod 2777 g && chmod 2767 n m
chown 65534 w && chmod 6775 w && chown 65534 c && chmod 2764 c
setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'echo x >>u; echo x >>g; truncate -s 0 t
	echo x >>n; echo x >>w; chgrp 65534 c'
setpriv --reuid=65534 --regid=65534 --groups=0 sh -c 'echo x >>m'
echo x >>r
stat -c '%n %a' u g r t n w m c
EOF
# A user opens a set-user-ID file to write and writes nothing.
cat >"$tmp/open.sh" <<'EOF'
cd "$1"
touch o && chmod 4777 o
setpriv --reuid=65534 --regid=65534 --clear-groups sh -c ': >>o'
stat -c '%n %a' o
EOF
mkdir "$tmp/s" "$tmp/x"
chmod 755 "$tmp"
if is_root; then
	"$tmp/ids" >"$tmp/ids.native"
	mkdir "$tmp/native"
	native=$tmp/native
	# A tmpfs, where the machine allows it: what root sees there.
	mount -t tmpfs vroot-it "$native" 2>/dev/null && trap 'umount "$native"; cleanup' EXIT
	{ sh "$tmp/files.sh" "$native" && sh "$tmp/show.sh" "$native"; } >"$tmp/files.native" 2>&1
	is_file "native root's set*id answers are the ones written here" "$tmp/ids.want" \
		"$tmp/ids.native"
	is_file "native root's chown, chmod, mknod are the ones written here" "$tmp/files.want" \
		"$tmp/files.native"
	mkdir "$tmp/native-k"
	chmod 777 "$tmp/native-k"
	is "natively, a user's write takes set-id bits away, root's does not" "u 777
g 777
r 4777
t 777
n 767
w 775
m 2767
c 764" \
		"$(sh "$tmp/kill.sh" "$tmp/native-k" 2>&1)"
	is "natively, an open to write without a write keeps them" "o 4777" \
		"$(sh "$tmp/open.sh" "$tmp/native-k" 2>&1)"
else
	skip "native root's set*id answers" "needs root"
	skip "native root's chown, chmod, mknod" "needs root"
	skip "natively, a user's write takes set-id bits away" "needs root"
	skip "natively, an open to write without a write keeps them" "needs root"
fi

capture id vr --fake-root -- sh -c 'id -u; id -g; id -G; whoami; id -un'
is "id and whoami under --fake-root" "0 0 0 root root" "$(tr '\n' ' ' <"$tmp/id.out" | sed 's/ $//')"
capture uid vr --uid 1234 --gid 5678 -- sh -c 'id -u; id -g; id -G'
is "id under --uid 1234 --gid 5678" "1234 5678 5678" "$(tr '\n' ' ' <"$tmp/uid.out" | sed 's/ $//')"

vr --fake-root -- "$tmp/ids" >"$tmp/ids.vroot" 2>&1 || true
is_file "set*id rules, threads and exec under --fake-root" "$tmp/ids.want" "$tmp/ids.vroot"

{ vr --fake-root -- sh "$tmp/files.sh" "$tmp/s" && vr --fake-root -- sh "$tmp/show.sh" "$tmp/s"; } \
	>"$tmp/files.vroot" 2>&1 || true
is_file "chown, chmod 4755, mknod as fake root, seen by a second run" "$tmp/files.want" \
	"$tmp/files.vroot"
is "the host's directory is untouched" "" "$(ls -A "$tmp/s")"

# The record on the file, in the format rootless container storage reads.
rec=$(python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], "user.containers.override_stat").decode())' \
	"$tmp/prefix$tmp/s/c" 2>&1 || true)
is "a device is an empty file with its record" "7:8:0620:char-1-3 0" \
	"$rec $(stat -c %s "$tmp/prefix$tmp/s/c")"

vr --fake-root -- sh -c "cd $tmp/x && tar --same-owner -xpf $tmp/a.tar" >"$tmp/tarx.out" 2>&1 || true
vr --fake-root -- sh -c "cd $tmp/x && tar --numeric-owner -cf - t" >"$tmp/b.tar" 2>"$tmp/tarc.err" || true
listing "$tmp/b.tar" >"$tmp/tar.vroot" 2>&1 || true
cat "$tmp/tarx.out" "$tmp/tarc.err" >>"$tmp/tar.vroot"
is_file "tar --same-owner -xpf, then tar -c in a second run: the same listing" "$tmp/tar.want" \
	"$tmp/tar.vroot"

# Permission checks as the faked identity, through the one permission function.
capture perm vr --uid 1000 --gid 1000 -- sh -c "cat $tmp/x/t/etc/shadow; cat $tmp/x/t/home/u/f;
	echo new >$tmp/x/t/home/u/g && stat -c '%u %g' $tmp/x/t/home/u/g; touch $tmp/x/t/bin/x"
is "a virtual user is refused what is root's and owns what it makes" \
	"mine
1000 1000" "$(cat "$tmp/perm.out")"
is "its refusals" "cat: $tmp/x/t/etc/shadow: Permission denied
touch: cannot touch '$tmp/x/t/bin/x': Permission denied" "$(cat "$tmp/perm.err")"

# Tools that drop privileges (setpriv keeps its capabilities across
# setresuid and takes them back with capset); a set-user-ID program.
capture drop vr --fake-root -- sh -c "cp \$(command -v id) $tmp/x/sid && chmod 4755 $tmp/x/sid &&
	setpriv --reuid=1000 --regid=1000 --clear-groups sh -c 'id -u; id -g; id -G; $tmp/x/sid -u; $tmp/x/sid -ru'"
is "setpriv drops to a user; a set-user-ID program runs as its owner" "1000 1000 1000 0 1000" \
	"$(tr '\n' ' ' <"$tmp/drop.out" | sed 's/ $//')$(cat "$tmp/drop.err")"

# A base file the user unpacked read-only: root writes it (the copy stays
# reachable to the user, its mode recorded).
mkdir "$tmp/b"
echo a >"$tmp/b/ro"
chmod 444 "$tmp/b/ro"
capture ro "$VROOT" run --prefix "$tmp/prefix-ro" --base "$tmp/b" --base / --fake-root -- \
	sh -c 'echo b >>/ro && cat /ro && stat -c "%a %u" /ro'
is "root appends to a mode 0444 base file" "a b 444 0" "$(cat "$tmp/ro.out" "$tmp/ro.err" | tr '\n' ' ' | sed 's/ $//')"
# ... and makes names in a mode 0555 base directory; the user itself (no
# faked identity) may chmod such a directory of its own (the copy is made
# before the mode is applied: moving a directory writes its "..").
mkdir "$tmp/b/d" "$tmp/b/e"
chmod 555 "$tmp/b/d" "$tmp/b/e"
capture rod "$VROOT" run --prefix "$tmp/prefix-ro" --base "$tmp/b" --base / --fake-root -- \
	sh -c 'touch /d/new && mkdir /d/sub && ls /d && stat -c "%a %u" /d'
is "root makes names in a mode 0555 base directory" "new sub 555 0" \
	"$(cat "$tmp/rod.out" "$tmp/rod.err" | tr '\n' ' ' | sed 's/ $//')"
capture roe "$VROOT" run --prefix "$tmp/prefix-ro" --base "$tmp/b" --base / -- \
	sh -c 'chmod 755 /e && stat -c %a /e'
is "the user chmods its own mode 0555 base directory" "755" "$(cat "$tmp/roe.out" "$tmp/roe.err")"
chmod 755 "$tmp/b/d" "$tmp/b/e"

# Writing or truncating takes set-user-ID (and executable set-group-ID)
# away, but for root (file_remove_privs()): the owner's write too; a
# set-group-ID bit without group execute goes too unless the writer is in
# the file's group; a chgrp by one who is not takes it as well.
mkdir "$tmp/k"
capture kill vr --fake-root -- sh "$tmp/kill.sh" "$tmp/k"
is "a user's write takes set-id bits away, root's does not (as natively)" "u 777
g 777
r 4777
t 777
n 767
w 775
m 2767
c 764" \
	"$(cat "$tmp/kill.out" "$tmp/kill.err")"

# write(2) is not trapped (it would cost every program too much): vroot
# takes the bits when the file is opened to write, written or not, a
# difference README states.
capture open vr --fake-root -- sh "$tmp/open.sh" "$tmp/k"
is "vroot takes them at a user's open to write, before any write" "o 777" \
	"$(cat "$tmp/open.out" "$tmp/open.err")"

# /proc/self/status of the process itself shows the faked ids.
capture status vr --fake-root -- sh -c "grep -E '^(Uid|Gid):' /proc/self/status;
	setpriv --reuid=1000 --regid=1000 --clear-groups grep -E '^(Uid|Gid):' /proc/thread-self/status"
is "/proc/self/status: Uid and Gid lines" "$(printf 'Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0
Uid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000')" "$(cat "$tmp/status.out" "$tmp/status.err")"

capture opts vr --fake-root --uid 0 -- true
is "--fake-root with --uid: one line, status 125" \
	"125 1 vroot: --fake-root is --uid 0 --gid 0: give either, not both" \
	"$rc $(wc -l <"$tmp/opts.err") $(cat "$tmp/opts.err")"
capture opts vr --uid 5 -- true
is "--uid without --gid: one line, status 125" \
	"125 1 vroot: --uid and --gid go together: give both (--fake-root for root)" \
	"$rc $(wc -l <"$tmp/opts.err") $(cat "$tmp/opts.err")"
capture opts vr --gid 5 -- true
is "--gid without --uid: one line, status 125" \
	"125 1 vroot: --uid and --gid go together: give both (--fake-root for root)" \
	"$rc $(wc -l <"$tmp/opts.err") $(cat "$tmp/opts.err")"
capture opts vr --uid 4294967295 --gid 1 -- true
is "--uid (uid_t)-1: one line, status 125" \
	"125 1 vroot: --uid '4294967295': expected a number from 0 to 4294967294" \
	"$rc $(wc -l <"$tmp/opts.err") $(cat "$tmp/opts.err")"
capture opts vr --help
is "run --help names --fake-root and --uid N --gid N" "2" \
	"$(grep -c -e '^  --fake-root ' -e '^  --uid N --gid N ' "$tmp/opts.out")"
done_testing
