#!/bin/sh
# Stage lkml: could the series in patches/ be mailed today?
#   lkml.sh quick  checkpatch (against lkml/checkpatch-allow.txt), subjects,
#                  sign-offs, cover letter, the selftests patch alone on stock,
#                  the mails with their recipients in build/lkml/v<N>/
#   lkml.sh full   quick, then every patch built and booted in turn on base
#                  (no regression from one step to the next), the tip built with
#                  CONFIG_PID_NS=n and with the debug config, and the sparse and
#                  W=1 warnings of the files the series touches compared with
#                  base's; on success records the series in lkml/verified
#   lkml.sh test   quick, and full only if base/ or patches/ differ from what
#                  lkml/verified records (what make test runs)
# Leaves build/logs/summary-lkml.json for make test's total.
. "$(dirname "$0")/lib.sh"
STAGE=lkml
H=$TOP/harness
L=$TOP/lkml
passed=0
failed=0

ok() {
	passed=$((passed + 1))
	stage "ok: $*"
}

bad() {
	failed=$((failed + 1))
	stage "FAIL: $*" >&2
}

series_patches() {
	find "$TOP/patches" -name '[0-9]*.patch' ! -name '0000-cover-letter.patch' | sort
}

identity() {
	printf '%s <%s>\n' "$(git -C "$TOP" config user.name)" "$(git -C "$TOP" config user.email)"
}

# the scratch tree must hold exactly patches/ (make export, or make tree)
tree_matches() {
	"$H/tree.sh" ensure >/dev/null || return 1
	_n=$(git -C "$TREE" rev-list --count base..series)
	[ "$_n" = "$(series_patches | wc -l)" ]
}

checks() {
	# shellcheck disable=SC2046 # one path per word
	if python3 "$H/lkml.py" check --tree "$TREE" --prefixes "$L/prefixes.txt" \
		--allow "$L/checkpatch-allow.txt" --identity "$(identity)" $(series_patches); then
		ok "checkpatch, subjects and sign-offs of $(series_patches | wc -l) patches"
	else
		bad "checkpatch, subjects or sign-offs (see the FAIL lines above)"
	fi
	if python3 "$H/lkml.py" cover --version "$(dpkg-query -W -f='${Version}' linux-source-6.12)" \
		"$TOP/patches/0000-cover-letter.patch"; then
		ok "cover letter"
	else
		bad "cover letter"
	fi
}

# The selftests patch (the first selftests/pidns: one) must apply to stock
# on its own and build there: it could be sent separately.
selftests_alone() {
	# shellcheck disable=SC2046 # one path per word
	_p=$(grep -l '^Subject: \[PATCH[^]]*\] selftests/pidns:' $(series_patches) | head -n 1)
	[ -n "$_p" ] || { bad "no selftests/pidns: patch"; return; }
	_wt=$BUILD/wt/selftests-alone
	rm -rf "$_wt"
	git -C "$TREE" worktree prune
	git -C "$TREE" worktree add -q --detach "$_wt" stock || { bad "worktree $_wt"; return; }
	if ! git -C "$_wt" am -q "$_p" >"$LOGDIR/lkml-selftests-alone.log" 2>&1; then
		bad "${_p##*/} does not apply to stock on its own: $LOGDIR/lkml-selftests-alone.log"
		return
	fi
	VARIANT=stock "$H/config.sh" || { bad "stock config"; return; }
	_hdr=$(variant_out stock guest)
	if run_logged "$LOGDIR/lkml-selftests-alone.log" sh -c "
		make -C '$BUILD/wt/stock' O='$_hdr' headers &&
		make -C '$_wt/tools/testing/selftests' TARGETS=pidns O='$BUILD/lkml-selftests-obj' \
			KHDR_INCLUDES='-isystem $_hdr/usr/include' USERLDFLAGS=-static"; then
		ok "${_p##*/} applies to stock alone and its tests build there"
	else
		bad "${_p##*/}: its tests do not build on stock: $LOGDIR/lkml-selftests-alone.log"
	fi
	git -C "$TREE" worktree remove --force "$_wt"
}

# get_maintainer.pl's answer (it reads MAINTAINERS of the tree it runs in),
# then lkml/recipients.txt
# base is the pre-v3.8 model: no trace of the two notions in kernel code
base_clean() {
	_hits=$(git -C "$TREE" grep -n -e pid_ns_for_children -e pidns_for_children base -- \
		':(exclude)Documentation' ':(exclude)tools')
	if [ -z "$_hits" ]; then
		ok "base: no pid_ns_for_children or pidns_for_children in kernel code"
	else
		bad "base still has: $_hits"
	fi
}

recipients() {
	# shellcheck disable=SC2046
	(cd "$TREE" && scripts/get_maintainer.pl --no-rolestats --no-git --no-git-fallback \
		$(series_patches)) | sed 's/^/cc /'
	sed -e 's/ *#.*//' -e '/^$/d' "$L/recipients.txt"
}

mails() {
	_v=$(cat "$L/version")
	_out=$BUILD/lkml/v$_v
	rm -rf "$_out"
	set --
	recipients >"$STATE/recipients" || { bad "get_maintainer.pl failed"; return; }
	_to=$(sed -n 's/^to //p' "$STATE/recipients")
	_cc=$(sed -n 's/^cc //p' "$STATE/recipients" | sort -u)
	_nl='
'
	_ifs=$IFS
	IFS=$_nl
	for _a in $_to; do set -- "$@" "--to=$_a"; done
	for _a in $_cc; do
		printf '%s\n' "$_to" | grep -qxF "$_a" || set -- "$@" "--cc=$_a"
	done
	IFS=$_ifs
	if git -C "$TREE" format-patch -q -v"$_v" --cover-letter --cover-from-description=subject \
		--thread=shallow "$@" -o "$_out" base..series; then
		ok "mails in $_out ($(find "$_out" -name '*.patch' | wc -l) files, $(printf '%s\n' "$@" | grep -c '^--to=') To, $(printf '%s\n' "$@" | grep -c '^--cc=') Cc)"
	else
		bad "git format-patch into $_out"
	fi
}

verified() {
	[ -f "$L/verified" ] && [ "$(sed -n 's/^inputs //p' "$L/verified")" = "$(series_inputs)" ]
}

quick() {
	if ! tree_matches; then
		bad "the scratch tree does not hold patches/ (make export, or make tree)"
		return
	fi
	checks
	base_clean
	selftests_alone
	mails
}

slow() {
	if "$H/lkml-full.sh"; then
		ok "bisect, configs and static checks"
	else
		bad "bisect, configs or static checks (see above)"
	fi
}

finish() {
	printf '{"variant": "lkml", "counts": {"passed": %d, "failed": %d, "skipped": 0}}\n' \
		"$passed" "$failed" >"$LOGDIR/summary-lkml.json"
	stage "$passed passed, $failed failed"
	[ "$failed" = 0 ]
}

mkdir -p "$LOGDIR"
case ${1:-quick} in
quick) quick ;;
full)
	quick
	slow
	;;
test)
	quick
	if verified; then
		ok "per-patch builds and boots: verified for these patches ($(sed -n 's/^date //p' "$L/verified")), not repeated"
	else
		stage "base/ or patches/ changed since lkml/verified: per-patch builds and boots"
		slow
	fi
	;;
*) die "usage: lkml.sh quick|full|test" ;;
esac
finish
