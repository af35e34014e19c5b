// SPDX-License-Identifier: GPL-2.0
/*
 * pidns_stress: a bounded stress run over pid namespaces for children.
 *
 * W worker processes, for T seconds or until C namespaces were made
 * (whichever comes first), each pick at random among:
 * - basic: unshare(CLONE_NEWPID), fork pid 1 (which may fork children of
 *   its own), fork more members (pid >= 2, parent pid 0), some of which
 *   exit early; then either let everything exit or SIGKILL pid 1 while the
 *   members live; reap, maybe check that a fork into the dead namespace
 *   gives ENOMEM, and setns() back to the worker's own pid namespace.  While
 *   its pid 1 lives, the worker publishes its namespace to the others;
 * - efault: the same, but the first fork fails on purpose (clone3() with
 *   CLONE_PIDFD and a bad pidfd pointer: EFAULT after the pid was
 *   allocated); the next fork must be pid 1 (with the series) or fails with
 *   ENOMEM (stock 6.12: counted as dead_ns, not as an error);
 * - setns: setns() into another worker's live namespace through
 *   /proc/<worker>/ns/pid_for_children (or PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE
 *   on its pidfd), fork a member there, reap it, setns() back;
 * - nested: unshare in pid 1, fork a pid 1 there, and so on, up to 4
 *   levels; maybe SIGKILL one of the inits;
 * - threads: in a multi-threaded process, a thread calls unshare(CLONE_NEWPID)
 *   and forks pid 1 and a member, while the main thread forks into the old
 *   namespace; the thread's pthread_create() and clone(CLONE_THREAD) must
 *   fail with EINVAL, and so must its unshare(CLONE_NEWUSER|CLONE_NEWPID);
 * - sighand: pid 1 made with clone(CLONE_VM | CLONE_SIGHAND), sharing its
 *   parent's handlers, with members inside and outside; on a kernel that
 *   sets the shared SIGCHLD to SIG_IGN when it dies (stock) the parent's
 *   wait gives ECHILD: counted as sigchld_ign, not as an error;
 * - userns: unshare(CLONE_NEWUSER|CLONE_NEWPID) and the basic life, with a
 *   nested namespace in pid 1.
 * The irreversible ones (threads, sighand, userns) run in a forked actor.
 * Every unexpected errno or status is counted and printed with the
 * operation's name, the worker and its iteration; -s SEED replays a run
 * (timing aside).  Output: KTAP ("stress"), then
 * FIGURES stress workers= seconds= cycles= forks= setns= kills= unexpected=
 *	   dead_ns=
 * Exit status 1 if anything was unexpected, a worker died abnormally or a
 * process was left behind.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/types.h>

#include "kselftest.h"
#include "pidns_tools.h"

#ifndef PIDFS_IOCTL_MAGIC
#define PIDFS_IOCTL_MAGIC	0xFF
#endif
#ifndef PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE
#define PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE	_IO(PIDFS_IOCTL_MAGIC, 6)
#endif

#define MAX_WORKERS		64
#define MAX_PRINTS		200
#define NEST_MAX		4
#define STACK_SIZE		(256 * 1024)
/* after the deadline: how long workers get to finish, then to die */
#define GRACE_SECONDS		120

/* exit codes of the children that check what they see */

enum scenario {
	SC_BASIC,
	SC_EFAULT,
	SC_SETNS,
	SC_NESTED,
	SC_THREADS,
	SC_SIGHAND,
	SC_USERNS,
	SC_COUNT,
};

/* -S: run this scenario only (-1: the weighted mix) */
static int only_sc = -1;

static const char * const sc_names[SC_COUNT] = {
	"basic", "efault", "setns", "nested", "threads", "sighand", "userns",
};

/* weights out of 100 */
static const int sc_weights[SC_COUNT] = { 34, 10, 16, 12, 8, 8, 12 };

/* Per worker, in memory shared by everything the run starts. */
struct wstat {
	long cycles;		/* namespaces created */
	long forks;
	long setns;
	long kills;
	long unexpected;
	long dead_ns;
	long sigchld_ign;
	long raced;		/* setns target went away while looked at */
	long iterations;
	long sc[SC_COUNT];
	/* odd while the worker's pid_for_children is a namespace with a pid 1 */
	unsigned long gen;
	pid_t pid;
};

struct shared {
	long cycles;
	long prints;
	int stop;
	int nworkers;
	struct wstat w[MAX_WORKERS];
};

static struct shared *shm;
static struct wstat main_stat;
static struct wstat *me = &main_stat;
static int wid = -1;
static unsigned long iter;
static __u64 rng_state;
static int own_pidns = -1;
static bool userns_ok = true, quiet;
static unsigned long long seed;
static struct timespec start, deadline;
static long max_cycles;
static char *bad_ptr;

