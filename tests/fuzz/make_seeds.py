#!/usr/bin/env python3
"""Write the seed inputs of the fuzz corpora (tests/fuzz/corpus/<target>/seed-*).

Every input starts with the option byte and the chunking byte the targets
read (see fuzz_common.h), then the text.  Seeds are small pieces of the
conformance fixtures plus hand-made edge cases.  Inputs found by fuzzing
(named by their SHA-1) are not touched.

Usage: make_seeds.py [REPO_ROOT]
"""
import os
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                       os.path.join(os.path.dirname(__file__), '..', '..'))
FIX = os.path.join(ROOT, 'fixtures', 'conformance')
OUT = os.path.join(ROOT, 'tests', 'fuzz', 'corpus')
MAX = 8 * 1024

# chunking bytes: chunk size 16/64/256/4096, mixed or tiny pieces, 1 or 2 files
CHUNKINGS = [0x01, 0x0a, 0x53, 0x87, 0x1c, 0x40]


def piece(data, recsep, limit=MAX):
    """The first records of data (ending with recsep), at most limit bytes."""
    if len(data) <= limit:
        return data
    cut = data.rfind(recsep, 0, limit)
    return data[:cut + len(recsep)] if cut > 0 else data[:limit]


def clear(target):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        if f.startswith('seed-'):
            os.unlink(os.path.join(d, f))
    return d


class Seeds:
    def __init__(self, target):
        self.dir = clear(target)
        self.n = 0

    def add(self, name, body, opt=0, chunking=None):
        if chunking is None:
            chunking = CHUNKINGS[self.n % len(CHUNKINGS)]
        self.n += 1
        if isinstance(body, str):
            body = body.encode('latin-1')
        path = os.path.join(self.dir, 'seed-%s' % name)
        with open(path, 'wb') as f:
            f.write(bytes([opt, chunking]) + body)


def fixture_inputs(kind):
    base = os.path.join(FIX, kind)
    for case in sorted(os.listdir(base)):
        p = os.path.join(base, case, 'input.txt')
        if os.path.exists(p):
            with open(p, 'rb') as f:
                yield case, f.read()


def expected_outputs():
    """One expected (folded) output per fixture case."""
    prefer = ('expected.all.txt', 'expected-inferno.all.txt', 'expected.default.txt',
              'expected.includeoffset.txt')
    for kind in ('collapse-perf', 'collapse-dtrace'):
        base = os.path.join(FIX, kind)
        for case in sorted(os.listdir(base)):
            files = os.listdir(os.path.join(base, case))
            for f in prefer:
                if f in files:
                    with open(os.path.join(base, case, f), 'rb') as fh:
                        yield '%s-%s' % (case, f[:-4]), fh.read()
                    break


LONG = 'x' * 5000

PERF_EV = '     myprog 1234/1235 [003] 12345.678901:    1000000 cycles:u: \n'
PERF_SAMPLE = (PERF_EV +
               '\t    7f0000001000 leaf+0x1a (/usr/lib/libc.so.6)\n'
               '\t    7f0000002000 middle (/usr/bin/myprog)\n'
               '\t    7f0000003000 main (/usr/bin/myprog)\n\n')


