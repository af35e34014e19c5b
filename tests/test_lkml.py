# SPDX-License-Identifier: GPL-2.0
"""Tests of harness/lkml.py: a broken patch must be named with what is wrong;
the mails carry the sender's identity and their own recipients; the security
fix goes to the security team alone, and the cover letter keeps quiet."""
import email.utils
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.join(HERE, '..')
sys.path.insert(0, os.path.join(TOP, 'harness'))
import lkml  # noqa: E402
import lkml_mails as lm  # noqa: E402

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



# ---- the mails

PROJECT = 'Pidns Project <team@pidns-project.org>'
SENDER = 'Jane Developer <jane.developer@fastmail.com>'
RULES = lm.read_keyed(os.path.join(TOP, 'lkml', 'placeholder-senders.txt'))
DATA = os.path.join(HERE, 'data', 'lkml')
REPRO = 'tools/testing/selftests/pid_namespace/regression_dead_init.c'
FIX = 'pid: allocate no pid below a dying pid namespace'


def mail(n, subject, message, author=PROJECT, commit=None):
    return """From %s Mon Sep 17 00:00:00 2001
From: %s
Date: Sun, 29 Nov 2026 00:00:0%d +0000
Subject: [PATCH v2 %d/3] %s

%s---
 kernel/pid.c | 1 +
 1 file changed, 1 insertion(+)

diff --git a/kernel/pid.c b/kernel/pid.c
--- a/kernel/pid.c
+++ b/kernel/pid.c
@@ -1 +1,2 @@
 a
+b
-- 
2.39.5

""" % (commit or ('%d' % n) * 40, author, n, n, subject, message)


COVER = """From 3333333333333333333333333333333333333333 Mon Sep 17 00:00:00 2001
From: %s
Date: Sun, 29 Nov 2026 01:00:00 +0000
Subject: [PATCH v2 0/3] pidns: a series

The series. The fix went to security@kernel.org first.

Changes
=======
v2: new patch 1.

Pidns Project (2):
  pid: allocate no pid below a dying pid namespace
  pidfs: hand out the namespace

Someone Else (1):
  pidns: a change by somebody else

 kernel/pid.c | 1 +
 1 file changed, 1 insertion(+)

-- 
2.39.5

""" % PROJECT

P1 = mail(1, FIX, """The fix.
It explains the problem.
And how.

Fixes: 5b08bd408534 ("pidfs: allow retrieval of namespace file descriptors")
Cc: stable@vger.kernel.org # v6.11+
Signed-off-by: %s
""" % PROJECT)
P2 = mail(2, 'pidfs: hand out the namespace', """User space sees this.
It explains the problem.
And how.

Cc: linux-api@vger.kernel.org
Cc: linux-man@vger.kernel.org
Reviewed-by: Some Reviewer <reviewer@kernel.org>
Signed-off-by: %s
""" % PROJECT)
P3 = mail(3, 'pidns: a change by somebody else', """A change.
It explains the problem.
And how.

Signed-off-by: Someone Else <someone@else.org>
""", author='Someone Else <someone@else.org>')


def security_file(d, embargo='yes', subject=FIX):
    path = os.path.join(d, 'security.txt')
    with open(path, 'w') as f:
        f.write('subject %s  # the fix\nreproducer %s  # the test\nto security@kernel.org  # the team\n'
                'embargo %s  # not public\nforbid use-after-free  # the bug class\n'
                'forbid dead init  # the reproducer\'s words\n' % (subject, REPRO, embargo))
    return path


def write_mails(texts, embargo='yes', tree=None, sender=SENDER):
    """Run lkml.py mails on TEXTS (cover first); return the output directory."""
    d = tempfile.mkdtemp(prefix='lkml-mails-')
    paths = []
    for i, t in enumerate(texts):
        paths.append(os.path.join(d, 'in', '%04d-x.patch' % i))
        lm.write(paths[-1], t)
    lm.write(os.path.join(d, 'recipients'), 'to Christian Brauner <brauner@kernel.org>\n'
             'cc linux-kernel@vger.kernel.org\ncc "Eric W. Biederman" <ebiederm@xmission.com>\n')
    a = type('A', (), {})()
    a.sender, a.project, a.recipients = sender, PROJECT, os.path.join(d, 'recipients')
    a.security, a.report = security_file(d, embargo), os.path.join(TOP, 'lkml', 'security-report.txt')
    a.tree, a.out, a.epoch, a.mails = tree or os.path.join(DATA, 'tree'), os.path.join(d, 'out'), 1796000000, paths
    with redirect_stdout(io.StringIO()):
        rc = lkml.mails(a)
    return rc, a.out


