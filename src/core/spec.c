/*
 * spec.c - a namespace spec as one flat byte string, so it can cross
 * execve (in a memfd, an argument, or shared memory) and be rebuilt by the
 * next process image without any allocation but the core's own.
 *
 * Format (native endianness; the string never leaves the machine):
 *   "VRS1" u32:total u32:flags u32:nlowers u32:nmounts (flags: an upper
 *   layer, the root overlay folds case)
 *   then NUL-terminated strings: [upper work] lowers... and per mount
 *   host path, followed by u32:flags u32:casefold u32:owner.
 */
#include "ns.h"
#include "revmap.h"
#include "task.h"
#include "util.h"

#define SPEC_MAGIC     "VRS1"
#define SPEC_HAS_UPPER 1u
#define SPEC_CASE_FOLD 2u

struct packer {
	char *buf;
	size_t size, at;
};

static void
put(struct packer *p, const void *data, size_t len)
{
	if (p->at + len <= p->size)
		vr_memcpy(p->buf + p->at, data, len);
	p->at += len;
}

static void
put_u32(struct packer *p, unsigned int v)
{
	put(p, &v, sizeof(v));
}

static void
put_str(struct packer *p, const char *s)
{
	put(p, s, vr_strlen(s) + 1);
}

static long
pack(const struct vr_ns_spec *spec, void *buf, size_t size)
{
	struct packer p = {.buf = buf, .size = size};
	unsigned int i, total;

	if (!spec || (spec->upper != NULL) != (spec->work != NULL))
		return -EINVAL;
	put(&p, SPEC_MAGIC, 4);
	put_u32(&p, 0); /* total, written below */
	if (spec->casefold > VR_CASE_FOLD)
		return -EINVAL;
	put_u32(&p, (spec->upper ? SPEC_HAS_UPPER : 0) |
	                    (spec->casefold == VR_CASE_FOLD ? SPEC_CASE_FOLD : 0));
	put_u32(&p, spec->nlowers);
	put_u32(&p, spec->nmounts);
	if (spec->upper) {
		put_str(&p, spec->upper);
		put_str(&p, spec->work);
	}
	for (i = 0; i < spec->nlowers; i++)
		put_str(&p, spec->lowers[i]);
	for (i = 0; i < spec->nmounts; i++) {
		put_str(&p, spec->mounts[i].host);
		put_str(&p, spec->mounts[i].path);
		put_u32(&p, spec->mounts[i].flags);
		put_u32(&p, spec->mounts[i].casefold);
		put_u32(&p, spec->mounts[i].owner);
	}
	if (p.at > 0xffffffffu)
		return -E2BIG;
	total = (unsigned int)p.at;
	if (p.at <= p.size)
		vr_memcpy(p.buf + 4, &total, sizeof(total));
	return (long)p.at;
}

long
vr_spec_pack(const struct vr_ns_spec *spec, void *buf, size_t size)
{
	long need = pack(spec, NULL, 0);

	/* Measure first: a buffer too small is left untouched. */
	if (need < 0 || !buf || (size_t)need > size)
		return need;
	return pack(spec, buf, size);
}

struct reader {
	const char *buf;
	size_t len, at;
	int bad;
};

static unsigned int
get_u32(struct reader *r)
{
	unsigned int v = 0;

	if (r->at + sizeof(v) > r->len) {
		r->bad = 1;
		return 0;
	}
	vr_memcpy(&v, r->buf + r->at, sizeof(v));
	r->at += sizeof(v);
	return v;
}

static const char *
get_str(struct reader *r)
{
	const char *s = r->buf + r->at;
	size_t n;

	if (r->at >= r->len) {
		r->bad = 1;
		return "";
	}
	n = vr_strnlen(s, r->len - r->at);
	if (n == r->len - r->at) {
		r->bad = 1;
		return "";
	}
	r->at += n + 1;
	return s;
}

/*
 * ns_new_packed() - vr_ns_new_packed() with what a packed spec does not carry
 * taken from @local (NULL: nothing): the descriptors to adopt (@take: to
 * take over, vr_task_new_packed_taken()) and the system-call hook.
 */
static int
ns_new_packed(const void *buf, size_t len, const struct vr_ns_spec *local, int take,
              struct vr_ns **nsp)
{
	struct reader r = {.buf = buf, .len = len};
	const char *lowers[VR_MAX_LAYERS];
	struct vr_mount_spec *mounts;
	struct vr_ns_spec spec = {0};
	struct vr_scratch s;
	struct vr_pool pool;
	unsigned int flags, i;
	int err = -EINVAL;

