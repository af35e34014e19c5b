#!/bin/sh
# toybox (Debian) unshare and nsenter on the guest kernel. KTAP.
# shellcheck source-path=SCRIPTDIR
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
	$TOYBOX unshare -p -f sleep 1000 &
	_u=$!
	_init=$(first_child "$_u") || { stop "$_u"; return 1; }
	# shellcheck disable=SC2016 # for the inner shell
	_out=$($TOYBOX nsenter --pid="/proc/$_init/ns/pid" -- sh -c 'echo $$ $(readlink /proc/self/ns/pid)')
	_want=$(ns_of "$_init")
	stop "$_u" "$_init"
	say "toybox nsenter: $_out"
	expect_joined "$_out" "$_want"
}

cases "$@"
ktap_print_header
[ -x "$TOYBOX" ] && ktap_print_msg "$($TOYBOX --version)"
ktap_set_plan 2
case_run toybox_unshare_fork unshare_fork
case_run toybox_nsenter_ns_file nsenter_ns_file
ktap_finished
