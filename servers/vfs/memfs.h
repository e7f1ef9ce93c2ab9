// memfs: a file system in memory. Holds the ramdisk's tree (files read in
// place from the archive until first written: copy on write), writable as
// the root where there is no disk and read-only at /ramdisk, and serves as
// tmpfs. Bounded: at most `max_nodes` nodes and `byte_limit` bytes of file
// data; beyond that, -ENOSPC.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "filesystem.h"

namespace vfs {

class MemFs final : public FileSystem {
 public:
  static constexpr uint32_t kMaxNodes = 4096;

  MemFs(const char* name, size_t byte_limit, uint32_t max_nodes = kMaxNodes);
  ~MemFs() override;

  // Adds the USTAR archive's tree (in memory that stays valid). 0, or the
  // archive reader's error for a corrupt archive (entries before it stay).
  int load_archive(const void* archive, size_t size);
  // From now on every change fails with -EROFS.
  void set_read_only() { read_only_ = true; }

  const char* name() const override { return name_; }
  uint64_t root() const override { return 1; }
  bool read_only() const override { return read_only_; }
  int lookup(uint64_t dir, const char* name, size_t length, uint64_t* out) override;
  int stat(uint64_t ino, NodeInfo* out) override;
  long read(uint64_t ino, uint64_t offset, void* buffer, size_t size) override;
  long write(uint64_t ino, uint64_t offset, const void* data, size_t size) override;
  int truncate(uint64_t ino, uint64_t size) override;
  int create(uint64_t dir, const char* name, size_t length, uint32_t mode, uint64_t* out) override;
  int mkdir(uint64_t dir, const char* name, size_t length, uint32_t mode, uint64_t* out) override;
  int unlink(uint64_t dir, const char* name, size_t length) override;
  int rmdir(uint64_t dir, const char* name, size_t length) override;
  int rename(uint64_t from_dir, const char* from, size_t from_length, uint64_t to_dir,
             const char* to, size_t to_length) override;
  int readdir(uint64_t dir, uint64_t* cookie, DirEntry* out) override;
  int symlink(uint64_t dir, const char* name, size_t length, const char* target,
              size_t target_length, uint64_t* out) override;
  int readlink(uint64_t ino, char* buffer, size_t size) override;
  void opened(uint64_t ino) override;
  void closed(uint64_t ino) override;

  size_t bytes_used() const { return bytes_; }
  uint32_t nodes_used() const { return nodes_; }

 private:
  struct Node {
    bool used;
    bool linked;  // in a directory (false: unlinked, alive while open)
    uint32_t mode;
    uint32_t parent;  // directories: for ".."
    uint32_t first_child;
    uint32_t next_sibling;
    uint32_t open_count;
    uint32_t nlink;
    char* name;
    uint8_t* data;
    const uint8_t* borrowed;  // read-only bytes in the archive (copy on write)
    size_t size;
    size_t capacity;
    uint64_t mtime_ns;
  };

  Node* node(uint64_t ino);
  bool is_dir(const Node* n) const;
  uint32_t find_child(uint32_t dir, const char* name, size_t length);
  int add_node(uint32_t dir, const char* name, size_t length, uint32_t mode, uint32_t* out);
  void detach(uint32_t dir, uint32_t child);
  void release_if_dead(uint32_t index);
  int own_data(Node* n, size_t capacity);
  int mkdir_path(const char* path, uint32_t mode, uint32_t* out);
  static int check_name(const char* name, size_t length);

  char name_[16];
  size_t byte_limit_;
  uint32_t max_nodes_;
  bool read_only_ = false;
  size_t bytes_ = 0;
  uint32_t nodes_ = 0;
  Node* nodes_table_;  // max_nodes_ + 1 entries; index = inode number; 0 unused
};

}  // namespace vfs
