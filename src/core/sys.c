/*
 * sys.c - the embedder's system-call hook (sys.h).
 *
 * The core's system calls are made in hundreds of places that hold no
 * namespace (a descriptor, a path), so the hook a namespace is made with
 * is kept for the whole process, in the one variable the core writes: once,
 * by the first vr_ns_new() that gives a hook, before that namespace makes
 * any call.  A process has one system-call layer, so one hook serves every
 * namespace in it; a second, different one is refused.  The loader's build
 * of the core reaches the kernel through its trusted page instead and
 * never reads it.
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
