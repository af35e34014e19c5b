#!/usr/bin/env python3
"""Differential testing: the same random pid-namespace programs
(guest/pidns_diff.c) on the reference kernel and on ours, what user space saw
compared.

  difftest.py run --out DIR --seed S --count N [options]   boot, compare, shrink, report
  difftest.py explain --allowed F REF.txt KERNEL.txt       the verdict on two saved outputs

run boots each kernel once with `pidns_diff -s S -n N` (a hash a program),
then the reference and each kernel again with the texts (-t) of the programs
whose hashes differ, finds each one's first differing step and matches it
against the allowed differences (expect/diff.txt); an unexplained one is
shrunk (delta debugging: the fewest operations that still differ at the same
operation, each round two boots) and printed with both traces and the command
that reruns it. The base kernel is the negative control: a program without an
operation of the feature must give the reference's trace there, and one whose
feature operations succeeded on the reference must not.
"""
import argparse
import fnmatch
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import datafile  # noqa: E402
import guestlog  # noqa: E402

PROG = re.compile(r'^PROG (\S+) ([0-9a-f]{16}) feat=(\d+) static=([01]) steps=(\d+)\s*$')
TEXT = re.compile(r'^TEXT (\S+) ?(.*?)\s*$')
TRACE = re.compile(r'^TRACE (\S+) (\d+) (.*?)\s*$')
STAT = re.compile(r'^STAT (.*?)\s*$')
COVER_OP = re.compile(r'^COVER op (\S+) (\d+) (\d+)\s*$')
COVER_PAIR = re.compile(r'^COVER pair (\S+) (\S+) (\d+)\s*$')
GUEST_TOOL = '/usr/local/bin/pidns_diff'


class Output:
    """What one run of pidns_diff printed."""

    def __init__(self, lines):
        self.progs, self.texts, self.traces = {}, {}, {}
        self.stat, self.ops, self.pairs = {}, {}, {}
        for l in lines:
            m = PROG.match(l)
            if m:
                self.progs[m.group(1)] = {'hash': m.group(2), 'feat': int(m.group(3)),
                                          'static': m.group(4) == '1'}
                continue
            m = TEXT.match(l)
            if m:
                self.texts[m.group(1)] = m.group(2)
                continue
            m = TRACE.match(l)
            if m:
                self.traces.setdefault(m.group(1), []).append(m.group(3))
                continue
            m = STAT.match(l)
            if m:
                self.stat = dict(kv.split('=', 1) for kv in m.group(1).split())
                continue
            m = COVER_OP.match(l)
            if m:
                self.ops[m.group(1)] = (int(m.group(2)), int(m.group(3)))
                continue
            m = COVER_PAIR.match(l)
            if m:
                self.pairs[(m.group(1), m.group(2))] = int(m.group(3))

    def merge(self, other):
        """Add the output of another run (more seeds) to this one."""
        self.progs.update(other.progs)
        self.texts.update(other.texts)
        self.traces.update(other.traces)
        for key in ('programs', 'seconds', 'hangs'):
            total = float(self.stat.get(key, 0)) + float(other.stat.get(key, 0))
            self.stat[key] = f'{total:g}' if key == 'seconds' else str(int(total))
        secs = float(self.stat['seconds'])
        self.stat['per_s'] = f'{int(self.stat["programs"]) / secs:.1f}' if secs else '0'
        for op, (done, failed) in other.ops.items():
            d, f = self.ops.get(op, (0, 0))
            self.ops[op] = (d + done, f + failed)
        for pair, n in other.pairs.items():
            self.pairs[pair] = self.pairs.get(pair, 0) + n


def read_allowed(path):
    """The allowed differences: (line, op patterns, reference pattern, kernel
    pattern, reason, patterns of which an earlier step of the reference must match one)."""
    rules = []
    for no, body, reason in datafile.entries(path):
        fields = [f.strip() for f in body.split('|')]
        if len(fields) not in (3, 4) or not all(fields) or not reason:
            raise ValueError(f'{path}:{no}: expected "OPS | REFERENCE | KERNEL [| AFTER]  # reason"')
        after = [a.strip() for a in fields[3].split(',')] if len(fields) == 4 else []
        rules.append((no, fields[0].split(','), fields[1], fields[2], reason, after))
    return rules


