/*
 * fold.c - the core's folded form of a name (src/core/fold.c): a table of
 * the rows a case-insensitive namespace promises, then every code point
 * and random strings checked against libutf8proc's own folding
 * (utf8proc_map with UTF8PROC_CASEFOLD | UTF8PROC_DECOMPOSE), which the
 * core's tables are generated from.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "tap.h"
#include "../../src/core/fold.h"

#define BUF 1024

/* The folded form of @s as a NUL-terminated string (static buffer). */
static const char *
folded(const char *s, char out[BUF])
{
	long n = vr_fold_name(s, strlen(s), out, BUF - 1);

	if (n < 0)
		return "(error)";
	out[n] = 0;
	return out;
}

static int
same(const char *a, const char *b)
{
	char fa[BUF], fb[BUF];

	return strcmp(folded(a, fa), folded(b, fb)) == 0;
}

static void
is_name(const char *a, const char *b, int want, const char *what)
{
	char fa[BUF], fb[BUF];
	int got = same(a, b);

	ok(got == want, "%s: %s", what, want ? "same name" : "different names");
	if (got != want)
		diag("folded: \"%s\" and \"%s\"", folded(a, fa), folded(b, fb));
	/* Names that fold alike must hash alike: the index relies on it. */
	if (want)
		ok(vr_fold_hash(a, strlen(a)) == vr_fold_hash(b, strlen(b)), "%s: same hash", what);
}

static void
rows(void)
{
	char f[BUF];

	is_name("Makefile", "MAKEFILE", 1, "ASCII letters");
	is_name("foo.c", "Foo.C", 1, "ASCII with punctuation");
	is_name("a_b-1", "A_B-1", 1, "ASCII digits and marks stay");
	is_name("a", "b", 0, "ASCII different letters");
	is_name("stra\xc3\x9f\x65", "STRASSE", 1, "sharp s folds to ss");
	is_name("\xe1\xba\x9e", "ss", 1, "capital sharp s folds to ss");
	is_name("\xef\xac\x81le", "FILE", 1, "fi ligature folds to fi");
	is_name("\xce\xbf\xce\xb4\xce\xbf\xcf\x82", "\xce\x9f\xce\x94\xce\x9f\xce\xa3", 1,
	        "final sigma and capital sigma");
	is_name("\xcf\x82", "\xcf\x83", 1, "final sigma and sigma");
	is_name("\xc3\xa9", "e\xcc\x81", 1, "NFC and NFD e acute");
	is_name("\xc3\x89", "e\xcc\x81", 1, "NFC capital E acute and NFD e acute");
	is_name("\xc3\xa9", "e", 0, "e acute is not e");
	is_name("I", "i", 1, "I folds to i (not Turkic)");
	is_name("I", "\xc4\xb1", 0, "I is not dotless i");
	is_name("\xc4\xb1", "i", 0, "dotless i is its own name");
	is_name("\xc4\xb0", "i", 0, "capital dotted I is not i");
	is_name("\xc4\xb0", "i\xcc\x87", 1, "capital dotted I is i with a dot above");
	is_name("\xea\xb0\x81", "\xe1\x84\x80\xe1\x85\xa1\xe1\x86\xa8", 1,
	        "Hangul syllable and its jamo");
	/* ccc 230 then 220, in either order: one name (canonical ordering). */
	is_name("a\xcc\x81\xcc\xa3", "a\xcc\xa3\xcc\x81", 1, "combining marks reordered");
	is_name("\xe1\xba\xa1\xcc\x81", "a\xcc\x81\xcc\xa3", 1, "precomposed dot below then acute");
	/* Two marks of one class keep their order: different names. */
	is_name("a\xcc\x81\xcc\x80", "a\xcc\x80\xcc\x81", 0, "marks of one class keep order");

	/* Not UTF-8: the bytes are the name, matched exactly. */
	is_name("A\xff", "A\xff", 1, "invalid UTF-8 matches itself");
	is_name("A\xff", "a\xff", 0, "invalid UTF-8 is not folded");
	is_str(folded("AB\xc3", f), "AB\xc3", "truncated sequence: bytes unchanged");
	is_str(folded("X\xc0\xaf", f), "X\xc0\xaf", "overlong form: bytes unchanged");
	is_str(folded("X\xed\xa0\x80", f), "X\xed\xa0\x80", "surrogate: bytes unchanged");
	is_str(folded("X\xf4\x90\x80\x80", f), "X\xf4\x90\x80\x80",
	       "above U+10FFFF: bytes unchanged");
	is_name("X\xc0\xaf", "x/", 0, "overlong slash is not a slash");

	is_int(vr_fold_name("ABC", 3, f, 2), -ENAMETOOLONG, "too small a buffer: ENAMETOOLONG");
	is_int(vr_fold_name("\xc3\x9f", 2, f, 1), -ENAMETOOLONG, "ss in 1 byte: ENAMETOOLONG");
	is_int(vr_fold_name("", 0, f, 0), 0, "empty name");
	ok(strlen(vr_fold_unicode_version()) >= 5, "Unicode version %s", vr_fold_unicode_version());
	is_str(vr_fold_unicode_version(), utf8proc_unicode_version(),
	       "libutf8proc's Unicode version");
}

