#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Mail-readiness checks of a patch series (harness/lkml.sh).

  lkml.py check --tree DIR --prefixes F --allow F --identity 'Name <mail>' PATCH...
      per patch: subject prefix and length, Signed-off-by of the author and
      of the repository's identity, a commit message, checkpatch --strict
      findings against the allow-list. Prints one line per patch and one
      FAIL line per problem; exits 1 if there is any.
  lkml.py cover --version TEXT COVER
      the cover letter: base stated in words, the sections a reviewer needs.
"""
import argparse
import email
import email.header
import os
import re
import subprocess
import sys

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
            bad.append('no "Signed-off-by: %s" (this repository\'s git identity)' % a.identity)
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
    subject, author, body = read_patch(a.cover)
    bad = []
    if '*** SUBJECT HERE ***' in subject or '*** BLURB HERE ***' in body:
        bad.append('the cover letter is format-patch\'s template')
    if a.version not in body:
        bad.append('the base is not stated in words ("%s" is not in it)' % a.version)
    for s in COVER_SECTIONS:
        if s not in body:
            bad.append('no "%s" section' % s)
    for b in bad:
        print('[lkml] FAIL cover letter: %s' % b)
    if not bad:
        print('[lkml] cover letter ok (%s)' % summary_of(subject))
    return 1 if bad else 0


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
    v.add_argument('cover')
    a = ap.parse_args()
    return check(a) if a.cmd == 'check' else cover(a)


if __name__ == '__main__':
    sys.exit(main())
