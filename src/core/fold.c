/*
 * fold.c - the folded form of a name (fold.h): full case folding and
 * canonical decomposition per code point from the generated tables, then
 * combining marks put in canonical order.
 *
 * The tables (build/gen/fold_table.h, written by src/gen/foldgen.c from
 * libutf8proc) hold only the code points that change: a sorted array of
 * rows searched by bisection.  ASCII, most of every name, never reaches
 * them.
 */
#include <errno.h>

#include "fold.h"
#include "util.h"

struct fold_row {
	uint32_t cp;
	uint16_t off; /* into fold_pool */
	uint8_t len;
};

struct fold_ccc {
	uint32_t first, last;
	uint8_t ccc;
};

#include "fold_table.h"

_Static_assert(VR_FOLD_MAX_MAP <= 4, "fold mappings longer than map() can hold");
/* Hangul syllables (3 bytes) become up to 3 jamo of 3 bytes each. */
_Static_assert(VR_FOLD_GROWTH >= 3, "VR_FOLD_GROWTH below the tables' growth");

#define HANGUL_S0 0xac00u
#define HANGUL_L0 0x1100u
#define HANGUL_V0 0x1161u
#define HANGUL_T0 0x11a7u
#define HANGUL_VN 21u
#define HANGUL_TN 28u
#define HANGUL_SN 11172u

/*
 * Decodes one strictly valid UTF-8 sequence at @s (@n bytes left): no
 * overlong forms, no surrogates, nothing above U+10FFFF.  Returns its
 * length with the code point in *@cp, or 0 when the bytes are not one.
 */
static size_t
decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2, c &= 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, c &= 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static int
valid_utf8(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t i = 0, k;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		k = decode(s + i, n - i, &cp);
		if (!k)
			return 0;
		i += k;
	}
	return 1;
}

static size_t
encode(uint32_t c, unsigned char b[4])
{
	if (c < 0x80) {
		b[0] = (unsigned char)c;
		return 1;
	}
	if (c < 0x800) {
		b[0] = (unsigned char)(0xc0 | c >> 6);
		b[1] = (unsigned char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		b[0] = (unsigned char)(0xe0 | c >> 12);
		b[1] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		b[2] = (unsigned char)(0x80 | (c & 0x3f));
		return 3;
	}
	b[0] = (unsigned char)(0xf0 | c >> 18);
	b[1] = (unsigned char)(0x80 | (c >> 12 & 0x3f));
	b[2] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
	b[3] = (unsigned char)(0x80 | (c & 0x3f));
	return 4;
}

/* The canonical combining class of @c (0 for a starter). */
static unsigned
ccc(uint32_t c)
{
	size_t lo = 0, hi = VR_ARRAY_SIZE(fold_cccs);

	if (c < 0x300)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c > fold_cccs[mid].last)
			lo = mid + 1;
		else if (c < fold_cccs[mid].first)
			hi = mid;
		else
			return fold_cccs[mid].ccc;
	}
	return 0;
}

/* The folded, decomposed code points of @c into @m; returns how many. */
static size_t
map(uint32_t c, uint32_t m[4])
{
	size_t lo = 0, hi = VR_ARRAY_SIZE(fold_rows), i;

	if (c < 0x80) {
		m[0] = c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
		return 1;
	}
	if (c - HANGUL_S0 < HANGUL_SN) {
		uint32_t s = c - HANGUL_S0, t = s % HANGUL_TN;

		m[0] = HANGUL_L0 + s / (HANGUL_VN * HANGUL_TN);
		m[1] = HANGUL_V0 + s % (HANGUL_VN * HANGUL_TN) / HANGUL_TN;
		if (!t)
			return 2;
		m[2] = HANGUL_T0 + t;
		return 3;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c > fold_rows[mid].cp) {
			lo = mid + 1;
		} else if (c < fold_rows[mid].cp) {
			hi = mid;
		} else {
			for (i = 0; i < fold_rows[mid].len; i++)
				m[i] = fold_pool[fold_rows[mid].off + i];
			return fold_rows[mid].len;
		}
	}
	m[0] = c;
	return 1;
}

/*
 * Appends @c to the folded form in @out (*@pos bytes so far), moved back
 * past the combining marks of a higher class before it: the canonical
 * ordering, a stable insertion sort of each run of marks.
 */
static int
append(unsigned char *out, size_t *pos, size_t outsize, uint32_t c)
{
	unsigned char b[4];
	size_t k = encode(c, b), at = *pos;
	unsigned cls = ccc(c);

	if (outsize - *pos < k)
		return -ENAMETOOLONG;
	while (cls && at > 0) {
		size_t p = at - 1;
		uint32_t prev;

		while (p > 0 && (out[p] & 0xc0) == 0x80)
			p--;
		decode(out + p, at - p, &prev);
		if (ccc(prev) <= cls)
			break;
		at = p;
	}
	vr_memmove(out + at + k, out + at, *pos - at);
	vr_memcpy(out + at, b, k);
	*pos += k;
	return 0;
}

long
vr_fold_name(const char *name, size_t len, char *out, size_t outsize)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t i = 0, pos = 0;

	if (!valid_utf8(s, len)) {
		if (len > outsize)
			return -ENAMETOOLONG;
		vr_memcpy(out, name, len);
		return (long)len;
	}
	while (i < len) {
		uint32_t c, m[4];
		size_t n, j;

		i += decode(s + i, len - i, &c);
		n = map(c, m);
		for (j = 0; j < n; j++) {
			if (append((unsigned char *)out, &pos, outsize, m[j]) < 0)
				return -ENAMETOOLONG;
		}
	}
	return (long)pos;
}

static uint64_t
mix(uint64_t h)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	return h ^ h >> 31;
}

/*
 * The code points of the folded form, in the order map() gives them: the
 * canonical ordering only permutes each run of combining marks, so a run
 * is hashed as the sum of its marks' hashes, which no permutation changes.
 */
uint64_t
vr_fold_hash(const char *name, size_t len)
{
	const unsigned char *s = (const unsigned char *)name;
	uint64_t h = 0x6c62272e07bb0142ull, run = 0;
	size_t i = 0;

	if (!valid_utf8(s, len)) {
		/* Apart from every valid name's hash: a code point is < 2^21. */
		for (i = 0; i < len; i++)
			h = mix(h ^ (1ull << 32 | s[i]));
		return mix(h ^ len);
	}
	while (i < len) {
		uint32_t c, m[4];
		size_t n, j;

		i += decode(s + i, len - i, &c);
		n = map(c, m);
		for (j = 0; j < n; j++) {
			if (ccc(m[j])) {
				run += mix(m[j] | 1ull << 40);
				continue;
			}
			if (run)
				h = mix(h ^ run);
			run = 0;
			h = mix(h ^ m[j]);
		}
	}
	if (run)
		h = mix(h ^ run);
	return h;
}

const char *
vr_fold_unicode_version(void)
{
	return VR_FOLD_UNICODE_VERSION;
}
