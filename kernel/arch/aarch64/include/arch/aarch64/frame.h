// The register frame every exception saves on the kernel stack (vectors.S):
// x0-x30, the interrupted SP, ELR, SPSR, ESR and FAR. An exception from EL0
// saves the whole user register set this way, with SP_EL0 as the SP, so the
// same layout is Platform::UserFrame, the user registers of a system call or
// trap. vectors.S shares the offsets (pinned below).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace arch::aarch64 {

struct RegisterFrame {
  uint64_t x[31];  // x0-x30 (x29 = frame pointer, x30 = link register)
  uint64_t sp;     // SP_EL0 for an exception from EL0, else the EL1 SP before it
  uint64_t elr;    // where the exception returns to
  uint64_t spsr;   // the interrupted PSTATE (EL0t for user mode)
  uint64_t esr;    // syndrome (valid for synchronous exceptions and SErrors)
  uint64_t far;    // fault address (valid for aborts, PC alignment, watchpoints)
};
static_assert(sizeof(RegisterFrame) == 288 && sizeof(RegisterFrame) % 16 == 0);
static_assert(offsetof(RegisterFrame, sp) == 248 && offsetof(RegisterFrame, elr) == 256);
static_assert(offsetof(RegisterFrame, esr) == 272 && offsetof(RegisterFrame, far) == 280);

}  // namespace arch::aarch64
