// SPDX-License-Identifier: GPL-2.0
/*
 * first_fork CGROUP: a helper of clients/pids-cgroup.sh, not a test. It is
 * exec'd by util-linux `unshare --pid` as the only task of the cgroup
 * directory CGROUP, so it has a pid namespace for its children and no child
 * yet. It sets pids.max to 1 so that its first fork fails in the pids
 * controller (after the kernel allocated the namespace's pid 1), raises it
 * again, forks once more and prints what each fork gave.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int set_pids_max(const char *cg, const char *val)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/pids.max", cg);
	f = fopen(path, "w");
	if (!f || fputs(val, f) == EOF || fclose(f) == EOF) {
		fprintf(stderr, "first_fork: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* fork; the child prints its pid as it sees it and exits */
static void fork_once(const char *name)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		printf("%s: child's getpid() %d\n", name, getpid());
		fflush(stdout);
		_exit(0);
	}
	if (pid < 0) {
		printf("%s: %s\n", name, strerrorname_np(errno));
		return;
	}
	waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: first_fork CGROUP_DIR\n");
		return 2;
	}
	if (set_pids_max(argv[1], "1"))
		return 2;
	fork_once("first fork");
	if (set_pids_max(argv[1], "max"))
		return 2;
	fork_once("second fork");
	return 0;
}
