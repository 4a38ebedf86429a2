/*
 * owner.c - the owner, group and mode a copied-up object shows (owner.h).
 *
 * Only regular files and directories carry a record: the kernel keeps
 * user attributes off other types.
 */
#include "owner.h"
#include "util.h"

#define REC_MAX 96

/* In the work directory: the prefix holds a record special() names. */
#define SPECIALS_FILE "vroot-specials"

/* d_type of a regular file (the kernel's DT_REG; DT_* is S_IF* >> 12). */
#define DT_REG_TYPE 8

/* has_record_type() - objects of this st_mode can hold a record. */
static int
has_record_type(unsigned int mode)
{
	unsigned int t = mode & S_IFMT;

	return t == S_IFREG || t == S_IFDIR;
}

/* get_num() - a number in base @base at *@p, which moves past it.  Return: 0 or -EINVAL. */
static int
get_num(const char **p, const char *end, unsigned int base, unsigned int *v)
{
	unsigned long n = 0;
	const char *s = *p;

	if (s == end || *s < '0' || *s >= (char)('0' + base))
		return -EINVAL;
	while (s < end && *s >= '0' && *s < (char)('0' + base)) {
		n = n * base + (unsigned long)(*s - '0');
		if (n > 0xffffffffUL)
			return -EINVAL;
		s++;
	}
	*p = s;
	*v = (unsigned int)n;
	return 0;
}

/* get_dev() - "MAJ-MIN" at *@p into *@rdev (new_encode_dev()).  Return: 0 or -EINVAL. */
static int
get_dev(const char **p, const char *end, unsigned long *rdev)
{
	unsigned int ma, mi;

	if (get_num(p, end, 10, &ma) < 0 || *p == end || *(*p)++ != '-' ||
	    get_num(p, end, 10, &mi) < 0)
		return -EINVAL;
	*rdev = (unsigned long)(mi & 0xff) | (unsigned long)(ma & 0xfff) << 8 |
	        (unsigned long)(mi & ~0xffu) << 12;
	return 0;
}

/* starts() - the text at @s (up to @end) starts with @word; moves past it. */
static int
starts(const char **s, const char *end, const char *word)
{
	size_t n = vr_strlen(word);

	if ((size_t)(end - *s) < n || vr_memcmp(*s, word, n) != 0)
		return 0;
	*s += n;
	return 1;
}

/* parse_type() - the record's TYPE at @s into @o's type bits and rdev.  Return: 0 or -EINVAL. */
static int
parse_type(const char *s, const char *end, struct vr_owner *o, unsigned long *rdev)
{
	static const struct {
		const char *name;
		unsigned int type;
	} plain[] = {{"file", S_IFREG},
	             {"dir", S_IFDIR},
	             {"symlink", S_IFLNK},
	             {"pipe", S_IFIFO},
	             {"socket", S_IFSOCK}};

	if (s < end && end[-1] == '\0')
		end--;
	if (starts(&s, end, "char-") || starts(&s, end, "block-")) {
		o->mode = (o->mode & 07777) | (s[-2] == 'r' ? S_IFCHR : S_IFBLK);
		return get_dev(&s, end, rdev) < 0 || s != end ? -EINVAL : 0;
	}
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		const char *t = s;

		if (starts(&t, end, plain[i].name) && t == end) {
			o->mode = (o->mode & 07777) | plain[i].type;
			return 0;
		}
	}
	return 0; /* a type not known here: the owner and mode still hold */
}

/*
 * parse() - "UID:GID:MODE[:TYPE]" of @n bytes.  MODE may carry the type
 * bits too (fuse-overlayfs writes the whole st_mode in octal); TYPE, when
 * given, wins.  @o->mode gets the type bits the record names, or none.
 * Return: 0 or -EINVAL.
 */
static int
parse(const char *s, long n, struct vr_owner *o, unsigned long *rdev)
{
	const char *end = s + n;

	*rdev = 0;
	if (get_num(&s, end, 10, &o->uid) < 0 || s == end || *s++ != ':')
		return -EINVAL;
	if (get_num(&s, end, 10, &o->gid) < 0 || s == end || *s++ != ':')
		return -EINVAL;
	if (get_num(&s, end, 8, &o->mode) < 0)
		return -EINVAL;
	o->mode &= S_IFMT | 07777;
	if (s < end && *s == ':')
		return parse_type(s + 1, end, o, rdev);
	if (s < end && *s != '\0')
		return -EINVAL;
	return 0;
}

