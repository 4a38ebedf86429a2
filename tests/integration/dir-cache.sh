#!/bin/sh
# dir-cache.sh - the directories a process keeps between calls stay true:
# a change made by another process of the session, or by another session
# on the same prefix, is seen at the next lookup; vfork children, fork and
# exec, programs that close every descriptor (close_range, a close loop)
# or dup2 onto any number see what they see natively; 1,400 directories
# asked about again stay kept.  Each case runs natively and through vroot,
# and the outputs are compared.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd python3
plan 16
# Directories are kept only below ones everybody may search.
chmod 755 "$tmp"

# One shell asks about paths below directories it has walked through while
# other processes (mv, mkdir, rm, chmod) change them.
cat >"$tmp/procs.sh" <<'EOF'
cd "$1"
t() { if [ -e "$1" ]; then printf 'y'; else printf 'n'; fi; }
mkdir -p d/a/b/c
echo f >d/a/b/c/f
t d/a/b/c/f
mv d/a d/x
t d/a/b/c/f; t d/x/b/c/f
mkdir -p d/a/b/c
echo g >d/a/b/c/g
t d/a/b/c/f; t d/a/b/c/g
rm -r d/x
t d/x/b/c/f; t d/x
mv d/a/b d/a/z
t d/a/b/c/g; t d/a/z/c/g
ln -s z d/a/b
t d/a/b/c/g
rm d/a/b
t d/a/b/c/g
echo
EOF
mkdir -p "$tmp/n1" "$tmp/v1"
sh "$tmp/procs.sh" "$tmp/n1" >"$tmp/procs.native" 2>&1 || true
vr -- sh "$tmp/procs.sh" "$tmp/v1" >"$tmp/procs.vroot" 2>&1 || true
is_file "changes made by other processes of the session show at the next lookup" "$tmp/procs.native" "$tmp/procs.vroot"

# readlink() of a directory a process walked through is answered from its
# kept node; once another process puts a symlink or nothing in its place,
# the next readlink() sees that.
cat >"$tmp/readlink.py" <<'EOF'
import os, subprocess, sys
os.chdir(sys.argv[1])
os.makedirs("d/q/sub")
os.makedirs("d/q/other")
open("d/q/sub/f", "w").close()
def rl(p):
    try:
        return os.readlink(p)
    except OSError as e:
        return os.strerror(e.errno)
out = []
for p in ("d/q/sub/f", "d/q/other/."):
    os.stat(p)
out += [rl("d/q/sub"), rl("d/q/sub/"), rl("d/q"), rl("d/q/other")]
subprocess.run(["sh", "-c", "mv d/q/sub d/q/moved && ln -s moved d/q/sub && rmdir d/q/other"])
out += [rl("d/q/sub"), rl("d/q/moved"), rl("d/q/other"), rl("d/q/sub/f")]
print(" | ".join(out))
EOF
mkdir -p "$tmp/n7" "$tmp/v7"
python3 "$tmp/readlink.py" "$tmp/n7" >"$tmp/rl.native" 2>&1 || true
vr -- python3 "$tmp/readlink.py" "$tmp/v7" >"$tmp/rl.vroot" 2>&1 || true
is_file "readlink of kept directories, and of one another process replaced" "$tmp/rl.native" "$tmp/rl.vroot"

# Base directories the shell has walked through gain their copy in the
# prefix when another process makes a file below them; what is made there
# shows (only the copied directories' cached nodes go, not all of them).
cat >"$tmp/copied.sh" <<'EOF'
cd "$1"
t() { if [ -e "$1" ]; then printf 'y'; else printf 'n'; fi; }
t d/a/b/c/f; t d/a/b/c2/f; t d/e/f
sh -c ': >d/a/b/c/new'
t d/a/b/c/new; t d/a/b/c/f; t d/a/b/c2/f
sh -c ': >d/a/b/c2/new'
t d/a/b/c2/new; t d/e/f; t d/a/b/c/new
sh -c 'mkdir d/e/sub && : >d/e/sub/g'
t d/e/sub/g; t d/e/f
echo
EOF
for t in n3 v3; do
	mkdir -p "$tmp/$t/d/a/b/c" "$tmp/$t/d/a/b/c2" "$tmp/$t/d/e"
	: >"$tmp/$t/d/a/b/c/f"
	: >"$tmp/$t/d/a/b/c2/f"
	: >"$tmp/$t/d/e/f"
done
sh "$tmp/copied.sh" "$tmp/n3" >"$tmp/copied.native" 2>&1 || true
vr -- sh "$tmp/copied.sh" "$tmp/v3" >"$tmp/copied.vroot" 2>&1 || true
is_file "base directories copied up by another process: what is made in them shows" "$tmp/copied.native" "$tmp/copied.vroot"

