// The BCM2836 ARM-local interrupt controller (also in the BCM2837 of the
// Pi 3): per-core routing of the ARM generic timers, the core mailboxes and
// the GPU interrupt ("QA7" ARM control document, rev 3.4).
//
// Each core's timer sources are level signals straight from its generic
// timer; the controller only enables and reports them, so there is nothing
// to acknowledge: an interrupt ends when its source is quietened.
//
// IPIs use each core's mailbox 0: 32 bits any core sets through the
// mailbox's write-set register; the owning core sees them in its
// read/write-clear register and has an interrupt while any bit is set. Bit n
// is arch::Ipi n.
#include <arch/aarch64/cpu.h>
#include <board/peripherals.h>

#include "interrupt.h"
#include "mmio.h"

namespace aarch64::intc {
namespace {

// Per-core registers: core n's is at base + n * stride.
constexpr uintptr_t kTimerControl = device(board::kLocalPeripheralBase + 0x40);    // stride 4
constexpr uintptr_t kMailboxControl = device(board::kLocalPeripheralBase + 0x50);  // stride 4
constexpr uintptr_t kIrqSource = device(board::kLocalPeripheralBase + 0x60);       // stride 4
constexpr uintptr_t kMailbox0Set = device(board::kLocalPeripheralBase + 0x80);     // stride 16
constexpr uintptr_t kMailbox0Clear = device(board::kLocalPeripheralBase + 0xc0);   // stride 16

// Timer control and IRQ source bits: 0 CNTPSIRQ, 1 CNTPNSIRQ, 2 CNTHPIRQ,
// 3 CNTVIRQ (in the control register as IRQ enables; bits 4-7 would route
// them to FIQ). IRQ source bits 4-7: mailboxes 0-3.
constexpr uint32_t kCntpnsIrq = 1u << 1;
constexpr uint32_t kMailbox0Irq = 1u << 4;
// Mailbox control: bit 0 enables mailbox 0's IRQ (bit 4 would make it FIQ).
constexpr uint32_t kMailbox0IrqEnable = 1u << 0;

unsigned this_core() {
  return arch::aarch64::this_cpu().index;
}

}  // namespace

const char* route_timer() {
  uintptr_t control = kTimerControl + 4 * this_core();
  mmio_write32(control, mmio_read32(control) | kCntpnsIrq);
  return "BCM2836 local controller";
}

void enable_ipis() {
  unsigned core = this_core();
  mmio_write32(kMailbox0Clear + 16 * core, ~0u);  // nothing left over from before
  uintptr_t control = kMailboxControl + 4 * core;
  mmio_write32(control, mmio_read32(control) | kMailbox0IrqEnable);
}

void send_ipi(unsigned cpu, unsigned kind) {
  mmio_write32(kMailbox0Set + 16 * cpu, 1u << kind);
}

PendingInterrupt acknowledge() {
  unsigned core = this_core();
  uint32_t pending = mmio_read32(kIrqSource + 4 * core);
  if (pending == 0) return {InterruptSource::kNone, 0, 0};
  if ((pending & kCntpnsIrq) != 0) return {InterruptSource::kTimer, 1, 0};
  if ((pending & kMailbox0Irq) != 0) {
    uint32_t ipis = mmio_read32(kMailbox0Clear + 16 * core);
    mmio_write32(kMailbox0Clear + 16 * core, ipis);  // before handling: a new one interrupts again
    if (ipis == 0) return {InterruptSource::kNone, 4, 0};
    return {InterruptSource::kIpi, 4, ipis};
  }
  return {InterruptSource::kOther, static_cast<uint32_t>(__builtin_ctz(pending)), 0};
}

void end(PendingInterrupt) {}

}  // namespace aarch64::intc
