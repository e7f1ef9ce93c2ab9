// Device interrupts for user drivers (Platform::irq_route and friends): a
// handler per device interrupt (numbering in interrupt.h), called in
// interrupt context on CPU 0 with the line masked at the controller; it
// stays masked until irq_unmask. Lines nobody routed are never enabled.
#include <arch/platform.h>
#include <core/sync/spinlock.h>

#include "interrupt.h"

namespace aarch64 {
namespace {

using Handler = void (*)(unsigned);

// Routing changes are rare; the lock keeps two of them (and the
// controller's read-modify-write setup) apart. The interrupt path only
// reads the handlers.
constinit SpinLock g_route_lock;
constinit Handler g_handlers[kDeviceIrqCount] = {};

}  // namespace

void handle_device_irq(unsigned irq) {
  intc::mask_device(irq);
  Handler handler = __atomic_load_n(&g_handlers[irq], __ATOMIC_ACQUIRE);
  if (handler != nullptr) handler(irq);
}

}  // namespace aarch64

namespace arch {

static_assert(Platform::kIrqCount == ::aarch64::kDeviceIrqCount);

lib::Result<void> Platform::irq_route(unsigned irq, void (*handler)(unsigned)) {
  if (irq >= kIrqCount || handler == nullptr) return lib::Status::kInvalidArgs;
  SpinLockGuard guard(::aarch64::g_route_lock);
  if (::aarch64::g_handlers[irq] != nullptr) return lib::Status::kBusy;
  ::aarch64::intc::mask_device(irq);
  ::aarch64::intc::prepare_device(irq);
  __atomic_store_n(&::aarch64::g_handlers[irq], handler, __ATOMIC_RELEASE);
  return {};
}

void Platform::irq_unmask(unsigned irq) {
  if (irq >= kIrqCount) return;
  SpinLockGuard guard(::aarch64::g_route_lock);
  if (::aarch64::g_handlers[irq] != nullptr) ::aarch64::intc::unmask_device(irq);
}

void Platform::irq_release(unsigned irq) {
  if (irq >= kIrqCount) return;
  SpinLockGuard guard(::aarch64::g_route_lock);
  ::aarch64::intc::mask_device(irq);
  // An interrupt CPU 0 took just before may still call the old handler once.
  __atomic_store_n(&::aarch64::g_handlers[irq], nullptr, __ATOMIC_RELEASE);
}

}  // namespace arch
