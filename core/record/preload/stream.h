/*
 * stream.h - the sample stream libflame-preload.so writes and flame reads
 * (core/record/prestream.c), version 1.
 *
 * One file per process image: $FLAME_PRELOAD_OUT/PID-START.fps, written by
 * the process itself (a fork child opens its own; exec ends one file and
 * the new image starts the next).  Plain C, no dependency on the rest of
 * flame: the preload library includes it too.
 *
 * Layout, every integer in the host's byte order (x86-64: little endian),
 * every record 8-byte aligned:
 *
 *   header (40 bytes)
 *     0  char magic[8]      "FLPRELD\n"
 *     8  u32  version       1
 *    12  u32  header_size   40 (a reader skips what it does not know)
 *    16  u32  pid
 *    20  u32  ppid
 *    24  u64  period        timer interval, CPU nanoseconds of a thread
 *    32  u64  start         CLOCK_MONOTONIC ns when this image started
 *
 *   records, until the end of the file:
 *     0  u32  type          FLAME_PRE_*
 *     4  u32  size          bytes of the whole record, >= 8, a multiple of 8
 *   SAMPLE  8 u32 tid, 12 u32 nips, 16 u64 time, 24 u64 period (ns),
 *          32 u64 ips[nips]: the interrupted instruction, then return
 *          addresses outward; size = 32 + 8 * nips
 *   MMAP    8 u64 start, 16 u64 len, 24 u64 pgoff, 32 u64 ino, 40 u32 maj,
 *          44 u32 min, 48 u32 prot (PROT_*), 52 u32 namelen, 56 name bytes
 *          (no NUL), zero padding to size
 *   COMM    8 u32 tid, 12 u32 flags (1: the name comes from exec),
 *          16 u64 time, 24 u32 namelen, 28 u32 zero, 32 name, padding
 *   LOST    8 u64 samples dropped (the in-process buffer was full), 16 u64 time
 *   END     8 u32 reason (0 exit, 1 exec), 12 u32 flags (1: the program
 *          replaced flame's SIGPROF handler), 16 u64 time
 *
 * A reader ignores records of types it does not know (their size says how
 * far to skip), so later versions may add record types without a new
 * version number; a changed layout of the records above changes version.
 */
#ifndef FLAME_PRELOAD_STREAM_H
#define FLAME_PRELOAD_STREAM_H

#define FLAME_PRE_MAGIC "FLPRELD\n"
#define FLAME_PRE_VERSION 1u
#define FLAME_PRE_HEADER_SIZE 40u

#define FLAME_PRE_SAMPLE 1u
#define FLAME_PRE_MMAP 2u
#define FLAME_PRE_COMM 3u
#define FLAME_PRE_LOST 4u
#define FLAME_PRE_END 5u

#define FLAME_PRE_SAMPLE_FIXED 32u
#define FLAME_PRE_MMAP_FIXED 56u
#define FLAME_PRE_COMM_FIXED 32u
#define FLAME_PRE_LOST_SIZE 24u
#define FLAME_PRE_END_SIZE 24u

#define FLAME_PRE_MAX_IPS 4096u  /* frames in one sample, at most */
#define FLAME_PRE_MAX_NAME 4096u /* bytes of a file or thread name, at most */

/* The environment flame passes to the command. */
#define FLAME_PRE_ENV_OUT "FLAME_PRELOAD_OUT"     /* directory for the streams */
#define FLAME_PRE_ENV_FREQ "FLAME_PRELOAD_FREQ"   /* samples per second of thread CPU time */
#define FLAME_PRE_ENV_DEPTH "FLAME_PRELOAD_DEPTH" /* frames per sample, at most */

#endif
