#include "ext2fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <errno.h>
#include <mica/calls.h>
#include <mica/protocol.h>
#include <mica/spawn.h>

#include "clock.h"

namespace vfs {
namespace {

constexpr uint32_t kSector = 512;
constexpr uint32_t kMaxSectors = MICA_BLOCK_MAX_TRANSFER / kSector;

mica_handle_t g_block = MICA_HANDLE_INVALID;

// The block service's endpoint. A driver that died is being restarted by
// the router (after a back-off of 100 ms and up): wait for it up to 3 s.
bool g_mounted = false;  // until then, no waiting: there may be no driver at all

bool find_driver() {
  for (int i = 0; i < (g_mounted ? 150 : 1); ++i) {
    if (mica_service_lookup(MICA_SERVICE_BLOCK, &g_block) == 0) return true;
    g_block = MICA_HANDLE_INVALID;
    mica_sleep(20000000);
  }
  return false;
}

}  // namespace

int PartitionDevice::transfer(bool write, uint64_t sector, uint32_t count, void* buffer) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (g_block == MICA_HANDLE_INVALID && !find_driver()) return -EIO;
    mica_message m = {};
    m.label = write ? MICA_BLOCK_WRITE : MICA_BLOCK_READ;
    m.words[0] = static_cast<uintptr_t>(sector);
    m.words[1] = static_cast<uintptr_t>(sizeof(uintptr_t) < 8 ? sector >> 32 : 0);
    m.words[2] = count;
    if (write) {
      m.data = buffer;
      m.data_size = size_t{count} * kSector;
    } else {
      m.buffer = buffer;
      m.buffer_size = size_t{count} * kSector;
    }
    int r = mica_ipc_call_message(g_block, &m);
    if (r == 0) {
      intptr_t result = static_cast<intptr_t>(m.words[0]);
      if (result < 0) return static_cast<int>(result);
      if (!write && m.data_size != size_t{count} * kSector) return -EIO;
      return 0;
    }
    // The driver is gone: this request fails; the next one finds the
    // restarted driver.
    mica_handle_close(g_block);
    g_block = MICA_HANDLE_INVALID;
    return -EIO;
  }
  return -EIO;
}

int PartitionDevice::read_disk(uint64_t sector, uint32_t count, void* buffer) {
  PartitionDevice whole(0, ~uint64_t{0} / kSector);
  return whole.transfer(false, sector, count, buffer);
}

int PartitionDevice::read(uint64_t offset, void* buffer, size_t size) {
  if (offset + size < offset || offset + size > this->size()) return -EIO;
  auto* out = static_cast<uint8_t*>(buffer);
  static uint8_t bounce[MICA_BLOCK_MAX_TRANSFER];
  while (size > 0) {
    uint64_t sector = offset / kSector;
    size_t skip = offset % kSector;
    size_t span = skip + size;
    uint32_t count = static_cast<uint32_t>((span + kSector - 1) / kSector);
    if (count > kMaxSectors) count = kMaxSectors;
    int r = transfer(false, first_ + sector, count, bounce);
    if (r < 0) return r;
    size_t n = size_t{count} * kSector - skip;
    if (n > size) n = size;
    memcpy(out, bounce + skip, n);
    out += n;
    offset += n;
    size -= n;
  }
  return 0;
}

int PartitionDevice::write(uint64_t offset, const void* buffer, size_t size) {
  if (offset + size < offset || offset + size > this->size()) return -EIO;
  auto* in = static_cast<const uint8_t*>(buffer);
  static uint8_t bounce[MICA_BLOCK_MAX_TRANSFER];
  while (size > 0) {
    uint64_t sector = offset / kSector;
    size_t skip = offset % kSector;
    size_t span = skip + size;
    uint32_t count = static_cast<uint32_t>((span + kSector - 1) / kSector);
    if (count > kMaxSectors) count = kMaxSectors;
    size_t n = size_t{count} * kSector - skip;
    if (n > size) n = size;
    // Partial first or last sector: read what stays.
    if (skip != 0 || (skip + n) % kSector != 0) {
      int r = transfer(false, first_ + sector, count, bounce);
      if (r < 0) return r;
    }
    memcpy(bounce + skip, in, n);
    int r = transfer(true, first_ + sector, count, bounce);
    if (r < 0) return r;
    in += n;
    offset += n;
    size -= n;
  }
  return 0;
}

int PartitionDevice::flush() {
  if (g_block == MICA_HANDLE_INVALID) return 0;
  mica_message m = {};
  m.label = MICA_BLOCK_FLUSH;
  int r = mica_ipc_call_message(g_block, &m);
  if (r != 0) return -EIO;
  return static_cast<int>(static_cast<intptr_t>(m.words[0]));
}

