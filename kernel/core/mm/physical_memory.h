// Physical memory bring-up: from the boot loader's memory map to a running
// FrameAllocator that manages every usable frame of the machine.
//
// The allocator's bitmap needs memory before any allocator exists, so it is
// carved out of the first usable stretch (below `accessible_limit`, the
// highest physical address the arch can already reach through `phys_to_virt`
// at this point of boot) that overlaps no reservation. Everything the boot
// left in memory — the kernel image, boot modules, boot-loader structures,
// firmware ranges — is a reservation and is never handed out.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <core/boot/boot_info.h>
#include <core/mm/frame_allocator.h>
#include <lib/result.h>
#include <lib/span.h>

namespace mm {

struct Reservation {
  uint64_t base;
  uint64_t size;
  const char* what;
};

struct MemoryReport {
  uint64_t total_frames;     // usable frames the boot loader reported
  uint64_t free_frames;      // of those, free after carving out reservations
  uint64_t reserved_frames;  // usable frames kept for the kernel, modules, boot data
  uint64_t bitmap_bytes;
  uint64_t bitmap_phys;
  uint64_t lowest_frame;
  uint64_t highest_frame;  // exclusive
};

struct PhysicalRange {
  uint64_t base;
  uint64_t size;
};

// The physical ranges the kernel's direct map should cover: usable and ACPI
// memory (never device or firmware-reserved ranges, which are mapped on
// demand with device attributes), widened to whole pages, merged where they
// touch or overlap, sorted, clipped to [0, limit), and with [hole_base,
// hole_base + hole_size) cut out (the kernel image, which has its own
// mappings with least rights). Returns the number of ranges written to `out`
// (at most `max`; kNoSpace if more would be needed).
lib::Result<size_t> direct_map_ranges(const boot::BootInfo& info, uint64_t limit,
                                      uint64_t hole_base, uint64_t hole_size, PhysicalRange* out,
                                      size_t max);

// Initialises `allocator` from `info` and `reservations` (plus the boot
// modules in `info`). `phys_to_virt` must reach [0, accessible_limit).
lib::Result<MemoryReport> init_physical_memory(const boot::BootInfo& info,
                                               lib::Span<const Reservation> reservations,
                                               uint64_t accessible_limit,
                                               void* (*phys_to_virt)(uint64_t),
                                               FrameAllocator& allocator);

}  // namespace mm
