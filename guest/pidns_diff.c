// SPDX-License-Identifier: GPL-2.0
/*
 * pidns_diff: random pid-namespace programs, run in lockstep, each printed
 * as a normalised trace (or its hash), so that the same seeds can be run on
 * two kernels and what user space saw compared (harness/pidns_diff.py).
 *
 *   pidns_diff -s SEED -n N [-l LEN] [-t]   programs SEED .. SEED+N-1
 *   pidns_diff -p 'OP OP ...' [-t]          one program, as printed by -t
 *   pidns_diff -f FILE [-t]                 programs of FILE: "ID OP OP ..."
 *   -t: print each program's text and trace, not only its hash
 *   -w MS: how long a process in exit must stay there to count as "dying"
 *   -g: print the program's text only (generate, do not run)
 *
 * A program is a list of operations, each done by one process (a slot,
 * 0..MAXSLOT-1; slot 0 is a child of this controller in the initial pid
 * namespace, the others are created by operations). The controller sends
 * an operation to its slot over a socket and waits for the answer or the
 * slot's death (its pidfd), then pings every other live slot, so that
 * everything an operation caused (a killed namespace) has happened before
 * the next one starts. The trace of a step is its text, its result and
 * the slots created or dead; pids of the initial namespace, which differ
 * from boot to boot, are written R1, R2, ... in order of appearance, and
 * namespaces ns0 (the initial one), ns1, ... likewise. Every namespace a
 * trace names is kept (an fd held by the controller) until the program
 * ends: a freed namespace's inode number goes to the next one made, and
 * whether it does depends on an RCU grace period, so without the fd two
 * namespaces could share a name in one run and not in the next.
 *
 * Output, one line each:
 *   PROG <id> <hash> feat=<n> static=<0|1> steps=<n>
 *   TEXT <id> <op> <op> ...              (-t)
 *   TRACE <id> <step> <op> -> <result>   (-t)
 *   STAT programs=<n> seconds=<s> per_s=<r> hangs=<n>
 *   HANG <id>, step <n>: ...             a program did not end: the tool stops (exit 3)
 *   COVER op <name> <done> <failed>      an operation done (and how often failed)
 *   COVER pair <a> <b> <n>               b done right after a in one program
 * feat counts the operations of the feature (unshare/setns of a pid
 * namespace, pid_for_children) that succeeded, static says whether the
 * program has one at all.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/reboot.h>

#include "pidns_tools.h"

#ifndef NS_GET_PARENT
#define NS_GET_PARENT		_IO(0xb7, 0x2)
#endif
#define PIDFD_IOCTL_PIDNS	_IO(0xFF, 5)	/* PIDFD_GET_PID_NAMESPACE */
#define PIDFD_IOCTL_CHILDNS	_IO(0xFF, 6)	/* ..._FOR_CHILDREN_NAMESPACE */
#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal	424
#endif

#define MAXSLOT		6
#define MAXOPS		64
#define MAXLEVEL	40
#define MAXMAP		64
#define MAXMADE		(MAXOPS + 1)	/* processes a program can make */
#define PID_INVISIBLE	INT_MAX	/* a pid no namespace has */
#define PF_EXITING	0x4
#define CG		"/sys/fs/cgroup/pidns_diff"
#define PROG_SECONDS	120	/* a program's limit: 24 operations take < 1 s */

enum {
	OP_FORK, OP_VFORK, OP_CLONENS, OP_SETTID, OP_PIDFD, OP_THREAD,
	OP_UNSHARE, OP_UNSHAREU, OP_SETNS, OP_EXIT, OP_KILL, OP_KILL1,
	OP_KILLALL, OP_PSIG, OP_REBOOT, OP_WAIT, OP_WAITANY, OP_GETPID,
	OP_GETPPID, OP_NSGET, OP_PARENT, OP_PFDNS, OP_LIMIT, NOPS,
	OP_PING = 100,
};

/* name, weight in random programs, number of arguments, what a[0] is */
enum { ARG, NEWSLOT, TARGET };
static const struct opdef {
	const char *name;
	int weight;
	int nargs;
	int a0;		/* an argument, the slot to create, the slot to act on */
} ops[NOPS] = {
	[OP_FORK] = { "fork", 12, 1, NEWSLOT },
	[OP_VFORK] = { "vfork", 3, 1, ARG },
	[OP_CLONENS] = { "clonens", 6, 1, NEWSLOT },
	[OP_SETTID] = { "settid", 3, 3, NEWSLOT },
	[OP_PIDFD] = { "pidfd", 4, 2, NEWSLOT },
	[OP_THREAD] = { "thread", 3, 0, ARG },
	[OP_UNSHARE] = { "unshare", 10, 0, ARG },
	[OP_UNSHAREU] = { "unshareu", 3, 0, ARG },
	[OP_SETNS] = { "setns", 9, 2, TARGET },
	[OP_EXIT] = { "exit", 5, 1, ARG },
	[OP_KILL] = { "kill", 6, 2, TARGET },
	[OP_KILL1] = { "kill1", 2, 1, ARG },
	[OP_KILLALL] = { "killall", 1, 1, ARG },
	[OP_PSIG] = { "psig", 3, 2, TARGET },
	[OP_REBOOT] = { "reboot", 2, 1, ARG },
	[OP_WAIT] = { "wait", 5, 1, TARGET },
	[OP_WAITANY] = { "waitany", 5, 0, ARG },
	[OP_GETPID] = { "getpid", 3, 0, ARG },
	[OP_GETPPID] = { "getppid", 4, 0, ARG },
	[OP_NSGET] = { "nsget", 5, 2, TARGET },
	[OP_PARENT] = { "parent", 2, 1, TARGET },
	[OP_PFDNS] = { "pfdns", 3, 2, TARGET },
	[OP_LIMIT] = { "limit", 2, 1, ARG },
};

