#!/usr/bin/env python3
"""Write the hand-made seeds of corpus/prestream/ (the preload stream reader).

Each seed is an option byte (bit 0: place the stream at an odd address)
followed by a stream in the layout of core/record/preload/stream.h.  Run from this
directory; seed-real-* are streams written by libflame-preload.so itself.
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "prestream")


def header(pid=100, ppid=1, period=1003009, start=5000, version=1, hsize=40, magic=b"FLPRELD\n"):
    return magic + struct.pack("<IIIIQQ", version, hsize, pid, ppid, period, start)


def pad(b):
    return b + b"\0" * (-len(b) % 8)


def sample(tid, ips, time=6000, period=1003009, nips=None):
    n = len(ips) if nips is None else nips
    return struct.pack("<IIIIQQ", 1, 32 + 8 * len(ips), tid, n, time, period) + b"".join(
        struct.pack("<Q", i) for i in ips)


def mmap(start, length, name, namelen=None):
    name = name.encode()
    n = len(name) if namelen is None else namelen
    body = struct.pack("<QQQQIIII", start, length, 0, 1234, 8, 1, 5, n) + name
    return struct.pack("<II", 2, 8 + len(pad(body))) + pad(body)[: len(pad(body))]


def comm(tid, name, exec_=0, namelen=None):
    name = name.encode()
    n = len(name) if namelen is None else namelen
    body = struct.pack("<IIQII", tid, exec_, 5500, n, 0) + name
    return struct.pack("<II", 3, 8 + len(pad(body))) + pad(body)


def lost(count):
    return struct.pack("<IIQQ", 4, 24, count, 7000)


def end(reason=0, flags=0):
    return struct.pack("<IIIIQ", 5, 24, reason, flags, 8000)


def raw(typ, size, body=b""):
    return struct.pack("<II", typ, size) + body


GOOD = (header() + comm(100, "prog", 1) + mmap(0x400000, 0x1000, "/bin/prog") +
        mmap(0x7f0000000000, 0x2000, "[vdso]") + comm(101, "worker-1") +
        sample(100, [0x400100, 0x400200, 0x400300]) + sample(101, [0x7f0000000010]) +
        raw(99, 16, b"\1" * 8) + lost(3) + end(1, 1) + sample(100, [0x400100], time=9000))

SEEDS = {
    "seed-good": b"\0" + GOOD,
    "seed-good-odd": b"\1" + GOOD,
    "seed-empty-body": b"\0" + header(),
    "seed-bad-magic": b"\0" + header(magic=b"FLPRELD\r"),
    "seed-bad-version": b"\0" + header(version=2),
    "seed-bad-hsize": b"\0" + header(hsize=44),
    "seed-big-hsize": b"\0" + header(hsize=48) + b"\0" * 8 + lost(1),
    "seed-short-header": b"\0" + header()[:39],
    "seed-short-record": b"\0" + header() + b"\1\0\0\0",
    "seed-size-odd": b"\0" + header() + raw(1, 36, b"\0" * 28),
    "seed-size-zero": b"\0" + header() + raw(7, 0),
    "seed-size-past-end": b"\0" + header() + raw(1, 4096, b"\0" * 24),
    "seed-sample-no-frames": b"\0" + header() + sample(1, [], nips=0),
    "seed-sample-nips-lies": b"\0" + header() + sample(1, [1, 2], nips=3),
    "seed-sample-nips-huge": b"\0" + header() + sample(1, [1], nips=0xffffffff),
    "seed-mmap-name-long": b"\0" + header() + mmap(0, 16, "/x", namelen=200),
    "seed-mmap-name-empty": b"\0" + header() + mmap(0, 16, "", namelen=0),
    "seed-mmap-short": b"\0" + header() + raw(2, 16, b"\0" * 8),
    "seed-comm-name-long": b"\0" + header() + comm(1, "abc", namelen=0x7fffffff),
    "seed-comm-short": b"\0" + header() + raw(3, 16, b"\0" * 8),
    "seed-lost-short": b"\0" + header() + raw(4, 16, b"\0" * 8),
    "seed-end-short": b"\0" + header() + raw(5, 8),
}

os.makedirs(OUT, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
