#!/usr/bin/env python3
"""Write the seed corpus of fuzz_perfdata: corpus/perfdata/seed-*.

    python3 make_perfdata_seeds.py REAL.data...

Takes the hand-made files of fixtures/perfdata and the real recordings
named on the command line (small `perf record` files), and writes each
as is plus damaged copies: cut at several points, header fields and
record sizes overwritten, compressed payloads and feature sections
garbled.
"""
import os
import struct
import sys

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "corpus", "perfdata")
fixtures = os.path.join(here, "..", "..", "fixtures", "perfdata")


def put(name, data):
    with open(os.path.join(out, "seed-" + name), "wb") as f:
        f.write(data)


def patched(data, off, fmt, value):
    b = bytearray(data)
    if off + struct.calcsize(fmt) <= len(b):
        struct.pack_into(fmt, b, off, value)
    return bytes(b)


def damage(name, data):
    put(name, data)
    for cut in (8, 60, 104, 200, len(data) // 2, len(data) - 9):
        if 0 < cut < len(data):
            put("%s-cut%d" % (name, cut), data[:cut])
    put(name + "-be", b"2ELIFREP" + data[8:])
    put(name + "-pipe", data[:8] + struct.pack("<Q", 16) + data[16:])
    put(name + "-attrsize", patched(data, 16, "<Q", 0xFFFFFFFF))
    put(name + "-attroff", patched(data, 24, "<Q", 1 << 62))
    put(name + "-datasize", patched(data, 48, "<Q", len(data)))
    put(name + "-features", patched(data, 72, "<Q", 0xFFFFFFFFFFFFFFFF))
    doff = struct.unpack_from("<Q", data, 40)[0] if len(data) >= 48 else 0
    if doff + 8 <= len(data):
        put(name + "-rec0", patched(data, doff + 6, "<H", 0))
        put(name + "-rec1", patched(data, doff + 6, "<H", 0xFFF8))
        put(name + "-type", patched(data, doff, "<I", 81))  # "compressed", garbage inside
    # every fourth byte of the data section flipped
    b = bytearray(data)
    for i in range(doff + 3, min(len(b), doff + 4096), 4):
        b[i] ^= 0x5A
    put(name + "-flipped", bytes(b))


def main():
    os.makedirs(out, exist_ok=True)
    for f in sorted(os.listdir(fixtures)):
        if f.endswith(".data"):
            damage(f[:-5], open(os.path.join(fixtures, f), "rb").read())
    for path in sys.argv[1:]:
        damage("real-" + os.path.basename(path).replace(".data", ""), open(path, "rb").read())


if __name__ == "__main__":
    main()