static const int sigs[] = { 0, SIGKILL, SIGTERM, SIGUSR1 };
static const int tids[] = { 1, 2, 3, 7 };
static const int limits[] = { 0, 2, 3, 5 };	/* 0: max */
static const int reboots[] = {
	LINUX_REBOOT_CMD_RESTART, LINUX_REBOOT_CMD_POWER_OFF,
	LINUX_REBOOT_CMD_CAD_ON,
};

struct op {
	int slot;
	int kind;
	int a[3];
};

struct prog {
	char id[32];
	int n;
	struct op op[MAXOPS];
};

/* what the controller sends: the operation, and what it knows of its target */
struct cmd {
	int kind;
	int a[3];
	pid_t x_root;	/* the target slot's pid in the initial namespace */
	pid_t x_view;	/* its pid as the actor sees it (PID_INVISIBLE) */
	int ncand;	/* waitany: the actor's possible children, */
	pid_t cand[MAXMADE];	/* as it sees them, oldest first */
};

enum { DEAD, ALIVE, DYING };

struct slot {
	int state;
	pid_t root;		/* pid in the initial namespace */
	int pidfd;
	int level;		/* of its active namespace */
	bool hung;		/* did not answer nor die within 10 s */
	ino_t chain[MAXLEVEL];	/* namespace at each level, 0 = initial */
	pid_t nspid[MAXLEVEL];
};

static int socks[MAXSLOT][2];
static int pins[2];		/* namespace fds, the workers' to the controller's */
static struct slot slots[MAXSLOT];
static struct slot made[MAXMADE];	/* every process the program made */
static int nmade;
static ino_t root_ino;
static bool have_cg;
static int dying_ms = 50;
static int hangs;
static const char *cur_id = "";	/* the program and step running, for messages */
static volatile sig_atomic_t cur_step;

/* ordinals of initial-namespace pids and of namespaces, per program */
static pid_t rmap[MAXMAP];
static int nrmap;
static ino_t nmap[MAXMAP];
static int nnmap;
static int nsfds[MAXMAP * 2];
static int nnsfds;

static unsigned long cov_op[NOPS][2];
static unsigned long cov_pair[NOPS + 1][NOPS];

/* ---------------------------------------------------------------- output */

static int fmt(char *buf, size_t len, const char *f, ...)
	__attribute__((format(printf, 3, 4)));

static int fmt(char *buf, size_t len, const char *f, ...)
{
	size_t used = strlen(buf);
	va_list ap;
	int n;

	if (used >= len)
		return 0;
	va_start(ap, f);
	n = vsnprintf(buf + used, len - used, f, ap);
	va_end(ap);
	return n;
}

static void err_res(char *res, size_t len, const char *what)
{
	fmt(res, len, "%s%s", what, ename(errno));
}

/* a pid as the process that got it sees it: <p:V:R>, R=1 in the initial namespace */
static void pid_res(char *res, size_t len, pid_t p, bool root)
{
	fmt(res, len, "<p:%d:%d>", (int)p, root && p > 0);
}

/* ------------------------------------------------------------- the worker */

/*
 * Hand a namespace the answer names to the controller (it keeps it until
 * the program ends, see the top): the fd in flight holds it already.
 */
static void keep(int fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u = { 0 };
	char byte = 0;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	sendmsg(pins[1], &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void keep_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		keep(fd);
		close(fd);
	}
}

static bool my_root;		/* the worker is in the initial namespace */
static volatile pid_t vf_pid, vf_ppid;
static volatile ino_t vf_ino;

static ino_t ns_ino(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_ino;
}

static ino_t fd_ino(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_ino;
}

/* is the pid namespace for our children the initial one */
static bool children_root(void)
{
	struct stat st;

	/* no such file (a kernel without it): the active namespace */
	if (lstat("/proc/self/ns/pid_for_children", &st))
		return my_root;
	/* no init there yet: not the initial namespace */
	if (stat("/proc/self/ns/pid_for_children", &st))
		return false;
	return st.st_ino == root_ino;
}

/* asked again before an operation that must not reach the guest itself */
static bool in_root(void)
{
	ino_t ino = ns_ino("/proc/self/ns/pid");

	return !ino || ino == root_ino;
}

static void *idle_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void ns_path(char *buf, size_t len, const struct cmd *c, int k)
{
	snprintf(buf, len, "/proc/%d/ns/%s", (int)c->x_root,
		 k ? "pid_for_children" : "pid");
}

static void worker(int slot);

/* the parent's side of a creation: the child becomes slot a[0] */
static void created(char *res, size_t len, pid_t pid, int slot)
{
	if (pid == 0)
		worker(slot);
	if (pid < 0)
		err_res(res, len, "");
	else
		pid_res(res, len, pid, my_root);
}

static void op_clone3(const struct cmd *c, char *res, size_t len)
{
	struct clone_args_v2 args = { .exit_signal = SIGCHLD };
	pid_t tid = 0;
	int pfd = -1;
	pid_t pid;

	switch (c->kind) {
	case OP_CLONENS:
		args.flags = CLONE_NEWPID;
		break;
	case OP_SETTID:
		if (c->a[2])
			args.flags = CLONE_NEWPID;
		else if (children_root()) {
			fmt(res, len, "skip-root");
			return;
		}
		tid = c->a[1];
		args.set_tid = (uintptr_t)&tid;
		args.set_tid_size = 1;
		break;
	case OP_PIDFD:
		args.flags = CLONE_PIDFD;
		args.pidfd = c->a[1] ? 1 : (uintptr_t)&pfd;
		break;
	}
	/*
	 * A raw clone3() child skips glibc's fork bookkeeping (cached tid,
	 * atfork handlers, robust list): the worker uses neither stdio nor
	 * malloc nor locks, so it does not matter.
	 */
	pid = sys_clone3(&args);
	created(res, len, pid, c->a[0]);
	/* a failed clone3() may have written a number there that is not ours */
	if (pid > 0 && pfd >= 0) {
		fmt(res, len, " pidfd");
		close(pfd);
	}
}

