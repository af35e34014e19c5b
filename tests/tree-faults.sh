#!/bin/bash
# The edit → export loop under faults, on a fake source and patches
# (tests/treelib.sh; no real tarball, no kernel build): a patch that does not
# apply (then put right by a checkout, or by an edit), a half-applied tree as
# earlier versions of the harness left one, a git am in progress, HEAD off
# series, patches the branch lacks, a full disk while patches/ is written,
# and two commands at once. tests/tree-interrupt.sh crashes the harness at
# every step of an apply and of an export, and interrupts it at random.
# One line a case, "PASS name" or "FAIL name" (tests/run.sh makes them KTAP),
# with "# ..." lines on what went wrong.
#   tree-faults.sh [CASE...]     the cases (default: all)
#   KEEP=1                       keep the work directory
#   TIMES=1                      how long each case took
#   DISK_FULL=tmpfs|ulimit       how to fill the disk (default: tmpfs if possible)
set -u
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/treelib.sh"

T=build/linux

# out_has REGEX...: each extended regex matches the last command's output
out_has() {
	local re
	for re; do
		grep -Eq -- "$re" "$FX/out" && continue
		echo "# output lacks /$re/:"
		sed 's/^/#   /' "$FX/out"
		return 1
	done
}

# out_lacks REGEX: it does not
out_lacks() {
	grep -Eq -- "$1" "$FX/out" || return 0
	echo "# output has /$1/:"
	sed 's/^/#   /' "$FX/out"
	return 1
}

# failed: the last command failed (its status is $1)
failed() {
	[ "$1" != 0 ] && return 0
	echo "# the command succeeded; output:"
	sed 's/^/#   /' "$FX/out"
	return 1
}

ok() {
	[ "$1" = 0 ] && return 0
	echo "# the command failed ($1); output:"
	sed 's/^/#   /' "$FX/out"
	return 1
}

# same A B: two files with the same contents
same() {
	cmp -s "$1" "$2" && return 0
	echo "# $1 and $2 differ:"
	diff "$1" "$2" | sed 's/^/#   /'
	return 1
}

state_is() {
	local st
	st=$(state_of)
	[ "$st" = "$1" ] && return 0
	echo "# state $st, expected $1:"
	"$P/harness/tree.sh" state | sed 's/^/#   /'
	return 1
}

p3=patches/0003-pid.h-the-third-change.patch

# break_p3: a context line of patch 3 no longer matches the source
break_p3() {
	sed -i 's/^ extern int pid_h_line 13;$/ extern int pid_h_line 13, changed;/' "$P/$p3"
}

# edit_p3: patch 3 put right by an edit that also changes what it adds
edit_p3() {
	sed -i -e 's/^ extern int pid_h_line 13, changed;$/ extern int pid_h_line 13;/' \
		-e 's/^+extern int pid_h_line 15 = three;$/+extern int pid_h_line 15 = three, edited;/' "$P/$p3"
}

# no_build: the last command built nothing
no_build() {
	out_lacks '^\[build' && out_lacks '^\[config'
}

# exported_nothing: an export that changed no file, not even a date
exported_nothing() {
	local rc
	(cd "$P" && find base patches -exec stat -c '%n %i %y' {} +) >"$FX/files.before"
	mk export
	rc=$?
	ok "$rc" && out_has 'exported: nothing changed' || return 1
	# the same files (inodes), not written (times)
	(cd "$P" && find base patches -exec stat -c '%n %i %y' {} +) >"$FX/files.after"
	same "$FX/files.before" "$FX/files.after"
}

# The freshly made tree exports to the same bytes, twice (the cover letter's
# date included)
case_export_of_unchanged_tree_changes_no_file() {
	restore exact
	exported_nothing && exported_nothing && state_is exact
}

# Step 1: a patch stops applying. make tree names it with git am's message;
# the tree is left as it was (with no stamp for the new patches: stale), is
# not built and not exported.
case_patch_that_does_not_apply_is_named_tree_left_as_it_was() {
	local rc
	restore exact
	tree_fp >"$FX/tree.before"
	break_p3
	mk tree
	rc=$?
	failed "$rc" && out_has "patch does not apply: $p3" 'error: patch failed: include/linux/pid.h' \
		"$T is left as it was" || return 1
	tree_fp >"$FX/tree.after"
	same "$FX/tree.before" "$FX/tree.after" && state_is stale || return 1
	mk build
	rc=$?
	failed "$rc" && out_has "patch does not apply: $p3" && no_build || return 1
	hs tree.sh check
	failed $? && out_has 'not fit to build' || return 1
	inputs_fp >"$FX/inputs.before"
	mk export
	failed $? && out_has 'an export would undo that change' || return 1
	inputs_fp >"$FX/inputs.after"
	same "$FX/inputs.before" "$FX/inputs.after"
}

