#!/usr/bin/env python3
"""The one reader of what a guest wrote: its run directory's results.log (the
results port, /dev/ttyS1, written by harness/guest/init) and console.log (the
kernel's console).

  guestlog.py status RUN_DIR          the guest's exit status from its end marker
                                      (exit 1, with the reason, if there is none)
  guestlog.py uptime RUN_DIR          the guest's uptime when the tests began
  guestlog.py demo RUN_DIR            guest/demo.c's cases, readable (nothing if it did not run)
  guestlog.py figures RUN_DIR [KIND]  the FIGURES lines (of KIND only), on one line
  guestlog.py bench RUN_DIR TAG       the BENCH lines, with TAG (k=v ...) after "BENCH"
  guestlog.py bench-meta RUN_DIR      pidns_bench's kernel release and clock step
  guestlog.py reports RUN_DIR         the kernel's reports (harness/splats.txt) on its console
  guestlog.py times RUN_DIR           seconds each program took (harness/guest/timeout), slowest first

Lines may end with \\r\\n: the kernel writes its console so, and a results port
left with ONLCR set does too (init turns it off); both are read alike.
"""
import os
import re
import signal
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SPLATS = os.path.join(HERE, 'splats.txt')
MARKER = re.compile(r'^HARNESS-END status=(-?\d+)\s*$')
# run_kselftest.sh's line before each program's output
HEADER = re.compile(r'^# selftests: (\S+): (\S+)\s*$')


def lines(run_dir, name='results.log'):
    """The lines of a file of the run directory, without line ends ([] if absent)."""
    try:
        with open(os.path.join(run_dir, name), errors='replace') as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


def prefixed(res, prefix):
    """What follows prefix on the lines that start with it."""
    return [l[len(prefix):] for l in res if l.startswith(prefix)]


def status(res):
    """The exit status in the guest's last end marker, or None."""
    found = [m.group(1) for m in map(MARKER.match, res) if m]
    return int(found[-1]) if found else None


def demo(res):
    """guest/demo.c's block of the kselftest output, as lines to show."""
    out, inside = [], False
    end = re.compile(r'^(not )?ok \d+ selftests: harness: demo\b')
    for l in res:
        if l == '# selftests: harness: demo':
            inside = True
        elif inside and end.match(l):
            break
        elif inside:
            m = re.match(r'^# # (.*)$', l)
            if m:
                out.append('  ' + m.group(1))
                continue
            m = re.match(r'^# (not ok|ok) \d+ (.*)$', l)
            if m:
                out.append('  %s: %s' % (m.group(1), m.group(2)))
    return out


def figures(res, kind=None):
    """The FIGURES lines' words (of kind only: lines "FIGURES kind ...")."""
    got = prefixed(res, 'FIGURES ')
    if kind:
        got = [f for f in got if f.split(' ', 1)[0] == kind]
    return ' '.join(got)


def bench(res, tag):
    return ['BENCH %s %s' % (tag, l) for l in prefixed(res, 'BENCH ')]


def bench_meta(res):
    """(kernel release, clock step in ns) from pidns_bench's header, '?' if missing."""
    rel = step = '?'
    for l in res:
        m = re.match(r'^# pidns_bench on \S+ ([^:]*):', l)
        if m:
            rel = m.group(1)
        m = re.match(r'^# clock: .*steps of (\d+) ns', l)
        if m:
            step = m.group(1)
    return rel, step


def times(res):
    """[(program, seconds)] from the times harness/guest/timeout prints, slowest first."""
    out, prog = [], None
    stamp = re.compile(r'^(?:# )+harness-time: ([\d.]+) ([\d.]+)\s*$')
    for l in res:
        m = HEADER.match(l)
        if m:
            prog = '%s:%s' % m.groups()
            continue
        m = stamp.match(l)
        if m and prog:
            out.append((prog, float(m.group(2)) - float(m.group(1))))
            prog = None
    return sorted(out, key=lambda t: -t[1])


def splat_patterns(path=SPLATS):
    with open(path) as f:
        return [re.compile(l.rstrip('\n')) for l in f if l.strip() and not l.startswith('#')]


def find_splats(text_lines, patterns):
    return [l.rstrip() for l in text_lines if any(p.search(l) for p in patterns)]


def dmesg_section(res):
    """The kernel log the guest printed after its tests."""
    out, inside = [], False
    for l in res:
        if l.startswith('HARNESS-DMESG-BEGIN'):
            inside = True
        elif l.startswith('HARNESS-DMESG-END'):
            inside = False
        elif inside:
            out.append(l)
    return out


def reports(run_dir, splats_path=SPLATS):
    """The kernel's reports: on the console, and in the dmesg the guest printed."""
    text = lines(run_dir, 'console.log') + dmesg_section(lines(run_dir))
    return sorted(set(find_splats(text, splat_patterns(splats_path))))


def main(argv):
    # a reader that stops early (| head) ends us quietly
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    if len(argv) < 3:
        sys.exit(__doc__)
    cmd, run_dir = argv[1], argv[2]
    res = lines(run_dir)
    if cmd == 'status':
        st = status(res)
        if st is None:
            sys.exit('the guest ended without its marker (panic?); console log: %s'
                     % os.path.join(run_dir, 'console.log'))
        print(st)
    elif cmd == 'uptime':
        print(' '.join(prefixed(res, 'HARNESS-UPTIME ')[-1:]))
    elif cmd == 'demo':
        print('\n'.join(demo(res)))
    elif cmd == 'figures':
        print(figures(res, argv[3] if len(argv) > 3 else None))
    elif cmd == 'bench' and len(argv) == 4:
        for l in bench(res, argv[3]):
            print(l)
    elif cmd == 'bench-meta':
        print(*bench_meta(res))
    elif cmd == 'reports':
        for r in reports(run_dir):
            print(r)
    elif cmd == 'times':
        t = times(res)
        for prog, secs in t:
            print('%7.2f s  %s' % (secs, prog))
        print('%7.2f s  all %d programs' % (sum(s for _, s in t), len(t)))
    else:
        sys.exit(__doc__)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
