// System-call dispatch: the number and arguments of a call from user space
// in, its results out (the arch moves them to and from registers).
#pragma once

#include <stdint.h>

#include <lib/result.h>
#include <mica/syscall.h>

namespace user {

// The six argument registers of a call, in place in the thread's saved user
// frame (Platform::syscall_registers): a call that returns IPC words writes
// them into a[1..4], the registers of results 1..4.
struct SyscallArgs {
  uintptr_t a[6];
};

using SyscallHandler = lib::Result<uintptr_t> (*)(SyscallArgs& args);
// Indexed by call number; null where a number names no call.
struct SyscallTable {
  SyscallHandler handlers[MICA_SYS_COUNT];
};
extern const SyscallTable kSyscallTable;

// Runs call `number`; returns its value (>= 0) or a negated mica status.
inline intptr_t dispatch(uintptr_t number, SyscallArgs& args) {
  SyscallHandler handler = number < MICA_SYS_COUNT ? kSyscallTable.handlers[number] : nullptr;
  if (handler == nullptr) return -static_cast<intptr_t>(mica::Status::kNotSupported);
  auto r = handler(args);
  return r.ok() ? static_cast<intptr_t>(r.value()) : -static_cast<intptr_t>(r.status());
}

}  // namespace user
