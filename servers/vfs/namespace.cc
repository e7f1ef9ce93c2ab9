#include "namespace.h"

#include <string.h>

#include <errno.h>
#include <sys/stat.h>

namespace vfs {
namespace {

bool is_dot(const char* name, size_t length) {
  return length == 1 && name[0] == '.';
}

bool is_dot_dot(const char* name, size_t length) {
  return length == 2 && name[0] == '.' && name[1] == '.';
}

// True if only slashes follow `at`.
bool only_slashes(const char* at) {
  while (*at == '/') ++at;
  return *at == 0;
}

}  // namespace

bool Namespace::mount(const char* path, FileSystem* fs) {
  if (count_ == kMaxMounts || strlen(path) >= sizeof(mounts_[0].path)) return false;
  Mount& m = mounts_[count_++];
  m.length = strlen(path);
  memcpy(m.path, path, m.length + 1);
  m.fs = fs;
  return true;
}

uint32_t Namespace::id_of(const FileSystem* fs) const {
  for (size_t i = 0; i < count_; ++i) {
    if (mounts_[i].fs == fs) return static_cast<uint32_t>(i + 1);
  }
  return 0;
}

const Mount* Namespace::mount_exact(const char* path, size_t length) const {
  // The latest mount on a path hides the ones before it.
  for (size_t i = count_; i-- > 0;) {
    const Mount& m = mounts_[i];
    if (m.length == length && memcmp(m.path, path, length) == 0) return &m;
  }
  return nullptr;
}

bool Namespace::is_mount_point(const char* path) const {
  size_t length = strlen(path);
  return length > 1 && mount_exact(path, length) != nullptr;
}

int Namespace::step(const Location& at, const char* path, size_t path_length, const char* name,
                    size_t name_length, Location* out, uint32_t* mode) {
  char candidate[kPathMax];
  if (path_length + 1 + name_length >= sizeof(candidate)) return -ENAMETOOLONG;
  memcpy(candidate, path, path_length);
  candidate[path_length] = '/';
  memcpy(candidate + path_length + 1, name, name_length);
  if (const Mount* m = mount_exact(candidate, path_length + 1 + name_length)) {
    out->fs = m->fs;
    out->ino = m->fs->root();
    *mode = S_IFDIR | 0755;
    return 0;
  }
  out->fs = at.fs;
  return at.fs->lookup_node(at.ino, name, name_length, &out->ino, mode);
}

int Namespace::locate(const char* path, size_t length, Location* out, uint32_t* mode) {
  const Mount* root = mount_exact("/", 1);
  if (root == nullptr) return -ENOENT;
  Location at = {root->fs, root->fs->root()};
  uint32_t at_mode = S_IFDIR | 0755;
  size_t i = 0;
  while (i < length) {
    while (i < length && path[i] == '/') ++i;
    size_t begin = i;
    while (i < length && path[i] != '/') ++i;
    if (i == begin) break;
    if (!S_ISDIR(at_mode)) return -ENOTDIR;
    Location next;
    int r = step(at, path, begin > 0 ? begin - 1 : 0, path + begin, i - begin, &next, &at_mode);
    if (r < 0) return r;
    at = next;
  }
  *out = at;
  *mode = at_mode;
  return 0;
}

int Namespace::resolve(const char* cwd, const char* path, bool follow_last, Result* out) {
  out->has_parent = false;
  out->name_offset = out->name_length = 0;
  if (path[0] == 0) return -ENOENT;
  // What is left to walk: the path, with link targets spliced in.
  char rest[2 * kPathMax];
  size_t rest_length = strlen(path);
  if (rest_length >= kPathMax) return -ENAMETOOLONG;
  memcpy(rest, path, rest_length + 1);
  // What has been walked: canonical, without links ("" is the root).
  char* done = out->path;
  size_t done_length = 0;
  if (path[0] != '/') {
    done_length = strlen(cwd);
    if (done_length >= kPathMax) return -ENAMETOOLONG;
    memcpy(done, cwd, done_length);
    if (done_length == 1) done_length = 0;  // "/"
  }
  Location at;
  uint32_t mode;
  int r = locate(done, done_length, &at, &mode);
  if (r < 0) return r;
  int links = 0;
  size_t i = 0;
  while (true) {
    while (rest[i] == '/') ++i;
    if (rest[i] == 0) break;
    const char* name = rest + i;
    size_t length = 0;
    while (name[length] != 0 && name[length] != '/') ++length;
    i += length;
    if (length > 255) return -ENAMETOOLONG;
    bool last = only_slashes(rest + i);
    bool trailing_slash = last && rest[i] == '/';
    if (!S_ISDIR(mode)) return -ENOTDIR;
    out->has_parent = false;
    out->name_length = 0;
    if (is_dot(name, length)) continue;
    if (is_dot_dot(name, length)) {
      while (done_length > 0 && done[done_length - 1] != '/') --done_length;
      if (done_length > 0) --done_length;
      r = locate(done, done_length, &at, &mode);
      if (r < 0) return r;
      continue;
    }
    if (done_length + 1 + length >= kPathMax) return -ENAMETOOLONG;
    Location child;
    uint32_t child_mode = 0;
    r = step(at, done, done_length, name, length, &child, &child_mode);
    if (r == -ENOENT && last) {
      // The caller may create it: the directory, and the name as walked.
      done[done_length] = '/';
      memcpy(done + done_length + 1, name, length);
      done[done_length + 1 + length] = 0;
      out->parent = at;
      out->has_parent = true;
      out->name_offset = done_length + 1;
      out->name_length = length;
      return r;
    }
    if (r < 0) return r;
    if (S_ISLNK(child_mode) && (!last || follow_last || trailing_slash)) {
      if (++links > kMaxSymlinks) return -ELOOP;
      char target[kPathMax];
      int n = child.fs->readlink(child.ino, target, sizeof(target));
      if (n < 0) return n;
      if (n == 0) return -ENOENT;
      size_t tail = rest_length - i;
      if (static_cast<size_t>(n) + tail >= sizeof(rest)) return -ENAMETOOLONG;
      // rest = target + what followed the link.
      memmove(rest + n, rest + i, tail + 1);
      memcpy(rest, target, static_cast<size_t>(n));
      rest_length = static_cast<size_t>(n) + tail;
      i = 0;
      if (target[0] == '/') {
        done_length = 0;
        r = locate(done, 0, &at, &mode);
        if (r < 0) return r;
      }
      continue;
    }
    done[done_length] = '/';
    memcpy(done + done_length + 1, name, length);
    out->parent = at;
    out->has_parent = true;
    out->name_offset = done_length + 1;
    out->name_length = length;
    done_length += 1 + length;
    at = child;
    mode = child_mode;
    if (trailing_slash && !S_ISDIR(mode)) return -ENOTDIR;
  }
  if (done_length == 0) done[done_length++] = '/';
  done[done_length] = 0;
  out->node = at;
  out->mode = mode;
  return 0;
}

}  // namespace vfs
