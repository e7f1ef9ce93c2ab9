#include <random>
#include <vector>

#include <gtest/gtest.h>

#include <core/mm/frame_allocator.h>
#include <set>

namespace {

using lib::Status;
using mm::FrameAllocator;
using mm::kPageSize;

struct Fixture {
  explicit Fixture(uint64_t frames, uint64_t base = 0)
      : storage(FrameAllocator::storage_bytes(frames) / 8 + 1) {
    EXPECT_TRUE(allocator.init(base, frames, storage.data(), storage.size() * 8).ok());
  }
  std::vector<uint64_t> storage;
  FrameAllocator allocator;
};

TEST(FrameAllocator, StorageAndLevels) {
  EXPECT_EQ(FrameAllocator::storage_bytes(1), 8u);
  EXPECT_EQ(FrameAllocator::storage_bytes(64), 8u);
  EXPECT_EQ(FrameAllocator::storage_bytes(65), 24u);  // 2 words + 1 summary
  Fixture small(64);
  EXPECT_EQ(small.allocator.levels(), 1u);
  Fixture gib(262144);  // 1 GiB of 4 KiB frames
  EXPECT_EQ(gib.allocator.levels(), 3u);
  Fixture big(uint64_t{8} << 18);  // 8 GiB
  EXPECT_EQ(big.allocator.levels(), 4u);
}

TEST(FrameAllocator, StartsFullyUsed) {
  Fixture f(1000);
  EXPECT_EQ(f.allocator.free_frames(), 0u);
  EXPECT_EQ(f.allocator.allocate().status(), Status::kNoMemory);
}

TEST(FrameAllocator, AllocatesEveryFreeFrameOnceThenRunsOut) {
  Fixture f(5000, 256);
  EXPECT_EQ(f.allocator.add_free_range(256, 5000), 5000u);
  std::set<uint64_t> seen;
  for (int i = 0; i < 5000; ++i) {
    auto frame = f.allocator.allocate();
    ASSERT_TRUE(frame.ok()) << i;
    EXPECT_EQ(frame.value() % kPageSize, 0u);
    EXPECT_GE(frame.value() >> 12, 256u);
    EXPECT_LT(frame.value() >> 12, 5256u);
    EXPECT_TRUE(seen.insert(frame.value()).second) << "handed out twice";
  }
  EXPECT_EQ(f.allocator.free_frames(), 0u);
  EXPECT_EQ(f.allocator.allocate().status(), Status::kNoMemory);
  for (uint64_t address : seen) ASSERT_TRUE(f.allocator.free(address).ok());
  EXPECT_EQ(f.allocator.free_frames(), 5000u);
}

TEST(FrameAllocator, HolesAndReservationsAreNeverHandedOut) {
  Fixture f(4096);
  f.allocator.add_free_range(0, 1024);
  f.allocator.add_free_range(2048, 2048);  // hole at [1024, 2048)
  EXPECT_EQ(f.allocator.reserve_range(3000, 100), 100u);
  EXPECT_EQ(f.allocator.reserve_range(1500, 10), 0u);  // already in use
  uint64_t count = 0;
  while (true) {
    auto frame = f.allocator.allocate();
    if (!frame.ok()) break;
    uint64_t n = frame.value() >> 12;
    EXPECT_FALSE(n >= 1024 && n < 2048) << n;
    EXPECT_FALSE(n >= 3000 && n < 3100) << n;
    ++count;
  }
  EXPECT_EQ(count, 1024u + 2048u - 100u);
}

TEST(FrameAllocator, BadFreesAreRejectedAndChangeNothing) {
  Fixture f(128, 16);
  f.allocator.add_free_range(16, 128);
  auto frame = f.allocator.allocate();
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(f.allocator.free(frame.value() + 1).status(), Status::kInvalidArgs);  // unaligned
  EXPECT_EQ(f.allocator.free(0).status(), Status::kInvalidArgs);                  // below the span
  EXPECT_EQ(f.allocator.free(uint64_t{1} << 40).status(), Status::kInvalidArgs);  // above
  EXPECT_EQ(f.allocator.free_frames(), 127u);
  ASSERT_TRUE(f.allocator.free(frame.value()).ok());
  EXPECT_EQ(f.allocator.free(frame.value()).status(), Status::kAlreadyExists);  // double free
  EXPECT_EQ(f.allocator.free_frames(), 128u);
}

TEST(FrameAllocator, ContiguousAligned) {
  Fixture f(4096, 3);  // base not aligned: alignment is in absolute frames
  f.allocator.add_free_range(3, 4096);
  // Fragment: take every 7th frame.
  for (uint64_t n = 3; n < 4099; n += 7) f.allocator.reserve_range(n, 1);
  uint64_t before = f.allocator.free_frames();
  auto run = f.allocator.allocate_contiguous(4, 16);
  ASSERT_TRUE(run.ok());
  uint64_t first = run.value() >> 12;
  EXPECT_EQ(first % 16, 0u);
  for (uint64_t i = 0; i < 4; ++i) EXPECT_FALSE(f.allocator.is_free(first + i));
  EXPECT_EQ(f.allocator.free_frames(), before - 4);
  // No run of 7 exists with every 7th frame taken.
  EXPECT_EQ(f.allocator.allocate_contiguous(7, 1).status(), Status::kNoMemory);
  EXPECT_EQ(f.allocator.allocate_contiguous(3, 3).status(), Status::kInvalidArgs);
  EXPECT_EQ(f.allocator.allocate_contiguous(0, 1).status(), Status::kInvalidArgs);
  // Freeing a run with a free frame inside fails without changing anything.
  EXPECT_EQ(f.allocator.free_contiguous(run.value(), 5).status(), Status::kAlreadyExists);
  EXPECT_EQ(f.allocator.free_frames(), before - 4);
  ASSERT_TRUE(f.allocator.free_contiguous(run.value(), 4).ok());
  EXPECT_EQ(f.allocator.free_frames(), before);
}

TEST(FrameAllocator, LargeContiguousAcrossSummaryWords) {
  Fixture f(1 << 16);
  f.allocator.add_free_range(0, 1 << 16);
  f.allocator.reserve_range(0, 5000);
  auto run = f.allocator.allocate_contiguous(1024, 512);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run.value() >> 12, 5120u);  // first 512-aligned frame past 5000
}

