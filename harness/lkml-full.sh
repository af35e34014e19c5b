#!/bin/sh
# The slow half of make lkml (see lkml.sh): every patch of the series built
# in turn on base with the guest config, CONFIG_PID_NS=n and the debug config,
# and booted with the tests that exist at that step; the tip and base with
# CONFIG_PID_NS=n and the debug config; sparse and W=1 compared with base. On success, lkml/verified
# records the inputs (base/ and patches/) and the per-patch table.
. "$(dirname "$0")/lib.sh"
STAGE=lkml
H=$TOP/harness
WT=$BUILD/wt/bisect
table=$STATE/lkml-table
rc=0

row() {
	printf '%-3s %-58s %-7s %-7s %s\n' "$@" >>"$table"
}

# the kernel is unchanged between two commits if only Documentation/ and
# tools/ differ
kernel_changed() {
	[ -z "$1" ] && return 0
	! git -C "$TREE" diff --quiet "$1" "$2" -- . ':(exclude)Documentation' ':(exclude)tools'
}

base_results() {
	[ -f "$LOGDIR/summary-base.json" ] && return 0
	VARIANT=base "$H/variant.sh" test >/dev/null
	[ -f "$LOGDIR/summary-base.json" ]
}

# the step checked out in $WT builds with every config; on failure, prints
# the config that failed
step_builds() {
	for _k in guest nopidns debug; do
		VARIANT=bisect KCFG=$_k "$H/variant.sh" build >/dev/null 2>&1 || {
			echo "$_k"
			return 1
		}
	done
}

# the planned tests that exist at the step checked out in $WT: a selftest
# program whose source is not in that tree yet is left out (the harness's
# own programs are not in the tree and always run)
step_tests() {
	while IFS=: read -r _coll _prog; do
		if [ "$_coll" = harness ] ||
			[ -e "$WT/tools/testing/selftests/$_coll/$_prog.c" ] ||
			[ -e "$WT/tools/testing/selftests/$_coll/$_prog.sh" ] ||
			[ -e "$WT/tools/testing/selftests/$_coll/$_prog" ]; then
			echo "$_coll:$_prog"
		fi
	done <"$STATE/planned"
}

bisect() {
	base_results || { echo "[lkml] no results of base to start from" >&2; return 1; }
	[ -e "$WT/.git" ] || git -C "$TREE" worktree add -q --detach "$WT" base || return 1
	_prev=$LOGDIR/summary-base.json
	_built=
	_i=0
	for _c in $(git -C "$TREE" rev-list --reverse base..series); do
		_i=$((_i + 1))
		_s=$(git -C "$TREE" log -1 --format=%s "$_c" | cut -c1-58)
		git -C "$WT" checkout -q --detach "$_c" || return 1
		if ! kernel_changed "$_built" "$_c"; then
			row "$_i" "$_s" "same" "same" "kernel unchanged since patch $_last"
			continue
		fi
		_k=$(step_builds) || {
			row "$_i" "$_s" "NO" "-" "build failed: $LOGDIR/build-bisect-$_k.log"
			return 1
		}
		_built=$_c
		_last=$_i
		step_tests >"$STATE/planned-bisect"
		_run=$LOGDIR/$(date +%Y%m%d-%H%M%S)-$$-bisect-$_i-tests
		RUN=$_run TESTS=$(cat "$STATE/planned-bisect") VARIANT=bisect "$H/boot.sh" tests >/dev/null 2>&1
		if python3 "$H/results.py" progress --name "patch $_i" --prev "$_prev" \
			--run-dir "$_run" --planned "$STATE/planned-bisect" \
			--ignore 'harness:base_model/*' --summary "$LOGDIR/bisect-$_i.json" >"$LOGDIR/bisect-$_i.log"; then
			row "$_i" "$_s" "yes" "yes" "$(tail -n 1 "$LOGDIR/bisect-$_i.log" | sed 's/^\[[^]]*\] //')"
		else
			cat "$LOGDIR/bisect-$_i.log" >&2
			row "$_i" "$_s" "yes" "FAIL" "$(tail -n 1 "$LOGDIR/bisect-$_i.log" | sed 's/^\[[^]]*\] //')"
			return 1
		fi
		_prev=$LOGDIR/bisect-$_i.json
	done
}

