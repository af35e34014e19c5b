# unshare(CLONE_NEWPID) for Linux 6.12: the patch series and its harness.
# The stages are POSIX sh scripts in harness/; this file only names the jobs.
# Variables: VARIANT=stock|base|series  V=1  OVERLAY=DIR  CMD='...'
#            ACCEL=auto|tcg|kvm  TIMEOUT=SECONDS  FORCE=1 (make tree)
VARIANT ?= series
export VARIANT KCFG V OVERLAY CMD ACCEL TIMEOUT FORCE
H := harness

.PHONY: all test deps tree export build selftests initramfs shell run check lkml stress bench clean help

all:
	@$(H)/main.sh all

test:
	@$(H)/main.sh test

deps:
	@$(H)/deps.sh

tree:
	@$(H)/deps.sh && $(H)/tree.sh ensure

export:
	@$(H)/tree.sh export

build:
	@$(H)/deps.sh && $(H)/tree.sh && $(H)/variant.sh build

selftests: build
	@$(H)/selftests.sh && $(H)/initramfs.sh

shell:
	@$(H)/main.sh boot shell

run:
	@$(H)/main.sh boot run

check:
	@$(H)/main.sh prepare && $(H)/variant.sh test

lkml:
	@$(H)/main.sh prepare && $(H)/lkml.sh full

stress:
	@$(H)/main.sh prepare && $(H)/stress.sh full

bench:
	@$(H)/main.sh prepare && $(H)/bench.sh

clean:
	rm -rf build

help:
	@sed -n 's/^## //p' README.md
