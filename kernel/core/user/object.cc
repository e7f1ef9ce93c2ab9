#include <core/console.h>
#include <core/user/object.h>

namespace user {
namespace {

constinit uint64_t g_next_koid = 1;

}  // namespace

Object::Object(ObjectType type)
    : type_(type), koid_(__atomic_fetch_add(&g_next_koid, 1, __ATOMIC_RELAXED)) {}

void Object::signals_changed() {
  SignalWait::notify();
}

void SignalWait::notify() {
  SpinLockGuard guard(lock);
  ++generation;
  queue.wake_all(lock);
}

}  // namespace user

// A pure virtual function called through a half-built or destroyed object.
extern "C" void __cxa_pure_virtual() {
  panic("pure virtual function called");
}
