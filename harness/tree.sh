#!/bin/sh
# Stage tree: the scratch kernel tree build/linux, a git repository with
#   stock  (tag)    Debian's linux-source-6.12, as unpacked
#   base   (branch) stock + base/*.patch      (subjects start with "base:")
#   series (branch) base + patches/*.patch    (checked out: edit here)
# and worktrees build/wt/stock, build/wt/base for building those variants.
#
#   tree.sh [ensure]  create or refresh it from base/ and patches/
#   tree.sh force     the same, also when that drops work not exported (kept
#                     as branch dropped) or repairs a broken tree
#   tree.sh recreate  unpack the source again, then apply base/ and patches/
#   tree.sh export    write base/ and patches/ from the scratch tree
#   tree.sh cover     set the branch description from patches/0000-cover-letter.patch
#   tree.sh state     say what the scratch tree is, changing nothing
#   tree.sh check     fail, saying why, unless the scratch tree may be built
#
# The states (tree_state): absent; exact (base/ + patches/, as the stamp
# build/state/tree-made records); work (exact plus commits or edits not
# exported); stale (base/ or patches/ changed since, and no work: applied
# again); diverged (both changed); broken (a git operation in progress, HEAD
# off series, series lacking patches that base/ or patches/ have, ...).
#
# Applying and exporting are operations recorded in build/state/tree-op
# while they run: a failure or an interruption (a trap for SIGINT, SIGTERM
# and SIGHUP; the next command after a SIGKILL) puts back what was there
# before. The scratch tree's branches and stamp, and base/ and patches/,
# change at the end of an operation, all or nothing.
. "$(dirname "$0")/lib.sh"
STAGE=tree
OP=$STATE/tree-op
MADE=$STATE/tree-made
X=$TOP/.export
T=${TREE#"$TOP"/}

git_t() {
	git -C "$TREE" "$@"
}

inputs_hash() {
	hash_files "$TOP"/base/*.patch "$TOP"/patches/*.patch
}

# The identity for commits the harness makes: the repository's own.
identity() {
	_name=$(git -C "$TOP" config user.name || echo "pidns harness")
	_mail=$(git -C "$TOP" config user.email || echo "harness@localhost")
	git -C "$1" config user.name "$_name"
	git -C "$1" config user.email "$_mail"
}

# source_version DIR
source_version() {
	_deb=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null)
	_mk=$(sed -n 's/^\(VERSION\|PATCHLEVEL\|SUBLEVEL\) = //p' "$1/Makefile" | paste -sd.)
	printf 'Debian linux-source-6.12 %s (Linux %s)\n' "${_deb:-unknown}" "$_mk"
}

# The stock commit, dated like the tarball, so that the same tarball and
# patches make the same commits (git am keeps the patches' dates).
commit_stock() {
	_d="$(stat -c %Y "$TARBALL") +0000"
	git -C "$1" init -q -b series &&
		git -C "$1" config gc.auto 0 &&
		git -C "$1" config maintenance.auto false &&
		echo '/.build-*/' >>"$1/.git/info/exclude" &&
		identity "$1" &&
		git -C "$1" add -A &&
		GIT_AUTHOR_DATE=$_d GIT_COMMITTER_DATE=$_d git -C "$1" commit -q \
			-m "stock: $2" -m "Unpacked from $TARBALL by harness/tree.sh.
Only change: the Debian packaging block at the end of .gitignore (which
ignores every top-level path) is dropped, so that git sees new files." &&
		git -C "$1" tag -f stock >/dev/null &&
		git -C "$1" branch -f base stock
}

# unpack: a new repository in linux.tmp, which then replaces the tree in one
# rename; without a stamp, a tree counts as made from nothing (stamp_get).
unpack() {
	[ -f "$TARBALL" ] || die "$TARBALL not found (package linux-source-6.12; run make deps)"
	_new=$BUILD/linux.tmp
	{ rm -rf "$_new" && mkdir -p "$_new"; } || die "cannot create $_new"
	stage "unpacking $TARBALL"
	tar -xf "$TARBALL" -C "$_new" --strip-components=1 || die "could not unpack $TARBALL"
	# Debian's .gitignore ends by ignoring everything at the top level
	# ("/*", "!/debian/"), which would hide new files from git here.
	if [ -f "$_new/.gitignore" ]; then
		sed -i -e '/^# Debian packaging/,$d' "$_new/.gitignore"
		sed -i -e '${/^#$/d}' "$_new/.gitignore"
	fi
	_v=$(source_version "$_new")
	stage "committing stock ($_v)"
	commit_stock "$_new" "$_v" || die "could not commit the unpacked source in $_new"
	if [ -e "$TREE" ]; then
		{ rm -rf "$BUILD/linux.old" && mv "$TREE" "$BUILD/linux.old"; } ||
			die "cannot move $TREE away"
	fi
	{ rm -f "$MADE" "$STATE/tree" "$STATE/tree-head" && mv "$_new" "$TREE"; } ||
		die "cannot move $_new to $TREE"
	rm -rf "$BUILD/linux.old" "$BUILD/wt"
	printf '%s\n' "$_v" >"$BUILD/source-version"
}

# The stamp: "HASH HEAD", the hash of base/ and patches/ and the commit
# series was at when the tree was made from them or exported to them. A tree
# without one was made from nothing, at stock. (Earlier versions of the
# harness kept the two in build/state/tree and tree-head.)
stamp_get() {
	if [ -f "$MADE" ]; then
		cat "$MADE"
	elif [ -f "$STATE/tree" ] && [ -f "$STATE/tree-head" ]; then
		echo "$(cat "$STATE/tree") $(cat "$STATE/tree-head")"
	else
		echo "none $(git_t rev-parse -q --verify 'stock^{commit}')"
	fi
}

stamp_now() {
	stamp_set tree-made "$(inputs_hash) $1" && rm -f "$STATE/tree" "$STATE/tree-head"
}

# op_begin NAME FIELD...: record an operation (one field a line) before it
# changes anything; op_end when it completed or was undone
op_begin() {
	_name=$1
	shift
	{
		mkdir -p "$STATE" &&
			{ echo "$_name" && for _f; do echo "$_f"; done; } >"$OP.tmp" &&
			mv -f "$OP.tmp" "$OP"
	} || die "cannot write $OP"
}

op_field() {
	sed -n "${1}p" "$OP" 2>/dev/null
}

op_end() {
	rm -f "$OP" "$OP.desc"
}

# apply_dir DIR: git am every patch of DIR on HEAD
apply_dir() {
	for _p in "$1"/*.patch; do
		[ -e "$_p" ] || continue
		case ${_p##*/} in 0000-cover-letter.patch) continue ;; esac
		if ! git_t am -q --committer-date-is-author-date "$_p" >"$LOGDIR/am.log" 2>&1; then
			# git am's message, without its advice to resolve, skip or
			# abort: the apply is undone
			grep -v -e '^hint: ' -e '^When you have resolved' -e '^If you prefer to skip' \
				-e '^To restore the original branch' "$LOGDIR/am.log" >&2
			apply_failed "patch does not apply: ${_p#"$TOP"/} (on $(git_t log -1 --format=%s)).
  $T is left as it was; put the patch right, then run make tree again"
		fi
		crash_point apply-am
	done
}

