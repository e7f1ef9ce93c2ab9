// PageTable over fake physical memory, for every arch's entry format.
#include <vector>

#include <gtest/gtest.h>

#include <arch/aarch64/page_table_format.h>
#include <arch/i586/page_table_format.h>
#include <arch/x86_64/page_table_format.h>
#include <core/mm/page_table.h>
#include <map>
#include <memory>
#include <set>

namespace {

using lib::Status;
using mm::Permissions;

// Table frames from a bounded pool at fake physical addresses; counts what
// is live so tests can see leaks.
class FakeFrames final : public mm::FrameSource {
 public:
  explicit FakeFrames(size_t limit = 1 << 20) : limit_(limit) {}

  lib::Result<uint64_t> allocate_table() override {
    if (live_.size() >= limit_) return Status::kNoMemory;
    uint64_t phys = next_;
    next_ += mm::kPageSize;
    auto frame = std::make_unique<uint64_t[]>(mm::kPageSize / 8);  // zeroed
    memory_[phys] = std::move(frame);
    live_.insert(phys);
    return phys;
  }
  void free_table(uint64_t phys) override {
    ASSERT_EQ(live_.erase(phys), 1u) << "freed a table twice or never allocated: " << phys;
    memory_.erase(phys);
  }
  void* table_pointer(uint64_t phys) override {
    auto it = memory_.find(phys);
    EXPECT_NE(it, memory_.end()) << "table pointer to a non-table frame";
    return it->second.get();
  }
  size_t live() const { return live_.size(); }
  void set_limit(size_t limit) { limit_ = limit; }

 private:
  size_t limit_;
  uint64_t next_ = 0x100000;
  std::map<uint64_t, std::unique_ptr<uint64_t[]>> memory_;
  std::set<uint64_t> live_;
};

template <typename Format>
class PageTableTest : public ::testing::Test {};

using Formats = ::testing::Types<arch::x86_64::PageTableFormat, arch::i586::PageTableFormat,
                                 arch::aarch64::PageTableFormat>;
TYPED_TEST_SUITE(PageTableTest, Formats);

TYPED_TEST(PageTableTest, MapQueryUnmap) {
  using Table = mm::PageTable<TypeParam>;
  FakeFrames frames;
  uint64_t root = Table::create_root(frames).value();
  Table table(frames, root);
  const uint64_t virt = 0x40001000, phys = 0x7654000;
  ASSERT_TRUE(table.map(virt, phys, Permissions::read_write()).ok());
  auto t = table.query(virt + 0x123);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t.value().phys, phys + 0x123);
  EXPECT_TRUE(t.value().permissions.write);
  EXPECT_FALSE(t.value().permissions.user);
  EXPECT_EQ(table.query(virt + mm::kPageSize).status(), Status::kNotFound);
  // Root + one table per level below it.
  EXPECT_EQ(frames.live(), TypeParam::kLevels);
  EXPECT_EQ(table.map(virt, phys, Permissions::read_only()).status(), Status::kAlreadyExists);
  EXPECT_EQ(table.unmap(virt).value(), phys);
  EXPECT_EQ(table.unmap(virt).status(), Status::kNotFound);
  EXPECT_EQ(frames.live(), 1u) << "empty tables must be freed";
  table.destroy(0, 1u << TypeParam::index_bits(TypeParam::kLevels - 1), /*free_root=*/true);
  EXPECT_EQ(frames.live(), 0u);
}

TYPED_TEST(PageTableTest, PermissionsRoundTrip) {
  using Table = mm::PageTable<TypeParam>;
  FakeFrames frames;
  Table table(frames, Table::create_root(frames).value());
  Permissions cases[] = {Permissions::read_only(),        Permissions::read_write(),
                         Permissions::read_execute(),     {.write = true, .user = true},
                         {.execute = true, .user = true}, {.write = true, .device = true}};
  uint64_t virt = 0x10000;
  for (Permissions p : cases) {
    ASSERT_TRUE(table.map(virt, 0x200000, p).ok());
    Permissions got = table.query(virt).value().permissions;
    EXPECT_EQ(got.write, p.write);
    EXPECT_EQ(got.user, p.user);
    EXPECT_EQ(got.device, p.device);
    EXPECT_EQ(got.owned, p.owned);
    // The i586 has no no-execute bit: everything mapped is executable.
    if (TypeParam::kLevels == 2)
      EXPECT_TRUE(got.execute);
    else
      EXPECT_EQ(got.execute, p.execute);
    virt += mm::kPageSize;
  }
}

TYPED_TEST(PageTableTest, RejectsMisalignment) {
  using Table = mm::PageTable<TypeParam>;
  FakeFrames frames;
  Table table(frames, Table::create_root(frames).value());
  EXPECT_EQ(table.map(0x1001, 0x2000, {}).status(), Status::kInvalidArgs);
  EXPECT_EQ(table.map(0x1000, 0x2001, {}).status(), Status::kInvalidArgs);
  EXPECT_EQ(table.unmap(0x1001).status(), Status::kInvalidArgs);
  EXPECT_EQ(table.map_range(0x1000, 0x2000, 100, {}).status(), Status::kInvalidArgs);
}

