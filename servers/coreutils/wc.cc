// wc [-l] [-w] [-c] [FILE...]: counts lines, words and bytes of each FILE
// ("-" or none: stdin), with a total line for several files.
#include <stdio.h>
#include <string.h>

#include <fcntl.h>
#include <unistd.h>

#include "util.h"

namespace {

struct Counts {
  unsigned long long lines = 0;
  unsigned long long words = 0;
  unsigned long long bytes = 0;
};

bool show_lines = false;
bool show_words = false;
bool show_bytes = false;
char buffer[16 * 1024];

bool count(int fd, const char* name, Counts& counts) {
  bool in_word = false;
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      coreutils::report("wc", name, errno);
      return false;
    }
    counts.bytes += static_cast<unsigned long long>(n);
    for (ssize_t i = 0; i < n; i++) {
      char c = buffer[i];
      if (c == '\n') counts.lines++;
      bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
      if (!space && !in_word) counts.words++;
      in_word = !space;
    }
  }
}

void print(const Counts& counts, const char* name) {
  const char* separator = "";
  if (show_lines) {
    printf("%7llu", counts.lines);
    separator = " ";
  }
  if (show_words) {
    printf("%s%7llu", separator, counts.words);
    separator = " ";
  }
  if (show_bytes) printf("%s%7llu", separator, counts.bytes);
  if (name != nullptr) printf(" %s", name);
  printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  int first = 1;
  for (; first < argc && argv[first][0] == '-' && argv[first][1] != 0; first++) {
    for (const char* o = argv[first] + 1; *o != 0; o++) {
      if (*o == 'l') {
        show_lines = true;
      } else if (*o == 'w') {
        show_words = true;
      } else if (*o == 'c') {
        show_bytes = true;
      } else {
        fprintf(stderr, "wc: invalid option -- '%c'\n", *o);
        return 2;
      }
    }
  }
  if (!show_lines && !show_words && !show_bytes) show_lines = show_words = show_bytes = true;
  if (first >= argc) {
    Counts counts;
    if (!count(STDIN_FILENO, "-", counts)) return 1;
    print(counts, nullptr);
    return 0;
  }
  int status = 0;
  Counts total;
  for (int i = first; i < argc; i++) {
    Counts counts;
    bool is_stdin = strcmp(argv[i], "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(argv[i], O_RDONLY);
    if (fd < 0) {
      coreutils::report("wc", argv[i], errno);
      status = 1;
      continue;
    }
    if (count(fd, argv[i], counts)) {
      print(counts, argv[i]);
    } else {
      status = 1;
    }
    if (!is_stdin) close(fd);
    total.lines += counts.lines;
    total.words += counts.words;
    total.bytes += counts.bytes;
  }
  if (argc - first > 1) print(total, "total");
  return status;
}