/* type_name() - the record's name for the type of @mode (devices: the prefix). */
static const char *
type_name(unsigned int mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		return "dir";
	case S_IFLNK:
		return "symlink";
	case S_IFIFO:
		return "pipe";
	case S_IFSOCK:
		return "socket";
	case S_IFCHR:
		return "char-";
	case S_IFBLK:
		return "block-";
	default:
		return "file";
	}
}

/* put() - @s at @buf + *@n. */
static void
put(char *buf, size_t *n, const char *s)
{
	size_t k = vr_strlen(s);

	vr_memcpy(buf + *n, s, k);
	*n += k;
}

/* format() - the record's text for @o into @buf.  Return: its length. */
static size_t
format(char buf[REC_MAX], const struct vr_owner *o, unsigned long rdev)
{
	unsigned int m = o->mode & 07777, t = o->mode & S_IFMT;
	size_t n = 0;

	n += vr_utoa(o->uid, buf + n);
	buf[n++] = ':';
	n += vr_utoa(o->gid, buf + n);
	buf[n++] = ':';
	for (int i = 3; i >= 0; i--)
		buf[n++] = (char)('0' + ((m >> (3 * i)) & 7));
	buf[n++] = ':';
	put(buf, &n, type_name(o->mode));
	if (t == S_IFCHR || t == S_IFBLK) {
		unsigned long d = rdev;

		n += vr_utoa((unsigned int)((d >> 8) & 0xfff), buf + n);
		buf[n++] = '-';
		n += vr_utoa((unsigned int)((d & 0xff) | ((d >> 12) & ~0xffUL)), buf + n);
	}
	buf[n] = '\0';
	return n;
}

/*
 * read_at() - the record of @name in the directory open as @dirfd ("."
 * names that directory, "" the object open as @dirfd, whatever it is:
 * vr_xattr_get()), not following a symlink, with a device's number into
 * *@rdev.  Return: as vr_owner_read().
 */
static int
read_at(int dirfd, const char *name, struct vr_owner *o, unsigned long *rdev)
{
	char v[REC_MAX];
	long n = vr_xattr_get(dirfd, name, VR_OWNER_XATTR, v, sizeof(v));

	if (n == -ENODATA || n == -EOPNOTSUPP || n == -EPERM)
		return 0;
	if (n < 0)
		return (int)n;
	return parse(v, n, o, rdev) == 0 ? 1 : 0;
}

/*
 * self_name() - how read_at() names the object of st_mode @mode open as
 * @fd: a directory as "." in itself (no /proc walk, util.h).
 */
static const char *
self_name(unsigned int mode)
{
	return (mode & S_IFMT) == S_IFDIR ? "." : "";
}

int
vr_owner_read(int fd, unsigned int mode, struct vr_owner *o)
{
	unsigned long rdev;

	return read_at(fd, self_name(mode), o, &rdev);
}

/* write_record() - @o as the record of @fd.  Return: 0 or -errno. */
static int
write_record(int fd, const struct vr_owner *o, unsigned long rdev)
{
	char v[REC_MAX];
	size_t n = format(v, o, rdev);

	return (int)vr_xattr_set(fd, self_name(o->mode), VR_OWNER_XATTR, v, n, 0);
}

int
vr_owner_keep(int fd, const struct stat *want, const struct stat *now)
{
	struct vr_owner o = {want->st_uid, want->st_gid, want->st_mode};
	struct stat st;

	if (now && now->st_uid == want->st_uid && now->st_gid == want->st_gid)
		return 1;
	if (vr_sys5(__NR_fchownat, fd, "", want->st_uid, want->st_gid, AT_EMPTY_PATH) == 0)
		return 1;
	if (!has_record_type(want->st_mode))
		return 0;
	/* A chown refused has changed nothing: @now holds. */
	if (now)
		vr_memcpy(&st, now, sizeof(st));
	else if (sys_fstatat(fd, "", &st, AT_EMPTY_PATH) < 0)
		return 0;
	if (st.st_uid == want->st_uid && st.st_gid == want->st_gid)
		return 1;
	write_record(fd, &o, 0);
	return 0;
}

