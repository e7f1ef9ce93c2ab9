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
// freed with the last reference (mappings do not hold one: a process
// unmaps, or dies, before the frames can go; see MemoryObject::destroy).
class MemoryObject final : public Object {
 public:
  static constexpr size_t kMaxPages = 4096;  // 16 MiB
  // A new object of `pages` zeroed frames, or one over physical memory the
  // kernel does not manage (a boot module: `physical`, not freed).
  static lib::Result<MemoryObject*> create(size_t pages);
  static lib::Result<MemoryObject*> create_physical(uint64_t physical, size_t pages);

  size_t pages() const { return pages_; }
  uint64_t frame(size_t page) const {
    return frames_.length() != 0 ? frames_[page] : physical_ + page * 4096;
  }
  // Mappings into processes count here; the frames outlive them.
  void mapped() { __atomic_add_fetch(&mappings_, 1, __ATOMIC_RELAXED); }

  void cancel_wait(sched::Thread*) override {}
  uint32_t signals() override { return 0; }

 private:
  MICA_OBJECT_ALLOCATION;
  MemoryObject() : Object(ObjectType::kMemory) {}
  ~MemoryObject() = default;
  void destroy() override;

  PagedArray<uint64_t> frames_;  // owned frames (empty: physical_)
  uint64_t physical_ = 0;
  size_t pages_ = 0;
  uint32_t mappings_ = 0;
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
