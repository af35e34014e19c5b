// SPDX-License-Identifier: GPL-2.0
/*
 * host_state: does a test run leave the guest as it found it?  What the
 * pid namespace tests could change in the namespace they run in: the
 * cgroup tree (a test cgroup left behind), the root cgroup's
 * cgroup.subtree_control ("+pids" not undone) and kernel.ns_last_pid (the
 * pid allocation cursor of the runner's namespace, which a test may only
 * write in a namespace of its own).
 *
 *   host_state save       before the tests (harness/guest/init): note the
 *                         cgroup tree and subtree_control (STATE/before),
 *                         raise pid_max, set ns_last_pid to a mark halfway
 *                         between the last pid and pid_max (STATE/mark)
 *                         and leave a watcher behind, with an inotify
 *                         watch on /proc/sys/kernel/ns_last_pid: a line
 *                         in STATE/writes for every write to it
 *   host_state snap FILE  the same snapshot in FILE, with the number of
 *                         writes seen so far (harness/guest/timeout, around
 *                         each test: which test changed what)
 *   host_state            after the tests (run on its own after the rest):
 *                         KTAP, one case per item
 *
 * ns_last_pid is checked twice: no write through the runner's /proc (the
 * watch), and no pid handed out at or below the mark since (a write that
 * moved the cursor back, through whatever proc).  A test that writes it in
 * a namespace of its own, through a proc of that namespace, touches
 * neither.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest.h"

#define CGROUP_ROOT	"/sys/fs/cgroup"
#define NS_LAST_PID	"/proc/sys/kernel/ns_last_pid"
#define PID_MAX		"/proc/sys/kernel/pid_max"
/* PID_MAX_LIMIT of a 64-bit kernel, what systemd sets pid_max to */
#define PID_MAX_HIGH	(4 * 1024 * 1024)
#define STATE		"/tmp/host-state"
#define BEFORE		STATE "/before"
#define AFTER		STATE "/after"
#define MARK		STATE "/mark"
#define WRITES		STATE "/writes"
#define WATCHER		STATE "/watcher"

static char own_cgroup[512];
static FILE *snap_out;

static long read_long(const char *path)
{
	char buf[64] = "";
	long val = -1;
	FILE *f = fopen(path, "re");

	if (f) {
		if (fgets(buf, sizeof(buf), f))
			val = strtol(buf, NULL, 10);
		fclose(f);
	}
	return val;
}

static int write_long(const char *path, long val)
{
	FILE *f = fopen(path, "we");
	int ret;

	if (!f)
		return -errno;
	ret = fprintf(f, "%ld\n", val) < 0;
	ret |= fclose(f);
	return ret ? -EIO : 0;
}

static long count_lines(const char *path)
{
	FILE *f = fopen(path, "re");
	long n = 0;
	int c;

	if (!f)
		return 0;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* Our cgroup ("/" in the root): left out of the tree, it is the runner's. */
static void find_own_cgroup(void)
{
	char line[512];
	FILE *f = fopen("/proc/self/cgroup", "re");

	strcpy(own_cgroup, "/");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(own_cgroup, sizeof(own_cgroup), "%s", line + 3);
	}
	fclose(f);
}

static int one_cgroup(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	const char *rel = path + strlen(CGROUP_ROOT);

	(void)st;
	(void)ftw;
	if (type != FTW_D)
		return 0;
	if (!*rel)
		rel = "/";
	if (strcmp(own_cgroup, "/") && !strcmp(rel, own_cgroup))
		return 0;
	fprintf(snap_out, "cgroup %s\n", rel);
	return 0;
}

/*
 * The cgroup tree and the root's subtree_control, compared as sets of
 * lines; with @writes, the number of ns_last_pid writes seen so far.
 */
static int snapshot(const char *file, bool writes)
{
	char ctl[256] = "";
	FILE *f;

	snap_out = fopen(file, "we");
	if (!snap_out)
		return -errno;
	find_own_cgroup();
	nftw(CGROUP_ROOT, one_cgroup, 16, FTW_PHYS);
	f = fopen(CGROUP_ROOT "/cgroup.subtree_control", "re");
	if (f) {
		if (!fgets(ctl, sizeof(ctl), f))
			ctl[0] = '\0';
		fclose(f);
	}
	ctl[strcspn(ctl, "\n")] = '\0';
	fprintf(snap_out, "subtree_control %s\n", ctl);
	if (writes)
		fprintf(snap_out, "ns_last_pid writes %ld\n", count_lines(WRITES));
	return fclose(snap_out) ? -EIO : 0;
}

/*
 * The watcher: a line in WRITES for every write to ns_last_pid.  It keeps
 * the file open, so that its dentry, and with it the inode watched, stays
 * the one every lookup through the runner's /proc finds.  Says 'y' on
 * @ready once the watch is in place, or the errno why not.
 */
