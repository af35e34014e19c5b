# shellcheck shell=sh
# lib.sh: sourced by the scripts of the kselftest collection "clients"
# (guest/clients/*.sh), which run real programs from Debian against the
# guest kernel. Those programs and their shared libraries are in the
# initramfs at their Debian paths (guest/clients/programs.txt); BusyBox's
# applets of the same name are not, so a bare name may still be BusyBox:
# the scripts call the Debian programs by absolute path.
# shellcheck source=/dev/null
. ../kselftest/ktap_helpers.sh

UNSHARE=/usr/bin/unshare
NSENTER=/usr/bin/nsenter
SETPRIV=/usr/bin/setpriv
BWRAP=/usr/bin/bwrap
CRUN=/usr/bin/crun
RUNC=/usr/sbin/runc
TOYBOX=/usr/bin/toybox
NOBODY="$SETPRIV --reuid=65534 --regid=65534 --clear-groups"

# save_cgroups / restore_cgroups: the cgroup tree's top is put back as it
# was: cgroups that runc, crun or a case left behind (a container that failed
# to start keeps its cgroup) are removed, and the root's controllers
# (runc, crun and the pids case enable some) disabled again;
# harness:host_state checks that the tests leave both as they found them
ROOT_CG=/sys/fs/cgroup
save_cgroups() {
	SAVED_CONTROLLERS=$(cat "$ROOT_CG/cgroup.subtree_control" 2>/dev/null)
	SAVED_CGROUPS=$(cd "$ROOT_CG" && ls -d -- */ 2>/dev/null | tr '\n' ' ')
}

restore_cgroups() {
	for _g in $(cd "$ROOT_CG" && ls -d -- */ 2>/dev/null); do
		case " $SAVED_CGROUPS " in
		*" $_g "*) ;;
		*) rmdir "$ROOT_CG/$_g" || say "could not remove the cgroup $ROOT_CG/$_g" ;;
		esac
	done
	for _c in $(cat "$ROOT_CG/cgroup.subtree_control" 2>/dev/null); do
		case " $SAVED_CONTROLLERS " in
		*" $_c "*) ;;
		*) echo "-$_c" >"$ROOT_CG/cgroup.subtree_control" ||
			say "could not disable $_c in $ROOT_CG/cgroup.subtree_control" ;;
		esac
	done
}

# new_root SCRIPT: run SCRIPT again in a mount namespace whose root is a
# recursive bind mount of the initramfs moved onto / (switch_root's way).
# pivot_root(2), which bwrap, crun and runc call, refuses the initramfs
# itself, and a chroot(2) into a directory would not do: unshare(CLONE_NEWUSER)
# refuses a chrooted caller. Returns at once when already there.
new_root() {
	[ -n "${CLIENTS_ROOT:-}" ] && return 0
	# shellcheck disable=SC2016 # expanded by the inner shells
	exec busybox unshare -m -- sh -c '
		mkdir -p /mnt/clients-root &&
		mount --rbind / /mnt/clients-root &&
		cd /mnt/clients-root &&
		mount --move . / &&
		exec chroot . env CLIENTS_ROOT=1 sh -c "cd \"\$0\" && exec sh \"\$1\"" "$0" "$1"' \
		"$PWD" "./${1##*/}"
}

# case_run NAME FUNCTION: one test case, in a process of its own (this
# script again, with --case FUNCTION), killed after CASE_TIMEOUT seconds by
# a watcher that leaves nothing behind when the case ends first. FUNCTION
# returns 0 (pass), 4 (skip: a prerequisite is missing) or anything else
# (fail). After a failure, the function named by CLEANUP (if a script sets
# it) removes what the case may have left outside the script's cgroup (which
# harness/guest/timeout kills when the script ends), such as containers.
CASE_TIMEOUT=60
case_run() {
	sh "$0" --case "$2" &
	_case=$!
	# shellcheck disable=SC2016 # for the watcher's shell
	sh -c 'trap "kill \$! 2>/dev/null; exit 0" TERM
		sleep "$0" &
		wait "$!" && kill -KILL "$1"' "$CASE_TIMEOUT" "$_case" &
	_watch=$!
	wait "$_case"
	_rc=$?
	kill "$_watch" 2>/dev/null
	wait "$_watch"
	case $_rc in 0 | 4) ;; *) [ -z "${CLEANUP:-}" ] || "$CLEANUP" ;; esac
	case $_rc in
	0) ktap_test_pass "$1" ;;
	4) ktap_test_skip "$1" ;;
	137) say "killed after $CASE_TIMEOUT s"; ktap_test_fail "$1" ;;
	*) ktap_test_fail "$1" ;;
	esac
}

# cases ARGS: called by each script once its functions are defined; with
# --case FUNCTION, runs FUNCTION alone and exits with its status
cases() {
	[ "${1:-}" = --case ] || return 0
	set -u
	"$2"
	exit
}