TYPED_TEST(PageTableTest, MapRangeRollsBackWhenTablesRunOut) {
  using Table = mm::PageTable<TypeParam>;
  FakeFrames frames;
  Table table(frames, Table::create_root(frames).value());
  // Enough tables for the first leaf table's worth of pages only.
  frames.set_limit(TypeParam::kLevels);
  uint64_t leaf_span = Table::span(1);
  auto result =
      table.map_range(0, 0x1000000, leaf_span + 4 * mm::kPageSize, Permissions::read_write());
  EXPECT_EQ(result.status(), Status::kNoMemory);
  EXPECT_EQ(table.query(0).status(), Status::kNotFound) << "rollback left a mapping";
  EXPECT_EQ(frames.live(), 1u) << "rollback left tables behind";
}

TYPED_TEST(PageTableTest, VisitsAndDestroysManyMappings) {
  using Table = mm::PageTable<TypeParam>;
  FakeFrames frames;
  Table table(frames, Table::create_root(frames).value());
  // Spread over several top-level slots (i586: 4 MiB each, x86_64 512 GiB).
  std::map<uint64_t, uint64_t> expected;
  for (uint64_t i = 0; i < 300; ++i) {
    uint64_t virt = (i % 3) * Table::span(TypeParam::kLevels - 1) + i * 7 * mm::kPageSize;
    uint64_t phys = 0x10000000 + i * mm::kPageSize;
    ASSERT_TRUE(table.map(virt, phys, Permissions::read_write()).ok());
    expected[virt] = phys;
  }
  std::map<uint64_t, uint64_t> seen;
  unsigned slots = 1u << TypeParam::index_bits(TypeParam::kLevels - 1);
  table.for_each_page(0, slots, [&](uint64_t virt, uint64_t phys) { seen[virt] = phys; });
  EXPECT_EQ(seen, expected);
  table.destroy(0, slots, /*free_root=*/true);
  EXPECT_EQ(frames.live(), 0u);
}

TYPED_TEST(PageTableTest, LargePagesForAlignedRuns) {
  using Table = mm::PageTable<TypeParam>;
  FakeFrames frames;
  Table table(frames, Table::create_root(frames).value());
  const uint64_t block = Table::span(1);
  // Starts a page before a block boundary: one page, then blocks, then pages.
  uint64_t virt = 8 * block - mm::kPageSize, phys = 16 * block - mm::kPageSize;
  uint64_t size = mm::kPageSize + 2 * block + 3 * mm::kPageSize;
  ASSERT_TRUE(table.map_range_large(virt, phys, size, Permissions::read_write()).ok());
  for (uint64_t offset = 0; offset < size; offset += mm::kPageSize) {
    auto t = table.query(virt + offset);
    ASSERT_TRUE(t.ok()) << offset;
    EXPECT_EQ(t.value().phys, phys + offset);
    EXPECT_TRUE(t.value().permissions.write);
  }
  EXPECT_EQ(table.query(virt + size).status(), Status::kNotFound);
  // Blocks cannot be split by a 4 KiB mapping or unmapping.
  EXPECT_EQ(table.map(8 * block + mm::kPageSize, 0, {}).status(), Status::kAlreadyExists);
  EXPECT_EQ(table.unmap(8 * block).status(), Status::kNotSupported);
  EXPECT_EQ(table.map_block(block + 1, 0, {}).status(), Status::kInvalidArgs);
  unsigned slots = 1u << TypeParam::index_bits(TypeParam::kLevels - 1);
  table.destroy(0, slots, true);
  EXPECT_EQ(frames.live(), 0u);
}

TEST(PageTableFormats, X86_64KernelAddressesIndexFromTheTopHalf) {
  using Table = mm::PageTable<arch::x86_64::PageTableFormat>;
  FakeFrames frames;
  Table table(frames, Table::create_root(frames).value());
  const uint64_t kernel_virt = 0xffffffff80100000ull;
  ASSERT_TRUE(table.map(kernel_virt, 0x100000, Permissions::read_execute()).ok());
  // Lands in PML4 slot 511; slots 0..255 (user half) see nothing.
  size_t user_pages = 0;
  table.for_each_page(0, 256, [&](uint64_t, uint64_t) { ++user_pages; });
  EXPECT_EQ(user_pages, 0u);
  size_t kernel_pages = 0;
  table.for_each_page(256, 512, [&](uint64_t, uint64_t phys) {
    ++kernel_pages;
    EXPECT_EQ(phys, 0x100000u);
  });
  EXPECT_EQ(kernel_pages, 1u);
  EXPECT_EQ(table.query(kernel_virt).value().phys, 0x100000u);
}

}  // namespace