# The cover letter's subject and body live in the series branch
# description, so that export can regenerate patches/0000-cover-letter.patch.
cover_to_description() {
	_c=$TOP/patches/0000-cover-letter.patch
	[ -f "$_c" ] || return 0
	git mailinfo "$STATE/cover.msg" "$STATE/cover.patch" <"$_c" >"$STATE/cover.info" ||
		die "cannot read $_c"
	{
		sed -n 's/^Subject: //p' "$STATE/cover.info"
		printf '\n'
		# the body, up to the shortlog format-patch adds ("Author (N):")
		sed '/^[^ ].* ([0-9][0-9]*):$/,$d' "$STATE/cover.msg"
	} >"$STATE/cover.txt"
	git_t config branch.series.description "$(cat "$STATE/cover.txt")"
}

# The work in the scratch tree that is not in base/ and patches/: edits,
# and commits since the stamp's (which is $1).
unexported() {
	git_t status --porcelain --untracked-files=no | head -n 5
	[ "$(git_t rev-parse HEAD)" = "$1" ] ||
		echo "commits on series not exported (HEAD moved since the tree was made or exported)"
}

# apply_all: base/ then patches/ on stock, on a detached HEAD; the branches,
# the description and the stamp change only once everything applied. Work
# that this drops (FORCE=1) is kept as branch dropped first.
apply_all() {
	mkdir -p "$LOGDIR" "$STATE" || die "cannot create $STATE"
	_old=$(stamp_get)
	_stash=
	if [ -n "$(git_t status --porcelain --untracked-files=no)" ]; then
		_stash=$(git_t stash create) || die "cannot save the edits in $T"
	fi
	if [ -n "$(unexported "${_old#* }")" ]; then
		git_t branch -f dropped "${_stash:-HEAD}" ||
			die "cannot keep the work in $T as branch dropped"
		stage "the work not exported is kept as branch dropped (git -C $T log dropped)"
	fi
	git_t config --get branch.series.description >"$OP.desc"
	op_begin apply "$(git_t rev-parse -q --verify refs/heads/series)" \
		"$(git_t rev-parse -q --verify refs/heads/base)" "$_stash" "$_old"
	trap 'rollback_apply; exit 130' INT TERM HUP
	git_t checkout -q -f --detach stock || apply_failed "cannot check out stock in $T"
	stage "applying base/"
	apply_dir "$TOP/base"
	_base=$(git_t rev-parse HEAD)
	stage "applying patches/"
	apply_dir "$TOP/patches"
	cover_to_description
	{
		git_t update-ref refs/heads/base "$_base" &&
			git_t update-ref refs/heads/series HEAD &&
			git_t symbolic-ref HEAD refs/heads/series
	} || apply_failed "cannot update the branches of $T"
	crash_point apply-refs
	stamp_now "$(git_t rev-parse HEAD)" || apply_failed "cannot write the stamp $MADE"
	crash_point apply-stamp
	op_end
	trap - INT TERM HUP
	worktrees
}

apply_failed() {
	rollback_apply || printf 'error: could not put %s back; the next make will try again\n' "$T" >&2
	trap - INT TERM HUP
	die "$1"
}

# set_ref BRANCH COMMIT: the branch at COMMIT, or deleted if COMMIT is empty
set_ref() {
	if [ -n "$2" ]; then
		git_t update-ref "refs/heads/$1" "$2"
	else
		git_t update-ref -d "refs/heads/$1" 2>/dev/null || :
	fi
}

# rollback_apply: the branches, description, stamp, files and edits as they
# were when the apply recorded in $OP began
rollback_apply() {
	git_t am --abort >/dev/null 2>&1
	rm -rf "$TREE/.git/rebase-apply"
	set_ref series "$(op_field 2)" && set_ref base "$(op_field 3)" || return 1
	if [ -s "$OP.desc" ]; then
		git_t config branch.series.description "$(cat "$OP.desc")" || return 1
	else
		git_t config --unset branch.series.description
	fi
	git_t symbolic-ref HEAD refs/heads/series && git_t reset -q --hard || return 1
	_stash=$(op_field 4)
	if [ -n "$_stash" ] && ! git_t stash apply -q "$_stash" >/dev/null 2>&1; then
		printf 'note: the edits in %s did not apply again; they are in branch dropped\n' "$T" >&2
	fi
	case $(op_field 5) in
	none\ *|'') rm -f "$MADE" ;;
	*) stamp_set tree-made "$(op_field 5)" || return 1 ;;
	esac
	op_end
}

