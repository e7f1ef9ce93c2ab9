// arch::Platform for AArch64: console, register dump, idling and machine
// stop. Memory is in memory.cc, time in timer.cc.
#include <arch/platform.h>
#include <board/peripherals.h>
#include <core/console.h>

#include "exception.h"
#include "mmio.h"
#include "pl011.h"

namespace arch {
namespace {

// Arm semihosting (Semihosting for AArch32 and AArch64, v2.0).
constexpr uint64_t kSysExit = 0x18;
constexpr uint64_t kAdpStoppedApplicationExit = 0x20026;

uint64_t current_el() {
  uint64_t value;
  asm volatile("mrs %0, CurrentEL" : "=r"(value));
  return (value >> 2) & 3;
}

void print_frame(const ::aarch64::RegisterFrame& frame, bool exception) {
  for (int i = 0; i < 31; i += 4) {
    for (int j = i; j < i + 4 && j < 31; ++j) {
      kprintf("%s x%-2d %016llx", j == i ? " " : "", j,
              static_cast<unsigned long long>(frame.x[j]));
    }
    if (i + 4 > 31) kprintf("  sp  %016llx", static_cast<unsigned long long>(frame.sp));
    kprintf("\n");
  }
  if (exception) {
    kprintf("  elr %016llx  spsr %08llx  esr %08llx  far %016llx\n",
            static_cast<unsigned long long>(frame.elr), static_cast<unsigned long long>(frame.spsr),
            static_cast<unsigned long long>(frame.esr), static_cast<unsigned long long>(frame.far));
  }
  kprintf("  CurrentEL %llu\n", static_cast<unsigned long long>(current_el()));
}

}  // namespace

void Platform::console_write(const char* text, size_t length) {
  ::aarch64::pl011::write(text, length);
}

void Platform::dump_registers() {
  if (const ::aarch64::RegisterFrame* frame = ::aarch64::current_exception_frame()) {
    kprintf("registers at the exception:\n");
    print_frame(*frame, true);
    return;
  }
  ::aarch64::RegisterFrame frame;
  arch_capture_registers(&frame);
  kprintf("registers (in dump_registers):\n");
  print_frame(frame, false);
}

void Platform::idle_forever() {
  enable_interrupts();
  while (true) asm volatile("wfi");
}

void Platform::stop(StopReason reason) {
  disable_interrupts();
  ::aarch64::pl011::flush();
  ::aarch64::mark_stopping();

  if (reason == StopReason::kReboot) {
    // The power manager's watchdog: a full reset after 10 ticks (~150 us).
    constexpr uintptr_t kPm = board::kPeripheralBase + 0x100000;
    constexpr uint32_t kPassword = 0x5a000000;
    uint32_t rstc = ::aarch64::mmio_read32(::aarch64::device(kPm + 0x1c));
    ::aarch64::mmio_write32(::aarch64::device(kPm + 0x24), kPassword | 10);
    ::aarch64::mmio_write32(::aarch64::device(kPm + 0x1c), kPassword | (rstc & ~0x30u) | 0x20);
    ::aarch64::park();
  }

  // The AArch64 SYS_EXIT takes a parameter block: the reason and, for
  // ApplicationExit, the exit status QEMU passes to the host.
  uint64_t exit_status = reason == StopReason::kPanic ? 1 : 0;
  uint64_t block[2] = {kAdpStoppedApplicationExit, exit_status};
  register uint64_t op asm("x0") = kSysExit;
  register uint64_t* parameter asm("x1") = block;
  asm volatile("hlt #0xf000" : "+r"(op) : "r"(parameter) : "memory");

  // Still here: the host ignored the request. Halt this CPU for good.
  ::aarch64::park();
}

}  // namespace arch
