#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host side of a test run: which tests run, what the guest reported, and
whether that is what expect/<variant>.txt says.

  results.py runlist RUNLIST KSELFTEST_LIST [--only T]  tests to run (coll:prog), one a line
  results.py verdict --variant V --run-dir DIR ... check one boot, print its summary
  results.py progress --prev SUMMARY --run-dir DIR  one step of make lkml's bisection: no regressions
  results.py total SUMMARY.json...                 add up summaries: "N passed, N failed, N skipped"

A result is named COLL:PROG for a program and COLL:PROG/CASE for one of its
KTAP cases. Expectation files list what is not a pass:
  fail pidfd:pidfd_setns_test/current_nsset.pidns  # why
  skip pidns:errors/*                              # why (fnmatch patterns allowed)
Everything else must pass, and every listed entry must match a result that
behaves as listed: an expected failure that passes is an error too.
"""
import argparse
import fnmatch
import json
import os
import re
import sys

import datafile
import guestlog

TOP = re.compile(r'^(not )?ok \d+ selftests: (\S+): (\S+)(.*)$')
HEADER = guestlog.HEADER
CASE = re.compile(r'^# (not )?ok \d+ (.*?)\s*$')
PLAN = re.compile(r'^# 1\.\.(\d+)')
BAIL = re.compile(r'^# Bail out!')


def directive(rest):
    """'# SKIP why' -> ('skip', 'why'); XFAIL counts as a pass, XPASS as a failure."""
    m = re.search(r'#\s*(SKIP|XFAIL|XPASS|TODO|TIMEOUT|exit=\S+)\s*(.*)$', rest, re.I)
    if not m:
        return None, ''
    return m.group(1).upper(), m.group(2)


def status_of(failed, rest):
    d, _ = directive(rest)
    if d == 'SKIP':
        return 'skip'
    if d == 'XFAIL':
        return 'pass'
    if d == 'XPASS':
        return 'fail'
    return 'fail' if failed else 'pass'


def parse_ktap(lines):
    """run_kselftest.sh output, lines without their ends (guestlog.lines) ->
    {program id: {'status', 'note', 'cases': {name: status}}}"""
    progs = {}
    cur = None
    for line in lines:
        m = HEADER.match(line)
        if m:
            cur = '%s:%s' % m.groups()
            progs.setdefault(cur, {'status': None, 'note': '', 'cases': {}, 'plan': None})
            continue
        m = TOP.match(line)
        if m:
            pid = '%s:%s' % (m.group(2), m.group(3))
            p = progs.setdefault(pid, {'status': None, 'note': '', 'cases': {}, 'plan': None})
            p['status'] = status_of(m.group(1), m.group(4))
            p['note'] = m.group(4).strip(' #')
            cur = None
            continue
        if cur and PLAN.match(line) and progs[cur]['plan'] is None:
            progs[cur]['plan'] = int(PLAN.match(line).group(1))
            continue
        if cur and BAIL.match(line):
            # the program gave up: a failure of its own, and it explains missing cases
            progs[cur]['cases']['bail_out'] = 'fail'
            continue
        m = CASE.match(line)
        if m and cur:
            name, rest = m.group(2), ''
            if name.startswith('#'):
                # "ok 8 # SKIP why" (kselftest.h's ksft_test_result_skip()):
                # the directive first, and its text names the case
                rest = name
                name = directive(rest)[1] or name
            elif ' # ' in name:
                name, rest = name.split(' # ', 1)
                rest = '# ' + rest
            name = name.strip()
            cases = progs[cur]['cases']
            key, n = name, 2
            while key in cases:
                key, n = '%s#%d' % (name, n), n + 1
            cases[key] = status_of(m.group(1), rest)
    return progs


def read_expect(path):
    """[(status, pattern, reason, where)]; path: a file, or a list of them (an
    arch's file before the variant's: the first entry that matches decides)"""
    out = []
    if not path:
        return out
    if isinstance(path, list):
        return [e for p in path for e in read_expect(p)]
    if not os.path.exists(path):
        raise SystemExit('%s: no such expectations file (each kernel variant needs one; '
                         'an empty one says every test passes)' % path)
    for no, body, reason in datafile.entries(path):
        st, _, pat = body.partition(' ')
        if st not in ('fail', 'skip', 'pass') or not pat.strip():
            raise SystemExit('%s:%d: expected "fail|skip ID  # reason"' % (path, no))
        if not reason:
            raise SystemExit('%s:%d: %s needs a reason after " #"' % (path, no, pat))
        out.append((st, pat.strip(), reason, '%s:%d' % (os.path.basename(path), no)))
    return out


def read_patterns(path):
    """The patterns of a data file, each with its reason (expect/bisect.txt)."""
    out = []
    for no, body, reason in datafile.entries(path):
        if not reason or ' ' in body:
            raise SystemExit('%s:%d: expected "PATTERN  # why"' % (path, no))
        out.append(body)
    return out


def narrow(run, only):
    """Keep the tests of run that T (COLL or COLL:PROG, comma-separated) names."""
    want = [w.strip() for w in only.split(',') if w.strip()]
    kept = [t for t in run if any(t == w or t.split(':', 1)[0] == w for w in want)]
    unmatched = [w for w in want if not any(t == w or t.split(':', 1)[0] == w for t in run)]
    if unmatched:
        raise SystemExit('T=%s: %s names no planned test; planned: %s'
                         % (only, ' '.join(unmatched), ' '.join(run)))
    return kept


def runlist(rl_path, ks_list):
    rules = []
    with open(rl_path) as f:
        for no, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            entry, _, reason = line.partition(' ')
            if entry.startswith('-'):
                if not reason.strip():
                    raise SystemExit('%s:%d: %s: an exclusion needs a reason' % (rl_path, no, entry))
                rules.append((entry[1:], False))
            else:
                rules.append((entry, True))
    with open(ks_list) as f:
        installed = [l.strip() for l in f if l.strip()]
    run, errors = [], []
    for t in installed:
        exact = [inc for pat, inc in rules if pat == t]
        globbed = [inc for pat, inc in rules if pat != t and fnmatch.fnmatchcase(t, pat)]
        decided = exact or globbed
        if not decided:
            errors.append(t)
        elif decided[0]:
            run.append(t)
    if errors:
        raise SystemExit('%s: not in the run list (add it, or exclude it with a reason): %s'
                         % (rl_path, ' '.join(errors)))
    return run


def in_scope(pat, planned):
    """Does the expectation pattern pat name a result of a planned program?"""
    prog = pat.split('/', 1)[0]
    return any(p == prog or fnmatch.fnmatchcase(p, prog) for p in planned)


def compare(progs, expected, planned, scoped=False):
    """-> (rows per result, problems). A row: (id, observed, expected).
    scoped: only some programs ran (T=...): an expectation of another one
    is not stale."""
    rows, problems = [], []
    used = set()

    def want(rid):
        # the first entry that matches decides; one it shadows in another
        # file (the variant's, under an arch's) is in use too, not stale
        found = [(st, no) for st, pat, reason, no in expected
                 if rid == pat or fnmatch.fnmatchcase(rid, pat)]
        if not found:
            return 'pass'
        first = found[0][1].rsplit(':', 1)[0]
        used.update(no for i, (_, no) in enumerate(found)
                    if i == 0 or no.rsplit(':', 1)[0] != first)
        return found[0][0]

    for pid in planned:
        if pid not in progs or progs[pid]['status'] is None:
            problems.append('%s: no result (the guest died or the runner stopped before it)' % pid)
            rows.append((pid, 'missing', want(pid)))
    for pid, p in sorted(progs.items()):
        if p['status'] is None:
            continue
        case_rows = [('%s/%s' % (pid, c), st, want('%s/%s' % (pid, c))) for c, st in p['cases'].items()]
        rows.extend(case_rows)
        for rid, got, exp in case_rows:
            if got != exp:
                problems.append('%s: %s, expected %s' % (rid, got, exp))
        listed = [e for e in expected if e[1] == pid]
        if listed:
            pexp = want(pid)
        elif any(exp == 'fail' for _, _, exp in case_rows):
            pexp = 'fail'
        elif case_rows and all(exp == 'skip' for _, _, exp in case_rows):
            # a kselftest_harness.h program whose every case skipped
            # reports itself ok: both are what "all skip" expects
            pexp = p['status'] if p['status'] in ('skip', 'pass') else 'skip'
        else:
            pexp = want(pid)
        if not case_rows:
            rows.append((pid, p['status'], pexp))
        seen = len([c for c in p['cases'] if c != 'bail_out'])
        if p.get('plan') and seen < p['plan'] and 'bail_out' not in p['cases']:
            problems.append('%s: %d of its %d cases reported (it stopped early)' % (pid, seen, p['plan']))
        # a program whose cases already disagree is reported through them
        if p['status'] != pexp and not any(g != e for _, g, e in case_rows):
            why = ' (%s)' % p['note'] if p['note'] else ''
            problems.append('%s: program %s%s, expected %s' % (pid, p['status'], why, pexp))
    for st, pat, reason, no in expected:
        if no not in used and not (scoped and not in_scope(pat, planned)):
            problems.append('expectation %s (%s %s) matches no result: remove it or fix the name'
                            % (no, st, pat))
    return rows, problems


def observe(run_dir, splats_path, planned_path):
    """-> (parsed programs, planned ids, problems of the run itself: marker, splats)"""
    res = guestlog.lines(run_dir)
    console_path = os.path.join(run_dir, 'console.log')
    problems = []
    if guestlog.status(res) is None:
        problems.append('no end marker from the guest: it panicked, hung or was killed; console log: %s'
                        % console_path)
    for s in guestlog.reports(run_dir, splats_path):
        problems.append('kernel report: %s (console log: %s)' % (s, console_path))
    planned = []
    if planned_path:
        with open(planned_path) as f:
            planned = [l.strip() for l in f if l.strip()]
    return parse_ktap(res), planned, problems


def verdict(name, run_dir, expect, planned=None, splats=guestlog.SPLATS, summary=None,
            scoped=False):
    """The verdict on the run in run_dir against the expectations file expect;
    prints it, writes summary (JSON) if given; 0 or 1."""
    progs, planned, problems = observe(run_dir, splats, planned)
    rows, cmp_problems = compare(progs, read_expect(expect), planned, scoped)
    problems += cmp_problems
    counts = {'passed': 0, 'failed': 0, 'skipped': 0, 'xfail': 0}
    per = {}
    for rid, got, exp in rows:
        coll = rid.split(':', 1)[0]
        c = per.setdefault(coll, {'pass': 0, 'fail': 0, 'skip': 0, 'missing': 0, 'bad': 0})
        c[got] = c.get(got, 0) + 1
        if got != exp:
            c['bad'] += 1
            counts['failed'] += 1
        elif got == 'skip':
            counts['skipped'] += 1
        else:
            counts['passed'] += 1
            counts['xfail'] += got == 'fail'
    # failures of the run itself (marker, splats, stale expectations) count once each
    counts['failed'] += len(problems) - sum(c['bad'] for c in per.values())
    print('[verdict %s] %-14s %5s %5s %5s %7s' % (name, 'collection', 'pass', 'fail', 'skip', 'unexp.'))
    for coll in sorted(per):
        c = per[coll]
        print('[verdict %s] %-14s %5d %5d %5d %7d' % (name, coll, c['pass'], c['fail'] + c['missing'],
                                                      c['skip'], c['bad']))
    for p in problems:
        print('[verdict %s] FAIL %s' % (name, p))
    print('[verdict %s] %d passed (%d of them expected failures), %d failed, %d skipped; results: %s'
          % (name, counts['passed'], counts['xfail'], counts['failed'], counts['skipped'],
             os.path.join(run_dir, 'results.log')))
    if summary:
        with open(summary, 'w') as f:
            json.dump({'variant': name, 'counts': counts, 'problems': problems,
                       'rows': rows}, f, indent=1)
    return 1 if counts['failed'] else 0


def progress(name, run_dir, prev, summary, planned=None, ignore=(), splats=guestlog.SPLATS):
    """One step of a bisection: no result that passed at the previous step (the
    summary prev) may stop passing (results matching an ignore pattern excepted),
    no marker or splat problem. Writes summary; 0 or 1."""
    progs, planned, problems = observe(run_dir, splats, planned)
    rows, _ = compare(progs, [], planned)
    with open(prev) as f:
        prev = {r[0]: r[1] for r in json.load(f)['rows']}
    cur = {r[0]: r[1] for r in rows}
    ignored = lambda rid: any(fnmatch.fnmatchcase(rid, p) for p in ignore)
    for rid, got in sorted(cur.items()):
        if prev.get(rid) == 'pass' and got != 'pass' and not ignored(rid):
            problems.append('%s: %s, passed at the previous step' % (rid, got))
    npass = sum(1 for g in cur.values() if g == 'pass')
    nfail = sum(1 for g in cur.values() if g != 'pass')
    for p in problems:
        print('[progress %s] FAIL %s' % (name, p))
    print('[progress %s] %d pass, %d not passing, %d regressions' % (name, npass, nfail, len(problems)))
    with open(summary, 'w') as f:
        json.dump({'variant': name, 'counts': {'passed': npass, 'failed': len(problems), 'skipped': 0},
                   'problems': problems, 'rows': rows}, f, indent=1)
    return 1 if problems else 0


def total(paths):
    t = {'passed': 0, 'failed': 0, 'skipped': 0}
    for p in paths:
        with open(p) as f:
            c = json.load(f)['counts']
        for k in t:
            t[k] += c.get(k, 0)
    print('%d passed, %d failed, %d skipped' % (t['passed'], t['failed'], t['skipped']))
    return 1 if t['failed'] else 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest='cmd', required=True)
    r = sub.add_parser('runlist')
    r.add_argument('runlist')
    r.add_argument('kselftest_list')
    r.add_argument('--only', help='T: COLL or COLL:PROG, comma-separated')
    v = sub.add_parser('verdict')
    v.add_argument('--variant', required=True)
    v.add_argument('--run-dir', required=True)
    v.add_argument('--expect', action='append',
                   help='an expectations file (again for more: the first entry that matches '
                   'decides, an arch\'s file goes before the variant\'s)')
    v.add_argument('--planned')
    v.add_argument('--splats', default=guestlog.SPLATS)
    v.add_argument('--summary')
    v.add_argument('--scoped', action='store_true',
                   help='only some programs ran: expectations of others are not stale')
    g = sub.add_parser('progress')
    g.add_argument('--name', required=True)
    g.add_argument('--run-dir', required=True)
    g.add_argument('--prev', required=True)
    g.add_argument('--planned')
    g.add_argument('--ignore', action='append', default=[])
    g.add_argument('--ignore-file', help='more --ignore patterns, one a line with "  # why"')
    g.add_argument('--splats', default=guestlog.SPLATS)
    g.add_argument('--summary', required=True)
    t = sub.add_parser('total')
    t.add_argument('summaries', nargs='+')
    a = ap.parse_args()
    if a.cmd == 'runlist':
        run = runlist(a.runlist, a.kselftest_list)
        print('\n'.join(narrow(run, a.only) if a.only else run))
        return 0
    if a.cmd == 'verdict':
        return verdict(a.variant, a.run_dir, a.expect, a.planned, a.splats, a.summary, a.scoped)
    if a.cmd == 'progress':
        ignore = a.ignore + (read_patterns(a.ignore_file) if a.ignore_file else [])
        return progress(a.name, a.run_dir, a.prev, a.summary, a.planned, ignore, a.splats)
    return total(a.summaries)


if __name__ == '__main__':
    sys.exit(main())
