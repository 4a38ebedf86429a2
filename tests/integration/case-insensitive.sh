#!/bin/sh
# case-insensitive.sh - `vroot run --case-insensitive` and `--mount
# HOST:VIRT:ci` look names up as APFS does (case folding and canonical
# equivalence, exact match first, case-preserving), against a table of
# expected results, everywhere a path is walked (.., symlinks, mount
# points, /proc/self/cwd, AF_UNIX sockets, openat2's rules): no native
# Linux directory behaves so without root (ext4's casefold, compared in
# case-insensitive-ext4.sh, has no layers, and it differs from APFS on
# rows where APFS differs).  Then real programs: a shell script with mixed-case
# paths, make naming Foo.c for foo.c, git (its core.ignorecase probe, a
# status after a case-only rename, an add after a change made through
# another spelling), tar -x of an archive holding A and a.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd python3 make tar git
plan 18

# Two bases: B1 over B2, then the host's / for the programs.
B1=$tmp/b1
B2=$tmp/b2
H=$tmp/host
mkdir -p "$B1/Dir" "$B1/cs" "$B1/Opq" "$B2" "$H"
python3 - "$B1" "$B2" "$H" <<'PY'
import os, sys
b1, b2, h = (os.fsencode(a) for a in sys.argv[1:])
def put(d, name, text):
    with open(os.path.join(d, name.encode() if isinstance(name, str) else name), "w") as f:
        f.write(text)
put(b1, "Dir/Foo.txt", "foo")
put(b1, "Straße.txt", "strasse")
put(b1, "caf\u00e9", "cafe")                     # NFC
put(b1, "\ufb01le", "file")                      # fi ligature
put(b1, "ΟΔΟΣ", "odos")
put(b1, "I.txt", "I")
put(b1, b"X\xff", "inv")                         # not UTF-8
for n in ("a", "A", "Ab", "aB"):                 # made case-sensitively
    put(b1, "cs/" + n, n)
put(b1, "hidden.TXT", "h1")
put(b2, "Hidden.txt", "h2")
put(b1, "Opq/x", "x")
os.symlink("Dir/FOO.TXT", os.path.join(b1, b"lnk"))
put(h, "Make.c", "make")
PY
cp -a "$B1" "$tmp/b1.orig"

# A whiteout spelt "hidden.TXT", made by a run that does not fold.
vr --base "$B1" --base "$B2" --base / -- rm /hidden.TXT
# An opaque directory spelt "Opq", made the same way.
vr --base "$B1" --base "$B2" --base / -- sh -c 'rm -r /Opq && mkdir /Opq'

cat >"$tmp/ops.py" <<'PY'
import errno, os, subprocess, sys
def res(f, *a):
    try:
        r = f(*a)
        return "ok" if r is None else r
    except OSError as e:
        return errno.errorcode[e.errno]
def read(p):
    def r():
        with open(p, "rb") as f:
            return f.read().decode("utf-8", "replace")
    return res(r)
def ls(p):
    return " ".join(sorted(os.fsdecode(n) for n in os.listdir(os.fsencode(p))))
def creat(p, text="", flags=os.O_WRONLY | os.O_CREAT | os.O_TRUNC):
    def c():
        fd = os.open(p, flags, 0o644)
        os.write(fd, text.encode())
        os.close(fd)
    return res(c)
def row(k, v):
    print(f"{k}: {v}")