int
vr_owner_update(int fd, unsigned int mode, unsigned int uid, unsigned int gid)
{
	struct vr_owner o;
	struct stat st;
	char p[32];
	int err = vr_owner_read(fd, mode, &o);

	/*
	 * No record: the copy shows the truth.  Unreadable (the owner's own
	 * mode 0 file): a record's file keeps the owner's read bit, so none.
	 */
	if (err <= 0)
		return err == -EACCES ? 0 : err;
	err = sys_fstatat(fd, "", &st, AT_EMPTY_PATH);
	if (err < 0)
		return err;
	if (uid != (unsigned int)-1)
		o.uid = uid;
	if (gid != (unsigned int)-1)
		o.gid = gid;
	o.mode = st.st_mode;
	if (o.uid == st.st_uid && o.gid == st.st_gid)
		err = (int)vr_sys2(__NR_removexattr, vr_proc_fd(p, fd), VR_OWNER_XATTR);
	else
		err = write_record(fd, &o, 0);
	return err < 0 ? err : 1;
}

/* show() - @o as a faked identity shows an object without a record (owner.h). */
static void
show(const struct vr_task *t, struct vr_owner *o)
{
	if (!t || !t->id.faked)
		return;
	if (o->uid == t->id.host_uid)
		o->uid = t->id.show_uid;
	if (o->gid == t->id.host_gid)
		o->gid = t->id.show_gid;
}

/*
 * apply() - @out, the host's view of an object of host type @type, as
 * record @r says: owner, group, permission bits, and the type of a device
 * or special file kept as a regular file.
 */
static void
apply(struct vr_owner *out, const struct vr_owner *r, unsigned int type)
{
	unsigned int rt = r->mode & S_IFMT;

	out->uid = r->uid;
	out->gid = r->gid;
	out->mode = type | (r->mode & 07777);
	if (type == S_IFREG && rt && rt != S_IFDIR && rt != S_IFLNK)
		out->mode = rt | (r->mode & 07777);
}

/*
 * special() - a record's st_mode @mode gives the regular file holding it
 * another type (apply()): a device, a FIFO or a socket.
 */
static int
special(unsigned int mode)
{
	unsigned int rt = mode & S_IFMT;

	return rt && rt != S_IFREG && rt != S_IFDIR && rt != S_IFLNK;
}

/* mark_specials() - the prefix of @ns holds such a record (vr_owner_specials()). */
static void
mark_specials(struct vr_ns *ns)
{
	int fd;

	if (__atomic_load_n(&ns->specials, __ATOMIC_RELAXED) || !ns->has_upper || ns->work.fd < 0)
		return;
	fd = sys_openat(ns->work.fd, SPECIALS_FILE, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	                0644);
	if (fd < 0)
		return;
	sys_close(fd);
	__atomic_store_n(&ns->specials, 1, __ATOMIC_RELAXED);
}

