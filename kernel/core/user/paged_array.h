// PagedArray<T>: a fixed-length array of T spread over whole pages from the
// kernel heap (which hands out at most a page at a time), so per-object
// tables (handles, queues, buffers) may be larger than a page without
// needing contiguous memory. Elements never straddle a page.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <core/mm/memory.h>
#include <lib/new.h>
#include <lib/result.h>

namespace user {

template <typename T>
class PagedArray {
 public:
  static constexpr size_t kPage = 4096;
  static constexpr size_t kPerPage = kPage / sizeof(T);
  static_assert(kPerPage >= 1, "elements larger than a page");
  // The page-pointer table is itself one heap block (at most a page).
  static constexpr size_t kMaxLength = (kPage / sizeof(void*)) * kPerPage;

  PagedArray() = default;
  PagedArray(const PagedArray&) = delete;
  PagedArray& operator=(const PagedArray&) = delete;
  ~PagedArray() { destroy(); }

  // Allocates `length` value-initialised elements. kInvalidArgs above
  // kMaxLength, kNoMemory (nothing kept).
  lib::Result<void> init(size_t length) {
    if (length == 0 || length > kMaxLength) return lib::Status::kInvalidArgs;
    size_t pages = (length + kPerPage - 1) / kPerPage;
    void* table = TRY(mm::heap().allocate(pages * sizeof(T*)));
    pages_ = static_cast<T**>(table);
    page_count_ = pages;
    for (size_t i = 0; i < pages; ++i) pages_[i] = nullptr;
    for (size_t i = 0; i < pages; ++i) {
      auto page = mm::heap().allocate(kPage);
      if (!page.ok()) {
        destroy();
        return page.status();
      }
      pages_[i] = static_cast<T*>(page.value());
      for (size_t j = 0; j < kPerPage; ++j) new (&pages_[i][j]) T();
    }
    length_ = length;
    return {};
  }

  void destroy() {
    if (pages_ == nullptr) return;
    for (size_t i = 0; i < page_count_; ++i) {
      if (pages_[i] != nullptr) (void)mm::heap().free(pages_[i], kPage);
    }
    (void)mm::heap().free(pages_, page_count_ * sizeof(T*));
    pages_ = nullptr;
    page_count_ = length_ = 0;
  }

  size_t length() const { return length_; }
  T& operator[](size_t i) { return pages_[i / kPerPage][i % kPerPage]; }
  const T& operator[](size_t i) const { return pages_[i / kPerPage][i % kPerPage]; }
  // The contiguous run of elements from i to the end of its page.
  size_t run_from(size_t i) const { return kPerPage - i % kPerPage; }

 private:
  T** pages_ = nullptr;
  size_t page_count_ = 0;
  size_t length_ = 0;
};

}  // namespace user
