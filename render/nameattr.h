/*
 * nameattr.h - the parsed --nameattr file as the SVG writer reads it.
 * Internal to render/: the file type and its parser are public, in
 * render.h.  Entries belong to the struct flame_nameattr; lookups borrow
 * them.
 */
#ifndef FLAME_NAMEATTR_H
#define FLAME_NAMEATTR_H

#include <stddef.h>

#include "render.h"

struct na_attr {
	char *key;   /* attribute name as written ("class", "xlink:href", ...) */
	char *value; /* raw value, escaped on output */
};

struct nameattr_entry {
	char *name;
	size_t len;
	char *title;         /* NULL: the usual title */
	int link;            /* has an href: <a> instead of <g> */
	struct na_attr *attrs;
	size_t nattrs;
};

/* The entry for the frame name s[0,n), or NULL (na may be NULL). */
const struct nameattr_entry *flame_nameattr_find(const struct flame_nameattr *na, const char *s,
						  size_t n);

#endif
