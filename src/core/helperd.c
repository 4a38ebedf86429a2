/*
 * helperd.c - the privileged helper's side of helper.c: it answers one
 * request a connection ("copy up the base object shown at DIR/NAME"),
 * finding the object itself; helper.c's header comment says what it
 * checks and why a program gains nothing by asking it.
 */
#include "copyup.h"
#include "helper.h"
#include "util.h"

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
full_path(struct vr_helper_req *req)
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
answer(struct vr_ns *ns, struct vr_helper_req *req)
{
	struct vr_obj o = {0};
	struct stat st;
	unsigned int type;
	int up, err;

	if (req->magic != VR_HELPER_MAGIC || req->op != VR_HELPER_COPY || !ns->has_upper ||
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
	struct vr_helper_req *req = vr_map(sizeof(*req) + 1);
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
		n = vr_sys6(__NR_sendto, sock, (long)&ans, sizeof(ans), VR_HELPER_MSG_NOSIGNAL, 0,
		            0);
		if (n < 0)
			break;
	}
	vr_unmap(req, sizeof(*req) + 1);
	return n < 0 ? (int)n : 0;
}
