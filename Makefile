# unshare(CLONE_NEWPID) for Linux 6.12: the patch series and its harness.
# The stages are POSIX sh scripts in harness/; this file only names the jobs.
# Variables: VARIANT=stock|base|series  V=1  OVERLAY=DIR  CMD='...'
#            ACCEL=auto|tcg|kvm  TIMEOUT=SECONDS  FORCE=1 (make tree, make export)
#            LOCK_WAIT=SECONDS (how long to wait for another make in this checkout)
#            T=COLL[:PROG][,...] (make, make check: run only these tests)
#            LKML_REDO=1 (make lkml: redo every unit, not only those lkml/verified lacks)
# Each target is one harness command: it holds the checkout's lock throughout.
VARIANT ?= series
HARNESS_CMD := make $(or $(MAKECMDGOALS),all)
export VARIANT KCFG V OVERLAY CMD ACCEL TIMEOUT FORCE LOCK_WAIT HARNESS_CMD T LKML_REDO
H := harness

.PHONY: all test deps tree export build selftests initramfs shell run check lkml stress bench clean help

all:
	@$(H)/main.sh all

test:
	@$(H)/main.sh test

deps:
	@$(H)/deps.sh

tree:
	@$(H)/main.sh tree

export:
	@$(H)/tree.sh export

build:
	@$(H)/main.sh build

selftests:
	@$(H)/main.sh selftests

shell:
	@$(H)/main.sh boot shell

run:
	@$(H)/main.sh boot run

check:
	@$(H)/main.sh check

lkml:
	@$(H)/main.sh lkml

stress:
	@$(H)/main.sh stress

bench:
	@$(H)/main.sh bench

clean:
	rm -rf build

help:
	@sed -n 's/^## //p' README.md
