// The ext2 server: the disk's ext2 partition, reached through the block
// service (MICA_BLOCK_*), served to the VFS with the MICA_FS_* protocol of
// <mica/protocol.h>. The router starts it after the disk driver and before
// the VFS, and restarts it when it dies; the VFS then fails what was open on
// the old instance and looks the service up again.
//
// A disk without an ext2 partition, or a damaged one, is reported and the
// server finishes (exit 0: the router leaves it down, and the VFS's root is
// the ramdisk). After every request that changed the file system the
// superblock and group descriptors are written and the disk flushed, so
// that e2fsck -fn finds it clean between any two requests, and a kill at
// any moment loses at most the request in flight.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <errno.h>
#include <ext2.h>
#include <mica/block.h>
#include <mica/calls.h>
#include <mica/posix.h>
#include <mica/protocol.h>
#include <mica/spawn.h>
#include <mica/startup.h>

namespace {

// ---- The disk, through the block service (<mica/block.h>) ----

// Until the file system is mounted a lookup does not wait: there may be no
// driver at all. After that, a driver that died is being restarted by the
// router (after a back-off of 100 ms and up): a request waits for it up to
// 3 s.
mica_block g_disk = {MICA_HANDLE_INVALID, 0};

// A partition of the disk as an ext2 BlockDevice. A request that fails
// because the driver died fails with -EIO; the next one uses the restarted
// driver.
class PartitionDevice final : public ext2::BlockDevice {
 public:
  PartitionDevice(uint64_t first_sector, uint64_t sectors)
      : first_(first_sector), sectors_(sectors) {}
  int read(uint64_t offset, void* buffer, size_t size) override {
    return done(size, offset, mica_block_pread(&g_disk, first_, sectors_, buffer, size, offset));
  }
  int write(uint64_t offset, const void* buffer, size_t size) override {
    return done(size, offset, mica_block_pwrite(&g_disk, first_, sectors_, buffer, size, offset));
  }
  uint64_t size() const override { return sectors_ * MICA_BLOCK_SECTOR; }
  int flush() { return g_disk.endpoint == MICA_HANDLE_INVALID ? 0 : mica_block_flush(&g_disk); }

