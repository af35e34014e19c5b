#!/bin/sh
# The slow half of make lkml (see lkml.sh), as units. Each unit is recorded
# in lkml/verified when it passes, under a key made of the code it checked:
# what base and the series change in stock (see code), never commit messages
# (a reworded patch is not rebuilt); a changed patch redoes only the units
# its code reaches.
#   config-<v>-<k>  the tip (v=series) and base built with configs/<k>.config
#                   (k: nopidns = CONFIG_PID_NS=n, debug), no warnings
#   arches          the series' selftests built for each arch of
#                   configs/arch/ (its tools_arch and cross), no warnings
#   stable          the patches of lkml/stable.txt alone on stock, built with
#                   the guest and debug configs, their tests pass on both and
#                   on the series' debug build, no kernel report
#   stress          stress.sh short: the series' debug kernel under the fault
#                   sweep, stress and stress-ng (no leak, no kernel report);
#                   keyed by the series' code, its selftests (stress-run runs
#                   two) and the files stress.sh names
#   static          sparse and W=1 on the objects the series touches: nothing
#                   new against base
#   allmodconfig    the tip with x86_64 allmodconfig (WERROR off, to see
#                   them): the objects the series touches with W=1, no warning
#                   base (configured the same way) has not
#   randconfig      4 x86_64 randconfigs (configs/randconfig.config forced;
#                   KCONFIG_SEED from the unit's key, printed): the objects
#                   the series touches with W=1, no warning base has not
#   arch-<a>        every patch that changes the kernel built for each arch
#                   of configs/arch/ but the host's, with the guest config:
#                   no warnings (the kernel test robot's builds we can afford)
#   step-<n>        patch n built with the guest, nopidns and debug configs and
#                   booted with the tests that exist at that step: no
#                   regression against the kernel of the step before
#
#   lkml-full.sh        run every unit lkml/verified does not hold (all of
#                       them with LKML_REDO=1), record each as it passes
#   lkml-full.sh stale  say which units lkml/verified does not hold (exit 1
#                       if any)
# Not in any key: the harness, expect/ and configs/ (make test checks them on
# every run), but for what the arches' units build with (compilers, config
# fragments, configs/randconfig.config) and the files stress.sh names; and the parts of stock the series does not touch (a Debian point
# release: make test builds and tests the tip on it every run). LKML_REDO=1
# redoes every unit.
# shellcheck disable=SC2317 # the checks are called through unit()
. "$(dirname "$0")/lib.sh"
STAGE=lkml
H=$TOP/harness
# the units are the host's, each other arch a unit of its own (arch-<a>)
ARCH=$HOST_ARCH
export ARCH
check_arch
# what would weaken a unit without changing its key (a short stress, a
# build's warnings let through) is not taken from the caller
unset STRESS_SECONDS STRESS_CYCLES STRESS_WORKERS STRESS_NG_SECONDS STRESS_KERNELS \
	ALLOW_WARNINGS KCONFIG_SEED KCONFIG_ALLCONFIG T W
WT=$BUILD/wt/bisect
VERIFIED=$TOP/lkml/verified
plan=$STATE/lkml-plan
old=$STATE/lkml-verified-old
new=$STATE/lkml-records
unit_out=$STATE/lkml-unit

row() {
	printf '%-3s %-58s %-7s %-7s %s\n' "$@"
}

# the table's columns after a patch's number and subject (see row)
row_result() {
	cut -c64-
}

subject() {
	git -C "$TREE" log -1 --format=%s "$1" | cut -c1-58
}

# code REV [PATH...]: what REV changes in stock (the patch id of the diff,
# context included). git am applies a patch only where its context matches,
# so the ids change with base/ and patches/, not with a Debian point release
# (one that touches the series' context stops the patches from applying).
code() {
	_rev=$1
	shift
	git -C "$TREE" diff stock "$_rev" -- "$@" | git patch-id --stable | cut -d' ' -f1
}

# kcode REV: the same for the kernel alone, which the builds and boots check
# (Documentation/ is not built, the selftests are keyed apart)
kcode() {
	code "$1" . ':(exclude)Documentation' ':(exclude)tools'
}