	/* Before the mapping below: that is a system call too. */
	if (local && (err = vr_sys_hook_install(local->syscall)) < 0)
		return err;
	err = -EINVAL;
	if (!buf || len < 20 || vr_memcmp(buf, SPEC_MAGIC, 4) != 0)
		return -EINVAL;
	r.at = 4;
	if (get_u32(&r) != len)
		return -EINVAL;
	flags = get_u32(&r);
	if (flags & ~(SPEC_HAS_UPPER | SPEC_CASE_FOLD))
		return -EINVAL;
	spec.casefold = (flags & SPEC_CASE_FOLD) ? VR_CASE_FOLD : VR_CASE_EXACT;
	spec.nlowers = get_u32(&r);
	spec.nmounts = get_u32(&r);
	if (spec.nlowers > VR_MAX_LAYERS || spec.nmounts > VR_MAX_MOUNTS)
		return -EINVAL;
	err = vr_ns_pool_begin(&pool, &s);
	if (err < 0)
		return err;
	/* Too big for a signal handler's stack: the mount array is the build's scratch. */
	mounts = vr_alloc(&s, sizeof(*mounts) * VR_MAX_MOUNTS);
	if (flags & SPEC_HAS_UPPER) {
		spec.upper = get_str(&r);
		spec.work = get_str(&r);
	}
	for (i = 0; i < spec.nlowers; i++)
		lowers[i] = get_str(&r);
	for (i = 0; i < spec.nmounts; i++) {
		mounts[i].host = get_str(&r);
		mounts[i].path = get_str(&r);
		mounts[i].flags = get_u32(&r);
		mounts[i].casefold = get_u32(&r);
		mounts[i].owner = get_u32(&r);
	}
	spec.lowers = lowers;
	spec.mounts = mounts;
	if (local) {
		spec.adopt = local->adopt;
		spec.nadopt = local->nadopt;
		spec.syscall = local->syscall;
	}
	err = -EINVAL;
	if (!r.bad && r.at == len)
		err = vr_ns_new_pooled(&spec, take, &s, nsp);
	return vr_ns_pool_end(&pool, err, nsp);
}

int
vr_ns_new_packed(const void *buf, size_t len, struct vr_ns **nsp)
{
	return ns_new_packed(buf, len, NULL, 0, nsp);
}

/* ns_spec() - the spec @ns was made from, with canonical host paths. */
static void
ns_spec(const struct vr_ns *ns, struct vr_ns_spec *spec, const char **lowers,
        struct vr_mount_spec *mounts)
{
	unsigned int i, first = ns->has_upper ? 1 : 0;

	spec->upper = ns->has_upper ? ns->layers[0].host : NULL;
	spec->work = ns->has_upper ? ns->work.host : NULL;
	for (i = first; i < ns->nlayers; i++)
		lowers[i - first] = ns->layers[i].host;
	spec->lowers = lowers;
	spec->nlowers = ns->nlayers - first;
	for (i = 0; i < ns->nmounts; i++) {
		mounts[i].host = ns->mounts[i].b.host;
		mounts[i].path = ns->mounts[i].path;
		mounts[i].flags = ns->mounts[i].flags;
		mounts[i].casefold = ns->mounts[i].casefold;
		mounts[i].owner = ns->mounts[i].owner;
	}
	spec->mounts = mounts;
	spec->nmounts = ns->nmounts;
	spec->casefold = ns->casefold;
}

#define TASK_MAGIC "VRT2"
/* The identity, whole, after the magic and the length; then the cwd. */
#define TASK_HEAD (8 + sizeof(struct vr_ident))

