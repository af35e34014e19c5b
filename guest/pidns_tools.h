/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the guest tools (pidns_fault, pidns_stress, pidns_bench) share: the
 * clone3() glibc does not wrap, errno names, a pipe gate, the exit codes of
 * children that check their pids, the probe for pid namespaces, and the
 * count of what a run left behind.
 */
#ifndef PIDNS_TOOLS_H
#define PIDNS_TOOLS_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/types.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD		0x00001000
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open		434
#endif
#ifndef __NR_clone3
#define __NR_clone3		435
#endif

/* exit codes of the children that check what they see */
#define CODE_OK			0
#define CODE_BAD_PID		10
#define CODE_BAD_PPID		11

/* struct clone_args (include/uapi/linux/sched.h), CLONE_ARGS_SIZE_VER2 */
struct clone_args_v2 {
	__aligned_u64 flags;
	__aligned_u64 pidfd;
	__aligned_u64 child_tid;
	__aligned_u64 parent_tid;
	__aligned_u64 exit_signal;
	__aligned_u64 stack;
	__aligned_u64 stack_size;
	__aligned_u64 tls;
	__aligned_u64 set_tid;
	__aligned_u64 set_tid_size;
	__aligned_u64 cgroup;
};

static inline pid_t sys_clone3(struct clone_args_v2 *args)
{
	return syscall(__NR_clone3, args, sizeof(*args));
}

/* the name of errno e: "no error" for 0, "E?" for a number without one */
static inline const char *ename(int e)
{
	const char *s;

	if (!e)
		return "no error";
	s = strerrorname_np(e);
	return s ? s : "E?";
}

/* A gate: children block on the read end until the write end is closed. */
struct gate {
	int rd;
	int wr;
};

/* 0, or -errno (and errno) if the pipe could not be made */
static inline int gate_open(struct gate *g)
{
	int fds[2];

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	g->rd = fds[0];
	g->wr = fds[1];
	return 0;
}

static inline void gate_close(struct gate *g)
{
	if (g->wr >= 0)
		close(g->wr);
	if (g->rd >= 0)
		close(g->rd);
	g->wr = -1;
	g->rd = -1;
}

/* close our write end, then wait until every other one is closed */
static inline void gate_block(struct gate *g)
{
	ssize_t n;
	char c;

	if (g->wr >= 0)
		close(g->wr);
	g->wr = -1;
	do {
		n = read(g->rd, &c, 1);
	} while (n > 0 || (n < 0 && errno == EINTR));
}

/* does this kernel have pid namespaces (asked in a child, which unshares) */
static inline bool has_pid_ns(void)
{
	pid_t pid = fork();
	int st;

	if (!pid)
		_exit(unshare(CLONE_NEWPID) && errno == EINVAL);
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	       !WEXITSTATUS(st);
}

/*
 * The processes in the process groups pgids[0..n-1], other than us, from
 * /proc (each printed as "# left behind: <its stat line>" if show): a run's
 * leftovers. Their number.
 */
static inline int count_in_groups(const pid_t *pgids, int n, bool show)
{
	char path[64], buf[512], *p;
	int count = 0, fd, i;
	struct dirent *de;
	pid_t pid, pgrp;
	ssize_t len;
	DIR *dir;

	dir = opendir("/proc");
	if (!dir)
		return 0;
	while ((de = readdir(dir))) {
		pid = atoi(de->d_name);
		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = 0;
		/* "pid (comm) S ppid pgrp": comm may hold spaces and parens */
		p = strrchr(buf, ')');
		if (!p || sscanf(p + 1, " %*c %*d %d", &pgrp) != 1)
			continue;
		for (i = 0; i < n; i++) {
			if (pgrp != pgids[i])
				continue;
			count++;
			if (show)
				printf("# left behind: %s\n", buf);
		}
	}
	closedir(dir);
	return count;
}

#endif /* PIDNS_TOOLS_H */
