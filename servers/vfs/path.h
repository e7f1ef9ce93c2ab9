// Path names: joining a relative path to a working directory and reducing
// it to its canonical absolute form ("/a/b": no ".", "..", "//" or trailing
// "/"; ".." at the root stays at the root).
#pragma once

#include <stddef.h>

namespace vfs {

constexpr size_t kPathMax = 1024;

// Writes the canonical absolute form of `path` (relative to `cwd`, itself
// canonical) into `out` (capacity `size`). 0, -ENOENT for an empty path,
// -ENAMETOOLONG when a component exceeds 255 bytes or the result `size`.
int normalize_path(const char* cwd, const char* path, char* out, size_t size);

}  // namespace vfs
