#include <arch/platform.h>
#include <core/console.h>
#include <core/mm/memory.h>
#include <core/mm/physical_memory.h>
#include <lib/string.h>

namespace mm {
namespace {

using Platform = arch::Platform;
using KernelTable = PageTable<Platform::PageTableFormat>;

constinit FrameAllocator g_frame_allocator;
constinit LockedFrames g_frames(g_frame_allocator);
constinit MemoryReport g_report = {};
// Frames at or above this are not in the direct map (i586 high memory).
constinit uint64_t g_reachable_limit = 0;

// Allocates a frame the kernel reaches through its direct map; a frame above
// the limit goes back and the caller sees kNoMemory.
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
    memset(Platform::phys_to_virt(phys), 0, kPageSize);
    __atomic_add_fetch(&count_, 1, __ATOMIC_RELAXED);
    return phys;
  }
  void free_table(uint64_t phys) override {
    if (g_frames.free(phys).ok()) __atomic_sub_fetch(&count_, 1, __ATOMIC_RELAXED);
  }
  void* table_pointer(uint64_t phys) override { return Platform::phys_to_virt(phys); }
  uint64_t count() const { return __atomic_load_n(&count_, __ATOMIC_RELAXED); }

 private:
  size_t count_ = 0;  // pointer-sized: atomic without a helper on 32-bit CPUs
};

class KernelPages final : public PageSource {
 public:
  lib::Result<void*> allocate_page() override {
    uint64_t phys = TRY(reachable_frame());
    __atomic_add_fetch(&count_, 1, __ATOMIC_RELAXED);
    return Platform::phys_to_virt(phys);
  }
  void free_page(void* page) override {
    if (g_frames.free(Platform::virt_to_phys(page)).ok()) {
      __atomic_sub_fetch(&count_, 1, __ATOMIC_RELAXED);
    }
  }
  uint64_t count() const { return __atomic_load_n(&count_, __ATOMIC_RELAXED); }

 private:
  size_t count_ = 0;  // pointer-sized: atomic without a helper on 32-bit CPUs
};

constinit TableFrames g_table_frames;
constinit KernelPages g_kernel_pages;
constinit Heap g_heap(&g_kernel_pages);
constinit LockedHeap g_locked_heap(g_heap);

// Guards the kernel area's bump pointer and the kernel half's page tables.
constinit SpinLock g_kernel_tables_lock;
constinit uint64_t g_kernel_area_next GUARDED_BY(g_kernel_tables_lock) = 0;
// One page of the kernel area for temporary mappings, used under the lock.
constinit uint64_t g_temporary_window GUARDED_BY(g_kernel_tables_lock) = 0;

lib::Result<uint64_t> reserve_locked(uint64_t size) REQUIRES(g_kernel_tables_lock) {
  if (g_kernel_area_next == 0) g_kernel_area_next = Platform::kKernelAreaBase;
  uint64_t end = Platform::kKernelAreaBase + Platform::kKernelAreaSize;
  if (size > end - g_kernel_area_next) return lib::Status::kNoSpace;
  uint64_t virt = g_kernel_area_next;
  g_kernel_area_next += size;
  return virt;
}

}  // namespace

void init(const boot::BootInfo& info) {
  Reservation reservations[8];
  size_t count = Platform::boot_reservations(reservations, 8);
  g_reachable_limit = Platform::boot_accessible_limit();
  auto report = init_physical_memory(info, lib::Span<const Reservation>(reservations, count),
                                     g_reachable_limit, Platform::phys_to_virt, g_frame_allocator);
  if (!report.ok()) {
    panic("cannot manage physical memory: %s", mica::status_name(report.status()));
  }
  g_report = report.value();

  auto limit = Platform::init_kernel_address_space(g_table_frames, info);
  if (!limit.ok()) {
    panic("cannot build the kernel address space: %s", mica::status_name(limit.status()));
  }
  g_reachable_limit = limit.value();
}

uint64_t reachable_limit() {
  return g_reachable_limit;
}

