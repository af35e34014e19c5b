#!/bin/sh
# The harness's own end-to-end checks on a real guest (series kernel): a guest
# that panics, hangs, reports a kernel warning or exits with a status must be
# reported as such, with the console log named. KTAP on stdout.
. "$(dirname "$0")/../harness/lib.sh"
STAGE=boot-failures
B=$TOP/harness/boot.sh
T=$BUILD/tests
n=0
failed=0

# expect NAME WANT_RC PATTERN -- command...: the command's exit status must be
# WANT_RC (or, for "!0", anything but 0) and its output must match PATTERN
expect() {
	_name=$1 _want=$2 _pat=$3
	shift 4
	n=$((n + 1))
	_out=$("$@" 2>&1)
	_rc=$?
	if { [ "$_want" = '!0' ] && [ "$_rc" != 0 ]; } || [ "$_rc" = "$_want" ]; then
		if printf '%s\n' "$_out" | grep -Eq "$_pat"; then
			echo "ok $n $_name"
			return
		fi
	fi
	echo "not ok $n $_name"
	printf '%s\n' "exit $_rc, wanted $_want and /$_pat/; output:" "$_out" | sed 's/^/# /'
	failed=$((failed + 1))
}

overlay_init() {
	mkdir -p "$T/$1"
	printf '#!/bin/sh\n%s\n' "$2" >"$T/$1/init"
	chmod 755 "$T/$1/init"
	echo "$T/$1"
}

echo "TAP version 13"
echo "1..5"
expect run_passes_exit_status 3 '^hello$' -- env CMD='echo hello; exit 3' "$B" run
expect kernel_warning_fails_run '!0' 'WARNING: harness self-test.*|reported the above; console log: .*console.log' -- \
	env CMD='echo "<4>WARNING: harness self-test" >/dev/kmsg' "$B" run
expect hang_is_killed '!0' 'did not finish within 10s.*console log: .*console.log' -- \
	env TIMEOUT=10 OVERLAY="$(overlay_init hang 'while :; do sleep 1; done')" "$B" run
panic_run=$LOGDIR/$(date +%Y%m%d-%H%M%S)-$$-self-test-panic
expect panic_is_caught '!0' 'without its marker.*console log: .*console.log' -- \
	env RUN="$panic_run" OVERLAY="$(overlay_init panic 'echo going down; exit 1')" "$B" run
# the verdict on the run whose guest panicked names the console log too
expect verdict_on_panic_run '!0' 'no end marker from the guest.*console log|kernel report: .*Kernel panic' -- \
	python3 "$TOP/harness/results.py" verdict --variant self-test --run-dir "$panic_run" --expect /dev/null
echo "# $((n - failed)) passed, $failed failed"
mkdir -p "$LOGDIR"
printf '{"variant": "harness-boot", "counts": {"passed": %d, "failed": %d, "skipped": 0}}\n' \
	$((n - failed)) "$failed" >"$LOGDIR/summary-harness-boot.json"
[ "$failed" = 0 ]
