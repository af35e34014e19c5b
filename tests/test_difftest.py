#!/usr/bin/env python3
"""Tests of harness/difftest.py, the comparison of pidns_diff traces, on made-up outputs.
Run: python3 tests/test_difftest.py (--lines: one PASS/FAIL line per test, for tests/run.sh)."""
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'harness'))
import difftest  # noqa: E402

ALLOWED = os.path.join(HERE, '..', 'expect', 'diff.txt')
RULES = [(1, ['fork', 'vfork'], 'ENOMEM', '[R0-9]*', 'a failed first fork',
          ['*.pidfd.*.1 -> EFAULT']),
         (2, ['fork'], 'R*', 'ENOMEM', 'below a dead init', [])]


def trace(*results, ops=('0.unshare', '0.pidfd.1.1', '0.fork.1')):
    return ['start -> +0:R1@ns0'] + [f'{o} -> {r}' for o, r in zip(ops, results)]


class Compare(unittest.TestCase):
    def test_parse_prog_text_trace_stat_cover(self):
        out = difftest.Output([
            '# pidns_diff: cgroup yes', 'TEXT 7 0.unshare 0.fork.1',
            'TRACE 7 0 start -> +0:R1@ns0', 'TRACE 7 1 0.unshare -> ok',
            'PROG 7 00000000deadbeef feat=1 static=1 steps=2\r',
            'STAT programs=1 seconds=0.50 per_s=2.0 hangs=0',
            'COVER op fork 3 1', 'COVER pair unshare fork 2'])
        self.assertEqual(out.progs['7'], {'hash': '00000000deadbeef', 'feat': 1, 'static': True})
        self.assertEqual(out.texts['7'], '0.unshare 0.fork.1')
        self.assertEqual(out.traces['7'], ['start -> +0:R1@ns0', '0.unshare -> ok'])
        self.assertEqual(out.stat['per_s'], '2.0')
        self.assertEqual(out.ops['fork'], (3, 1))
        self.assertEqual(out.pairs[('unshare', 'fork')], 2)

    def test_same_traces_need_no_explanation(self):
        t = trace('ok', 'EFAULT', 'R2 +1:R2/1@ns1')
        self.assertIsNone(difftest.explain(t, list(t), RULES))

    def test_first_difference_matched_by_rule(self):
        ref = trace('ok', 'EFAULT', 'ENOMEM')
        ker = trace('ok', 'EFAULT', 'R2 +1:R2/1@ns1')
        d, rule = difftest.explain(ref, ker, RULES)
        self.assertEqual(d[0], 3)
        self.assertEqual(rule[4], 'a failed first fork')

    def test_difference_no_rule_allows_is_unexplained(self):
        ref = trace('ok', 'EFAULT', 'R2 +1:R2/1@ns1')
        ker = trace('EINVAL', 'EFAULT', 'R2 +1:R2/1@ns1')
        d, rule = difftest.explain(ref, ker, RULES)
        self.assertEqual((d[0], rule), (1, None))

    def test_rule_needs_both_results_to_match(self):
        ref = trace('ok', 'EFAULT', 'ENOMEM')
        ker = trace('ok', 'EFAULT', 'EAGAIN')
        self.assertIsNone(difftest.explain(ref, ker, RULES)[1])

    def test_rule_needs_an_earlier_step_it_names(self):
        ops = ('0.unshare', '0.pidfd.1.0', '0.fork.1')
        ref = trace('ok', 'R2 pidfd', 'ENOMEM', ops=ops)
        ker = trace('ok', 'R2 pidfd', 'R3 +1:R3/1@ns1', ops=ops)
        self.assertIsNone(difftest.explain(ref, ker, RULES)[1])

    def test_only_the_first_difference_is_matched(self):
        ref = trace('ok', 'EFAULT', 'ENOMEM') + ['0.getpid -> R1']
        ker = trace('ok', 'EFAULT', 'R2 +1:R2/1@ns1') + ['0.getpid -> R9']
        self.assertIsNotNone(difftest.explain(ref, ker, RULES)[1])

    def test_a_shorter_trace_differs_at_its_end(self):
        ref = trace('ok', 'EFAULT', 'ENOMEM')
        d, rule = difftest.explain(ref, ref[:2], RULES)
        self.assertEqual((d[0], d[2], rule), (2, '(end)', None))

    def test_negative_control(self):
        def out(*progs):
            return difftest.Output([f'PROG {i} {h:016x} feat={f} static={s} steps=3'
                                    for i, h, f, s in progs])
        ref = out((1, 1, 0, 0), (2, 2, 1, 1), (3, 3, 0, 1), (4, 4, 1, 1))
        base = out((1, 9, 0, 0), (2, 7, 0, 1), (3, 8, 0, 1), (4, 4, 0, 1))
        self.assertEqual(difftest.control(ref, base), (['1'], ['4']))

    def test_coverage_names_what_was_never_done(self):
        out = difftest.Output(['COVER op fork 3 0', 'COVER op reboot 0 0',
                               'COVER pair fork fork 2'])
        lines, never = difftest.coverage(out)
        self.assertEqual(never, ['reboot'])
        self.assertIn('pairs of operations (b right after a): 1 of 4 reached', lines)

    def test_merge_adds_up(self):
        a = difftest.Output(['PROG 1 0000000000000001 feat=0 static=0 steps=1',
                             'STAT programs=1 seconds=2 per_s=0.5 hangs=0', 'COVER op fork 1 0'])
        a.merge(difftest.Output(['PROG 2 0000000000000002 feat=0 static=0 steps=1',
                                 'STAT programs=3 seconds=2 per_s=1.5 hangs=1',
                                 'COVER op fork 2 1']))
        self.assertEqual(sorted(a.progs), ['1', '2'])
        self.assertEqual((a.stat['programs'], a.stat['per_s'], a.stat['hangs']), ('4', '1.0', '1'))
        self.assertEqual(a.ops['fork'], (3, 1))

    def test_real_rules_allow_the_failed_first_fork_only(self):
        rules = difftest.read_allowed(ALLOWED)
        ops = ('0.unshare', '0.pidfd.1.1', '0.fork.3')
        ref = trace('ok', 'EFAULT', 'ENOMEM', ops=ops)
        init = trace('ok', 'EFAULT', 'R2 +3:R2/1@ns1', ops=ops)
        self.assertIn('patch 9', difftest.explain(ref, init, rules)[1][4])
        # not its init: unexplained
        second = trace('ok', 'EFAULT', 'R2 +3:R2/2@ns1', ops=ops)
        self.assertIsNone(difftest.explain(ref, second, rules)[1])
        # no failed fork before: unexplained
        ops = ('0.unshare', '0.getpid', '0.fork.3')
        ref = trace('ok', 'R1', 'ENOMEM', ops=ops)
        self.assertIsNone(difftest.explain(ref, trace('ok', 'R1', 'R2 +3:R2/1@ns1', ops=ops),
                                           rules)[1])

    def test_idle_operations_are_a_shrink_candidate(self):
        ops = ['0.fork.1', '2.getpid', '1.unshare', '0.fork.1']
        tr = ['start -> +0:R1@ns0', '0.fork.1 -> R2 +1:R2@ns0', '2.getpid -> -',
              '1.unshare -> ok', '0.fork.1 -> busy']
        self.assertEqual(difftest.idle_steps(ops, tr), ['0.fork.1', '1.unshare'])
        self.assertIsNone(difftest.idle_steps(ops[:1], tr[:2]))

    def test_count_of_generated_programs(self):
        self.assertEqual(difftest.count('-s 5 -n 1000 -l 24'), 1000)
        self.assertEqual(difftest.count('-t'), 0)

    def test_allowed_file_parses_and_needs_reasons(self):
        self.assertTrue(all(r[4] for r in difftest.read_allowed(ALLOWED)))
        with tempfile.NamedTemporaryFile('w', suffix='.txt') as f:
            f.write('fork | ENOMEM | R*\n')  # no reason
            f.flush()
            with self.assertRaises(ValueError):
                difftest.read_allowed(f.name)


if __name__ == '__main__':
    if sys.argv[1:] == ['--lines']:
        from test_results import Lines
        unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__]).run(Lines())
    else:
        unittest.main()
