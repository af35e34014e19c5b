# shellcheck shell=bash
# Fixtures for the scratch-tree tests (tests/tree-faults.sh,
# tests/tree-interrupt.sh): a tiny fake kernel source tarball (a Makefile that
# stands in for Kbuild, a few files), base/ and patches/ made from it, and a
# project: a copy of this checkout's harness and Makefile with those, in
# $FX/proj. No real tarball, no kernel build. Snapshots of the project
# (scratch tree included) in given states are restored before each case.
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# fx_init DIR: everything under DIR; git sees only our configuration
fx_init() {
	FX=$1
	P=$FX/proj
	mkdir -p "$FX/home" "$FX/snap" "$FX/ref"
	export HOME=$FX/home GIT_CONFIG_NOSYSTEM=1 TARBALL=$FX/linux-source-6.12.tar.xz
	unset FORCE LOCK_WAIT V W HARNESS_CMD HARNESS_CRASH VARIANT KCFG ARCH BUILD
	git config --global user.name "Fake Dev"
	git config --global user.email fake@example.org
	git config --global init.defaultBranch main
	git config --global advice.detachedHead false
}

# lines PREFIX N: N numbered lines
lines() {
	local i
	for ((i = 1; i <= $2; i++)); do echo "$1 $i;"; done
}

