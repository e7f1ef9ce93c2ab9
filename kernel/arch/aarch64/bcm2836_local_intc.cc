// The BCM2836 ARM-local interrupt controller (also in the BCM2837 of the
// Pi 3): per-core routing of the ARM generic timers, the core mailboxes and
// the GPU interrupt ("QA7" ARM control document, rev 3.4).
//
// Each core's timer sources are level signals straight from its generic
// timer; the controller only enables and reports them, so there is nothing
// to acknowledge: an interrupt ends when its source is quietened.
#include <board/peripherals.h>

#include "interrupt.h"
#include "mmio.h"

namespace aarch64::intc {
namespace {

// Core 0's registers (the kernel runs on core 0 until SMP).
constexpr uintptr_t kCore0TimerControl = device(board::kLocalPeripheralBase + 0x40);
constexpr uintptr_t kCore0IrqSource = device(board::kLocalPeripheralBase + 0x60);
// Bits of both: 0 CNTPSIRQ, 1 CNTPNSIRQ, 2 CNTHPIRQ, 3 CNTVIRQ (in the
// control register as IRQ enables; bits 4-7 would route them to FIQ).
constexpr uint32_t kCntpnsIrq = 1u << 1;

}  // namespace

const char* route_timer() {
  mmio_write32(kCore0TimerControl, mmio_read32(kCore0TimerControl) | kCntpnsIrq);
  return "BCM2836 local controller";
}

PendingInterrupt acknowledge() {
  uint32_t pending = mmio_read32(kCore0IrqSource);
  if (pending == 0) return {InterruptSource::kNone, 0};
  if ((pending & kCntpnsIrq) != 0) return {InterruptSource::kTimer, 1};
  return {InterruptSource::kOther, static_cast<uint32_t>(__builtin_ctz(pending))};
}

void end(PendingInterrupt) {}

}  // namespace aarch64::intc
