#!/bin/sh
# Stage bench: time pid namespace operations (guest/pidns_bench.c) on the
# stock, base and series kernels, booted in turn BENCH_ROUNDS times (the
# order rotates from one round to the next), with the same QEMU settings and
# the same guest binary; then harness/bench_report.py prints the tables and
# writes build/bench/bench.{csv,json,png}, depth.png and many.csv. Uses the
# kernels as they are built (and builds them if needed); pidns_bench is in the
# initramfs that make's prepare stage built. Every boot's output is in
# build/bench/raw.
#   BENCH_ROUNDS=N        boots per kernel (default 3)
#   BENCH_ARGS='...'      options for pidns_bench (-r ROUNDS -R DEPTH_ROUNDS -n ITERS
#                         -o OP -c CPU -m N[,N] -M D[,D]; default: -m 1000,10000
#                         -M 1,4,16,31, the cost of 1,000 and 10,000 namespaces,
#                         and of 1,000 created at depths 1 to 31)
#   MEM=SIZE              guest memory (default 3G: 10,000 sleeping children)
#   BENCH_KERNELS='...'   the kernels (default: stock base series)
#   BENCH_TIMEOUT=S       limit of one boot (default 2400: the depth.* operations
#                         take about as long as the others; BENCH_ARGS='-o depth'
#                         runs only them)
#   BENCH_APPEND='...'    kernel command line (default below)
#   BENCH_WAIT=S          before each boot, wait up to S seconds for other
#                         QEMUs, kernel builds and CPU use (> 20 %) on this
#                         machine to end (default 0: boot at once; the report
#                         notes the boots that ran on a busy machine)
# Counting, not timing: by default QEMU runs with -icount shift=0 (one
# virtual nanosecond per guest instruction) on one vCPU, so a "ns" is an
# instruction executed and the figures do not depend on how busy the host is
# (BENCH_ICOUNT=0 for wall-clock time under TCG, which varies by 10-20 %).
#   BENCH_ICOUNT=0|1      instruction counts (default 1) or wall-clock time
# The guest's clock without icount: under TCG the kernel finds the TSC unstable (against a
# jiffies watchdog) or fails to calibrate it on a busy host, and falls back to
# jiffies, a clock in steps of 4 ms. So the default command line keeps the
# TSC (tsc=reliable) and gives its frequency (tsc_early_khz, the host's: TCG's
# TSC is the host's), the same for every boot.
. "$(dirname "$0")/lib.sh"
STAGE=bench
ARGS=${BENCH_ARGS--m 1000,10000 -M 1,4,16,31}
MEM=${MEM:-3G}
export MEM
H=$TOP/harness
OUT=$BUILD/bench
BOOTS=${BENCH_ROUNDS:-3}
KERNELS=${BENCH_KERNELS:-stock base series}
khz=$(sed -n 's/^cpu MHz[^:]*: *\([0-9]*\)\.\([0-9]\{3\}\).*/\1\2/p' /proc/cpuinfo | head -n 1)
APPEND=${BENCH_APPEND-tsc=reliable${khz:+ tsc_early_khz=$khz}}
if [ "${BENCH_ICOUNT:-1}" = 1 ]; then
	export QEMU_ARGS="-icount shift=0,sleep=off" SMP=1
fi

case ${BENCH_WAIT:-0} in
*[!0-9]*) die "BENCH_WAIT=$BENCH_WAIT: expected seconds" ;;
esac
case $BOOTS in
'' | *[!0-9]* | 0) die "BENCH_ROUNDS=$BOOTS: expected a number of boots >= 1" ;;
esac
for _v in $KERNELS; do
	check_variant "$_v"
	VARIANT=$_v "$H/variant.sh" build || die "the $_v kernel does not build"
done
command -v python3 >/dev/null || die "python3 not found"

# percentage of the host's CPU time used over one second
cpu_used() {
	_a=$(head -n 1 /proc/stat)
	sleep 1
	_b=$(head -n 1 /proc/stat)
	# shellcheck disable=SC2086 # the fields of the cpu line
	set -- $_a $_b
	# user nice system idle iowait irq softirq steal, then the same 1 s later
	_used=$((${13} + ${14} + ${15} + ${18} + ${19} + ${20} - $2 - $3 - $4 - $7 - $8 - $9))
	_idle=$((${16} + ${17} - $5 - $6))
	echo $((100 * _used / (_used + _idle + 1)))
}