 private:
  // ext2 asks for whole ranges inside the partition: anything short is an
  // I/O error.
  int done(size_t size, uint64_t offset, long result) const {
    if (offset + size < offset || offset + size > this->size()) return -EIO;
    if (result == static_cast<long>(size)) return 0;
    return result < 0 && result != -ENODEV ? static_cast<int>(result) : -EIO;
  }
  uint64_t first_;
  uint64_t sectors_;
};

// Finds the disk's first Linux partition (MBR type 0x83) and mounts it.
// Prints why not on failure (no disk, no partition, a corrupt file system).
ext2::Ext2* mount_disk(PartitionDevice** device_out) {
  uint64_t disk_sectors = 0;
  mica_partition table[4];
  int r = mica_block_partitions(&g_disk, &disk_sectors, table);
  if (r == -ENODEV) {
    printf("ext2: no disk (no block driver is registered)\n");
    return nullptr;
  }
  if (r == -EINVAL) {
    printf("ext2: the disk has no partition table\n");
    return nullptr;
  }
  if (r < 0) {
    printf("ext2: no disk (%s)\n", strerror(-r));
    return nullptr;
  }
  for (int i = 0; i < 4; ++i) {
    if (table[i].type != 0x83) continue;
    uint32_t start = table[i].first;
    uint32_t count = table[i].count;
    auto* device = new PartitionDevice(start, count);
    ext2::Ext2* fs = nullptr;
    const char* reason = "";
    r = ext2::Ext2::mount(device, &fs, &reason);
    if (r < 0) {
      printf("ext2: partition %d (ext2, sectors %u-%u) cannot be mounted: %s (%s)\n", i + 1, start,
             start + count - 1, reason, strerror(-r));
      delete device;
      return nullptr;
    }
    g_disk.lookup_retries = 150;
    printf("ext2: partition %d: ext2, %u KiB, %llu blocks free%s\n", i + 1, count / 2,
           static_cast<unsigned long long>(fs->free_blocks()),
           fs->read_only() ? ", read-only" : "");
    *device_out = device;
    return fs;
  }
  printf("ext2: the disk has no Linux (ext2) partition\n");
  return nullptr;
}

// ---- Requests ----

ext2::Ext2* g_fs;
PartitionDevice* g_device;
mica_handle_t g_endpoint;

uint64_t now_ns() {
  uint64_t t = 0;
  mica_clock_get(&t);
  return t;
}

void reply(intptr_t result, const void* data = nullptr, size_t size = 0, uintptr_t w1 = 0,
           uintptr_t w2 = 0) {
  mica_message r = {};
  r.words[0] = static_cast<uintptr_t>(result);
  r.words[1] = w1;
  r.words[2] = w2;
  r.data = data;
  r.data_size = size;
  mica_ipc_reply_message(&r);
}

uint64_t wide(uintptr_t low, uintptr_t high) {
  return sizeof(uintptr_t) < 8 ? uint64_t{low} | uint64_t{high} << 32 : uint64_t{low};
}

uintptr_t high_word(uint64_t value) {
  return static_cast<uintptr_t>(sizeof(uintptr_t) < 8 ? value >> 32 : 0);
}

// Inode numbers from the VFS: ext2's are 32 bits.
bool valid(uintptr_t ino) {
  return ino != 0 && uint64_t{ino} <= 0xffffffffu;
}

// The payload's first name (NUL within `size`), or nullptr.
const char* name_at(const char* payload, size_t size, size_t offset) {
  if (offset >= size || memchr(payload + offset, 0, size - offset) == nullptr) return nullptr;
  return payload + offset;
}

uint8_t dirent_type(ext2::FileType type) {
  static const uint8_t kTypes[] = {DT_UNKNOWN, DT_REG,  DT_DIR,  DT_CHR,
                                   DT_BLK,     DT_FIFO, DT_SOCK, DT_LNK};
  auto index = static_cast<uint8_t>(type);
  return index < 8 ? kTypes[index] : DT_UNKNOWN;
}

// The S_IF* bits of a directory entry's type; 0 if it records none.
uint32_t type_mode(ext2::FileType type) {
  switch (type) {
    case ext2::FileType::kRegular:
      return ext2::kModeRegular;
    case ext2::FileType::kDirectory:
      return ext2::kModeDirectory;
    case ext2::FileType::kCharDevice:
      return ext2::kModeCharDevice;
    case ext2::FileType::kBlockDevice:
      return ext2::kModeBlockDevice;
    case ext2::FileType::kFifo:
      return ext2::kModeFifo;
    case ext2::FileType::kSocket:
      return ext2::kModeSocket;
    case ext2::FileType::kSymlink:
      return ext2::kModeSymlink;
    default:
      return 0;
  }
}

// Answers one request; true if it may have changed the file system.
bool serve(const mica_message& m, char* payload) {
  const uintptr_t* w = m.words;
  auto ino = static_cast<uint32_t>(w[0]);
  const char* name = name_at(payload, m.data_size, 0);
  size_t length = name != nullptr ? strlen(name) : 0;
  switch (m.label) {
    case MICA_FS_ROOT:
      reply(0, nullptr, 0, ext2::kRootIno);
      return false;
    case MICA_FS_LOOKUP: {
      if (name == nullptr) return reply(-EFAULT), false;
      if (!valid(w[0])) return reply(-ENOENT), false;
      // The type from the directory entry where it is recorded: no inode
      // read (the VFS's path walk needs only the type).
      uint32_t child;
      ext2::FileType type;
      int r = g_fs->lookup(ino, name, length, &child, &type);
      if (r < 0) return reply(r), false;
      uint32_t mode = type_mode(type);
      if (mode == 0) {
        ext2::Stat st;
        r = g_fs->stat(child, &st);
        if (r < 0) return reply(r), false;
        mode = st.mode;
      }
      reply(0, nullptr, 0, child, mode);
      return false;
    }
    case MICA_FS_STAT: {
      if (!valid(w[0])) return reply(-ENOENT), false;
      ext2::Stat st;
      int r = g_fs->stat(ino, &st);
      if (r < 0) return reply(r), false;
      mica_fs_stat out = {};
      out.ino = st.ino;
      out.size = st.size;
      out.blocks = st.blocks;
      out.mtime_ns = uint64_t{st.mtime} * 1000000000;
      out.mode = st.mode;
      out.nlink = st.nlink;
      reply(0, &out, sizeof(out));
      return false;
    }
    case MICA_FS_READ: {
      static uint8_t buffer[MICA_FS_MAX_TRANSFER];
      if (!valid(w[0])) return reply(-ENOENT), false;
      size_t size = w[3] < sizeof(buffer) ? w[3] : sizeof(buffer);
      int n = g_fs->read(ino, wide(w[1], w[2]), buffer, size);
      reply(n, buffer, n > 0 ? static_cast<size_t>(n) : 0);
      return false;
    }
    case MICA_FS_WRITE:
      if (!valid(w[0])) return reply(-ENOENT), false;
      reply(g_fs->write(ino, wide(w[1], w[2]), payload, m.data_size));
      return true;
    case MICA_FS_TRUNCATE:
      if (!valid(w[0])) return reply(-ENOENT), false;
      reply(g_fs->truncate(ino, wide(w[1], w[2])));
      return true;
    case MICA_FS_READDIR: {
      if (!valid(w[0])) return reply(-ENOENT), false;
      uint64_t cookie = wide(w[1], w[2]);
      ext2::DirEntry e;
      int r = g_fs->readdir(ino, &cookie, &e);
      if (r <= 0) return reply(r), false;
      mica_fs_dirent out = {};
      out.ino = e.ino;
      out.type = dirent_type(e.type);
      memcpy(out.name, e.name, e.name_length + 1u);
      reply(1, &out, sizeof(out), static_cast<uintptr_t>(cookie), high_word(cookie));
      return false;
    }
    case MICA_FS_CREATE:
    case MICA_FS_MKDIR: {
      if (name == nullptr) return reply(-EFAULT), false;
      if (!valid(w[0])) return reply(-ENOENT), false;
      uint32_t child;
      auto mode = static_cast<uint16_t>(w[1] & ext2::kModePermissionMask);
      int r = m.label == MICA_FS_CREATE ? g_fs->create(ino, name, length, mode, &child)
                                        : g_fs->mkdir(ino, name, length, mode, &child);
      reply(r, nullptr, 0, r == 0 ? child : 0);
      return true;
    }
    case MICA_FS_UNLINK:
    case MICA_FS_RMDIR:
      if (name == nullptr) return reply(-EFAULT), false;
      if (!valid(w[0])) return reply(-ENOENT), false;
      reply(m.label == MICA_FS_UNLINK ? g_fs->unlink(ino, name, length)
                                      : g_fs->rmdir(ino, name, length));
      return true;
    case MICA_FS_RENAME: {
      const char* to = name_at(payload, m.data_size, w[2]);
      if (name == nullptr || to == nullptr) return reply(-EFAULT), false;
      if (!valid(w[0]) || !valid(w[1])) return reply(-ENOENT), false;
      reply(g_fs->rename(ino, name, length, static_cast<uint32_t>(w[1]), to, strlen(to)));
      return true;
    }
    case MICA_FS_SYMLINK: {
      const char* target = name_at(payload, m.data_size, w[1]);
      if (name == nullptr || target == nullptr) return reply(-EFAULT), false;
      if (!valid(w[0])) return reply(-ENOENT), false;
      uint32_t child;
      int r = g_fs->symlink(ino, name, length, target, strlen(target), &child);
      reply(r, nullptr, 0, r == 0 ? child : 0);
      return true;
    }
    case MICA_FS_READLINK: {
      static char target[4096];
      if (!valid(w[0])) return reply(-ENOENT), false;
      size_t size = w[1] < sizeof(target) ? w[1] : sizeof(target);
      int n = g_fs->readlink(ino, target, size);
      reply(n, target, n > 0 ? static_cast<size_t>(n) : 0);
      return false;
    }
    case MICA_FS_LINK:
      if (name == nullptr) return reply(-EFAULT), false;
      if (!valid(w[0]) || !valid(w[1])) return reply(-ENOENT), false;
      reply(g_fs->link(ino, static_cast<uint32_t>(w[1]), name, length));
      return true;
    case MICA_FS_OPEN:
      if (!valid(w[0])) return reply(-ENOENT), false;
      reply(g_fs->open(ino));
      return false;
    case MICA_FS_CLOSE: {
      if (!valid(w[0])) return reply(-ENOENT), false;
      // Only the last close of a file unlinked while open changes the disk.
      uint32_t waiting = g_fs->unlinked_open();
      reply(g_fs->close(ino));
      return g_fs->unlinked_open() != waiting;
    }
    case MICA_FS_SYNC: {
      int r = w[0] != 0 ? g_fs->release_unlinked() : 0;
      int s = g_fs->sync();
      int f = g_device->flush();
      reply(r < 0 ? r : s < 0 ? s : f);
      return false;
    }
    default:
      if (m.handle != MICA_HANDLE_INVALID) mica_handle_close(m.handle);
      reply(-ENOSYS);
      return false;
  }
}

bool register_with_router() {
  mica_handle_t router = mica_startup_handle(MICA_STARTUP_ROUTER);
  mica_handle_t copy;
  if (router == MICA_HANDLE_INVALID ||
      mica_handle_duplicate(
          g_endpoint, MICA_RIGHT_WRITE | MICA_RIGHT_TRANSFER | MICA_RIGHT_DUPLICATE, &copy) != 0) {
    return false;
  }
  mica_message m = {};
  m.label = MICA_ROUTER_REGISTER;
  m.data = MICA_SERVICE_EXT2;
  m.data_size = sizeof(MICA_SERVICE_EXT2);
  m.handle = copy;
  return mica_ipc_call_message(router, &m) == 0 && m.words[0] == 0;
}

// The server's own output goes to the kernel log: through libc it would be
// a request to the VFS, which may be waiting for this server.
intptr_t log_only(int op, const uintptr_t args[6]) {
  if (op == MICA_POSIX_WRITE && args[0] <= 2) {
    return mica_debug_write(reinterpret_cast<const char*>(args[1]), args[2]);
  }
  return -ENOSYS;
}

}  // namespace

int main() {
  mica_posix_set_handler(log_only);
  g_fs = mount_disk(&g_device);
  // Nothing to serve: finished, and the router leaves it down.
  if (g_fs == nullptr) return 0;
  if (mica_endpoint_create(16, &g_endpoint) != 0 || !register_with_router()) {
    printf("ext2: cannot register with the router\n");
    return 1;
  }
  static char payload[MICA_FS_MAX_TRANSFER + 1];
  for (;;) {
    mica_message m = {};
    m.buffer = payload;
    m.buffer_size = MICA_FS_MAX_TRANSFER;
    if (mica_ipc_receive(g_endpoint, &m, 0) != 0) continue;
    if (m.sender == 0) continue;  // notices: none are asked for
    payload[m.data_size < MICA_FS_MAX_TRANSFER ? m.data_size : MICA_FS_MAX_TRANSFER] = 0;
    g_fs->set_time(static_cast<uint32_t>(now_ns() / 1000000000));
    if (serve(m, payload) && !g_fs->read_only()) {
      // What the request changed is consistent on the disk before the
      // next one (free counts, group descriptors).
      g_fs->sync();
      g_device->flush();
    }
  }
}
