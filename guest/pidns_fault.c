// SPDX-License-Identifier: GPL-2.0
/*
 * pidns_fault: a systematic fault-injection sweep over the operations on pid
 * namespaces for children, with /proc/thread-self/fail-nth.
 *
 * For every operation and n = 1, 2, 3, ... a fresh runner process sets up
 * what the operation needs, writes n to its fail-nth right before the
 * operation, runs it and reads fail-nth back: 0 means that the n-th fault
 * point the operation reached was failed ("a point").  The operation must
 * then fail with an errno the contract allows for it, or succeed, and the
 * runner must be able to carry on: a failed unshare(), clone() or setns()
 * leaves the caller as it was and works when retried, the namespace takes a
 * pid 1 after a failed first fork (a kernel where it dies instead, as stock
 * 6.12 does, is counted as dead_ns), another fork works after a failed later
 * fork, and every process is reaped.  The sweep of an operation ends at the
 * first n that it completes without reaching.  fail-nth counts the fault
 * points of the calling task only; the child's part of a fork runs in the
 * parent's copy_process(), so it is counted there.
 *
 * Output: KTAP, one test per operation with a "# points=N errors={...}
 * successes=N" line, then
 * FIGURES fault ops= points= enomem= einval= other_errors= unexpected=
 *	   dead_ns= stuck=
 * Exit status: 0 all good, 1 otherwise, 4 (KSFT_SKIP) without fail-nth.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/types.h>

#include "kselftest.h"
#include "pidns_tools.h"

#define FAIL_NTH		"/proc/thread-self/fail-nth"
#define DEBUGFS			"/sys/kernel/debug"
#define SELF_NS(name)		"/proc/self/ns/" name
#define MAX_N_DEFAULT		2000
/* seconds a runner may take (a debug kernel under TCG is slow) */
#define RUNNER_TIMEOUT		120
#define INIT_STACK_SIZE		(256 * 1024)
#define ERRNO_SLOTS		256

/* and one exit code of ours: the child failed its setup */
#define CODE_SETUP		12

enum verdict {
	V_OK,		/* an allowed errno or a success, and carried on */
	V_DEAD_NS,	/* namespace_dead_after_failed_first_fork */
	V_BAD,		/* anything else: see msg */
};

/* What a runner found for one n, in memory shared with the sweeper. */
struct result {
	int done;		/* the runner got to its end */
	int injected;		/* fail-nth read back 0 */
	int err;		/* errno of the operation, 0 for a success */
	int verdict;
	int sigchld_ign;	/* a CLONE_SIGHAND init left SIGCHLD ignored */
	char msg[256];
};

struct run {
	int n;
	int nth;		/* fd of the runner's fail-nth */
	struct result *res;
	const int *allowed;	/* errnos the operation may fail with, 0-ended */
};

struct op {
	const char *name;
	void (*fn)(struct run *r);
	const int *allowed;
};

struct op_stats {
	int points;
	int successes;
	int dead_ns;
	int unexpected;
	int stuck;
	int sigchld_ign;
	int last_n;
	bool complete;
	int errs[ERRNO_SLOTS];
};

static int max_n = MAX_N_DEFAULT;
static bool quiet, verbose, strict_dead_ns, dry_run;
static struct result *res_shm;

/* ------------------------------------------------------------------ */
/* small helpers */

static bool in_list(const int *list, int e)
{
	for (; *list; list++)
		if (*list == e)
			return true;
	return false;
}

static __printf(2, 3) void bad(struct run *r, const char *fmt, ...)
{
	va_list ap;

	if (r->res->verdict == V_BAD)
		return;		/* keep the first reason */
	r->res->verdict = V_BAD;
	va_start(ap, fmt);
	vsnprintf(r->res->msg, sizeof(r->res->msg), fmt, ap);
	va_end(ap);
}

/* inode of a namespace link, or -errno */
static long ns_ino(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -errno : (long)st.st_ino;
}

static long pid_ns_ino(pid_t pid, const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, name);
	return ns_ino(path);
}

/* fork() with CLONE_PIDFD through clone3() */
static pid_t fork_pidfd(int *pidfd)
{
	struct clone_args_v2 args = {
		.flags = CLONE_PIDFD,
		.pidfd = (uintptr_t)pidfd,
		.exit_signal = SIGCHLD,
	};

	return sys_clone3(&args);
}

