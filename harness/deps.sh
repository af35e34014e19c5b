#!/bin/sh
# Stage deps: install the Debian packages the harness needs, if missing.
# Needs root (apt-get); runs `apt-get update` once, only when something is missing.
. "$(dirname "$0")/lib.sh"
STAGE=deps

# harness/packages.txt, each arch's compiler and QEMU (configs/arch/), and
# the real clients' packages
PACKAGES="$(sed 's/#.*//' "$TOP/harness/packages.txt")
$(for ARCH in $(arches); do arch_get packages; done)
$(clients_field 2 | sort -u)"

missing() {
	for _p in $PACKAGES; do
		dpkg-query -W -f='${Status}\n' "$_p" 2>/dev/null |
			grep -q 'install ok installed' || printf '%s ' "$_p"
	done
}

todo=$(missing)
[ -z "$todo" ] && exit 0
stage "missing packages: $todo"
[ "$(id -u)" = 0 ] ||
	die "these Debian packages are missing and installing them needs root: $todo(run as root, or: sudo apt-get install $todo)"
export DEBIAN_FRONTEND=noninteractive
run_logged "$LOGDIR/deps.log" apt-get update ||
	die "apt-get update failed; log: $LOGDIR/deps.log"
# shellcheck disable=SC2086 # word splitting of the package list is intended
run_logged "$LOGDIR/deps.log" apt-get install -y --no-install-recommends $todo ||
	die "apt-get install failed; log: $LOGDIR/deps.log"
todo=$(missing)
[ -z "$todo" ] || die "still missing after apt-get install: $todo"
stage "installed"
