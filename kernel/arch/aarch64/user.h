// The arch's half of user mode that the self-tests look into (user.cc).
#pragma once

#include <stdint.h>

#include <arch/aarch64/frame.h>
#include <core/user/entry.h>

namespace aarch64 {

// What an exception from EL0 saved in `frame`, taken through vector `vector`
// (8: synchronous, 11: SError), was: the user::Fault for user::handle_fault,
// decoded from ESR_EL1 (arch_code holds all of it) and FAR_EL1.
user::Fault decode_user_fault(const arch::aarch64::RegisterFrame& frame, uint64_t vector);

}  // namespace aarch64
