// SlabCache: O(1) allocation of fixed-size kernel objects.
//
// Each slab is one page: a header, a bitmap of objects in use, then the
// objects. Free objects form an intrusive list inside their slab; slabs with
// free objects are on the cache's partial list. Allocation pops from the
// first partial slab (or takes a new page), freeing pushes back onto the
// object's slab (found by rounding the address down to the page). All O(1).
// An empty slab is kept as a spare; a second empty slab goes back to the
// page source, so a burst does not pin memory forever.
//
// Freeing a pointer that is not an allocated object of this cache (a double
// free, a pointer into the middle of an object, one from another cache) is
// detected through the bitmap and the slab's owner, and refused.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <lib/result.h>

namespace mm {

// Where slabs come from: whole pages, mapped, page-aligned.
class PageSource {
 public:
  virtual lib::Result<void*> allocate_page() = 0;
  virtual void free_page(void* page) = 0;

 protected:
  ~PageSource() = default;
};

class SlabCache {
 public:
  static constexpr size_t kSlabSize = 4096;
  static constexpr size_t kMinObjectSize = 16;
  static constexpr size_t kMaxObjectSize = 1024;

  // `name` is for reports and must outlive the cache. Object size is rounded
  // up to a multiple of 16 (the alignment every object gets).
  constexpr SlabCache(const char* name, size_t object_size, PageSource* pages)
      : name_(name), object_size_(round_up(object_size)), pages_(pages) {}

  SlabCache(const SlabCache&) = delete;
  SlabCache& operator=(const SlabCache&) = delete;

  // kNoMemory when no page could be had; kInvalidArgs for a bad object size.
  lib::Result<void*> allocate();
  // kInvalidArgs if `object` is not a live object of this cache.
  lib::Result<void> free(void* object);

  // Returns the spare empty slab to the page source (memory pressure, or a
  // cache being retired). Live objects are untouched.
  void shrink();

  const char* name() const { return name_; }
  size_t object_size() const { return object_size_; }
  size_t objects_per_slab() const;
  size_t live_objects() const { return live_objects_; }
  size_t slab_count() const { return slab_count_; }

 private:
  struct Slab;

  static constexpr size_t round_up(size_t size) {
    size = size < kMinObjectSize ? kMinObjectSize : size;
    return (size + 15) & ~size_t{15};
  }
  size_t first_object_offset() const;
  lib::Result<Slab*> grow();
  void unlink_partial(Slab* slab);

  const char* name_;
  size_t object_size_;
  PageSource* pages_;
  Slab* partial_ = nullptr;  // slabs with at least one free object
  Slab* spare_ = nullptr;    // one fully free slab kept back
  size_t live_objects_ = 0;
  size_t slab_count_ = 0;
};

}  // namespace mm
