#include <core/mm/memory.h>
#include <core/user/hardware.h>

namespace user {
namespace {

using Platform = arch::Platform;

constinit SpinLock g_irq_lock;
constinit Irq* g_irqs[Platform::kIrqCount] GUARDED_BY(g_irq_lock) = {};
constinit bool g_irq_pending[Platform::kIrqCount] GUARDED_BY(g_irq_lock) = {};

}  // namespace

lib::Result<Resource*> Resource::create(const ResourceRanges& ranges) {
  Resource* r = TRY(make_object<Resource>());
  r->ranges_ = ranges;
  return r;
}

void Resource::destroy() {
  free_object(this);
}

lib::Result<MemoryObject*> MemoryObject::create(size_t pages) {
  if (pages == 0 || pages > kMaxPages) return lib::Status::kInvalidArgs;
  MemoryObject* m = TRY(make_object<MemoryObject>());
  auto table = m->frames_.init(pages);
  if (!table.ok()) {
    free_object(m);
    return table.status();
  }
  for (size_t i = 0; i < pages; ++i) {
    auto frame = mm::frames().allocate();
    bool zeroed = frame.ok() && mm::zero_frame(frame.value()).ok();
    if (!zeroed) {
      if (frame.ok()) (void)mm::frames().free(frame.value());
      m->pages_ = i;
      m->destroy();
      return lib::Status::kNoMemory;
    }
    m->frames_[i] = frame.value();
  }
  m->pages_ = pages;
  return m;
}

lib::Result<MemoryObject*> MemoryObject::create_physical(uint64_t physical, size_t pages) {
  if (pages == 0 || physical % mm::kPageSize != 0) return lib::Status::kInvalidArgs;
  MemoryObject* m = TRY(make_object<MemoryObject>());
  m->physical_ = physical;
  m->pages_ = pages;
  return m;
}

lib::Result<MemoryObject*> MemoryObject::create_contiguous(size_t pages) {
  if (pages == 0 || pages > kMaxDmaPages) return lib::Status::kInvalidArgs;
  MemoryObject* m = TRY(make_object<MemoryObject>());
  auto run = mm::frames().allocate_contiguous(pages, 1);
  if (!run.ok()) {
    free_object(m);
    return run.status();
  }
  m->physical_ = run.value();
  m->pages_ = pages;
  m->owns_run_ = true;
  for (size_t i = 0; i < pages; ++i) {
    if (!mm::zero_frame(m->frame(i)).ok()) {
      m->destroy();
      return lib::Status::kNoMemory;
    }
  }
  return m;
}

void MemoryObject::destroy() {
  // Mappings hold references (memory_mapping.h): no process reaches the
  // frames any more.
  if (owns_run_) {
    (void)mm::frames().free_contiguous(physical_, pages_);
  } else if (frames_.length() != 0) {
    for (size_t i = 0; i < pages_; ++i) (void)mm::frames().free(frames_[i]);
  }
  frames_.destroy();
  free_object(this);
}

lib::Result<Irq*> Irq::create(unsigned irq, Endpoint* endpoint, uintptr_t tag) {
  if (irq >= Platform::kIrqCount || endpoint == nullptr) return lib::Status::kInvalidArgs;
  Irq* object = TRY(make_object<Irq>());
  object->irq_ = irq;
  object->tag_ = tag;
  endpoint->ref();
  object->endpoint_ = endpoint;
  {
    SpinLockGuard guard(g_irq_lock);
    if (g_irqs[irq] != nullptr) {
      object->destroy();
      return lib::Status::kBusy;
    }
    g_irqs[irq] = object;
    g_irq_pending[irq] = false;
  }
  auto routed = Platform::irq_route(irq, &Irq::fired);
  if (!routed.ok()) {
    {
      SpinLockGuard guard(g_irq_lock);
      g_irqs[irq] = nullptr;
    }
    object->destroy();
    return routed.status();
  }
  object->routed_ = true;
  Platform::irq_unmask(irq);
  return object;
}

void Irq::fired(unsigned irq) {
  // Interrupt context, the line masked until the driver acknowledges.
  SpinLockGuard guard(g_irq_lock);
  Irq* object = g_irqs[irq];
  if (object == nullptr) return;
  Message message;
  message.label = MICA_LABEL_IRQ;
  message.words[0] = irq;
  message.words[1] = object->tag_;
  if (!object->endpoint_->send(message, /*nonblock=*/true).ok()) g_irq_pending[irq] = true;
}

lib::Result<void> Irq::acknowledge() {
  {
    SpinLockGuard guard(g_irq_lock);
    if (g_irq_pending[irq_]) {
      // The last one found the queue full: deliver it now, line still masked.
      Message message;
      message.label = MICA_LABEL_IRQ;
      message.words[0] = irq_;
      message.words[1] = tag_;
      if (endpoint_->send(message, /*nonblock=*/true).ok()) g_irq_pending[irq_] = false;
      return {};
    }
  }
  Platform::irq_unmask(irq_);
  return {};
}

void Irq::on_last_handle_closed() {
  if (!routed_) return;
  Platform::irq_release(irq_);
  SpinLockGuard guard(g_irq_lock);
  if (g_irqs[irq_] == this) g_irqs[irq_] = nullptr;
  routed_ = false;
}

void Irq::destroy() {
  if (routed_) on_last_handle_closed();
  if (endpoint_ != nullptr) endpoint_->unref();
  free_object(this);
}

}  // namespace user
