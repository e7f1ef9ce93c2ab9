// devfs: the character devices at /dev. console (forwarded to the console
// server by the VFS), null, zero and random (a xorshift generator seeded
// from the clock: not for cryptography).
#pragma once

#include "filesystem.h"

namespace vfs {

class DevFs final : public FileSystem {
 public:
  enum Device : uint32_t { kConsole = 2, kNull, kZero, kRandom, kCount };

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

  // Reads and writes of an open device other than the console.
  long read_device(uint32_t device, void* buffer, size_t size);
  long write_device(uint32_t device, const void* data, size_t size);

 private:
  uint64_t random_state_;
};

}  // namespace vfs
