#!/bin/sh
# Stage stress: the debug kernel (configs/debug.config: KASAN, lockdep,
# kmemleak, fault injection ...) runs the fault-injection sweep
# (guest/pidns_fault.c) and the stress run (guest/pidns_stress.c) between two
# leak counts (harness/guest/stress-run: pid_namespace slab objects with
# slab_nomerge, the pid_namespaces ucount, kmemleak).
#   stress.sh full    series and stock side by side, STRESS_SECONDS (600) of
#                     stress with STRESS_WORKERS (4) workers, 10,000 failed
#                     first forks (make stress)
#   stress.sh short   series only, 20 s of stress, 1,000 failed first forks
#                     (make test)
# The verdict is the series': every program passed, no leak, no kernel
# report (harness/splats.txt) in its console. Stock's figures are the
# reference; its differences (a namespace dead after a failed first fork)
# are shown, not judged. Leaves build/logs/summary-stress.json.
. "$(dirname "$0")/lib.sh"
STAGE=stress
H=$TOP/harness
mode=${1:-short}
case $mode in
full) kernels="series stock" seconds=${STRESS_SECONDS:-600} cycles=10000 ;;
short) kernels=series seconds=${STRESS_SECONDS:-20} cycles=1000 ;;
*) die "usage: stress.sh full|short" ;;
esac
workers=${STRESS_WORKERS:-4}

# the FIGURES lines of a run, on one line (the serial port ends lines with \r\n)
figures() {
	tr -d '\r' <"$1/results.log" | sed -n 's/^FIGURES //p' | tr '\n' ' '
}

# every value of KEY in the figures, one a line
values() {
	printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

run_kernel() {
	_v=$1
	VARIANT=$_v KCFG=debug "$H/variant.sh" build || return 1
	_run=$LOGDIR/$(date +%Y%m%d-%H%M%S)-$$-$_v-debug-stress
	echo "$_run" >"$STATE/run-stress-$_v"
	RUN=$_run VARIANT=$_v KCFG=debug APPEND="slab_nomerge" TIMEOUT=$((seconds * 2 + 1200)) \
		CMD="stress-run $seconds $workers $cycles" "$H/boot.sh" run >"$_run.out" 2>&1
}

mkdir -p "$LOGDIR" "$STATE"
{ "$H/selftests.sh" >/dev/null && "$H/initramfs.sh" >/dev/null; } || die "selftests or initramfs stage failed"
rc=0
for v in $kernels; do
	stage "$v: debug kernel, ${seconds}s of stress with $workers workers"
	run_kernel "$v"
	echo "$?" >"$STATE/rc-stress-$v"
done
printf '[stress] %-9s %s\n' kernel figures
for v in $kernels; do
	r=$(cat "$STATE/run-stress-$v")
	printf '[stress] %-9s %s\n' "$v" "$(figures "$r")"
done
r=$(cat "$STATE/run-stress-series")
if [ "$(cat "$STATE/rc-stress-series")" != 0 ]; then
	stage "FAIL series: see $r.out and $r/console.log" >&2
	tail -n 30 "$r.out" | sed 's/^/    /' >&2
	rc=1
fi
f=$(figures "$r")
for k in unexpected stuck dead_ns; do
	n=$(values "$k" "$f" | grep -vx 0 | tr '\n' ' ')
	[ -z "$n" ] || { stage "FAIL series: $k=$n" >&2; rc=1; }
done
passed=$((1 - rc))
printf '{"variant": "stress", "counts": {"passed": %d, "failed": %d, "skipped": 0}}\n' \
	"$passed" "$rc" >"$LOGDIR/summary-stress.json"
exit "$rc"
