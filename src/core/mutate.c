/*
 * mutate.c - operations on names: mkdir, mknod, symlink, link, unlink,
 * rmdir, rename, and AF_UNIX names.
 *
 * In the root overlay a change happens in the upper layer: the directory
 * chain is copied up first, a base object is copied up before it gains a
 * name, a name removed from a base leaves a whiteout, a name recreated over
 * a whiteout replaces it in one step (a directory made there is opaque).
 * A directory a base has part of is copied up whole before it is renamed,
 * so it moves with its subtree intact (no EXDEV); a directory moved (or
 * exchanged) onto a name a base has is made opaque.
 * In a mount it happens in place, read-only mounts refusing with EROFS.
 */
#include <linux/fs.h> /* RENAME_* */
#include "coherence.h"
#include "copyup.h"
#include "foldidx.h"
#include "helper.h"
#include "perm.h"
#include "place.h"
#include "readdir.h"
#include "util.h"
#include "whiteout.h"

/* in_lower() - a lower layer of directory @d holds @name.  Return: 1, 0, -errno. */
static int
in_lower(const struct vr_obj *d, const char *name)
{
	struct stat st;

	if (d->mount)
		return 0;
	for (unsigned int i = 0; i < d->nfd; i++) {
		int err;

		if (d->layer[i] == 0)
			continue;
		err = sys_fstatat(d->fd[i], name, &st, AT_SYMLINK_NOFOLLOW);
		if (err == 0)
			return 1;
		if (err != -ENOENT)
			return err;
	}
	return 0;
}

