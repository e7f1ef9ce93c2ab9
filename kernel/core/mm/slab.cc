#include <core/mm/slab.h>
#include <lib/string.h>

namespace mm {

struct SlabCache::Slab {
  static constexpr size_t kBitmapWords = kSlabSize / kMinObjectSize / 64;

  SlabCache* owner;
  Slab* next;  // partial list
  Slab* prev;
  void* free_list;  // first free object; each free object holds the next
  uint32_t in_use;
  uint32_t capacity;
  uint64_t used[kBitmapWords];  // bit i: object i is allocated
};

size_t SlabCache::first_object_offset() const {
  return (sizeof(Slab) + 15) & ~size_t{15};
}

size_t SlabCache::objects_per_slab() const {
  if (object_size_ > kMaxObjectSize) return 0;
  return (kSlabSize - first_object_offset()) / object_size_;
}

lib::Result<SlabCache::Slab*> SlabCache::grow() {
  if (objects_per_slab() == 0) return lib::Status::kInvalidArgs;
  void* page = TRY(pages_->allocate_page());
  auto* slab = static_cast<Slab*>(page);
  memset(slab, 0, sizeof(Slab));
  slab->owner = this;
  slab->capacity = static_cast<uint32_t>(objects_per_slab());
  // Thread the free list through the objects, lowest address first.
  auto* base = static_cast<uint8_t*>(page) + first_object_offset();
  void* next = nullptr;
  for (size_t i = slab->capacity; i-- > 0;) {
    void* object = base + i * object_size_;
    *static_cast<void**>(object) = next;
    next = object;
  }
  slab->free_list = next;
  ++slab_count_;
  return slab;
}

void SlabCache::unlink_partial(Slab* slab) {
  if (slab->prev != nullptr)
    slab->prev->next = slab->next;
  else
    partial_ = slab->next;
  if (slab->next != nullptr) slab->next->prev = slab->prev;
  slab->next = slab->prev = nullptr;
}

lib::Result<void*> SlabCache::allocate() {
  Slab* slab = partial_;
  if (slab == nullptr) {
    if (spare_ != nullptr) {
      slab = spare_;
      spare_ = nullptr;
    } else {
      slab = TRY(grow());
    }
    slab->next = nullptr;
    slab->prev = nullptr;
    partial_ = slab;
  }
  void* object = slab->free_list;
  slab->free_list = *static_cast<void**>(object);
  size_t index =
      (static_cast<uint8_t*>(object) - reinterpret_cast<uint8_t*>(slab) - first_object_offset()) /
      object_size_;
  slab->used[index / 64] |= uint64_t{1} << (index % 64);
  if (++slab->in_use == slab->capacity) unlink_partial(slab);
  ++live_objects_;
  return object;
}

lib::Result<void> SlabCache::free(void* object) {
  if (object == nullptr) return lib::Status::kInvalidArgs;
  auto address = reinterpret_cast<uintptr_t>(object);
  auto* slab = reinterpret_cast<Slab*>(address & ~(uintptr_t{kSlabSize} - 1));
  if (slab->owner != this) return lib::Status::kInvalidArgs;
  size_t offset = address - reinterpret_cast<uintptr_t>(slab);
  if (offset < first_object_offset()) return lib::Status::kInvalidArgs;
  offset -= first_object_offset();
  if (offset % object_size_ != 0) return lib::Status::kInvalidArgs;
  size_t index = offset / object_size_;
  if (index >= slab->capacity) return lib::Status::kInvalidArgs;
  uint64_t bit = uint64_t{1} << (index % 64);
  if ((slab->used[index / 64] & bit) == 0) return lib::Status::kInvalidArgs;  // double free

  slab->used[index / 64] &= ~bit;
  *static_cast<void**>(object) = slab->free_list;
  slab->free_list = object;
  --live_objects_;
  bool was_full = slab->in_use-- == slab->capacity;
  if (was_full) {
    slab->prev = nullptr;
    slab->next = partial_;
    if (partial_ != nullptr) partial_->prev = slab;
    partial_ = slab;
  }
  if (slab->in_use == 0) {
    unlink_partial(slab);
    if (spare_ == nullptr) {
      spare_ = slab;
    } else {
      slab->owner = nullptr;
      --slab_count_;
      pages_->free_page(slab);
    }
  }
  return {};
}

void SlabCache::shrink() {
  if (spare_ == nullptr) return;
  spare_->owner = nullptr;
  pages_->free_page(spare_);
  spare_ = nullptr;
  --slab_count_;
}

}  // namespace mm
