// x86_64 4-level paging (Intel SDM vol. 3A, 4.5): PML4, PDPT, PD, PT; 9 index
// bits each, 48-bit virtual addresses. Leaves set NX unless executable (the
// boot code requires and enables EFER.NXE), and G for kernel mappings.
#pragma once

#include <stdint.h>

#include <core/mm/page_table.h>

namespace arch::x86_64 {

struct PageTableFormat {
  using Entry = uint64_t;
  static constexpr unsigned kLevels = 4;

  static constexpr Entry kPresent = 1ull << 0;
  static constexpr Entry kWrite = 1ull << 1;
  static constexpr Entry kUser = 1ull << 2;
  static constexpr Entry kWriteThrough = 1ull << 3;
  static constexpr Entry kCacheDisable = 1ull << 4;
  static constexpr Entry kHuge = 1ull << 7;
  static constexpr Entry kGlobal = 1ull << 8;
  static constexpr Entry kNoExecute = 1ull << 63;
  static constexpr Entry kOwned = 1ull << 9;  // software: frame owned by the space
  static constexpr Entry kAddressMask = 0x000ffffffffff000ull;

  static constexpr unsigned index_bits(unsigned) { return 9; }

  // Intermediate entries allow everything; the leaf decides.
  static constexpr Entry table_entry(uint64_t phys) {
    return (phys & kAddressMask) | kPresent | kWrite | kUser;
  }
  static constexpr Entry leaf_entry(uint64_t phys, mm::Permissions p) {
    Entry e = (phys & kAddressMask) | kPresent;
    if (p.write) e |= kWrite;
    if (p.user)
      e |= kUser;
    else
      e |= kGlobal;
    if (!p.execute) e |= kNoExecute;
    if (p.device) e |= kCacheDisable | kWriteThrough;
    if (p.owned) e |= kOwned;
    return e;
  }
  static constexpr Entry block_entry(uint64_t phys, mm::Permissions p) {
    return leaf_entry(phys, p) | kHuge;
  }
  static constexpr bool is_present(Entry e) { return (e & kPresent) != 0; }
  static constexpr bool is_block(Entry e, unsigned level) { return level > 0 && (e & kHuge); }
  static constexpr uint64_t entry_address(Entry e) { return e & kAddressMask; }
  static constexpr mm::Permissions entry_permissions(Entry e) {
    return {.write = (e & kWrite) != 0,
            .execute = (e & kNoExecute) == 0,
            .user = (e & kUser) != 0,
            .device = (e & kCacheDisable) != 0,
            .owned = (e & kOwned) != 0};
  }
};

static_assert(mm::PageTableFormat<PageTableFormat>);

}  // namespace arch::x86_64
