// The ext2 file system (//servers/ext2) as a VFS FileSystem, on a disk
// partition reached through the block service (MICA_BLOCK_*).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ext2.h>
#include <mica/syscall.h>

#include "filesystem.h"

namespace vfs {

// A partition of the disk the block service serves, as an ext2 BlockDevice:
// byte ranges become whole-sector requests (partial sectors read, changed
// and written back). A failed request (the driver died) drops the endpoint;
// the next request looks the service up again, so a restarted driver is
// used as soon as it has registered.
class PartitionDevice final : public ext2::BlockDevice {
 public:
  PartitionDevice(uint64_t first_sector, uint64_t sectors)
      : first_(first_sector), sectors_(sectors) {}
  int read(uint64_t offset, void* buffer, size_t size) override;
  int write(uint64_t offset, const void* buffer, size_t size) override;
  uint64_t size() const override { return sectors_ * 512; }
  int flush();

  // The whole disk's sector `sector` count `count` into `buffer` (the MBR).
  static int read_disk(uint64_t sector, uint32_t count, void* buffer);

 private:
  int transfer(bool write, uint64_t sector, uint32_t count, void* buffer);
  uint64_t first_;
  uint64_t sectors_;
};

class Ext2Fs final : public FileSystem {
 public:
  // Finds the disk's first Linux partition (MBR type 0x83) and mounts it.
  // Prints why not on failure (no disk, no partition, a corrupt file
  // system) and returns nullptr.
  static Ext2Fs* mount_disk();

  const char* name() const override { return "ext2"; }
  uint64_t root() const override { return ext2::kRootIno; }
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
  // Writes the superblock and group descriptors and flushes the disk, if
  // anything changed.
  int sync() override;

 private:
  Ext2Fs(PartitionDevice* device, ext2::Ext2* fs) : device_(device), fs_(fs) {}
  static bool valid(uint64_t ino) { return ino != 0 && ino <= 0xffffffffu; }
  void touch();

  PartitionDevice* device_;
  ext2::Ext2* fs_;
  bool dirty_ = false;  // changed since the last sync
};

}  // namespace vfs
