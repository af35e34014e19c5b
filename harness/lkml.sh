#!/bin/sh
# Stage lkml: could the series in patches/ be mailed today?
#   lkml.sh quick  checkpatch (against lkml/checkpatch-allow.txt), subjects,
#                  sign-offs, cover letter, the selftests patch alone on stock,
#                  the security fix and its reproducer, the mails with their
#                  recipients in build/lkml/v<N>/ (refused without a sender
#                  identity: LKML_FROM, sendemail.from or user.name/email)
#   lkml.sh full   quick, then the units of lkml-full.sh that lkml/verified
#                  does not hold for this code: every patch built and booted
#                  in turn on base (no regression from one step to the next),
#                  the tip and base built with CONFIG_PID_NS=n and with the
#                  debug config, the stable patches on stock, the short
#                  stress on the debug kernel, the selftests for every arch,
#                  sparse and W=1 against base, the 0-day builds (every
#                  kernel-changing patch for each other arch, allmodconfig, 4 seeded
#                  randconfigs); each unit is
#                  recorded in lkml/verified as it passes (LKML_REDO=1: all)
#   lkml.sh test   quick, and the same as full (what make test runs): a
#                  reworded patch redoes nothing, a changed one what its code
#                  reaches; without a sender identity the mails are a skip,
#                  not a failure
# Leaves build/logs/summary-lkml.json for make test's total.
. "$(dirname "$0")/lib.sh"
STAGE=lkml
H=$TOP/harness
L=$TOP/lkml
passed=0
failed=0
skipped=0
# what a missing sender identity is: a failure for make lkml, a skip for make test
no_sender=bad

ok() {
	passed=$((passed + 1))
	stage "ok: $*"
}

bad() {
	failed=$((failed + 1))
	stage "FAIL: $*" >&2
}

skip() {
	skipped=$((skipped + 1))
	stage "skip: $*"
}

series_patches() {
	find "$TOP/patches" -name '[0-9]*.patch' ! -name '0000-cover-letter.patch' | sort
}

# the identity the patches in patches/ carry (the project's, not a sender's)
project_identity() {
	python3 "$H/lkml.py" author "$TOP/patches/0000-cover-letter.patch"
}

# who mails the series: LKML_FROM, else sendemail.from, else user.name and
# user.email, as git config resolves them for this repository. Prints the
# identity, or (exit 1) what is missing or a placeholder and how to set it.
sender() {
	python3 "$H/lkml.py" sender --rules "$L/placeholder-senders.txt" \
		--project "$(project_identity)" --lkml-from "${LKML_FROM:-}" \
		--sendemail-from "$(git -C "$TOP" config sendemail.from)" \
		--name "$(git -C "$TOP" config user.name)" --email "$(git -C "$TOP" config user.email)"
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
		--allow "$L/checkpatch-allow.txt" --identity "$(project_identity)" $(series_patches); then
		ok "checkpatch, subjects and sign-offs of $(series_patches | wc -l) patches"
	else
		bad "checkpatch, subjects or sign-offs (see the FAIL lines above)"
	fi
	# shellcheck disable=SC2046
	if python3 "$H/lkml.py" cover --version "$(dpkg-query -W -f='${Version}' linux-source-6.12)" \
		--series-version "$(cat "$L/version")" --security "$L/security.txt" \
		"$TOP/patches/0000-cover-letter.patch" $(series_patches); then
		ok "cover letter"
	else
		bad "cover letter"
	fi
	security_fix
}

# the fix lkml/security.txt names: in the series, tagged for stable, its
# reproducer in the tree (no identity needed)
security_fix() {
	# shellcheck disable=SC2046
	python3 "$H/lkml.py" security --security "$L/security.txt" --tree "$TREE" $(series_patches)
	case $? in
	0) ok "security fix and reproducer" ;;
	3) skip "security mail: nothing to send (see above)" ;;
	*) bad "security fix (see the FAIL lines above)" ;;
	esac
}

