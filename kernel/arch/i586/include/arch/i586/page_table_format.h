// i586 2-level 32-bit paging (Intel SDM vol. 3A, 4.3): page directory and
// page tables, 10 index bits each. The Pentium has no PAE, so there is no
// no-execute bit: read-only mappings are still executable on this arch, and
// W^X here means only that code is never writable.
#pragma once

#include <stdint.h>

#include <core/mm/page_table.h>

namespace arch::i586 {

struct PageTableFormat {
  using Entry = uint32_t;
  static constexpr unsigned kLevels = 2;

  static constexpr Entry kPresent = 1u << 0;
  static constexpr Entry kWrite = 1u << 1;
  static constexpr Entry kUser = 1u << 2;
  static constexpr Entry kWriteThrough = 1u << 3;
  static constexpr Entry kCacheDisable = 1u << 4;
  static constexpr Entry kLarge = 1u << 7;  // 4 MiB page in a directory entry
  static constexpr Entry kOwned = 1u << 9;  // software: frame owned by the space
  static constexpr Entry kAddressMask = 0xfffff000u;

  static constexpr unsigned index_bits(unsigned) { return 10; }

  static constexpr Entry table_entry(uint64_t phys) {
    return (static_cast<Entry>(phys) & kAddressMask) | kPresent | kWrite | kUser;
  }
  static constexpr Entry leaf_entry(uint64_t phys, mm::Permissions p) {
    Entry e = (static_cast<Entry>(phys) & kAddressMask) | kPresent;
    if (p.write) e |= kWrite;
    if (p.user) e |= kUser;
    if (p.device) e |= kCacheDisable | kWriteThrough;
    if (p.owned) e |= kOwned;
    return e;
  }
  static constexpr Entry block_entry(uint64_t phys, mm::Permissions p) {
    return leaf_entry(phys, p) | kLarge;
  }
  static constexpr bool is_present(Entry e) { return (e & kPresent) != 0; }
  static constexpr bool is_block(Entry e, unsigned level) { return level > 0 && (e & kLarge); }
  static constexpr uint64_t entry_address(Entry e) { return e & kAddressMask; }
  static constexpr mm::Permissions entry_permissions(Entry e) {
    return {.write = (e & kWrite) != 0,
            .execute = true,
            .user = (e & kUser) != 0,
            .device = (e & kCacheDisable) != 0,
            .owned = (e & kOwned) != 0};
  }
};

static_assert(mm::PageTableFormat<PageTableFormat>);

}  // namespace arch::i586
