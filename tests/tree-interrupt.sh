#!/bin/bash
# The scratch tree under crashes and interruptions, without a real kernel (a
# fake source tarball and patches: tests/treelib.sh).
# First the harness is killed (SIGKILL) at each of its crash points, the
# steps of an apply and of an export (HARNESS_CRASH). Then, N times, one of
# `tree.sh ensure` (a new tree; an update to changed patches), `tree.sh
# export` (work that adds, rewrites and deletes patch files) or `main.sh
# build` (an update, then a fake kernel build) is hit by SIGINT or SIGKILL at
# a random point. Each time the state left is checked (base/ and patches/
# untouched or byte-identical to the result; the tree as it was, marked
# broken, or exactly the result: never half-made with a valid stamp), then
# the command runs again and must give what an uninterrupted run gives.
#   tree-interrupt.sh [-n N] [-s SEED]   N random interruptions (default 60),
#                                        seeded (default: random, printed)
#   KEEP=1                               keep the work directory
set -u
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/treelib.sh"
n=60
seed=$((RANDOM * 32768 + RANDOM))
while getopts n:s: o; do
	case $o in
	n) n=$OPTARG ;;
	s) seed=$OPTARG ;;
	*) echo "usage: $0 [-n N] [-s SEED]" >&2; exit 2 ;;
	esac
done
dir=$(mktemp -d /tmp/tree-interrupt.XXXXXX)
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$dir"' EXIT
echo "seed $seed, $n interruptions, in $dir"
t0=$(date +%s)
fx_setup "$dir" || { echo "fixture setup failed:"; cat "$dir/out"; exit 1; }
need_ref "${SCENARIOS[@]}" || { echo "an uninterrupted run failed"; exit 1; }
for s in "${SCENARIOS[@]}"; do
	echo "uninterrupted $s (${CMD[$s]}): $(cat "$FX/ref/$s.ms") ms"
done
rc=0
for c in $CRASHES; do
	if crash "${c%%:*}" "${c#*:}"; then
		echo "ok: killed at ${c#*:} (${CMD[${c%%:*}]}), recovered"
	else
		echo "FAIL: killed at ${c#*:} (${CMD[${c%%:*}]})"
		rc=1
	fi
done
t1=$(date +%s)
fx_loop "$n" "$seed" || rc=1
t2=$(date +%s)
echo "interruptions (scenario, signal, state left):"
sort "$FX/tally" | uniq -c | sed 's/^/  /'
if [ "$rc" = 0 ]; then
	echo "PASS: every crash point; $n interruptions, seed $seed: every result equal to an uninterrupted run (loop $((t2 - t1)) s, all $((t2 - t0)) s)"
else
	echo "FAIL: seed $seed (see the lines above; again: $0 -n $n -s $seed)"
fi
exit "$rc"