/* exit code of a child, 128 + signal if killed, or -errno */
static int wait_code(pid_t pid)
{
	pid_t ret;
	int st;

	do {
		ret = waitpid(pid, &st, __WALL);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

static const char *code_str(int code)
{
	static char buf[64];

	switch (code) {
	case CODE_BAD_PID:
		return "saw a wrong getpid()";
	case CODE_BAD_PPID:
		return "saw a wrong getppid()";
	case CODE_SETUP:
		return "failed its setup";
	}
	if (code < 0)
		snprintf(buf, sizeof(buf), "wait: %s", ename(-code));
	else if (code > 128)
		snprintf(buf, sizeof(buf), "killed by signal %d", code - 128);
	else
		snprintf(buf, sizeof(buf), "exit code %d", code);
	return buf;
}

/* in a child: exit 0 if it sees the pids it should; want_pid 0 is any >= 2 */
static __noreturn void check_exit(pid_t want_pid, pid_t want_ppid)
{
	pid_t pid = getpid();

	if (want_pid ? pid != want_pid : pid < 2)
		_exit(CODE_BAD_PID);
	if (getppid() != want_ppid)
		_exit(CODE_BAD_PPID);
	_exit(CODE_OK);
}

/* fork a child that checks its pids and exits; its pid or -errno */
static pid_t fork_check(pid_t want_pid, pid_t want_ppid)
{
	pid_t pid = fork();

	if (!pid)
		check_exit(want_pid, want_ppid);
	return pid < 0 ? -errno : pid;
}

static void expect_child(struct run *r, pid_t pid, const char *what)
{
	int code = wait_code(pid);

	if (code)
		bad(r, "%s: the child %s", what, code_str(code));
}

/* fork the pid 1 of our namespace for children; it waits for the gate */
static pid_t fork_init(struct gate *g)
{
	pid_t pid = fork();

	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getpid() != 1)
			_exit(CODE_BAD_PID);
		if (getppid() != 0)
			_exit(CODE_BAD_PPID);
		gate_block(g);
		_exit(CODE_OK);
	}
	return pid < 0 ? -errno : pid;
}

/*
 * the setup of a case that needs a namespace for children with a pid 1:
 * unshare, fork the pid 1 (waiting at g). Its pid, or -1 (and r says why).
 */
static pid_t unshare_with_init(struct run *r, struct gate *g)
{
	pid_t init;

	if (gate_open(g) || unshare(CLONE_NEWPID)) {
		bad(r, "setup: %s", ename(errno));
		return -1;
	}
	init = fork_init(g);
	close(g->rd);
	if (init < 0) {
		bad(r, "setup: fork of pid 1: %s", ename(-init));
		close(g->wr);
		return -1;
	}
	return init;
}

/* open the gate of unshare_with_init()'s pid 1 and reap it */
static void release_init(struct run *r, struct gate *g, pid_t init)
{
	int code;

	close(g->wr);
	code = wait_code(init);
	if (code)
		bad(r, "pid 1 %s", code_str(code));
}

/* ------------------------------------------------------------------ */
/* fail-nth */

static int nth_write(int fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (dry_run)
		return 0;
	return write(fd, buf, len) == len ? 0 : -errno;
}

/*
 * Read fail-nth back and clear it: 1 if the fault was injected, 0 if the
 * operation did not get that far, -errno.  Nothing may run between the
 * operation and this: every fault point in between would count.
 */
static int nth_read_clear(int fd)
{
	char buf[16];
	ssize_t len = dry_run ? 0 : pread(fd, buf, sizeof(buf) - 1, 0);
	int err = len < 0 ? -errno : 0;

	if (dry_run)
		return 0;
	nth_write(fd, 0);
	if (err)
		return err;
	buf[len] = 0;
	return strtoul(buf, NULL, 10) == 0;
}

static void arm(struct run *r)
{
	int err = nth_write(r->nth, r->n);

	if (err)
		bad(r, "writing fail-nth: %s", ename(-err));
}

/* record and judge what the operation did; inj as from nth_read_clear() */
static void judge(struct run *r, int inj, int err)
{
	r->res->injected = inj == 1;
	r->res->err = err;
	if (inj < 0)
		bad(r, "reading fail-nth: %s", ename(-inj));
	else if (err && !inj)
		bad(r, "failed with %s without an injected fault", ename(err));
	else if (err && !in_list(r->allowed, err))
		bad(r, "failed with %s, which the contract does not allow here",
		    ename(err));
}

/* right after the operation: err is 0 or its errno */
static void settle(struct run *r, int err)
{
	judge(r, nth_read_clear(r->nth), err);
}

/* ------------------------------------------------------------------ */
/* the operations */

static const int err_nomem[] = { ENOMEM, 0 };
/* ENOSPC: inc_pid_namespaces() when its ucounts cannot be allocated */
static const int err_newpid[] = { ENOMEM, ENOSPC, 0 };
/* EAGAIN: set_cred_ucounts() in ksys_unshare() */
static const int err_newuser[] = { ENOMEM, ENOSPC, EAGAIN, 0 };
/* ENOENT: proc_pid_make_inode() failing in the /proc lookup */
static const int err_open[] = { ENOMEM, ENOENT, 0 };

