# shellcheck shell=sh
# Common helpers for the harness stages. Sourced, never run.
# Every stage prints one short line per step ("[build series] bzImage") and
# keeps the full output in a log file whose path it prints on failure.

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
TREE=$BUILD/linux
STATE=$BUILD/state
LOGDIR=$BUILD/logs
V=${V:-0}
VARIANT=${VARIANT:-series}
KCFG=${KCFG:-guest}
# the host's arch (configs/arch/<arch>.txt says "host yes"): stock and base
# are built for it alone, and its names and directories carry no suffix
HOST_ARCHS=$(grep -l '^host[[:space:]][[:space:]]*yes' "$TOP"/configs/arch/*.txt | sed -n 's,.*/,,; s,\.txt$,,p')
HOST_ARCH=$(printf '%s\n' "$HOST_ARCHS" | head -n 1)
ARCH=${ARCH:-$HOST_ARCH}
TARBALL=${TARBALL:-/usr/src/linux-source-6.12.tar.xz}

msg() {
	printf '%s\n' "$*"
}

die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

stage() {
	printf '[%s] %s\n' "$STAGE" "$*"
}

check_arch() {
	[ -n "$HOST_ARCH" ] || die "no configs/arch/*.txt says \"host yes\": which arch is the host's?"
	[ "$HOST_ARCH" = "$HOST_ARCHS" ] ||
		die "configs/arch/: $(echo "$HOST_ARCHS" | tr '\n' ' ')all say \"host yes\": one arch is the host's"
	[ -f "$TOP/configs/arch/$ARCH.txt" ] || die "ARCH=$ARCH: expected one of: $(arches)"
}

# bisect and stable are the harness's own: the worktrees make lkml steps
# through the series in, and puts the stable patches on stock in
check_variant() {
	case $1 in
	stock|base|series|bisect|stable) ;;
	*) die "VARIANT=$1: expected stock, base or series" ;;
	esac
	check_arch
}

# Source tree of a variant: series is the scratch tree itself (so edits
# there are built), stock and base are worktrees at the refs of that name.
variant_src() {
	if [ "$1" = series ]; then
		printf '%s\n' "$TREE"
	else
		printf '%s\n' "$BUILD/wt/$1"
	fi
}

# Object directory of a variant built with a config (guest, debug, ...) for
# ARCH (.build-guest, .build-guest-arm64): a
# direct subdirectory of the variant's source tree, so that Kbuild uses the
# relative srctree "..", every variant compiles with the same command lines
# and ccache serves the files they have in common.
variant_out() {
	printf '%s/.build-%s%s\n' "$(variant_src "$1")" "$2" "$(arch_suffix)"
}

# the name of VARIANT built with KCFG for ARCH in stage lines, log files and
# run directories: "series" (configs/guest.config), "series-debug",
# "series-arm64"
kernel_name() {
	_kn=$VARIANT
	[ "$KCFG" = guest ] || _kn=$_kn-$KCFG
	echo "$_kn$(arch_suffix)"
}

# arch_is_host NAME: is arch NAME the host's
arch_is_host() {
	[ "$1" = "$HOST_ARCH" ]
}

# "" for the host's arch, else "-ARCH": what the arch's build directories,
# stamps and kernel names add
arch_suffix() {
	arch_is_host "$ARCH" || printf -- '-%s' "$ARCH"
}

# the arches of configs/arch/
arches() {
	for _a in "$TOP"/configs/arch/*.txt; do
		printf '%s ' "$(basename "$_a" .txt)"
	done
}

# arch_get KEY: KEY's value in configs/arch/$ARCH.txt ("KEY VALUE" lines; "-"
# and a missing KEY give "")
arch_get() {
	_af=$TOP/configs/arch/$ARCH.txt
	[ -f "$_af" ] || die "ARCH=$ARCH: no $_af (the arches: $(arches))"
	_av=$(sed -n "s/^$1[[:space:]][[:space:]]*//p" "$_af" | head -n 1)
	[ "$_av" = - ] || printf '%s\n' "$_av"
}

# the arch's config fragments, in merge order: configs/arch/<name>.config for
# each name of its key "config"
arch_fragments() {
	for _c in $(arch_get config); do
		printf '%s\n' "$TOP/configs/arch/$_c.config"
	done
}

# the Debian packages of a foreign ARCH (harness/archroot.sh), unpacked here
arch_root() {
	printf '%s\n' "$BUILD/arch/$ARCH/root"
}

# arch_tool CMD: die unless ARCH's command CMD (its compiler, its QEMU) is
# installed, naming the Debian packages configs/arch/$ARCH.txt lists
arch_tool() {
	command -v "$1" >/dev/null 2>&1 ||
		die "$1 not found: ARCH=$ARCH needs the Debian packages $(arch_get packages | sed 's/^$/of harness\/packages.txt/') (make deps installs them, as root)"
}

# the kernel make's arch options: ARCH= and CROSS_COMPILE= of configs/arch/
kmake_arch() {
	printf 'ARCH=%s CROSS_COMPILE=%s\n' "$(arch_get karch)" "$(arch_get cross)"
}