# Two sessions on one prefix: the first has walked through d/a/b when the
# second renames d/a; files in the prefix are the only synchronisation.
cat >"$tmp/s1.sh" <<'EOF'
cd "$1"
t() { if [ -e "$1" ]; then printf 'y'; else printf 'n'; fi; }
mkdir -p d/a/b
echo f >d/a/b/f
t d/a/b/f
: >ready
i=0
while [ ! -e done ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
t d/a/b/f; t d/y/b/f; t d/a/new
echo
EOF
cat >"$tmp/s2.sh" <<'EOF'
cd "$1"
i=0
while [ ! -e ready ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
mv d/a d/y
mkdir d/a
: >d/a/new
: >done
EOF
mkdir -p "$tmp/n2" "$tmp/v2"
sh "$tmp/s1.sh" "$tmp/n2" >"$tmp/sessions.native" 2>&1 &
p1=$!
sh "$tmp/s2.sh" "$tmp/n2"
wait "$p1" || true
vr -- sh "$tmp/s1.sh" "$tmp/v2" >"$tmp/sessions.vroot" 2>&1 &
p1=$!
vr -- sh "$tmp/s2.sh" "$tmp/v2" || true
wait "$p1" || true
is_file "a change made by another session on the prefix shows at the next lookup" "$tmp/sessions.native" "$tmp/sessions.vroot"

# The Python programs below print what they find; the descriptors they
# hold are listed at the end (vroot's own are not the program's).
cat >"$tmp/lib.py" <<'EOF'
import os, subprocess, sys
base = sys.argv[1]
deep = base + "/p/q/r/s"
os.makedirs(deep, exist_ok=True)
with open(deep + "/f", "w") as f:
    f.write("x\n")
def fds():
    return " ".join(sorted(os.listdir("/proc/self/fd"), key=int))
def ex(p):
    return "y" if os.path.exists(p) else "n"
EOF

cat >"$tmp/vfork.py" <<'EOF'
import sys
exec(open(sys.argv[2]).read())
out = []
for i in range(20):
    # posix_spawn (a CLONE_VM child) opens a file below the cached directories.
    pid = os.posix_spawn("/bin/sh", ["sh", "-c", "read l <&5 && test -e %s/f && exit 7" % deep],
                         dict(os.environ), file_actions=[
                             (os.POSIX_SPAWN_OPEN, 5, deep + "/f", os.O_RDONLY, 0)])
    out.append(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
    os.makedirs(deep + "/n%d" % i)
    out.append(ex(deep + "/n%d" % i))
    r = subprocess.run(["sh", "-c", "ls " + deep + " | wc -l"], capture_output=True)
    out.append(r.stdout.decode().strip())
    out.append(ex(deep + "/f"))
print(" ".join(map(str, out)))
print(fds())
EOF
mkdir -p "$tmp/n3" "$tmp/v3"
(cd / && python3 "$tmp/vfork.py" "$tmp/n3" "$tmp/lib.py") >"$tmp/vfork.native" 2>&1 || true
(cd / && vr -- python3 "$tmp/vfork.py" "$tmp/v3" "$tmp/lib.py") >"$tmp/vfork.vroot" 2>&1 || true
is_file "vfork children look paths up without touching their parent's directories" "$tmp/vfork.native" "$tmp/vfork.vroot"

cat >"$tmp/closeall.py" <<'EOF'
import sys
exec(open(sys.argv[2]).read())
out = [ex(deep + "/f")]
os.closerange(3, 1 << 20)       # close_range(2) where the kernel has it
out.append(ex(deep + "/f"))
out.append(ex(deep + "/g"))
for fd in range(3, 4096):
    try:
        os.close(fd)
    except OSError:
        pass
out.append(ex(deep + "/f"))
os.mkdir(deep + "/g")
out.append(ex(deep + "/g/.."))
print(" ".join(out))
print(fds())
EOF
mkdir -p "$tmp/n4" "$tmp/v4"
python3 "$tmp/closeall.py" "$tmp/n4" "$tmp/lib.py" >"$tmp/closeall.native" 2>&1 || true
vr -- python3 "$tmp/closeall.py" "$tmp/v4" "$tmp/lib.py" >"$tmp/closeall.vroot" 2>&1 || true
is_file "closing every descriptor (close_range, a loop) leaves lookups working" "$tmp/closeall.native" "$tmp/closeall.vroot"

cat >"$tmp/dup2.py" <<'EOF'
import sys, resource
exec(open(sys.argv[2]).read())
out = [ex(deep + "/f")]
lim = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
# Where vroot keeps its own descriptors under this limit, and around.
taken = list(range(lim - 84, lim - 20))
for n in taken:
    os.dup2(1, n)
out.append(ex(deep + "/f"))
os.mkdir(deep + "/h")
out.append(ex(deep + "/h"))
for n in taken:
    os.close(n)
out.append(ex(deep + "/h/.."))
print(" ".join(out))
print(fds())
EOF
mkdir -p "$tmp/n5" "$tmp/v5"
(ulimit -n 1024 && python3 "$tmp/dup2.py" "$tmp/n5" "$tmp/lib.py") >"$tmp/dup2.native" 2>&1 || true
(ulimit -n 1024 && vr -- python3 "$tmp/dup2.py" "$tmp/v5" "$tmp/lib.py") >"$tmp/dup2.vroot" 2>&1 ||
	true
is_file "dup2 onto the numbers vroot keeps its own at takes nothing lookups need" "$tmp/dup2.native" "$tmp/dup2.vroot"

cat >"$tmp/fork.py" <<'EOF'
import sys
exec(open(sys.argv[2]).read())
out = [ex(deep + "/f")]
pid = os.fork()
if pid == 0:
    # The child has a copy of what its parent knows, and changes the tree.
    ok = os.path.exists(deep + "/f")
    os.rename(base + "/p/q", base + "/p/w")
    os.makedirs(deep)
    os._exit(0 if ok else 1)
out.append(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
out.append(ex(deep + "/f"))
out.append(ex(base + "/p/w/r/s/f"))
pid = os.fork()
if pid == 0:
    os.execv("/bin/sh", ["sh", "-c", "test -e %s/p/w/r/s/f && test ! -e %s/f" % (base, deep)])
out.append(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
print(" ".join(map(str, out)))
print(fds())
EOF
mkdir -p "$tmp/n6" "$tmp/v6"
python3 "$tmp/fork.py" "$tmp/n6" "$tmp/lib.py" >"$tmp/fork.native" 2>&1 || true
vr -- python3 "$tmp/fork.py" "$tmp/v6" "$tmp/lib.py" >"$tmp/fork.vroot" 2>&1 || true
is_file "fork children and exec'd programs see the tree as it is" "$tmp/fork.native" "$tmp/fork.vroot"

# Threads share the cache: one renames while others look up.
cat >"$tmp/threads.py" <<'EOF'
import sys, threading
exec(open(sys.argv[2]).read())
def look():
    for i in range(300):
        os.path.exists(deep + "/f")
        os.path.exists(base + "/p/m/r/s/f")
ts = [threading.Thread(target=look) for i in range(3)]
for t in ts:
    t.start()
for i in range(50):
    os.rename(base + "/p/q", base + "/p/m")
    os.rename(base + "/p/m", base + "/p/q")
for t in ts:
    t.join()
print(ex(deep + "/f"), ex(base + "/p/m"), ex(deep + "/f/.."))
EOF
mkdir -p "$tmp/n7" "$tmp/v7"
python3 "$tmp/threads.py" "$tmp/n7" "$tmp/lib.py" >"$tmp/threads.native" 2>&1 || true
vr -- python3 "$tmp/threads.py" "$tmp/v7" "$tmp/lib.py" >"$tmp/threads.vroot" 2>&1 || true
is_file "threads looking up while another renames" "$tmp/threads.native" "$tmp/threads.vroot"

# The whole listing of the shell's descriptors, from another process.
cat >"$tmp/ls.sh" <<'EOF'
cd "$1"; mkdir -p a/b/c/d; : >a/b/c/d/f; test -e a/b/c/d/f
# No pipeline: the shell would hold its ends while ls lists.
ls /proc/$$/fd >fds
sort -n fds | tr '\n' ' '; echo
EOF
mkdir -p "$tmp/n8" "$tmp/v8"
sh "$tmp/ls.sh" "$tmp/n8" >"$tmp/ls.native" 2>&1 || true
vr -- sh "$tmp/ls.sh" "$tmp/v8" >"$tmp/ls.vroot" 2>&1 || true
is_file "another process's listing of the shell's descriptors shows the program's only" "$tmp/ls.native" "$tmp/ls.vroot"

# Many directories asked about again and again stay kept, also under a
# user's usual soft descriptor limit of 1,024 (vroot's descriptors go
# above it): the first round misses each directory once, the next two hit.
mkdir -p "$tmp/many"
i=0
while [ $i -lt 700 ]; do
	mkdir -p "$tmp/many/d$i/sub"
	: >"$tmp/many/d$i/sub/f"
	i=$((i + 1))
done
cat >"$tmp/many.sh" <<'EOF'
n=0
for round in 1 2 3; do
	i=0
	while [ $i -lt 700 ]; do
		[ -e "$1/d$i/sub/f" ] && n=$((n + 1))
		[ -e "$1/d$i/sub/missing" ] || n=$((n + 1))
		i=$((i + 1))
	done
done
echo $n
EOF
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt 4096 ]; then
	skip "1,400 directories kept" "the hard descriptor limit is $hard: vroot keeps fewer"
else
	misses=$( (ulimit -Sn 1024 && vr --stats -- sh "$tmp/many.sh" "$tmp/many") 2>&1 |
		sed -n 's/.*directory cache: [0-9]* hits, \([0-9]*\) misses.*/\1/p')
	diag "1,400 directories asked about three times, soft limit 1,024: $misses misses"
	check "1,400 directories asked about three times are missed once each, soft limit 1,024" \
		test "${misses:-99999}" -lt 2000
fi
is "... and found as natively" "$(sh "$tmp/many.sh" "$tmp/many")" \
	"$(vr -- sh "$tmp/many.sh" "$tmp/many" 2>&1)"

# A chmod of a directory that leaves its mode as it was tells no other
# process to look its directories up again; one that takes a search bit
# away does; one that keeps every search bit has only that directory
# looked up again.  One process stats a file four directories down while
# another, started once (so that the cache's time bound plays no part),
# changes d/a in between, twenty times.
cat >"$tmp/attr.py" <<'EOF'
import os, subprocess, sys
CHILD = """
import os, sys
modes = [int(m, 8) for m in sys.argv[1].split(",")]
for i, line in enumerate(sys.stdin):
    os.chmod("d/a", modes[i % len(modes)])  # chmod(1) makes no call for a mode already there
    print("ok", flush=True)
"""
os.chdir(sys.argv[1])
child = subprocess.Popen([sys.executable, "-c", CHILD, sys.argv[2]], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
seen = 0
for i in range(20):
    seen += os.path.exists("d/a/b/c/f")
    child.stdin.write("go\n")
    child.stdin.flush()
    child.stdout.readline()
    seen += os.path.exists("d/a/b/c/f")
child.stdin.close()
child.wait()
print(seen, oct(os.stat("d/a").st_mode & 0o777))
EOF
# attr_misses DIR MODES: the session's cache misses; the program's output in $tmp/attr.out.
attr_misses() {
	rm -rf "${tmp:?}/$1"
	mkdir -p "$tmp/$1/d/a/b/c"
	: >"$tmp/$1/d/a/b/c/f"
	chmod 755 "$tmp/$1/d/a"
	vr --stats -- python3 "$tmp/attr.py" "$tmp/$1" "$2" >"$tmp/attr.out" 2>"$tmp/attr.err"
	sed -n 's/.*directory cache: [0-9]* hits, \([0-9]*\) misses.*/\1/p' "$tmp/attr.err"
}
same=$(attr_misses a1 755)
same_out=$(cat "$tmp/attr.out")
kept=$(attr_misses a2 775,755)
kept_out=$(cat "$tmp/attr.out")
taken=$(attr_misses a3 700,755)
diag "cache misses: 20 chmods to a directory's own mode $same, keeping its search bits $kept," \
	"taking them away every other time $taken"
check "a chmod to a directory's own mode leaves other processes' cached directories" \
	test "${same:-99999}" -lt "$((${taken:-0} - 40))"
check "... one that keeps its search bits has only that directory looked up again" \
	test "${kept:-99999}" -lt "$((${taken:-0} - 40))"
is "... and lookups find what they did" "40 0o755 40 0o755" "$same_out $kept_out"

# Another process's refusal follows the search bits of a directory it has
# walked through: a faked user (uid 1000, "other" to d/a) stats a file
# below d/a after each chmod of it, the bits taken away and given back.
cat >"$tmp/perm.py" <<'EOF'
import os, subprocess, sys
CHILD = """
import os, sys
os.setgroups([])
os.setgid(1000)
os.setuid(1000)
for line in sys.stdin:
    try:
        os.stat("d/a/b/f")
        print("ok", flush=True)
    except OSError as e:
        print(os.strerror(e.errno).replace(" ", "-"), flush=True)
"""
os.chdir(sys.argv[1])
os.makedirs("d/a/b")
open("d/a/b/f", "w").close()
os.chmod("d/a", 0o700)
child = subprocess.Popen([sys.executable, "-c", CHILD], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
out = []
for mode in (None, 0o711, 0o700, 0o755, 0o750, 0o751, 0o1751):
    if mode is not None:
        os.chmod("d/a", mode)
    child.stdin.write("go\n")
    child.stdin.flush()
    out.append(child.stdout.readline().strip())
child.stdin.close()
child.wait()
print(" ".join(out))
EOF
mkdir -p "$tmp/p1"
is "a faked user's search follows a directory's bits changed by another process" \
	"Permission-denied ok Permission-denied ok Permission-denied ok ok" \
	"$(vr --fake-root -- python3 "$tmp/perm.py" "$tmp/p1" 2>&1)"

done_testing