mode = sys.argv[1]
if mode == "lookup":
    row("dir/foo.TXT", read("/dir/foo.TXT"))
    row("DIR/FOO.txt", read("/DIR/FOO.txt"))
    row("STRASSE.txt (sharp s)", read("/STRASSE.txt"))
    row("straße.TXT", read("/straße.TXT"))
    row("NFD cafe", read("/cafe\u0301"))
    row("CAF\u00c9 (NFC capital)", read("/CAF\u00c9"))
    row("FILE (ligature)", read("/FILE"))
    row("οδος (final sigma)", read("/οδος"))
    row("οδοσ", read("/οδοσ"))
    row("i.txt", read("/i.txt"))
    row("dotless ı.txt", read("/\u0131.txt"))
    row("dotted İ.txt", read("/\u0130.txt"))
    row("X\\xff exact", read(b"/X\xff"))
    row("x\\xff", read(b"/x\xff"))
    row("cs/a", read("/cs/a"))
    row("cs/A", read("/cs/A"))
    row("cs/AB (smallest of Ab aB)", read("/cs/AB"))
    row("cs listing", ls("/cs"))
    row("HIDDEN.TXT (whiteout hides variants)", read("/HIDDEN.TXT"))
    row("Hidden.txt (a lower layer's own spelling too)", read("/Hidden.txt"))
    row("listing has no hidden.txt", any(n.lower() == "hidden.txt" for n in os.listdir("/")))
    row("LNK -> Dir/FOO.TXT", read("/LNK"))
    os.chdir("/dir")
    row("getcwd after chdir /dir", os.getcwd())
    fd = os.open("/DIR/FOO.TXT", os.O_RDONLY)
    row("/proc/self/fd of DIR/FOO.TXT", os.readlink(f"/proc/self/fd/{fd}"))
    os.close(fd)
    row("exec /USR/BIN/TRUE", subprocess.run(["/USR/BIN/TRUE"]).returncode)
    with open("/tmp/vroot-ci-s", "w") as f:
        f.write("#!/BIN/SH\necho interp\n")
    os.chmod("/tmp/vroot-ci-s", 0o755)
    row("#!/BIN/SH script", subprocess.run(["/TMP/VROOT-CI-S"], capture_output=True).stdout.decode().strip())
elif mode == "create":
    row("O_CREAT FOO.TXT", creat("/dir/FOO.TXT", "new"))
    row("Dir listing", ls("/Dir"))
    row("foo.txt now", read("/dir/foo.txt"))
    row("O_EXCL DIR/foo.txt", creat("/DIR/foo.txt", "", os.O_WRONLY | os.O_CREAT | os.O_EXCL))
    row("mkdir /dIR", res(os.mkdir, "/dIR"))
    row("symlink onto FOO.TXT", res(os.symlink, "x", "/dir/FOO.TXT"))
    row("link onto FOO.txt", res(os.link, "/dir/foo.txt", "/Dir/FOO.txt"))
    row("mkfifo onto fOO.txt", res(os.mkfifo, "/dir/fOO.txt"))
    row("O_CREAT Bar", creat("/dir/Bar", "bar"))
    row("Dir listing", ls("/Dir"))
    row("rename Bar onto FOO.TXT", res(os.rename, "/dir/bar", "/dir/FOO.TXT"))
    row("Dir listing", ls("/Dir"))
    row("foo.txt now", read("/dir/foo.txt"))
    row("rename foo.txt FOO.TXT (case only)", res(os.rename, "/dir/foo.txt", "/dir/FOO.TXT"))
    row("Dir listing", ls("/Dir"))
    row("foo.txt now", read("/dir/foo.txt"))
    row("rename base Straße.txt STRASSE.TXT", res(os.rename, "/strasse.txt", "/STRASSE.TXT"))
    row("root has Straße.txt", "Straße.txt" in os.listdir("/"))
    row("root has STRASSE.TXT", "STRASSE.TXT" in os.listdir("/"))
    row("straße.txt now", read("/straße.txt"))
    row("unlink CAFÉ", res(os.unlink, "/CAF\u00c9"))
    row("NFD cafe now", read("/cafe\u0301"))
    row("mkdir NewDir", res(os.mkdir, "/NewDir"))
    row("rmdir newdir", res(os.rmdir, "/newdir"))
    row("NEWDIR now", res(os.stat, "/NEWDIR") if False else read("/NEWDIR/x"))
