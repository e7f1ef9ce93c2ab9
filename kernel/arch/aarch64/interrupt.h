// The interrupt path of every CPU: the board's interrupt controller (the
// BCM2836 ARM-local controller on raspi3b, the GIC-400 on raspi4b; one of
// bcm2836_local_intc.cc and gic400.cc is built), the timer's share and the
// IRQ dispatch the vector table calls (cpu.cc).
#pragma once

#include <stdint.h>

#include <arch/contract.h>

namespace aarch64 {

// Device interrupts user drivers can claim (Platform::irq_route): the
// BCM2835 "GPU" interrupts 0-63 every Raspberry Pi numbers its peripherals
// with (the ARM peripherals manual's IRQ table: 0-3 the system timer's
// compares, 57 the PL011, ...). On the Pi 3 they reach core 0 through the
// BCM2835 controller and the BCM2836 local controller's GPU route; on the
// Pi 4 they are GIC-400 SPIs 96-159, targeted at core 0. The kernel's own
// tick is a per-core local interrupt outside this numbering, so no number
// here is the timer.
inline constexpr unsigned kDeviceIrqCount = 64;

// The sources the kernel handles itself, and the device interrupts.
enum class InterruptSource : uint8_t {
  kNone,    // nothing pending (spurious)
  kTimer,   // the EL1 physical timer (CNTPNSIRQ, GIC PPI 30)
  kIpi,     // inter-processor interrupts (core mailbox 0, GIC SGIs 0-15)
  kDevice,  // a device interrupt 0 .. kDeviceIrqCount-1 (`device`)
  kOther,
};

struct PendingInterrupt {
  InterruptSource source;
  uint32_t id;      // the controller's number for it (for reports and end)
  uint32_t ipis;    // kIpi: a bit per arch::Ipi kind that arrived
  uint32_t device;  // kDevice: its number
};

// Every controller function acts on the calling CPU's interface.
namespace intc {

// Enables the controller for the calling CPU and routes its EL1 physical
// timer interrupt to IRQ. Returns the controller's name for reports.
const char* route_timer();

// Lets IPIs interrupt the calling CPU.
void enable_ipis();

// Raises IPI `kind` (an arch::Ipi value, below 4) on CPU `cpu`.
void send_ipi(unsigned cpu, unsigned kind);

// The pending interrupt with the highest priority, acknowledged. For kIpi
// the IPIs it reports are already cleared: one sent from now on interrupts
// again.
PendingInterrupt acknowledge();

// Tells the controller `interrupt` has been handled (after its source was
// quietened, or a device interrupt was masked).
void end(PendingInterrupt interrupt);

// Device interrupts (numbers below kDeviceIrqCount). prepare_device sets up
// a line's delivery to CPU 0 (once, before the first unmask); mask_device
// and unmask_device disable and enable it at the controller, from any CPU.
void prepare_device(unsigned irq);
void mask_device(unsigned irq);
void unmask_device(unsigned irq);

}  // namespace intc

namespace timer {

// The timer's share of an IRQ: re-arms this CPU's timer and calls the
// ticks (start_timer's on CPU 0, the scheduler's hook on every CPU).
void handle_interrupt();

// Starts the calling secondary CPU's timer at the rate start_timer chose
// (nothing if start_timer has not run).
void start_secondary();

}  // namespace timer

// The hooks core installed (all null until set_cpu_hooks).
const arch::CpuHooks& cpu_hooks();

// Called by the vector table for an IRQ: handles the pending source, then
// calls the interrupt_exit hook (which may switch threads).
void handle_irq();

// A device interrupt arrived: masks it and calls the handler irq_route
// installed (irq.cc); one with no handler stays masked.
void handle_device_irq(unsigned irq);

}  // namespace aarch64
