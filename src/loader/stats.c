/*
 * stats.c - counting for `vroot run --stats` (see stats.h).
 *
 * Off unless the cli passed a file: then every trapped call, every call
 * through a rewritten site and every call through the trusted page (the
 * page's stub counts those itself, see tpage.c) is added to the shared
 * counters, and so is the site it came from.  A trapped site is looked up
 * in /proc/self/maps once per process and remembered by address in a
 * small private table.
 */
#include <linux/mman.h>
#include <linux/fcntl.h>
#include "loader.h"

/**
 * vrl_stats_open() - map the counters file at @path (a host path) and
 * count into it from now on.  Returns 0 or -errno.
 */
int
vrl_stats_open(const char *path)
{
	int fd = (int)vrl_sys4(__NR_openat, AT_FDCWD, path, O_RDWR | O_CLOEXEC, 0);
	long p;

	if (fd < 0)
		return fd;
	p = vrl_mmap(NULL, sizeof(struct vrl_stats), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	vrl_close(fd);
	if (vrl_is_err(p))
		return (int)p;
	if (((struct vrl_stats *)p)->magic != VRL_STATS_MAGIC) {
		vrl_munmap((void *)p, sizeof(struct vrl_stats));
		return -EINVAL;
	}
	vrl_proc.stats = (struct vrl_stats *)p;
	vrl_tpage_count(&vrl_proc.stats->host_calls);
	return 0;
}

/**
 * vrl_stats_site() - the slot of the site at offset @off of file @name,
 * added if new.  Returns it, or -1 when the table is full.
 */
int
vrl_stats_site(const char *name, uint64_t off)
{
	struct vrl_stats *s = vrl_proc.stats;
	uint32_t n = __atomic_load_n(&s->nsites, __ATOMIC_ACQUIRE), i;

	for (i = 0; i < n && i < VRL_STAT_SITES; i++) {
		struct vrl_stat_site *e = &s->site[i];

		if (__atomic_load_n(&e->ready, __ATOMIC_ACQUIRE) && e->off == off &&
		    !strcmp(e->name, name))
			return (int)i;
	}
	i = __atomic_fetch_add(&s->nsites, 1, __ATOMIC_ACQ_REL);
	if (i >= VRL_STAT_SITES)
		return -1;
	s->site[i].off = off;
	memcpy(s->site[i].name, name, strlen(name) + 1);
	__atomic_store_n(&s->site[i].ready, 1, __ATOMIC_RELEASE);
	return (int)i;
}

static void
count_site(int slot, long nr)
{
	struct vrl_stats *s = vrl_proc.stats;

	if (slot < 0 || slot >= VRL_STAT_SITES) {
		__atomic_add_fetch(&s->other, 1, __ATOMIC_RELAXED);
		return;
	}
	s->site[slot].nr = (uint32_t)nr;
	__atomic_add_fetch(&s->site[slot].count, 1, __ATOMIC_RELAXED);
}

/**
 * vrl_stats_trap() - count a trapped call @nr whose syscall instruction
 * ended at @ip.
 */
void
vrl_stats_trap(uintptr_t ip, long nr)
{
	unsigned int h = (unsigned int)((ip * 0x9e3779b97f4a7c15ULL) >> 56) % VRL_STAT_CACHE;
	struct vrl_map m;
	uint64_t e;
	int slot = -1;

	__atomic_add_fetch(&vrl_proc.stats->traps, 1, __ATOMIC_RELAXED);
	for (unsigned int k = 0; k < VRL_STAT_CACHE; k++, h = (h + 1) % VRL_STAT_CACHE) {
		e = __atomic_load_n(&vrl_proc.stat_cache[h], __ATOMIC_RELAXED);
		if (!e)
			break;
		if (e >> 12 == ip) {
			count_site((int)(e & 4095) - 1, nr);
			return;
		}
	}
	if (!vrl_map_of(ip - 2, &m))
		slot = vrl_stats_site(m.name[0] ? m.name : "[anonymous]", ip - 2 - m.start + m.off);
	count_site(slot, nr);
	e = (uint64_t)ip << 12 | (uint64_t)(slot + 1);
	if (ip < (1ULL << 52) && !__atomic_load_n(&vrl_proc.stat_cache[h], __ATOMIC_RELAXED))
		__atomic_store_n(&vrl_proc.stat_cache[h], e, __ATOMIC_RELAXED);
}

/** vrl_stats_rw() - count a call through rewritten site slot @site - 1 (0: none). */
void
vrl_stats_rw(unsigned int site, long nr)
{
	__atomic_add_fetch(&vrl_proc.stats->rw_calls, 1, __ATOMIC_RELAXED);
	if (site)
		count_site((int)site - 1, nr);
}
