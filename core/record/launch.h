/*
 * launch.h - start a command held just before exec, the way a profiler
 * needs it: flame opens its events on the child first (enable_on_exec),
 * then lets it go, so the first instruction of the program is sampled and
 * nothing of flame is.
 *
 * The child gets flame's original signal mask and default SIGPIPE back
 * (and the signals it is asked to ignore ignored),
 * keeps flame's stdin, stdout, stderr, process group and environment, and
 * is sent SIGKILL if flame dies first (PR_SET_PDEATHSIG).  Call
 * flame_launch_prepare() before starting any thread: the child of a fork
 * only does async-signal-safe work until exec.
 */
#ifndef FLAME_LAUNCH_H
#define FLAME_LAUNCH_H

#include <signal.h>
#include <sys/types.h>

#include "../error.h"

struct flame_launch {
	pid_t pid;     /* the child, held before exec */
	int go_fd;     /* write end: closing it lets the child exec */
	int status_fd; /* read end: the child's exec errno, or EOF when exec worked */
	const char *argv0; /* for messages */
};

/* Fork the child for argv (argv[0] searched in PATH like a shell does);
 * mask: the signal mask the command must start with; ignore (NULL: none):
 * signals the command starts with ignored (SIG_IGN), others than SIGPIPE
 * keeping flame's disposition. */
int flame_launch_prepare(struct flame_launch *l, char *const argv[], const sigset_t *mask,
			 const sigset_t *ignore, struct flame_error *err);

/* Let the child exec.  0: it runs argv now.  -1: exec failed; err says why
 * ("'foo': command not found"), the child is reaped and *exit_code is what
 * a shell would return (127 not found, 126 not executable). */
int flame_launch_go(struct flame_launch *l, int *exit_code, struct flame_error *err);

/* Kill and reap a child that was never let go. */
void flame_launch_cancel(struct flame_launch *l);

#endif
