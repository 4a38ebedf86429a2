/*
 * helper.c - copies a session started by root makes for a user it became.
 *
 * When root starts a session and a program in it becomes another user for
 * real (setpriv, su, a daemon dropping privileges), vroot's copy-up runs
 * as that user, and the prefix's directories belong to root: making the
 * copy of a base directory (or file) there is refused, even where the
 * change the program asked for is allowed on what it sees (mkdir in a base
 * /tmp of mode 1777).  The cli then starts a privileged helper process
 * before the program, listening on a SOCK_SEQPACKET socket whose name it
 * removes at once: only holders of the O_PATH descriptor of that socket,
 * which every process of the session keeps among vroot's own descriptors,
 * can connect to it (through /proc/self/fd/N), and programs cannot see
 * those.
 *
 * One request: "copy up the base object shown at DIR/NAME", DIR the upper
 * directory the caller holds, relative to the upper root.  The caller asks
 * only after its own copy failed with EACCES or EPERM, having judged the
 * change on the virtual objects already, on a connection of its own.
 *
 * Why a program that reaches the socket itself gains nothing: a copy-up
 * changes nothing the program sees (the copy has the object's owner, mode,
 * times, attributes, data and inode number), and the helper makes one
 * only where the overlay shows that base object.  It reads no path the
 * program controls outside the layers: DIR is walked one component at a
 * time from the upper root, with O_NOFOLLOW|O_DIRECTORY, "." and ".."
 * refused; no upper directory on the way may be opaque (that would hide
 * the base object, and the copy would show it again); the base object is
 * found the same way in the lowers, topmost first, where a non-directory
 * or an opaque directory on the way ends the search (the object is
 * hidden), and the prefix's own directories are refused; a whiteout and
 * an existing upper name are not copied.  A file with several links is
 * linked up as the caller's own copy-up does it: its one shared copy in
 * the index (made if missing, with the file's data, mode and owner), a link
 * of it at DIR/NAME, that base name counted as copied; every name of it
 * shows the same data and link count before and after.  What is left is
 * a copy the program's own copy-up would have made, which costs the
 * prefix's space: as much as reading every base file the program sees.
 */
#include "copyup.h"
#include "helper.h"
#include "index.h"
#include "util.h"

#define HELPER_MAGIC 0x56524831u /* "VRH1" */
#define HELPER_COPY  1u

#define AF_UNIX_        1
#define SOCK_SEQPACKET_ 5
#define MSG_NOSIGNAL_   0x4000

struct helper_req {
	unsigned int magic, op;
	char dir[PATH_MAX]; /* relative to the upper root, "" for the root */
	char name[NAME_MAX + 1];
};

/* struct sockaddr_un */
struct ksun {
	unsigned short family;
	char path[108];
};

/* upper_owner_differs() - the calling thread's fsuid is not the upper root's owner. */
static int
upper_owner_differs(const struct vr_ns *ns)
{
	struct stat st;
	long fsuid = vr_sys1(__NR_setfsuid, -1); /* an invalid id changes nothing */

	return sys_fstat(ns->layers[0].fd, &st) == 0 && (unsigned long)fsuid != st.st_uid;
}

/* rel_dir() - the path of upper directory @upfd below the upper root, into @out. */
static int
rel_dir(const struct vr_ns *ns, int upfd, char *out)
{
	const struct vr_backing *up = &ns->layers[0];
	char p[32];
	long n = sys_readlinkat(AT_FDCWD, vr_proc_fd(p, upfd), out, PATH_MAX);

	if (n < 0)
		return (int)n;
	if (n >= PATH_MAX || (size_t)n < up->hlen || vr_memcmp(out, up->host, up->hlen) != 0 ||
	    (n > (long)up->hlen && out[up->hlen] != '/'))
		return -EXDEV;
	if (n == (long)up->hlen) {
		out[0] = '\0';
		return 0;
	}
	n -= (long)up->hlen + 1;
	vr_memmove(out, out + up->hlen + 1, (size_t)n);
	out[n] = '\0';
	return 0;
}

