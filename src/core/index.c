/*
 * index.c - hard links and inode numbers kept through copy-up.
 *
 * Origin.  Everything copied up that can carry a user xattr (regular files
 * and directories) carries "user.overlay.vroot.origin": the device and
 * inode number of the base object it was copied from.  stat() of an upper
 * object reports those, so st_ino and st_dev do not change when an object
 * is copied up (and stay with it when it is renamed).  Symlinks and special
 * files cannot hold user xattrs: theirs change, as on a kernel overlay in
 * userxattr mode.  The attribute is one of the overlay's own (hidden).
 * There is no cheaper sign of a copy than the attribute itself, so stat()
 * of an upper file or directory reads it (one getxattr).  A listing's
 * d_ino is not corrected: it shows the upper inode's own number for a
 * copied-up entry (correcting it would cost a getxattr per entry).
 *
 * Index.  A base regular file with several links is copied up once, to
 * work/vroot-index/DEV-INO (the base file's device and inode number), and
 * every name of it that is copied up is a hard link of that copy.  A base
 * name of such a file whose index entry exists stands for the entry: reads
 * and stat see the shared copy, and changing it links the entry to the
 * upper name, as a copy-up would.  Only base files with st_nlink > 1 pay:
 * one openat() of the entry when they are looked up.
 *
 * Link count.  The names of an index inode in the merged view are
 *     (L - D) + (n - 1)
 * L: the base file's link count when the entry was made (in its origin);
 * D: how many of those base names no longer show as themselves (copied up,
 * whited out, renamed over), kept as the size of work/vroot-index/KEY.d;
 * n: the index inode's own link count, one of which is the entry itself.
 * D changes under an flock() of the index directory, so processes changing
 * names at once lose no count; the entry and its count are removed when
 * the last name goes.  A copy is made complete in the work directory and
 * enters the index in one rename or link: nothing half made is ever there.
 */
#include "walk.h"
#include "util.h"

#define ORIGIN_XATTR VR_ORIGIN_XATTR
#define ORIGIN_SIZE  25 /* version byte, then dev, ino, nlink: 64 bits each */
#define INDEX_DIR    "vroot-index"
#define LOCK_EX      2
#define LOCK_UN      8

int
vr_origin_set(int fd, const struct vr_origin *o, int direct)
{
	unsigned char v[ORIGIN_SIZE];
	char p[32];

	v[0] = 1;
	vr_memcpy(v + 1, &o->dev, 8);
	vr_memcpy(v + 9, &o->ino, 8);
	vr_memcpy(v + 17, &o->nlink, 8);
	if (direct)
		return (int)vr_sys5(__NR_fsetxattr, fd, ORIGIN_XATTR, v, ORIGIN_SIZE, 0);
	return (int)vr_sys5(__NR_setxattr, vr_proc_fd(p, fd), ORIGIN_XATTR, v, ORIGIN_SIZE, 0);
}

/* origin_of() - vr_origin_get() of @name in directory @dirfd ("": @dirfd's own object). */
static int
origin_of(int dirfd, const char *name, struct vr_origin *o)
{
	unsigned char v[ORIGIN_SIZE + 1];
	long n = vr_xattr_get(dirfd, name, ORIGIN_XATTR, v, sizeof(v));

	if (n < 0)
		return (int)n;
	if (n != ORIGIN_SIZE || v[0] != 1)
		return -ENODATA;
	vr_memcpy(&o->dev, v + 1, 8);
	vr_memcpy(&o->ino, v + 9, 8);
	vr_memcpy(&o->nlink, v + 17, 8);
	return 0;
}

int
vr_origin_get(int fd, struct vr_origin *o)
{
	return origin_of(fd, "", o);
}

