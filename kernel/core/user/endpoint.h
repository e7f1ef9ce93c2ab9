// IPC endpoints: synchronous call/reply with the message in registers, and a
// bounded queue of asynchronous messages.
//
// A call waits until a receiver takes it and replies; a receiver waiting on
// the endpoint is handed the message directly (no queueing, no allocation).
// Asynchronous sends go to the receiver at once if one waits, else into the
// queue, whose capacity is fixed at creation: when it is full the sender
// gets kWouldBlock or waits for space, its choice. Payloads beyond the
// register words are copied from the sender's memory while it waits.
#pragma once

#include <stdint.h>

#include <core/sched/thread.h>
#include <core/user/handle_table.h>
#include <core/user/object.h>
#include <core/user/paged_array.h>
#include <lib/intrusive_list.h>

namespace user {

class Process;
using Message = sched::Thread::Message;

class Endpoint final : public Object {
 public:
  static constexpr uint32_t kMaxQueue = 1024;
  static constexpr size_t kMaxPayload = 65536;

  // kInvalidArgs for a capacity above kMaxQueue (0 is allowed: calls only).
  // `owner`: the object id of the creating process, which serves it: when
  // it ends, so does the endpoint (calls and sends fail with
  // kConnectionReset, now and later). 0: no owner.
  static lib::Result<Endpoint*> create(uint32_t queue_capacity, uint64_t owner = 0);

  // Sends the calling thread's `ipc` message and waits for the reply, which
  // replaces it. kNoProcess if the thread's process is killed meanwhile.
  // `words`: send instead a message of these four words (label 0, no
  // handle or payload), written straight into a waiting receiver's slot.
  lib::Result<void> call(const uintptr_t* words = nullptr);

  // Queues `message` (its handle reference travels with it).
  lib::Result<void> send(const Message& message, bool nonblock);

  // A queue slot set aside for one later send_reserved(), which then cannot
  // fail (process-exit notices). kNoSpace when every slot is taken or set
  // aside.
  lib::Result<void> reserve();
  void unreserve();
  // Queues `message` into a reserved slot (or hands it to a waiting
  // receiver, giving the slot back).
  void send_reserved(const Message& message);

  // Takes the next call or message into `out`; for a call, the calling
  // thread becomes the current thread's caller (see reply()).
  // `out_payload_from` receives the caller's process (a reference) when the
  // call has a payload to copy.
  // `direct`: the receive is a system call's register-only form, which a
  // call may complete without this thread's kernel stack (see call()).
  // `wake`: a blocked thread to make runnable (a caller just answered,
  // reply_receive): if this receive has to wait, the CPU goes straight to
  // it (sched::handoff); else it is woken the ordinary way.
  lib::Result<void> receive(Message& out, bool nonblock, bool* is_call, bool direct = false,
                            sched::Thread* wake = nullptr);

  void cancel_wait(sched::Thread* thread) override;
  uint32_t signals() override;
  void owner_ending(uint64_t owner) override;

 private:
  MICA_OBJECT_ALLOCATION;

  Endpoint() : Object(ObjectType::kEndpoint) {}
  ~Endpoint() = default;
  void destroy() override;
  friend bool fast_ipc_call(arch::Platform::UserFrame& frame);
  // The fast path of a register-only call (after seL4's fastpath_call), with
  // interrupts masked. `registers`: the system call's, the endpoint handle in
  // 0 and the words in 1..4. When a receiver waits on that endpoint in a
  // register-only receive and may run on this CPU, the call goes straight to
  // it: one handle lookup under the handle table's lock, no reference
  // counting (the receiver's reference to the endpoint becomes the
  // caller's), no run queue. The receiver leaves for user mode as if its
  // receive had returned, its kernel stack abandoned (nothing on it is live
  // but that reference). Where the arch cannot resume a thread so
  // (Platform::kSyscallReturnContexts), or when anything else holds, it sets
  // `*taken` false having done nothing. Otherwise it returns when the call
  // is over, with its label or error, and registers 1..4 hold the reply.
  template <typename P>
  static lib::Result<uintptr_t> fast_call_on(HandleTable& table, uintptr_t* registers, bool* taken);