/* ask() - send @req to the helper on a connection of its own, and wait for the answer. */
static int
ask(int helper, const struct helper_req *req)
{
	struct ksun a = {AF_UNIX_, "/proc/self/fd/"};
	int fd, ans = -EIO;
	long n;

	vr_utoa((unsigned long)helper, a.path + 14);
	fd = (int)vr_sys3(__NR_socket, AF_UNIX_, SOCK_SEQPACKET_ | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	do
		n = vr_sys3(__NR_connect, fd, &a, sizeof(a));
	while (n == -EINTR);
	if (n == 0)
		n = vr_sys6(__NR_sendto, fd, (long)req, sizeof(*req), MSG_NOSIGNAL_, 0, 0);
	while (n >= 0 &&
	       (n = vr_sys6(__NR_recvfrom, fd, (long)&ans, sizeof(ans), 0, 0, 0)) == -EINTR)
		;
	sys_close(fd);
	if (n < 0)
		return (int)n;
	return n == sizeof(ans) ? ans : -EIO;
}

int
vr_helper_copy(struct vr_ns *ns, int upfd, const char *name)
{
	struct vr_scratch s;
	struct helper_req *req;
	size_t len = vr_strlen(name);
	int err;

	if (ns->helper_fd < 0 || !ns->has_upper || !upper_owner_differs(ns))
		return -ENOSYS;
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	if (vr_scratch_get(&ns->pool, &s) < 0)
		return -ENOMEM;
	req = vr_alloc(&s, sizeof(*req));
	err = req ? rel_dir(ns, upfd, req->dir) : -ENOMEM;
	if (err == 0) {
		req->magic = HELPER_MAGIC;
		req->op = HELPER_COPY;
		vr_memcpy(req->name, name, len + 1);
		err = ask(ns->helper_fd, req);
	}
	vr_scratch_put(&ns->pool, &s);
	return err;
}

int
vr_helper_adopt(struct vr_ns *ns, const int *fds, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct stat st;

		if (sys_fstat(fds[i], &st) == 0 && (st.st_mode & S_IFMT) == S_IFSOCK) {
			int fd = sys_fcntl(fds[i], F_DUPFD_CLOEXEC, 0);

			if (fd < 0)
				return fd;
			ns->helper_fd = fd;
			return 0;
		}
	}
	return 0;
}

/* name_ok() - @name is one plain name: not empty, ".", ".." or with a slash. */
static int
name_ok(const char *name)
{
	if (!name[0] || vr_strcmp(name, ".") == 0 || vr_strcmp(name, "..") == 0)
		return 0;
	for (const char *c = name; *c; c++)
		if (*c == '/')
			return 0;
	return 1;
}

/*
 * open_component() - component @name (@len bytes) of the path below @dir, opened
 * without following; *@st its attributes.  Return: descriptor or -errno.
 */
static int
open_component(int dir, const char *name, size_t len, struct stat *st)
{
	char c[NAME_MAX + 1];
	int fd;

	if (len == 0 || len > NAME_MAX)
		return -EINVAL;
	vr_memcpy(c, name, len);
	c[len] = '\0';
	if (!name_ok(c))
		return -EINVAL;
	fd = sys_openat(dir, c, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd >= 0 && sys_fstat(fd, st) < 0) {
		sys_close(fd);
		return -EIO;
	}
	return fd;
}

/*
 * upper_parent() - upper directory @dir (relative to the upper root), each
 * component a directory that is not opaque.  Return: descriptor or -errno.
 */
static int
upper_parent(const struct vr_ns *ns, const char *dir)
{
	int cur = sys_fcntl(ns->layers[0].fd, F_DUPFD_CLOEXEC, 0);

	while (cur >= 0 && *dir) {
		const char *end = dir;
		struct stat st;
		int next;

		while (*end && *end != '/')
			end++;
		next = open_component(cur, dir, (size_t)(end - dir), &st);
		sys_close(cur);
		/* An opaque directory on the way hides the base object. */
		if (next >= 0 && ((st.st_mode & S_IFMT) != S_IFDIR || ns->ops->opaque(next) > 0)) {
			sys_close(next);
			next = -EACCES;
		}
		cur = next;
		dir = *end ? end + 1 : end;
	}
	return cur;
}

/*
 * in_layer() - @path (relative, no empty component) in lower layer @l: 1
 * with *@fd and *@st set when it is there, 0 when it is not and lower
 * layers may hold it, -errno when this layer hides it from lower ones (a
 * non-directory or an opaque directory on the way) or the path is refused.
 */