Ext2Fs* Ext2Fs::mount_disk() {
  uint8_t mbr[512];
  int r = PartitionDevice::read_disk(0, 1, mbr);
  if (r < 0) {
    printf("vfs: no disk (%s)\n", strerror(-r));
    return nullptr;
  }
  if (mbr[510] != 0x55 || mbr[511] != 0xaa) {
    printf("vfs: the disk has no partition table\n");
    return nullptr;
  }
  for (int i = 0; i < 4; ++i) {
    const uint8_t* e = mbr + 446 + 16 * i;
    if (e[4] != 0x83) continue;
    uint32_t start = e[8] | e[9] << 8 | e[10] << 16 | static_cast<uint32_t>(e[11]) << 24;
    uint32_t count = e[12] | e[13] << 8 | e[14] << 16 | static_cast<uint32_t>(e[15]) << 24;
    auto* device = new PartitionDevice(start, count);
    ext2::Ext2* fs = nullptr;
    const char* reason = "";
    r = ext2::Ext2::mount(device, &fs, &reason);
    if (r < 0) {
      printf("vfs: partition %d (ext2, sectors %u-%u) cannot be mounted: %s (%s)\n", i + 1, start,
             start + count - 1, reason, strerror(-r));
      delete device;
      return nullptr;
    }
    g_mounted = true;
    printf("vfs: partition %d: ext2, %u KiB, %llu blocks free%s\n", i + 1, count / 2,
           static_cast<unsigned long long>(fs->free_blocks()),
           fs->read_only() ? ", read-only" : "");
    return new Ext2Fs(device, fs);
  }
  printf("vfs: the disk has no Linux (ext2) partition\n");
  return nullptr;
}

void Ext2Fs::touch() {
  fs_->set_time(static_cast<uint32_t>(now_ns() / 1000000000));
  dirty_ = true;
}

int Ext2Fs::lookup(uint64_t dir, const char* name, size_t length, uint64_t* out) {
  if (!valid(dir)) return -ENOENT;
  uint32_t ino;
  int r = fs_->lookup(static_cast<uint32_t>(dir), name, length, &ino);
  if (r == 0) *out = ino;
  return r;
}

int Ext2Fs::stat(uint64_t ino, NodeInfo* out) {
  if (!valid(ino)) return -ENOENT;
  ext2::Stat st;
  int r = fs_->stat(static_cast<uint32_t>(ino), &st);
  if (r < 0) return r;
  *out = NodeInfo{};
  out->ino = st.ino;
  out->mode = st.mode;
  out->nlink = st.nlink;
  out->size = st.size;
  out->blocks = st.blocks;
  out->mtime_ns = uint64_t{st.mtime} * 1000000000;
  return 0;
}

long Ext2Fs::read(uint64_t ino, uint64_t offset, void* buffer, size_t size) {
  if (!valid(ino)) return -ENOENT;
  return fs_->read(static_cast<uint32_t>(ino), offset, buffer, size);
}

long Ext2Fs::write(uint64_t ino, uint64_t offset, const void* data, size_t size) {
  if (!valid(ino)) return -ENOENT;
  touch();
  return fs_->write(static_cast<uint32_t>(ino), offset, data, size);
}

int Ext2Fs::truncate(uint64_t ino, uint64_t size) {
  if (!valid(ino)) return -ENOENT;
  touch();
  return fs_->truncate(static_cast<uint32_t>(ino), size);
}

int Ext2Fs::create(uint64_t dir, const char* name, size_t length, uint32_t mode, uint64_t* out) {
  if (!valid(dir)) return -ENOENT;
  touch();
  uint32_t ino;
  int r = fs_->create(static_cast<uint32_t>(dir), name, length,
                      static_cast<uint16_t>(ext2::kModeRegular | (mode & 07777)), &ino);
  if (r == 0) *out = ino;
  return r;
}

int Ext2Fs::mkdir(uint64_t dir, const char* name, size_t length, uint32_t mode, uint64_t* out) {
  if (!valid(dir)) return -ENOENT;
  touch();
  uint32_t ino;
  int r = fs_->mkdir(static_cast<uint32_t>(dir), name, length,
                     static_cast<uint16_t>(ext2::kModeDirectory | (mode & 07777)), &ino);
  if (r == 0) *out = ino;
  return r;
}

int Ext2Fs::unlink(uint64_t dir, const char* name, size_t length) {
  if (!valid(dir)) return -ENOENT;
  touch();
  return fs_->unlink(static_cast<uint32_t>(dir), name, length);
}

int Ext2Fs::rmdir(uint64_t dir, const char* name, size_t length) {
  if (!valid(dir)) return -ENOENT;
  touch();
  return fs_->rmdir(static_cast<uint32_t>(dir), name, length);
}

int Ext2Fs::rename(uint64_t from_dir, const char* from, size_t from_length, uint64_t to_dir,
                   const char* to, size_t to_length) {
  if (!valid(from_dir) || !valid(to_dir)) return -ENOENT;
  touch();
  return fs_->rename(static_cast<uint32_t>(from_dir), from, from_length,
                     static_cast<uint32_t>(to_dir), to, to_length);
}

int Ext2Fs::readdir(uint64_t dir, uint64_t* cookie, DirEntry* out) {
  if (!valid(dir)) return -ENOENT;
  ext2::DirEntry e;
  int r = fs_->readdir(static_cast<uint32_t>(dir), cookie, &e);
  if (r <= 0) return r;
  out->ino = e.ino;
  static const uint8_t kTypes[] = {DT_UNKNOWN, DT_REG,  DT_DIR,  DT_CHR,
                                   DT_BLK,     DT_FIFO, DT_SOCK, DT_LNK};
  out->type = static_cast<uint8_t>(e.type) < 8 ? kTypes[static_cast<uint8_t>(e.type)] : DT_UNKNOWN;
  strlcpy(out->name, e.name, sizeof(out->name));
  return 1;
}

int Ext2Fs::sync() {
  if (!dirty_) return 0;
  dirty_ = false;
  int r = fs_->sync();
  int f = device_->flush();
  return r < 0 ? r : f;
}

}  // namespace vfs
