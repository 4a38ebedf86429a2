/*
 * readdir.h - listing a merged directory (readdir.c).
 */
#ifndef VR_READDIR_H
#define VR_READDIR_H

#include "walk.h"

/* vr_dir_is_empty() - the merged directory w->node lists nothing but "." and "..". */
int vr_dir_is_empty(struct vr_walk *w);

/*
 * vr_dir_foreach() - call @fn for each name of the merged directory
 * w->node (not "." and ".."), in listing order; a negative return of @fn
 * stops the walk and is returned.  Return: 0 or -errno.
 */
int vr_dir_foreach(struct vr_walk *w, int (*fn)(void *arg, const char *name, unsigned char type),
                   void *arg);

#endif
