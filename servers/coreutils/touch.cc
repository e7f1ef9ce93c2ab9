// touch FILE...: creates the files that do not exist.
// TODO: updating the times of existing files needs utimensat(), which
// mica's libc does not have yet.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "touch: missing operand\n");
    return 1;
  }
  int status = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) == 0) continue;
    int fd = open(argv[i], O_WRONLY | O_CREAT, 0666);
    if (fd < 0) {
      coreutils::report("touch", argv[i], errno);
      status = 1;
      continue;
    }
    close(fd);
  }
  return status;
}