# the tip of the series, and base, with the other configs (no warnings:
# build.sh fails on any)
configs() {
	for _v in series base; do
		for _k in nopidns debug; do
			if VARIANT=$_v KCFG=$_k "$H/variant.sh" build >/dev/null; then
				echo "$_v builds with configs/$_k.config: yes, no warnings" >>"$table"
			else
				echo "$_v builds with configs/$_k.config: NO ($LOGDIR/build-$_v-$_k.log)" >>"$table"
				return 1
			fi
		done
	done
}

# warnings of sparse (C=2) and W=1 on the objects of the .c files the series
# touches, in tree $1, normalised (no line numbers)
static_warnings() {
	_src=$1
	_out=$_src/.build-check
	mkdir -p "$_out"
	cp "$_src/.build-guest/.config" "$_out/.config"
	make -C "$_src" O="$_out" olddefconfig prepare >"$_out/prepare.log" 2>&1 || return 1
	# shellcheck disable=SC2086 # one object per word
	make -C "$_src" O="$_out" C=2 W=1 $objs >"$_out/check.log" 2>&1 || return 1
	grep -E ': (warning|error):' "$_out/check.log" |
		sed -E 's#^(\.\./)?##; s#:[0-9]+:[0-9]+:#:#; s#:[0-9]+:#:#' | sort -u
}

static() {
	objs=$(git -C "$TREE" diff --name-only base series -- '*.c' ':(exclude)tools' |
		sed 's/\.c$/.o/' | tr '\n' ' ')
	static_warnings "$BUILD/wt/base" >"$STATE/static-base" || return 1
	static_warnings "$TREE" >"$STATE/static-series" || return 1
	_new=$(comm -13 "$STATE/static-base" "$STATE/static-series")
	echo "sparse + W=1 on $objs: $(wc -l <"$STATE/static-base") warnings on base, $(wc -l <"$STATE/static-series") on the series, $(printf '%s' "$_new" | grep -c .) new" >>"$table"
	[ -z "$_new" ] || { printf 'new: %s\n' "$_new" >>"$table"; return 1; }
}

# subject of each patch in patches/ with "Cc: stable@vger.kernel.org"
stable_tagged() {
	for _p in "$TOP"/patches/[0-9]*.patch; do
		grep -qi '^Cc: *stable@vger\.kernel\.org' "$_p" || continue
		git mailinfo /dev/null /dev/null <"$_p" | sed -n 's/^Subject: //p'
	done
}

# the patch file of the series whose subject starts with $1
patch_named() {
	for _p in "$TOP"/patches/[0-9]*.patch; do
		_s=$(git mailinfo /dev/null /dev/null <"$_p" | sed -n 's/^Subject: //p')
		case $_s in "$1"*) echo "$_p"; return 0 ;; esac
	done
	return 1
}

# stable_tests VARIANT KCFG WHAT: boot VARIANT built with KCFG with the tests
# of lkml/stable.txt; they must pass with no kernel report
stable_tests() {
	_run=$LOGDIR/$(date +%Y%m%d-%H%M%S)-$$-$1-$2-stable-tests
	RUN=$_run TESTS=$(cat "$STATE/planned-stable") VARIANT=$1 KCFG=$2 \
		"$H/boot.sh" tests >/dev/null 2>&1
	if python3 "$H/results.py" verdict --variant "$1-$2" --run-dir "$_run" \
		--expect "$TOP/expect/stable.txt" --planned "$STATE/planned-stable" \
		--summary "$LOGDIR/summary-stable-$1-$2.json" >"$LOGDIR/lkml-stable-$1-$2.log"; then
		echo "$3 with configs/$2.config: $(tr '\n' ' ' <"$STATE/planned-stable")pass, no kernel report" >>"$table"
	else
		cat "$LOGDIR/lkml-stable-$1-$2.log" >&2
		echo "$3 with configs/$2.config: the tests of lkml/stable.txt FAIL ($LOGDIR/lkml-stable-$1-$2.log)" >>"$table"
		return 1
	fi
}

