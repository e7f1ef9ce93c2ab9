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
//
// Device ("GPU") interrupts 0-63 come from the BCM2835 interrupt controller
// (BCM2835 ARM peripherals, chapter 7), whose output the local controller
// hands to one core (its GPU route, core 0 here) as IRQ source bit 8. Its
// pending registers 1 and 2 show the raw level of interrupts 0-31 and 32-63;
// enabling and disabling are write-1 registers, so no lock is needed.
#include <arch/aarch64/cpu.h>
#include <board/peripherals.h>

#include "interrupt.h"
#include "mmio.h"

namespace aarch64::intc {
namespace {

// Per-core registers: core n's is at base + n * stride.
constexpr uintptr_t kGpuRoute = device(board::kLocalPeripheralBase + 0x0c);
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
constexpr uint32_t kGpuIrq = 1u << 8;
// Mailbox control: bit 0 enables mailbox 0's IRQ (bit 4 would make it FIQ).
constexpr uint32_t kMailbox0IrqEnable = 1u << 0;

// The BCM2835 controller: pending, enable and disable registers for
// interrupts 0-31 (bank 0) and 32-63 (bank 1), 4 bytes apart.
constexpr uintptr_t kGpuPending = device(board::kIrqControllerBase + 0x04);
constexpr uintptr_t kGpuEnable = device(board::kIrqControllerBase + 0x10);
constexpr uintptr_t kGpuDisable = device(board::kIrqControllerBase + 0x1c);

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
  if (pending == 0) return {InterruptSource::kNone, 0, 0, 0};
  if ((pending & kCntpnsIrq) != 0) return {InterruptSource::kTimer, 1, 0, 0};
  if ((pending & kMailbox0Irq) != 0) {
    uint32_t ipis = mmio_read32(kMailbox0Clear + 16 * core);
    mmio_write32(kMailbox0Clear + 16 * core, ipis);  // before handling: a new one interrupts again
    if (ipis == 0) return {InterruptSource::kNone, 4, 0, 0};
    return {InterruptSource::kIpi, 4, ipis, 0};
  }
  if ((pending & kGpuIrq) != 0) {
    for (uint32_t bank = 0; bank < 2; ++bank) {
      uint32_t raised = mmio_read32(kGpuPending + 4 * bank) & mmio_read32(kGpuEnable + 4 * bank);
      if (raised != 0) {
        uint32_t irq = 32 * bank + static_cast<uint32_t>(__builtin_ctz(raised));
        return {InterruptSource::kDevice, 8, 0, irq};
      }
    }
    return {InterruptSource::kNone, 8, 0, 0};  // it went away (or was just masked)
  }
  return {InterruptSource::kOther, static_cast<uint32_t>(__builtin_ctz(pending)), 0, 0};
}

void end(PendingInterrupt) {}

void prepare_device(unsigned) {
  mmio_write32(kGpuRoute, 0);  // GPU IRQs to core 0 (the reset value; FIQs too)
}

void mask_device(unsigned irq) {
  mmio_write32(kGpuDisable + 4 * (irq / 32), 1u << (irq % 32));
}

void unmask_device(unsigned irq) {
  mmio_write32(kGpuEnable + 4 * (irq / 32), 1u << (irq % 32));
}

}  // namespace aarch64::intc
