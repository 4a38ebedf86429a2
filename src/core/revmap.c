/*
 * revmap.c - from host paths and descriptors back to virtual paths.
 *
 * A host path is matched against every backing directory on whole
 * components (so "/x/p" is not a prefix of "/x/p.work/f"); the longest match
 * wins, the root overlay's layers before mounts on a tie.  The work
 * directory is never mapped: nothing of the backing store is reachable.
 */
#include "ns.h"
#include "revmap.h"
#include "util.h"

#define DELETED     " (deleted)"
#define DELETED_LEN (sizeof(DELETED) - 1)

struct match {
	long score;         /* length of the matched directory ("/" counts 0), -1: none */
	long at;            /* where the rest of the host path starts */
	const char *prefix; /* virtual path the backing directory shows as */
	size_t plen;
};

static void
consider(struct match *best, const struct vr_backing *b, const char *host, size_t hlen,
         const char *prefix, size_t plen)
{
	long at = vr_path_under(host, hlen, b->host, b->hlen);

	long score = b->hlen == 1 ? 0 : (long)b->hlen;

	/* Strictly longer only: on a tie the earlier candidate stays. */
	if (at < 0 || score <= best->score)
		return;
	best->score = score;
	best->at = at;
	best->prefix = prefix;
	best->plen = plen;
}

/* Hint values: 0 none, HINT_OVERLAY the root overlay, HINT_OVERLAY + 1 + i mount i. */
#define HINT_OVERLAY 1ul
#define HINT_BITS    7
#define HINT_MASK    ((1ul << HINT_BITS) - 1)

/* hint_key() - the hint word of object (@dev, @ino) reached through @src. */
static unsigned long
hint_key(unsigned long dev, unsigned long ino, unsigned long src)
{
	unsigned long h = (ino ^ (dev << 40) ^ (dev >> 24)) * 0x9e3779b97f4a7c15ul;

	return (h & ~HINT_MASK) | src;
}

