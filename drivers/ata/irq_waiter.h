// IrqWaiter: a device interrupt for a driver that waits for its device
// with a bound. The IRQ arrives on an endpoint of its own (MICA_LABEL_IRQ);
// wait() sleeps on it with a timeout, so a lost or never-raised interrupt
// costs time, never a hang.
//
// The drivers poll their status for the first kSpinNs of a wait (a PIO
// sector under QEMU is ready in well under that) and sleep on the interrupt
// only after that: slow devices (spin-up, cache flush, card programming) do
// not keep the CPU busy. (The spin dates from when the kernel polled timed
// waits once a tick; an interrupt now ends the sleep at once, and the
// timeout ends it at the first tick due after it.)
//
// TODO: with block_service, this belongs in a drivers library; it waits
// for that directory.
#pragma once

#include <stdint.h>

#include <mica/syscall.h>

namespace block {

// How long a driver polls before it sleeps on the interrupt.
inline constexpr uint64_t kSpinNs = 10'000'000;  // a tick

class IrqWaiter {
 public:
  // Routes `irq` to a new endpoint. 0, or a negated status (the waiter
  // stays inactive: wait() then only yields).
  int init(mica_handle_t resource, unsigned irq);
  bool active() const { return irq_ != MICA_HANDLE_INVALID; }
  // Gives the IRQ up (the driver polls from then on).
  void release();

  // Sleeps until the interrupt fires or `timeout_ns` passes, and takes
  // every message that came: true if the interrupt was among them. The line
  // stays masked until acknowledge().
  bool wait(uint64_t timeout_ns);
  // Takes what came without sleeping; true if the interrupt was among it.
  bool drain();
  // Unmasks the line (after the device's interrupt condition is cleared,
  // for a level-triggered one). Harmless when nothing fired.
  void acknowledge();

 private:
  mica_handle_t irq_ = MICA_HANDLE_INVALID;
  mica_handle_t endpoint_ = MICA_HANDLE_INVALID;
};

}  // namespace block
