// AArch64 stage-1 translation, 4 KiB granule, 48-bit VA (ARM ARM D5.3):
// four levels of 9 index bits. TTBR1_EL1 holds the kernel's table, TTBR0_EL1
// each address space's, tagged with an ASID (user leaves are non-global).
// MAIR_EL1 attribute index 0 is Normal write-back memory, 1 is Device-nGnRE.
#pragma once

#include <stdint.h>

#include <core/mm/page_table.h>

namespace arch::aarch64 {

struct PageTableFormat {
  using Entry = uint64_t;
  static constexpr unsigned kLevels = 4;

  static constexpr Entry kValid = 1ull << 0;
  static constexpr Entry kTableOrPage = 1ull << 1;  // levels 0-2: table; level 3: page
  static constexpr Entry kAttrNormal = 0ull << 2;
  static constexpr Entry kAttrDevice = 1ull << 2;
  static constexpr Entry kAttrMask = 7ull << 2;
  static constexpr Entry kApUser = 1ull << 6;      // AP[1]: EL0 access
  static constexpr Entry kApReadOnly = 1ull << 7;  // AP[2]
  static constexpr Entry kInnerShareable = 3ull << 8;
  static constexpr Entry kAccessFlag = 1ull << 10;
  static constexpr Entry kNotGlobal = 1ull << 11;
  static constexpr Entry kPrivilegedNoExecute = 1ull << 53;
  static constexpr Entry kUserNoExecute = 1ull << 54;
  static constexpr Entry kOwned = 1ull << 55;  // software: frame owned by the space
  static constexpr Entry kAddressMask = 0x0000fffffffff000ull;

  static constexpr unsigned index_bits(unsigned) { return 9; }

  static constexpr Entry table_entry(uint64_t phys) {
    return (phys & kAddressMask) | kValid | kTableOrPage;
  }
  static constexpr Entry leaf_entry(uint64_t phys, mm::Permissions p) {
    Entry e = (phys & kAddressMask) | kValid | kTableOrPage | kAccessFlag;
    e |= p.device ? kAttrDevice : (kAttrNormal | kInnerShareable);
    if (!p.write) e |= kApReadOnly;
    if (p.user) {
      e |= kApUser | kNotGlobal | kPrivilegedNoExecute;  // the kernel never runs user code
      if (!p.execute) e |= kUserNoExecute;
    } else {
      e |= kUserNoExecute;
      if (!p.execute) e |= kPrivilegedNoExecute;
    }
    if (p.owned) e |= kOwned;
    return e;
  }
  // A block descriptor is a page descriptor with bit 1 clear.
  static constexpr Entry block_entry(uint64_t phys, mm::Permissions p) {
    return leaf_entry(phys, p) & ~kTableOrPage;
  }
  static constexpr bool is_present(Entry e) { return (e & kValid) != 0; }
  static constexpr bool is_block(Entry e, unsigned level) {
    return level > 0 && (e & (kValid | kTableOrPage)) == kValid;
  }
  static constexpr uint64_t entry_address(Entry e) { return e & kAddressMask; }
  static constexpr mm::Permissions entry_permissions(Entry e) {
    bool user = (e & kApUser) != 0;
    return {.write = (e & kApReadOnly) == 0,
            .execute = user ? (e & kUserNoExecute) == 0 : (e & kPrivilegedNoExecute) == 0,
            .user = user,
            .device = (e & kAttrMask) == kAttrDevice,
            .owned = (e & kOwned) != 0};
  }
};

static_assert(mm::PageTableFormat<PageTableFormat>);

}  // namespace arch::aarch64