/* unshare(); a failure changes nothing and a retry works; then pid 1 */
static void do_unshare(struct run *r, int flags)
{
	long pid0 = ns_ino(SELF_NS("pid")), user0 = ns_ino(SELF_NS("user"));
	long pfc;
	pid_t pid;
	int ret;

	arm(r);
	ret = unshare(flags);
	settle(r, ret ? errno : 0);
	if (ret) {
		pfc = ns_ino(SELF_NS("pid_for_children"));
		if (pfc != pid0)
			bad(r, "a failed unshare changed pid_for_children (%ld, was %ld)",
			    pfc, pid0);
		if ((flags & CLONE_NEWUSER) && ns_ino(SELF_NS("user")) != user0)
			bad(r, "a failed unshare changed the user namespace");
		if (unshare(flags)) {
			bad(r, "unshare retried without a fault: %s", ename(errno));
			return;
		}
	}
	pfc = ns_ino(SELF_NS("pid_for_children"));
	if (pfc != -ENOENT)
		bad(r, "pid_for_children before the first fork: %ld, expected ENOENT",
		    pfc);
	pid = fork_check(1, 0);
	if (pid < 0) {
		bad(r, "fork after unshare: %s", ename(-pid));
		return;
	}
	expect_child(r, pid, "fork after unshare");
}

static void op_unshare_newpid(struct run *r)
{
	do_unshare(r, CLONE_NEWPID);
}

static void op_unshare_newuser(struct run *r)
{
	do_unshare(r, CLONE_NEWUSER | CLONE_NEWPID);
}

/*
 * With namespaces made after the pid one in create_new_namespaces() (cgroup,
 * time), a fault there unwinds a pid namespace that was already created.
 */
static void op_unshare_newpid_more(struct run *r)
{
	do_unshare(r, CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWTIME);
}

/* after a failed first fork: the next fork must still be pid 1 */
static void after_failed_first_fork(struct run *r)
{
	pid_t pid = fork_check(1, 0);
	long pfc;

	if (pid == -ENOMEM) {
		pfc = ns_ino(SELF_NS("pid_for_children"));
		if (r->res->verdict == V_OK) {
			r->res->verdict = V_DEAD_NS;
			snprintf(r->res->msg, sizeof(r->res->msg),
				 "namespace_dead_after_failed_first_fork: fork gives ENOMEM, pid_for_children %s",
				 pfc < 0 ? ename(-pfc) : "resolves");
		}
		return;
	}
	if (pid < 0) {
		bad(r, "fork after a failed first fork: %s", ename(-pid));
		return;
	}
	expect_child(r, pid, "fork after a failed first fork (must be pid 1)");
	pfc = ns_ino(SELF_NS("pid_for_children"));
	if (pfc < 0)
		bad(r, "pid_for_children after pid 1 was made: %s", ename(-pfc));
}

static void do_first_fork(struct run *r, bool pidfd)
{
	int fd = -1;
	pid_t pid;

	if (unshare(CLONE_NEWPID)) {
		bad(r, "setup: unshare: %s", ename(errno));
		return;
	}
	arm(r);
	pid = pidfd ? fork_pidfd(&fd) : fork();
	if (!pid)
		check_exit(1, 0);
	settle(r, pid < 0 ? errno : 0);
	if (fd >= 0)
		close(fd);
	if (pid > 0)
		expect_child(r, pid, "first fork (must be pid 1)");
	else
		after_failed_first_fork(r);
}

static void op_first_fork(struct run *r)
{
	do_first_fork(r, false);
}

static void op_first_fork_pidfd(struct run *r)
{
	do_first_fork(r, true);
}

static void do_later_fork(struct run *r, bool pidfd)
{
	struct gate g;
	pid_t init, pid;
	int fd = -1;

	init = unshare_with_init(r, &g);
	if (init < 0)
		return;
	arm(r);
	pid = pidfd ? fork_pidfd(&fd) : fork();
	if (!pid)
		check_exit(0, 0);
	settle(r, pid < 0 ? errno : 0);
	if (fd >= 0)
		close(fd);
	if (pid < 0) {
		pid = fork_check(0, 0);
		if (pid < 0)
			bad(r, "fork after a failed later fork: %s", ename(-pid));
	}
	if (pid > 0)
		expect_child(r, pid, "later fork");
	release_init(r, &g, init);
}

static void op_later_fork(struct run *r)
{
	do_later_fork(r, false);
}

static void op_later_fork_pidfd(struct run *r)
{
	do_later_fork(r, true);
}

static pid_t clone_newpid(void)
{
	pid_t pid = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, NULL, NULL, 0);

	if (!pid)
		check_exit(1, 0);
	return pid;
}

static void op_clone_newpid(struct run *r)
{
	long pid0 = ns_ino(SELF_NS("pid")), pfc;
	pid_t pid;

	arm(r);
	pid = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, NULL, NULL, 0);
	if (!pid)
		check_exit(1, 0);
	settle(r, pid < 0 ? errno : 0);
	if (pid < 0) {
		pid = clone_newpid();
		if (pid < 0)
			bad(r, "clone(CLONE_NEWPID) retried without a fault: %s",
			    ename(errno));
	}
	if (pid > 0)
		expect_child(r, pid, "clone(CLONE_NEWPID) (must be pid 1)");
	pfc = ns_ino(SELF_NS("pid_for_children"));
	if (pfc != pid0)
		bad(r, "clone(CLONE_NEWPID) changed the caller's pid_for_children");
}