static void op_vfork(const struct cmd *c, char *res, size_t len)
{
	siginfo_t info;
	pid_t pid;

	vf_pid = 0;
	vf_ppid = 0;
	vf_ino = 0;
	pid = vfork();
	if (pid == 0) {
		vf_pid = syscall(SYS_getpid);
		vf_ppid = syscall(SYS_getppid);
		vf_ino = ns_ino("/proc/self/ns/pid");
		keep_path("/proc/self/ns/pid");
		_exit(c->a[0]);
	}
	if (pid < 0) {
		err_res(res, len, "");
		return;
	}
	/* back here once the child let go of our memory: wait, not reaping, until it is a zombie */
	waitid(P_PID, pid, &info, WEXITED | WNOWAIT | __WALL);
	pid_res(res, len, pid, my_root);
	fmt(res, len, " child ");
	pid_res(res, len, vf_pid, vf_ino == root_ino);
	fmt(res, len, " ppid ");
	pid_res(res, len, vf_ppid, vf_ino == root_ino);
	fmt(res, len, " <n:%lu>", (unsigned long)vf_ino);
}

static void op_setns(const struct cmd *c, char *res, size_t len)
{
	char path[64];
	int fd;

	if (c->a[1] == 2) {
		fd = syscall(__NR_pidfd_open, c->x_view, 0);
		if (fd < 0)
			return err_res(res, len, "pidfd_open ");
	} else {
		ns_path(path, sizeof(path), c, c->a[1]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return err_res(res, len, "open ");
	}
	if (setns(fd, CLONE_NEWPID))
		err_res(res, len, "");
	else
		fmt(res, len, "ok");
	close(fd);
}

static void ns_res(char *res, size_t len, int fd)
{
	if (fd < 0)
		return err_res(res, len, "");
	fmt(res, len, "<n:%lu>", (unsigned long)fd_ino(fd));
	keep(fd);
	close(fd);
}

static void op_nsget(const struct cmd *c, char *res, size_t len)
{
	char path[64], link[64];
	unsigned long ino;
	ssize_t n;

	ns_path(path, sizeof(path), c, c->a[1]);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return err_res(res, len, "");
	link[n] = '\0';
	if (sscanf(link, "pid:[%lu]", &ino) != 1) {
		fmt(res, len, "odd link");
	} else {
		fmt(res, len, "<n:%lu>", ino);
		keep_path(path);
	}
}

static void op_parent(const struct cmd *c, char *res, size_t len)
{
	char path[64];
	int fd;

	ns_path(path, sizeof(path), c, 0);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_res(res, len, "open ");
	ns_res(res, len, ioctl(fd, NS_GET_PARENT, 0));
	close(fd);
}

static void op_pidfd_use(const struct cmd *c, char *res, size_t len)
{
	int fd = syscall(__NR_pidfd_open, c->x_view, 0);

	if (fd < 0)
		return err_res(res, len, "pidfd_open ");
	if (c->kind == OP_PFDNS) {
		/* the argument must be 0: pidfs refuses anything else */
		ns_res(res, len, ioctl(fd, c->a[1] ? PIDFD_IOCTL_CHILDNS :
					  PIDFD_IOCTL_PIDNS, 0));
	} else if (syscall(__NR_pidfd_send_signal, fd, c->a[1], NULL, 0)) {
		err_res(res, len, "");
	} else {
		fmt(res, len, "ok");
	}
	close(fd);
}

/* reap p (-1: any) if it is a zombie: its pid and how it ended */
static void reap(pid_t p, char *res, size_t len)
{
	int st = 0;

	p = waitpid(p, &st, WNOHANG | __WALL);
	if (p < 0)
		return err_res(res, len, "");
	pid_res(res, len, p, my_root);
	if (p == 0)
		return;
	if (WIFEXITED(st))
		fmt(res, len, " exit %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		fmt(res, len, " signal %d", WTERMSIG(st));
	else
		fmt(res, len, " status %#x", st);
}

static bool ready(idtype_t type, pid_t p)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	return !waitid(type, p, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) &&
	       si.si_pid;
}

/*
 * waitpid(-1) reaps the first zombie of the waiter's children list, where
 * adopted children are in the order their parents died: after a kill(-1)
 * that is the scheduler's. So when something is ready, reap the oldest of
 * the program's processes that is; waitpid(-1) itself only when none of
 * them is, or for its answer when nothing is ready (0, ECHILD).
 */
static void op_waitany(const struct cmd *c, char *res, size_t len)
{
	int i;

	if (ready(P_ALL, 0))
		for (i = 0; i < c->ncand; i++)
			if (ready(P_PID, c->cand[i]))
				return reap(c->cand[i], res, len);
	reap(-1, res, len);
}

static void do_op(const struct cmd *c, char *res, size_t len)
{
	pthread_t t;
	int r = 0;

	switch (c->kind) {
	case OP_FORK:
		return created(res, len, fork(), c->a[0]);
	case OP_CLONENS:
	case OP_SETTID:
	case OP_PIDFD:
		return op_clone3(c, res, len);
	case OP_VFORK:
		return op_vfork(c, res, len);
	case OP_THREAD:
		errno = pthread_create(&t, NULL, idle_thread, NULL);
		r = errno ? -1 : 0;
		break;
	case OP_UNSHARE:
		r = unshare(CLONE_NEWPID);
		break;
	case OP_UNSHAREU:
		r = unshare(CLONE_NEWUSER | CLONE_NEWPID);
		break;
	case OP_SETNS:
		return op_setns(c, res, len);
	case OP_EXIT:
		_exit(c->a[0]);
	case OP_KILL:
		r = kill(c->x_view, c->a[1]);
		break;
	case OP_KILL1:
	case OP_KILLALL:
		/* never the guest's init, nor every process of the guest */
		if (in_root())
			return (void)fmt(res, len, "skip-root");
		r = kill(c->kind == OP_KILL1 ? 1 : -1, c->a[0]);
		break;
	case OP_PSIG:
	case OP_PFDNS:
		return op_pidfd_use(c, res, len);
	case OP_REBOOT:
		if (in_root())
			return (void)fmt(res, len, "skip-root");
		r = syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
			    c->a[0], NULL);
		break;
	case OP_WAIT:
		return reap(c->x_view, res, len);
	case OP_WAITANY:
		return op_waitany(c, res, len);
	case OP_GETPID:
		return pid_res(res, len, syscall(SYS_getpid), my_root);
	case OP_GETPPID:
		return pid_res(res, len, syscall(SYS_getppid), my_root);
	case OP_NSGET:
		return op_nsget(c, res, len);
	case OP_PARENT:
		return op_parent(c, res, len);
	default:
		fmt(res, len, "bad op %d", c->kind);
		return;
	}
	if (r)
		err_res(res, len, "");
	else
		fmt(res, len, "ok");
}

