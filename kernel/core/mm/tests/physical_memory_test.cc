#include <vector>

#include <gtest/gtest.h>

#include <core/mm/physical_memory.h>

namespace {

using boot::BootInfo;
using boot::MemoryType;
using mm::kPageSize;
using mm::Reservation;

// Physical memory [0, size) as a host buffer.
struct FakeRam {
  explicit FakeRam(uint64_t size) : bytes(size) {}
  std::vector<uint8_t> bytes;
};
FakeRam* g_ram = nullptr;

void* fake_phys_to_virt(uint64_t phys) {
  EXPECT_LT(phys, g_ram->bytes.size());
  return g_ram->bytes.data() + phys;
}

// The pc board under QEMU -m 64M, as GRUB reports it.
BootInfo qemu_pc_64m() {
  BootInfo info;
  (void)info.add_memory(0, 0x9fc00, MemoryType::kUsable);
  (void)info.add_memory(0x9fc00, 0x400, MemoryType::kReserved);
  (void)info.add_memory(0xf0000, 0x10000, MemoryType::kReserved);
  (void)info.add_memory(0x100000, 0x3ee0000, MemoryType::kUsable);
  (void)info.add_memory(0x3fe0000, 0x20000, MemoryType::kReserved);
  (void)info.add_module(0x200000, 0x12345, "ramdisk", 7);
  return info;
}

TEST(PhysicalMemory, ManagesEveryUsableFrameExceptReservations) {
  FakeRam ram(64 << 20);
  g_ram = &ram;
  BootInfo info = qemu_pc_64m();
  Reservation kernel[] = {{0x100000, 0x40000, "kernel image"}};
  mm::FrameAllocator allocator;
  auto report = mm::init_physical_memory(info, lib::Span<const Reservation>(kernel, 1), 64 << 20,
                                         fake_phys_to_virt, allocator);
  ASSERT_TRUE(report.ok());
  uint64_t usable = 0x9f + 0x3ee0;  // whole frames in the two usable ranges
  EXPECT_EQ(report.value().total_frames, usable);
  uint64_t module_frames = (0x200000 + 0x12345 + 0xfff) / kPageSize - 0x200;
  uint64_t bitmap_frames = (report.value().bitmap_bytes + kPageSize - 1) / kPageSize;
  EXPECT_EQ(report.value().reserved_frames, 1 + 0x40 + module_frames + bitmap_frames);
  EXPECT_EQ(allocator.free_frames(), usable - report.value().reserved_frames);
  // Nothing reserved is ever handed out.
  uint64_t bitmap = report.value().bitmap_phys;
  while (true) {
    auto frame = allocator.allocate();
    if (!frame.ok()) break;
    uint64_t a = frame.value();
    EXPECT_NE(a, 0u);
    EXPECT_FALSE(a >= 0x9f000 && a < 0x100000) << std::hex << a;   // partial + reserved
    EXPECT_FALSE(a >= 0x100000 && a < 0x140000) << std::hex << a;  // kernel
    EXPECT_FALSE(a >= 0x200000 && a < 0x213000) << std::hex << a;  // module
    EXPECT_FALSE(a >= bitmap && a < bitmap + bitmap_frames * kPageSize) << std::hex << a;
    EXPECT_LT(a, 0x3fe0000u);
  }
}

TEST(PhysicalMemory, MemoryAbove4GiBIsManaged) {
  FakeRam ram(16 << 20);
  g_ram = &ram;
  BootInfo info;
  (void)info.add_memory(0x100000, 0xf00000, MemoryType::kUsable);
  (void)info.add_memory(0xc0000000, 0x40000000, MemoryType::kReserved);
  (void)info.add_memory(0x100000000, 0x100000000, MemoryType::kUsable);  // 4 GiB above 4 GiB
  mm::FrameAllocator allocator;
  // Only the first 16 MiB are reachable yet: the bitmap must live there.
  auto report = mm::init_physical_memory(info, {}, 16 << 20, fake_phys_to_virt, allocator);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().total_frames, 0xf00u + 0x100000u);
  EXPECT_LT(report.value().bitmap_phys + report.value().bitmap_bytes, 16u << 20);
  EXPECT_TRUE(allocator.is_free(0x100000000 >> 12));
  EXPECT_TRUE(allocator.is_free((0x200000000 >> 12) - 1));
  EXPECT_FALSE(allocator.is_free(0xc0000000 >> 12));
}