/* a pid that is free in our namespace now, for set_tid */
static pid_t free_outer_pid(void)
{
	static unsigned int seed;
	char path[32];
	long max = 32768;
	FILE *f;
	pid_t pid;
	int i;

	f = fopen("/proc/sys/kernel/pid_max", "r");
	if (f) {
		if (fscanf(f, "%ld", &max) != 1)
			max = 32768;
		fclose(f);
	}
	if (!seed)
		seed = getpid() ^ time(NULL);
	for (i = 0; i < 1000; i++) {
		pid = max / 2 + rand_r(&seed) % (max / 2 - 1);
		snprintf(path, sizeof(path), "/proc/%d", pid);
		if (access(path, F_OK) && errno == ENOENT)
			return pid;
	}
	return max / 2 + 7;
}

static void op_clone3_set_tid(struct run *r)
{
	pid_t tids[2] = { 1, free_outer_pid() };
	struct clone_args_v2 args = {
		.flags = CLONE_NEWPID,
		.exit_signal = SIGCHLD,
		.set_tid = (uintptr_t)tids,
		.set_tid_size = 2,
	};
	char path[32];
	pid_t pid;

	arm(r);
	pid = sys_clone3(&args);
	if (!pid)
		check_exit(1, 0);
	settle(r, pid < 0 ? errno : 0);
	if (pid < 0) {
		/* somebody else may have taken the pid meanwhile */
		snprintf(path, sizeof(path), "/proc/%d", tids[1]);
		if (!access(path, F_OK))
			tids[1] = free_outer_pid();
		pid = sys_clone3(&args);
		if (!pid)
			check_exit(1, 0);
		if (pid < 0) {
			bad(r, "clone3 set_tid {1, %d} retried without a fault: %s",
			    tids[1], ename(errno));
			return;
		}
	}
	if (pid != tids[1])
		bad(r, "clone3 set_tid {1, %d} gave pid %d", tids[1], pid);
	expect_child(r, pid, "clone3 set_tid (must be pid 1)");
}

/* a helper that unshares and keeps a pid 1 alive until the gate closes */
struct target {
	pid_t helper;
	pid_t init;
	struct gate g;
};

static int target_start(struct target *t)
{
	int ready[2];
	ssize_t n;

	if (gate_open(&t->g))
		return -errno;
	if (pipe2(ready, O_CLOEXEC))
		return -errno;
	t->helper = fork();
	if (t->helper < 0)
		return -errno;
	if (!t->helper) {
		pid_t init;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(ready[0]);
		if (unshare(CLONE_NEWPID))
			_exit(CODE_SETUP);
		init = fork_init(&t->g);
		close(t->g.wr);
		close(t->g.rd);
		if (init < 0)
			_exit(CODE_SETUP);
		if (write(ready[1], &init, sizeof(init)) != sizeof(init))
			_exit(CODE_SETUP);
		close(ready[1]);
		_exit(wait_code(init) ? CODE_SETUP : CODE_OK);
	}
	close(ready[1]);
	close(t->g.rd);
	n = read(ready[0], &t->init, sizeof(t->init));
	close(ready[0]);
	return n == sizeof(t->init) ? 0 : -EIO;
}

static void target_stop(struct run *r, struct target *t)
{
	int code;

	close(t->g.wr);
	code = wait_code(t->helper);
	if (code)
		bad(r, "the helper or its pid 1 %s", code_str(code));
}

static void do_setns(struct run *r, bool by_pidfd)
{
	long own = ns_ino(SELF_NS("pid")), want, pfc;
	struct target t;
	char path[64];
	int fd, ret;
	pid_t pid;

	if (target_start(&t)) {
		bad(r, "setup: the helper did not start");
		return;
	}
	want = pid_ns_ino(t.init, "pid");
	if (by_pidfd) {
		fd = syscall(__NR_pidfd_open, t.init, 0);
	} else {
		snprintf(path, sizeof(path), "/proc/%d/ns/pid_for_children",
			 t.helper);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		bad(r, "setup: %s: %s", by_pidfd ? "pidfd_open" : path,
		    ename(errno));
		goto out;
	}
	arm(r);
	ret = setns(fd, CLONE_NEWPID);
	settle(r, ret ? errno : 0);
	if (ret) {
		pfc = ns_ino(SELF_NS("pid_for_children"));
		if (pfc != own)
			bad(r, "a failed setns changed pid_for_children");
		if (setns(fd, CLONE_NEWPID)) {
			bad(r, "setns retried without a fault: %s", ename(errno));
			goto out_close;
		}
	}
	pfc = ns_ino(SELF_NS("pid_for_children"));
	if (pfc != want)
		bad(r, "pid_for_children after setns: %ld, expected %ld", pfc, want);
	pid = fork_check(0, 0);
	if (pid < 0)
		bad(r, "fork after setns: %s", ename(-pid));
	else
		expect_child(r, pid, "fork after setns");
out_close:
	close(fd);
out:
	target_stop(r, &t);
}

static void op_setns_nsfd(struct run *r)
{
	do_setns(r, false);
}

static void op_setns_pidfd(struct run *r)
{
	do_setns(r, true);
}

