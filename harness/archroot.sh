#!/bin/sh
# Stage archroot: for an ARCH other than the host's, the Debian packages of
# that arch the guest and the selftests need (configs/arch/<ARCH>.txt: debs;
# busybox-static for the guest's shell, libcap-dev for the clone3 selftests'
# static link), fetched through a private apt state in build/apt-<deb_arch>
# (the machine's dpkg architectures stay as they are) and unpacked into
# build/arch/<ARCH>/root (arch_root). Done again only when the list or the
# machine's apt sources change.
. "$(dirname "$0")/lib.sh"
STAGE="archroot $ARCH"
check_arch

root=$(arch_root)
debs=$(arch_get debs)
deb_arch=$(arch_get deb_arch)
[ -n "$debs" ] || exit 0
[ -n "$deb_arch" ] || die "configs/arch/$ARCH.txt: debs without deb_arch"

apt_dir=$BUILD/apt-$deb_arch
key="$deb_arch $debs $(cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | sha1sum | cut -c1-16)"
! stamp_ok "archroot-$ARCH" "$key" || [ ! -d "$root" ] || exit 0

# the machine's sources, each entry for deb_arch only
sources() {
	mkdir -p "$apt_dir/sources.list.d"
	for _s in /etc/apt/sources.list.d/*.sources; do
		[ -f "$_s" ] || continue
		sed "s/^Types:.*/&\nArchitectures: $deb_arch/" "$_s" >"$apt_dir/sources.list.d/${_s##*/}"
	done
	if [ -f /etc/apt/sources.list ]; then
		sed -n "s/^deb \([^[]\)/deb [arch=$deb_arch] \1/p" /etc/apt/sources.list \
			>"$apt_dir/sources.list.d/main.list"
	fi
}

# apt ARGS...: apt-get with the private state, cache and sources
apt() {
	apt-get -q -o Dir::State="$apt_dir/state" -o Dir::Cache="$apt_dir/cache" \
		-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$apt_dir/sources.list.d" \
		-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null \
		-o APT::Architecture="$deb_arch" -o APT::Architectures::="$deb_arch" \
		-o Debug::NoLocking=1 "$@"
}

stage "$debs ($deb_arch, a private apt state in $apt_dir)"
rm -rf "$apt_dir" "$root"
mkdir -p "$apt_dir/state/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/debs" "$root"
sources
log=$LOGDIR/archroot-$ARCH.log
run_logged "$log" apt update || die "apt-get update for $deb_arch failed: $log"
# shellcheck disable=SC2086 # one package per word
(cd "$apt_dir/debs" && run_logged "$log.download" apt download $debs) ||
	die "could not download $debs for $deb_arch: $log.download"
for _d in "$apt_dir"/debs/*.deb; do
	dpkg-deb -x "$_d" "$root" || die "could not unpack $_d"
done
stamp_set "archroot-$ARCH" "$key"
