#include <arch/platform.h>
#include <core/console.h>
#include <lib/format.h>

namespace {

void console_sink(void*, const char* text, size_t length) {
  arch::Platform::console_write(text, length);
}

}  // namespace

void vkprintf(const char* fmt, va_list args) {
  lib::vformat_to(console_sink, nullptr, fmt, args);
}

void kprintf(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  vkprintf(fmt, args);
  va_end(args);
}

void panic(const char* fmt, ...) {
  arch::Platform::disable_interrupts();
  kprintf("\nPANIC: ");
  va_list args;
  va_start(args, fmt);
  vkprintf(fmt, args);
  va_end(args);
  kprintf("\n");
  arch::Platform::dump_registers();
  kprintf("mica: halted after panic\n");
  arch::Platform::stop(arch::StopReason::kPanic);
}