def perf_seeds():
    s = Seeds('perf')
    for case, data in fixture_inputs('collapse-perf'):
        body = piece(data, b'\n\n')
        s.add(case, body, opt=0)
        s.add(case + '-opts', body[:4096], opt=0x3f)
    s.add('empty', '')
    s.add('comments-only', '# comment\n#\n# ========\n')
    s.add('comment-no-newline', '# comment')
    s.add('sample', PERF_SAMPLE)
    s.add('sample-all-opts', PERF_SAMPLE * 2, opt=0x1f)
    s.add('sample-tid', PERF_SAMPLE, opt=0x02)
    s.add('no-final-newline', PERF_SAMPLE.rstrip('\n'))
    s.add('crlf', PERF_SAMPLE.replace('\n', '\r\n'))
    s.add('nul-bytes', PERF_SAMPLE.replace('middle', 'mid\0dle').replace('1234/', '12\x0034/'))
    s.add('long-frame', PERF_EV + '\t 1000 %s (/bin/x)\n\n' % LONG)
    s.add('long-comm', LONG + ' 1 1.0: 1 cycles:\n\t 1 f (/bin/x)\n\n')
    s.add('inline-chain', PERF_EV + '\t 1000 a->b->c->->d-> (/bin/x)\n\t 2000 ->x (/bin/x)\n\n')
    s.add('offset-at-end', PERF_EV + '\t 1000 func+0x (/bin/x)\n\t 1000 +0x1f (/bin/x)\n'
          '\t 1000 f+0xzz (/bin/x)\n\n')
    s.add('rust-escapes', PERF_EV +
          '\t 1 _$LT$alloc..vec..Vec$LT$T$GT$$u20$as$u20$core..ops..Drop$GT$::drop::h0123456789abcdef (/bin/r)\n'
          '\t 2 $LT$$GT$$u3b$$u7e$$XX$::h0123456789abcdef (/bin/r)\n'
          '\t 3 _$::hffffffffffffffff (/bin/r)\n\n', opt=0)
    s.add('rust-escapes-nofix', PERF_EV +
          '\t 1 _$LT$a..B$GT$::f::h0123456789abcdef (/bin/r)\n\n', opt=0x20)
    s.add('brackets', PERF_EV + '\t 1 std::function<int (int, int)>::operator()(int) (/bin/x)\n'
          '\t 2 a<<<<( (/bin/x)\n\t 3 b)))>>>]}( (/bin/x)\n\t 4 (anonymous namespace)::f(int) (/bin/x)\n'
          '\t 5 main.(*T).m (/bin/x)\n\n')
    s.add('unknown', PERF_EV + '\t ffffffff [unknown] ([unknown])\n\t 1234 [unknown] (/lib/x.so)\n'
          '\t 5678 [unknown] ([kernel.kallsyms])\n\n', opt=0x10)
    s.add('kernel-jit', PERF_EV + '\t 1 f ([kernel.kallsyms])\n\t 2 g (/lib/modules/x.ko)\n'
          '\t 3 h (/tmp/perf-123.map)\n\t 4 i (/home/jitted-5-6.so)\n\t 5 j (vmlinux-5.4.1)\n\n', opt=0x0c)
    s.add('huge-period', '  p 1 1.0: 99999999999999999999 cycles:\n\t 1 f (/x)\n\n'
          '  p 1 1.0: 18446744073709551615 cycles:\n\t 1 f (/x)\n\n'
          '  p 1 1.0: 18446744073709551615 cycles:\n\t 1 f (/x)\n\n')
    s.add('two-events', PERF_SAMPLE + PERF_SAMPLE.replace('cycles', 'instructions') + PERF_SAMPLE)
    s.add('event-filter', PERF_SAMPLE.replace('cycles', 'cpu-clock') + PERF_SAMPLE, opt=0x80)
    s.add('skip-after', PERF_SAMPLE + PERF_EV + '\t 1 a (/x)\n\t 2 main (/x)\n\t 3 b (/x)\n\n', opt=0x40)
    s.add('java', ' java 11/12 1.0: cycles:\n\t 1 Lcom/x/Y;::m (/tmp/perf-11.map)\n\t 2 Interpreter (/x)\n\n')
    s.add('single-line', ' p 1 1.0: 1 cycles:  7f0 f+0x4 (/lib/x.so)\n p 2 2.0: 1 cycles: \n\n')
    s.add('no-event-name', ' p 1 \n\t 1 f (/x)\n\n p 2 3: \n\t 1 g (/x)\n\n')
    s.add('weird-lines', 'weird\n\t 1 f (/x)\n\n p 1 1.0: 1 cycles:\n\tnot a stack line\n\t 1 f(x)\n\t 1 ()\n\n')
    s.add('blank-variants', PERF_SAMPLE.replace('\n\n', '\n \t\r\n\x0b\n\x0c\n'))
    s.add('quotes', PERF_EV + "\t 1 RegExp:[&<>\\\"\\'] (/x)\n\t 2 \"'\" (/x)\n\t 3 (comm) (/x)\n\n")
    s.add('semicolons', PERF_EV + '\t 1 a;b;c (/x)\n\n')
    s.add('spaces', PERF_EV + '\t 1   (/x)\n\t 2 a b c (/x)\n\t 3 f ( )\n\n')
    # --srcline (bit 5) and --inline without DWARF (bit 6)
    for name, opt in (('perf-srcline', 0x20), ('perf-inlined', 0x40)):
        with open(os.path.join(FIX, '..', 'collapse-inline', name + '.txt'), 'rb') as f:
            data = f.read()
        s.add('inline-' + name, data, opt=opt)
        s.add('inline-' + name + '-both', data, opt=0x60)
    s.add('srcline-odd', PERF_EV + '\t 1 f (/x)\n  [a][b]\n  x.c:1 (inlined)\n\t 2 g\n  [\n\t 3 h\n\n'
          '  y.c:2\n', opt=0x60)


