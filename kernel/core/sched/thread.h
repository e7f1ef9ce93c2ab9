// Thread: the unit the scheduler runs. Kernel threads now; user threads
// (issue 5) are the same object with an address space and a user context.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <arch/platform.h>
#include <core/sched/entity.h>
#include <core/sync/spinlock.h>
#include <lib/intrusive_list.h>

namespace mm {
class AddressSpace;
}
namespace user {
class Process;
class Object;
}  // namespace user

namespace sched {

// A thread id is an index into the thread table plus the generation of that
// slot: when a thread is gone and its slot reused, its old id names nothing
// (lookups fail cleanly) instead of naming the new thread.
struct ThreadId {
  uint32_t value = 0;

  static constexpr ThreadId make(uint32_t index, uint32_t generation) {
    return ThreadId{(generation << 16) | (index & 0xffff)};
  }
  constexpr uint32_t index() const { return value & 0xffff; }
  constexpr uint32_t generation() const { return value >> 16; }
  constexpr bool operator==(const ThreadId& other) const { return value == other.value; }
};

enum class ThreadState : uint8_t {
  kRunnable,  // on a run queue
  kRunning,   // current on some CPU
  kSleeping,  // in a CPU's sleep wheel until a deadline
  kBlocked,   // on a wait queue
  kDead,      // exited; waiting to be reaped (stack) and joined (object)
};

struct ThreadOptions {
  uint8_t priority = kDefaultPriority;  // 0..31 (priority policy)
  uint32_t weight = kDefaultWeight;     // 1..64 (fair policy)
  uint64_t affinity = ~uint64_t{0};     // CPUs it may run on
  bool joinable = true;                 // false: freed at exit, join fails
};

struct Thread {
  arch::Platform::Context context;
  arch::Platform::FpuState fpu;
  SchedEntity entity;
  ThreadId id;
  ThreadState state = ThreadState::kRunnable;
  // Set while some CPU runs (or is switching away from) this thread; a
  // waker must not queue it elsewhere until its context is saved.
  volatile bool on_cpu = false;
  bool joinable = true;
  bool joined = false;  // a joiner took the exit code
  bool reaped = false;  // stack freed
  int exit_code = 0;
  char name[24] = {};

  void (*entry)(void*) = nullptr;
  void* argument = nullptr;

  uint32_t stack_slot = kNoStack;
  uintptr_t stack_top = 0;
  static constexpr uint32_t kNoStack = ~uint32_t{0};

  lib::ListLink sleep_link;  // a CPU's sleep wheel
  uint64_t wake_tick = 0;
  // A timed wait (WaitQueue::wait_until): the thread is on a wait queue and
  // in the sleep wheel of the CPU it blocked on at once. Whoever takes it out
  // of the wheel (under that CPU's lock) wakes it: the tick, end_sleep or a
  // waker, which then sets wait_signalled. Both guarded by the queue's lock.
  bool wait_timed = false;
  bool wait_signalled = false;
  lib::ListLink wait_link;         // a wait queue, or the zombie list
  uint64_t run_ticks = 0;          // ticks spent running (accounting, tests)
  uint64_t runnable_since_ns = 0;  // when it last became runnable (latency)

  // ---- User threads (core/user) ----
  // The scheduler activates these at every switch to the thread: its
  // process's address space (nullptr: a kernel thread, which runs on the
  // kernel's) and I/O port bitmap.
  mm::AddressSpace* address_space = nullptr;
  const arch::Platform::IoPorts* io_ports = nullptr;
  user::Process* process = nullptr;
  lib::ListLink process_link;          // the process's thread list
  volatile bool kill_pending = false;  // its process is dying: leave at the next chance

  // IPC: the message this thread sends or receives, whom it waits for, and
  // how the wait ended. A caller's state is guarded by its ipc_lock (taken
  // inside an endpoint's lock); a receiver's by the endpoint's lock.
  struct Message {
    uintptr_t label = 0;
    uintptr_t words[4] = {};
    user::Object* handle_object = nullptr;  // a handle in flight (one reference)
    uint32_t handle_rights = 0;
    uint32_t sender = 0;  // the sending process's id
    uintptr_t data = 0;   // payload: a user address in the sender
    size_t data_size = 0;
    uintptr_t buffer = 0;  // where a received payload goes (receiver's address)
    size_t buffer_size = 0;
  };
  enum class IpcWait : uint8_t { kNone, kSend, kReceive, kReply };
  Message ipc;
  SpinLock ipc_lock;
  IpcWait ipc_wait = IpcWait::kNone;
  int ipc_status = 0;     // 0 or a negated mica status when the wait ends
  bool ipc_done = false;  // the wait is over (set by the partner)
  // Waiting in a register-only receive, which a caller may complete by
  // resuming the thread straight in user mode (Endpoint::call's fast path).
  bool ipc_direct = false;
  Thread* ipc_caller = nullptr;  // a server: the caller its next reply goes to
  ThreadId ipc_caller_id;
  user::Process* ipc_caller_process = nullptr;  // its process (a reference)
  lib::ListLink ipc_link;                       // an endpoint's queue of callers or receivers
  user::Object* blocked_on = nullptr;           // the object this thread waits on, for kill

  static Thread* of(SchedEntity* e) {
    return reinterpret_cast<Thread*>(reinterpret_cast<char*>(e) - offsetof(Thread, entity));
  }
};

}  // namespace sched
