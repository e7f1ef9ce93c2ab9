// The periodic tick and the monotonic clock from the ARM generic timer.
//
// The counter (CNTPCT_EL0) runs at CNTFRQ_EL0 Hz, which the firmware sets
// (19.2 MHz on a Pi 3, 54 MHz on a Pi 4; QEMU's raspi3b: 62.5 MHz). The tick
// uses the EL1 physical timer: each interrupt moves the compare value
// (CNTP_CVAL_EL0) on by exactly one period from the previous deadline rather
// than counting a new period from "now" (CNTP_TVAL_EL0), so interrupt
// latency does not make the tick drift. The period is CNTFRQ / hz counts
// (exact for 100 Hz at all three frequencies).
#include <arch/platform.h>
#include <core/console.h>
#include <lib/format.h>

#include "interrupt.h"

namespace aarch64 {
namespace {

constexpr uint64_t kTimerEnable = 1u << 0;  // CNTP_CTL_EL0.ENABLE; IMASK (bit 1) clear

constinit void (*g_tick)() = nullptr;
constinit uint64_t g_period = 0;    // counter ticks per timer interrupt
constinit uint64_t g_hz = 0;        // timer interrupts per second
constinit uint64_t g_deadline = 0;  // the compare value programmed last
constinit char g_timer_name[96] = {};

uint64_t counter_frequency() {
  uint64_t frequency;
  asm volatile("mrs %0, cntfrq_el0" : "=r"(frequency));
  return frequency & 0xffffffff;  // the upper half is RES0
}

uint64_t counter() {
  uint64_t value;
  // The isb keeps the read from being performed ahead of earlier code.
  asm volatile("isb; mrs %0, cntpct_el0" : "=r"(value) : : "memory");
  return value;
}

void set_deadline(uint64_t deadline) {
  asm volatile("msr cntp_cval_el0, %0; isb" : : "r"(deadline) : "memory");
}

}  // namespace

void timer::handle_interrupt() {
  g_deadline += g_period;
  // An interrupt taken more than a period late (interrupts masked for long,
  // a loaded QEMU host) leaves the new deadline in the past: the timer fires
  // again right after the eret and the missed ticks catch up one interrupt
  // each, so the tick count keeps the calibrated rate. Only when a whole
  // second behind (a debugger stop) are the missed ticks dropped.
  uint64_t now = counter();
  if (now - g_deadline < (uint64_t{1} << 63) && now - g_deadline > g_period * g_hz) {
    g_deadline = now + g_period;
  }
  set_deadline(g_deadline);  // deasserts the interrupt (unless already due)
  if (g_tick != nullptr) g_tick();
}

void handle_irq() {
  PendingInterrupt interrupt = intc::acknowledge();
  switch (interrupt.source) {
    case InterruptSource::kNone:
      return;  // spurious: whatever raised it went away
    case InterruptSource::kTimer:
      timer::handle_interrupt();
      break;
    case InterruptSource::kOther:
      // Only the timer is enabled; nothing else may interrupt yet.
      panic("unexpected interrupt %u", interrupt.id);
  }
  intc::end(interrupt);
}

}  // namespace aarch64

namespace arch {

lib::Result<void> Platform::start_timer(uint32_t hz, void (*tick)(), const char** name) {
  uint64_t frequency = ::aarch64::counter_frequency();
  if (frequency == 0) return lib::Status::kNotSupported;  // the firmware did not set CNTFRQ
  if (hz == 0 || tick == nullptr || hz > frequency) return lib::Status::kInvalidArgs;

  asm volatile("msr cntp_ctl_el0, xzr; isb" ::: "memory");  // off while it is set up
  ::aarch64::g_tick = tick;
  ::aarch64::g_period = frequency / hz;
  ::aarch64::g_hz = hz;
  const char* controller = ::aarch64::intc::route_timer();
  ::aarch64::g_deadline = ::aarch64::counter() + ::aarch64::g_period;
  ::aarch64::set_deadline(::aarch64::g_deadline);
  asm volatile("msr cntp_ctl_el0, %0; isb" : : "r"(::aarch64::kTimerEnable) : "memory");

  lib::format(::aarch64::g_timer_name, sizeof(::aarch64::g_timer_name),
              "ARM generic timer at %llu Hz via the %s", static_cast<unsigned long long>(frequency),
              controller);
  *name = ::aarch64::g_timer_name;
  return {};
}

uint64_t Platform::monotonic_ns() {
  uint64_t frequency = ::aarch64::counter_frequency();
  if (frequency == 0) return 0;
  // ns = count * 10^9 / frequency, exactly and without overflow: whole
  // seconds and the remainder separately. The remainder is below the
  // frequency (< 2^32), so remainder * 10^9 fits in 64 bits; the whole
  // seconds overflow only after 584 years. Only native 64-bit divisions (a
  // 128-bit product would need a libgcc division helper).
  uint64_t count = ::aarch64::counter();
  uint64_t seconds = count / frequency;
  uint64_t remainder = count % frequency;
  return seconds * 1'000'000'000u + remainder * 1'000'000'000u / frequency;
}

}  // namespace arch