def split_step(line):
    """'1.fork.2 -> R3 +2:R3/1@ns1' -> ('fork', '1.fork.2', 'R3 +2:R3/1@ns1')."""
    op, _, result = line.partition(' -> ')
    parts = op.split('.')
    return (parts[1] if len(parts) > 1 else op), op, result


def first_difference(ref, ker):
    """The first step at which two traces differ: (index, ref line, kernel line), or None."""
    for i in range(max(len(ref), len(ker))):
        a = ref[i] if i < len(ref) else '(end)'
        b = ker[i] if i < len(ker) else '(end)'
        if a != b:
            return i, a, b
    return None


def explain(ref, ker, rules):
    """None if the traces agree, else (first difference, the rule that allows it or None)."""
    d = first_difference(ref, ker)
    if d is None:
        return None
    name, op_a, res_a = split_step(d[1])
    _, op_b, res_b = split_step(d[2])
    if op_a == op_b:
        for rule in rules:
            if (any(fnmatch.fnmatchcase(name, p) for p in rule[1]) and
                    fnmatch.fnmatchcase(res_a, rule[2]) and
                    fnmatch.fnmatchcase(res_b, rule[3]) and
                    (not rule[5] or any(fnmatch.fnmatchcase(l, a)
                                        for l in ref[:d[0]] for a in rule[5]))):
                return d, rule
    return d, None


def control(ref, base):
    """The negative control: (ids that should agree with the reference and do not,
    ids whose feature worked on the reference and that agree on base)."""
    same, differ = [], []
    for pid, p in ref.progs.items():
        b = base.progs.get(pid)
        if b is None:
            continue
        if not p['static'] and b['hash'] != p['hash']:
            same.append(pid)
        if p['feat'] and b['hash'] == p['hash']:
            differ.append(pid)
    return same, differ


def coverage(out):
    """The coverage table's lines: each operation done (failed), the pairs reached."""
    lines = ['operation       done  failed']
    for op, (done, failed) in sorted(out.ops.items(), key=lambda kv: -kv[1][0]):
        lines.append(f'{op:<12} {done:7d} {failed:7d}')
    nops = len(out.ops)
    reached = len(out.pairs)
    lines.append(f'pairs of operations (b right after a): {reached} of {nops * nops} reached')
    never = [op for op, (done, _) in out.ops.items() if not done]
    if never:
        lines.append('never done: ' + ' '.join(sorted(never)))
    return lines, never


def pair_table(out):
    """How often operation b (a column) was done right after a (a row): a table."""
    ops = list(out.ops)
    width = max([len(o) for o in ops] + [5])
    head = ' ' * width + ''.join(f' {o[:6]:>6}' for o in ops)
    rows = [f'{a:<{width}}' + ''.join(f' {out.pairs.get((a, b), 0) or ".":>6}' for b in ops)
            for a in ops]
    return ['rows: an operation; columns: the next one; ".": never'] + [head] + rows


def count(args):
    """How many programs pidns_diff ARGS generates (-n N), 0 if none."""
    m = re.search(r'-n (\d+)', args)
    return int(m.group(1)) if m else 0


class BootError(RuntimeError):
    """A boot that broke down (no end marker, a kernel report), with what it printed."""

    def __init__(self, msg, output):
        super().__init__(msg)
        self.output = output


