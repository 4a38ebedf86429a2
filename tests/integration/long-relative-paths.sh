#!/bin/sh
# long-relative-paths.sh - the kernel limits the string a program passes
# (PATH_MAX), not the path of the directory it names: mkdir -p of a tree
# 3,000 levels deep, a 4,095-byte relative path from a short cwd or from
# a directory descriptor, and lookups, creates, renames, getcwd, fchdir
# and exec from a working directory deeper than PATH_MAX bytes work
# through vroot as natively (getcwd(2) itself answers ENAMETOOLONG there,
# natively too).  Each line of the program's report is one check.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd python3
plan 15

cat >"$tmp/deep.py" <<'PY'
import ctypes, errno, os, sys
os.chdir(sys.argv[1])
libc = ctypes.CDLL(None, use_errno=True)

def r(f):
    try:
        f()
        return "ok"
    except OSError as e:
        return errno.errorcode[e.errno]

def getcwd(size):
    # The system call itself: the C library works around ENAMETOOLONG.
    buf = ctypes.create_string_buffer(size)
    n = libc.syscall(79, buf, ctypes.c_size_t(size))
    if n < 0:
        return errno.errorcode[ctypes.get_errno()]
    return "ok" if buf.value == os.fsencode(want) else "wrong"

top = os.getcwd()
fd = os.open(".", os.O_RDONLY | os.O_DIRECTORY)
depth = 0
while True:
    try:
        nfd = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
    except OSError:
        break
    os.close(fd)
    fd = nfd
    depth += 1
print("depth made by mkdir -p:", depth)
p = "/".join(["d"] * 2048)  # 4,095 bytes
print("stat of a 4,095-byte relative path:", r(lambda: os.stat(p)))
print("stat of a 4,096-byte relative path:", r(lambda: os.stat(p + "/")))
dfd = os.open(".", os.O_RDONLY | os.O_DIRECTORY)
print("fstatat of 4,095 bytes from a dirfd:", r(lambda: os.stat(p, dir_fd=dfd)))
os.chdir("/".join(["d"] * 1000))
want = top + "/d" * 1000
print("getcwd:", getcwd(4096), getcwd(len(want) + 1), getcwd(len(want)))
os.chdir("/".join(["d"] * 1900))
print("getcwd deeper than PATH_MAX:", getcwd(4096), getcwd(65536))
print("stat ../../d:", r(lambda: os.stat("../../d")))
dfd = os.open("d", os.O_RDONLY | os.O_DIRECTORY)
print("fstatat from a deep dirfd:", r(lambda: os.stat("d", dir_fd=dfd)))
dup = os.dup(dfd)
print("fstatat from its duplicate, listing:", r(lambda: os.stat("d", dir_fd=dup)),
      len(os.listdir(dup)))
os.fchdir(dfd)
print("fchdir deeper, stat d:", r(lambda: os.stat("d")))
os.mkdir("e")
with open("e/f", "w") as f:
    f.write("deep\n")
print("read back:", open("e/f").read().strip())
print("rename:", r(lambda: os.rename("e", "g")), r(lambda: os.stat("g/f")))
os.chdir("..")
print("unlink, rmdir:", r(lambda: os.unlink("d/g/f")), r(lambda: os.rmdir("d/g")))
sys.stdout.flush()
pid = os.fork()
if pid == 0:
    os.execv("/bin/sh", ["sh", "-c", "test -d d && echo exec from a deep cwd: ok"])
os.waitpid(pid, 0)
PY
cat >"$tmp/deep.sh" <<'EOF2'
cd "$1"
mkdir -p $(python3 -c 'print("/".join(["d"] * 3000))') && echo "mkdir -p: ok"
python3 "$2" "$1"
EOF2
mkdir "$tmp/n" "$tmp/v"
sh "$tmp/deep.sh" "$tmp/n" "$tmp/deep.py" >"$tmp/native" 2>&1 || true
vr -- sh "$tmp/deep.sh" "$tmp/v" "$tmp/deep.py" >"$tmp/vroot" 2>&1 || true
i=0
while [ $i -lt 15 ]; do
	i=$((i + 1))
	want=$(sed -n "${i}p" "$tmp/native" | cut -c1-200)
	got=$(sed -n "${i}p" "$tmp/vroot" | cut -c1-200)
	is "${want%%:*}" "$want" "$got"
done
done_testing