# need PROGRAM...: skip the case (return 4) unless each PROGRAM is there
need() {
	for _p in "$@"; do
		[ -x "$_p" ] || { ktap_print_msg "$_p is not in this guest: skip"; return 4; }
	done
}

# say TEXT: a diagnostic line of the running case (as ktap_print_msg, but
# with the text's spaces kept and no globbing)
say() {
	printf '# %s\n' "$*"
}

# expect_eq WHAT GOT WANT: GOT is WANT (not empty), or say what differs
expect_eq() {
	[ -n "$3" ] || { say "$1: got '$2', and nothing to compare it with"; return 1; }
	[ "$2" = "$3" ] && return 0
	say "$1: got '$2', expected '$3'"
	return 1
}

# expect_gt1 WHAT PID: PID is a number above 1 (a pid that is not the init's)
expect_gt1() {
	case $2 in '' | *[!0-9]*) say "$1: got '$2', not a pid"; return 1 ;; esac
	[ "$2" -gt 1 ] && return 0
	say "$1: got $2, expected a pid above 1"
	return 1
}

# expect_joined OUT NS: OUT ("PID NS" printed by a process that joined a
# namespace) shows a pid above 1 in NS, which is not this case's own
expect_joined() {
	expect_gt1 "pid inside" "${1%% *}" &&
		expect_eq "namespace" "${1#* }" "$2" &&
		{ [ "$2" != "$(ns_of self)" ] || { say "namespace $2 is the case's own"; return 1; }; }
}

# ns_of PID: the inode of PID's active pid namespace, as /proc shows it
ns_of() {
	readlink "/proc/$1/ns/pid"
}

# nspid PID: the NSpid line of PID's status, without its label
nspid() {
	sed -n 's/^NSpid:[[:space:]]*//p' "/proc/$1/status" | tr -s '[:space:]' ' '
}

# within10 COMMAND...: COMMAND succeeds within 10 s (tried every 0.1 s)
within10() {
	_i=0
	until "$@"; do
		_i=$((_i + 1))
		[ "$_i" -lt 100 ] || return 1
		sleep 0.1
	done
}

has_child() {
	_c=$(cut -d' ' -f1 "/proc/$1/task/$1/children" 2>/dev/null)
	[ -n "$_c" ]
}

is_comm() {
	[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}

is_mounted() {
	grep -q " $1 " /proc/self/mountinfo
}

is_gone() {
	_s=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)
	[ -z "$_s" ] || [ "$_s" = Z ]
}

# first_child PID: the pid of PID's first child, once it has one (10 s)
first_child() {
	within10 has_child "$1" && { echo "$_c"; return 0; }
	say "pid $1 has no child after 10 s" >&2
	return 1
}

# wait_comm PID COMM: PID's command name is COMM (it has exec'd) within 10 s
wait_comm() {
	within10 is_comm "$1" "$2" && return 0
	say "pid $1 is not $2 after 10 s: $(cat "/proc/$1/comm" 2>/dev/null)"
	return 1
}

# wait_mounted PATH: PATH is a mount point within 10 s
wait_mounted() {
	within10 is_mounted "$1" && return 0
	say "$1 is not mounted after 10 s"
	return 1
}

# gone PID: PID exits (is a zombie or no more) within 10 s
gone() {
	within10 is_gone "$1" && return 0
	say "pid $1 is still running after 10 s"
	return 1
}

# spawn_init COMMAND...: run COMMAND, which makes a pid namespace whose init,
# its first child, runs sleep, in the background; sets _u (COMMAND) and
# _init (the init, as this case sees it) once the init's command name is
# INIT_COMM (sleep: it has exec'd), or stops both and fails
INIT_COMM=sleep
spawn_init() {
	"$@" &
	_u=$!
	_init=$(first_child "$_u") && wait_comm "$_init" "$INIT_COMM" && return 0
	stop "$_u" ${_init:+"$_init"}
	return 1
}

# joined LABEL JOINER...: with an init from spawn_init running, JOINER
# (a command that enters its namespace and runs what follows it) runs a
# shell that prints its pid and namespace; the init and its parent are
# stopped, and the case passes if the shell was a pid above 1 in the
# init's namespace (expect_joined)
# shellcheck disable=SC2016 # for the joining shell
JOIN_PRINT='echo $$ $(readlink /proc/self/ns/pid)'
joined() {
	_label=$1
	shift
	_out=$("$@" sh -c "$JOIN_PRINT")
	_want=$(ns_of "$_init")
	stop "$_u" "$_init"
	say "$_label: $_out"
	expect_joined "$_out" "$_want"
}

# stop PID...: kill and reap background processes of the case
stop() {
	kill -KILL "$@" 2>/dev/null
	wait "$@" 2>/dev/null
	return 0
}