def out_mails(out):
    names = sorted(n for n in os.listdir(out) if n.endswith('.patch'))
    return [lm.Mail(lm.read(os.path.join(out, n))) for n in names]


def addrs(m, key):
    return {a.lower() for _, a in email.utils.getaddresses([m.get(key) or ''])}


class Sender(unittest.TestCase):
    def refused(self, *args, project=PROJECT):
        with self.assertRaises(lm.Refused) as e:
            lm.sender(*args, RULES, project)
        return str(e.exception)

    def test_sender_refused_when_missing(self):
        msg = self.refused('', '', '', '')
        self.assertIn('no sender identity', msg)
        self.assertIn("LKML_FROM='Full Name <you@your.domain>'", msg)

    def test_sender_refused_without_email(self):
        self.assertIn('user.email is not set', self.refused('', '', 'Jane Developer', ''))

    def test_sender_refused_noreply(self):
        for ident in ('Jane <jane@users.noreply.github.com>', 'Jane <no-reply@fastmail.com>',
                      'Seed maintainers <maintainers@users.noreply.r-seed-083523ec.example>'):
            self.assertIn('placeholder address', self.refused(ident, '', '', ''), ident)

    def test_sender_refused_example_domains(self):
        for addr in ('jane@example.com', 'jane@example.org', 'jane@mail.example.net', 'jane@host.example',
                     'jane@kernel-dev.test', 'jane@x.invalid', 'root@localhost', 'root@build.localdomain'):
            self.assertIn('placeholder address', self.refused('', 'Jane Developer <%s>' % addr, '', ''), addr)

    def test_sender_refused_project_identity(self):
        msg = self.refused('', '', 'Pidns Project', 'team@pidns-project.org')
        self.assertIn("the project's own identity", msg)
        self.assertIn('git config user.name/user.email', msg)

    def test_sender_refused_without_a_name(self):
        self.assertIn('not of the form', self.refused('jane.developer@fastmail.com', '', '', ''))

    def test_sender_accepted_realistic(self):
        self.assertEqual(lm.sender('', '', 'Jane Developer', 'jane.developer@fastmail.com', RULES, PROJECT), SENDER)

    def test_sender_lkml_from_then_sendemail_then_user(self):
        other = 'Joe Sender <joe@sender.net>'
        self.assertEqual(lm.sender(SENDER, other, 'X Y', 'x@y.org', RULES, PROJECT), SENDER)
        self.assertEqual(lm.sender('', other, 'X Y', 'x@y.org', RULES, PROJECT), other)
        # a placeholder first in line is refused, not skipped for the next
        self.refused('Jane <jane@example.com>', other, '', '')


    def test_noautosel_trailer_is_a_tag_not_a_recipient(self):
        msg = ('Cc: <stable+noautosel@kernel.org> # changes what a parent sees\n'
               'Cc: linux-api@vger.kernel.org\n')
        self.assertEqual(lm.trailer_people(msg), ['linux-api@vger.kernel.org'])