# key WORD...: one word for a unit's inputs
key() {
	printf '%s\n' "$*" | sha1sum | cut -c1-16
}

# the kernel is unchanged between two commits if only Documentation/ and
# tools/ differ
kernel_changed() {
	! git -C "$TREE" diff --quiet "$1" "$2" -- . ':(exclude)Documentation' ':(exclude)tools'
}

# the patch file of the series whose subject starts with $1
patch_named() {
	for _p in "$TOP"/patches/[0-9]*.patch; do
		_s=$(git mailinfo /dev/null /dev/null <"$_p" | sed -n 's/^Subject: //p')
		case $_s in "$1"*) echo "$_p"; return 0 ;; esac
	done
	return 1
}

stable_subjects() {
	sed -n 's/^patch //p' "$TOP/lkml/stable.txt"
}

# the code of the stable patches, in order (git patch-id: the diff, not the
# message)
stable_ids() {
	stable_subjects | while IFS= read -r _s; do
		_p=$(patch_named "$_s") || { echo "missing:$_s"; continue; }
		git patch-id --stable <"$_p" | cut -d' ' -f1
	done
}

# The units of the series in the scratch tree, in table order, one a line:
#   unit NAME KEY
#   step N COMMIT PREV KEY   (PREV: the commit of the step before, or base)
#   same N COMMIT M          (the kernel is the one of step M)
make_plan() {
	_b=$(kcode base)
	_s=$(kcode series)
	# every boot runs the selftests of the tip (one set of binaries)
	_tests=$(code series tools/testing/selftests)
	echo "unit config-series-nopidns $(key "$_s" nopidns)"
	echo "unit config-series-debug $(key "$_s" debug)"
	echo "unit config-base-nopidns $(key "$_b" nopidns)"
	echo "unit config-base-debug $(key "$_b" debug)"
	# (the selftests are built with the series' uapi headers)
	echo "unit arches $(key "$_tests" "$(code series ':(glob)**/uapi/**')" "$(arch_table | sha1sum)")"
	# shellcheck disable=SC2046 # one patch id per word
	echo "unit stable $(key "$_s" "$_tests" $(stable_ids) "$(hash_files "$TOP/lkml/stable.txt")")"
	_in=$("$TOP/harness/stress.sh" inputs) || exit 1
	# shellcheck disable=SC2086 # one path a word
	echo "unit stress $(key "$_s" "$_tests" "$(hash_files $_in)")"
	echo "unit static $(key "$_b" "$_s")"
	echo "unit allmodconfig $(key "$_b" "$_s" allmodconfig)"
	echo "unit randconfig $(key "$_b" "$_s" "$(hash_files "$TOP/configs/randconfig.config")")"
	_codes=
	for _c in $(git -C "$TREE" rev-list --reverse base..series); do
		! kernel_changed "$_c~" "$_c" || _codes="$_codes $(kcode "$_c")"
	done
	for _a in $(arches); do
		arch_is_host "$_a" && continue
		# shellcheck disable=SC2046,SC2086 # one path, one patch id a word
		echo "unit arch-$_a $(key $_codes "$(arch_build_data "$_a")" \
			"$(hash_files "$TOP/configs/guest.config" $(ARCH=$_a arch_fragments))")"
	done
	_prev=base
	_last=
	_i=0
	for _c in $(git -C "$TREE" rev-list --reverse base..series); do
		_i=$((_i + 1))
		if [ -n "$_last" ] && ! kernel_changed "$_prev" "$_c"; then
			echo "same $_i $_c $_last"
			continue
		fi
		echo "step $_i $_c $_prev $(key "$(kcode "$_c")" "$(kcode "$_prev")" "$_tests")"
		_prev=$_c
		_last=$_i
	done
}

# what of configs/arch/ARCH.txt a kernel build uses (not QEMU's settings)
arch_build_data() {
	for _k in karch cross target image config; do
		printf '%s=%s ' "$_k" "$(ARCH=$1 arch_get "$_k")"
	done
}

