#!/bin/sh
# Stage boot: boot VARIANT's kernel for ARCH in QEMU (configs/arch/<ARCH>.txt:
# the QEMU binary and machine, the console, the results port) on the arch's
# base.cpio + a per-boot archive, in one of the modes of harness/guest/init:
#   boot.sh tests          run the selftests (TESTS: list of coll:prog)
#   boot.sh run            run CMD, show its output, exit with its status
#   boot.sh shell          interactive shell on the serial console
#   boot.sh probe          the KVM probe (prints the marker at once)
# OVERLAY=DIR adds DIR's files to the initramfs; QEMU_ARGS adds QEMU options;
# DRY_RUN=1 prints the QEMU command instead of running it. The console goes to
# console.log, what the guest reports to results.log (second serial port),
# both in the run directory printed at the end; the run directory's path is
# also in build/logs/last-<kernel> (kernel_name: series, series-debug).
. "$(dirname "$0")/lib.sh"
MODE=${1:-tests}
STAGE="boot $(kernel_name)"
check_variant "$VARIANT"
qemu_line=$(arch_get qemu)
# the arch's QEMU binary (QEMU= another) and its machine's options
QEMU=${QEMU:-${qemu_line%% *}}
machine=${qemu_line#"${qemu_line%% *}"}
MEM=${MEM:-1G}
SMP=${SMP:-2}
APPEND=${APPEND:-}

out=$(variant_out "$VARIANT" "$KCFG")
kernel=$out/kernel.harness
base_cpio=$BUILD/initramfs/base$(arch_suffix).cpio
[ -f "$kernel" ] || die "no kernel $kernel (build it: make build VARIANT=$VARIANT ARCH=$ARCH)"
[ -f "$base_cpio" ] || die "no initramfs $base_cpio (make selftests ARCH=$ARCH)"
arch_tool "$QEMU"

# ACCEL=auto takes KVM only if a probe boot with it printed its marker in
# time; the answer is kept in build/state/kvm (delete it to probe again).
accel() {
	case ${ACCEL:-auto} in
	tcg|kvm) echo "$ACCEL"; return ;;
	esac
	# only an arch the host's KVM can run (configs/arch: "kvm yes") is probed
	[ "$(arch_get kvm)" = yes ] || { echo tcg; return; }
	if [ ! -f "$STATE/kvm" ]; then
		_a=tcg
		if [ -w /dev/kvm ]; then
			stage "probing KVM (once per machine)" >&2
			ACCEL=kvm TIMEOUT=15 "$0" probe >/dev/null 2>&1 && _a=kvm
		fi
		mkdir -p "$STATE"
		echo "$_a" >"$STATE/kvm"
	fi
	cat "$STATE/kvm"
}

# the per-boot archive: run.conf, the command, the overlay
per_boot() {
	_d=$run/cpio
	mkdir -p "$_d/harness"
	if [ -n "${OVERLAY:-}" ]; then
		[ -d "$OVERLAY" ] || die "OVERLAY=$OVERLAY is not a directory"
		cp -a "$OVERLAY/." "$_d/"
	fi
	{
		echo "MODE=$MODE"
		echo "TESTS='${TESTS:-}'"
		echo "RESULTS=/dev/$(arch_get results | cut -d' ' -f1)"
	} >"$_d/harness/run.conf"
	printf '%s\n' "${CMD:-true}" >"$_d/harness/cmd"
	"$TOP/harness/initramfs.sh" run "$_d" "$run/run.cpio"
	cat "$base_cpio" "$run/run.cpio" >"$run/initramfs.cpio"
}

# the machine is the arch's
qemu_args() {
	_accel=$1
	echo "$machine -accel $_accel -m $MEM -smp $SMP -nodefaults -no-user-config"
	_bios=$(arch_get bios)
	[ -n "$_bios" ] && [ -f "$_bios" ] && [ "$_accel" = tcg ] && echo "-bios $_bios"
	echo "-display none -no-reboot -kernel $kernel -initrd $run/initramfs.cpio"
	# QEMU_ARGS: more options, e.g. "-icount shift=0,sleep=off" (make bench)
	echo "${QEMU_ARGS:-}"
}

