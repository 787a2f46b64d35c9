/*
 * perfrec.h - perf_event records, decoded: one layout-driven decoder for
 * the ring buffers of flame record and the records of a perf.data file.
 *
 * A record's body depends on the perf_event_attr of the event that wrote
 * it: which PERF_SAMPLE_* fields a sample carries (sample_type), what a
 * PERF_SAMPLE_READ value looks like (read_format), how many registers
 * come with PERF_SAMPLE_REGS_USER (the mask's bit count), and whether
 * non-sample records end in a sample_id trailer (sample_id_all).  struct
 * flame_perf_layout holds exactly that; flame_perf_decode() walks the
 * fields in the order the kernel writes them (include/uapi/linux/
 * perf_event.h) and fills a struct flame_sample_rec.
 *
 * Every length and count is checked against the record's size: a
 * malformed record is refused (-1), never read past.  Pointers in the
 * result point into the record; the record must be 8-byte aligned (ring
 * buffer records and perf.data records are) and outlive their use.
 */
#ifndef FLAME_PERFREC_H
#define FLAME_PERFREC_H

#include <stddef.h>
#include <stdint.h>

enum flame_rec_type {
	FLAME_REC_SAMPLE,
	FLAME_REC_MMAP,   /* an executable mapping (PERF_RECORD_MMAP or MMAP2) */
	FLAME_REC_COMM,   /* a thread's name changed, or it called exec */
	FLAME_REC_FORK,   /* a new thread or process */
	FLAME_REC_EXIT,
	FLAME_REC_LOST,   /* the kernel dropped records: the ring buffer was full */
	FLAME_REC_THROTTLE,
	FLAME_REC_SWITCH, /* the task left or came back to a CPU (PERF_RECORD_SWITCH*) */
};

struct flame_sample_rec {
	enum flame_rec_type type;
	uint32_t pid, tid; /* for FORK and EXIT: the new (or exiting) task */
	uint64_t time;     /* nanoseconds (CLOCK_MONOTONIC for flame record) */
	uint64_t id;       /* event id (PERF_SAMPLE_ID or IDENTIFIER), 0 when absent */
	uint32_t cpu;      /* PERF_SAMPLE_CPU, 0 when absent */
	unsigned event;    /* which of the caller's events wrote it; set by the caller */
	union {
		struct {
			uint64_t ip;
			uint64_t period;     /* event units: ns for the clocks */
			const uint64_t *ips; /* callchain, leaf first, with PERF_CONTEXT_* markers */
			uint32_t nips;
			int kernel;          /* the sample was taken in kernel mode */
			const void *raw;     /* PERF_SAMPLE_RAW (tracepoint fields), NULL when absent */
			uint32_t raw_size;
			uint64_t regs_abi;   /* PERF_SAMPLE_REGS_USER: PERF_SAMPLE_REGS_ABI_*, 0 none */
			const uint64_t *regs;/* ... one per bit of regs_mask, low bit first */
			uint32_t nregs;
			uint64_t regs_mask;  /* the layout's regs_user: which PERF_REG_* they are */
			const unsigned char *stack; /* PERF_SAMPLE_STACK_USER: bytes from the user sp */
			uint64_t stack_size;        /* ... valid bytes (the dynamic size), 0 none */
		} sample;
		struct {
			uint64_t start, len, pgoff; /* bytes */
			uint32_t maj, min;
			uint64_t ino, ino_generation;
			uint32_t prot, flags;
			const char *filename;
			const unsigned char *build_id; /* MMAP2 carrying a build-id, else NULL */
			uint32_t build_id_size;
		} mmap;
		struct {
			const char *comm;
			int exec; /* the name changed because of exec */
		} comm;
		struct {
			uint32_t ppid, ptid; /* the creator */
		} fork;
		struct {
			uint64_t lost; /* records (samples, mostly) lost */
		} lost;
		struct {
			int out;       /* switched out (else in) */
			int preempt;   /* out while still runnable (preempted) */
			uint32_t other_pid, other_tid; /* CPU-wide records: the next/previous task */
		} sw;
	} u;
};

struct flame_perf_layout {
	uint64_t sample_type;        /* perf_event_attr.sample_type */
	uint64_t read_format;        /* ... .read_format */
	uint64_t regs_user;          /* ... .sample_regs_user */
	uint64_t regs_intr;          /* ... .sample_regs_intr */
	uint64_t branch_sample_type; /* ... .branch_sample_type */
	int sample_id_all;           /* ... .sample_id_all */
};

/* Decode the record at rec (header included; len is the header's size).
 * 1: decoded into *out; 0: a record type flame does not use; -1:
 * malformed (a field runs past len, a string is not terminated). */
int flame_perf_decode(const struct flame_perf_layout *l, const void *rec, size_t len,
		      struct flame_sample_rec *out);

/* Whether flame_perf_decode() can return 1 for records of this type
 * (PERF_RECORD_*): the others may be skipped unread. */
int flame_perf_type_used(uint32_t type);

/* The record's time (0 when it carries none), for ordering records of
 * several buffers without decoding them. */
uint64_t flame_perf_time(const struct flame_perf_layout *l, const void *rec, size_t len);

/* The record's event id (PERF_SAMPLE_IDENTIFIER, else PERF_SAMPLE_ID),
 * for files with several events.  0 when it has none. */
int flame_perf_id(const struct flame_perf_layout *l, const void *rec, size_t len, uint64_t *id);

#endif
