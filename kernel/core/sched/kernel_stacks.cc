#include <core/console.h>
#include <core/mm/memory.h>
#include <core/sched/kernel_stacks.h>
#include <core/sched/scheduler.h>
#include <core/sync/spinlock.h>
#include <mica/config.h>

namespace sched {
namespace {

constexpr size_t kSlotSize = kKernelStackSize + mm::kPageSize;  // guard page first
constexpr size_t kStackPages = kKernelStackSize / mm::kPageSize;

constinit SpinLock g_lock;
constinit uint64_t g_base GUARDED_BY(g_lock) = 0;
constinit uint32_t g_slots GUARDED_BY(g_lock) = 0;
constinit uint16_t g_free[mica::config::kMaxThreads] GUARDED_BY(g_lock) = {};
constinit uint32_t g_free_count GUARDED_BY(g_lock) = 0;

// Freed stacks whose translations other CPUs may still hold.
constexpr size_t kStackPagesMax = kKernelStackSize / mm::kPageSize;
struct Pending {
  uint32_t slot;
  uint64_t frames[kStackPagesMax];
};
constexpr uint32_t kBatch = 32;
constinit Pending g_pending[kBatch] GUARDED_BY(g_lock) = {};
constinit uint32_t g_pending_count GUARDED_BY(g_lock) = 0;

uint64_t slot_stack_base(uint64_t base, uint32_t slot) {
  return base + uint64_t{slot} * kSlotSize + mm::kPageSize;
}

}  // namespace

void init_kernel_stacks(uint32_t slots) {
  auto base = mm::reserve_kernel_area(uint64_t{slots} * kSlotSize);
  if (!base.ok()) {
    panic("no kernel area for %u kernel stacks: %s", slots, mica::status_name(base.status()));
  }
  SpinLockGuard guard(g_lock);
  g_base = base.value();
  g_slots = slots;
  for (uint32_t i = 0; i < slots; ++i) g_free[i] = static_cast<uint16_t>(slots - 1 - i);
  g_free_count = slots;
}

lib::Result<KernelStack> allocate_kernel_stack() {
  uint32_t slot;
  uint64_t base;
  for (int attempt = 0;; ++attempt) {
    {
      SpinLockGuard guard(g_lock);
      if (g_free_count != 0) {
        slot = g_free[--g_free_count];
        base = g_base;
        break;
      }
      if (g_pending_count == 0 || attempt > 0) return lib::Status::kNoSpace;
    }
    flush_freed_kernel_stacks();  // slots are waiting behind a shootdown
  }
  uint64_t stack = slot_stack_base(base, slot);
  for (size_t page = 0; page < kStackPages; ++page) {
    auto frame = mm::frames().allocate();
    auto mapped = frame.ok() ? mm::map_kernel_page(stack + page * mm::kPageSize, frame.value(),
                                                   mm::Permissions::read_write())
                             : lib::Result<void>(frame.status());
    if (!mapped.ok()) {
      if (frame.ok()) (void)mm::frames().free(frame.value());
      for (size_t undo = 0; undo < page; ++undo) {
        auto phys = mm::unmap_kernel_page(stack + undo * mm::kPageSize);
        if (phys.ok()) (void)mm::frames().free(phys.value());
      }
      SpinLockGuard guard(g_lock);
      g_free[g_free_count++] = static_cast<uint16_t>(slot);
      return lib::Status::kNoMemory;
    }
  }
  return KernelStack{slot, static_cast<uintptr_t>(stack + kKernelStackSize)};
}

void flush_freed_kernel_stacks() {
  Pending batch[kBatch];
  uint32_t count;
  {
    SpinLockGuard guard(g_lock);
    count = g_pending_count;
    for (uint32_t i = 0; i < count; ++i) batch[i] = g_pending[i];
    g_pending_count = 0;
  }
  if (count == 0) return;
  // Every CPU drops its translations first; only then are the frames and
  // slots handed out again.
  tlb_shootdown();
  for (uint32_t i = 0; i < count; ++i) {
    for (uint64_t frame : batch[i].frames) {
      if (frame != 0) (void)mm::frames().free(frame);
    }
  }
  SpinLockGuard guard(g_lock);
  for (uint32_t i = 0; i < count; ++i)
    g_free[g_free_count++] = static_cast<uint16_t>(batch[i].slot);
}

void free_kernel_stack(uint32_t slot) {
  uint64_t base;
  {
    SpinLockGuard guard(g_lock);
    base = g_base;
  }
  Pending entry = {slot, {}};
  uint64_t stack = slot_stack_base(base, slot);
  for (size_t page = 0; page < kStackPages; ++page) {
    auto phys = mm::unmap_kernel_page(stack + page * mm::kPageSize);
    entry.frames[page] = phys.ok() ? phys.value() : 0;
  }
  bool full;
  while (true) {
    {
      SpinLockGuard guard(g_lock);
      if (g_pending_count < kBatch) {
        g_pending[g_pending_count++] = entry;
        full = g_pending_count == kBatch;
        break;
      }
    }
    flush_freed_kernel_stacks();  // another CPU filled it meanwhile
  }
  if (full) flush_freed_kernel_stacks();
}

uint32_t kernel_stacks_pending() {
  SpinLockGuard guard(g_lock);
  return g_pending_count;
}

uint32_t kernel_stacks_in_use() {
  SpinLockGuard guard(g_lock);
  return g_slots - g_free_count;
}

}  // namespace sched