# the results port, after the console's UART (on x86 the second UART is
# ttyS1): the chardev "results" and the arch's device for it (a UART, a
# virtio console)
results_args() {
	echo "-chardev file,id=results,path=$run/results.log $(arch_get results | cut -d' ' -f2-)"
}

cmdline() {
	echo "console=$(arch_get console) panic=-1 loglevel=${LOGLEVEL:-5} oops=panic $APPEND"
}

# the QEMU command, in the run directory as qemu.sh: rerun this guest by hand
# (DRY_RUN=1: print it and stop there)
save_command() {
	{
		echo "#!/bin/sh"
		echo "# $MODE boot of $(kernel_name) by the harness ($(date -u +%FT%TZ))"
		for _w in "$@"; do
			printf '%s \\\n' "'$(printf '%s' "$_w" | sed "s/'/'\\\\''/g")'"
		done
		echo
	} >"$run/qemu.sh"
	chmod +x "$run/qemu.sh"
	if [ -n "${DRY_RUN:-}" ]; then
		cat "$run/qemu.sh"
		exit 0
	fi
}

a=$(accel)
# RUN=DIR names the run directory (callers that read it afterwards set it:
# build/logs/last-* may meanwhile point at someone else's boot)
run=${RUN:-$LOGDIR/$(date +%Y%m%d-%H%M%S)-$$-$(kernel_name)-$MODE}
mkdir -p "$run"
[ "$MODE" = probe ] || ln -sfn "$run" "$LOGDIR/last-$(kernel_name)"
per_boot
: >"$run/results.log"
# shellcheck disable=SC2046 # qemu_args prints one option per word
set -- $(qemu_args "$a") -append "$(cmdline)"
case $MODE in
shell)
	# shellcheck disable=SC2046 # results_args prints one option per word
	set -- "$QEMU" "$@" -chardev stdio,id=con,mux=on,signal=off,logfile="$run/console.log" \
		-serial chardev:con -mon chardev=con,mode=readline $(results_args)
	save_command "$@"
	"$@"
	exit 0 ;;
tests) timeout=${TIMEOUT:-1200} ;;
*) timeout=${TIMEOUT:-300} ;;
esac
if [ "$V" = 1 ]; then
	con="-chardev stdio,id=con,signal=off,logfile=$run/console.log"
else
	con="-chardev file,id=con,path=$run/console.log"
fi
# shellcheck disable=SC2086 # $con is a list of options
# shellcheck disable=SC2046 # results_args prints one option per word
set -- "$QEMU" "$@" $con -serial chardev:con $(results_args)
save_command "$@"
stage "$MODE on $a ($(basename "$run"))"
start=$(date +%s)
timeout -k 5 "$timeout" "$@" </dev/null &
qpid=$!
if [ "$MODE" = run ]; then
	# what the guest writes, as it writes it (its end marker aside)
	tail -n +1 -f --pid="$qpid" "$run/results.log" | grep -v '^HARNESS-END '
fi
rc=0
wait "$qpid" || rc=$?
echo "$(($(date +%s) - start))" >"$run/seconds"
[ "$rc" = 124 ] && die "guest did not finish within ${timeout}s and was killed; console log: $run/console.log"
[ "$rc" = 0 ] || die "QEMU failed (exit $rc); console log: $run/console.log"
status=$(python3 "$TOP/harness/guestlog.py" status "$run" 2>/dev/null) ||
	die "the guest ended without its marker (panic?); console log: $run/console.log"
if [ "$MODE" = run ]; then
	splats=$(python3 "$TOP/harness/guestlog.py" reports "$run")
	if [ -n "$splats" ]; then
		printf '%s\n' "$splats" >&2
		die "the kernel reported the above; console log: $run/console.log"
	fi
fi
exit "$status"