elif mode == "paths":
    import ctypes, socket
    row("DIR/../dir/FOO.TXT", read("/DIR/../dir/FOO.TXT"))
    row("OPQ/x (an opaque directory hides the names below)", read("/OPQ/x"))
    row("opq listing", ls("/opq"))
    os.chdir("/DIR")
    row("/proc/self/cwd after chdir /DIR", os.readlink("/proc/self/cwd"))
    os.chdir("/")
    srv = socket.socket(socket.AF_UNIX)
    srv.bind("/tmp/vroot-ci-Sock")
    srv.listen()
    cli = socket.socket(socket.AF_UNIX)
    row("AF_UNIX connect /TMP/VROOT-CI-SOCK", res(cli.connect, "/TMP/VROOT-CI-SOCK"))
    row("AF_UNIX bind /tmp/VROOT-CI-sock", res(socket.socket(socket.AF_UNIX).bind, "/tmp/VROOT-CI-sock"))
    libc = ctypes.CDLL(None, use_errno=True)
    class How(ctypes.Structure):
        _fields_ = [("flags", ctypes.c_uint64), ("mode", ctypes.c_uint64),
                    ("resolve", ctypes.c_uint64)]
    def openat2(dfd, path, resolve):
        how = How(os.O_RDONLY, 0, resolve)
        fd = libc.syscall(437, dfd, path.encode(), ctypes.byref(how),
                          ctypes.c_size_t(ctypes.sizeof(how)))
        if fd < 0:
            return errno.errorcode[ctypes.get_errno()]
        os.close(fd)
        return "ok"
    BENEATH, IN_ROOT, NO_SYMLINKS = 0x08, 0x10, 0x04
    d = os.open("/DIR", os.O_RDONLY | os.O_DIRECTORY)
    r = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
    row("openat2 DIR, FOO.TXT, BENEATH", openat2(d, "FOO.TXT", BENEATH))
    row("openat2 DIR, ../DIR/FOO.TXT, BENEATH", openat2(d, "../DIR/FOO.TXT", BENEATH))
    row("openat2 /, LNK, NO_SYMLINKS", openat2(r, "LNK", NO_SYMLINKS))
    row("openat2 /, LNK, IN_ROOT", openat2(r, "LNK", IN_ROOT))
elif mode == "mountpoints":
    row("/M/make.c (ci mount)", read("/M/make.c"))
    row("/N/Make.c (mount that does not fold)", read("/N/Make.c"))
    row("/N/MAKE.C", read("/N/MAKE.C"))
    os.chdir("/M")
    row("getcwd after chdir /M", os.getcwd())
elif mode == "index":
    # The index kept current: names this process creates after looking
    # them up in vain, and a name another process creates.
    os.mkdir("/many")
    for i in range(300):
        creat(f"/many/f{i:03d}", str(i))
    row("300 created, read as F000..F299",
        sum(read(f"/MANY/F{i:03d}") == str(i) for i in range(300)))
    row("absent ZZ", read("/many/ZZ"))
    subprocess.run(["sh", "-c", "echo other >/many/Other"])
    row("made by another process, read as OTHER", read("/many/OTHER").strip())
elif mode == "mounts":
    row("ci mount MAKE.C", read("/m/MAKE.C"))
    row("exact mount MAKE.C", read("/n/MAKE.C"))
    row("ro,ci mount make.c", read("/r/make.c"))
    row("ro,ci mount write", creat("/r/MAKE.C", "x"))
    row("root without --case-insensitive", read("/dir/foo.TXT"))
PY

run_ops() { vr --base "$B1" --base "$B2" --base / "$@" 2>&1 || true; }

