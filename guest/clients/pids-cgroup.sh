#!/bin/sh
# A first fork into a new pid namespace that the pids cgroup controller
# refuses, with util-linux (Debian) `unshare --pid`: the namespace stays
# usable and the next child is its init. KTAP.
# shellcheck source-path=SCRIPTDIR
. ./lib.sh

# after a failed case: kill what is left in the case's cgroup, remove it
cleanup_pids() {
	for _g in "$ROOT_CG"/clients-pids.*; do
		[ -d "$_g" ] || continue
		echo 1 >"$_g/cgroup.kill"
		sleep 0.5
		rmdir "$_g"
	done
}
# shellcheck disable=SC2034 # read by case_run (lib.sh)
CLEANUP=cleanup_pids

first_fork_refused() {
	_root=$ROOT_CG
	grep -qw pids "$_root/cgroup.controllers" 2>/dev/null ||
		{ say "no pids controller in $_root"; return 4; }
	echo +pids >"$_root/cgroup.subtree_control" || return 1
	_cg=$_root/clients-pids.$$
	mkdir "$_cg" || return 1
	# shellcheck disable=SC2016 # for the inner shell
	_out=$(sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" --pid ./first_fork "$1"' \
		- "$_cg" "$UNSHARE" 2>&1)
	rmdir "$_cg"
	say "$(echo "$_out" | tr '\n' ';')"
	expect_eq "first fork" "$(echo "$_out" | sed -n 's/^first fork: //p')" EAGAIN &&
		expect_eq "second fork" "$(echo "$_out" | sed -n 's/^second fork: //p')" "child's getpid() 1"
}

cases "$@"
ktap_print_header
save_cgroups
ktap_set_plan 1
case_run pids_max_first_fork_refused_then_init first_fork_refused
restore_cgroups
ktap_finished
