# SPDX-License-Identifier: GPL-2.0
"""Tests of harness/results.py on captured and hand-made guest logs."""
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'harness'))
import results  # noqa: E402

LOGS = os.path.join(HERE, 'logs')

GOOD = """HARNESS-BEGIN tests
TAP version 13
1..3
# timeout set to 45
# selftests: pidns: unshare
# TAP version 13
# 1..3
# # Starting 3 tests from 1 test cases.
# #  RUN           global.first_child_is_pid_1 ...
# #            OK  global.first_child_is_pid_1
# ok 1 global.first_child_is_pid_1
# ok 2 global.needs_root # SKIP not root
# not ok 3 global.second_unshare_einval
# # FAILED: 2 / 3 tests passed.
not ok 1 selftests: pidns: unshare # exit=1
# timeout set to 45
# selftests: pid_namespace: regression_enomem
# TAP version 13
# 1..1
# ok 1 regression_enomem
ok 2 selftests: pid_namespace: regression_enomem
# selftests: proc: proc-loadavg-001
ok 3 selftests: proc: proc-loadavg-001
HARNESS-DMESG-BEGIN
[    0.000000] Linux version 6.12.117
HARNESS-DMESG-END
HARNESS-END status=1
"""

EXPECT = """# comment
fail pidns:unshare/global.second_unshare_einval  # base cannot unshare
skip pidns:unshare/global.needs_root  # runs as nobody here
"""

PLANNED = ['pidns:unshare', 'pid_namespace:regression_enomem', 'proc:proc-loadavg-001']


class Run:
    """A run directory with results.log, console.log, expect and planned files."""

    def __init__(self, results_log, console='', expect=EXPECT, planned=PLANNED):
        self.dir = tempfile.mkdtemp(prefix='results-test-')
        for name, text in (('results.log', results_log), ('console.log', console),
                           ('expect.txt', expect), ('planned', '\n'.join(planned) + '\n')):
            with open(os.path.join(self.dir, name), 'w') as f:
                f.write(text)

    def verdict(self, scoped=False):
        summary = os.path.join(self.dir, 'summary.json')
        out = io.StringIO()
        with redirect_stdout(out):
            rc = results.verdict('test', self.dir, os.path.join(self.dir, 'expect.txt'),
                                 os.path.join(self.dir, 'planned'), summary=summary,
                                 scoped=scoped)
        with open(summary) as f:
            return rc, out.getvalue(), json.load(f)


class Parse(unittest.TestCase):
    def test_parse_nested_cases_and_directives(self):
        progs = results.parse_ktap(GOOD.splitlines())
        self.assertEqual(progs['pidns:unshare']['status'], 'fail')
        self.assertEqual(progs['pidns:unshare']['cases'], {
            'global.first_child_is_pid_1': 'pass',
            'global.needs_root': 'skip',
            'global.second_unshare_einval': 'fail'})
        self.assertEqual(progs['proc:proc-loadavg-001'],
                         {'status': 'pass', 'note': '', 'cases': {}, 'plan': None})

    def test_parse_timeout_and_skip_of_a_program(self):
        log = ['# selftests: a: b', 'not ok 1 selftests: a: b # TIMEOUT 45 seconds',
               'ok 2 selftests: a: c # SKIP']
        progs = results.parse_ktap(log)
        self.assertEqual(progs['a:b']['status'], 'fail')
        self.assertIn('TIMEOUT', progs['a:b']['note'])
        self.assertEqual(progs['a:c']['status'], 'skip')

    def test_parse_skip_directive_before_the_description(self):
        # kselftest.h's ksft_test_result_skip() prints "ok N # SKIP why": a skip named by why
        log = ['# selftests: pidfd: pidfd_test', '# ok 7 exited process test: passed',
               '# ok 8 # SKIP recycled pid test: Skipping test', 'ok 1 selftests: pidfd: pidfd_test']
        self.assertEqual(results.parse_ktap(log)['pidfd:pidfd_test']['cases'],
                         {'exited process test: passed': 'pass',
                          'recycled pid test: Skipping test': 'skip'})

    def test_parse_duplicate_case_names_kept_apart(self):
        log = ['# selftests: a: b', '# ok 1 same', '# not ok 2 same', 'not ok 1 selftests: a: b']
        self.assertEqual(results.parse_ktap(log)['a:b']['cases'], {'same': 'pass', 'same#2': 'fail'})


