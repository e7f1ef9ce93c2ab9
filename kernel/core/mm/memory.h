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
#include <core/sync/spinlock.h>

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

// The frame allocator behind a spinlock: every CPU allocates frames.
class LockedFrames {
 public:
  explicit constexpr LockedFrames(FrameAllocator& frames) : frames_(frames) {}
  lib::Result<uint64_t> allocate() {
    SpinLockGuard guard(lock_);
    return frames_.allocate();
  }
  lib::Result<uint64_t> allocate_contiguous(uint64_t count, uint64_t alignment) {
    SpinLockGuard guard(lock_);
    return frames_.allocate_contiguous(count, alignment);
  }
  lib::Result<void> free(uint64_t address) {
    SpinLockGuard guard(lock_);
    return frames_.free(address);
  }
  lib::Result<void> free_contiguous(uint64_t address, uint64_t count) {
    SpinLockGuard guard(lock_);
    return frames_.free_contiguous(address, count);
  }
  uint64_t reserve_range(uint64_t first_frame, uint64_t count) {
    SpinLockGuard guard(lock_);
    return frames_.reserve_range(first_frame, count);
  }
  bool is_free(uint64_t frame) {
    SpinLockGuard guard(lock_);
    return frames_.is_free(frame);
  }
  uint64_t free_frames() const { return frames_.free_frames(); }
  uint64_t managed_frames() const { return frames_.managed_frames(); }
  uint64_t base_frame() const { return frames_.base_frame(); }
  unsigned levels() const { return frames_.levels(); }

 private:
  SpinLock lock_;
  FrameAllocator& frames_;
};

// The heap behind a spinlock.
class LockedHeap {
 public:
  explicit constexpr LockedHeap(Heap& heap) : heap_(heap) {}
  lib::Result<void*> allocate(size_t size) {
    SpinLockGuard guard(lock_);
    return heap_.allocate(size);
  }
  lib::Result<void> free(void* pointer, size_t size) {
    SpinLockGuard guard(lock_);
    return heap_.free(pointer, size);
  }

 private:
  SpinLock lock_;
  Heap& heap_;
};

LockedFrames& frames();
// Physical addresses below this are reachable through phys_to_virt (all of
// RAM on 64-bit arches; 768 MiB on i586).
uint64_t reachable_limit();
// Zeroed page-table frames from the frame allocator, reached through the
// direct map.
FrameSource& table_frames();
// Whole pages for slabs and the heap, reached through the direct map.
PageSource& kernel_pages();
LockedHeap& heap();
// `count` physically contiguous, zeroed pages reached through the direct
// map, for kernel objects larger than a page (the heap's limit). kNoMemory.
lib::Result<void*> allocate_pages(size_t count);
void free_pages(void* pages, size_t count);

// Reserves `size` bytes (page multiple) of the kernel virtual area, unmapped;
// kNoSpace when the area is exhausted.
lib::Result<uint64_t> reserve_kernel_area(uint64_t size);

// Maps or unmaps pages of the kernel's own address space (the kernel area),
// under the kernel page-table lock; the tables of the kernel half are never
// freed (every address space shares them). unmap_kernel_page invalidates
// this CPU's TLB only: other CPUs need a shootdown.
lib::Result<void> map_kernel_page(uint64_t virt, uint64_t phys, Permissions permissions);
lib::Result<uint64_t> unmap_kernel_page(uint64_t virt);

// Maps physical [phys, phys + size) into the kernel virtual area (device
// memory uncached if `permissions.device`) and returns a pointer to `phys`.
// For firmware tables and MMIO registers; mappings are permanent. kNoSpace
// when the area is exhausted, kNoMemory when a page table cannot be had.
lib::Result<void*> map_physical(uint64_t phys, size_t size, Permissions permissions);

// Fills frame `phys` with zeros, through the direct map or, for a frame it
// does not reach (i586 high memory), a temporary mapping.
lib::Result<void> zero_frame(uint64_t phys);
// Copies into or out of frame `phys` at `offset` (within the page) the same
// way.
lib::Result<void> copy_to_frame(uint64_t phys, size_t offset, const void* data, size_t size);
lib::Result<void> copy_from_frame(uint64_t phys, size_t offset, void* data, size_t size);

Usage usage();
// Prints a meminfo-style report: total, free and kernel-used memory.
void print_usage();

}  // namespace mm