/* "H <pid> <pid> ...": our NSpid line, from the initial namespace down */
static void hello(int sock)
{
	char buf[4096], msg[512] = "H";
	char *p, *q;
	ssize_t n;
	int fd;

	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	if (n > 0) {
		buf[n] = '\0';
		p = strstr(buf, "\nNSpid:");
		if (p) {
			p += 7;
			p[strcspn(p, "\n")] = '\0';
			for (q = p; *q; q++)
				if (*q == '\t')
					*q = ' ';
			fmt(msg, sizeof(msg), "%s", p);
		}
	}
	if (send(sock, msg, strlen(msg), 0) < 0)
		_exit(112);
}

static void worker(int slot)
{
	int sock = socks[slot][1];
	char res[512];
	struct cmd c;
	ssize_t n;

	my_root = ns_ino("/proc/self/ns/pid") == root_ino;
	hello(sock);
	for (;;) {
		n = recv(sock, &c, sizeof(c), 0);
		if (n != sizeof(c))
			_exit(n < 0 && errno == EINTR ? 113 : 111);
		res[0] = '\0';
		if (c.kind != OP_PING)
			do_op(&c, res, sizeof(res));
		if (send(sock, res, strlen(res) + 1, 0) < 0)
			_exit(112);
	}
}

/* --------------------------------------------------------- the controller */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* the contents of a small /proc file, "" if it cannot be read */
static void read_small(const char *path, char *buf, size_t len)
{
	ssize_t n = -1;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, len - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
}

/*
 * Is task (thread) tid of process pid in exit, asleep in
 * zap_pid_ns_processes(): waiting there for the namespace's last pids to
 * go, or, before that, for a child of its to end (do_wait(): an exiting
 * task waits for children nowhere else). The second is how the init of a
 * namespace waits for a nested namespace's init that is itself stuck.
 */
static bool task_in_zap(pid_t pid, int tid)
{
	char path[96], buf[512], *p, state;
	unsigned long flags;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, tid);
	read_small(path, buf, sizeof(buf));
	p = strrchr(buf, ')');
	/* ") S ppid pgrp session tty_nr tpgid flags" */
	if (!p || sscanf(p + 1, " %c %*d %*d %*d %*d %*d %lu", &state, &flags) != 2)
		return false;
	if (!(flags & PF_EXITING) || !strchr("SDI", state))
		return false;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/wchan", (int)pid, tid);
	read_small(path, buf, sizeof(buf));
	return !strcmp(buf, "zap_pid_ns_processes") || !strcmp(buf, "do_wait");
}

/*
 * Is the process an init in exit, one of its threads waiting in
 * zap_pid_ns_processes() for the pids of its namespace to go: it stays
 * there until a zombie's parent elsewhere reaps it.
 */
static bool exiting(pid_t pid)
{
	struct dirent *de;
	char path[64];
	bool found = false;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return false;
	while (!found && (de = readdir(dir)))
		found = atoi(de->d_name) > 0 && task_in_zap(pid, atoi(de->d_name));
	closedir(dir);
	return found;
}

/*
 * Wait for slot s to answer (1, the answer in buf), to die (0) or to be
 * stuck in exit for dying_ms (2: an init waiting for a zombie's parent).
 * -1 if none of these within 10 s.
 */
static int await(int s, char *buf, size_t len)
{
	struct pollfd pfd[2] = {
		{ .fd = socks[s][0], .events = POLLIN },
		{ .fd = slots[s].pidfd, .events = POLLIN },
	};
	long start = now_ms(), stuck = 0;
	ssize_t n;

	for (;;) {
		if (poll(pfd, 2, 2) < 0 && errno != EINTR)
			return -1;
		if (pfd[0].revents & POLLIN) {
			n = recv(socks[s][0], buf, len - 1, 0);
			if (n > 0) {
				buf[n] = '\0';
				return 1;
			}
		}
		if (pfd[1].revents)
			return 0;
		if (slots[s].state == ALIVE && !exiting(slots[s].root)) {
			stuck = 0;
		} else {
			if (!stuck)
				stuck = now_ms();
			if (now_ms() - stuck >= dying_ms)
				return 2;
		}
		if (now_ms() - start > 10000)
			return -1;
	}
}

static int rmap_get(pid_t p)
{
	int i;

	for (i = 0; i < nrmap; i++)
		if (rmap[i] == p)
			return i + 1;
	if (nrmap < MAXMAP)
		rmap[nrmap++] = p;
	return nrmap;
}

static int nmap_get(ino_t ino)
{
	int i;

	for (i = 0; i < nnmap; i++)
		if (nmap[i] == ino)
			return i;
	if (nnmap < MAXMAP)
		nmap[nnmap++] = ino;
	return nnmap - 1;
}

