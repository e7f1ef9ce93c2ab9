// The kernel's memory: bring-up and the shared allocators.
//
// init() runs once on the boot CPU: it starts the frame allocator over all
// physical memory, has the arch build the kernel's own address space (direct
// map, kernel image with least rights, guard pages) and starts the heap.
// After it, every frame of the machine is accounted for in usage().
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <core/boot/boot_info.h>
#include <core/mm/frame_allocator.h>
#include <core/mm/heap.h>
#include <core/mm/page_table.h>
#include <core/mm/slab.h>

namespace mm {

struct Usage {
  uint64_t total_frames;         // usable frames the machine has
  uint64_t free_frames;          // free now
  uint64_t kernel_image_frames;  // kernel image, boot modules, boot data, bitmap
  uint64_t page_table_frames;    // the kernel's page tables
  uint64_t heap_frames;          // slab and heap pages
  uint64_t other_frames;         // the rest in use (address spaces, stacks, ...)
};

// Panics if memory cannot be brought up (there is nothing to fall back on).
void init(const boot::BootInfo& info);

FrameAllocator& frames();
// Physical addresses below this are reachable through phys_to_virt (all of
// RAM on 64-bit arches; 768 MiB on i586).
uint64_t reachable_limit();
// Zeroed page-table frames from the frame allocator, reached through the
// direct map.
FrameSource& table_frames();
// Whole pages for slabs and the heap, reached through the direct map.
PageSource& kernel_pages();
Heap& heap();

// Maps physical [phys, phys + size) into the kernel virtual area (device
// memory uncached if `permissions.device`) and returns a pointer to `phys`.
// For firmware tables and MMIO registers; mappings are permanent. kNoSpace
// when the area is exhausted, kNoMemory when a page table cannot be had.
lib::Result<void*> map_physical(uint64_t phys, size_t size, Permissions permissions);

// Fills frame `phys` with zeros, through the direct map or, for a frame it
// does not reach (i586 high memory), a temporary mapping.
lib::Result<void> zero_frame(uint64_t phys);

Usage usage();
// Prints a meminfo-style report: total, free and kernel-used memory.
void print_usage();

}  // namespace mm
