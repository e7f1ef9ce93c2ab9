// Heap: the kernel's general-purpose allocator, for whatever is not a
// fixed-size object with its own SlabCache.
//
// Sizes up to 1 KiB come from power-of-two slab caches (16 B .. 1 KiB), so
// they cost O(1); larger requests take whole pages from the page source
// (one page each for now: a request over a page fails with kInvalidArgs —
// the kernel keeps large buffers in page-granular objects instead).
// Callers give the size back when freeing (as C++ sized delete does), so no
// per-allocation header is needed.
#pragma once

#include <stddef.h>

#include <core/mm/slab.h>
#include <lib/result.h>

namespace mm {

class Heap {
 public:
  static constexpr size_t kClassCount = 7;  // 16 .. 1024

  explicit constexpr Heap(PageSource* pages)
      : pages_(pages), classes_{{"heap-16", 16, pages},    {"heap-32", 32, pages},
                                {"heap-64", 64, pages},    {"heap-128", 128, pages},
                                {"heap-256", 256, pages},  {"heap-512", 512, pages},
                                {"heap-1024", 1024, pages}} {}

  lib::Result<void*> allocate(size_t size);
  lib::Result<void> free(void* pointer, size_t size);

  // Returns every size class's spare slab to the page source.
  void shrink() {
    for (auto& size_class : classes_) size_class.shrink();
  }

  const SlabCache& size_class(size_t i) const { return classes_[i]; }
  size_t large_pages() const { return large_pages_; }

 private:
  static size_t class_index(size_t size);

  PageSource* pages_;
  SlabCache classes_[kClassCount];
  size_t large_pages_ = 0;
};

}  // namespace mm
