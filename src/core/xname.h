/*
 * xname.h - the names of extended attributes in the root overlay (xname.c).
 */
#ifndef VR_XNAME_H
#define VR_XNAME_H

#include <stddef.h>

/*
 * vr_xattr_escaped() - the on-disk name @name is a program's attribute
 * escaped: an "overlay." put after its namespace ("user." or "trusted.")
 * in front of a name the overlay keeps for itself.  Return: the
 * namespace's length, or 0.
 */
size_t vr_xattr_escaped(const char *name);

/*
 * vr_xattr_escape() - the on-disk name of a program's attribute @name in
 * the root overlay: @name itself, or its escaped form built in @buf
 * (XATTR_NAME_MAX + 9 bytes; a name grown past XATTR_NAME_MAX is the
 * kernel's to refuse, with ERANGE, as kernel overlayfs's is).
 */
const char *vr_xattr_escape(const char *name, char *buf);

#endif