# Step 2: the patch put right by a checkout; the tree is complete again
case_patch_fixed_by_checkout() {
	restore exact
	tree_fp >"$FX/tree.before"
	break_p3
	mk tree && return 1
	git -C "$P" checkout -q patches
	mk tree
	ok $? && state_is exact || return 1
	tree_fp >"$FX/tree.after"
	same "$FX/tree.before" "$FX/tree.after" || return 1
	mk build
	ok $? && out_has '^\[build series\] bzImage'
}

# Step 3: the patch put right by an edit; make tree applies it whole, and an
# export deletes nothing (it rewrites the edited patch as format-patch would)
case_patch_fixed_by_edit() {
	local rc
	restore exact
	break_p3
	mk tree && return 1
	edit_p3
	mk tree
	ok $? && out_has 'applying patches/' && state_is exact || return 1
	if [ "$(git -C "$P/$T" rev-list --count base..series)" != 5 ] ||
		! grep -q 'three, edited' "$P/$T/include/linux/pid.h"; then
		echo "# not all 5 patches, or not the edited one:"
		git -C "$P/$T" log --oneline | sed 's/^/#   /'
		return 1
	fi
	mk export
	rc=$?
	ok "$rc" && out_has "M $p3" && out_lacks '^ +[AD] ' || return 1
	exported_nothing
}

# half_apply: the tree as earlier harnesses left it after a patch failed:
# series reset and partly applied (base and 2 of 5 patches), the stamps of
# the complete tree in their old files
half_apply() {
	local s
	s=$(cat "$P/build/state/tree-made")
	git -C "$P/$T" reset -q --hard HEAD~3
	echo "${s%% *}" >"$P/build/state/tree"
	echo "${s#* }" >"$P/build/state/tree-head"
	rm "$P/build/state/tree-made"
}

# A half-applied tree (steps 2 and 3 as earlier harnesses did them) is
# broken: make tree, make build and make export name the patches series lacks
# and the command that repairs it, and delete nothing; the repair works.
case_half_applied_tree_is_broken_not_built_not_exported() {
	local rc
	restore exact
	half_apply
	inputs_fp >"$FX/inputs.before"
	for step in checkout edit; do
		[ "$step" = checkout ] || { break_p3 && edit_p3 && inputs_fp >"$FX/inputs.before"; }
		mk tree
		rc=$?
		failed "$rc" && out_has 'lacks 3 patch\(es\)' "    $p3" 'repair: make tree FORCE=1' || return 1
		mk build
		failed $? && out_has 'lacks 3 patch' && no_build || return 1
		mk export
		failed $? && out_has 'would delete or rewrite without them 3' "    $p3" \
			'patches/0004-selftests-a-big-file.patch' 'FORCE=1' || return 1
		inputs_fp >"$FX/inputs.after"
		same "$FX/inputs.before" "$FX/inputs.after" || return 1
	done
	local half
	half=$(git -C "$P/$T" rev-parse HEAD)
	FORCE=1 mk tree
	ok $? && out_has 'kept as branch dropped' && state_is exact || return 1
	if [ "$(git -C "$P/$T" rev-parse dropped)" != "$half" ] ||
		[ "$(git -C "$P/$T" rev-list --count base..series)" != 5 ]; then
		echo "# branch dropped or series wrong"
		return 1
	fi
}

# A patch dropped in the tree: export refuses, naming it; FORCE=1 deletes
# it, saying so, with the old files in build/backup/
case_export_refuses_to_delete_a_patch_force_deletes_with_backup() {
	local rc p2=patches/0002-fork-the-second-change.patch
	restore exact
	git -C "$P/$T" rebase -q --onto HEAD~4 HEAD~3
	inputs_fp >"$FX/inputs.before"
	mk export
	rc=$?
	failed "$rc" && out_has "    $p2" 'FORCE=1' || return 1
	inputs_fp >"$FX/inputs.after"
	same "$FX/inputs.before" "$FX/inputs.after" || return 1
	FORCE=1 mk export
	ok $? && out_has 'deleting what series lacks' "    $p2" "D $p2" 'previous base/ and patches/ are in build/backup/export-' ||
		return 1
	[ ! -e "$P/$p2" ] && ls "$P"/build/backup/export-*/"$p2" >/dev/null && state_is exact
}

