// libc-internal declarations shared between its files.
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Per-thread libc state, pointed to by the thread pointer (x86_64 FS base,
// i586 GS base, AArch64 TPIDR_EL0). `self` comes first so x86 code can read
// it at %fs:0 / %gs:0.
struct mica_thread {
  struct mica_thread* self;
  int errno_value;
};

// Makes `thread` the calling thread's; false if the kernel refused.
int __mica_thread_attach(struct mica_thread* thread);

// Flushes every stdio stream (exit runs it).
void __mica_stdio_flush_all(void);

// Registers fn(arg) to run at exit, most recent first (atexit and
// __cxa_atexit). Returns 0, or -1 when the table is full.
int __mica_atexit(void (*fn)(void*), void* arg);

// Sets errno from a result of mica_posix_call or a wrapper: a negated
// status becomes errno and -1; anything else is returned as is.
intptr_t __mica_result(intptr_t result);

// posix_ipc.c: the router endpoint (MICA_HANDLE_INVALID without one), the
// POSIX calls as server requests, and the goodbye to the VFS at exit.
uint32_t __mica_router(void);
intptr_t __mica_posix_ipc(int op, const uintptr_t args[6]);
void __mica_posix_release(void);

#ifdef __cplusplus
}
#endif
