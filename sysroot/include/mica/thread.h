// Threads within a process: a stack with a guard page below it, a thread
// pointer (so errno is per thread), and a join that frees the stack.
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct mica_thread_handle;
typedef struct mica_thread_handle* mica_thread_t;

// Starts entry(argument) on a new thread with a stack of `stack_size` bytes
// (rounded up to pages; 0: 64 KiB). 0, or a negated status.
int mica_thread_spawn(void (*entry)(void*), void* argument, size_t stack_size,
                      mica_thread_t* thread);

// Waits until the thread has returned from entry, then frees its stack.
void mica_thread_join(mica_thread_t thread);

#ifdef __cplusplus
}
#endif
