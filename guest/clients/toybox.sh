#!/bin/sh
# toybox (Debian) unshare and nsenter on the guest kernel. KTAP.
# shellcheck source-path=SCRIPTDIR disable=SC2154 # _u and _init: set by spawn_init (lib.sh)
. ./lib.sh
new_root "$0"

unshare_fork() {
	need "$TOYBOX" || return
	# shellcheck disable=SC2016 # for the inner shell
	expect_eq "the command's pid" "$($TOYBOX unshare -p -f sh -c 'echo $$')" 1
}

# toybox 0.8.9's nsenter -t PID opens /proc/0/ns/* whatever PID is (seen on
# the host too), so the namespace is named by its file; and it takes options
# after the command's name, hence the --
nsenter_ns_file() {
	need "$TOYBOX" || return
	# toybox runs its own sleep in the init without an exec
	# shellcheck disable=SC2034 # read by spawn_init (lib.sh)
	INIT_COMM=toybox
	spawn_init "$TOYBOX" unshare -p -f sleep 1000 || return 1
	joined "toybox nsenter" "$TOYBOX" nsenter --pid="/proc/$_init/ns/pid" --
}

cases "$@"
ktap_print_header
[ -x "$TOYBOX" ] && ktap_print_msg "$($TOYBOX --version)"
ktap_set_plan 2
case_run toybox_unshare_fork unshare_fork
case_run toybox_nsenter_ns_file nsenter_ns_file
ktap_finished
