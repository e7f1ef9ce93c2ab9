// head [-n N | -N] [FILE...]: prints the first N (default 10) lines of
// each FILE ("-" or none: stdin), with "==> FILE <==" headers for several.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <unistd.h>

#include "util.h"

namespace {

char buffer[16 * 1024];

bool parse_count(const char* text, long* out) {
  char* end;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (text[0] == 0 || *end != 0 || errno != 0 || value < 0) return false;
  *out = value;
  return true;
}

bool head(int fd, const char* name, long lines) {
  if (lines == 0) return true;
  fflush(stdout);
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      coreutils::report("head", name, errno);
      return false;
    }
    size_t length = static_cast<size_t>(n);
    for (size_t i = 0; i < static_cast<size_t>(n); i++) {
      if (buffer[i] == '\n' && --lines == 0) {
        length = i + 1;
        break;
      }
    }
    if (!coreutils::write_all(STDOUT_FILENO, buffer, length)) {
      coreutils::report("head", "write error", errno);
      return false;
    }
    if (lines == 0) {
      // Give back what was read past the last line, so that a shell sharing
      // the input (a script on stdin) reads on from there. Fails harmlessly
      // on pipes.
      if (length < static_cast<size_t>(n)) lseek(fd, -static_cast<off_t>(n - length), SEEK_CUR);
      return true;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  long lines = 10;
  int first = 1;
  if (first < argc && strcmp(argv[first], "-n") == 0) {
    if (first + 1 >= argc || !parse_count(argv[first + 1], &lines)) {
      fprintf(stderr, "head: invalid number of lines\n");
      return 1;
    }
    first += 2;
  } else if (first < argc && argv[first][0] == '-' && argv[first][1] >= '0' &&
             argv[first][1] <= '9') {
    if (!parse_count(argv[first] + 1, &lines)) {
      fprintf(stderr, "head: invalid number of lines\n");
      return 1;
    }
    first++;
  }
  if (first >= argc) return head(STDIN_FILENO, "-", lines) ? 0 : 1;
  int status = 0;
  for (int i = first; i < argc; i++) {
    bool is_stdin = strcmp(argv[i], "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(argv[i], O_RDONLY);
    if (fd < 0) {
      coreutils::report("head", argv[i], errno);
      status = 1;
      continue;
    }
    if (argc - first > 1) {
      printf("%s==> %s <==\n", i > first ? "\n" : "", argv[i]);
      fflush(stdout);
    }
    if (!head(fd, argv[i], lines)) status = 1;
    if (!is_stdin) close(fd);
  }
  return status;
}
