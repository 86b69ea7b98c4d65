/*
 * measure.c - run one program and report its wall time and peak memory
 *
 * Usage: measure RESULT_FILE PROGRAM [ARGS...]
 *
 * Starts PROGRAM, waits for it and all it waited for, and writes one line
 * "WALL_MS MAXRSS_KB STATUS" to RESULT_FILE: the wall time from just before
 * fork to the end of wait4 (monotonic clock), the largest resident set size
 * of the program or of any descendant it waited for (ru_maxrss of
 * RUSAGE_CHILDREN, which is what GNU time's %M reports), and the exit
 * status (128 + signal number when killed).  Exits with the same status.
 * Used instead of /usr/bin/time, whose %e has only 10 ms resolution.
 */
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

int
main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	pid_t		pid;
	int			status, code;
	double		ms;
	FILE	   *out;

	if (argc < 3)
	{
		fprintf(stderr, "usage: measure RESULT_FILE PROGRAM [ARGS...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0)
	{
		perror("measure: fork");
		return 2;
	}
	if (pid == 0)
	{
		execvp(argv[2], argv + 2);
		fprintf(stderr, "measure: cannot run \"%s\": %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
	{
		perror("measure: waitpid");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_CHILDREN, &ru);
	ms = (t1.tv_sec - t0.tv_sec) * 1000.0 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	out = fopen(argv[1], "w");
	if (out == NULL)
	{
		perror("measure: result file");
		return 2;
	}
	fprintf(out, "%.3f %ld %d\n", ms, ru.ru_maxrss, code);
	fclose(out);
	return code;
}
