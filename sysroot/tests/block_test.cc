// The block service's client (<mica/block.h>) against a fake driver: the
// protocol's words, byte ranges at every alignment (read-modify-write of
// partial sectors, requests split at MICA_BLOCK_MAX_TRANSFER), the ends of
// a range, a driver that dies and comes back, and MBR tables good and bad.
#include <string.h>

#include <vector>

#include <gtest/gtest.h>

#include <errno.h>
#include <mica/block.h>
#include <mica/calls.h>
#include <mica/protocol.h>
#include <mica/spawn.h>

namespace {

constexpr mica_handle_t kEndpoint = 77;

struct FakeDriver {
  std::vector<uint8_t> disk;
  bool registered = true;
  int die_after = -1;  // calls until the driver dies (-1: never)
  int calls = 0, lookups = 0, reads = 0, writes = 0, flushes = 0;
  uint32_t largest = 0;  // sectors in one request
} g_driver;

}  // namespace

extern "C" {

int mica_service_lookup(const char* name, mica_handle_t* out) {
  EXPECT_STREQ(name, MICA_SERVICE_BLOCK);
  ++g_driver.lookups;
  if (!g_driver.registered) return -ENOENT;
  *out = kEndpoint;
  return 0;
}

int mica_handle_close(mica_handle_t handle) {
  EXPECT_EQ(handle, kEndpoint);
  return 0;
}

int mica_sleep(uint64_t) {
  g_driver.registered = true;  // the router restarted it meanwhile
  return 0;
}

int mica_ipc_call_message(mica_handle_t endpoint, struct mica_message* m) {
  EXPECT_EQ(endpoint, kEndpoint);
  ++g_driver.calls;
  if (g_driver.die_after == 0) {
    g_driver.registered = false;
    g_driver.die_after = -1;
    return -EPIPE;
  }
  if (g_driver.die_after > 0) --g_driver.die_after;
  uint64_t sectors = g_driver.disk.size() / MICA_BLOCK_SECTOR;
  uint64_t first = m->words[0];
  uint32_t count = static_cast<uint32_t>(m->words[2]);
  size_t bytes = size_t{count} * MICA_BLOCK_SECTOR;
  bool in_range =
      count > 0 && count <= MICA_BLOCK_MAX_TRANSFER / MICA_BLOCK_SECTOR && first + count <= sectors;
  switch (m->label) {
    case MICA_BLOCK_INFO:
      m->words[0] = 0;
      m->words[1] = MICA_BLOCK_SECTOR;
      m->words[2] = sectors;
      m->words[3] = 0;
      return 0;
    case MICA_BLOCK_READ:
      ++g_driver.reads;
      if (!in_range || m->buffer_size < bytes) {
        m->words[0] = static_cast<uintptr_t>(-EINVAL);
        m->data_size = 0;
        return 0;
      }
      g_driver.largest = std::max(g_driver.largest, count);
      memcpy(m->buffer, &g_driver.disk[first * MICA_BLOCK_SECTOR], bytes);
      m->data_size = bytes;
      m->words[0] = 0;
      return 0;
    case MICA_BLOCK_WRITE:
      ++g_driver.writes;
      if (!in_range || m->data_size != bytes) {
        m->words[0] = static_cast<uintptr_t>(-EINVAL);
        return 0;
      }
      g_driver.largest = std::max(g_driver.largest, count);
      memcpy(&g_driver.disk[first * MICA_BLOCK_SECTOR], m->data, bytes);
      m->words[0] = 0;
      return 0;
    case MICA_BLOCK_FLUSH:
      ++g_driver.flushes;
      m->words[0] = 0;
      return 0;
    default:
      m->words[0] = static_cast<uintptr_t>(-ENOSYS);
      return 0;
  }
}

}  // extern "C"

namespace {

class BlockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_driver = FakeDriver{};
    g_driver.disk.resize(512 * MICA_BLOCK_SECTOR);  // 256 KiB
    for (size_t i = 0; i < g_driver.disk.size(); ++i) {
      g_driver.disk[i] = static_cast<uint8_t>(i * 7 + i / 512);
    }
    original_ = g_driver.disk;
  }
  mica_block b_ = {MICA_HANDLE_INVALID, 0};
  std::vector<uint8_t> original_;
};

