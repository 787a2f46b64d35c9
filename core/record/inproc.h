/*
 * inproc.h - flame's side of the in-process sampler (libflame-preload.so,
 * core/record/preload/): finding the library, starting a command with it, and
 * reading what it wrote once the command has ended.
 *
 * The command gets LD_PRELOAD (the library appended to any value it had),
 * FLAME_PRELOAD_OUT (a private temporary directory the streams go to),
 * FLAME_PRELOAD_FREQ and FLAME_PRELOAD_DEPTH through flame's environment:
 * flame_inproc_start() sets them, the caller forks the command
 * (core/record/launch.h), flame_inproc_env_restore() puts flame's own back.
 *
 * Ownership: struct flame_inproc is the caller's; flame_inproc_end()
 * removes the directory and frees what start allocated.
 */
#ifndef FLAME_INPROC_H
#define FLAME_INPROC_H

#include <stddef.h>
#include <stdint.h>

#include "../error.h"
#include "prestream.h"
#include "sampler.h"

#define FLAME_INPROC_LIB "libflame-preload.so"

struct flame_inproc {
	char lib[4096];      /* the library's absolute path */
	char dir[4096];      /* the streams' directory; "" when none */
	char *old_preload;   /* LD_PRELOAD before start (NULL: unset) */
	int env_set;
};

/* Find the library: beside the flame executable (the build tree), in
 * ../LIBDIR/flame/ from it, and in the install directory.  -1 with err
 * naming the places looked at. */
int flame_inproc_find(char *out, size_t cap, struct flame_error *err);

/* Whether argv0 (searched in PATH like execvp) can take LD_PRELOAD: -1
 * with err for a statically linked or set-user-ID program.  0 when it can,
 * or when it cannot be found (exec will say so). */
int flame_inproc_check_command(const char *argv0, struct flame_error *err);

/* Whether perf_event_open is refused here for lack of permission (EACCES,
 * EPERM: perf_event_paranoid, capabilities, seccomp) or hidden (ENOSYS):
 * the errno, else 0.  why gets a short reason ("Permission denied, a
 * seccomp filter is installed"). */
int flame_inproc_perf_denied(char *why, size_t cap);

/* Find the library, make the directory and set the environment. */
int flame_inproc_start(struct flame_inproc *p, uint64_t freq, unsigned depth,
		       struct flame_error *err);
/* flame's environment as before flame_inproc_start(). */
void flame_inproc_env_restore(struct flame_inproc *p);
/* Feed the streams to cb (see prestream.h). */
int flame_inproc_collect(struct flame_inproc *p, flame_sampler_cb cb, void *ctx,
			 struct flame_prestream_stats *st, struct flame_error *err);
/* Restore the environment, remove the directory and its streams. */
void flame_inproc_end(struct flame_inproc *p);

#endif
