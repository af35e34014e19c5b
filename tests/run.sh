#!/bin/sh
# The harness's own tests, without a kernel: lint, the results parser and
# verdict on captured logs, the config check, the scratch tree under faults.
# KTAP on stdout; leaves build/logs/summary-harness.json.
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

# with_shebang LINE FILE...: the files whose first line is LINE
with_shebang() {
	_line=$1
	shift
	for _f; do
		[ "$(head -n 1 "$_f")" != "$_line" ] || echo "$_f"
	done
}

shell_scripts() {
	echo "$TOP/.ci/run"
	with_shebang '#!/bin/sh' "$TOP"/harness/*.sh "$TOP"/harness/guest/* "$TOP"/guest/clients/*.sh "$TOP"/tests/*.sh
}

# the tests written for bash (the scratch-tree fault tests)
bash_scripts() {
	echo "$TOP/tests/treelib.sh"
	with_shebang '#!/bin/bash' "$TOP"/tests/*.sh
}

lint() {
	# shellcheck disable=SC2046 # one path per word
	shellcheck -x -P "$TOP/harness" $(shell_scripts) &&
		shellcheck -x -P "$TOP/tests" $(bash_scripts)
}

# /bin/sh here is dash, stricter than bash about names (a function may not
# be called like a special builtin, e.g. times): parse every script with it
dash_parse() {
	_bad=0
	for _f in $(shell_scripts); do
		dash -n "$_f" || _bad=1
	done
	return "$_bad"
}

# a fragment with options tinyconfig drops must be named, one line each
config_check() {
	_out=$("$TOP/harness/config.sh" check "$TOP/tests/data/config" "$TOP/tests/data/fragment.config")
	[ $? = 1 ] && [ "$_out" = "$(cat "$TOP/tests/data/config-check.expected")" ]
}

# a later fragment overrides an earlier one (configs/nopidns.config after guest.config)
config_override() {
	_out=$("$TOP/harness/config.sh" check "$TOP/tests/data/config" \
		"$TOP/tests/data/fragment.config" "$TOP/tests/data/override.config")
	[ $? = 1 ] && [ "$_out" = "$(cat "$TOP/tests/data/config-override.expected")" ]
}

echo "TAP version 13"
lint >"$LOGDIR/shellcheck.log" 2>&1
_rc=$?
[ "$_rc" = 0 ] || sed 's/^/# /' "$LOGDIR/shellcheck.log"
result "$_rc" shellcheck
dash_parse >"$LOGDIR/dash-parse.log" 2>&1
_rc=$?
[ "$_rc" = 0 ] || sed 's/^/# /' "$LOGDIR/dash-parse.log"
result "$_rc" dash_parses_every_script
config_check
result $? config_check_names_what_did_not_take
config_override
result $? config_check_later_fragment_overrides
# the parser and verdict tests: one line each from tests/test_results.py
# (and test_lkml.py, test_bench_report.py, test_guestlog.py, test_difftest.py);
# the scratch tree under faults (a fake source): one line each from
# tests/tree-faults.sh
{
	python3 "$TOP/tests/test_results.py" --lines
	python3 "$TOP/tests/test_lkml.py" --lines
	python3 "$TOP/tests/test_bench_report.py" --lines
	python3 "$TOP/tests/test_guestlog.py" --lines
	python3 "$TOP/tests/test_difftest.py" --lines
	bash "$TOP/tests/tree-faults.sh"
} >"$LOGDIR/harness-unittest.log" 2>&1
while read -r _st _t; do
	case $_st in
	PASS) result 0 "$_t" ;;
	FAIL) result 1 "$_t" ;;
	*) echo "# $_st $_t" ;;
	esac
done <"$LOGDIR/harness-unittest.log"
[ -s "$LOGDIR/harness-unittest.log" ] || result 1 unittests_ran
echo "1..$n"
printf '{"variant": "harness", "counts": {"passed": %d, "failed": %d, "skipped": 0}}\n' \
	$((n - failed)) "$failed" >"$LOGDIR/summary-harness.json"
[ "$failed" = 0 ]
