#!/bin/sh
# One variant, end to end: config, build, boot with the selftests, verdict
# against expect/<variant>.txt (whatever KCFG: a debug build of a kernel
# must give its results), with expect/<variant>-<arch>.txt before it if
# there is one (what differs on that arch, the host's included: the results
# of a collection only the host runs), each with its reason. Leaves
# build/logs/summary-<kernel_name>.json.
#   variant.sh build     config + build only
#   variant.sh test      config + build + boot + verdict
. "$(dirname "$0")/lib.sh"
STAGE="test $(kernel_name)"
H=$TOP/harness

kernel() {
	"$H/config.sh" && "$H/build.sh"
}

# the tests planned for the arch (make lkml's steps read the host's)
plan=$STATE/planned$(arch_suffix)

# what runs: expect/runlist.txt's choice of the installed tests, narrowed to
# T=COLL[:PROG][,...] when given (make T=pid_namespace:first_fork)
planned() {
	python3 "$H/results.py" runlist "$TOP/expect/runlist.txt" \
		"$BUILD/kselftest$(arch_suffix)/kselftest-list.txt" ${T:+--only "$T"} >"$plan" || exit 1
}

test_variant() {
	kernel || exit 1
	planned
	_name=$(kernel_name)
	_run=$LOGDIR/$(date +%Y%m%d-%H%M%S)-$$-$_name-tests
	echo "$_run" >"$STATE/run-$_name"
	RUN=$_run TESTS=$(cat "$plan") "$H/boot.sh" tests
	# the guest's own status is not the verdict (expected failures make it
	# non-zero); a run that broke down has no marker, which the verdict sees
	_arch_expect=$TOP/expect/$VARIANT-$ARCH.txt
	[ -f "$_arch_expect" ] || _arch_expect=
	python3 "$H/results.py" verdict --variant "$_name" --run-dir "$_run" \
		${_arch_expect:+--expect "$_arch_expect"} \
		--expect "$TOP/expect/$VARIANT.txt" --planned "$plan" \
		${T:+--scoped} --summary "$LOGDIR/summary-$_name.json"
	_rc=$?
	return "$_rc"
}

case ${1:-test} in
build) kernel ;;
test) test_variant ;;
*) die "usage: variant.sh [build|test]" ;;
esac
