// SPDX-License-Identifier: GPL-2.0
/*
 * base_model: pins the pid namespace model of the base kernel (Linux before
 * v3.8): a pid namespace is only ever created by clone(CLONE_NEWPID); it
 * cannot be unshared or entered with setns(), and there is no
 * /proc/PID/ns/pid_for_children. On base every case passes; on stock and on
 * the series the cases about the missing feature fail, as expect/ lists.
 * Each case runs in its own child, since unshare() and setns() change the
 * caller for good.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest.h"

/* from <linux/pidfd.h>, which clashes with glibc's <fcntl.h> */
#define PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE _IO(0xFF, 6)

/* 0 if the call failed with EINVAL, else 1 */
static int einval(long ret)
{
	if (ret == -1 && errno == EINVAL)
		return 0;
	ksft_print_msg("expected EINVAL, got %ld (%s)\n", ret, ret < 0 ? strerror(errno) : "success");
	return 1;
}

static int unshare_newpid(void)
{
	return einval(unshare(CLONE_NEWPID));
}

static int setns_nsfd(void)
{
	int fd = open("/proc/self/ns/pid", O_RDONLY);

	if (fd < 0)
		return 1;
	return einval(setns(fd, CLONE_NEWPID));
}

static int pidfd_self(void)
{
	return syscall(SYS_pidfd_open, getpid(), 0);
}

static int setns_pidfd_newpid(void)
{
	return einval(setns(pidfd_self(), CLONE_NEWPID));
}

/* setns by pidfd still works for the other namespace types */
static int setns_pidfd_uts(void)
{
	return setns(pidfd_self(), CLONE_NEWUTS) ? 1 : 0;
}

static int no_pid_for_children(void)
{
	DIR *d = opendir("/proc/self/ns");
	struct dirent *e;
	int found = 0;

	if (!d)
		return 1;
	while ((e = readdir(d)))
		if (!strcmp(e->d_name, "pid_for_children"))
			found = 1;
	closedir(d);
	if (found)
		ksft_print_msg("/proc/self/ns/pid_for_children exists\n");
	return found;
}

static int no_pidfs_ioctl(void)
{
	long ret = ioctl(pidfd_self(), PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE, 0);

	if (ret == -1 && errno == ENOTTY)
		return 0;
	ksft_print_msg("expected ENOTTY, got %ld (%s)\n", ret, ret < 0 ? strerror(errno) : "success");
	return 1;
}

/* clone(CLONE_NEWPID) still makes a child that is pid 1 */
static int clone_newpid(void)
{
	int status;
	pid_t pid = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);

	if (pid == 0)
		_exit(getpid() == 1 && getppid() == 0 ? 0 : 1);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 1;
	return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static const struct {
	const char *name;
	int (*fn)(void);
} cases[] = {
	{ "unshare_newpid_is_einval", unshare_newpid },
	{ "setns_pid_nsfd_is_einval", setns_nsfd },
	{ "setns_pidfd_newpid_is_einval", setns_pidfd_newpid },
	{ "setns_pidfd_uts_works", setns_pidfd_uts },
	{ "no_pid_for_children_link", no_pid_for_children },
	{ "no_pidfs_pid_for_children_ioctl", no_pidfs_ioctl },
	{ "clone_newpid_child_is_pid_1", clone_newpid },
};

int main(void)
{
	unsigned int i;
	int status;
	pid_t pid;

	ksft_print_header();
	ksft_set_plan(sizeof(cases) / sizeof(cases[0]));
	if (geteuid())
		ksft_exit_skip("needs root\n");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pid = fork();
		if (pid == 0) {
			alarm(30);
			_exit(cases[i].fn());
		}
		status = -1;
		if (pid > 0)
			waitpid(pid, &status, 0);
		ksft_test_result(status == 0, "%s\n", cases[i].name);
	}
	ksft_finished();
}
