// Narrowing hardware resources: a child never covers more than its parent,
// malformed ranges are refused, and the checks of the hardware calls.
#include <gtest/gtest.h>

#include <core/user/resource_ranges.h>

namespace {

using lib::Status;
using user::ResourceRanges;

constexpr uint64_t kAll = ~uint64_t{0};

mica_resource_range range(uint32_t kind, uint64_t base, uint64_t size) {
  return {kind, 0, base, size};
}

ResourceRanges narrow(const ResourceRanges& parent, std::initializer_list<mica_resource_range> r) {
  auto result = parent.narrow(r.begin(), r.size());
  EXPECT_TRUE(result.ok()) << static_cast<int>(result.status());
  return result.ok() ? result.value() : ResourceRanges{};
}

Status narrow_status(const ResourceRanges& parent, std::initializer_list<mica_resource_range> r) {
  return parent.narrow(r.begin(), r.size()).status();
}

TEST(ResourceRanges, RootCoversEverything) {
  ResourceRanges root = ResourceRanges::everything(64);
  EXPECT_TRUE(root.covers(MICA_RESOURCE_IOPORT, 0, 0x10000));
  EXPECT_FALSE(root.covers(MICA_RESOURCE_IOPORT, 0, 0x10001));
  EXPECT_TRUE(root.covers(MICA_RESOURCE_MMIO, 0, kAll));
  EXPECT_TRUE(root.covers(MICA_RESOURCE_MMIO, kAll, 1));
  EXPECT_TRUE(root.covers(MICA_RESOURCE_IRQ, 63, 1));
  EXPECT_FALSE(root.covers(MICA_RESOURCE_IRQ, 64, 1));
  EXPECT_TRUE(root.covers_system());
}

TEST(ResourceRanges, NarrowedCoversOnlyItsRanges) {
  ResourceRanges root = ResourceRanges::everything(64);
  ResourceRanges uart =
      narrow(root, {range(MICA_RESOURCE_IOPORT, 0x3f8, 8), range(MICA_RESOURCE_IRQ, 4, 1)});
  EXPECT_EQ(uart.count(), 2u);
  EXPECT_TRUE(uart.covers(MICA_RESOURCE_IOPORT, 0x3f8, 8));
  EXPECT_TRUE(uart.covers(MICA_RESOURCE_IOPORT, 0x3fc, 1));
  EXPECT_FALSE(uart.covers(MICA_RESOURCE_IOPORT, 0x3f7, 1));
  EXPECT_FALSE(uart.covers(MICA_RESOURCE_IOPORT, 0x3f8, 9));
  EXPECT_FALSE(uart.covers(MICA_RESOURCE_IOPORT, 0x400, 1));
  EXPECT_TRUE(uart.covers(MICA_RESOURCE_IRQ, 4, 1));
  EXPECT_FALSE(uart.covers(MICA_RESOURCE_IRQ, 3, 1));
  EXPECT_FALSE(uart.covers(MICA_RESOURCE_IRQ, 5, 1));
  EXPECT_FALSE(uart.covers(MICA_RESOURCE_MMIO, 0x3f8, 1));  // a port is not an address
  EXPECT_FALSE(uart.covers_system());
  EXPECT_FALSE(uart.covers(MICA_RESOURCE_IOPORT, 0x3f8, 0));
  EXPECT_FALSE(uart.covers(MICA_RESOURCE_IOPORT, kAll, 2));  // wraps
}

TEST(ResourceRanges, ChildrenStayInsideTheirParent) {
  ResourceRanges root = ResourceRanges::everything(64);
  ResourceRanges mmio = narrow(root, {range(MICA_RESOURCE_MMIO, 0x3f200000, 0x2000)});
  ResourceRanges page = narrow(mmio, {range(MICA_RESOURCE_MMIO, 0x3f201000, 0x1000)});
  EXPECT_TRUE(page.covers(MICA_RESOURCE_MMIO, 0x3f201000, 0x1000));
  EXPECT_FALSE(page.covers(MICA_RESOURCE_MMIO, 0x3f200000, 0x1000));
  // Wider than the parent, overlapping its end, outside it, another kind.
  EXPECT_EQ(narrow_status(mmio, {range(MICA_RESOURCE_MMIO, 0x3f200000, 0x3000)}),
            Status::kNotPermitted);
  EXPECT_EQ(narrow_status(mmio, {range(MICA_RESOURCE_MMIO, 0x3f1ff000, 0x2000)}),
            Status::kNotPermitted);
  EXPECT_EQ(narrow_status(mmio, {range(MICA_RESOURCE_MMIO, 0x3f300000, 0x1000)}),
            Status::kNotPermitted);
  EXPECT_EQ(narrow_status(mmio, {range(MICA_RESOURCE_IRQ, 4, 1)}), Status::kNotPermitted);
  EXPECT_EQ(narrow_status(mmio, {range(MICA_RESOURCE_SYSTEM, 0, 0)}), Status::kNotPermitted);
  EXPECT_EQ(narrow_status(root, {range(MICA_RESOURCE_IRQ, 60, 5)}), Status::kNotPermitted);
  // One bad range refuses them all.
  EXPECT_EQ(narrow_status(root, {range(MICA_RESOURCE_IRQ, 4, 1), range(MICA_RESOURCE_IRQ, 64, 1)}),
            Status::kNotPermitted);
  // The system flag passes on only from a parent that has it.
  ResourceRanges system = narrow(root, {range(MICA_RESOURCE_SYSTEM, 0, 0)});
  EXPECT_TRUE(system.covers_system());
  EXPECT_FALSE(system.covers(MICA_RESOURCE_IOPORT, 0, 1));
  EXPECT_TRUE(narrow(system, {range(MICA_RESOURCE_SYSTEM, 0, 0)}).covers_system());
}

TEST(ResourceRanges, MalformedRequestsAreInvalid) {
  ResourceRanges root = ResourceRanges::everything(64);
  EXPECT_EQ(root.narrow(nullptr, 0).status(), Status::kInvalidArgs);
  mica_resource_range many[ResourceRanges::kMaxRanges + 1];
  for (auto& r : many) r = range(MICA_RESOURCE_IRQ, 1, 1);
  EXPECT_TRUE(root.narrow(many, ResourceRanges::kMaxRanges).ok());
  EXPECT_EQ(root.narrow(many, ResourceRanges::kMaxRanges + 1).status(), Status::kInvalidArgs);
  EXPECT_EQ(narrow_status(root, {range(0, 0, 1)}), Status::kInvalidArgs);
  EXPECT_EQ(narrow_status(root, {range(99, 0, 1)}), Status::kInvalidArgs);
  EXPECT_EQ(narrow_status(root, {{MICA_RESOURCE_IRQ, 1, 4, 1}}), Status::kInvalidArgs);
  EXPECT_EQ(narrow_status(root, {range(MICA_RESOURCE_IOPORT, 0x80, 0)}), Status::kInvalidArgs);
  // Overflow: base + size past 2^64, and ports past 0xffff.
  EXPECT_EQ(narrow_status(root, {range(MICA_RESOURCE_MMIO, kAll - 0xfff, 0x2000)}),
            Status::kInvalidArgs);
  EXPECT_EQ(narrow_status(root, {range(MICA_RESOURCE_IRQ, 2, kAll)}), Status::kInvalidArgs);
  EXPECT_EQ(narrow_status(root, {range(MICA_RESOURCE_IOPORT, 0xfff8, 9)}), Status::kInvalidArgs);
  EXPECT_EQ(narrow_status(root, {range(MICA_RESOURCE_IOPORT, 0x10000, 1)}), Status::kInvalidArgs);
  // The last page and the last port are fine.
  EXPECT_EQ(narrow_status(root, {range(MICA_RESOURCE_MMIO, kAll - 0xfff, 0x1000),
                                 range(MICA_RESOURCE_IOPORT, 0xffff, 1)}),
            Status::kOk);
  // MMIO in whole pages; SYSTEM without a range.
  EXPECT_EQ(narrow_status(root, {range(MICA_RESOURCE_MMIO, 0x3f201000, 0x10)}),
            Status::kInvalidArgs);
  EXPECT_EQ(narrow_status(root, {range(MICA_RESOURCE_MMIO, 0x3f201800, 0x1000)}),
            Status::kInvalidArgs);
  EXPECT_EQ(narrow_status(root, {range(MICA_RESOURCE_SYSTEM, 0, 1)}), Status::kInvalidArgs);
}

}  // namespace
