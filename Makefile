# unshare(CLONE_NEWPID) for Linux 6.12: the patch series and its harness.
# The stages are POSIX sh scripts in harness/; this file only names the jobs,
# each one harness/main.sh command that holds the checkout's lock throughout.
# `make help` prints the lines of this file that start with "#:".
#: Targets (each takes the variables below):
#:   make [all]        series kernel + selftests: build, boot, run, verdict, demo
#:   make test         everything that must hold for a change to land (CI runs it):
#:                     harness tests, stock/base/series suites, boot failures,
#:                     lkml checks (and its units not recorded for this code,
#:                     the short stress one of them), short differential
#:                     test, the series' suite on each other arch
#:   make check        one kernel (VARIANT, KCFG): build, boot, run, verdict
#:   make run          boot VARIANT, run CMD in the guest, exit with its status
#:   make shell        boot VARIANT with a shell on the serial console
#:   make deps         the Debian packages the harness needs (apt-get, as root)
#:   make tree         the scratch tree build/linux (stock -> base -> series)
#:   make export       the scratch tree's series into patches/ (FORCE=1: over edits)
#:   make build        VARIANT's kernel (KCFG: guest or debug)
#:   make selftests    the selftests and guest programs, and the initramfs
#:   make lkml         could patches/ be mailed: checks, mails, per-patch units
#:   make stress       the debug kernels under fault injection and stress
#:   make bench        the cost of pid namespace operations, stock/base/series
#:   make diff         random pid-namespace programs on stock, series and base:
#:                     every difference from stock explained (expect/diff.txt)
#:   make clean        remove build/
#:
#: Variables:
#:   VARIANT=series|base|stock  the kernel (default series)
#:   KCFG=guest|debug           its config: configs/guest.config, or with debug.config
#:   ARCH=x86_64|i386|arm64     its arch (configs/arch/<ARCH>.txt: cross compiler, QEMU,
#:                              console); build, selftests, check, run, shell (x86_64)
#:   T=COLL[:PROG][,...]        make, make check: only these tests (expectations of
#:                              tests that did not run are not checked)
#:   CMD='...'                  make run: the command (sh -c in the guest)
#:   OVERLAY=DIR                files added to the guest's initramfs
#:   ACCEL=auto|tcg|kvm         QEMU accelerator (auto: KVM if a probe boot works)
#:   TIMEOUT=SECONDS            limit of one boot
#:   MEM=SIZE SMP=N             guest memory (1G; make bench 3G) and CPUs (2)
#:   APPEND='...'               more of the guest kernel's command line
#:   QEMU_ARGS='...'            more QEMU options
#:   DRY_RUN=1                  make run, make shell: print the QEMU command and stop
#:                              (every boot saves it as qemu.sh in its run directory)
#:   LOGLEVEL=N                 the guest console's loglevel (5)
#:   V=1                        show the commands' output, not only the stage lines
#:   FORCE=1                    make tree, make export: overwrite uncommitted work
#:   LOCK_WAIT=SECONDS          wait at most this long for another make here (0: refuse)
#:   ALLOW_WARNINGS=1           build: do not fail on compiler warnings
#:   VARIANTS='series base stock'  make test: the kernels whose suites run
#:   LKML_REDO=1                make lkml: redo every unit, not only the stale ones
#:   LKML_FROM='Name <addr>'    make lkml: the sender of the mails
#:   STRESS_KERNELS STRESS_CYCLES STRESS_SECONDS STRESS_WORKERS STRESS_NG_SECONDS
#:                              make stress (see harness/stress.sh)
#:   BENCH_ROUNDS BENCH_ARGS BENCH_KERNELS BENCH_TIMEOUT BENCH_APPEND BENCH_WAIT
#:   BENCH_ICOUNT               make bench (see harness/bench.sh)
#:   DIFF_FORM=full|mutants DIFF_SEED DIFF_COUNT DIFF_LEN DIFF_KERNELS
#:                              make diff (see harness/diff.sh)
VARIANT ?= series
HARNESS_CMD := make $(or $(MAKECMDGOALS),all)
export VARIANT KCFG V OVERLAY CMD ACCEL TIMEOUT FORCE LOCK_WAIT HARNESS_CMD T LKML_REDO
H := harness

# the jobs that are a main.sh command of the same name
JOBS := all test tree build selftests check lkml stress bench diff

.PHONY: $(JOBS) deps export shell run clean help

$(JOBS):
	@$(H)/main.sh $@

deps:
	@$(H)/deps.sh

export:
	@$(H)/tree.sh export

shell run:
	@$(H)/main.sh boot $@

clean:
	rm -rf build

help:
	@sed -n 's/^#: \{0,1\}//p' Makefile
