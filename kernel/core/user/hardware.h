// Hardware objects for user drivers: the resource that grants hardware,
// memory objects (shared memory) and IRQs delivered as messages.
#pragma once

#include <stdint.h>

#include <core/user/endpoint.h>
#include <core/user/object.h>
#include <core/user/paged_array.h>
#include <core/user/resource_ranges.h>

namespace user {

// The right to claim the hardware in its ranges; init gets the root one
// (everything) and hands each driver a narrower one (MICA_SYS_RESOURCE_CREATE)
// with MICA_RIGHT_GRANT. The ranges never change after creation, so they
// are read without a lock.
class Resource final : public Object {
 public:
  static lib::Result<Resource*> create(const ResourceRanges& ranges);
  const ResourceRanges& ranges() const { return ranges_; }
  void cancel_wait(sched::Thread*) override {}
  uint32_t signals() override { return 0; }

 private:
  MICA_OBJECT_ALLOCATION;
  Resource() : Object(ObjectType::kResource) {}
  ~Resource() = default;
  void destroy() override;

  ResourceRanges ranges_;
};

// Shared memory: a fixed set of frames, mapped into any number of processes;
// freed with the last reference (each mapping holds one: see
// memory_mapping.h).
class MemoryObject final : public Object {
 public:
  static constexpr size_t kMaxPages = 4096;                         // 16 MiB
  static constexpr size_t kMaxDmaPages = MICA_DMA_MAX_SIZE / 4096;  // contiguous runs are scarce
  // A new object of `pages` zeroed frames, or one over physical memory the
  // kernel does not manage (a boot module: `physical`, not freed).
  static lib::Result<MemoryObject*> create(size_t pages);
  static lib::Result<MemoryObject*> create_physical(uint64_t physical, size_t pages);
  // DMA memory: `pages` (1..kMaxDmaPages) physically contiguous zeroed
  // frames from physical() on, given back as one run when the object goes.
  // kInvalidArgs, kNoMemory.
  static lib::Result<MemoryObject*> create_contiguous(size_t pages);
  uint64_t physical() const { return physical_; }

  size_t pages() const { return pages_; }
  uint64_t frame(size_t page) const {
    return frames_.length() != 0 ? frames_[page] : physical_ + page * 4096;
  }
  void cancel_wait(sched::Thread*) override {}
  uint32_t signals() override { return 0; }

 private:
  MICA_OBJECT_ALLOCATION;
  MemoryObject() : Object(ObjectType::kMemory) {}
  ~MemoryObject() = default;
  void destroy() override;

  PagedArray<uint64_t> frames_;  // owned frames (empty: from physical_ on)
  uint64_t physical_ = 0;
  size_t pages_ = 0;
  bool owns_run_ = false;  // physical_.. is a contiguous run to free
};

// A device interrupt routed to an endpoint as a MICA_LABEL_IRQ message. The
// line stays masked from one interrupt until the driver acknowledges it, so
// at most one message per IRQ is ever queued.
class Irq final : public Object {
 public:
  static lib::Result<Irq*> create(unsigned irq, Endpoint* endpoint, uintptr_t tag);
  lib::Result<void> acknowledge();
  void cancel_wait(sched::Thread*) override {}
  uint32_t signals() override { return 0; }
  // From the arch's interrupt handler.
  static void fired(unsigned irq);

 private:
  MICA_OBJECT_ALLOCATION;
  Irq() : Object(ObjectType::kIrq) {}
  ~Irq() = default;
  void destroy() override;
  void on_last_handle_closed() override;

  unsigned irq_ = 0;
  Endpoint* endpoint_ = nullptr;  // a reference
  uintptr_t tag_ = 0;
  bool routed_ = false;
};

}  // namespace user
