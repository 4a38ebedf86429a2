/*
 * state.c - the session state that crosses execve.
 *
 * Carried as one argument of the next loader, "--state=HEX", where HEX
 * encodes records [type:1][len:2, little endian][len bytes].  The command
 * line is the one channel a program cannot take away from its children: it
 * may clear the environment, close every descriptor (close_range,
 * closefrom) or exec through vfork/posix_spawn, but execve must pass argv.
 * The loader strips its own arguments before the program runs, and
 * PR_SET_MM_MAP points /proc/PID/cmdline at the program's argv.  Unknown
 * record types are skipped, so the core can add its own (namespace spec,
 * virtual cwd, identity) without changing this framing.
 */
#include <linux/mman.h>
#include "loader.h"
#include "vroot.h"

_Static_assert(VRL_INHERIT_MAX >= VR_MAX_LAYERS + 2 + VR_MAX_MOUNTS,
               "room for every backing descriptor");

enum {
	REC_TRACE_FD = 1,
	REC_FAKE_CWD = 2,
	REC_TASK = 3, /* the core's vr_task_pack(): namespace, cwd, identity */
	REC_FD_FLOOR = 4, /* where vroot's descriptors go (the filter traps that range) */
	REC_REWRITE = 5,  /* one byte: rewrite call sites or not */
	REC_STATS = 6,    /* the --stats counters file */
	REC_INHERIT = 7,  /* the backing descriptors execve leaves open (int each) */
	REC_SIGSYS = 8,   /* one byte: the exec'ing thread's virtual SIGSYS (VRL_SYS_*) */
	REC_FILTER = 9,   /* empty: written by an image whose filter is installed */
	/*
	 * A file's trapped sites: dev, ino, mtime (8 each), n (1), n offsets
	 * (4 each), n numbers (2 each).
	 */
	REC_SITES = 10,
};

#define SITES_HEAD 25
#define SITES_MAX  (SITES_HEAD + VRL_HINTS * 6)

/* take_sites() - a REC_SITES record @rec of @len bytes into the next of st->hints. */
static void
take_sites(struct vrl_state *st, const unsigned char *rec, size_t len)
{
	struct vrl_site_hints *h = &st->hints[st->nhints];
	unsigned int n = len >= SITES_HEAD ? rec[24] : 0;

	if (st->nhints >= 2 || n > VRL_HINTS || len != SITES_HEAD + (size_t)n * 6)
		return;
	memcpy(&h->dev, rec, 8);
	memcpy(&h->ino, rec + 8, 8);
	memcpy(&h->mtime, rec + 16, 8);
	memcpy(h->off, rec + SITES_HEAD, (size_t)n * 4);
	memcpy(h->nr, rec + SITES_HEAD + (size_t)n * 4, (size_t)n * 2);
	h->n = n;
	st->nhints++;
}

/* put_sites() - @h as a REC_SITES record's bytes into @rec; returns the length. */
static size_t
put_sites(unsigned char *rec, const struct vrl_site_hints *h)
{
	memcpy(rec, &h->dev, 8);
	memcpy(rec + 8, &h->ino, 8);
	memcpy(rec + 16, &h->mtime, 8);
	rec[24] = (unsigned char)h->n;
	memcpy(rec + SITES_HEAD, h->off, (size_t)h->n * 4);
	memcpy(rec + SITES_HEAD + (size_t)h->n * 4, h->nr, (size_t)h->n * 2);
	return SITES_HEAD + (size_t)h->n * 6;
}

static int
unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int
byte_at(const char *hex, size_t i)
{
	int h = unhex(hex[2 * i]), l;

	if (h < 0)
		return -1;
	l = unhex(hex[2 * i + 1]);
	return l < 0 ? -1 : h << 4 | l;
}

/* take_record() - decode @len bytes at @hex into @dst. */
static int
take_record(unsigned char *dst, const char *hex, size_t len)
{
	for (size_t k = 0; k < len; k++) {
		int b = byte_at(hex, k);

		if (b < 0)
			return -EINVAL;
		dst[k] = (unsigned char)b;
	}
	return 0;
}

/*
 * take_task() - the core's record, decoded in place over its own digits
 * (byte k lands where digit k was, before digits 2k and 2k + 1 are read):
 * no mapping to make, touch and unmap, the argument being on the stack
 * the kernel built, already there.
 */
static int
take_task(struct vrl_state *st, char *hex, size_t len)
{
	unsigned char *p = (unsigned char *)hex;

	if (take_record(p, hex, len))
		return -EINVAL;
	st->task = p;
	st->task_len = len;
	return 0;
}

/**
 * vrl_state_decode() - parse the HEX of "--state=HEX" into @st (fields
 * not present keep their values); the core's record is decoded in place,
 * so @hex must stay until the namespace is rebuilt from it.  Returns 0 or
 * -EINVAL.
 */