# The selftests patches (subjects "selftests/...") must apply to stock on
# their own, in order, and their tests build there: they could be sent, or
# taken by a stable tree, without the kernel patches.
selftests_alone() {
	# shellcheck disable=SC2046 # one path per word
	_ps=$(grep -l '^Subject: \[PATCH[^]]*\] selftests/' $(series_patches))
	[ -n "$_ps" ] || { bad "no selftests/ patch"; return; }
	# the collections they touch
	# shellcheck disable=SC2086 # one path per word
	_colls=$(sed -n 's|^+++ b/tools/testing/selftests/\([^/]*\)/.*|\1|p' $_ps | sort -u | tr '\n' ' ')
	_n=$(printf '%s\n' "$_ps" | wc -l)
	_wt=$BUILD/wt/selftests-alone
	rm -rf "$_wt"
	git -C "$TREE" worktree prune
	git -C "$TREE" worktree add -q --detach "$_wt" stock || { bad "worktree $_wt"; return; }
	# shellcheck disable=SC2086 # one path per word
	if ! git -C "$_wt" am -q $_ps >"$LOGDIR/lkml-selftests-alone.log" 2>&1; then
		bad "the $_n selftests patches do not apply to stock on their own: $LOGDIR/lkml-selftests-alone.log"
		git -C "$TREE" worktree remove --force "$_wt"
		return
	fi
	VARIANT=stock "$H/config.sh" || { bad "stock config"; return; }
	_hdr=$(variant_out stock guest)
	if run_logged "$LOGDIR/lkml-selftests-alone.log" sh -c "
		make -C '$BUILD/wt/stock' O='$_hdr' headers &&
		make -C '$_wt/tools/testing/selftests' TARGETS='$_colls' O='$BUILD/lkml-selftests-obj' \
			KHDR_INCLUDES='-isystem $_hdr/usr/include' USERLDFLAGS=-static"; then
		ok "the $_n selftests patches apply to stock alone and their tests ($_colls) build there"
	else
		bad "the selftests patches: their tests do not build on stock: $LOGDIR/lkml-selftests-alone.log"
	fi
	git -C "$TREE" worktree remove --force "$_wt"
}

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

# the series-wide recipients, "to|cc ADDRESS" a line: get_maintainer.pl's
# answer (it reads MAINTAINERS of the tree it runs in), then lkml/recipients.txt
recipients() {
	# shellcheck disable=SC2046
	(cd "$TREE" && scripts/get_maintainer.pl --no-rolestats --no-git --no-git-fallback \
		$(series_patches) 2>"$LOGDIR/lkml-get_maintainer.log") | sed 's/^/cc /'
	sed -e 's/ *#.*//' -e '/^$/d' "$L/recipients.txt"
}

mails() {
	_v=$(cat "$L/version")
	_out=$BUILD/lkml/v$_v
	rm -rf "$_out"
	if ! _from=$(sender); then
		printf '%s\n' "$_from" | sed 's/^/[lkml]   /'
		$no_sender "mails not written to $_out: no sender identity that can sign them (see above)"
		return
	fi
	recipients >"$STATE/recipients" || { bad "get_maintainer.pl failed"; return; }
	_raw=$STATE/lkml-raw
	rm -rf "$_raw"
	# v1 is "[PATCH 00/10]", later ones "[PATCH v2 00/12]"
	set --
	[ "$_v" = 1 ] || set -- "-v$_v"
	git -C "$TREE" format-patch -q "$@" --cover-letter --cover-from-description=subject \
		-o "$_raw" base..series || { bad "git format-patch into $_raw"; return; }
	if python3 "$H/lkml.py" mails --sender "$_from" --project "$(project_identity)" \
		--recipients "$STATE/recipients" --security "$L/security.txt" \
		--report "$L/security-report.txt" --tree "$TREE" --out "$_out" "$_raw"/*.patch; then
		ok "mails from $_from in $_out"
	else
		bad "mails in $_out (see above)"
		return
	fi
	mails_apply "$_out"
	b4_am "$_out"
}

addr_of() {
	printf '%s\n' "$1" | sed 's/.*<\(.*\)>.*/\1/'
}

