// Kernel objects that user space reaches through handles: processes, IPC
// endpoints, memory objects, IRQs, hardware resources.
//
// An object is reference-counted: every handle to it holds a reference, and
// so does kernel code using it for the length of a call. Separately it
// counts its handles, so an endpoint can tell when no one can reach it any
// more. Objects live on the kernel heap and free themselves (destroy()) when
// the last reference goes.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <core/mm/memory.h>
#include <core/sched/scheduler.h>
#include <core/sync/spinlock.h>
#include <lib/new.h>
#include <lib/result.h>
#include <mica/syscall.h>

namespace user {

enum class ObjectType : uint8_t {
  kProcess = MICA_OBJECT_PROCESS,
  kThread = MICA_OBJECT_THREAD,
  kEndpoint = MICA_OBJECT_ENDPOINT,
  kMemory = MICA_OBJECT_MEMORY,
  kIrq = MICA_OBJECT_IRQ,
  kResource = MICA_OBJECT_RESOURCE,
  kSocket = MICA_OBJECT_SOCKET,
  kReply = MICA_OBJECT_REPLY,
};

class Object {
 public:
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;

  ObjectType type() const { return type_; }
  uint64_t koid() const { return koid_; }

  void ref() { __atomic_add_fetch(&refs_, 1, __ATOMIC_RELAXED); }
  void unref() {
    if (__atomic_sub_fetch(&refs_, 1, __ATOMIC_ACQ_REL) == 0) destroy();
  }
  void handle_opened() { __atomic_add_fetch(&handles_, 1, __ATOMIC_RELAXED); }
  void handle_closed() {
    if (__atomic_sub_fetch(&handles_, 1, __ATOMIC_ACQ_REL) == 0) on_last_handle_closed();
  }
  // A handle in a message (taken from one table, not yet in another) still
  // counts as a handle; one that is never delivered is dropped here.
  void drop_in_flight() {
    handle_closed();
    unref();
  }

  // Wakes `thread` if it waits on this object (its process is being
  // killed): the wait ends with kNoProcess. Takes the object's lock.
  virtual void cancel_wait(sched::Thread* thread) = 0;

  // The signals (MICA_SIGNAL_*) the object asserts now, for wait_many.
  virtual uint32_t signals() = 0;

  // The process with object id `owner` is ending and held a handle to this
  // object (before its handles close). Endpoints die with the process that
  // created them: it is the one that serves them.
  virtual void owner_ending(uint64_t) {}

  SpinLock lock;

 protected:
  explicit Object(ObjectType type);
  // Frees the object (called once, when the last reference goes).
  virtual void destroy() = 0;
  virtual void on_last_handle_closed() {}
  // Tells wait_many waiters that signals() may have changed. Call without
  // `lock` held.
  void signals_changed();

 private:
  ObjectType type_;
  uint32_t refs_ = 1;
  uint32_t handles_ = 0;
  uint64_t koid_;
};

// In a subclass's private part: lets make_object and free_object build and
// free it while its constructor and destructor stay private.
#define MICA_OBJECT_ALLOCATION                          \
  template <typename T_, typename... Args_>             \
  friend lib::Result<T_*> make_object(Args_&&... args); \
  template <typename T_>                                \
  friend void free_object(T_* object)

// A reference held for a scope.
template <typename T>
class Ref {
 public:
  Ref() = default;
  explicit Ref(T* object) : object_(object) {}  // adopts one reference
  Ref(Ref&& other) : object_(other.object_) { other.object_ = nullptr; }
  Ref& operator=(Ref&& other) {
    reset();
    object_ = other.object_;
    other.object_ = nullptr;
    return *this;
  }
  Ref(const Ref&) = delete;
  Ref& operator=(const Ref&) = delete;
  ~Ref() { reset(); }
  void reset() {
    if (object_ != nullptr) object_->unref();
    object_ = nullptr;
  }
  T* release() {
    T* o = object_;
    object_ = nullptr;
    return o;
  }
  T* get() const { return object_; }
  T* operator->() const { return object_; }
  T& operator*() const { return *object_; }
  explicit operator bool() const { return object_ != nullptr; }

 private:
  T* object_ = nullptr;
};

// Allocates a T on the kernel heap (kNoMemory) and frees one.
template <typename T, typename... Args>
lib::Result<T*> make_object(Args&&... args) {
  void* memory = TRY(mm::heap().allocate(sizeof(T)));
  return new (memory) T(static_cast<Args&&>(args)...);
}
template <typename T>
void free_object(T* object) {
  object->~T();
  (void)mm::heap().free(object, sizeof(T));
}

// Waiting on several objects (wait_many, poll): waiters sleep on one queue
// and recheck their objects' signals whenever any object's change.
// TODO(issue 6): per-object observer lists once poll sets grow large.
struct SignalWait {
  static SpinLock lock;
  static sched::WaitQueue queue GUARDED_BY(lock);
  static uint64_t generation GUARDED_BY(lock);
  // Something any waiter may care about changed: wake them all to recheck.
  static void notify();
};

}  // namespace user