/* libutf8proc's folded form of @s (@n bytes) into @out; returns its length. */
static long
reference(const char *s, size_t n, char *out, size_t outsize)
{
	utf8proc_uint8_t *r = NULL;
	utf8proc_ssize_t len;

	len = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &r,
	                   UTF8PROC_CASEFOLD | UTF8PROC_DECOMPOSE);
	if (len < 0 || (size_t)len > outsize) {
		free(r);
		return -1;
	}
	memcpy(out, r, (size_t)len);
	free(r);
	return len;
}

static size_t
put(uint32_t c, char *b)
{
	return (size_t)utf8proc_encode_char((utf8proc_int32_t)c, (utf8proc_uint8_t *)b);
}

/* Every code point alone, against libutf8proc; growth and hash checked. */
static void
every_code_point(void)
{
	unsigned bad = 0, badhash = 0, badgrowth = 0, checked = 0;
	uint32_t c;

	for (c = 0; c <= 0x10ffff; c++) {
		char s[8], got[64], want[64], twice[64];
		size_t n;
		long g, w, t;

		if (c >= 0xd800 && c <= 0xdfff)
			continue;
		n = put(c, s);
		g = vr_fold_name(s, n, got, sizeof(got));
		w = reference(s, n, want, sizeof(want));
		checked++;
		if (g != w || memcmp(got, want, (size_t)w) != 0) {
			if (bad++ < 5)
				diag("U+%04X: %ld bytes, want %ld", c, g, w);
			continue;
		}
		if (vr_fold_name(s, n, got, n * VR_FOLD_GROWTH) != g)
			badgrowth++;
		/* The hash of a name is the hash of its folded form's fold. */
		t = vr_fold_name(got, (size_t)g, twice, sizeof(twice));
		if (t == g && memcmp(twice, got, (size_t)g) == 0 &&
		    vr_fold_hash(s, n) != vr_fold_hash(got, (size_t)g))
			badhash++;
	}
	is_int(bad, 0, "%u code points fold as libutf8proc folds them", checked);
	is_int(badgrowth, 0, "VR_FOLD_GROWTH bytes per byte suffice");
	is_int(badhash, 0, "a code point and its folded form hash alike");
}

/*
 * Random strings of letters, combining marks of several classes, Greek,
 * Hangul and ligatures: the canonical ordering of marks across mappings.
 */
static void
random_strings(void)
{
	static const uint32_t pick[] = {
	        'a',   'A',   'e',   'I',   0xdf,   0xc9,   0xe9,   0x1ea1, 0x1e9e, 0x3a3,
	        0x3c2, 0x390, 0x130, 0x131, 0xfb01, 0xac01, 0xac00, 0x1100, 0x1161, 0x11a8,
	        0x300, 0x301, 0x323, 0x327, 0x328,  0x345,  0x5b0,  0x94d,  0x1dce, 0x302,
	};
	unsigned bad = 0, badhash = 0, i;

	srand(14);
	for (i = 0; i < 20000; i++) {
		char s[128], got[BUF], want[BUF], twice[BUF];
		size_t n = 0, k = 1 + (size_t)rand() % 12, j;
		long g, w;

		for (j = 0; j < k; j++)
			n += put(pick[(size_t)rand() % (sizeof(pick) / sizeof(pick[0]))], s + n);
		g = vr_fold_name(s, n, got, sizeof(got));
		w = reference(s, n, want, sizeof(want));
		if (g != w || memcmp(got, want, (size_t)w) != 0) {
			if (bad++ < 5)
				diag("random string %u differs (%ld, want %ld)", i, g, w);
			continue;
		}
		if (vr_fold_name(got, (size_t)g, twice, sizeof(twice)) == g &&
		    memcmp(twice, got, (size_t)g) == 0 &&
		    vr_fold_hash(s, n) != vr_fold_hash(got, (size_t)g))
			badhash++;
	}
	is_int(bad, 0, "20000 random strings fold as libutf8proc folds them");
	is_int(badhash, 0, "a random string and its folded form hash alike");
}

int
main(void)
{
	rows();
	every_code_point();
	random_strings();
	return done_testing();
}