static void op_open_pfc(struct run *r)
{
	struct stat st;
	struct gate g;
	pid_t init;
	long want;
	int fd;

	init = unshare_with_init(r, &g);
	if (init < 0)
		return;
	want = pid_ns_ino(init, "pid");
	arm(r);
	fd = open(SELF_NS("pid_for_children"), O_RDONLY | O_CLOEXEC);
	settle(r, fd < 0 ? errno : 0);
	if (fd < 0) {
		fd = open(SELF_NS("pid_for_children"), O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			bad(r, "open retried without a fault: %s", ename(errno));
	}
	if (fd >= 0) {
		if (fstat(fd, &st) || (long)st.st_ino != want)
			bad(r, "pid_for_children is not pid 1's namespace");
		close(fd);
	}
	release_init(r, &g, init);
}

/*
 * An init made with CLONE_VM | CLONE_SIGHAND shares our memory (so this is
 * where it reports) and our signal handlers; it makes plain system calls only.
 */
static struct {
	pid_t pid;
	pid_t ppid;
	int injected;
	int err;
	int code;
} sh;

static char *init_stack(void)
{
	char *stack = mmap(NULL, INIT_STACK_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);

	return stack == MAP_FAILED ? NULL : stack + INIT_STACK_SIZE;
}

/*
 * Wait for an init that shares our handlers.  On a kernel where its death
 * sets the shared SIGCHLD action to SIG_IGN (stock 6.12), it is reaped for
 * us and waitpid() says ECHILD: count that, and set SIGCHLD back.
 */
static int wait_sighand_init(struct run *r, pid_t pid)
{
	int code = wait_code(pid);
	struct sigaction sa;

	if (!sigaction(SIGCHLD, NULL, &sa) && sa.sa_handler == SIG_IGN) {
		r->res->sigchld_ign = 1;
		signal(SIGCHLD, SIG_DFL);
	}
	if (code == -ECHILD) {
		r->res->sigchld_ign = 1;
		return 0;
	}
	return code;
}

static int sh_report(void *arg)
{
	(void)arg;
	sh.pid = getpid();
	sh.ppid = getppid();
	return 0;
}

/* both CLONE_SIGHAND cases: a stack, unshare, sh reset; NULL if that failed */
static char *sh_setup(struct run *r)
{
	char *stack = init_stack();

	if (!stack || unshare(CLONE_NEWPID)) {
		bad(r, "setup: %s", ename(errno));
		return NULL;
	}
	sh.pid = -1;
	sh.ppid = -1;
	sh.injected = -EIO;
	sh.err = 0;
	sh.code = 0;
	return stack;
}

/* how the CLONE_SIGHAND init ended (code) and the pids it saw */
static void sh_check(struct run *r, int code)
{
	if (code)
		bad(r, "the CLONE_SIGHAND init %s", code_str(code));
	if (sh.pid != 1 || sh.ppid != 0)
		bad(r, "the CLONE_SIGHAND init saw pid %d ppid %d", sh.pid,
		    sh.ppid);
}

static void op_sighand_first_fork(struct run *r)
{
	char *stack = sh_setup(r);
	pid_t pid;

	if (!stack)
		return;
	arm(r);
	pid = clone(sh_report, stack, CLONE_VM | CLONE_SIGHAND | SIGCHLD, NULL);
	settle(r, pid < 0 ? errno : 0);
	if (pid < 0) {
		after_failed_first_fork(r);
		return;
	}
	sh_check(r, wait_sighand_init(r, pid));
}

/* the init: its first fork is the operation, with its own fail-nth */
static int sh_fork(void *arg)
{
	struct run *r = arg;
	pid_t pid;
	int fd;

	sh.pid = getpid();
	sh.ppid = getppid();
	fd = dry_run ? -1 : open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	if ((fd < 0 && !dry_run) || nth_write(fd, r->n))
		return CODE_SETUP;
	pid = syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
	if (!pid)
		check_exit(0, 1);
	sh.err = pid < 0 ? errno : 0;
	sh.injected = nth_read_clear(fd);
	if (fd >= 0)
		close(fd);
	if (pid < 0) {
		pid = syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
		if (!pid)
			check_exit(0, 1);
		if (pid < 0) {
			sh.code = -errno;
			return CODE_OK;
		}
	}
	sh.code = wait_code(pid);
	return CODE_OK;
}

static void op_sighand_init_fork(struct run *r)
{
	char *stack = sh_setup(r);
	pid_t pid;
	int code;

	if (!stack)
		return;
	pid = clone(sh_fork, stack, CLONE_VM | CLONE_SIGHAND | SIGCHLD, r);
	if (pid < 0) {
		bad(r, "setup: clone of the CLONE_SIGHAND init: %s", ename(errno));
		return;
	}
	code = wait_sighand_init(r, pid);
	judge(r, sh.injected, sh.err);
	sh_check(r, code);
	if (sh.code < 0)
		bad(r, "the init's fork after a failed fork: %s",
		    ename(-sh.code));
	else if (sh.code)
		bad(r, "the init's child %s", code_str(sh.code));
}

static const struct op ops[] = {
	{ "unshare_newpid", op_unshare_newpid, err_newpid },
	{ "unshare_newuser_newpid", op_unshare_newuser, err_newuser },
	{ "unshare_newpid_cgroup_time", op_unshare_newpid_more, err_newpid },
	{ "first_fork", op_first_fork, err_nomem },
	{ "first_fork_pidfd", op_first_fork_pidfd, err_nomem },
	{ "later_fork", op_later_fork, err_nomem },
	{ "later_fork_pidfd", op_later_fork_pidfd, err_nomem },
	{ "clone_newpid", op_clone_newpid, err_newpid },
	{ "clone3_newpid_set_tid", op_clone3_set_tid, err_newpid },
	{ "setns_nsfd", op_setns_nsfd, err_nomem },
	{ "setns_pidfd", op_setns_pidfd, err_nomem },
	{ "open_pid_for_children", op_open_pfc, err_open },
	{ "sighand_first_fork", op_sighand_first_fork, err_nomem },
	{ "sighand_init_fork", op_sighand_init_fork, err_nomem },
};

/* ------------------------------------------------------------------ */
/* the sweep */

static void reap_all(void)
{
	while (waitpid(-1, NULL, __WALL) > 0 || errno == EINTR)
		;
}

/* a touched stack, then everything locked: no page fault may eat a point */
static void lock_memory(void)
{
	char pad[64 * 1024];

	memset(pad, 0, sizeof(pad));
	asm volatile("" : : "r"(pad) : "memory");
	mlockall(MCL_CURRENT | MCL_FUTURE);
}

static __noreturn void runner(const struct op *op, int n)
{
	struct run r = {
		.n = n,
		.res = res_shm,
		.allowed = op->allowed,
	};

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGALRM, SIG_DFL);
	alarm(RUNNER_TIMEOUT);
	lock_memory();
	r.nth = dry_run ? -1 : open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	if (r.nth < 0 && !dry_run) {
		bad(&r, "open %s: %s", FAIL_NTH, ename(errno));
		_exit(1);
	}
	op->fn(&r);
	reap_all();
	r.res->done = 1;
	_exit(0);
}

