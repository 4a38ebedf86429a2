/*
 * arena.c - scratch memory for the core, from mmap only.
 */
#include "arena.h"
#include "sys.h"

void *
vr_map(size_t n)
{
	void *p = sys_mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return sys_mmap_failed(p) ? NULL : p;
}

void
vr_unmap(void *p, size_t n)
{
	if (p)
		sys_munmap(p, n);
}

int
vr_pool_init(struct vr_pool *p)
{
	p->busy = 0;
	/* MAP_NORESERVE: pages cost nothing until a deep walk touches them. */
	p->slots =
	        sys_mmap(NULL, (size_t)VR_SCRATCH_SLOTS * VR_SCRATCH_SIZE, PROT_READ | PROT_WRITE,
	                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (sys_mmap_failed(p->slots)) {
		p->slots = NULL;
		return -ENOMEM;
	}
	return 0;
}

void
vr_pool_fini(struct vr_pool *p)
{
	vr_unmap(p->slots, (size_t)VR_SCRATCH_SLOTS * VR_SCRATCH_SIZE);
	p->slots = NULL;
}

int
vr_scratch_get(struct vr_pool *p, struct vr_scratch *s)
{
	unsigned long busy = __atomic_load_n(&p->busy, __ATOMIC_RELAXED);

	for (int i = 0; i < VR_SCRATCH_SLOTS; i++) {
		unsigned long bit = 1UL << i;

		if (busy & bit)
			continue;
		if (__atomic_fetch_or(&p->busy, bit, __ATOMIC_ACQUIRE) & bit)
			continue;
		s->base = p->slots + (size_t)i * VR_SCRATCH_SIZE;
		s->size = VR_SCRATCH_SIZE;
		s->used = 0;
		s->slot = i;
		return 0;
	}
	s->base = vr_map(VR_SCRATCH_SIZE);
	if (!s->base)
		return -ENOMEM;
	s->size = VR_SCRATCH_SIZE;
	s->used = 0;
	s->slot = -1;
	return 0;
}

void
vr_scratch_put(struct vr_pool *p, struct vr_scratch *s)
{
	if (!s->base)
		return;
	if (s->slot >= 0)
		__atomic_fetch_and(&p->busy, ~(1UL << s->slot), __ATOMIC_RELEASE);
	else
		vr_unmap(s->base, s->size);
	s->base = NULL;
}

void
vr_scratch_put_base(struct vr_pool *p, void *base)
{
	struct vr_scratch s = {.base = base, .size = VR_SCRATCH_SIZE, .slot = -1};
	char *b = base;

	if (p->slots && b >= p->slots && b < p->slots + (size_t)VR_SCRATCH_SLOTS * VR_SCRATCH_SIZE)
		s.slot = (int)((size_t)(b - p->slots) / VR_SCRATCH_SIZE);
	vr_scratch_put(p, &s);
}

void *
vr_alloc(struct vr_scratch *s, size_t n)
{
	size_t at = (s->used + 15) & ~(size_t)15;

	if (at > s->size || n > s->size - at)
		return NULL;
	s->used = at + n;
	return s->base + at;
}
