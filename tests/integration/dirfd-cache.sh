#!/bin/sh
# dirfd-cache.sh - a walk relative to a directory descriptor starts from
# the directory the descriptor is, as natively: while another process or
# another session renames, removes or replaces that directory, after its
# base directory gained its copy in the prefix, through dup, fork and
# exec, and when its number is closed and reused for another directory
# (open, dup2).  Each case runs natively and through vroot; the outputs
# are compared.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd python3
plan 2
# Directories are kept only below ones everybody may search.
chmod 755 "$tmp"

cat >"$tmp/dirfd.py" <<'PY'
import errno, os, subprocess, sys, time
base, mode, steps = sys.argv[1], sys.argv[2], sys.argv[3]
os.chdir(base)
cmds = open(steps).read().splitlines()
done = 0
out = []

def change():
    # The next change, by another process (self) or another session (ext).
    global done
    cmd = cmds[done]
    done += 1
    if mode == "self":
        subprocess.run(["sh", "-c", cmd])
        return
    open("ready%d" % done, "w").close()
    for i in range(600):
        if os.path.exists("done%d" % done):
            return
        time.sleep(0.05)

def st(fd, name):
    try:
        os.stat(name, dir_fd=fd, follow_symlinks=False)
        return "y"
    except OSError as e:
        return errno.errorcode[e.errno]

def t(label, *a):
    out.append(label + ": " + " ".join(a))

for d in ("d/a", "d/r", "d/p", "d/b"):
    os.makedirs(d)
for f in ("d/a/f", "d/r/f", "d/b/g"):
    open(f, "w").close()
fa, fr, fp, fb = (os.open(d, os.O_RDONLY | os.O_DIRECTORY) for d in ("d/a", "d/r", "d/p", "bd"))
# Asked twice: the second answer may come from what the first one kept.
for i in range(2):
    t("start", st(fa, "f"), st(fr, "f"), st(fp, "."), st(fb, "f"), st(fb, "new"))
change()
t("renamed", st(fa, "f"), st(fa, "../x/f"), st(fa, "../a"), st(fa, ".."),
  os.path.basename(os.readlink("/proc/self/fd/%d" % fa)))
change()
t("removed", st(fr, "f"))
change()
t("made again", st(fr, "f"))
change()
t("replaced", st(fp, "g"))
change()
t("base copied up", st(fb, "new"), st(fb, "f"), st(fb, "."))
fd2 = os.dup(fa)
t("dup", st(fd2, "f"), st(fd2, "g"))
pid = os.fork()
if pid == 0:
    os._exit(7 if st(fa, "f") == "y" and st(fa, "g") == "ENOENT" else 1)
t("fork", str(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])))
r = subprocess.run([sys.executable, "-c",
                    "import os,sys; os.stat('f', dir_fd=int(sys.argv[1])); print('y')", str(fa)],
                   pass_fds=(fa,), capture_output=True, text=True)
t("exec", r.stdout.strip(), str(r.returncode))
n = fa
os.close(fa)
fo = os.open("d/b", os.O_RDONLY | os.O_DIRECTORY)
t("reused", str(fo == n), st(fo, "g"), st(fo, "f"))
os.dup2(fr, fo)
t("dup2", st(fo, "g"), st(fo, "f"))
os.dup2(fd2, fo)
t("dup2 back", st(fo, "f"), st(fo, "g"))
print("\n".join(out))
PY
# The changes, in order: d/a renamed; d/r removed, then made again; d/p
# replaced by another directory; base directory bd gains a file (its copy
# in the prefix) and loses one.
cat >"$tmp/steps" <<'EOF2'
mv d/a d/x
rm -r d/r
mkdir d/r && : >d/r/f
mkdir d/n && : >d/n/g && mv -T d/n d/p
: >bd/new && rm bd/f
EOF2
# The other session: each change once the program is ready for it.
cat >"$tmp/driver.sh" <<'EOF2'
cd "$1"
n=0
while IFS= read -r cmd; do
	n=$((n + 1))
	i=0
	while [ ! -e ready$n ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
	sh -c "$cmd"
	: >done$n
done <"$2"
EOF2

# run NAME MODE: natively in $tmp/NAME.n, through vroot in $tmp/NAME.v;
# bd, the base directory, exists before vroot starts.
run() {
	mkdir -p "$tmp/$1.n/bd" "$tmp/$1.v/bd"
	: >"$tmp/$1.n/bd/f"
	: >"$tmp/$1.v/bd/f"
	if [ "$2" = self ]; then
		python3 "$tmp/dirfd.py" "$tmp/$1.n" self "$tmp/steps" >"$tmp/$1.native" 2>&1 || true
		vr -- python3 "$tmp/dirfd.py" "$tmp/$1.v" self "$tmp/steps" >"$tmp/$1.vroot" 2>&1 ||
			true
		return
	fi
	python3 "$tmp/dirfd.py" "$tmp/$1.n" ext "$tmp/steps" >"$tmp/$1.native" 2>&1 &
	p=$!
	sh "$tmp/driver.sh" "$tmp/$1.n" "$tmp/steps"
	wait "$p" || true
	vr -- python3 "$tmp/dirfd.py" "$tmp/$1.v" ext "$tmp/steps" >"$tmp/$1.vroot" 2>&1 &
	p=$!
	vr -- sh "$tmp/driver.sh" "$tmp/$1.v" "$tmp/steps" || true
	wait "$p" || true
}

run procs self
is_file "directory descriptors follow changes made by another process of the session" "$tmp/procs.native" "$tmp/procs.vroot"
run sessions ext
is_file "directory descriptors follow changes made by another session on the prefix" "$tmp/sessions.native" "$tmp/sessions.vroot"
done_testing
