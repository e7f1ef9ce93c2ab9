#include <stdlib.h>
#include <string.h>

#include <random>
#include <vector>

#include <gtest/gtest.h>

#include <core/mm/heap.h>
#include <core/mm/slab.h>
#include <set>

namespace {

using lib::Status;
using mm::Heap;
using mm::SlabCache;

// Pages from the host heap, with a limit to test exhaustion.
class HostPages final : public mm::PageSource {
 public:
  explicit HostPages(size_t limit = 100000) : limit_(limit) {}
  ~HostPages() { EXPECT_EQ(live_.size(), 0u) << "pages leaked"; }
  lib::Result<void*> allocate_page() override {
    if (live_.size() >= limit_) return Status::kNoMemory;
    void* page = aligned_alloc(4096, 4096);
    memset(page, 0xa5, 4096);  // not zeroed: the slab must not rely on it
    live_.insert(page);
    return page;
  }
  void free_page(void* page) override {
    ASSERT_EQ(live_.erase(page), 1u) << "page freed twice or never allocated";
    ::free(page);
  }
  size_t live() const { return live_.size(); }
  void set_limit(size_t limit) { limit_ = limit; }

 private:
  size_t limit_;
  std::set<void*> live_;
};

TEST(SlabCache, AllocatesDistinctAlignedObjects) {
  HostPages pages;
  SlabCache cache("thread", 200, &pages);
  EXPECT_EQ(cache.object_size(), 208u);
  std::set<void*> objects;
  for (int i = 0; i < 1000; ++i) {
    void* object = cache.allocate().value();
    EXPECT_EQ(reinterpret_cast<uintptr_t>(object) % 16, 0u);
    memset(object, i, cache.object_size());  // ASan: the whole object is ours
    EXPECT_TRUE(objects.insert(object).second);
  }
  EXPECT_EQ(cache.live_objects(), 1000u);
  size_t per_slab = cache.objects_per_slab();
  EXPECT_EQ(cache.slab_count(), (1000 + per_slab - 1) / per_slab);
  for (void* object : objects) ASSERT_TRUE(cache.free(object).ok());
  EXPECT_EQ(cache.live_objects(), 0u);
  EXPECT_EQ(pages.live(), 1u) << "only the spare slab stays";
  // The spare is reused before a new page is taken.
  void* again = cache.allocate().value();
  EXPECT_EQ(pages.live(), 1u);
  ASSERT_TRUE(cache.free(again).ok());
  cache.shrink();
  EXPECT_EQ(pages.live(), 0u);
  EXPECT_EQ(cache.slab_count(), 0u);
}

TEST(SlabCache, DetectsBadFrees) {
  HostPages pages;
  SlabCache cache("endpoint", 64, &pages);
  SlabCache other("other", 64, &pages);
  void* a = cache.allocate().value();
  void* b = cache.allocate().value();
  void* c = other.allocate().value();
  EXPECT_EQ(cache.free(nullptr).status(), Status::kInvalidArgs);
  EXPECT_EQ(cache.free(static_cast<char*>(a) + 8).status(), Status::kInvalidArgs);  // interior
  EXPECT_EQ(cache.free(c).status(), Status::kInvalidArgs);  // another cache's object
  ASSERT_TRUE(cache.free(a).ok());
  EXPECT_EQ(cache.free(a).status(), Status::kInvalidArgs);  // double free
  EXPECT_EQ(cache.live_objects(), 1u);
  ASSERT_TRUE(cache.free(b).ok());
  ASSERT_TRUE(other.free(c).ok());
  cache.shrink();
  other.shrink();
}

TEST(SlabCache, ExhaustionIsAnErrorAndRecoverable) {
  HostPages pages(2);
  SlabCache cache("big", 1024, &pages);
  std::vector<void*> objects;
  while (true) {
    auto object = cache.allocate();
    if (!object.ok()) {
      EXPECT_EQ(object.status(), Status::kNoMemory);
      break;
    }
    objects.push_back(object.value());
  }
  EXPECT_EQ(objects.size(), 2 * cache.objects_per_slab());
  ASSERT_TRUE(cache.free(objects.back()).ok());
  objects.back() = cache.allocate().value();  // a freed slot is usable again
  for (void* object : objects) ASSERT_TRUE(cache.free(object).ok());
  EXPECT_EQ(cache.live_objects(), 0u);
  cache.shrink();
}

TEST(SlabCache, RandomAgainstModel) {
  HostPages pages;
  SlabCache cache("random", 48, &pages);
  std::mt19937 random(99);
  std::vector<void*> held;
  for (int step = 0; step < 50000; ++step) {
    if (held.empty() || random() % 2 == 0) {
      held.push_back(cache.allocate().value());
    } else {
      size_t i = random() % held.size();
      ASSERT_TRUE(cache.free(held[i]).ok());
      held[i] = held.back();
      held.pop_back();
    }
    ASSERT_EQ(cache.live_objects(), held.size());
  }
  for (void* object : held) ASSERT_TRUE(cache.free(object).ok());
  EXPECT_LE(pages.live(), 1u);
  cache.shrink();
}

TEST(Heap, SizeClassesAndPages) {
  HostPages pages;
  Heap heap(&pages);
  struct Allocation {
    void* p;
    size_t size;
  };
  std::vector<Allocation> allocations;
  for (size_t size : {1, 16, 17, 100, 512, 513, 1024, 1025, 4096}) {
    void* p = heap.allocate(size).value();
    memset(p, 0x5a, size);
    allocations.push_back({p, size});
  }
  EXPECT_EQ(heap.size_class(0).live_objects(), 2u);  // 1 and 16
  EXPECT_EQ(heap.size_class(1).live_objects(), 1u);  // 17
  EXPECT_EQ(heap.large_pages(), 2u);                 // 1025 and 4096
  EXPECT_EQ(heap.allocate(0).status(), Status::kInvalidArgs);
  EXPECT_EQ(heap.allocate(4097).status(), Status::kInvalidArgs);
  for (auto a : allocations) ASSERT_TRUE(heap.free(a.p, a.size).ok());
  EXPECT_EQ(heap.large_pages(), 0u);
  for (size_t i = 0; i < Heap::kClassCount; ++i) EXPECT_EQ(heap.size_class(i).live_objects(), 0u);
  heap.shrink();
  EXPECT_EQ(pages.live(), 0u);
}

}  // namespace
