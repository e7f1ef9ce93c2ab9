#include "devfs.h"

#include <string.h>

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include "clock.h"

namespace vfs {
namespace {

const char* const kNames[] = {nullptr, nullptr, "console", "null", "zero", "random"};
const char* const kBlockNames[] = {"disk0", "disk0p1", "disk0p2", "disk0p3", "disk0p4"};
constexpr char kBlockPrefix[] = "disk";

}  // namespace

DevFs::DevFs() : random_state_(now_ns() | 1) {}

void DevFs::scan_disk() {
  for (BlockDevice& b : blocks_) b = BlockDevice{};
  uint64_t sectors = 0;
  mica_partition table[kPartitions];
  int r = mica_block_partitions(&disk_, &sectors, table);
  if ((r != 0 && r != -EINVAL) || sectors == 0) return;
  blocks_[0] = {true, 0, sectors};  // a disk without a table is still a disk
  if (r != 0) return;
  for (int i = 0; i < kPartitions; ++i) {
    if (table[i].type != 0) blocks_[1 + i] = {true, table[i].first, table[i].count};
  }
}

const DevFs::BlockDevice* DevFs::block_device(uint64_t ino) const {
  if (ino < kDisk || ino > kDisk + kPartitions || !blocks_[ino - kDisk].present) return nullptr;
  return &blocks_[ino - kDisk];
}

int DevFs::lookup(uint64_t dir, const char* name, size_t length, uint64_t* out) {
  if (dir != 1) return -ENOTDIR;
  if ((length == 1 && name[0] == '.') || (length == 2 && name[0] == '.' && name[1] == '.')) {
    *out = 1;
    return 0;
  }
  for (uint32_t d = kConsole; d < kCount; ++d) {
    if (strlen(kNames[d]) == length && memcmp(kNames[d], name, length) == 0) {
      *out = d;
      return 0;
    }
  }
  if (length < sizeof(kBlockPrefix) - 1 || memcmp(name, kBlockPrefix, sizeof(kBlockPrefix) - 1))
    return -ENOENT;
  scan_disk();
  for (uint64_t i = 0; i <= kPartitions; ++i) {
    if (blocks_[i].present && strlen(kBlockNames[i]) == length &&
        memcmp(kBlockNames[i], name, length) == 0) {
      *out = kDisk + i;
      return 0;
    }
  }
  return -ENOENT;
}

int DevFs::stat(uint64_t ino, NodeInfo* out) {
  if (const BlockDevice* b = block_device(ino)) {
    *out = NodeInfo{};
    out->ino = ino;
    out->mode = S_IFBLK | 0660;
    out->size = b->sectors * MICA_BLOCK_SECTOR;
    out->device = static_cast<uint32_t>(ino);
    return 0;
  }
  if (ino == 0 || ino >= kCount) return -ENOENT;
  *out = NodeInfo{};
  out->ino = ino;
  if (ino == 1) {
    out->mode = S_IFDIR | 0755;
    out->nlink = 2;
  } else {
    out->mode = S_IFCHR | 0666;
    out->device = static_cast<uint32_t>(ino);
  }
  return 0;
}

// Only block devices are read here (the VFS reads the character devices
// with read_device).
long DevFs::read(uint64_t ino, uint64_t offset, void* buffer, size_t size) {
  const BlockDevice* b = block_device(ino);
  if (b == nullptr) return ino == 1 ? -EISDIR : -ENXIO;
  return mica_block_pread(&disk_, b->first, b->sectors, buffer, size, offset);
}

long DevFs::write(uint64_t ino, uint64_t offset, const void* data, size_t size) {
  const BlockDevice* b = block_device(ino);
  if (b == nullptr) return ino == 1 ? -EISDIR : -ENXIO;
  long n = mica_block_pwrite(&disk_, b->first, b->sectors, data, size, offset);
  return n == 0 && size > 0 ? -ENOSPC : n;
}

// Devices keep their size (O_TRUNC opens them as they are).
int DevFs::truncate(uint64_t ino, uint64_t) {
  return ino == 1 ? -EISDIR : 0;
}
int DevFs::create(uint64_t, const char*, size_t, uint32_t, uint64_t*) {
  return -EROFS;
}
int DevFs::mkdir(uint64_t, const char*, size_t, uint32_t, uint64_t*) {
  return -EROFS;
}
int DevFs::unlink(uint64_t, const char*, size_t) {
  return -EROFS;
}
int DevFs::rmdir(uint64_t, const char*, size_t) {
  return -EROFS;
}
int DevFs::rename(uint64_t, const char*, size_t, uint64_t, const char*, size_t) {
  return -EROFS;
}

// The entries in order: ".", "..", the character devices, then the block
// devices (a cookie counts past the ones that are absent).
int DevFs::readdir(uint64_t dir, uint64_t* cookie, DirEntry* out) {
  if (dir != 1) return -ENOTDIR;
  uint64_t position = *cookie;
  constexpr uint64_t kFirstBlock = 2 + kCount - kConsole;
  if (position == 0) scan_disk();
  if (position < 2) {
    out->ino = 1;
    out->type = DT_DIR;
    strlcpy(out->name, position == 0 ? "." : "..", sizeof(out->name));
  } else if (position < kFirstBlock) {
    uint32_t d = static_cast<uint32_t>(position - 2 + kConsole);
    out->ino = d;
    out->type = DT_CHR;
    strlcpy(out->name, kNames[d], sizeof(out->name));
  } else {
    while (position - kFirstBlock <= kPartitions && !blocks_[position - kFirstBlock].present)
      ++position;
    uint64_t i = position - kFirstBlock;
    if (i > kPartitions) return 0;
    out->ino = kDisk + i;
    out->type = DT_BLK;
    strlcpy(out->name, kBlockNames[i], sizeof(out->name));
  }
  *cookie = position + 1;
  return 1;
}

int DevFs::sync(bool) {
  return disk_.endpoint == MICA_HANDLE_INVALID ? 0 : mica_block_flush(&disk_);
}

void DevFs::closed(uint64_t ino) {
  if (block_device(ino) != nullptr) mica_block_flush(&disk_);
}

long DevFs::read_device(uint32_t device, void* buffer, size_t size) {
  switch (device) {
    case kNull:
      return 0;
    case kZero:
      memset(buffer, 0, size);
      return static_cast<long>(size);
    case kRandom: {
      auto* out = static_cast<uint8_t*>(buffer);
      for (size_t i = 0; i < size; ++i) {
        random_state_ ^= random_state_ << 13;
        random_state_ ^= random_state_ >> 7;
        random_state_ ^= random_state_ << 17;
        out[i] = static_cast<uint8_t>(random_state_ >> 24);
      }
      return static_cast<long>(size);
    }
    default:
      return -ENXIO;
  }
}

long DevFs::write_device(uint32_t device, const void*, size_t size) {
  switch (device) {
    case kNull:
    case kZero:
    case kRandom:
      return static_cast<long>(size);
    default:
      return -ENXIO;
  }
}

}  // namespace vfs
