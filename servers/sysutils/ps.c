// ps: the processes the router knows (every process started through it or
// registered by its creator), with their parents.
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
  printf("  PID  PPID STATE    NAME\n");
  // Lines: "pid ppid state name".
  for (char* line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
    char* rest;
    unsigned long pid = strtoul(line, &rest, 10);
    unsigned long ppid = strtoul(rest, &rest, 10);
    while (*rest == ' ') rest++;
    char* name = strchr(rest, ' ');
    if (!name) continue;
    *name++ = 0;
    printf("%5lu %5lu %-8s %s\n", pid & 0xffff, ppid & 0xffff, rest, name);
  }
  return 0;
}