# stock + the patches of lkml/stable.txt, in the worktree of the variant
# "stable": they apply alone, build with the guest and debug configs, and the
# tests named there pass on both builds with no kernel report
stable() {
	_list=$TOP/lkml/stable.txt
	_subjects=$(sed -n 's/^patch //p' "$_list")
	_missing=$(stable_tagged | while IFS= read -r _s; do
		printf '%s\n' "$_subjects" | grep -qxF -- "$_s" || echo "$_s"
	done)
	[ -z "$_missing" ] || { echo "tagged for stable but not in $_list: $_missing" >>"$table"; return 1; }
	_wt=$BUILD/wt/stable
	rm -rf "$_wt"
	git -C "$TREE" worktree prune
	git -C "$TREE" worktree add -q --detach "$_wt" stock || return 1
	printf '%s\n' "$_subjects" | while IFS= read -r _s; do
		_p=$(patch_named "$_s") || { echo "$_list: no patch named: $_s" >&2; return 1; }
		git -C "$_wt" am -q "$_p" >>"$LOGDIR/lkml-stable.log" 2>&1 || {
			git -C "$_wt" am --abort
			echo "${_p##*/} does not apply to stock after the ones above it: $LOGDIR/lkml-stable.log" >&2
			return 1
		}
	done || { echo "stable patches on stock: NO (see above)" >>"$table"; return 1; }
	sed -n 's/^test //p' "$_list" >"$STATE/planned-stable"
	for _k in guest debug; do
		VARIANT=stable KCFG=$_k "$H/variant.sh" build >/dev/null || {
			echo "stock + stable patches with configs/$_k.config: build NO ($LOGDIR/build-stable-$_k.log)" >>"$table"
			return 1
		}
		stable_tests stable "$_k" "stock + stable patches" || return 1
	done
	# and the series' own debug build (configs() built it)
	stable_tests series debug "series"
}

# the selftest collections the series touches, built statically for each arch
# of selftest-arches.txt with that arch's headers of the series tree: 0
# compiler warnings on each (the kernel test robot builds them on many)
selftests_arches() {
	_colls=$(git -C "$TREE" diff --name-only base series -- tools/testing/selftests |
		sed -n 's|^tools/testing/selftests/\([^/]*\)/.*|\1|p' | sort -u | tr '\n' ' ')
	sed -e 's/#.*//' -e '/^ *$/d' "$TOP/lkml/selftest-arches.txt" |
		while read -r _name _arch _cross; do
			[ "$_cross" = - ] && _cross=
			_o=$BUILD/lkml-arches/$_name
			rm -rf "$_o"
			_log=$LOGDIR/lkml-selftests-$_name.log
			if ! { make -s -C "$TREE" O="$_o/hdr" ARCH="$_arch" headers &&
				make -C "$TREE/tools/testing/selftests" TARGETS="$_colls" \
					ARCH="$_arch" CROSS_COMPILE="$_cross" O="$_o/obj" \
					KHDR_INCLUDES="-isystem $_o/hdr/usr/include" USERLDFLAGS=-static; } \
				>"$_log" 2>&1; then
				echo "selftests ($_colls) for $_name: build FAILED ($_log)" >>"$table"
				return 1
			fi
			_w=$(grep -c 'warning:' "$_log")
			echo "selftests ($_colls) for $_name: build, $_w warnings" >>"$table"
			[ "$_w" = 0 ] || return 1
		done
}

mkdir -p "$STATE" "$LOGDIR"
: >"$table"
row "#" "patch" "builds" "boots" "tests (against the step before)"
echo "(builds: with configs/guest.config, nopidns.config and debug.config, no warnings)" >>"$table"
"$H/tree.sh" ensure >/dev/null || exit 1
configs || rc=1
[ "$rc" = 0 ] && { selftests_arches || rc=1; }
[ "$rc" = 0 ] && { stable || rc=1; }
[ "$rc" = 0 ] && { static || rc=1; }
[ "$rc" = 0 ] && { bisect || rc=1; }
sed 's/^/[lkml] /' "$table"
if [ "$rc" = 0 ]; then
	{
		echo "# Written by make lkml (harness/lkml-full.sh) when every patch built, booted"
		echo "# and passed its step; make test skips that work while these inputs match."
		echo "inputs $(series_inputs)"
		echo "date $(date -u +%Y-%m-%d)"
		sed 's/^/| /' "$table"
	} >"$TOP/lkml/verified"
fi
exit "$rc"
