#include <core/user/endpoint.h>
#include <core/user/process.h>
#include <core/user/process_object.h>

namespace user {
namespace {

using sched::Thread;

// Drops the handle a message carries (it was never delivered).
void drop_handle(Message& message) {
  if (message.handle_object != nullptr) message.handle_object->drop_in_flight();
  message.handle_object = nullptr;
}

// `caller`'s call is now `receiver`'s to answer (reply()).
void take_call(Thread* receiver, Thread* caller) {
  receiver->ipc_caller = caller;
  receiver->ipc_caller_id = caller->id;
  receiver->ipc_caller_process = caller->process;
  caller->process->ref();
  caller->ipc_wait = Thread::IpcWait::kReply;
}

}  // namespace

void set_blocked_on_masked(Thread* t, Object* object) {
  Process* p = t->process;
  if (p == nullptr) return;
  p->blocked_lock.acquire();
  t->blocked_on = object;
  p->blocked_lock.release();
}

lib::Result<Endpoint*> Endpoint::create(uint32_t queue_capacity, uint64_t owner) {
  if (queue_capacity > kMaxQueue) return lib::Status::kInvalidArgs;
  Endpoint* e = TRY(make_object<Endpoint>());
  e->owner_ = owner;
  if (queue_capacity > 0) {
    auto queue = e->queue_.init(queue_capacity);
    if (!queue.ok()) {
      free_object(e);
      return queue.status();
    }
  }
  e->capacity_ = queue_capacity;
  return e;
}

void Endpoint::destroy() NO_THREAD_SAFETY_ANALYSIS {
  // No thread waits here: each holds a reference while it waits.
  for (uint32_t i = 0; i < count_; ++i) drop_handle(queue_[(head_ + i) % capacity_]);
  queue_.destroy();
  free_object(this);
}

lib::Result<void> Endpoint::call(const uintptr_t* words) {
  Thread* t = sched::current();
  t->ipc_status = 0;
  bool queued = false;
  Thread* handoff_to = nullptr;
  uintptr_t flags = arch::Platform::save_and_disable_interrupts();
  lock.acquire();
  t->ipc_lock.acquire();
  if (dead_) {
    if (words == nullptr) drop_handle(t->ipc);
    t->ipc_lock.release();
    lock.release();
    arch::Platform::restore_interrupts(flags);
    return lib::Status::kConnectionReset;
  }
  Thread* receiver = receivers_.pop_front();
  // The message goes straight into the slot of a receiver that waits.
  Message& m = receiver != nullptr ? receiver->ipc : t->ipc;
  if (words != nullptr) {
    m.label = 0;
    for (int i = 0; i < 4; ++i) m.words[i] = words[i];
    m.handle_object = nullptr;
    m.handle_rights = 0;
    m.sender = t->process->pid();
    m.data = 0;
    m.data_size = 0;
    m.buffer = 0;
    m.buffer_size = 0;
  } else if (receiver != nullptr) {
    m = t->ipc;
    t->ipc.handle_object = nullptr;  // it travels with the receiver's copy
  }
  if (receiver != nullptr) {
    // A receiver waits: hand the call straight to it.
    take_call(receiver, t);
    receiver->ipc_wait = Thread::IpcWait::kNone;
    handoff_to = receiver;
  } else {
    callers_.push_back(t);
    t->ipc_wait = Thread::IpcWait::kSend;
    set_blocked_on_masked(t, this);
    queued = true;
  }
  // A kill that came before we published our wait has not seen it: check
  // (see Process::kill for the ordering).
  if (t->kill_pending) {
    if (t->ipc_wait == Thread::IpcWait::kSend) {
      callers_.remove(t);
      drop_handle(t->ipc);
    }
    t->ipc_wait = Thread::IpcWait::kNone;
    t->ipc_status = -static_cast<int>(lib::Status::kNoProcess);
  }
  lock.release();
  if (queued) SignalWait::notify();  // the endpoint became readable (poll)
  // Wait under our own lock: receive() moves us from kSend to kReply and
  // reply() or a kill to kNone. A receiver that was waiting gets this CPU
  // at once (the fast path).
  if (handoff_to != nullptr) {
    if (t->ipc_wait != Thread::IpcWait::kNone) {
      sched::handoff(handoff_to, t->ipc_lock);
    } else {
      sched::unblock(handoff_to);
    }
  }
  while (t->ipc_wait != Thread::IpcWait::kNone) sched::block(t->ipc_lock);
  t->ipc_lock.release();
  if (queued) set_blocked_on_masked(t, nullptr);
  arch::Platform::restore_interrupts(flags);
  if (t->ipc_status != 0) return static_cast<lib::Status>(-t->ipc_status);
  return {};
}

template <typename P>
[[gnu::always_inline]] inline lib::Result<uintptr_t> Endpoint::fast_call_on(
    HandleTable& table, uintptr_t* registers, bool* taken) NO_THREAD_SAFETY_ANALYSIS {
  *taken = false;
  if constexpr (!P::kSyscallReturnContexts) {
    return lib::Status::kNotSupported;
  } else {
    Thread* t = sched::current();
    table.lock().acquire();
    Object* object =
        table.find_locked(static_cast<mica_handle_t>(registers[0]),
                          static_cast<uint8_t>(ObjectType::kEndpoint), MICA_RIGHT_WRITE);
    Endpoint* e = static_cast<Endpoint*>(object);
    Thread* receiver = nullptr;
    if (e != nullptr) {
      e->lock.acquire();
      receiver = e->receivers_.front();
      // Its context must be saved for good before it is replaced.
      if (receiver != nullptr &&
          (!receiver->ipc_direct || __atomic_load_n(&receiver->on_cpu, __ATOMIC_ACQUIRE) ||
           !receiver->entity.allowed_on(P::current_cpu()) || t->kill_pending)) {
        receiver = nullptr;
      }
      if (receiver == nullptr) e->lock.release();
    }
    table.lock().release();
    if (receiver == nullptr) return lib::Status::kNotSupported;
    *taken = true;
    // The receiver's reference keeps the endpoint alive; it is ours from
    // here (the receiver's kernel stack, which would drop it, is abandoned).
    e->receivers_.remove(receiver);
    t->ipc_status = 0;
    t->ipc_lock.acquire();
    // What its receive would have returned: label 0 and the words.
    typename P::UserFrame& frame = P::syscall_frame(receiver->stack_top);
    uintptr_t* out = P::syscall_registers(frame);
    P::set_syscall_value(frame, 0);
    for (int i = 1; i <= 4; ++i) out[i] = registers[i];
    receiver->ipc_direct = false;
    set_blocked_on_masked(receiver, nullptr);
    take_call(receiver, t);
    receiver->ipc_wait = Thread::IpcWait::kNone;
    e->lock.release();
    // A kill that came before we published our wait has not seen it (see
    // call()): the receiver still has the call, we leave at once.
    if (t->kill_pending) {
      t->ipc_wait = Thread::IpcWait::kNone;
      t->ipc_status = -static_cast<int>(lib::Status::kNoProcess);
      P::init_context_syscall_return(receiver->context, frame);
      sched::unblock(receiver);
    } else {
      sched::handoff_to_syscall_return(receiver, t->ipc_lock);
    }
    while (t->ipc_wait != Thread::IpcWait::kNone) sched::block(t->ipc_lock);
    t->ipc_lock.release();
    e->unref();
    if (t->ipc_status != 0) return static_cast<lib::Status>(-t->ipc_status);
    return take_register_reply(t, registers);
  }
}

bool fast_ipc_call(arch::Platform::UserFrame& frame) {
  using P = arch::Platform;
  bool taken;
  auto r = Endpoint::fast_call_on<P>(sched::current()->process->handles(),
                                     P::syscall_registers(frame), &taken);
  if (!taken) return false;
  P::set_syscall_value(frame, r.ok() ? r.value() : -static_cast<uintptr_t>(r.status()));
  return true;
}

lib::Result<void> Endpoint::send(const Message& message, bool nonblock) {
  bool woke = false;
  {
    SpinLockGuard guard(lock);
    for (;;) {
      if (dead_) return lib::Status::kConnectionReset;
      if (Thread* receiver = receivers_.pop_front()) {
        receiver->ipc = message;
        receiver->ipc_caller = nullptr;
        receiver->ipc_wait = Thread::IpcWait::kNone;
        sched::unblock(receiver);
        return {};
      }
      if (count_ + reserved_ < capacity_) {
        queue_[(head_ + count_) % capacity_] = message;
        ++count_;
        woke = true;
        break;
      }
      if (nonblock || capacity_ == 0) return lib::Status::kWouldBlock;
      uint32_t seen = count_;
      if (!wait_on(*this, senders_, [&]() REQUIRES(lock) { return dead_ || count_ < seen; })) {
        return lib::Status::kNoProcess;
      }
    }
  }
  if (woke) signals_changed();
  return {};
}

lib::Result<void> Endpoint::reserve() {
  SpinLockGuard guard(lock);
  if (count_ + reserved_ >= capacity_) return lib::Status::kNoSpace;
  ++reserved_;
  return {};
}

void Endpoint::unreserve() {
  {
    SpinLockGuard guard(lock);
    --reserved_;
  }
  signals_changed();
}

void Endpoint::send_reserved(const Message& message) {
  {
    SpinLockGuard guard(lock);
    --reserved_;
    if (Thread* receiver = receivers_.pop_front()) {
      receiver->ipc = message;
      receiver->ipc_caller = nullptr;
      receiver->ipc_wait = Thread::IpcWait::kNone;
      sched::unblock(receiver);
      return;
    }
    // count_ + reserved_ < capacity_ held before the decrement.
    queue_[(head_ + count_) % capacity_] = message;
    ++count_;
  }
  signals_changed();
}

lib::Result<void> Endpoint::receive(Message& out, bool nonblock, bool* is_call, bool direct,
                                    Thread* wake) {
  Thread* t = sched::current();
  SpinLockGuard guard(lock);
  if (Thread* caller = callers_.pop_front()) {
    {
      SpinLockGuard caller_guard(caller->ipc_lock);
      out = caller->ipc;
      caller->ipc.handle_object = nullptr;
      take_call(t, caller);
    }
    if (wake != nullptr) sched::unblock(wake);
    *is_call = true;
    return {};
  }
  if (count_ > 0) {
    out = queue_[head_];
    queue_[head_].handle_object = nullptr;
    head_ = (head_ + 1) % capacity_;
    --count_;
    senders_.wake_one(lock);
    if (wake != nullptr) sched::unblock(wake);
    *is_call = false;
    return {};
  }
  if (nonblock) {
    if (wake != nullptr) sched::unblock(wake);
    return lib::Status::kWouldBlock;
  }
  t->ipc_caller = nullptr;
  t->ipc_status = 0;
  t->ipc_wait = Thread::IpcWait::kReceive;
  t->ipc_direct = direct;
  receivers_.push_back(t);
  set_blocked_on_masked(t, this);
  while (t->ipc_wait != Thread::IpcWait::kNone) {
    if (t->kill_pending) {
      receivers_.remove(t);
      t->ipc_direct = false;
      t->ipc_wait = Thread::IpcWait::kNone;
      set_blocked_on_masked(t, nullptr);
      if (wake != nullptr) sched::unblock(wake);
      return lib::Status::kNoProcess;
    }
    if (wake != nullptr) {
      // The caller just answered runs in our place (it falls back to an
      // ordinary wake when it cannot run on this CPU yet).
      Thread* next = wake;
      wake = nullptr;
      sched::handoff(next, lock);
    } else {
      sched::block(lock);
    }
  }
  t->ipc_direct = false;
  set_blocked_on_masked(t, nullptr);
  if (t->ipc_status != 0) return static_cast<lib::Status>(-t->ipc_status);
  if (&out != &t->ipc) {  // (the system call receives into t->ipc itself)
    out = t->ipc;
    t->ipc.handle_object = nullptr;
  }
  *is_call = t->ipc_caller != nullptr;
  return {};
}

void Endpoint::owner_ending(uint64_t owner) NO_THREAD_SAFETY_ANALYSIS {
  if (owner_ == 0 || owner != owner_) return;
  {
    SpinLockGuard guard(lock);
    if (dead_) return;
    dead_ = true;
    // Calls no one took fail; senders waiting for room give up.
    while (Thread* c = callers_.pop_front()) {
      SpinLockGuard caller_guard(c->ipc_lock);
      drop_handle(c->ipc);
      c->ipc_status = -static_cast<int>(lib::Status::kConnectionReset);
      c->ipc_wait = Thread::IpcWait::kNone;
      sched::unblock(c);
    }
    senders_.wake_all(lock);
  }
  signals_changed();  // PEER_CLOSED
}

void Endpoint::cancel_wait(Thread* thread) {
  SpinLockGuard guard(lock);
  if (thread->ipc_wait == Thread::IpcWait::kReceive) {
    // Off the queue at once, so no sender picks (and wakes) it again.
    receivers_.remove(thread);
    thread->ipc_wait = Thread::IpcWait::kNone;
    thread->ipc_status = -static_cast<int>(lib::Status::kNoProcess);
    sched::unblock(thread);
    return;
  }
  // A call not yet received: take it back.
  for (Thread* c = callers_.front(); c != nullptr; c = callers_.next_of(c)) {
    if (c != thread) continue;
    callers_.remove(c);
    SpinLockGuard caller_guard(c->ipc_lock);
    drop_handle(c->ipc);
    c->ipc_status = -static_cast<int>(lib::Status::kNoProcess);
    c->ipc_wait = Thread::IpcWait::kNone;
    sched::unblock(c);
    return;
  }
  (void)senders_.wake_thread(lock, thread);
}

void cancel_reply_wait(Thread* thread) {
  SpinLockGuard guard(thread->ipc_lock);
  if (thread->ipc_wait != Thread::IpcWait::kReply) return;
  thread->ipc_status = -static_cast<int>(lib::Status::kNoProcess);
  thread->ipc_wait = Thread::IpcWait::kNone;
  sched::unblock(thread);
}

uint32_t Endpoint::signals() {
  SpinLockGuard guard(lock);
  uint32_t s = 0;
  if (count_ > 0 || !callers_.empty()) s |= MICA_SIGNAL_READABLE;
  if (count_ + reserved_ < capacity_) s |= MICA_SIGNAL_WRITABLE;
  if (dead_) s |= MICA_SIGNAL_PEER_CLOSED;  // its server ended
  return s;
}

lib::Result<void> reply(const Message& message) {
  return reply_with_status(message, 0);
}

namespace {

// Ends the wait of `caller_id` (of `caller_process`, whose reference the
// reply adopts) for a reply, with `message` and `status`.
// With `woken`, the caller stays blocked and is returned there instead:
// no one else can wake it once its wait is over (kill and cancel_wait look
// for kReply), so it is safe to hold until it is woken.
lib::Result<void> reply_to(sched::ThreadId caller_id, Process* caller_process,
                           const Message& message, int status, Thread** woken = nullptr) {
  Ref<Process> pin(caller_process);  // the reference receive() took
  bool delivered = false;
  sched::with_thread(caller_id, [&](Thread& c) {
    // Under the thread table's lock `c` lives; its ipc_lock guards its wait.
    SpinLockGuard guard(c.ipc_lock);
    if (c.ipc_wait != Thread::IpcWait::kReply) return;
    uintptr_t buffer = c.ipc.buffer;
    size_t buffer_size = c.ipc.buffer_size;
    c.ipc = message;
    c.ipc.buffer = buffer;
    c.ipc.buffer_size = buffer_size;
    c.ipc_status = status;
    c.ipc_wait = Thread::IpcWait::kNone;
    if (woken != nullptr) {
      *woken = &c;
    } else {
      sched::unblock(&c);
    }
    delivered = true;
  });
  if (!delivered) {
    Message dropped = message;
    drop_handle(dropped);
    return lib::Status::kNoProcess;
  }
  return {};
}

}  // namespace

namespace {

lib::Result<void> reply_current(const Message& message, int status, Thread** woken) {
  Thread* t = sched::current();
  Thread* caller = t->ipc_caller;
  Process* caller_process = t->ipc_caller_process;
  if (caller == nullptr) return lib::Status::kNotFound;
  t->ipc_caller = nullptr;
  t->ipc_caller_process = nullptr;
  return reply_to(t->ipc_caller_id, caller_process, message, status, woken);
}

}  // namespace

lib::Result<void> reply_with_status(const Message& message, int status) {
  return reply_current(message, status, nullptr);
}

lib::Result<void> reply_leaving_blocked(const Message& message, Thread** woken) {
  *woken = nullptr;
  return reply_current(message, 0, woken);
}

size_t copy_reply_payload(sched::ThreadId caller_id, Process& caller_process, uintptr_t from,
                          size_t size) {
  uintptr_t buffer = 0;
  size_t buffer_size = 0;
  sched::with_thread(caller_id, [&](Thread& c) {
    SpinLockGuard guard(c.ipc_lock);
    if (c.ipc_wait == Thread::IpcWait::kReply) {
      buffer = c.ipc.buffer;
      buffer_size = c.ipc.buffer_size;
    }
  });
  size_t n = size < buffer_size ? size : buffer_size;
  uint8_t chunk[256];
  size_t copied = 0;
  while (copied < n) {
    size_t c = n - copied < sizeof(chunk) ? n - copied : sizeof(chunk);
    if (!arch::Platform::copy_from_user(chunk, from + copied, c)) break;
    if (!write_process_memory(caller_process, buffer + copied, chunk, c).ok()) break;
    copied += c;
  }
  return copied;
}

lib::Result<Reply*> Reply::take_current() {
  Thread* t = sched::current();
  if (t->ipc_caller == nullptr) return lib::Status::kNotFound;
  Reply* r = TRY(make_object<Reply>());
  r->caller_id_ = t->ipc_caller_id;
  r->caller_process_ = t->ipc_caller_process;
  t->ipc_caller = nullptr;
  t->ipc_caller_process = nullptr;
  return r;
}

lib::Result<void> Reply::answer(Message& message) {
  Process* caller_process;
  {
    SpinLockGuard guard(lock);
    caller_process = caller_process_;
    caller_process_ = nullptr;
  }
  if (caller_process == nullptr) {
    Message dropped = message;
    drop_handle(dropped);
    return lib::Status::kNotFound;
  }
  if (message.data_size != 0) {
    message.data_size =
        copy_reply_payload(caller_id_, *caller_process, message.data, message.data_size);
  }
  return reply_to(caller_id_, caller_process, message, 0);
}

void Reply::destroy() {
  // Never answered: the caller's call fails rather than waiting forever.
  if (caller_process_ != nullptr) {
    (void)reply_to(caller_id_, caller_process_, Message{},
                   -static_cast<int>(lib::Status::kConnectionReset));
  }
  free_object(this);
}

}  // namespace user
