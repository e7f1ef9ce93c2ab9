// echo [-n] [ARG...]: prints the arguments separated by spaces, and a
// newline unless -n is given.
#include <stdio.h>
#include <string.h>

#include "util.h"

int main(int argc, char** argv) {
  int first = 1;
  bool newline = true;
  if (argc > 1 && strcmp(argv[1], "-n") == 0) {
    newline = false;
    first = 2;
  }
  for (int i = first; i < argc; i++) {
    if (i > first) fputc(' ', stdout);
    fputs(argv[i], stdout);
  }
  if (newline) fputc('\n', stdout);
  if (fflush(stdout) != 0) {
    coreutils::report("echo", "write error", errno);
    return 1;
  }
  return 0;
}
