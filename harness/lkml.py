#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Mail-readiness checks of a patch series (harness/lkml.sh).

  lkml.py check --tree DIR --prefixes F --allow F --identity 'Name <mail>' PATCH...
      per patch: subject prefix and length, Signed-off-by of the author and
      of the project's identity, a commit message, checkpatch --strict
      findings against the allow-list. Prints one line per patch and one
      FAIL line per problem; exits 1 if there is any.
  lkml.py cover --version TEXT [--series-version N] [--security F PATCH...] COVER
      the cover letter: base stated in words, the sections a reviewer needs,
      a changelog entry for vN; while the fix that F names is in PATCH... and
      under embargo: none of F's forbidden phrases, and it says the fix went
      to the security team first.
  lkml.py author PATCH
      the From: of PATCH (the project's identity, for patches/0000-cover-letter.patch).
  lkml.py sender --rules F --project IDENT [--lkml-from X] [--sendemail-from X]
                 [--name X] [--email X]
      the sender of the mails: the first of LKML_FROM, sendemail.from and
      user.name/user.email that is set; exits 1 naming what is missing, or
      why it is a placeholder (rules in F, the project's identity), and how
      to set it.
  lkml.py security --security F --tree DIR PATCH...
      the fix F names: in the series, tagged for stable, its reproducer in
      DIR. Exits 3 when there is nothing to send (no embargo, or the series
      does not have the fix).
  lkml.py mails --sender IDENT --project IDENT --recipients F --security F
                --report F --tree DIR --out DIR [--epoch T] COVER PATCH...
      the mails of format-patch's COVER and PATCHes for the lists, with the
      sender's identity and per-patch recipients, in DIR; the security mail
      in DIR/security/; DIR/series.mbox.
"""
import argparse
import email
import email.header
import email.utils
import os
import re
import subprocess
import sys
import time

import lkml_mails as lm

SKIP = 3
MAX_SUBJECT = 75
TRAILER = (r'^(Signed-off-by|Acked-by|Reviewed-by|Tested-by|Reported-by|Suggested-by|'
           r'Co-developed-by|Fixes|Link|Closes|Cc):')
COVER_SECTIONS = ('Semantics', 'differs from upstream', 'Base', 'Testing', 'Changes')


def read_patch(path):
    with open(path, errors='replace') as f:
        text = f.read()
    head, _, rest = text.partition('\n\n')
    msg = email.message_from_string(head + '\n\n')
    subject = str(email.header.make_header(email.header.decode_header(msg['Subject'] or '')))
    subject = re.sub(r'\s+', ' ', subject).strip()
    author = str(email.header.make_header(email.header.decode_header(msg['From'] or '')))
    author = re.sub(r'\s+', ' ', author).strip()
    body = rest.split('\n---\n', 1)[0]
    return subject, author, body


def summary_of(subject):
    return re.sub(r'^\[[^]]*\]\s*', '', subject)


def read_list(path, fields):
    out = []
    with open(path) as f:
        for no, line in enumerate(f, 1):
            body, _, why = line.partition('#')
            body = body.strip()
            if not body:
                continue
            if fields == 2:
                m = re.match(r'^(.*\S)\s{2,}(\S+)$', body)
                if not m or not why.strip():
                    raise SystemExit('%s:%d: expected "SUBJECT-PREFIX  TYPE  # why"' % (path, no))
                out.append((m.group(1), m.group(2)))
            else:
                out.append(body)
    return out


def checkpatch(tree, patch):
    tree, patch = os.path.abspath(tree), os.path.abspath(patch)
    env = dict(os.environ, PATH='/usr/bin:/bin:' + os.environ.get('PATH', ''))
    r = subprocess.run([os.path.join(tree, 'scripts', 'checkpatch.pl'), '--strict', '--show-types',
                        '--terse', '--no-summary', patch], cwd=tree, env=env,
                       capture_output=True, text=True)
    found = []
    for line in r.stdout.splitlines():
        m = re.search(r': (ERROR|WARNING|CHECK):([A-Z0-9_]+): (.*)$', line)
        if m:
            found.append(m.groups())
    return found, r.stderr.strip()


def check(a):
    prefixes = read_list(a.prefixes, 1)
    allow = read_list(a.allow, 2)
    used = set()
    problems = 0
    for path in a.patches:
        name = os.path.basename(path)
        subject, author, body = read_patch(path)
        summary = summary_of(subject)
        bad = []
        if not any(summary.startswith(p + ' ') for p in prefixes):
            bad.append('subject "%s" does not start with one of %s' % (summary, ' '.join(prefixes)))
        if len(summary) > MAX_SUBJECT:
            bad.append('subject is %d characters, over %d' % (len(summary), MAX_SUBJECT))
        sobs = re.findall(r'^Signed-off-by: (.*)$', body, re.M)
        if author not in sobs:
            bad.append('no "Signed-off-by: %s" (the author)' % author)
        if a.identity and a.identity not in sobs:
            bad.append('no "Signed-off-by: %s" (the project\'s identity)' % a.identity)
        text = [l for l in body.splitlines() if l.strip() and not re.match(TRAILER, l)]
        if len(text) < 3:
            bad.append('the commit message does not explain the change (problem, why, how)')
        found, err = checkpatch(a.tree, path) if a.tree else ([], '')
        if err and 'Traceback' in err:
            bad.append('checkpatch.pl failed: %s' % err.splitlines()[-1])
        counts = {'ERROR': 0, 'WARNING': 0, 'CHECK': 0}
        allowed = 0
        for level, typ, text_ in found:
            counts[level] += 1
            ok = [i for i, (pre, t) in enumerate(allow) if t == typ and summary.startswith(pre)]
            if level != 'ERROR' and ok:
                used.update(ok)
                allowed += 1
            else:
                bad.append('checkpatch %s:%s: %s' % (level, typ, text_))
        cp = 'clean' if not found else '%dE/%dW/%dC (%d allowed)' % (
            counts['ERROR'], counts['WARNING'], counts['CHECK'], allowed)
        print('[lkml] %-62s %-4s checkpatch %s' % (name[:62], 'ok' if not bad else 'FAIL', cp))
        for b in bad:
            print('[lkml] FAIL %s: %s' % (name, b))
        problems += len(bad)
    for i, (pre, typ) in enumerate(allow):
        if i not in used and not a.partial:
            print('[lkml] FAIL allow-list entry "%s  %s" matches no finding: remove it' % (pre, typ))
            problems += 1
    return 1 if problems else 0


def cover(a):
    subject, author, _ = read_patch(a.cover)
    body = lm.cover_prose(lm.Mail(lm.read(a.cover)).body)
    bad = []
    if '*** SUBJECT HERE ***' in subject or '*** BLURB HERE ***' in body:
        bad.append('the cover letter is format-patch\'s template')
    if a.version not in body:
        bad.append('the base is not stated in words ("%s" is not in it)' % a.version)
    for s in COVER_SECTIONS:
        if s not in body:
            bad.append('no "%s" section' % s)
    changes = body[body.find('Changes'):] if 'Changes' in body else ''
    if a.series_version and not re.search(r'\bv%s\b' % a.series_version, changes):
        bad.append('the changelog ("Changes") has no entry for v%s' % a.series_version)
    if a.security:
        bad += embargoed(a.security, a.patches, body)
    for b in bad:
        print('[lkml] FAIL cover letter: %s' % b)
    if not bad:
        print('[lkml] cover letter ok (%s)' % summary_of(subject))
    return 1 if bad else 0


def embargoed(security, patches, prose):
    """What the cover letter gives away while the fix is not public."""
    sec = lm.read_security(security)
    fix = lm.find_fix([lm.Mail(lm.read(p)) for p in patches], sec)
    if fix is None or not sec['embargo']:
        return []
    bad = ['it describes the bug the security fix is for: "%s" (a forbidden phrase of %s)'
           % (p, security) for p in sec['forbid'] if lm.phrase_in(p, prose)]
    if not any(to in prose for to in sec['to']):
        bad.append('it does not say that the fix ("%s") went to %s first'
                   % (sec['subject'], ' and '.join(sec['to'])))
    return bad


def author(a):
    print(lm.Mail(lm.read(a.patch)).get('From') or '')
    return 0


def sender(a):
    try:
        print(lm.sender(a.lkml_from, a.sendemail_from, a.name, a.email,
                        lm.read_keyed(a.rules), a.project))
    except lm.Refused as e:
        print(e)
        return 1
    return 0


def reproducer(tree, sec):
    path = sec['reproducer']
    try:
        return path, lm.read(os.path.join(tree, path))
    except (OSError, TypeError):
        return path, None


def security(a):
    sec = lm.read_security(a.security)
    if not sec['embargo']:
        print('[lkml] no fix under embargo (%s): no security mail' % a.security)
        return SKIP
    fix = lm.find_fix([lm.Mail(lm.read(p)) for p in a.patches], sec)
    if fix is None:
        print('[lkml] no patch of the series is "%s" (%s): no security mail' % (sec['subject'], a.security))
        return SKIP
    bad = []
    if not any(lm.is_stable(v) for k, v in lm.CC_TRAILER.findall(fix.split()[0]) if k.lower() == 'cc'):
        bad.append('"%s" has no Cc: stable@ trailer: is it the fix %s means?' % (sec['subject'], a.security))
    path, code = reproducer(a.tree, sec)
    if lm.reproducer_problem(path, code):
        bad.append(lm.reproducer_problem(path, code))
    if not sec['to']:
        bad.append('%s names no recipient (to)' % a.security)
    for b in bad:
        print('[lkml] FAIL security fix: %s' % b)
    if not bad:
        print('[lkml] security fix "%s": Cc: stable, reproducer %s (%d lines), to %s'
              % (sec['subject'], path, code.count('\n'), ', '.join(sec['to'])))
    return 1 if bad else 0


def recipients(path):
    to, cc = [], []
    with open(path) as f:
        for line in f:
            kind, _, addr = line.strip().partition(' ')
            if addr:
                (to if kind == 'to' else cc).append(addr.strip())
    return to, cc


def mails(a):
    sec = lm.read_security(a.security)
    texts = [lm.read(p) for p in a.mails]
    ms = [lm.Mail(t) for t in texts]
    fix = lm.find_fix(ms[1:], sec)
    fix_text = texts[ms.index(fix)] if fix is not None else None
    to, cc = recipients(a.recipients)
    lm.public_series(ms, a.sender, a.project, to, cc, sec, a.epoch)
    for path, m in zip(a.mails, ms):
        lm.write(os.path.join(a.out, os.path.basename(path)), m.text())
    lm.write(os.path.join(a.out, 'series.mbox'), lm.mbox(m.text() for m in ms))
    ncc = {re.match(r'(?:v\d+-)?(\d+)', os.path.basename(p)).group(1):
           len(email.utils.getaddresses([m.get('Cc') or ''])) for p, m in zip(a.mails, ms)}
    print('[lkml] mails from %s in %s: %d files and series.mbox; Cc per mail: %s'
          % (a.sender, a.out, len(ms), ' '.join('%s=%d' % kv for kv in ncc.items())))
    if fix is None or not sec['embargo']:
        return 0
    path, code = reproducer(a.tree, sec)
    if lm.reproducer_problem(path, code):
        print('[lkml] FAIL security mail: %s' % lm.reproducer_problem(path, code))
        return 1
    out = os.path.join(a.out, 'security', '0001-' + re.sub(r'[^A-Za-z0-9]+', '-', fix.summary())[:52].strip('-') + '.patch')
    lm.write(out, lm.security_mail(fix_text, a.sender, a.project, sec, lm.read(a.report), (path, code), a.epoch))
    print('[lkml] security mail to %s only: %s (reproducer %s inline); send it first, the series only once the fix is public'
          % (', '.join(sec['to']), out, path))
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest='cmd', required=True)
    c = sub.add_parser('check')
    c.add_argument('--tree', help='kernel tree whose checkpatch.pl to run (none: skip checkpatch)')
    c.add_argument('--prefixes', required=True)
    c.add_argument('--allow', required=True)
    c.add_argument('--identity')
    c.add_argument('--partial', action='store_true', help='do not require every allow-list entry to match')
    c.add_argument('patches', nargs='+')
    v = sub.add_parser('cover')
    v.add_argument('--version', required=True)
    v.add_argument('--series-version')
    v.add_argument('--security')
    v.add_argument('cover')
    v.add_argument('patches', nargs='*')
    u = sub.add_parser('author')
    u.add_argument('patch')
    s = sub.add_parser('sender')
    s.add_argument('--rules', required=True)
    s.add_argument('--project', default='')
    for opt in ('--lkml-from', '--sendemail-from', '--name', '--email'):
        s.add_argument(opt, default='')
    y = sub.add_parser('security')
    y.add_argument('--security', required=True)
    y.add_argument('--tree', required=True)
    y.add_argument('patches', nargs='+')
    m = sub.add_parser('mails')
    for opt in ('--sender', '--project', '--recipients', '--security', '--report', '--tree', '--out'):
        m.add_argument(opt, required=True)
    m.add_argument('--epoch', type=int, default=int(os.environ.get('SOURCE_DATE_EPOCH') or time.time()))
    m.add_argument('mails', nargs='+', help='the cover letter first, then the patches')
    a = ap.parse_args()
    return {'check': check, 'cover': cover, 'author': author, 'sender': sender,
            'security': security, 'mails': mails}[a.cmd](a)


if __name__ == '__main__':
    sys.exit(main())