# "NAME TOOLS_ARCH CROSS" for each arch of configs/arch/ ("-": the host's
# compiler): what the selftests are built with
arch_table() {
	for _a in $(arches); do
		printf '%s %s %s\n' "$_a" "$(ARCH=$_a arch_get tools_arch)" "$(ARCH=$_a arch_get cross | sed 's/^$/-/')"
	done
}

# block NAME KEY: the record of unit NAME under KEY ("unit NAME KEY DATE"
# and its table lines), from this run's records, else lkml/verified's
block() {
	for _f in "$new" "$old"; do
		[ -f "$_f" ] || continue
		awk -v n="$1" -v k="$2" '
			$1 == "unit" { on = ($2 == n && $3 == k); if (on) found = 1 }
			on && ($1 == "unit" || /^\| /) { print }
			END { exit !found }' "$_f" && return 0
	done
	return 1
}

# plan_key NAME: the key of unit NAME in the plan
plan_key() {
	awk -v n="$1" '$1 == "unit" && $2 == n { print $3 }' "$plan"
}

# the keyed units of the plan: "NAME KEY" a line
keyed() {
	awk '$1 == "unit" { print $2, $3 } $1 == "step" { print "step-" $2, $5 }' "$plan"
}

# record NAME KEY: the unit passed; its table lines are in $unit_out
record() {
	{
		echo "unit $1 $2 $(date -u +%Y-%m-%d)"
		sed 's/^/| /' "$unit_out"
	} >>"$new"
	write_verified
}

