/*
 * util.h - string and memory helpers for the freestanding core.
 *
 * The core links against no C library, so it carries its own small,
 * obviously-correct versions of the few routines it needs.
 */
#ifndef VR_UTIL_H
#define VR_UTIL_H

#include <stddef.h>
#include <linux/limits.h>

size_t vr_strlen(const char *s);
size_t vr_strnlen(const char *s, size_t max);
int vr_strcmp(const char *a, const char *b);
/* vr_has_prefix() - @s begins with @p.  Return: 1 or 0. */
int vr_has_prefix(const char *s, const char *p);
int vr_memcmp(const void *a, const void *b, size_t n);
void *vr_memcpy(void *dst, const void *src, size_t n);
void *vr_memmove(void *dst, const void *src, size_t n);
void *vr_memset(void *dst, int c, size_t n);

/* vr_path_under() - @path equals @dir or lies below it, on whole components.
 * Return: the length of @dir's match (so path + ret is "" or "/..."), or -1.
 */
long vr_path_under(const char *path, size_t plen, const char *dir, size_t dlen);

/*
 * vr_proc_fd() - "/proc/self/fd/N" for descriptor @fd into @buf; returns
 * @buf.  "/proc/thread-self/fd/N" once vr_fd_tables_apart is set: /proc/self
 * is the process's table, which a thread with a table of its own does not
 * use.
 */
char *vr_proc_fd(char buf[32], int fd);

/*
 * vr_proc_fds() - the directory vr_proc_fd() names descriptors in:
 * "/proc/self/fd", or "/proc/thread-self/fd" once vr_fd_tables_apart is set.
 */
const char *vr_proc_fds(void);

/*
 * vr_fd_tables_apart - a thread of this process may hold a descriptor
 * table of its own (vr_ns_fd_changes_seen(ns, 0)); set for good.
 */
extern int vr_fd_tables_apart;

/*
 * vr_proc_fd_at() - "/proc/self/fd/N/NAME" for @name in directory @dfd
 * into @buf ("" and "." name the link itself).  Return: @buf, or NULL
 * when @name is longer than NAME_MAX.
 */
#define VR_PROC_AT_LEN (32 + NAME_MAX + 2)
char *vr_proc_fd_at(char buf[VR_PROC_AT_LEN], int dfd, const char *name);

/*
 * Extended attributes by a directory descriptor and a name in it, never
 * followed: by the *xattrat() calls (Linux 6.13), which skip the walk of
 * /proc/self/fd/N and its process check (1.5 us against 2.9 here), else
 * through that path.  "." names the directory @dfd itself; its lookup
 * needs search permission on it, which the magic link does not, so a
 * refusal (or @dfd not a directory) asks the link.  "" names whatever
 * @dfd holds, through the link.  Return: as the plain calls.
 */
long vr_xattr_get(int dfd, const char *name, const char *attr, void *value, size_t size);
long vr_xattr_set(int dfd, const char *name, const char *attr, const void *value, size_t size,
                  int flags);
long vr_xattr_list(int dfd, const char *name, char *list, size_t size);
/*
 * vr_chmod_fd() - chmod(2) of the object descriptor @fd holds (O_PATH or
 * not): by fchmodat2(AT_EMPTY_PATH) (Linux 6.6), which spares the walk of
 * its /proc/self/fd path that chmod(2) of that path takes (where the call
 * is missing or refused, that path from then on).  Return: 0 or -errno.
 */
long vr_chmod_fd(int fd, unsigned int mode);
struct stat;
/*
 * vr_same_file_at() - @name in directory @dirfd (not followed) is still
 * the file of stat @st, unchanged since: device, inode and ctime (which
 * any change of its attributes moves).  Return: 1 or 0.
 */
int vr_same_file_at(int dirfd, const char *name, const struct stat *st);

/* vr_xattr_listed() - the listxattr() list @names[0..@n) holds @name. */
int vr_xattr_listed(const char *names, long n, const char *name);

/*
 * vr_tmp_name() - a fresh name for a temporary in the work directory:
 * "#vroot.TID.RANDOM", so a later run can tell a dead writer's leftovers
 * (its thread is gone) from a live one's.
 */
#define VR_TMP_LEN 32
void vr_tmp_name(char buf[VR_TMP_LEN]);

/* vr_utoa() - decimal text of @v into @buf (at least 21 bytes); returns length. */
size_t vr_utoa(unsigned long v, char *buf);

/*
 * vr_proc_key() - what tells process @pid from every other one that had
 * or will have its number: its pidfd's inode number on pidfs (Linux 6.9,
 * never reused while the system runs; three calls), else when it started
 * (field 22 of /proc/PID/stat, in clock ticks since boot; a walk of /proc
 * and a read).  Every process on one kernel gets the same kind.  Return:
 * it, or 0 when the process is gone (or cannot be asked now).
 */
unsigned long vr_proc_key(int pid);

/* struct vr_dirent64 - one record of getdents64(2). */
struct vr_dirent64 {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/*
 * vr_each_entry() - @fn(@arg, @fd, entry) for every entry of host directory
 * @fd but "." and "..", read through @buf (@size bytes of the caller's
 * scratch); stops at the first negative return of @fn.
 * Return: 0, that negative value, or -errno of getdents64.
 */
int vr_each_entry(int fd, char *buf, size_t size,
                  int (*fn)(void *arg, int fd, const struct vr_dirent64 *d), void *arg);

#define VR_MIN(a, b)     ((a) < (b) ? (a) : (b))
#define VR_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