namespace {

// Runs access(pointer to the frame) for frame `phys`, through the direct map
// or, for a frame it does not reach (i586 high memory), a temporary mapping
// under the kernel page-table lock.
template <typename Access>
lib::Result<void> with_frame(uint64_t phys, Access access) {
  if (phys + kPageSize <= g_reachable_limit) {
    access(static_cast<uint8_t*>(Platform::phys_to_virt(phys)));
    return {};
  }
  SpinLockGuard guard(g_kernel_tables_lock);
  if (g_temporary_window == 0) g_temporary_window = TRY(reserve_locked(kPageSize));
  KernelTable table(g_table_frames, Platform::kernel_root());
  TRY(table.map(g_temporary_window, phys, Permissions::read_write()));
  Platform::invalidate_tlb_page(g_temporary_window);
  access(reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(g_temporary_window)));
  (void)table.unmap(g_temporary_window, /*keep_tables=*/true);
  Platform::invalidate_tlb_page(g_temporary_window);
  return {};
}

}  // namespace

lib::Result<void*> allocate_pages(size_t count) {
  if (count == 0) return lib::Status::kInvalidArgs;
  uint64_t phys = TRY(frames().allocate_contiguous(count, 1));
  if (phys + count * kPageSize > g_reachable_limit) {
    (void)frames().free_contiguous(phys, count);
    return lib::Status::kNoMemory;
  }
  void* pages = Platform::phys_to_virt(phys);
  memset(pages, 0, count * kPageSize);
  return pages;
}

void free_pages(void* pages, size_t count) {
  (void)frames().free_contiguous(Platform::virt_to_phys(pages), count);
}

lib::Result<void> zero_frame(uint64_t phys) {
  return with_frame(phys, [](uint8_t* frame) { memset(frame, 0, kPageSize); });
}

lib::Result<void> copy_to_frame(uint64_t phys, size_t offset, const void* data, size_t size) {
  if (offset > kPageSize || size > kPageSize - offset) return lib::Status::kInvalidArgs;
  return with_frame(phys, [&](uint8_t* frame) { memcpy(frame + offset, data, size); });
}

lib::Result<void> copy_from_frame(uint64_t phys, size_t offset, void* data, size_t size) {
  if (offset > kPageSize || size > kPageSize - offset) return lib::Status::kInvalidArgs;
  return with_frame(phys, [&](uint8_t* frame) { memcpy(data, frame + offset, size); });
}

lib::Result<void*> map_physical(uint64_t phys, size_t size, Permissions permissions) {
  if (size == 0) return lib::Status::kInvalidArgs;
  uint64_t first = phys & ~uint64_t{kPageSize - 1};
  uint64_t length = ((phys + size + kPageSize - 1) & ~uint64_t{kPageSize - 1}) - first;
  SpinLockGuard guard(g_kernel_tables_lock);
  uint64_t virt = TRY(reserve_locked(length));
  KernelTable table(g_table_frames, Platform::kernel_root());
  TRY(table.map_range(virt, first, length, permissions));
  for (uint64_t offset = 0; offset < length; offset += kPageSize) {
    Platform::invalidate_tlb_page(virt + offset);
  }
  return reinterpret_cast<void*>(static_cast<uintptr_t>(virt + (phys - first)));
}

lib::Result<uint64_t> reserve_kernel_area(uint64_t size) {
  if (size == 0 || size % kPageSize != 0) return lib::Status::kInvalidArgs;
  SpinLockGuard guard(g_kernel_tables_lock);
  return reserve_locked(size);
}

lib::Result<void> map_kernel_page(uint64_t virt, uint64_t phys, Permissions permissions) {
  SpinLockGuard guard(g_kernel_tables_lock);
  KernelTable table(g_table_frames, Platform::kernel_root());
  TRY(table.map(virt, phys, permissions));
  Platform::invalidate_tlb_page(virt);
  return {};
}

lib::Result<uint64_t> unmap_kernel_page(uint64_t virt) {
  SpinLockGuard guard(g_kernel_tables_lock);
  KernelTable table(g_table_frames, Platform::kernel_root());
  uint64_t phys = TRY(table.unmap(virt, /*keep_tables=*/true));
  Platform::invalidate_tlb_page(virt);
  return phys;
}

LockedFrames& frames() {
  return g_frames;
}
FrameSource& table_frames() {
  return g_table_frames;
}
PageSource& kernel_pages() {
  return g_kernel_pages;
}
LockedHeap& heap() {
  return g_locked_heap;
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
