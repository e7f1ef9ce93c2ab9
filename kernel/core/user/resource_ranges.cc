#include <core/user/resource_ranges.h>

namespace user {

ResourceRanges ResourceRanges::everything(uint32_t irq_count) {
  ResourceRanges r;
  r.ranges_[r.count_++] = {MICA_RESOURCE_IOPORT, 0, kLastPort};
  r.ranges_[r.count_++] = {MICA_RESOURCE_MMIO, 0, ~uint64_t{0}};
  if (irq_count > 0) r.ranges_[r.count_++] = {MICA_RESOURCE_IRQ, 0, irq_count - 1u};
  r.ranges_[r.count_++] = {MICA_RESOURCE_SYSTEM, 0, 0};
  return r;
}

lib::Result<ResourceRanges> ResourceRanges::narrow(const mica_resource_range* requests,
                                                   size_t count) const {
  if (count == 0 || count > kMaxRanges) return lib::Status::kInvalidArgs;
  ResourceRanges out;
  for (size_t i = 0; i < count; ++i) {
    const mica_resource_range& q = requests[i];
    if (q.reserved != 0) return lib::Status::kInvalidArgs;
    Range range = {q.kind, q.base, 0};
    switch (q.kind) {
      case MICA_RESOURCE_SYSTEM:
        if (q.base != 0 || q.size != 0) return lib::Status::kInvalidArgs;
        if (!covers_system()) return lib::Status::kNotPermitted;
        out.ranges_[out.count_++] = range;
        continue;
      case MICA_RESOURCE_IOPORT:
      case MICA_RESOURCE_MMIO:
      case MICA_RESOURCE_IRQ:
        break;
      default:
        return lib::Status::kInvalidArgs;
    }
    // [base, base + size): no empty range, none that wraps past 2^64.
    if (q.size == 0 || q.size - 1 > ~uint64_t{0} - q.base) return lib::Status::kInvalidArgs;
    range.last = q.base + (q.size - 1);
    if (q.kind == MICA_RESOURCE_IOPORT && range.last > kLastPort) return lib::Status::kInvalidArgs;
    // Mappings are whole pages: a part of one would grant all of it.
    if (q.kind == MICA_RESOURCE_MMIO && (q.base % kPageSize != 0 || q.size % kPageSize != 0)) {
      return lib::Status::kInvalidArgs;
    }
    if (!covers_inclusive(q.kind, range.first, range.last)) return lib::Status::kNotPermitted;
    out.ranges_[out.count_++] = range;
  }
  return out;
}

bool ResourceRanges::covers(uint32_t kind, uint64_t first, uint64_t count) const {
  if (count == 0 || count - 1 > ~uint64_t{0} - first) return false;
  return covers_inclusive(kind, first, first + (count - 1));
}

bool ResourceRanges::covers_system() const {
  for (size_t i = 0; i < count_; ++i) {
    if (ranges_[i].kind == MICA_RESOURCE_SYSTEM) return true;
  }
  return false;
}

bool ResourceRanges::covers_inclusive(uint32_t kind, uint64_t first, uint64_t last) const {
  for (size_t i = 0; i < count_; ++i) {
    const Range& r = ranges_[i];
    if (r.kind == kind && r.first <= first && last <= r.last) return true;
  }
  return false;
}

}  // namespace user
