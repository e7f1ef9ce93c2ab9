// devfs: the devices at /dev. The character devices console (forwarded to
// the console server by the VFS), null, zero and random (a xorshift
// generator seeded from the clock: not for cryptography); and the block
// devices of the disk the block service drives: disk0, the whole disk, and
// disk0p1..disk0p4, the partitions of its MBR. They are found again each
// time /dev is listed or a name in it looked up, so a disk whose driver
// came late, was restarted or whose partition table was rewritten shows
// as it is now. A block device reads and writes at any byte offset (whole
// sectors underneath, <mica/block.h>) and is flushed when closed.
#pragma once

#include <mica/block.h>

#include "filesystem.h"

namespace vfs {

class DevFs final : public FileSystem {
 public:
  enum Device : uint32_t { kConsole = 2, kNull, kZero, kRandom, kCount };
  // Block devices' inode numbers: kDisk + 0 the whole disk, kDisk + N its
  // partition N.
  static constexpr uint64_t kDisk = 16;
  static constexpr int kPartitions = 4;

  DevFs();

  const char* name() const override { return "devfs"; }
  uint64_t root() const override { return 1; }
  int lookup(uint64_t dir, const char* name, size_t length, uint64_t* out) override;
  int stat(uint64_t ino, NodeInfo* out) override;
  long read(uint64_t, uint64_t, void*, size_t) override;
  long write(uint64_t, uint64_t, const void*, size_t) override;
  int truncate(uint64_t ino, uint64_t) override;
  int create(uint64_t, const char*, size_t, uint32_t, uint64_t*) override;
  int mkdir(uint64_t, const char*, size_t, uint32_t, uint64_t*) override;
  int unlink(uint64_t, const char*, size_t) override;
  int rmdir(uint64_t, const char*, size_t) override;
  int rename(uint64_t, const char*, size_t, uint64_t, const char*, size_t) override;
  int readdir(uint64_t dir, uint64_t* cookie, DirEntry* out) override;
  int sync(bool final) override;
  void closed(uint64_t ino) override;

  // Reads and writes of an open device other than the console.
  long read_device(uint32_t device, void* buffer, size_t size);
  long write_device(uint32_t device, const void* data, size_t size);

 private:
  struct BlockDevice {
    bool present;
    uint64_t first;  // sectors
    uint64_t sectors;
  };
  // Finds the disk and its partitions again.
  void scan_disk();
  // The block device at `ino`, or nullptr.
  const BlockDevice* block_device(uint64_t ino) const;

  uint64_t random_state_;
  mica_block disk_ = {MICA_HANDLE_INVALID, 0};
  BlockDevice blocks_[1 + kPartitions] = {};
};

}  // namespace vfs
