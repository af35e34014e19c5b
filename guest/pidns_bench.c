// SPDX-License-Identifier: GPL-2.0
/*
 * pidns_bench: the cost of pid namespace operations, for make bench.
 *
 * Each operation runs in a host process of its own (forked from main), so
 * that what one operation does to the caller's namespaces (unshare, setns)
 * never reaches the next. The host sets the operation up, runs one checked
 * iteration (which also tells an unsupported operation from a broken one),
 * calibrates the iteration count so that a round takes about 0.2 s (or uses
 * -n), times ROUNDS rounds with CLOCK_MONOTONIC and hands the results back
 * through shared memory. Main prints one line per operation:
 *
 *   BENCH op=<name> unit=ns median=<ns> min=<ns> max=<ns> rounds=<R> iters=<n>
 *   BENCH op=<name> unsupported errno=<E>
 *   BENCH op=<name> failed errno=<E> at=<what>
 *
 * median, min and max are nanoseconds per iteration over the rounds.
 *
 * The benchmark and all its children run on one CPU (-c, default the first
 * one allowed; -c -1 lets them move): a fork then neither wakes another CPU
 * nor migrates, which under QEMU's TCG takes the spread of a round from tens
 * of percent to a few.
 *
 * The "fresh" operations (unshare_first_fork, userns_pidns_cycle) need a new
 * process for each iteration, as a task can unshare a pid namespace for its
 * children only once. Each iteration forks a worker; the worker times itself
 * from before unshare() to after the wait for the new namespace's init, and
 * reports that time. Creating and reaping the worker is not counted, and so
 * neither is the teardown of the namespace(s), which the worker's exit does
 * (its nsproxy holds the last reference).
 *
 * The "depth.*" operations measure how the cost grows with nesting (each is
 * named depth.<kind>.<d>): the host first builds a chain of pid namespaces
 * and runs the operation at its end, so that the children it forks get a pid
 * at every level from the root to depth d:
 *   depth.fork_clone.d          fork + exit + wait from the init of the
 *                               namespace at depth d (a clone(CLONE_NEWPID)
 *                               chain: the active namespace is at depth d)
 *   depth.fork_unshare.d        fork + exit + wait into the namespace for
 *                               children at depth d, from a task at depth d-1
 *                               (unshare() + fork chain; the namespace has an
 *                               init, so the forks are pid 2, 3, ...)
 *   depth.unshare_first_fork.d  unshare + first fork into depth d, fresh
 *                               workers at depth d-1
 *   depth.enospc_unshare.32     unshare(CLONE_NEWPID) at the deepest level,
 *   depth.enospc_clone.32       and clone(CLONE_NEWPID): both fail, ENOSPC
 * They run -R rounds (default 3): there are 20 of them, and under QEMU's
 * -icount (make bench) the rounds of one operation differ by a few percent.
 *
 * -m N[,N...] (make bench: 1000,10000) adds the cost of many namespaces: N
 * children that sleep, forked (many.fork) and then each the init of a pid
 * namespace of its own (many.newpid), with what /proc/meminfo says they take
 * while they live (per child), the time of the first and the last ten
 * creations, and the slab left once they are all reaped (after RCU has freed
 * the namespaces):
 *
 *   BENCH op=many.<kind>.<N> unit=B slab_B=<n> kstack_B=<n> used_B=<n>
 *         first_ns=<n> last_ns=<n> slab_after_kB=<n>
 *
 * -M D[,D...] (make bench: 1,4,16,31) measures the first N again from the
 * init at the end of a clone(CLONE_NEWPID) chain of depth D: each child's
 * struct pid then has D + 1 levels, and each new namespace is at D + 1
 * (op many.<kind>.<N>.d<D>).
 *
 * Exit status: 0 if every operation was measured or is unsupported, 1 if one
 * failed, 2 on a usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pidns_tools.h"

#define MAX_ROUNDS	99
#define ROUND_NS	200000000ULL	/* calibration target of a round */
#define MAX_ITERS	10000000L
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_LEVEL	32		/* MAX_PID_NS_LEVEL of the kernel */

