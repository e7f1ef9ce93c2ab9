// PageTable<Format>: a multi-level radix page table, arch-free.
//
// The walk (allocate intermediate tables, install or remove leaf entries,
// free empty tables) is the same on every MMU mica runs on; what differs is
// the shape (levels, index bits) and the entry encoding, which each arch
// supplies as a Format type (see PageTableFormat below). Core code maps
// memory without knowing the format, and host tests exercise every arch's
// format over fake physical memory.
//
// Tables are reached through a FrameSource, which allocates zeroed table
// frames and turns physical addresses into pointers (the kernel's direct map,
// or a test's fake memory). Nothing here allocates except table frames, and
// every allocation can fail.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <core/mm/frame_allocator.h>
#include <lib/concepts.h>
#include <lib/result.h>

namespace mm {

// Access rights and attributes of a mapping.
struct Permissions {
  bool write = false;
  bool execute = false;
  bool user = false;
  bool device = false;  // uncached device memory (MMIO)
  // Software bit: the address space owns the frame and frees it on unmap or
  // destruction (as opposed to shared memory, MMIO or kernel frames).
  bool owned = false;

  static constexpr Permissions read_only() { return {}; }
  static constexpr Permissions read_write() { return {.write = true}; }
  static constexpr Permissions read_execute() { return {.execute = true}; }
};

// What PageTable needs from an arch's page-table format.
template <typename F>
concept PageTableFormat = requires(typename F::Entry entry, uint64_t phys, Permissions p,
                                   unsigned level) {
  // Levels, root = kLevels - 1, leaves of 4 KiB pages at level 0.
  { F::kLevels } -> lib::same_as<const unsigned&>;
  // Index bits of each level (level 0 first); entries per table = 1 << bits.
  { F::index_bits(level) } -> lib::same_as<unsigned>;
  { F::table_entry(phys) } -> lib::same_as<typename F::Entry>;
  { F::leaf_entry(phys, p) } -> lib::same_as<typename F::Entry>;
  // A block (large page) entry at level 1: 2 MiB on x86_64 and AArch64, 4 MiB
  // on i586 (which needs CR4.PSE).
  { F::block_entry(phys, p) } -> lib::same_as<typename F::Entry>;
  { F::is_present(entry) } -> lib::same_as<bool>;
  // A block (huge page) at a level above 0.
  { F::is_block(entry, level) } -> lib::same_as<bool>;
  { F::entry_address(entry) } -> lib::same_as<uint64_t>;
  { F::entry_permissions(entry) } -> lib::same_as<Permissions>;
};

// Supplies zeroed frames for tables and a pointer to any table frame.
class FrameSource {
 public:
  virtual lib::Result<uint64_t> allocate_table() = 0;  // a zeroed frame
  virtual void free_table(uint64_t phys) = 0;
  virtual void* table_pointer(uint64_t phys) = 0;

 protected:
  ~FrameSource() = default;
};

struct Translation {
  uint64_t phys;
  Permissions permissions;
};

template <PageTableFormat Format>
class PageTable {
 public:
  using Entry = typename Format::Entry;

  PageTable(FrameSource& frames, uint64_t root_phys) : frames_(frames), root_(root_phys) {}

  // Allocates an empty root table.
  static lib::Result<uint64_t> create_root(FrameSource& frames) { return frames.allocate_table(); }

  uint64_t root() const { return root_; }
  static constexpr unsigned levels() { return Format::kLevels; }

  // Bytes covered by one entry at `level`.
  static constexpr uint64_t span(unsigned level) {
    unsigned shift = kPageShift;
    for (unsigned l = 0; l < level; ++l) shift += Format::index_bits(l);
    return uint64_t{1} << shift;
  }
  // Size of the address range the table translates.
  static constexpr uint64_t coverage() { return span(Format::kLevels); }

  // Maps the 4 KiB page at `virt` to `phys`. kAlreadyExists if something is
  // mapped there; kNoMemory if a table could not be allocated (then nothing
  // changed but possibly an empty intermediate table, which unmap and
  // destroy reclaim).
  lib::Result<void> map(uint64_t virt, uint64_t phys, Permissions permissions) {
    if (virt % kPageSize != 0 || phys % kPageSize != 0) return lib::Status::kInvalidArgs;
    Entry* slot = TRY(walk(virt, /*create=*/true));
    if (Format::is_present(*slot)) return lib::Status::kAlreadyExists;
    *slot = Format::leaf_entry(phys, permissions);
    return {};
  }

