#!/bin/sh
# clients.sh: real user-space clients of unshare(CLONE_NEWPID) on the
# guest kernel: BusyBox's unshare, as a shell user would type it. KTAP.
# shellcheck source=/dev/null
. ../kselftest/ktap_helpers.sh

echo_pid_is_1() {
	_out=$(unshare -p -f sh -c 'echo $$')
	ktap_print_msg "unshare -p -f sh -c 'echo \$\$' printed: $_out"
	[ "$_out" = 1 ]
}

ps_lists_pid_1_first() {
	_first=$(unshare -p -f --mount-proc ps -o pid,comm | sed -n 2p)
	ktap_print_msg "unshare -p -f --mount-proc ps, first process: $_first"
	[ "$(echo "$_first" | awk '{print $1}')" = 1 ]
}

ktap_print_header
ktap_set_plan 2
ktap_test_result unshare_p_f_echo_pid_is_1 echo_pid_is_1
ktap_test_result unshare_p_f_mount_proc_ps_pid_1 ps_lists_pid_1_first
ktap_finished
