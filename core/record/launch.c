/*
 * launch.c - fork, hold, exec.  See launch.h.
 */
#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int flame_launch_prepare(struct flame_launch *l, char *const argv[], const sigset_t *mask,
			 const sigset_t *ignore, struct flame_error *err)
{
	int go[2], st[2];
	l->pid = -1;
	l->go_fd = l->status_fd = -1;
	if (pipe2(go, O_CLOEXEC) < 0)
		return flame_error_set(err, FLAME_ERR_IO, NULL, 0, "pipe: %s", strerror(errno));
	if (pipe2(st, O_CLOEXEC) < 0) {
		int e = errno;
		close(go[0]);
		close(go[1]);
		return flame_error_set(err, FLAME_ERR_IO, NULL, 0, "pipe: %s", strerror(e));
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(go[0]);
		close(go[1]);
		close(st[0]);
		close(st[1]);
		return flame_error_set(err, FLAME_ERR_IO, NULL, 0, "fork: %s", strerror(e));
	}
	if (pid == 0) {
		/* the child: async-signal-safe calls only until exec */
		int e;
		char c;
		close(go[1]);
		close(st[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127); /* flame died before we could ask */
		signal(SIGPIPE, SIG_DFL);
		for (int sig = 1; ignore && sig < NSIG; sig++)
			if (sigismember(ignore, sig) == 1)
				signal(sig, SIG_IGN);
		if (read(go[0], &c, 1) != 1)
			_exit(127); /* flame gave up */
		sigprocmask(SIG_SETMASK, mask, NULL);
		execvp(argv[0], argv);
		e = errno;
		if (write(st[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(st[1]);
	l->pid = pid;
	l->go_fd = go[1];
	l->status_fd = st[0];
	l->argv0 = argv[0];
	return 0;
}

int flame_launch_go(struct flame_launch *l, int *exit_code, struct flame_error *err)
{
	char c = 1;
	int e = 0;
	ssize_t n;
	if (write(l->go_fd, &c, 1) != 1) {
		e = errno;
		flame_launch_cancel(l);
		*exit_code = 1;
		return flame_error_set(err, FLAME_ERR_IO, NULL, 0, "cannot start the command: %s",
				       strerror(e));
	}
	close(l->go_fd);
	l->go_fd = -1;
	while ((n = read(l->status_fd, &e, sizeof(e))) < 0 && errno == EINTR)
		;
	close(l->status_fd);
	l->status_fd = -1;
	if (n != (ssize_t)sizeof(e))
		return 0; /* EOF: the exec succeeded (the pipe closed on exec) */
	int status;
	while (waitpid(l->pid, &status, 0) < 0 && errno == EINTR)
		;
	l->pid = -1;
	*exit_code = e == ENOENT ? 127 : 126;
	if (e == ENOENT && !strchr(l->argv0, '/'))
		return flame_error_set(err, FLAME_ERR_IO, NULL, 0, "'%s': command not found", l->argv0);
	if (e == ENOENT)
		return flame_error_set(err, FLAME_ERR_IO, NULL, 0, "'%s': no such file", l->argv0);
	return flame_error_set(err, FLAME_ERR_IO, NULL, 0, "'%s': cannot execute: %s", l->argv0,
			       strerror(e));
}

void flame_launch_cancel(struct flame_launch *l)
{
	if (l->go_fd >= 0)
		close(l->go_fd); /* the child reads EOF and exits */
	if (l->status_fd >= 0)
		close(l->status_fd);
	l->go_fd = l->status_fd = -1;
	if (l->pid > 0) {
		int status;
		kill(l->pid, SIGKILL);
		while (waitpid(l->pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	l->pid = -1;
}
