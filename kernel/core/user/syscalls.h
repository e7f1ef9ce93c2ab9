// System-call dispatch: the number and arguments of a call from user space
// in, its results out (the arch moves them to and from registers).
#pragma once

#include <stdint.h>

namespace user {

struct SyscallArgs {
  uintptr_t a[6];
};

struct SyscallResult {
  intptr_t value = 0;       // >= 0, or a negated mica status
  uintptr_t extra[4] = {};  // IPC words (results 1..4)
  unsigned extra_count = 0;
};

void dispatch(uintptr_t number, const SyscallArgs& args, SyscallResult& result);

}  // namespace user