  // Maps one level-1 block (span(1) bytes, both addresses aligned to it).
  // For the kernel's direct map: blocks are never unmapped.
  lib::Result<void> map_block(uint64_t virt, uint64_t phys, Permissions permissions) {
    if (virt % span(1) != 0 || phys % span(1) != 0) return lib::Status::kInvalidArgs;
    uint64_t table = root_;
    for (unsigned level = Format::kLevels - 1; level > 1; --level) {
      Entry* entry = entry_at(table, level, virt);
      if (!Format::is_present(*entry)) {
        uint64_t next = TRY(frames_.allocate_table());
        *entry = Format::table_entry(next);
      } else if (Format::is_block(*entry, level)) {
        return lib::Status::kAlreadyExists;
      }
      table = Format::entry_address(*entry);
    }
    Entry* slot = entry_at(table, 1, virt);
    if (Format::is_present(*slot)) return lib::Status::kAlreadyExists;
    *slot = Format::block_entry(phys, permissions);
    return {};
  }

  // Maps [virt, virt + size) to [phys, phys + size) with the largest pages
  // the alignment allows (blocks where both addresses and the remaining size
  // allow, 4 KiB pages elsewhere). Used for the direct map.
  lib::Result<void> map_range_large(uint64_t virt, uint64_t phys, uint64_t size,
                                    Permissions permissions) {
    if (virt % kPageSize != 0 || phys % kPageSize != 0 || size % kPageSize != 0) {
      return lib::Status::kInvalidArgs;
    }
    const uint64_t block = span(1);
    uint64_t offset = 0;
    while (offset < size) {
      uint64_t v = virt + offset, p = phys + offset;
      if (v % block == 0 && p % block == 0 && size - offset >= block) {
        TRY(map_block(v, p, permissions));
        offset += block;
      } else {
        TRY(map(v, p, permissions));
        offset += kPageSize;
      }
    }
    return {};
  }

  // Ensures the table one level below the root exists for `virt`'s root
  // slot (kernel slots are created once, so every address space can share
  // them by copying root entries).
  lib::Result<void> ensure_root_slot(uint64_t virt) {
    Entry* entry = entry_at(root_, Format::kLevels - 1, virt);
    if (Format::is_present(*entry)) return {};
    uint64_t next = TRY(frames_.allocate_table());
    *entry = Format::table_entry(next);
    return {};
  }

  // Maps the pages covering [start, end) of the kernel image, which is linked
  // at its physical address + `link_offset` (every arch's image mapping).
  lib::Result<void> map_image_range(const void* start, const void* end, uint64_t link_offset,
                                    Permissions permissions) {
    uint64_t first = reinterpret_cast<uintptr_t>(start) & ~uint64_t{kPageSize - 1};
    uint64_t last = (reinterpret_cast<uintptr_t>(end) + kPageSize - 1) & ~uint64_t{kPageSize - 1};
    return map_range(first, first - link_offset, last - first, permissions);
  }

  // Maps [virt, virt + size) to [phys, phys + size), page by page. On failure
  // the pages already mapped by this call are unmapped again.
  lib::Result<void> map_range(uint64_t virt, uint64_t phys, uint64_t size,
                              Permissions permissions) {
    if (size % kPageSize != 0) return lib::Status::kInvalidArgs;
    for (uint64_t offset = 0; offset < size; offset += kPageSize) {
      auto mapped = map(virt + offset, phys + offset, permissions);
      if (!mapped.ok()) {
        for (uint64_t undo = 0; undo < offset; undo += kPageSize) (void)unmap(virt + undo);
        return mapped.status();
      }
    }
    return {};
  }

  // Removes the mapping at `virt` and returns the physical page it mapped;
  // kNotFound if nothing was mapped. Tables left empty are freed unless
  // `keep_tables` (the kernel's shared tables must stay).
  lib::Result<uint64_t> unmap(uint64_t virt, bool keep_tables = false) {
    if (virt % kPageSize != 0) return lib::Status::kInvalidArgs;
    Entry* path[Format::kLevels] = {};
    uint64_t table = root_;
    for (unsigned level = Format::kLevels; level-- > 0;) {
      Entry* entry = entry_at(table, level, virt);
      path[level] = entry;
      if (!Format::is_present(*entry)) return lib::Status::kNotFound;
      if (level == 0) break;
      if (Format::is_block(*entry, level)) return lib::Status::kNotSupported;
      table = Format::entry_address(*entry);
    }
    uint64_t phys = Format::entry_address(*path[0]);
    *path[0] = Entry{0};
    // Free tables that became empty, bottom up (never the root).
    for (unsigned level = 0; !keep_tables && level + 1 < Format::kLevels; ++level) {
      uint64_t table_phys = Format::entry_address(*path[level + 1]);
      if (!table_empty(table_phys, level)) break;
      *path[level + 1] = Entry{0};
      frames_.free_table(table_phys);
    }
    return phys;
  }

