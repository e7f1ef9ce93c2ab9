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
#include <mica/calls.h>
#include <mica/posix.h>
#include <mica/protocol.h>
#include <mica/spawn.h>
#include <mica/startup.h>

namespace {

constexpr uint32_t kSector = 512;
constexpr uint32_t kMaxSectors = MICA_BLOCK_MAX_TRANSFER / kSector;

// ---- The disk, through the block service ----

mica_handle_t g_block = MICA_HANDLE_INVALID;
bool g_mounted = false;  // until then, no waiting: there may be no driver at all

// The block service's endpoint. A driver that died is being restarted by
// the router (after a back-off of 100 ms and up): wait for it up to 3 s.
bool find_driver() {
  for (int i = 0; i < (g_mounted ? 150 : 1); ++i) {
    if (mica_service_lookup(MICA_SERVICE_BLOCK, &g_block) == 0) return true;
    g_block = MICA_HANDLE_INVALID;
    mica_sleep(20000000);
  }
  return false;
}

// A partition of the disk as an ext2 BlockDevice: byte ranges become
// whole-sector requests (partial sectors read, changed and written back).
// A failed request (the driver died) drops the endpoint; the next request
// looks the service up again, so a restarted driver is used as soon as it
// has registered.
class PartitionDevice final : public ext2::BlockDevice {
 public:
  PartitionDevice(uint64_t first_sector, uint64_t sectors)
      : first_(first_sector), sectors_(sectors) {}
  int read(uint64_t offset, void* buffer, size_t size) override;
  int write(uint64_t offset, const void* buffer, size_t size) override;
  uint64_t size() const override { return sectors_ * kSector; }
  int flush();

  // The whole disk's sector `sector` count `count` into `buffer` (the MBR).
  static int read_disk(uint64_t sector, uint32_t count, void* buffer);

 private:
  static int transfer(bool write, uint64_t sector, uint32_t count, void* buffer);
  uint64_t first_;
  uint64_t sectors_;
};

int PartitionDevice::transfer(bool write, uint64_t sector, uint32_t count, void* buffer) {
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
  if (mica_ipc_call_message(g_block, &m) != 0) {
    // The driver is gone: this request fails; the next one finds the
    // restarted driver.
    mica_handle_close(g_block);
    g_block = MICA_HANDLE_INVALID;
    return -EIO;
  }
  intptr_t result = static_cast<intptr_t>(m.words[0]);
  if (result < 0) return static_cast<int>(result);
  if (!write && m.data_size != size_t{count} * kSector) return -EIO;
  return 0;
}

int PartitionDevice::read_disk(uint64_t sector, uint32_t count, void* buffer) {
  return transfer(false, sector, count, buffer);
}

uint8_t g_bounce[MICA_BLOCK_MAX_TRANSFER];

int PartitionDevice::read(uint64_t offset, void* buffer, size_t size) {
  if (offset + size < offset || offset + size > this->size()) return -EIO;
  auto* out = static_cast<uint8_t*>(buffer);
  while (size > 0) {
    uint64_t sector = offset / kSector;
    size_t skip = offset % kSector;
    uint32_t count = static_cast<uint32_t>((skip + size + kSector - 1) / kSector);
    if (count > kMaxSectors) count = kMaxSectors;
    int r = transfer(false, first_ + sector, count, g_bounce);
    if (r < 0) return r;
    size_t n = size_t{count} * kSector - skip;
    if (n > size) n = size;
    memcpy(out, g_bounce + skip, n);
    out += n;
    offset += n;
    size -= n;
  }
  return 0;
}

int PartitionDevice::write(uint64_t offset, const void* buffer, size_t size) {
  if (offset + size < offset || offset + size > this->size()) return -EIO;
  auto* in = static_cast<const uint8_t*>(buffer);
  while (size > 0) {
    uint64_t sector = offset / kSector;
    size_t skip = offset % kSector;
    uint32_t count = static_cast<uint32_t>((skip + size + kSector - 1) / kSector);
    if (count > kMaxSectors) count = kMaxSectors;
    size_t n = size_t{count} * kSector - skip;
    if (n > size) n = size;
    // Partial first or last sector: read what stays.
    if (skip != 0 || (skip + n) % kSector != 0) {
      int r = transfer(false, first_ + sector, count, g_bounce);
      if (r < 0) return r;
    }
    memcpy(g_bounce + skip, in, n);
    int r = transfer(true, first_ + sector, count, g_bounce);
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
  if (mica_ipc_call_message(g_block, &m) != 0) return -EIO;
  return static_cast<int>(static_cast<intptr_t>(m.words[0]));
}

// Finds the disk's first Linux partition (MBR type 0x83) and mounts it.
// Prints why not on failure (no disk, no partition, a corrupt file system).
ext2::Ext2* mount_disk(PartitionDevice** device_out) {
  if (!find_driver()) {
    printf("ext2: no disk (no block driver is registered)\n");
    return nullptr;
  }
  uint8_t mbr[512];
  int r = PartitionDevice::read_disk(0, 1, mbr);
  if (r < 0) {
    printf("ext2: no disk (%s)\n", strerror(-r));
    return nullptr;
  }
  if (mbr[510] != 0x55 || mbr[511] != 0xaa) {
    printf("ext2: the disk has no partition table\n");
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
      printf("ext2: partition %d (ext2, sectors %u-%u) cannot be mounted: %s (%s)\n", i + 1, start,
             start + count - 1, reason, strerror(-r));
      delete device;
      return nullptr;
    }
    g_mounted = true;
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
