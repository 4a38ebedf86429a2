/*
 * vfs_ident.c - the identity calls, trapped only in a session with a faked
 * identity (filter.c): answered from and applied to the task's identity
 * (struct vr_ident, ident.c).  A set*id call changes the task of the
 * calling thread (below: the process's, or the thread's own); a vfork
 * child gets a task of its own first, so a child that drops privileges
 * before its exec leaves its parent as it was.
 */
#include <linux/fcntl.h>
#include <linux/mman.h>
#include <asm/stat.h>
#include "loader.h"
#include "vfs.h"
#include "vroot.h"

#define ID(a) ((unsigned int)(a))

/*
 * Per-thread identities.  The kernel keeps credentials per thread: a raw
 * set*id call changes the calling thread only (glibc and musl make every
 * thread make it, so their set*id changes all).  The process's task is
 * the identity of the main thread and of every thread without a slot of
 * its own in vrl_proc.thread_tasks; a thread gets one (a copy of the
 * process's task) when it changes its identity, and the others get one
 * when the main thread changes its own, so that they keep theirs.  The
 * working directory stays one: a chdir is copied to every task.  Slots of
 * threads that ended are taken back when the table is full; past
 * VRL_THREAD_IDS threads, a change applies to the process.
 *
 * A new thread starts with its creator's identity.  In a session that
 * fakes one, clone with CLONE_THREAD is trapped and made through a gadget
 * of the trusted page (vmclone.c); when the calling thread has a slot,
 * vrl_ident_clone() keeps a copy of its identity in vrl_proc.clone_tasks
 * with the gadget slot, and the TLS base the new thread gets.  The new
 * thread takes it at its first call vroot answers (glibc's and musl's
 * first step), found by its TLS base or, once the parent stored the
 * call's result, by its id; a change of the main thread's and the
 * parent's next call that reaches the dispatcher give it by id
 * (vrl_ident_cloned()).  No filter of its own marks a thread, so a
 * program's own filter can be installed with SECCOMP_FILTER_FLAG_TSYNC.
 */

#define ARCH_GET_FS 0x1003

/* CLONE_WAITS - how long a thread waits for the result of the clone that made it. */
#define CLONE_WAITS 1000

/* fsbase() - the calling thread's TLS base: the same in its vfork or fork child. */
static unsigned long
fsbase(void)
{
	unsigned long b = 0;

	vrl_sys2(__NR_arch_prctl, ARCH_GET_FS, &b);
	return b;
}

