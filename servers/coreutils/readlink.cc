// readlink PATH...: prints the target of each symbolic link, as stored.
// A PATH that is not a symbolic link (or is missing) is reported and makes
// the status 1.
#include <stdio.h>

#include <unistd.h>

#include "util.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: readlink PATH...\n");
    return 2;
  }
  int status = 0;
  for (int i = 1; i < argc; i++) {
    char target[4096];
    ssize_t n = readlink(argv[i], target, sizeof(target) - 1);
    if (n < 0) {
      coreutils::report("readlink", argv[i], errno);
      status = 1;
      continue;
    }
    target[n] = 0;
    printf("%s\n", target);
  }
  return status;
}
