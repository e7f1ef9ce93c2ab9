#include "remotefs.h"

#include <stdio.h>
#include <string.h>

#include <errno.h>
#include <mica/calls.h>
#include <mica/protocol.h>
#include <mica/spawn.h>

namespace vfs {
namespace {

constexpr uint64_t kMs = 1000000;

uintptr_t low_word(uint64_t value) {
  return static_cast<uintptr_t>(value);
}

uintptr_t high_word(uint64_t value) {
  return static_cast<uintptr_t>(sizeof(uintptr_t) < 8 ? value >> 32 : 0);
}

uint64_t wide(uintptr_t low, uintptr_t high) {
  return sizeof(uintptr_t) < 8 ? uint64_t{low} | uint64_t{high} << 32 : uint64_t{low};
}

// ext2 inode numbers are 32 bits: anything else names nothing there.
bool valid(uint64_t ino) {
  return ino != 0 && ino <= 0xffffffffu;
}

}  // namespace

RemoteFs::RemoteFs(const char* service, const char* name, mica_handle_t endpoint)
    : service_(service), endpoint_(endpoint) {
  strlcpy(name_, name, sizeof(name_));
}

RemoteFs* RemoteFs::connect(const char* service, const char* name) {
  mica_handle_t endpoint;
  if (mica_service_lookup(service, &endpoint) != 0) return nullptr;
  mica_message m = {};
  m.label = MICA_FS_ROOT;
  if (mica_ipc_call_message(endpoint, &m) != 0 || static_cast<intptr_t>(m.words[0]) < 0) {
    mica_handle_close(endpoint);
    return nullptr;
  }
  auto* fs = new RemoteFs(service, name, endpoint);
  fs->root_ = m.words[1];
  return fs;
}

// The server's endpoint, looked up again (up to 3 s: the router restarts a
// server 100 ms after its death at first, longer when it keeps dying) if
// the last one died.
bool RemoteFs::connected() {
  // After a wait in vain (the server stays down, or is in a long back-off),
  // one look per request: the VFS serves everyone else meanwhile.
  int tries = gave_up_ ? 1 : 151;
  for (int i = 0; endpoint_ == MICA_HANDLE_INVALID; ++i) {
    if (mica_service_lookup(service_, &endpoint_) == 0) {
      printf("vfs: %s server back (instance %llu)\n", name_,
             static_cast<unsigned long long>(instance_));
      gave_up_ = false;
      break;
    }
    endpoint_ = MICA_HANDLE_INVALID;
    if (i + 1 == tries) {
      gave_up_ = true;
      return false;
    }
    mica_sleep(20 * kMs);
  }
  return true;
}

long RemoteFs::call(mica_message* m, bool idempotent) {
  mica_message request = *m;
  for (int attempt = 0; attempt < (idempotent ? 2 : 1); ++attempt) {
    if (!connected()) return -EIO;
    *m = request;
    if (mica_ipc_call_message(endpoint_, m) == 0) return static_cast<long>(m->words[0]);
    // It died (before or during this request): whatever was open on it is
    // gone with it.
    printf("vfs: the %s server is gone; files open on it fail with EIO\n", name_);
    mica_handle_close(endpoint_);
    endpoint_ = MICA_HANDLE_INVALID;
    ++instance_;
  }
  return -EIO;
}

long RemoteFs::named(uintptr_t label, uint64_t dir, const char* name, size_t length,
                     uintptr_t word1, const char* second, size_t second_length,
                     uintptr_t* ino_out) {
  static char payload[2 * 4096 + 2];
  if (!valid(dir)) return -ENOENT;
  if (length > 255) return -ENAMETOOLONG;
  if (second_length >= 4096) return -ENAMETOOLONG;
  memcpy(payload, name, length);
  payload[length] = 0;
  size_t size = length + 1;
  mica_message m = {};
  m.label = label;
  m.words[0] = static_cast<uintptr_t>(dir);
  m.words[1] = word1;
  if (second != nullptr) {
    memcpy(payload + size, second, second_length);
    payload[size + second_length] = 0;
    // rename: words[2] (words[1] is the second directory); symlink: words[1].
    m.words[label == MICA_FS_RENAME ? 2 : 1] = size;
    size += second_length + 1;
  }
  m.data = payload;
  m.data_size = size;
  long r = call(&m, label == MICA_FS_LOOKUP);
  if (r >= 0 && ino_out != nullptr) {
    ino_out[0] = m.words[1];
    ino_out[1] = m.words[2];
  }
  return r;
}

int RemoteFs::lookup(uint64_t dir, const char* name, size_t length, uint64_t* out) {
  uint32_t mode;
  return lookup_node(dir, name, length, out, &mode);
}

int RemoteFs::lookup_node(uint64_t dir, const char* name, size_t length, uint64_t* out,
                          uint32_t* mode) {
  uintptr_t words[2];
  long r = named(MICA_FS_LOOKUP, dir, name, length, 0, nullptr, 0, words);
  if (r < 0) return static_cast<int>(r);
  *out = words[0];
  *mode = static_cast<uint32_t>(words[1]);
  return 0;
}

int RemoteFs::stat(uint64_t ino, NodeInfo* out) {
  if (!valid(ino)) return -ENOENT;
  mica_fs_stat st;
  mica_message m = {};
  m.label = MICA_FS_STAT;
  m.words[0] = static_cast<uintptr_t>(ino);
  m.buffer = &st;
  m.buffer_size = sizeof(st);
  long r = call(&m, true);
  if (r < 0) return static_cast<int>(r);
  if (m.data_size != sizeof(st)) return -EIO;
  *out = NodeInfo{};
  out->ino = st.ino;
  out->mode = st.mode;
  out->nlink = st.nlink;
  out->size = st.size;
  out->blocks = st.blocks;
  out->mtime_ns = st.mtime_ns;
  return 0;
}

long RemoteFs::read(uint64_t ino, uint64_t offset, void* buffer, size_t size) {
  if (!valid(ino)) return -ENOENT;
  if (size > MICA_FS_MAX_TRANSFER) size = MICA_FS_MAX_TRANSFER;
  mica_message m = {};
  m.label = MICA_FS_READ;
  m.words[0] = static_cast<uintptr_t>(ino);
  m.words[1] = low_word(offset);
  m.words[2] = high_word(offset);
  m.words[3] = size;
  m.buffer = buffer;
  m.buffer_size = size;
  long r = call(&m, false);
  if (r > 0 && static_cast<size_t>(r) != m.data_size) return -EIO;
  return r;
}

long RemoteFs::write(uint64_t ino, uint64_t offset, const void* data, size_t size) {
  if (!valid(ino)) return -ENOENT;
  if (size > MICA_FS_MAX_TRANSFER) size = MICA_FS_MAX_TRANSFER;
  mica_message m = {};
  m.label = MICA_FS_WRITE;
  m.words[0] = static_cast<uintptr_t>(ino);
  m.words[1] = low_word(offset);
  m.words[2] = high_word(offset);
  m.data = data;
  m.data_size = size;
  return call(&m, false);
}

int RemoteFs::truncate(uint64_t ino, uint64_t size) {
  if (!valid(ino)) return -ENOENT;
  mica_message m = {};
  m.label = MICA_FS_TRUNCATE;
  m.words[0] = static_cast<uintptr_t>(ino);
  m.words[1] = low_word(size);
  m.words[2] = high_word(size);
  return static_cast<int>(call(&m, false));
}

int RemoteFs::create(uint64_t dir, const char* name, size_t length, uint32_t mode, uint64_t* out) {
  uintptr_t words[2];
  long r = named(MICA_FS_CREATE, dir, name, length, mode, nullptr, 0, words);
  if (r == 0) *out = words[0];
  return static_cast<int>(r);
}

int RemoteFs::mkdir(uint64_t dir, const char* name, size_t length, uint32_t mode, uint64_t* out) {
  uintptr_t words[2];
  long r = named(MICA_FS_MKDIR, dir, name, length, mode, nullptr, 0, words);
  if (r == 0) *out = words[0];
  return static_cast<int>(r);
}

int RemoteFs::unlink(uint64_t dir, const char* name, size_t length) {
  return static_cast<int>(named(MICA_FS_UNLINK, dir, name, length, 0, nullptr, 0, nullptr));
}

int RemoteFs::rmdir(uint64_t dir, const char* name, size_t length) {
  return static_cast<int>(named(MICA_FS_RMDIR, dir, name, length, 0, nullptr, 0, nullptr));
}

int RemoteFs::rename(uint64_t from_dir, const char* from, size_t from_length, uint64_t to_dir,
                     const char* to, size_t to_length) {
  if (!valid(to_dir)) return -ENOENT;
  if (to_length > 255) return -ENAMETOOLONG;
  return static_cast<int>(named(MICA_FS_RENAME, from_dir, from, from_length,
                                static_cast<uintptr_t>(to_dir), to, to_length, nullptr));
}

int RemoteFs::readdir(uint64_t dir, uint64_t* cookie, DirEntry* out) {
  if (!valid(dir)) return -ENOENT;
  mica_fs_dirent entry;
  mica_message m = {};
  m.label = MICA_FS_READDIR;
  m.words[0] = static_cast<uintptr_t>(dir);
  m.words[1] = low_word(*cookie);
  m.words[2] = high_word(*cookie);
  m.buffer = &entry;
  m.buffer_size = sizeof(entry);
  long r = call(&m, true);
  if (r <= 0) return static_cast<int>(r);
  if (m.data_size != sizeof(entry)) return -EIO;
  *cookie = wide(m.words[1], m.words[2]);
  out->ino = entry.ino;
  out->type = entry.type;
  entry.name[sizeof(entry.name) - 1] = 0;
  strlcpy(out->name, entry.name, sizeof(out->name));
  return 1;
}

int RemoteFs::symlink(uint64_t dir, const char* name, size_t length, const char* target,
                      size_t target_length, uint64_t* out) {
  uintptr_t words[2];
  long r = named(MICA_FS_SYMLINK, dir, name, length, 0, target, target_length, words);
  if (r == 0) *out = words[0];
  return static_cast<int>(r);
}

int RemoteFs::readlink(uint64_t ino, char* buffer, size_t size) {
  if (!valid(ino)) return -ENOENT;
  mica_message m = {};
  m.label = MICA_FS_READLINK;
  m.words[0] = static_cast<uintptr_t>(ino);
  m.words[1] = size;
  m.buffer = buffer;
  m.buffer_size = size;
  long r = call(&m, true);
  if (r > 0 && static_cast<size_t>(r) != m.data_size) return -EIO;
  return static_cast<int>(r);
}

int RemoteFs::link(uint64_t ino, uint64_t dir, const char* name, size_t length) {
  if (!valid(ino)) return -ENOENT;
  // The payload's directory word is words[0]: here the inode goes first.
  uintptr_t words[2];
  long r = named(MICA_FS_LINK, ino, name, length, static_cast<uintptr_t>(dir), nullptr, 0, words);
  return static_cast<int>(r);
}

int RemoteFs::sync(bool final) {
  // The server syncs after every change: only the explicit sync (before a
  // power-off) asks for a flush, and frees files unlinked while open.
  if (!final) return 0;
  mica_message m = {};
  m.label = MICA_FS_SYNC;
  m.words[0] = 1;
  return static_cast<int>(call(&m, false));
}

void RemoteFs::opened(uint64_t ino) {
  mica_message m = {};
  m.label = MICA_FS_OPEN;
  m.words[0] = static_cast<uintptr_t>(ino);
  call(&m, false);
}

void RemoteFs::closed(uint64_t ino) {
  mica_message m = {};
  m.label = MICA_FS_CLOSE;
  m.words[0] = static_cast<uintptr_t>(ino);
  call(&m, false);
}

}  // namespace vfs
