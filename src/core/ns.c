/*
 * ns.c - creating and freeing a namespace.
 */
#include "ns.h"
#include "dcache.h"
#include "foldidx.h"
#include "helper.h"
#include "util.h"
#include "coherence.h"

/*
 * The scratch vr_ns_new() builds in: a host path per backing directory and
 * a virtual path per mount, PATH_MAX each, for the most a spec may give.
 * The namespace's scratch pool, not yet in use, lends it.
 */
#define NS_BUILD_SCRATCH ((VR_MAX_LAYERS + 1 + 2 * VR_MAX_MOUNTS) * PATH_MAX + 64 * 1024)
_Static_assert(NS_BUILD_SCRATCH + 64 * 1024 <= (size_t)VR_SCRATCH_SLOTS * VR_SCRATCH_SIZE,
               "the pool holds the build's scratch and a packed spec's mounts");

/* The work directory's directory of stubs (vr_ns_make_stubs()). */
#define STUB_DIR "vroot-stub"

/* Everything vr_ns_new() learns before it knows how much memory it needs. */
struct ns_build {
	int fds[VR_MAX_LAYERS + 1 + VR_MAX_MOUNTS];
	unsigned int nfds;
	struct vr_scratch s;
	const int *adopt; /* struct vr_ns_spec's */
	unsigned int nadopt;
	int take; /* @adopt is vr_ns_pass_fds() of the previous image (plan_take()) */
};

/*
 * canon_vpath() - copy virtual mount path @in to @out in canonical form
 * (absolute, single slashes, no trailing slash).  "." and ".." components are
 * refused rather than interpreted: a mount point is named, not resolved.
 * Return: length, or -EINVAL.
 */