/* interrupts waitpid() */
static void on_alarm(int sig)
{
	(void)sig;
}

/* wait for a runner: 0 done, 1 killed after a timeout, 2 cannot be reaped */
static int wait_runner(pid_t pid, int *status)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	pid_t ret;

	sigaction(SIGALRM, &sa, NULL);
	alarm(RUNNER_TIMEOUT + 30);
	ret = waitpid(pid, status, 0);
	alarm(0);
	if (ret == pid)
		return 0;
	kill(pid, SIGKILL);
	alarm(30);
	ret = waitpid(pid, status, 0);
	alarm(0);
	return ret == pid ? 1 : 2;
}

static __printf(3, 4) void note(const struct op *op, int n, const char *fmt, ...)
{
	va_list ap;

	printf("# %s n=%d: ", op->name, n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* reap orphans handed to us (we are a subreaper): a runner left them */
static int reap_orphans(void)
{
	int count = 0;

	while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
		count++;
	return count;
}

/* returns false if the sweep must stop altogether */
static bool sweep(const struct op *op, struct op_stats *s)
{
	struct result *res = res_shm;
	int n, w, status, orphans;
	pid_t pid;

	for (n = 1; n <= max_n; n++) {
		memset(res, 0, sizeof(*res));
		fflush(stdout);
		pid = fork();
		if (pid < 0) {
			note(op, n, "fork of a runner: %s", ename(errno));
			s->unexpected++;
			return false;
		}
		if (!pid)
			runner(op, n);
		w = wait_runner(pid, &status);
		orphans = reap_orphans();
		s->last_n = n;
		if (orphans) {
			note(op, n, "%d processes were left behind", orphans);
			s->stuck += orphans;
			s->unexpected++;
		}
		if (w) {
			note(op, n, "the runner hung for %d s%s", RUNNER_TIMEOUT + 30,
			     w == 2 ? " and cannot be reaped" : "");
			s->stuck++;
			s->unexpected++;
			return w != 2;
		}
		if (res->injected) {
			s->points++;
			if (!res->err)
				s->successes++;
			else
				s->errs[res->err < ERRNO_SLOTS ? res->err : 0]++;
		}
		s->sigchld_ign += res->sigchld_ign;
		if (!res->done) {
			if (WIFSIGNALED(status))
				note(op, n, "the runner was killed by signal %d%s%s",
				     WTERMSIG(status), res->msg[0] ? ": " : "",
				     res->msg);
			else
				note(op, n, "the runner exited with %d%s%s",
				     WEXITSTATUS(status), res->msg[0] ? ": " : "",
				     res->msg);
			if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
				s->stuck++;
			s->unexpected++;
			if (!res->injected)
				return true;
			continue;
		}
		switch (res->verdict) {
		case V_DEAD_NS:
			s->dead_ns++;
			if (!quiet && (verbose || s->dead_ns == 1))
				note(op, n, "%s (%s)", res->msg, ename(res->err));
			break;
		case V_BAD:
			s->unexpected++;
			note(op, n, "%s%s", res->injected ? "" : "(no fault injected) ",
			     res->msg);
			break;
		default:
			if (verbose)
				note(op, n, "%s%s", res->injected ? "injected, " : "completed",
				     res->injected ? (res->err ? ename(res->err) : "success") : "");
		}
		if (!res->injected) {
			s->complete = !res->err;
			return true;
		}
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* debugfs knobs (Documentation/fault-injection/fault-injection.rst) */

struct knob {
	const char *name;
	const char *value;
	char old[32];
	bool saved;
};

/*
 * fail-nth takes precedence over probability, interval, times and space,
 * but not over the per-type filters, so: no task filter, no cache filter,
 * also allocations that may sleep (GFP_KERNEL, the default is to skip them),
 * every page order, and no message per injected fault.  User memory
 * (ignore-gfp-highmem) stays out; __GFP_NOFAIL allocations are never failed.
 */
static struct knob knobs[] = {
	{ .name = "failslab/task-filter", .value = "N" },
	{ .name = "failslab/cache-filter", .value = "N" },
	{ .name = "failslab/ignore-gfp-wait", .value = "N" },
	{ .name = "failslab/verbose", .value = "0" },
	{ .name = "fail_page_alloc/task-filter", .value = "N" },
	{ .name = "fail_page_alloc/ignore-gfp-wait", .value = "N" },
	{ .name = "fail_page_alloc/min-order", .value = "0" },
	{ .name = "fail_page_alloc/verbose", .value = "0" },
};

static int knob_rw(const char *name, char *buf, size_t len, const char *value)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), DEBUGFS "/%s", name);
	fd = open(path, value ? O_WRONLY : O_RDONLY);
	if (fd < 0)
		return -errno;
	if (value)
		n = write(fd, value, strlen(value));
	else
		n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	if (!value) {
		buf[n] = 0;
		buf[strcspn(buf, "\n")] = 0;
	}
	close(fd);
	return 0;
}

static bool debugfs_mounted(void)
{
	char dev[64], dir[256], type[64];
	bool found = false;
	FILE *f;

	f = fopen("/proc/self/mounts", "r");
	if (!f)
		return false;
	while (!found &&
	       fscanf(f, "%63s %255s %63s %*[^\n]", dev, dir, type) == 3)
		found = !strcmp(dir, DEBUGFS) && !strcmp(type, "debugfs");
	fclose(f);
	return found;
}

/* leaves debugfs mounted: the leak accounting reads kmemleak there too */
static void knobs_set(void)
{
	static const char * const prob[] = {
		"failslab/probability", "fail_page_alloc/probability",
	};
	char buf[32];
	size_t i;
	int err;

	if (!debugfs_mounted() &&
	    mount("debugfs", DEBUGFS, "debugfs", 0, NULL))
		printf("# cannot mount debugfs on %s: %s\n", DEBUGFS, ename(errno));
	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		err = knob_rw(knobs[i].name, knobs[i].old, sizeof(knobs[i].old),
			      NULL);
		if (!err) {
			knobs[i].saved = true;
			err = knob_rw(knobs[i].name, NULL, 0, knobs[i].value);
		}
		if (err)
			printf("# %s=%s not set: %s (fewer fault points)\n",
			       knobs[i].name, knobs[i].value, ename(-err));
	}
	for (i = 0; i < ARRAY_SIZE(prob); i++)
		if (!knob_rw(prob[i], buf, sizeof(buf), NULL) && strcmp(buf, "0"))
			printf("# warning: %s is %s: faults outside the sweep too\n",
			       prob[i], buf);
}

