// The thread pointer and errno.
#include <errno.h>
#include <mica/calls.h>

#include "libc_internal.h"

// errno before (or without) a thread pointer: the process has one thread
// until a thread library sets pointers up.
static int early_errno;
static int attached;

int __mica_thread_attach(struct mica_thread* thread) {
  thread->self = thread;
  if (mica_thread_set_pointer((uintptr_t)thread) < 0) {
    return 0;
  }
  __atomic_store_n(&attached, 1, __ATOMIC_RELEASE);
  return 1;
}

static struct mica_thread* current_thread(void) {
  struct mica_thread* self;
#if defined(__x86_64__)
  __asm__("mov %%fs:0, %0" : "=r"(self));
#elif defined(__i386__)
  __asm__("mov %%gs:0, %0" : "=r"(self));
#elif defined(__aarch64__)
  __asm__("mrs %0, tpidr_el0" : "=r"(self));
#endif
  return self;
}

int* __mica_errno_location(void) {
  if (!__atomic_load_n(&attached, __ATOMIC_ACQUIRE)) {
    return &early_errno;
  }
  return &current_thread()->errno_value;
}

intptr_t __mica_result(intptr_t result) {
  if (mica_is_error(result)) {
    errno = (int)-result;
    return -1;
  }
  return result;
}