# A patch reworded in the tree (same diff) and a new commit: the export
# needs no FORCE; it adds, changes and deletes files; a second changes nothing
case_export_of_work_reworded_patch_and_new_commit() {
	need_ref export || return 1
	restore work
	mk export
	ok $? && out_has 'A patches/0006-pid-a-sixth-change.patch' \
		'D patches/0005-Documentation-describe-it.patch' \
		'A patches/0005-Documentation-describe-it-reworded.patch' 'M patches/0000-cover-letter.patch' || return 1
	fp >"$FX/after"
	same "$FX/ref/export" "$FX/after" && exported_nothing
}

# base/ or patches/ changed (a pull) and not applied: export refuses
case_export_of_stale_tree_refuses() {
	restore stale
	inputs_fp >"$FX/inputs.before"
	mk export
	failed $? && out_has 'an export would undo that change' 'repair: make tree' || return 1
	inputs_fp >"$FX/inputs.after"
	same "$FX/inputs.before" "$FX/inputs.after"
}

# Work in the tree and a change to patches/ at once: make tree and make
# export refuse, naming both ways out; make export FORCE=1 takes the tree's
# (the overwritten files kept in build/backup/)
case_diverged_tree_refuses_both_ways() {
	need_ref export || return 1
	restore work
	sed -i 's/^two lines\.$/two lines, edited./' "$P/patches/0000-cover-letter.patch"
	inputs_fp >"$FX/inputs.before"
	state_is diverged || return 1
	mk tree
	failed $? && out_has "keep $T's work: make export FORCE=1" "take base/ and patches/: make tree FORCE=1" &&
		no_build || return 1
	mk export
	failed $? && out_has 'an export would overwrite base/ and patches/' || return 1
	inputs_fp >"$FX/inputs.after"
	same "$FX/inputs.before" "$FX/inputs.after" || return 1
	FORCE=1 mk export
	ok $? || return 1
	inputs_fp >"$FX/inputs.after"
	same "$FX/ref/export.inputs" "$FX/inputs.after" &&
		grep -q 'two lines, edited' "$P"/build/backup/export-*/patches/0000-cover-letter.patch
}

# A git am of the user's left in progress: broken, with the repair
case_git_am_in_progress_is_broken() {
	restore exact
	cp "$P/$p3" "$FX/p3" && sed -i 's/^ extern int pid_h_line 13;$/ nothing like it/' "$FX/p3"
	git -C "$P/$T" am -q "$FX/p3" >/dev/null 2>&1 && return 1
	mk tree
	failed $? && out_has 'a git am is in progress' "repair: git -C $T am --abort" || return 1
	mk build
	failed $? && no_build || return 1
	mk export
	failed $? && out_has 'a git am is in progress' || return 1
	git -C "$P/$T" am --abort
	mk tree
	ok $? && state_is exact
}

# HEAD off branch series: broken, with the repair
case_head_off_series_is_broken() {
	restore exact
	git -C "$P/$T" checkout -q -b other
	mk tree
	failed $? && out_has 'not on branch series \(HEAD: other\)' "repair: git -C $T checkout series" || return 1
	git -C "$P/$T" checkout -q series
	mk tree
	ok $? && state_is exact
}

