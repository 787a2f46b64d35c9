/*
 * profile.h - the in-memory model every command works on.
 *
 * A profile is an interned-name stack trie.  Nodes live in one growable
 * array and refer to each other by index; node 0 is the virtual root (no
 * name).  A child is found by walking its parent's short sibling list
 * (nodes of one new path are adjacent in memory, so this is cache-friendly)
 * or, once a parent has many children, through one (parent, name) hash
 * table.  A node's `self` weights are what stacks ending exactly there
 * carried; totals are derived by walking.  Weights are exact 64-bit
 * integers: fractional inputs (flamegraph.pl accepts "12.5") are kept as
 * fixed point with `scale_digits` decimal digits, so sums never round.
 * Two weight columns exist for diffs (before, after); ncols says how many
 * are meaningful.
 *
 * Ownership: the profile owns its names and nodes; ids and node indexes
 * stay valid until flame_profile_release().
 */
#ifndef FLAME_PROFILE_H
#define FLAME_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "strtab.h"

#define FLAME_MAX_SCALE_DIGITS 9
#define FLAME_NO_NODE UINT32_MAX

struct flame_node {
	uint32_t name;         /* strtab id; unused for the root */
	uint32_t parent;       /* node index; FLAME_NO_NODE for the root */
	uint32_t first_child;  /* node index or FLAME_NO_NODE */
	uint32_t next_sibling; /* node index or FLAME_NO_NODE */
	uint64_t self[2];      /* weight of stacks ending here, in profile units */
};

enum flame_unit {
	FLAME_UNIT_SAMPLES = 0, /* counts (or perf periods) */
	FLAME_UNIT_NANOSECONDS,
	FLAME_UNIT_BYTES,
	FLAME_UNIT_EVENTS,
};

struct flame_profile {
	struct flame_strtab names;
	struct flame_node *nodes;
	size_t nnodes, nodes_cap;
	uint8_t *nchild;        /* per node: number of children, saturating at 255 */
	uint32_t *child_slots;  /* children of wide nodes: (parent, name) -> node + 1; 0 = empty */
	size_t nslots;          /* power of two */
	size_t nhashed;         /* entries in child_slots */
	int ncols;              /* 1, or 2 for differential profiles */
	int scale_digits;       /* weights are value * 10^scale_digits */
	enum flame_unit unit;
	int overflow;           /* a weight sum exceeded 2^64-1 (saturated) */
	uint64_t nstacks;       /* stacks added (before merging equal ones) */
	struct flame_timeline *timeline; /* optional sample list; NULL unless enabled */
};

void flame_profile_init(struct flame_profile *p);
void flame_profile_release(struct flame_profile *p);

/* Child of parent named name, created when create is set (else FLAME_NO_NODE). */
uint32_t flame_profile_child(struct flame_profile *p, uint32_t parent, uint32_t name, int create);

/* Add a stack given root-first as name ids; returns its leaf node. */
uint32_t flame_profile_add(struct flame_profile *p, const uint32_t *ids, size_t n,
			   const uint64_t w[2]);

/* Add weight to an existing node (saturating; sets p->overflow). */
void flame_profile_add_weight(struct flame_profile *p, uint32_t node, const uint64_t w[2]);

/* Multiply every weight so that scale_digits becomes digits (>= current). */
void flame_profile_rescale(struct flame_profile *p, int digits);

/* Add all of src's stacks into dst (names re-interned, scales reconciled). */
void flame_profile_merge(struct flame_profile *dst, const struct flame_profile *src);
/* The same, and src is left empty: its memory goes back to the system as
 * the merge reads it, so the peak is about dst + src, not dst + 2 src. */
void flame_profile_merge_consume(struct flame_profile *dst, struct flame_profile *src);

/* Sum of every node's self weight in column col. */
uint64_t flame_profile_total(const struct flame_profile *p, int col);

/* Append weight (fixed point, scale digits) as decimal text, trailing zeros cut. */
struct flame_buf;
void flame_format_weight(struct flame_buf *b, uint64_t w, int scale_digits);

/*
 * The timeline (optional): when a source knows when each sample was taken
 * and in which thread (flame record), it keeps a sample list beside the
 * trie for writers that show time (flame charts, speedscope, Chrome,
 * Firefox).  A sample is a trie leaf plus a few integers; threads are a
 * table with one entry per distinct (pid, tid, name), so a thread renamed
 * by exec or prctl gets a second entry.  Off by default: p->timeline stays
 * NULL, and nothing else in this file reads it (flame_profile_merge() does
 * not carry timelines over); flame_profile_release() frees it.
 */
struct flame_thread {
	uint32_t pid;  /* process id */
	uint32_t tid;  /* thread id (== pid for a main thread) */
	char *name;    /* command name (comm) when sampled; owned, NUL-terminated */
};

struct flame_sample {
	uint64_t time;   /* nanoseconds on the source's clock (record: CLOCK_MONOTONIC) */
	uint64_t weight; /* in profile units, same scale as the trie's weights */
	uint32_t leaf;   /* trie node the sample's stack ends at */
	uint32_t thread; /* index into flame_timeline.threads */
};

struct flame_timeline {
	struct flame_sample *samples; /* in the order added (record: time order) */
	size_t nsamples, samples_cap;
	struct flame_thread *threads;
	size_t nthreads, threads_cap;
	struct flame_hindex thread_index; /* (pid, tid, name) -> thread index */
	uint64_t start, end;          /* nanoseconds: the recorded window, 0 when unknown */
};

/* Start keeping a timeline (idempotent); returns p->timeline. */
struct flame_timeline *flame_profile_timeline_enable(struct flame_profile *p);
/* Index of thread (pid, tid, name[0,len)), added on first use. */
uint32_t flame_timeline_thread(struct flame_timeline *t, uint32_t pid, uint32_t tid,
			       const char *name, size_t len);
/* Append one sample. */
void flame_timeline_add(struct flame_timeline *t, uint32_t leaf, uint32_t thread, uint64_t time,
			uint64_t weight);

#endif
