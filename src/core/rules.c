/*
 * rules.c - the tests behind openat2(2)'s RESOLVE_* rules in the walk
 * (rule 9 at the top of walk.c): what is a mount crossing in the virtual
 * tree, and which procfs links are magic.
 */
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
	n = w->ns->ops->readlink(link->fd[0], body, PATH_MAX);
	magic = n <= 0 || n >= PATH_MAX || body[0] == '/';
	for (long i = 0; i < n && i < PATH_MAX && !magic; i++)
		magic = body[i] == ':';
	w->s.used = mark;
	return n < 0 ? (int)n : magic;
}