class Mails(unittest.TestCase):
    def setUp(self):
        self.rc, self.out = write_mails([COVER, P1, P2, P3])
        self.cover, self.p1, self.p2, self.p3 = out_mails(self.out)

    def tearDown(self):
        shutil.rmtree(os.path.dirname(self.out))

    def test_mails_from_and_signoff_are_the_senders(self):
        self.assertEqual(self.rc, 0)
        for m in (self.cover, self.p1, self.p2, self.p3):
            self.assertEqual(m.get('From'), SENDER)
            self.assertNotIn('team@pidns-project.org', m.text())
        message = self.p2.split()[0]
        self.assertIn('Signed-off-by: %s\n' % SENDER, message)
        self.assertIn('Reviewed-by: Some Reviewer <reviewer@kernel.org>\nSigned-off-by: %s' % SENDER, message)
        self.assertIn('Fixes: 5b08bd408534 ("pidfs: allow', self.p1.body)
        self.assertIn('Jane Developer (2):', self.cover.body)

    def test_mails_non_ascii_sender_is_encoded(self):
        zoe = 'Zo\u00eb D\u00e9veloppeur <zoe@devmail.net>'
        rc, out = write_mails([COVER, P1, P2], sender=zoe)
        text = lm.read(os.path.join(out, sorted(os.listdir(out))[2]))
        self.assertTrue(text.split('\n\n')[0].isascii())
        self.assertIn('Content-Type: text/plain; charset=UTF-8', text)
        info = subprocess.run(['git', 'mailinfo', os.devnull, os.devnull], input=text,
                              capture_output=True, text=True, check=True).stdout
        self.assertIn('Author: Zo\u00eb D\u00e9veloppeur\nEmail: zoe@devmail.net\n', info)
        self.assertIn('Signed-off-by: %s\n' % zoe, text)

    def test_mails_keep_another_authors_authorship(self):
        message = self.p3.split()[0]
        self.assertTrue(message.startswith('From: Someone Else <someone@else.org>\n\n'))
        self.assertTrue(message.endswith('Signed-off-by: Someone Else <someone@else.org>\n'
                                         'Signed-off-by: %s\n' % SENDER))

    def test_mails_thread_under_the_cover_letter(self):
        root = self.cover.get('Message-Id')
        self.assertEqual(root, '<cover.1796000000.git.jane.developer@fastmail.com>')
        self.assertIsNone(self.cover.get('In-Reply-To'))
        ids, dates = {root}, [email.utils.parsedate_to_datetime(self.cover.get('Date'))]
        for m in (self.p1, self.p2, self.p3):
            self.assertEqual((m.get('In-Reply-To'), m.get('References')), (root, root))
            self.assertTrue(m.get('Message-Id').endswith('.git.jane.developer@fastmail.com>'))
            ids.add(m.get('Message-Id'))
            dates.append(email.utils.parsedate_to_datetime(m.get('Date')))
        self.assertEqual(len(ids), 4)
        self.assertEqual(dates, sorted(set(dates)))

    def test_mails_patch_cc_from_its_trailers(self):
        self.assertEqual(addrs(self.p2, 'To'), {'brauner@kernel.org'})
        self.assertEqual(addrs(self.p2, 'Cc'), {'linux-kernel@vger.kernel.org', 'ebiederm@xmission.com',
                                                'linux-api@vger.kernel.org', 'linux-man@vger.kernel.org',
                                                'reviewer@kernel.org'})
        self.assertNotIn('linux-api@vger.kernel.org', addrs(self.p3, 'Cc'))
        self.assertIn('someone@else.org', addrs(self.p3, 'Cc'))

    def test_mails_cover_cc_is_the_union(self):
        union = set()
        for m in (self.p1, self.p2, self.p3):
            union |= addrs(m, 'Cc')
        # stable@ takes fixes from mainline, never a series from the list
        self.assertEqual(addrs(self.cover, 'Cc'), union - {'stable@vger.kernel.org'})
        self.assertIn('linux-man@vger.kernel.org', union)

    def test_mails_no_stable_in_headers_under_embargo(self):
        for m in (self.cover, self.p1, self.p2, self.p3):
            self.assertFalse({'stable@vger.kernel.org', 'stable@kernel.org'} & (addrs(m, 'To') | addrs(m, 'Cc')))
        self.assertIn('\nCc: stable@kernel.org # v6.11+\n', self.p1.body)
        self.assertNotIn('stable@vger', self.p1.body)

    def test_mails_stable_in_its_patch_headers_once_public(self):
        rc, out = write_mails([COVER, P1, P2, P3], embargo='no')
        cover, p1, _, _ = out_mails(out)
        self.assertIn('stable@vger.kernel.org', addrs(p1, 'Cc'))
        self.assertNotIn('stable@vger.kernel.org', addrs(cover, 'Cc'))
        self.assertFalse(os.path.exists(os.path.join(out, 'security')))

    def test_mails_series_mbox_holds_every_mail(self):
        box = lm.read(os.path.join(self.out, 'series.mbox'))
        self.assertEqual(len(re.findall(r'^From [0-9a-f]{40} ', box, re.M)), 4)


