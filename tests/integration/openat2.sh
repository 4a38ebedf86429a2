#!/bin/sh
# openat2.sh - openat2(2) inside the namespace, RESOLVE_* rules included.
#
# A small C program asks openat2 a list of cases and prints what each one
# opened (or the errno).  It runs natively on a tree, with every dirfd under
# the tree's root, and through vroot with the same tree as the topmost base,
# the dirfds under the virtual root: scoped rules (BENEATH, IN_ROOT) take the
# dirfd as their root, so both must print the same.  /proc magic links and
# host mounts under /dev are compared the same way (both see the host's).
# A --mount crossing and RESOLVE_CACHED are checked against the kernel's
# documented answers, since natively there is no such mount.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd gcc

cat >"$tmp/o2.c" <<'C'
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

/* what() - what descriptor @fd is: a file's text, a directory's "id", a link's body. */
static void
what(int fd, char *out, size_t size)
{
	char buf[256] = "";
	struct stat st;
	ssize_t n = 0;
	int id;

	if (fstat(fd, &st) < 0) {
		snprintf(out, size, "fstat: %s", strerrorname_np(errno));
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		id = openat(fd, "id", O_RDONLY | O_CLOEXEC);
		n = id < 0 ? 0 : read(id, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = 0;
		snprintf(out, size, "dir %s", id < 0 ? "-" : strtok(buf, "\n"));
		if (id >= 0)
			close(id);
	} else if (S_ISLNK(st.st_mode)) {
		n = readlinkat(fd, "", buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = 0;
		snprintf(out, size, "link %s", buf[0] == '/' ? "(absolute)" : buf);
	} else if (S_ISREG(st.st_mode)) {
		if ((fcntl(fd, F_GETFL) & O_PATH) == 0)
			n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = 0;
		snprintf(out, size, "file %s", n > 0 ? strtok(buf, "\n") : "-");
	} else {
		snprintf(out, size, "type 0%o", (unsigned)(st.st_mode & S_IFMT));
	}
}

/* A case: LABEL|DIR|PATH|FLAGS|RESOLVE[|MODE|SIZE[|TAIL]]; DIR "-" is
 * AT_FDCWD, "/..." a host path, else relative to the root argument.
 * "%P" in PATH is a descriptor open on /proc. */
int
main(int argc, char **argv)
{
	char line[1024], path[512], out[300];
	int root = open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
	int procfd = open("/proc", O_PATH | O_DIRECTORY);
	FILE *f = argc > 2 ? fopen(argv[2], "r") : NULL;

	if (root < 0 || procfd < 0 || !f)
		return 2;
	while (fgets(line, sizeof(line), f)) {
		char *label = strtok(line, "|\n"), *dir = strtok(NULL, "|\n"), *p = strtok(NULL, "|\n");
		char *fl = strtok(NULL, "|\n"), *rs = strtok(NULL, "|\n"), *md = strtok(NULL, "|\n");
		char *sz = strtok(NULL, "|\n"), *tl = strtok(NULL, "|\n");
		struct {
			struct open_how how;
			unsigned long long tail[4];
		} h = {{0}, {0}};
		size_t size = sizeof(h.how);
		int dfd = AT_FDCWD;
		long fd;

		if (!label || !rs)
			continue;
		h.how.flags = strtoull(fl, NULL, 0) | O_CLOEXEC;
		h.how.resolve = strtoull(rs, NULL, 0);
		h.how.mode = md ? strtoull(md, NULL, 0) : 0;
		size = sz ? strtoul(sz, NULL, 0) : size;
		h.tail[0] = tl ? strtoull(tl, NULL, 0) : 0;
		if (!strcmp(p, "''"))
			p = "";
		if (strstr(p, "%P"))
			snprintf(path, sizeof(path), "%.*s%d%s", (int)(strstr(p, "%P") - p), p, procfd,
				 strstr(p, "%P") + 2);
		else
			snprintf(path, sizeof(path), "%s", p);
		if (dir[0] == '/')
			dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		else if (strcmp(dir, "-"))
			dfd = openat(root, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0 && dfd != AT_FDCWD) {
			printf("%s: dirfd %s: %s\n", label, dir, strerrorname_np(errno));
			continue;
		}
		fd = syscall(SYS_openat2, dfd, path, &h, size);
		if (fd < 0) {
			printf("%s: %s\n", label, strerrorname_np(errno));
		} else {
			what((int)fd, out, sizeof(out));
			printf("%s: %s\n", label, out);
			close((int)fd);
		}
		if (dfd >= 0)
			close(dfd);
	}
	return 0;
}
C
gcc -O1 -o "$tmp/o2" "$tmp/o2.c"

# The tree: names no host root has, so the base below (/) cannot answer them.
T=$tmp/tree
mkdir -p "$T/vt_a/vt_b"
echo A >"$T/vt_a/id"
echo B >"$T/vt_a/vt_b/id"
echo AF >"$T/vt_a/file"
echo F >"$T/vt_a/vt_b/f"
ln -s vt_a/file "$T/vt_rel"
ln -s /vt_a/vt_b "$T/vt_abs"
ln -s ../../vt_a "$T/vt_a/vt_b/up"
ln -s ../../.. "$T/vt_a/vt_b/esc"
ln -s /../vt_a/file "$T/vt_a/vt_b/absesc"
ln -s /vt_nothere "$T/vt_dangling"
ln -s loop "$T/vt_a/vt_b/loop"

B=0x8       # RESOLVE_BENEATH
R=0x10      # RESOLVE_IN_ROOT
S=0x4       # RESOLVE_NO_SYMLINKS
M=0x2       # RESOLVE_NO_MAGICLINKS
X=0x1       # RESOLVE_NO_XDEV
C=0x20      # RESOLVE_CACHED
P=0x200000  # O_PATH
NF=0x20000  # O_NOFOLLOW
CR=0x40     # O_CREAT
EX=0x80     # O_EXCL

# LABEL|DIR|PATH|FLAGS|RESOLVE[|MODE|SIZE|TAIL], compared natively and in vroot.
cat >"$tmp/cases" <<EOF
in_root plain|.|vt_a/file|0|$R
in_root absolute path|.|/vt_a/file|0|$R
in_root dotdot at root stays|vt_a/vt_b|../../..|0|$R
in_root absolute link|.|vt_abs|0|$R
in_root escaping link|vt_a/vt_b|esc|0|$R
in_root absolute escaping link|.|vt_a/vt_b/absesc|0|$R
in_root from depth, absolute link|vt_a|/vt_abs/f|0|$R
in_root dangling link|.|vt_dangling|0|$R
in_root loop|.|vt_a/vt_b/loop|0|$R
in_root file slash|.|vt_a/file/|0|$R
in_root O_CREAT+O_EXCL on a link|.|vt_rel|$((CR | EX))|$R|0600
in_root O_CREAT by an absolute path|vt_a|/vt_b/made|$((CR | 1))|$R|0600
in_root then open what it made|.|vt_a/vt_b/made|$P|$R
in_root O_CREAT through a dangling link|.|vt_dangling|$((CR | 1))|$R|0600
in_root the link's target was made|.|vt_nothere|$P|$R
beneath O_CREAT through an absolute link|.|vt_dangling|$((CR | 1))|$B|0600
beneath plain|vt_a|vt_b/f|0|$B
beneath absolute path|.|/vt_a/file|0|$B
beneath dotdot above dirfd|vt_a/vt_b|../file|0|$B
beneath dotdot inside|vt_a|vt_b/../file|0|$B
beneath dotdot back in|vt_a|../vt_a/file|0|$B
beneath absolute link|.|vt_abs|0|$B
beneath escaping link|vt_a/vt_b|esc|0|$B
beneath relative link|vt_a/vt_b|up/file|0|$B
beneath relative link from root|.|vt_a/vt_b/up/file|0|$B
beneath missing dirfd parent|vt_a|..|$P|$B
no_symlinks plain|.|vt_a/vt_b/f|0|$S
no_symlinks final link|.|vt_rel|0|$S
no_symlinks final link O_NOFOLLOW|.|vt_rel|$((P | NF))|$S
no_symlinks link component|.|vt_abs/f|0|$((S | R))
no_symlinks link O_NOFOLLOW not final|.|vt_abs/f|$((P | NF))|$((S | R))
no_magiclinks ordinary link|.|vt_rel|0|$((M | R))
all rules, no link|vt_a|vt_b/f|0|$((X | S | M | B))
no_xdev plain|vt_a|file|0|$X
no_xdev relative link|.|vt_rel|0|$X
no_xdev absolute link before any ..|.|vt_abs|0|$X
bad: BENEATH+IN_ROOT|.|vt_a|0|$((B | R))
bad: unknown resolve bit|.|vt_a|0|0x1000
bad: unknown flag bit|.|vt_a|0x100000000|0
bad: mode without O_CREAT|.|vt_a/file|0|0|0644
bad: mode with file type bits|.|vt_new|$CR|0|0100644
bad: O_PATH with O_RDWR|.|vt_a/file|$((P | 2))|0
bad: O_TMPFILE without O_DIRECTORY|.|vt_a|$((0x400000 | 2))|0
bad: O_CREAT+O_DIRECTORY|.|vt_new|$((CR | 0x10000))|0
bad: size too small|.|vt_a/file|0|0|0|16
bad: size over a page|.|vt_a/file|0|0|0|4097
bad: non-zero unknown field|.|vt_a/file|0|0|0|32|1
size with zero unknown field|.|vt_a/file|0|0|0|32|0
empty path|.|''|0|$R
cached with O_CREAT|.|vt_new|$CR|$C|0600
proc: crossing into /proc|-|/proc/self/status|$P|$X
proc: ordinary link self|/proc|self/status|$P|$((X | M))
proc: ordinary link self, beneath|/proc|self/status|$P|$B
proc: magic link fd|/proc|self/fd/0|$P|$M
proc: magic link as component|/proc|self/root/proc|$P|$M
proc: magic exe, O_NOFOLLOW|/proc|self/exe|$((P | NF))|$M
proc: magic exe from the root|-|/proc/self/exe|$P|$M
proc: magic cwd to another mount|/proc|self/cwd|$P|$X
proc: magic link in the same procfs|/proc|self/fd/%P|$P|$X
proc: magic link, beneath|/proc|self/root|$P|$B
proc: magic link, in_root|/proc|self/fd/%P|$P|$R
proc: no_symlinks on self|/proc|self|$P|$S
dev: host mount below /dev|/dev|pts|$P|$X
dev: host mount, dotdot out of it|/dev/pts|..|$P|$X
dev: no crossing without the rule|/dev|pts|$P|0
EOF
ncase=$(wc -l <"$tmp/cases")
plan $((ncase + 13))

# Through vroot first: the cases that create must find the tree unchanged.
capture virt vr --base "$T" --base / -- "$tmp/o2" / "$tmp/cases"
capture native "$tmp/o2" "$T" "$tmp/cases"
is "the program runs natively" 0 "$rc"
i=0
while IFS= read -r want; do
	i=$((i + 1))
	label=${want%%: *}
	got=$(sed -n "${i}p" "$tmp/virt.out")
	is "$label: $(echo "${want#*: }")" "$want" "$got"
done <"$tmp/native.out"
if [ "$i" != "$ncase" ]; then
	not_ok "native run answered $i of $ncase cases" "$tmp/native.err"
else
	ok "native run answered all $ncase cases"
fi

# A --mount: the namespace's own mount point, crossed or not.
mkdir -p "$tmp/h/sub"
echo HF >"$tmp/h/hf"
echo H >"$tmp/h/id"
cat >"$tmp/mcases" <<EOF
m1|-|/vt_m/hf|0|$X
m2|-|/vt_m/hf|0|0
m3|/vt_m|hf|0|$X
m4|/vt_m|..|$P|$X
m5|/vt_m|../vt_a/file|0|$B
m6|/vt_m|../vt_a/file|0|$R
m7|-|/vt_m|$P|$X
m8|/|vt_m/.|$P|$X
m9|/vt_m|sub/../hf|0|$((X | B))
m10|/vt_m|.|0|$X
m11|.|vt_a/file|0|$C
EOF
capture mnt vr --base "$T" --base / --mount "$tmp/h:/vt_m" -- "$tmp/o2" / "$tmp/mcases"
cat >"$tmp/mwant" <<EOF
m1: EXDEV
m2: file HF
m3: file HF
m4: EXDEV
m5: EXDEV
m6: ENOENT
m7: EXDEV
m8: EXDEV
m9: file HF
m10: dir H
m11: EAGAIN
EOF
while IFS= read -r want; do
	label=${want%%: *}
	is "mount: $label ($(grep "^$label|" "$tmp/mcases"))" "$want" "$(grep "^$label: " "$tmp/mnt.out" || echo "$label: (none; status $rc)")"
done <"$tmp/mwant"
done_testing