/* the worker's raw answer with its pids and namespaces as ordinals */
static void normalise(const char *in, char *out, size_t len)
{
	unsigned long ino;
	int v, r, used;

	out[0] = '\0';
	while (*in) {
		used = 0;
		if (sscanf(in, "<p:%d:%d>%n", &v, &r, &used) == 2 && used) {
			if (r)
				fmt(out, len, "R%d", rmap_get(v));
			else
				fmt(out, len, "%d", v);
			in += used;
		} else if ((used = 0, sscanf(in, "<n:%lu>%n", &ino, &used) == 1) && used) {
			if (ino)
				fmt(out, len, "ns%d", nmap_get(ino));
			else
				fmt(out, len, "ns?");
			in += used;
		} else {
			fmt(out, len, "%c", *in++);
		}
	}
}

/*
 * Keep a namespace's fd (or close fd if it is kept already): a namespace
 * seen stays, so that its inode number is not given to a later one.
 */
static void pin(int fd)
{
	ino_t ino = fd_ino(fd);
	int i;

	for (i = 0; i < nnsfds; i++)
		if (fd_ino(nsfds[i]) == ino)
			break;
	if (i == nnsfds && nnsfds < (int)(sizeof(nsfds) / sizeof(nsfds[0])))
		nsfds[nnsfds++] = fd;
	else
		close(fd);
}

/* the namespaces the workers handed over (keep()): kept till the program ends */
static void take_pins(void)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	int fd;

	for (;;) {
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		if (recvmsg(pins[0], &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) < 0)
			return;
		cm = CMSG_FIRSTHDR(&mh);
		if (cm && cm->cmsg_type == SCM_RIGHTS) {
			memcpy(&fd, CMSG_DATA(cm), sizeof(int));
			pin(fd);
		}
	}
}

/* after a step: keep the namespaces for children of the live slots */
static void pin_children(void)
{
	char path[64];
	int s, fd;

	for (s = 0; s < MAXSLOT; s++) {
		if (slots[s].state != ALIVE)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/pid_for_children",
			 (int)slots[s].root);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			pin(fd);
	}
}

/* learn a new slot from its hello: pids, namespaces, a pidfd */
static void learn(int s, const char *msg, char *out, size_t len)
{
	struct slot *sl = &slots[s];
	const char *p = msg + 1;
	char path[64];
	int i, n, fd, up;

	memset(sl, 0, sizeof(*sl));
	sl->pidfd = -1;
	sl->level = -1;
	while (sl->level + 1 < MAXLEVEL &&
	       sscanf(p, " %d%n", &sl->nspid[sl->level + 1], &n) == 1) {
		sl->level++;
		p += n;
	}
	if (sl->level < 0) {
		fmt(out, len, " +%d:nonspid", s);
		return;
	}
	sl->root = sl->nspid[0];
	sl->state = ALIVE;
	sl->pidfd = syscall(__NR_pidfd_open, sl->root, 0);
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)sl->root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	/* walk up; keep the fds, so that no namespace seen is freed and reused */
	for (i = sl->level; i >= 0 && fd >= 0; i--) {
		sl->chain[i] = fd_ino(fd);
		pin(fd);
		up = i ? ioctl(fd, NS_GET_PARENT, 0) : -1;
		fd = up;
	}
	fmt(out, len, " +%d:", s);
	for (i = 0; i <= sl->level; i++) {
		if (i)
			fmt(out, len, "/%d", (int)sl->nspid[i]);
		else
			fmt(out, len, "R%d", rmap_get(sl->nspid[0]));
	}
	fmt(out, len, "@ns%d", nmap_get(sl->chain[sl->level]));
	if (nmade < MAXMADE)
		made[nmade++] = *sl;
	if (sl->pidfd < 0)
		fmt(out, len, " nopidfd");
}

/* the pid of slot x as slot a sees it */
static pid_t view_of(const struct slot *sa, const struct slot *sx)
{
	if (sa->level < 0 || sa->level > sx->level ||
	    sa->chain[sa->level] != sx->chain[sa->level])
		return PID_INVISIBLE;
	return sx->nspid[sa->level];
}

static pid_t view(int a, int x)
{
	return view_of(&slots[a], &slots[x]);
}

/*
 * waitany's candidates: the processes made so far as slot a sees them,
 * oldest first; a pid made again belongs to the later process (the first
 * was reaped), so it takes the later place.
 */
static void candidates(int a, struct cmd *c)
{
	pid_t v;
	int i, j;

	c->ncand = 0;
	for (i = 0; i < nmade; i++) {
		v = view_of(&slots[a], &made[i]);
		if (v == PID_INVISIBLE || made[i].root == slots[a].root)
			continue;
		for (j = 0; j < c->ncand && c->cand[j] != v; j++)
			;
		if (j < c->ncand)
			memmove(&c->cand[j], &c->cand[j + 1],
				(--c->ncand - j) * sizeof(c->cand[0]));
		c->cand[c->ncand++] = v;
	}
}

/* the messages a dead slot left unread, both ways: not for the next one */
static void drain(int s)
{
	char buf[512];
	int i;

	for (i = 0; i < 2; i++)
		while (recv(socks[s][i], buf, sizeof(buf), MSG_DONTWAIT) >= 0)
			;
}

/* slot s answered (st 1), died (0), is stuck in exit (2) or hung (-1): changed? */
static bool mark(int s, int st)
{
	int state = st == 1 ? ALIVE : st == 2 ? DYING : DEAD;

	if (st < 0) {
		hangs++;
		slots[s].hung = true;
		/* it must not answer a later slot's commands */
		if (slots[s].pidfd >= 0)
			syscall(__NR_pidfd_send_signal, slots[s].pidfd, SIGKILL, NULL, 0);
		printf("# hang: program %s, step %d, slot %d\n", cur_id, cur_step, s);
	}
	if (state == DEAD && slots[s].pidfd >= 0) {
		close(slots[s].pidfd);
		slots[s].pidfd = -1;
	}
	if (state == DEAD)
		drain(s);
	if (slots[s].state == state)
		return false;
	slots[s].state = state;
	return true;
}

