#!/bin/sh
# Stage tree: the scratch kernel tree build/linux, a git repository with
#   stock  (tag)    Debian's linux-source-6.12, as unpacked
#   base   (branch) stock + base/*.patch      (subjects start with "base:")
#   series (branch) base + patches/*.patch    (checked out: edit here)
# and worktrees build/wt/stock, build/wt/base for building those variants.
#
#   tree.sh [ensure]  create or refresh it from base/ and patches/
#   tree.sh force     re-create it even if it has work not exported
#   tree.sh export    write base/ and patches/ from the scratch tree
#   tree.sh cover     set the branch description from patches/0000-cover-letter.patch
. "$(dirname "$0")/lib.sh"
STAGE=tree

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
	git_t config user.name "$_name"
	git_t config user.email "$_mail"
}

source_version() {
	_deb=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null)
	_mk=$(sed -n 's/^\(VERSION\|PATCHLEVEL\|SUBLEVEL\) = //p' "$TREE/Makefile" | paste -sd.)
	printf 'Debian linux-source-6.12 %s (Linux %s)\n' "${_deb:-unknown}" "$_mk"
}

unpack() {
	[ -f "$TARBALL" ] || die "$TARBALL not found (package linux-source-6.12; run make deps)"
	rm -rf "$TREE" "$BUILD/wt" "$BUILD/linux.tmp"
	git worktree prune 2>/dev/null || :
	mkdir -p "$BUILD/linux.tmp"
	stage "unpacking $TARBALL"
	tar -xf "$TARBALL" -C "$BUILD/linux.tmp" --strip-components=1 ||
		die "could not unpack $TARBALL"
	mv "$BUILD/linux.tmp" "$TREE"
	# Debian's .gitignore ends by ignoring everything at the top level
	# ("/*", "!/debian/"), which would hide new files from git here.
	sed -i -e '/^# Debian packaging/,$d' "$TREE/.gitignore"
	sed -i -e '${/^#$/d}' "$TREE/.gitignore"
	stage "committing stock ($(source_version))"
	git_t init -q -b series
	git_t config gc.auto 0
	echo '/.build-*/' >>"$TREE/.git/info/exclude"
	identity
	git_t add -A
	git_t commit -q -m "stock: $(source_version)" \
		-m "Unpacked from /usr/src/linux-source-6.12.tar.xz by harness/tree.sh.
Only change: the Debian packaging block at the end of .gitignore (which
ignores every top-level path) is dropped, so that git sees new files."
	git_t tag -f stock >/dev/null
	source_version >"$BUILD/source-version"
}

# apply_dir DIR: git am every patch of DIR on the current branch
apply_dir() {
	for _p in "$1"/*.patch; do
		[ -e "$_p" ] || continue
		case ${_p##*/} in 0000-cover-letter.patch) continue ;; esac
		if ! git_t am -q "$_p" >"$LOGDIR/am.log" 2>&1; then
			git_t am --show-current-patch=diff >/dev/null 2>&1
			cat "$LOGDIR/am.log" >&2
			git_t am --abort >/dev/null 2>&1
			die "patch does not apply: ${_p#"$TOP"/} (on $(git_t log -1 --format=%s))"
		fi
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

apply_all() {
	mkdir -p "$LOGDIR" "$STATE"
	git_t checkout -q -f series
	git_t reset -q --hard stock
	stage "applying base/"
	apply_dir "$TOP/base"
	git_t branch -f base HEAD
	stage "applying patches/"
	apply_dir "$TOP/patches"
	cover_to_description
	stamp_set tree "$(inputs_hash)"
	stamp_set tree-head "$(git_t rev-parse HEAD)"
	worktrees
}

worktrees() {
	for _v in stock base; do
		_wt=$BUILD/wt/$_v
		if [ ! -e "$_wt/.git" ]; then
			stage "worktree $_v"
			rm -rf "$_wt"
			git_t worktree prune
			git_t worktree add -q --detach "$_wt" "$_v" ||
				die "could not create the worktree $_wt"
		else
			git -C "$_wt" checkout -q --detach -f "$_v"
		fi
	done
}

# Work in the scratch tree that export has not written to the repository.
unexported() {
	git_t status --porcelain --untracked-files=no | head -n 5
	[ "$(git_t rev-parse HEAD)" = "$(cat "$STATE/tree-head" 2>/dev/null)" ] ||
		echo "commits on series not exported (HEAD moved since the tree was made)"
}

ensure() {
	if ! git_t rev-parse -q --verify stock >/dev/null 2>&1; then
		unpack
		apply_all
		return
	fi
	if stamp_ok tree "$(inputs_hash)"; then
		worktrees
		return
	fi
	_w=$(unexported)
	if [ -n "$_w" ] && [ "${FORCE:-0}" != 1 ]; then
		printf '%s\n' "$_w" >&2
		die "base/ or patches/ changed, but $TREE has work not exported: run 'make export' first, or 'make tree FORCE=1' to drop it"
	fi
	stage "base/ or patches/ changed: re-applying"
	apply_all
}

count() {
	[ -e "$1" ] && echo $# || echo 0
}

# export: commits whose subject starts with "base:" form base/, the rest patches/.
export_series() {
	_first=$(git_t rev-list --reverse stock..series | while read -r _c; do
		case $(git_t log -1 --format=%s "$_c") in
		base:*) ;;
		*) echo "$_c"; break ;;
		esac
	done)
	if [ -n "$_first" ]; then
		git_t branch -f base "$_first^"
	else
		git_t branch -f base series
	fi
	_fp="format-patch -q --zero-commit --no-signature"
	rm -f "$TOP"/base/*.patch "$TOP"/patches/*.patch
	# shellcheck disable=SC2086 # $_fp is a list of options
	git_t $_fp -o "$TOP/base" stock..base
	if [ -n "$(git_t rev-list base..series)" ]; then
		# shellcheck disable=SC2086
		git_t $_fp --cover-letter --cover-from-description=subject \
			-o "$TOP/patches" base..series
	fi
	stamp_set tree "$(inputs_hash)"
	stamp_set tree-head "$(git_t rev-parse HEAD)"
	worktrees
	stage "exported $(count "$TOP"/base/*.patch) base and $(count "$TOP"/patches/*.patch) series files"
}

case ${1:-ensure} in
ensure) ensure ;;
force) FORCE=1 ensure ;;
recreate) unpack; apply_all ;;
cover) cover_to_description ;;
export)
	[ -d "$TREE/.git" ] || die "no scratch tree at $TREE (make tree)"
	export_series ;;
*) die "usage: tree.sh [ensure|force|recreate|export]" ;;
esac
