#!/bin/sh
# BusyBox (Debian's busybox-static, the guest's own shell tools) unshare and
# nsenter on the guest kernel. KTAP.
# shellcheck source-path=SCRIPTDIR disable=SC2154 # _u and _init: set by spawn_init (lib.sh)
. ./lib.sh

unshare_fork() {
	# shellcheck disable=SC2016 # for the inner shell
	expect_eq "the command's pid" "$(busybox unshare -p -f sh -c 'echo $$')" 1
}

mount_proc_ps() {
	_out=$(busybox unshare -p -f --mount-proc ps -o pid | sed 1d | tr -d ' ' | tr '\n' ' ')
	expect_eq "pids ps lists" "$_out" "1 "
}

nsenter_target() {
	spawn_init busybox unshare -p -f sleep 1000 || return 1
	joined "busybox nsenter" busybox nsenter -t "$_init" -p
}

cases "$@"
ktap_print_header
ktap_set_plan 3
case_run busybox_unshare_fork unshare_fork
case_run busybox_unshare_mount_proc_ps mount_proc_ps
case_run busybox_nsenter_target nsenter_target
ktap_finished
