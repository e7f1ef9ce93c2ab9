// Kernel stacks: one fixed slot per thread in the kernel virtual area, each
// an unmapped guard page followed by the stack's pages, so an overflow
// faults instead of corrupting memory. Slots come from a free list (O(1));
// the slot count is the product's thread limit.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <lib/result.h>

namespace sched {

inline constexpr size_t kKernelStackSize = 16384;

// Reserves the area for `slots` stacks. Panics if the area is too small.
void init_kernel_stacks(uint32_t slots);

struct KernelStack {
  uint32_t slot;
  uintptr_t top;
};

// kNoSpace when every slot is taken; kNoMemory when frames run out.
lib::Result<KernelStack> allocate_kernel_stack();

// Unmaps the stack at once. Its frames and slot are reused only after every
// CPU has dropped stale translations of it: freed stacks are collected and
// released in batches behind one TLB shootdown (a shootdown per thread exit
// would make every exit wait for every CPU).
void free_kernel_stack(uint32_t slot);

// Releases the collected stacks now (one shootdown). Interrupts enabled.
// The idle threads call it when they have nothing else to do.
void flush_freed_kernel_stacks();

// Stacks allocated and not yet released (freed-but-collected ones count).
uint32_t kernel_stacks_in_use();
uint32_t kernel_stacks_pending();

}  // namespace sched