/* what a host (and a worker) reports to main */
struct shared {
	int err;			/* positive errno, or 0 */
	bool unsupported;		/* err is the kernel refusing the operation */
	const char *what;		/* the call that failed */
	long iters;
	unsigned long long round_ns[MAX_ROUNDS];
	unsigned long long worker_ns;	/* the last fresh worker's time */
};

struct ctx {
	int own_fd;		/* /proc/self/ns/pid */
	int target_fd;		/* the pid namespace of the helper init */
	pid_t init;		/* the helper init, or 0 */
	int hold[2];		/* the helper init lives until hold[1] closes */
};

struct op {
	const char *name;
	int (*setup)(struct ctx *c);
	/* n iterations, their time added to *ns; check: verify the pids */
	int (*run)(struct ctx *c, long n, unsigned long long *ns, bool check);
	void (*teardown)(struct ctx *c);
	int chain;		/* namespaces to nest before setup, or 0 */
	bool chain_unshare;	/* nest by unshare() + fork, not clone() */
};

static struct shared *shm;
static bool quiet;

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* record a failure of call what with errno err; returns -err */
static int fail(const char *what, int err)
{
	shm->err = err;
	shm->what = what;
	return -err;
}

/* a failing namespace call: EINVAL means the kernel does not support it */
static int ns_fail(const char *what, int err)
{
	shm->unsupported = err == EINVAL;
	return fail(what, err);
}

/*
 * wait for pid, which must have exited with status 0 (a child that _exit()s
 * with a non-zero status saw a wrong pid)
 */
static int reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return fail("waitpid", errno);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return fail("child status", EPROTO);
	return 0;
}

/* fork a child that exits at once; if check, its pid must satisfy want */
static int fork_exit_wait(bool check, int want)
{
	pid_t pid = fork();

	if (pid < 0)
		return fail("fork", errno);
	if (pid == 0) {
		if (check && (want == 1 ? getpid() != 1 : getpid() < want))
			_exit(3);
		_exit(0);
	}
	return reap(pid);
}

static int run_fork(struct ctx *c, long n, unsigned long long *ns, bool check)
{
	unsigned long long t0 = now_ns();
	long i;
	int ret;

	(void)c;
	for (i = 0; i < n; i++) {
		ret = fork_exit_wait(check, 2);
		if (ret)
			return ret;
	}
	*ns += now_ns() - t0;
	return 0;
}

/* one fresh worker: unshare(flags) + first fork + exit + wait, timed inside */
static int fresh_iter(int flags, bool check)
{
	unsigned long long t0;
	int ret;
	pid_t w;

	w = fork();
	if (w < 0)
		return fail("fork worker", errno);
	if (w == 0) {
		t0 = now_ns();
		if (unshare(flags))
			_exit(-ns_fail("unshare", errno));
		ret = fork_exit_wait(check, 1);
		if (ret)
			_exit(-ret);
		shm->worker_ns = now_ns() - t0;
		_exit(0);
	}
	if (waitpid(w, &ret, 0) != w)
		return fail("waitpid worker", errno);
	if (WIFEXITED(ret) && WEXITSTATUS(ret) == 0)
		return 0;
	if (!shm->err)
		fail("worker status", EPROTO);
	return -shm->err;
}

static int run_fresh(int flags, long n, unsigned long long *ns, bool check)
{
	long i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = fresh_iter(flags, check);
		if (ret)
			return ret;
		*ns += shm->worker_ns;
	}
	return 0;
}

static int run_unshare(struct ctx *c, long n, unsigned long long *ns,
		       bool check)
{
	(void)c;
	return run_fresh(CLONE_NEWPID, n, ns, check);
}

static int run_userns(struct ctx *c, long n, unsigned long long *ns,
		      bool check)
{
	(void)c;
	return run_fresh(CLONE_NEWUSER | CLONE_NEWPID, n, ns, check);
}

