#include <core/mm/address_space.h>
#include <core/mm/memory.h>
#include <core/sync/spinlock.h>
#include <lib/new.h>
#include <lib/string.h>

namespace mm {
namespace {

// Guards the object cache and the ASID bitmap.
constinit SpinLock g_lock;
constinit SlabCache g_cache("address-space", sizeof(AddressSpace), nullptr);
constinit bool g_cache_ready = false;

// ASIDs tag TLB entries on arches that have them (AArch64; x86 uses 0 for
// every space); 0 is the kernel's. There, 255 spaces may be live at once
// (TODO(issue 6): recycling ASIDs by generation, with a TLB flush).
constexpr unsigned kAsidCount = 256;
constinit uint64_t g_asids_used[kAsidCount / 64] = {1};

lib::Result<uint16_t> allocate_asid() {
  for (unsigned word = 0; word < kAsidCount / 64; ++word) {
    if (~g_asids_used[word] == 0) continue;
    unsigned bit = static_cast<unsigned>(__builtin_ctzll(~g_asids_used[word]));
    g_asids_used[word] |= uint64_t{1} << bit;
    return static_cast<uint16_t>(word * 64 + bit);
  }
  return lib::Status::kNoSpace;
}

void free_asid(uint16_t asid) {
  g_asids_used[asid / 64] &= ~(uint64_t{1} << (asid % 64));
}

}  // namespace

uint64_t AddressSpace::user_limit() {
  return uint64_t{arch::Platform::kUserSlotEnd} * Table::span(Table::levels() - 1);
}

lib::Result<AddressSpace*> AddressSpace::create() {
  void* memory;
  uint16_t asid;
  {
    SpinLockGuard guard(g_lock);
    if (!g_cache_ready) {
      new (&g_cache) SlabCache("address-space", sizeof(AddressSpace), &kernel_pages());
      g_cache_ready = true;
    }
    memory = TRY(g_cache.allocate());
    auto allocated =
        arch::Platform::kHasAsids ? allocate_asid() : lib::Result<uint16_t>(uint16_t{0});
    if (!allocated.ok()) {
      (void)g_cache.free(memory);
      return lib::Status::kNoMemory;
    }
    asid = allocated.value();
  }
  auto root = arch::Platform::new_user_root(table_frames());
  if (!root.ok()) {
    SpinLockGuard guard(g_lock);
    if (arch::Platform::kHasAsids) free_asid(asid);
    (void)g_cache.free(memory);
    return root.status();
  }
  return new (memory) AddressSpace(table_frames(), root.value(), asid);
}

void AddressSpace::destroy() {
  table_.for_each_page(arch::Platform::kUserSlotBegin, arch::Platform::kUserSlotEnd,
                       [this](uint64_t virt, uint64_t phys) {
                         auto t = table_.query(virt);
                         if (t.ok() && t.value().permissions.owned) (void)frames().free(phys);
                       });
  table_.destroy(arch::Platform::kUserSlotBegin, arch::Platform::kUserSlotEnd,
                 /*free_root=*/true);
  uint16_t asid = asid_;
  this->~AddressSpace();
  SpinLockGuard guard(g_lock);
  if (arch::Platform::kHasAsids) free_asid(asid);
  (void)g_cache.free(this);
}

lib::Result<void> AddressSpace::check_user_range(uint64_t virt) const {
  if (virt >= user_limit()) return lib::Status::kOutOfRange;
  return {};
}

lib::Result<void> AddressSpace::map_new_page(uint64_t virt, Permissions permissions) {
  TRY(check_user_range(virt));
  uint64_t phys = TRY(frames().allocate());
  auto zeroed = zero_frame(phys);
  if (!zeroed.ok()) {
    (void)frames().free(phys);
    return zeroed.status();
  }
  permissions.owned = true;
  permissions.user = true;
  auto mapped = table_.map(virt, phys, permissions);
  if (!mapped.ok()) {
    (void)frames().free(phys);
    return mapped.status();
  }
  ++owned_pages_;
  return {};
}

lib::Result<void> AddressSpace::map(uint64_t virt, uint64_t phys, Permissions permissions) {
  TRY(check_user_range(virt));
  permissions.owned = false;
  permissions.user = true;
  TRY(table_.map(virt, phys, permissions));
  ++borrowed_pages_;
  return {};
}

lib::Result<void> AddressSpace::unmap(uint64_t virt) {
  TRY(check_user_range(virt));
  Translation t = TRY(table_.query(virt));
  uint64_t phys = TRY(table_.unmap(virt));
  arch::Platform::invalidate_tlb_page(virt);
  if (t.permissions.owned) {
    (void)frames().free(phys);
    --owned_pages_;
  } else {
    --borrowed_pages_;
  }
  return {};
}

lib::Result<void> AddressSpace::protect(uint64_t virt, Permissions permissions) {
  TRY(check_user_range(virt));
  Translation t = TRY(table_.query(virt));
  permissions.owned = t.permissions.owned;
  permissions.user = true;
  permissions.device = t.permissions.device;
  uint64_t phys = TRY(table_.unmap(virt, /*keep_tables=*/true));
  auto mapped = table_.map(virt, phys, permissions);
  arch::Platform::invalidate_tlb_page(virt);
  return mapped;
}

lib::Result<Translation> AddressSpace::query(uint64_t virt) const {
  return table_.query(virt);
}

void AddressSpace::activate() const {
  arch::Platform::activate_address_space(root(), asid_);
}

}  // namespace mm
