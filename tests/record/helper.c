/*
 * helper.c - what the flame record tests need and the shell lacks.
 *
 *   helper probe               exit 0 if perf_event_open works for us, else
 *                              print why and exit 77 (ctest: skipped)
 *   helper deny ERRNO CMD...   run CMD with perf_event_open failing with
 *                              ERRNO (a seccomp filter, as containers have)
 *   helper pty-intr SECS CMD...
 *                              run CMD on a new pseudo-terminal as its
 *                              foreground job, type Ctrl-C every SECS, and
 *                              exit with CMD's status (128+N if killed by N);
 *                              what CMD prints goes to our stdout
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/perf_event.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int probe(void)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_CPU_CLOCK;
	a.sample_period = 1000000;
	a.exclude_kernel = 1;
	a.disabled = 1;
	long fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
	if (fd < 0) {
		printf("SKIP: perf_event_open is denied here (%s); run the tests as root, or with "
		       "kernel.perf_event_paranoid <= 2\n", strerror(errno));
		return 77;
	}
	close((int)fd);
	return 0;
}

static int deny(int err, char **cmd)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_perf_event_open, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)(err & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { (unsigned short)(sizeof(f) / sizeof(f[0])), f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		perror("helper: seccomp");
		return 1;
	}
	execvp(cmd[0], cmd);
	perror(cmd[0]);
	return 127;
}

static int pty_intr(double secs, char **cmd)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0) {
		perror("helper: pty");
		return 1;
	}
	const char *slave = ptsname(m);
	pid_t pid = fork();
	if (pid == 0) {
		setsid();
		int s = open(slave, O_RDWR);
		if (s < 0)
			_exit(1);
		ioctl(s, TIOCSCTTY, 0);
		dup2(s, 0);
		dup2(s, 1);
		dup2(s, 2);
		if (s > 2)
			close(s);
		close(m);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int sent = 0, status = 0;
	char buf[4096];
	for (;;) {
		struct pollfd p = { m, POLLIN, 0 };
		if (poll(&p, 1, 20) > 0) {
			ssize_t n = read(m, buf, sizeof(buf));
			if (n > 0)
				fwrite(buf, 1, (size_t)n, stdout);
		}
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		double el = (double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
		if (el >= secs * (sent + 1)) { /* again and again, until it stops */
			if (write(m, "\003", 1) != 1)
				perror("helper: write");
			sent++;
		}
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (el > secs + 30) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fprintf(stderr, "helper: the command did not stop after Ctrl-C\n");
			return 1;
		}
	}
	/* what is left in the terminal */
	for (;;) {
		struct pollfd p = { m, POLLIN, 0 };
		if (poll(&p, 1, 0) <= 0)
			break;
		ssize_t n = read(m, buf, sizeof(buf));
		if (n <= 0)
			break;
		fwrite(buf, 1, (size_t)n, stdout);
	}
	fflush(stdout);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "probe") == 0)
		return probe();
	if (argc >= 4 && strcmp(argv[1], "deny") == 0)
		return deny(atoi(argv[2]), argv + 3);
	if (argc >= 4 && strcmp(argv[1], "pty-intr") == 0)
		return pty_intr(atof(argv[2]), argv + 3);
	fprintf(stderr, "usage: helper probe | deny ERRNO CMD... | pty-intr SECS CMD...\n");
	return 2;
}