static void knobs_restore(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(knobs); i++)
		if (knobs[i].saved)
			knob_rw(knobs[i].name, NULL, 0, knobs[i].old);
}

/* ------------------------------------------------------------------ */
/* nothing left behind */

/* processes of our process group other than us */
static int count_group(bool show)
{
	pid_t pgid = getpgrp();

	return count_in_groups(&pgid, 1, show);
}

static int leftovers(bool own_group)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	int i, count = 0;

	count += reap_orphans();
	if (waitpid(-1, NULL, WNOHANG | __WALL) == 0)
		printf("# the sweeper still has children\n");
	if (!own_group)
		return count;
	/* a process that was just reaped may take a moment to go from /proc */
	for (i = 0; i < 100; i++) {
		if (!count_group(false))
			return count;
		nanosleep(&ts, NULL);
	}
	return count + count_group(true);
}

/* ------------------------------------------------------------------ */

static void help(const char *prog)
{
	size_t i;

	fprintf(stderr,
		"usage: %s [-o NAME] [-m N] [-q] [-v] [-D] [-n]\n"
		"  -o NAME  sweep one operation only\n"
		"  -m N     at most N fault points per operation (default %d)\n"
		"  -q       quiet: KTAP lines and FIGURES only\n"
		"  -v       one line per fault point\n"
		"  -D       a namespace that died with its failed first fork is a failure\n"
		"           (it must not die with the series; stock 6.12 lets it die)\n"
		"  -n       no fault injection: run every operation once (checks this\n"
		"           program on a kernel without fail-nth)\n"
		"operations:", prog, MAX_N_DEFAULT);
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		fprintf(stderr, " %s", ops[i].name);
	fprintf(stderr, "\n");
	exit(KSFT_FAIL);
}

