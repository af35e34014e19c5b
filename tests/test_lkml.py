# SPDX-License-Identifier: GPL-2.0
"""Tests of harness/lkml.py: a broken patch must be named with what is wrong."""
import io
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'harness'))
import lkml  # noqa: E402

ME = 'A Developer <dev@example.org>'
GOOD = """From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: A Developer <dev@example.org>
Date: Sun, 29 Nov 2026 00:00:00 +0000
Subject: [PATCH 1/2] pidns: do one thing

The problem: something is wrong.
Why it matters: users see it.
How: this changes it.

Signed-off-by: A Developer <dev@example.org>
---
 kernel/pid.c | 1 +
 1 file changed, 1 insertion(+)
"""


def run(patch_text, allow=''):
    d = tempfile.mkdtemp(prefix='lkml-test-')
    paths = {}
    for name, text in (('0001-x.patch', patch_text), ('prefixes', 'pidns:\nselftests/pidns:\n'),
                       ('allow', allow)):
        paths[name] = os.path.join(d, name)
        with open(paths[name], 'w') as f:
            f.write(text)
    a = type('A', (), {})()
    a.tree, a.prefixes, a.allow, a.identity, a.partial = None, paths['prefixes'], paths['allow'], ME, False
    a.patches = [paths['0001-x.patch']]
    out = io.StringIO()
    with redirect_stdout(out):
        rc = lkml.check(a)
    return rc, out.getvalue()


class Check(unittest.TestCase):
    def test_good_patch_passes(self):
        self.assertEqual(run(GOOD), (0, run(GOOD)[1]))

    def test_long_subject_is_named(self):
        rc, out = run(GOOD.replace('pidns: do one thing', 'pidns: ' + 'x' * 80))
        self.assertEqual(rc, 1)
        self.assertIn('subject is 87 characters, over 75', out)

    def test_folded_long_subject_is_measured_whole(self):
        rc, out = run(GOOD.replace('pidns: do one thing', 'pidns: ' + 'word ' * 14 + '\n ' + 'word ' * 3))
        self.assertEqual(rc, 1)
        self.assertIn('over 75', out)

    def test_missing_signoff_is_named(self):
        rc, out = run(GOOD.replace('Signed-off-by: A Developer <dev@example.org>\n', ''))
        self.assertEqual(rc, 1)
        self.assertIn('no "Signed-off-by: A Developer <dev@example.org>" (the author)', out)

    def test_signoff_of_someone_else_is_not_enough(self):
        rc, out = run(GOOD.replace('Signed-off-by: A Developer', 'Signed-off-by: Somebody Else'))
        self.assertEqual(rc, 1)
        self.assertIn('(the author)', out)

    def test_wrong_prefix_is_named(self):
        rc, out = run(GOOD.replace('pidns: do one thing', 'kernel: do one thing'))
        self.assertEqual(rc, 1)
        self.assertIn('does not start with one of pidns: selftests/pidns:', out)

    def test_empty_message_is_named(self):
        rc, out = run(GOOD.replace('The problem: something is wrong.\nWhy it matters: users see it.\n'
                                   'How: this changes it.\n', ''))
        self.assertEqual(rc, 1)
        self.assertIn('does not explain the change', out)

    def test_allow_list_entry_matching_nothing_is_an_error(self):
        rc, out = run(GOOD, allow='pidns: do one  SPACING  # why\n')
        self.assertEqual(rc, 1)
        self.assertIn('matches no finding', out)

    def test_allow_list_entry_needs_a_reason(self):
        with self.assertRaises(SystemExit):
            run(GOOD, allow='pidns: do one  SPACING\n')


if __name__ == '__main__':
    if sys.argv[1:] == ['--lines']:
        from test_results import Lines
        unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__]).run(Lines())
    else:
        unittest.main()
