#include "path.h"

#include <string.h>

#include <errno.h>

namespace vfs {
namespace {

// Appends the components of `path` to `out` (length *length), applying "."
// and "..".
int append(const char* path, char* out, size_t* length, size_t size) {
  const char* p = path;
  while (*p != 0) {
    while (*p == '/') ++p;
    const char* end = p;
    while (*end != 0 && *end != '/') ++end;
    size_t n = static_cast<size_t>(end - p);
    if (n == 0) break;
    if (n > 255) return -ENAMETOOLONG;
    if (n == 1 && p[0] == '.') {
      // stays
    } else if (n == 2 && p[0] == '.' && p[1] == '.') {
      while (*length > 0 && out[*length - 1] != '/') --*length;
      if (*length > 0) --*length;  // the slash before it
    } else {
      if (*length + 1 + n + 1 > size) return -ENAMETOOLONG;
      out[(*length)++] = '/';
      memcpy(out + *length, p, n);
      *length += n;
    }
    p = end;
  }
  return 0;
}

}  // namespace

int normalize_path(const char* cwd, const char* path, char* out, size_t size) {
  if (path[0] == 0) return -ENOENT;
  if (size < 2) return -ENAMETOOLONG;
  size_t length = 0;
  if (path[0] != '/') {
    int r = append(cwd, out, &length, size);
    if (r < 0) return r;
  }
  int r = append(path, out, &length, size);
  if (r < 0) return r;
  if (length == 0) out[length++] = '/';
  out[length] = 0;
  return 0;
}

}  // namespace vfs
