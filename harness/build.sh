#!/bin/sh
# Stage build: the kernel image (and the uapi headers) of VARIANT with config
# KCFG for ARCH (configs/arch/<ARCH>.txt: its make target, image, cross
# compiler), out of tree in the source tree's .build-<kcfg>[-<arch>]
# (variant_out), copied to kernel.harness there. One kernel build at a time on
# this machine: builds take build/.build.lock.
. "$(dirname "$0")/lib.sh"
STAGE="build $(kernel_name)"

check_variant "$VARIANT"
# never a scratch tree that is neither base/ + patches/ nor work on top of them
[ "$VARIANT" = bisect ] || "$TOP/harness/tree.sh" check || exit 1
src=$(variant_src "$VARIANT")
out=$(variant_out "$VARIANT" "$KCFG")
[ -f "$out/.config" ] || die "no $out/.config (run the config stage first)"

cross=$(arch_get cross)
target=$(arch_get target)
image=$(arch_get image)
{ [ -n "$target" ] && [ -n "$image" ]; } || die "configs/arch/$ARCH.txt: no target or image"
arch_tool "${cross}gcc"
# shellcheck disable=SC2046 # one option per word
set -- -C "$src" O="$out" -j"$(ncpus)" $(kmake_arch)
if command -v ccache >/dev/null 2>&1; then
	# the object directory is inside the source tree (see variant_out):
	# command lines are relative, so the cache is shared by all variants
	export CCACHE_DIR="${CCACHE_DIR:-$BUILD/ccache}" CCACHE_NOHASHDIR=1
	set -- "$@" CC="ccache ${cross}gcc"
fi
# the same timestamp and host in every build, so ccache and diffs stay quiet
export KBUILD_BUILD_TIMESTAMP="${KBUILD_BUILD_TIMESTAMP:-2026-01-01}"
export KBUILD_BUILD_HOST=harness KBUILD_BUILD_USER=harness

log=$LOGDIR/build-$VARIANT-$KCFG$(arch_suffix).log
stage "$target ($(git -C "$src" log -1 --format=%h:%s | cut -c1-60))"
exec 9>"$BUILD/.build.lock"
flock 9
run_logged "$log" make "$@" ${W:+W=$W} "$target" headers ||
	die "kernel build failed: $log"
# the tree must build without warnings (ALLOW_WARNINGS=1 to look past them)
warnings=$(grep -c ': warning:' "$log")
if [ "$warnings" != 0 ]; then
	grep ': warning:' "$log" | head -n 10 >&2
	[ "${ALLOW_WARNINGS:-0}" = 1 ] || die "$warnings compiler warning(s): $log"
fi
cp "$out/$image" "$out/kernel.harness"
