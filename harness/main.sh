#!/bin/sh
# The user-facing jobs, called by the Makefile:
#   main.sh all       prepare, test the series kernel, show the demo and the summary
#   main.sh test      everything that must hold for a change to land
#   main.sh prepare   deps, tree, series kernel, selftests, initramfs
#   main.sh boot MODE boot VARIANT for make run / make shell
#   main.sh tree|build|selftests|check|lkml|stress|bench|diff   the make targets of that name
# Every job holds the checkout's lock (checkout_lock) from start to end, so
# that two make commands in one checkout run one after the other.
#
# The pipeline, in one place (each arrow a stage script of harness/):
#   prepare   deps.sh -> tree.sh -> config.sh + build.sh (series) -> selftests.sh
#             (the tests, built once from the series tree; for another ARCH,
#             archroot.sh first) -> initramfs.sh; each for ARCH (x86_64)
#   all       prepare -> variant.sh test (config, build, planned tests, boot.sh
#             tests, results.py verdict) -> the demo and stage times -> total
#   test      tests/run.sh, prepare, variant.sh test for series, base and stock,
#             tests/boot-failures.sh, lkml.sh test (with the units of
#             lkml-full.sh lkml/verified does not hold, stress.sh short one
#             of them), diff.sh short, then for each other arch of
#             configs/arch/ prepare's kernel, selftests and initramfs and
#             variant.sh test for the series -> total
#   check, lkml, stress, bench, diff: prepare, then that stage
# The stages hand over files: build/state/planned (the tests to run),
# build/state/run-<kernel> (the run directory of its last test boot, read
# through guestlog.py), build/logs/summary-<suite>.json (each suite's counts,
# which results.py total adds up), build/state/times (the stage times).
. "$(dirname "$0")/lib.sh"
STAGE=main
H=$TOP/harness
checkout_lock "main.sh $*"

# timed NAME CMD...: run CMD, note its wall time in build/state/times
timed() {
	_name=$1
	shift
	_t0=$(date +%s.%N)
	"$@"
	_rc=$?
	printf '%-22s %6.1f s\n' "$_name" "$(echo "$(date +%s.%N) - $_t0" | bc)" >>"$STATE/times"
	return "$_rc"
}

prepare() {
	mkdir -p "$STATE"
	: >"$STATE/times"
	timed deps "$H/deps.sh" || exit 1
	timed tree "$H/tree.sh" || exit 1
	prepare_arch
}

# the series kernel of ARCH, the selftests built from it, the initramfs
prepare_arch() {
	_sfx=$(arch_suffix)
	timed "config series$_sfx" env VARIANT=series KCFG=guest "$H/config.sh" || exit 1
	timed "build series$_sfx" env VARIANT=series KCFG=guest "$H/build.sh" || exit 1
	timed "selftests$_sfx" "$H/selftests.sh" || exit 1
	timed "initramfs$_sfx" "$H/initramfs.sh" || exit 1
}

# arch_suite ARCH: the series' suite on ARCH (not the host's): its kernel,
# selftests and initramfs, then the verdict (summary-series-ARCH.json)
arch_suite() {
	# shellcheck disable=SC2030 # ARCH is the subshell's
	(
		ARCH=$1
		export ARCH
		prepare_arch
		VARIANT=series exec "$H/variant.sh" test
	)
}

# the time of each stage of this run, and the guest's uptime when the tests began
stage_times() {
	echo "Stage times (wall clock):"
	sed 's/^/  /' "$STATE/times"
	_up=$(python3 "$H/guestlog.py" uptime "$(cat "$STATE/run-$(kernel_name)")")
	[ -z "$_up" ] || echo "  boot to the first test: ${_up} s of guest uptime"
}

# suite NAME CMD...: CMD leaves build/logs/summary-NAME.json; if it does
# not (it broke down), that counts as one failure
suite() {
	_name=$1
	shift
	"$@"
	[ -f "$LOGDIR/summary-$_name.json" ] && return
	echo "[test] FAIL $_name: no summary (it stopped early; see above)" >&2
	printf '{"variant": "%s", "counts": {"passed": 0, "failed": 1, "skipped": 0}}\n' \
		"$_name" >"$LOGDIR/summary-$_name.json"
}

demo() {
	_demo=$(python3 "$H/guestlog.py" demo "$(cat "$STATE/run-$(kernel_name)")")
	# T= may have left it out
	[ -n "$_demo" ] || return 0
	echo
	echo "Demonstration (guest/demo.c on the $VARIANT kernel):"
	printf '%s\n\n' "$_demo"
}

# host_only JOB: make JOB is the host's arch's (make test runs the series'
# suite on the others itself), ARCH= is not for it
host_only() {
	# shellcheck disable=SC2031 # the caller's ARCH, not arch_suite's
	arch_is_host "$ARCH" ||
		die "make $1 runs on the host's arch ($HOST_ARCH) only: no ARCH=$ARCH (ARCH is for build, selftests, check, run, shell; make test covers every arch of configs/arch/)"
}

all() {
	prepare
	rm -f "$LOGDIR"/summary-*.json
	_rc=0
	timed "boot, tests, verdict" "$H/variant.sh" test || _rc=1
	demo
	stage_times
	python3 "$H/results.py" total "$LOGDIR"/summary-*.json || _rc=1
	return "$_rc"
}

test_all() {
	host_only test
	mkdir -p "$LOGDIR"
	rm -f "$LOGDIR"/summary-*.json
	"$H/deps.sh" || exit 1
	suite harness "$TOP/tests/run.sh"
	if (prepare); then
		for _v in ${VARIANTS:-series base stock}; do
			suite "$_v" env VARIANT="$_v" "$H/variant.sh" test
		done
		suite harness-boot "$TOP/tests/boot-failures.sh"
		suite lkml "$H/lkml.sh" test
		suite diff "$H/diff.sh" short
		for _a in $(arches); do
			arch_is_host "$_a" || suite "series-$_a" arch_suite "$_a"
		done
	else
		suite prepare false
	fi
	echo
	python3 "$H/results.py" total "$LOGDIR"/summary-*.json
}

case ${1:-all} in
all) all ;;
test) test_all ;;
prepare) prepare ;;
boot)
	prepare
	[ "$VARIANT" = series ] || "$H/variant.sh" build || exit 1
	exec "$H/boot.sh" "$2" ;;
tree) "$H/deps.sh" && "$H/tree.sh" ensure ;;
build) "$H/deps.sh" && "$H/tree.sh" && "$H/variant.sh" build ;;
selftests)
	"$H/deps.sh" && "$H/tree.sh" && "$H/variant.sh" build &&
		"$H/selftests.sh" && "$H/initramfs.sh" ;;
check) prepare && "$H/variant.sh" test ;;
lkml) host_only lkml && prepare && "$H/lkml.sh" full ;;
stress) host_only stress && prepare && "$H/stress.sh" full ;;
bench) host_only bench && prepare && "$H/bench.sh" ;;
diff) host_only diff && prepare && "$H/diff.sh" "${DIFF_FORM:-full}" ;;
*) die "usage: main.sh all|test|prepare|boot MODE|tree|build|selftests|check|lkml|stress|bench|diff" ;;
esac