class Security(unittest.TestCase):
    def setUp(self):
        self.rc, self.out = write_mails([COVER, P1, P2, P3])
        d = os.path.join(self.out, 'security')
        self.names = os.listdir(d)
        self.mail = lm.Mail(lm.read(os.path.join(d, self.names[0])))

    def tearDown(self):
        shutil.rmtree(os.path.dirname(self.out))

    def test_security_mail_only_to_security_team(self):
        self.assertEqual(self.names, ['0001-pid-allocate-no-pid-below-a-dying-pid-namespace.patch'])
        self.assertEqual(self.mail.get('To'), 'security@kernel.org')
        for key in ('Cc', 'Bcc', 'In-Reply-To', 'References'):
            self.assertIsNone(self.mail.get(key), key)
        self.assertEqual(self.mail.get('Subject'), '[PATCH] ' + FIX)
        self.assertEqual(self.mail.get('From'), SENDER)

    def test_security_mail_has_the_reproducer_below_the_line(self):
        message, rest = self.mail.split()
        code = lm.read(os.path.join(DATA, 'tree', REPRO))
        self.assertIn(code, rest)
        self.assertIn('Reproducer: %s' % REPRO, rest)
        self.assertLess(rest.index(code), rest.index('diff --git'))
        self.assertNotIn('placeholder reproducer', message)
        self.assertIn('Steps', rest)

    def test_security_mail_names_no_public_list(self):
        self.assertNotIn('vger.kernel.org', self.mail.split()[0])
        self.assertIn('Cc: stable@kernel.org # v6.11+', self.mail.body)

    def test_security_mail_drops_public_cc_trailers(self):
        rc, out = write_mails([COVER, P1.replace('Cc: stable', 'Cc: linux-api@vger.kernel.org\nCc: stable'), P2])
        m = lm.Mail(lm.read(os.path.join(out, 'security', self.names[0])))
        message, rest = m.split()
        self.assertNotIn('linux-api', message)
        self.assertIn('linux-api@vger.kernel.org', rest)

    def test_security_mail_missing_reproducer_fails(self):
        rc, out = write_mails([COVER, P1, P2], tree=tempfile.mkdtemp())
        self.assertEqual(rc, 1)
        self.assertFalse(os.path.exists(os.path.join(out, 'security')))

    def check(self, patches, embargo='yes', tree=None):
        d = tempfile.mkdtemp(prefix='lkml-sec-')
        paths = []
        for i, t in enumerate(patches):
            paths.append(os.path.join(d, '%04d.patch' % (i + 1)))
            lm.write(paths[-1], t)
        a = type('A', (), {})()
        a.security, a.tree, a.patches = security_file(d, embargo), tree or os.path.join(DATA, 'tree'), paths
        out = io.StringIO()
        with redirect_stdout(out):
            rc = lkml.security(a)
        return rc, out.getvalue()

    def test_security_check_finds_the_fix(self):
        self.assertEqual(self.check([P1, P2])[0], 0)

    def test_security_check_needs_a_stable_trailer(self):
        rc, out = self.check([P1.replace('Cc: stable@vger.kernel.org # v6.11+\n', ''), P2])
        self.assertEqual(rc, 1)
        self.assertIn('no Cc: stable@ trailer', out)

    def test_security_check_skips_without_the_fix(self):
        self.assertEqual(self.check([P2, P3])[0], lkml.SKIP)
        self.assertEqual(self.check([P1, P2], embargo='no')[0], lkml.SKIP)

    def test_security_txt_needs_a_reason_per_entry(self):
        d = tempfile.mkdtemp()
        lm.write(os.path.join(d, 's'), 'forbid exploit\n')
        with self.assertRaises(SystemExit):
            lm.read_security(os.path.join(d, 's'))

    def test_security_txt_of_the_project_parses(self):
        sec = lm.read_security(os.path.join(TOP, 'lkml', 'security.txt'))
        self.assertEqual(sec['to'], ['security@kernel.org'])
        self.assertTrue(sec['forbid'])