static void watch(int ready)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct inotify_event *ev;
	int fd, pin, err;
	char yes = 'y';
	ssize_t n;
	FILE *f;

	pin = open(NS_LAST_PID, O_RDONLY | O_CLOEXEC);
	fd = inotify_init1(IN_CLOEXEC);
	if (pin < 0 || fd < 0 || inotify_add_watch(fd, NS_LAST_PID, IN_MODIFY) < 0) {
		err = errno;
		if (write(ready, &err, sizeof(err)) < 0)
			_exit(2);
		_exit(1);
	}
	if (write(ready, &yes, 1) != 1)
		_exit(2);
	close(ready);
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(1);
		for (ev = (void *)buf; (char *)ev < buf + n;
		     ev = (void *)((char *)ev + sizeof(*ev) + ev->len)) {
			f = fopen(WRITES, "ae");
			if (f) {
				fprintf(f, "write (inotify mask %#x)\n", ev->mask);
				fclose(f);
			}
		}
	}
}

static int save(void)
{
	long last, pid_max, mark;
	int fds[2], null, err = 0;
	char answer[sizeof(int)] = { 0 };
	FILE *f;
	pid_t pid;

	if (mkdir(STATE, 0755) && errno != EEXIST)
		return -errno;
	if (snapshot(BEFORE, false))
		return -EIO;
	f = fopen(WRITES, "we");
	if (!f)
		return -errno;
	fclose(f);

	/*
	 * The mark: halfway between the last pid and pid_max, raised first
	 * (a run hands out some 16000 pids: the default of 32768 leaves no
	 * room above a mark that a write of a small value stays below).
	 */
	write_long(PID_MAX, PID_MAX_HIGH);
	last = read_long(NS_LAST_PID);
	pid_max = read_long(PID_MAX);
	if (last < 0 || pid_max < 0)
		return -ENOENT;
	mark = (last + pid_max) / 2;
	if (write_long(NS_LAST_PID, mark) || write_long(MARK, mark))
		return -EIO;

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		setsid();
		null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		close(fds[0]);
		watch(fds[1]);
	}
	close(fds[1]);
	if (read(fds[0], answer, sizeof(answer)) != 1 || answer[0] != 'y') {
		memcpy(&err, answer, sizeof(err));
		waitpid(pid, NULL, 0);
		pid = -(err ? err : EPROTO);
	}
	close(fds[0]);
	/* A negative pid: the errno that kept the watch from being set up. */
	return write_long(WATCHER, pid);
}

/* Print the lines of @a that @b does not have, with @sign. */
static int missing(const char *a, const char *b, const char *prefix, char sign)
{
	char la[512], lb[512];
	int n = 0, found;
	FILE *fa, *fb;

	fa = fopen(a, "re");
	fb = fopen(b, "re");
	if (!fa || !fb) {
		ksft_print_msg("cannot read %s or %s\n", a, b);
		if (fa)
			fclose(fa);
		if (fb)
			fclose(fb);
		return 1;
	}
	while (fgets(la, sizeof(la), fa)) {
		if (strncmp(la, prefix, strlen(prefix)))
			continue;
		found = 0;
		rewind(fb);
		while (!found && fgets(lb, sizeof(lb), fb))
			found = !strcmp(la, lb);
		if (!found) {
			ksft_print_msg("%c %s", sign, la);
			n++;
		}
	}
	fclose(fa);
	fclose(fb);
	return n;
}

/* The lines starting with @prefix are the same before and after. */
static bool same(const char *prefix)
{
	return missing(BEFORE, AFTER, prefix, '-') +
	       missing(AFTER, BEFORE, prefix, '+') == 0;
}

static bool ns_last_pid_untouched(void)
{
	long mark = read_long(MARK), watcher = read_long(WATCHER);
	long writes = count_lines(WRITES);
	bool ok = true;
	pid_t pid;

	if (watcher < 0) {
		ksft_print_msg("could not watch %s: %s\n", NS_LAST_PID,
			       strerror(-watcher));
		ok = false;
	} else if (kill(watcher, 0)) {
		ksft_print_msg("the watcher of %s (%ld) is gone\n", NS_LAST_PID,
			       watcher);
		ok = false;
	}
	if (writes) {
		ksft_print_msg("%ld write(s) to %s of the runner's namespace\n",
			       writes, NS_LAST_PID);
		ok = false;
	}
	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return false;
	waitpid(pid, NULL, 0);
	if (pid <= mark) {
		ksft_print_msg("pid %d handed out after ns_last_pid was set to %ld: the cursor was moved back (or went round pid_max)\n",
			       pid, mark);
		ok = false;
	}
	return ok;
}

static void check(void)
{
	ksft_print_header();
	ksft_set_plan(3);
	if (access(BEFORE, R_OK))
		ksft_exit_skip("no state saved before the tests in %s\n", STATE);
	if (snapshot(AFTER, false))
		ksft_exit_fail_msg("cannot take a snapshot in %s\n", AFTER);
	ksft_test_result(same("cgroup "), "cgroup_tree_as_found\n");
	ksft_test_result(same("subtree_control "), "root_subtree_control_as_found\n");
	ksft_test_result(ns_last_pid_untouched(), "ns_last_pid_not_written\n");
	ksft_finished();
}

int main(int argc, char **argv)
{
	int ret;

	if (argc == 2 && !strcmp(argv[1], "save")) {
		ret = save();
		if (ret)
			fprintf(stderr, "host_state save: %s\n", strerror(-ret));
		return !!ret;
	}
	if (argc == 3 && !strcmp(argv[1], "snap"))
		return !!snapshot(argv[2], !access(WRITES, F_OK));
	check();
	return 0;
}