class Runner:
    """Boots kernels with pidns_diff and keeps what they printed. Boots run
    side by side, one vCPU each, as many at a time as the host has CPUs:
    a program runs in lockstep, one process at a time."""

    def __init__(self, out, timeout, tool, per_program):
        # a boot's limit: timeout, and per_program seconds a program
        self.out, self.timeout, self.tool = out, timeout, tool
        self.per_program = per_program
        self.boots = 0
        self.parallel = max(1, os.cpu_count() or 1)

    def start(self, kernel, args, tag, programs=None):
        """Start pidns_diff ARGS on kernel (programs: lines "ID TEXT" given as -f)."""
        run = os.path.join(self.out, 'runs', f'{kernel}-{tag}')
        env = dict(os.environ, VARIANT=kernel, RUN=run, SMP='1',
                   TIMEOUT=str(int(self.timeout + self.per_program *
                                   (len(programs or []) + count(args)))))
        env.pop('T', None)
        cmd = f'{GUEST_TOOL} {args}'
        if programs is not None:
            overlay = os.path.join(self.out, 'overlay', f'{kernel}-{tag}')
            os.makedirs(os.path.join(overlay, 'diff'), exist_ok=True)
            with open(os.path.join(overlay, 'diff', 'programs.txt'), 'w') as f:
                f.write(''.join(f'{pid} {text}\n' for pid, text in programs))
            env['OVERLAY'] = overlay
            cmd += ' -f /diff/programs.txt'
        env['CMD'] = cmd
        log = os.path.join(self.out, f'{kernel}-{tag}.log')
        with open(log, 'w') as f:
            proc = subprocess.Popen([os.path.join(HERE, 'boot.sh'), 'run'], env=env,
                                    stdout=f, stderr=subprocess.STDOUT)
        self.boots += 1
        return proc, kernel, cmd, run, log

    @staticmethod
    def collect(started):
        """Wait for a started boot: its Output and run directory."""
        proc, kernel, cmd, run, log = started
        rc = proc.wait()
        lines = guestlog.lines(run)
        splats = guestlog.reports(run)
        if splats:
            raise BootError(f'{kernel}: the kernel reported {len(splats)} problem(s), '
                            f'first: {splats[0]}; see {run}/console.log', Output(lines))
        hang = [l for l in lines if l.startswith('HANG ')]
        if rc == 2:
            raise BootError(f'{kernel}: pidns_diff refused its arguments or programs '
                            f'(exit 2); see {run}/results.log', Output(lines))
        if hang:
            raise BootError(f'{kernel}: {hang[0]}; see {run}/results.log', Output(lines))
        if guestlog.status(lines) is None:
            raise BootError(f'{kernel}: the guest did not finish `{cmd}` '
                            f'(exit {rc}); see {log} and {run}/console.log', Output(lines))
        return Output(lines), run

    def boot_all(self, jobs):
        """jobs: (kernel, args, tag, programs) each; their (Output, run dir), in
        order, or a RuntimeError in place of one that broke down. A pool: the
        next job starts as soon as any boot ends, so a faster kernel's boots do
        not leave a CPU idle."""
        results = [None] * len(jobs)
        pending, running = list(range(len(jobs))), {}
        while pending or running:
            while pending and len(running) < self.parallel:
                i = pending.pop(0)
                running[i] = self.start(*jobs[i])
            done = [i for i, st in running.items() if st[0].poll() is not None]
            if not done:
                time.sleep(0.2)
            for i in done:
                try:
                    results[i] = self.collect(running.pop(i))
                except RuntimeError as e:
                    results[i] = e
        return results

    def pair(self, ref, kernel, args, tag, programs):
        """The same programs on two kernels side by side: their Outputs."""
        res = self.boot_all([(ref, args, tag, programs), (kernel, args, tag, programs)])
        for r in res:
            if isinstance(r, RuntimeError):
                raise r
        return res[0][0], res[1][0]

    def texts(self, ids, seed_len):
        """The programs of seeds, from the guest tool run here (-g: generate only)."""
        out = {}
        for pid in ids:
            r = subprocess.run([self.tool, '-g', '-s', pid, '-n', '1', '-l', str(seed_len)],
                               capture_output=True, text=True, check=True)
            out.update(Output(r.stdout.splitlines()).texts)
        return out


def idle_steps(ops, trace):
    """ops without those that did nothing in trace (their process was not there,
    or the slot was taken: "-", "busy"), or None if there are none."""
    idle = {i for i, l in enumerate(trace[1:]) if split_step(l)[2] in ('-', 'busy')}
    return [o for i, o in enumerate(ops) if i not in idle] if idle else None