/* top_raise() - index @i of a table bounded by *@top may be in use from now on: @i < *@top. */
static void
top_raise(int *top, int i)
{
	int t = __atomic_load_n(top, __ATOMIC_RELAXED);

	while (i >= t &&
	       !__atomic_compare_exchange_n(top, &t, i + 1, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

void
vr_fd_hint_set(struct vr_ns *ns, int fd, const struct vr_mount *m, const struct stat *st)
{
	struct stat own;
	unsigned long h, old;
	unsigned long src = m ? HINT_OVERLAY + 1 + (unsigned long)(m - ns->mounts) : HINT_OVERLAY;

	if (!ns->aliasing || fd < 0 || fd >= VR_FD_HINTS)
		return;
	if (!st)
		st = sys_fstat(fd, &own) == 0 ? &own : NULL;
	h = st ? hint_key(st->st_dev, st->st_ino, src) : 0;
	/*
	 * The number's previous hint may be the only one left of an object
	 * still open under another number: a shell opens at a free number,
	 * dup2()s where the program asked and closes the first (dup2 is not
	 * trapped), then the next open reuses that number.  It moves to the
	 * spill ring, where fd_hint()'s search by object still finds it.
	 */
	old = __atomic_load_n(vr_fd_hint_word(ns, fd), __ATOMIC_RELAXED);
	if (old && (old & ~HINT_MASK) != (h & ~HINT_MASK)) {
		unsigned int i = __atomic_fetch_add(&ns->fd_spill_next, 1, __ATOMIC_RELAXED);

		__atomic_store_n(vr_fd_hint_word(ns, VR_FD_HINTS + i % VR_FD_SPILL), old,
		                 __ATOMIC_RELAXED);
	}
	/* Threads share descriptors: one word, stored whole. */
	if (h)
		top_raise(&ns->hint_top, fd);
	__atomic_store_n(vr_fd_hint_word(ns, fd), h, __ATOMIC_RELAXED);
}

/*
 * carried() - does the hint of descriptor @fd go to the next image?  Yes
 * when @fd survives exec, and when it is closed: a shell opens a file at a
 * free number and dup2()s it where the program asked (`exec 3<f` with
 * descriptors 3 and 4 inherited), and the dup'd descriptor finds its place
 * by the closed one's hint (fd_hint()), which is checked against the
 * object before use.  Not when it is open and close-on-exec.
 */
static int
carried(int fd)
{
	long f;

	if (fd >= VR_FD_HINTS) /* the spill ring */
		return 1;
	f = sys_fcntl(fd, F_GETFD, 0);
	return f == -EBADF || (f >= 0 && !(f & FD_CLOEXEC));
}

/* spilled() - the spill ring's slots in use: VR_FD_HINTS + [0, spilled()). */
static unsigned int
spilled(const struct vr_ns *ns)
{
	unsigned int n = __atomic_load_n(&ns->fd_spill_next, __ATOMIC_RELAXED);

	return n < VR_FD_SPILL ? n : VR_FD_SPILL;
}

/*
 * in_use() - how many fd_hint[] words may hold a hint: the numbers below
 * *@top (hint_top, read once), then the spill ring's used slots; the k-th
 * is word slot(k, *@top).
 */
static int
in_use(const struct vr_ns *ns, int *top)
{
	*top = ns->aliasing ? __atomic_load_n(&ns->hint_top, __ATOMIC_RELAXED) : 0;
	return ns->aliasing ? *top + (int)spilled(ns) : 0;
}

static int
slot(int k, int top)
{
	return k < top ? k : VR_FD_HINTS + (k - top);
}

/*
 * The count is of every hint, carried or not (no system call: the state
 * is sized before it is packed, twice per exec); the pack asks carried()
 * once per hint and writes records of no descriptor for the rest.
 */
unsigned int
vr_fd_hints_count(const struct vr_ns *ns)
{
	int top, end = in_use(ns, &top);
	unsigned int n = 0;

	for (int k = 0; k < end; k++)
		n += __atomic_load_n(vr_fd_hint_word(ns, slot(k, top)), __ATOMIC_RELAXED) != 0;
	return n;
}

void
vr_fd_hints_pack(const struct vr_ns *ns, char *buf, unsigned int n)
{
	int top, end = in_use(ns, &top);
	unsigned int j = 0;

	for (int k = 0; k < end && j < n; k++) {
		int i = slot(k, top);
		unsigned long h = __atomic_load_n(vr_fd_hint_word(ns, i), __ATOMIC_RELAXED);

		if (!h || !carried(i))
			continue;
		vr_memcpy(buf + 4 + j * 12, &i, 4);
		vr_memcpy(buf + 4 + j * 12 + 4, &h, 8);
		j++;
	}
	for (; j < n; j++) /* closed meanwhile: a record of no descriptor */
		vr_memset(buf + 4 + j * 12, 0xff, 12);
	vr_memcpy(buf, &n, 4);
}

void
vr_fd_hints_unpack(struct vr_ns *ns, const char *buf, unsigned int n)
{
	for (unsigned int k = 0; k < n; k++) {
		int i;
		unsigned long h;

		vr_memcpy(&i, buf + k * 12, 4);
		vr_memcpy(&h, buf + k * 12 + 4, 8);
		if (!ns->aliasing || i < 0 || i >= VR_FD_HINTS + VR_FD_SPILL)
			continue;
		if (i < VR_FD_HINTS)
			top_raise(&ns->hint_top, i);
		else if (ns->fd_spill_next <= (unsigned int)(i - VR_FD_HINTS))
			ns->fd_spill_next = (unsigned int)(i - VR_FD_HINTS) + 1;
		*vr_fd_hint_word(ns, i) = h;
	}
}

/*
 * fd_hint_st() - where descriptor @fd was opened, if the core opened it
 * and it still is that object (numbers are reused: close is not the
 * core's); @known: its fstat() when made already (NULL: asked).  A
 * descriptor the core did not open (dup(2) is not trapped) takes the hint
 * of another descriptor of the same object.  Return: a hint value, 0 when
 * unknown.
 */
static unsigned long
fd_hint_st(const struct vr_ns *ns, int fd, const struct stat *known)
{
	int top, end = in_use(ns, &top);
	unsigned long h, key;
	struct stat st;

	if (!ns->aliasing || fd < 0)
		return 0;
	if (known)
		st = *known;
	else if (sys_fstat(fd, &st) < 0)
		return 0;
	key = hint_key(st.st_dev, st.st_ino, 0);
	h = fd < VR_FD_HINTS ? __atomic_load_n(vr_fd_hint_word(ns, fd), __ATOMIC_RELAXED) : 0;
	if (h && (h & ~HINT_MASK) == key)
		return h & HINT_MASK;
	for (int k = 0; k < end; k++) {
		h = __atomic_load_n(vr_fd_hint_word(ns, slot(k, top)), __ATOMIC_RELAXED);
		if (h && (h & ~HINT_MASK) == key)
			return h & HINT_MASK;
	}
	return 0;
}

/* fd_hint() - fd_hint_st() of a descriptor not stat()ed yet. */
static unsigned long
fd_hint(const struct vr_ns *ns, int fd)
{
	return fd_hint_st(ns, fd, NULL);
}

/*
 * revmap() - write the virtual path of @host[0..hlen) into @buf; @buf may be
 * @host itself.  @hint (fd_hint()): the source to map through when it
 * holds @host.  Return: length, -ENOENT, -ERANGE.
 */
static long
revmap(const struct vr_ns *ns, const char *host, size_t hlen, char *buf, size_t size,
       unsigned long hint)
{
	struct match best = {.score = -1, .at = -1};
	const char *rest;
	size_t rlen, vlen;
	unsigned int i;

	if (hlen == 0 || host[0] != '/')
		return -ENOENT;
	if (ns->stub.fd >= 0 && vr_path_under(host, hlen, ns->stub.host, ns->stub.hlen) >= 0) {
		/* A stub shows as the synthetic directory it stands in for. */
		consider(&best, &ns->stub, host, hlen, "", 0);
	} else {
		if (ns->work.fd >= 0 &&
		    vr_path_under(host, hlen, ns->work.host, ns->work.hlen) >= 0)
			return -ENOENT;
		if (hint > HINT_OVERLAY && hint - HINT_OVERLAY - 1 < ns->nmounts) {
			const struct vr_mount *m = &ns->mounts[hint - HINT_OVERLAY - 1];

			consider(&best, &m->b, host, hlen, m->path, m->plen);
		}
		if (best.at < 0) {
			/* No hint, or it no longer holds @host: the longest match. */
			for (i = 0; i < ns->nlayers; i++)
				consider(&best, &ns->layers[i], host, hlen, "", 0);
			/* Opened through the overlay: no mount is where it was reached. */
			if (hint != HINT_OVERLAY || best.at < 0)
				for (i = 0; i < ns->nmounts; i++)
					consider(&best, &ns->mounts[i].b, host, hlen,
					         ns->mounts[i].path, ns->mounts[i].plen);
		}
	}
	if (best.at < 0)
		return -ENOENT;
	rest = host + best.at;
	rlen = hlen - (size_t)best.at;
	if (rlen == 1 && rest[0] == '/')
		rlen = 0;
	vlen = best.plen + rlen;
	if (vlen == 0) {
		if (size < 2)
			return -ERANGE;
		buf[0] = '/';
		buf[1] = '\0';
		return 1;
	}
	if (vlen + 1 > size)
		return -ERANGE;
	vr_memmove(buf + best.plen, rest, rlen);
	vr_memcpy(buf, best.prefix, best.plen);
	buf[vlen] = '\0';
	return (long)vlen;
}

long
vr_revmap_path(const struct vr_ns *ns, const char *host, char *buf, size_t size)
{
	if (!host)
		return -EFAULT;
	return revmap(ns, host, vr_strnlen(host, PATH_MAX), buf, size, 0);
}

/* fd_host() - the host's text for descriptor @fd.  Return: length or -errno. */
static long
fd_host(int fd, char *buf, size_t size)
{
	char proc[32];
	long n;

	if (fd < 0)
		return -EBADF;
	vr_proc_fd(proc, fd);
	n = sys_readlinkat(AT_FDCWD, proc, buf, size - 1);
	if (n == -ENOENT)
		return -EBADF;
	if (n < 0)
		return n;
	if ((size_t)n >= size - 1)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return n;
}

long
vr_fd_vpath_st(struct vr_ns *ns, int fd, const struct stat *st, char *buf, size_t size)
{
	long n = fd_host(fd, buf, size);

	if (n < 0)
		return n;
	if (buf[0] != '/' || vr_memcmp(buf, "/memfd:", 7) == 0)
		return -ENOTDIR;
	return revmap(ns, buf, (size_t)n, buf, size, fd_hint_st(ns, fd, st));
}

long
vr_fd_vpath(struct vr_ns *ns, int fd, char *buf, size_t size)
{
	return vr_fd_vpath_st(ns, fd, NULL, buf, size);
}

/* revmap_fd() - vr_revmap_fd() with @host as PATH_MAX + DELETED_LEN + 1 bytes of scratch. */
static long
revmap_fd(struct vr_ns *ns, int fd, char *host, char *buf, size_t size)
{
	size_t hlen;
	int deleted = 0;
	long n = fd_host(fd, host, PATH_MAX + DELETED_LEN + 1);

	if (n < 0)
		return n;
	hlen = (size_t)n;
	/* Not paths: "pipe:[…]", "anon_inode:…", and a memfd's "/memfd:…". */
	if (host[0] != '/' || vr_memcmp(host, "/memfd:", 7) == 0) {
		if (hlen + 1 > size)
			return -ERANGE;
		vr_memcpy(buf, host, hlen + 1);
		return (long)hlen;
	}
	if (hlen > DELETED_LEN && vr_memcmp(host + hlen - DELETED_LEN, DELETED, DELETED_LEN) == 0) {
		struct stat st;

		if (sys_fstat(fd, &st) == 0 && st.st_nlink == 0) {
			deleted = 1;
			hlen -= DELETED_LEN;
			host[hlen] = '\0';
		}
	}
	n = revmap(ns, host, hlen, buf, size, fd_hint(ns, fd));
	if (n < 0 || !deleted)
		return n;
	if ((size_t)n + DELETED_LEN + 1 > size)
		return -ERANGE;
	vr_memcpy(buf + n, DELETED, DELETED_LEN + 1);
	return n + (long)DELETED_LEN;
}

/* note() - set the note of @fd to (@dev, @ino); threads store the words apart. */
static void
note(struct vr_ns *ns, int fd, unsigned long dev, unsigned long ino)
{
	int top = __atomic_load_n(&ns->upfd_top, __ATOMIC_RELAXED);

	if (fd < 0 || fd >= VR_UPFD_NOTES)
		return;
	/* Forgetting what was never noted writes nothing (no page to fault in). */
	if (!dev && !ino && fd >= top)
		return;
	top_raise(&ns->upfd_top, fd);
	/*
	 * A reader racing a store may see one word of each note: every
	 * note names an upper-layer file, so a mixed pair that matches the
	 * file asked about still names an upper-layer file.
	 */
	__atomic_store_n(&ns->fdn[fd].upv, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&ns->fdn[fd].norec, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&ns->fdn[fd].up[0], dev, __ATOMIC_RELAXED);
	__atomic_store_n(&ns->fdn[fd].up[1], ino, __ATOMIC_RELAXED);
}

void
vr_fd_upper_forget(struct vr_ns *ns, int fd)
{
	note(ns, fd, 0, 0);
}

void
vr_fd_upper_note(struct vr_ns *ns, int fd, const struct stat *st, unsigned long norec,
                 unsigned long stamp)
{
	if (!ns->has_upper || st->st_ino == 0 || fd < 0 || fd >= VR_UPFD_NOTES)
		return;
	note(ns, fd, st->st_dev, st->st_ino);
	if (norec)
		__atomic_store_n(&ns->fdn[fd].norec, norec, __ATOMIC_RELAXED);
	vr_fd_upper_stamp(ns, fd, st, stamp);
}

void
vr_fd_upper_stamp(struct vr_ns *ns, int fd, const struct stat *st, unsigned long stamp)
{
	if (!stamp || (st->st_mode & S_IFMT) == S_IFDIR || fd < 0 || fd >= VR_UPFD_NOTES ||
	    __atomic_load_n(&ns->fdn[fd].up[0], __ATOMIC_RELAXED) != st->st_dev ||
	    __atomic_load_n(&ns->fdn[fd].up[1], __ATOMIC_RELAXED) != st->st_ino)
		return;
	__atomic_store_n(&ns->fdn[fd].upv, stamp, __ATOMIC_RELEASE);
}

int
vr_fd_upper_known(struct vr_ns *ns, int fd, unsigned long stamp, struct stat *st)
{
	if (!stamp || !ns->has_upper ||
	    __atomic_load_n(&ns->fdn[fd].upv, __ATOMIC_ACQUIRE) != stamp)
		return 0;
	vr_memset(st, 0, sizeof(*st));
	st->st_mode = S_IFREG; /* a type that is no directory */
	st->st_dev = __atomic_load_n(&ns->fdn[fd].up[0], __ATOMIC_RELAXED);
	st->st_ino = __atomic_load_n(&ns->fdn[fd].up[1], __ATOMIC_RELAXED);
	return 1;
}

/* upper_by_path() - vr_fd_upper() by the host path of @fd. */
static int
upper_by_path(struct vr_ns *ns, int fd)
{
	char host[PATH_MAX + DELETED_LEN + 1];
	struct match best = {.score = -1, .at = -1};
	long n;
	unsigned int i;

	n = fd_host(fd, host, sizeof(host));
	if (n < 0 || vr_path_under(host, (size_t)n, ns->layers[0].host, ns->layers[0].hlen) < 0)
		return 0;
	for (i = 0; i < ns->nlayers; i++)
		consider(&best, &ns->layers[i], host, (size_t)n, "", 0);
	if (best.score != (ns->layers[0].hlen == 1 ? 0 : (long)ns->layers[0].hlen))
		return 0;
	for (i = 0; i < ns->nmounts; i++)
		if (vr_path_under(host, (size_t)n, ns->mounts[i].b.host, ns->mounts[i].b.hlen) >= 0)
			return fd_hint(ns, fd) == HINT_OVERLAY;
	return 1;
}

int
vr_fd_upper(struct vr_ns *ns, int fd, const struct stat *st)
{
	int known = fd >= 0 && fd < VR_UPFD_NOTES && st->st_ino != 0 &&
	            __atomic_load_n(&ns->fdn[fd].up[0], __ATOMIC_RELAXED) == st->st_dev &&
	            __atomic_load_n(&ns->fdn[fd].up[1], __ATOMIC_RELAXED) == st->st_ino;

	if (!ns->has_upper)
		return 0;
	if (known)
		return 1;
	if (!upper_by_path(ns, fd))
		return 0;
	/*
	 * Where one directory shows at two places, the answer rests on the
	 * descriptor's hint (fd_hint()), which only an open by vroot changes,
	 * and that open forgets or sets the note too.
	 */
	note(ns, fd, st->st_dev, st->st_ino);
	return 1;
}

const struct vr_mount *
vr_fd_mount(struct vr_ns *ns, int fd)
{
	char host[PATH_MAX + DELETED_LEN + 1];
	const struct vr_mount *best = NULL;
	unsigned long hint = fd_hint(ns, fd);
	long n = fd_host(fd, host, sizeof(host));

	if (n < 0 || host[0] != '/' || hint == HINT_OVERLAY)
		return NULL;
	if (hint > HINT_OVERLAY && hint - HINT_OVERLAY - 1 < ns->nmounts)
		return &ns->mounts[hint - HINT_OVERLAY - 1];
	/* The deepest mount holding the path: the one a walk there would reach. */
	for (unsigned int i = 0; i < ns->nmounts; i++)
		if (vr_path_under(host, (size_t)n, ns->mounts[i].b.host, ns->mounts[i].b.hlen) >= 0 &&
		    (!best || ns->mounts[i].b.hlen > best->b.hlen))
			best = &ns->mounts[i];
	return best;
}

long
vr_revmap_link(const struct vr_ns *ns, char *body, long n, size_t size, int hide)
{
	char *host;
	long r;

	if (n <= 0 || body[0] != '/' || vr_memcmp(body, "/memfd:", 7) == 0)
		return n;
	host = vr_map(PATH_MAX + 1);
	if (!host)
		return n;
	if ((size_t)n > PATH_MAX)
		n = PATH_MAX;
	vr_memcpy(host, body, (size_t)n);
	host[n] = '\0';
	if ((size_t)n > DELETED_LEN &&
	    vr_memcmp(host + n - DELETED_LEN, DELETED, DELETED_LEN) == 0) {
		/* The object is gone: its name keeps the kernel's mark. */
		r = revmap(ns, host, (size_t)n - DELETED_LEN, host, PATH_MAX + 1, 0);
		if (r >= 0 && (size_t)r + DELETED_LEN <= PATH_MAX) {
			vr_memcpy(host + r, DELETED, DELETED_LEN + 1);
			r += (long)DELETED_LEN;
		}
	} else {
		r = revmap(ns, host, (size_t)n, host, PATH_MAX + 1, 0);
	}
	if (r >= 0) {
		n = r < (long)size ? r : (long)size; /* readlink truncates silently */
		vr_memcpy(body, host, (size_t)n);
	} else if (hide) {
		n = -ENOENT;
	}
	vr_unmap(host, PATH_MAX + 1);
	return n;
}

long
vr_revmap_fd(struct vr_task *t, int fd, char *buf, size_t size)
{
	struct vr_scratch s;
	char *host;
	long n = vr_scratch_get(&t->ns->pool, &s);

	if (n < 0)
		return n;
	host = vr_alloc(&s, PATH_MAX + DELETED_LEN + 1);
	n = host ? revmap_fd(t->ns, fd, host, buf, size) : -ENOMEM;
	if (n > 0 && buf[0] == '/') {
		/* Under a chroot the root's part goes; outside it, the whole path stays. */
		long r = vr_task_unroot(t, buf, n);

		n = r >= 0 ? r : n;
	}
	vr_scratch_put(&t->ns->pool, &s);
	return n;
}