char *
vr_index_key(char buf[VR_INDEX_KEY], unsigned long dev, unsigned long ino)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	for (int sh = 60; sh >= 0; sh -= 4)
		if ((dev >> sh) || sh == 0)
			buf[n++] = hex[(dev >> sh) & 15];
	buf[n++] = '-';
	for (int sh = 60; sh >= 0; sh -= 4)
		if ((ino >> sh) || sh == 0)
			buf[n++] = hex[(ino >> sh) & 15];
	buf[n] = '\0';
	return buf;
}

/* entry_path() - "vroot-index/KEY" + @suffix, relative to the work directory. */
static char *
entry_path(char buf[VR_INDEX_KEY + 16], const char *key, const char *suffix)
{
	size_t k = vr_strlen(key), s = vr_strlen(suffix);

	vr_memcpy(buf, INDEX_DIR "/", sizeof(INDEX_DIR));
	vr_memcpy(buf + sizeof(INDEX_DIR), key, k);
	vr_memcpy(buf + sizeof(INDEX_DIR) + k, suffix, s + 1);
	return buf;
}

/* count_name() - "KEY.d", the name of an entry's count in the index directory. */
static char *
count_name(char buf[VR_INDEX_KEY], const char *key)
{
	size_t k = vr_strlen(key);

	vr_memcpy(buf, key, k);
	vr_memcpy(buf + k, ".d", 3);
	return buf;
}

