/*
 * syshook.c - the embedder's system-call hook (struct vr_ns_spec's
 * syscall): every call the library makes goes through it, its -errno
 * results are the library's, and one hook serves the process: a second,
 * different one is refused, a namespace made without one uses it too.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vroot.h"
#include "tap.h"

static unsigned long calls, fail;

static long
hook(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	long r;

	__atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
	/* Answered by the hook, as an emulator may: the library takes it. */
	if (__atomic_load_n(&fail, __ATOMIC_RELAXED))
		return -EIO;
	r = syscall(n, a1, a2, a3, a4, a5, a6);
	return r < 0 ? -errno : r;
}

static long
other(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	return hook(n, a1, a2, a3, a4, a5, a6);
}

int
main(void)
{
	const char *lowers[1] = {"/"};
	struct vr_ns_spec spec = {.lowers = lowers, .nlowers = 1, .syscall = hook};
	struct vr_ns *ns, *ns2;
	struct vr_task *t;
	struct stat st;
	unsigned long before;

	is_int(vr_ns_new(&spec, &ns), 0, "a namespace made with a hook");
	ok(calls > 0, "its making went through the hook (%lu calls)", calls);
	is_int(vr_task_new(ns, &t), 0, "a task in it");
	before = calls;
	is_int(vr_fstatat(t, AT_FDCWD, "/etc", &st, 0), 0, "vr_fstatat of /etc");
	ok(calls > before, "the stat went through the hook");
	__atomic_store_n(&fail, 1, __ATOMIC_RELAXED);
	is_int(vr_fstatat(t, AT_FDCWD, "/usr", &st, 0), -EIO, "the hook's -errno is the call's");
	__atomic_store_n(&fail, 0, __ATOMIC_RELAXED);
	vr_task_free(t);

	spec.syscall = other;
	is_int(vr_ns_new(&spec, &ns2), -EEXIST, "a second, different hook: -EEXIST");
	spec.syscall = hook;
	is_int(vr_ns_new(&spec, &ns2), 0, "the same hook again: taken");
	vr_ns_free(ns2);
	spec.syscall = NULL;
	is_int(vr_ns_new(&spec, &ns2), 0, "no hook: taken");
	before = calls;
	is_int(vr_task_new(ns2, &t), 0, "a task in it");
	is_int(vr_fstatat(t, AT_FDCWD, "/", &st, 0), 0, "vr_fstatat of /");
	ok(calls > before, "its calls go through the process's hook");
	vr_task_free(t);
	vr_ns_free(ns2);
	vr_ns_free(ns);
	return done_testing();
}
