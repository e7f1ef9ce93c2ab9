// AddressSpace: one process's view of memory.
//
// The user part is private: its page tables, and the frames mapped with
// Permissions::owned, belong to the space and return to the frame allocator
// when it is destroyed. The kernel part is shared by every space (see
// Platform::new_user_root). Objects come from a slab cache, so creating one
// costs a cache allocation and one root table.
#pragma once

#include <stdint.h>

#include <arch/platform.h>
#include <core/mm/page_table.h>
#include <lib/result.h>

namespace mm {

class AddressSpace {
 public:
  // kNoMemory when no object, root table or ASID can be had.
  static lib::Result<AddressSpace*> create();

  // Frees every owned frame, every user page table, the root and the object.
  void destroy();

  // The user range this space can map: [0, user_limit()).
  static uint64_t user_limit();

  // Maps a fresh zeroed frame at `virt`, owned by this space.
  lib::Result<void> map_new_page(uint64_t virt, Permissions permissions);
  // Maps an existing frame (shared memory, MMIO); not freed with the space.
  lib::Result<void> map(uint64_t virt, uint64_t phys, Permissions permissions);
  // Removes one page (freeing its frame if owned). kNotFound if unmapped.
  lib::Result<void> unmap(uint64_t virt);
  lib::Result<Translation> query(uint64_t virt) const;
  // Changes the permissions of the mapped page at `virt`, keeping its frame
  // and ownership. This CPU's TLB only: the caller shoots down the others.
  lib::Result<void> protect(uint64_t virt, Permissions permissions);

  void activate() const;
  uint64_t root() const { return table_.root(); }
  // Pages mapped: fresh ones it owns, and existing frames (shared, MMIO).
  uint64_t owned_pages() const { return owned_pages_; }
  uint64_t borrowed_pages() const { return borrowed_pages_; }
  uint16_t asid() const { return asid_; }

 private:
  using Table = PageTable<arch::Platform::PageTableFormat>;
  AddressSpace(FrameSource& frames, uint64_t root, uint16_t asid)
      : table_(frames, root), asid_(asid) {}

  lib::Result<void> check_user_range(uint64_t virt) const;

  Table table_;
  uint16_t asid_;
  uint64_t owned_pages_ = 0;
  uint64_t borrowed_pages_ = 0;
};

}  // namespace mm