# lkml/verified: the records of the plan's units that hold, in plan order
write_verified() {
	{
		echo "# Written by make lkml (harness/lkml-full.sh). Each unit passed on the date"
		echo "# given, for the code its key names (patch ids, not commit messages); make"
		echo "# test and make lkml redo only the units of the series not recorded here."
		keyed | while read -r _n _k; do
			block "$_n" "$_k" || continue
			# the steps that share a kernel with this one, as comments
			awk -v n="${_n#step-}" '$1 == "same" && $4 == n { print $2, $3 }' "$plan" |
				while read -r _i _c; do
					printf '# %s\n' "$(row "$_i" "$(subject "$_c")" same same "kernel unchanged since patch ${_n#step-}")"
				done
		done
	} >"$VERIFIED.tmp" && mv "$VERIFIED.tmp" "$VERIFIED"
}

# unit NAME KEY CMD...: CMD checks the unit, writing its table lines to
# $unit_out; skipped when lkml/verified holds it, recorded when it passes
unit() {
	_un=$1
	_uk=$2
	shift 2
	if [ "${LKML_REDO:-0}" != 1 ] && block "$_un" "$_uk" >/dev/null; then
		stage "$_un: verified on $(block "$_un" "$_uk" | awk 'NR == 1 { print $4 }'), not repeated"
		return 0
	fi
	stage "$_un"
	: >"$unit_out"
	if "$@"; then
		record "$_un" "$_uk"
		return 0
	fi
	sed "s/^/[lkml] $_un: /" "$unit_out" >&2
	return 1
}

base_results() {
	[ -f "$LOGDIR/summary-base.json" ] && return 0
	VARIANT=base "$H/variant.sh" test >/dev/null
	[ -f "$LOGDIR/summary-base.json" ]
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
	done <"$STATE/lkml-planned"
}

# the host's whole runlist (build/state/planned may be a make check T='s)
lkml_planned() {
	python3 "$H/results.py" runlist "$TOP/expect/runlist.txt" \
		"$BUILD/kselftest/kselftest-list.txt" >"$STATE/lkml-planned"
}

# checkout COMMIT: the bisection worktree at COMMIT
checkout() {
	[ -e "$WT/.git" ] || git -C "$TREE" worktree add -q --detach "$WT" base || return 1
	git -C "$WT" checkout -q --detach "$1"
}

# boot_step NAME PREV SUMMARY: boot the kernel built in $WT (guest config)
# with the tests that exist there; no result that passed in PREV (a summary)
# may stop passing. Prints the comparison's last line.
boot_step() {
	step_tests >"$STATE/planned-bisect"
	_run=$LOGDIR/$(date +%Y%m%d-%H%M%S)-$$-bisect-$1-tests
	RUN=$_run TESTS=$(cat "$STATE/planned-bisect") VARIANT=bisect "$H/boot.sh" tests >/dev/null 2>&1
	python3 "$H/results.py" progress --name "$1" --prev "$2" \
		--run-dir "$_run" --planned "$STATE/planned-bisect" \
		--ignore-file "$TOP/expect/bisect.txt" --summary "$3" >"$LOGDIR/bisect-$1.log"
	_rc=$?
	[ "$_rc" = 0 ] || cat "$LOGDIR/bisect-$1.log" >&2
	tail -n 1 "$LOGDIR/bisect-$1.log" | sed 's/^\[[^]]*\] //'
	return "$_rc"
}

# baseline COMMIT: the summary of the results at COMMIT, for the step after
# it to be compared with (base: make test's run of base); used when that
# step's own unit was verified earlier and not run now
baseline() {
	if [ "$1" = base ]; then
		base_results || { echo "[lkml] no results of base to start from" >&2; return 1; }
		echo "$LOGDIR/summary-base.json"
		return
	fi
	checkout "$1" || return 1
	VARIANT=bisect KCFG=guest "$H/variant.sh" build >/dev/null 2>&1 || {
		echo "[lkml] baseline $1 does not build: $LOGDIR/build-bisect-guest.log" >&2
		return 1
	}
	echo '{"rows": []}' >"$STATE/lkml-empty.json"
	boot_step "baseline" "$STATE/lkml-empty.json" "$LOGDIR/bisect-baseline.json" >/dev/null || return 1
	echo "$LOGDIR/bisect-baseline.json"
}

# step N COMMIT PREV: the unit step-N ($prev_summary: PREV's results, if
# this run has them)
step() {
	[ -n "$prev_summary" ] || prev_summary=$(baseline "$3") || return 1
	checkout "$2" || return 1
	_s=$(subject "$2")
	for _k in guest nopidns debug; do
		VARIANT=bisect KCFG=$_k "$H/variant.sh" build >/dev/null 2>&1 || {
			row "$1" "$_s" "NO" "-" "build failed: $LOGDIR/build-bisect-$_k.log" >>"$unit_out"
			return 1
		}
	done
	if _res=$(boot_step "$1" "$prev_summary" "$LOGDIR/bisect-$1.json"); then
		row "$1" "$_s" "yes" "yes" "$_res" >>"$unit_out"
	else
		row "$1" "$_s" "yes" "FAIL" "$_res" >>"$unit_out"
		return 1
	fi
}

bisect() {
	lkml_planned || return 1
	prev_summary=
	while read -r _kind _i _c _p _k; do
		[ "$_kind" = step ] || continue
		rm -f "$LOGDIR/bisect-$_i.json"
		unit "step-$_i" "$_k" step "$_i" "$_c" "$_p" || return 1
		prev_summary=
		[ ! -f "$LOGDIR/bisect-$_i.json" ] || prev_summary=$LOGDIR/bisect-$_i.json
	done <"$plan"
}

# config V K: variant V (series: the tip) builds with configs/K.config
config() {
	if VARIANT=$1 KCFG=$2 "$H/variant.sh" build >/dev/null; then
		echo "$1 builds with configs/$2.config: yes, no warnings" >>"$unit_out"
	else
		echo "$1 builds with configs/$2.config: NO ($LOGDIR/build-$1-$2.log)" >>"$unit_out"
		return 1
	fi
}

configs() {
	while read -r _kind _n _k; do
		case $_kind:$_n in
		unit:config-*)
			_vk=${_n#config-}
			unit "$_n" "$_k" config "${_vk%-*}" "${_vk#*-}" || return 1 ;;
		esac
	done <"$plan"
}

# w1_warnings SRC DIR MAKEARG...: the W=1 warnings (and the MAKEARGs', C=2:
# sparse's; ARCH= as the config was made) of the touched objects ($objs) of
# tree SRC in its configured object directory DIR, normalised (no line
# numbers). Fails with 1 if DIR's config does not prepare (DIR/prepare.log),
# 2 if the objects do not build (DIR/objs.log).
w1_warnings() {
	_src=$1
	_out=$2
	shift 2
	make -C "$_src" O="$_out" "$@" olddefconfig prepare >"$_out/prepare.log" 2>&1 || return 1
	# shellcheck disable=SC2086 # one object per word
	make -C "$_src" O="$_out" W=1 "$@" $objs >"$_out/objs.log" 2>&1 || return 2
	grep -E ': (warning|error):' "$_out/objs.log" |
		sed -E 's#^(\.\./)?##; s#:[0-9]+:[0-9]+:#:#; s#:[0-9]+:#:#' | sort -u
}

# warnings of sparse and W=1 on the touched objects in tree $1 of variant
# $2, its guest config (configured here if make test has not)
static_warnings() {
	[ -f "$1/.build-guest/.config" ] || VARIANT=$2 KCFG=guest "$H/config.sh" >&2 || return 1
	mkdir -p "$1/.build-check"
	cp "$1/.build-guest/.config" "$1/.build-check/.config" || return 1
	# shellcheck disable=SC2046 # one option per word
	w1_warnings "$1" "$1/.build-check" C=2 $(kmake_arch)
}

static() {
	objs=$(touched_objs)
	static_warnings "$BUILD/wt/base" base >"$STATE/static-base" || {
		echo "sparse + W=1 on base: does not configure or build ($BUILD/wt/base/.build-check/*.log)" >>"$unit_out"
		return 1
	}
	static_warnings "$TREE" series >"$STATE/static-series" || {
		echo "sparse + W=1 on the series: does not configure or build ($TREE/.build-check/*.log)" >>"$unit_out"
		return 1
	}
	_new=$(comm -13 "$STATE/static-base" "$STATE/static-series")
	echo "sparse + W=1 on $objs: $(wc -l <"$STATE/static-base") warnings on base, $(wc -l <"$STATE/static-series") on the series, $(printf '%s' "$_new" | grep -c .) new" >>"$unit_out"
	[ -z "$_new" ] || { printf 'new: %s\n' "$_new" >>"$unit_out"; return 1; }
}

# subject of each patch in patches/ with "Cc: stable@vger.kernel.org"
stable_tagged() {
	for _p in "$TOP"/patches/[0-9]*.patch; do
		grep -qi '^Cc: *stable@vger\.kernel\.org' "$_p" || continue
		git mailinfo /dev/null /dev/null <"$_p" | sed -n 's/^Subject: //p'
	done
}

# stable_tests VARIANT KCFG WHAT: boot VARIANT built with KCFG with the tests
# of lkml/stable.txt; they must pass with no kernel report
stable_tests() {
	_run=$LOGDIR/$(date +%Y%m%d-%H%M%S)-$$-$1-$2-stable-tests
	RUN=$_run TESTS=$(cat "$STATE/planned-stable") VARIANT=$1 KCFG=$2 \
		"$H/boot.sh" tests >/dev/null 2>&1
	if python3 "$H/results.py" verdict --variant "$1-$2" --run-dir "$_run" \
		--expect "$TOP/expect/stable.txt" --planned "$STATE/planned-stable" \
		--summary "$LOGDIR/lkml-stable-$1-$2.json" >"$LOGDIR/lkml-stable-$1-$2.log"; then
		echo "$3 with configs/$2.config: $(tr '\n' ' ' <"$STATE/planned-stable")pass, no kernel report" >>"$unit_out"
	else
		cat "$LOGDIR/lkml-stable-$1-$2.log" >&2
		echo "$3 with configs/$2.config: the tests of lkml/stable.txt FAIL ($LOGDIR/lkml-stable-$1-$2.log)" >>"$unit_out"
		return 1
	fi
}

# stock + the patches of lkml/stable.txt, in the worktree of the variant
# "stable": they apply alone, build with the guest and debug configs, and the
# tests named there pass on both builds with no kernel report
stable() {
	_list=$TOP/lkml/stable.txt
	_subjects=$(stable_subjects)
	_missing=$(stable_tagged | while IFS= read -r _s; do
		printf '%s\n' "$_subjects" | grep -qxF -- "$_s" || echo "$_s"
	done)
	[ -z "$_missing" ] || { echo "tagged for stable but not in $_list: $_missing" >>"$unit_out"; return 1; }
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
	done || { echo "stable patches on stock: NO (see above)" >>"$unit_out"; return 1; }
	sed -n 's/^test //p' "$_list" >"$STATE/planned-stable"
	for _k in guest debug; do
		VARIANT=stable KCFG=$_k "$H/variant.sh" build >/dev/null || {
			echo "stock + stable patches with configs/$_k.config: build NO ($LOGDIR/build-stable-$_k.log)" >>"$unit_out"
			return 1
		}
		stable_tests stable "$_k" "stock + stable patches" || return 1
	done
	# and the series' own debug build
	VARIANT=series KCFG=debug "$H/variant.sh" build >/dev/null || {
		echo "series with configs/debug.config: build NO ($LOGDIR/build-series-debug.log)" >>"$unit_out"
		return 1
	}
	stable_tests series debug "series"
}

# the selftest collections the series touches, built statically for each arch
# of configs/arch/ with that arch's headers of the series tree: 0 compiler
# warnings on each (the kernel test robot builds them on many)
selftests_arches() {
	_colls=$(git -C "$TREE" diff --name-only base series -- tools/testing/selftests |
		sed -n 's|^tools/testing/selftests/\([^/]*\)/.*|\1|p' | sort -u | tr '\n' ' ')
	arch_table |
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
				echo "selftests ($_colls) for $_name: build FAILED ($_log)" >>"$unit_out"
				return 1
			fi
			_w=$(grep -c 'warning:' "$_log")
			echo "selftests ($_colls) for $_name: build, $_w warnings" >>"$unit_out"
			[ "$_w" = 0 ] || return 1
		done
}

# the objects of the .c files the series touches, outside tools/
touched_objs() {
	git -C "$TREE" diff --name-only --diff-filter=d base series -- '*.c' ':(exclude)tools' |
		sed 's/\.c$/.o/' | tr '\n' ' '
}

# stress.sh short on the series' debug kernel; its figures in the record
stress() {
	_t0=$(date +%s)
	_ok=0
	"$H/stress.sh" short >"$LOGDIR/lkml-stress.log" 2>&1 || _ok=1
	# the unit's result is lkml's, not a suite of make test's own
	rm -f "$LOGDIR/summary-stress.json"
	if [ "$_ok" = 0 ]; then
		echo "series debug kernel, stress.sh short ($(($(date +%s) - _t0)) s): pass, $(sed -n 's/^\[stress\] series[[:space:]][[:space:]]*//p' "$LOGDIR/lkml-stress.log")" >>"$unit_out"
	else
		cat "$LOGDIR/lkml-stress.log" >&2
		echo "series debug kernel, stress.sh short: FAIL ($LOGDIR/lkml-stress.log)" >>"$unit_out"
		return 1
	fi
}

# matrix_warnings SRC TARGET: the W=1 warnings of the touched objects of
# tree SRC configured by make TARGET for the host's arch (allmodconfig,
# randconfig: KCONFIG_SEED and KCONFIG_ALLCONFIG from the environment),
# CONFIG_WERROR off so that they are counted; in SRC/.build-matrix (its
# logs there). Fails as w1_warnings does, with 1 if TARGET fails too.
matrix_warnings() {
	_mo=$1/.build-matrix
	rm -rf "$_mo"
	mkdir -p "$_mo"
	# shellcheck disable=SC2046 # one option per word
	make -C "$1" O="$_mo" $(kmake_arch) "$2" >"$_mo/config.log" 2>&1 &&
		"$1/scripts/config" --file "$_mo/.config" --disable WERROR || return 1
	# shellcheck disable=SC2046
	w1_warnings "$1" "$_mo" $(kmake_arch)
}

# no_rule TREE: TREE's matrix objects failed as an object this config does
# not build does (Kbuild: "No rule to make target"), no compiler error
no_rule() {
	grep -q 'No rule to make target' "$1/.build-matrix/objs.log" &&
		! grep -q ': error:' "$1/.build-matrix/objs.log"
}

# matrix TARGET WHAT [skip]: the series' tip configured by make TARGET; a
# warning fails the unit only if base, configured the same way, does not
# have it. A config that fails to configure or prepare fails the unit (a
# machine's fault must not be recorded as a pass); with "skip", a config
# that leaves some touched object out on both trees is skipped (said so).
# One line of figures in the record.
matrix() {
	_t0=$(date +%s)
	_logs="$TREE/.build-matrix/*.log"
	: >"$STATE/matrix-base"
	_rs=0
	matrix_warnings "$TREE" "$1" >"$STATE/matrix-series" || _rs=$?
	_rb=0
	if [ "$_rs" != 0 ] || [ -s "$STATE/matrix-series" ]; then
		matrix_warnings "$BUILD/wt/base" "$1" >"$STATE/matrix-base" || _rb=$?
	fi
	case $_rs:$_rb in
	1:* | *:1)
		echo "$2: does not configure or prepare ($_logs, $BUILD/wt/base/.build-matrix/*.log)" >>"$unit_out"
		return 1 ;;
	2:2)
		if [ "${3:-}" = skip ] && no_rule "$TREE" && no_rule "$BUILD/wt/base"; then
			echo "$2: leaves a touched object out on both trees, skipped ($_logs)" >>"$unit_out"
			return 0
		fi
		echo "$2: the touched objects build on neither the series nor base ($_logs)" >>"$unit_out"
		return 1 ;;
	2:0)
		echo "$2: the touched objects do not build on the series, do on base ($_logs)" >>"$unit_out"
		return 1 ;;
	0:2)
		echo "$2: $(grep -c . "$STATE/matrix-series") warnings on the series, and base does not build to compare ($BUILD/wt/base/.build-matrix/*.log)" >>"$unit_out"
		sed 's/^/  /' "$STATE/matrix-series" >>"$unit_out"
		return 1 ;;
	esac
	_new=$(comm -13 "$STATE/matrix-base" "$STATE/matrix-series" | grep -c .)
	echo "$2, W=1 on $objs: $(grep -c . "$STATE/matrix-series") warnings, $_new new against base ($(($(date +%s) - _t0)) s)" >>"$unit_out"
	[ "$_new" = 0 ] || { comm -13 "$STATE/matrix-base" "$STATE/matrix-series" | sed 's/^/  /' >>"$unit_out"; return 1; }
}

