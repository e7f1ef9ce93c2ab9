// i586 timer and device interrupts: the Pentium has no local APIC, so the
// PIT's channel 0 drives the tick through the 8259 (IRQ 0) and user drivers
// get the other ISA IRQs of the 8259 pair; the TSC is the monotonic clock.
#include <arch/i586/trap_frame.h>
#include <arch/platform.h>
#include <arch/x86/cpu_hooks.h>
#include <arch/x86/pic.h>
#include <arch/x86/pit.h>
#include <arch/x86/port_io.h>
#include <arch/x86/tsc.h>
#include <lib/format.h>

namespace arch {
namespace {

constinit void (*g_tick)() = nullptr;
constinit char g_timer_name[96] = {};

// start_timer's `tick` (core's clock), then the scheduler's hook.
void timer_interrupt(i586::TrapFrame&) {
  x86::pic_end_of_interrupt(0);
  if (g_tick != nullptr) g_tick();
  if (auto tick = x86::cpu_hooks().tick; tick != nullptr) tick();
}

// Handlers of routed IRQs (irq_route); null where none is.
constinit void (*g_irq_handlers[Platform::kIrqCount])(unsigned) = {};

// Whether `irq` is in service at its 8259 (read the ISR with OCW3): a line
// that is not was a spurious interrupt (IRQ 7 or 15, raised when a request
// went away before the CPU acknowledged it).
bool pic_in_service(unsigned irq) {
  uint16_t command = irq < 8 ? 0x20 : 0xa0;
  x86::outb(command, 0x0b);
  bool in_service = (x86::inb(command) & (1u << (irq % 8))) != 0;
  x86::outb(command, 0x0a);  // back to reading the IRR
  return in_service;
}

// A routed IRQ: masked and acknowledged here, unmasked by irq_unmask once
// the driver has handled it.
void routed_interrupt(i586::TrapFrame& frame) {
  unsigned irq = frame.vector - x86::kPicVectorBase;
  if ((irq == 7 || irq == 15) && !pic_in_service(irq)) {
    if (irq == 15) x86::outb(0x20, 0x20);  // the primary did see the cascade
    return;
  }
  x86::pic_mask(irq);
  x86::pic_end_of_interrupt(irq);
  if (auto handler = g_irq_handlers[irq]; handler != nullptr) handler(irq);
}

bool is_routable(unsigned irq) {
  return irq < Platform::kIrqCount && irq != 0 && irq != 2;
}

}  // namespace

lib::Result<void> Platform::irq_route(unsigned irq, void (*handler)(unsigned)) {
  if (!is_routable(irq) || handler == nullptr) return lib::Status::kInvalidArgs;
  uintptr_t flags = save_and_disable_interrupts();
  if (g_irq_handlers[irq] != nullptr) {
    restore_interrupts(flags);
    return lib::Status::kBusy;
  }
  g_irq_handlers[irq] = handler;
  x86::pic_mask(irq);
  i586::set_interrupt_handler(static_cast<uint8_t>(x86::kPicVectorBase + irq), routed_interrupt);
  restore_interrupts(flags);
  return {};
}

void Platform::irq_unmask(unsigned irq) {
  if (!is_routable(irq)) return;
  uintptr_t flags = save_and_disable_interrupts();
  if (g_irq_handlers[irq] != nullptr) x86::pic_unmask(irq);
  restore_interrupts(flags);
}

void Platform::irq_release(unsigned irq) {
  if (!is_routable(irq)) return;
  uintptr_t flags = save_and_disable_interrupts();
  x86::pic_mask(irq);
  g_irq_handlers[irq] = nullptr;
  i586::set_interrupt_handler(static_cast<uint8_t>(x86::kPicVectorBase + irq), nullptr);
  restore_interrupts(flags);
}

lib::Result<void> Platform::start_timer(uint32_t hz, void (*tick)(), const char** name) {
  if (hz == 0 || tick == nullptr || hz > x86::kPitHz) return lib::Status::kInvalidArgs;
  g_tick = tick;
  i586::set_interrupt_handler(x86::kPicVectorBase + 0, timer_interrupt);
  x86::pit_start_periodic(hz);
  x86::pic_unmask(0);
  lib::format(g_timer_name, sizeof(g_timer_name), "PIT (8254) on IRQ 0 of the 8259, TSC %llu Hz",
              static_cast<unsigned long long>(x86::tsc_hz()));
  *name = g_timer_name;
  return {};
}

uint64_t Platform::monotonic_ns() {
  return x86::tsc_ns();
}

}  // namespace arch
