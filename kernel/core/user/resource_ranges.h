// The ranges of a hardware resource (MICA_RESOURCE_*): which I/O ports,
// physical addresses and IRQs its holder may claim, and whether it may stop
// the system. A fixed, small set (MICA_RESOURCE_MAX_RANGES), so a check is
// bounded and a resource's kernel memory is too. Arch-free and mica-free
// apart from the ABI header: unit-tested on the host.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <lib/result.h>
#include <mica/syscall.h>

namespace user {

class ResourceRanges {
 public:
  static constexpr size_t kMaxRanges = MICA_RESOURCE_MAX_RANGES;
  static constexpr uint64_t kPageSize = MICA_PAGE_SIZE;
  static constexpr uint64_t kLastPort = 0xffff;

  // Everything: every port, every physical address, IRQs 0..irq_count - 1
  // and the system (init's root resource).
  static ResourceRanges everything(uint32_t irq_count);

  // The ranges `requests[0..count)` ask for, each of which must lie inside
  // one range of this set of the same kind. kInvalidArgs for a malformed
  // request (no ranges or too many, an unknown kind, a reserved field set,
  // size 0, a range that wraps, ports past 0xffff, MMIO not page-aligned, a
  // SYSTEM range with a base or size); kNotPermitted for one outside this
  // set.
  lib::Result<ResourceRanges> narrow(const mica_resource_range* requests, size_t count) const;

  // Whether [first, first + count) lies inside one range of `kind` (count 0
  // or a wrapping range: no).
  bool covers(uint32_t kind, uint64_t first, uint64_t count) const;
  bool covers_system() const;

  size_t count() const { return count_; }

 private:
  struct Range {
    uint32_t kind;
    uint64_t first;
    uint64_t last;  // inclusive: the root MMIO range ends at 2^64 - 1
  };
  bool covers_inclusive(uint32_t kind, uint64_t first, uint64_t last) const;

  Range ranges_[kMaxRanges] = {};
  size_t count_ = 0;
};

}  // namespace user