static void print_errors(const struct op_stats *s, char *buf, size_t len)
{
	size_t off = 0;
	int e;

	off += snprintf(buf + off, len - off, "{");
	for (e = 0; e < ERRNO_SLOTS && off < len; e++) {
		if (!s->errs[e])
			continue;
		off += snprintf(buf + off, len - off, "%s%s:%d",
				off > 1 ? "," : "", e ? ename(e) : "E?", s->errs[e]);
	}
	if (off < len)
		snprintf(buf + off, len - off, "}");
}

/* unshare(CLONE_NEWPID) works here (in a child: it cannot be undone) */
/* the options; the operation -o names, or NULL for all */
static const char *parse_args(int argc, char **argv)
{
	const char *only = NULL;
	int opt;

	while ((opt = getopt(argc, argv, "o:m:qvDnh")) != -1) {
		switch (opt) {
		case 'o':
			only = optarg;
			break;
		case 'm':
			max_n = atoi(optarg);
			if (max_n < 1)
				help(argv[0]);
			break;
		case 'q':
			quiet = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'D':
			strict_dead_ns = true;
			break;
		case 'n':
			dry_run = true;
			break;
		default:
			help(argv[0]);
		}
	}
	return only;
}

/* the sums over the operations swept, for the FIGURES line */
struct totals {
	int swept;
	long points, enomem, einval, other, unexpected, dead_ns, stuck;
};

/* one operation's KTAP result and its share of the totals */
static void account(const struct op *op, const struct op_stats *s,
		    struct totals *t)
{
	char errs[512];
	bool ok;
	int e;

	print_errors(s, errs, sizeof(errs));
	ok = !s->unexpected && (!strict_dead_ns || !s->dead_ns);
	printf("# points=%d errors=%s successes=%d dead_ns=%d sigchld_ign=%d",
	       s->points, errs, s->successes, s->dead_ns, s->sigchld_ign);
	if (!s->complete)
		printf(" incomplete_at_n=%d", s->last_n);
	printf("\n");
	t->swept++;
	ksft_test_result(ok, "%s\n", op->name);
	t->points += s->points;
	t->unexpected += s->unexpected;
	t->dead_ns += s->dead_ns;
	t->stuck += s->stuck;
	for (e = 0; e < ERRNO_SLOTS; e++) {
		if (e == ENOMEM)
			t->enomem += s->errs[e];
		else if (e == EINVAL)
			t->einval += s->errs[e];
		else
			t->other += s->errs[e];
	}
}

int main(int argc, char **argv)
{
	static struct op_stats stats[ARRAY_SIZE(ops)];
	struct totals t = { 0 };
	const char *only;
	bool go = true, own_group, ok;
	int nops = 0, left;
	size_t i;

	only = parse_args(argc, argv);
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		if (!only || !strcmp(only, ops[i].name))
			nops++;
	if (!nops) {
		fprintf(stderr, "%s: no operation %s\n", argv[0], only);
		help(argv[0]);
	}

	ksft_print_header();
	if (!dry_run && access(FAIL_NTH, F_OK))
		ksft_exit_skip("%s: %s: no CONFIG_FAULT_INJECTION_DEBUG_FS\n",
			       FAIL_NTH, ename(errno));
	if (geteuid())
		ksft_exit_skip("needs root (CAP_SYS_ADMIN for unshare and setns)\n");
	if (!has_pid_ns())
		ksft_exit_skip("unshare(CLONE_NEWPID): EINVAL: no CONFIG_PID_NS\n");
	ksft_set_plan(nops);

	res_shm = mmap(NULL, sizeof(*res_shm), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res_shm == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	/* orphans of a runner that died come to us, to be reaped and counted */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* everything we start stays in our process group: count it at the end */
	own_group = !setpgid(0, 0) || getpgrp() == getpid();
	if (!own_group)
		printf("# not a process group leader: no count of what is left\n");
	if (!dry_run)
		knobs_set();

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		if (only && strcmp(only, ops[i].name))
			continue;
		if (!go) {
			ksft_test_result_skip("%s (the sweep stopped)\n", ops[i].name);
			continue;
		}
		go = sweep(&ops[i], &stats[i]);
		account(&ops[i], &stats[i], &t);
	}

	if (!dry_run)
		knobs_restore();
	left = leftovers(own_group);
	if (left) {
		printf("# %d processes were left behind\n", left);
		t.stuck += left;
		t.unexpected++;
	}
	ksft_print_cnts();
	printf("FIGURES fault ops=%d points=%ld enomem=%ld einval=%ld",
	       t.swept, t.points, t.enomem, t.einval);
	printf(" other_errors=%ld unexpected=%ld dead_ns=%ld stuck=%ld\n",
	       t.other, t.unexpected, t.dead_ns, t.stuck);
	ok = !t.unexpected && !t.stuck && (!strict_dead_ns || !t.dead_ns) &&
	     ksft_get_fail_cnt() == 0;
	return ok ? KSFT_PASS : KSFT_FAIL;
}
