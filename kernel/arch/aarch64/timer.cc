// The periodic tick and the monotonic clock from the ARM generic timer.
//
// The counter (CNTPCT_EL0) runs at CNTFRQ_EL0 Hz, which the firmware sets
// (19.2 MHz on a Pi 3, 54 MHz on a Pi 4; QEMU's raspi3b: 62.5 MHz). The tick
// uses the EL1 physical timer: each interrupt moves the compare value
// (CNTP_CVAL_EL0) on by exactly one period from the previous deadline rather
// than counting a new period from "now" (CNTP_TVAL_EL0), so interrupt
// latency does not make the tick drift. The period is CNTFRQ / hz counts
// (exact for 100 Hz at all three frequencies). Every CPU runs its own timer
// at that rate, with its own deadline.
#include <arch/platform.h>
#include <core/console.h>
#include <lib/format.h>

#include "interrupt.h"

namespace aarch64 {
namespace {

constexpr uint64_t kTimerEnable = 1u << 0;  // CNTP_CTL_EL0.ENABLE; IMASK (bit 1) clear

constinit void (*g_tick)() = nullptr;  // start_timer's: CPU 0 only
constinit uint64_t g_period = 0;       // counter ticks per timer interrupt
constinit uint64_t g_hz = 0;           // timer interrupts per second
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

// Arms the calling CPU's timer one period from now.
void start_local_timer() {
  asm volatile("msr cntp_ctl_el0, xzr; isb" ::: "memory");  // off while it is set up
  uint64_t& deadline = arch::aarch64::this_cpu().timer_deadline;
  deadline = counter() + g_period;
  set_deadline(deadline);
  asm volatile("msr cntp_ctl_el0, %0; isb" : : "r"(kTimerEnable) : "memory");
}

}  // namespace

void timer::handle_interrupt() {
  arch::aarch64::Cpu& cpu = arch::aarch64::this_cpu();
  uint64_t& deadline = cpu.timer_deadline;
  deadline += g_period;
  // An interrupt taken more than a period late (interrupts masked for long,
  // a loaded QEMU host) leaves the new deadline in the past: the timer fires
  // again right after the eret and the missed ticks catch up one interrupt
  // each, so the tick count keeps the calibrated rate. Only when a whole
  // second behind (a debugger stop) are the missed ticks dropped.
  uint64_t now = counter();
  if (now - deadline < (uint64_t{1} << 63) && now - deadline > g_period * g_hz) {
    deadline = now + g_period;
  }
  set_deadline(deadline);  // deasserts the interrupt (unless already due)
  // Core's clock counts the boot CPU's ticks only (one rate, whatever the
  // number of CPUs); the scheduler's tick runs everywhere.
  if (cpu.index == 0 && g_tick != nullptr) g_tick();
  if (cpu_hooks().tick != nullptr) cpu_hooks().tick();
}

void timer::start_secondary() {
  if (g_period != 0) start_local_timer();
}

}  // namespace aarch64

namespace arch {

lib::Result<void> Platform::start_timer(uint32_t hz, void (*tick)(), const char** name) {
  uint64_t frequency = ::aarch64::counter_frequency();
  if (frequency == 0) return lib::Status::kNotSupported;  // the firmware did not set CNTFRQ
  if (hz == 0 || tick == nullptr || hz > frequency) return lib::Status::kInvalidArgs;

  ::aarch64::g_tick = tick;
  ::aarch64::g_period = frequency / hz;
  ::aarch64::g_hz = hz;
  const char* controller = ::aarch64::intc::route_timer();
  ::aarch64::start_local_timer();

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