static void
threads_lock(struct vrl_proc *p)
{
	while (__atomic_exchange_n(&p->thread_lock, 1, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
}

static void
threads_unlock(struct vrl_proc *p)
{
	__atomic_store_n(&p->thread_lock, 0, __ATOMIC_RELEASE);
}

/* slot_of() - the slot of thread @tid, or -1. */
static int
slot_of(struct vrl_proc *p, int tid)
{
	for (int i = 0; i < VRL_THREAD_IDS; i++)
		if (__atomic_load_n(&p->thread_tasks[i].tid, __ATOMIC_ACQUIRE) == tid)
			return i;
	return -1;
}

/*
 * thread_put() - thread @tid, without a slot, gets one holding @t (TLS
 * base @fs, 0 if not known).  Called with the lock held.  Returns @t, or
 * NULL when no slot is to be had (@t is freed then).
 */
static struct vr_task *
thread_put(struct vrl_proc *p, int tid, unsigned long fs, struct vr_task *t)
{
	int i, pid = p->owner_pid;

	for (i = 0; i < VRL_THREAD_IDS && p->thread_tasks[i].tid; i++)
		;
	/* Full: take back the slot of a thread that ended. */
	for (int k = 0; i == VRL_THREAD_IDS && k < VRL_THREAD_IDS; k++)
		if (vrl_sys3(__NR_tgkill, pid, p->thread_tasks[k].tid, 0) == -ESRCH) {
			__atomic_store_n(&p->thread_tasks[k].tid, 0, __ATOMIC_RELEASE);
			vr_task_free(p->thread_tasks[k].task);
			p->thread_tasks[k].task = NULL;
			i = k;
		}
	if (i == VRL_THREAD_IDS) {
		vr_task_free(t);
		return NULL;
	}
	p->thread_tasks[i].task = t;
	p->thread_tasks[i].fsbase = fs;
	__atomic_store_n(&p->thread_tasks[i].tid, tid, __ATOMIC_RELEASE);
	__atomic_store_n(&p->thread_ids, 1, __ATOMIC_RELEASE);
	return t;
}

/*
 * thread_own() - thread @tid (TLS base @fs, 0 if not known) gets a slot
 * holding a copy of @from (the process's task), unless it has one.
 * Called with the lock held.  Returns its task, or NULL when no slot is
 * to be had.
 */
static struct vr_task *
thread_own(struct vrl_proc *p, int tid, unsigned long fs, struct vr_task *from)
{
	int i = slot_of(p, tid);
	struct vr_task *t;

	if (i >= 0)
		return p->thread_tasks[i].task;
	if (vr_task_dup(from, &t) < 0)
		return NULL;
	return thread_put(p, tid, fs, t);
}

/*
 * clone_take() - the identity a clone keeps for thread @tid (TLS base @fs,
 * 0 if not known), made its slot's; NULL when none is kept for it.  Sets
 * *@waiting when a clone's result is still to come.  Called with the lock
 * held.
 */
static struct vr_task *
clone_take(struct vrl_proc *p, int tid, unsigned long fs, int *waiting)
{
	for (int i = 0; i < VRL_VMCLONE_SLOTS; i++) {
		struct vr_task *c = p->clone_tasks[i].task;
		long r;

		if (!c)
			continue;
		r = vrl_vmclone_result(i);
		if ((fs && p->clone_tasks[i].fsbase == fs) || r == tid) {
			p->clone_tasks[i].task = NULL;
			return thread_put(p, tid, fs ? fs : p->clone_tasks[i].fsbase, c);
		}
		/* A clone without a TLS base: only its result names its thread. */
		if (!r && !p->clone_tasks[i].fsbase && waiting)
			*waiting = 1;
	}
	return NULL;
}

/*
 * clone_settle() - every identity a clone keeps goes to its thread, once
 * the parent stored the clone's result (briefly waited for).  Called with
 * the lock held.
 */
static void
clone_settle(struct vrl_proc *p)
{
	for (int i = 0; i < VRL_VMCLONE_SLOTS; i++) {
		struct vr_task *c = p->clone_tasks[i].task;
		long r = 0;

		for (int n = 0; c && !(r = vrl_vmclone_result(i)) && n < CLONE_WAITS; n++)
			vrl_sys0(__NR_sched_yield);
		if (!c || !r)
			continue;
		p->clone_tasks[i].task = NULL;
		if (r < 0 || slot_of(p, (int)r) >= 0)
			vr_task_free(c);
		else
			thread_put(p, (int)r, p->clone_tasks[i].fsbase, c);
	}
}

/**
 * vrl_ident_clone() - the calling thread makes a thread through gadget
 * slot @slot (vmclone.c), its TLS base @tls (0: none given): a copy of
 * the calling thread's identity, if it has one of its own, kept for it.
 */
void
vrl_ident_clone(struct vr_loader_ctx *ctx, int slot, unsigned long tls)
{
	struct vrl_proc *p = ctx->proc;
	struct vr_task *t = vrl_thread_task(p), *copy = NULL;

	if (t && vr_task_dup(t, &copy) < 0)
		copy = NULL;
	p->clone_tasks[slot].fsbase = tls;
	__atomic_store_n(&p->clone_tasks[slot].task, copy, __ATOMIC_RELEASE);
}

/**
 * vrl_ident_cloned() - the clone made through gadget slot @slot is behind
 * the parent, @result its result: the identity kept for the new thread
 * goes to it, if it has not taken it yet.
 */
void
vrl_ident_cloned(int slot, long result)
{
	struct vrl_proc *p = &vrl_proc;
	struct vr_task *c;

	if (!__atomic_load_n(&p->clone_tasks[slot].task, __ATOMIC_ACQUIRE))
		return;
	threads_lock(p);
	c = p->clone_tasks[slot].task;
	p->clone_tasks[slot].task = NULL;
	if (c && (result <= 0 || slot_of(p, (int)result) >= 0))
		vr_task_free(c);
	else if (c)
		thread_put(p, (int)result, p->clone_tasks[slot].fsbase, c);
	threads_unlock(p);
}

/* clone_kept() - the identity a clone keeps for the thread of TLS base @fs, or NULL. */
static struct vr_task *
clone_kept(struct vrl_proc *p, unsigned long fs)
{
	for (int i = 0; fs && i < VRL_VMCLONE_SLOTS; i++) {
		struct vr_task *c = __atomic_load_n(&p->clone_tasks[i].task, __ATOMIC_ACQUIRE);

		if (c && p->clone_tasks[i].fsbase == fs)
			return c;
	}
	return NULL;
}

struct vr_task *
vrl_thread_task(struct vrl_proc *p)
{
	int shared = vrl_mm_shared_child(), tid, i, waiting;
	struct vr_task *t = NULL;
	unsigned long fs;

	if (!__atomic_load_n(&p->thread_ids, __ATOMIC_ACQUIRE))
		return NULL;
	if (shared) {
		/* A vfork child runs on the TLS of the thread that called vfork. */
		fs = fsbase();
		for (i = 0; fs && i < VRL_THREAD_IDS; i++)
			if (__atomic_load_n(&p->thread_tasks[i].tid, __ATOMIC_ACQUIRE) &&
			    p->thread_tasks[i].fsbase == fs)
				return p->thread_tasks[i].task;
		return clone_kept(p, fs);
	}
	tid = vrl_gettid();
	if (tid == p->owner_pid)
		return NULL;
	i = slot_of(p, tid);
	if (i >= 0) {
		/* Known by its id: its TLS base for its vfork and fork children. */
		if (!p->thread_tasks[i].fsbase)
			p->thread_tasks[i].fsbase = fsbase();
		return p->thread_tasks[i].task;
	}
	/* A new thread: the identity its creator's clone kept for it, if any. */
	fs = fsbase();
	for (int n = 0; n < CLONE_WAITS; n++) {
		waiting = 0;
		threads_lock(p);
		t = clone_take(p, tid, fs, &waiting);
		threads_unlock(p);
		if (t || !waiting)
			break;
		vrl_sys0(__NR_sched_yield);
	}
	return t;
}

/*
 * others_own() - every thread of the process but the main one gets a slot
 * (they keep the identity the main thread is about to change).  Called
 * with the lock held.  Returns 0, or -1 when some could not.
 */
static int
others_own(struct vrl_proc *p)
{
	char buf[2048];
	long n;
	int fd, err = 0;
	/* linux_dirent64 */
	struct dent {
		unsigned long long ino;
		long long off;
		unsigned short reclen;
		unsigned char type;
		char name[];
	};

	clone_settle(p);
	fd = (int)vrl_sys4(__NR_openat, AT_FDCWD, "/proc/self/task",
	                   O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	while ((n = vrl_sys3(__NR_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct dent *d = (struct dent *)(buf + off);
			const char *c = d->name;
			int tid = 0;

			off += d->reclen;
			while (*c >= '0' && *c <= '9')
				tid = tid * 10 + (*c++ - '0');
			if (!*c && tid && tid != p->owner_pid && !thread_own(p, tid, 0, p->task))
				err = -1;
		}
	}
	vrl_close(fd);
	return n < 0 ? -1 : err;
}

/*
 * ident_task() - the task whose identity a set*id call of the calling
 * thread changes: a vfork child's own, the thread's own, or the
 * process's (the main thread's, the others keeping theirs).
 */
static struct vr_task *
ident_task(struct vr_loader_ctx *ctx)
{
	struct vrl_proc *p = ctx->proc;
	struct vr_task *t;
	int tid;

	if (vrl_mm_shared_child())
		return vrl_task_for_write(ctx);
	t = vrl_task(ctx);
	if (t != p->task)
		return t;
	tid = vrl_gettid();
	threads_lock(p);
	if (tid != p->owner_pid)
		t = thread_own(p, tid, fsbase(), p->task);
	else
		others_own(p);
	threads_unlock(p);
	return t ? t : p->task;
}

/* thread_ident() - the identity of thread @tid of this process (its status file's). */
static void
thread_ident(struct vr_loader_ctx *ctx, int tid, struct vr_ident *id)
{
	struct vrl_proc *p = ctx->proc;
	struct vr_task *t = p->task;
	int i;

	if (tid == vrl_gettid())
		t = vrl_task(ctx);
	else if (tid != p->owner_pid && __atomic_load_n(&p->thread_ids, __ATOMIC_ACQUIRE) &&
	         (i = slot_of(p, tid)) >= 0)
		t = p->thread_tasks[i].task;
	vr_task_ident(t, id);
}

void
vrl_threads_cwd(struct vr_loader_ctx *ctx, struct vr_task *t)
{
	struct vrl_proc *p = ctx->proc;

	if (!__atomic_load_n(&p->thread_ids, __ATOMIC_ACQUIRE) || vrl_mm_shared_child())
		return;
	threads_lock(p);
	if (t != p->task)
		vr_task_copy_cwd(p->task, t);
	for (int i = 0; i < VRL_THREAD_IDS; i++)
		if (p->thread_tasks[i].tid && p->thread_tasks[i].task != t)
			vr_task_copy_cwd(p->thread_tasks[i].task, t);
	threads_unlock(p);
}

void
vrl_ident_forked(void)
{
	struct vrl_proc *p = &vrl_proc;
	struct vr_task *from = NULL;
	unsigned long fs;
	struct vr_ident id;

	if (p->thread_ids) {
		/* Its one thread is the one that forked: the lock was another's. */
		p->thread_lock = 0;
		fs = fsbase();
		for (int i = 0; fs && !from && i < VRL_THREAD_IDS; i++)
			if (p->thread_tasks[i].tid && p->thread_tasks[i].fsbase == fs)
				from = p->thread_tasks[i].task;
		/* A new thread without a slot yet: what its creator's clone kept for it. */
		if (!from)
			from = clone_kept(p, fs);
		if (from) {
			vr_task_ident(from, &id);
			vr_task_set_ident(p->task, &id);
		}
		for (int i = 0; i < VRL_THREAD_IDS; i++) {
			if (!p->thread_tasks[i].tid)
				continue;
			vr_task_free(p->thread_tasks[i].task);
			p->thread_tasks[i].task = NULL;
			p->thread_tasks[i].tid = 0;
		}
		for (int i = 0; i < VRL_VMCLONE_SLOTS; i++) {
			if (p->clone_tasks[i].task)
				vr_task_free(p->clone_tasks[i].task);
			p->clone_tasks[i].task = NULL;
		}
		p->thread_ids = 0;
	}
	if (vrl_ident_faked())
		vr_ident_publish(p->task);
}

/* ident() - the identity the call runs as. */
static void
ident(struct vr_loader_ctx *ctx, struct vr_ident *id)
{
	vr_task_ident(vrl_task(ctx), id);
}

long
h_getuid(struct vr_loader_ctx *ctx, const long a[6])
{
	struct vr_ident id;

	(void)a;
	ident(ctx, &id);
	return id.uid;
}

long
h_geteuid(struct vr_loader_ctx *ctx, const long a[6])
{
	struct vr_ident id;

	(void)a;
	ident(ctx, &id);
	return id.euid;
}

long
h_getgid(struct vr_loader_ctx *ctx, const long a[6])
{
	struct vr_ident id;

	(void)a;
	ident(ctx, &id);
	return id.gid;
}

long
h_getegid(struct vr_loader_ctx *ctx, const long a[6])
{
	struct vr_ident id;

	(void)a;
	ident(ctx, &id);
	return id.egid;
}

/* put_three() - getres*id()'s three ids out to the program. */
static long
put_three(const long a[6], unsigned int r, unsigned int e, unsigned int s)
{
	if (vrl_poke((void *)a[0], &r, sizeof(r)) || vrl_poke((void *)a[1], &e, sizeof(e)) ||
	    vrl_poke((void *)a[2], &s, sizeof(s)))
		return -EFAULT;
	return 0;
}

long
h_getresuid(struct vr_loader_ctx *ctx, const long a[6])
{
	struct vr_ident id;

	ident(ctx, &id);
	return put_three(a, id.uid, id.euid, id.suid);
}

long
h_getresgid(struct vr_loader_ctx *ctx, const long a[6])
{
	struct vr_ident id;

	ident(ctx, &id);
	return put_three(a, id.gid, id.egid, id.sgid);
}

long
h_getgroups(struct vr_loader_ctx *ctx, const long a[6])
{
	unsigned int list[VR_IDENT_GROUPS];
	int size = (int)a[0], n;

	n = vr_getgroups(vrl_task(ctx), size > VR_IDENT_GROUPS ? VR_IDENT_GROUPS : size, list);
	if (n <= 0 || size == 0)
		return n;
	return vrl_poke((void *)a[1], list, (size_t)n * sizeof(list[0])) ? -EFAULT : n;
}

/*
 * changed() - @r of a change of @t's identity: the process's, when @t is
 * the process's (its main thread's) task, published for the others.
 */
static long
changed(struct vr_loader_ctx *ctx, struct vr_task *t, long r)
{
	if (r >= 0 && t == ctx->proc->task)
		vr_ident_publish(t);
	return r;
}

long
h_setgroups(struct vr_loader_ctx *ctx, const long a[6])
{
	unsigned int list[VR_IDENT_GROUPS];
	struct vr_task *t;
	long size = a[0];

	if (size < 0 || size > VR_IDENT_GROUPS)
		return vr_setgroups(vrl_task(ctx), size, list);
	if (size && vrl_peek(list, (const void *)a[1], (size_t)size * sizeof(list[0])))
		return -EFAULT;
	t = ident_task(ctx);
	return changed(ctx, t, vr_setgroups(t, size, list));
}

long
h_setuid(struct vr_loader_ctx *ctx, const long a[6])
{
	struct vr_task *t = ident_task(ctx);

	return changed(ctx, t, vr_setuid(t, ID(a[0])));
}

long
h_setgid(struct vr_loader_ctx *ctx, const long a[6])
{
	struct vr_task *t = ident_task(ctx);

	return changed(ctx, t, vr_setgid(t, ID(a[0])));
}

long
h_setreuid(struct vr_loader_ctx *ctx, const long a[6])
{
	struct vr_task *t = ident_task(ctx);

	return changed(ctx, t, vr_setreuid(t, ID(a[0]), ID(a[1])));
}

long
h_setregid(struct vr_loader_ctx *ctx, const long a[6])
{
	struct vr_task *t = ident_task(ctx);

	return changed(ctx, t, vr_setregid(t, ID(a[0]), ID(a[1])));
}

long
h_setresuid(struct vr_loader_ctx *ctx, const long a[6])
{
	struct vr_task *t = ident_task(ctx);

	return changed(ctx, t, vr_setresuid(t, ID(a[0]), ID(a[1]), ID(a[2])));
}

long
h_setresgid(struct vr_loader_ctx *ctx, const long a[6])
{
	struct vr_task *t = ident_task(ctx);

	return changed(ctx, t, vr_setresgid(t, ID(a[0]), ID(a[1]), ID(a[2])));
}

long
h_setfsuid(struct vr_loader_ctx *ctx, const long a[6])
{
	struct vr_task *t = ident_task(ctx);

	return changed(ctx, t, vr_setfsuid(t, ID(a[0])));
}

long
h_setfsgid(struct vr_loader_ctx *ctx, const long a[6])
{
	struct vr_task *t = ident_task(ctx);

	return changed(ctx, t, vr_setfsgid(t, ID(a[0])));
}

/* linux/prctl.h (PR_SET_SYSCALL_USER_DISPATCH never comes here: the filter refuses it). */
#define PR_GET_KEEPCAPS   7
#define PR_GET_SECUREBITS 27

long
h_prctl(struct vr_loader_ctx *ctx, const long a[6])
{
	long r;

	/* Only the securebits' options are trapped (filter.c): the others as they are. */
	if ((int)a[0] == PR_GET_KEEPCAPS || (int)a[0] == PR_GET_SECUREBITS)
		r = vr_prctl_secure(vrl_task(ctx), (int)a[0], (unsigned long)a[1]);
	else
		r = vr_prctl_secure(ident_task(ctx), (int)a[0], (unsigned long)a[1]);
	if (r != -ENOSYS)
		return r;
	return vrl_sys5(__NR_prctl, a[0], a[1], a[2], a[3], a[4]);
}

/* The kernel's capability header and data (linux/capability.h). */
#define CAP_HDR_WORDS  2
#define CAP_DATA_WORDS 6

long
h_capget(struct vr_loader_ctx *ctx, const long a[6])
{
	unsigned int hdr[CAP_HDR_WORDS], data[CAP_DATA_WORDS];
	long r;

	if (vrl_peek(hdr, (const void *)a[0], sizeof(hdr)))
		return -EFAULT;
	r = vr_capget(vrl_task(ctx), hdr, data);
	if (r == -EINVAL && vrl_poke((void *)a[0], hdr, sizeof(hdr)))
		return -EFAULT;
	/* A NULL data pointer asks for the version only. */
	if (r == -EINVAL && !a[1])
		return 0;
	if (r < 0 || !a[1])
		return r;
	return vrl_poke((void *)a[1], data, (hdr[0] == 0x19980330u ? 3 : 6) * sizeof(data[0]))
	               ? -EFAULT
	               : 0;
}

long
h_capset(struct vr_loader_ctx *ctx, const long a[6])
{
	unsigned int hdr[CAP_HDR_WORDS], data[CAP_DATA_WORDS] = {0, 0, 0, 0, 0, 0};
	struct vr_task *t;

	if (vrl_peek(hdr, (const void *)a[0], sizeof(hdr)))
		return -EFAULT;
	if (vrl_peek(data, (const void *)a[1], (hdr[0] == 0x19980330u ? 3 : 6) * sizeof(data[0])))
		return -EFAULT;
	t = ident_task(ctx);
	return changed(ctx, t, vr_capset(t, hdr, data));
}

/**
 * vrl_exec_ident() - the identity of the program this image runs, from
 * @fd, the file executed (@direct: an ELF, not a script, whose set-id bits
 * Linux ignores): vr_task_exec_ident().
 */
void
vrl_exec_ident(struct vr_loader_ctx *ctx, int fd, int direct)
{
	struct stat st;

	if (!vrl_ident_faked())
		return;
	if (!direct || vr_fstatat(vrl_task(ctx), fd, "", &st, AT_EMPTY_PATH) < 0)
		st.st_mode = 0;
	vr_task_exec_ident(vrl_task(ctx), st.st_mode, st.st_uid, st.st_gid);
	vr_ident_publish(vrl_task(ctx));
}

/* STATUS_MAX - room for /proc/PID/status (about 1.5 KiB on Linux 6). */
#define STATUS_MAX 8192

/* hex16() - @v as the 16 hexadecimal digits of a Cap* line. */
static void
hex16(struct vrl_buf *b, unsigned long v)
{
	char t[17];

	for (int i = 15; i >= 0; i--, v >>= 4)
		t[i] = "0123456789abcdef"[v & 15];
	t[16] = 0;
	vrl_buf_str(b, t);
}

/* four() - "\tA\tB\tC\tD" of an Uid:/Gid: line. */
static void
four(struct vrl_buf *b, unsigned int r, unsigned int e, unsigned int s, unsigned int fs)
{
	unsigned int v[4] = {r, e, s, fs};

	for (int i = 0; i < 4; i++) {
		vrl_buf_str(b, "\t");
		vrl_buf_dec(b, v[i]);
	}
}

/* sigline() - a SigBlk:, SigPnd: or ShdPnd: line's mask, SIGSYS added. */
static void
sigline(struct vrl_buf *b, const char *line, size_t len)
{
	char name[9];

	unsigned long v = 0;

	for (size_t i = 7; i < len; i++) {
		char c = line[i];

		if (c >= '0' && c <= '9')
			v = v << 4 | (unsigned long)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (unsigned long)(c - 'a' + 10);
	}
	memcpy(name, line, 7);
	name[7] = '\t';
	name[8] = 0;
	vrl_buf_str(b, name);
	hex16(b, v | VRL_SIGBIT(SIGSYS));
}

/*
 * status_line() - the line at @line (@len bytes, no newline) of a status
 * file as identity @id shows it (NULL: the host's), SIGSYS in SigBlk,
 * SigPnd and ShdPnd as @sys (vrl_sigsys_held()) says, into @b.
 */
static void
status_line(struct vrl_buf *b, const char *line, size_t len, const struct vr_ident *id, int sys)
{
	unsigned long all = 0x1ffffffffffUL, fs = 0x1fUL, eff = 0;
	char copy[512];

	if (len >= 7 && (((sys & VRL_SYS_BLOCKED) && !memcmp(line, "SigBlk:", 7)) ||
	                 ((sys & VRL_SYS_PENDING) && !memcmp(line, "SigPnd:", 7)) ||
	                 ((sys & VRL_SYS_SHARED) && !memcmp(line, "ShdPnd:", 7)))) {
		sigline(b, line, len);
		vrl_buf_str(b, "\n");
		return;
	}
	if (!id)
		goto copy;
	if (id->caps & VR_CAPS_EFFECTIVE)
		eff = all & ~fs;
	if (id->caps & VR_CAPS_FS)
		eff |= fs;
	if (len >= 4 && !memcmp(line, "Uid:", 4)) {
		vrl_buf_str(b, "Uid:");
		four(b, id->uid, id->euid, id->suid, id->fsuid);
	} else if (len >= 4 && !memcmp(line, "Gid:", 4)) {
		vrl_buf_str(b, "Gid:");
		four(b, id->gid, id->egid, id->sgid, id->fsgid);
	} else if (len >= 7 && !memcmp(line, "Groups:", 7)) {
		vrl_buf_str(b, "Groups:\t");
		for (unsigned int i = 0; i < id->ngroups && i < VR_IDENT_GROUPS; i++) {
			vrl_buf_dec(b, id->groups[i]);
			vrl_buf_str(b, " ");
		}
	} else if (len >= 7 && !memcmp(line, "CapPrm:", 7)) {
		vrl_buf_str(b, "CapPrm:\t");
		hex16(b, (id->caps & VR_CAPS_PERMITTED) ? all : 0);
	} else if (len >= 7 && !memcmp(line, "CapEff:", 7)) {
		vrl_buf_str(b, "CapEff:\t");
		hex16(b, eff);
	} else {
		goto copy;
	}
	vrl_buf_str(b, "\n");
	return;
copy:
	if (len >= sizeof(copy))
		len = sizeof(copy) - 1;
	memcpy(copy, line, len);
	copy[len] = 0;
	vrl_buf_str(b, copy);
	vrl_buf_str(b, "\n");
}

/*
 * status_of() - canonical @vp is /proc/PID/status or /proc/PID/task/TID/status:
 * PID into *@pidp.  Returns the thread it shows (PID for the first), or 0.
 */
static long
status_of(const char *vp, long *pidp)
{
	long pid = 0, tid = 0;
	const char *p = vp + 6;

	if (strncmp(vp, "/proc/", 6))
		return 0;
	while (*p >= '0' && *p <= '9')
		pid = pid * 10 + (*p++ - '0');
	*pidp = pid;
	if (!pid)
		return 0;
	if (!strcmp(p, "/status"))
		return pid;
	if (strncmp(p, "/task/", 6))
		return 0;
	for (p += 6; *p >= '0' && *p <= '9'; p++)
		tid = tid * 10 + (*p - '0');
	return !strcmp(p, "/status") ? tid : 0;
}

/*
 * fd_link() - @path is /proc/PID/fd/N (self, thread-self, or a task's): a
 * descriptor reopened, as a nested session's walk opens a file it looked
 * up with O_PATH, which may be a status file.
 */
static int
fd_link(const char *path)
{
	if (strncmp(path, "/proc/", 6))
		return 0;
	for (path += 6; *path; path++)
		if (!strncmp(path, "/fd/", 4))
			return 1;
	return 0;
}

static long status_open(struct vr_loader_ctx *ctx, int dfd, const char *path, int flags, int faked);

/**
 * vrl_ident_status() - open(@dfd, @path, @flags) when it reads this
 * process's /proc status file in a session with a faked identity, or of a
 * thread that blocks SIGSYS (sigvirt.c), or the status file of another
 * process that published a faked identity on this prefix
 * (vr_ident_of()): a sealed memory file holding it with the Uid, Gid,
 * Groups, CapPrm and CapEff lines of the faked identity (of the thread
 * it shows, for this process) and SIGSYS in SigBlk (and in SigPnd or
 * ShdPnd while one is held); also when @path reopens a descriptor of
 * such a file through /proc/self/fd.  Returns a descriptor or -errno, or
 * 1 when the call is not one of those (the caller opens as usual).
 */
long
vrl_ident_status(struct vr_loader_ctx *ctx, int dfd, const char *path, int flags)
{
	size_t plen = strlen(path);
	int faked;

	if (((plen < 7 || strcmp(path + plen - 7, "/status")) && !fd_link(path)) ||
	    (flags & O_ACCMODE) != O_RDONLY || (flags & (O_PATH | O_DIRECTORY | O_CREAT)))
		return 1;
	faked = vrl_ident_faked();
	if (!faked && !vrl_proc.sys_held_any)
		return 1;
	return status_open(ctx, dfd, path, flags, faked);
}

/*
 * status_open() - vrl_ident_status() for a status file it may have to
 * answer.  Apart, with its buffers: every open asks vrl_ident_status(),
 * and a frame this big on that path costs a short-lived process a page of
 * handler stack more (each page first touched is a fault).
 */
static __attribute__((noinline)) long
status_open(struct vr_loader_ctx *ctx, int dfd, const char *path, int flags, int faked)
{
	char vp[VRL_PATH_MAX], *in = NULL, *out = NULL;
	size_t n = 0, off = 0;
	struct vr_ident id;
	struct vrl_buf b;
	long fd, r, tid, pid;
	int sys_blocked = 0, own;

	if (vr_realpath(vrl_task(ctx), dfd, path, 0, vp, sizeof(vp)) < 0 ||
	    !(tid = status_of(vp, &pid)))
		return 1;
	own = pid == vrl_getpid();
	if (own)
		sys_blocked = vrl_sigsys_held((int)tid);
	if (!faked && !sys_blocked)
		return 1;
	/* Another process: the identity it published, if it runs faked on this prefix. */
	if (own)
		thread_ident(ctx, (int)tid, &id);
	else if (!vr_ident_of(vrl_task(ctx), (int)pid, &id))
		return 1;
	fd = vr_openat(vrl_task(ctx), dfd, path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	in = (char *)vrl_sys6(__NR_mmap, 0, 2 * STATUS_MAX, PROT_READ | PROT_WRITE,
	                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if ((unsigned long)in > -4096UL) {
		vrl_close((int)fd);
		return -ENOMEM;
	}
	out = in + STATUS_MAX;
	while (n < STATUS_MAX && (r = vrl_sys3(__NR_read, fd, in + n, STATUS_MAX - n)) > 0)
		n += (size_t)r;
	vrl_close((int)fd);
	vrl_buf_init(&b, out, STATUS_MAX);
	while (off < n) {
		size_t e = off;

		while (e < n && in[e] != '\n')
			e++;
		status_line(&b, in + off, e - off, faked ? &id : NULL, sys_blocked);
		off = e + 1;
	}
	fd = vrl_sealed_file("status", out, b.len, flags);
	vrl_sys2(__NR_munmap, in, 2 * STATUS_MAX);
	return fd;
}

/**
 * vrl_sealed_file() - a memory file named @name holding @buf[@len], at
 * offset 0, sealed against every change (it reads as a procfs file
 * would); close-on-exec when @flags has O_CLOEXEC.  Returns a descriptor
 * or -errno.
 */
long
vrl_sealed_file(const char *name, const char *buf, size_t len, int flags)
{
	/* MFD_ALLOW_SEALING, then every seal. */
	long fd = vrl_sys2(__NR_memfd_create, name, ((flags & O_CLOEXEC) ? 1 : 0) | 2);

	if (fd >= 0 && (vrl_sys3(__NR_write, fd, buf, len) != (long)len ||
	                vrl_sys3(__NR_lseek, fd, 0, 0) != 0 ||
	                vrl_sys3(__NR_fcntl, fd, 1033 /* F_ADD_SEALS */, 15) != 0)) {
		vrl_close((int)fd);
		fd = -EIO;
	}
	return fd;
}

/**
 * vrl_ident_faked() - the session fakes its identity: the filter traps the
 * identity calls.
 */
int
vrl_ident_faked(void)
{
	struct vr_ident id;

	if (!vrl_proc.task)
		return 0;
	vr_task_ident(vrl_proc.task, &id);
	return id.faked != 0;
}
