/*
 * task.c - task contexts: virtual cwd and identity.
 *
 * The cwd is read on nearly every call and written only by chdir, so it is
 * kept under a sequence lock: readers never block (a reader may run in a
 * signal handler), writers serialise on a spin lock that survives fork().
 */
#include "coherence.h"
#include "ns.h"
#include "task.h"
#include "util.h"

#define TASK_MAP_SIZE ((sizeof(struct vr_task) + 4095) & ~(size_t)4095)
#define SEQ_BUDGET    (1L << 22)

int
vr_task_new(struct vr_ns *ns, struct vr_task **tp)
{
	return vr_task_new_as(ns, NULL, tp);
}

int
vr_task_new_as(struct vr_ns *ns, const struct vr_ident *id, struct vr_task **tp)
{
	struct vr_task *t = vr_map(TASK_MAP_SIZE);

	if (!t)
		return -ENOMEM;
	t->ns = ns;
	if (id) {
		t->id = *id;
	} else {
		t->id.uid = sys_getuid();
		t->id.gid = sys_getgid();
	}
	t->lock = 0;
	t->seq = 0;
	t->cwd[0] = '/';
	t->cwd[1] = '\0';
	t->cwdlen = 1;
	t->root[0] = '/';
	t->root[1] = '\0';
	t->rootlen = 1;
	t->renames_seen = vr_coh_renames(ns);
	*tp = t;
	return 0;
}

int
vr_task_dup(struct vr_task *t, struct vr_task **tp)
{
	struct vr_task *n;
	long len;
	int err = vr_task_new(t->ns, &n);

	if (err < 0)
		return err;
	n->id = t->id;
	len = vr_task_cwd(t, n->cwd, sizeof(n->cwd));
	if (len < 0) {
		vr_task_free(n);
		return (int)len;
	}
	n->cwdlen = (size_t)len;
	n->renames_seen = __atomic_load_n(&t->renames_seen, __ATOMIC_RELAXED);
	len = vr_task_root(t, n->root);
	if (len < 0) {
		vr_task_free(n);
		return (int)len;
	}
	n->rootlen = (size_t)len;
	*tp = n;
	return 0;
}

void
vr_task_free(struct vr_task *t)
{
	vr_unmap(t, TASK_MAP_SIZE);
}

void
vr_task_set_ident(struct vr_task *t, const struct vr_ident *id)
{
	t->id = *id;
}

/*
 * seq_read() - copy @src (length at @lenp, room for @cap bytes) out into
 * @buf (@size bytes) under the sequence lock.
 */
static long
seq_read(struct vr_task *t, const char *src, const size_t *lenp, size_t cap, char *buf, size_t size)
{
	for (long i = 0; i < SEQ_BUDGET; i++) {
		unsigned int s = __atomic_load_n(&t->seq, __ATOMIC_ACQUIRE);
		size_t len;

		if (s & 1)
			continue;
		len = __atomic_load_n(lenp, __ATOMIC_RELAXED);
		if (len >= cap)
			continue; /* torn: a writer is at work */
		if (len < size)
			vr_memcpy(buf, src, len);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&t->seq, __ATOMIC_RELAXED) != s)
			continue;
		if (len >= size)
			return -ENAMETOOLONG;
		buf[len] = '\0';
		return (long)len;
	}
	return -EDEADLK;
}

/*
 * follow_renames() - the cwd in @buf (@n bytes) moved along with the
 * directories renamed since the task last looked (vr_coh_rename()), as
 * the kernel's working directory is the directory, not its name; the new
 * one is published.  A rename the ring no longer holds is not followed.
 * Return: the new length.
 */
static long
follow_renames(struct vr_task *t, char *buf, size_t size, long n)
{
	unsigned long now = vr_coh_renames(t->ns);
	unsigned long seen = __atomic_load_n(&t->renames_seen, __ATOMIC_RELAXED);
	char old[VR_COH_RPATH], new[VR_COH_RPATH];
	size_t olen, nlen, len = (size_t)n;
	int moved = 0;

	if (now == seen)
		return n;
	for (unsigned long k = now - seen > 64 ? now - 64 : seen; k++ < now;) {
		if (vr_coh_rename_get(t->ns, k, old, &olen, new, &nlen) < 0 || len < olen ||
		    vr_memcmp(buf, old, olen) != 0 || (buf[olen] != '/' && buf[olen] != '\0') ||
		    len - olen + nlen >= size)
			continue;
		vr_memmove(buf + nlen, buf + olen, len - olen + 1);
		vr_memcpy(buf, new, nlen);
		len = len - olen + nlen;
		moved = 1;
	}
	if (moved && vr_task_publish_cwd(t, buf, len) < 0)
		return n;
	__atomic_store_n(&t->renames_seen, now, __ATOMIC_RELAXED);
	return (long)len;
}

long
vr_task_cwd(struct vr_task *t, char *buf, size_t size)
{
	long n = seq_read(t, t->cwd, &t->cwdlen, sizeof(t->cwd), buf, size);

	return n > 0 ? follow_renames(t, buf, size, n) : n;
}