/* hidden_count() - D of entry @key: the size of its count file, 0 if none. */
static long
hidden_count(const struct vr_ns *ns, const char *key)
{
	char p[VR_INDEX_KEY + 16];
	struct stat st;

	if (sys_fstatat(ns->work.fd, entry_path(p, key, ".d"), &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	return (long)st.st_size;
}

/* base_dev() - @dev is the device of one of the namespace's lower layers. */
static int
base_dev(const struct vr_ns *ns, unsigned long dev)
{
	for (unsigned int i = ns->has_upper ? 1 : 0; i < ns->nlayers; i++)
		if (ns->layers[i].dev == dev)
			return 1;
	return 0;
}

#define IMPURE_XATTR "user.overlay.impure"

int
vr_is_impure(int dirfd)
{
	char v[4];

	return vr_xattr_get(dirfd, ".", IMPURE_XATTR, v, sizeof(v)) >= 0;
}

int
vr_set_impure(int dirfd)
{
	return (int)vr_xattr_set(dirfd, ".", IMPURE_XATTR, "y", 1, 0);
}

int
vr_mark_impure(int dirfd)
{
	return vr_is_impure(dirfd) ? 0 : vr_set_impure(dirfd);
}

void
vr_carry_impure(int from, int to)
{
	if (from != to && vr_is_impure(from))
		vr_mark_impure(to);
}

int
vr_origin_entry(const struct vr_ns *ns, int dirfd, const char *name, unsigned long *dev,
                unsigned long *ino)
{
	unsigned char v[ORIGIN_SIZE + 1];
	unsigned long odev, oino;

	if (vr_xattr_get(dirfd, name, ORIGIN_XATTR, v, sizeof(v)) != ORIGIN_SIZE || v[0] != 1)
		return 0;
	vr_memcpy(&odev, v + 1, 8);
	vr_memcpy(&oino, v + 9, 8);
	if (!base_dev(ns, odev))
		return 0;
	*dev = odev;
	*ino = oino;
	return 1;
}

/* names() - (L - D) + (n - 1), never below 0. */
static unsigned long
names(const struct vr_ns *ns, const struct vr_origin *o, const char *key, unsigned long n)
{
	long v = (long)o->nlink - hidden_count(ns, key) + (long)n - 1;

	return v > 0 ? (unsigned long)v : 0;
}

void
vr_origin_stat(const struct vr_ns *ns, int fd, const char *name, unsigned int mode,
               unsigned long *dev, unsigned long *ino, unsigned long *nlink)
{
	unsigned int t = mode & S_IFMT;
	struct vr_origin o;
	char key[VR_INDEX_KEY];

	if (!ns->has_upper || *dev != ns->layers[0].dev || (t != S_IFREG && t != S_IFDIR))
		return;
	if (origin_of(fd, name ? name : "", &o) < 0 || !base_dev(ns, o.dev))
		return;
	*dev = o.dev;
	*ino = o.ino;
	/* A file no name holds any more (an open descriptor of it) has none. */
	if (o.nlink && t == S_IFREG && *nlink > 0)
		*nlink = names(ns, &o, vr_index_key(key, o.dev, o.ino), *nlink);
}

int
vr_index_unused(const struct vr_ns *ns, unsigned long dev, unsigned long ino)
{
	char key[VR_INDEX_KEY], p[VR_INDEX_KEY + 16];
	struct stat st;
	int err = sys_fstatat(ns->work.fd, entry_path(p, vr_index_key(key, dev, ino), ""), &st,
	                      AT_SYMLINK_NOFOLLOW);

	return err < 0 || (st.st_mode & S_IFMT) != S_IFREG;
}

int
vr_index_use(const struct vr_ns *ns, struct vr_obj *o, int fd)
{
	char key[VR_INDEX_KEY], p[VR_INDEX_KEY + 16];
	struct stat st;
	int ifd;

	o->odev = o->st.st_dev;
	o->oino = o->st.st_ino;
	o->onlink = o->st.st_nlink;
	ifd = sys_openat(ns->work.fd, entry_path(p, vr_index_key(key, o->odev, o->oino), ""),
	                 O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
	if (ifd < 0)
		return fd;
	if (sys_fstat(ifd, &st) < 0 || (st.st_mode & S_IFMT) != S_IFREG) {
		sys_close(ifd);
		return fd;
	}
	sys_close(fd);
	vr_memcpy(&o->st, &st, sizeof(st));
	o->indexed = 1;
	return ifd;
}

int
vr_index_dir(const struct vr_ns *ns)
{
	struct stat st;
	int err;

	if (!ns->has_upper)
		return -EROFS;
	err = sys_fstat(ns->work.fd, &st);
	if (err < 0)
		return err;
	err = (int)vr_sys3(__NR_mkdirat, ns->work.fd, INDEX_DIR, st.st_mode & 07777);
	if (err < 0 && err != -EEXIST)
		return err;
	return sys_openat(ns->work.fd, INDEX_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
	                  0);
}

void
vr_index_lock(int idx, int on)
{
	vr_sys2(__NR_flock, idx, on ? LOCK_EX : LOCK_UN);
}

int
vr_index_hidden(int idx, const char *key, long delta)
{
	char name[VR_INDEX_KEY];
	struct stat st;
	int fd, err;

	fd = sys_openat(idx, count_name(name, key), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	                0600);
	if (fd < 0)
		return fd;
	err = sys_fstat(fd, &st);
	if (err == 0 && (long)st.st_size + delta >= 0)
		err = (int)vr_sys2(__NR_ftruncate, fd, (long)st.st_size + delta);
	sys_close(fd);
	return err;
}

int
vr_index_settle(int idx, const char *key)
{
	char name[VR_INDEX_KEY];
	struct vr_origin o;
	struct stat st, d;
	long hidden = 0;
	int fd, removed = 0;

	count_name(name, key);
	if (sys_fstatat(idx, name, &d, AT_SYMLINK_NOFOLLOW) == 0)
		hidden = (long)d.st_size;
	fd = sys_openat(idx, key, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd < 0) {
		vr_sys3(__NR_unlinkat, idx, name, 0);
		return 0;
	}
	if (sys_fstat(fd, &st) == 0 && vr_origin_get(fd, &o) == 0 &&
	    (long)o.nlink - hidden + (long)st.st_nlink - 1 <= 0) {
		vr_sys3(__NR_unlinkat, idx, key, 0);
		vr_sys3(__NR_unlinkat, idx, name, 0);
		removed = 1;
	}
	sys_close(fd);
	return removed;
}

int
vr_index_ready(struct vr_walk *w, char key[VR_INDEX_KEY], vr_index_make_fn make)
{
	int idx = vr_index_dir(w->ns), err = 0;

	if (idx < 0)
		return idx;
	vr_index_key(key, w->node.odev, w->node.oino);
	if (!w->node.indexed)
		err = make(w, idx, key);
	if (err < 0) {
		sys_close(idx);
		return err;
	}
	return idx;
}

int
vr_index_hide(struct vr_walk *w, vr_index_make_fn make)
{
	char key[VR_INDEX_KEY];
	int idx = vr_index_ready(w, key, make), err;

	if (idx < 0)
		return idx;
	vr_index_lock(idx, 1);
	err = vr_index_hidden(idx, key, 1);
	if (err < 0) {
		vr_index_lock(idx, 0);
		sys_close(idx);
		return err;
	}
	return idx;
}

void
vr_index_done(int idx, const char *key, int err)
{
	if (err < 0)
		vr_index_hidden(idx, key, -1);
	else
		vr_index_settle(idx, key);
	vr_index_lock(idx, 0);
	sys_close(idx);
}

int
vr_index_of(const struct vr_obj *o, char key[VR_INDEX_KEY])
{
	struct vr_origin org;

	if (o->nfd == 0 || o->mount || o->synthetic || o->layer[0] != 0 ||
	    (o->st.st_mode & S_IFMT) != S_IFREG || o->st.st_nlink < 2)
		return 0;
	if (vr_origin_get(o->fd[0], &org) < 0 || org.nlink == 0)
		return 0;
	vr_index_key(key, org.dev, org.ino);
	return 1;
}

void
vr_index_release(const struct vr_ns *ns, const char *key)
{
	int idx = sys_openat(ns->work.fd, INDEX_DIR,
	                     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);

	if (idx < 0)
		return;
	vr_index_lock(idx, 1);
	vr_index_settle(idx, key);
	vr_index_lock(idx, 0);
	sys_close(idx);
}

/* clean_entry() - settle one name of the index directory; a count is settled with its entry. */
static int
clean_entry(int idx, const char *name)
{
	size_t n = vr_strlen(name);
	char key[VR_INDEX_KEY];

	if (name[0] == '.' || n >= VR_INDEX_KEY)
		return 0;
	if (n > 2 && name[n - 2] == '.' && name[n - 1] == 'd') {
		struct stat st;

		vr_memcpy(key, name, n - 2);
		key[n - 2] = '\0';
		if (sys_fstatat(idx, key, &st, AT_SYMLINK_NOFOLLOW) == 0)
			return 0; /* settled with its entry */
		return vr_sys3(__NR_unlinkat, idx, name, 0) == 0;
	}
	return vr_index_settle(idx, name);
}

static int
clean_one(void *arg, int idx, const struct vr_dirent64 *d)
{
	*(int *)arg += clean_entry(idx, d->d_name);
	return 0;
}

int
vr_ns_clean(struct vr_ns *ns)
{
	struct vr_scratch s;
	char *buf;
	long n;
	int idx, err, removed = 0;

	if (!ns || !ns->has_upper)
		return 0;
	idx = sys_openat(ns->work.fd, INDEX_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
	                 0);
	if (idx < 0)
		return idx == -ENOENT ? 0 : idx;
	err = vr_scratch_get(&ns->pool, &s);
	buf = err == 0 ? vr_alloc(&s, 8192) : NULL;
	if (!buf) {
		sys_close(idx);
		if (err == 0)
			vr_scratch_put(&ns->pool, &s);
		return err < 0 ? err : -ENOMEM;
	}
	vr_index_lock(idx, 1);
	n = vr_each_entry(idx, buf, 8192, clean_one, &removed);
	vr_index_lock(idx, 0);
	sys_close(idx);
	vr_scratch_put(&ns->pool, &s);
	return n < 0 ? (int)n : removed;
}