/*
 * After a step: every live slot answers a ping or dies, round after round
 * until a round changes nothing (a death may kill others: a namespace's
 * init). The slots whose state changed are written in their order.
 */
static void settle(char *out, size_t len)
{
	static const char *const names[] = { "dead", "alive", "dying" };
	struct cmd ping = { .kind = OP_PING };
	int before[MAXSLOT], s;
	bool changed = true;
	char buf[512];

	for (s = 0; s < MAXSLOT; s++)
		before[s] = slots[s].state;
	while (changed) {
		changed = false;
		for (s = 0; s < MAXSLOT; s++) {
			if (slots[s].state == DEAD)
				continue;
			if (slots[s].state == ALIVE &&
			    send(socks[s][0], &ping, sizeof(ping), 0) < 0)
				continue;
			changed |= mark(s, await(s, buf, sizeof(buf)));
		}
	}
	for (s = 0; s < MAXSLOT; s++)
		if (slots[s].state != before[s])
			fmt(out, len, " ~%d:%s", s,
			    slots[s].hung ? "hang" : names[slots[s].state]);
}

static int cg_write(const char *file, const char *val)
{
	char path[128];
	int fd, r;

	snprintf(path, sizeof(path), CG "/%s", file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return r;
}

static void cg_setup(void)
{
	int fd = open("/sys/fs/cgroup/cgroup.subtree_control", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, "+pids", 5) < 0)
			(void)0;
		close(fd);
	}
	if (mkdir(CG, 0755) && errno != EEXIST)
		return;
	have_cg = !cg_write("pids.max", "max");
}

static bool is_feature(const struct op *o)
{
	switch (o->kind) {
	case OP_UNSHARE:
	case OP_UNSHAREU:
	case OP_SETNS:
		return true;
	case OP_NSGET:
	case OP_PFDNS:
		return o->a[1] == 1;
	}
	return false;
}

static void op_text(const struct op *o, char *buf, size_t len)
{
	int i;

	snprintf(buf, len, "%d.%s", o->slot, ops[o->kind].name);
	for (i = 0; i < ops[o->kind].nargs; i++)
		fmt(buf, len, ".%d", o->a[i]);
}

/* one step: its trace line in out; is the result a success */
/* the controller's own operation: the pids cgroup's limit */
static bool step_limit(const struct op *o, char *out, size_t len)
{
	char val[16];
	bool ok;

	if (!have_cg) {
		fmt(out, len, "nocgroup");
		return false;
	}
	snprintf(val, sizeof(val), "%d", o->a[0]);
	ok = !cg_write("pids.max", o->a[0] ? val : "max");
	fmt(out, len, ok ? "ok" : "failed");
	return ok;
}

/* a slot was created in slot x: its hello, or it is not there */
static void step_hello(int x, char *out, size_t len)
{
	char msg[512];

	memset(&slots[x], 0, sizeof(slots[x]));
	slots[x].pidfd = -1;
	slots[x].state = ALIVE;
	if (await(x, msg, sizeof(msg)) == 1 && msg[0] == 'H') {
		learn(x, msg, out, len);
	} else {
		fmt(out, len, " +%d:nohello", x);
		slots[x].state = DEAD;
	}
}

/* one step: its result appended to out; did the operation succeed */
static bool step(const struct op *o, char *out, size_t len)
{
	const struct opdef *d = &ops[o->kind];
	struct cmd c = { .kind = o->kind };
	int a = o->slot, x = o->a[0], st;
	char raw[512] = "", res[512];
	bool ok;

	memcpy(c.a, o->a, sizeof(c.a));
	if (a < 0 || a >= MAXSLOT || slots[a].state != ALIVE) {
		fmt(out, len, "-");
		return false;
	}
	if (o->kind == OP_LIMIT)
		return step_limit(o, out, len);
	if (d->a0 != ARG && (x < 0 || x >= MAXSLOT)) {
		fmt(out, len, "badslot");
		return false;
	}
	if (d->a0 == NEWSLOT) {
		if (slots[x].state != DEAD) {
			fmt(out, len, "busy");
			return false;
		}
		drain(x);
	} else if (d->a0 == TARGET) {
		if (!slots[x].root) {
			fmt(out, len, "-");
			return false;
		}
		c.x_root = slots[x].root;
		c.x_view = view(a, x);
	}
	if (o->kind == OP_WAITANY)
		candidates(a, &c);
	if (send(socks[a][0], &c, sizeof(c), 0) < 0) {
		fmt(out, len, "send %s", ename(errno));
		return false;
	}
	st = await(a, raw, sizeof(raw));
	take_pins();
	if (st != 1) {
		fmt(out, len, "%s", st == 0 ? "died" : st == 2 ? "stuck" : "hang");
		mark(a, st);
		/* the operations that end the caller when they work */
		return st == 0 && (o->kind == OP_EXIT || o->kind == OP_REBOOT ||
				   o->kind == OP_KILL || o->kind == OP_PSIG);
	}
	normalise(raw, res, sizeof(res));
	fmt(out, len, "%s", res);
	ok = raw[0] != 'E' && strncmp(raw, "skip", 4) && !strstr(raw, " E");
	/* a pid: the child says hello on its slot */
	if (d->a0 == NEWSLOT && raw[0] == '<' && strncmp(raw, "<p:0:", 5))
		step_hello(x, out, len);
	return ok;
}

static void cleanup(void)
{
	int s, i;

	if (!have_cg || cg_write("cgroup.kill", "1")) {
		for (s = 0; s < MAXSLOT; s++)
			if (slots[s].pidfd >= 0)
				syscall(__NR_pidfd_send_signal, slots[s].pidfd,
					SIGKILL, NULL, 0);
	}
	while (waitpid(-1, NULL, __WALL) > 0 || errno == EINTR)
		;
	for (s = 0; s < MAXSLOT; s++) {
		if (slots[s].pidfd >= 0)
			close(slots[s].pidfd);
		close(socks[s][0]);
		close(socks[s][1]);
	}
	close(pins[0]);
	close(pins[1]);
	for (i = 0; i < nnsfds; i++)
		close(nsfds[i]);
	nnsfds = 0;
	if (have_cg)
		cg_write("pids.max", "max");
}

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h ^ '\n';
}