int
vr_place_get(struct vr_walk *w, struct vr_place *p)
{
	struct stat st;
	int fd, err;

	vr_memset(p, 0, sizeof(*p));
	p->ns = w->ns;
	p->dir = w->node.exists && vr_obj_is_dir(&w->node);
	p->dirfd = -1;
	p->name = w->last;
	if (w->last_type != VR_LAST_NORM)
		return -EBUSY;
	if (w->cur.synthetic || w->cur.nfd == 0)
		return -EROFS;
	if (w->cur.mount) {
		if (w->cur.mount->flags & VR_MOUNT_RDONLY)
			return -EROFS;
		p->dirfd = w->cur.fd[0];
		p->mount = w->cur.mount;
		return 0;
	}
	if (!w->ns->has_upper)
		return -EROFS;
	err = in_lower(&w->cur, w->last);
	/* Folding: another spelling below needs the whiteout as much. */
	if (err == 0 && vr_fold_dir(w->ns, &w->cur))
		err = vr_fold_in_lower(w, &w->cur, w->last, w->lastlen);
	if (err < 0)
		return err;
	p->lower = err;
	fd = vr_copyup_parent(w, &p->own);
	if (fd < 0)
		return fd;
	p->dirfd = fd;
	/*
	 * A whiteout ends a lookup as "absent": a name the walk found, or for
	 * which it asked the upper layer and found nothing, is none (a folded
	 * lookup asked for another spelling).
	 */
	if (!w->node.exists ? w->last_clear
	                    : !w->node.synthetic && !w->folded && !vr_fold_dir(w->ns, &w->cur))
		return 0;
	p->whiteout = sys_fstatat(p->dirfd, w->last, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	              vr_is_whiteout(&st);
	return 0;
}

unsigned long
vr_place_put(struct vr_place *p)
{
	unsigned long gen = 0;

	if (p->own)
		sys_close(p->dirfd);
	p->own = 0;
	/* A place is taken only to change something there. */
	if (p->ns && p->dir)
		gen = vr_coh_bump_dir(p->ns);
	else if (p->ns)
		gen = vr_coh_bump(p->ns);
	p->ns = NULL;
	return gen;
}

int
vr_node_in_place(const struct vr_walk *w)
{
	const struct vr_obj *o = &w->node;

	if (o->nfd == 0 || o->synthetic)
		return 0;
	if (o->mount)
		return !(o->mount->flags & VR_MOUNT_RDONLY);
	return w->ns->has_upper && o->layer[0] == 0;
}

int
vr_make_writable(struct vr_walk *w, int with_data)
{
	const struct vr_obj *o = &w->node;
	int err;

	if (vr_node_in_place(w))
		return 0;
	if (o->mount || o->synthetic || o->nfd == 0 || !w->ns->has_upper)
		return -EROFS;
	err = vr_walk_renorm(w);
	return err < 0 ? err : vr_copyup(w, with_data);
}

/* make_node() - the object of mkdirat/mknodat/symlinkat at @dirfd/@name. */
static int
make_node(long nr, long target, int dirfd, const char *name, unsigned int mode, unsigned int dev)
{
	if (nr == __NR_symlinkat)
		return (int)vr_sys3(nr, target, dirfd, name);
	if (nr == __NR_mkdirat)
		return (int)vr_sys3(nr, dirfd, name, mode);
	return (int)vr_sys4(nr, dirfd, name, mode, dev);
}

/*
 * over_whiteout() - make the object in the work directory, then swap it in
 * (or move it in: a directory over a lower name that a whiteout of another
 * spelling hides, in a directory that folds case).
 */
static int
over_whiteout(struct vr_walk *w, struct vr_place *p, long nr, long target, unsigned int mode,
              unsigned int dev)
{
	int isdir = nr == __NR_mkdirat, err, fd;
	char tmp[32];

	vr_tmp_name(tmp);
	err = make_node(nr, target, w->ns->work.fd, tmp, mode, dev);
	if (err < 0)
		return err;
	fd = sys_openat(w->ns->work.fd, tmp, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd >= 0) {
		vr_inherit_group(fd, p->dirfd, isdir);
		/* What the whiteout hid must stay hidden under the new directory. */
		if (isdir)
			err = vr_set_opaque(fd);
		sys_close(fd);
	} else if (isdir) {
		err = fd;
	}
	if (err == 0 && !p->whiteout)
		err = (int)vr_sys5(__NR_renameat2, w->ns->work.fd, tmp, p->dirfd, p->name,
		                   RENAME_NOREPLACE);
	else if (err == 0)
		err = vr_replace_whiteout(w, tmp, p->dirfd, p->name, isdir);
	if (err < 0)
		vr_sys3(__NR_unlinkat, w->ns->work.fd, tmp, isdir ? AT_REMOVEDIR : 0);
	return err;
}

/*
 * fake_device() - a device node kept as an empty regular file whose record
 * names the device (owner.h), *@type and the device kept for it:
 *  - a faked identity's mknod of a device: root may (others lack
 *    CAP_MKNOD: -EPERM);
 *  - a character device 0:0, which anyone may make (Linux 5.8): in the
 *    overlay's upper layer it would be a whiteout of vroot's own, so a
 *    program's (another overlay's inside the session: a nested session
 *    or a kernel overlay) is a record that shows it, and the overlay
 *    never takes it for its own.  In a mount it is the host's to make.
 */
static int
fake_device(struct vr_walk *w, long nr, unsigned int *mode, unsigned int *dev, unsigned int *type)
{
	unsigned int t = *mode & S_IFMT;
	int zero = t == S_IFCHR && *dev == 0;

	*type = 0;
	if (nr != __NR_mknodat || (t != S_IFCHR && t != S_IFBLK))
		return 0;
	if (zero ? w->cur.mount != NULL : !w->t->id.faked)
		return 0;
	if (!zero && !(w->t->id.caps & VR_CAPS_EFFECTIVE))
		return -EPERM; /* CAP_MKNOD */
	*type = t;
	*mode = S_IFREG | (*mode & 07777);
	*dev = 0;
	return 0;
}

/*
 * new_owner() - the new object @p names, as the caller made it: a faked
 * identity's owner, and the type @type (not 0) of a device kept as a
 * regular file (vr_owner_new()).
 */
static int
new_owner(struct vr_walk *w, const struct vr_place *p, unsigned int type, unsigned long rdev)
{
	struct vr_owner dir;
	int fd, err;

	if (!w->t->id.faked && !type)
		return 0;
	fd = sys_openat(p->dirfd, p->name, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	vr_owner_of(w->t, &w->cur, &dir);
	err = vr_owner_new(w->t, fd, &dir, type, rdev);
	sys_close(fd);
	return err;
}

static int
create(struct vr_task *t, int dirfd, const char *path, long nr, long target, unsigned int mode,
       unsigned int dev)
{
	unsigned long rdev = dev;
	unsigned int type = 0;
	struct vr_place p;
	struct vr_walk *w;
	int err;

	w = vr_walk_new(t, dirfd, path, VR_WALK_PARENT | VR_WALK_NAME, &err);
	if (!w)
		return err;
	if (w->last_type != VR_LAST_NORM || w->node.exists)
		err = -EEXIST;
	else if (w->must_dir && nr != __NR_mkdirat)
		err = -ENOENT;
	else
		err = vr_perm_create(w);
	if (err == 0)
		err = fake_device(w, nr, &mode, &dev, &type);
	if (err == 0)
		err = vr_place_get(w, &p);
	if (err == 0) {
		/*
		 * Folding: a lower name the walk did not find is hidden by a
		 * whiteout of another spelling; a directory made there stays
		 * opaque, or it would merge with the hidden one.
		 */
		int swap = p.whiteout ||
		           (p.lower && nr == __NR_mkdirat && vr_fold_dir(w->ns, &w->cur));

		if (swap)
			err = over_whiteout(w, &p, nr, target, mode, dev);
		else
			err = make_node(nr, target, p.dirfd, p.name, mode, dev);
		if (err == -EACCES && !swap && vr_owner_unlock(t, p.dirfd))
			err = make_node(nr, target, p.dirfd, p.name, mode, dev);
		if (err == 0) {
			err = new_owner(w, &p, type, rdev);
			/* A device without its record would show as an empty file. */
			if (err < 0 && type)
				vr_sys3(__NR_unlinkat, p.dirfd, p.name, 0);
		}
		vr_place_put(&p);
	}
	vr_walk_end(w);
	return err;
}

int
vr_mkdirat(struct vr_task *t, int dirfd, const char *path, unsigned int mode)
{
	return create(t, dirfd, path, __NR_mkdirat, 0, mode, 0);
}

int
vr_mknodat(struct vr_task *t, int dirfd, const char *path, unsigned int mode, unsigned int dev)
{
	return create(t, dirfd, path, __NR_mknodat, 0, mode, dev);
}

int
vr_symlinkat(struct vr_task *t, const char *target, int dirfd, const char *path)
{
	if (!target)
		return -EFAULT;
	if (!target[0])
		return -ENOENT;
	return create(t, dirfd, path, __NR_symlinkat, (long)target, 0, 0);
}

/*
 * unlock_dir() - an upper directory w->node whose own mode keeps even its
 * owner out (0, 0500, 0555) is opened to its owner: rmdir(2) asks nothing
 * of the directory itself, but vroot reads it (is it empty?) and may move
 * it into the work directory (which changes its "..", so needs write
 * permission on it).  Return: 1 when its mode was changed (relock_dir()
 * puts it back if it stays), else 0.
 */
static int
unlock_dir(struct vr_walk *w)
{
	const struct vr_obj *o = &w->node;

	if (!vr_node_in_place(w) || o->mount || (o->st.st_mode & 0700) == 0700)
		return 0;
	return vr_chmod_fd(o->fd[0], (o->st.st_mode & 07777) | 0700) == 0;
}

/* relock_dir() - undo unlock_dir() on a directory that was not removed. */
static void
relock_dir(struct vr_walk *w)
{
	vr_chmod_fd(w->node.fd[0], w->node.st.st_mode & 07777);
}

/*
 * unlink_checks() - unlink(2)/rmdir(2)'s own errors for the walk's result,
 * in the kernel's order: the name's form, a trailing slash on a
 * non-directory, the permission to remove it (may_delete()), its type,
 * then (the filesystem's) emptiness.
 */
static int
unlink_checks(struct vr_walk *w, int flags, int *relock)
{
	int isdir = vr_obj_is_dir(&w->node), err;

	if (flags & AT_REMOVEDIR) {
		if (w->last_type == VR_LAST_DOT)
			return -EINVAL;
		if (w->last_type == VR_LAST_DOTDOT)
			return -ENOTEMPTY;
		if (w->last_type == VR_LAST_ROOT)
			return -EBUSY;
		err = vr_perm_delete(w);
		if (err < 0)
			return err;
		if (!isdir)
			return -ENOTDIR;
		*relock = unlock_dir(w);
		if (!w->node.mount && !vr_dir_is_empty(w))
			return -ENOTEMPTY;
		return 0;
	}
	if (w->must_dir)
		return isdir ? -EISDIR : -ENOTDIR;
	err = vr_perm_delete(w);
	if (err < 0)
		return err;
	return isdir ? -EISDIR : 0;
}

/* shared_base() - w->node is a base name of a file with several links. */
static int
shared_base(const struct vr_walk *w)
{
	return !w->node.mount && w->node.nfd > 0 && w->node.layer[0] != 0 && w->node.onlink > 1;
}

/* hide_shared() - whiteout over a base name of a file with several links, counted. */
static int
hide_shared(struct vr_walk *w, struct vr_place *p)
{
	char key[VR_INDEX_KEY];
	int idx = vr_index_hide(w, vr_copyup_index), err;

	if (idx == -EOPNOTSUPP)
		return vr_whiteout_make(p->dirfd, p->name); /* no index without user xattrs */
	/*
	 * Another user than the prefix's owner may not write the index: the
	 * session's helper links the name up (counted as copied), and that
	 * copy is removed as any other is.
	 */
	if ((idx == -EACCES || idx == -EPERM) && vr_helper_copy(w->ns, p->dirfd, p->name) >= 0) {
		err = vr_remove_hiding(w, p->dirfd, p->name, 0, 1);
		if (err == 0)
			vr_index_release(w->ns, vr_index_key(key, w->node.odev, w->node.oino));
		return err;
	}
	if (idx < 0)
		return idx;
	err = vr_whiteout_make(p->dirfd, p->name);
	vr_index_done(idx, vr_index_key(key, w->node.odev, w->node.oino), err);
	return err;
}

/* remove() - take w's final name away, leaving a whiteout if a base has it. */
static int
remove(struct vr_walk *w, struct vr_place *p, int flags)
{
	int isdir = vr_obj_is_dir(&w->node), err;
	char key[VR_INDEX_KEY];

	if (p->mount)
		return (int)vr_sys3(__NR_unlinkat, p->dirfd, p->name, flags);
	if (shared_base(w))
		return hide_shared(w, p);
	if (w->node.layer[0] != 0)
		return vr_whiteout_make(p->dirfd, p->name); /* only a base has it */
	if (!p->lower) {
		/*
		 * No base has the name: the kernel's own unlink or rmdir does it
		 * in one step, without the work directory (which another user in
		 * the session may not write).  A directory still holding
		 * whiteouts is moved away and purged instead.
		 */
		err = (int)vr_sys3(__NR_unlinkat, p->dirfd, p->name, isdir ? AT_REMOVEDIR : 0);
		if (isdir && (err == -ENOTEMPTY || err == -EEXIST))
			err = vr_remove_hiding(w, p->dirfd, p->name, 1, 0);
	} else {
		err = vr_remove_hiding(w, p->dirfd, p->name, isdir, p->lower);
	}
	/* The last name of a shared copy takes its index entry with it. */
	if (err == 0 && !isdir && vr_index_of(&w->node, key))
		vr_index_release(w->ns, key);
	return err;
}

int
vr_unlinkat(struct vr_task *t, int dirfd, const char *path, int flags)
{
	struct vr_place p;
	struct vr_walk *w;
	int err, relock = 0;

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	/* A name unlink() takes away needs only its stat: read by name. */
	w = vr_walk_new(t, dirfd, path,
	                VR_WALK_NAME | ((flags & AT_REMOVEDIR) ? 0 : VR_WALK_ATTR | VR_WALK_GONE),
	                &err);
	if (!w)
		return err;
	err = unlink_checks(w, flags, &relock);
	if (err == 0)
		err = vr_place_get(w, &p);
	if (err == 0) {
		err = remove(w, &p, flags);
		vr_place_put(&p);
	}
	if (err < 0 && relock)
		relock_dir(w);
	vr_walk_end(w);
	return err;
}

/* base_dir() - w->node is a directory a lower layer has a part of. */
static int
base_dir(const struct vr_walk *w)
{
	const struct vr_obj *o = &w->node;

	return vr_obj_is_dir(o) && !o->mount && (o->nfd > 1 || o->layer[0] != 0);
}

/*
 * copy_tree() - a directory a base has part of is copied up whole before it
 * moves (kernel overlayfs answers EXDEV here); @w is walked again after.
 */
static int
copy_tree(struct vr_walk *w, int dirfd, const char *path, unsigned int wf)
{
	char *copy = vr_alloc(&w->s, w->vlen + 1);
	int err;

	if (!copy)
		return -ENOMEM;
	vr_memcpy(copy, w->vpath, w->vlen + 1);
	err = vr_copyup_tree(w->t, copy);
	return err < 0 ? err : vr_walk_path(w, dirfd, path, wf);
}

/*
 * rename_perm() - vfs_rename()'s permission checks: the old name may be
 * removed, the new one made or replaced, and a directory moving to another
 * parent must be writable itself (its ".." changes).
 */
static int
rename_perm(struct vr_walk *ow, struct vr_walk *nw, unsigned int flags)
{
	int moves = ow->plen != nw->plen || vr_memcmp(ow->vpath, nw->vpath, ow->plen) != 0;
	int err = vr_perm_delete(ow);

	if (err == 0)
		err = nw->node.exists ? vr_perm_delete(nw) : vr_perm_create(nw);
	if (err == 0 && moves && vr_obj_is_dir(&ow->node))
		err = vr_perm_obj(ow, NULL, VR_MAY_WRITE);
	if (err == 0 && moves && (flags & 2u) && vr_obj_is_dir(&nw->node))
		err = vr_perm_obj(nw, NULL, VR_MAY_WRITE);
	return err;
}

/* rename_checks() - rename(2)'s own errors, judged on the virtual objects. */
static int
rename_checks(struct vr_walk *ow, struct vr_walk *nw, unsigned int flags)
{
	int odir = vr_obj_is_dir(&ow->node), ndir = vr_obj_is_dir(&nw->node), err;

	if (flags & ~(1u | 2u)) /* NOREPLACE, EXCHANGE; WHITEOUT is the overlay's */
		return -EINVAL;
	if ((flags & 3u) == 3u)
		return -EINVAL;
	if (ow->last_type != VR_LAST_NORM)
		return -EBUSY;
	if (nw->last_type != VR_LAST_NORM)
		return (flags & 1u) ? -EEXIST : -EBUSY;
	if ((ow->node.mount != NULL) != (nw->cur.mount != NULL) ||
	    (ow->node.mount && ow->node.mount != nw->cur.mount))
		return -EXDEV;
	/* In the kernel's order (do_renameat2). */
	if ((flags & 1u) && nw->node.exists)
		return -EEXIST;
	if ((flags & 2u) && !nw->node.exists)
		return -ENOENT;
	/* A trailing slash asks for a directory: on the old name always, on
	 * the new one when it is exchanged or when the old is not one. */
	if ((flags & 2u) && !ndir && nw->must_dir)
		return -ENOTDIR;
	if (!odir && (ow->must_dir || (!(flags & 2u) && nw->must_dir)))
		return -ENOTDIR;
	/* Both names are one, or two links of one file: nothing to do. */
	if (nw->node.exists && nw->vlen == ow->vlen &&
	    vr_memcmp(nw->vpath, ow->vpath, ow->vlen) == 0)
		return 1;
	if (nw->node.exists && !odir && !ndir && !ow->node.synthetic && !nw->node.synthetic &&
	    ow->node.st.st_dev == nw->node.st.st_dev && ow->node.st.st_ino == nw->node.st.st_ino)
		return 1;
	/* A directory into itself; a name onto (or exchanged with) one of its own ancestors. */
	if (vr_path_under(nw->vpath, nw->vlen, ow->vpath, ow->vlen) >= 0 && nw->vlen > ow->vlen)
		return -EINVAL;
	if (vr_path_under(ow->vpath, ow->vlen, nw->vpath, nw->vlen) >= 0 && ow->vlen > nw->vlen)
		return (flags & 2u) ? -EINVAL : -ENOTEMPTY;
	err = rename_perm(ow, nw, flags);
	if (err < 0 || !nw->node.exists || ow->node.mount || (flags & 2u))
		return err;
	if (odir && !ndir)
		return -ENOTDIR;
	if (!odir && ndir)
		return -EISDIR;
	if (ndir && !vr_dir_is_empty(nw))
		return -ENOTEMPTY;
	return 0;
}

/*
 * rename_overlay() - the rename in the upper layer, everything moved having
 * been copied up; the old name, if a base has it, is left a whiteout.
 */
static int
rename_overlay(struct vr_walk *ow, struct vr_walk *nw, struct vr_place *op, struct vr_place *np,
               unsigned int flags)
{
	int odir = vr_obj_is_dir(&ow->node);
	unsigned int kflags = flags;
	int err;

	if (np->whiteout && odir) {
		/* A directory cannot replace a non-directory: swap with the whiteout. */
		err = (int)vr_sys5(__NR_renameat2, op->dirfd, op->name, np->dirfd, np->name, 2);
		if (err == 0 && !op->lower)
			err = (int)vr_sys3(__NR_unlinkat, op->dirfd, op->name, 0);
		return err;
	}
	if (nw->node.exists && vr_obj_is_dir(&nw->node) && !(flags & 2u) && nw->node.layer[0] == 0)
		/* The empty upper directory being replaced may hold whiteouts. */
		vr_remove_hiding(nw, np->dirfd, np->name, 1, 0);
	if (np->whiteout)
		kflags &= ~1u; /* the whiteout is no name: NOREPLACE was judged above */
	if (!(flags & 2u) && op->lower)
		err = vr_rename_whiteout(nw, op->dirfd, op->name, np->dirfd, np->name, kflags);
	else
		err = (int)vr_sys5(__NR_renameat2, op->dirfd, op->name, np->dirfd, np->name,
		                   kflags);
	if (err == 0) {
		/* Copied-up objects moving keep their directories' listings right. */
		vr_carry_impure(op->dirfd, np->dirfd);
		if (flags & 2u)
			vr_carry_impure(np->dirfd, op->dirfd);
	}
	return err;
}

/*
 * rename_over() - rename_overlay(), counting the name it replaces when that
 * is a name of a file with several links (index.c).
 */
static int
rename_over(struct vr_walk *ow, struct vr_walk *nw, struct vr_place *op, struct vr_place *np,
            unsigned int flags)
{
	int replaces = nw->node.exists && !(flags & 2u) && !vr_obj_is_dir(&nw->node);
	char key[VR_INDEX_KEY];
	int idx, err;

	if (!replaces)
		return rename_overlay(ow, nw, op, np, flags);
	if (shared_base(nw)) {
		idx = vr_index_hide(nw, vr_copyup_index);
		if (idx == -EOPNOTSUPP)
			return rename_overlay(ow, nw, op, np, flags);
		if (idx < 0)
			return idx;
		err = rename_overlay(ow, nw, op, np, flags);
		vr_index_done(idx, vr_index_key(key, nw->node.odev, nw->node.oino), err);
		return err;
	}
	if (!vr_index_of(&nw->node, key))
		return rename_overlay(ow, nw, op, np, flags);
	err = rename_overlay(ow, nw, op, np, flags);
	if (err == 0)
		vr_index_release(nw->ns, key);
	return err;
}

/*
 * make_opaque_if() - a directory @w names, at @from, is about to move to a
 * name a base has (@hides): it is made opaque so that what the base has
 * there stays hidden (overlayfs does the same in its rename).
 */
static int
make_opaque_if(const struct vr_walk *w, const struct vr_place *from, int hides)
{
	int fd, err;

	if (!vr_obj_is_dir(&w->node) || from->mount || !hides)
		return 0;
	fd = sys_openat(from->dirfd, from->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	err = vr_set_opaque(fd);
	sys_close(fd);
	return err;
}

int
vr_renameat2(struct vr_task *t, int olddirfd, const char *oldpath, int newdirfd,
             const char *newpath, unsigned int flags)
{
	struct vr_walk *ow, *nw;
	struct vr_place op = {.own = 0}, np = {.own = 0};
	int err, moved_o = 0, moved_n = 0;
	char opath[VR_COH_RPATH], npath[VR_COH_RPATH];
	size_t olen = 0, nlen = 0;

	/* The flags are judged before any name is looked up (do_renameat2). */
	if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) ||
	    ((flags & RENAME_EXCHANGE) && (flags & (RENAME_NOREPLACE | RENAME_WHITEOUT))))
		return -EINVAL;
	/* Both parents first, then the names, as the kernel orders its errors. */
	ow = vr_walk_new(t, olddirfd, oldpath, VR_WALK_PARENT | VR_WALK_NAME, &err);
	if (!ow)
		return err;
	nw = vr_walk_new(t, newdirfd, newpath, VR_WALK_PARENT | VR_WALK_NAME, &err);
	/* A case variant of the old name itself (folding directory): a new spelling. */
	if (nw && nw->folded && ow->node.exists && nw->vlen == ow->vlen &&
	    vr_memcmp(nw->vpath, ow->vpath, ow->vlen) == 0) {
		vr_walk_end(nw);
		nw = vr_walk_new(t, newdirfd, newpath,
		                 VR_WALK_PARENT | VR_WALK_NAME | VR_WALK_EXACT_LAST, &err);
	}
	if (!nw) {
		vr_walk_end(ow);
		return err;
	}
	if (ow->last_type != VR_LAST_NORM)
		err = -EBUSY;
	else if (nw->last_type != VR_LAST_NORM)
		err = (flags & 1u) ? -EEXIST : -EBUSY;
	else
		err = ow->node.exists ? rename_checks(ow, nw, flags) : -ENOENT;
	if (err == 1)
		goto out; /* old and new are one name */
	/* A directory's paths, for working directories below it to follow. */
	if (err == 0 && !(flags & RENAME_EXCHANGE) && vr_obj_is_dir(&ow->node) &&
	    ow->vlen < VR_COH_RPATH && nw->vlen < VR_COH_RPATH) {
		olen = ow->vlen;
		nlen = nw->vlen;
		vr_memcpy(opath, ow->vpath, olen);
		vr_memcpy(npath, nw->vpath, nlen);
	}
	moved_o = err == 0 && base_dir(ow);
	moved_n = err == 0 && (flags & 2u) && base_dir(nw);
	if (moved_o || moved_n)
		err = vr_base_dir_movable(t->ns); /* EXDEV before any change */
	if (err == 0 && base_dir(ow))
		err = copy_tree(ow, olddirfd, oldpath, 0);
	if (err == 0 && (flags & 2u) && base_dir(nw))
		err = copy_tree(nw, newdirfd, newpath, VR_WALK_PARENT);
	if (err == 0 && !ow->node.mount)
		err = vr_copyup(ow, 1);
	if (err == 0 && (flags & 2u) && !nw->node.mount)
		err = vr_copyup(nw, 1);
	if (err == 0)
		err = vr_place_get(ow, &op);
	if (err == 0)
		err = vr_place_get(nw, &np);
	if (err == 0)
		err = make_opaque_if(ow, &op, np.lower || np.whiteout);
	if (err == 0 && (flags & 2u))
		err = make_opaque_if(nw, &np, op.lower);
	if (err == 0 && op.mount)
		err = (int)vr_sys5(__NR_renameat2, op.dirfd, op.name, np.dirfd, np.name, flags);
	else if (err == 0)
		err = rename_over(ow, nw, &op, &np, flags);
	if (err == 0 && moved_o)
		err = vr_settle_moved_dir(nw, np.dirfd, np.name);
	if (err == 0 && moved_n)
		err = vr_settle_moved_dir(ow, op.dirfd, op.name);
	if (err == 0 && olen)
		vr_coh_rename(t->ns, opath, olen, npath, nlen);
	vr_place_put(&np);
	vr_place_put(&op);
out:
	vr_walk_end(nw);
	vr_walk_end(ow);
	return err == 1 ? 0 : err;
}

/*
 * link_node() - a new name @np for host object @odirfd/@oname (linkat(2)
 * with @lflags).
 */
static int
link_node(struct vr_walk *nw, int odirfd, const char *oname, int lflags, struct vr_place *np)
{
	char tmp[32];
	int err;

	if (!np->whiteout) {
		err = (int)vr_sys5(__NR_linkat, odirfd, oname, np->dirfd, np->name, lflags);
	} else {
		vr_tmp_name(tmp);
		err = (int)vr_sys5(__NR_linkat, odirfd, oname, nw->ns->work.fd, tmp, lflags);
		if (err == 0)
			err = vr_replace_whiteout(nw, tmp, np->dirfd, np->name, 0);
		if (err < 0)
			vr_sys3(__NR_unlinkat, nw->ns->work.fd, tmp, 0);
	}
	if (err == 0 && odirfd != AT_FDCWD)
		vr_carry_impure(odirfd, np->dirfd);
	return err;
}

/*
 * link_unnamed() - a name @np for a regular file that has none (an
 * O_TMPFILE file, reached through /proc/self/fd/N), held by @fd: the
 * kernel links it by its descriptor, as natively, and decides itself
 * whether it may (EXDEV across filesystems, ENOENT for O_EXCL).
 */
static int
link_unnamed(struct vr_walk *nw, int fd, struct vr_place *np)
{
	char proc[32];

	return link_node(nw, AT_FDCWD, vr_proc_fd(proc, fd), AT_SYMLINK_FOLLOW, np);
}

/*
 * unnamed_fd() - descriptor @fd holds a regular file: 2 when it has no
 * name (O_TMPFILE), 1 when it has, 0 when it is no regular file.
 */
static int
unnamed_fd(int fd)
{
	struct stat st;

	if (fd < 0 || sys_fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	return st.st_nlink == 0 ? 2 : 1;
}

/*
 * link_perm() - linkat(2)'s permission checks: may_linkat() when the host
 * protects hard links (fs.protected_hardlinks), then the new name's
 * directory (may_create()).
 */
static int
link_perm(struct vr_walk *ow, struct vr_walk *nw)
{
	struct vr_owner o;
	struct vr_cred c;
	int err;

	if (vr_ns_protected_hardlinks(ow->ns) && vr_perm_judged(ow->ns, &ow->node)) {
		vr_owner_of(ow->t, &ow->node, &o);
		err = vr_cred_get(ow->t, &c, 0);
		if (err == 0)
			err = vr_perm_hardlink(&c, &o);
		if (err < 0)
			return err;
	}
	return vr_perm_create(nw);
}

int
vr_linkat(struct vr_task *t, int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
          int flags)
{
	unsigned int wf = (flags & AT_SYMLINK_FOLLOW) ? VR_WALK_FOLLOW : 0;
	struct vr_place op = {.own = 0}, np = {.own = 0};
	struct vr_walk *ow, *nw;
	int err, empty;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	/*
	 * linkat(fd, "", ..., AT_EMPTY_PATH) of a file with no name (O_TMPFILE;
	 * once linked, the descriptor still shows the unnamed one): no walk
	 * finds it, so the kernel links the descriptor itself and applies its
	 * own rule (the opener's credentials or CAP_DAC_READ_SEARCH, else
	 * ENOENT).
	 */
	empty = (flags & AT_EMPTY_PATH) && oldpath && !oldpath[0] ? unnamed_fd(olddirfd) : 0;
	ow = empty == 2 ? NULL
	                : vr_walk_new(t, olddirfd, oldpath,
	                              wf | ((flags & AT_EMPTY_PATH) ? VR_WALK_EMPTY : 0), &err);
	if (!ow && (empty == 0 || (empty == 1 && err != -ENOENT)))
		return err;
	empty = !ow;
	nw = vr_walk_new(t, newdirfd, newpath, VR_WALK_PARENT | VR_WALK_NAME, &err);
	if (!nw) {
		vr_walk_end(ow);
		return err;
	}
	err = nw->node.exists || nw->last_type != VR_LAST_NORM ? -EEXIST : 0;
	if (err == 0 && nw->must_dir)
		err = -ENOENT;
	if (err == 0 && empty) {
		err = vr_perm_create(nw);
		if (err == 0)
			err = vr_place_get(nw, &np);
		if (err == 0)
			err = link_node(nw, olddirfd, "", AT_EMPTY_PATH, &np);
		goto out;
	}
	if (err == 0)
		err = link_perm(ow, nw);
	if (err == 0 && vr_obj_is_dir(&ow->node))
		err = -EPERM;
	if (err == 0 && S_ISREG(ow->node.st.st_mode) && ow->node.st.st_nlink == 0 &&
	    ow->node.nfd == 1) {
		/* The standard way to make a file atomically: no layer holds it. */
		err = vr_place_get(nw, &np);
		if (err == 0)
			err = link_unnamed(nw, ow->node.fd[0], &np);
		goto out;
	}
	if (err == 0 && (ow->node.mount != nw->cur.mount))
		err = -EXDEV;
	if (err == 0 && !ow->node.mount)
		err = vr_walk_renorm(ow);
	if (err == 0 && !ow->node.mount)
		err = vr_copyup(ow, 1);
	if (err == 0)
		err = vr_place_get(ow, &op);
	if (err == 0)
		err = vr_place_get(nw, &np);
	if (err == 0)
		err = link_node(nw, op.dirfd, op.name, 0, &np);
out:
	vr_place_put(&np);
	vr_place_put(&op);
	vr_walk_end(nw);
	vr_walk_end(ow);
	return err;
}

/* same_as_cwd() - @path is a bare name and @dirfd the host cwd: use it as is. */
static int
same_as_cwd(const char *path, int dirfd, char *out, size_t size)
{
	struct stat a, b;
	size_t n = vr_strlen(path);

	for (size_t i = 0; i < n; i++)
		if (path[i] == '/')
			return -1;
	if (n + 1 > size || sys_fstat(dirfd, &a) < 0 || sys_fstatat(AT_FDCWD, ".", &b, 0) < 0 ||
	    a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		return -1;
	vr_memcpy(out, path, n + 1);
	return 0;
}

/* host_name() - the host path of @fd + @rest into @out[@size].  Return: 0 or -errno. */
static int
host_name(char *out, size_t size, int fd, const char *rest)
{
	char proc[32];
	long n = sys_readlinkat(AT_FDCWD, vr_proc_fd(proc, fd), out, size);
	size_t r = vr_strlen(rest);

	if (n <= 0 || out[0] != '/' || (size_t)n + r + 1 > size)
		return -ENAMETOOLONG;
	vr_memcpy(out + n, rest, r + 1);
	return 0;
}

/*
 * root_name() - "/proc/self/fd/B/REL" + @rest into @out[@size], B the
 * namespace's own descriptor of the layer or mount @fd lies in (every
 * process of the session holds it at that number) and REL @fd's path
 * below it, with @host[PATH_MAX] as scratch: a name that maps back (the
 * loader reads B's host path again) where @fd's own host path is too long.
 * Return: 0 or -ENAMETOOLONG.
 */
static int
root_name(const struct vr_ns *ns, char *out, size_t size, int fd, const char *rest, char *host)
{
	char proc[32];
	long n = sys_readlinkat(AT_FDCWD, vr_proc_fd(proc, fd), host, PATH_MAX - 1);

	if (n <= 0 || host[0] != '/')
		return -ENAMETOOLONG;
	host[n] = '\0';
	for (unsigned int i = 0; i < ns->nlayers + ns->nmounts; i++) {
		const struct vr_backing *b = i < ns->nlayers ? &ns->layers[i]
		                                              : &ns->mounts[i - ns->nlayers].b;
		size_t a, r, t;

		if (b->fd < 0 || (size_t)n < b->hlen || vr_memcmp(host, b->host, b->hlen) != 0 ||
		    (host[b->hlen] != '/' && host[b->hlen] != '\0'))
			continue;
		a = vr_strlen(vr_proc_fd(proc, b->fd));
		r = (size_t)n - b->hlen;
		t = vr_strlen(rest);
		if (a + r + t + 1 > size)
			return -ENAMETOOLONG;
		vr_memcpy(out, proc, a);
		vr_memcpy(out + a, host + b->hlen, r);
		vr_memcpy(out + a + r, rest, t + 1);
		return 0;
	}
	return -ENAMETOOLONG;
}

#define SOCK_LINK "sock-" /* work/sock-DEV-INO: a socket's directory (link_name()) */

/*
 * link_name() - "/proc/self/fd/W/sock-DEV-INO" + @rest into @out[@size],
 * W the namespace's own descriptor of the work directory (every process
 * of the session holds it at that number) and sock-DEV-INO a symlink
 * there to the host path of directory @fd (made, or replaced in one
 * rename), with @host[2 * PATH_MAX] as scratch: a name for a socket bound
 * where even its path below its layer or mount is too long for sun_path,
 * which maps back (the loader follows the link again).  The link stays,
 * as the socket does.  Return: 0 or -errno.
 */
static int
link_name(const struct vr_ns *ns, char *out, size_t size, int fd, const char *rest, char *host)
{
	char key[VR_INDEX_KEY + sizeof(SOCK_LINK)], proc[32], tmp[32], *cur = host + PATH_MAX;
	size_t a, k, r = vr_strlen(rest);
	struct stat st;
	long n, c;
	int err;

	if (ns->work.fd < 0 || sys_fstat(fd, &st) < 0)
		return -ENAMETOOLONG;
	n = sys_readlinkat(AT_FDCWD, vr_proc_fd(proc, fd), host, PATH_MAX - 1);
	if (n <= 0 || host[0] != '/')
		return -ENAMETOOLONG;
	host[n] = '\0';
	vr_memcpy(key, SOCK_LINK, sizeof(SOCK_LINK) - 1);
	vr_index_key(key + sizeof(SOCK_LINK) - 1, st.st_dev, st.st_ino);
	a = vr_strlen(vr_proc_fd(proc, ns->work.fd));
	k = vr_strlen(key);
	if (a + 1 + k + r + 1 > size)
		return -ENAMETOOLONG;
	c = sys_readlinkat(ns->work.fd, key, cur, PATH_MAX - 1);
	if (c != n || vr_memcmp(cur, host, (size_t)n) != 0) {
		vr_tmp_name(tmp);
		err = (int)vr_sys3(__NR_symlinkat, host, ns->work.fd, tmp);
		if (err == 0)
			err = (int)vr_sys5(__NR_renameat2, ns->work.fd, tmp, ns->work.fd, key, 0);
		if (err < 0) {
			vr_sys3(__NR_unlinkat, ns->work.fd, tmp, 0);
			return err;
		}
	}
	vr_memcpy(out, proc, a);
	out[a] = '/';
	vr_memcpy(out + a + 1, key, k);
	vr_memcpy(out + a + 1 + k, rest, r + 1);
	return 0;
}

/* fd_name() - "/proc/self/fd/N" + @rest into @out[@size].  Return: 0 or -ENAMETOOLONG. */
static int
fd_name(char *out, size_t size, int fd, const char *rest)
{
	char proc[32];
	size_t a = vr_strlen(vr_proc_fd(proc, fd)), b = vr_strlen(rest);

	if (a + b + 1 > size)
		return -ENAMETOOLONG;
	vr_memcpy(out, proc, a);
	vr_memcpy(out + a, rest, b + 1);
	return 0;
}

/* A bind's name whose whiteout was moved aside (unix_path()). */
struct aside {
	char tmp[VR_TMP_LEN]; /* the whiteout's name meanwhile; "": none moved */
	char name[NAME_MAX + 1];
};

/*
 * put_back() - the whiteout @as moved aside in directory @dirfd goes back
 * to its name, or goes where the name was taken meanwhile.
 */
static void
put_back(int dirfd, struct aside *as)
{
	if (vr_sys5(__NR_renameat2, dirfd, as->tmp, dirfd, as->name, RENAME_NOREPLACE) < 0)
		vr_sys3(__NR_unlinkat, dirfd, as->tmp, 0);
	as->tmp[0] = '\0';
}

/*
 * unix_path() - vr_unix_path(); for a bind() where a whiteout holds the
 * name in the upper directory: with @as, the whiteout is renamed to a
 * temporary name there (@as says which), so that the kernel can make the
 * socket at the name in the directory the descriptor returned is; without,
 * -EROFS.
 */
static int
unix_path(struct vr_task *t, const char *path, int bind, char *out, size_t size, struct aside *as)
{
	struct vr_walk *w;
	struct vr_place p;
	char *host;
	int err, fd, got;

	if (as)
		as->tmp[0] = '\0';
	w = vr_walk_new(t, AT_FDCWD, path, bind ? VR_WALK_PARENT : VR_WALK_FOLLOW, &err);
	if (!w)
		return err;
	if (bind) {
		err = w->node.exists || w->last_type != VR_LAST_NORM ? -EADDRINUSE
		                                                     : vr_place_get(w, &p);
		got = err == 0;
		if (err == 0 && p.whiteout && !as)
			err = -EROFS;
		if (err == 0 && p.whiteout) {
			vr_memcpy(as->name, p.name, vr_strlen(p.name) + 1);
			vr_tmp_name(as->tmp);
			err = (int)vr_sys5(__NR_renameat2, p.dirfd, p.name, p.dirfd, as->tmp,
			                   RENAME_NOREPLACE);
			if (err < 0)
				as->tmp[0] = '\0';
		}
		fd = err < 0 ? err : sys_fcntl(p.dirfd, F_DUPFD_CLOEXEC, 0);
		/* No descriptor to bind through: the whiteout comes back at once. */
		if (fd < 0 && err == 0 && as && as->tmp[0])
			put_back(p.dirfd, as);
		if (got)
			vr_place_put(&p);
	} else {
		fd = vr_obj_take_fd(&w->node);
	}
	if (fd >= 0) {
		char rest[NAME_MAX + 2] = "/";

		if (bind)
			vr_memcpy(rest + 1, p.name, vr_strlen(p.name) + 1);
		else
			rest[0] = '\0';
		/* A bare name in the cwd stays as given (the kernel reports it back
		 * as given); the host name, when short enough, maps back, and so
		 * does one through the layer's or mount's own descriptor, or for a
		 * bind through a link in the work directory; the magic name always
		 * fits (the kernel reports it for no one else: connect), and is the
		 * only one a removed socket has (its host text reads "... (deleted)"). */
		int named = bind || w->node.st.st_nlink > 0;

		err = bind ? same_as_cwd(path, fd, out, size) : -1;
		if (err < 0 && named)
			err = host_name(out, size, fd, rest);
		host = named ? vr_alloc(&w->s, 2 * PATH_MAX) : NULL;
		if (err < 0 && host)
			err = root_name(w->ns, out, size, fd, rest, host);
		if (err < 0 && host && bind)
			err = link_name(w->ns, out, size, fd, rest, host);
		if (err < 0)
			err = fd_name(out, size, fd, rest);
		if (err < 0 && as && as->tmp[0])
			put_back(fd, as);
		if (err < 0) {
			sys_close(fd);
			fd = err;
		}
	}
	vr_walk_end(w);
	return fd;
}

int
vr_unix_path(struct vr_task *t, const char *path, int bind, char *out, size_t size)
{
	return unix_path(t, path, bind, out, size, NULL);
}

/* struct sockaddr_un */
struct unix_addr {
	unsigned short family;
	char path[108];
};

int
vr_unix_bind(struct vr_task *t, int sock, const char *path)
{
	struct unix_addr a = {1 /* AF_UNIX */, ""};
	struct aside as;
	int fd = unix_path(t, path, 1, a.path, sizeof(a.path), &as), err;

	if (fd < 0)
		return fd;
	err = (int)vr_sys3(__NR_bind, sock, (long)&a,
	                   (long)(sizeof(a.family) + vr_strlen(a.path) + 1));
	/*
	 * The name's whiteout, moved aside while the kernel bound there (the
	 * base object showed meanwhile): it goes, or comes back where the bind
	 * failed and the name is still free.
	 */
	if (as.tmp[0] && err == 0)
		vr_sys3(__NR_unlinkat, fd, as.tmp, 0);
	else if (as.tmp[0])
		put_back(fd, &as);
	sys_close(fd);
	/* The socket (or the whiteout again) is there now: every process may know. */
	vr_coh_bump(t->ns);
	return err;
}