fx_source() {
	local s=$FX/src/linux-source-6.12
	mkdir -p "$s/kernel" "$s/include/linux" "$s/Documentation" "$s/scripts/kconfig"
	cat >"$s/Makefile" <<'EOF'
VERSION = 6
PATCHLEVEL = 12
SUBLEVEL = 0
EXTRAVERSION =
# A stand-in for Kbuild in the harness's tests: the targets the harness runs.
O ?= .
SRC := $(sort $(wildcard kernel/*.c include/linux/*.h))
.PHONY: tinyconfig olddefconfig headers bzImage
tinyconfig:
	@mkdir -p $(O) && echo '# tinyconfig' >$(O)/.config
olddefconfig headers:
	@:
bzImage:
	@echo begin $(FAKE_BUILD_TAG) >>$(O)/builds.log
	@sleep $(or $(FAKE_BUILD_SECONDS),0)
	@mkdir -p $(O)/arch/x86/boot
	@cat $(SRC) $(O)/.config | gzip -n >$(O)/bzImage.tmp
	@mv $(O)/bzImage.tmp $(O)/arch/x86/boot/bzImage
	@echo end $(FAKE_BUILD_TAG) >>$(O)/builds.log
EOF
	cat >"$s/scripts/kconfig/merge_config.sh" <<'EOF'
#!/bin/sh
# stand-in: the fragments appended to the config
out=.
while getopts mO: o; do case $o in O) out=$OPTARG ;; *) ;; esac; done
shift $((OPTIND - 1))
cat "$@" >"$out/.config.new" && mv "$out/.config.new" "$out/.config"
EOF
	chmod 755 "$s/scripts/kconfig/merge_config.sh"
	printf '*.o\n# Debian packaging\n/*\n!/debian/\n' >"$s/.gitignore"
	lines "int pid_line" 40 >"$s/kernel/pid.c"
	lines "int fork_line" 40 >"$s/kernel/fork.c"
	lines "extern int pid_h_line" 30 >"$s/include/linux/pid.h"
	lines "Line" 12 >"$s/Documentation/pid.rst"
	tar -cJf "$TARBALL" -C "$FX/src" linux-source-6.12
	touch -d @1767225600 "$TARBALL"
}

# at N CMD...: CMD with author and committer dates N minutes into 2026
at() {
	local d
	d="$(date -u -d "2026-01-01 00:00 +$1 minutes" +%s) +0000"
	shift
	GIT_AUTHOR_DATE=$d GIT_COMMITTER_DATE=$d "$@"
}

# edit FILE LINE TEXT: line LINE of FILE becomes TEXT
edit() {
	sed -i "$2s/.*/$3/" "$1"
}

# fx_patches OUT: OUT/base (1 patch) and OUT/patches (cover letter, 5 patches,
# the 4th big), made with plain git from the fake source
fx_patches() {
	local g=$FX/gen
	mkdir -p "$g" && tar -xf "$TARBALL" -C "$g" --strip-components=1
	sed -i '/^# Debian packaging/,$d' "$g/.gitignore"
	git -C "$g" init -q -b series
	git -C "$g" add -A && at 0 git -C "$g" commit -qm stock && git -C "$g" tag stock
	edit "$g/kernel/pid.c" 5 "int pid_line 5 = base;"
	at 1 git -C "$g" commit -qam "base: take pid namespaces back"
	git -C "$g" branch base
	edit "$g/kernel/pid.c" 20 "int pid_line 20 = one;"
	at 2 git -C "$g" commit -qam "pid: the first change"
	edit "$g/kernel/fork.c" 10 "int fork_line 10 = two;"
	at 3 git -C "$g" commit -qam "fork: the second change"
	edit "$g/include/linux/pid.h" 15 "extern int pid_h_line 15 = three;"
	at 4 git -C "$g" commit -qam "pid.h: the third change"
	mkdir -p "$g/tools/testing" && lines "a big selftest line" 3000 >"$g/tools/testing/big.txt"
	git -C "$g" add tools && at 5 git -C "$g" commit -qm "selftests: a big file"
	edit "$g/Documentation/pid.rst" 6 "Line six, described."
	at 6 git -C "$g" commit -qam "Documentation: describe it"
	git -C "$g" config branch.series.description "pidns: a fake series

The cover letter's body, over
two lines."
	mkdir -p "$1/base" "$1/patches"
	git -C "$g" format-patch -q --zero-commit --no-signature -o "$1/base" stock..base
	git -C "$g" format-patch -q --zero-commit --no-signature --cover-letter \
		--cover-from-description=subject -o "$1/patches" base..series
}

# fx_project: $P, a git repository with this checkout's harness (deps stage
# stubbed), Makefile, a config fragment, and the fixture's base/ and patches/
fx_project() {
	mkdir -p "$P/configs"
	cp -a "$REPO/harness" "$REPO/Makefile" "$P/"
	cp -a "$REPO/configs/arch" "$P/configs/"
	printf '#!/bin/sh\nexit 0\n' >"$P/harness/deps.sh"
	printf 'CONFIG_PID_NS=y\n# CONFIG_MODULES is not set\n' >"$P/configs/guest.config"
	printf '/build/\n/.export/\n' >"$P/.gitignore"
	fx_patches "$P"
	git -C "$P" init -q && git -C "$P" add -A && git -C "$P" commit -qm project
}

# hs SCRIPT ARGS...: a harness script of the project; output in $FX/out
hs() {
	local s=$1
	shift
	"$P/harness/$s" "$@" >"$FX/out" 2>&1
}

snap() {
	rm -rf "${FX:?}/snap/$1" && cp -a "$P" "$FX/snap/$1"
}

restore() {
	rm -rf "${P:?}" && cp -a "$FX/snap/$1" "$P"
}

# tree_fp: the scratch tree, one fact a line (branches, HEAD, files, stamp,
# worktrees, anything left by an operation)
tree_fp() {
	local t=$P/build/linux v
	[ -d "$t/.git" ] || { echo "no tree"; return; }
	git -C "$t" symbolic-ref -q HEAD || echo "HEAD detached"
	git -C "$t" for-each-ref --format='%(refname) %(objectname)' refs/heads refs/tags
	git -C "$t" status --porcelain
	git -C "$t" config --get branch.series.description | sha1sum
	for v in stock base; do
		echo "wt $v $(git -C "$P/build/wt/$v" rev-parse HEAD 2>&1)" \
			"$(git -C "$P/build/wt/$v" status --porcelain 2>&1 | wc -l)"
	done
	(cd "$t/.git" && ls -d rebase-apply rebase-merge MERGE_HEAD CHERRY_PICK_HEAD 2>/dev/null)
	find "$t/.git" -name '*.lock'
	ls -d "$P/.export" "$P/build/state/tree-op" "$P/build/linux.tmp" 2>/dev/null
	echo "stamp $(cat "$P/build/state/tree-made" 2>/dev/null)"
}

# inputs_fp: base/ and patches/, names and contents
inputs_fp() {
	(cd "$P" && find base patches -type f 2>/dev/null | sort | xargs -r sha1sum)
}

state_of() {
	"$P/harness/tree.sh" state | head -n 1 | cut -d: -f1
}

# fp: all of the above, and the fake kernel if one was built
fp() {
	echo "state $(state_of)"
	tree_fp
	inputs_fp
	local k=$P/build/linux/.build-guest/kernel.harness
	[ ! -f "$k" ] || echo "kernel $(sha1sum <"$k")"
}

# fx_setup DIR: the fixture and its snapshots
#   exact   the tree made from base/ and patches/
#   work    the same with work on top: the tip reworded (same diff), a new
#           commit; its export adds, changes and deletes files
#   stale   a tree made (and a kernel built) from the export of that work,
#           base/ and patches/ back to the original ones
#   new     base/ and patches/, no build/
fx_setup() {
	fx_init "$1"
	fx_source
	fx_project
	hs tree.sh ensure || return 1
	snap exact
	local t=$P/build/linux
	at 7 git -C "$t" commit -q --amend -m "Documentation: describe it, reworded"
	edit "$t/kernel/pid.c" 30 "int pid_line 30 = six;"
	at 8 git -C "$t" commit -qam "pid: a sixth change"
	snap work
	hs tree.sh export || return 1
	FAKE_BUILD_TAG=setup hs main.sh build || return 1
	git -C "$P" checkout -q -- base patches && git -C "$P" clean -qfd -- base patches
	snap stale
	rm -rf "$P/build"
	snap new
}

# fx_reference NAME SNAPSHOT TARGET: the fingerprint after an uninterrupted
# make TARGET from SNAPSHOT, in $FX/ref/NAME, and how long it took (ms), in
# $FX/ref/NAME.ms
fx_reference() {
	local name=$1 s=$2 t0 t1
	restore "$s"
	t0=$(date +%s%N)
	mk "$3" || { cat "$FX/out"; return 1; }
	t1=$(date +%s%N)
	fp >"$FX/ref/$name"
	tree_fp >"$FX/ref/$name.tree"
	inputs_fp >"$FX/ref/$name.inputs"
	echo $(((t1 - t0) / 1000000)) >"$FX/ref/$name.ms"
}

# The interruption loop's scenarios: the snapshot it starts from, the make
# target it interrupts (the fake build stands in for Kbuild)
SCENARIOS=(ensure-new ensure-update export build)
declare -A FROM=([ensure-new]=new [ensure-update]=stale [export]=work [build]=stale)
declare -A CMD=([ensure-new]="make tree" [ensure-update]="make tree"
	[export]="make export" [build]="make build")

# mk TARGET: make TARGET in the project; output in $FX/out
mk() {
	make -s -C "$P" "$1" >"$FX/out" 2>&1
}

# need_ref SCENARIO...: their references, made once
need_ref() {
	local s
	for s; do
		[ ! -f "$FX/ref/$s" ] || continue
		fx_reference "$s" "${FROM[$s]}" "${CMD[$s]#make }" || return 1
	done
}

# crash SCENARIO POINT: the scenario's command killed (SIGKILL) at POINT
# (HARNESS_CRASH): the tree is as it was or marked broken, base/ and patches/
# untouched or the result (mid_ok); the command again gives the
# uninterrupted result
crash() {
	local sc=$1 rc
	need_ref "$sc" || return 1
	restore "${FROM[$sc]}"
	inputs_fp >"$FX/before.inputs"
	HARNESS_CRASH=$2 mk "${CMD[$sc]#make }"
	rc=$?
	if [ "$rc" = 0 ] || ! grep -q 'Killed' "$FX/out"; then
		echo "# not killed at $2 (status $rc)"
		sed 's/^/#   /' "$FX/out"
		return 1
	fi
	mid_ok "$sc" || return 1
	if ! mk "${CMD[$sc]#make }"; then
		echo "# the command again failed:"
		sed 's/^/#   /' "$FX/out"
		return 1
	fi
	fp >"$FX/after"
	cmp -s "$FX/ref/$sc" "$FX/after" && return 0
	echo "# the result differs from an uninterrupted run:"
	diff "$FX/ref/$sc" "$FX/after" | sed 's/^/#   /'
	return 1
}

# The crash points (crash_point in harness/tree.sh) and the scenario that
# reaches each
# shellcheck disable=SC2034 # used by tests/tree-interrupt.sh
CRASHES="ensure-update:apply-am ensure-update:apply-refs ensure-update:apply-stamp
export:export-written export:export-out-base export:export-in-base
export:export-out-patches export:export-in-patches export:export-swapped
export:export-stamped"

# run_bg TARGET: make TARGET in the background, in its own process group
# (pid = group id in $BG), with SIGINT as at a terminal (not ignored, as it
# would be in a background job); output in $FX/bg.out
run_bg() {
	setsid env --default-signal=INT,QUIT make -s -C "$P" "$1" >"$FX/bg.out" 2>&1 &
	BG=$!
}

# kill_bg SIGNAL: SIGNAL to the whole group, then wait until all of it is gone
kill_bg() {
	kill -"$1" -- -"$BG" 2>/dev/null
	wait "$BG" 2>/dev/null
	while kill -0 -- -"$BG" 2>/dev/null; do sleep 0.02; done
}

# mid_ok SCENARIO: after an interruption, base/ and patches/ are as they were
# or as the uninterrupted run leaves them (or half-renamed, with the old ones
# whole in .export/old for the next command to put back); the tree is as it
# was, marked broken by the interrupted operation, or exactly the result
mid_ok() {
	local sc=$1 st
	inputs_fp >"$FX/mid.inputs"
	if ! cmp -s "$FX/mid.inputs" "$FX/before.inputs" &&
		! cmp -s "$FX/mid.inputs" "$FX/ref/$sc.inputs" &&
		[ ! -d "$P/.export/old" ] && [ ! -d "$P/.export/done" ]; then
		echo "# base/ and patches/ neither untouched nor the result:"
		diff "$FX/before.inputs" "$FX/mid.inputs" | sed 's/^/#   /'
		return 1
	fi
	st=$(state_of)
	MID=$st
	case $sc:$st in
	*:broken)
		"$P/harness/tree.sh" state | grep -q 'a harness command was interrupted' && return 0
		"$P/harness/tree.sh" state | sed 's/^/#   /'
		return 1 ;;
	ensure-new:absent | ensure-new:stale | ensure-update:stale | build:stale | export:work) return 0 ;;
	*:exact)
		# (the worktrees are brought up to date by every command)
		tree_fp | grep -v -e '^wt ' -e '/worktrees/' >"$FX/mid.tree"
		grep -v -e '^wt ' -e '/worktrees/' "$FX/ref/$sc.tree" | cmp -s - "$FX/mid.tree" && return 0
		echo "# exact, but not the result:"
		diff "$FX/ref/$sc.tree" "$FX/mid.tree" | sed 's/^/#   /'
		return 1 ;;
	esac
	echo "# state $st after interrupting $sc"
	return 1
}