TEST_F(BlockTest, InfoAndWholeSectors) {
  uint64_t sectors = 0;
  ASSERT_EQ(mica_block_sectors(&b_, &sectors), 0);
  EXPECT_EQ(sectors, 512u);
  EXPECT_EQ(b_.endpoint, kEndpoint);
  uint8_t sector[MICA_BLOCK_SECTOR];
  ASSERT_EQ(mica_block_transfer(&b_, 0, 3, 1, sector), 0);
  EXPECT_EQ(memcmp(sector, &original_[3 * 512], 512), 0);
  EXPECT_EQ(mica_block_transfer(&b_, 0, 512, 1, sector), -EINVAL);  // past the end
  EXPECT_EQ(mica_block_transfer(&b_, 0, 0, 0, sector), -EINVAL);
  EXPECT_EQ(mica_block_transfer(&b_, 0, 0, MICA_BLOCK_MAX_TRANSFER / 512 + 1, sector), -EINVAL);
  EXPECT_EQ(mica_block_flush(&b_), 0);
  EXPECT_EQ(g_driver.lookups, 1);  // the endpoint is kept
}

// Every offset and size near sector edges reads what is there, and writes
// change exactly the bytes asked for.
TEST_F(BlockTest, ByteRangesAtEveryAlignment) {
  std::vector<uint8_t> expect = original_;
  const uint64_t offsets[] = {0, 1, 511, 512, 513, 1000, 4096 - 3};
  const size_t sizes[] = {1, 2, 511, 512, 513, 1024, 1537};
  uint8_t value = 1;
  for (uint64_t offset : offsets) {
    for (size_t size : sizes) {
      std::vector<uint8_t> got(size);
      ASSERT_EQ(mica_block_pread(&b_, 8, 100, got.data(), size, offset), static_cast<long>(size));
      ASSERT_EQ(memcmp(got.data(), &expect[8 * 512 + offset], size), 0) << offset << "+" << size;
      // Another range read first: the write must not use what is left
      // of that in the client's buffer.
      uint8_t elsewhere[1024];
      ASSERT_EQ(mica_block_pread(&b_, 300, 100, elsewhere, sizeof(elsewhere), 0), 1024);
      std::vector<uint8_t> data(size, value++);
      ASSERT_EQ(mica_block_pwrite(&b_, 8, 100, data.data(), size, offset), static_cast<long>(size));
      memcpy(&expect[8 * 512 + offset], data.data(), size);
      ASSERT_EQ(g_driver.disk, expect) << offset << "+" << size;
    }
  }
}

TEST_F(BlockTest, AlignedWritesDoNotRead) {
  std::vector<uint8_t> data(2048, 0xab);
  ASSERT_EQ(mica_block_pwrite(&b_, 0, 512, data.data(), data.size(), 1024), 2048);
  EXPECT_EQ(g_driver.reads, 0);
  EXPECT_EQ(g_driver.writes, 1);
  ASSERT_EQ(mica_block_pwrite(&b_, 0, 512, data.data(), 10, 5), 10);
  EXPECT_EQ(g_driver.reads, 1);  // one partial sector: read, changed, written
}

TEST_F(BlockTest, LargeRangesAreSplitIntoTransfers) {
  std::vector<uint8_t> got(200 * 1024);
  ASSERT_EQ(mica_block_pread(&b_, 0, 512, got.data(), got.size(), 100),
            static_cast<long>(got.size()));
  EXPECT_EQ(memcmp(got.data(), &original_[100], got.size()), 0);
  EXPECT_EQ(g_driver.largest, MICA_BLOCK_MAX_TRANSFER / 512);
  std::vector<uint8_t> data(150 * 1024, 0x5c);
  ASSERT_EQ(mica_block_pwrite(&b_, 0, 512, data.data(), data.size(), 7),
            static_cast<long>(data.size()));
  std::vector<uint8_t> expect = original_;
  memcpy(&expect[7], data.data(), data.size());
  EXPECT_EQ(g_driver.disk, expect);
}

TEST_F(BlockTest, TheEndOfTheRange) {
  // A range of 4 sectors at sector 10: 2048 bytes.
  std::vector<uint8_t> got(100);
  EXPECT_EQ(mica_block_pread(&b_, 10, 4, got.data(), 100, 2000), 48);
  EXPECT_EQ(memcmp(got.data(), &original_[10 * 512 + 2000], 48), 0);
  EXPECT_EQ(mica_block_pread(&b_, 10, 4, got.data(), 100, 2048), 0);
  EXPECT_EQ(mica_block_pread(&b_, 10, 4, got.data(), 100, ~uint64_t{0} - 5), 0);
  EXPECT_EQ(mica_block_pwrite(&b_, 10, 4, got.data(), 100, 2040), 8);
  EXPECT_EQ(mica_block_pwrite(&b_, 10, 4, got.data(), 100, 4096), 0);
  // Nothing outside the range changed.
  EXPECT_EQ(memcmp(&g_driver.disk[14 * 512], &original_[14 * 512], 512 * 10), 0);
}

