#!/bin/sh
# bubblewrap (Debian): sandboxes with a pid namespace of their own, or one
# they join by file descriptor, on the guest kernel. KTAP.
# shellcheck source-path=SCRIPTDIR disable=SC2154 # _u and _init: set by spawn_init (lib.sh)
. ./lib.sh
new_root "$0"

BW="$BWRAP --dev-bind / /"

# --unshare-pid: bwrap's own init is pid 1, the command pid 2
unshare_pid() {
	need "$BWRAP" || return
	# shellcheck disable=SC2016 # for the inner shell
	expect_eq "the command's pid" "$($BW --unshare-pid sh -c 'echo $$')" 2
}

# --as-pid-1: the command is the init itself
as_pid_1() {
	need "$BWRAP" || return
	# shellcheck disable=SC2016 # for the inner shell
	expect_eq "the command's pid" "$($BW --unshare-pid --as-pid-1 sh -c 'echo $$')" 1
}

# --proc: a /proc of the new namespace shows the init and the command only
proc_ps() {
	need "$BWRAP" || return
	_out=$($BW --unshare-pid --proc /proc ps -o pid | sed 1d | tr -d ' ' | tr '\n' ' ')
	expect_eq "pids ps lists" "$_out" "1 2 "
}

# unprivileged: nobody, with --unshare-user
unprivileged() {
	need "$BWRAP" "$SETPRIV" || return
	# shellcheck disable=SC2016,SC2086 # for the inner shell; $NOBODY and $BW are words
	expect_eq "the command's pid" "$($NOBODY $BW --unshare-user --unshare-pid sh -c 'echo $$')" 2
}

# start_init: a namespace whose init (sleep) bwrap made with clone(), so
# that only the join below needs the feature; sets _u (bwrap) and _init
start_init() {
	# shellcheck disable=SC2086 # $BW is words
	spawn_init $BW --unshare-pid --as-pid-1 sleep 1000
}

# --pidns FD: the command joins the namespace of a running init
pidns_join() {
	need "$BWRAP" || return
	start_init || return 1
	# shellcheck disable=SC2086 # $BW is words
	joined "bwrap --pidns" $BW --pidns 3 3<"/proc/$_init/ns/pid"
}

# --pidns FD --unshare-pid: a new namespace nested in the one joined
pidns_nested() {
	need "$BWRAP" || return
	start_init || return 1
	# shellcheck disable=SC2016 # for the inner shell
	_out=$($BW --pidns 3 --unshare-pid sh -c 'exec sed -n "s/^NSpid:[[:space:]]*//p" /proc/self/status' \
		3<"/proc/$_init/ns/pid" | tr -s '[:space:]' ' ')
	stop "$_u" "$_init"
	say "NSpid of the command: $_out"
	expect_eq "levels" "$(echo "$_out" | wc -w)" 3 &&
		expect_eq "pid in the innermost" "$(echo "$_out" | awk '{print $3}')" 2
}

cases "$@"
ktap_print_header
[ -x "$BWRAP" ] && ktap_print_msg "$($BWRAP --version)"
ktap_set_plan 6
case_run bwrap_unshare_pid unshare_pid
case_run bwrap_as_pid_1 as_pid_1
case_run bwrap_proc_ps proc_ps
case_run bwrap_unprivileged unprivileged
case_run bwrap_pidns_join pidns_join
case_run bwrap_pidns_nested pidns_nested
ktap_finished