static long
canon_vpath(const char *in, char *out, size_t size)
{
	size_t n = 0;
	const char *p = in;

	if (!in || in[0] != '/')
		return -EINVAL;
	while (*p) {
		const char *c;
		size_t len;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		c = p;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - c);
		if ((len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
			return -EINVAL;
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		if (n + 1 + len + 1 > size)
			return -ENAMETOOLONG;
		out[n++] = '/';
		vr_memcpy(out + n, c, len);
		n += len;
	}
	if (n == 0)
		return -EINVAL; /* "/" is the overlay root, not a mount point */
	out[n] = '\0';
	return (long)n;
}

/*
 * adopt() - a copy of the descriptor of @nb->adopt that /proc/self/fd
 * shows at @path (a directory), or -ENOENT.
 */
static int
adopt(struct ns_build *nb, const char *path)
{
	char proc[32], got[PATH_MAX];
	size_t len = vr_strlen(path);

	for (unsigned int i = 0; i < nb->nadopt; i++) {
		long n = sys_readlinkat(AT_FDCWD, vr_proc_fd(proc, nb->adopt[i]), got, sizeof(got));
		struct stat st;

		if (n == (long)len && vr_memcmp(got, path, len) == 0 &&
		    sys_fstat(nb->adopt[i], &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR)
			return sys_fcntl(nb->adopt[i], F_DUPFD_CLOEXEC, 0);
	}
	return -ENOENT;
}

/*
 * plan_take() - whether the descriptors of @spec->adopt are the previous
 * image's to take over (@take: vr_task_new_packed_taken()): as many as
 * vr_ns_pass_fds() gives for this spec, or none are.
 */
static void
plan_take(struct ns_build *nb, const struct vr_ns_spec *spec, int take)
{
	unsigned int nlayers = spec->nlowers + (spec->upper ? 1 : 0);

	nb->take = take && nb->nadopt == nlayers + (spec->upper ? 2 : 0) + spec->nmounts + 1;
}

/*
 * take_fd() - the previous image's descriptor in slot @slot of
 * vr_ns_pass_fds() order when it is there, else -1.  Taken, not
 * duplicated.  The slots are the spec's own (plan_take() counted them),
 * so a slot holds what it held in the previous image; only the helper's
 * socket, found by its type without @take, is checked (@sock).
 */
static int
take_fd(const struct ns_build *nb, unsigned int slot, int sock)
{
	struct stat st;
	int fd;

	if (!nb->take || slot >= nb->nadopt || (fd = nb->adopt[slot]) < 0)
		return -1;
	if (sock && (sys_fstat(fd, &st) < 0 || (st.st_mode & S_IFMT) != S_IFSOCK))
		return -1;
	return fd;
}

/*
 * open_backing() - open host directory @path (with @any_type, a file of any
 * type: a mount of one file) and learn its canonical name.
 */
static int
open_backing(struct ns_build *nb, const char *path, int any_type, unsigned int slot, char **host)
{
	char proc[32];
	char *buf;
	long n;
	int fd;

	if (!path || !path[0])
		return -EINVAL;
	fd = take_fd(nb, slot, 0);
	if (fd >= 0) {
		/* The previous image's canonical name (vr_task_pack()). */
		nb->fds[nb->nfds++] = fd;
		*host = (char *)path;
		return fd;
	}
	fd = sys_openat(AT_FDCWD, path, O_PATH | (any_type ? 0 : O_DIRECTORY) | O_CLOEXEC, 0);
	if (fd == -EACCES) {
		int a = adopt(nb, path);

		fd = a >= 0 ? a : fd;
	}
	if (fd < 0)
		return fd;
	nb->fds[nb->nfds++] = fd;
	buf = vr_alloc(&nb->s, PATH_MAX);
	if (!buf)
		return -ENOMEM;
	vr_proc_fd(proc, fd);
	n = sys_readlinkat(AT_FDCWD, proc, buf, PATH_MAX - 1);
	if (n < 0)
		return (int)n;
	if (n >= PATH_MAX - 1 || buf[0] != '/')
		return -ENAMETOOLONG;
	buf[n] = '\0';
	*host = buf;
	return fd;
}

static char *
put_string(char **cursor, const char *s, size_t len)
{
	char *d = *cursor;

	vr_memcpy(d, s, len);
	d[len] = '\0';
	*cursor = d + len + 1;
	return d;
}

static int
fill_backing(struct vr_backing *b, int fd, const char *host, char **cursor)
{
	struct stat st;
	int err = sys_fstat(fd, &st);

	if (err < 0)
		return err;
	b->fd = fd;
	b->hlen = vr_strlen(host);
	b->host = put_string(cursor, host, b->hlen);
	b->dev = st.st_dev;
	b->ino = st.st_ino;
	return 0;
}

/* is_procfs() - @fd is a directory of a procfs (magic links inside). */
static int
is_procfs(int fd)
{
	long buf[16]; /* struct statfs: f_type first */

	return vr_sys2(__NR_fstatfs, fd, buf) == 0 && buf[0] == 0x9fa0 /* PROC_SUPER_MAGIC */;
}

static int
check_spec(const struct vr_ns_spec *spec)
{
	unsigned int nlayers = spec->nlowers + (spec->upper ? 1 : 0);

	if (nlayers == 0 || nlayers > VR_MAX_LAYERS || spec->nmounts > VR_MAX_MOUNTS)
		return -EINVAL;
	if ((spec->upper != NULL) != (spec->work != NULL))
		return -EINVAL;
	if ((spec->nlowers && !spec->lowers) || (spec->nmounts && !spec->mounts) ||
	    spec->casefold > VR_CASE_FOLD)
		return -EINVAL;
	for (unsigned int i = 0; i < spec->nmounts; i++) {
		const struct vr_mount_spec *m = &spec->mounts[i];

		if ((m->flags & ~VR_MOUNT_RDONLY) || m->casefold > VR_CASE_FOLD ||
		    m->owner != VR_OWNER_HOST)
			return -EINVAL;
	}
	return 0;
}

/*
 * files_hold_mounts() - a mount lies below a mount of one file (@fds: the
 * mounts' descriptors, @vpaths their canonical virtual paths): the file
 * is no directory to hold it.
 */
static int
files_hold_mounts(const struct vr_ns_spec *spec, const int *fds, char **vpaths)
{
	for (unsigned int i = 0; i < spec->nmounts; i++) {
		size_t len = vr_strlen(vpaths[i]);
		struct stat st;

		if (sys_fstat(fds[i], &st) < 0 || (st.st_mode & S_IFMT) == S_IFDIR)
			continue;
		for (unsigned int j = 0; j < spec->nmounts; j++)
			if (j != i &&
			    vr_path_under(vpaths[j], vr_strlen(vpaths[j]), vpaths[i], len) >= 0)
				return 1;
	}
	return 0;
}

/*
 * Opens every backing directory of @spec; hosts[] receive canonical names.
 * The slots are those of vr_ns_pass_fds(): layers, work, stub, mounts.
 */
static int
open_all(struct ns_build *nb, const struct vr_ns_spec *spec, char **hosts, char **vpaths)
{
	unsigned int i, k = 0, up = spec->upper ? 1 : 0, nlayers = spec->nlowers + up;
	int fd;

	if (spec->upper) {
		fd = open_backing(nb, spec->upper, 0, 0, &hosts[k++]);
		if (fd < 0)
			return fd;
		fd = open_backing(nb, spec->work, 0, nlayers, &hosts[k++]);
		if (fd < 0)
			return fd;
	}
	for (i = 0; i < spec->nlowers; i++) {
		fd = open_backing(nb, spec->lowers[i], 0, up + i, &hosts[k++]);
		if (fd < 0)
			return fd;
	}
	for (i = 0; i < spec->nmounts; i++) {
		/* The canonical form is never longer than the path. */
		size_t cap = vr_strnlen(spec->mounts[i].path, PATH_MAX - 2) + 2;
		long n;

		vpaths[i] = vr_alloc(&nb->s, cap);
		if (!vpaths[i])
			return -ENOMEM;
		n = canon_vpath(spec->mounts[i].path, vpaths[i], cap);
		if (n < 0)
			return (int)n;
		for (unsigned int j = 0; j < i; j++)
			if (vr_strcmp(vpaths[i], vpaths[j]) == 0)
				return -EINVAL;
		fd = open_backing(nb, spec->mounts[i].host, 1, nlayers + 2 * up + i, &hosts[k++]);
		if (fd < 0)
			return fd;
	}
	/* A spec taken from the previous image passed this check there. */
	if (!nb->take && files_hold_mounts(spec, nb->fds + nb->nfds - spec->nmounts, vpaths))
		return -ENOTDIR;
	return 0;
}

/* add_hidden() - remember virtual path @pre + @rest[0..rlen) as hidden. */
static void
add_hidden(struct vr_ns *ns, const char *pre, size_t plen, const char *rest, size_t rlen)
{
	unsigned int i = ns->nhidden_v;

	if (rlen == 1 && rest[0] == '/')
		rlen = 0;
	if (i >= 8 || plen + rlen + 1 > sizeof(ns->hidden_v[0])) {
		ns->no_fast = 1;
		return;
	}
	vr_memcpy(ns->hidden_v[i], pre, plen);
	vr_memcpy(ns->hidden_v[i] + plen, rest, rlen);
	if (plen + rlen == 0)
		ns->hidden_v[i][plen + rlen++] = '/';
	ns->hidden_v[i][plen + rlen] = '\0';
	ns->hidden_vlen[i] = (unsigned short)(plen + rlen);
	ns->nhidden_v++;
}

/* note_hidden() - where hidden directory @h shows through the lowers and mounts. */
static void
note_hidden(struct vr_ns *ns, const struct vr_backing *h)
{
	for (unsigned int i = 1; i < ns->nlayers; i++) {
		long at = vr_path_under(h->host, h->hlen, ns->layers[i].host, ns->layers[i].hlen);

		if (at >= 0)
			add_hidden(ns, "", 0, h->host + at, h->hlen - (size_t)at);
	}
	for (unsigned int i = 0; i < ns->nmounts; i++) {
		const struct vr_mount *m = &ns->mounts[i];
		long at = vr_path_under(h->host, h->hlen, m->b.host, m->b.hlen);

		if (at >= 0)
			add_hidden(ns, m->path, m->plen, h->host + at, h->hlen - (size_t)at);
	}
}

/*
 * shows_twice() - some host directory of mount @m also shows at another
 * virtual place: inside a layer (or another mount) at a path other than
 * @m's own, or a layer or another mount inside @m.
 */
static int
shows_twice(const struct vr_ns *ns, const struct vr_mount *m)
{
	for (unsigned int i = 0; i < ns->nlayers; i++) {
		const struct vr_backing *l = &ns->layers[i];
		long at = vr_path_under(m->b.host, m->b.hlen, l->host, l->hlen);

		if (at >= 0 && !(m->b.hlen - (size_t)at == m->plen &&
		                 vr_memcmp(m->b.host + at, m->path, m->plen) == 0))
			return 1; /* not just the layer's copy of the mount point */
		if (i > 0 || !ns->has_upper)
			if (vr_path_under(l->host, l->hlen, m->b.host, m->b.hlen) >= 0)
				return 1;
	}
	for (unsigned int j = 0; j < ns->nmounts; j++) {
		const struct vr_mount *o = &ns->mounts[j];
		long at = vr_path_under(m->b.host, m->b.hlen, o->b.host, o->b.hlen);
		size_t rlen = at >= 0 ? m->b.hlen - (size_t)at : 0;

		if (o == m || at < 0)
			continue;
		if (o->plen + rlen != m->plen || vr_memcmp(o->path, m->path, o->plen) != 0 ||
		    vr_memcmp(m->b.host + at, m->path + o->plen, rlen) != 0)
			return 1;
	}
	return 0;
}

/*
 * take_stub() - the stub directory from the previous image, which made it
 * and the stubs below it: the work directory's STUB_DIR, named from
 * the work directory's name without asking /proc.  Return: 1 if taken.
 */
static int
take_stub(struct vr_ns *ns, struct ns_build *nb, char *cursor)
{
	static const char name[] = "/" STUB_DIR;
	int fd = take_fd(nb, ns->nlayers + 1, 0);

	if (fd < 0 || ns->work.hlen + sizeof(name) > PATH_MAX)
		return 0;
	vr_memcpy(cursor, ns->work.host, ns->work.hlen);
	vr_memcpy(cursor + ns->work.hlen, name, sizeof(name));
	if (fill_backing(&ns->stub, fd, cursor, &cursor) < 0)
		return 0;
	/* Owned by the namespace now: the caller closes what it does not own. */
	return 1;
}

static int
assemble(struct vr_ns *ns, const struct vr_ns_spec *spec, struct ns_build *nb, char **hosts,
         char **vpaths)
{
	char *cursor = ns->strings;
	unsigned int i, k = 0, f = 0;
	int err;

	ns->ops = &vr_host_layer_ops;
	ns->has_upper = spec->upper != NULL;
	ns->nlayers = spec->nlowers + (ns->has_upper ? 1 : 0);
	ns->work.fd = -1;
	ns->helper_fd = -1;
	if (ns->has_upper) {
		err = fill_backing(&ns->layers[0], nb->fds[f++], hosts[k++], &cursor);
		if (err < 0)
			return err;
		err = fill_backing(&ns->work, nb->fds[f++], hosts[k++], &cursor);
		if (err < 0)
			return err;
	}
	for (i = ns->has_upper ? 1 : 0; i < ns->nlayers; i++) {
		err = fill_backing(&ns->layers[i], nb->fds[f++], hosts[k++], &cursor);
		if (err < 0)
			return err;
	}
	ns->casefold = spec->casefold;
	ns->nmounts = spec->nmounts;
	for (i = 0; i < spec->nmounts; i++) {
		struct vr_mount *m = &ns->mounts[i];

		err = fill_backing(&m->b, nb->fds[f++], hosts[k++], &cursor);
		if (err < 0)
			return err;
		m->plen = vr_strlen(vpaths[i]);
		m->path = put_string(&cursor, vpaths[i], m->plen);
		m->flags = spec->mounts[i].flags;
		m->casefold = spec->mounts[i].casefold;
		m->owner = spec->mounts[i].owner;
		m->procfs = is_procfs(m->b.fd);
	}
	ns->vdev = ns->layers[0].dev;
	for (i = 0; i < ns->nlayers; i++) {
		unsigned int d = 0;

		while (d < ns->nldev && ns->ldev[d] != ns->layers[i].dev)
			d++;
		if (d == ns->nldev)
			ns->ldev[ns->nldev++] = ns->layers[i].dev;
	}
	for (i = 0; i < ns->nmounts && !ns->aliasing; i++)
		ns->aliasing = shows_twice(ns, &ns->mounts[i]);
	ns->stub.fd = -1;
	if (ns->has_upper) {
		if (!take_stub(ns, nb, cursor))
			vr_ns_make_stubs(ns, cursor);
		note_hidden(ns, &ns->layers[0]);
		note_hidden(ns, &ns->work);
	}
	return 0;
}

/*
 * vr_ns_protected_hardlinks() - the host's fs.protected_hardlinks: linkat(2)
 * judged inside the namespace follows it.  Unreadable: on, the kernel's
 * default.
 */
int
vr_ns_protected_hardlinks(struct vr_ns *ns)
{
	int on = __atomic_load_n(&ns->protected_hardlinks, __ATOMIC_RELAXED);
	char v[4] = "1";
	int fd;

	if (on >= 0)
		return on;
	fd = sys_openat(AT_FDCWD, "/proc/sys/fs/protected_hardlinks", O_RDONLY | O_CLOEXEC, 0);
	if (fd >= 0) {
		vr_sys3(__NR_read, fd, v, sizeof(v));
		sys_close(fd);
	}
	/* Threads asking at once read the same answer. */
	on = v[0] != '0';
	__atomic_store_n(&ns->protected_hardlinks, on, __ATOMIC_RELAXED);
	return on;
}

int
vr_ns_new(const struct vr_ns_spec *spec, struct vr_ns **nsp)
{
	return vr_ns_new_taking(spec, 0, nsp);
}

int
vr_ns_new_taking(const struct vr_ns_spec *spec, int take, struct vr_ns **nsp)
{
	struct vr_pool pool;
	struct vr_scratch s;
	int err;

	if (!spec || !nsp)
		return -EINVAL;
	/* Before the first call the namespace makes: every one goes through it. */
	err = vr_sys_hook_install(spec->syscall);
	if (err < 0)
		return err;
	err = vr_ns_pool_begin(&pool, &s);
	if (err < 0)
		return err;
	err = vr_ns_new_pooled(spec, take, &s, nsp);
	return vr_ns_pool_end(&pool, err, nsp);
}

int
vr_ns_pool_begin(struct vr_pool *pool, struct vr_scratch *s)
{
	int err = vr_pool_init(pool);

	if (err < 0)
		return err;
	/*
	 * No call uses the pool before the namespace owns it: its slots,
	 * side by side, are the build's scratch, and the pages the build
	 * touched serve the calls after it (a one-off mapping would cost
	 * its own page faults, and an mmap and an munmap).
	 */
	s->base = pool->slots;
	s->size = (size_t)VR_SCRATCH_SLOTS * VR_SCRATCH_SIZE;
	s->used = 0;
	s->slot = -1;
	return 0;
}

int
vr_ns_pool_end(struct vr_pool *pool, int err, struct vr_ns **nsp)
{
	if (err < 0) {
		vr_pool_fini(pool);
		return err;
	}
	(*nsp)->pool = *pool;
	return 0;
}

int
vr_ns_new_pooled(const struct vr_ns_spec *spec, int take, struct vr_scratch *s, struct vr_ns **nsp)
{
	struct ns_build nb = {.nfds = 0, .adopt = spec->adopt, .nadopt = spec->nadopt};
	char *hosts[VR_MAX_LAYERS + 1 + VR_MAX_MOUNTS];
	char *vpaths[VR_MAX_MOUNTS];
	struct vr_ns *ns = NULL;
	size_t size = sizeof(*ns);
	unsigned int i;
	int err;

	err = check_spec(spec);
	if (err < 0)
		return err;
	plan_take(&nb, spec, take);
	if (s->size - s->used < NS_BUILD_SCRATCH)
		return -ENOMEM;
	nb.s = *s;
	err = open_all(&nb, spec, hosts, vpaths);
	if (err < 0)
		goto out;
	for (i = 0; i < nb.nfds; i++)
		size += vr_strlen(hosts[i]) + 1;
	for (i = 0; i < spec->nmounts; i++)
		size += vr_strlen(vpaths[i]) + 1;
	size += PATH_MAX; /* the stub directory's host path */
	size = (size + 4095) & ~(size_t)4095;
	ns = vr_map(size);
	err = -ENOMEM;
	if (!ns)
		goto out;
	ns->size = size;
	err = assemble(ns, spec, &nb, hosts, vpaths);
	if (err < 0)
		goto out;
	ns->protected_hardlinks = -1;
	/* Without its helper, a session is as one started by a user. */
	if (nb.take)
		ns->helper_fd = take_fd(&nb, nb.nadopt - 1, 1);
	else
		vr_helper_adopt(ns, spec->adopt, spec->nadopt);
	*nsp = ns;
	ns = NULL;
	nb.nfds = 0; /* the namespace owns the descriptors now */
out:
	for (i = 0; i < nb.nfds; i++)
		sys_close(nb.fds[i]);
	if (ns)
		vr_unmap(ns, ns->size);
	return err;
}

void
vr_ns_free(struct vr_ns *ns)
{
	unsigned int i;

	if (!ns)
		return;
	for (i = 0; i < ns->nlayers; i++)
		sys_close(ns->layers[i].fd);
	if (ns->work.fd >= 0)
		sys_close(ns->work.fd);
	if (ns->stub.fd >= 0)
		sys_close(ns->stub.fd);
	for (i = 0; i < ns->nmounts; i++)
		sys_close(ns->mounts[i].b.fd);
	if (ns->helper_fd >= 0)
		sys_close(ns->helper_fd);
	vr_dc_fini(ns);
	vr_fold_fini(ns);
	vr_coh_fini(ns);
	vr_idtab_fini(ns);
	vr_pool_fini(&ns->pool);
	vr_unmap(ns, ns->size);
}

/* move_fd() - renumber *fd to the lowest free number >= @floor. */
static int
move_fd(int *fd, int floor)
{
	int n;

	if (*fd < 0 || *fd >= floor)
		return 0;
	n = sys_fcntl(*fd, F_DUPFD_CLOEXEC, floor);
	if (n < 0)
		return n;
	sys_close(*fd);
	*fd = n;
	return 0;
}

int
vr_ns_move_fds(struct vr_ns *ns, int floor)
{
	int err = 0;

	for (unsigned int i = 0; i < ns->nlayers && !err; i++)
		err = move_fd(&ns->layers[i].fd, floor);
	if (!err)
		err = move_fd(&ns->work.fd, floor);
	if (!err)
		err = move_fd(&ns->stub.fd, floor);
	for (unsigned int i = 0; i < ns->nmounts && !err; i++)
		err = move_fd(&ns->mounts[i].b.fd, floor);
	if (!err)
		err = move_fd(&ns->helper_fd, floor);
	return err;
}

int
vr_ns_owns_fd(const struct vr_ns *ns, int fd)
{
	if (fd < 0)
		return 0;
	if (fd == ns->work.fd || fd == ns->stub.fd || fd == ns->helper_fd)
		return 1;
	for (unsigned int i = 0; i < ns->nlayers; i++)
		if (fd == ns->layers[i].fd)
			return 1;
	for (unsigned int i = 0; i < ns->nmounts; i++)
		if (fd == ns->mounts[i].b.fd)
			return 1;
	return vr_dc_owns_fd(ns, fd);
}

int
vr_ns_release_fd(struct vr_ns *ns, int fd)
{
	return vr_dc_release_fd(ns, fd);
}

int
vr_ns_next_own_fd(const struct vr_ns *ns, int lo)
{
	int best = vr_dc_next_fd(ns, lo);

	for (unsigned int i = 0; i < vr_ns_backing_count(ns); i++) {
		int fd = vr_ns_backing_fd(ns, i);

		if (fd >= lo && (best < 0 || fd < best))
			best = fd;
	}
	return best;
}

int
vr_ns_replace_fd(struct vr_ns *ns, int fd, int with)
{
	int *slot = NULL;

	if (fd < 0 || with < 0)
		return -EBADF;
	if (fd == ns->work.fd)
		slot = &ns->work.fd;
	else if (fd == ns->stub.fd)
		slot = &ns->stub.fd;
	else if (fd == ns->helper_fd)
		slot = &ns->helper_fd;
	for (unsigned int i = 0; i < ns->nlayers && !slot; i++)
		if (fd == ns->layers[i].fd)
			slot = &ns->layers[i].fd;
	for (unsigned int i = 0; i < ns->nmounts && !slot; i++)
		if (fd == ns->mounts[i].b.fd)
			slot = &ns->mounts[i].b.fd;
	if (!slot)
		return vr_dc_replace_fd(ns, fd, with);
	if (!__atomic_compare_exchange_n(slot, &fd, with, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return -EBADF;
	return 0;
}

unsigned int
vr_ns_backing_count(const struct vr_ns *ns)
{
	return ns->nlayers + (ns->work.fd >= 0 ? 1 : 0) + (ns->stub.fd >= 0 ? 1 : 0) + ns->nmounts +
	       (ns->helper_fd >= 0 ? 1 : 0);
}

static void
pass(int *fds, unsigned int max, unsigned int *n, int fd)
{
	if (*n < max)
		fds[*n] = fd;
	(*n)++;
}

unsigned int
vr_ns_pass_fds(const struct vr_ns *ns, int *fds, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < ns->nlayers; i++)
		pass(fds, max, &n, ns->layers[i].fd);
	if (ns->has_upper) {
		pass(fds, max, &n, ns->work.fd);
		pass(fds, max, &n, ns->stub.fd);
	}
	for (unsigned int i = 0; i < ns->nmounts; i++)
		pass(fds, max, &n, ns->mounts[i].b.fd);
	pass(fds, max, &n, ns->helper_fd);
	return n;
}

int
vr_ns_backing_fd(const struct vr_ns *ns, unsigned int i)
{
	if (i < ns->nlayers)
		return ns->layers[i].fd;
	i -= ns->nlayers;
	if (ns->work.fd >= 0) {
		if (i == 0)
			return ns->work.fd;
		i--;
	}
	if (ns->stub.fd >= 0) {
		if (i == 0)
			return ns->stub.fd;
		i--;
	}
	if (i < ns->nmounts)
		return ns->mounts[i].b.fd;
	if (i == ns->nmounts && ns->helper_fd >= 0)
		return ns->helper_fd;
	return -EINVAL;
}

/* mkdir_at() - open directory @name below @dirfd, creating it if missing. */
static int
mkdir_at(int dirfd, const char *name)
{
	int err = (int)vr_sys3(__NR_mkdirat, dirfd, name, 0755);

	if (err < 0 && err != -EEXIST)
		return err;
	return sys_openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
}

/* make_stub_path() - mkdir -p of the directories strictly above mount path @m. */
static void
make_stub_path(int stubfd, const struct vr_mount *m)
{
	char name[NAME_MAX + 1];
	const char *p = m->path + 1;
	int dir = stubfd;

	for (;;) {
		const char *slash = p;
		int next;

		while (*slash && *slash != '/')
			slash++;
		if (!*slash)
			break; /* the mount point itself is not a stub */
		vr_memcpy(name, p, (size_t)(slash - p));
		name[slash - p] = '\0';
		next = mkdir_at(dir, name);
		if (dir != stubfd)
			sys_close(dir);
		if (next < 0)
			return;
		dir = next;
		p = slash + 1;
	}
	if (dir != stubfd)
		sys_close(dir);
}

void
vr_ns_make_stubs(struct vr_ns *ns, char *cursor)
{
	char proc[32];
	long n;
	int fd = mkdir_at(ns->work.fd, STUB_DIR);

	if (fd < 0)
		return;
	vr_proc_fd(proc, fd);
	n = sys_readlinkat(AT_FDCWD, proc, cursor, PATH_MAX - 1);
	if (n <= 0 || n >= PATH_MAX - 1 || cursor[0] != '/') {
		sys_close(fd);
		return;
	}
	cursor[n] = '\0';
	if (fill_backing(&ns->stub, fd, cursor, &cursor) < 0) {
		sys_close(fd);
		return;
	}
	for (unsigned int i = 0; i < ns->nmounts; i++)
		make_stub_path(fd, &ns->mounts[i]);
}

unsigned long
vr_ns_map_ino(const struct vr_ns *ns, unsigned long *devp, unsigned long ino)
{
	for (unsigned int k = 1; k < ns->nldev; k++) {
		if (ns->ldev[k] == *devp) {
			*devp = ns->vdev;
			return ino ^ ((unsigned long)k << 56);
		}
	}
	return ino;
}

void
vr_ns_map_stat(const struct vr_ns *ns, struct stat *st)
{
	unsigned long dev = st->st_dev;

	st->st_ino = vr_ns_map_ino(ns, &dev, st->st_ino);
	st->st_dev = dev;
}

int
vr_ns_hidden_below(const struct vr_ns *ns, const char *path, size_t len)
{
	if (ns->no_fast)
		return 1;
	for (unsigned int i = 0; i < ns->nhidden_v; i++)
		if (vr_path_under(ns->hidden_v[i], ns->hidden_vlen[i], path, len) >= 0)
			return 1;
	return 0;
}

int
vr_ns_is_hidden(const struct vr_ns *ns, unsigned long dev, unsigned long ino)
{
	if (!ns->has_upper)
		return 0;
	return (ns->layers[0].dev == dev && ns->layers[0].ino == ino) ||
	       (ns->work.dev == dev && ns->work.ino == ino);
}

const struct vr_mount *
vr_ns_mount_at(const struct vr_ns *ns, const char *path, size_t len)
{
	for (unsigned int i = 0; i < ns->nmounts; i++) {
		const struct vr_mount *m = &ns->mounts[i];

		if (m->plen == len && vr_memcmp(m->path, path, len) == 0)
			return m;
	}
	return NULL;
}

int
vr_ns_mount_below(const struct vr_ns *ns, const char *path, size_t len)
{
	for (unsigned int i = 0; i < ns->nmounts; i++) {
		const struct vr_mount *m = &ns->mounts[i];

		if (m->plen > len && vr_path_under(m->path, m->plen, path, len) >= 0)
			return 1;
	}
	return 0;
}
