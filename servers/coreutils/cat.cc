// cat [FILE...]: copies each FILE ("-" or none: stdin) to stdout.
#include <fcntl.h>
#include <unistd.h>

#include "util.h"

namespace {

char buffer[16 * 1024];

// Copies fd to stdout; false after reporting an error.
bool copy(int fd, const char* name) {
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      coreutils::report("cat", name, errno);
      return false;
    }
    if (!coreutils::write_all(STDOUT_FILENO, buffer, static_cast<size_t>(n))) {
      coreutils::report("cat", "write error", errno);
      return false;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return copy(STDIN_FILENO, "-") ? 0 : 1;
  int status = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-") == 0) {
      if (!copy(STDIN_FILENO, "-")) status = 1;
      continue;
    }
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      coreutils::report("cat", argv[i], errno);
      status = 1;
      continue;
    }
    if (!copy(fd, argv[i])) status = 1;
    close(fd);
  }
  return status;
}