worktrees() {
	for _v in stock base; do
		_wt=$BUILD/wt/$_v
		rm -f "$TREE/.git/worktrees/$_v/index.lock" "$TREE/.git/worktrees/$_v/HEAD.lock"
		if [ -e "$_wt/.git" ] && git -C "$_wt" checkout -q --detach -f "$_v" 2>/dev/null; then
			continue
		fi
		stage "worktree $_v"
		rm -rf "$_wt"
		git_t worktree prune
		git_t worktree add -q --detach "$_wt" "$_v" ||
			die "could not create the worktree $_wt"
	done
}

# A git operation left in progress in the scratch tree, if any
git_busy() {
	_g=$TREE/.git
	if [ -d "$_g/rebase-apply" ]; then
		if [ -f "$_g/rebase-apply/applying" ]; then echo am; else echo rebase; fi
	elif [ -d "$_g/rebase-merge" ]; then
		echo rebase
	elif [ -f "$_g/MERGE_HEAD" ]; then
		echo merge
	elif [ -f "$_g/CHERRY_PICK_HEAD" ]; then
		echo cherry-pick
	elif [ -f "$_g/REVERT_HEAD" ]; then
		echo revert
	elif [ -f "$_g/BISECT_LOG" ]; then
		echo bisect
	fi
}

