#!/bin/sh
# Stage selftests: build the kselftest collections named in expect/runlist.txt
# once, from the series tree, statically linked, and install them in
# build/kselftest; add our guest programs (guest/) as the collection "harness".
# Every kernel variant then runs these same binaries.
. "$(dirname "$0")/lib.sh"
STAGE=selftests

src=$TREE
hdr=$(variant_out series guest)/usr/include
dest=$BUILD/kselftest
[ -d "$hdr/linux" ] || die "no uapi headers in $hdr (build the series kernel first)"

targets=$(sed -n 's/^\([a-z0-9_]*\):.*/\1/p' "$TOP/expect/runlist.txt" | grep -vxE 'harness|clients' | sort -u |
	while read -r _c; do
		if [ -d "$src/tools/testing/selftests/$_c" ]; then
			printf '%s ' "$_c"
		else
			stage "collection $_c is not in the tree yet: left out" >&2
		fi
	done)

log=$LOGDIR/selftests.log
stage "building $targets"
rm -rf "$dest"
run_logged "$log" make -C "$src/tools/testing/selftests" -j"$(ncpus)" \
	O="$BUILD/kselftest-obj" TARGETS="$targets" \
	KHDR_INCLUDES="-isystem $hdr" USERLDFLAGS=-static \
	INSTALL_PATH="$dest" install || die "selftests build failed: $log"

# smaller initramfs, faster boot: the debug info stays in build/kselftest-obj
find "$dest" -type f | while read -r _f; do
	[ "$(od -An -tx1 -N4 "$_f" | tr -d ' ')" = 7f454c46 ] && strip --strip-debug "$_f"
done

stage "guest programs"
# copied afresh, so that a script deleted from guest/clients is not run
rm -rf "$BUILD/guest/clients"
run_logged "$LOGDIR/guest.log" make -C "$TOP/guest" O="$BUILD/guest" \
	KHDR_INCLUDES="-isystem $hdr" || die "guest programs failed to build: $LOGDIR/guest.log"
mkdir -p "$dest/harness"
for _p in "$BUILD"/guest/bin/*; do
	cp "$_p" "$dest/harness/"
	echo "harness:${_p##*/}" >>"$dest/kselftest-list.txt"
done
# the collection "clients": real programs from Debian (their files are in
# the initramfs, see initramfs.sh); its scripts are the tests, but lib.sh,
# which they source
rm -rf "$dest/clients"
cp -r "$BUILD/guest/clients" "$dest/clients"
for _p in "$dest"/clients/*.sh; do
	[ "${_p##*/}" = lib.sh ] || echo "clients:${_p##*/}" >>"$dest/kselftest-list.txt"
done

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