def shrink(runner, ref_k, ker_k, text, op_name, rules, log, tag, trace, rounds=12):
    """Delta debugging over the operations of text: a 1-minimal program (no
    operation can go) whose traces still differ, unexplained, at an operation
    named op_name; at most rounds rounds of two boots. trace: the reference's
    trace of text, whose idle operations are a candidate of their own."""
    ops = text.split()
    rnd = 0
    gran = 2
    while len(ops) > 1 and rnd < rounds:
        size = max(1, len(ops) // gran)
        cands = []
        busy = idle_steps(ops, trace)
        if busy:
            cands.append(busy)
        for start in range(0, len(ops), size):
            rest = ops[:start] + ops[start + size:]
            if rest:
                cands.append(rest)
        rnd += 1
        progs = [(f'c{i}', ' '.join(c)) for i, c in enumerate(cands)]
        ref, ker = runner.pair(ref_k, ker_k, '-t', f'shrink-{tag}-{rnd}', progs)
        best = None
        for pid, ctext in progs:
            e = explain(ref.traces.get(pid, []), ker.traces.get(pid, []), rules)
            if e and e[1] is None and split_step(e[0][1])[0] == op_name:
                if best is None or len(ctext.split()) < len(best.split()):
                    best, trace = ctext, ref.traces.get(pid, [])
        log(f'  shrink round {rnd}: {len(cands)} candidates of {len(ops)} operations, '
            f'{"kept " + str(len(best.split())) if best else "none still differs"}')
        if best:
            ops = best.split()
            gran = max(gran - 1, 2)
            if busy and best == ' '.join(busy):
                gran = 2
        elif size == 1:
            break
        else:
            gran = min(gran * 2, len(ops))
    return ' '.join(ops)


def run(args):
    os.makedirs(args.out, exist_ok=True)
    rules = read_allowed(args.allowed)
    # a program takes 0.05 s on the guest kernels under TCG, some 5 times more
    # on the debug ones: the limit of a boot is generous, and a guest that
    # hung (a mutant's livelock) is still found in minutes
    runner = Runner(args.out, args.timeout, args.tool,
                    per_program=1.0 if os.environ.get('KCFG', 'guest') != 'guest' else 0.2)
    kernels = args.kernels.split(',')
    report, failures, checks = [], [], []

    def say(line=''):
        print(line, flush=True)
        report.append(line)

    outs = {}
    for k, res in zip(kernels, hashes(args, runner, kernels)):
        if isinstance(res, BootError) and args.mutant and k != args.ref:
            # a mutant that breaks the kernel is caught too; the programs
            # before are still compared
            done = len(res.output.progs)
            say(f'{k}: caught: the kernel broke down in program {done + 1} ({res})')
            checks.append(f'{k}: caught in program {done + 1} (the kernel broke down)')
            outs[k] = res.output
            continue
        if isinstance(res, RuntimeError):
            failures.append(str(res))
            say(f'{k}: {res}')
            continue
        outs[k], run_dir = res
        st = outs[k].stat
        say(f'{k}: {len(outs[k].progs)} programs in {st.get("seconds", "?")} s of guest time '
            f'({st.get("per_s", "?")} programs/s), {st.get("hangs", "?")} hangs ({run_dir})')
        before = len(failures)
        missing = args.count - len(outs[k].progs)
        if missing:
            failures.append(f'{k}: {missing} of {args.count} programs gave no result')
        if st.get('hangs', '0') != '0':
            failures.append(f'{k}: {st["hangs"]} operations hung (more than 10 s)')
        if len(failures) == before:
            checks.append(f'{k} ran every program')
    ref = outs.get(args.ref)
    if ref is None:
        return finish(args, say, report, failures + [f'no output from {args.ref}'], checks)

    lines, never = coverage(ref)
    say(f'Coverage on {args.ref} (the pairs, as a table: {args.out}/pairs.txt):')
    for l in lines:
        say('  ' + l)
    with open(os.path.join(args.out, 'pairs.txt'), 'w') as f:
        f.write('\n'.join(pair_table(ref)) + '\n')
    if never:
        failures.append(f'operations never done on {args.ref}: {" ".join(never)}')
    else:
        checks.append('every operation done')

    for k in kernels:
        if k == args.ref or k == args.base or k not in outs:
            continue
        before = len(failures)
        try:
            found = compare(args, runner, rules, ref, outs[k], k, say, failures)
        except RuntimeError as e:
            # a mutant's own boot that broke down caught it; the reference's did not
            if args.mutant and str(e).startswith(f'{k}:'):
                say(f'{k}: caught: {e}')
                if not any(c.startswith(f'{k}: caught') for c in checks):
                    checks.append(f'{k}: caught (the kernel broke down)')
            else:
                failures.append(str(e))
            continue
        if args.mutant:
            # a mutant must be caught: its unexplained differences are the pass
            del failures[before:]
            if found or any(c.startswith(f'{k}: caught') for c in checks):
                say(f'{k}: caught (the mutant differs from {args.ref} unexplained)')
            else:
                failures.append(f'{k}: the mutant was not caught in {args.count} programs')
        if len(failures) == before and not any(c.startswith(f'{k}: caught') for c in checks):
            checks.append(f'{k}: caught' if args.mutant else f'{k} agrees with {args.ref}')

    if args.base in outs:
        same, differ = control(ref, outs[args.base])
        nstatic = sum(1 for p in ref.progs.values() if not p['static'])
        nfeat = sum(1 for p in ref.progs.values() if p['feat'])
        say(f'{args.base} (negative control): {nstatic - len(same)} of {nstatic} programs '
            f'without the feature agree with {args.ref}; {nfeat - len(differ)} of {nfeat} '
            f'whose feature worked on {args.ref} differ')
        if same:
            failures.append(f'{args.base}: {len(same)} programs without the feature differ '
                            f'from {args.ref}, e.g. seed {same[0]}')
        if differ:
            failures.append(f'{args.base}: {len(differ)} programs that used the feature '
                            f'agree with {args.ref}, e.g. seed {differ[0]}')
        if not same and not differ:
            checks.append(f'{args.base} is a negative control')
    say(f'{runner.boots} boots')
    return finish(args, say, report, failures, checks)


def hashes(args, runner, kernels):
    """The hash of every program on each kernel, in boots of at most args.chunk
    programs: for each kernel (Output, last run dir) or a RuntimeError."""
    firsts = range(args.seed, args.seed + args.count, args.chunk)
    jobs = [(k, f'-s {first} -n {min(args.chunk, args.seed + args.count - first)} '
             f'-l {args.len}', f'hashes-{first}', None) for first in firsts for k in kernels]
    res = dict(zip(((j[0], j[2]) for j in jobs), runner.boot_all(jobs)))
    out = []
    for k in kernels:
        merged = None
        for first in firsts:
            part = res[(k, f'hashes-{first}')]
            if isinstance(part, RuntimeError) or merged is None:
                merged = part
            elif not isinstance(merged, RuntimeError):
                merged[0].merge(part[0])
                merged = (merged[0], part[1])
        out.append(merged)
    return out


def compare(args, runner, rules, ref, ker, k, say, failures):
    """ker against ref: trace the programs whose hashes differ, explain, shrink."""
    diff = [pid for pid, p in ref.progs.items()
            if pid in ker.progs and ker.progs[pid]['hash'] != p['hash']]
    say(f'{k}: {len(diff)} of {len(ref.progs)} programs differ from {args.ref} by hash')
    if not diff:
        return 0
    texts = runner.texts(diff, args.len)
    progs = sorted(texts.items(), key=lambda kv: int(kv[0]))
    rt, kt = Output([]), Output([])
    # every one of them, args.max_traces a boot
    for first in range(0, len(progs), args.max_traces):
        batch = progs[first:first + args.max_traces]
        r, t = runner.pair(args.ref, k, '-t', f'traces-{k}-{first}', batch)
        rt.merge(r)
        kt.merge(t)
    by_rule, unexplained, flaky = {}, [], []
    for pid, text in progs:
        e = explain(rt.traces.get(pid, []), kt.traces.get(pid, []), rules)
        if e is None:
            flaky.append(pid)
        elif e[1] is None:
            unexplained.append((pid, text, e[0]))
        else:
            by_rule.setdefault(e[1][0], []).append(pid)
    for rule in rules:
        if rule[0] in by_rule:
            say(f'  allowed ({rule[4]}): {len(by_rule[rule[0]])} programs, '
                f'e.g. seed {by_rule[rule[0]][0]}')
    if flaky:
        say(f'  {len(flaky)} differed by hash but not when traced again, e.g. seed {flaky[0]}')
        failures.append(f'{k}: {len(flaky)} programs gave a different trace when run again '
                        f'(seeds {" ".join(flaky[:10])})')
    for pid, text, d in unexplained[:args.max_shrink]:
        say(f'  UNEXPLAINED seed {pid}, first at step {d[0]}:')
        say(f'    {args.ref}: {d[1]}')
        say(f'    {k}: {d[2]}')
        small = shrink(runner, args.ref, k, text, split_step(d[1])[0], rules, say, pid,
                       rt.traces.get(pid, []))
        r, s = runner.pair(args.ref, k, '-t', f'shrunk-{pid}', [('s', small)])
        say(f'    shrunk to {len(small.split())} operations: {small}')
        for name, out in ((args.ref, r), (k, s)):
            for line in out.traces.get('s', []):
                say(f'      {name}: {line}')
        say(f"    rerun: make run VARIANT={k} CMD='{GUEST_TOOL} -t -p \"{small}\"'")
    if unexplained:
        first = min(int(u[0]) for u in unexplained)
        say(f'  {len(unexplained)} unexplained; the first at program {first - args.seed + 1} '
            f'(seed {first})')
        failures.append(f'{k}: {len(unexplained)} unexplained differences from {args.ref} '
                        f'(seeds {" ".join(u[0] for u in unexplained[:10])})')
    return len(unexplained)


def finish(args, say, report, failures, checks):
    for c in checks:
        say(f'ok {c}')
    for f in failures:
        say(f'FAIL {f}')
    say(f'differential test: {len(failures)} failure(s), seeds {args.seed}..'
        f'{args.seed + args.count - 1}, {args.count} programs a kernel')
    with open(os.path.join(args.out, 'report.txt'), 'w') as f:
        f.write('\n'.join(report) + '\n')
    if args.summary:
        # a check that held passes; each problem found fails
        failed = len(failures)
        passed = len(checks)
        with open(args.summary, 'w') as f:
            json.dump({'variant': 'diff', 'counts': {'passed': passed, 'failed': failed,
                                                     'skipped': 0}}, f)
            f.write('\n')
    return 1 if failures else 0


def explain_files(args):
    rules = read_allowed(args.allowed)
    outs = []
    for path in (args.ref_file, args.kernel_file):
        with open(path) as f:
            outs.append(Output(f.read().splitlines()))
    bad = 0
    for pid in sorted(outs[0].traces, key=str):
        e = explain(outs[0].traces[pid], outs[1].traces.get(pid, []), rules)
        if e is None:
            continue
        d, rule = e
        print(f'{pid}: step {d[0]}: {"allowed: " + rule[4] if rule else "UNEXPLAINED"}')
        print(f'  ref:    {d[1]}\n  kernel: {d[2]}')
        bad += rule is None
    return 1 if bad else 0


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = p.add_subparsers(dest='cmd', required=True)
    r = sub.add_parser('run')
    r.add_argument('--out', required=True)
    r.add_argument('--seed', type=int, default=1)
    r.add_argument('--count', type=int, default=1000)
    r.add_argument('--len', type=int, default=24)
    r.add_argument('--kernels', default='stock,series,base')
    r.add_argument('--ref', default='stock')
    r.add_argument('--base', default='base')
    r.add_argument('--allowed', default=os.path.join(HERE, '..', 'expect', 'diff.txt'))
    r.add_argument('--tool', required=True, help='pidns_diff built for this machine')
    r.add_argument('--timeout', type=int, default=180,
                   help='a boot\'s limit in seconds, and some more a program')
    r.add_argument('--chunk', type=int, default=10000, help='programs a boot at most')
    r.add_argument('--max-traces', type=int, default=500, help='programs a trace boot')
    r.add_argument('--max-shrink', type=int, default=2)
    r.add_argument('--summary')
    r.add_argument('--mutant', action='store_true',
                   help='the kernels other than the reference must differ, unexplained')
    e = sub.add_parser('explain')
    e.add_argument('--allowed', default=os.path.join(HERE, '..', 'expect', 'diff.txt'))
    e.add_argument('ref_file')
    e.add_argument('kernel_file')
    args = p.parse_args(argv)
    return run(args) if args.cmd == 'run' else explain_files(args)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