git_abort() {
	case $1 in
	bisect) git_t bisect reset ;;
	*) git_t "$1" --abort ;;
	esac >/dev/null 2>&1
	rm -rf "$TREE/.git/rebase-apply" "$TREE/.git/rebase-merge"
}

# The patches of base/ and patches/ that no commit of stock..series explains
# (none has the same subject, or the same diff): what an export would delete
# or rewrite without them.
unexplained() {
	_subjects=$(git_t log --format=%s stock..series)
	_ids=
	for _p in "$TOP"/base/*.patch "$TOP"/patches/*.patch; do
		[ -e "$_p" ] || continue
		case ${_p##*/} in 0000-cover-letter.patch) continue ;; esac
		_s=$(git mailinfo /dev/null /dev/null <"$_p" | sed -n 's/^Subject: //p')
		[ -n "$_s" ] && printf '%s\n' "$_subjects" | grep -qxF -e "$_s" && continue
		[ -n "$_ids" ] || _ids=$(git_t log -p --format='commit %H' stock..series |
			git patch-id --stable | cut -d' ' -f1)
		_id=$(git patch-id --stable <"$_p" | cut -d' ' -f1)
		[ -n "$_id" ] && printf '%s\n' "$_ids" | grep -qxF -e "$_id" && continue
		printf '%s\n' "${_p#"$TOP"/}"
	done
}

# tree_state: sets st (absent, exact, work, stale, diverged or broken) and,
# for a broken tree, bad (what kind: op, stock, busy, lock, head, refs,
# missing), why (what is wrong) and fix (the command that repairs it); miss
# is what unexplained printed, if it ran (there is work), else "-"
tree_state() {
	bad='' why='' fix='' miss=-
	if [ ! -d "$TREE/.git" ]; then
		st=absent
		return
	fi
	st=broken
	if [ -f "$OP" ]; then
		bad=op why="a harness command was interrupted while it changed $T ($(op_field 1))"
		fix="make tree"
	elif ! git_t rev-parse -q --verify refs/tags/stock >/dev/null; then
		bad=stock why="$T has no tag stock: it was not made by the harness, or is damaged"
		fix="make tree FORCE=1 (unpacks the source again; $T's branches are lost)"
	elif [ -n "$(git_busy)" ]; then
		_g=$(git_busy)
		bad=busy why="a git $_g is in progress in $T"
		fix="git -C $T $_g --abort (or finish it), then make again"
		[ "$_g" != bisect ] || fix="git -C $T bisect reset"
	elif [ -e "$TREE/.git/index.lock" ]; then
		bad=lock why="$T/.git/index.lock exists: a git command runs in $T, or one was killed"
		fix="rm $T/.git/index.lock (once no git command runs there)"
	elif [ "$(git_t symbolic-ref -q HEAD)" != refs/heads/series ]; then
		_h=$(git_t symbolic-ref -q --short HEAD || echo "detached at $(git_t rev-parse --short HEAD)")
		bad=head why="$T is not on branch series (HEAD: $_h)"
		fix="git -C $T checkout series"
	elif ! git_t rev-parse -q --verify refs/heads/base >/dev/null ||
		! git_t merge-base --is-ancestor stock base ||
		! git_t merge-base --is-ancestor base series; then
		bad=refs why="branches base and series of $T do not both start from tag stock, series on base"
		fix="make tree FORCE=1 (applies base/ and patches/ again; series is kept as branch dropped)"
	else
		_stamp=$(stamp_get)
		_work=$(unexported "${_stamp#* }")
		[ -z "$_work" ] || miss=$(unexplained)
		if [ -n "$miss" ] && [ "$miss" != - ]; then
			bad=missing why="branch series of $T lacks $(printf '%s\n' "$miss" | wc -l) patch(es) that base/ and patches/ have (half-applied, or dropped there):
$(printf '%s\n' "$miss" | sed 's/^/    /')"
			fix="make tree FORCE=1 (applies base/ and patches/ again; series is kept as branch dropped); if you dropped them on purpose: make export FORCE=1"
		elif [ "${_stamp%% *}" = "$(inputs_hash)" ]; then
			st=exact
			[ -z "$_work" ] || st=work
		else
			st=stale
			[ -z "$_work" ] || st=diverged
		fi
	fi
}

