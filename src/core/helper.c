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
#include "helper.h"
#include "util.h"

#define AF_UNIX_        1
#define SOCK_SEQPACKET_ 5

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
ask(int helper, const struct vr_helper_req *req)
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
		n = vr_sys6(__NR_sendto, fd, (long)req, sizeof(*req), VR_HELPER_MSG_NOSIGNAL, 0, 0);
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
	struct vr_helper_req *req;
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
		req->magic = VR_HELPER_MAGIC;
		req->op = VR_HELPER_COPY;
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
