#!/bin/sh
# Stage initramfs: build/initramfs/base.cpio with BusyBox (busybox-static),
# the installed selftests (build/kselftest), our guest programs and /init;
# for another ARCH base-<arch>.cpio, with that arch's BusyBox (archroot.sh),
# selftests and programs, without the host's Debian programs (clients).
# Packed with the kernel tree's usr/gen_init_cpio (built here from the
# scratch tree's source), from a generated file list: no root dir entry, so
# / stays 0755 whoever runs the tests.
#   initramfs.sh                 build base.cpio
#   initramfs.sh run DIR OUT     pack DIR (the per-boot files) into OUT
. "$(dirname "$0")/lib.sh"
STAGE="initramfs$(arch_suffix)"
check_arch
IRD=$BUILD/initramfs
sfx=$(arch_suffix)
busybox=/bin/busybox
arch_is_host "$ARCH" || busybox=$(arch_root)/bin/busybox
GEN=$BUILD/tools/gen_init_cpio

gen_tool() {
	[ -x "$GEN" ] && [ -z "$(find "$TREE/usr/gen_init_cpio.c" -newer "$GEN")" ] && return 0
	mkdir -p "$BUILD/tools"
	gcc -O2 -o "$GEN" "$TREE/usr/gen_init_cpio.c" || die "could not build $GEN"
}

# list_dir SRC DEST: gen_init_cpio lines for the tree SRC placed at DEST
list_dir() {
	(cd "$1" && find . -mindepth 1 | sort) | while read -r _p; do
		_p=${_p#./}
		_m=$(stat -c %a "$1/$_p")
		if [ -L "$1/$_p" ]; then
			echo "slink $2/$_p $(readlink "$1/$_p") 777 0 0"
		elif [ -d "$1/$_p" ]; then
			echo "dir $2/$_p $_m 0 0"
		else
			echo "file $2/$_p $1/$_p $_m 0 0"
		fi
	done
}

# clients: gen_init_cpio lines for the Debian programs of the collection
# "clients" and the shared libraries they load, each at its own path
clients() {
	# shellcheck disable=SC2046 # one path per word
	closure "$IRD/clients.paths" $(clients_field 1)
	while read -r _l; do
		_d=${_l%/*}
		while [ -n "$_d" ]; do
			echo "dir $_d 755 0 0"
			_d=${_d%/*}
		done
	done <"$IRD/clients.paths" | sort -u
	while read -r _l; do
		echo "file $_l $(readlink -f "$_l") 755 0 0"
	done <"$IRD/clients.paths"
}

# the packages and versions of the clients, for the log
clients_versions() {
	clients_field 2 | sort -u | while read -r _k; do
		printf '%s ' "$(dpkg-query -W -f='${Package} ${Version}' "$_k")"
	done
}

skeleton() {
	for _d in /bin /sbin /usr /usr/bin /usr/sbin /usr/local /usr/local/bin /dev \
		/proc /sys /tmp /etc /root /mnt /harness /kselftest; do
		echo "dir $_d 755 0 0"
	done
	echo "nod /dev/console 600 0 0 c 5 1"
	echo "file /bin/busybox $busybox 755 0 0"
	# an applet whose path a client program takes is left out; the applets
	# of another arch's BusyBox are the host's (the same Debian build)
	_taken=" $(clients_field 1 | tr '\n' ' ')"
	arch_is_host "$ARCH" || _taken=
	for _a in $(/bin/busybox --list-full); do
		case "$_taken" in *" /$_a "*) continue ;; esac
		[ "$_a" = bin/busybox ] || echo "slink /$_a /bin/busybox 777 0 0"
	done
	echo "file /init $TOP/harness/guest/init 755 0 0"
	echo "file /usr/bin/timeout $TOP/harness/guest/timeout 755 0 0"
	echo "file /usr/local/bin/stress-run $TOP/harness/guest/stress-run 755 0 0"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$IRD/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$IRD/group"
	echo "file /etc/passwd $IRD/passwd 644 0 0"
	echo "file /etc/group $IRD/group 644 0 0"
}

base() {
	[ -x /bin/busybox ] || die "/bin/busybox missing (package busybox-static)"
	[ -f "$busybox" ] || die "$busybox missing (harness/archroot.sh fetches it)"
	_ks=$BUILD/kselftest$sfx
	[ -f "$_ks/run_kselftest.sh" ] || die "no selftests installed in $_ks (make selftests ARCH=$ARCH)"
	gen_tool
	mkdir -p "$IRD"
	_list=$IRD/base$sfx.list
	{
		skeleton
		! arch_is_host "$ARCH" || clients
		list_dir "$_ks" /kselftest
		[ -d "$BUILD/guest$sfx/tools" ] && list_dir "$BUILD/guest$sfx/tools" /usr/local/bin
	} >"$_list"
	_what="clients: $(clients_versions)"
	arch_is_host "$ARCH" || _what="BusyBox of $(arch_get deb_arch), no clients"
	stage "base$sfx.cpio ($(grep -c '^file' "$_list") files; $_what)"
	"$GEN" "$_list" >"$IRD/base$sfx.cpio.tmp" || die "gen_init_cpio failed on $_list"
	mv "$IRD/base$sfx.cpio.tmp" "$IRD/base$sfx.cpio"
}

run_cpio() {
	gen_tool
	list_dir "$1" "" >"$2.list"
	"$GEN" "$2.list" >"$2" || die "gen_init_cpio failed on $2.list"
}

case ${1:-} in
'') base ;;
run) run_cpio "$2" "$3" ;;
*) die "usage: initramfs.sh [run DIR OUT]" ;;
esac