TEST(PhysicalMemory, OverlappingReservedRangeWins) {
  FakeRam ram(8 << 20);
  g_ram = &ram;
  BootInfo info;
  (void)info.add_memory(0, 8 << 20, MemoryType::kUsable);
  (void)info.add_memory(0x400000, 0x1000, MemoryType::kAcpiNvs);  // inside the usable range
  mm::FrameAllocator allocator;
  auto report = mm::init_physical_memory(info, {}, 8 << 20, fake_phys_to_virt, allocator);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(allocator.is_free(0x400));
  EXPECT_EQ(report.value().total_frames, 2047u);
}

TEST(PhysicalMemory, NoUsableMemoryOrNoRoomForTheBitmap) {
  FakeRam ram(1 << 20);
  g_ram = &ram;
  BootInfo none;
  (void)none.add_memory(0, 1 << 20, MemoryType::kReserved);
  mm::FrameAllocator allocator;
  EXPECT_EQ(mm::init_physical_memory(none, {}, 1 << 20, fake_phys_to_virt, allocator).status(),
            lib::Status::kNoMemory);
  // Usable memory exists but all of it is beyond what can be reached yet.
  BootInfo high;
  (void)high.add_memory(0x100000000, 1 << 30, MemoryType::kUsable);
  EXPECT_EQ(mm::init_physical_memory(high, {}, 1 << 20, fake_phys_to_virt, allocator).status(),
            lib::Status::kNoMemory);
}

TEST(DirectMapRanges, MergesSortsClipsAndCutsTheImage) {
  BootInfo info;
  (void)info.add_memory(0x100000, 0x3ee0000, MemoryType::kUsable);
  (void)info.add_memory(0, 0x9fc00, MemoryType::kUsable);            // listed out of order
  (void)info.add_memory(0x9fc00, 0x400, MemoryType::kReserved);      // EBDA: not mapped
  (void)info.add_memory(0x3fe0000, 0x20000, MemoryType::kAcpiNvs);   // touches: merged
  (void)info.add_memory(0xfee00000, 0x1000, MemoryType::kReserved);  // MMIO: not mapped
  (void)info.add_memory(0x100000000, 0x40000000, MemoryType::kUsable);
  mm::PhysicalRange out[8];
  auto n = mm::direct_map_ranges(info, ~uint64_t{0}, 0x100000, 0x80000, out, 8);
  ASSERT_TRUE(n.ok());
  ASSERT_EQ(n.value(), 3u);
  EXPECT_EQ(out[0].base, 0u);
  EXPECT_EQ(out[0].size, 0xa0000u);   // 0x9fc00 rounded up to a page
  EXPECT_EQ(out[1].base, 0x180000u);  // after the image hole
  EXPECT_EQ(out[1].base + out[1].size, 0x4000000u);
  EXPECT_EQ(out[2].base, 0x100000000u);
  EXPECT_EQ(out[2].size, 0x40000000u);
}

TEST(DirectMapRanges, LimitAndCapacity) {
  BootInfo info;
  (void)info.add_memory(0, 0x10000000, MemoryType::kUsable);
  (void)info.add_memory(0x20000000, 0x10000000, MemoryType::kUsable);
  mm::PhysicalRange out[2];
  auto clipped = mm::direct_map_ranges(info, 0x8000000, 0, 0, out, 2);
  ASSERT_TRUE(clipped.ok());
  ASSERT_EQ(clipped.value(), 1u);
  EXPECT_EQ(out[0].size, 0x8000000u);
  // A hole in the middle of the first range makes three: more than fit.
  EXPECT_EQ(mm::direct_map_ranges(info, ~uint64_t{0}, 0x100000, 0x1000, out, 2).status(),
            lib::Status::kNoSpace);
}

}  // namespace