static int run_clone(struct ctx *c, long n, unsigned long long *ns, bool check)
{
	unsigned long long t0 = now_ns();
	long i;
	pid_t pid;
	int ret;

	(void)c;
	for (i = 0; i < n; i++) {
		/* no new stack: the child runs on a copy of ours, like fork */
		pid = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
		if (pid < 0)
			return fail("clone", errno);
		if (pid == 0)
			_exit(check && syscall(SYS_getpid) != 1 ? 3 : 0);
		ret = reap(pid);
		if (ret)
			return ret;
	}
	*ns += now_ns() - t0;
	return 0;
}

/* the helper init: pid 1 of a namespace, alive until hold[1] is closed */
static int helper_init(struct ctx *c, bool unshared)
{
	char path[64];
	char ch;

	if (pipe(c->hold))
		return fail("pipe", errno);
	if (unshared)
		c->init = fork();
	else
		c->init = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
	if (c->init < 0)
		return fail(unshared ? "fork init" : "clone init", errno);
	if (c->init == 0) {
		close(c->hold[1]);
		while (read(c->hold[0], &ch, 1) > 0)
			;
		_exit(0);
	}
	close(c->hold[0]);
	if (unshared)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", c->init);
	c->target_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (c->target_fd < 0)
		return fail("open /proc/PID/ns/pid", errno);
	return 0;
}

static void teardown_init(struct ctx *c)
{
	if (c->init <= 0)
		return;
	close(c->hold[1]);
	waitpid(c->init, NULL, 0);
	c->init = 0;
}

static int setup_setns(struct ctx *c)
{
	c->own_fd = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (c->own_fd < 0)
		return fail("open /proc/self/ns/pid", errno);
	return helper_init(c, false);
}

static int run_setns(struct ctx *c, long n, unsigned long long *ns, bool check)
{
	unsigned long long t0 = now_ns();
	long i;
	int ret;

	for (i = 0; i < n; i++) {
		if (setns(c->target_fd, CLONE_NEWPID))
			return ns_fail("setns", errno);
		ret = fork_exit_wait(check, 2);
		if (ret)
			return ret;
		if (setns(c->own_fd, CLONE_NEWPID))
			return fail("setns back", errno);
	}
	*ns += now_ns() - t0;
	return 0;
}

/* the host itself unshares and forks the init; later forks are pid 2, 3... */
static int setup_later(struct ctx *c)
{
	if (unshare(CLONE_NEWPID))
		return ns_fail("unshare", errno);
	return helper_init(c, true);
}

/* an unshare() or clone() that must fail with ENOSPC at the deepest level */
static int run_enospc(bool unshared, long n, unsigned long long *ns)
{
	unsigned long long t0 = now_ns();
	pid_t pid;
	long i;

	for (i = 0; i < n; i++) {
		if (unshared) {
			if (!unshare(CLONE_NEWPID))
				return fail("unshare at the deepest level", EPROTO);
		} else {
			pid = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
			if (pid == 0)
				_exit(0);
			if (pid > 0) {
				reap(pid);
				return fail("clone at the deepest level", EPROTO);
			}
		}
		if (errno != ENOSPC)
			return ns_fail(unshared ? "unshare" : "clone", errno);
	}
	*ns += now_ns() - t0;
	return 0;
}

static int run_enospc_unshare(struct ctx *c, long n, unsigned long long *ns,
			      bool check)
{
	(void)c;
	(void)check;
	return run_enospc(true, n, ns);
}

static int run_enospc_clone(struct ctx *c, long n, unsigned long long *ns,
			    bool check)
{
	(void)c;
	(void)check;
	return run_enospc(false, n, ns);
}

