/*
 * helper.c - the privileged helper of a session started by root
 * (vr_helper_serve()) copies up a base object the overlay shows, and
 * nothing else: a request naming a path with "." or "..", a slash in the
 * name, a symlink on the way in the upper layer or in a base, a directory
 * hidden by an opaque upper directory or a whiteout, an existing upper
 * name, or no base object at all, makes nothing, anywhere.  A base file
 * with several names is linked up through the index, as the core's own
 * copy-up does it.  The requests
 * are sent as a program that reached the socket could send them (the
 * wire format as src/core/helper.c lays it out), on a connected socket.  Runs for any user: the helper
 * here has the rights of the user who runs the test.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "vroot.h"
#include "fixture.h"
#include "tap.h"

struct req {
	unsigned int magic, op;
	char dir[PATH_MAX];
	char name[NAME_MAX + 1];
};

static int sock;

/* ask_raw() - send one request as a process of the session does; the answer, or -EPIPE. */
static int
ask_raw(const void *buf, size_t len)
{
	int ans = -EPIPE;

	if (send(sock, buf, len, MSG_NOSIGNAL) < 0)
		return -errno;
	if (recv(sock, &ans, sizeof(ans), 0) != sizeof(ans))
		ans = -EPIPE;
	return ans;
}

static int
ask(const char *dir, const char *name)
{
	static struct req r;

	memset(&r, 0, sizeof(r));
	r.magic = 0x56524831u;
	r.op = 1;
	snprintf(r.dir, sizeof(r.dir), "%s", dir);
	snprintf(r.name, sizeof(r.name), "%s", name);
	return ask_raw(&r, sizeof(r));
}

/* listing() - every path below @root, one a line, sorted. */
static char *
listing(const char *root)
{
	char cmd[PATH_MAX + 64], *out = calloc(1, 65536);
	FILE *f;
	size_t n;

	snprintf(cmd, sizeof(cmd), "cd '%s' && find . | sort", root);
	f = popen(cmd, "r");
	n = f ? fread(out, 1, 65535, f) : 0;
	if (f)
		pclose(f);
	out[n] = '\0';
	return out;
}