# The full disk: patches/ and a nearly full file system, as a small tmpfs
# (unshare -m as root) or else as a file size limit (ulimit -f): export
# fails, saying so; base/ and patches/ stay as they were, nothing is left
# behind; once there is room, the export is the uninterrupted one.
disk_full_inner() {
	local small=$1 how=$2 rc
	if [ "$how" = tmpfs ]; then
		mount -t tmpfs -o size=1m tmpfs "$small" || return 1
		cp -a "$P/harness" "$P/base" "$P/patches" "$P/configs" "$small/" || return 1
		# room for about 16 KiB: the big patch (150 KiB) does not fit
		dd if=/dev/zero of="$small/filler" bs=1k count=$(($(df --output=avail -k "$small" | tail -n 1) - 16)) 2>/dev/null
	else
		cp -a "$P/harness" "$P/base" "$P/patches" "$P/configs" "$small/" || return 1
	fi
	(cd "$small" && find base patches -type f | sort | xargs sha1sum) >"$FX/small.before"
	if [ "$how" = tmpfs ]; then
		BUILD=$P/build "$small/harness/tree.sh" export >"$FX/out" 2>&1
	else
		(ulimit -f 64 && BUILD=$P/build exec env --ignore-signal=XFSZ "$small/harness/tree.sh" export) >"$FX/out" 2>&1
	fi
	rc=$?
	failed "$rc" && out_has 'could not write the export' 'as they were' || return 1
	(cd "$small" && find base patches -type f | sort | xargs sha1sum) >"$FX/small.after"
	same "$FX/small.before" "$FX/small.after" || return 1
	[ ! -e "$small/.export" ] || { echo "# $small/.export left behind"; return 1; }
	rm -f "$small/filler"
	BUILD=$P/build "$small/harness/tree.sh" export >"$FX/out" 2>&1
	ok $? || return 1
	(cd "$small" && find base patches -type f | sort | xargs sha1sum) >"$FX/small.after"
	same "$FX/ref/export.inputs" "$FX/small.after"
}

