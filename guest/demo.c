// SPDX-License-Identifier: GPL-2.0
/*
 * demo: what unshare(CLONE_NEWPID) does, printed for a person to read, and
 * checked (KTAP). The caller stays where it is; its first child is pid 1 of
 * the new namespace, its second child is pid 2 with parent pid 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest.h"

struct seen {
	pid_t pid;
	pid_t ppid;
};

/*
 * fork a child that reports getpid() and getppid() through a pipe, then
 * waits until the write end of hold[] is closed (if hold is not NULL)
 */
static pid_t report_child(struct seen *seen, int *hold)
{
	int fds[2];
	pid_t pid;
	char c;

	if (pipe(fds))
		ksft_exit_fail_msg("pipe: %s\n", strerror(errno));
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		struct seen me = { getpid(), getppid() };

		close(fds[0]);
		if (write(fds[1], &me, sizeof(me)) != sizeof(me))
			_exit(1);
		close(fds[1]);
		if (hold) {
			close(hold[1]);
			while (read(hold[0], &c, 1) > 0)
				;
		}
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], seen, sizeof(*seen)) != sizeof(*seen))
		seen->pid = seen->ppid = -1;
	close(fds[0]);
	return pid;
}

int main(void)
{
	struct seen first, second;
	pid_t before, pid1, pid2;
	int hold[2];

	ksft_print_header();
	ksft_set_plan(4);
	before = getpid();
	ksft_print_msg("caller: pid %d, calling unshare(CLONE_NEWPID)\n", before);
	if (unshare(CLONE_NEWPID)) {
		ksft_test_result_fail("unshare_newpid\n");
		ksft_exit_fail_msg("unshare(CLONE_NEWPID): %s\n", strerror(errno));
	}
	ksft_test_result_pass("unshare_newpid\n");

	if (pipe(hold))
		ksft_exit_fail_msg("pipe: %s\n", strerror(errno));
	pid1 = report_child(&first, hold);
	ksft_print_msg("first child:  pid %d seen from the caller, pid %d inside, parent %d inside\n",
		       pid1, first.pid, first.ppid);
	ksft_test_result(pid1 > 0 && first.pid == 1 && first.ppid == 0,
			 "first_child_is_pid_1\n");

	pid2 = report_child(&second, NULL);
	ksft_print_msg("second child: pid %d seen from the caller, pid %d inside, parent %d inside\n",
		       pid2, second.pid, second.ppid);
	ksft_test_result(pid2 > 0 && second.pid == 2 && second.ppid == 0,
			 "second_child_has_parent_0\n");

	ksft_print_msg("caller: pid %d after unshare and two forks\n", getpid());
	ksft_test_result(getpid() == before, "caller_pid_unchanged\n");

	close(hold[1]);
	if (pid2 > 0)
		waitpid(pid2, NULL, 0);
	if (pid1 > 0)
		waitpid(pid1, NULL, 0);
	ksft_finished();
}