long
vr_task_root(struct vr_task *t, char *buf)
{
	return seq_read(t, t->root, &t->rootlen, sizeof(t->root), buf, PATH_MAX);
}

long
vr_task_root_in(struct vr_task *t, char *buf, size_t size)
{
	return seq_read(t, t->root, &t->rootlen, sizeof(t->root), buf, size);
}

long
vr_task_unroot(struct vr_task *t, char *buf, long n)
{
	char root[PATH_MAX];
	long r = vr_task_root(t, root);

	if (r <= 1)
		return r < 0 ? r : n;
	if (n < r || vr_memcmp(buf, root, (size_t)r) != 0 || (n > r && buf[r] != '/'))
		return -ENOENT;
	if (n == r) {
		buf[0] = '/';
		buf[1] = '\0';
		return 1;
	}
	vr_memmove(buf, buf + r, (size_t)(n - r) + 1);
	return n - r;
}

/*
 * lock_cwd() - take the writer lock, which holds the owner's thread id.  A
 * child forked while another thread held it inherits a lock nobody will
 * release: an owner that no longer exists in this process is robbed.
 */
static void
lock_cwd(struct vr_task *t)
{
	int me = (int)vr_sys0(__NR_gettid);

	for (unsigned long spins = 1;; spins++) {
		int owner = 0;

		if (__atomic_compare_exchange_n(&t->lock, &owner, me, 0, __ATOMIC_ACQUIRE,
		                                __ATOMIC_RELAXED))
			return;
		if (spins % 4096 == 0 &&
		    vr_sys3(__NR_tgkill, vr_sys0(__NR_getpid), owner, 0) == -ESRCH &&
		    __atomic_compare_exchange_n(&t->lock, &owner, me, 0, __ATOMIC_ACQUIRE,
		                                __ATOMIC_RELAXED)) {
			/* The writer vanished mid-update: make the sequence even again. */
			if (t->seq & 1)
				__atomic_store_n(&t->seq, t->seq + 1, __ATOMIC_RELEASE);
			return;
		}
		if (spins % 64 == 0)
			vr_sys0(__NR_sched_yield);
	}
}

/* publish() - write @path into @dst (length at @lenp) under the sequence lock. */
static int
publish(struct vr_task *t, char *dst, size_t *lenp, size_t cap, const char *path, size_t len)
{
	unsigned long all = ~0UL, old;

	if (len >= cap)
		return -ENAMETOOLONG;
	/*
	 * A signal handler that reads the cwd must not interrupt the write
	 * on this thread: the reader would wait for a writer that cannot run.
	 */
	vr_sys4(__NR_rt_sigprocmask, 2 /* SIG_SETMASK */, &all, &old, sizeof(all));
	lock_cwd(t);
	__atomic_store_n(&t->seq, t->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vr_memcpy(dst, path, len);
	dst[len] = '\0';
	__atomic_store_n(lenp, len, __ATOMIC_RELAXED);
	__atomic_store_n(&t->seq, t->seq + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&t->lock, 0, __ATOMIC_RELEASE);
	vr_sys4(__NR_rt_sigprocmask, 2 /* SIG_SETMASK */, &old, NULL, sizeof(old));
	return 0;
}

int
vr_task_publish_cwd(struct vr_task *t, const char *path, size_t len)
{
	return publish(t, t->cwd, &t->cwdlen, sizeof(t->cwd), path, len);
}

int
vr_task_publish_root(struct vr_task *t, const char *path, size_t len)
{
	return publish(t, t->root, &t->rootlen, sizeof(t->root), path, len);
}

int
vr_task_set_cwd_unchecked(struct vr_task *t, const char *path)
{
	if (!path || path[0] != '/')
		return -EINVAL;
	return vr_task_publish_cwd(t, path, vr_strnlen(path, VR_VPATH_MAX));
}

int
vr_task_copy_cwd(struct vr_task *to, struct vr_task *from)
{
	struct vr_scratch s;
	long n;
	int err = vr_scratch_get(&from->ns->pool, &s);

	if (err < 0)
		return err;
	n = s.size < VR_VPATH_MAX ? -ENOMEM : vr_task_cwd(from, s.base, VR_VPATH_MAX);
	err = n < 0 ? (int)n : vr_task_publish_cwd(to, s.base, (size_t)n);
	if (err == 0) {
		n = vr_task_root(from, s.base);
		err = n < 0 ? (int)n : vr_task_publish_root(to, s.base, (size_t)n);
	}
	if (err == 0)
		__atomic_store_n(&to->renames_seen,
		                 __atomic_load_n(&from->renames_seen, __ATOMIC_RELAXED),
		                 __ATOMIC_RELAXED);
	vr_scratch_put_base(&from->ns->pool, s.base);
	return err;
}

void *
vr_task_buf_get(struct vr_task *t, size_t *size)
{
	struct vr_scratch s;

	if (vr_scratch_get(&t->ns->pool, &s) < 0)
		return NULL;
	*size = s.size;
	return s.base;
}

void
vr_task_buf_put(struct vr_task *t, void *buf)
{
	if (buf)
		vr_scratch_put_base(&t->ns->pool, buf);
}
