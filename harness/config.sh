#!/bin/sh
# Stage config: tinyconfig + configs/<KCFG fragments> for VARIANT, merged with
# the tree's merge_config.sh, then olddefconfig; then every option the
# fragments ask for is checked in the result (tinyconfig drops options whose
# dependencies are off without a word).
#   config.sh            configure VARIANT/KCFG (skipped when nothing changed)
#   config.sh check CONFIG FRAGMENT...   only the check (used by the harness's tests)
. "$(dirname "$0")/lib.sh"
STAGE="config $(kernel_name)"

# Fragments of a config name: guest is the base of every other one, the
# arch's come next (configs/arch/<name>.config of its key "config").
fragments() {
	printf '%s\n' "$TOP/configs/guest.config"
	arch_fragments
	[ "$KCFG" = guest ] || printf '%s\n' "$TOP/configs/$KCFG.config"
}

# check_config CONFIG FRAGMENT...: print every requested option that did not
# take. A later fragment overrides an earlier one, as in merge_config.sh.
check_config() {
	_cfg=$1
	shift
	cat "$@" | sed -n -e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1=n/p' -e t -e '/^CONFIG_/p' |
		awk -F= '!($1 in v) { order[n++] = $1 } { v[$1] = substr($0, length($1) + 2) }
			END { for (i = 0; i < n; i++) print order[i] "=" v[order[i]] }' |
		while IFS='=' read -r _opt _want; do
			_got=$(sed -n "s/^$_opt=//p" "$_cfg")
			[ -n "$_got" ] || _got=n
			[ "$_got" = "$_want" ] || printf '  %s: asked %s, got %s\n' "$_opt" "$_want" "$_got"
		done
}

configure() {
	check_variant "$VARIANT"
	_src=$(variant_src "$VARIANT")
	_out=$(variant_out "$VARIANT" "$KCFG")
	_frags=$(fragments)
	for _f in $_frags; do
		[ -f "$_f" ] || die "config fragment $_f not found"
	done
	# shellcheck disable=SC2086 # one path per word
	_key="$(hash_files $_frags) $(git -C "$_src" rev-parse HEAD) $(kmake_arch)"
	_id=config-$VARIANT-$KCFG$(arch_suffix)
	if stamp_ok "$_id" "$_key" && [ -f "$_out/.config" ]; then
		return 0
	fi
	stage "tinyconfig + $(for _f in $_frags; do printf '%s ' "${_f##*/}"; done)"
	mkdir -p "$_out"
	_log=$LOGDIR/$_id.log
	# the arch's make options (ARCH, CROSS_COMPILE) here as in the build: a
	# config made with another compiler differs
	arch_tool "$(arch_get cross)gcc"
	# shellcheck disable=SC2046 # one option per word
	set -- $(kmake_arch)
	run_logged "$_log" make -C "$_src" O="$_out" "$@" tinyconfig || exit 1
	# shellcheck disable=SC2086
	run_logged "$_log.merge" "$_src/scripts/kconfig/merge_config.sh" -m \
		-O "$_out" "$_out/.config" $_frags || exit 1
	run_logged "$_log.olddefconfig" make -C "$_src" O="$_out" "$@" olddefconfig || exit 1
	# shellcheck disable=SC2086
	_bad=$(check_config "$_out/.config" $_frags)
	if [ -n "$_bad" ]; then
		printf '%s\n' "$_bad" >&2
		die "config options that did not take (their dependencies are off?) in $_out/.config"
	fi
	stamp_set "$_id" "$_key"
}

case ${1:-} in
check)
	shift
	_cfg=$1
	shift
	_bad=$(check_config "$_cfg" "$@")
	[ -z "$_bad" ] || { printf '%s\n' "$_bad"; exit 1; }
	;;
'') configure ;;
*) die "usage: config.sh [check CONFIG FRAGMENT...]" ;;
esac
