#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The report of make bench (harness/bench.sh): one table, bench.csv,
bench.json and bench.png, and its targets: no cost for non-users, no more than stock for users, at every depth.

  bench_report.py [--meta META] [--boots BOOTS] --out DIR LINES

LINES holds pidns_bench's lines tagged with the kernel and the boot:
  BENCH kernel=K boot=B op=O unit=ns median=N min=N max=N rounds=R iters=N
  BENCH kernel=K boot=B op=O unsupported errno=E
  BENCH kernel=K boot=B op=O failed errno=E at=WHAT

Per operation and kernel: the median across boots of the boots' medians, and
the spread, the range of the boots' medians (with a single boot: the range
of its rounds). A ratio A/B is the ratio of the two medians; its spread is
the range of the per-boot ratios, boot by boot (the kernels of one boot
round ran next to each other), or with a single boot [minA/maxB, maxA/minB].

Operations named depth.<kind>.<d> (pidns_bench's nesting chains) get a table
of their own, kind by depth, with the slope of each kernel (least squares,
per extra level) and series/stock; depth.png plots them against the depth.

A target "A/B <= L" is PASS if the ratio is <= L, PASS (within spread) if
only the low end of its spread is, MISS otherwise. The targets inform; they
never fail the run (exit status 0 unless the input is unusable).
"""
import argparse
import csv
import fnmatch
import json
import os
import re
import shutil
import statistics
import subprocess
import sys

import datafile

OPS = ['fork_exit_wait', 'unshare_first_fork', 'clone_newpid', 'setns_fork',
       'later_fork', 'userns_pidns_cycle']
KERNELS = ['stock', 'base', 'series']
RATIOS = [('series', 'stock'), ('series', 'base')]
TARGETS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'expect', 'bench.txt')
LINE = re.compile(r'^BENCH\s+(.*)$')
DEPTH = re.compile(r'^depth\.(\w+)\.(\d+)$')
# many.<kind>.<N> lines (pidns_bench -m N): {op: {kernel: [record per boot]}}
MANY = {}
MANY_COLS = [('slab_B', 'slab B'), ('kstack_B', 'kernel stack B'), ('used_B', 'used B'),
             ('first_ns', 'first 10 creations ns'), ('last_ns', 'last 10 creations ns'),
             ('slab_after_kB', 'slab after teardown kB')]


def read_targets(path=TARGETS):
    """[(op pattern, kernel a, kernel b, limit of a/b)] from expect/bench.txt."""
    out = []
    for no, body, why in datafile.entries(path):
        f = body.split()
        try:
            a, b = f[1].split('/')
            out.append((f[0], a, b, float(f[2])))
        except (IndexError, ValueError):
            sys.exit(f'{path}:{no}: expected "OP  KERNEL/KERNEL  LIMIT  # why"')
        if len(f) != 3 or not why:
            sys.exit(f'{path}:{no}: expected "OP  KERNEL/KERNEL  LIMIT  # why"')
    return out


def parse(path):
    """{op: {kernel: {boot: record}}} and the kernels and ops seen, in order."""
    data, kernels, ops = {}, [], []
    MANY.clear()
    with open(path) as f:
        for n, line in enumerate(f, 1):
            m = LINE.match(line.strip())
            if not m:
                continue
            rec, words = {}, []
            for w in m.group(1).split():
                if '=' in w:
                    k, v = w.split('=', 1)
                    rec[k] = v
                else:
                    words.append(w)
            if not all(k in rec for k in ('kernel', 'boot', 'op')):
                sys.exit(f'{path}:{n}: not a tagged BENCH line: {line.strip()}')
            if rec['op'].startswith('many.') and 'failed' not in words:
                MANY.setdefault(rec['op'], {}).setdefault(rec['kernel'], []).append(rec)
                continue
            if 'unsupported' in words:
                rec['status'] = 'unsupported'
            elif 'failed' in words:
                rec['status'] = 'failed'
            else:
                try:
                    for k in ('median', 'min', 'max'):
                        rec[k] = float(rec[k])
                    rec['rounds'] = int(rec['rounds'])
                    rec['iters'] = int(rec['iters'])
                except (KeyError, ValueError):
                    sys.exit(f'{path}:{n}: bad BENCH line: {line.strip()}')
                rec['status'] = 'ok'
            k, op = rec['kernel'], rec['op']
            if k not in kernels:
                kernels.append(k)
            if op not in ops:
                ops.append(op)
            data.setdefault(op, {}).setdefault(k, {})[rec['boot']] = rec
    order = [k for k in KERNELS if k in kernels] + [k for k in kernels if k not in KERNELS]
    ops = [o for o in OPS if o in ops] + [o for o in ops if o not in OPS]
    return data, order, ops


def kernel_stats(boots):
    """Median, spread and status of one operation on one kernel."""
    ok = {b: r for b, r in boots.items() if r['status'] == 'ok'}
    if not ok:
        st = sorted({r['status'] for r in boots.values()})
        errno = sorted({r.get('errno', '?') for r in boots.values()})
        return {'status': '/'.join(st) if st else 'missing', 'errno': ','.join(errno),
                'boots': len(boots)}
    meds = [r['median'] for r in ok.values()]
    s = {'status': 'ok', 'median_ns': statistics.median(meds), 'boots': len(ok),
         'boot_medians_ns': {b: r['median'] for b, r in sorted(ok.items())},
         'rounds': max(r['rounds'] for r in ok.values()),
         'best_ns': min(r['min'] for r in ok.values()),
         'iters': int(statistics.median(r['iters'] for r in ok.values()))}
    if len(ok) >= 2:
        s.update(lo_ns=min(meds), hi_ns=max(meds), spread='boots')
    else:
        r = next(iter(ok.values()))
        s.update(lo_ns=r['min'], hi_ns=r['max'], spread='rounds')
    if len(ok) < len(boots):
        s['incomplete'] = sorted(b for b in boots if b not in ok)
    return s


def ratio(num, den, nb, db):
    """num/den from the stats and the per-boot records of two kernels."""
    if num.get('status') != 'ok' or den.get('status') != 'ok':
        return None
    val = num['median_ns'] / den['median_ns']
    pairs = [nb[b]['median'] / db[b]['median'] for b in nb
             if b in db and nb[b]['status'] == 'ok' and db[b]['status'] == 'ok']
    if len(pairs) >= 2:
        return {'value': val, 'lo': min(pairs), 'hi': max(pairs), 'spread': 'boots',
                'boot_ratios': pairs}
    return {'value': val, 'lo': num['lo_ns'] / den['hi_ns'], 'hi': num['hi_ns'] / den['lo_ns'],
            'spread': 'rounds', 'boot_ratios': pairs}


def verdict(r, limit):
    if r is None:
        return 'MISS', 'no data'
    if r['value'] <= limit:
        return 'PASS', ''
    if r['lo'] <= limit:
        return 'PASS', '(within spread)'
    return 'MISS', ''


def read_kv(path):
    kv = {}
    if path and os.path.exists(path):
        with open(path) as f:
            for line in f:
                if '=' in line and not line.startswith('#'):
                    k, v = line.rstrip('\n').split('=', 1)
                    kv[k] = v
    return kv


def read_boots(path):
    rows = []
    if path and os.path.exists(path):
        with open(path) as f:
            for line in f:
                w = line.split()
                if not w or w[0].startswith('#') or len(w) < 6:
                    continue
                rows.append({'kernel': w[0], 'boot': w[1], 'seconds': int(w[2]),
                             'load1': float(w[3]), 'busy': w[4],
                             'status': int(w[5]), 'run_dir': w[6] if len(w) > 6 else '',
                             'release': w[7] if len(w) > 7 else '',
                             'clock_step_ns': int(w[8]) if len(w) > 8 and w[8].isdigit() else None})
    return rows


def cell(s):
    if s.get('status') != 'ok':
        return s.get('status', 'missing') + (f" ({s['errno']})" if s.get('errno') else '')
    return f"{s['median_ns'] / 1e3:.1f} [{s['lo_ns'] / 1e3:.1f}-{s['hi_ns'] / 1e3:.1f}]"


def rcell(r):
    if r is None:
        return 'n/a'
    return f"{r['value']:.3f} [{r['lo']:.3f}-{r['hi']:.3f}]"


def table(res, kernels, ops, meta):
    cols = ['operation'] + kernels + [f'{a}/{b}' for a, b in RATIOS]
    rows = []
    for op in ops:
        row = [op] + [cell(res[op]['kernels'].get(k, {})) for k in kernels]
        row += [rcell(res[op]['ratios'].get(f'{a}/{b}')) for a, b in RATIOS]
        rows.append(row)
    boots = meta.get('boots', '?')
    how = {s.get('spread') for o in res.values() for s in o['kernels'].values()} - {None}
    if how == {'boots'}:
        spread = "range of the boots' medians; ratios: range of the per-boot ratios"
    elif how == {'rounds'}:
        spread = 'min-max of the rounds; ratios: minA/maxB-maxA/minB'
    else:
        spread = "boots' medians, or rounds where a kernel has one boot"
    unit = ('thousand guest instructions (QEMU -icount)' if 'icount' in meta.get('qemu_args', '')
            else 'µs')
    print(f'pidns_bench: {unit} per iteration, median of {boots} boot(s) [spread: {spread}]')
    print_rows(cols, rows)


def print_rows(cols, rows):
    """cols and rows as left-aligned columns."""
    w = [max(len(r[i]) for r in rows + [cols]) for i in range(len(cols))]
    for r in [cols] + rows:
        print('  '.join(c.ljust(w[i]) for i, c in enumerate(r)).rstrip())


def depth_ops(ops):
    """{kind: [(depth, op)]} for the depth.<kind>.<d> operations, by depth."""
    kinds = {}
    for op in ops:
        m = DEPTH.match(op)
        if m:
            kinds.setdefault(m.group(1), []).append((int(m.group(2)), op))
    return {k: sorted(v) for k, v in kinds.items()}


def slope(points):
    """Least-squares slope and intercept of [(x, y)], or None under 2 points."""
    if len(points) < 2 or len({x for x, _ in points}) < 2:
        return None
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    b = sum((x - mx) * (y - my) for x, y in points) / sxx
    return {'per_level_ns': b, 'at_0_ns': my - b * mx}


def depth_report(res, kernels, kinds):
    """The depth table and slopes; returns {kind: {kernel: slope}}."""
    slopes = {}
    if not kinds:
        return slopes
    cols = ['kind', 'depth'] + kernels + ['series/stock']
    rows = []
    for kind, pts in kinds.items():
        for d, op in pts:
            r = res[op]['ratios'].get('series/stock')
            rows.append([kind, str(d)] + [cell(res[op]['kernels'].get(k, {})) for k in kernels]
                        + [rcell(r)])
        slopes[kind] = {}
        if len(pts) < 2:
            continue
        srow = [kind, 'slope']
        for k in kernels:
            ok = [(d, res[op]['kernels'][k]['median_ns']) for d, op in pts
                  if res[op]['kernels'].get(k, {}).get('status') == 'ok']
            sl = slope(ok)
            slopes[kind][k] = sl
            srow.append(f"{sl['per_level_ns'] / 1e3:+.2f}/level" if sl else '')
        a, b = slopes[kind].get('series'), slopes[kind].get('stock')
        srow.append(f"{a['per_level_ns'] / b['per_level_ns']:.3f}"
                    if a and b and b['per_level_ns'] else '')
        rows.append(srow)
    print()
    print('depth: the same units, by depth of the namespace the children are forked into '
          '(slope: least squares over the depths)')
    print_rows(cols, rows)
    return slopes


def plot_depth(out, res, kernels, kinds, meta):
    """Instructions (or µs) against depth, one line per kind and kernel."""
    term = kinds and shutil.which('gnuplot') and terminal()
    if not term:
        return False
    dat = os.path.join(out, 'depth.dat')
    series = []
    with open(dat, 'w') as f:
        for kind, pts in kinds.items():
            if len(pts) < 2:
                continue
            for k in kernels:
                ok = [(d, res[op]['kernels'][k]['median_ns'] / 1e3) for d, op in pts
                      if res[op]['kernels'].get(k, {}).get('status') == 'ok']
                if len(ok) < 2:
                    continue
                f.write(f'# {kind} {k}\n')
                f.writelines(f'{d} {v:.3f}\n' for d, v in ok)
                f.write('\n\n')
                series.append(f'{kind} {k}')
    if not series:
        return False
    unit = ('thousand guest instructions' if 'icount' in meta.get('qemu_args', '') else 'µs')
    title = (f"pidns_bench: cost by nesting depth ({unit} per iteration)\\n"
             f"{meta.get('date', '')}  {meta.get('cpu', '')}  {meta.get('qemu_args', '')}")
    dashes = {'stock': 1, 'base': 3, 'series': 2}
    gp = [f'set terminal {term}', f"set output '{os.path.join(out, 'depth.png')}'",
          f'set title "{title}" noenhanced', 'set grid', "set xlabel 'depth'",
          f"set ylabel '{unit}'", 'set key outside right top noenhanced', 'set xtics (1,2,4,8,16,31)']
    plots = []
    for i, name in enumerate(series):
        kind, k = name.split()
        plots.append(f"'{dat}' index {i} using 1:2 with linespoints title '{name}' "
                     f"dt {dashes.get(k, 4)} lc {list(kinds).index(kind) + 1} pt {dashes.get(k, 4)}")
    gp.append('plot ' + ', \\\n     '.join(plots))
    return gnuplot(out, 'depth', gp)


def many_key(op):
    """many.<kind>.<N>[.d<D>] in the order kind, N, depth (numbers as numbers)."""
    m = re.match(r'^many\.([\w-]+)\.(\d+)(?:\.d(\d+))?$', op)
    return (m.group(1), int(m.group(2)), int(m.group(3) or 0)) if m else (op, 0, 0)


def many_report(kernels):
    """The many-namespaces table (medians over boots); returns it for the JSON."""
    out = {}
    if not MANY:
        return out
    for op, ks in sorted(MANY.items(), key=lambda kv: many_key(kv[0])):
        out[op] = {}
        for k in kernels:
            recs = ks.get(k)
            if recs:
                out[op][k] = {c: statistics.median(int(r[c]) for r in recs if c in r)
                              for c, _ in MANY_COLS if any(c in r for r in recs)}
    # the namespace itself: a child in a pid namespace of its own, less a plain child
    for op in list(out):
        m = re.match(r'^many\.newpid\.(\d+(?:\.d\d+)?)$', op)
        plain = f'many.fork.{m.group(1)}' if m else None
        if plain in out:
            out[f'many.newpid-fork.{m.group(1)}'] = {
                k: {c: out[op][k][c] - out[plain][k][c] for c in ('slab_B', 'kstack_B', 'used_B')
                    if c in out[op][k] and c in out[plain].get(k, {})}
                for k in out[op] if k in out[plain]}
    out = dict(sorted(out.items(), key=lambda kv: many_key(kv[0])))
    cols = ['many (per child, while they live)', 'kernel'] + [h for _, h in MANY_COLS]
    rows = []
    for op, ks in out.items():
        for k in kernels:
            if k in ks:
                rows.append([op, k] + [f"{ks[k][c]:.0f}" if c in ks[k] else ''
                                       for c, _ in MANY_COLS])
        if 'series' in ks and 'stock' in ks:
            rows.append([op, 'series/stock'] + [
                f"{ks['series'][c] / ks['stock'][c]:.3f}"
                if ks['stock'].get(c, 0) > 0 and ks['series'].get(c, -1) >= 0
                and not c.startswith('slab_after')
                else '' for c, _ in MANY_COLS])
    print()
    print_rows(cols, rows)
    print('(/proc/meminfo deltas over N; newpid-fork: what the namespace adds to a child; '
          '.dD: created by the init of a namespace at depth D; '
          'slab after teardown: the Slab: line after every child was reaped, against before)')
    many_slopes(out, kernels)
    return out


def many_slopes(out, kernels):
    """Slab per child and per level of nesting: the slope of slab_B over the depths."""
    groups = {}
    for op in out:
        kind, n, depth = many_key(op)
        groups.setdefault((kind, n), []).append((depth, op))
    for (kind, n), ops in groups.items():
        if len(ops) < 2:
            continue
        parts = []
        for k in kernels:
            sl = slope([(d, out[op][k]['slab_B']) for d, op in ops
                        if 'slab_B' in out[op].get(k, {})])
            if sl:
                parts.append(f"{k} {sl['per_level_ns']:+.1f} B")
        if parts:
            print(f'many.{kind}.{n}: slab per child and level of nesting (least squares over '
                  f'depths {", ".join(str(d) for d, _ in ops)}): ' + ', '.join(parts))


def write_many_csv(path, many):
    """many.csv: one row per many.* operation and kernel."""
    with open(path, 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['op', 'kernel'] + [c for c, _ in MANY_COLS])
        for op, ks in many.items():
            for k, v in ks.items():
                w.writerow([op, k] + [f'{v[c]:.0f}' if c in v else '' for c, _ in MANY_COLS])


def write_csv(path, res, kernels, ops):
    head = ['op']
    for k in kernels:
        head += [f'{k}_status', f'{k}_median_ns', f'{k}_lo_ns', f'{k}_hi_ns', f'{k}_boots',
                 f'{k}_iters']
    for a, b in RATIOS:
        head += [f'{a}_{b}', f'{a}_{b}_lo', f'{a}_{b}_hi']
    with open(path, 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(head)
        for op in ops:
            row = [op]
            for k in kernels:
                s = res[op]['kernels'].get(k, {'status': 'missing'})
                if s['status'] == 'ok':
                    row += ['ok', f"{s['median_ns']:.0f}", f"{s['lo_ns']:.0f}",
                            f"{s['hi_ns']:.0f}", s['boots'], s['iters']]
                else:
                    row += [s['status'], '', '', '', s.get('boots', 0), '']
            for a, b in RATIOS:
                r = res[op]['ratios'].get(f'{a}/{b}')
                row += [f"{r[x]:.4f}" for x in ('value', 'lo', 'hi')] if r else ['', '', '']
            w.writerow(row)


def gnuplot(out, name, gp):
    """Run the gnuplot lines gp as OUT/NAME.gp (which writes NAME.png); True if it did."""
    script = os.path.join(out, f'{name}.gp')
    with open(script, 'w') as f:
        f.write('\n'.join(gp) + '\n')
    p = subprocess.run(['gnuplot', script], capture_output=True, text=True)
    if p.returncode:
        print(f'bench: gnuplot failed ({script}):\n{p.stderr}', file=sys.stderr)
        return False
    return True


def terminal():
    out = subprocess.run(['gnuplot', '-e', 'set terminal'], capture_output=True, text=True)
    names = {ln.split()[0] for ln in (out.stdout + out.stderr).splitlines() if ln.strip()}
    if 'pngcairo' in names:
        return "pngcairo size 1100,560 font 'Sans,10'"
    if 'png' in names:
        return 'png size 1100,560'
    return None


def plot(out, res, kernels, ops, meta):
    """Grouped bars normalised to stock, with the ratios' spread as error bars."""
    if not shutil.which('gnuplot'):
        print('bench: gnuplot not found: no plot (package gnuplot-nox)', file=sys.stderr)
        return False
    term = terminal()
    if not term:
        print('bench: gnuplot has no png terminal: no plot', file=sys.stderr)
        return False
    ref = 'stock' if 'stock' in kernels else kernels[0]
    dat, labels = os.path.join(out, 'bench.dat'), []
    nk, gap = len(kernels), 1
    with open(dat, 'w') as f:
        f.write('# op ' + ' '.join(f'{k} {k}_lo {k}_hi' for k in kernels) + '\n')
        for i, op in enumerate(ops):
            ks = res[op]['kernels']
            f.write(op)
            for j, k in enumerate(kernels):
                s = ks.get(k, {})
                if k == ref and s.get('status') == 'ok':
                    v = (1.0, s['lo_ns'] / s['median_ns'], s['hi_ns'] / s['median_ns'])
                else:
                    r = res[op]['norm'].get(k)
                    v = (r['value'], r['lo'], r['hi']) if r else None
                x = i + (j - (nk - 1) / 2) / (nk + gap)
                if v is None:
                    f.write(' NaN NaN NaN')
                    labels.append((x, 0, 'n/a'))
                else:
                    f.write(' %.4f %.4f %.4f' % v)
                    labels.append((x, v[2], f'{v[0]:.2f}'))
            f.write('\n')
    title = (f"pidns_bench: time per operation, normalised to {ref} = 1.0 "
             f"(median of {meta.get('boots', '?')} boot(s); bars: spread)\\n"
             f"{meta.get('date', '')}  {meta.get('cpu', '')}  "
             f"QEMU {meta.get('accel', '?')} -smp {meta.get('qemu_smp', '?')} "
             f"{meta.get('qemu_args', '')}")
    ymax = max([y for _, y, _ in labels] + [1.1]) * 1.08
    labels = [(x, y + ymax * 0.02, t) for x, y, t in labels]
    gp = [f'set terminal {term}', f"set output '{os.path.join(out, 'bench.png')}'",
          f'set title "{title}" noenhanced', 'set style data histogram',
          f'set style histogram errorbars gap {gap} lw 1', 'set style fill solid 0.8 border -1',
          'set boxwidth 0.9', 'set grid ytics', f'set yrange [0:{ymax:.2f}]',
          f'set xrange [-0.6:{len(ops) - 0.4}]',
          f"set ylabel 'time / {ref}'", 'set key outside bottom center horizontal',
          'set datafile missing "NaN"',
          'set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb "#555555"',
          'set xtics scale 0 noenhanced']
    for x, y, t in labels:
        gp.append(f'set label "{t}" at {x:.4f},{y:.3f} center font ",8"')
    colours = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2']
    cols = []
    for j, k in enumerate(kernels):
        c = 2 + 3 * j
        xt = ':xtic(1)' if j == 0 else ''
        cols.append(f"'{dat}' using {c}:{c + 1}:{c + 2}{xt} title '{k}' "
                    f"lc rgb '{colours[j % len(colours)]}'")
    gp.append('plot ' + ', \\\n     '.join(cols))
    return gnuplot(out, 'bench', gp)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('lines')
    ap.add_argument('--out', required=True)
    ap.add_argument('--meta')
    ap.add_argument('--boots')
    args = ap.parse_args()

    data, kernels, ops = parse(args.lines)
    if not data:
        sys.exit(f'bench: no BENCH lines in {args.lines}')
    meta = read_kv(args.meta)
    boots = read_boots(args.boots)
    meta.setdefault('boots', str(max(len(b) for o in data.values() for b in o.values())))
    ref = 'stock' if 'stock' in kernels else kernels[0]

    res = {}
    for op in ops:
        ks = {k: kernel_stats(data[op][k]) for k in kernels if k in data[op]}
        rs = {}
        for a, b in RATIOS:
            if a in ks and b in ks:
                rs[f'{a}/{b}'] = ratio(ks[a], ks[b], data[op][a], data[op][b])
        norm = {k: ratio(ks[k], ks[ref], data[op][k], data[op][ref])
                for k in ks if k != ref and ref in ks}
        res[op] = {'kernels': ks, 'ratios': rs, 'norm': norm}

    kinds = depth_ops(ops)
    flat = [op for op in ops if not DEPTH.match(op)]
    table(res, kernels, flat, meta)
    slopes = depth_report(res, kernels, kinds)
    many = many_report(kernels)

    targets = []
    print()
    for pat, a, b, limit in read_targets():
        for op in [o for o in res if fnmatch.fnmatchcase(o, pat)]:
            r = res[op]['ratios'].get(f'{a}/{b}')
            v, note = verdict(r, limit)
            deep = op.startswith('depth.')
            if r is None and deep:
                continue
            targets.append({'op': op, 'ratio': f'{a}/{b}', 'limit': limit, 'verdict': v,
                            'note': note, 'value': r and r['value'], 'lo': r and r['lo'],
                            'hi': r and r['hi']})
            # the depth table shows every depth: here only what missed, or passed narrowly
            if deep and v == 'PASS' and not note:
                continue
            spread = f"{r['value']:.3f} [{r['lo']:.3f}-{r['hi']:.3f}]" if r else 'no data'
            print(f'{v} {op}: {a}/{b} {spread} <= {limit:.2f} {note}'.rstrip())
    nd = sum(1 for t in targets if t['op'].startswith('depth.'))
    if nd:
        npass = sum(1 for t in targets if t['op'].startswith('depth.') and t['verdict'] == 'PASS')
        print(f'depth: {npass} of {nd} series/stock <= 1.00 (within spread counts)')
    print('(the targets inform; they do not fail the run)')

    busy = [b for b in boots if b['busy'] != 'no']
    if busy:
        names = {'build': 'a kernel build', 'qemu': 'another QEMU'}
        what = ' or '.join(sorted({names.get(w, 'other work') for b in busy
                                   for w in b['busy'].split('+')}))
        if 'icount' in meta.get('qemu_args', ''):
            print(f'note: {len(busy)} of {len(boots)} boot(s) ran while {what} was running on '
                  f'the host; with -icount the guest counts instructions, which that does not '
                  f'change')
        else:
            print(f'note: {len(busy)} of {len(boots)} boot(s) ran while {what} was running on '
                  f'the host: the figures are unreliable')
    coarse = [b for b in boots if (b.get('clock_step_ns') or 0) > 10000]
    if coarse:
        print(f'note: {len(coarse)} boot(s) had a coarse clock (steps of '
              f"{max(b['clock_step_ns'] for b in coarse)} ns): see their raw output")
    os.makedirs(args.out, exist_ok=True)
    write_csv(os.path.join(args.out, 'bench.csv'), res, kernels, ops)
    with open(os.path.join(args.out, 'bench.json'), 'w') as f:
        json.dump({'meta': meta, 'boots': boots, 'kernels': kernels, 'ops': res,
                   'targets': targets, 'depth_slopes': slopes, 'many': many}, f, indent=1,
                  sort_keys=True)
        f.write('\n')
    written = ['bench.csv', 'bench.json']
    if many:
        write_many_csv(os.path.join(args.out, 'many.csv'), many)
        written.append('many.csv')
    if plot(args.out, res, kernels, flat, meta):
        written.append('bench.png')
    if plot_depth(args.out, res, kernels, kinds, meta):
        written.append('depth.png')
    print(f"bench: {', '.join(os.path.join(args.out, w) for w in written)}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
