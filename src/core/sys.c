/*
 * sys.c - the embedder's system-call hook (sys.h).
 *
 * The core's system calls are made in hundreds of places that hold no
 * namespace (a descriptor, a path), so the hook a namespace is made with
 * is kept for the whole process, in the one variable the core writes: once,
 * by the first vr_ns_new() that gives a hook, before that namespace makes
 * any call.  A process has one system-call layer, so one hook serves every
 * namespace in it; a second, different one is refused.  vroot-loader
 * installs one too (its trusted page's stub), from the spec it unpacks.
 */
#include "sys.h"

vr_sys_hook_fn vr_sys_hook;

int
vr_sys_hook_install(vr_sys_hook_fn fn)
{
	vr_sys_hook_fn none = NULL;

	if (!fn)
		return 0;
	if (__atomic_compare_exchange_n(&vr_sys_hook, &none, fn, 0, __ATOMIC_SEQ_CST,
	                                __ATOMIC_SEQ_CST))
		return 0;
	return none == fn ? 0 : -EEXIST;
}

long
vr_sys_hooked(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	return __atomic_load_n(&vr_sys_hook, __ATOMIC_RELAXED)(n, a1, a2, a3, a4, a5, a6);
}
