#include "irq_waiter.h"

#include <mica/calls.h>

namespace block {

int IrqWaiter::init(mica_handle_t resource, unsigned irq) {
  int r = mica_endpoint_create(4, &endpoint_);
  if (r != 0) return r;
  r = mica_irq_create(resource, irq, endpoint_, 0, &irq_);
  if (r != 0) irq_ = MICA_HANDLE_INVALID;
  return r;
}

void IrqWaiter::release() {
  if (irq_ != MICA_HANDLE_INVALID) mica_handle_close(irq_);
  irq_ = MICA_HANDLE_INVALID;
}

bool IrqWaiter::wait(uint64_t timeout_ns) {
  if (!active()) {
    mica_yield();
    return false;
  }
  mica_wait_item item = {endpoint_, MICA_SIGNAL_READABLE, 0};
  if (mica_wait_many(&item, 1, &timeout_ns) <= 0) return false;
  return drain();
}

bool IrqWaiter::drain() {
  if (!active()) return false;
  bool fired = false;
  for (;;) {
    mica_message m = {};
    if (mica_ipc_receive(endpoint_, &m, MICA_NONBLOCK) != 0) return fired;
    fired = fired || m.label == MICA_LABEL_IRQ;
  }
}

void IrqWaiter::acknowledge() {
  if (active()) mica_irq_ack(irq_);
}

}  // namespace block
