/*
 * overlay.c - the root overlay's lookup of one name in a directory.
 *
 * A directory of the root overlay is the stack of its layers' directories,
 * topmost first (struct vr_obj).  A name in it is the topmost layer's find,
 * merged with the finds below while they are directories, until a whiteout
 * (which hides what is below), an opaque directory or a non-directory; a
 * hidden directory (vroot's own) is not there.  A base file with several
 * links stands for its one copy in the index (index.c).  A mount point
 * names the mount's root; a name no layer has, with a mount point below
 * it, is a synthetic directory.  Names are looked up through the layer
 * operations (layer.h); with the host's operations a final name may be
 * opened with the program's own flags, or read by statx(), instead.
 */
#include <linux/openat2.h>
#include "dcache.h"
#include "overlay.h"
#include "owner.h"
#include "util.h"

int
vr_overlay_root(struct vr_walk *w, struct vr_obj *o)
{
	struct vr_ns *ns = w->ns;

	vr_obj_put(o);
	o->exists = 1;
	o->synthetic = 0;
	o->mount = NULL;
	o->nfd = ns->nlayers;
	for (unsigned int i = 0; i < ns->nlayers; i++) {
		o->fd[i] = ns->layers[i].fd;
		o->layer[i] = (unsigned char)i;
	}
	o->owned = 0;
	/* The root's attributes are read only if the walk ends on it (run()). */
	o->st.st_mode = S_IFDIR;
	o->st.st_ino = 0;
	o->allx = vr_dc_root_allx(w);
	return 0;
}