# the tip with x86_64 allmodconfig
allmodconfig() {
	objs=$(touched_objs)
	[ -n "$objs" ] || { echo "allmodconfig: the series touches no .c file" >>"$unit_out"; return 0; }
	matrix allmodconfig "x86_64 allmodconfig"
}

# 4 x86_64 randconfigs with configs/randconfig.config, their seeds from the
# unit's key (reproducible, new when the code changes), printed; the two
# KCONFIG_ variables for matrix's makes alone (a subshell)
randconfig() {
	objs=$(touched_objs)
	[ -n "$objs" ] || { echo "randconfig: the series touches no .c file" >>"$unit_out"; return 0; }
	for _n in 1 2 3 4; do
		(
			KCONFIG_ALLCONFIG=$TOP/configs/randconfig.config
			KCONFIG_SEED=$(printf '%d' "0x$(printf '%s %s\n' "$(plan_key randconfig)" "$_n" | sha1sum | cut -c1-8)")
			export KCONFIG_ALLCONFIG KCONFIG_SEED
			matrix randconfig "x86_64 randconfig KCONFIG_SEED=$KCONFIG_SEED" skip
		) || return 1
	done
}

# arch_build ARCH: every patch that changes the kernel, built for ARCH with
# the guest config in the bisection worktree; no warnings (build.sh refuses
# them). The stages' messages in $LOGDIR/lkml-arch-ARCH.log.
arch_build() {
	_done=
	_times=
	_t0=$(date +%s)
	_alog=$LOGDIR/lkml-arch-$1.log
	: >"$_alog"
	for _c in $(git -C "$TREE" rev-list --reverse base..series); do
		_i=$(git -C "$TREE" rev-list --count "base..$_c")
		kernel_changed "$_c~" "$_c" || continue
		checkout "$_c" >>"$_alog" 2>&1 || {
			echo "$1: patch $_i: the bisection worktree cannot check it out ($_alog)" >>"$unit_out"
			return 1
		}
		_t=$(date +%s)
		ARCH=$1 VARIANT=bisect KCFG=guest "$H/variant.sh" build >>"$_alog" 2>&1 || {
			echo "$1: patch $_i ($(subject "$_c")) does not configure or build ($_alog):" >>"$unit_out"
			tail -n 3 "$_alog" | sed 's/^/  /' >>"$unit_out"
			return 1
		}
		_done="$_done $_i"
		_times="$_times $_i:$(($(date +%s) - _t))s"
	done
	echo "$1, configs/guest.config + $(ARCH=$1 arch_get config | sed 's/\([^ ]*\)/arch\/\1.config/g'): patches$_done build, no warnings ($(($(date +%s) - _t0)) s;$_times)" >>"$unit_out"
}