TEST_F(BlockTest, ADriverThatDiesIsLookedUpAgain) {
  uint8_t sector[512];
  ASSERT_EQ(mica_block_transfer(&b_, 0, 0, 1, sector), 0);
  g_driver.die_after = 0;
  EXPECT_EQ(mica_block_transfer(&b_, 0, 0, 1, sector), -EIO);  // in flight: fails
  EXPECT_EQ(b_.endpoint, MICA_HANDLE_INVALID);
  // No driver registered and no waiting: -ENODEV.
  EXPECT_EQ(mica_block_transfer(&b_, 0, 0, 1, sector), -ENODEV);
  // With retries the restarted driver is found (the fake registers it
  // during the first sleep).
  b_.lookup_retries = 5;
  EXPECT_EQ(mica_block_transfer(&b_, 0, 0, 1, sector), 0);
  EXPECT_EQ(b_.endpoint, kEndpoint);
  // A byte range that dies midway reports what was done.
  std::vector<uint8_t> got(3 * MICA_BLOCK_MAX_TRANSFER / 2);
  g_driver.die_after = 1;
  EXPECT_EQ(mica_block_pread(&b_, 0, 512, got.data(), got.size(), 0), MICA_BLOCK_MAX_TRANSFER);
}

void set_entry(uint8_t* mbr, int i, uint8_t type, uint32_t first, uint32_t count);

// The table as the driver's disk has it: no signature first, then one
// partition reaching past the disk's end (cut to it); no driver.
TEST_F(BlockTest, PartitionsOfTheDisk) {
  uint64_t sectors = 0;
  mica_partition table[4];
  g_driver.disk[510] = 0;
  EXPECT_EQ(mica_block_partitions(&b_, &sectors, table), -EINVAL);
  EXPECT_EQ(sectors, 512u);
  memset(&g_driver.disk[446], 0, 64);
  g_driver.disk[510] = 0x55;
  g_driver.disk[511] = 0xaa;
  set_entry(g_driver.disk.data(), 0, 0x83, 8, 1000);
  ASSERT_EQ(mica_block_partitions(&b_, &sectors, table), 0);
  EXPECT_EQ(table[0].type, 0x83);
  EXPECT_EQ(table[0].first, 8u);
  EXPECT_EQ(table[0].count, 504u);
  EXPECT_EQ(table[1].type, 0);
  mica_block none = {MICA_HANDLE_INVALID, 0};
  g_driver.registered = false;
  EXPECT_EQ(mica_block_partitions(&none, &sectors, table), -ENODEV);
}

void set_entry(uint8_t* mbr, int i, uint8_t type, uint32_t first, uint32_t count) {
  uint8_t* e = mbr + 446 + 16 * i;
  e[4] = type;
  for (int k = 0; k < 4; ++k) {
    e[8 + k] = static_cast<uint8_t>(first >> (8 * k));
    e[12 + k] = static_cast<uint8_t>(count >> (8 * k));
  }
}

TEST(Mbr, EntriesAndBadTables) {
  uint8_t mbr[512] = {};
  mica_partition table[4];
  EXPECT_EQ(mica_mbr_parse(mbr, 0, table), -EINVAL);  // no signature
  mbr[510] = 0x55;
  mbr[511] = 0xaa;
  set_entry(mbr, 0, 0x0c, 8192, 131072);
  set_entry(mbr, 1, 0x83, 139264, 1000000);  // past a 500000-sector disk: cut
  set_entry(mbr, 2, 0x83, 600000, 10);       // starts past the end: unused
  set_entry(mbr, 3, 0x83, 100, 0);           // no sectors: unused
  mbr[446] = 0x80;
  ASSERT_EQ(mica_mbr_parse(mbr, 500000, table), 0);
  EXPECT_EQ(table[0].type, 0x0c);
  EXPECT_EQ(table[0].active, 1);
  EXPECT_EQ(table[0].first, 8192u);
  EXPECT_EQ(table[0].count, 131072u);
  EXPECT_EQ(table[1].type, 0x83);
  EXPECT_EQ(table[1].count, 500000u - 139264u);
  EXPECT_EQ(table[2].type, 0);
  EXPECT_EQ(table[3].type, 0);
  // With no disk size given, nothing is cut.
  ASSERT_EQ(mica_mbr_parse(mbr, 0, table), 0);
  EXPECT_EQ(table[1].count, 1000000u);
  EXPECT_EQ(table[2].type, 0x83);
}

}  // namespace
