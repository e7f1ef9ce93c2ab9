// The platform contract: what every architecture gives the arch-free kernel.
//
// Core code includes <arch/platform.h>; each arch's GN config puts its own
// include/ directory on the path, so the header resolves to that arch's
// implementation (kernel/arch/<arch>/include/arch/platform.h). That header
// defines `arch::Platform` and includes this file, whose static_assert checks
// the contract at compile time for every arch.
//
// An arch also provides:
//  - the entry point the boot loader jumps to, which sets up a stack and the
//    CPU mode, fills a boot::BootInfo from what the loader handed over, and
//    calls kernel_main() (core/main.h);
//  - a linker script that defines __build_id_start/__build_id_end around the
//    .note.gnu.build-id section (core prints the build id in the banner).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <lib/concepts.h>

namespace arch {

// How the machine stops. Under QEMU the exit code reaches the host (x86:
// isa-debug-exit; AArch64: semihosting); on real hardware the CPU halts.
enum class StopReason : uint8_t {
  kPowerOff = 0,  // orderly power-off
  kPanic = 1,     // kernel panic: tests see a failure exit code
};

template <typename P>
concept PlatformContract = requires(const char* text, size_t length) {
  // Writes to the board's serial console, synchronously, from the first
  // instruction of kernel_main to the last of a panic. Translates "\n" to
  // "\r\n". Must not allocate or take locks a panicking CPU could hold.
  { P::console_write(text, length) } -> lib::same_as<void>;
  // Prints the calling CPU's registers on the console (for panics).
  { P::dump_registers() } -> lib::same_as<void>;
  // True if `address` may hold a kernel stack frame (backtraces follow frame
  // pointers only through such addresses, so a corrupt chain cannot fault).
  { P::is_kernel_stack_address(uintptr_t{}) } -> lib::same_as<bool>;
  // Masks interrupts on the calling CPU.
  { P::disable_interrupts() } -> lib::same_as<void>;
  // [[noreturn]]: waits for interrupts forever.
  P::idle_forever();
  // [[noreturn]]: stops the machine; see StopReason.
  P::stop(StopReason::kPanic);
};

}  // namespace arch
