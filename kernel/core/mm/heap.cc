#include <core/mm/heap.h>

namespace mm {

size_t Heap::class_index(size_t size) {
  size_t index = 0;
  for (size_t class_size = 16; class_size < size; class_size <<= 1) ++index;
  return index;
}

lib::Result<void*> Heap::allocate(size_t size) {
  if (size == 0) return lib::Status::kInvalidArgs;
  size_t index = class_index(size);
  if (index < kClassCount) return classes_[index].allocate();
  if (size > SlabCache::kSlabSize) return lib::Status::kInvalidArgs;
  void* page = TRY(pages_->allocate_page());
  ++large_pages_;
  return page;
}

lib::Result<void> Heap::free(void* pointer, size_t size) {
  if (pointer == nullptr || size == 0) return lib::Status::kInvalidArgs;
  size_t index = class_index(size);
  if (index < kClassCount) return classes_[index].free(pointer);
  if (size > SlabCache::kSlabSize) return lib::Status::kInvalidArgs;
  if (reinterpret_cast<uintptr_t>(pointer) % SlabCache::kSlabSize != 0) {
    return lib::Status::kInvalidArgs;
  }
  pages_->free_page(pointer);
  --large_pages_;
  return {};
}

}  // namespace mm