# fx_loop N SEED: N times, a scenario's command interrupted at a random point
# (SIGINT or SIGKILL to its process group, after a random delay up to its
# uninterrupted time), checked (mid_ok), then run again: the result must be
# the uninterrupted run's. "# ..." lines; the tally in $FX/tally.
fx_loop() {
	local n=$1 i sc sig ms delay bad=0
	need_ref "${SCENARIOS[@]}" || return 1
	RANDOM=$2
	: >"$FX/tally"
	for ((i = 1; i <= n; i++)); do
		sc=${SCENARIOS[RANDOM % ${#SCENARIOS[@]}]}
		sig=INT
		((RANDOM % 2)) && sig=KILL
		ms=$(cat "$FX/ref/$sc.ms")
		delay=$((RANDOM % (ms + ms / 10 + 1)))
		restore "${FROM[$sc]}"
		inputs_fp >"$FX/before.inputs"
		run_bg "${CMD[$sc]#make }"
		sleep "$((delay / 1000)).$(printf %03d $((delay % 1000)))"
		kill_bg "$sig"
		if ! mid_ok "$sc"; then
			echo "# $i: $sc, SIG$sig after $delay ms: bad state after the interruption"
			sed 's/^/#   /' "$FX/bg.out"
			bad=$((bad + 1))
			continue
		fi
		echo "$sc SIG$sig $MID" >>"$FX/tally"
		if ! timeout 300 make -s -C "$P" "${CMD[$sc]#make }" >"$FX/again.out" 2>&1; then
			echo "# $i: $sc, SIG$sig after $delay ms: the command again failed:"
			sed 's/^/#   /' "$FX/again.out"
			bad=$((bad + 1))
			continue
		fi
		fp >"$FX/after"
		if ! cmp -s "$FX/after" "$FX/ref/$sc"; then
			echo "# $i: $sc, SIG$sig after $delay ms: the result differs from an uninterrupted run:"
			diff "$FX/ref/$sc" "$FX/after" | sed 's/^/#   /'
			bad=$((bad + 1))
		fi
	done
	[ "$bad" = 0 ]
}
