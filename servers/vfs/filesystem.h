// The file-system interface the VFS mounts: inode numbers in, errors as
// negated errno values out (>= 0 is success). Implemented by memfs (the
// ramdisk's tree, writable in memory, and /tmp), devfs and the ext2 file
// system on a block device.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace vfs {

struct NodeInfo {
  uint64_t ino = 0;
  uint32_t mode = 0;  // S_IF* | permission bits
  uint32_t nlink = 1;
  uint64_t size = 0;
  uint64_t blocks = 0;    // 512-byte units
  uint64_t mtime_ns = 0;  // since the epoch, or boot where there is no clock
  uint32_t device = 0;    // character devices: which (devfs)
};

struct DirEntry {
  uint64_t ino;
  uint8_t type;  // DT_*
  char name[256];
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  virtual const char* name() const = 0;
  virtual uint64_t root() const = 0;
  virtual int lookup(uint64_t dir, const char* name, size_t length, uint64_t* out) = 0;
  virtual int stat(uint64_t ino, NodeInfo* out) = 0;
  // Bytes read (0 at the end), or an error.
  virtual long read(uint64_t ino, uint64_t offset, void* buffer, size_t size) = 0;
  virtual long write(uint64_t ino, uint64_t offset, const void* data, size_t size) = 0;
  virtual int truncate(uint64_t ino, uint64_t size) = 0;
  virtual int create(uint64_t dir, const char* name, size_t length, uint32_t mode,
                     uint64_t* out) = 0;
  virtual int mkdir(uint64_t dir, const char* name, size_t length, uint32_t mode,
                    uint64_t* out) = 0;
  virtual int unlink(uint64_t dir, const char* name, size_t length) = 0;
  virtual int rmdir(uint64_t dir, const char* name, size_t length) = 0;
  virtual int rename(uint64_t from_dir, const char* from, size_t from_length, uint64_t to_dir,
                     const char* to, size_t to_length) = 0;
  // The entry after *cookie (0 starts), which advances: 1, 0 at the end, or
  // an error.
  virtual int readdir(uint64_t dir, uint64_t* cookie, DirEntry* out) = 0;
  virtual int sync() { return 0; }
  // Open counts, so that a file unlinked while open lives until closed.
  virtual void opened(uint64_t) {}
  virtual void closed(uint64_t) {}
};

}  // namespace vfs
