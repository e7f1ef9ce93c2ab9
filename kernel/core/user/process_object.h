// The Process object (kernel-internal; the API is in process.h).
#pragma once

#include <stdint.h>

#include <arch/platform.h>
#include <core/mm/address_space.h>
#include <core/sched/scheduler.h>
#include <core/user/handle_table.h>
#include <core/user/memory_mapping.h>
#include <core/user/object.h>
#include <core/user/process.h>
#include <lib/intrusive_list.h>

namespace user {

class Endpoint;

class Process final : public Object {
 public:
  static lib::Result<Process*> create(const char* name);

  uint32_t pid() const { return pid_; }
  const char* name() const { return name_; }
  HandleTable& handles() { return handles_; }

  // ---- Memory ----
  // Guards the address space (nullptr once the process is dead) and the
  // placement cursor.
  SpinLock vm_lock;
  mm::AddressSpace* space GUARDED_BY(vm_lock) = nullptr;
  uintptr_t map_cursor GUARDED_BY(vm_lock) = 0;
  // The memory objects mapped into it (MICA_SYS_MEMORY_MAP), each holding a
  // reference until its pages are unmapped or the space is destroyed.
  MemoryMapping* memory_mappings GUARDED_BY(vm_lock) = nullptr;
  arch::Platform::IoPorts* io_ports = nullptr;  // set once, under vm_lock

  // ---- Threads and life (under `lock`) ----
  lib::IntrusiveList<sched::Thread, &sched::Thread::process_link> threads GUARDED_BY(lock);
  uint32_t live_threads GUARDED_BY(lock) = 0;    // started, not yet finished
  uint64_t finished_ticks GUARDED_BY(lock) = 0;  // run_ticks of its threads that finished
  bool dying GUARDED_BY(lock) = false;           // exit or kill began
  bool dead GUARDED_BY(lock) = false;            // every thread has finished
  mica_exit_info exit GUARDED_BY(lock) = {};
  sched::WaitQueue exit_waiters GUARDED_BY(lock);
  uint64_t start_ns = 0;
  // Guards its threads' blocked_on; innermost of all locks (nothing is taken
  // under it), so a waiter can publish what it waits on while holding that
  // object's lock.
  SpinLock blocked_lock;

  // Exit notices (MICA_SYS_PROCESS_WATCH): when the process has ended, a
  // MICA_LABEL_PROCESS_EXIT message goes to each endpoint, into a queue slot
  // reserved now so that it cannot be lost. Takes a reference to
  // `endpoint`. kNoSpace: kMaxWatches already, or the endpoint's queue has
  // no slot to reserve. A process that has ended already is reported at once.
  static constexpr int kMaxWatches = 4;
  lib::Result<void> watch(Endpoint* endpoint, uintptr_t tag);
  // Sends the notices (once; the process has ended).
  void notify_watchers();

  // Begins ending the process (first caller wins: its `info` is the exit
  // status): marks every thread to leave and wakes those that wait.
  void kill(const mica_exit_info& info);

  void cancel_wait(sched::Thread* thread) override;
  uint32_t signals() override;

 private:
  MICA_OBJECT_ALLOCATION;

  Process() : Object(ObjectType::kProcess) {}
  ~Process() = default;
  void destroy() override;

  struct Watch {
    Endpoint* endpoint;  // a reference, and one reserved queue slot
    uintptr_t tag;
  };
  Watch watches_[kMaxWatches] GUARDED_BY(lock) = {};
  bool notified_ GUARDED_BY(lock) = false;

  char name_[32] = {};
  uint32_t pid_ = 0;
  HandleTable handles_;
};

// The thread about to finish (its process's last one ends the process).
// With interrupts enabled; does not return.
[[noreturn]] void exit_current_thread();

// Reads/writes another (or the current) process's memory through its page
// tables, whatever the pages' permissions; kFault for an unmapped page.
lib::Result<void> read_process_memory(Process& process, uintptr_t address, void* data, size_t size);
lib::Result<void> write_process_memory(Process& process, uintptr_t address, const void* data,
                                       size_t size);

// The calling thread's process (nullptr for kernel threads).
inline Process* current_process() {
  return sched::current()->process;
}

// Process table: live processes for ps-style listings.
uint32_t process_count();

}  // namespace user
