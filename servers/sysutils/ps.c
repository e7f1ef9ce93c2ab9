// ps: the processes the router knows (every process started through it or
// registered by its creator): pid, parent, state, threads, own memory, CPU
// time and name, from the kernel's accounting (MICA_SYS_PROCESS_INFO).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router_call.h"

int main(void) {
  static char text[8192];
  size_t got = 0;
  intptr_t r = router_call(MICA_ROUTER_PROCESSES, 0, 0, text, sizeof(text) - 1, &got);
  if (r < 0) {
    fprintf(stderr, "ps: %s\n", strerror((int)-r));
    return 1;
  }
  text[got] = 0;
  printf("  PID  PPID STATE   THR   MEM(KiB)     TIME NAME\n");
  // Lines: "pid ppid state threads kib cpu_ms name" (<mica/protocol.h>).
  for (char* line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
    char* rest;
    unsigned long pid = strtoul(line, &rest, 10);
    unsigned long ppid = strtoul(rest, &rest, 10);
    while (*rest == ' ') rest++;
    char* state = rest;
    char* after = strchr(state, ' ');
    if (!after) continue;
    *after++ = 0;
    unsigned long threads = strtoul(after, &rest, 10);
    unsigned long long kib = strtoull(rest, &rest, 10);
    unsigned long long ms = strtoull(rest, &rest, 10);
    while (*rest == ' ') rest++;
    printf("%5lu %5lu %-7s %3lu %10llu %5llu.%02llu %s\n", pid & 0xffff, ppid & 0xffff, state,
           threads, kib, ms / 1000, ms % 1000 / 10, rest);
  }
  return 0;
}
