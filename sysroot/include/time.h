// <time.h>: the monotonic clock and sleeping.
#pragma once

#include <stddef.h>

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct timespec {
  time_t tv_sec;
  long tv_nsec;
};

#define CLOCK_REALTIME 0  // no wall clock yet: the same as CLOCK_MONOTONIC
#define CLOCK_MONOTONIC 1
#define CLOCKS_PER_SEC 1000000L

typedef long clock_t;

int clock_gettime(clockid_t clock, struct timespec* out);
int nanosleep(const struct timespec* duration, struct timespec* remaining);
time_t time(time_t* out);
clock_t clock(void);

#ifdef __cplusplus
}
#endif
