// pwd: prints the current directory.
#include <stdio.h>

#include <limits.h>
#include <unistd.h>

#include "util.h"

int main() {
  char cwd[PATH_MAX];
  if (getcwd(cwd, sizeof(cwd)) == nullptr) {
    coreutils::report("pwd", ".", errno);
    return 1;
  }
  printf("%s\n", cwd);
  return 0;
}
