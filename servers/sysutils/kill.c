// kill [-SIGNAL] PID|NAME...: ends processes (mica has no signal handlers yet:
// every signal ends the process, with 128 + SIGNAL as its status).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <signal.h>
#include <stdbool.h>

#include "router_call.h"

int main(int argc, char** argv) {
  int signal = 15;  // SIGTERM
  int first = 1;
  if (argc > 1 && argv[1][0] == '-') {
    char* end;
    long s = strtol(argv[1] + 1, &end, 10);
    if (*end != 0 || s < 0 || s > 64) {
      fprintf(stderr, "kill: %s: bad signal\n", argv[1]);
      return 2;
    }
    signal = (int)s;
    first = 2;
  }
  if (first >= argc) {
    fprintf(stderr, "usage: kill [-SIGNAL] PID|NAME...\n");
    return 2;
  }
  int status = 0;
  for (int i = first; i < argc; i++) {
    char* end;
    long pid = strtol(argv[i], &end, 10);
    bool by_name = *end != 0 || end == argv[i];
    if (!by_name && pid <= 0) {
      fprintf(stderr, "kill: %s: not a process id\n", argv[i]);
      status = 1;
      continue;
    }
    // The router knows pids by their full value (ps shows the low 16 bits)
    // and processes by name: `kill NAME` ends the one of that name.
    static char text[8192];
    size_t got = 0;
    long full = by_name ? 0 : pid;
    if (router_call(MICA_ROUTER_PROCESSES, 0, 0, text, sizeof(text) - 1, &got) >= 0) {
      text[got] = 0;
      for (char* line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char* rest;
        unsigned long p = strtoul(line, &rest, 10);
        char* name = strrchr(rest, ' ');
        if (by_name ? (name && strcmp(name + 1, argv[i]) == 0)
                    : (p & 0xffff) == (unsigned long)pid) {
          full = (long)p;
        }
      }
    }
    if (by_name && full == 0) {
      fprintf(stderr, "kill: %s: no such process\n", argv[i]);
      status = 1;
      continue;
    }
    if (kill((pid_t)full, signal) < 0) {
      fprintf(stderr, "kill: (%ld): %s\n", pid, strerror(errno));
      status = 1;
    }
  }
  return status;
}