class CoverCheck(unittest.TestCase):
    def run_cover(self, cover, patches=(P1, P2, P3), embargo='yes', version='2'):
        d = tempfile.mkdtemp(prefix='lkml-cover-')
        paths = []
        for i, t in enumerate((cover,) + tuple(patches)):
            paths.append(os.path.join(d, '%04d.patch' % i))
            lm.write(paths[-1], t)
        a = type('A', (), {})()
        a.cover, a.patches, a.version, a.series_version = paths[0], paths[1:], 'v2', version
        a.security = security_file(d, embargo)
        cover_text = COVER.replace('The series.', 'The series. Semantics, differs from upstream, Base, Testing.')
        if cover is COVER:
            lm.write(paths[0], cover_text)
        out = io.StringIO()
        with redirect_stdout(out):
            rc = lkml.cover(a)
        return rc, out.getvalue()

    def test_cover_check_passes_a_quiet_cover_letter(self):
        self.assertEqual(self.run_cover(COVER), (0, self.run_cover(COVER)[1]))

    def test_cover_check_catches_a_forbidden_phrase(self):
        rc, out = self.run_cover(COVER.replace('The series.', 'Semantics, differs from upstream, Base, '
                                               'Testing. Patch 1 fixes a Use-After-Free.'))
        self.assertEqual(rc, 1)
        self.assertIn('describes the bug the security fix is for: "use-after-free"', out)

    def test_cover_check_needs_the_security_team_first(self):
        rc, out = self.run_cover(COVER.replace('The fix went to security@kernel.org first.',
                                               'Semantics, differs from upstream, Base, Testing.'))
        self.assertEqual(rc, 1)
        self.assertIn('does not say that the fix ("%s") went to security@kernel.org first' % FIX, out)

    def test_cover_check_reads_only_the_prose(self):
        # a forbidden phrase in the shortlog or diffstat is the patches' own text
        text = COVER.replace('pidfs: hand out the namespace', 'pidfs: test a dead init')
        self.assertEqual(self.run_cover(text.replace('The series.', 'Semantics, differs from upstream, '
                                                     'Base, Testing.'))[0], 0)

    def test_cover_check_quiet_only_while_the_fix_is_embargoed(self):
        text = COVER.replace('The series.', 'Semantics, differs from upstream, Base, Testing. '
                             'It fixed a use-after-free.')
        self.assertEqual(self.run_cover(text, embargo='no')[0], 0)
        self.assertEqual(self.run_cover(text, patches=(P2, P3))[0], 0)

    def test_cover_check_changelog_names_the_version(self):
        rc, out = self.run_cover(COVER, version='3')
        self.assertEqual(rc, 1)
        self.assertIn('no entry for v3', out)


class GitAm(unittest.TestCase):
    """The mails, applied with git am, give the commits the patches describe."""

    def git(self, *args, cwd=None):
        env = dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM='1',
                   GIT_AUTHOR_NAME='Pidns Project', GIT_AUTHOR_EMAIL='team@pidns-project.org',
                   GIT_COMMITTER_NAME='Pidns Project', GIT_COMMITTER_EMAIL='team@pidns-project.org')
        return subprocess.run(('git',) + args, cwd=cwd or self.repo, env=env, check=True,
                              capture_output=True, text=True).stdout

    def test_mails_git_am_gives_the_series_as_the_sender(self):
        self.repo = tempfile.mkdtemp(prefix='lkml-am-')
        self.git('init', '-q', '-b', 'series')
        lm.write(os.path.join(self.repo, 'f'), 'a\n')
        self.git('add', 'f')
        self.git('commit', '-q', '-m', 'base')
        self.git('tag', 'base')
        for i, msg in enumerate((P1, P2)):
            lm.write(os.path.join(self.repo, 'f'), 'a\n' * (i + 2))
            self.git('commit', '-q', '-a', '-m', lm.Mail(msg).summary() + '\n\n' + lm.Mail(msg).split()[0])
        self.git('config', 'branch.series.description', 'pidns: a series\n\nThe series.\n')
        raw = os.path.join(self.repo, 'raw')
        self.git('format-patch', '-q', '-v2', '--cover-letter', '--cover-from-description=subject',
                 '-o', raw, 'base..series')
        rc, out = write_mails([lm.read(os.path.join(raw, n)) for n in sorted(os.listdir(raw))])
        self.assertEqual(rc, 0)
        self.git('checkout', '-q', '-b', 'am', 'base')
        self.git('am', '-q', '--empty=drop', os.path.join(out, 'series.mbox'))
        self.assertEqual(self.git('rev-parse', 'am^{tree}'), self.git('rev-parse', 'series^{tree}'))
        log = self.git('log', '--format=%an <%ae>|%b', 'base..am')
        self.assertEqual(log.count('Jane Developer <jane.developer@fastmail.com>|'), 2)
        self.assertNotIn('team@pidns-project.org', log)
        self.git('checkout', '-q', '-b', 'fix', 'base')
        self.git('am', '-q', *[os.path.join(out, 'security', n) for n in os.listdir(os.path.join(out, 'security'))])
        body = self.git('log', '-1', '--format=%B')
        self.assertIn('Cc: stable@kernel.org # v6.11+', body)
        self.assertNotIn('Reproducer', body)
        shutil.rmtree(self.repo)


if __name__ == '__main__':
    if sys.argv[1:] == ['--lines']:
        from test_results import Lines
        unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__]).run(Lines())
    else:
        unittest.main()
