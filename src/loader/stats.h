/*
 * stats.h - the counters of `vroot run --stats`, in a shared mapping of a
 * file the cli creates: every process of the session maps it (each image
 * anew, its path crossing execve in the loader's state) and adds to it;
 * the cli reads it when the program has exited.  Plain C types only: the
 * cli includes this too.
 */
#ifndef VRL_STATS_H
#define VRL_STATS_H

#include <stdint.h>
#include "vroot.h"

#define VRL_STATS_MAGIC 0x3173746174737276ULL /* "vrstats1" */
#define VRL_STAT_SITES  512
#define VRL_STAT_NAME   48

/**
 * struct vrl_stat_site - one call site: @name, the base name of the file
 * mapped there, and @off, the site's offset in that file (the same in every
 * process, whatever the load address).  @ready is set once the rest is.
 * Two processes adding the same site at once may make two entries: the
 * reader adds them up.
 */
struct vrl_stat_site {
	uint64_t count;
	uint64_t off;
	uint32_t nr; /* the system call made there */
	uint32_t ready;
	char name[VRL_STAT_NAME];
};

/**
 * struct vrl_stats - the whole file.
 * @traps:      calls answered through SIGSYS;
 * @rw_calls:   calls answered through a rewritten site;
 * @host_calls: system calls the loader and the core made themselves
 *              (every call through the trusted page);
 * @rw_sites:   sites rewritten;
 * @other:      trapped or rewritten calls from sites past the table;
 * @core:       the core's own counts (walks, directory cache...), which
 *              every process's namespace adds to (vr_ns_count_into()).
 */
struct vrl_stats {
	uint64_t magic;
	uint64_t traps;
	uint64_t rw_calls;
	uint64_t host_calls;
	uint64_t rw_sites;
	uint64_t other;
	struct vr_stats core;
	uint32_t nsites;
	uint32_t pad;
	struct vrl_stat_site site[VRL_STAT_SITES];
};

#endif