// Random alloc/free against a model: the allocator and a std::set agree.
TEST(FrameAllocator, RandomAgainstModel) {
  Fixture f(20000, 100);
  f.allocator.add_free_range(100, 20000);
  std::mt19937_64 random(7);
  std::set<uint64_t> held;
  for (int step = 0; step < 100000; ++step) {
    if (held.empty() || random() % 3 != 0) {
      auto frame = f.allocator.allocate();
      if (held.size() == 20000) {
        EXPECT_FALSE(frame.ok());
        continue;
      }
      ASSERT_TRUE(frame.ok());
      ASSERT_TRUE(held.insert(frame.value()).second);
    } else {
      auto it = held.begin();
      std::advance(it, static_cast<long>(random() % std::min<size_t>(held.size(), 64)));
      ASSERT_TRUE(f.allocator.free(*it).ok());
      held.erase(it);
    }
    ASSERT_EQ(f.allocator.free_frames(), 20000 - held.size());
  }
}

}  // namespace

namespace {

// Ranges (a word of bits at a time) against a model kept frame by frame:
// random ranges that straddle words, the managed window's ends and beyond
// it; the free set, the counts and the summaries (an allocation finds
// every free frame, the lowest first) must agree.
TEST(FrameAllocator, RangesMatchAFrameByFrameModel) {
  constexpr uint64_t kBase = 100, kFrames = 70000;  // 3 levels
  Fixture f(kFrames, kBase);
  std::vector<bool> model(kFrames, false);
  std::mt19937_64 random(7);
  for (int round = 0; round < 400; ++round) {
    uint64_t first = random() % (kFrames + 300);
    uint64_t count = random() % 5 == 0 ? random() % 20000 : random() % 200;
    if (round % 50 == 0) count = ~uint64_t{0} - first + 5;  // wraps: clipped
    bool free = random() % 2 == 0;
    uint64_t expected = 0;
    for (uint64_t frame = first; frame - first < count && frame < kBase + kFrames; ++frame) {
      if (frame < kBase) continue;
      if (model[frame - kBase] != free) ++expected;
      model[frame - kBase] = free;
    }
    uint64_t changed =
        free ? f.allocator.add_free_range(first, count) : f.allocator.reserve_range(first, count);
    ASSERT_EQ(changed, expected) << "round " << round;
  }
  uint64_t free_count = 0;
  for (uint64_t i = 0; i < kFrames; ++i) {
    ASSERT_EQ(f.allocator.is_free(kBase + i), model[i]) << i;
    free_count += model[i];
  }
  EXPECT_EQ(f.allocator.free_frames(), free_count);
  for (uint64_t i = 0; i < kFrames; ++i) {
    if (!model[i]) continue;
    auto frame = f.allocator.allocate();
    ASSERT_TRUE(frame.ok());
    ASSERT_EQ(frame.value(), (kBase + i) * kPageSize);
  }
  EXPECT_EQ(f.allocator.allocate().status(), Status::kNoMemory);
}

}  // namespace
