#!/bin/sh
# Stage stress: the debug kernel (configs/debug.config: KASAN, lockdep,
# kmemleak, fault injection ...) runs the fault-injection sweep
# (guest/pidns_fault.c), the stress run (guest/pidns_stress.c) and
# stress-ng's process and namespace stressors between two leak counts
# (harness/guest/stress-run: pid_namespace slab objects with slab_nomerge,
# the pid_namespaces ucount, kmemleak).
#   stress.sh full    series and stock side by side: stress with
#                     STRESS_WORKERS (4) workers until STRESS_CYCLES (100,000)
#                     namespaces were made, STRESS_SECONDS (7200) at most;
#                     10,000 failed first forks; STRESS_NG_SECONDS (120) of
#                     stress-ng (make stress); STRESS_KERNELS=series (or
#                     stock) runs one of the two
#   stress.sh short   series only, 20 s of stress, 1,000 failed first forks,
#                     10 s of stress-ng (make lkml's unit stress)
#   stress.sh inputs  the files a run's result depends on, one a line, but
#                     the kernel's code and the selftests' kselftest.h:
#                     make lkml's key of the unit
# The verdict is the series': every program passed, the cycles reached (full),
# no leak, no kernel report (harness/splats.txt) in its console. Stock's
# figures are the reference; its differences (a namespace dead after a failed
# first fork) are shown, not judged. Leaves build/logs/summary-stress.json.
. "$(dirname "$0")/lib.sh"
STAGE=stress
H=$TOP/harness
mode=${1:-short}
case $mode in
full)
	kernels=${STRESS_KERNELS:-series stock} seconds=${STRESS_SECONDS:-7200} target=${STRESS_CYCLES:-100000}
	efault=10000 ng=${STRESS_NG_SECONDS:-120}
	;;
short)
	kernels=series seconds=${STRESS_SECONDS:-20} target=${STRESS_CYCLES:-0}
	efault=1000 ng=${STRESS_NG_SECONDS:-10}
	;;
inputs)
	ARCH=$HOST_ARCH arch_fragments
	for _f in configs/guest.config configs/debug.config harness/stress.sh \
		harness/guest/stress-run harness/guest/init harness/boot.sh harness/initramfs.sh \
		harness/guestlog.py harness/splats.txt expect/stress.txt \
		guest/Makefile guest/pidns_fault.c guest/pidns_stress.c guest/pidns_tools.h; do
		echo "$TOP/$_f"
	done
	exit 0
	;;
*) die "usage: stress.sh full|short|inputs" ;;
esac
workers=${STRESS_WORKERS:-4}

# the FIGURES lines of a run (of kind $2 only), on one line
figures() {
	python3 "$H/guestlog.py" figures "$1" ${2:+"$2"}
}

# every value of KEY in the figures, one a line
values() {
	printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# stress-ng and its shared libraries at their own paths, an overlay for the
# stress boots only (32 MB: not worth adding to every boot)
ng_overlay() {
	NG=$BUILD/stress-ng
	closure "$NG.paths" /usr/bin/stress-ng
	rm -rf "$NG"
	while read -r _l; do
		mkdir -p "$NG${_l%/*}"
		cp -L "$_l" "$NG$_l" || die "could not copy $_l into $NG"
	done <"$NG.paths"
}

run_kernel() {
	_v=$1
	VARIANT=$_v KCFG=debug "$H/variant.sh" build || return 1
	_run=$LOGDIR/$(date +%Y%m%d-%H%M%S)-$$-$_v-debug-stress
	echo "$_run" >"$STATE/run-stress-$_v"
	RUN=$_run VARIANT=$_v KCFG=debug APPEND="slab_nomerge" OVERLAY=$NG \
		TIMEOUT=$((seconds * 2 + ng + 1200)) \
		CMD="stress-run $seconds $workers $efault $target $ng" "$H/boot.sh" run >"$_run.out" 2>&1
}

mkdir -p "$LOGDIR" "$STATE"
rm -f "$LOGDIR/summary-stress.json"
ng_overlay
rc=0
for v in $kernels; do
	if [ "$target" -gt 0 ]; then
		stage "$v: debug kernel, stress with $workers workers to $target namespaces (${seconds}s at most), ${ng}s of stress-ng"
	else
		stage "$v: debug kernel, ${seconds}s of stress with $workers workers, ${ng}s of stress-ng"
	fi
	run_kernel "$v"
	echo "$?" >"$STATE/rc-stress-$v"
done
printf '[stress] %-9s %s\n' kernel figures
for v in $kernels; do
	r=$(cat "$STATE/run-stress-$v")
	printf '[stress] %-9s %s\n' "$v" "$(figures "$r")"
done
case " $kernels " in
*" series "*) ;;
*) stage "no series run: stock's figures are the reference, not judged"; exit 0 ;;
esac
r=$(cat "$STATE/run-stress-series")
if [ "$(cat "$STATE/rc-stress-series")" != 0 ]; then
	stage "FAIL series: see $r.out and $r/console.log" >&2
	tail -n 30 "$r.out" | sed 's/^/    /' >&2
	rc=1
fi
f=$(figures "$r")
# the keys that must be 0 (expect/stress.txt)
while read -r k; do
	[ -n "$k" ] || continue
	n=$(values "$k" "$f" | grep -vx 0 | tr '\n' ' ')
	[ -z "$n" ] || { stage "FAIL series: $k=$n" >&2; rc=1; }
done <<EOF
$(sed 's/#.*//' "$TOP/expect/stress.txt")
EOF
# the stress run's cycles (not the failed first forks')
n=$(values cycles "$(figures "$r" stress)")
if [ "$target" -gt 0 ] && [ "${n:-0}" -lt "$target" ]; then
	stage "FAIL series: ${n:-no} namespace cycles in ${seconds}s, $target asked (STRESS_SECONDS)" >&2
	rc=1
fi
passed=$((1 - rc))
printf '{"variant": "stress", "counts": {"passed": %d, "failed": %d, "skipped": 0}}\n' \
	"$passed" "$rc" >"$LOGDIR/summary-stress.json"
exit "$rc"
