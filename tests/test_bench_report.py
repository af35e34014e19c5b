# SPDX-License-Identifier: GPL-2.0
"""Tests of harness/bench_report.py's depth report: the depth.<kind>.<d>
operations get a table of their own with each kernel's slope per level, an
unsupported kernel is named, not plotted, and a depth where the series costs
more than stock is reported as a miss."""
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'harness'))
import bench_report as br  # noqa: E402

DEPTHS = (1, 2, 4, 8, 16, 31)


def line(kernel, op, ns):
    return (f'BENCH kernel={kernel} boot=1 op={op} unit=ns median={ns} min={ns} '
            f'max={ns} rounds=3 iters=100\n')


def lines(series_per_level=1000):
    """stock: 60,000 + 1,000 per level; series: its own slope; base refuses unshare."""
    out = []
    for k, per in (('stock', 1000), ('series', series_per_level), ('base', 1000)):
        out.append(line(k, 'fork_exit_wait', 60000))
        for d in DEPTHS:
            out.append(line(k, f'depth.fork_clone.{d}', 60000 + per * d))
            if k == 'base':
                out.append(f'BENCH kernel=base boot=1 op=depth.fork_unshare.{d} '
                           'unsupported errno=EINVAL\n')
            else:
                out.append(line(k, f'depth.fork_unshare.{d}', 62000 + per * d))
    return out


def report(text):
    d = tempfile.mkdtemp(prefix='bench-test-')
    try:
        path = os.path.join(d, 'lines')
        with open(path, 'w') as f:
            f.writelines(text)
        buf = io.StringIO()
        argv, sys.argv = sys.argv, ['bench_report.py', '--out', d, path]
        try:
            with redirect_stdout(buf):
                br.main()
        finally:
            sys.argv = argv
        with open(os.path.join(d, 'bench.json')) as f:
            js = json.load(f)
        many = os.path.join(d, 'many.csv')
        if os.path.exists(many):
            with open(many) as f:
                js['many.csv'] = f.read()
        return buf.getvalue(), js
    finally:
        shutil.rmtree(d)


class Depth(unittest.TestCase):
    def test_slope_is_least_squares(self):
        s = br.slope([(1, 3.0), (2, 5.0), (4, 9.0)])
        self.assertAlmostEqual(s['per_level_ns'], 2.0)
        self.assertAlmostEqual(s['at_0_ns'], 1.0)
        self.assertIsNone(br.slope([(32, 1.0)]))

    def test_depth_table_and_slopes(self):
        out, js = report(lines())
        self.assertIn('depth: the same units', out)
        self.assertRegex(out, r'fork_clone\s+slope\s+\+1\.00/level\s+\+1\.00/level\s+'
                              r'\+1\.00/level\s+1\.000')
        self.assertRegex(out, r'fork_unshare\s+4\s+66\.0 .*unsupported \(EINVAL\)')
        self.assertAlmostEqual(js['depth_slopes']['fork_clone']['series']['per_level_ns'],
                               1000)
        self.assertIsNone(js['depth_slopes']['fork_unshare'].get('base'))
        # the flat table keeps only the flat operations
        flat = out.split('depth: the same units')[0]
        self.assertNotIn('depth.', flat)

    def test_series_dearer_by_depth_is_a_miss(self):
        out, js = report(lines(series_per_level=3000))
        self.assertIn('MISS depth.fork_clone.31: series/stock', out)
        self.assertRegex(out, r'fork_clone\s+slope\s+\+1\.00/level\s+\+1\.00/level\s+'
                              r'\+3\.00/level\s+3\.000')
        miss = [t['op'] for t in js['targets'] if t['verdict'] == 'MISS']
        self.assertIn('depth.fork_unshare.16', miss)

    def test_many_namespaces_net_of_a_plain_child(self):
        many = []
        for k, extra in (('stock', 400), ('series', 200)):
            many.append(f'BENCH kernel={k} boot=1 op=many.fork.1000 unit=B slab_B=9000 '
                        'kstack_B=16384 used_B=40000 first_ns=50000 last_ns=51000 '
                        'slab_after_kB=0\n')
            many.append(f'BENCH kernel={k} boot=1 op=many.newpid.1000 unit=B '
                        f'slab_B={9000 + extra} kstack_B=16384 used_B=41000 first_ns=60000 '
                        'last_ns=61000 slab_after_kB=4\n')
        out, js = report(lines() + many)
        net = js['many']['many.newpid-fork.1000']
        self.assertEqual(net['stock']['slab_B'], 400)
        self.assertEqual(net['series']['slab_B'], 200)
        self.assertRegex(out, r'many\.newpid-fork\.1000\s+series/stock\s+0\.500')
        self.assertEqual(js['many']['many.newpid.1000']['series']['slab_after_kB'], 4)
        self.assertIn('many.newpid-fork.1000,series,200,0,1000,,,', js['many.csv'])

    def test_many_by_depth_in_order_with_slope(self):
        many = []
        for k, per_level in (('stock', 16), ('series', 32)):
            for d in (0, 4, 16, 2):
                sfx = f'.d{d}' if d else ''
                for kind, ns in (('fork', 0), ('newpid', 800)):
                    many.append(f'BENCH kernel={k} boot=1 op=many.{kind}.1000{sfx} unit=B '
                                f'slab_B={9000 + ns + per_level * d} kstack_B=16384 '
                                'used_B=40000 first_ns=1 last_ns=1 slab_after_kB=0\n')
        out, js = report(lines() + many)
        ops = re.findall(r'^(many\.fork\.1000\S*)\s+stock', out, re.M)
        self.assertEqual(ops, ['many.fork.1000', 'many.fork.1000.d2', 'many.fork.1000.d4',
                               'many.fork.1000.d16'])
        self.assertEqual(js['many']['many.newpid-fork.1000.d16']['series']['slab_B'], 800)
        self.assertRegex(out, r'many\.fork\.1000: slab per child and level of nesting .*'
                              r'depths 0, 2, 4, 16\): stock \+16\.0 B, series \+32\.0 B')
        self.assertRegex(out, r'many\.fork\.1000\.d16\s+series/stock\s+1\.028')

    @unittest.skipUnless(shutil.which('gnuplot'), 'no gnuplot')
    def test_depth_plot_is_written(self):
        d = tempfile.mkdtemp(prefix='bench-test-')
        try:
            path = os.path.join(d, 'lines')
            with open(path, 'w') as f:
                f.writelines(lines())
            p = subprocess.run([sys.executable, os.path.join(HERE, '..', 'harness',
                                                             'bench_report.py'),
                                '--out', d, path], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertGreater(os.path.getsize(os.path.join(d, 'depth.png')), 1000)
        finally:
            shutil.rmtree(d)


if __name__ == '__main__':
    if sys.argv[1:] == ['--lines']:
        from test_results import Lines
        unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__]).run(Lines())
    else:
        unittest.main()
