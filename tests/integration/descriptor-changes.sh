#!/bin/sh
# descriptor-changes.sh - fchmod, fchown and futimens on a program's own
# descriptor: of a file made in the prefix (the kernel changes it through
# that descriptor), of a base file (copied up first, the base unchanged),
# of a directory (the change is seen by the next lookups), through an
# O_PATH descriptor (EBADF); and with a faked identity, where the change
# goes to the file's ownership record, also for a directory the program
# has just walked through.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd python3 stat
plan 5

cat >"$tmp/ops.py" <<'PY'
import errno, os, sys

d, base = sys.argv[1], sys.argv[2]

def err(f, *a):
    try:
        f(*a)
        return "ok"
    except OSError as e:
        return errno.errorcode[e.errno]

def mode(p):
    return oct(os.stat(p).st_mode & 0o7777)

f = os.path.join(d, "new")
fd = os.open(f, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
os.write(fd, b"data\n")
os.fchmod(fd, 0o640)
os.fchown(fd, os.getuid(), os.getgid())
os.utime(fd, ns=(1_500_000_000_000_000_000, 1_600_000_000_000_000_000))
os.close(fd)
st = os.stat(f)
print("new:", mode(f), st.st_atime_ns, st.st_mtime_ns, st.st_uid == os.getuid())

fd = os.open(f, os.O_PATH)
print("O_PATH:", err(os.fchmod, fd, 0o600), err(os.fchown, fd, -1, -1),
      err(os.utime, fd, None), mode(f))
os.close(fd)

sub = os.path.join(d, "dir")
os.mkdir(sub, 0o755)
os.listdir(sub)
fd = os.open(sub, os.O_RDONLY | os.O_DIRECTORY)
os.fchmod(fd, 0o711)
os.close(fd)
print("dir:", mode(sub), err(os.mkdir, os.path.join(sub, "inner")), mode(sub))

fd = os.open(base, os.O_RDONLY)
os.fchmod(fd, 0o604)
os.utime(fd, ns=(1_000_000_000, 2_000_000_000))
print("base:", mode(base), os.stat(base).st_mtime_ns, open(base).read().strip())
os.close(fd)
PY

mkdir -p "$tmp/n" "$tmp/b"
echo kept >"$tmp/n/base"
echo kept >"$tmp/b/base"
chmod 644 "$tmp/n/base" "$tmp/b/base"
touch -d @1700000000 "$tmp/b/base"
python3 "$tmp/ops.py" "$tmp/n" "$tmp/n/base" >"$tmp/native.out" 2>&1
capture vr vr -- python3 "$tmp/ops.py" /tmp "$tmp/b/base"
is_file "fchmod, fchown, futimens by descriptor: as natively" "$tmp/native.out" "$tmp/vr.out"
is "... and the base file itself is unchanged" "644 1700000000 kept" \
	"$(stat -c '%a %Y' "$tmp/b/base") $(cat "$tmp/b/base")"

# With a faked identity the owner and mode are a record on the file.
cat >"$tmp/rec.py" <<'PY'
import errno, os
fd = os.open("/tmp/rec", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
os.fchown(fd, 123, 456)
os.fchmod(fd, 0o4604)
os.close(fd)
st = os.stat("/tmp/rec")
print(st.st_uid, st.st_gid, oct(st.st_mode & 0o7777))
PY
capture rec vr --fake-root -- python3 "$tmp/rec.py"
is "--fake-root: fchown and fchmod by descriptor keep a record" "123 456 0o4604" \
	"$(cat "$tmp/rec.out" "$tmp/rec.err")"

# A directory's record changes while the program holds it in its walks:
# who may create there follows the record at once.
cat >"$tmp/dirrec.py" <<'PY'
import errno, os

def as_user(path):
    pid = os.fork()
    if pid == 0:
        os.setgid(1000)
        os.setuid(1000)
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o644))
            os._exit(0)
        except OSError as e:
            os._exit(e.errno)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])

d = "/tmp/rd"
os.mkdir(d, 0o755)
os.listdir(d)
print("root's:", errno.errorcode.get(as_user(d + "/a"), "ok"))
fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
os.fchown(fd, 1000, 1000)
print("user's:", errno.errorcode.get(as_user(d + "/b"), "ok"))
os.fchown(fd, 0, 0)
os.close(fd)
print("root's again:", errno.errorcode.get(as_user(d + "/c"), "ok"))
PY
capture dirrec vr --fake-root -- python3 "$tmp/dirrec.py"
is "--fake-root: a directory's new owner counts at once" "root's: EACCES
user's: ok
root's again: EACCES" "$(cat "$tmp/dirrec.out" "$tmp/dirrec.err")"
if is_root; then
	mkdir -p "$tmp/nat"
	sed "s|/tmp/rd|$tmp/nat/rd|" "$tmp/dirrec.py" >"$tmp/dirrec-native.py"
	chmod 755 "$tmp" "$tmp/nat"
	python3 "$tmp/dirrec-native.py" >"$tmp/dirrec-native.out" 2>&1
	is_file "... as natively for root" "$tmp/dirrec.out" "$tmp/dirrec-native.out"
else
	skip "... as natively for root" "natively only root can give a directory away"
fi
