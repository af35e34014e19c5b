// SPDX-License-Identifier: GPL-2.0
/*
 * Placeholder for tests/test_lkml.py: stands for the reproducer that
 * lkml/security.txt names, which the series tree has once the fix and its
 * selftest are in patches/. Not a reproducer.
 */
#include <stdio.h>

int main(void)
{
	printf("placeholder reproducer: fork below a dead init\n");
	return 0;
}