static int
in_layer(const struct vr_ns *ns, unsigned int l, const char *path, int *fd, struct stat *st)
{
	int cur = sys_fcntl(ns->layers[l].fd, F_DUPFD_CLOEXEC, 0), hidden = 0;

	while (cur >= 0) {
		const char *end = path;
		int next;

		while (*end && *end != '/')
			end++;
		next = open_component(cur, path, (size_t)(end - path), st);
		sys_close(cur);
		if (next >= 0 && vr_ns_is_hidden(ns, st->st_dev, st->st_ino)) {
			sys_close(next);
			return -EACCES;
		}
		if (next == -ENOENT)
			return hidden ? -ENOENT : 0;
		if (next < 0 || !*end) {
			*fd = next;
			return next < 0 ? next : 1;
		}
		if ((st->st_mode & S_IFMT) != S_IFDIR) {
			sys_close(next);
			return -ENOENT;
		}
		hidden |= ns->ops->opaque(next) > 0;
		cur = next;
		path = end + 1;
	}
	return cur;
}

/*
 * find_lower() - the base object the overlay shows at @path, opened into
 * @o.  Return: 0 or -errno.
 */
static int
find_lower(const struct vr_ns *ns, const char *path, struct vr_obj *o)
{
	for (unsigned int l = 1; l < ns->nlayers; l++) {
		int r = in_layer(ns, l, path, &o->fd[0], &o->st);

		if (r < 0)
			return r;
		if (r == 0)
			continue;
		o->exists = 1;
		o->nfd = 1;
		o->layer[0] = (unsigned char)l;
		o->owned = 1;
		return 0;
	}
	return -ENOENT;
}

/* full_path() - DIR/NAME of @req, in place of DIR (room for it is checked). */
static const char *
full_path(struct helper_req *req)
{
	size_t d = vr_strlen(req->dir), n = vr_strlen(req->name);

	if (d + 1 + n + 1 > sizeof(req->dir))
		return "";
	if (d)
		req->dir[d++] = '/';
	vr_memcpy(req->dir + d, req->name, n + 1);
	return req->dir;
}

/* answer() - the result of request @req. */
static int
answer(struct vr_ns *ns, struct helper_req *req)
{
	struct vr_obj o = {0};
	struct stat st;
	unsigned int type;
	int up, err;

	if (req->magic != HELPER_MAGIC || req->op != HELPER_COPY || !ns->has_upper ||
	    vr_strnlen(req->dir, sizeof(req->dir)) == sizeof(req->dir) ||
	    vr_strnlen(req->name, sizeof(req->name)) == sizeof(req->name) || !name_ok(req->name) ||
	    req->dir[0] == '/')
		return -EINVAL;
	up = upper_parent(ns, req->dir);
	if (up < 0)
		return up;
	err = sys_fstatat(up, req->name, &st, AT_SYMLINK_NOFOLLOW);
	if (err == 0)
		err = 1; /* copied already, or hidden by a whiteout: nothing to make */
	else if (err == -ENOENT)
		err = find_lower(ns, full_path(req), &o);
	if (err == 0) {
		type = o.st.st_mode & S_IFMT;
		if (type == S_IFREG && o.st.st_nlink > 1) {
			o.odev = o.st.st_dev;
			o.oino = o.st.st_ino;
			o.onlink = o.st.st_nlink;
		}
		err = vr_is_whiteout(&o.st) ? -EACCES : vr_copyup_at(ns, up, req->name, &o);
	}
	if (o.nfd)
		sys_close(o.fd[0]);
	sys_close(up);
	return err;
}

int
vr_helper_serve(struct vr_ns *ns, int sock)
{
	struct helper_req *req = vr_map(sizeof(*req) + 1);
	long n;

	if (!req)
		return -ENOMEM;
	/* One byte more than a request: a longer message shows as one. */
	while ((n = vr_sys6(__NR_recvfrom, sock, (long)req, sizeof(*req) + 1, 0, 0, 0)) != 0) {
		int ans;

		if (n == -EINTR)
			continue;
		if (n < 0)
			break;
		ans = n == sizeof(*req) ? answer(ns, req) : -EINVAL;
		n = vr_sys6(__NR_sendto, sock, (long)&ans, sizeof(ans), MSG_NOSIGNAL_, 0, 0);
		if (n < 0)
			break;
	}
	vr_unmap(req, sizeof(*req) + 1);
	return n < 0 ? (int)n : 0;
}