int
vr_owner_specials(struct vr_ns *ns)
{
	struct stat st;

	if (__atomic_load_n(&ns->specials, __ATOMIC_RELAXED))
		return 1;
	if (!ns->has_upper || ns->work.fd < 0 ||
	    sys_fstatat(ns->work.fd, SPECIALS_FILE, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	__atomic_store_n(&ns->specials, 1, __ATOMIC_RELAXED);
	return 1;
}

unsigned char
vr_owner_dtype(int dirfd, const char *name)
{
	struct vr_owner r;
	unsigned long rdev;

	if (read_at(dirfd, name, &r, &rdev) != 1 || !special(r.mode))
		return DT_REG_TYPE;
	return (unsigned char)((r.mode & S_IFMT) >> 12);
}

/* is_dev() - @mode is a device's. */
static int
is_dev(unsigned int mode)
{
	return (mode & S_IFMT) == S_IFCHR || (mode & S_IFMT) == S_IFBLK;
}

int
vr_owner_of(const struct vr_task *t, const struct vr_obj *o, struct vr_owner *out)
{
	const struct vr_ns *ns = t->ns;
	/* An object the walk only stat()ed by name is read through its parent. */
	const char *at = o->byname ? vr_obj_at(o) : self_name(o->st.st_mode);
	struct vr_owner r;
	unsigned long rdev;

	out->uid = o->st.st_uid;
	out->gid = o->st.st_gid;
	out->mode = o->st.st_mode;
	if (o->mount || o->synthetic || o->nfd == 0 || !ns->has_upper || o->norec ||
	    (o->layer[0] != 0 && !o->indexed) || !has_record_type(o->st.st_mode) ||
	    read_at(o->fd[0], at, &r, &rdev) != 1) {
		show(t, out);
		return 0;
	}
	apply(out, &r, o->st.st_mode & S_IFMT);
	if (special(out->mode))
		mark_specials(t->ns);
	return 1;
}

/*
 * recorded() - the record of @fd (@name NULL) or of @name in directory @fd
 * when it is an upper-layer object of host device @dev and st_mode @mode
 * that can have one.  Return: 1 and *@r, or 0.
 */
static int
recorded(const struct vr_ns *ns, int fd, const char *name, unsigned long dev, unsigned int mode,
         struct vr_owner *r, unsigned long *rdev)
{
	return fd >= 0 && ns->has_upper && dev == ns->layers[0].dev && has_record_type(mode) &&
	       read_at(fd, name ? name : self_name(mode), r, rdev) == 1;
}

void
vr_owner_stat(const struct vr_task *t, int fd, const char *name, struct stat *st)
{
	struct vr_owner r, o = {st->st_uid, st->st_gid, st->st_mode};
	unsigned long rdev;

	if (recorded(t->ns, fd, name, st->st_dev, st->st_mode, &r, &rdev)) {
		apply(&o, &r, st->st_mode & S_IFMT);
		if (is_dev(o.mode))
			st->st_rdev = rdev;
		if (special(o.mode))
			mark_specials(t->ns);
	} else {
		show(t, &o);
	}
	st->st_uid = o.uid;
	st->st_gid = o.gid;
	st->st_mode = o.mode;
}

void
vr_owner_statx(const struct vr_task *t, int fd, const char *name, unsigned long dev,
               struct statx *stx)
{
	struct vr_owner r, o = {stx->stx_uid, stx->stx_gid, stx->stx_mode};
	unsigned long d;

	if (!(stx->stx_mask & STATX_TYPE))
		return;
	if (recorded(t->ns, fd, name, dev, stx->stx_mode, &r, &d)) {
		apply(&o, &r, stx->stx_mode & S_IFMT);
		if (special(o.mode))
			mark_specials(t->ns);
		if (is_dev(o.mode)) {
			stx->stx_rdev_major = (unsigned int)((d >> 8) & 0xfff);
			stx->stx_rdev_minor = (unsigned int)((d & 0xff) | ((d >> 12) & ~0xffUL));
		}
	} else {
		show(t, &o);
	}
	if (stx->stx_mask & STATX_UID)
		stx->stx_uid = o.uid;
	if (stx->stx_mask & STATX_GID)
		stx->stx_gid = o.gid;
	if (stx->stx_mask & STATX_MODE)
		stx->stx_mode = (unsigned short)o.mode;
}

/* host_mode() - the bits a copy keeps on the host for virtual st_mode @mode (owner.h). */
static unsigned int
host_mode(unsigned int mode)
{
	unsigned int m = mode & 0777;

	return (mode & S_IFMT) == S_IFDIR ? m | 0700 : m | 0600;
}

void
vr_owner_touched(int fd)
{
	/* chown(-1, -1) changes nothing but the ctime (the host file has no set-id bits). */
	vr_sys5(__NR_fchownat, fd, "", -1, -1, AT_EMPTY_PATH);
}

int
vr_owner_set(const struct vr_task *t, int fd, const struct vr_owner *want, unsigned long rdev)
{
	struct vr_owner o, w = *want;
	struct stat st;
	char p[32];
	int err = sys_fstatat(fd, "", &st, AT_EMPTY_PATH);

	if (err < 0)
		return err;
	if (!has_record_type(st.st_mode)) {
		/* Nothing to keep a record on: the host's own owner, when it may. */
		unsigned int uid = w.uid == t->id.show_uid ? t->id.host_uid : w.uid;
		unsigned int gid = w.gid == t->id.show_gid ? t->id.host_gid : w.gid;

		vr_sys5(__NR_fchownat, fd, "", uid, gid, AT_EMPTY_PATH);
		if ((st.st_mode & S_IFMT) != S_IFLNK)
			vr_chmod_fd(fd, w.mode & 07777);
		return 0;
	}
	if (!is_dev(w.mode) || (st.st_mode & S_IFMT) != S_IFREG)
		w.mode = (st.st_mode & S_IFMT) | (w.mode & 07777);
	if ((st.st_mode & 07777) != host_mode(w.mode)) {
		err = (int)vr_chmod_fd(fd, host_mode(w.mode));
		if (err < 0)
			return err;
		st.st_mode = (st.st_mode & S_IFMT) | host_mode(w.mode);
	}
	o.uid = st.st_uid;
	o.gid = st.st_gid;
	o.mode = st.st_mode;
	show(t, &o);
	if (o.uid == w.uid && o.gid == w.gid && o.mode == w.mode) {
		err = (int)vr_sys2(__NR_removexattr, vr_proc_fd(p, fd), VR_OWNER_XATTR);
		return err == -ENODATA || err == -EOPNOTSUPP ? 0 : err;
	}
	if (is_dev(w.mode) && rdev == (unsigned long)-1 && read_at(fd, "", &o, &rdev) != 1)
		rdev = 0; /* the device number the record had, if any */
	if (special(w.mode))
		mark_specials(t->ns);
	return write_record(fd, &w, is_dev(w.mode) ? rdev : 0);
}

int
vr_owner_new(const struct vr_task *t, int fd, const struct vr_owner *dir, unsigned int type,
             unsigned long rdev)
{
	struct vr_owner want, o;
	struct stat st;
	int err;

	if (!t->id.faked && !type)
		return 0;
	err = sys_fstatat(fd, "", &st, AT_EMPTY_PATH);
	if (err < 0)
		return err;
	/* Without a faked identity the kernel gave the host file its owner. */
	want.uid = !t->id.faked ? st.st_uid : t->id.fsuid;
	want.gid = !t->id.faked ? st.st_gid : (dir->mode & S_ISGID) ? dir->gid : t->id.fsgid;
	want.mode = (type ? type : st.st_mode & S_IFMT) | (st.st_mode & 07777);
	if ((dir->mode & S_ISGID) && (st.st_mode & S_IFMT) == S_IFDIR)
		want.mode |= S_ISGID;
	o.uid = st.st_uid;
	o.gid = st.st_gid;
	o.mode = st.st_mode;
	show(t, &o);
	if (o.uid == want.uid && o.gid == want.gid && o.mode == want.mode &&
	    (!has_record_type(st.st_mode) || (st.st_mode & 07777) == host_mode(st.st_mode)))
		return 0;
	return vr_owner_set(t, fd, &want, rdev);
}

int
vr_owner_unlock(const struct vr_task *t, int fd)
{
	struct vr_owner o;
	struct stat st;
	unsigned long rdev = (unsigned long)-1;

	if (!t->id.faked || sys_fstatat(fd, "", &st, AT_EMPTY_PATH) < 0 ||
	    st.st_uid != t->id.host_uid || !has_record_type(st.st_mode) ||
	    (st.st_mode & 07777) == host_mode(st.st_mode))
		return 0;
	o.uid = st.st_uid;
	o.gid = st.st_gid;
	o.mode = st.st_mode;
	if (!recorded(t->ns, fd, NULL, st.st_dev, st.st_mode, &o, &rdev))
		show(t, &o);
	return vr_owner_set(t, fd, &o, rdev) == 0;
}

/* in_group() - @gid is @id's filesystem gid or one of its supplementary groups. */
static int
in_group(const struct vr_ident *id, unsigned int gid)
{
	if (id->fsgid == gid)
		return 1;
	for (unsigned int i = 0; i < id->ngroups && i < VR_IDENT_GROUPS; i++)
		if (id->groups[i] == gid)
			return 1;
	return 0;
}

int
vr_owner_written(const struct vr_task *t, int fd)
{
	struct vr_owner r;
	unsigned long rdev;
	struct stat st;
	unsigned int kill;

	if (!t->id.faked || (t->id.caps & VR_CAPS_FS) ||
	    sys_fstatat(fd, "", &st, AT_EMPTY_PATH) < 0 || (st.st_mode & S_IFMT) != S_IFREG ||
	    !recorded(t->ns, fd, NULL, st.st_dev, st.st_mode, &r, &rdev))
		return 0;
	kill = r.mode & S_ISUID;
	if ((r.mode & S_ISGID) && ((r.mode & S_IXGRP) || !in_group(&t->id, r.gid)))
		kill |= S_ISGID;
	if (!kill)
		return 0;
	r.mode = (st.st_mode & S_IFMT) | (r.mode & 07777 & ~kill);
	return vr_owner_set(t, fd, &r, rdev);
}