class Verdict(unittest.TestCase):
    def test_all_as_expected_passes(self):
        rc, out, s = Run(GOOD).verdict()
        self.assertEqual(rc, 0, out)
        self.assertEqual(s['counts'], {'passed': 4, 'failed': 0, 'skipped': 1, 'xfail': 1})

    def test_unexpected_failure_fails(self):
        rc, out, s = Run(GOOD, expect='').verdict()
        self.assertEqual(rc, 1)
        self.assertIn('global.second_unshare_einval: fail, expected pass', out)
        self.assertIn('global.needs_root: skip, expected pass', out)

    def test_expected_failure_that_passes_fails(self):
        log = GOOD.replace('# not ok 3 global.second', '# ok 3 global.second').replace(
            'not ok 1 selftests: pidns: unshare # exit=1', 'ok 1 selftests: pidns: unshare')
        rc, out, _ = Run(log).verdict()
        self.assertEqual(rc, 1)
        self.assertIn('second_unshare_einval: pass, expected fail', out)

    def test_program_whose_cases_all_skip_may_report_ok(self):
        # kselftest_harness.h: every case skipped, the program says ok
        log = GOOD.replace('# ok 1 global.first_child_is_pid_1',
                           '# ok 1 global.first_child_is_pid_1 # SKIP no unshare').replace(
            '# not ok 3 global.second_unshare_einval', '# ok 3 global.second_unshare_einval # SKIP x')
        skipped = 'skip pidns:unshare/global.*  # base cannot unshare\n'
        rc, out, _ = Run(log.replace('not ok 1 selftests: pidns: unshare # exit=1',
                                     'ok 1 selftests: pidns: unshare'), expect=skipped).verdict()
        self.assertEqual(rc, 0, out)
        # but not a program that failed
        rc, out, _ = Run(log, expect=skipped).verdict()
        self.assertEqual(rc, 1, out)
        self.assertIn('program fail', out)

    def test_filtered_run_ignores_expectations_of_programs_not_run(self):
        # make T=pid_namespace: only that collection ran
        log = GOOD.replace('# selftests: pidns: unshare', '# selftests: pidns: other')
        planned = ['pid_namespace:regression_enomem', 'proc:proc-loadavg-001']
        only = '\n'.join(l for l in GOOD.splitlines()
                         if 'pidns' not in l and not l.startswith('# #')
                         and not l.startswith('# ok') and not l.startswith('# not ok')
                         and not l.startswith('# 1..3') and not l.startswith('# TAP')) + '\n'
        rc, out, _ = Run(only, planned=planned).verdict(scoped=True)
        self.assertNotIn('matches no result', out)
        # unfiltered, the same expectations are stale
        rc, out, _ = Run(only, planned=planned).verdict()
        self.assertIn('matches no result', out)

    def test_narrow_to_a_collection_or_program(self):
        run = ['pid_namespace:first_fork', 'pid_namespace:setns', 'pidfd:pidfd_test']
        self.assertEqual(results.narrow(run, 'pid_namespace'), run[:2])
        self.assertEqual(results.narrow(run, 'pidfd,pid_namespace:setns'), run[1:])
        with self.assertRaises(SystemExit) as e:
            results.narrow(run, 'pidns')
        self.assertIn('names no planned test', str(e.exception))

    def test_expectation_matching_nothing_fails(self):
        rc, out, _ = Run(GOOD, expect=EXPECT + 'fail pidns:gone/x  # renamed since\n').verdict()
        self.assertEqual(rc, 1)
        self.assertIn('matches no result', out)

    def test_an_arch_file_goes_first_and_shadows_without_staleness(self):
        r = Run(GOOD)
        arch = os.path.join(r.dir, 'expect-arm64.txt')
        with open(arch, 'w') as f:
            f.write('fail pidns:unshare/global.needs_root  # fails on this arch\n')
        summary = os.path.join(r.dir, 'summary.json')
        with redirect_stdout(io.StringIO()):
            rc = results.verdict('test', r.dir, [arch, os.path.join(r.dir, 'expect.txt')],
                                 os.path.join(r.dir, 'planned'), summary=summary)
        with open(summary) as f:
            s = json.load(f)
        # the arch's "fail" decides: a skip is now unexpected; the variant's
        # shadowed "skip" entry is not reported stale
        self.assertEqual(rc, 1)
        self.assertIn('pidns:unshare/global.needs_root: skip, expected fail', s['problems'])
        self.assertFalse([p for p in s['problems'] if 'matches no result' in p], s['problems'])

    def test_two_entries_of_one_file_for_one_result_leave_the_second_stale(self):
        rc, out, _ = Run(GOOD, expect=EXPECT + 'skip pidns:unshare/global.*_root  # again\n').verdict()
        self.assertEqual(rc, 1)
        self.assertIn('expect.txt:4 (skip pidns:unshare/global.*_root) matches no result', out)

    def test_missing_expectations_file_is_refused(self):
        r = Run(GOOD)
        os.unlink(os.path.join(r.dir, 'expect.txt'))
        with self.assertRaises(SystemExit) as e:
            r.verdict()
        self.assertIn('no such expectations file', str(e.exception))

    def test_expectation_without_reason_is_refused(self):
        with self.assertRaises(SystemExit):
            Run(GOOD, expect='fail pidns:unshare/x\n').verdict()

    def test_missing_marker_fails_and_names_console(self):
        rc, out, _ = Run(GOOD.replace('HARNESS-END status=1\n', '')).verdict()
        self.assertEqual(rc, 1)
        self.assertRegex(out, r'no end marker from the guest.*console log: .*console.log')

    def test_program_that_never_reported_fails(self):
        cut = GOOD[:GOOD.index('# selftests: proc')]
        rc, out, _ = Run(cut + 'HARNESS-END status=1\n').verdict()
        self.assertEqual(rc, 1)
        self.assertIn('proc:proc-loadavg-001: no result', out)

    def test_crash_after_passing_cases_fails(self):
        log = GOOD.replace('ok 2 selftests: pid_namespace: regression_enomem',
                           'not ok 2 selftests: pid_namespace: regression_enomem # exit=139')
        rc, out, _ = Run(log).verdict()
        self.assertEqual(rc, 1)
        self.assertIn('regression_enomem: program fail (exit=139), expected pass', out)

    def test_program_stopping_early_fails(self):
        log = GOOD.replace('# ok 2 global.needs_root # SKIP not root\n', '')
        rc, out, _ = Run(log, expect=EXPECT.replace('skip pidns:unshare/global.needs_root', '# ')).verdict()
        self.assertEqual(rc, 1)
        self.assertIn('pidns:unshare: 2 of its 3 cases reported', out)

    def test_bail_out_is_a_failing_case(self):
        log = ['# selftests: a: b', '# 1..5', '# ok 1 x', '# Bail out! unshare failed',
               'not ok 1 selftests: a: b # exit=1']
        progs = results.parse_ktap(log)
        self.assertEqual(progs['a:b']['cases'], {'x': 'pass', 'bail_out': 'fail'})

    def test_warning_in_console_fails(self):
        console = '[    3.1] ------------[ cut here ]------------\n[    3.1] WARNING: CPU: 0 PID: 1 at kernel/pid.c:1\n'
        rc, out, _ = Run(GOOD, console=console).verdict()
        self.assertEqual(rc, 1)
        self.assertIn('kernel report: [    3.1] WARNING: CPU: 0', out)

    def test_report_in_dmesg_fails(self):
        log = GOOD.replace('[    0.000000] Linux version 6.12.117',
                           '[    9.0] BUG: KASAN: slab-use-after-free in free_pid')
        rc, out, _ = Run(log).verdict()
        self.assertEqual(rc, 1)
        self.assertIn('BUG: KASAN', out)

    def test_captured_panic(self):
        with open(os.path.join(LOGS, 'panic-console.log')) as f:
            console = f.read()
        rc, out, _ = Run('', console=console).verdict()
        self.assertEqual(rc, 1)
        self.assertIn('no end marker', out)
        self.assertIn('Kernel panic - not syncing', out)

    def test_captured_hang(self):
        with open(os.path.join(LOGS, 'hang-console.log')) as f:
            console = f.read()
        rc, out, _ = Run(GOOD[:GOOD.index('# selftests: pid_namespace')], console=console).verdict()
        self.assertEqual(rc, 1)
        self.assertIn('no end marker', out)
        self.assertIn('no result', out)

    def test_captured_series_run_parses(self):
        with open(os.path.join(LOGS, 'series-results.log')) as f:
            log = f.read()
        progs = results.parse_ktap(log.splitlines())
        self.assertGreater(sum(len(p['cases']) for p in progs.values()), 50)
        self.assertIn('pidfd:pidfd_test', progs)