static void print_text(const struct prog *p)
{
	char buf[64];
	int i;

	printf("TEXT %s", p->id);
	for (i = 0; i < p->n; i++) {
		op_text(&p->op[i], buf, sizeof(buf));
		printf(" %s", buf);
	}
	printf("\n");
}

/* a program that has not ended after PROG_SECONDS: say which, and stop */
static void watchdog(int sig)
{
	char msg[128];
	int n;

	(void)sig;
	n = snprintf(msg, sizeof(msg), "HANG program %s, step %d: stopped after %d s\n",
		     cur_id, cur_step, PROG_SECONDS);
	if (write(STDOUT_FILENO, msg, n) < 0)
		_exit(4);
	_exit(3);
}

static void run(const struct prog *p, bool trace)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	char line[2048], buf[512];
	int i, feat = 0, st, prev = NOPS;
	bool stat = false, ok;
	pid_t pid;

	memset(slots, 0, sizeof(slots));
	for (i = 0; i < MAXSLOT; i++) {
		slots[i].pidfd = -1;
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, socks[i])) {
			perror("socketpair");
			exit(2);
		}
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pins)) {
		perror("socketpair");
		exit(2);
	}
	nrmap = 0;
	nnmap = 0;
	nmade = 0;
	cur_id = p->id;
	cur_step = 0;
	nmap_get(root_ino);
	if (trace)
		print_text(p);
	fflush(stdout);
	alarm(PROG_SECONDS);
	pid = fork();
	if (pid == 0) {
		/* the socket ends are inherited by every slot, over exec too */
		for (i = 0; i < MAXSLOT; i++) {
			fcntl(socks[i][0], F_SETFD, 0);
			fcntl(socks[i][1], F_SETFD, 0);
		}
		fcntl(pins[1], F_SETFD, 0);
		if (have_cg)
			cg_write("cgroup.procs", "0");
		worker(0);
	}
	line[0] = '\0';
	if (pid < 0) {
		fmt(line, sizeof(line), "fork %s", ename(errno));
	} else {
		slots[0].pidfd = -1;
		slots[0].state = ALIVE;
		slots[0].root = pid;
		st = await(0, buf, sizeof(buf));
		if (st == 1)
			learn(0, buf, line, sizeof(line));
		else
			fmt(line, sizeof(line), "no hello");
	}
	h = fnv(h, line);
	if (trace)
		printf("TRACE %s 0 start ->%s\n", p->id, line);
	for (i = 0; i < p->n && pid > 0; i++) {
		const struct op *o = &p->op[i];

		cur_step = i + 1;
		op_text(o, buf, sizeof(buf));
		snprintf(line, sizeof(line), "%s -> ", buf);
		ok = step(o, line, sizeof(line));
		settle(line, sizeof(line));
		pin_children();
		h = fnv(h, line);
		if (trace)
			printf("TRACE %s %d %s\n", p->id, i + 1, line);
		stat |= is_feature(o);
		if (strstr(line, "-> -") || strstr(line, "-> busy") ||
		    strstr(line, "-> skip") || strstr(line, "-> nocgroup"))
			continue;
		cov_op[o->kind][0]++;
		cov_op[o->kind][1] += !ok;
		cov_pair[prev][o->kind]++;
		prev = o->kind;
		feat += ok && is_feature(o);
	}
	cleanup();
	alarm(0);
	printf("PROG %s %016llx feat=%d static=%d steps=%d\n", p->id,
	       (unsigned long long)h, feat, stat, p->n);
	fflush(stdout);
}

/* ---------------------------------------------------------- programs */

static uint64_t rng;

