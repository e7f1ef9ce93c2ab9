// The VFS's name space: the mounts, and the path walk over them. A path is
// resolved one component at a time from the root or the working directory:
// "." stays, ".." goes up (across a mount back to the directory it is
// mounted on), a mount point leads to the mounted file system's root, and a
// symbolic link is replaced by its target (relative to the link's
// directory, or absolute), in the middle of a path always and at its end
// when the caller asks to follow (stat, open) rather than not (lstat,
// unlink, readlink, rename). More than kMaxSymlinks links in one walk give
// -ELOOP. What is resolved is kept as a canonical absolute path without
// links, so ".." after a link leaves the link's target, as POSIX wants.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "filesystem.h"
#include "path.h"

namespace vfs {

struct Location {
  FileSystem* fs = nullptr;
  uint64_t ino = 0;
};

struct Mount {
  char path[64];  // canonical
  size_t length;
  FileSystem* fs;
};

class Namespace {
 public:
  static constexpr int kMaxSymlinks = 40;
  static constexpr size_t kMaxMounts = 8;

  // Mounts `fs` at canonical path `path` (the first must be "/"). False if
  // the table is full or the path too long.
  bool mount(const char* path, FileSystem* fs);
  size_t mount_count() const { return count_; }
  Mount& mount_at(size_t i) { return mounts_[i]; }
  // The index + 1 of the mount serving `fs` (st_dev), 0 if none.
  uint32_t id_of(const FileSystem* fs) const;
  // True if canonical `path` is a mount point other than "/".
  bool is_mount_point(const char* path) const;

  struct Result {
    Location node;      // what the path names (when found)
    uint32_t mode = 0;  // its S_IF* type (and permissions where known)
    Location parent;    // the directory holding the last component
    bool has_parent = false;
    // The canonical path of the node, or of the missing last component.
    char path[kPathMax];
    // The last component: path + name_offset, name_length bytes; empty for
    // "/" and paths that end in "." or "..", which name no entry.
    size_t name_offset = 0;
    size_t name_length = 0;
    const char* name() const { return path + name_offset; }
  };

  // Resolves `path` (relative to `cwd`, a canonical path without links).
  // 0: found. -ENOENT with has_parent: all but the last component exist
  // (create it in `parent` as `name`). Other errors: -ENOTDIR, -ELOOP,
  // -ENAMETOOLONG, -ENOENT, or a file system's.
  int resolve(const char* cwd, const char* path, bool follow_last, Result* out);

 private:
  // The mount whose path is exactly `path` (length `length`), or nullptr.
  const Mount* mount_exact(const char* path, size_t length) const;
  // Steps from the location of canonical `path` into component `name`.
  int step(const Location& at, const char* path, size_t path_length, const char* name,
           size_t name_length, Location* out, uint32_t* mode);
  // The location of canonical link-free path `path` (length `length`).
  int locate(const char* path, size_t length, Location* out, uint32_t* mode);

  Mount mounts_[kMaxMounts];
  size_t count_ = 0;
};

}  // namespace vfs