# One line (more for broken) on what tree_state found
state_text() {
	case $st in
	absent) echo "absent: no scratch tree at $T; make tree makes it" ;;
	exact) echo "exact: $T is base/ + patches/ (series at $(git_t rev-parse --short HEAD))" ;;
	work) echo "work: $T is base/ + patches/ with work not exported on top; make export writes it" ;;
	stale) echo "stale: base/ or patches/ changed since $T was made from them; make tree applies them" ;;
	diverged) echo "diverged: base/ or patches/ changed since $T was made from them, and $T has work not exported" ;;
	broken) printf 'broken: %s\n  repair: %s\n' "$why" "$fix" ;;
	esac
}

diverged_help() {
	unexported "$(stamp_get | cut -d' ' -f2)" | sed 's/^/    /'
	echo "  keep $T's work: make export FORCE=1 (overwrites base/ and patches/; the old ones are kept under ${BUILD#"$TOP"/}/backup/)"
	echo "  take base/ and patches/: make tree FORCE=1 ($T's work is kept as branch dropped)"
}

ensure() {
	tree_state
	case $st in
	absent) unpack && apply_all ;;
	exact|work) worktrees ;;
	stale)
		stage "base/ or patches/ changed: applying them"
		apply_all ;;
	*)
		if [ "${FORCE:-0}" != 1 ] || [ "$bad" = lock ]; then
			die "$(state_text)
$([ "$st" != diverged ] || diverged_help)"
		fi
		stage "FORCE=1: $st; making $T from base/ and patches/ again"
		case $bad in
		stock) unpack ;;
		busy) git_abort "$(git_busy)" ;;
		esac
		apply_all ;;
	esac
}

# Clean up after an operation a SIGKILL interrupted (or a failed one): the
# scratch tree's git lock files are that operation's, then the operation is
# undone (apply, an export not yet in place) or completed (an export in place).
recover() {
	rm -rf "$BUILD/linux.tmp" "$BUILD/linux.old"
	if [ ! -f "$OP" ]; then
		[ ! -e "$X" ] || export_recover || die "cannot remove $X"
		return 0
	fi
	_op=$(op_field 1)
	stage "the last $_op was interrupted: recovering"
	if [ -d "$TREE/.git" ]; then
		find "$TREE/.git" -path "$TREE/.git/objects" -prune -o -name '*.lock' -type f -exec rm -f {} +
	fi
	case $_op in
	apply) [ ! -d "$TREE/.git" ] || rollback_apply ;;
	export) export_recover ;;
	*) false ;;
	esac || die "could not recover from the interrupted $_op (see $OP)"
	op_end
}

# export: commits whose subject starts with "base:" form base/, the rest
# patches/, written in $X/new, then renamed into place (swap_in).
base_end() {
	_first=$(git_t rev-list --reverse stock..series | while read -r _c; do
		case $(git_t log -1 --format=%s "$_c") in
		base:*) ;;
		*) echo "$_c"; break ;;
		esac
	done)
	if [ -n "$_first" ]; then
		git_t rev-parse "$_first^"
	else
		git_t rev-parse series
	fi
}

# The header of a patch without its Date: line
undated() {
	sed '1,/^$/{/^Date: /d}' "$1"
}

# The cover letter's Date: the existing letter's if nothing else in it
# changed, else the newest author date of the series; either way exporting
# the same tree twice writes the same bytes.
cover_date() {
	_new=$1/patches/0000-cover-letter.patch
	_old=$TOP/patches/0000-cover-letter.patch
	[ -f "$_new" ] || return 0
	if [ -f "$_old" ] && [ "$(undated "$_old")" = "$(undated "$_new")" ]; then
		_d=$(sed -n '1,/^$/s/^Date: //p' "$_old" | head -n 1)
	else
		_d=$(git_t log --format='%at %aD' "$2"..series | sort -n | tail -n 1 | cut -d' ' -f2-)
	fi
	[ -n "$_d" ] || return 0
	sed "1,/^\$/s/^Date: .*/Date: $_d/" "$_new" >"$_new.tmp" && mv -f "$_new.tmp" "$_new"
}

