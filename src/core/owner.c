/*
 * owner.c - the owner, group and mode a copied-up object shows (owner.h).
 *
 * Only regular files and directories carry a record: the kernel keeps
 * user attributes off other types.
 */
#include "owner.h"
#include "util.h"

#define REC_MAX 96

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

/* parse() - "UID:GID:MODE[:TYPE]" of @n bytes.  Return: 0 or -EINVAL. */
static int
parse(const char *s, long n, struct vr_owner *o)
{
	const char *end = s + n;

	if (get_num(&s, end, 10, &o->uid) < 0 || s == end || *s++ != ':')
		return -EINVAL;
	if (get_num(&s, end, 10, &o->gid) < 0 || s == end || *s++ != ':')
		return -EINVAL;
	if (get_num(&s, end, 8, &o->mode) < 0)
		return -EINVAL;
	if (s < end && *s != ':' && *s != '\0')
		return -EINVAL;
	o->mode &= 07777;
	return 0;
}

/* type_name() - the record's name for the type of @mode. */
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
	default:
		return "file";
	}
}

/* format() - the record's text for @o into @buf.  Return: its length. */
static size_t
format(char buf[REC_MAX], const struct vr_owner *o)
{
	const char *t = type_name(o->mode);
	char oct[8];
	size_t n = 0, k = 0;
	unsigned int m = o->mode & 07777;

	n += vr_utoa(o->uid, buf + n);
	buf[n++] = ':';
	n += vr_utoa(o->gid, buf + n);
	buf[n++] = ':';
	for (int i = 3; i >= 0; i--)
		oct[k++] = (char)('0' + ((m >> (3 * i)) & 7));
	vr_memcpy(buf + n, oct, k);
	n += k;
	buf[n++] = ':';
	vr_memcpy(buf + n, t, vr_strlen(t));
	n += vr_strlen(t);
	buf[n] = '\0';
	return n;
}

int
vr_owner_read(int fd, struct vr_owner *o)
{
	char p[32], v[REC_MAX];
	long n = vr_sys4(__NR_getxattr, vr_proc_fd(p, fd), VR_OWNER_XATTR, v, sizeof(v));

	if (n == -ENODATA || n == -EOPNOTSUPP || n == -EPERM)
		return 0;
	if (n < 0)
		return (int)n;
	return parse(v, n, o) == 0 ? 1 : 0;
}

/* write_record() - @o as the record of @fd.  Return: 0 or -errno. */
static int
write_record(int fd, const struct vr_owner *o)
{
	char p[32], v[REC_MAX];
	size_t n = format(v, o);

	return (int)vr_sys5(__NR_setxattr, vr_proc_fd(p, fd), VR_OWNER_XATTR, v, n, 0);
}

void
vr_owner_keep(int fd, const struct stat *want)
{
	struct vr_owner o = {want->st_uid, want->st_gid, want->st_mode};
	struct stat st;

	if (vr_sys5(__NR_fchownat, fd, "", want->st_uid, want->st_gid, AT_EMPTY_PATH) == 0)
		return;
	if (!has_record_type(want->st_mode) || sys_fstatat(fd, "", &st, AT_EMPTY_PATH) < 0)
		return;
	if (st.st_uid != want->st_uid || st.st_gid != want->st_gid)
		write_record(fd, &o);
}

int
vr_owner_update(int fd, unsigned int uid, unsigned int gid)
{
	struct vr_owner o;
	struct stat st;
	char p[32];
	int err = vr_owner_read(fd, &o);

	if (err <= 0)
		return err; /* no record: the copy shows the truth */
	err = sys_fstatat(fd, "", &st, AT_EMPTY_PATH);
	if (err < 0)
		return err;
	if (uid != (unsigned int)-1)
		o.uid = uid;
	if (gid != (unsigned int)-1)
		o.gid = gid;
	o.mode = st.st_mode;
	if (o.uid == st.st_uid && o.gid == st.st_gid)
		return (int)vr_sys2(__NR_removexattr, vr_proc_fd(p, fd), VR_OWNER_XATTR);
	return write_record(fd, &o);
}

int
vr_owner_of(const struct vr_ns *ns, const struct vr_obj *o, struct vr_owner *out)
{
	struct vr_owner r;

	out->uid = o->st.st_uid;
	out->gid = o->st.st_gid;
	out->mode = o->st.st_mode;
	if (o->mount || o->synthetic || o->nfd == 0 || !ns->has_upper)
		return 0;
	if ((o->layer[0] != 0 && !o->indexed) || !has_record_type(o->st.st_mode))
		return 0;
	if (vr_owner_read(o->fd[0], &r) != 1)
		return 0;
	out->uid = r.uid;
	out->gid = r.gid;
	out->mode = (o->st.st_mode & S_IFMT) | r.mode;
	return 1;
}

void
vr_owner_stat(const struct vr_ns *ns, int fd, struct stat *st)
{
	struct vr_owner r;

	if (fd < 0 || !ns->has_upper || st->st_dev != ns->layers[0].dev ||
	    !has_record_type(st->st_mode) || vr_owner_read(fd, &r) != 1)
		return;
	st->st_uid = r.uid;
	st->st_gid = r.gid;
	st->st_mode = (st->st_mode & S_IFMT) | r.mode;
}

void
vr_owner_statx(const struct vr_ns *ns, int fd, unsigned long dev, struct statx *stx)
{
	struct vr_owner r;

	if (fd < 0 || !ns->has_upper || dev != ns->layers[0].dev || !(stx->stx_mask & STATX_TYPE) ||
	    !has_record_type(stx->stx_mode) || vr_owner_read(fd, &r) != 1)
		return;
	if (stx->stx_mask & STATX_UID)
		stx->stx_uid = r.uid;
	if (stx->stx_mask & STATX_GID)
		stx->stx_gid = r.gid;
	if (stx->stx_mask & STATX_MODE)
		stx->stx_mode = (unsigned short)((stx->stx_mode & S_IFMT) | r.mode);
}
