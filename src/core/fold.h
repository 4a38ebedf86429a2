/*
 * fold.h - names compared the way a case-insensitive, normalization-
 * insensitive filesystem (APFS) compares them (fold.c).
 *
 * Two names are the same name in a folding directory when their folded
 * forms are byte-equal.  The folded form of a valid UTF-8 name is its full
 * Unicode case folding, canonically decomposed (NFD) with combining marks
 * in canonical order: "Straße", "STRASSE" and "strasse" are one name, and
 * so are the NFC and NFD spellings of "é".  The folding is not Turkic: "I"
 * folds to "i", and dotless "ı" stays itself.  A name that is not valid
 * UTF-8 is its own folded form, byte for byte, so it only ever matches
 * itself (no valid name's folded form equals it, as those are valid
 * UTF-8).  The tables come from libutf8proc at build time
 * (src/gen/foldgen.c); VR_FOLD_UNICODE_VERSION says which Unicode.
 */
#ifndef VR_FOLD_H
#define VR_FOLD_H

#include <stddef.h>
#include <stdint.h>

/* A folded name is at most this many times as long as the name. */
#define VR_FOLD_GROWTH 3

/*
 * vr_fold_name() - the folded form of @name (@len bytes, no NUL needed)
 * into @out (@outsize bytes; VR_FOLD_GROWTH * @len always suffice).  No
 * NUL is written.
 * Return: the folded form's length, or -ENAMETOOLONG when it does not fit.
 */
long vr_fold_name(const char *name, size_t len, char *out, size_t outsize);

/*
 * vr_fold_hash() - a 64-bit hash of @name's folded form (@len bytes of
 * @name): names that fold alike hash alike, without a buffer for the
 * folded form.  Equal hashes do not prove equal folded forms.
 */
uint64_t vr_fold_hash(const char *name, size_t len);

/* vr_fold_unicode_version() - the Unicode version of the tables, "15.0.0". */
const char *vr_fold_unicode_version(void);

#endif
