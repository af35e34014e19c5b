#!/bin/sh
# OCI runtimes (Debian's crun and runc): a container with a pid namespace of
# its own, a second container whose config joins the first one's namespace,
# and exec into a running container, on the guest kernel. KTAP.
# shellcheck source-path=SCRIPTDIR
. ./lib.sh
new_root "$0"

# the bundles' directory, the same for the script and its cases
OCI=${CLIENTS_OCI:-/tmp/oci.$$}
export CLIENTS_OCI="$OCI"

# after a failed case: the containers it left (in cgroups of their own, out
# of reach of the runner's) and its bundles
cleanup_oci() {
	for _r in "$CRUN" "$RUNC"; do
		[ -x "$_r" ] || continue
		for _id in $("$_r" list -q 2>/dev/null); do
			"$_r" delete -f "$_id" >/dev/null 2>&1
		done
	done
	rm -rf "${OCI:?}"/*
}
# shellcheck disable=SC2034 # read by case_run (lib.sh)
CLEANUP=cleanup_oci

# bundle DIR COMMAND [PIDNS]: an OCI bundle in DIR whose process runs the
# shell command COMMAND (no double quotes or backslashes in it) in a root
# of BusyBox; with PIDNS (a path), it joins that pid namespace
bundle() {
	mkdir -p "$1/rootfs/bin" "$1/rootfs/proc" "$1/rootfs/dev" "$1/rootfs/tmp"
	cp /bin/busybox "$1/rootfs/bin/"
	for _a in sh sleep echo readlink cat sed; do
		ln -sf busybox "$1/rootfs/bin/$_a"
	done
	_pidns=
	[ -n "${3:-}" ] && _pidns=", \"path\": \"$3\""
	cat >"$1/config.json" <<JSON
{
	"ociVersion": "1.0.2",
	"process": {
		"terminal": false,
		"user": {"uid": 0, "gid": 0},
		"args": ["sh", "-c", "$2"],
		"env": ["PATH=/bin"],
		"cwd": "/",
		"noNewPrivileges": true
	},
	"root": {"path": "rootfs"},
	"hostname": "oci",
	"mounts": [
		{"destination": "/proc", "type": "proc", "source": "proc"},
		{"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
		 "options": ["nosuid", "mode=755", "size=1m"]}
	],
	"linux": {
		"namespaces": [
			{"type": "pid"$_pidns},
			{"type": "mount"},
			{"type": "ipc"},
			{"type": "uts"}
		]
	}
}
JSON
}

# state_pid RUNTIME ID: the host pid of container ID's process
state_pid() {
	"$1" state "$2" | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p'
}

# run_is_pid_1 RUNTIME: the container's process is pid 1 of a new namespace
run_is_pid_1() {
	need "$1" || return
	# shellcheck disable=SC2016 # for the container's shell
	bundle "$OCI/$2-a" 'echo $$'
	_out=$(cd "$OCI/$2-a" && "$1" run "$2-a" 2>&1)
	"$1" delete -f "$2-a" >/dev/null 2>&1
	rm -rf "${OCI:?}/$2-a"
	expect_eq "the container's pid" "$_out" 1
}

# start_first RUNTIME NAME: a detached container NAME that sleeps; sets _pid
start_first() {
	bundle "$OCI/$2" 'sleep 1000'
	(cd "$OCI/$2" && "$1" run -d "$2" </dev/null >/dev/null 2>"$OCI/$2.err") ||
		{ say "$1 run -d: $(cat "$OCI/$2.err")"; return 1; }
	_pid=$(state_pid "$1" "$2")
	[ -n "$_pid" ] || { say "$1 state $2 has no pid"; return 1; }
}

# join RUNTIME PREFIX: a second container whose config names the first's
# /proc/PID/ns/pid sees a pid above 1, in the first's namespace
join() {
	need "$1" || return
	start_first "$1" "$2-first" || { "$1" delete -f "$2-first" >/dev/null 2>&1; return 1; }
	# shellcheck disable=SC2016 # for the container's shell
	bundle "$OCI/$2-second" 'echo $$ $(readlink /proc/self/ns/pid)' "/proc/$_pid/ns/pid"
	_out=$(cd "$OCI/$2-second" && "$1" run "$2-second" 2>&1)
	_want=$(ns_of "$_pid")
	"$1" delete -f "$2-second" >/dev/null 2>&1
	"$1" delete -f "$2-first" >/dev/null 2>&1
	rm -rf "${OCI:?}/$2-second" "${OCI:?}/$2-first"*
	say "second container: $_out"
	expect_joined "$_out" "$_want"
}

# exec_joins RUNTIME PREFIX: RUNTIME exec into a running container
exec_joins() {
	need "$1" || return
	start_first "$1" "$2-exec" || { "$1" delete -f "$2-exec" >/dev/null 2>&1; return 1; }
	# shellcheck disable=SC2016 # for the container's shell
	_out=$("$1" exec "$2-exec" sh -c 'echo $$ $(readlink /proc/self/ns/pid)' 2>&1)
	_want=$(ns_of "$_pid")
	"$1" delete -f "$2-exec" >/dev/null 2>&1
	rm -rf "${OCI:?}/$2-exec"*
	say "$1 exec: $_out"
	expect_joined "$_out" "$_want"
}

crun_run() { run_is_pid_1 "$CRUN" crun; }
crun_join() { join "$CRUN" crun; }
crun_exec() { exec_joins "$CRUN" crun; }
runc_run() { run_is_pid_1 "$RUNC" runc; }
runc_join() { join "$RUNC" runc; }
runc_exec() { exec_joins "$RUNC" runc; }

cases "$@"
ktap_print_header
for _r in "$CRUN" "$RUNC"; do
	[ -x "$_r" ] && ktap_print_msg "$("$_r" --version | head -n 1)"
done
save_cgroups
mkdir -p "$OCI" /run
ktap_set_plan 6
case_run crun_run_is_pid_1 crun_run
case_run crun_second_container_joins crun_join
case_run crun_exec_joins crun_exec
case_run runc_run_is_pid_1 runc_run
case_run runc_second_container_joins runc_join
case_run runc_exec_joins runc_exec
rm -rf "$OCI"
restore_cgroups
ktap_finished