# run_logged LOG CMD...: run CMD with its output in LOG (and on the
# terminal with V=1); on failure show the tail and the log's path. Its
# variables are _rl_*: sh has no locals, and a caller's _log must survive.
run_logged() {
	_rl_log=$1
	shift
	mkdir -p "$(dirname "$_rl_log")"
	if [ "$V" = 1 ]; then
		{ "$@" 2>&1; echo $? >"$_rl_log.rc"; } | tee "$_rl_log"
		_rl_rc=$(cat "$_rl_log.rc")
		rm -f "$_rl_log.rc"
	else
		_rl_rc=0
		"$@" >"$_rl_log" 2>&1 || _rl_rc=$?
	fi
	[ "$_rl_rc" = 0 ] && return 0
	printf '[%s] failed (exit %s): %s\n' "$STAGE" "$_rl_rc" "$*" >&2
	tail -n 20 "$_rl_log" | sed 's/^/    /' >&2
	printf '[%s] full log: %s\n' "$STAGE" "$_rl_log" >&2
	return "$_rl_rc"
}

# clients_field N: field N of each entry of guest/clients/programs.txt (1:
# the program's path, 2: its Debian package)
clients_field() {
	sed 's/#.*//' "$TOP/guest/clients/programs.txt" | awk -v n="$1" 'NF { print $n }'
}

# closure OUT PROGRAM...: write to OUT each PROGRAM and the shared libraries
# ldd lists for it, one path a line, without repeats: what a guest needs to
# run them, copied at the same paths
closure() {
	_out=$1
	shift
	: >"$_out.tmp"
	for _p in "$@"; do
		[ -x "$_p" ] || die "$_p is missing (its package is in harness/deps.sh or guest/clients/programs.txt; make deps installs it)"
		printf '%s\n' "$_p" >>"$_out.tmp"
		ldd "$_p" >"$_out.ldd" 2>&1 || die "ldd $_p failed: $(cat "$_out.ldd")"
		! grep -q 'not found' "$_out.ldd" ||
			die "$_p needs libraries this machine lacks: $(grep 'not found' "$_out.ldd" | tr -s ' \t\n' ' ')"
		sed -n 's|.*=> \(/[^ ]*\) (.*|\1|p; s|^[[:space:]]*\(/[^ ]*\) (.*|\1|p' \
			"$_out.ldd" >>"$_out.tmp"
	done
	sort -u "$_out.tmp" >"$_out"
	rm -f "$_out.tmp" "$_out.ldd"
}

# hash of files (content and name), for stamps
hash_files() {
	for _f in "$@"; do
		[ -e "$_f" ] || continue
		printf '%s\n' "${_f##*/}"
		cat "$_f"
	done | sha1sum | cut -d' ' -f1
}

stamp_ok() {
	[ -f "$STATE/$1" ] && [ "$(cat "$STATE/$1")" = "$2" ]
}

# written to a temporary file, then renamed: a stamp is whole or absent
stamp_set() {
	mkdir -p "$STATE" &&
		printf '%s\n' "$2" >"$STATE/.$1.tmp" &&
		mv -f "$STATE/.$1.tmp" "$STATE/$1"
}

# lock_owner LOCK: the command that holds LOCK, from LOCK.owner. The holder
# writes that line just after its flock, so for a moment the line can still
# be the previous holder's: wait (2 s at most) for one whose pid is alive.
lock_owner() {
	_n=0
	while :; do
		_who=$(cat "$1.owner" 2>/dev/null)
		_pid=$(printf '%s\n' "$_who" | sed -n 's/.*(pid \([0-9]*\)) since .*/\1/p')
		{ [ -n "$_pid" ] && kill -0 "$_pid" 2>/dev/null; } || [ "$_n" -ge 20 ] && break
		sleep 0.1
		_n=$((_n + 1))
	done
	echo "${_who:-owner unknown}"
}

# checkout_lock WHAT: one harness command at a time in a checkout. The first
# script of a command takes $BUILD/.lock with flock (the kernel releases it
# when that script and everything it started are gone, however they died);
# the scripts it runs inherit it (HARNESS_LOCK). A second command waits and
# says for what; LOCK_WAIT=N gives up after N seconds (0: at once).
checkout_lock() {
	_lk=$BUILD/.lock
	[ "${HARNESS_LOCK:-}" = "$_lk" ] && return 0
	mkdir -p "$BUILD" || die "cannot create $BUILD"
	exec 8>>"$_lk"
	if ! flock -n 8; then
		_who="another harness command runs in this checkout: $(lock_owner "$_lk")"
		[ "${LOCK_WAIT:-}" != 0 ] || die "$_who; not waiting (LOCK_WAIT=0)"
		printf '[lock] %s; waiting for it to end%s\n' "$_who" \
			"${LOCK_WAIT:+ (at most $LOCK_WAIT s)}" >&2
		if [ -n "${LOCK_WAIT:-}" ]; then
			flock -w "$LOCK_WAIT" 8 || die "gave up after $LOCK_WAIT s: $_who"
		else
			flock 8
		fi
		printf '[lock] it ended; going on\n' >&2
	fi
	printf '%s (pid %s) since %s\n' "${HARNESS_CMD:-$1}" "$$" "$(date '+%F %T')" >"$_lk.owner"
	HARNESS_LOCK=$_lk
	export HARNESS_LOCK
}

# crash_point NAME: the tests kill the harness here (HARNESS_CRASH=NAME), to
# check that the next command recovers from a crash at that step
crash_point() {
	[ "${HARNESS_CRASH:-}" != "$1" ] || kill -KILL $$
}

ncpus() {
	nproc 2>/dev/null || echo 2
}
