#!/bin/sh
# The harness's own tests, without a kernel: lint, the results parser and
# verdict on captured logs, the config check. KTAP on stdout; leaves
# build/logs/summary-harness.json.
. "$(dirname "$0")/../harness/lib.sh"
STAGE=harness-tests
n=0
failed=0

result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=$((failed + 1))
	fi
}

shell_scripts() {
	echo "$TOP/.ci/run"
	grep -l '^#!/bin/sh' "$TOP"/harness/*.sh "$TOP"/harness/guest/* "$TOP"/guest/*.sh "$TOP"/tests/*.sh
}

lint() {
	# shellcheck disable=SC2046 # one path per word
	shellcheck -x -P "$TOP/harness" $(shell_scripts)
}

# a fragment with options tinyconfig drops must be named, one line each
config_check() {
	_out=$("$TOP/harness/config.sh" check "$TOP/tests/data/config" "$TOP/tests/data/fragment.config")
	[ $? = 1 ] && [ "$_out" = "$(cat "$TOP/tests/data/config-check.expected")" ]
}

echo "TAP version 13"
lint >"$LOGDIR/shellcheck.log" 2>&1
_rc=$?
[ "$_rc" = 0 ] || sed 's/^/# /' "$LOGDIR/shellcheck.log"
result "$_rc" shellcheck
config_check
result $? config_check_names_what_did_not_take
# the parser and verdict tests print their own KTAP lines, numbered after ours
_out=$(cd "$TOP/tests" && python3 -m unittest -v test_results 2>&1)
printf '%s\n' "$_out" | sed -n 's/^\(test_[a-z_0-9]*\) .* \.\.\. \(ok\|FAIL\|ERROR\)$/\2 \1/p' |
	{
		while read -r _st _t; do
			[ "$_st" = ok ] && _st=0
			result "$_st" "$_t"
		done
		echo "$n $failed" >"$LOGDIR/harness-tests.count"
	}
read -r n failed <"$LOGDIR/harness-tests.count"
printf '%s\n' "$_out" | grep -q '^OK' || { printf '%s\n' "$_out" | sed 's/^/# /'; failed=$((failed + 1)); }
echo "1..$n"
printf '{"variant": "harness", "counts": {"passed": %d, "failed": %d, "skipped": 0}}\n' \
	$((n - failed)) "$failed" >"$LOGDIR/summary-harness.json"
[ "$failed" = 0 ]
