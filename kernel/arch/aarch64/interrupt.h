// The boot CPU's interrupt path: the board's interrupt controller (the
// BCM2836 ARM-local controller on raspi3b, the GIC-400 on raspi4b; one of
// bcm2836_local_intc.cc and gic400.cc is built) and the IRQ dispatch the
// vector table calls.
#pragma once

#include <stdint.h>

namespace aarch64 {

// The sources the kernel handles itself; everything else is a device
// interrupt for the drivers that come later.
enum class InterruptSource : uint8_t {
  kNone,   // nothing pending (spurious)
  kTimer,  // the EL1 physical timer (CNTPNSIRQ, GIC PPI 30)
  kOther,
};

struct PendingInterrupt {
  InterruptSource source;
  uint32_t id;  // the controller's number for it (for reports and end)
};

namespace intc {

// Enables the controller on the boot CPU and routes its EL1 physical timer
// interrupt to IRQ. Returns the controller's name for reports.
const char* route_timer();

// The pending interrupt with the highest priority, acknowledged.
PendingInterrupt acknowledge();

// Tells the controller `interrupt` has been handled (after its source was
// quietened).
void end(PendingInterrupt interrupt);

}  // namespace intc

namespace timer {

// The timer's share of an IRQ: re-arms the timer and calls the tick.
void handle_interrupt();

}  // namespace timer

// Called by the vector table for an IRQ: dispatches every pending source.
void handle_irq();

}  // namespace aarch64