# export_write DIR BASE: DIR/base and DIR/patches as export makes them
export_write() {
	mkdir -p "$1/base" "$1/patches" || return 1
	_fp="format-patch -q --zero-commit --no-signature"
	# shellcheck disable=SC2086 # $_fp is a list of options
	git_t $_fp -o "$1/base" "stock..$2" || return 1
	if [ -n "$(git_t rev-list "$2..series")" ]; then
		# shellcheck disable=SC2086
		git_t $_fp --cover-letter --cover-from-description=subject \
			-o "$1/patches" "$2..series" || return 1
		cover_date "$1" "$2" || return 1
	fi
	# the other files there are not export's: they stay
	for _f in "$TOP"/base/* "$TOP"/patches/*; do
		[ -f "$_f" ] || continue
		case $_f in *.patch) continue ;; esac
		cp -p "$_f" "$1/${_f#"$TOP"/}" || return 1
	done
}

# changes DIR: what replacing base/ and patches/ with DIR's would do, a line
# each: "A path" (new), "M path" (changed), "D path" (deleted)
changes() {
	(cd "$TOP" && find base patches -type f 2>/dev/null | sort) >"$X/files.old"
	(cd "$1" && find base patches -type f | sort) >"$X/files.new"
	comm -13 "$X/files.old" "$X/files.new" | sed 's/^/A /'
	comm -12 "$X/files.old" "$X/files.new" | while read -r _f; do
		cmp -s "$TOP/$_f" "$1/$_f" || echo "M $_f"
	done
	comm -23 "$X/files.old" "$X/files.new" | sed 's/^/D /'
}

# backup: a copy of base/ and patches/ in build/backup/export-TIME (the 20
# newest are kept); prints its path
backup() {
	_bk=$BUILD/backup/export-$(date +%Y%m%d-%H%M%S)-$$
	if ! mkdir -p "$_bk" || ! cp -a "$TOP/base" "$TOP/patches" "$_bk/"; then
		rm -rf "$_bk"
		return 1
	fi
	find "$BUILD/backup" -mindepth 1 -maxdepth 1 -name 'export-*' | sort | head -n -20 |
		while read -r _o; do rm -rf "$_o"; done
	printf '%s\n' "$_bk"
}

# swap_in: $X/new/base and $X/new/patches replace base/ and patches/, the old
# ones moved to $X/old; renaming $X/old to $X/done marks the swap complete.
# export_recover undoes a swap that did not complete.
swap_in() {
	mkdir -p "$TOP/base" "$TOP/patches" "$X/old" || return 1
	for _d in base patches; do
		mv "$TOP/$_d" "$X/old/$_d" || return 1
		crash_point "export-out-$_d"
		mv "$X/new/$_d" "$TOP/$_d" || return 1
		crash_point "export-in-$_d"
	done
	mv "$X/old" "$X/done"
}

# export_commit: after the swap, the base branch and the stamp (recorded in $OP)
export_commit() {
	_head=$(op_field 2)
	_b=$(op_field 3)
	[ -n "$_head" ] || return 0
	git_t update-ref refs/heads/base "$_b" && stamp_now "$_head"
}

# export_recover: an export that did not complete is undone (its old base/
# and patches/ put back), one whose swap completed is finished; then $X goes
export_recover() {
	if [ -d "$X/done" ]; then
		export_commit || return 1
	elif [ -d "$X/old" ]; then
		for _d in base patches; do
			[ -e "$X/old/$_d" ] || continue
			rm -rf "${TOP:?}/$_d" && mv "$X/old/$_d" "$TOP/$_d" || return 1
		done
	fi
	rm -rf "$X" && op_end
}

export_failed() {
	export_recover || printf 'error: could not clean up after the export; the next make will try again\n' >&2
	trap - INT TERM HUP
	die "$1"
}

# export_allowed: refuse a broken tree (FORCE=1 only for patches series lacks), a
# tree made from other base/ and patches/ than those there (FORCE=1 overwrites)
export_allowed() {
	tree_state
	case $st in
	absent) die "no scratch tree at $T (make tree)" ;;
	exact|work) return 0 ;;
	esac
	# (patches series lacks: export_series names them)
	[ "$bad" != missing ] || return 0
	if [ "${FORCE:-0}" = 1 ]; then
		[ -n "$bad" ] || return 0
		die "$(state_text)
  (make export does not export a broken tree, even with FORCE=1)"
	fi
	case $st in
	stale) die "base/ or patches/ changed since $T was made from them, and $T has no work of its own: an export would undo that change.
  repair: make tree (applies them); make export FORCE=1 exports anyway" ;;
	diverged) die "$(state_text); an export would overwrite base/ and patches/:
$(diverged_help)" ;;
	*) die "$(state_text)" ;;
	esac
}

export_series() {
	export_allowed
	_edits=$(git_t status --porcelain --untracked-files=no)
	[ -z "$_edits" ] || stage "note: edits not committed in $T are not exported:
$(printf '%s\n' "$_edits" | sed 's/^/    /')"
	[ "$st" = exact ] && miss=
	[ "$miss" != - ] || miss=$(unexplained)
	_miss=$miss
	if [ -n "$_miss" ]; then
		[ "${FORCE:-0}" = 1 ] || die "make export would delete or rewrite without them $(printf '%s\n' "$_miss" | wc -l) patch(es) that branch series of $T does not have (no commit with that subject or that diff):
$(printf '%s\n' "$_miss" | sed 's/^/    /')
  if that is what you want: make export FORCE=1 (the old files are kept under ${BUILD#"$TOP"/}/backup/)"
		stage "FORCE=1: deleting what series lacks:"
		printf '%s\n' "$_miss" | sed 's/^/    /'
	fi
	_b=$(base_end)
	_head=$(git_t rev-parse HEAD)
	rm -rf "$X"
	trap 'export_recover; exit 130' INT TERM HUP
	{ mkdir -p "$X" && export_write "$X/new" "$_b"; } ||
		export_failed "could not write the export to $X/new (disk full?); base/ and patches/ are as they were"
	crash_point export-written
	changes "$X/new" >"$X/changes" || export_failed "cannot compare $X/new with base/ and patches/"
	if [ ! -s "$X/changes" ]; then
		rm -rf "$X"
		trap - INT TERM HUP
		{ git_t update-ref refs/heads/base "$_b" && stamp_now "$_head"; } ||
			die "cannot write the stamp $MADE"
		worktrees
		stage "exported: nothing changed (base/ and patches/ are $T already)"
		return 0
	fi
	_bk=$(backup) || export_failed "could not back up base/ and patches/ under $BUILD/backup (disk full?); they are as they were"
	op_begin export "$_head" "$_b"
	swap_in || export_failed "could not move the export into place; base/ and patches/ are as they were"
	crash_point export-swapped
	export_commit || export_failed "cannot write the stamp $MADE"
	crash_point export-stamped
	_changes=$(cat "$X/changes")
	rm -rf "$X"
	op_end
	trap - INT TERM HUP
	worktrees
	stage "exported $(count "$TOP"/base/*.patch) base and $(count "$TOP"/patches/*.patch) series files:"
	printf '%s\n' "$_changes" | sed 's/^/    /'
	stage "the previous base/ and patches/ are in ${_bk#"$TOP"/}"
}

count() {
	[ -e "$1" ] && echo $# || echo 0
}

check() {
	tree_state
	case $st in
	exact|work) return 0 ;;
	esac
	die "$T is not fit to build: $(state_text)"
}

cmd=${1:-ensure}
case $cmd in
state)
	tree_state
	state_text
	if [ -e "$BUILD/.lock" ] && [ "${HARNESS_LOCK:-}" != "$BUILD/.lock" ] &&
		! flock -n "$BUILD/.lock" true; then
		echo "  (another harness command runs in this checkout: $(cat "$BUILD/.lock.owner" 2>/dev/null))"
	fi
	exit 0 ;;
ensure|force|recreate|cover|export|check) ;;
*) die "usage: tree.sh [ensure|force|recreate|export|cover|state|check]" ;;
esac
checkout_lock "tree.sh $cmd"
recover
case $cmd in
ensure) ensure ;;
force) FORCE=1 ensure ;;
recreate) unpack && apply_all ;;
cover) cover_to_description ;;
export) export_series ;;
check) check ;;
esac
