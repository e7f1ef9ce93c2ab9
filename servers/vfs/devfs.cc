#include "devfs.h"

#include <string.h>

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include "clock.h"

namespace vfs {
namespace {

const char* const kNames[] = {nullptr, nullptr, "console", "null", "zero", "random"};

}  // namespace

DevFs::DevFs() : random_state_(now_ns() | 1) {}

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
  return -ENOENT;
}

int DevFs::stat(uint64_t ino, NodeInfo* out) {
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

long DevFs::read(uint64_t, uint64_t, void*, size_t) {
  return -EISDIR;
}
long DevFs::write(uint64_t, uint64_t, const void*, size_t) {
  return -EISDIR;
}
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

int DevFs::readdir(uint64_t dir, uint64_t* cookie, DirEntry* out) {
  if (dir != 1) return -ENOTDIR;
  uint64_t position = *cookie;
  if (position < 2) {
    out->ino = 1;
    out->type = DT_DIR;
    strlcpy(out->name, position == 0 ? "." : "..", sizeof(out->name));
  } else if (position - 2 + kConsole < kCount) {
    uint32_t d = static_cast<uint32_t>(position - 2 + kConsole);
    out->ino = d;
    out->type = DT_CHR;
    strlcpy(out->name, kNames[d], sizeof(out->name));
  } else {
    return 0;
  }
  *cookie = position + 1;
  return 1;
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
