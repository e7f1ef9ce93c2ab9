#include <stdlib.h>

#include <mica/calls.h>
#include <mica/thread.h>

#include "../c/libc_internal.h"

// The block at the top of each thread's stack region. `done` is set by the
// trampoline after the entry returned, right before the thread-exit system
// call, with no stack access in between: once the joiner sees it, the stack
// can go.
struct mica_thread_handle {
  void (*entry)(void*);
  void* argument;
  uintptr_t stack_base;  // the guard page
  size_t stack_size;     // guard page included
  volatile uint32_t done;
  struct mica_thread tls;
};

// The trampolines store to `done` at a fixed offset.
_Static_assert(__builtin_offsetof(struct mica_thread_handle, done) == 4 * sizeof(void*),
               "trampoline_*.S: the offset of done");

// Per-arch, in trampoline_<arch>.S: the thread's first instruction (arg0:
// the handle). Calls __mica_thread_main, then sets done and exits.
void __mica_thread_trampoline(void);

struct mica_thread_handle* __mica_thread_main(struct mica_thread_handle* self) {
  __mica_thread_attach(&self->tls);
  self->entry(self->argument);
  return self;
}

int mica_thread_spawn(void (*entry)(void*), void* argument, size_t stack_size,
                      mica_thread_t* thread) {
  if (entry == NULL || thread == NULL) return -22;
  if (stack_size == 0) stack_size = 64 * 1024;
  stack_size = (stack_size + MICA_PAGE_SIZE - 1) & ~(size_t)(MICA_PAGE_SIZE - 1);
  size_t total = stack_size + MICA_PAGE_SIZE;  // + the guard page
  uintptr_t base;
  int r = mica_vm_allocate(MICA_HANDLE_SELF, 0, total, MICA_PROT_READ | MICA_PROT_WRITE, 0, &base);
  if (r != 0) return r;
  mica_vm_free(MICA_HANDLE_SELF, base, MICA_PAGE_SIZE);  // the guard page: unmapped
  uintptr_t top = base + total;
  struct mica_thread_handle* self =
      (struct mica_thread_handle*)((top - sizeof(struct mica_thread_handle)) & ~(uintptr_t)15);
  self->entry = entry;
  self->argument = argument;
  self->stack_base = base;
  self->stack_size = total;
  self->done = 0;
  self->tls.self = &self->tls;
  self->tls.errno_value = 0;
  uintptr_t sp = (uintptr_t)self & ~(uintptr_t)15;
  r = mica_thread_create(MICA_HANDLE_SELF, (uintptr_t)__mica_thread_trampoline, sp, (uintptr_t)self,
                         0, NULL);
  if (r != 0) {
    mica_vm_free(MICA_HANDLE_SELF, base + MICA_PAGE_SIZE, stack_size);
    return r;
  }
  *thread = self;
  return 0;
}

void mica_thread_join(mica_thread_t thread) {
  while (!__atomic_load_n(&thread->done, __ATOMIC_ACQUIRE)) mica_sleep(1000000);
  mica_vm_free(MICA_HANDLE_SELF, thread->stack_base + MICA_PAGE_SIZE,
               thread->stack_size - MICA_PAGE_SIZE);
}