  // The translation of `virt`; kNotFound if unmapped.
  lib::Result<Translation> query(uint64_t virt) const {
    uint64_t table = root_;
    for (unsigned level = Format::kLevels; level-- > 0;) {
      Entry entry = *entry_at(table, level, virt);
      if (!Format::is_present(entry)) return lib::Status::kNotFound;
      if (level == 0 || Format::is_block(entry, level)) {
        uint64_t offset = virt & (span(level) - 1);
        return Translation{Format::entry_address(entry) + offset, Format::entry_permissions(entry)};
      }
      table = Format::entry_address(entry);
    }
    return lib::Status::kNotFound;
  }

  // Frees every table below the root whose entries lie in root slots
  // [first_slot, last_slot), and the root itself if `free_root`. The mapped
  // pages are not freed: their owner (an address space) does that.
  void destroy(unsigned first_slot, unsigned last_slot, bool free_root) {
    Entry* root = table_entries(root_);
    for (unsigned slot = first_slot; slot < last_slot; ++slot) {
      if (Format::is_present(root[slot]) && !Format::is_block(root[slot], Format::kLevels - 1)) {
        free_subtree(Format::entry_address(root[slot]), Format::kLevels - 2);
      }
      root[slot] = Entry{0};
    }
    if (free_root) frames_.free_table(root_);
  }

  // Visits every mapped leaf in root slots [first_slot, last_slot):
  // visit(virt, phys) for each 4 KiB page.
  template <typename Visitor>
  void for_each_page(unsigned first_slot, unsigned last_slot, Visitor&& visit) const {
    Entry* root = table_entries(root_);
    for (unsigned slot = first_slot; slot < last_slot; ++slot) {
      if (!Format::is_present(root[slot])) continue;
      uint64_t base = uint64_t{slot} * span(Format::kLevels - 1);
      visit_subtree(Format::entry_address(root[slot]), Format::kLevels - 2, base, visit);
    }
  }

 private:
  Entry* table_entries(uint64_t phys) const {
    return static_cast<Entry*>(frames_.table_pointer(phys));
  }

  static unsigned index(unsigned level, uint64_t virt) {
    return static_cast<unsigned>((virt / span(level)) &
                                 ((uint64_t{1} << Format::index_bits(level)) - 1));
  }

  Entry* entry_at(uint64_t table, unsigned level, uint64_t virt) const {
    return &table_entries(table)[index(level, virt)];
  }

  bool table_empty(uint64_t table, unsigned level) const {
    Entry* entries = table_entries(table);
    for (size_t i = 0; i < (size_t{1} << Format::index_bits(level)); ++i) {
      if (Format::is_present(entries[i])) return false;
    }
    return true;
  }

  // The level-0 entry for `virt`, creating intermediate tables if asked.
  lib::Result<Entry*> walk(uint64_t virt, bool create) {
    uint64_t table = root_;
    for (unsigned level = Format::kLevels - 1; level > 0; --level) {
      Entry* entry = entry_at(table, level, virt);
      if (!Format::is_present(*entry)) {
        if (!create) return lib::Status::kNotFound;
        uint64_t next = TRY(frames_.allocate_table());
        *entry = Format::table_entry(next);
      } else if (Format::is_block(*entry, level)) {
        return lib::Status::kAlreadyExists;  // inside a huge page
      }
      table = Format::entry_address(*entry);
    }
    return entry_at(table, 0, virt);
  }

  void free_subtree(uint64_t table, unsigned level) {
    if (level > 0) {
      Entry* entries = table_entries(table);
      for (size_t i = 0; i < (size_t{1} << Format::index_bits(level)); ++i) {
        if (Format::is_present(entries[i]) && !Format::is_block(entries[i], level)) {
          free_subtree(Format::entry_address(entries[i]), level - 1);
        }
      }
    }
    frames_.free_table(table);
  }

  template <typename Visitor>
  void visit_subtree(uint64_t table, unsigned level, uint64_t base, Visitor& visit) const {
    Entry* entries = table_entries(table);
    for (size_t i = 0; i < (size_t{1} << Format::index_bits(level)); ++i) {
      if (!Format::is_present(entries[i])) continue;
      uint64_t virt = base + i * span(level);
      if (level == 0) {
        visit(virt, Format::entry_address(entries[i]));
      } else if (!Format::is_block(entries[i], level)) {
        visit_subtree(Format::entry_address(entries[i]), level - 1, virt, visit);
      }
    }
  }

  FrameSource& frames_;
  uint64_t root_;
};

}  // namespace mm
