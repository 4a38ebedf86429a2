/*
 * fixture.h - building throw-away directory trees for tests.
 *
 * Every helper takes a root directory and a path relative to it, creates
 * missing parent directories, and returns 0 or -errno.  fx_tmpdir() makes a
 * fresh directory under /tmp and fx_rmrf() removes a tree again.
 */
#ifndef VR_FIXTURE_H
#define VR_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

/**
 * fx_tmpdir() - create a directory /tmp/@tag.XXXXXX.
 * Return: its canonical path (all symlinks resolved), malloc'd and owned by
 * the caller, or NULL with errno set.
 */
char *fx_tmpdir(const char *tag);

/** fx_path() - "@root/@rel" into @buf of @size bytes.  Return: 0 or -ENAMETOOLONG. */
int fx_path(char *buf, size_t size, const char *root, const char *rel);

/** fx_mkdirs() - mkdir -p @root/@rel (mode 0755). */
int fx_mkdirs(const char *root, const char *rel);

/** fx_file() - create (or truncate) @root/@rel holding @content. */
int fx_file(const char *root, const char *rel, const char *content);

/** fx_symlink() - create symlink @root/@rel with body @target. */
int fx_symlink(const char *root, const char *rel, const char *target);

/**
 * fx_whiteout() - create an overlay whiteout (character device 0:0) at
 * @root/@rel.  Return: 0, or -EPERM where the kernel refuses it.
 */
int fx_whiteout(const char *root, const char *rel);

/** fx_opaque() - mark directory @root/@rel opaque (user.overlay.opaque=y). */
int fx_opaque(const char *root, const char *rel);

/** fx_exists() - @root/@rel exists (lstat succeeds). */
int fx_exists(const char *root, const char *rel);

/* A growing string: zero-initialise, add to it, free(b.p) when done. */
struct sb {
	char *p;
	size_t len, cap;
};

/** sb_addn() - append @n bytes of @s (aborts when memory runs out). */
void sb_addn(struct sb *b, const char *s, size_t n);
/** sb_add() - append the string @s. */
void sb_add(struct sb *b, const char *s);
/** sb_addf() - append printf(3) output, whatever its length. */
void sb_addf(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/**
 * sb_esc() - append @s[0..n): quotes and backslashes as \c, other bytes
 * outside printable ASCII as \xNN.
 */
void sb_esc(struct sb *b, const char *s, size_t n);

/** bail_out() - TAP's "Bail out!" with a reason, and exit(1): the test cannot go on. */
void bail_out(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/** pathf() - snprintf(3) of a path the test builds; one that does not fit bails out. */
void pathf(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A seeded PRNG (splitmix64), so a failing generated case can be repeated. */
struct rng {
	uint64_t s;
};

/** rng_next() - the next 64 random bits. */
uint64_t rng_next(struct rng *r);
/** rnd() - a number below @n (@n > 0). */
unsigned int rnd(struct rng *r, unsigned int n);

/** fx_rmrf() - remove @path and everything below it, never following symlinks. */
int fx_rmrf(const char *path);

#endif