# the table of every unit of the plan: what its record says, or "not verified"
table() {
	row "#" "patch" "builds" "boots" "tests (against the step before)"
	echo "(builds: with configs/guest.config, nopidns.config and debug.config, no warnings)"
	while read -r _kind _i _c _p _k; do
		case $_kind in
		unit)
			block "$_i" "$_c" | sed -n 's/^| //p' | grep . ||
				echo "$_i: not verified" ;;
		step)
			if _r=$(block "step-$_i" "$_k" | sed -n 's/^| //p' | row_result | grep .); then
				row "$_i" "$(subject "$_c")" "$_r"
			else
				row "$_i" "$(subject "$_c")" "-" "-" "not verified"
			fi ;;
		same) row "$_i" "$(subject "$_c")" same same "kernel unchanged since patch $_p" ;;
		esac
	done <"$plan"
}

# the units lkml/verified does not hold, "NAME" a line
stale_units() {
	keyed | while read -r _n _k; do
		block "$_n" "$_k" >/dev/null || echo "$_n"
	done
}

prepare_plan() {
	mkdir -p "$STATE" "$LOGDIR"
	"$H/tree.sh" ensure >/dev/null || exit 1
	make_plan >"$plan" || exit 1
	rm -f "$new"
	if [ -f "$VERIFIED" ]; then cp "$VERIFIED" "$old"; else : >"$old"; fi
}

