/*
 * arena.h - scratch memory for the core, from mmap only.
 *
 * A namespace owns a small pool of scratch slots.  A call into the core
 * claims one slot with an atomic bit operation (no lock, so it is safe in a
 * signal handler and across threads), bump-allocates from it, and releases
 * it before returning.  When every slot is busy (many threads, or a slot
 * whose owner vanished in fork()), a fresh mapping is used for that call.
 */
#ifndef VR_ARENA_H
#define VR_ARENA_H

#include <stddef.h>

#define VR_SCRATCH_SIZE  (512u * 1024u)
#define VR_SCRATCH_SLOTS 8

struct vr_scratch {
	char *base;
	size_t size;
	size_t used;
	int slot; /* pool slot index, or -1 for a one-off mapping */
};

struct vr_pool {
	unsigned long busy; /* bit i set: slot i is claimed */
	char *slots;        /* VR_SCRATCH_SLOTS * VR_SCRATCH_SIZE, mapped lazily by the kernel */
};

/* vr_pool_init() - reserve the pool's address space.  Return: 0 or -ENOMEM. */
int vr_pool_init(struct vr_pool *p);
/* vr_pool_fini() - unmap the pool; no slot may be in use. */
void vr_pool_fini(struct vr_pool *p);

/* vr_scratch_get() - claim scratch memory.  Return: 0 or -ENOMEM. */
int vr_scratch_get(struct vr_pool *p, struct vr_scratch *s);
/* vr_scratch_put() - release what vr_scratch_get() claimed. */
void vr_scratch_put(struct vr_pool *p, struct vr_scratch *s);

/*
 * vr_scratch_put_base() - release the scratch whose memory starts at @base
 * (the base of a vr_scratch_get() claim), for callers that kept only that.
 */
void vr_scratch_put_base(struct vr_pool *p, void *base);

/* vr_alloc() - @n bytes, 16-byte aligned, or NULL when the scratch is full. */
void *vr_alloc(struct vr_scratch *s, size_t n);

/* vr_map() / vr_unmap() - whole anonymous pages for long-lived objects. */
void *vr_map(size_t n);
void vr_unmap(void *p, size_t n);

#endif