case_export_on_a_full_disk_leaves_patches_as_they_were() {
	local how=${DISK_FULL:-}
	need_ref export || return 1
	restore work
	mkdir -p "$FX/small"
	if [ -z "$how" ]; then
		how="ulimit"
		[ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null || how=tmpfs
	fi
	echo "# full disk simulated with $how"
	if [ "$how" = tmpfs ]; then
		unshare -m bash "$0" --disk-full-inner "$FX" "$FX/small"
	else
		disk_full_inner "$FX/small" ulimit
	fi
}

# Two make commands at once in one checkout: the second waits, saying for
# what; their builds do not overlap. LOCK_WAIT=0 refuses at once, saying so.
case_two_make_commands_are_serialised() {
	local a b rc
	restore exact
	rm -f "$P/$T/.build-guest/builds.log"
	FAKE_BUILD_SECONDS=1 FAKE_BUILD_TAG=A make -s -C "$P" build >"$FX/a.out" 2>&1 &
	a=$!
	FAKE_BUILD_SECONDS=1 FAKE_BUILD_TAG=B make -s -C "$P" build >"$FX/b.out" 2>&1 &
	b=$!
	wait "$a" || { echo "# first make failed"; sed 's/^/#   /' "$FX/a.out"; return 1; }
	wait "$b" || { echo "# second make failed"; sed 's/^/#   /' "$FX/b.out"; return 1; }
	cat "$FX/a.out" "$FX/b.out" >"$FX/out"
	out_has '^\[lock\] another harness command runs in this checkout: make build \(pid [0-9]+\) since .*; waiting for it to end' \
		'^\[lock\] it ended; going on' || return 1
	tr '\n' ' ' <"$P/$T/.build-guest/builds.log" >"$FX/builds"
	grep -Eqx 'begin (A|B) end \1 begin (A|B) end \2 ' "$FX/builds" || {
		echo "# builds overlapped: $(cat "$FX/builds")"
		return 1
	}
	FAKE_BUILD_SECONDS=3 make -s -C "$P" build >"$FX/a.out" 2>&1 &
	a=$!
	until [ -s "$P/build/.lock.owner" ] && grep -q "pid" "$P/build/.lock.owner" &&
		[ -s "$P/$T/.build-guest/builds.log" ] && tail -n 1 "$P/$T/.build-guest/builds.log" | grep -q begin; do
		sleep 0.1
	done
	LOCK_WAIT=0 make -s -C "$P" tree >"$FX/out" 2>&1
	rc=$?
	wait "$a"
	failed "$rc" && out_has 'another harness command runs in this checkout: make build .*not waiting \(LOCK_WAIT=0\)'
}

# The lock's owner line is written just after the flock: a command that finds
# the lock taken in between must not name the previous holder (CI saw
# "tree.sh ensure (pid N)" of a command long gone), but wait for the live one.
case_lock_names_the_live_owner_not_a_stale_one() {
	local h rc
	restore exact
	mkdir -p "$P/build"
	echo "tree.sh gone (pid 999999) since 2000-01-01 00:00:00" >"$P/build/.lock.owner"
	# shellcheck disable=SC2016 # $$ and $1 are the inner shell's
	flock "$P/build/.lock" sh -c 'sleep 0.5
		echo "make holder (pid $$) since now" >"$1"; sleep 2' sh "$P/build/.lock.owner" &
	h=$!
	until ! flock -n "$P/build/.lock" true; do sleep 0.05; done
	LOCK_WAIT=0 make -s -C "$P" tree >"$FX/out" 2>&1
	rc=$?
	wait "$h"
	failed "$rc" && out_has 'another harness command runs in this checkout: make holder \(pid [0-9]+\) since now; not waiting' &&
		! grep -q 'tree.sh gone' "$FX/out"
}

# make lkml's units (harness/lkml-full.sh) are keyed by the code, not by
# commit messages: all of them stale without records, none once recorded,
# none after a reword or a Documentation change (nothing builds it), and
# after a new kernel commit only those it reaches (the tip's configs,
# stable, stress, static, the 0-day builds and its own step; not base's
# configs, not the selftests' arches, not the earlier steps); a change to an
# arch's QEMU stales nothing, to its compiler the selftests' arches and that
# arch's kernel builds
case_lkml_units_keyed_by_code_not_messages() {
	local plan=$P/build/state/lkml-plan
	restore exact
	mkdir -p "$P/lkml" && : >"$P/lkml/stable.txt"
	hs lkml-full.sh stale
	failed $? && out_has '^not verified: config-series-nopidns .* arches stable stress static allmodconfig randconfig arch-arm64 arch-i386 step-1 step-2 step-3 $' || return 1
	awk '$1 == "unit" { print "unit", $2, $3, "2026-01-01" }
		$1 == "step" { print "unit step-" $2, $5, "2026-01-01" }' "$plan" >"$P/lkml/verified"
	hs lkml-full.sh stale
	ok $? && out_has '^all 15 units verified \(2026-01-01\)$' || return 1
	at 7 git -C "$P/$T" commit -q --amend -m "Documentation: describe it, reworded"
	hs lkml-full.sh stale
	ok $? && out_has '^all 15 units verified' || return 1
	edit "$P/$T/Documentation/pid.rst" 8 "Line eight, described."
	at 8 git -C "$P/$T" commit -qam "Documentation: line eight"
	hs lkml-full.sh stale
	ok $? && out_has '^all 15 units verified' || return 1
	edit "$P/$T/kernel/fork.c" 30 "int fork_line 30 = six;"
	at 9 git -C "$P/$T" commit -qam "fork: a seventh change"
	hs lkml-full.sh stale
	failed $? && out_has '^not verified: config-series-nopidns config-series-debug stable stress static allmodconfig randconfig arch-arm64 arch-i386 step-7 $' || return 1
	awk '$1 == "unit" { print "unit", $2, $3, "2026-01-01" }
		$1 == "step" { print "unit step-" $2, $5, "2026-01-01" }' "$plan" >"$P/lkml/verified"
	sed -i 's/^qemu .*/qemu qemu-system-aarch64 -M virt -cpu max/' "$P/configs/arch/arm64.txt"
	hs lkml-full.sh stale
	ok $? && out_has '^all 16 units verified' || return 1
	sed -i 's/^cross .*/cross aarch64-linux-gnu-x-/' "$P/configs/arch/arm64.txt"
	hs lkml-full.sh stale
	failed $? && out_has '^not verified: arches arch-arm64 $'
}

cases() {
	declare -F | sed -n 's/^declare -f case_//p'
}

run_case() {
	local out rc
	out=$("case_$1")
	rc=$?
	if [ "$rc" = 0 ]; then echo "PASS $1"; else echo "FAIL $1"; fi
	[ -z "$out" ] || printf '%s\n' "$out"
}

if [ "${1:-}" = --disk-full-inner ]; then
	fx_init "$2"
	disk_full_inner "$3" tmpfs
	exit
fi
dir=$(mktemp -d /tmp/tree-faults.XXXXXX)
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$dir"' EXIT
if ! fx_setup "$dir"; then
	echo "FAIL tree_fixture_setup"
	sed 's/^/#   /' "$dir/out"
	exit 1
fi
if [ $# = 0 ]; then
	mapfile -t all < <(cases)
	set -- "${all[@]}"
fi
for c; do
	t0=$(date +%s%N)
	run_case "$c"
	[ "${TIMES:-0}" = 0 ] || echo "# $c: $((($(date +%s%N) - t0) / 1000000)) ms"
done