prepare_plan
case ${1:-} in
stale)
	_stale=$(stale_units)
	if [ -z "$_stale" ]; then
		_dates=$(keyed | while read -r _n _k; do block "$_n" "$_k" | awk 'NR == 1 { print $4 }'; done | sort -u)
		echo "all $(keyed | wc -l) units verified ($(printf '%s\n' "$_dates" | sed -n '1p;$p' | uniq | paste -sd/ -))"
		exit 0
	fi
	echo "not verified: $(printf '%s\n' "$_stale" | tr '\n' ' ')"
	exit 1 ;;
'') ;;
*) die "usage: lkml-full.sh [stale]" ;;
esac

rc=0
configs || rc=1
[ "$rc" = 0 ] && { unit arches "$(plan_key arches)" selftests_arches || rc=1; }
[ "$rc" = 0 ] && { unit stable "$(plan_key stable)" stable || rc=1; }
[ "$rc" = 0 ] && { unit stress "$(plan_key stress)" stress || rc=1; }
[ "$rc" = 0 ] && { unit static "$(plan_key static)" static || rc=1; }
[ "$rc" = 0 ] && { unit allmodconfig "$(plan_key allmodconfig)" allmodconfig || rc=1; }
[ "$rc" = 0 ] && { unit randconfig "$(plan_key randconfig)" randconfig || rc=1; }
for _a in $(arches); do
	arch_is_host "$_a" || [ "$rc" != 0 ] || unit "arch-$_a" "$(plan_key "arch-$_a")" arch_build "$_a" || rc=1
done
[ "$rc" = 0 ] && { bisect || rc=1; }
write_verified
table | sed 's/^/[lkml] /'
exit "$rc"