#define DEPTH_OPS(d)							\
	{ "depth.fork_clone." #d, NULL, run_fork, NULL, d, false },	\
	{ "depth.fork_unshare." #d, setup_later, run_fork,		\
	  teardown_init, d - 1, true },					\
	{ "depth.unshare_first_fork." #d, NULL, run_unshare, NULL,	\
	  d - 1, false }

static const struct op ops[] = {
	{ "fork_exit_wait", NULL, run_fork, NULL, 0, false },
	{ "unshare_first_fork", NULL, run_unshare, NULL, 0, false },
	{ "clone_newpid", NULL, run_clone, NULL, 0, false },
	{ "setns_fork", setup_setns, run_setns, teardown_init, 0, false },
	{ "later_fork", setup_later, run_fork, teardown_init, 0, false },
	{ "userns_pidns_cycle", NULL, run_userns, NULL, 0, false },
	DEPTH_OPS(1), DEPTH_OPS(2), DEPTH_OPS(4), DEPTH_OPS(8),
	DEPTH_OPS(16), DEPTH_OPS(31),
	{ "depth.enospc_unshare.32", NULL, run_enospc_unshare, NULL,
	  MAX_LEVEL, false },
	{ "depth.enospc_clone.32", NULL, run_enospc_clone, NULL,
	  MAX_LEVEL, false },
};

/*
 * iterations for a round of about ROUND_NS: estimated from trials of growing
 * length, the last of which takes at least half a round (a slow first
 * iteration then cannot make the rounds short)
 */
static int calibrate(const struct op *op, struct ctx *c, long *iters)
{
	unsigned long long ns;
	double est;
	long n = 1;
	int ret;

	for (;;) {
		ns = 0;
		ret = op->run(c, n, &ns, false);
		if (ret)
			return ret;
		est = (double)n * ROUND_NS / (ns ? ns : 1) + 0.5;
		if (ns >= ROUND_NS / 2 || n >= MAX_ITERS)
			break;
		n = est > 2 * n ? (est < MAX_ITERS ? (long)est : MAX_ITERS) : 2 * n;
	}
	*iters = est < 1 ? 1 : est > MAX_ITERS ? MAX_ITERS : (long)est;
	return 0;
}

/* the host at the end of its chain: everything about one operation */
static int host_body(const struct op *op, int rounds, long iters)
{
	struct ctx c = { .own_fd = -1, .target_fd = -1 };
	unsigned long long ns;
	int ret, r;

	ret = op->setup ? op->setup(&c) : 0;
	if (!ret) {
		ns = 0;
		ret = op->run(&c, 1, &ns, true);
	}
	if (!ret && !iters)
		ret = calibrate(op, &c, &iters);
	for (r = 0; !ret && r < rounds; r++) {
		ns = 0;
		ret = op->run(&c, iters, &ns, false);
		shm->round_ns[r] = ns;
	}
	shm->iters = iters;
	if (op->teardown)
		op->teardown(&c);
	return ret ? 1 : 0;
}

/*
 * nest left pid namespaces (each level's first child is the next level's
 * init, which goes on; by unshare() + fork if unshared, else by clone()),
 * run body(arg) at the end and pass its exit status back up
 */
static int nest(int left, bool unshared, int (*body)(void *), void *arg)
{
	int status;
	pid_t pid;

	if (!left)
		return body(arg);
	if (unshared && unshare(CLONE_NEWPID)) {
		ns_fail("unshare (chain)", errno);
		return 1;
	}
	if (unshared)
		pid = fork();
	else
		pid = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
	if (pid < 0) {
		ns_fail(unshared ? "fork (chain)" : "clone (chain)", errno);
		return 1;
	}
	if (pid == 0) {
		status = nest(left - 1, unshared, body, arg);
		fflush(stdout);
		_exit(status);
	}
	if (waitpid(pid, &status, 0) != pid) {
		fail("waitpid (chain)", errno);
		return 1;
	}
	if (!WIFEXITED(status)) {
		fail("chain killed", EPROTO);
		return 1;
	}
	return WEXITSTATUS(status);
}

struct host_args {
	const struct op *op;
	int rounds;
	long iters;
};

static int host_cb(void *arg)
{
	const struct host_args *a = arg;

	return host_body(a->op, a->rounds, a->iters);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* run one operation in a host process and print its line; 0 or 1 */
static int bench(const struct op *op, int rounds, long iters)
{
	double per[MAX_ROUNDS], median;
	int status, r;
	pid_t pid;

	memset(shm, 0, sizeof(*shm));
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("BENCH op=%s failed errno=%s at=fork-host\n", op->name,
		       ename(errno));
		return 1;
	}
	if (pid == 0) {
		struct host_args a = { op, rounds, iters };

		_exit(nest(op->chain, op->chain_unshare, host_cb, &a));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
		printf("BENCH op=%s failed errno=%s at=host-died\n", op->name,
		       ename(shm->err ? shm->err : EPROTO));
		return 1;
	}
	if (shm->unsupported) {
		printf("BENCH op=%s unsupported errno=%s\n", op->name,
		       ename(shm->err));
		return 0;
	}
	if (WEXITSTATUS(status)) {
		printf("BENCH op=%s failed errno=%s at=%s\n", op->name,
		       ename(shm->err ? shm->err : EPROTO),
		       shm->what ? shm->what : "host");
		return 1;
	}
	if (!quiet)
		printf("# %s rounds, ns per iteration in order:", op->name);
	for (r = 0; r < rounds; r++) {
		per[r] = (double)shm->round_ns[r] / shm->iters;
		if (!quiet)
			printf(" %.0f", per[r]);
	}
	if (!quiet)
		printf("\n");
	qsort(per, rounds, sizeof(per[0]), cmp_double);
	if (rounds % 2)
		median = per[rounds / 2];
	else
		median = (per[rounds / 2 - 1] + per[rounds / 2]) / 2;
	printf("BENCH op=%s unit=ns median=%.0f min=%.0f max=%.0f rounds=%d iters=%ld\n",
	       op->name, median, per[0], per[rounds - 1], rounds, shm->iters);
	return 0;
}

/*
 * the smallest step of CLOCK_MONOTONIC seen (under TCG without tsc=reliable
 * the guest falls back to jiffies: steps of a tick)
 */
static unsigned long long clock_step(void)
{
	unsigned long long t0, t1, step = ~0ULL;
	int i;

	for (i = 0; i < 5; i++) {
		t0 = now_ns();
		while ((t1 = now_ns()) == t0)
			;
		if (t1 - t0 < step)
			step = t1 - t0;
	}
	return step;
}

static void print_clock(void)
{
	unsigned long long step = clock_step();
	char cs[64];
	FILE *f;

	f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
	if (!f || fscanf(f, "%63s", cs) != 1)
		snprintf(cs, sizeof(cs), "?");
	if (f)
		fclose(f);
	printf("# clock: clocksource %s, steps of %llu ns\n", cs, step);
	if (step > 10000)
		printf("# warning: a coarse clock: use long rounds (-n) or tsc=reliable\n");
}

/* pin to *cpu (-1: leave the affinity alone; -2: the first CPU allowed) */
static int pin(int *cpu)
{
	cpu_set_t set;

	if (*cpu == -1)
		return 0;
	if (*cpu == -2) {
		if (sched_getaffinity(0, sizeof(set), &set))
			return -errno;
		for (*cpu = 0; *cpu < CPU_SETSIZE - 1 && !CPU_ISSET(*cpu, &set); (*cpu)++)
			;
	}
	CPU_ZERO(&set);
	CPU_SET(*cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -errno;
	return 0;
}

/* a field of /proc/meminfo in kB, or -1 */
static long meminfo(const char *field)
{
	size_t n = strlen(field);
	char line[128];
	long kb = -1;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, n) && line[n] == ':') {
			kb = strtol(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

struct mem {
	long slab, kstack, used;	/* kB */
};

static struct mem mem_now(void)
{
	struct mem m;

	m.slab = meminfo("Slab");
	m.kstack = meminfo("KernelStack");
	m.used = meminfo("MemTotal") - meminfo("MemFree");
	return m;
}

/* the slab, once what was freed by RCU callbacks and workers is back */
static long settled_slab(void)
{
	long prev, cur = meminfo("Slab");
	int i;

	for (i = 0; i < 20; i++) {
		usleep(100000);
		prev = cur;
		cur = meminfo("Slab");
		if (cur >= prev - 4 && i >= 4)
			break;
	}
	return cur;
}

/*
 * n sleeping children, each in a new pid namespace if newpid, forked by a
 * task at depth (the init of a namespace at that level, or the root); 0 or 1
 */
static int many(const char *kind, int n, bool newpid, int depth)
{
	char name[64];
	unsigned long long t, first = 0, last = 0;
	struct mem before, during;
	int hold[2], i, status, sample, made = 0, ret = 0;
	long slab0, slab_after;
	pid_t *pids;
	char ch;

	if (depth)
		snprintf(name, sizeof(name), "many.%s.%d.d%d", kind, n, depth);
	else
		snprintf(name, sizeof(name), "many.%s.%d", kind, n);
	pids = calloc(n, sizeof(*pids));
	if (!pids || pipe(hold)) {
		printf("BENCH op=%s failed errno=%s at=setup\n", name, ename(errno));
		return 1;
	}
	slab0 = settled_slab();
	before = mem_now();
	for (i = 0; i < n; i++) {
		t = now_ns();
		if (newpid)
			pids[i] = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
		else
			pids[i] = fork();
		t = now_ns() - t;
		if (pids[i] == 0) {
			close(hold[1]);
			while (read(hold[0], &ch, 1) > 0)
				;
			_exit(0);
		}
		if (pids[i] < 0) {
			printf("BENCH op=%s failed errno=%s at=child-%d\n", name,
			       ename(errno), i + 1);
			ret = 1;
			break;
		}
		made++;
		if (i < 10)
			first += t;
		if (i >= n - 10)
			last += t;
	}
	during = mem_now();
	close(hold[1]);
	close(hold[0]);
	for (i = 0; i < made; i++)
		if (waitpid(pids[i], &status, 0) != pids[i] || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			ret = 1;
	free(pids);
	slab_after = settled_slab();
	if (ret)
		return ret;
	sample = n < 10 ? n : 10;
	printf("BENCH op=%s unit=B slab_B=%ld kstack_B=%ld used_B=%ld first_ns=%llu last_ns=%llu slab_after_kB=%ld\n",
	       name, (during.slab - before.slab) * 1024 / n,
	       (during.kstack - before.kstack) * 1024 / n,
	       (during.used - before.used) * 1024 / n, first / sample, last / sample,
	       slab_after - slab0);
	return 0;
}

struct many_args {
	int n;
	int depth;
};

static int many_cb(void *arg)
{
	const struct many_args *a = arg;
	int ret;

	ret = many("fork", a->n, false, a->depth);
	fflush(stdout);
	ret |= many("newpid", a->n, true, a->depth);
	return ret;
}

/* many() for both kinds, at the end of a clone() chain of depth; 0 or 1 */
static int many_at(int n, int depth)
{
	struct many_args a = { n, depth };
	int status;
	pid_t pid;

	memset(shm, 0, sizeof(*shm));
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("BENCH op=many.fork.%d.d%d failed errno=%s at=fork-host\n",
		       n, depth, ename(errno));
		return 1;
	}
	if (pid == 0) {
		status = nest(depth, false, many_cb, &a);
		fflush(stdout);
		_exit(status);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
		printf("BENCH op=many.fork.%d.d%d failed errno=EPROTO at=host-died\n",
		       n, depth);
		return 1;
	}
	if (WEXITSTATUS(status) && shm->what)
		printf("BENCH op=many.fork.%d.d%d failed errno=%s at=%s\n", n,
		       depth, ename(shm->err), shm->what);
	return WEXITSTATUS(status) ? 1 : 0;
}

/* a comma-separated list of numbers in [lo, hi] into v (at most max); count or -1 */
static int parse_list(const char *arg, int *v, int max, int lo, int hi)
{
	int n = 0;
	char *end;

	do {
		if (n == max)
			return -1;
		v[n] = strtol(arg, &end, 10);
		if (end == arg || (*end && *end != ',') || v[n] < lo || v[n] > hi)
			return -1;
		n++;
		arg = end + 1;
	} while (*end);
	return n;
}

/* op is selected by -o only: its name, or its group (name up to a dot) */
static bool selected(const struct op *op, const char *only)
{
	size_t n;

	if (!only)
		return true;
	n = strlen(only);
	return !strcmp(op->name, only) ||
	       (!strncmp(op->name, only, n) && op->name[n] == '.');
}

static void help(const char *prog)
{
	size_t i;

	fprintf(stderr, "usage: %s [-r ROUNDS] [-R ROUNDS] [-n ITERS] [-o OP] [-c CPU] [-m N] [-M D] [-q]\n",
		prog);
	fprintf(stderr, "  -r ROUNDS  rounds per operation (1-%d, default 7)\n",
		MAX_ROUNDS);
	fprintf(stderr, "  -R ROUNDS  rounds per depth.* operation (default 3)\n");
	fprintf(stderr, "  -n ITERS   iterations per round (default: ~0.2 s a round)\n");
	fprintf(stderr, "  -o OP      only this operation, or group (depth, depth.fork_clone):");
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		fprintf(stderr, "%s%s", i % 3 ? " " : "\n             ", ops[i].name);
	fprintf(stderr, "\n  -c CPU     run on this CPU (default: the first allowed; -1: any)\n");
	fprintf(stderr, "  -m N[,N]   also N sleeping children, forked and each in a pid namespace\n");
	fprintf(stderr, "  -M D[,D]   and the first N again from the init of a namespace at depth D (1-%d)\n",
		MAX_LEVEL - 1);
	fprintf(stderr, "  -q         only the BENCH lines\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *only = NULL;
	struct utsname u;
	int rounds = 7, depth_rounds = 3, cpu = -2, nmany = 0, ndepths = 0;
	int many_n[4], many_depth[8];
	long iters = 0;
	int opt, ret = 0;
	bool found = false;
	char *end;
	size_t i;

	while ((opt = getopt(argc, argv, "r:R:n:o:c:m:M:q")) != -1) {
		switch (opt) {
		case 'q':
			quiet = true;
			break;
		case 'm':
			nmany = parse_list(optarg, many_n, ARRAY_SIZE(many_n), 1,
					   100000);
			if (nmany < 0)
				help(argv[0]);
			break;
		case 'M':
			ndepths = parse_list(optarg, many_depth,
					     ARRAY_SIZE(many_depth), 1,
					     MAX_LEVEL - 1);
			if (ndepths < 0)
				help(argv[0]);
			break;
		case 'r':
			rounds = strtol(optarg, &end, 10);
			if (*end || rounds < 1 || rounds > MAX_ROUNDS)
				help(argv[0]);
			break;
		case 'R':
			depth_rounds = strtol(optarg, &end, 10);
			if (*end || depth_rounds < 1 || depth_rounds > MAX_ROUNDS)
				help(argv[0]);
			break;
		case 'n':
			iters = strtol(optarg, &end, 10);
			if (*end || iters < 1 || iters > MAX_ITERS)
				help(argv[0]);
			break;
		case 'o':
			only = optarg;
			break;
		case 'c':
			cpu = strtol(optarg, &end, 10);
			if (*end || cpu < -1 || cpu >= CPU_SETSIZE)
				help(argv[0]);
			break;
		default:
			help(argv[0]);
		}
	}
	if (optind != argc)
		help(argv[0]);

	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (i = 0; only && i < ARRAY_SIZE(ops); i++)
		found |= selected(&ops[i], only);
	if (only && !found) {
		fprintf(stderr, "no operation %s\n", only);
		help(argv[0]);
	}
	ret = pin(&cpu);
	if (ret) {
		fprintf(stderr, "CPU %d: %s\n", cpu, strerror(-ret));
		return 1;
	}
	if (!quiet) {
		uname(&u);
		printf("# pidns_bench on %s %s: %d rounds (depth.*: %d), %s iterations a round\n",
		       u.sysname, u.release, rounds, depth_rounds,
		       iters ? "fixed" : "calibrated (~0.2 s)");
		print_clock();
		if (cpu >= 0)
			printf("# on CPU %d\n", cpu);
		else
			printf("# on any CPU\n");
	}
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		if (selected(&ops[i], only))
			ret |= bench(&ops[i], !strncmp(ops[i].name, "depth.", 6) ?
				     depth_rounds : rounds, iters);
	}
	for (i = 0; i < (size_t)nmany; i++)
		ret |= many_at(many_n[i], 0);
	for (i = 0; nmany && i < (size_t)ndepths; i++)
		ret |= many_at(many_n[0], many_depth[i]);
	return ret;
}