# apply_mails REF MAIL...: git apply the mails on REF in a scratch index (no
# checkout), each as git am reads it (git mailinfo), none of them authored
# by the project's identity; prints the tree, or the mail that failed
apply_mails() {
	_ref=$1
	shift
	_idx=$STATE/lkml-index
	_proj=$(addr_of "$(project_identity)")
	rm -f "$_idx"
	GIT_INDEX_FILE=$_idx git -C "$TREE" read-tree "$_ref" || return 1
	for _m in "$@"; do
		if ! git mailinfo "$STATE/mailinfo.msg" "$STATE/mailinfo.patch" <"$_m" >"$STATE/mailinfo.info" ||
			grep -qixF "Email: $_proj" "$STATE/mailinfo.info" ||
			! GIT_INDEX_FILE=$_idx git -C "$TREE" apply --cached "$STATE/mailinfo.patch"; then
			echo "${_m##*/}"
			return 1
		fi
	done
	GIT_INDEX_FILE=$_idx git -C "$TREE" write-tree
	rm -f "$_idx"
}

# the mails as written: on base they give exactly the series' tree; the
# security mail applies to stock on its own
mails_apply() {
	_mails=$(find "$1" -maxdepth 1 -name '*[0-9]-*.patch' ! -name '*0000-cover-letter.patch' | sort)
	# shellcheck disable=SC2086 # one path per word
	_t=$(apply_mails base $_mails)
	if [ "$_t" = "$(git -C "$TREE" rev-parse 'series^{tree}')" ]; then
		ok "the mails, read as git am does, give the series' tree on base"
	else
		bad "the mails do not give the series' tree on base (git mailinfo and git apply; stopped at: $_t)"
	fi
	for _s in "$1"/security/*.patch; do
		[ -e "$_s" ] || continue
		if apply_mails stock "$_s" >/dev/null; then
			ok "the security mail applies to stock on its own"
		else
			bad "the security mail ${_s#"$BUILD"/} does not apply to stock on its own"
		fi
	done
}

# b4 (Debian 12 ships 0.12), if installed, takes series.mbox as a maintainer
# would, and what it hands to git am is the series
b4_am() {
	_b4=$STATE/b4
	command -v b4 >/dev/null || { stage "b4 is not installed: series.mbox not tried with b4 am"; return; }
	rm -rf "$_b4"
	mkdir -p "$_b4/split"
	if ! b4 -q am -m "$1/series.mbox" -o "$_b4" >"$LOGDIR/lkml-b4.log" 2>&1; then
		bad "b4 am -m $1/series.mbox failed: $LOGDIR/lkml-b4.log"
		return
	fi
	git mailsplit -o"$_b4/split" "$_b4"/*.mbx >/dev/null
	# shellcheck disable=SC2046 # one path per word
	_t=$(apply_mails base $(find "$_b4/split" -type f | sort))
	if [ "$_t" = "$(git -C "$TREE" rev-parse 'series^{tree}')" ]; then
		ok "b4 am takes series.mbox, and what it gives git am is the series"
	else
		bad "b4 am's mbox of series.mbox does not give the series' tree (stopped at: $_t)"
	fi
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
	printf '{"variant": "lkml", "counts": {"passed": %d, "failed": %d, "skipped": %d}}\n' \
		"$passed" "$failed" "$skipped" >"$LOGDIR/summary-lkml.json"
	stage "$passed passed, $failed failed, $skipped skipped"
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
	no_sender=skip
	quick
	if _said=$("$H/lkml-full.sh" stale); then
		ok "per-patch builds and boots, configs, arches, stable, stress, static, the 0-day builds: $_said, not repeated"
	else
		stage "lkml/verified does not hold the code of base/ + patches/, $_said: running those"
		slow
	fi
	;;
*) die "usage: lkml.sh quick|full|test" ;;
esac
finish
