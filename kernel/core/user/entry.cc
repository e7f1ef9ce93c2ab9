// The arch's ways into core for user threads: system calls, faults, and the
// last check before returning to user mode.
#include <core/console.h>
#include <core/user/entry.h>
#include <core/user/process_object.h>

namespace user {

using Platform = arch::Platform;

[[noreturn]] void handle_fault(const Fault& fault) {
  sched::Thread* t = sched::current();
  Process* p = t->process;
  if (p == nullptr) panic("a user fault on kernel thread %s", t->name);
  static constexpr const char* kNames[] = {"?",
                                           "page fault",
                                           "protection fault",
                                           "illegal instruction",
                                           "divide error",
                                           "breakpoint",
                                           "alignment fault",
                                           "FPU fault",
                                           "fault"};
  unsigned kind = static_cast<unsigned>(fault.kind);
  kprintf("mica: process %u (%s) killed: %s at ip %#lx", p->pid() & 0xffff, p->name(),
          kNames[kind < 9 ? kind : 8], static_cast<unsigned long>(fault.ip));
  if (fault.kind == FaultKind::kPage || fault.kind == FaultKind::kAlignment) {
    kprintf(", address %#lx (%s%s)", static_cast<unsigned long>(fault.address),
            fault.execute ? "execute"
            : fault.write ? "write"
                          : "read",
            fault.present ? ", page present" : "");
  }
  kprintf("\n");
  mica_exit_info info = {};
  info.how = MICA_EXIT_FAULT;
  info.code = static_cast<int32_t>(fault.kind);
  info.flags = (fault.write ? 1u : 0u) | (fault.execute ? 2u : 0u) | (fault.present ? 4u : 0u);
  info.ip = fault.ip;
  info.address = fault.address;
  p->kill(info);
  exit_current_thread();
}

void exit_killed_thread() {
  Platform::enable_interrupts();
  exit_current_thread();
}

}  // namespace user
