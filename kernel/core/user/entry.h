// What the arch's trap and system-call paths call in core for user mode
// (the other half of arch::UserContract in arch/contract.h).
#pragma once

#include <stdint.h>

#include <arch/platform.h>
#include <core/sched/scheduler.h>
#include <core/user/syscalls.h>

namespace user {

// A system call from the current thread: reads the number and arguments
// from `frame` and writes the results back into it. Called with interrupts
// enabled on the thread's kernel stack. Returns when the call is complete
// (it may have blocked); the arch then calls exit_to_user.
inline void handle_syscall(arch::Platform::UserFrame& frame) {
  uintptr_t number = arch::Platform::syscall_number(frame);
  auto& args = *reinterpret_cast<SyscallArgs*>(arch::Platform::syscall_registers(frame));
  arch::Platform::set_syscall_value(frame, static_cast<uintptr_t>(dispatch(number, args)));
}

// Called by the arch's system-call entry before handle_syscall, with
// interrupts still masked: completes the call on a fast path if one applies
// (a register-only IPC call: Endpoint::fast_call_on) and returns true, its
// results in `frame`; else false, having done nothing.
bool fast_ipc_call(arch::Platform::UserFrame& frame);
inline bool fast_syscall(arch::Platform::UserFrame& frame) {
  return arch::Platform::syscall_number(frame) == MICA_SYS_IPC_CALL && fast_ipc_call(frame);
}

// An exception from user mode.
enum class FaultKind : uint8_t {
  kPage = 1,    // MICA_FAULT_PAGE
  kProtection,  // general protection, permission
  kIllegalInstruction,
  kDivide,
  kBreakpoint,
  kAlignment,
  kFpu,
  kOther,
};

struct Fault {
  FaultKind kind = FaultKind::kOther;
  uintptr_t ip = 0;
  uintptr_t address = 0;   // kPage, kAlignment: the data address
  bool write = false;      // kPage: a write
  bool execute = false;    // kPage: an instruction fetch
  bool present = false;    // kPage: the page was mapped (a permission fault)
  uint32_t arch_code = 0;  // the raw vector/ESR class, for the log
};

// Ends the current thread's process: every thread in it dies, its exit
// status records `fault`, and whoever waits for it is told. Called with
// interrupts enabled; does not return.
[[noreturn]] void handle_fault(const Fault& fault);

// The last call before any return to user mode, with interrupts masked:
// kills the thread here if its process is dying.
[[noreturn]] void exit_killed_thread();
inline void exit_to_user() {
  if (__builtin_expect(sched::current()->kill_pending, 0)) exit_killed_thread();
}

}  // namespace user
