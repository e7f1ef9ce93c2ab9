#include <core/mm/physical_memory.h>

namespace mm {
namespace {

constexpr uint64_t frame_down(uint64_t address) {
  return address >> kPageShift;
}
constexpr uint64_t frame_up(uint64_t address) {
  return (address + kPageSize - 1) >> kPageShift;
}

bool overlaps(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size) {
  return a < b + b_size && b < a + a_size;
}

// The first page-aligned place of `bytes` in usable memory below `limit`
// that overlaps no reservation and no module.
lib::Result<uint64_t> find_bitmap_home(const boot::BootInfo& info,
                                       lib::Span<const Reservation> reservations, uint64_t bytes,
                                       uint64_t limit) {
  uint64_t size = frame_up(bytes) << kPageShift;
  for (size_t i = 0; i < info.memory_count; ++i) {
    const boot::MemoryRange& range = info.memory[i];
    if (range.type != boot::MemoryType::kUsable) continue;
    uint64_t candidate = frame_up(range.base) << kPageShift;
    uint64_t end = frame_down(range.base + range.size) << kPageShift;
    // Never frame 0: a null physical address is too easy to confuse with "none".
    if (candidate == 0) candidate = kPageSize;
    while (candidate + size <= end && candidate + size <= limit) {
      uint64_t conflict_end = 0;
      for (const Reservation& r : reservations) {
        if (overlaps(candidate, size, r.base, r.size)) conflict_end = r.base + r.size;
      }
      for (size_t m = 0; m < info.module_count; ++m) {
        const boot::BootModule& module = info.modules[m];
        if (overlaps(candidate, size, module.base, module.size)) {
          conflict_end = module.base + module.size;
        }
      }
      if (conflict_end == 0) return candidate;
      candidate = frame_up(conflict_end) << kPageShift;
    }
  }
  return lib::Status::kNoMemory;
}

}  // namespace

lib::Result<MemoryReport> init_physical_memory(const boot::BootInfo& info,
                                               lib::Span<const Reservation> reservations,
                                               uint64_t accessible_limit,
                                               void* (*phys_to_virt)(uint64_t),
                                               FrameAllocator& allocator) {
  MemoryReport report{};
  uint64_t lowest = ~uint64_t{0}, highest = 0;
  for (size_t i = 0; i < info.memory_count; ++i) {
    const boot::MemoryRange& range = info.memory[i];
    if (range.type != boot::MemoryType::kUsable) continue;
    uint64_t first = frame_up(range.base), last = frame_down(range.base + range.size);
    if (first >= last) continue;
    lowest = first < lowest ? first : lowest;
    highest = last > highest ? last : highest;
  }
  if (highest == 0) return lib::Status::kNoMemory;

  uint64_t frames = highest - lowest;
  size_t bitmap_bytes = FrameAllocator::storage_bytes(frames);
  uint64_t bitmap_phys = TRY(find_bitmap_home(info, reservations, bitmap_bytes, accessible_limit));
  TRY(allocator.init(lowest, frames, phys_to_virt(bitmap_phys), bitmap_bytes));

  // Usable ranges become free; a frame only partly usable stays reserved. A
  // range the loader lists twice (or overlapping ones) is counted once.
  for (size_t i = 0; i < info.memory_count; ++i) {
    const boot::MemoryRange& range = info.memory[i];
    if (range.type != boot::MemoryType::kUsable) continue;
    uint64_t first = frame_up(range.base), last = frame_down(range.base + range.size);
    if (first < last) report.total_frames += allocator.add_free_range(first, last - first);
  }
  // Whatever else the map says about a frame wins over "usable".
  for (size_t i = 0; i < info.memory_count; ++i) {
    const boot::MemoryRange& range = info.memory[i];
    if (range.type == boot::MemoryType::kUsable) continue;
    uint64_t first = frame_down(range.base), last = frame_up(range.base + range.size);
    report.total_frames -= allocator.reserve_range(first, last - first);
  }
  auto reserve = [&allocator](uint64_t base, uint64_t size) {
    return allocator.reserve_range(frame_down(base), frame_up(base + size) - frame_down(base));
  };
  uint64_t reserved = reserve(0, kPageSize);  // frame 0 is never handed out
  for (const Reservation& r : reservations) reserved += reserve(r.base, r.size);
  for (size_t m = 0; m < info.module_count; ++m) {
    reserved += reserve(info.modules[m].base, info.modules[m].size);
  }
  reserved += reserve(bitmap_phys, bitmap_bytes);

  report.free_frames = allocator.free_frames();
  report.reserved_frames = reserved;
  report.bitmap_bytes = bitmap_bytes;
  report.bitmap_phys = bitmap_phys;
  report.lowest_frame = lowest;
  report.highest_frame = highest;
  return report;
}

lib::Result<size_t> direct_map_ranges(const boot::BootInfo& info, uint64_t limit,
                                      uint64_t hole_base, uint64_t hole_size, PhysicalRange* out,
                                      size_t max) {
  // Collect, page-align and sort (insertion sort: at most kMaxMemoryRanges).
  PhysicalRange ranges[boot::BootInfo::kMaxMemoryRanges];
  size_t count = 0;
  for (size_t i = 0; i < info.memory_count; ++i) {
    const boot::MemoryRange& r = info.memory[i];
    if (r.type != boot::MemoryType::kUsable && r.type != boot::MemoryType::kAcpiReclaimable &&
        r.type != boot::MemoryType::kAcpiNvs) {
      continue;
    }
    uint64_t base = frame_down(r.base) << kPageShift;
    uint64_t end = frame_up(r.base + r.size) << kPageShift;
    if (end > limit) end = limit;
    if (base >= end) continue;
    size_t at = count++;
    while (at > 0 && ranges[at - 1].base > base) {
      ranges[at] = ranges[at - 1];
      --at;
    }
    ranges[at] = PhysicalRange{base, end - base};
  }
  // Merge touching or overlapping ranges.
  size_t merged = 0;
  for (size_t i = 0; i < count; ++i) {
    if (merged > 0 && ranges[i].base <= ranges[merged - 1].base + ranges[merged - 1].size) {
      uint64_t end = ranges[i].base + ranges[i].size;
      uint64_t last_end = ranges[merged - 1].base + ranges[merged - 1].size;
      if (end > last_end) ranges[merged - 1].size = end - ranges[merged - 1].base;
    } else {
      ranges[merged++] = ranges[i];
    }
  }
  // Cut the hole out and emit.
  uint64_t hole_end = hole_base + hole_size;
  size_t written = 0;
  auto emit = [&](uint64_t base, uint64_t end) -> bool {
    if (base >= end) return true;
    if (written == max) return false;
    out[written++] = PhysicalRange{base, end - base};
    return true;
  };
  for (size_t i = 0; i < merged; ++i) {
    uint64_t base = ranges[i].base, end = base + ranges[i].size;
    bool ok = hole_size == 0 || end <= hole_base || base >= hole_end
                  ? emit(base, end)
                  : emit(base, hole_base) && emit(hole_end, end);
    if (!ok) return lib::Status::kNoSpace;
  }
  return written;
}

}  // namespace mm
