/*
 * rules.c - the tests behind openat2(2)'s RESOLVE_* rules in the walk
 * (rule 9 at the top of walk.c): what is a mount crossing in the virtual
 * tree, which links are procfs links, which of those are magic, and whose
 * process they belong to.
 */
#include "rules.h"
#include "walk.h"
#include "util.h"

/* host_mount_root() - @fd is the root of a host mount. */
static int
host_mount_root(int fd)
{
	struct statx stx;

	if (sys_statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, 0, &stx) < 0)
		return 0;
	return !!(stx.stx_attributes & stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT);
}

int
vr_same_host_mount(int a, int b)
{
	struct statx sa, sb;

	if (sys_statx(a, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sa) < 0 ||
	    sys_statx(b, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sb) < 0)
		return 0;
	if (!(sa.stx_mask & sb.stx_mask & STATX_MNT_ID))
		return sa.stx_dev_major == sb.stx_dev_major && sa.stx_dev_minor == sb.stx_dev_minor;
	return sa.stx_mnt_id == sb.stx_mnt_id;
}

int
vr_walk_crosses_mount(const struct vr_walk *w, const struct vr_obj *child)
{
	if (child->synthetic)
		return 0;
	if (child->mount != w->cur.mount)
		return 1;
	return child->mount && child->nfd && host_mount_root(child->fd[0]);
}

int
vr_walk_at_mount_root(const struct vr_walk *w)
{
	if (!w->cur.mount || w->cur.synthetic)
		return 0;
	return vr_ns_mount_at(w->ns, w->vpath, w->vlen) == w->cur.mount ||
	       (w->cur.nfd && host_mount_root(w->cur.fd[0]));
}

/* root_mount() - the mount the walk's root lies in; NULL: the root overlay. */
static const struct vr_mount *
root_mount(const struct vr_walk *w)
{
	const struct vr_mount *best = NULL;

	for (unsigned int i = 0; i < w->ns->nmounts; i++) {
		const struct vr_mount *m = &w->ns->mounts[i];

		if (m->plen <= w->rootlen && vr_memcmp(m->path, w->root, m->plen) == 0 &&
		    (m->plen == w->rootlen || w->root[m->plen] == '/') &&
		    (!best || m->plen > best->plen))
			best = m;
	}
	return best;
}

int
vr_walk_jump_crosses(const struct vr_walk *w)
{
	const struct vr_mount *m;

	if (w->flags & VR_WALK_SCOPED)
		return 0;
	if (!w->root_known)
		return 1;
	m = root_mount(w);
	if (m != (w->cur.synthetic ? NULL : w->cur.mount))
		return 1;
	return m && w->cur.nfd && !vr_same_host_mount(w->cur.fd[0], m->b.fd);
}

int
vr_proc_link_is_magic(struct vr_walk *w, const struct vr_obj *link)
{
	size_t mark = w->s.used;
	char *body = vr_alloc(&w->s, PATH_MAX);
	long n;
	int magic;

	if (!body)
		return -ENOMEM;
	n = w->ns->ops->readlink(link->fd[0], "", body, PATH_MAX);
	magic = n <= 0 || n >= PATH_MAX || body[0] == '/';
	for (long i = 0; i < n && i < PATH_MAX && !magic; i++)
		magic = body[i] == ':';
	w->s.used = mark;
	return n < 0 ? (int)n : magic;
}

/* parse_pid() - decimal digits at *p, advanced past them; -1 if none. */
static long
parse_pid(const char **p)
{
	long v = -1;

	while (**p >= '0' && **p <= '9' && v < 1000000000)
		v = (v < 0 ? 0 : v * 10) + (*(*p)++ - '0');
	return v;
}

/* link_pid() - the process of the procfs link w->cur/w->last, or -1. */
static long
link_pid(const struct vr_walk *w)
{
	char proc[32], host[64];
	const char *p = host + 6;
	long n, pid;

	if (w->cur.nfd == 0)
		return -1;
	/* The host's name of the link's directory: /proc/PID[/task/TID][/fd]. */
	n = sys_readlinkat(AT_FDCWD, vr_proc_fd(proc, w->cur.fd[0]), host, sizeof(host) - 1);
	if (n <= 6 || vr_memcmp(host, "/proc/", 6) != 0)
		return -1;
	host[n] = '\0';
	pid = parse_pid(&p);
	if (pid <= 0 || (*p && *p != '/'))
		return -1;
	return pid;
}

int
vr_proc_link_own(const struct vr_walk *w)
{
	long pid = link_pid(w), self;

	if (pid <= 0)
		return 0;
	self = vr_sys0(__NR_getpid);
	/* /proc/TID of one of this process's threads is this process's too. */
	return pid == self || vr_sys3(__NR_tgkill, self, pid, 0) == 0;
}

/*
 * proc_in_ns() - process @pid runs in this namespace: it holds the first
 * layer's backing directory at the number this process does (every
 * process of a session inherits vroot's descriptors at their numbers).
 * A process that moved them (a lowered descriptor limit) counts as
 * outside: the answer errs towards hiding.
 */
static int
proc_in_ns(const struct vr_ns *ns, long pid)
{
	char path[64] = "/proc/";
	int fd = ns->nlayers ? ns->layers[0].fd : -1;
	struct stat st;
	size_t n;

	if (fd < 0)
		return 0;
	n = 6 + vr_utoa((unsigned long)pid, path + 6);
	vr_memcpy(path + n, "/fd/", 4);
	vr_utoa((unsigned long)fd, path + n + 4);
	return sys_fstatat(AT_FDCWD, path, &st, 0) == 0 && st.st_dev == ns->layers[0].dev &&
	       st.st_ino == ns->layers[0].ino;
}

int
vr_proc_link_hidden(const struct vr_walk *w, long vpath)
{
	long pid;

	if (vr_proc_link_own(w))
		return 0;
	/* A file, directory... without a virtual path: hidden from every other process. */
	if (vpath != -ENOTDIR)
		return 1;
	/* A pipe, a socket...: the namespace's processes' are theirs to share. */
	pid = link_pid(w);
	return pid <= 0 || !proc_in_ns(w->ns, pid);
}

int
vr_proc_link_root(const struct vr_walk *w)
{
	long pid;

	if (w->lastlen != 4 || vr_memcmp(w->last, "root", 5) != 0)
		return 0;
	/* Every process of the namespace has the host's root as the kernel's. */
	if (vr_proc_link_own(w))
		return 1;
	pid = link_pid(w);
	return pid > 0 && proc_in_ns(w->ns, pid);
}

int
vr_ns_procfs_in_mount(const struct vr_ns *ns)
{
	for (unsigned int i = 0; i < ns->nmounts; i++)
		if (!ns->mounts[i].procfs &&
		    vr_path_under("/proc", 5, ns->mounts[i].b.host, ns->mounts[i].b.hlen) >= 0)
			return 1;
	return 0;
}
