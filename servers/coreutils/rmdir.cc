// rmdir DIR...: removes empty directories.
#include <unistd.h>

#include "util.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "rmdir: missing operand\n");
    return 1;
  }
  int status = 0;
  for (int i = 1; i < argc; i++) {
    if (rmdir(argv[i]) != 0) {
      coreutils::report("rmdir", argv[i], errno);
      status = 1;
    }
  }
  return status;
}
