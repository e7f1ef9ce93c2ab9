// Helpers the coreutils programs share: error messages in the
// "NAME: PATH: reason" form, whole writes and option letters. Header-only, so that each
// program stays one source file.
#pragma once

#include <stdio.h>
#include <string.h>

#include <errno.h>
#include <unistd.h>

namespace coreutils {

// Prints "program: path: strerror(error)" on stderr.
inline void report(const char* program, const char* path, int error) {
  fprintf(stderr, "%s: %s: %s\n", program, path, strerror(error));
}

// Writes all of data[0..size) to fd, retrying short writes; false on error
// (errno set).
inline bool write_all(int fd, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// The last component of `path` ("a/b/" gives "b/", as cp and mv want it
// only for paths without a trailing slash).
inline const char* base_name(const char* path) {
  const char* slash = strrchr(path, '/');
  return slash != nullptr && slash[1] != 0 ? slash + 1 : path;
}

// The single-letter options in front of the operands of argv: words
// "-xy" up to "--" (skipped) or the first word that is not one ("-" alone
// is an operand). Each letter must be one of `letters`; the one at index k
// sets *flags[k] (two letters may share a flag: "rR"). Returns the index
// of the first operand, or -1 after printing "PROGRAM: invalid option --
// 'c'" on stderr (the program then exits with 2).
inline int parse_flags(const char* program, int argc, char** argv, const char* letters,
                       bool* const* flags) {
  int i = 1;
  for (; i < argc && argv[i][0] == '-' && argv[i][1] != 0; i++) {
    if (strcmp(argv[i], "--") == 0) return i + 1;
    for (const char* o = argv[i] + 1; *o != 0; o++) {
      const char* letter = strchr(letters, *o);
      if (letter == nullptr) {
        fprintf(stderr, "%s: invalid option -- '%c'\n", program, *o);
        return -1;
      }
      *flags[letter - letters] = true;
    }
  }
  return i;
}

}  // namespace coreutils