int
vrl_state_decode(struct vrl_state *st, char *hex)
{
	size_t n = strlen(hex) / 2, i = 0, len;
	unsigned char rec[4 * VRL_INHERIT_MAX > SITES_MAX ? 4 * VRL_INHERIT_MAX : SITES_MAX];
	int type, err = 0;

	if (strlen(hex) % 2)
		return -EINVAL;
	while (i + 3 <= n && !err) {
		type = byte_at(hex, i);
		len = (size_t)byte_at(hex, i + 1) | (size_t)byte_at(hex, i + 2) << 8;
		if (type < 0 || byte_at(hex, i + 1) < 0 || byte_at(hex, i + 2) < 0)
			return -EINVAL;
		i += 3;
		if (i + len > n)
			return -EINVAL;
		if (type == REC_TASK) {
			err = take_task(st, hex + 2 * i, len);
		} else if (len <= sizeof(rec)) {
			err = take_record(rec, hex + 2 * i, len);
			if (!err && type == REC_TRACE_FD && len == 4)
				memcpy(&st->trace_fd, rec, 4);
			else if (!err && type == REC_FD_FLOOR && len == 4)
				memcpy(&st->fd_floor, rec, 4);
			else if (!err && type == REC_FAKE_CWD && len < sizeof(st->fake_cwd)) {
				memcpy(st->fake_cwd, rec, len);
				st->fake_cwd[len] = 0;
			} else if (!err && type == REC_REWRITE && len == 1) {
				st->rewrite = rec[0];
			} else if (!err && type == REC_SIGSYS && len == 1) {
				st->sigsys = rec[0];
			} else if (!err && type == REC_FILTER && len == 0) {
				st->filter = 1;
			} else if (!err && type == REC_STATS && len < sizeof(st->stats)) {
				memcpy(st->stats, rec, len);
				st->stats[len] = 0;
			} else if (!err && type == REC_INHERIT && len % 4 == 0 &&
			           len <= sizeof(st->inherit)) {
				memcpy(st->inherit, rec, len);
				st->ninherit = (int)(len / 4);
			} else if (!err && type == REC_SITES) {
				take_sites(st, rec, len);
			}
		}
		i += len;
	}
	return err ? err : i == n ? 0 : -EINVAL;
}

static void
put_rec(struct vrl_buf *b, int type, const void *data, size_t len)
{
	const unsigned char *p = data;
	char h[3] = {0, 0, 0};
	unsigned char hdr[3] = {(unsigned char)type, (unsigned char)len, (unsigned char)(len >> 8)};
	size_t i;

	for (i = 0; i < 3 + len; i++) {
		unsigned char c = i < 3 ? hdr[i] : p[i - 3];

		h[0] = "0123456789abcdef"[c >> 4];
		h[1] = "0123456789abcdef"[c & 15];
		vrl_buf_str(b, h);
	}
}

/**
 * vrl_state_arg() - "--state=HEX" for the next image: the debug records of
 * @st and, with a namespace, task @t packed as it is now (its cwd may have
 * changed since this image started).  The string is mapped; *size receives
 * the mapping's size for vrl_sys2(__NR_munmap) if the exec fails.
 * Returns the string, or NULL (out of memory, or a task too big to pass).
 */
char *
vrl_state_arg(const struct vrl_state *st, struct vr_task *t, size_t *size)
{
	long tlen = t ? vr_task_pack(t, NULL, 0) : 0;
	struct vrl_buf b;
	char *out;
	void *blob = NULL;
	unsigned char sigsys;

	if (tlen < 0 || tlen > 0xffff)
		return NULL;
	*size = 16 + 2 * 2 * (3 + 4) + 2 * (3 + sizeof(st->fake_cwd)) + 2 * 2 * (3 + 1) +
	        2 * (3 + sizeof(st->stats)) + 2 * (3 + sizeof(st->inherit)) +
	        2 * (3 + (size_t)tlen) + (size_t)tlen + 2 * 3 /* REC_FILTER */ +
	        2 * 2 * (3 + SITES_MAX);
	out = (char *)vrl_sys6(__NR_mmap, 0, (long)*size, PROT_READ | PROT_WRITE,
	                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if ((unsigned long)out > -4096UL)
		return NULL;
	vrl_buf_init(&b, out, *size - (size_t)tlen);
	vrl_buf_str(&b, "--state=");
	if (st->trace_fd >= 0)
		put_rec(&b, REC_TRACE_FD, &st->trace_fd, 4);
	if (st->fd_floor)
		put_rec(&b, REC_FD_FLOOR, &st->fd_floor, 4);
	if (st->fake_cwd[0])
		put_rec(&b, REC_FAKE_CWD, st->fake_cwd, strlen(st->fake_cwd));
	if (st->rewrite >= 0) {
		unsigned char rw = (unsigned char)st->rewrite;

		put_rec(&b, REC_REWRITE, &rw, 1);
	}
	if (st->stats[0])
		put_rec(&b, REC_STATS, st->stats, strlen(st->stats));
	if ((sigsys = (unsigned char)vrl_sigsys_exec_state()))
		put_rec(&b, REC_SIGSYS, &sigsys, 1);
	/* This image runs under its filter, and execve keeps filters. */
	put_rec(&b, REC_FILTER, NULL, 0);
	if (vrl_proc.rewrite)
		for (int k = 0; k < 2; k++) {
			struct vrl_site_hints h;
			unsigned char rec[SITES_MAX];

			if (vrl_rw_hints(&vrl_proc.images[k], &h))
				put_rec(&b, REC_SITES, rec, put_sites(rec, &h));
		}
	if (t && vrl_proc.ns) {
		int fds[VRL_INHERIT_MAX];
		unsigned int n = vr_ns_pass_fds(vrl_proc.ns, fds, VRL_INHERIT_MAX);

		put_rec(&b, REC_INHERIT, fds, 4 * (n < VRL_INHERIT_MAX ? n : VRL_INHERIT_MAX));
	}
	if (t) {
		/* The packed bytes go at the end of the mapping, past the text. */
		blob = out + *size - (size_t)tlen;
		if (vr_task_pack(t, blob, (size_t)tlen) != tlen) {
			vrl_sys2(__NR_munmap, out, *size);
			return NULL;
		}
		put_rec(&b, REC_TASK, blob, (size_t)tlen);
	}
	return out;
}
