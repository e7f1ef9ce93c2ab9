#include "block_service.h"

#include <stdio.h>
#include <string.h>

#include <errno.h>
#include <mica/calls.h>
#include <mica/parse_number.h>
#include <mica/protocol.h>
#include <mica/startup.h>
#include <mica/thread.h>

#include "block_core.h"

namespace block {
namespace {

static_assert(kMaxTransfer == MICA_BLOCK_MAX_TRANSFER);

// One request's data, in either direction; the service is one thread.
alignas(MICA_PAGE_SIZE) uint8_t g_transfer[kMaxTransfer];

uint64_t now_ns() {
  uint64_t t = 0;
  mica_clock_get(&t);
  return t;
}

// Answers one MICA_BLOCK_* call received in `m` (its payload in g_transfer).
void handle(Device& device, const mica_message& m) {
  mica_message reply = {};
  intptr_t result = 0;
  uint64_t first = first_sector(m.words[0], m.words[1]);
  uint64_t count = m.words[2];
  uint64_t sectors = device.sector_count();
  switch (m.label) {
    case MICA_BLOCK_INFO:
      reply.words[1] = kSectorSize;
      reply.words[2] = static_cast<uintptr_t>(sectors);
      reply.words[3] = static_cast<uintptr_t>(sectors >> 32);
      break;
    case MICA_BLOCK_READ:
      if (!transfer_ok(first, count, sectors)) {
        result = -EINVAL;
      } else if (count != 0) {
        result = device.read(first, static_cast<uint32_t>(count), g_transfer);
        if (result == 0) {
          reply.data = g_transfer;
          reply.data_size = count * kSectorSize;
        }
      }
      break;
    case MICA_BLOCK_WRITE:
      // The payload must be exactly the sectors (a longer one was cut to
      // the buffer: it is over the maximum).
      if (!transfer_ok(first, count, sectors) || m.data_size != count * kSectorSize) {
        result = -EINVAL;
      } else if (count != 0) {
        result = device.write(first, static_cast<uint32_t>(count), g_transfer);
      }
      break;
    case MICA_BLOCK_FLUSH:
      result = device.flush();
      break;
    default:
      result = -ENOSYS;
      break;
  }
  reply.words[0] = static_cast<uintptr_t>(result);
  // A caller that sent rather than called has no reply to take: nothing to do.
  (void)mica_ipc_reply_message(&reply);
}

[[noreturn]] void serve_forever(Device& device, mica_handle_t endpoint, const char* name) {
  for (;;) {
    mica_message m = {};
    m.buffer = g_transfer;
    m.buffer_size = sizeof(g_transfer);
    int r = mica_ipc_receive(endpoint, &m, 0);
    if (r != 0) {
      printf("%s: receive: %s\n", name, strerror(-r));
      mica_sleep(100'000'000);
      continue;
    }
    if (m.handle != MICA_HANDLE_INVALID) mica_handle_close(m.handle);  // none is wanted
    handle(device, m);
  }
}

int register_service(mica_handle_t router, mica_handle_t endpoint) {
  mica_handle_t copy;
  int r = mica_handle_duplicate(
      endpoint, MICA_RIGHT_WRITE | MICA_RIGHT_TRANSFER | MICA_RIGHT_DUPLICATE, &copy);
  if (r != 0) return r;
  mica_message m = {};
  m.label = MICA_ROUTER_REGISTER;
  m.data = MICA_SERVICE_BLOCK;
  m.data_size = sizeof(MICA_SERVICE_BLOCK);  // with its NUL, as payload strings travel
  m.handle = copy;
  r = mica_ipc_call_message(router, &m);
  if (r != 0) {
    mica_handle_close(copy);  // still ours when the call failed
    return r;
  }
  return static_cast<int>(static_cast<intptr_t>(m.words[0]));
}

// ---- The self-test: a client of the service, on its own thread ----

struct SelfTest {
  mica_handle_t endpoint;
  const char* name;
  uint64_t sectors;
  int failures;
};

// Buffers of the client thread (the service uses g_transfer).
uint8_t g_client[kMaxTransfer];
uint8_t g_saved[8 * kSectorSize];
uint8_t g_pattern[8 * kSectorSize];

// One call: returns words[0] of the reply (or the call's own failure);
// *received is the reply payload's size.
intptr_t call(mica_handle_t endpoint, uintptr_t label, uint64_t first, uint64_t count,
              const void* data, size_t data_size, void* buffer, size_t buffer_size,
              size_t* received) {
  mica_message m = {};
  m.label = label;
  m.words[0] = static_cast<uintptr_t>(first);
  m.words[1] = static_cast<uintptr_t>(first >> 32);
  m.words[2] = static_cast<uintptr_t>(count);
  m.data = data;
  m.data_size = data_size;
  m.buffer = buffer;
  m.buffer_size = buffer_size;
  int r = mica_ipc_call_message(endpoint, &m);
  if (r != 0) return r;
  if (received != nullptr) *received = m.data_size;
  return static_cast<intptr_t>(m.words[0]);
}

// Reads `count` sectors into `buffer`; false (and a message) on failure.
bool read_sectors(SelfTest& t, uint64_t first, uint64_t count, void* buffer) {
  size_t received = 0;
  intptr_t r = call(t.endpoint, MICA_BLOCK_READ, first, count, nullptr, 0, buffer,
                    count * kSectorSize, &received);
  if (r != 0 || received != count * kSectorSize) {
    printf("%s: selftest: reading %llu sectors at %llu: %s (%zu bytes)\n", t.name,
           static_cast<unsigned long long>(count), static_cast<unsigned long long>(first),
           r != 0 ? strerror(static_cast<int>(-r)) : "short", received);
    ++t.failures;
    return false;
  }
  return true;
}

bool write_sectors(SelfTest& t, uint64_t first, uint64_t count, const void* data) {
  intptr_t r = call(t.endpoint, MICA_BLOCK_WRITE, first, count, data, count * kSectorSize, nullptr,
                    0, nullptr);
  if (r != 0) {
    printf("%s: selftest: writing %llu sectors at %llu: %s\n", t.name,
           static_cast<unsigned long long>(count), static_cast<unsigned long long>(first),
           strerror(static_cast<int>(-r)));
    ++t.failures;
    return false;
  }
  return true;
}

void expect_invalid(SelfTest& t, const char* what, uintptr_t label, uint64_t first, uint64_t count,
                    size_t payload) {
  intptr_t r =
      call(t.endpoint, label, first, count, g_client, payload, g_client, sizeof(g_client), nullptr);
  if (r != -EINVAL) {
    printf("%s: selftest: %s gave %ld, not -EINVAL\n", t.name, what, static_cast<long>(r));
    ++t.failures;
  }
}

void check_bounds(SelfTest& t) {
  uint64_t n = t.sectors;
  expect_invalid(t, "reading past the end", MICA_BLOCK_READ, n, 1, 0);
  expect_invalid(t, "reading across the end", MICA_BLOCK_READ, n - 1, 2, 0);
  expect_invalid(t, "reading far past the end", MICA_BLOCK_READ, ~uint64_t{0}, 1, 0);
  expect_invalid(t, "reading over the maximum", MICA_BLOCK_READ, 0, kMaxTransferSectors + 1, 0);
  expect_invalid(t, "writing past the end", MICA_BLOCK_WRITE, n, 1, kSectorSize);
  expect_invalid(t, "writing a short payload", MICA_BLOCK_WRITE, 1, 2, kSectorSize);
}

// Sector 0: the signature and the partitions; returns where the first one
// starts (0 on failure) and, in *linux_start, the first ext2 (type 0x83).
uint32_t check_mbr(SelfTest& t, uint32_t* linux_start) {
  if (!read_sectors(t, 0, 1, g_client)) return 0;
  MbrPartition partitions[4];
  if (!parse_mbr(g_client, partitions)) {
    printf("%s: selftest: sector 0 has no MBR signature (%02x %02x)\n", t.name, g_client[510],
           g_client[511]);
    ++t.failures;
    return 0;
  }
  printf("%s: MBR signature 0x55aa\n", t.name);
  *linux_start = 0;
  for (int i = 0; i < 4; ++i) {
    const MbrPartition& p = partitions[i];
    if (p.type == 0) continue;
    printf("%s: partition %d: type 0x%02x%s, sectors %u-%u (%u MiB)\n", t.name, i + 1, p.type,
           p.status == 0x80 ? ", bootable" : "", p.first_sector,
           p.first_sector + p.sector_count - 1, p.sector_count / 2048);
    if (p.type == 0x83 && *linux_start == 0) *linux_start = p.first_sector;
  }
  return first_partition_start(partitions);
}

void check_ext2(SelfTest& t, uint32_t start) {
  constexpr uint32_t kOffset = kExt2SuperblockOffset / kSectorSize;
  if (!read_sectors(t, start + kOffset, 2, g_client)) return;
  Ext2Superblock s = parse_ext2_superblock(g_client);
  printf("%s: ext2 at sector %u: magic 0x%04x, %u blocks of %u bytes\n", t.name, start, s.magic,
         s.block_count, s.block_size);
  if (s.magic != kExt2Magic) {
    printf("%s: selftest: bad ext2 magic\n", t.name);
    ++t.failures;
  }
}

// The gap's last eight sectors before the first partition: GRUB's core.img
// starts at sector 1 on the PC's raw disk (and is far smaller than the
// 1 MiB gap); nothing uses the SD card's 4 MiB gap. They must read as
// zeros (or as this test's pattern, left by an interrupted run), are
// written, read back and restored.
void check_writes(SelfTest& t, uint32_t gap_end) {
  constexpr uint32_t kCount = 8;
  if (gap_end < kCount + 1) {
    printf("%s: selftest: no gap before the first partition to write to\n", t.name);
    ++t.failures;
    return;
  }
  uint32_t first = gap_end - kCount + 1;
  for (size_t i = 0; i < sizeof(g_pattern); ++i) {
    g_pattern[i] = static_cast<uint8_t>((i * 7 + i / kSectorSize * 13) ^ 0x5a);
  }
  if (!read_sectors(t, first, kCount, g_saved)) return;
  bool zero = true;
  for (uint8_t b : g_saved) zero = zero && b == 0;
  if (!zero && memcmp(g_saved, g_pattern, sizeof(g_saved)) != 0) {
    printf("%s: selftest: sectors %u-%u are in use: not writing there\n", t.name, first, gap_end);
    ++t.failures;
    return;
  }
  printf("%s: writing sectors %u-%u (unused, before the first partition)\n", t.name, first,
         gap_end);
  int before = t.failures;
  // One sector, then all of them at once, then the old contents back.
  if (write_sectors(t, gap_end, 1, g_pattern) && read_sectors(t, gap_end, 1, g_client) &&
      memcmp(g_client, g_pattern, kSectorSize) != 0) {
    printf("%s: selftest: sector %u reads back differently\n", t.name, gap_end);
    ++t.failures;
  }
  if (write_sectors(t, first, kCount, g_pattern) && read_sectors(t, first, kCount, g_client) &&
      memcmp(g_client, g_pattern, sizeof(g_pattern)) != 0) {
    printf("%s: selftest: sectors %u-%u read back differently\n", t.name, first, gap_end);
    ++t.failures;
  }
  if (write_sectors(t, first, kCount, g_saved) && read_sectors(t, first, kCount, g_client) &&
      memcmp(g_client, g_saved, sizeof(g_saved)) != 0) {
    printf("%s: selftest: sectors %u-%u were not restored\n", t.name, first, gap_end);
    ++t.failures;
  }
  intptr_t r = call(t.endpoint, MICA_BLOCK_FLUSH, 0, 0, nullptr, 0, nullptr, 0, nullptr);
  if (r != 0) {
    printf("%s: selftest: flush: %s\n", t.name, strerror(static_cast<int>(-r)));
    ++t.failures;
  }
  if (t.failures == before) printf("%s: write, read back, restore and flush: ok\n", t.name);
}

// Sequential reads of whole transfers from `start`, and rewrites of the
// (restored) scratch sectors: sectors per second through the service.
void measure(SelfTest& t, uint32_t start, uint32_t scratch) {
  uint64_t total = 8192;  // 4 MiB
  if (start + total > t.sectors)
    total = (t.sectors - start) / kMaxTransferSectors * kMaxTransferSectors;
  uint64_t begin = now_ns();
  for (uint64_t s = 0; s < total; s += kMaxTransferSectors) {
    if (!read_sectors(t, start + s, kMaxTransferSectors, g_client)) return;
  }
  uint64_t read_ns = now_ns() - begin;
  constexpr int kWrites = 64;
  begin = now_ns();
  for (int i = 0; i < kWrites; ++i) {
    if (!write_sectors(t, scratch - 7, 8, g_saved)) return;
  }
  uint64_t write_ns = now_ns() - begin;
  if (read_ns == 0) read_ns = 1;
  if (write_ns == 0) write_ns = 1;
  printf("%s: read %llu sectors in %llu ms: %llu sectors/s; wrote %d in %llu ms: %llu sectors/s\n",
         t.name, static_cast<unsigned long long>(total),
         static_cast<unsigned long long>(read_ns / 1'000'000),
         static_cast<unsigned long long>(total * 1'000'000'000 / read_ns), kWrites * 8,
         static_cast<unsigned long long>(write_ns / 1'000'000),
         static_cast<unsigned long long>(uint64_t{kWrites} * 8 * 1'000'000'000 / write_ns));
}

void selftest_thread(void* argument) {
  SelfTest& t = *static_cast<SelfTest*>(argument);
  mica_message m = {};
  m.label = MICA_BLOCK_INFO;
  int r = mica_ipc_call_message(t.endpoint, &m);
  uint64_t sectors = first_sector(m.words[2], m.words[3]);
  if (r != 0 || m.words[0] != 0 || m.words[1] != kSectorSize || sectors != t.sectors) {
    printf("%s: selftest: INFO: %d, %lu-byte sectors, %llu of them\n", t.name, r,
           static_cast<unsigned long>(m.words[1]), static_cast<unsigned long long>(sectors));
    ++t.failures;
  }
  check_bounds(t);
  uint32_t linux_start = 0;
  uint32_t start = check_mbr(t, &linux_start);
  if (linux_start != 0) {
    check_ext2(t, linux_start);
  } else if (start != 0) {
    printf("%s: selftest: no ext2 (type 0x83) partition\n", t.name);
    ++t.failures;
  }
  if (start != 0) {
    check_writes(t, start - 1);
    if (t.failures == 0) measure(t, linux_start != 0 ? linux_start : start, start - 1);
  }
  if (t.failures == 0) {
    printf("%s: selftest passed\n", t.name);
  } else {
    printf("%s: selftest FAILED (%d failures)\n", t.name, t.failures);
  }
  mica_process_exit(t.failures == 0 ? 0 : 1);
}

}  // namespace

int serve(Device& device, const ServeOptions& options) {
  mica_handle_t endpoint;
  int r = mica_endpoint_create(0, &endpoint);
  if (r != 0) {
    printf("%s: cannot create an endpoint: %s\n", options.name, strerror(-r));
    return 1;
  }
  if (options.selftest) {
    static SelfTest test;
    test = SelfTest{endpoint, options.name, device.sector_count(), 0};
    mica_thread_t thread;
    r = mica_thread_spawn(selftest_thread, &test, 0, &thread);
    if (r != 0) {
      printf("%s: cannot start the self-test: %s\n", options.name, strerror(-r));
      return 1;
    }
  } else if (mica_handle_t router = mica_startup_handle(MICA_STARTUP_ROUTER);
             router != MICA_HANDLE_INVALID) {
    r = register_service(router, endpoint);
    if (r == -EEXIST) {
      // A PC with disks of two kinds: the first driver's disk is the root.
      printf("%s: another driver serves \"%s\": finishing\n", options.name, MICA_SERVICE_BLOCK);
      return 0;
    }
    if (r != 0) {
      printf("%s: cannot register as \"%s\": %s\n", options.name, MICA_SERVICE_BLOCK, strerror(-r));
      return 1;
    }
    printf("%s: serving \"%s\"\n", options.name, MICA_SERVICE_BLOCK);
  }
  serve_forever(device, endpoint, options.name);
}

bool parse_number(const char* argument, const char* key, unsigned long long* value) {
  size_t n = strlen(key);
  if (strncmp(argument, key, n) != 0 || argument[n] != '=') return false;
  uint64_t number;
  const char* text = argument + n + 1;
  if (mica_parse_number(text, strlen(text), ~uint64_t{0}, &number) != 0) return false;
  *value = number;
  return true;
}

}  // namespace block