# a kernel build, another QEMU or other work on this machine makes the
# figures unreliable: say so (build, qemu, cpuNN% joined by +, or no)
busy() {
	_b=
	pgrep -f 'make.*bzImage' >/dev/null 2>&1 && _b=build
	pgrep '^qemu-system' >/dev/null 2>&1 && _b=${_b:+$_b+}qemu
	_c=$(cpu_used)
	[ "$_c" -gt 20 ] && _b=${_b:+$_b+}cpu$_c%
	echo "${_b:-no}"
}

# wait up to BENCH_WAIT seconds for the machine to be quiet
quiet() {
	_t=${BENCH_WAIT:-0}
	[ "$_t" -gt 0 ] || return 0
	_w=$(busy)
	[ "$_w" = no ] && return 0
	stage "waiting up to ${_t}s for: $_w"
	while [ "$_t" -gt 0 ] && [ "$(busy)" != no ]; do
		sleep 4
		_t=$((_t - 5))
	done
}

# rotate LIST by N words: the order of the kernels in boot round N
rotate() {
	_n=$1
	shift
	while [ "$_n" -gt 0 ]; do
		_w=$1
		shift
		set -- "$@" "$_w"
		_n=$((_n - 1))
	done
	echo "$@"
}

rm -rf "$OUT"
mkdir -p "$OUT/raw"
lines=$OUT/bench.lines
boots=$OUT/boots.txt
: >"$lines"
echo "# kernel boot seconds load1 busy status run_dir release clock_step_ns" >"$boots"
{
	echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "host=$(hostname)"
	echo "cpu=$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
	echo "cpus=$(ncpus)"
	echo "accel=${ACCEL:-$(cat "$STATE/kvm" 2>/dev/null || echo auto)}"
	echo "qemu_smp=${SMP:-2}"
	echo "qemu_args=${QEMU_ARGS:-}"
	echo "qemu_mem=$MEM"
	echo "boots=$BOOTS"
	echo "kernels=$KERNELS"
	echo "args=$ARGS"
	echo "append=$APPEND"
	echo "project=$(git -C "$TOP" describe --always --dirty 2>/dev/null)"
	echo "series=$(git -C "$TREE" describe --always --dirty 2>/dev/null)"
} >"$OUT/meta.txt"

stage "$BOOTS boot(s) of: $KERNELS; pidns_bench ${ARGS:-(defaults)}"
start=$(date +%s)
failed=0
b=1
while [ "$b" -le "$BOOTS" ]; do
	# shellcheck disable=SC2086 # a list of words
	for v in $(rotate $(((b - 1) % $(echo "$KERNELS" | wc -w))) $KERNELS); do
		raw=$OUT/raw/$v-$b.txt
		quiet
		load=$(cut -d' ' -f1 /proc/loadavg)
		bz=$(busy)
		stage "boot $b/$BOOTS: $v (load $load, busy: $bz)"
		t0=$(date +%s)
		rc=0
		run=$LOGDIR/$(date +%Y%m%d-%H%M%S)-$$-$v-bench-$b
		RUN=$run VARIANT=$v TIMEOUT=${BENCH_TIMEOUT:-2400} APPEND=$APPEND \
			CMD="/usr/local/bin/pidns_bench $ARGS" \
			"$H/boot.sh" run >"$raw" 2>&1 || rc=$?
		[ "$bz" != no ] || bz=$(busy)
		python3 "$H/guestlog.py" bench "$run" "kernel=$v boot=$b" >"$raw.bench"
		cat "$raw.bench" >>"$lines"
		n=$(grep -c '^BENCH ' "$raw.bench")
		echo "$v $b $(($(date +%s) - t0)) $load $bz $rc $run $(python3 "$H/guestlog.py" bench-meta "$run")" >>"$boots"
		grep -e '^BENCH .* failed ' "$raw.bench" | sed 's/^/    /'
		grep -e '^# warning' "$raw" | sed 's/^/    /'
		if [ "$n" = 0 ]; then
			tail -n 5 "$raw" | sed 's/^/    /' >&2
			stage "boot $b/$BOOTS: $v gave no results (exit $rc): $raw" >&2
			failed=$((failed + 1))
		elif [ "$rc" != 0 ]; then
			stage "boot $b/$BOOTS: $v: pidns_bench exit $rc (an operation failed)" >&2
			failed=$((failed + 1))
		fi
	done
	b=$((b + 1))
done
secs=$(($(date +%s) - start))
echo "seconds=$secs" >>"$OUT/meta.txt"
stage "$((BOOTS * $(echo "$KERNELS" | wc -w))) boots in ${secs}s"

python3 "$H/bench_report.py" --meta "$OUT/meta.txt" --boots "$boots" \
	--out "$OUT" "$lines" || die "the report failed"
[ "$failed" = 0 ] || die "$failed boot(s) failed or gave incomplete results (see above)"
