#!/usr/bin/env python3
"""Tests of harness/guestlog.py, the reader of what a guest wrote, on captured logs.
Run: python3 tests/test_guestlog.py (--lines: one PASS/FAIL line per test, for tests/run.sh)."""
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'harness'))
import guestlog  # noqa: E402

LOGS = os.path.join(HERE, 'logs')


def run_dir(results=None, console=None, crlf=False):
    """A run directory with these results.log and console.log texts (or captured files)."""
    d = tempfile.mkdtemp(prefix='guestlog-test-')
    for name, text in (('results.log', results), ('console.log', console)):
        if text is None:
            continue
        if os.path.isfile(text):
            with open(text, newline='') as f:
                text = f.read()
        if crlf:
            text = text.replace('\r\n', '\n').replace('\n', '\r\n')
        with open(os.path.join(d, name), 'w', newline='') as f:
            f.write(text)
    return d


class Reader(unittest.TestCase):
    def tearDown(self):
        for d in getattr(self, 'dirs', []):
            shutil.rmtree(d)

    def dir(self, *a, **k):
        d = run_dir(*a, **k)
        self.dirs = getattr(self, 'dirs', []) + [d]
        return d

    def test_crlf_and_lf_logs_read_alike(self):
        captured = os.path.join(LOGS, 'series-results.log')
        with open(captured, newline='') as f:
            self.assertIn('\r\n', f.read())     # the captured log is CRLF, as ONLCR wrote it
        with open(captured, newline='') as f:
            plain = f.read().replace('\r\n', '\n')
        lf = self.dir(plain)
        crlf = self.dir(captured)
        self.assertEqual(guestlog.lines(lf), guestlog.lines(crlf))
        self.assertFalse(any(l.endswith('\r') for l in guestlog.lines(crlf)))

    def test_status_is_the_last_marker(self):
        d = self.dir(os.path.join(LOGS, 'series-results.log'))
        self.assertEqual(guestlog.status(guestlog.lines(d)), 0)
        self.assertEqual(guestlog.status(['HARNESS-END status=0', 'HARNESS-END status=3']), 3)
        self.assertIsNone(guestlog.status(['HARNESS-BEGIN tests', 'HARNESS-END status=']))

    def test_demo_block_readable(self):
        d = self.dir(os.path.join(LOGS, 'series-results.log'))
        demo = guestlog.demo(guestlog.lines(d))
        self.assertEqual(demo[0], '  caller: pid 310, calling unshare(CLONE_NEWPID)')
        self.assertEqual(demo[1], '  ok: unshare_newpid')
        self.assertIn('  ok: caller_pid_unchanged', demo)
        self.assertFalse(any('TAP version' in l or 'selftests:' in l for l in demo))
        self.assertEqual(guestlog.demo(['ok 1 selftests: pidfd: pidfd_test']), [])

    def test_figures_by_kind(self):
        res = ['FIGURES before pid_namespace_objects=0', 'noise FIGURES x=1',
               'FIGURES stress workers=4 cycles=120 unexpected=0', 'FIGURES efault cycles=7']
        self.assertEqual(guestlog.figures(res),
                         'before pid_namespace_objects=0 stress workers=4 cycles=120 unexpected=0 '
                         'efault cycles=7')
        self.assertEqual(guestlog.figures(res, 'stress'), 'stress workers=4 cycles=120 unexpected=0')

    def test_bench_lines_tagged_and_meta(self):
        res = ['# pidns_bench on Linux 6.12.118+: 7 rounds', '# clock: clocksource tsc, steps of 25 ns',
               'BENCH op=fork_exit_wait unit=ns median=5', 'xBENCH op=no']
        self.assertEqual(guestlog.bench(res, 'kernel=stock boot=2'),
                         ['BENCH kernel=stock boot=2 op=fork_exit_wait unit=ns median=5'])
        self.assertEqual(guestlog.bench_meta(res), ('6.12.118+', '25'))
        self.assertEqual(guestlog.bench_meta([]), ('?', '?'))

    def test_reports_from_console_and_guest_dmesg(self):
        d = self.dir(results='HARNESS-DMESG-BEGIN\nBUG: KASAN: use-after-free in x\n'
                             'HARNESS-DMESG-END\nHARNESS-END status=0\n',
                     console=os.path.join(LOGS, 'panic-console.log'))
        got = guestlog.reports(d)
        self.assertTrue(any(r.startswith('Kernel panic - not syncing') for r in got), got)
        self.assertTrue(any('KASAN: use-after-free' in r for r in got), got)
        self.assertEqual(guestlog.reports(self.dir(results='ok\n', console='fine\n')), [])

    def test_times_per_program_slowest_first(self):
        res = ['# selftests: pidfd: pidfd_test', '# ok 1 x', '# # harness-time: 10.50 30.00',
               'ok 1 selftests: pidfd: pidfd_test', '# selftests: clone3: clone3',
               '# harness-time: 31.00 32.25', 'ok 2 selftests: clone3: clone3',
               '# # harness-time: 1 2']
        self.assertEqual(guestlog.times(res), [('pidfd:pidfd_test', 19.5), ('clone3:clone3', 1.25)])

    def test_missing_files_read_as_empty(self):
        d = self.dir()
        self.assertEqual(guestlog.lines(d), [])
        self.assertIsNone(guestlog.status(guestlog.lines(d)))


if __name__ == '__main__':
    if sys.argv[1:] == ['--lines']:
        from test_results import Lines
        unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__]).run(Lines())
    else:
        unittest.main()
