#include "memfs.h"

#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <errno.h>
#include <mica/ramdisk.h>
#include <sys/stat.h>

#include "clock.h"

namespace vfs {

MemFs::MemFs(const char* name, size_t byte_limit, uint32_t max_nodes)
    : byte_limit_(byte_limit), max_nodes_(max_nodes) {
  strlcpy(name_, name, sizeof(name_));
  nodes_table_ = static_cast<Node*>(calloc(max_nodes_ + 1, sizeof(Node)));
  if (nodes_table_ == nullptr) return;
  Node& root = nodes_table_[1];
  root.used = true;
  root.linked = true;
  root.mode = S_IFDIR | 0755;
  root.parent = 1;
  root.nlink = 2;
  root.mtime_ns = now_ns();
  nodes_ = 1;
}

MemFs::~MemFs() {
  if (nodes_table_ == nullptr) return;
  for (uint32_t i = 1; i <= max_nodes_; ++i) {
    free(nodes_table_[i].name);
    free(nodes_table_[i].data);
  }
  free(nodes_table_);
}

MemFs::Node* MemFs::node(uint64_t ino) {
  if (nodes_table_ == nullptr || ino == 0 || ino > max_nodes_) return nullptr;
  Node* n = &nodes_table_[ino];
  return n->used ? n : nullptr;
}

bool MemFs::is_dir(const Node* n) const {
  return S_ISDIR(n->mode);
}

int MemFs::check_name(const char* name, size_t length) {
  if (length == 0) return -ENOENT;
  if (length > 255) return -ENAMETOOLONG;
  if (memchr(name, '/', length) != nullptr) return -EINVAL;
  if ((length == 1 && name[0] == '.') || (length == 2 && name[0] == '.' && name[1] == '.')) {
    return -EEXIST;
  }
  return 0;
}

uint32_t MemFs::find_child(uint32_t dir, const char* name, size_t length) {
  for (uint32_t c = nodes_table_[dir].first_child; c != 0; c = nodes_table_[c].next_sibling) {
    const Node& n = nodes_table_[c];
    if (strlen(n.name) == length && memcmp(n.name, name, length) == 0) return c;
  }
  return 0;
}

int MemFs::lookup(uint64_t dir, const char* name, size_t length, uint64_t* out) {
  Node* d = node(dir);
  if (d == nullptr) return -ENOENT;
  if (!is_dir(d)) return -ENOTDIR;
  if (length == 1 && name[0] == '.') {
    *out = dir;
    return 0;
  }
  if (length == 2 && name[0] == '.' && name[1] == '.') {
    *out = d->parent;
    return 0;
  }
  uint32_t c = find_child(static_cast<uint32_t>(dir), name, length);
  if (c == 0) return -ENOENT;
  *out = c;
  return 0;
}

int MemFs::stat(uint64_t ino, NodeInfo* out) {
  Node* n = node(ino);
  if (n == nullptr) return -ENOENT;
  *out = NodeInfo{};
  out->ino = ino;
  out->mode = n->mode;
  out->nlink = n->nlink;
  out->size = is_dir(n) ? 0 : n->size;
  out->blocks = (n->capacity + 511) / 512;
  out->mtime_ns = n->mtime_ns;
  return 0;
}

long MemFs::read(uint64_t ino, uint64_t offset, void* buffer, size_t size) {
  Node* n = node(ino);
  if (n == nullptr) return -ENOENT;
  if (is_dir(n)) return -EISDIR;
  if (offset >= n->size) return 0;
  size_t count = n->size - offset < size ? n->size - offset : size;
  const uint8_t* from = n->data != nullptr ? n->data : n->borrowed;
  if (from == nullptr) {
    memset(buffer, 0, count);
  } else {
    memcpy(buffer, from + offset, count);
  }
  return static_cast<long>(count);
}

// Gives `n` its own buffer of at least `capacity` bytes (copying borrowed
// bytes on first write).
int MemFs::own_data(Node* n, size_t capacity) {
  if (n->data != nullptr && n->capacity >= capacity) return 0;
  size_t grown = n->capacity ? n->capacity : 256;
  while (grown < capacity) grown *= 2;
  size_t extra = grown - n->capacity;
  if (bytes_ + extra > byte_limit_) {
    grown = capacity;
    extra = grown - n->capacity;
    if (bytes_ + extra > byte_limit_) return -ENOSPC;
  }
  uint8_t* data = static_cast<uint8_t*>(malloc(grown));
  if (data == nullptr) return -ENOSPC;
  memset(data, 0, grown);
  if (n->data != nullptr) {
    memcpy(data, n->data, n->size);
    free(n->data);
  } else if (n->borrowed != nullptr) {
    memcpy(data, n->borrowed, n->size);
    n->borrowed = nullptr;
  }
  n->data = data;
  bytes_ += extra;
  n->capacity = grown;
  return 0;
}

long MemFs::write(uint64_t ino, uint64_t offset, const void* data, size_t size) {
  if (read_only_) return -EROFS;
  Node* n = node(ino);
  if (n == nullptr) return -ENOENT;
  if (is_dir(n)) return -EISDIR;
  if (size == 0) return 0;
  if (offset > (uint64_t{1} << 40) || offset + size < offset) return -EFBIG;
  size_t end = static_cast<size_t>(offset) + size;
  int r = own_data(n, end > n->size ? end : n->size);
  if (r < 0) return r;
  memcpy(n->data + offset, data, size);
  if (end > n->size) n->size = end;
  n->mtime_ns = now_ns();
  return static_cast<long>(size);
}

int MemFs::truncate(uint64_t ino, uint64_t size) {
  if (read_only_) return -EROFS;
  Node* n = node(ino);
  if (n == nullptr) return -ENOENT;
  if (is_dir(n)) return -EISDIR;
  if (size > byte_limit_) return -EFBIG;
  if (size > n->size) {
    int r = own_data(n, static_cast<size_t>(size));
    if (r < 0) return r;
  } else if (n->data != nullptr) {
    memset(n->data + size, 0, n->size - size);
  }
  n->size = static_cast<size_t>(size);
  n->mtime_ns = now_ns();
  return 0;
}

int MemFs::symlink(uint64_t dir, const char* name, size_t length, const char* target,
                   size_t target_length, uint64_t* out) {
  if (read_only_) return -EROFS;
  if (target_length == 0) return -ENOENT;
  if (target_length >= 4096) return -ENAMETOOLONG;
  uint32_t ino;
  int r = add_node(static_cast<uint32_t>(dir), name, length, S_IFLNK | 0777, &ino);
  if (r < 0) return r;
  Node* n = node(ino);
  r = own_data(n, target_length);
  if (r < 0) {
    unlink(dir, name, length);
    return r;
  }
  memcpy(n->data, target, target_length);
  n->size = target_length;
  *out = ino;
  return 0;
}

int MemFs::readlink(uint64_t ino, char* buffer, size_t size) {
  Node* n = node(ino);
  if (n == nullptr) return -ENOENT;
  if (!S_ISLNK(n->mode)) return -EINVAL;
  size_t count = n->size < size ? n->size : size;
  memcpy(buffer, n->data != nullptr ? n->data : n->borrowed, count);
  return static_cast<int>(count);
}

int MemFs::add_node(uint32_t dir, const char* name, size_t length, uint32_t mode, uint32_t* out) {
  Node* d = node(dir);
  if (d == nullptr) return -ENOENT;
  if (!is_dir(d)) return -ENOTDIR;
  int r = check_name(name, length);
  if (r < 0) return r;
  if (find_child(dir, name, length) != 0) return -EEXIST;
  for (uint32_t i = 2; i <= max_nodes_; ++i) {
    Node& n = nodes_table_[i];
    if (n.used) continue;
    char* copy = static_cast<char*>(malloc(length + 1));
    if (copy == nullptr) return -ENOSPC;
    memcpy(copy, name, length);
    copy[length] = 0;
    n = Node{};
    n.used = true;
    n.linked = true;
    n.mode = mode;
    n.parent = dir;
    n.name = copy;
    n.nlink = S_ISDIR(mode) ? 2 : 1;
    n.mtime_ns = now_ns();
    n.next_sibling = d->first_child;
    d->first_child = i;
    d->mtime_ns = n.mtime_ns;
    if (S_ISDIR(mode)) ++d->nlink;
    ++nodes_;
    *out = i;
    return 0;
  }
  return -ENOSPC;
}

int MemFs::create(uint64_t dir, const char* name, size_t length, uint32_t mode, uint64_t* out) {
  if (read_only_) return -EROFS;
  uint32_t index;
  int r = add_node(static_cast<uint32_t>(dir), name, length, S_IFREG | (mode & 07777), &index);
  if (r == 0) *out = index;
  return r;
}

int MemFs::mkdir(uint64_t dir, const char* name, size_t length, uint32_t mode, uint64_t* out) {
  if (read_only_) return -EROFS;
  uint32_t index;
  int r = add_node(static_cast<uint32_t>(dir), name, length, S_IFDIR | (mode & 07777), &index);
  if (r == 0) *out = index;
  return r;
}

void MemFs::detach(uint32_t dir, uint32_t child) {
  Node& d = nodes_table_[dir];
  uint32_t* link = &d.first_child;
  while (*link != 0 && *link != child) link = &nodes_table_[*link].next_sibling;
  if (*link == child) *link = nodes_table_[child].next_sibling;
  nodes_table_[child].next_sibling = 0;
  d.mtime_ns = now_ns();
}

void MemFs::release_if_dead(uint32_t index) {
  Node& n = nodes_table_[index];
  if (n.linked || n.open_count != 0) return;
  bytes_ -= n.capacity;
  free(n.data);
  free(n.name);
  n = Node{};
  --nodes_;
}

int MemFs::unlink(uint64_t dir, const char* name, size_t length) {
  if (read_only_) return -EROFS;
  Node* d = node(dir);
  if (d == nullptr) return -ENOENT;
  if (!is_dir(d)) return -ENOTDIR;
  uint32_t c = find_child(static_cast<uint32_t>(dir), name, length);
  if (c == 0) return -ENOENT;
  if (is_dir(&nodes_table_[c])) return -EISDIR;
  detach(static_cast<uint32_t>(dir), c);
  nodes_table_[c].linked = false;
  nodes_table_[c].nlink = 0;
  release_if_dead(c);
  return 0;
}

int MemFs::rmdir(uint64_t dir, const char* name, size_t length) {
  if (read_only_) return -EROFS;
  Node* d = node(dir);
  if (d == nullptr) return -ENOENT;
  if (!is_dir(d)) return -ENOTDIR;
  if ((length == 1 && name[0] == '.')) return -EINVAL;
  if (length == 2 && name[0] == '.' && name[1] == '.') return -ENOTEMPTY;
  uint32_t c = find_child(static_cast<uint32_t>(dir), name, length);
  if (c == 0) return -ENOENT;
  Node& n = nodes_table_[c];
  if (!is_dir(&n)) return -ENOTDIR;
  if (n.first_child != 0) return -ENOTEMPTY;
  detach(static_cast<uint32_t>(dir), c);
  --d->nlink;
  n.linked = false;
  n.nlink = 0;
  release_if_dead(c);
  return 0;
}

int MemFs::rename(uint64_t from_dir, const char* from, size_t from_length, uint64_t to_dir,
                  const char* to, size_t to_length) {
  if (read_only_) return -EROFS;
  Node* fd = node(from_dir);
  Node* td = node(to_dir);
  if (fd == nullptr || td == nullptr) return -ENOENT;
  if (!is_dir(fd) || !is_dir(td)) return -ENOTDIR;
  int r = check_name(to, to_length);
  if (r < 0) return r == -EEXIST ? -EINVAL : r;
  uint32_t c = find_child(static_cast<uint32_t>(from_dir), from, from_length);
  if (c == 0) return -ENOENT;
  Node& moving = nodes_table_[c];
  // A directory may not move into itself or below.
  if (is_dir(&moving)) {
    for (uint32_t up = static_cast<uint32_t>(to_dir);; up = nodes_table_[up].parent) {
      if (up == c) return -EINVAL;
      if (up == 1) break;
    }
  }
  uint32_t existing = find_child(static_cast<uint32_t>(to_dir), to, to_length);
  if (existing == c) return 0;
  if (existing != 0) {
    Node& e = nodes_table_[existing];
    if (is_dir(&e) != is_dir(&moving)) return is_dir(&e) ? -EISDIR : -ENOTDIR;
    if (is_dir(&e)) {
      if (e.first_child != 0) return -ENOTEMPTY;
      --td->nlink;
    }
    detach(static_cast<uint32_t>(to_dir), existing);
    e.linked = false;
    e.nlink = 0;
    release_if_dead(existing);
  }
  char* copy = static_cast<char*>(malloc(to_length + 1));
  if (copy == nullptr) return -ENOSPC;
  memcpy(copy, to, to_length);
  copy[to_length] = 0;
  detach(static_cast<uint32_t>(from_dir), c);
  free(moving.name);
  moving.name = copy;
  moving.parent = static_cast<uint32_t>(to_dir);
  moving.next_sibling = td->first_child;
  td->first_child = c;
  if (is_dir(&moving) && from_dir != to_dir) {
    --fd->nlink;
    ++td->nlink;
  }
  return 0;
}

int MemFs::readdir(uint64_t dir, uint64_t* cookie, DirEntry* out) {
  Node* d = node(dir);
  if (d == nullptr) return -ENOENT;
  if (!is_dir(d)) return -ENOTDIR;
  // Cookie: 0 ".", 1 "..", then 2 + the position in the child list.
  uint64_t position = *cookie;
  if (position < 2) {
    out->ino = position == 0 ? dir : d->parent;
    out->type = DT_DIR;
    strlcpy(out->name, position == 0 ? "." : "..", sizeof(out->name));
    *cookie = position + 1;
    return 1;
  }
  uint32_t c = d->first_child;
  for (uint64_t i = 2; c != 0 && i < position; ++i) c = nodes_table_[c].next_sibling;
  if (c == 0) return 0;
  const Node& n = nodes_table_[c];
  out->ino = c;
  out->type = is_dir(&n) ? DT_DIR : S_ISLNK(n.mode) ? DT_LNK : DT_REG;
  strlcpy(out->name, n.name, sizeof(out->name));
  *cookie = position + 1;
  return 1;
}

void MemFs::opened(uint64_t ino) {
  if (Node* n = node(ino)) ++n->open_count;
}

void MemFs::closed(uint64_t ino) {
  Node* n = node(ino);
  if (n == nullptr || n->open_count == 0) return;
  --n->open_count;
  release_if_dead(static_cast<uint32_t>(ino));
}

int MemFs::mkdir_path(const char* path, uint32_t mode, uint32_t* out) {
  uint32_t dir = 1;
  const char* p = path;
  while (*p != 0) {
    while (*p == '/') ++p;
    const char* end = p;
    while (*end != 0 && *end != '/') ++end;
    if (end == p) break;
    size_t length = static_cast<size_t>(end - p);
    uint32_t c = find_child(dir, p, length);
    if (c == 0) {
      int r = add_node(dir, p, length, S_IFDIR | mode, &c);
      if (r < 0) return r;
    } else if (!is_dir(&nodes_table_[c])) {
      return -ENOTDIR;
    }
    dir = c;
    p = end;
  }
  *out = dir;
  return 0;
}

int MemFs::load_archive(const void* archive, size_t size) {
  size_t offset = 0;
  mica_ramdisk_entry entry;
  for (;;) {
    int r = mica_ramdisk_next(archive, size, &offset, &entry);
    if (r <= 0) return r;
    char path[256];
    strlcpy(path, entry.path, sizeof(path));
    size_t length = strlen(path);
    while (length > 0 && path[length - 1] == '/') path[--length] = 0;
    if (length == 0) continue;
    uint32_t index;
    if (entry.is_directory) {
      if ((r = mkdir_path(path, entry.mode & 07777, &index)) < 0) return r;
      continue;
    }
    char* slash = strrchr(path, '/');
    uint32_t dir = 1;
    const char* name = path;
    if (slash != nullptr) {
      *slash = 0;
      if ((r = mkdir_path(path, 0755, &dir)) < 0) return r;
      name = slash + 1;
    }
    if ((r = add_node(dir, name, strlen(name), S_IFREG | (entry.mode & 07777), &index)) < 0) {
      return r;
    }
    Node& n = nodes_table_[index];
    n.borrowed = static_cast<const uint8_t*>(entry.data);
    n.size = entry.size;
  }
}

}  // namespace vfs