long
vr_task_pack(struct vr_task *t, void *buf, size_t size)
{
	const char *lowers[VR_MAX_LAYERS];
	struct vr_mount_spec mounts[VR_MAX_MOUNTS]; /* 2 KB: a mapping would cost two calls */
	struct vr_ns_spec spec;
	char small[PATH_MAX], root[PATH_MAX], *cwd = small;
	long clen = vr_task_cwd(t, cwd, sizeof(small)), rlen = vr_task_root(t, root), slen;
	unsigned int nh = vr_fd_hints_count(t->ns);
	size_t head;
	unsigned int v;

	/* A cwd deeper than PATH_MAX bytes goes along too. */
	if (clen == -ENAMETOOLONG) {
		cwd = vr_map(VR_VPATH_MAX);
		clen = cwd ? vr_task_cwd(t, cwd, VR_VPATH_MAX) : -ENOMEM;
	}
	head = TASK_HEAD + (size_t)clen + 1 + (size_t)rlen + 1 + 4 + (size_t)nh * 12;
	if (clen < 0 || rlen < 0) {
		slen = clen < 0 ? clen : rlen;
		goto out;
	}
	ns_spec(t->ns, &spec, lowers, mounts);
	slen = vr_spec_pack(&spec, NULL, 0);
	if (slen >= 0 && buf && head + (size_t)slen <= size) {
		char *b = buf;

		vr_memcpy(b, TASK_MAGIC, 4);
		v = (unsigned int)(head + (size_t)slen);
		vr_memcpy(b + 4, &v, 4);
		vr_memcpy(b + 8, &t->id, sizeof(t->id));
		vr_memcpy(b + TASK_HEAD, cwd, (size_t)clen + 1);
		vr_memcpy(b + TASK_HEAD + clen + 1, root, (size_t)rlen + 1);
		vr_fd_hints_pack(t->ns, b + TASK_HEAD + clen + 1 + rlen + 1, nh);
		slen = vr_spec_pack(&spec, b + head, size - head);
	}
out:
	if (cwd && cwd != small)
		vr_unmap(cwd, VR_VPATH_MAX);
	return slen < 0 ? slen : (long)head + slen;
}

int
vr_task_new_packed(const void *buf, size_t len, struct vr_ns **nsp, struct vr_task **tp)
{
	return vr_task_new_packed_adopt(buf, len, NULL, 0, nsp, tp);
}

int
vr_task_new_packed_adopt(const void *buf, size_t len, const int *adopt, unsigned int nadopt,
                         struct vr_ns **nsp, struct vr_task **tp)
{
	struct vr_ns_spec local = {.adopt = adopt, .nadopt = nadopt};

	return vr_task_new_packed_spec(buf, len, &local, nsp, tp);
}

static int
task_new_packed(const void *buf, size_t len, const struct vr_ns_spec *local, int take,
                struct vr_ns **nsp, struct vr_task **tp)
{
	const char *b = buf, *cwd, *root, *hints, *spec;
	struct vr_ident id;
	unsigned int total, nh;
	size_t clen, rlen;
	int err;

	if (!buf || len < TASK_HEAD + 4 || vr_memcmp(b, TASK_MAGIC, 4) != 0)
		return -EINVAL;
	vr_memcpy(&total, b + 4, 4);
	if (total != len)
		return -EINVAL;
	vr_memcpy(&id, b + 8, sizeof(id));
	if (id.ngroups > VR_IDENT_GROUPS)
		return -EINVAL;
	*tp = NULL;
	cwd = b + TASK_HEAD;
	clen = vr_strnlen(cwd, len - TASK_HEAD);
	if (clen == len - TASK_HEAD || cwd[0] != '/')
		return -EINVAL;
	root = cwd + clen + 1;
	rlen = vr_strnlen(root, len - TASK_HEAD - clen - 1);
	if (rlen == len - TASK_HEAD - clen - 1 || root[0] != '/')
		return -EINVAL;
	hints = root + rlen + 1;
	if ((size_t)(hints - b) + 4 > len)
		return -EINVAL;
	vr_memcpy(&nh, hints, 4);
	if (nh > VR_FD_HINTS || (size_t)(hints - b) + 4 + (size_t)nh * 12 > len)
		return -EINVAL;
	spec = hints + 4 + (size_t)nh * 12;
	err = ns_new_packed(spec, len - (size_t)(spec - b), local, take, nsp);
	if (err < 0)
		return err;
	vr_fd_hints_unpack(*nsp, hints + 4, nh);
	/* The identity is the packed one: nothing to ask the kernel. */
	err = vr_task_new_as(*nsp, &id, tp);
	if (err == 0)
		err = vr_task_set_cwd_unchecked(*tp, cwd);
	if (err == 0)
		err = vr_task_publish_root(*tp, root, rlen);
	if (err < 0) {
		if (*tp)
			vr_task_free(*tp);
		vr_ns_free(*nsp);
		*tp = NULL;
		*nsp = NULL;
		return err;
	}
	return 0;
}

int
vr_task_new_packed_spec(const void *buf, size_t len, const struct vr_ns_spec *local,
                        struct vr_ns **nsp, struct vr_task **tp)
{
	return task_new_packed(buf, len, local, 0, nsp, tp);
}

int
vr_task_new_packed_taken(const void *buf, size_t len, const struct vr_ns_spec *local,
                         struct vr_ns **nsp, struct vr_task **tp)
{
	return task_new_packed(buf, len, local, 1, nsp, tp);
}
