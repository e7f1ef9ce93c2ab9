// Exception handling for the kernel running at EL1: the vector table
// (vectors.S) saves a RegisterFrame and calls arch_handle_exception, which
// dispatches IRQs and returns, and reports anything else and panics.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace aarch64 {

// The CPU state vectors.S saves; the offsets are shared with the assembly.
struct RegisterFrame {
  uint64_t x[31];  // x0-x30 (x29 = frame pointer, x30 = link register)
  uint64_t sp;
  uint64_t elr;
  uint64_t spsr;
  uint64_t esr;
  uint64_t far;
};
static_assert(sizeof(RegisterFrame) == 288 && sizeof(RegisterFrame) % 16 == 0);
static_assert(offsetof(RegisterFrame, sp) == 248 && offsetof(RegisterFrame, elr) == 256);
static_assert(offsetof(RegisterFrame, esr) == 272 && offsetof(RegisterFrame, far) == 280);

// The frame of the exception being reported, or null outside the handler.
const RegisterFrame* current_exception_frame();

// Called by Platform::stop just before the semihosting trap: from then on any
// exception (the `hlt` trapping when no semihosting host is listening, or a
// fault while stopping) parks the CPU instead of panicking again.
void mark_stopping();

// Parks the calling CPU for good: interrupts masked, wfe forever.
[[noreturn]] void park();

}  // namespace aarch64

extern "C" {
// vectors.S: stores x0-x30 and SP into `frame` (ELR..FAR zeroed).
void arch_capture_registers(aarch64::RegisterFrame* frame);
// Called by vectors.S with the saved frame and the vector's index (0-15).
// Returns only for an interrupt; vectors.S then restores the frame and erets.
void arch_handle_exception(aarch64::RegisterFrame* frame, uint64_t vector);
}
