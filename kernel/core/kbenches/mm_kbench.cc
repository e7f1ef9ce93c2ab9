// Memory-management microbenchmarks: the O(1) claims, measured.
#include <core/kbench.h>
#include <core/mm/address_space.h>
#include <core/mm/memory.h>

namespace {

// One frame allocated and freed.
KBENCH(frames, alloc_free) {
  auto frame = mm::frames().allocate();
  if (frame.ok()) (void)mm::frames().free(frame.value());
}

// The same with most of memory in use: the allocator must not slow down
// when free frames are scarce and far apart.
constinit uint64_t g_hold_head = 0;

KBENCH(frames, alloc_free_nearly_full) {
  if (g_hold_head == 0) {
    // First call (the warm-up run): take all but 64 frames, chained through
    // themselves. They are returned by frames.release_hold.
    auto& frames = mm::frames();
    while (frames.free_frames() > 64) {
      auto f = frames.allocate();
      if (!f.ok() || f.value() >= mm::reachable_limit()) {
        if (f.ok()) (void)frames.free(f.value());
        break;
      }
      *static_cast<uint64_t*>(arch::Platform::phys_to_virt(f.value())) = g_hold_head;
      g_hold_head = f.value();
    }
  }
  auto frame = mm::frames().allocate();
  if (frame.ok()) (void)mm::frames().free(frame.value());
}

// Not measured (".teardown"): gives back what alloc_free_nearly_full held
// (it runs right after it, in section order).
KBENCH(frames, teardown_hold) {
  while (g_hold_head != 0) {
    uint64_t next = *static_cast<uint64_t*>(arch::Platform::phys_to_virt(g_hold_head));
    (void)mm::frames().free(g_hold_head);
    g_hold_head = next;
  }
}

KBENCH(heap, alloc_free_64) {
  auto p = mm::heap().allocate(64);
  if (p.ok()) (void)mm::heap().free(p.value(), 64);
}

// Map a fresh (zeroed) page into an address space and unmap it again. A
// neighbouring page stays mapped so the page tables persist: this is the
// steady-state cost, not that of building a table path.
constinit mm::AddressSpace* g_space = nullptr;

KBENCH(address_space, map_unmap_page) {
  if (g_space == nullptr) {
    auto space = mm::AddressSpace::create();
    if (!space.ok()) return;
    g_space = space.value();
    (void)g_space->map_new_page(0x40001000, mm::Permissions::read_write());
  }
  (void)g_space->map_new_page(0x40000000, mm::Permissions::read_write());
  (void)g_space->unmap(0x40000000);
}

}  // namespace
