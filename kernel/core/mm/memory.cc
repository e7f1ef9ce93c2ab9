#include <arch/platform.h>
#include <core/console.h>
#include <core/mm/memory.h>
#include <core/mm/physical_memory.h>
#include <lib/string.h>

namespace mm {
namespace {

constinit FrameAllocator g_frames;
constinit MemoryReport g_report = {};
constinit uint64_t g_reachable_limit = 0;  // frames above it are not in the direct map

// Allocates a frame the kernel can reach through its direct map; frames
// above the limit (i586 high memory) go back and the caller sees kNoMemory.
lib::Result<uint64_t> reachable_frame() {
  uint64_t phys = TRY(g_frames.allocate());
  if (phys + kPageSize > g_reachable_limit) {
    (void)g_frames.free(phys);
    return lib::Status::kNoMemory;
  }
  return phys;
}

class TableFrames final : public FrameSource {
 public:
  lib::Result<uint64_t> allocate_table() override {
    uint64_t phys = TRY(reachable_frame());
    memset(arch::Platform::phys_to_virt(phys), 0, kPageSize);
    ++count_;
    return phys;
  }
  void free_table(uint64_t phys) override {
    if (g_frames.free(phys).ok()) --count_;
  }
  void* table_pointer(uint64_t phys) override { return arch::Platform::phys_to_virt(phys); }
  uint64_t count() const { return count_; }

 private:
  uint64_t count_ = 0;
};

class KernelPages final : public PageSource {
 public:
  lib::Result<void*> allocate_page() override {
    uint64_t phys = TRY(reachable_frame());
    ++count_;
    return arch::Platform::phys_to_virt(phys);
  }
  void free_page(void* page) override {
    if (g_frames.free(arch::Platform::virt_to_phys(page)).ok()) --count_;
  }
  uint64_t count() const { return count_; }

 private:
  uint64_t count_ = 0;
};

constinit TableFrames g_table_frames;
constinit uint64_t g_kernel_area_next = 0;
// One page of the kernel area for temporary mappings (per CPU with SMP).
constinit uint64_t g_temporary_window = 0;
constinit KernelPages g_kernel_pages;
constinit Heap g_heap(&g_kernel_pages);

}  // namespace

void init(const boot::BootInfo& info) {
  Reservation reservations[8];
  size_t count = arch::Platform::boot_reservations(reservations, 8);
  g_reachable_limit = arch::Platform::boot_accessible_limit();
  auto report = init_physical_memory(info, lib::Span<const Reservation>(reservations, count),
                                     g_reachable_limit, arch::Platform::phys_to_virt, g_frames);
  if (!report.ok()) {
    panic("cannot manage physical memory: %s", mica::status_name(report.status()));
  }
  g_report = report.value();

  auto limit = arch::Platform::init_kernel_address_space(g_table_frames, info);
  if (!limit.ok()) {
    panic("cannot build the kernel address space: %s", mica::status_name(limit.status()));
  }
  g_reachable_limit = limit.value();
}

lib::Result<void> zero_frame(uint64_t phys) {
  using Platform = arch::Platform;
  if (phys + kPageSize <= g_reachable_limit) {
    memset(Platform::phys_to_virt(phys), 0, kPageSize);
    return {};
  }
  if (g_temporary_window == 0) {
    if (g_kernel_area_next == 0) g_kernel_area_next = Platform::kKernelAreaBase;
    g_temporary_window = g_kernel_area_next;
    g_kernel_area_next += kPageSize;
  }
  PageTable<Platform::PageTableFormat> table(g_table_frames, Platform::kernel_root());
  TRY(table.map(g_temporary_window, phys, Permissions::read_write()));
  Platform::invalidate_tlb_page(g_temporary_window);
  memset(reinterpret_cast<void*>(static_cast<uintptr_t>(g_temporary_window)), 0, kPageSize);
  (void)table.unmap(g_temporary_window, /*keep_tables=*/true);
  Platform::invalidate_tlb_page(g_temporary_window);
  return {};
}

lib::Result<void*> map_physical(uint64_t phys, size_t size, Permissions permissions) {
  using Platform = arch::Platform;
  if (size == 0) return lib::Status::kInvalidArgs;
  uint64_t first = phys & ~uint64_t{kPageSize - 1};
  uint64_t length = ((phys + size + kPageSize - 1) & ~uint64_t{kPageSize - 1}) - first;
  if (g_kernel_area_next == 0) g_kernel_area_next = Platform::kKernelAreaBase;
  uint64_t end = Platform::kKernelAreaBase + Platform::kKernelAreaSize;
  if (length > end - g_kernel_area_next) return lib::Status::kNoSpace;
  uint64_t virt = g_kernel_area_next;
  PageTable<Platform::PageTableFormat> table(g_table_frames, Platform::kernel_root());
  TRY(table.map_range(virt, first, length, permissions));
  for (uint64_t offset = 0; offset < length; offset += kPageSize) {
    Platform::invalidate_tlb_page(virt + offset);
  }
  g_kernel_area_next += length;
  return reinterpret_cast<void*>(static_cast<uintptr_t>(virt + (phys - first)));
}

uint64_t reachable_limit() {
  return g_reachable_limit;
}

FrameAllocator& frames() {
  return g_frames;
}
FrameSource& table_frames() {
  return g_table_frames;
}
PageSource& kernel_pages() {
  return g_kernel_pages;
}
Heap& heap() {
  return g_heap;
}

Usage usage() {
  Usage u{};
  u.total_frames = g_report.total_frames;
  u.free_frames = g_frames.free_frames();
  u.kernel_image_frames = g_report.reserved_frames;
  u.page_table_frames = g_table_frames.count();
  u.heap_frames = g_kernel_pages.count();
  uint64_t used = u.total_frames - u.free_frames;
  uint64_t accounted = u.kernel_image_frames + u.page_table_frames + u.heap_frames;
  u.other_frames = used > accounted ? used - accounted : 0;
  return u;
}

void print_usage() {
  Usage u = usage();
  auto kib = [](uint64_t frames) { return static_cast<unsigned long long>(frames * 4); };
  kprintf(
      "mica: meminfo: total %llu KiB, free %llu KiB, kernel %llu KiB "
      "(image+boot %llu, page tables %llu, heap %llu), other %llu KiB; "
      "frame bitmap %llu bytes in %u levels\n",
      kib(u.total_frames), kib(u.free_frames),
      kib(u.kernel_image_frames + u.page_table_frames + u.heap_frames), kib(u.kernel_image_frames),
      kib(u.page_table_frames), kib(u.heap_frames), kib(u.other_frames),
      static_cast<unsigned long long>(g_report.bitmap_bytes), g_frames.levels());
}

}  // namespace mm