DT_HEAD = 'CPU     ID                    FUNCTION:NAME\n  0  64091                        :tick-60s\n\n\n'
DT_STACK = ('              genunix`kmem_cpu_reload+0x20\n'
            '              unix`sys_syscall+0x17a\n'
            '                1\n\n')


def dtrace_seeds():
    s = Seeds('dtrace')
    for case, data in fixture_inputs('collapse-dtrace'):
        body = piece(data, b'\n\n')
        s.add(case, body, opt=0)
        s.add(case + '-offset', body[:4096], opt=1)
    s.add('empty', '')
    s.add('header-only', 'CPU     ID                    FUNCTION:NAME\n  0  64091                        :tick-60s\n')
    s.add('header-blank-only', DT_HEAD)
    s.add('header-with-count', 'header\n123\nmore header\n\n  a`b\n  5\n')
    s.add('stack', DT_HEAD + DT_STACK * 3)
    s.add('stack-offset', DT_HEAD + DT_STACK, opt=1)
    s.add('no-final-newline', DT_HEAD + DT_STACK.rstrip('\n'))
    s.add('no-count-at-end', DT_HEAD + DT_STACK + '  a`b\n  c`d\n')
    s.add('crlf', (DT_HEAD + DT_STACK * 2).replace('\n', '\r\n'))
    s.add('nul-bytes', DT_HEAD + '  a`b\0c+0x1\n  0\0\n  7\n')
    s.add('long-frame', DT_HEAD + '  mod`%s+0x1\n  3\n' % LONG)
    s.add('huge-count', DT_HEAD + '  a`b\n  99999999999999999999\n')
    s.add('max-count', DT_HEAD + '  a`b\n  18446744073709551615\n  a`b\n  18446744073709551615\n')
    s.add('zero-count', DT_HEAD + '  a`b\n  0\n')
    s.add('count-without-stack', DT_HEAD + '  5\n  6\n')
    s.add('java-inline', DT_HEAD + '  test`baz\n  test`foo->bar->->baz->\n  LLLx->Ly\n  1\n', opt=0)
    s.add('java-inline-offset', DT_HEAD + '  test`foo->bar+0x1\n  x+0x2\n  1\n', opt=1)
    s.add('cpp', DT_HEAD + '  lib`ns::Cls<int>::f(int, char)+0x4\n  lib`a::b(\n  ::<(\n  lib`::\n  1\n')
    s.add('rust', DT_HEAD + '  r`_$LT$a..B$u20$as$u20$C$GT$::f::h0123456789abcdef+0x12\n'
          '  r`$LT$$GT$$u7e$::h0123456789abcdef\n  r`x$bad$::hfedcba9876543210\n  2\n')
    s.add('rust-offset', DT_HEAD + '  r`_$LT$a..B$GT$::f::h0123456789abcdef+0x12\n  1\n', opt=1)
    s.add('offset-at-end', DT_HEAD + '  a`f+\n  +\n  a`+0x\n  1\n', opt=0)
    s.add('offset-at-end-io', DT_HEAD + '  a`f+\n  +\n  a`+0x\n  1\n', opt=1)
    s.add('semicolons', DT_HEAD + '  a`b;c\n  d;e+0x1\n  1\n')
    s.add('hex-addresses', DT_HEAD + '  0xfffffe0000101234\n  0x0\n  0x\n  1\n')
    s.add('brackets', DT_HEAD + '  a`f<<<(\n  b`)))>>>\n  1\n')
    s.add('spaces-around-count', DT_HEAD + '  a`b\n \t 42 \t\n')