run_ops --case-insensitive -- python3 "$tmp/ops.py" lookup >"$tmp/lookup.got"
cat >"$tmp/lookup.want" <<'T'
dir/foo.TXT: foo
DIR/FOO.txt: foo
STRASSE.txt (sharp s): strasse
straße.TXT: strasse
NFD cafe: cafe
CAFÉ (NFC capital): cafe
FILE (ligature): file
οδος (final sigma): odos
οδοσ: odos
i.txt: I
dotless ı.txt: ENOENT
dotted İ.txt: ENOENT
X\xff exact: inv
x\xff: ENOENT
cs/a: a
cs/A: A
cs/AB (smallest of Ab aB): Ab
cs listing: A Ab a aB
HIDDEN.TXT (whiteout hides variants): ENOENT
Hidden.txt (a lower layer's own spelling too): ENOENT
listing has no hidden.txt: False
LNK -> Dir/FOO.TXT: foo
getcwd after chdir /dir: /Dir
/proc/self/fd of DIR/FOO.TXT: /Dir/Foo.txt
exec /USR/BIN/TRUE: 0
#!/BIN/SH script: interp
T
is_file "lookups of case and normalization variants" "$tmp/lookup.want" "$tmp/lookup.got"

run_ops --case-insensitive -- python3 "$tmp/ops.py" paths >"$tmp/paths.got"
cat >"$tmp/paths.want" <<'T'
DIR/../dir/FOO.TXT: foo
OPQ/x (an opaque directory hides the names below): ENOENT
opq listing: 
/proc/self/cwd after chdir /DIR: /Dir
AF_UNIX connect /TMP/VROOT-CI-SOCK: ok
AF_UNIX bind /tmp/VROOT-CI-sock: EADDRINUSE
openat2 DIR, FOO.TXT, BENEATH: ok
openat2 DIR, ../DIR/FOO.TXT, BENEATH: EXDEV
openat2 /, LNK, NO_SYMLINKS: ELOOP
openat2 /, LNK, IN_ROOT: ok
T
is_file "every way a path is walked folds case" "$tmp/paths.want" "$tmp/paths.got"
run_ops --case-insensitive --mount "$H:/m:ci" --mount "$H:/n" -- \
	python3 "$tmp/ops.py" mountpoints >"$tmp/mountpoints.got"
cat >"$tmp/mountpoints.want" <<'T'
/M/make.c (ci mount): make
/N/Make.c (mount that does not fold): make
/N/MAKE.C: ENOENT
getcwd after chdir /M: /m
T
is_file "mount points are found by any spelling" "$tmp/mountpoints.want" "$tmp/mountpoints.got"

run_ops --case-insensitive -- python3 "$tmp/ops.py" create >"$tmp/create.got"
cat >"$tmp/create.want" <<'T'
O_CREAT FOO.TXT: ok
Dir listing: Foo.txt
foo.txt now: new
O_EXCL DIR/foo.txt: EEXIST
mkdir /dIR: EEXIST
symlink onto FOO.TXT: EEXIST
link onto FOO.txt: EEXIST
mkfifo onto fOO.txt: EEXIST
O_CREAT Bar: ok
Dir listing: Bar Foo.txt
rename Bar onto FOO.TXT: ok
Dir listing: Foo.txt
foo.txt now: bar
rename foo.txt FOO.TXT (case only): ok
Dir listing: FOO.TXT
foo.txt now: bar
rename base Straße.txt STRASSE.TXT: ok
root has Straße.txt: False
root has STRASSE.TXT: True
straße.txt now: strasse
unlink CAFÉ: ok
NFD cafe now: ENOENT
mkdir NewDir: ok
rmdir newdir: ok
NEWDIR now: ENOENT
T
is_file "creation, links and renames act on the existing name" "$tmp/create.want" "$tmp/create.got"
run_ops --case-insensitive -- python3 "$tmp/ops.py" index >"$tmp/index.got"
cat >"$tmp/index.want" <<'T'
300 created, read as F000..F299: 300
absent ZZ: ENOENT
made by another process, read as OTHER: other
T
is_file "names created since a directory was indexed are found" "$tmp/index.want" "$tmp/index.got"
check "... the bases are untouched" diff -r --no-dereference "$tmp/b1.orig" "$B1"
check "... the new spelling is what the prefix holds" test -f "$tmp/prefix/Dir/FOO.TXT"
# A case-only rename of a base name whites out the old spelling in kernel
# overlayfs's format: a 0/0 character device.
is "... and the base name renamed by case is whited out as overlayfs does" "0,0 STRASSE.TXT" \
	"$(stat -c '%t,%T' "$tmp/prefix/Straße.txt" 2>&1) $(cd "$tmp/prefix" && ls -d STRASSE.TXT 2>&1)"

run_ops --mount "$H:/m:ci" --mount "$H:/n" --mount "$H:/r:ro,ci" -- \
	python3 "$tmp/ops.py" mounts >"$tmp/mounts.got"
cat >"$tmp/mounts.want" <<'T'
ci mount MAKE.C: make
exact mount MAKE.C: ENOENT
ro,ci mount make.c: make
ro,ci mount write: EROFS
root without --case-insensitive: ENOENT
T
is_file "mounts fold case with :ci, and only they" "$tmp/mounts.want" "$tmp/mounts.got"

# --- real programs ----------------------------------------------------------
W=$tmp/work
mkdir -p "$W"
cat >"$W/Script.sh" <<'S'
mkdir -p /Proj/Src
echo one >/proj/src/File.txt
echo two >>/PROJ/SRC/file.TXT
cd /proj/SRC && cat FILE.txt && pwd -P
ls /Proj/Src
S
capture sh vr --case-insensitive --mount "$W:/w" -- sh /W/Script.sh
is "a shell script with mixed-case paths" "one
two
/Proj/Src
File.txt" "$(cat "$tmp/sh.out" "$tmp/sh.err")"

mkdir -p "$W/mk"
printf 'int main(void) { return 0; }\n' >"$W/mk/foo.c"
printf 'prog: Foo.c\n\tcc -o prog FOO.C\n' >"$W/mk/Makefile"
capture mk vr --case-insensitive --mount "$W/mk:/mk:ci" --cwd /mk -- make -s
is "make with Foo.c for foo.c: status" "0" "$rc"
check "... built the program" test -x "$W/mk/prog"

# git init finds the filesystem case-insensitive, as on macOS.
capture gi vr --case-insensitive -- sh -c 'cd /tmp && git init -q gi && git -C gi config core.ignorecase'
is "git init sets core.ignorecase" "true" "$(cat "$tmp/gi.out" "$tmp/gi.err")"
capture gs vr --case-insensitive -- sh -c 'cd /tmp && git init -q gs && cd gs &&
	echo a >File.txt && git add File.txt &&
	git -c user.email=t@example.org -c user.name=t commit -qm m &&
	mv File.txt FILE.TXT && git status --short && ls'
is "... and git status after a case-only rename is clean" "FILE.TXT" \
	"$(cat "$tmp/gs.out" "$tmp/gs.err")"
# git matches a pathspec against its index byte for byte, core.ignorecase
# or not, so "git add file.txt" stages nothing for a tracked File.txt, on
# macOS as here (README); "git add ." stages the file by its index name.
capture ga vr --case-insensitive -- sh -c 'cd /tmp && git init -q ga && cd ga &&
	echo a >File.txt && git add File.txt &&
	git -c user.email=t@example.org -c user.name=t commit -qm m &&
	echo b >>FILE.TXT && git add file.txt &&
	echo "add file.txt: $(git diff --cached --name-status | tr "\t" " ")" >&2 &&
	git add . && git diff --cached --name-status && ls'
diag "$(cat "$tmp/ga.err")"
is "... a change made through another spelling is staged by its index name" "M	File.txt
File.txt" "$(cat "$tmp/ga.out")"
is "... git add of a case variant: no error" "0" "$rc"

mkdir -p "$W/t1" "$W/t2"
echo upper >"$W/t1/A"
echo lower >"$W/t2/a"
tar -C "$W/t1" -cf "$W/both.tar" A
tar -C "$W/t2" -rf "$W/both.tar" a
# GNU tar removes the file in the way (A) and creates its own name (a).
# (Directories of names no host's / is likely to hold: / is the base.)
capture tar vr --case-insensitive -- sh -c 'mkdir /vroot-tar-x && cd /vroot-tar-x &&
	tar -xf '"$W/both.tar"' && ls /vroot-tar-x && cat /VROOT-TAR-X/A'
is "tar -x of A then a: the second replaces the first" "a
lower" "$(cat "$tmp/tar.out" "$tmp/tar.err")"
capture tarn vr -- sh -c 'mkdir /vroot-tar-y && cd /vroot-tar-y &&
	tar -xf '"$W/both.tar"' && ls /vroot-tar-y'
is "... and without --case-insensitive both are kept" "A
a" "$(cat "$tmp/tarn.out" "$tmp/tarn.err")"
done_testing