/* stub_fd() - the stub directory standing in for synthetic w->vpath, or -1. */
static int
stub_fd(struct vr_walk *w)
{
	struct open_how how = {
	        .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
	        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	if (w->ns->stub.fd < 0)
		return -1;
	fd = sys_openat2(w->ns->stub.fd, w->vpath + 1, &how);
	return fd < 0 ? -1 : fd;
}

/* A directory no layer has; its attributes are its stub's, or made up. */
static int
obj_synthetic(struct vr_walk *w, struct vr_obj *o)
{
	int fd = stub_fd(w);
	int err;

	o->exists = 1;
	o->synthetic = 1;
	o->mount = NULL;
	o->nfd = 0;
	o->owned = 0;
	if (fd >= 0) {
		o->fd[0] = fd;
		o->layer[0] = 0;
		o->nfd = 1;
		o->owned = 1;
		return sys_fstat(fd, &o->st);
	}
	err = sys_fstat(w->ns->layers[0].fd, &o->st);
	o->st.st_mode = S_IFDIR | 0555;
	o->st.st_nlink = 2;
	o->st.st_size = 0;
	/* Stable, unlikely to collide with the layer's own inode numbers. */
	o->st.st_ino = 0x7fff000000000000UL ^ (unsigned long)w->vlen << 32;
	for (size_t i = 0; i < w->vlen; i++)
		o->st.st_ino = o->st.st_ino * 31 + (unsigned char)w->vpath[i];
	return err;
}

static int
obj_mount_root(struct vr_obj *o, const struct vr_mount *m)
{
	o->exists = 1;
	o->synthetic = 0;
	o->mount = m;
	o->nfd = 1;
	o->fd[0] = m->b.fd;
	o->layer[0] = 0;
	o->owned = 0;
	return sys_fstat(m->b.fd, &o->st);
}

static int
is_hidden_dir(const struct vr_ns *ns, const struct stat *st)
{
	return (st->st_mode & S_IFMT) == S_IFDIR && vr_ns_is_hidden(ns, st->st_dev, st->st_ino);
}

/* add_layer() - take one layer's find into @o; 1 when the merge must stop. */
static int
add_layer(struct vr_walk *w, struct vr_obj *o, const struct vr_obj *dir, unsigned int i, int fd,
          const struct stat *st)
{
	int isdir = (st->st_mode & S_IFMT) == S_IFDIR;
	int op;

	if (o->nfd > 0 && !isdir) {
		/* A non-directory below a directory ends the merge. */
		sys_close(fd);
		return 1;
	}
	if (o->nfd == 0)
		vr_memcpy(&o->st, st, sizeof(*st));
	if (o->nfd == 0 && dir->layer[i] != 0 && !dir->mount && st->st_nlink > 1 &&
	    (st->st_mode & S_IFMT) == S_IFREG && w->ns->has_upper)
		fd = vr_index_use(w->ns, o, fd);
	o->exists = 1;
	o->fd[o->nfd] = fd;
	o->layer[o->nfd] = dir->layer[i];
	o->owned |= 1u << o->nfd;
	o->nfd++;
	if (!isdir || dir->mount || i + 1 >= dir->nfd)
		return 1;
	op = w->ns->ops->opaque(fd);
	return op != 0;
}

/*
 * open_dir() - @name in directory @dirfd opened as the program's open()
 * for reading asks (w->open_final), when vr_overlay_lookup() is asked for
 * the final component: the descriptor the program gets, with *@st.  Whatever the
 * name holds is opened as the program's own open would open it there (a
 * FIFO waits for a writer); a whiteout (device 0:0) does not open.  Not
 * in procfs, whose names the walk answers itself.
 * Return: it, -ENOENT (no such name), -EINTR (a FIFO's open waiting for
 * a writer, interrupted by a signal whose action does not restart it:
 * the program's open fails so, as natively; looking the name up again
 * would wait again), or -EOPNOTSUPP: look it up as usual (a symlink, not
 * readable, not asked).
 */
static int
open_dir(struct vr_walk *w, int dirfd, const char *name, struct stat *st)
{
	/* Not O_NOFOLLOW, which fcntl(F_GETFL) would show the program. */
	struct open_how how = {
	        .flags = (unsigned long)(unsigned int)w->open_final,
	        .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	if (!w->open_final || !w->lookup_final || w->ns->ops != &vr_host_layer_ops ||
	    vr_in_procfs(&w->cur))
		return -EOPNOTSUPP;
	fd = sys_openat2(dirfd, name, &how);
	if (fd == -ENOENT || fd == -EINTR)
		return fd;
	if (fd >= 0 && sys_fstat(fd, st) < 0) {
		sys_close(fd);
		fd = -EOPNOTSUPP;
	}
	return fd < 0 ? -EOPNOTSUPP : fd;
}

int
vr_overlay_lookup(struct vr_walk *w, const struct vr_obj *dir, const char *name, struct vr_obj *o)
{
	const struct vr_mount *m = vr_ns_mount_at(w->ns, w->vpath, w->vlen);
	unsigned int i;

	o->mount = dir->mount;
	o->synthetic = 0;
	if (m)
		return obj_mount_root(o, m);
	for (i = 0; i < dir->nfd && !dir->synthetic; i++) {
		struct stat st;
		int fd = o->nfd == 0 ? open_dir(w, dir->fd[i], name, &st) : -EOPNOTSUPP;
		int opened = fd >= 0, err = opened ? 0 : fd;

		if (err == -EOPNOTSUPP)
			err = w->ns->ops->lookup(dir->fd[i], name, &fd, &st);
		if (err == -ENOENT && !dir->mount && dir->layer[i] == 0)
			o->upnone = 1;
		if (err == -ENOENT)
			continue;
		if (err < 0)
			return err;
		if ((!dir->mount && vr_is_whiteout(&st)) || is_hidden_dir(w->ns, &st)) {
			sys_close(fd);
			break;
		}
		if (o->nfd == 0)
			o->opened = opened;
		err = add_layer(w, o, dir, i, fd, &st);
		/* An index entry stands for the base file (O_PATH): not the program's. */
		if (o->indexed)
			o->opened = 0;
		if (err)
			break;
	}
	if (!o->exists && vr_ns_mount_below(w->ns, w->vpath, w->vlen))
		return obj_synthetic(w, o);
	return 0;
}

/*
 * plain_upper() - upper-layer regular file @name of @dirfd, of stat @st just
 * read by name, carries neither an owner's record nor an origin (a file a
 * program made, not a copy): then that stat is what the program sees, with
 * no descriptor opened to read its attributes (vr_overlay_lookup()).  One
 * listxattr() by name, and the stat read again, unchanged, to be sure the
 * list was of the same file.  A file of several links takes the lookup
 * (index.c).
 */
static int
plain_upper(const struct vr_ns *ns, int dirfd, const char *name, const struct stat *st)
{
	char names[256];
	long n;

	if (st->st_nlink != 1 || ns->ops != &vr_host_layer_ops)
		return 0;
	n = vr_xattr_list(dirfd, name, names, sizeof(names));
	if (n == -EOPNOTSUPP)
		n = 0; /* no user xattrs in the prefix: none to have */
	if (n < 0 || vr_xattr_listed(names, n, VR_OWNER_XATTR) ||
	    vr_xattr_listed(names, n, VR_ORIGIN_XATTR))
		return 0;
	return vr_same_file_at(dirfd, name, st);
}

/*
 * stat_by_statx() - @name in directory @dirfd read by statx() into the
 * walk's buffer (vr_walk_statx()), and into @st as fstatat() gives it.
 * Return: 0 or -errno.
 */
static int
stat_by_statx(struct vr_walk *w, int dirfd, const char *name, struct stat *st)
{
	struct statx *x = w->stx;
	int err = sys_statx(dirfd, name, AT_SYMLINK_NOFOLLOW | w->stx_flags,
	                    w->stx_mask | STATX_BASIC_STATS, x);

	if (err < 0)
		return err;
	vr_memset(st, 0, sizeof(*st));
	/* The kernel's new_encode_dev(), as stat(2) gives device numbers. */
	st->st_dev = (x->stx_dev_minor & 0xff) | ((unsigned long)x->stx_dev_major << 8) |
	             ((unsigned long)(x->stx_dev_minor & ~0xffu) << 12);
	st->st_rdev = (x->stx_rdev_minor & 0xff) | ((unsigned long)x->stx_rdev_major << 8) |
	              ((unsigned long)(x->stx_rdev_minor & ~0xffu) << 12);
	st->st_ino = x->stx_ino;
	st->st_mode = x->stx_mode;
	st->st_nlink = x->stx_nlink;
	st->st_uid = x->stx_uid;
	st->st_gid = x->stx_gid;
	st->st_size = (long)x->stx_size;
	st->st_blksize = x->stx_blksize;
	st->st_blocks = (long)x->stx_blocks;
	st->st_atime = x->stx_atime.tv_sec;
	st->st_atime_nsec = x->stx_atime.tv_nsec;
	st->st_mtime = x->stx_mtime.tv_sec;
	st->st_mtime_nsec = x->stx_mtime.tv_nsec;
	st->st_ctime = x->stx_ctime.tv_sec;
	st->st_ctime_nsec = x->stx_ctime.tv_nsec;
	return 0;
}

int
vr_overlay_lookup_attr(struct vr_walk *w, const struct vr_obj *dir, const char *name,
                       struct vr_obj *o)
{
	const struct vr_ns *ns = w->ns;
	int by_statx = w->stx && ns->ops == &vr_host_layer_ops;
	unsigned int i;

	w->stx_done = 0;
	if (dir->synthetic || vr_in_procfs(dir) || vr_ns_mount_at(ns, w->vpath, w->vlen))
		return 0;
	if ((w->flags & VR_WALK_XATTR) && vr_dc_name_get(w, dir, name, o)) {
		vr_ns_count(w->ns, offsetof(struct vr_stats, attr_by_name));
		return 1;
	}
	for (i = 0; i < dir->nfd; i++) {
		struct stat st;
		unsigned int t;
		int err = by_statx ? stat_by_statx(w, dir->fd[i], name, &st)
		                   : ns->ops->stat_at(dir->fd[i], name, &st);

		if (err == -ENOENT && !dir->mount && dir->layer[i] == 0)
			o->upnone = 1;
		if (err == -ENOENT)
			continue;
		if (err < 0)
			return 0;
		t = st.st_mode & S_IFMT;
		/*
		 * A directory in a directory of one base layer (or of a mount)
		 * has no other layer to merge with and no origin to read: its
		 * stat is the answer, unless it is vroot's own.
		 */
		if (t == S_IFDIR && (dir->nfd != 1 || (!dir->mount && dir->layer[0] == 0) ||
		                     is_hidden_dir(ns, &st)))
			return 0;
		if (!dir->mount && vr_is_whiteout(&st))
			return 0;
		if (!dir->mount && ns->has_upper && t == S_IFREG &&
		    ((dir->layer[i] == 0 && !((w->flags & VR_WALK_GONE) && st.st_nlink == 1) &&
		      !plain_upper(ns, dir->fd[i], name, &st)) ||
		     (st.st_nlink > 1 && !vr_index_unused(ns, st.st_dev, st.st_ino))))
			return 0;
		/* Removing a name of a shared file opens it (index.c). */
		if ((w->flags & VR_WALK_GONE) && !dir->mount && t == S_IFREG && st.st_nlink > 1)
			return 0;
		if (!dir->mount && ns->has_upper && t == S_IFREG && st.st_nlink > 1) {
			/* As vr_index_use() leaves a base file standing for itself. */
			o->odev = st.st_dev;
			o->oino = st.st_ino;
			o->onlink = st.st_nlink;
		}
		o->exists = 1;
		o->synthetic = 0;
		o->mount = dir->mount;
		o->nfd = 1;
		o->fd[0] = dir->fd[i];
		o->layer[0] = dir->layer[i];
		o->owned = 0;
		o->byname = 1;
		o->at = name;
		vr_memcpy(&o->st, &st, sizeof(st));
		w->stx_done = by_statx;
		vr_ns_count(w->ns, offsetof(struct vr_stats, attr_by_name));
		vr_dc_name_note(w, dir, name, o);
		return 1;
	}
	/* No layer has it: absent, unless a mount below makes it synthetic. */
	if (vr_ns_mount_below(ns, w->vpath, w->vlen))
		return 0;
	o->exists = 0;
	o->mount = dir->mount;
	o->synthetic = 0;
	return 1;
}
