#include <arch/platform.h>
#include <core/console.h>
#include <lib/format.h>

namespace {

// One writer at a time, so lines from different CPUs do not interleave.
// Once a panic starts, the panicking CPU writes without it (the holder may
// be a CPU that has stopped).
constinit uint32_t g_console_lock = 0;
constinit bool g_panicking = false;

class ConsoleGuard {
 public:
  ConsoleGuard() : flags_(arch::Platform::save_and_disable_interrupts()) {
    if (__atomic_load_n(&g_panicking, __ATOMIC_RELAXED)) return;
    while (__atomic_exchange_n(&g_console_lock, 1, __ATOMIC_ACQUIRE) != 0) {
      if (__atomic_load_n(&g_panicking, __ATOMIC_RELAXED)) return;
      arch::Platform::cpu_relax();
    }
    owned_ = true;
  }
  ~ConsoleGuard() {
    if (owned_) __atomic_store_n(&g_console_lock, 0, __ATOMIC_RELEASE);
    arch::Platform::restore_interrupts(flags_);
  }
  ConsoleGuard(const ConsoleGuard&) = delete;
  ConsoleGuard& operator=(const ConsoleGuard&) = delete;

 private:
  uintptr_t flags_;
  bool owned_ = false;
};

void console_sink(void*, const char* text, size_t length) {
  arch::Platform::console_write(text, length);
}

}  // namespace

void console_write_all(const char* text, size_t length) {
  ConsoleGuard guard;
  arch::Platform::console_write(text, length);
}

void vkprintf(const char* fmt, va_list args) {
  ConsoleGuard guard;
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
  __atomic_store_n(&g_panicking, true, __ATOMIC_RELAXED);
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
