// uptime: how long the system has run, and what runs on it.
#include <stdio.h>
#include <string.h>

#include <mica/calls.h>

int main(void) {
  struct mica_system_info info;
  int r = mica_system_info(&info);
  if (r < 0) {
    fprintf(stderr, "uptime: %s\n", strerror(-r));
    return 1;
  }
  unsigned long long s = info.uptime_ns / 1000000000ull;
  printf("up %llu:%02llu:%02llu, %u processes, %u threads, %u cpus\n", s / 3600, s / 60 % 60,
         s % 60, info.processes, info.threads, info.cpus);
  return 0;
}
