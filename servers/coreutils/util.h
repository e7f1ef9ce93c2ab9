// Helpers the coreutils programs share: error messages in the
// "NAME: PATH: reason" form and whole writes. Header-only, so that each
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

}  // namespace coreutils
