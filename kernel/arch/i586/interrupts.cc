// i586 timer: the Pentium has no local APIC, so the PIT's channel 0 drives
// the tick through the 8259 (IRQ 0); the TSC is the monotonic clock.
#include <arch/i586/trap_frame.h>
#include <arch/platform.h>
#include <arch/x86/cpu_hooks.h>
#include <arch/x86/pic.h>
#include <arch/x86/pit.h>
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

}  // namespace

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