int
main(void)
{
	char *top = fx_tmpdir("vroot-helper"), up[PATH_MAX], work[PATH_MAX], low[PATH_MAX],
	     out[PATH_MAX], p[PATH_MAX];
	const char *lowers[1];
	struct vr_ns_spec spec = {0};
	struct vr_ns *ns;
	struct stat st;
	char *before, *after;
	int sv[2], status;
	pid_t pid;

	if (!top)
		return perror("tmpdir"), 1;
	fx_path(up, sizeof(up), top, "up");
	fx_path(work, sizeof(work), top, "work");
	fx_path(low, sizeof(low), top, "low");
	fx_path(out, sizeof(out), top, "out");
	fx_mkdirs(top, "up/hid");
	fx_mkdirs(top, "work");
	fx_mkdirs(top, "out/secret");
	fx_mkdirs(top, "low/a/b");
	fx_mkdirs(top, "low/hid/c");
	fx_mkdirs(top, "low/gone");
	fx_file(top, "low/a/f", "data\n");
	fx_file(top, "low/a/h", "two\n");
	fx_path(p, sizeof(p), low, "a/h");
	fx_path(out, sizeof(out), low, "a/h2");
	if (link(p, out) < 0)
		return perror("link"), 1;
	fx_path(out, sizeof(out), top, "out");
	fx_symlink(top, "low/link", "../out");
	fx_symlink(top, "up/ulink", "../out");
	fx_mkdirs(top, "up/sl");
	fx_symlink(top, "low/sl", "../out");
	if (fx_opaque(top, "up/hid") < 0 || fx_whiteout(top, "up/gone") < 0)
		skip_all("the upper layer's filesystem holds no opaque directories or whiteouts");
	lowers[0] = low;
	spec.upper = up;
	spec.work = work;
	spec.lowers = lowers;
	spec.nlowers = 1;
	if (vr_ns_new(&spec, &ns) < 0 || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0)
		return perror("namespace"), 1;
	pid = fork();
	if (pid == 0) {
		close(sv[1]);
		_exit(vr_helper_serve(ns, sv[0]) < 0);
	}
	close(sv[0]);
	sock = sv[1];

	is_int(ask("", "a"), 0, "the copy of base directory a is made");
	fx_path(p, sizeof(p), up, "a");
	ok(lstat(p, &st) == 0 && S_ISDIR(st.st_mode), "... in the upper layer, a directory");
	is_int(ask("a", "f"), 0, "the copy of base file a/f is made");
	fx_path(p, sizeof(p), up, "a/f");
	ok(lstat(p, &st) == 0 && st.st_size == 5, "... with its data");
	is_int(ask("a", "f"), 1, "asked again: there already");
	is_int(ask("", "link"), 0, "a base symlink is copied as a symlink");
	fx_path(p, sizeof(p), up, "link");
	ok(lstat(p, &st) == 0 && S_ISLNK(st.st_mode), "... not followed");
	is_int(ask("a", "h"), 0, "a base file with two names: linked up");
	fx_path(p, sizeof(p), up, "a/h");
	ok(lstat(p, &st) == 0 && st.st_size == 4 && st.st_nlink == 2,
	   "... a link of its one copy in the index");
	is_int(ask("a", "h2"), 0, "its other name: linked up");
	fx_path(p, sizeof(p), up, "a/h2");
	ok(lstat(p, &st) == 0 && st.st_nlink == 3, "... to the same copy");
	fx_path(p, sizeof(p), low, "a/h");
	if (stat(p, &st) == 0) {
		char key[64], ent[PATH_MAX], cnt[PATH_MAX];
		struct stat e, c;

		snprintf(key, sizeof(key), "vroot-index/%lx-%lx", (unsigned long)st.st_dev,
		         (unsigned long)st.st_ino);
		fx_path(ent, sizeof(ent), work, key);
		strcat(key, ".d");
		fx_path(cnt, sizeof(cnt), work, key);
		fx_path(p, sizeof(p), up, "a/h");
		ok(stat(ent, &e) == 0 && stat(p, &st) == 0 && e.st_ino == st.st_ino &&
		           stat(cnt, &c) == 0 && c.st_size == 2,
		   "the index entry is that copy, both base names counted as copied");
	} else {
		ok(0, "the base file is there");
	}

	before = listing(top);
	is_int(ask("a/..", "b"), -EINVAL, "\"..\" in the directory: refused");
	is_int(ask("../low/a", "b"), -EINVAL, "a directory above the upper root: refused");
	is_int(ask("/a", "b"), -EINVAL, "an absolute directory: refused");
	is_int(ask("a/.", "b"), -EINVAL, "\".\" in the directory: refused");
	is_int(ask("a//", "b"), -EINVAL, "an empty component: refused");
	is_int(ask("a", ".."), -EINVAL, "\"..\" as the name: refused");
	is_int(ask("", "a/b"), -EINVAL, "a slash in the name: refused");
	is_int(ask("ulink", "secret"), -EACCES, "a symlink out of the upper layer: not followed");
	is_int(ask("sl", "secret"), -ENOENT, "a base symlink on the way: not followed");
	is_int(ask("hid", "c"), -EACCES, "below an opaque upper directory: hidden, refused");
	is_int(ask("", "gone"), 1, "over a whiteout: nothing made");
	is_int(ask("", "nothing"), -ENOENT, "no base object: nothing made");
	is_int(ask_raw("VRH1", 4), -EINVAL, "a short request: refused");
	after = listing(top);
	is_str(after, before, "nothing was made anywhere by the refused requests");
	free(before);
	free(after);

	close(sock);
	ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "the helper's answering ends when the connection is closed");
	vr_ns_free(ns);
	fx_rmrf(top);
	free(top);
	return done_testing();
}
