// The file-system interface the VFS mounts: inode numbers in, errors as
// negated errno values out (>= 0 is success). Implemented by memfs (the
// ramdisk's tree, writable in memory, and /tmp), devfs and the ext2 file
// system on a block device.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <errno.h>

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
  // Nothing on it can change: opening for writing fails with -EROFS.
  virtual bool read_only() const { return false; }
  virtual int lookup(uint64_t dir, const char* name, size_t length, uint64_t* out) = 0;
  // lookup, with the node's S_IF* type too (permission bits optional): one
  // request where the file system is another process.
  virtual int lookup_node(uint64_t dir, const char* name, size_t length, uint64_t* out,
                          uint32_t* mode) {
    int r = lookup(dir, name, length, out);
    NodeInfo info;
    if (r == 0) r = stat(*out, &info);
    if (r == 0) *mode = info.mode;
    return r;
  }
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
  // A symbolic link `name` in `dir` to `target`; the target of symlink
  // `ino` (no NUL; cut to `size`: the length copied); a second name for
  // non-directory `ino`. File systems without them: -EPERM, -EINVAL.
  virtual int symlink(uint64_t, const char*, size_t, const char*, size_t, uint64_t*) {
    return -EPERM;
  }
  virtual int readlink(uint64_t, char*, size_t) { return -EINVAL; }
  virtual int link(uint64_t, uint64_t, const char*, size_t) { return -EPERM; }
  // Writes everything back; `final` at shut-down.
  virtual int sync(bool final = false) {
    (void) final;
    return 0;
  }
  // Which incarnation of the file system this is: a file system served by
  // another process starts a new one when that process is restarted, and
  // descriptors opened on an older one fail with -EIO.
  virtual uint64_t instance() const { return 0; }
  // Open counts, so that a file unlinked while open lives until closed.
  virtual void opened(uint64_t) {}
  virtual void closed(uint64_t) {}
};

}  // namespace vfs
