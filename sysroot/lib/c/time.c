// The monotonic clock and sleeping.
#include <errno.h>
#include <mica/calls.h>
#include <time.h>
#include <unistd.h>

#include "libc_internal.h"

int clock_gettime(clockid_t clock, struct timespec* out) {
  if (clock != CLOCK_MONOTONIC && clock != CLOCK_REALTIME) {
    errno = EINVAL;
    return -1;
  }
  uint64_t ns;
  if (__mica_result(mica_clock_get(&ns)) < 0) {
    return -1;
  }
  out->tv_sec = (time_t)(ns / 1000000000u);
  out->tv_nsec = (long)(ns % 1000000000u);
  return 0;
}

int nanosleep(const struct timespec* duration, struct timespec* remaining) {
  if (duration->tv_sec < 0 || duration->tv_nsec < 0 || duration->tv_nsec >= 1000000000) {
    errno = EINVAL;
    return -1;
  }
  uint64_t ns = (uint64_t)duration->tv_sec * 1000000000u + (uint64_t)duration->tv_nsec;
  if (__mica_result(mica_sleep(ns)) < 0) {
    return -1;
  }
  if (remaining) {
    remaining->tv_sec = 0;
    remaining->tv_nsec = 0;
  }
  return 0;
}

time_t time(time_t* out) {
  struct timespec now;
  time_t t = clock_gettime(CLOCK_REALTIME, &now) < 0 ? (time_t)-1 : now.tv_sec;
  if (out) {
    *out = t;
  }
  return t;
}

clock_t clock(void) {
  struct timespec now;
  if (clock_gettime(CLOCK_MONOTONIC, &now) < 0) {
    return (clock_t)-1;
  }
  return (clock_t)(now.tv_sec * CLOCKS_PER_SEC + now.tv_nsec / 1000);
}

unsigned sleep(unsigned seconds) {
  struct timespec t = {(time_t)seconds, 0};
  return nanosleep(&t, NULL) < 0 ? seconds : 0;
}

int usleep(useconds_t microseconds) {
  struct timespec t = {(time_t)(microseconds / 1000000u), (long)(microseconds % 1000000u) * 1000};
  return nanosleep(&t, NULL);
}