class Runlist(unittest.TestCase):
    def lists(self, runlist, installed):
        d = tempfile.mkdtemp(prefix='runlist-test-')
        paths = []
        for name, text in (('runlist', runlist), ('installed', installed)):
            paths.append(os.path.join(d, name))
            with open(paths[-1], 'w') as f:
                f.write(text)
        return results.runlist(*paths)

    def test_ignore_patterns_need_a_reason(self):
        d = tempfile.mkdtemp(prefix='ignore-test-')
        path = os.path.join(d, 'bisect.txt')
        with open(path, 'w') as f:
            f.write('# comment\nharness:base_model/*  # pinned model\n')
        self.assertEqual(results.read_patterns(path), ['harness:base_model/*'])
        self.assertEqual(results.read_patterns(os.path.join(HERE, '..', 'expect', 'bisect.txt')),
                         ['harness:base_model/*'])
        with open(path, 'a') as f:
            f.write('pid_namespace:*\n')
        with self.assertRaises(SystemExit):
            results.read_patterns(path)

    def test_exact_entry_beats_glob(self):
        run = self.lists('proc:loadavg\n-proc:*  not about pid namespaces\nnsfs:*\n',
                         'proc:loadavg\nproc:self\nnsfs:owner\nnsfs:pidns\n')
        self.assertEqual(run, ['proc:loadavg', 'nsfs:owner', 'nsfs:pidns'])

    def test_unlisted_program_is_an_error(self):
        with self.assertRaises(SystemExit) as e:
            self.lists('nsfs:owner\n', 'nsfs:owner\nnsfs:pidns\n')
        self.assertIn('nsfs:pidns', str(e.exception))

    def test_exclusion_needs_a_reason(self):
        with self.assertRaises(SystemExit):
            self.lists('-nsfs:owner\n', 'nsfs:owner\n')


class Total(unittest.TestCase):
    def test_total_line(self):
        d = tempfile.mkdtemp(prefix='total-test-')
        paths = []
        for i, c in enumerate(({'passed': 3, 'failed': 0, 'skipped': 1}, {'passed': 2, 'failed': 1, 'skipped': 0})):
            paths.append(os.path.join(d, '%d.json' % i))
            with open(paths[-1], 'w') as f:
                json.dump({'counts': c}, f)
        out = io.StringIO()
        with redirect_stdout(out):
            rc = results.total(paths)
        self.assertEqual((rc, out.getvalue()), (1, '5 passed, 1 failed, 1 skipped\n'))


class Lines(unittest.TestResult):
    """One line per test for tests/run.sh: 'PASS name' or 'FAIL name', details as '# '."""

    def addSuccess(self, test):
        print('PASS', test._testMethodName)

    def _bad(self, test, err):
        print('FAIL', test._testMethodName)
        for line in self._exc_info_to_string(err, test).splitlines():
            print('#', line)

    addFailure = addError = _bad


if __name__ == '__main__':
    if sys.argv[1:] == ['--lines']:
        unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__]).run(Lines())
    else:
        unittest.main()