/* ------------------------------------------------------------------ */
/* helpers */

/* splitmix64 */
static __u64 next_rand(void)
{
	__u64 z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int rnd(unsigned int n)
{
	return n ? next_rand() % n : 0;
}

static void stat_add(long *counter, long n)
{
	__atomic_add_fetch(counter, n, __ATOMIC_RELAXED);
}

static __printf(3, 4) void unexpected(const char *op, int err, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int len;

	stat_add(&me->unexpected, 1);
	if (__atomic_add_fetch(&shm->prints, 1, __ATOMIC_RELAXED) > MAX_PRINTS)
		return;
	len = snprintf(buf, sizeof(buf),
		       "# worker %d iteration %lu (pid %d): unexpected %s: %s",
		       wid, iter, getpid(), op, ename(err));
	if (fmt && len < (int)sizeof(buf)) {
		len += snprintf(buf + len, sizeof(buf) - len, ": ");
		va_start(ap, fmt);
		if (len < (int)sizeof(buf))
			len += vsnprintf(buf + len, sizeof(buf) - len, fmt, ap);
		va_end(ap);
	}
	if (len > (int)sizeof(buf) - 2)
		len = sizeof(buf) - 2;
	buf[len++] = '\n';
	if (write(STDOUT_FILENO, buf, len) < 0)
		return;
}

static void created(int n)
{
	stat_add(&me->cycles, n);
	__atomic_add_fetch(&shm->cycles, n, __ATOMIC_RELAXED);
}

static double elapsed(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec - start.tv_sec + (now.tv_nsec - start.tv_nsec) / 1e9;
}

static bool time_up(void)
{
	struct timespec now;

	if (__atomic_load_n(&shm->stop, __ATOMIC_RELAXED))
		return true;
	if (max_cycles &&
	    __atomic_load_n(&shm->cycles, __ATOMIC_RELAXED) >= max_cycles)
		return true;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline.tv_sec ||
	       (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec);
}

/* what a child sees, as an exit code; want_pid 0 is any pid >= 2 */
static int pid_code(pid_t want_pid, pid_t want_ppid)
{
	pid_t pid = getpid();

	if (want_pid ? pid != want_pid : pid < 2)
		return CODE_BAD_PID;
	if (getppid() != want_ppid)
		return CODE_BAD_PPID;
	return CODE_OK;
}

static const char *status_str(int st)
{
	static __thread char buf[64];

	if (WIFEXITED(st)) {
		switch (WEXITSTATUS(st)) {
		case CODE_BAD_PID:
			return "exit code 10: saw a wrong getpid()";
		case CODE_BAD_PPID:
			return "exit code 11: saw a wrong getppid()";
		}
		snprintf(buf, sizeof(buf), "exit code %d", WEXITSTATUS(st));
	} else if (WIFSIGNALED(st)) {
		snprintf(buf, sizeof(buf), "killed by signal %d", WTERMSIG(st));
	} else {
		snprintf(buf, sizeof(buf), "status %#x", st);
	}
	return buf;
}

/* exit 0 is fine; SIGKILL too if may_be_killed */
static void check_status(const char *what, int st, bool may_be_killed)
{
	if (WIFEXITED(st) && !WEXITSTATUS(st))
		return;
	if (may_be_killed && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		return;
	unexpected(what, 0, "%s", status_str(st));
}

static int wait_status(pid_t pid, int *st)
{
	pid_t ret;

	do {
		ret = waitpid(pid, st, __WALL);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : 0;
}

/*
 * Reap every child: a pid 1 waits in zap_pid_ns_processes() for the members
 * that are our children, so a wait for the pid 1 alone would block.  The
 * one with pid init must exit 0 (or be SIGKILLed if init_killed); the
 * others may have been killed by their pid 1's death.  Returns whether init
 * was seen.
 */
static bool reap_all(const char *what, pid_t init, bool init_killed)
{
	bool seen = false;
	pid_t pid;
	int st;

	for (;;) {
		pid = waitpid(-1, &st, __WALL);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			if (errno != ECHILD)
				unexpected("waitpid", errno, NULL);
			return seen;
		}
		if (pid == init) {
			seen = true;
			check_status("pid 1", st, init_killed);
		} else {
			check_status(what, st, true);
		}
	}
}

/* gate_open(), or say why not */
static bool gate_made(struct gate *g)
{
	if (!gate_open(g))
		return true;
	unexpected("pipe2", errno, NULL);
	return false;
}

static void undo_unshare(void)
{
	if (setns(own_pidns, CLONE_NEWPID))
		unexpected("setns back to our own pid namespace", errno, NULL);
}

/* make our namespace for children a setns target for the others, or not */
static void publish(void)
{
	__atomic_add_fetch(&me->gen, 1, __ATOMIC_SEQ_CST);	/* odd */
}

static void unpublish(void)
{
	__atomic_add_fetch(&me->gen, 1, __ATOMIC_SEQ_CST);	/* even */
}

/* ------------------------------------------------------------------ */
/* the life of a namespace */

/* a member: in the namespace of its pid 1, or a child of pid 1 */
static __noreturn void run_member(struct gate *g, pid_t want_ppid, bool early)
{
	int code = pid_code(0, want_ppid);

	if (!early)
		gate_block(g);
	_exit(code);
}

/*
 * pid 1: forks a few children of its own (some exit early), maybe nests a
 * namespace with a pid 1 of its own, waits for the gate, reaps, exits.
 */
static __noreturn void run_init(struct gate *g, bool nest)
{
	int code = pid_code(1, 0), i, n = rnd(3);
	pid_t pid;

	if (g->wr >= 0)
		close(g->wr);
	g->wr = -1;
	for (i = 0; i < n; i++) {
		pid = fork();
		if (!pid)
			run_member(g, 1, rnd(2));
		if (pid < 0)
			unexpected("fork by pid 1", errno, NULL);
		else
			stat_add(&me->forks, 1);
	}
	if (nest) {
		if (unshare(CLONE_NEWPID)) {
			unexpected("unshare(CLONE_NEWPID) by pid 1", errno, NULL);
		} else {
			created(1);
			pid = fork();
			if (!pid)
				_exit(pid_code(1, 0));
			if (pid < 0)
				unexpected("first fork by pid 1 after unshare", errno, NULL);
			else
				stat_add(&me->forks, 1);
		}
	}
	gate_block(g);
	reap_all("a child of pid 1", 0, true);
	_exit(code);
}

static pid_t clone3_bad_pidfd(void)
{
	struct clone_args_v2 args = {
		.flags = CLONE_PIDFD,
		.pidfd = (uintptr_t)bad_ptr,
		.exit_signal = SIGCHLD,
	};

	return syscall(__NR_clone3, &args, sizeof(args));
}

/*
 * After unshare: the first fork (maybe failing it on purpose first), the
 * members, the end (orderly or by SIGKILL to pid 1), the reaping.
 */
static void ns_life(bool efault, bool nest, bool publish_it)
{
	bool kill_init, published = false;
	struct gate g;
	pid_t init, pid;
	int i, n;

	if (!gate_made(&g))
		return;
	if (efault) {
		pid = clone3_bad_pidfd();
		if (!pid)
			_exit(0);
		if (pid > 0) {
			unexpected("clone3(CLONE_PIDFD) with a bad pidfd pointer", 0,
				   "succeeded, expected EFAULT");
			waitpid(pid, NULL, __WALL);
		} else if (errno != EFAULT) {
			unexpected("clone3(CLONE_PIDFD) with a bad pidfd pointer",
				   errno, "expected EFAULT");
		}
	}
	init = fork();
	if (!init)
		run_init(&g, nest);
	if (init < 0) {
		if (efault && errno == ENOMEM)
			stat_add(&me->dead_ns, 1);
		else
			unexpected("fork of pid 1", errno, NULL);
		gate_close(&g);
		return;
	}
	stat_add(&me->forks, 1);
	if (publish_it) {
		publish();
		published = true;
	}
	n = rnd(4);
	for (i = 0; i < n; i++) {
		pid = fork();
		if (!pid)
			run_member(&g, 0, rnd(2));
		if (pid < 0) {
			unexpected("fork of a member", errno, NULL);
			break;
		}
		stat_add(&me->forks, 1);
	}
	if (!rnd(4))
		usleep(rnd(2000));
	if (published)
		unpublish();
	kill_init = !rnd(3);
	if (kill_init) {
		if (kill(init, SIGKILL))
			unexpected("kill(pid 1, SIGKILL)", errno, NULL);
		stat_add(&me->kills, 1);
	}
	gate_close(&g);
	if (!reap_all("a member", init, kill_init))
		unexpected("reaping pid 1", ECHILD, "it was not our child to reap");
	if (!rnd(6)) {
		/* pid 1 is gone: the namespace takes no more processes */
		pid = fork();
		if (!pid)
			_exit(0);
		if (pid > 0) {
			unexpected("fork after pid 1 died", 0,
				   "succeeded, expected ENOMEM");
			waitpid(pid, NULL, __WALL);
		} else if (errno != ENOMEM) {
			unexpected("fork after pid 1 died", errno, "expected ENOMEM");
		}
	}
}

static void sc_basic(bool efault)
{
	if (unshare(CLONE_NEWPID)) {
		unexpected("unshare(CLONE_NEWPID)", errno, NULL);
		return;
	}
	created(1);
	if (!rnd(8) && (!unshare(CLONE_NEWPID) || errno != EINVAL))
		unexpected("a second unshare(CLONE_NEWPID)", errno,
			   "expected EINVAL");
	ns_life(efault, false, true);
	undo_unshare();
}

/* setns into another worker's live namespace, fork there, come back */
static void sc_setns(void)
{
	bool via_pidfd = !rnd(4);
	unsigned long g1 = 0, g2;
	int t = -1, i, fd = -1, pidfd = -1, err, st;
	char path[64];
	pid_t pid;

	for (i = 0; i < 4 && shm->nworkers > 1; i++) {
		t = rnd(shm->nworkers);
		if (t == wid)
			continue;
		g1 = __atomic_load_n(&shm->w[t].gen, __ATOMIC_SEQ_CST);
		if (g1 & 1)
			break;
	}
	if (t < 0 || t == wid || !(g1 & 1))
		return;
	pid = shm->w[t].pid;
	if (via_pidfd) {
		pidfd = syscall(__NR_pidfd_open, pid, 0);
		if (pidfd >= 0)
			fd = ioctl(pidfd, PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE, 0);
	} else {
		snprintf(path, sizeof(path), "/proc/%d/ns/pid_for_children", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	err = errno;
	g2 = __atomic_load_n(&shm->w[t].gen, __ATOMIC_SEQ_CST);
	if (pidfd >= 0)
		close(pidfd);
	if (g1 != g2) {
		/* it was unpublished meanwhile: the fd may be anything */
		stat_add(&me->raced, 1);
		if (fd >= 0)
			close(fd);
		return;
	}
	if (fd < 0) {
		unexpected(via_pidfd ? "PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE" :
			   "open /proc/PID/ns/pid_for_children", err,
			   "of worker %d's live namespace", t);
		return;
	}
	if (setns(fd, CLONE_NEWPID)) {
		unexpected("setns(CLONE_NEWPID)", errno,
			   "into worker %d's namespace", t);
		close(fd);
		return;
	}
	close(fd);
	stat_add(&me->setns, 1);
	pid = fork();
	if (!pid)
		_exit(pid_code(0, 0));
	if (pid < 0) {
		/* ENOMEM: its pid 1 died meanwhile */
		if (errno != ENOMEM)
			unexpected("fork after setns", errno, NULL);
	} else {
		stat_add(&me->forks, 1);
		if (wait_status(pid, &st))
			unexpected("waitpid after setns", errno, NULL);
		else
			check_status("child after setns", st, true);
	}
	undo_unshare();
}

static __noreturn void nested_init(struct gate *g, int level, int depth,
				   int kill_level)
{
	int code = pid_code(1, 0);
	pid_t child = -1, pid;

	if (g->wr >= 0)
		close(g->wr);
	g->wr = -1;
	if (level < depth) {
		if (unshare(CLONE_NEWPID)) {
			unexpected("unshare(CLONE_NEWPID) in pid 1", errno,
				   "at level %d", level);
		} else {
			created(1);
			child = fork();
			if (!child)
				nested_init(g, level + 1, depth, kill_level);
			if (child < 0)
				unexpected("fork of a nested pid 1", errno,
					   "at level %d", level + 1);
			else
				stat_add(&me->forks, 1);
		}
	}
	/* a member: in the nested namespace if there is one, else in ours */
	if ((level == depth || child > 0) && rnd(2)) {
		pid = fork();
		if (!pid)
			run_member(g, level == depth ? 1 : 0, rnd(2));
		/* ENOMEM: the nested pid 1 saw the gate close and is gone */
		if (pid < 0 && (level == depth || errno != ENOMEM))
			unexpected("fork of a member by pid 1", errno,
				   "at level %d", level);
		else if (pid > 0)
			stat_add(&me->forks, 1);
	}
	gate_block(g);
	if (kill_level == level + 1 && child > 0) {
		kill(child, SIGKILL);
		stat_add(&me->kills, 1);
	}
	/* an init above may be killing everything: SIGKILL is fine here */
	reap_all("a child of a nested pid 1", child, true);
	_exit(code);
}

static void sc_nested(void)
{
	int depth = 1 + rnd(NEST_MAX), kill_level = rnd(depth + 1);
	struct gate g;
	pid_t init;

	if (!gate_made(&g))
		return;
	if (unshare(CLONE_NEWPID)) {
		unexpected("unshare(CLONE_NEWPID)", errno, NULL);
		gate_close(&g);
		return;
	}
	created(1);
	init = fork();
	if (!init)
		nested_init(&g, 1, depth, kill_level);
	if (init < 0) {
		unexpected("fork of pid 1", errno, NULL);
	} else {
		stat_add(&me->forks, 1);
		if (kill_level == 1) {
			if (rnd(2))
				usleep(rnd(1000));
			kill(init, SIGKILL);
			stat_add(&me->kills, 1);
		}
		if (rnd(2))
			usleep(rnd(2000));
	}
	gate_close(&g);
	reap_all("a nested member", init, kill_level == 1);
	undo_unshare();
}

/* --- threads --- */

static void *nop_thread(void *arg)
{
	return arg;
}

static int raw_thread(void *arg)
{
	(void)arg;
	syscall(SYS_exit, 0);
	return 0;
}

static void *unsharing_thread(void *arg)
{
	char *thread_stack = arg;
	struct gate g;
	pthread_t t;
	pid_t init, pid;
	int err, st;

	/* CLONE_NEWUSER implies CLONE_THREAD: not in a multi-threaded process */
	if (userns_ok && (!unshare(CLONE_NEWUSER | CLONE_NEWPID) || errno != EINVAL))
		unexpected("unshare(CLONE_NEWUSER|CLONE_NEWPID) in a thread",
			   errno, "expected EINVAL");
	if (!gate_made(&g))
		return NULL;
	if (unshare(CLONE_NEWPID)) {
		unexpected("unshare(CLONE_NEWPID) in a thread", errno, NULL);
		gate_close(&g);
		return NULL;
	}
	created(1);
	init = fork();
	if (!init) {
		st = pid_code(1, 0);
		gate_block(&g);
		_exit(st);
	}
	if (init < 0) {
		unexpected("fork of pid 1 by a thread", errno, NULL);
		gate_close(&g);
		return NULL;
	}
	stat_add(&me->forks, 1);
	err = pthread_create(&t, NULL, nop_thread, NULL);
	if (!err) {
		unexpected("pthread_create after unshare(CLONE_NEWPID)", 0,
			   "succeeded, expected EINVAL");
		pthread_join(t, NULL);
	} else if (err != EINVAL) {
		unexpected("pthread_create after unshare(CLONE_NEWPID)", err,
			   "expected EINVAL");
	}
	pid = clone(raw_thread, thread_stack + STACK_SIZE,
		    CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
		    CLONE_THREAD | CLONE_SYSVSEM, NULL);
	if (pid >= 0)
		unexpected("clone(CLONE_THREAD) after unshare(CLONE_NEWPID)", 0,
			   "succeeded, expected EINVAL");
	else if (errno != EINVAL)
		unexpected("clone(CLONE_THREAD) after unshare(CLONE_NEWPID)",
			   errno, "expected EINVAL");
	pid = fork();
	if (!pid)
		_exit(pid_code(0, 0));
	if (pid < 0) {
		unexpected("fork of a member by a thread", errno, NULL);
	} else {
		stat_add(&me->forks, 1);
		if (!wait_status(pid, &st))
			check_status("a member forked by a thread", st, false);
	}
	gate_close(&g);
	if (wait_status(init, &st))
		unexpected("waitpid of pid 1 by a thread", errno, NULL);
	else
		check_status("pid 1 forked by a thread", st, false);
	return NULL;
}

static __noreturn void actor_threads(void)
{
	char *stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	pid_t self = getpid(), pid;
	pthread_t t, t2;
	int err, i, n = 1 + rnd(3), st;

	if (stack == MAP_FAILED) {
		unexpected("mmap", errno, NULL);
		_exit(0);
	}
	err = pthread_create(&t, NULL, unsharing_thread, stack);
	if (err) {
		unexpected("pthread_create", err, NULL);
		_exit(0);
	}
	/* meanwhile, the main thread's children stay in our namespace */
	for (i = 0; i < n; i++) {
		pid = fork();
		if (!pid)
			_exit(getppid() == self && getpid() != 1 ? CODE_OK :
			      CODE_BAD_PID);
		if (pid < 0) {
			unexpected("fork by the other thread", errno, NULL);
			continue;
		}
		stat_add(&me->forks, 1);
		if (!wait_status(pid, &st))
			check_status("a child of the other thread", st, false);
	}
	err = pthread_create(&t2, NULL, nop_thread, NULL);
	if (err)
		unexpected("pthread_create by the other thread", err, NULL);
	else
		pthread_join(t2, NULL);
	pthread_join(t, NULL);
	_exit(0);
}

/* --- CLONE_VM | CLONE_SIGHAND init --- */

/* where the init, which shares our memory, reports */
static struct {
	pid_t pid;
	pid_t ppid;
} shrep;

/* plain system calls only: it shares our memory and TLS */
static int sighand_init(void *arg)
{
	int how = (intptr_t)arg, st;
	pid_t pid;

	shrep.pid = getpid();
	shrep.ppid = getppid();
	if (how & 1) {
		pid = syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
		if (!pid)
			syscall(SYS_exit_group, pid_code(0, 1));
		if (pid < 0) {
			unexpected("fork by a CLONE_SIGHAND pid 1", errno, NULL);
		} else {
			stat_add(&me->forks, 1);
			if ((how & 2) && !wait_status(pid, &st))
				check_status("a child of a CLONE_SIGHAND pid 1",
					     st, false);
		}
	}
	return 0;
}

static __noreturn void actor_sighand(void)
{
	char *stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	struct sigaction sa;
	pid_t init, pid;
	bool seen;

	if (stack == MAP_FAILED) {
		unexpected("mmap", errno, NULL);
		_exit(0);
	}
	if (unshare(CLONE_NEWPID)) {
		unexpected("unshare(CLONE_NEWPID)", errno, NULL);
		_exit(0);
	}
	created(1);
	shrep.pid = -1;
	shrep.ppid = -1;
	init = clone(sighand_init, stack + STACK_SIZE,
		     CLONE_VM | CLONE_SIGHAND | SIGCHLD,
		     (void *)(intptr_t)rnd(4));
	if (init < 0) {
		unexpected("clone(CLONE_VM|CLONE_SIGHAND) of pid 1", errno, NULL);
		_exit(0);
	}
	stat_add(&me->forks, 1);
	if (rnd(2)) {
		pid = fork();
		if (!pid)
			_exit(pid_code(0, 0));
		if (pid > 0)
			stat_add(&me->forks, 1);
		else if (errno != ENOMEM)	/* ENOMEM: pid 1 is gone */
			unexpected("fork of a member", errno, NULL);
	}
	seen = reap_all("a member", init, false);
	if (!sigaction(SIGCHLD, NULL, &sa) && sa.sa_handler == SIG_IGN)
		seen = false;
	if (!seen)
		stat_add(&me->sigchld_ign, 1);	/* stock: reaped for us */
	if (shrep.pid != 1 || shrep.ppid != 0)
		unexpected("CLONE_SIGHAND pid 1", 0, "saw pid %d, parent %d",
			   shrep.pid, shrep.ppid);
	_exit(0);
}

/* --- unshare(CLONE_NEWUSER | CLONE_NEWPID) --- */

static __noreturn void actor_userns(void)
{
	if (unshare(CLONE_NEWUSER | CLONE_NEWPID)) {
		unexpected("unshare(CLONE_NEWUSER|CLONE_NEWPID)", errno, NULL);
		_exit(0);
	}
	created(1);
	ns_life(!rnd(6), rnd(2), false);
	_exit(0);
}

/* an actor: a child for what cannot be undone */
static void in_actor(void (*fn)(void), const char *what)
{
	pid_t pid;
	int st;

	pid = fork();
	if (!pid) {
		fn();
		_exit(0);
	}
	if (pid < 0) {
		unexpected("fork of an actor", errno, "for %s", what);
		return;
	}
	if (wait_status(pid, &st))
		unexpected("waitpid of an actor", errno, "for %s", what);
	else
		check_status(what, st, false);
}

static __noreturn void worker(int id)
{
	int sc, r, acc;

	wid = id;
	me = &shm->w[id];
	rng_state = seed ^ (0x5851f42d4c957f2dULL * (id + 1));
	setpgid(0, 0);
	own_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (own_pidns < 0) {
		unexpected("open /proc/self/ns/pid", errno, NULL);
		_exit(1);
	}
	while (!time_up()) {
		iter++;
		r = rnd(100);
		for (sc = 0, acc = 0; sc < SC_COUNT - 1; sc++) {
			acc += sc_weights[sc];
			if (r < acc)
				break;
		}
		if (only_sc >= 0)
			sc = only_sc;
		if (sc == SC_USERNS && !userns_ok)
			sc = SC_BASIC;
		stat_add(&me->sc[sc], 1);
		switch (sc) {
		case SC_BASIC:
			sc_basic(false);
			break;
		case SC_EFAULT:
			sc_basic(true);
			break;
		case SC_SETNS:
			sc_setns();
			break;
		case SC_NESTED:
			sc_nested();
			break;
		case SC_THREADS:
			in_actor(actor_threads, "the threads actor");
			break;
		case SC_SIGHAND:
			in_actor(actor_sighand, "the CLONE_SIGHAND actor");
			break;
		case SC_USERNS:
			in_actor(actor_userns, "the user namespace actor");
			break;
		}
		stat_add(&me->iterations, 1);
	}
	_exit(0);
}

/* ------------------------------------------------------------------ */

/* interrupts waitpid() once a second */
static void on_tick(int sig)
{
	(void)sig;
}

static long total(size_t offset)
{
	long sum = 0;
	int i;

	for (i = 0; i < shm->nworkers; i++)
		sum += *(long *)((char *)&shm->w[i] + offset);
	return sum;
}

#define TOTAL(field)	total(offsetof(struct wstat, field))

/* 1 if userns works here */
static bool probe_userns(void)
{
	pid_t pid = fork();
	int st;

	if (!pid)
		_exit(unshare(CLONE_NEWUSER | CLONE_NEWPID) ? errno : 0);
	if (pid < 0 || wait_status(pid, &st) || !WIFEXITED(st))
		return false;
	if (WEXITSTATUS(st)) {
		printf("# unshare(CLONE_NEWUSER|CLONE_NEWPID): %s: no user namespace scenarios\n",
		       ename(WEXITSTATUS(st)));
		return false;
	}
	return true;
}

static void help(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-w WORKERS] [-t SECONDS] [-c CYCLES] [-s SEED] [-S SCENARIO] [-q]\n"
		"  -w N  workers (default 4, at most %d)\n"
		"  -t N  run for N seconds (default 60)\n"
		"  -c N  stop after N namespaces were created (and destroyed)\n"
		"  -s N  seed of the random choices (printed; default: from the clock)\n"
		"  -S X  only scenario X (basic, efault, setns, nested, threads, sighand, userns)\n"
		"  -q    quiet: no progress lines\n", prog, MAX_WORKERS);
	exit(KSFT_FAIL);
}

/* unshare(CLONE_NEWPID) works here (in a child: it cannot be undone) */
/* the options, into the globals above and workers, seconds */
static void parse_args(int argc, char **argv, int *workers, int *seconds)
{
	int opt, i;

	while ((opt = getopt(argc, argv, "w:t:c:s:S:qh")) != -1) {
		switch (opt) {
		case 'w':
			*workers = atoi(optarg);
			if (*workers < 1 || *workers > MAX_WORKERS)
				help(argv[0]);
			break;
		case 't':
			*seconds = atoi(optarg);
			if (*seconds < 1)
				help(argv[0]);
			break;
		case 'c':
			max_cycles = atol(optarg);
			if (max_cycles < 1)
				help(argv[0]);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'S':
			for (i = 0; i < SC_COUNT && strcmp(optarg, sc_names[i]); i++)
				;
			if (i == SC_COUNT)
				help(argv[0]);
			only_sc = i;
			break;
		case 'q':
			quiet = true;
			break;
		default:
			help(argv[0]);
		}
	}
}

/* fork the workers, each the leader of a process group of its own */
static void start_workers(pid_t *pids, int workers)
{
	pid_t pid;
	int i;

	fflush(stdout);
	for (i = 0; i < workers; i++) {
		pid = fork();
		if (!pid)
			worker(i);
		if (pid < 0)
			ksft_exit_fail_msg("fork: %s\n", strerror(errno));
		pids[i] = pid;
		shm->w[i].pid = pid;
		setpgid(pid, pid);
	}
}

struct outcome {
	int abnormal;		/* workers that died abnormally, or were killed */
	long orphans;		/* processes the workers left to us */
	int left;		/* processes left in the workers' groups */
	double secs;
};

/*
 * reap the workers (and what they leave to us) until all are gone, with a
 * progress line every 10 s; stop them, then kill them, if they overrun
 */
static void supervise(const pid_t *pids, int workers, int seconds,
		      struct outcome *o)
{
	struct sigaction sa = { .sa_handler = on_tick };
	struct itimerval tick = { { 1, 0 }, { 1, 0 } };
	int alive, i, st, next_report = 10;
	bool killed = false;
	double secs;
	pid_t pid;

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &tick, NULL);
	for (alive = workers; alive > 0;) {
		pid = waitpid(-1, &st, __WALL);
		if (pid < 0 && errno != EINTR)
			break;
		if (pid > 0) {
			for (i = 0; i < workers && pids[i] != pid; i++)
				;
			if (i == workers) {
				o->orphans++;	/* left by a worker */
				continue;
			}
			alive--;
			/* its namespace is no target any more */
			if (shm->w[i].gen & 1)
				__atomic_add_fetch(&shm->w[i].gen, 1, __ATOMIC_SEQ_CST);
			if (!WIFEXITED(st) || WEXITSTATUS(st)) {
				o->abnormal++;
				printf("# worker %d (pid %d) died: %s\n", i, pid,
				       status_str(st));
			}
			continue;
		}
		secs = elapsed();
		if (!quiet && secs >= next_report) {
			printf("# %.0f s: cycles=%ld forks=%ld setns=%ld",
			       secs, shm->cycles, TOTAL(forks), TOTAL(setns));
			printf(" kills=%ld unexpected=%ld\n", TOTAL(kills),
			       TOTAL(unexpected));
			next_report += 10;
		}
		if (secs > seconds + GRACE_SECONDS && !shm->stop) {
			printf("# workers still running %d s after the deadline: stopping them\n",
			       GRACE_SECONDS);
			shm->stop = 1;
		}
		if (secs > seconds + 2 * GRACE_SECONDS && !killed) {
			printf("# workers hung: SIGKILL to their process groups\n");
			for (i = 0; i < workers; i++)
				kill(-pids[i], SIGKILL);
			killed = true;
		}
	}
	tick.it_value.tv_sec = 0;
	tick.it_interval.tv_sec = 0;
	setitimer(ITIMER_REAL, &tick, NULL);
	o->secs = elapsed();
	if (killed)
		o->abnormal++;
}

/* orphans that come late, then what is left in the workers' groups */
static void leftovers(const pid_t *pids, int workers, struct outcome *o)
{
	int i, st;

	while (waitpid(-1, &st, WNOHANG | __WALL) > 0)
		o->orphans++;
	for (i = 0, o->left = 1; i < 100 && o->left; i++) {
		o->left = count_in_groups(pids, workers, false);
		if (o->left)
			usleep(50000);
	}
	if (o->left)
		o->left = count_in_groups(pids, workers, true);
	if (o->orphans)
		printf("# %ld processes were left to us by the workers\n", o->orphans);
	if (o->left)
		printf("# %d processes are left behind\n", o->left);
}

/* the KTAP result and the figures; true if all went as it should */
static bool report(const struct outcome *o, int workers)
{
	bool ok;
	int i;

	printf("# scenarios:");
	for (i = 0; i < SC_COUNT; i++)
		printf(" %s=%ld", sc_names[i], total(offsetof(struct wstat, sc) +
						   i * sizeof(long)));
	printf("\n# iterations=%ld setns_raced=%ld sigchld_ign=%ld dead_ns=%ld",
	       TOTAL(iterations), TOTAL(raced), TOTAL(sigchld_ign),
	       TOTAL(dead_ns));
	printf(" orphans=%ld left=%d abnormal_workers=%d seed=%llu\n",
	       o->orphans, o->left, o->abnormal, seed);
	ok = !TOTAL(unexpected) && !o->abnormal && !o->left && !o->orphans;
	ksft_test_result(ok, "stress\n");
	ksft_print_cnts();
	printf("FIGURES stress workers=%d seconds=%.0f cycles=%ld forks=%ld",
	       workers, o->secs, TOTAL(cycles), TOTAL(forks));
	printf(" setns=%ld kills=%ld unexpected=%ld dead_ns=%ld\n",
	       TOTAL(setns), TOTAL(kills), TOTAL(unexpected), TOTAL(dead_ns));
	return ok;
}

int main(int argc, char **argv)
{
	int workers = 4, seconds = 60;
	struct outcome o = { 0 };
	pid_t pids[MAX_WORKERS];

	seed = (unsigned long long)time(NULL) * 2654435761ULL ^ getpid();
	parse_args(argc, argv, &workers, &seconds);

	ksft_print_header();
	if (geteuid())
		ksft_exit_skip("needs root (CAP_SYS_ADMIN for unshare and setns)\n");
	if (!has_pid_ns())
		ksft_exit_skip("unshare(CLONE_NEWPID): EINVAL: no CONFIG_PID_NS\n");
	ksft_set_plan(1);
	printf("# seed=%llu workers=%d seconds=%d max_cycles=%ld (replay: -s %llu -w %d)\n",
	       seed, workers, seconds, max_cycles, seed, workers);

	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	bad_ptr = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED || bad_ptr == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	shm->nworkers = workers;
	userns_ok = probe_userns();
	/* what a worker leaves behind comes to us */
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	clock_gettime(CLOCK_MONOTONIC, &start);
	deadline = start;
	deadline.tv_sec += seconds;
	start_workers(pids, workers);
	supervise(pids, workers, seconds, &o);
	leftovers(pids, workers, &o);
	return report(&o, workers) ? KSFT_PASS : KSFT_FAIL;
}
