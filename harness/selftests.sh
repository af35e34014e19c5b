#!/bin/sh
# Stage selftests: build the kselftest collections named in expect/runlist.txt
# once, from the series tree, statically linked, and install them in
# build/kselftest; add our guest programs (guest/) as the collection "harness".
# Every kernel variant then runs these same binaries. For an ARCH other than
# the host's: its cross compiler (configs/arch/<ARCH>.txt), the series' uapi
# headers of that arch, its libcap from harness/archroot.sh, into
# build/kselftest-<arch> (the Debian programs of "clients" are the host's: not
# there).
. "$(dirname "$0")/lib.sh"
STAGE="selftests$(arch_suffix)"
check_arch

src=$TREE
hdr=$(variant_out series guest)/usr/include
sfx=$(arch_suffix)
dest=$BUILD/kselftest$sfx
guest=$BUILD/guest$sfx
cross=$(arch_get cross)
arch_tool "${cross}gcc"
[ -d "$hdr/linux" ] || die "no uapi headers in $hdr (build the series kernel first: make build ARCH=$ARCH)"
"$TOP/harness/archroot.sh" || exit 1
root=$(arch_root)
# a foreign arch's static libcap (the clone3 collection links it)
incs=
libs=
if [ -d "$root/usr/include" ]; then
	incs="-I$root/usr/include"
	libs=$(for _d in "$root"/usr/lib/*-linux-gnu*; do printf -- ' -L%s' "$_d"; done)
fi

targets=$(sed -n 's/^\([a-z0-9_]*\):.*/\1/p' "$TOP/expect/runlist.txt" | grep -vxE 'harness|clients' | sort -u |
	while read -r _c; do
		if [ -d "$src/tools/testing/selftests/$_c" ]; then
			printf '%s ' "$_c"
		else
			stage "collection $_c is not in the tree yet: left out" >&2
		fi
	done)

log=$LOGDIR/selftests$sfx.log
stage "building $targets"
rm -rf "$dest"
run_logged "$log" make -C "$src/tools/testing/selftests" -j"$(ncpus)" \
	ARCH="$(arch_get tools_arch)" CROSS_COMPILE="$cross" \
	O="$BUILD/kselftest-obj$sfx" TARGETS="$targets" \
	KHDR_INCLUDES="-isystem $hdr" USERCFLAGS="$incs" USERLDFLAGS="-static$libs" \
	INSTALL_PATH="$dest" install || die "selftests build failed: $log"

# smaller initramfs, faster boot: the debug info stays in build/kselftest-obj
find "$dest" -type f | while read -r _f; do
	[ "$(od -An -tx1 -N4 "$_f" | tr -d ' ')" = 7f454c46 ] && "${cross}strip" --strip-debug "$_f"
done

stage "guest programs"
# copied afresh, so that a script deleted from guest/clients is not run
rm -rf "$guest/clients"
run_logged "$LOGDIR/guest$sfx.log" make -C "$TOP/guest" O="$guest" CC="${cross}gcc" \
	KHDR_INCLUDES="-isystem $hdr" || die "guest programs failed to build: $LOGDIR/guest$sfx.log"
mkdir -p "$dest/harness"
for _p in "$guest"/bin/*; do
	cp "$_p" "$dest/harness/"
	echo "harness:${_p##*/}" >>"$dest/kselftest-list.txt"
done
# the collection "clients": real programs from Debian (their files are in
# the initramfs, see initramfs.sh); its scripts are the tests, but lib.sh,
# which they source. The host's programs: the host's arch only.
rm -rf "$dest/clients"
if arch_is_host "$ARCH"; then
	cp -r "$guest/clients" "$dest/clients"
	for _p in "$dest"/clients/*.sh; do
		[ "${_p##*/}" = lib.sh ] || echo "clients:${_p##*/}" >>"$dest/kselftest-list.txt"
	done
fi

# the timeouts TCG needs (expect/timeouts.txt), where larger than the test's own
# (our collections too, so this comes last)
sed -e 's/#.*//' "$TOP/expect/timeouts.txt" | while read -r _c _t; do
	{ [ -n "$_c" ] && [ -d "$dest/$_c" ]; } || continue
	_own=$(sed -n 's/^timeout=//p' "$dest/$_c/settings" 2>/dev/null)
	[ "${_own:-0}" -ge "$_t" ] || echo "timeout=$_t" >"$dest/$_c/settings"
done

# the programs that run first, side by side, under a pid_max of their own
# (expect/first.txt), for harness/guest/init: "pid_max=N", then "COLL:PROG"
# lines
first=$TOP/expect/first.txt
mkdir -p "$STATE"
sed -e 's/#.*//' "$first" >"$STATE/first.txt"
max=
progs=
while read -r _p _m; do
	[ -n "$_p" ] || continue
	case $_m in
	"" | *[!0-9]*) die "$first: $_p: PID_MAX must be a number, got '$_m'" ;;
	esac
	[ -z "$max" ] || [ "$max" = "$_m" ] ||
		die "$first: $_p: PID_MAX $_m, but $max above (they run side by side: one pid_max)"
	max=$_m
	grep -qxF "$_p" "$dest/kselftest-list.txt" || die "$first: $_p is not an installed program"
	progs="$progs$_p
"
done <"$STATE/first.txt"
{
	[ -z "$max" ] || echo "pid_max=$max"
	printf '%s' "$progs"
} >"$dest/harness/first.txt"
