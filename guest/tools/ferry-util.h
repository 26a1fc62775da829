/*
 * ferry-util.h - small helpers shared by the Ferry workload tools:
 * monotonic time, absolute-deadline sleeps and strict number parsing.
 */
#ifndef FERRY_UTIL_H
#define FERRY_UTIL_H

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define NS_PER_SEC 1000000000ull
#define NS_PER_MS 1000000ull

static inline uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/*
 * Sleeps until the absolute CLOCK_MONOTONIC time t_ns. Returns early (with
 * EINTR) when a signal handler ran, so callers can check their stop flag.
 */
static inline int sleep_until_ns(uint64_t t_ns)
{
	struct timespec ts = { .tv_sec = (time_t)(t_ns / NS_PER_SEC),
			       .tv_nsec = (long)(t_ns % NS_PER_SEC) };
	return clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

/* Parses a whole decimal unsigned integer; returns 0 on success. */
static inline int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

/* Parses a whole non-negative finite decimal number; returns 0 on success. */
static inline int parse_nonneg(const char *s, double *out)
{
	char *end;
	if (!s || !*s)
		return -1;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < 0)
		return -1;
	*out = v;
	return 0;
}

#endif
