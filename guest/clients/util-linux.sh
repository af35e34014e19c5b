#!/bin/sh
# util-linux (Debian) unshare, nsenter and setpriv: the commands a user
# types to get a pid namespace, on the guest kernel. KTAP.
# shellcheck source-path=SCRIPTDIR disable=SC2154 # _u and _init: set by spawn_init (lib.sh)
. ./lib.sh
new_root "$0"

# unshare --pid --fork: the command is the init of the new namespace
fork_is_pid_1() {
	_out=$($UNSHARE --pid --fork sh -c 'echo $$')
	expect_eq "unshare --pid --fork sh -c 'echo \$\$'" "$_out" 1
}

# --mount-proc: ps, the init of the new namespace, sees itself alone, as pid 1
mount_proc_ps() {
	_out=$($UNSHARE --pid --fork --mount-proc ps -o pid,comm)
	say "ps in the namespace: $(echo "$_out" | tr '\n' ';')"
	expect_eq "pids listed" "$(echo "$_out" | sed 1d | awk '{ printf "%s ", $1 }')" "1 "
}

# the exit status of the init is unshare's
exit_status() {
	$UNSHARE --pid --fork sh -c 'exit 7'
	expect_eq "exit status" "$?" 7
}

# --kill-child: killing unshare kills the init, and with it the namespace
kill_child() {
	# (the child sets its parent-death signal before it execs sleep, which
	# spawn_init waits for)
	spawn_init "$UNSHARE" --pid --fork --kill-child sleep 1000 || return 1
	# (unshare ignores SIGTERM while it waits for the init)
	kill -KILL "$_u"
	wait "$_u" 2>/dev/null
	gone "$_init"
}

# without --fork the caller keeps its own pid namespace (and its pid); the
# namespace for its children has no link before the first child and is
# that child's namespace after it. (Every fork of the inner shell, a $(...)
# too, is a child in the new namespace: the first must be the sleep.)
without_fork() {
	_outer=$(ns_of self)
	# shellcheck disable=SC2016 # for the inner shell
	_out=$($UNSHARE --pid sh -c '
		[ -e /proc/$$/ns/pid_for_children ] && echo before=present || echo before=absent
		sleep 1000 &
		echo own=$(readlink /proc/$$/ns/pid)
		echo child=$(readlink /proc/$!/ns/pid)
		echo for_children=$(readlink /proc/$$/ns/pid_for_children)
		echo nspid=$(sed -n "s/^NSpid:[[:space:]]*//p" /proc/$!/status | tr -s "[:space:]" " ")
		kill -KILL $!')
	say "$(echo "$_out" | tr '\n' ' ')"
	_get() { echo "$_out" | sed -n "s/^$1=//p"; }
	expect_eq "pid_for_children before the first child" "$(_get before)" absent &&
		expect_eq "the caller's namespace" "$(_get own)" "$_outer" &&
		expect_eq "pid_for_children after it" "$(_get for_children)" "$(_get child)" &&
		[ "$(_get child)" != "$_outer" ] &&
		expect_eq "the first child's pid inside" "$(_get nspid | sed 's/.* //')" 1
}

# without --fork: once the first child (the init) has exited, the next fork
# fails with ENOMEM
fork_after_init_exit() {
	# shellcheck disable=SC2016 # for the inner shell
	_out=$($UNSHARE --pid sh -c '(exit 0); (exit 0); echo second fork worked' 2>&1)
	say "$_out"
	case $_out in
	*"second fork worked"*) return 1 ;;
	*"can't fork: Cannot allocate memory"*) return 0 ;;
	esac
	return 1
}

# unprivileged: nobody, with a user namespace of its own
unprivileged() {
	# shellcheck disable=SC2016,SC2086 # for the inner shell; $NOBODY is words
	_out=$($NOBODY "$UNSHARE" --user --map-root-user --pid --fork sh -c 'echo $$ $(id -u)')
	expect_eq "pid and uid of nobody's init" "$_out" "1 0"
}

# unprivileged, with /proc of the namespace: ps sees only it
unprivileged_mount_proc() {
	# shellcheck disable=SC2086 # $NOBODY is words
	_out=$($NOBODY "$UNSHARE" -U -r -p -f --mount-proc ps -o pid | sed 1d | tr -d ' ' | tr '\n' ' ')
	expect_eq "pids ps lists" "$_out" "1 "
}

# two levels: the inner init is pid 1 there, pid 2 one level up
nested() {
	# shellcheck disable=SC2016 # for the inner shell
	_out=$($UNSHARE -p -f "$UNSHARE" -p -f sh -c 'echo $$; exec sed -n "s/^NSpid:[[:space:]]*//p" /proc/self/status')
	say "$(echo "$_out" | tr '\n' ' ' | tr -s '[:space:]' ' ')"
	expect_eq "getpid()" "$(echo "$_out" | sed -n 1p)" 1 &&
		expect_eq "levels" "$(echo "$_out" | sed -n 2p | wc -w)" 3 &&
		expect_eq "pid one level up" "$(echo "$_out" | sed -n 2p | awk '{print $2}')" 2
}

# kill -KILL 1 from inside: the init does not die of it
init_ignores_sigkill_from_inside() {
	_out=$($UNSHARE -p -f sh -c 'kill -KILL 1; echo survived')
	expect_eq "after kill -KILL 1" "$_out" survived
}


# nsenter --target: a process that joins is not pid 1 and is in the
# init's namespace
nsenter_target() {
	spawn_init "$UNSHARE" --pid --fork sleep 1000 || return 1
	joined nsenter "$NSENTER" --target "$_init" --pid
}

# nsenter --pid=/proc/PID/ns/pid: the same through the namespace file
nsenter_ns_file() {
	spawn_init "$UNSHARE" --pid --fork sleep 1000 || return 1
	joined nsenter "$NSENTER" --pid="/proc/$_init/ns/pid"
}

# unshare --pid=FILE --fork keeps the namespace on a bind mount;
# nsenter --pid=FILE joins it
persistent_file() {
	_f=/tmp/clients-pidns.$$
	: >"$_f"
	spawn_init "$UNSHARE" --pid="$_f" --fork sleep 1000 || return 1
	# unshare bind-mounts the namespace on FILE after its fork
	wait_mounted "$_f" || { stop "$_u" "$_init"; return 1; }
	joined "nsenter --pid=FILE" "$NSENTER" --pid="$_f"
	_rc=$?
	umount "$_f" 2>/dev/null
	rm -f "$_f"
	return "$_rc"
}

cases "$@"
ktap_print_header
ktap_print_msg "$($UNSHARE --version)"
ktap_set_plan 13
case_run unshare_fork_is_pid_1 fork_is_pid_1
case_run unshare_mount_proc_ps mount_proc_ps
case_run unshare_fork_exit_status exit_status
case_run unshare_kill_child kill_child
case_run unshare_without_fork_keeps_caller without_fork
case_run unshare_without_fork_enomem_after_init_exit fork_after_init_exit
case_run unshare_unprivileged unprivileged
case_run unshare_unprivileged_mount_proc unprivileged_mount_proc
case_run unshare_nested nested
case_run unshare_init_ignores_sigkill_from_inside init_ignores_sigkill_from_inside
case_run nsenter_target nsenter_target
case_run nsenter_ns_file nsenter_ns_file
case_run unshare_persistent_file_nsenter persistent_file
ktap_finished
