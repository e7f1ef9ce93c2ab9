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

struct mica_message;
struct pollfd;
// One call to the VFS (looked up through the router, again after it
// restarted): 0 with the reply in *m, or a negated errno when there was no
// answer (-EIO: no VFS). A handle in m->handle is consumed either way.
int __mica_vfs_call(struct mica_message* m);

// socket.c: descriptors that are sockets. For fd, the kernel socket this
// process holds for it (learned from the VFS on first use); 0 and *out, or
// -EBADF / -ENOTSOCK. *nonblock (if not NULL): its O_NONBLOCK.
int __mica_socket_of(int fd, uint32_t* out, int* nonblock);
// The handle the cache holds for fd without asking the VFS, or 0.
uint32_t __mica_socket_cached(int fd);
// read() and write() on a socket descriptor (the VFS said -ENOTSOCK).
intptr_t __mica_socket_read(int fd, void* buffer, size_t size);
intptr_t __mica_socket_write(int fd, const void* data, size_t size);
// Forgets what the cache knows of fd (close, dup2 onto it), or of every
// fd (fd < 0: after F_SETFL, whose flags other descriptors may share).
void __mica_socket_forget(int fd);
// poll() when every descriptor is a known socket: straight to the kernel.
// -ENOTSOCK when some are not (the VFS polls those).
int __mica_socket_poll(struct pollfd* fds, size_t count, int timeout_ms);

#ifdef __cplusplus
}
#endif