  using ThreadList = lib::IntrusiveList<sched::Thread, &sched::Thread::ipc_link>;
  ThreadList callers_ GUARDED_BY(lock);        // calls not yet received
  ThreadList receivers_ GUARDED_BY(lock);      // threads waiting to receive
  sched::WaitQueue senders_ GUARDED_BY(lock);  // waiting for queue space
  PagedArray<Message> queue_;
  uint32_t capacity_ = 0;
  uint32_t head_ GUARDED_BY(lock) = 0;
  uint32_t count_ GUARDED_BY(lock) = 0;
  uint32_t reserved_ GUARDED_BY(lock) = 0;  // slots set aside (reserve())
  uint64_t owner_ = 0;
  bool dead_ GUARDED_BY(lock) = false;  // its owner ended
};

// Replies to the current thread's caller (the last call it received) with
// `message` (payload: copied into the caller's buffer). kNotFound if there
// is none, kNoProcess if the caller is gone.
lib::Result<void> reply(const Message& message);
// The same, but the caller's call fails with -status (a server that dies
// with a call in hand fails it with kConnectionReset).
lib::Result<void> reply_with_status(const Message& message, int status);
// reply(), but the caller is left blocked, with its answer, for the current
// thread to wake (or hand its CPU to) in *woken: the first half of a reply
// and receive (MICA_SYS_IPC_REPLY_RECEIVE). *woken is nullptr on failure.
lib::Result<void> reply_leaving_blocked(const Message& message, sched::Thread** woken);

// A call taken out of the thread that received it (MICA_SYS_IPC_REPLY_DEFER),
// so that a server can answer it later, from any thread or (the handle
// passed on) from another process, while it goes on serving others. Closing
// the last handle unanswered fails the call with kConnectionReset, so a
// server that dies never leaves a caller waiting.
class Reply final : public Object {
 public:
  // Takes the current thread's pending call; kNotFound if it has none.
  static lib::Result<Reply*> take_current();

  // Answers the call once with `message`, sent by the current process (its
  // payload is copied from here into the caller's buffer). kNotFound if it
  // was answered before, kNoProcess if the caller is gone.
  lib::Result<void> answer(Message& message);

  void cancel_wait(sched::Thread*) override {}
  uint32_t signals() override { return 0; }

 private:
  MICA_OBJECT_ALLOCATION;
  Reply() : Object(ObjectType::kReply) {}
  ~Reply() = default;
  void destroy() override;

  sched::ThreadId caller_id_;
  Process* caller_process_ = nullptr;  // a reference, until answered
};

// Copies up to `size` bytes of the current process's memory at `from` into
// the buffer the waiting caller `caller_id` (of `caller_process`) named in
// its call; returns how many it copied (0 if the caller no longer waits).
size_t copy_reply_payload(sched::ThreadId caller_id, Process& caller_process, uintptr_t from,
                          size_t size);

// Cancellable waiting on an object: publishes `object` as what the calling
// thread waits on (so a kill can wake it), then blocks under `object.lock`
// (held) until done() or the thread's process is killed (false then).
// Ends `thread`'s wait for a reply (its process is being killed).
void cancel_reply_wait(sched::Thread* thread);

// Publishes/clears the object `t`, the current thread, waits on (for kill).
// Interrupts masked.
void set_blocked_on_masked(sched::Thread* t, Object* object);

// After a register-only call: the reply in `t`'s slot goes into registers
// 1..4 of the system call, and its label is returned. A reply in registers
// carries no handle: one sent anyway is dropped.
inline uintptr_t take_register_reply(sched::Thread* t, uintptr_t* registers) {
  for (int i = 0; i < 4; ++i) registers[1 + i] = t->ipc.words[i];
  if (t->ipc.handle_object != nullptr) {
    t->ipc.handle_object->drop_in_flight();
    t->ipc.handle_object = nullptr;
  }
  return t->ipc.label;
}

template <typename Done>
bool wait_on(Object& object, sched::WaitQueue& queue, Done done)
    REQUIRES(object.lock) NO_THREAD_SAFETY_ANALYSIS {
  sched::Thread* t = sched::current();
  bool ok = true;
  set_blocked_on_masked(t, &object);
  while (!done()) {
    if (t->kill_pending) {
      ok = false;
      break;
    }
    queue.wait(object.lock);
  }
  set_blocked_on_masked(t, nullptr);
  return ok;
}

}  // namespace user
