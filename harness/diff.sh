#!/bin/sh
# Stage diff: differential testing (harness/difftest.py). The same random
# pid-namespace programs (guest/pidns_diff.c, seeds DIFF_SEED..) run on the
# reference kernel (stock) and on ours; a program whose trace differs must
# differ as an entry of expect/diff.txt allows, or it fails the run and is
# shrunk and printed with the command that reruns it. base is the negative
# control. Report: build/diff/<form>/report.txt; each boot's output is in
# build/diff/<form>/runs.
#   diff.sh short     make test's form: 1,000 programs a kernel
#   diff.sh full      make diff: 100,000 programs a kernel (with KCFG=debug:
#                     10,000, and a kernel's report fails the run)
#   diff.sh mutants   make diff DIFF_FORM=mutants: each mutant of the series
#                     (tests/mutants/*.patch, built in build/wt/bisect) must be
#                     caught within 1,000 programs; prints how many it took
#   DIFF_SEED=N       the first seed (default 1)
#   DIFF_COUNT=N      programs a kernel (default: as above)
#   DIFF_LEN=N        operations a program (default 24)
#   DIFF_KERNELS=...  the kernels, the reference first (default stock,series,base;
#                     with KCFG=debug stock,series)
. "$(dirname "$0")/lib.sh"
STAGE="diff $(kernel_name)"
H=$TOP/harness
form=${1:-full}

case $form in
short | mutants) count=${DIFF_COUNT:-1000} ;;
full)
	if [ "$KCFG" = guest ]; then
		count=${DIFF_COUNT:-100000}
	else
		count=${DIFF_COUNT:-10000}
	fi ;;
*) die "usage: diff.sh short|full|mutants" ;;
esac
seed=${DIFF_SEED:-1}
tool=$BUILD/guest/tools/pidns_diff
[ -x "$tool" ] || die "$tool is missing (make selftests builds it)"

# build KERNELS: each kernel of a comma-separated list
build() {
	for _v in $(echo "$1" | tr ',' ' '); do
		check_variant "$_v"
		VARIANT=$_v "$H/variant.sh" build || die "the $_v kernel does not build"
	done
}

# compare OUT KERNELS [ARGS]: difftest.py on KERNELS, the first the reference
compare() {
	_out=$BUILD/diff/$1
	_k=$2
	shift 2
	rm -rf "$_out"
	stage "$count programs a kernel on $_k, seeds $seed..$((seed + count - 1))"
	python3 "$H/difftest.py" run --out "$_out" --seed "$seed" --count "$count" \
		--len "${DIFF_LEN:-24}" --kernels "$_k" --ref "${_k%%,*}" \
		--tool "$tool" "$@"
}

# each mutant built in the bisection worktree at the series' tip, and caught
mutants() {
	_wt=$BUILD/wt/bisect
	_tip=$(git -C "$TREE" rev-parse HEAD) || die "no scratch tree: make tree"
	[ -e "$_wt/.git" ] || git -C "$TREE" worktree add -q --detach "$_wt" "$_tip" ||
		die "cannot add the worktree $_wt"
	_failed=0
	for _p in "$TOP"/tests/mutants/*.patch; do
		_m=$(basename "$_p" .patch)
		git -C "$_wt" checkout -q -f --detach "$_tip" || die "cannot reset $_wt"
		git -C "$_wt" apply "$_p" || die "$_p does not apply to the series' tip"
		stage "mutant $_m"
		build bisect
		compare "mutant-$_m" stock,bisect --mutant --max-shrink 1 ||
			_failed=$((_failed + 1))
	done
	git -C "$_wt" checkout -q -f --detach "$_tip"
	[ "$_failed" = 0 ] || die "$_failed mutant(s) not caught (see above)"
}

case $form in
mutants)
	build stock
	mutants ;;
*)
	# base, the negative control, has nothing to show on its debug kernel
	if [ "$KCFG" = guest ]; then
		kernels=${DIFF_KERNELS:-stock,series,base}
	else
		kernels=${DIFF_KERNELS:-stock,series}
	fi
	build "$kernels"
	compare "$form-$KCFG" "$kernels" --summary "$LOGDIR/summary-diff.json" ;;
esac
