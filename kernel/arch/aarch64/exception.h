// Exception handling for the kernel running at EL1: the vector table
// (vectors.S) saves a RegisterFrame and calls arch_handle_exception, which
// dispatches IRQs and returns, and reports anything else and panics.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <arch/aarch64/frame.h>

namespace aarch64 {

// The CPU state vectors.S saves (include/arch/aarch64/frame.h).
using arch::aarch64::RegisterFrame;

// The frame of the exception being reported, or null outside the handler.
const RegisterFrame* current_exception_frame();

// Called by Platform::stop just before the semihosting trap: from then on any
// exception (the `hlt` trapping when no semihosting host is listening, or a
// fault while stopping) parks the CPU instead of panicking again.
void mark_stopping();

// Parks the calling CPU for good: interrupts masked, wfe forever.
[[noreturn]] void park();

// Describes the exception in `frame` (taken through vector `vector`, 0-15)
// from ESR_EL1 on the console, prints a backtrace and panics.
[[noreturn]] void report_exception(const RegisterFrame* frame, uint64_t vector);

}  // namespace aarch64

extern "C" {
// vectors.S: stores x0-x30 and SP into `frame` (ELR..FAR zeroed).
void arch_capture_registers(aarch64::RegisterFrame* frame);
// Called by vectors.S with the saved frame and the vector's index (0-7: from
// EL1). Returns only for an interrupt, an FP/SIMD trap or a user-copy fault
// (with the frame's ELR moved to the fixup); vectors.S then restores the
// frame and erets.
void arch_handle_exception(aarch64::RegisterFrame* frame, uint64_t vector);
}