static uint64_t next(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int pick(int n)
{
	return (int)(next() % (uint64_t)n);
}

#define PICK(arr) arr[pick(sizeof(arr) / sizeof(arr[0]))]

/* the program of a seed: a model of which slots live guides the choices */
static void generate(struct prog *p, unsigned long seed, int len)
{
	bool alive[MAXSLOT] = { true }, used[MAXSLOT] = { true };
	/* one seed in 8: no operation of the feature (the control on base) */
	bool plain = seed % 8 == 0;
	int total = 0, k, w, s, nalive, free_slot;
	struct op *o;

	rng = seed * 0x2545f4914f6cdd1dULL + 1;
	snprintf(p->id, sizeof(p->id), "%lu", seed);
	for (k = 0; k < NOPS; k++)
		total += ops[k].weight;
	p->n = 0;
	while (p->n < len) {
		nalive = 0;
		free_slot = -1;
		for (s = MAXSLOT - 1; s >= 0; s--) {
			nalive += alive[s];
			if (!alive[s])
				free_slot = s;
		}
		if (!nalive)
			break;
		w = pick(total);
		for (k = 0; w >= ops[k].weight; k++)
			w -= ops[k].weight;
		if (((ops[k].a0 == NEWSLOT) && free_slot < 0) ||
		    (k == OP_EXIT && nalive == 1) ||
		    (plain && (k == OP_UNSHARE || k == OP_UNSHAREU ||
			       k == OP_SETNS)))
			continue;
		o = &p->op[p->n++];
		memset(o, 0, sizeof(*o));
		o->kind = k;
		do {
			o->slot = pick(MAXSLOT);
		} while (!alive[o->slot]);
		/* the target: a slot that was created, most often a live one */
		do {
			o->a[0] = pick(MAXSLOT);
		} while (!used[o->a[0]] || (!alive[o->a[0]] && pick(4)));
		switch (k) {
		case OP_FORK:
		case OP_CLONENS:
			o->a[0] = free_slot;
			break;
		case OP_SETTID:
			o->a[0] = free_slot;
			o->a[1] = PICK(tids);
			o->a[2] = pick(2);
			break;
		case OP_PIDFD:
			o->a[0] = free_slot;
			o->a[1] = pick(3) == 0;
			break;
		case OP_VFORK:
		case OP_EXIT:
			o->a[0] = pick(4);
			break;
		case OP_SETNS:
			if (pick(3) == 0)
				o->a[0] = o->slot;
			o->a[1] = pick(3);
			break;
		case OP_NSGET:
		case OP_PFDNS:
			if (pick(2))
				o->a[0] = o->slot;
			o->a[1] = plain ? 0 : pick(2);
			break;
		case OP_PARENT:
			if (pick(2))
				o->a[0] = o->slot;
			break;
		case OP_KILL:
		case OP_PSIG:
			o->a[1] = PICK(sigs);
			break;
		case OP_KILL1:
		case OP_KILLALL:
			o->a[0] = PICK(sigs);
			break;
		case OP_REBOOT:
			o->a[0] = PICK(reboots);
			break;
		case OP_LIMIT:
			o->slot = 0;
			o->a[0] = PICK(limits);
			break;
		case OP_WAIT:
			break;
		default:
			o->a[0] = 0;
		}
		if ((ops[k].a0 == NEWSLOT)) {
			alive[free_slot] = true;
			used[free_slot] = true;
		}
		if (k == OP_EXIT)
			alive[o->slot] = false;
	}
}

/* "S.name[.a[.b[.c]]]" */
static int parse_op(const char *t, struct op *o)
{
	char name[32];
	int n, k;

	memset(o, 0, sizeof(*o));
	n = sscanf(t, "%d.%31[a-z1].%d.%d.%d", &o->slot, name, &o->a[0],
		   &o->a[1], &o->a[2]);
	if (n < 2)
		return -1;
	for (k = 0; k < NOPS; k++)
		if (!strcmp(ops[k].name, name))
			break;
	if (k == NOPS || n - 2 != ops[k].nargs)
		return -1;
	o->kind = k;
	return 0;
}

/* "OP OP ..." into p; -1 on a bad op */
static int parse_prog(char *text, struct prog *p)
{
	char *save = NULL, *t;

	p->n = 0;
	for (t = strtok_r(text, " \t\n", &save); t;
	     t = strtok_r(NULL, " \t\n", &save)) {
		if (p->n == MAXOPS || parse_op(t, &p->op[p->n])) {
			fprintf(stderr, "pidns_diff: bad operation \"%s\"\n", t);
			return -1;
		}
		p->n++;
	}
	return 0;
}

static void report(unsigned long n, long ms)
{
	int a, b;

	printf("STAT programs=%lu seconds=%.2f per_s=%.1f hangs=%d\n", n,
	       ms / 1000.0, ms ? n * 1000.0 / ms : 0.0, hangs);
	for (a = 0; a < NOPS; a++)
		printf("COVER op %s %lu %lu\n", ops[a].name, cov_op[a][0],
		       cov_op[a][1]);
	for (a = 0; a < NOPS; a++)
		for (b = 0; b < NOPS; b++)
			if (cov_pair[a][b])
				printf("COVER pair %s %s %lu\n", ops[a].name,
				       ops[b].name, cov_pair[a][b]);
}

static void usage(void)
{
	fprintf(stderr, "usage: pidns_diff [-t] [-g] [-w MS] (-s SEED -n N [-l LEN] | -p PROGRAM | -f FILE)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long seed = 1, n = 0, i, done = 0;
	int len = 24, c;
	bool trace = false, gen_only = false;
	const char *text = NULL, *file = NULL;
	static struct prog p;
	char line[4096], *rest;
	long t0;
	FILE *f;

	while ((c = getopt(argc, argv, "s:n:l:p:f:tgw:")) != -1) {
		switch (c) {
		case 's': seed = strtoul(optarg, NULL, 0); break;
		case 'n': n = strtoul(optarg, NULL, 0); break;
		case 'l': len = atoi(optarg); break;
		case 'p': text = optarg; break;
		case 'f': file = optarg; break;
		case 't': trace = true; break;
		case 'g': gen_only = true; break;
		case 'w': dying_ms = atoi(optarg); break;
		default: usage();
		}
	}
	if (len < 1 || len > MAXOPS || (!n && !text && !file))
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	root_ino = ns_ino("/proc/self/ns/pid");
	if (!gen_only) {
		if (prctl(PR_SET_CHILD_SUBREAPER, 1))
			perror("PR_SET_CHILD_SUBREAPER");
		signal(SIGPIPE, SIG_IGN);
		signal(SIGALRM, watchdog);
		cg_setup();
		printf("# pidns_diff: cgroup %s, dying after %d ms in exit\n",
		       have_cg ? "yes" : "no", dying_ms);
	}
	t0 = now_ms();
	if (text) {
		snprintf(line, sizeof(line), "%s", text);
		if (parse_prog(line, &p))
			return 2;
		snprintf(p.id, sizeof(p.id), "p");
		gen_only ? print_text(&p) : run(&p, trace);
		done = 1;
	} else if (file) {
		f = fopen(file, "r");
		if (!f) {
			perror(file);
			return 2;
		}
		while (fgets(line, sizeof(line), f)) {
			rest = line + strcspn(line, " \t\n");
			if (rest == line)
				continue;
			*rest++ = '\0';
			if (parse_prog(rest, &p))
				return 2;
			snprintf(p.id, sizeof(p.id), "%.31s", line);
			gen_only ? print_text(&p) : run(&p, trace);
			done++;
		}
		fclose(f);
	} else {
		for (i = 0; i < n; i++) {
			generate(&p, seed + i, len);
			gen_only ? print_text(&p) : run(&p, trace);
			done++;
		}
	}
	if (!gen_only)
		report(done, now_ms() - t0);
	return hangs ? 1 : 0;
}
