/*
 * xname.c - the names of extended attributes in the root overlay.
 *
 * The overlay keeps its own bookkeeping in xattrs ("user.overlay.*", and
 * "trusted.overlay.*" for a privileged kernel overlay, and the owner a
 * copy shows, owner.h): those are hidden from listings and read as absent.
 * A program may still use those names -- another vroot session or a kernel
 * overlay nested inside keeps its own overlay in them -- so in the root
 * overlay they are escaped on disk, as kernel overlayfs escapes them since
 * Linux 6.7 ("user.overlay.X" kept as "user.overlay.overlay.X"): the name a
 * program gives, less its "user." (or "trusted.overlay."), goes after the
 * overlay's own prefix, which keeps "user.containers.override_stat" as
 * "user.overlay.containers.override_stat".  The program reads, lists and
 * removes them by its own names; the overlay never takes them for its own.
 */
#include "owner.h"
#include "util.h"
#include "vroot.h"
#include "xname.h"

#define USER_OVL    "user.overlay."
#define TRUSTED_OVL "trusted.overlay."

/* reserved() - a program's attribute @name is one the overlay keeps for itself. */
static int
reserved(const char *name)
{
	return vr_has_prefix(name, USER_OVL) || vr_has_prefix(name, TRUSTED_OVL) ||
	       vr_strcmp(name, VR_OWNER_XATTR) == 0;
}

size_t
vr_xattr_escaped(const char *name)
{
	size_t ns = vr_has_prefix(name, "user.")      ? sizeof("user.") - 1
	            : vr_has_prefix(name, "trusted.") ? sizeof("trusted.") - 1
	                                              : 0;
	char buf[XATTR_NAME_MAX + 1];
	size_t n = vr_strnlen(name, XATTR_NAME_MAX);

	if (!ns || !vr_has_prefix(name + ns, "overlay."))
		return 0;
	vr_memcpy(buf, name, ns);
	vr_memcpy(buf + ns, name + ns + 8, n - ns - 8);
	buf[n - 8] = '\0';
	return reserved(buf) ? ns : 0;
}

int
vr_xattr_hidden(const char *name)
{
	return reserved(name) && !vr_xattr_escaped(name);
}

const char *
vr_xattr_escape(const char *name, char *buf)
{
	size_t ns = name[0] == 'u' ? sizeof("user.") - 1 : sizeof("trusted.") - 1, n;

	if (!reserved(name))
		return name;
	n = vr_strnlen(name, XATTR_NAME_MAX);
	vr_memcpy(buf, name, ns);
	vr_memcpy(buf + ns, "overlay.", 8);
	vr_memcpy(buf + ns + 8, name + ns, n - ns);
	buf[n + 8] = '\0';
	return buf;
}
