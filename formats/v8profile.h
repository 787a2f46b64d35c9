/*
 * v8profile.h - V8 CPU profiles: the .cpuprofile file, and the same data
 * inside Chrome traces (Profile + ProfileChunk events, or one CpuProfile
 * event).  Collects nodes, samples and time deltas as they stream by, and
 * turns them into stacks at the end.
 *
 * Weights: a sample weighs the time to the next sample of its profile (as
 * speedscope reads it); the last sample has nothing after it and weighs 0.
 * Samples on the root node carry no frame and add nothing.  Times are µs
 * in the file and ns in the profile, exactly.  A profile written by flame
 * from counts says "flameWeightUnit": "none": then 1000 µs is one count.
 *
 * Repairs, as DevTools and speedscope make them, each reported once per
 * profile through the diag (with the count and the first place):
 *   - a negative time delta (Chrome writes a few) puts its sample at the
 *     previous sample's time: times never go back, later deltas count
 *     from the true sum (speedscope's clamping);
 *   - a sample of a node that is not among the nodes is dropped;
 *   - a "(garbage collector)" sample is stacked on the previous sample's
 *     stack (whose work caused the collection), not on the root.
 *     "(program)" stays a root: speedscope stacks it too, DevTools does
 *     not, and time outside JavaScript is not the last stack's.
 */
#ifndef FLAME_V8PROFILE_H
#define FLAME_V8PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/diag.h"
#include "../core/json.h"
#include "../core/profile.h"

struct v8_node {
	uint32_t id, parent; /* parent: node id, or UINT32_MAX for a root */
	uint32_t name;       /* strtab id in the profile */
	uint32_t trie;       /* resolved trie node + 1; 0 = not yet */
};

struct v8_prof {
	char *key;           /* profile id ("0x1"), or "" for a .cpuprofile */
	uint32_t pid, tid;
	struct v8_node *nodes;
	size_t nnodes, nodes_cap;
	uint32_t *kids;      /* (parent, child) pairs from "children" lists */
	size_t nkids, kids_cap;
	uint32_t *samples;
	size_t nsamples, samples_cap;
	struct flame_buf deltas; /* NUL-separated number texts */
	size_t ndeltas;
	struct flame_buf start;  /* startTime text */
	uint64_t neg_at;         /* byte offset of the first negative delta + 1; 0: none */
};

struct v8_profiles {
	struct v8_prof *v;
	size_t n, cap;
	int counts;          /* flameWeightUnit "none" */
};

/* Profile with key (created on first use). */
struct v8_prof *v8_profile(struct v8_profiles *v, const char *key, uint32_t pid, uint32_t tid);
/* A "nodes" element / a samples value / a timeDeltas value / startTime. */
int v8_add_node(struct v8_prof *q, struct flame_profile *p, const struct flame_json_doc *d, uint32_t node,
		const char **err);
int v8_add_sample(struct v8_prof *q, const struct flame_json_doc *d, uint32_t v, const char **err);
/* at: the byte offset reported for a negative delta (the value's, or its event's) */
int v8_add_delta(struct v8_prof *q, const struct flame_json_doc *d, uint32_t v, uint64_t at, const char **err);
/* A whole cpuProfile object {nodes, samples, timeDeltas?, startTime?} */
int v8_add_cpuprofile(struct v8_prof *q, struct flame_profile *p, const struct flame_json_doc *d,
		      uint32_t obj, uint32_t deltas, uint64_t at, const char **err);
/* A trace event named name, nl bytes ("Profile", "ProfileChunk", "CpuProfile"),
 * of any phase; at: the event's byte offset. */
int v8_profiles_event(struct v8_profiles *v, struct flame_profile *p, const struct flame_json_doc *d,
		      uint32_t ev, const char *name, size_t nl, uint32_t pid, uint32_t tid, uint64_t at,
		      const char **err);
size_t v8_profiles_count(const struct v8_profiles *v);
/* Samples in all profiles so far. */
size_t v8_profiles_samples(const struct v8_profiles *v);
/* Build stacks; thread_name(ctx, pid, tid) names timeline threads.  Repairs
 * are reported to diag (may be NULL) at chunk, byte offsets in the text. */
int v8_profiles_finish(struct v8_profiles *v, struct flame_profile *p, int want_timeline,
		       const char *(*thread_name)(void *, uint32_t, uint32_t), void *ctx,
		       struct flame_diag *diag, uint64_t chunk, const char **err);
void v8_profiles_release(struct v8_profiles *v);

#endif