FOLDED = 'main;a;b 3\nmain;a;c 2\nmain;d 1\n'


def folded_seeds():
    s = Seeds('folded')
    seen = set()
    for name, data in expected_outputs():
        body = piece(data, b'\n', 4096)
        if body in seen or not body:
            continue
        seen.add(body)
        s.add(name, body)
    s.add('empty', '')
    s.add('basic', FOLDED)
    s.add('no-final-newline', FOLDED.rstrip('\n'))
    s.add('crlf', FOLDED.replace('\n', '\r\n'))
    s.add('nul-bytes', 'a\0b;c 1\na;\0 2\n\0 3\n')
    s.add('long-frame', 'main;%s 1\n%s;%s 2\n' % (LONG, LONG, LONG))
    s.add('many-frames', ';'.join(['f'] * 2000) + ' 1\n')
    s.add('huge-counts', 'a 99999999999999999999\nb 18446744073709551615\nb 18446744073709551615\n'
          'c 1.99999999999999999999\n')
    s.add('fractions', 'a 1.25\nb 0.0000000001\nc 3\nd 0.5\ne 1.\nf .5\ng 1.2.3\n')
    s.add('fraction-then-huge', 'a 0.5\nb 18446744073709551615\n')
    s.add('huge-then-fraction', 'b 18446744073709551615\na 0.5\n')
    s.add('two-columns', 'a;b 1 2\na;c 0 5\nd 3 0\ne 1.5 2.25\n')
    s.add('mixed-columns', 'a;b 1\na;c 0 5\nd 7 1.125\n')
    s.add('diff-scale', 'a 1 0.5\nb 0.001 7\n')
    s.add('bad-lines', 'no count\n 5\n5\na b c\n\t\t\na\t7\na  \t 8\n;;; 1\n; 1\n')
    s.add('comment-like', '# comment 1\n#\n')
    s.add('spaces-in-frames', 'a frame with spaces;b 4\n  leading 2\n')
    s.add('empty-frames', ';a;;b; 1\n;; 2\n')
    s.add('whitespace-only', ' \n\t\n\r\n\x0b\x0c\n')
    s.add('negative', 'a -1\nb +1\nc 1e5\nd 0x10\n')


def detect_seeds():
    s = Seeds('detect')
    for case, data in fixture_inputs('collapse-perf'):
        s.add('perf-' + case, piece(data, b'\n\n', 6000))
    for case, data in fixture_inputs('collapse-dtrace'):
        s.add('dtrace-' + case, piece(data, b'\n\n', 6000))
    for name, data in list(expected_outputs())[:12]:
        s.add('folded-' + name, piece(data, b'\n', 4096))
    s.add('empty', '')
    s.add('empty-two-files', '', chunking=0x80)
    s.add('one-folded-line', 'a;b 1')
    s.add('seven-folded-lines', FOLDED * 2 + 'x 1\n')
    s.add('perf-then-folded', PERF_SAMPLE + FOLDED, chunking=0x81)
    s.add('folded-then-dtrace', FOLDED + DT_HEAD + DT_STACK, chunking=0x82)
    s.add('dtrace-no-cpu-header', 'hdr\n\n  a`b\n  1\n')
    s.add('dtrace-hex-first', '\n\n  0xfff\n  1\n')
    s.add('ambiguous', '\n\n  a`b 1\n  1\n')
    s.add('comments-only', '# x\n# y\n')
    s.add('binary', bytes(range(256)))
    s.add('perf-crlf', PERF_SAMPLE.replace('\n', '\r\n'))


if __name__ == '__main__':
    perf_seeds()
    dtrace_seeds()
    folded_seeds()
    detect_seeds()
    for t in ('perf', 'dtrace', 'folded', 'detect'):
        d = os.path.join(OUT, t)
        files = os.listdir(d)
        print('%s: %d files, %d bytes' % (t, len(files),
                                          sum(os.path.getsize(os.path.join(d, f)) for f in files)))
