// Typed wrappers for every system call of <mica/syscall.h>.
//
// Each wrapper returns 0 (or, where noted, a value >= 0) on success and a
// negated mica status on failure (-EBADF, ...: the numbers of <errno.h>).
// Values a call produces come back through out-parameters, which are only
// written on success and may be NULL when not wanted (a handle not taken
// stays open). None of them sets errno.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <mica/syscall.h>

#ifdef __cplusplus
extern "C" {
#endif

// True for a raw result that is a negated status. Results such as handles
// and addresses can have the top bit set on 32-bit arches, so only
// -4095..-1 are errors.
static inline int mica_is_error(intptr_t result) {
  return (uintptr_t)result > (uintptr_t)-4096;
}

// ---- Diagnostics, process and thread life ----
// Writes to the kernel log; returns the number of bytes written.
intptr_t mica_debug_write(const char* text, size_t length);
// printf to the kernel's console through mica_debug_write, at most 255
// bytes (truncated): for servers that start before the VFS carries stdout.
__attribute__((format(printf, 1, 2))) void mica_debug_printf(const char* format, ...);
__attribute__((noreturn)) void mica_process_exit(int code);
__attribute__((noreturn)) void mica_thread_exit(void);
int mica_yield(void);
int mica_clock_get(uint64_t* nanoseconds);  // monotonic
int mica_sleep(uint64_t nanoseconds);
// Does nothing (measures the system-call path).
int mica_null(void);
// The id of a process or thread (MICA_HANDLE_SELF: the calling process);
// returns the id.
intptr_t mica_get_id(mica_handle_t process_or_thread);

// Memory, CPUs, process and thread counts, uptime.
int mica_system_info(struct mica_system_info* info);
// Powers off or reboots (MICA_STOP_*): needs the hardware resource (GRANT).
int mica_system_stop(mica_handle_t resource, uint32_t how);

// ---- Handles ----
int mica_handle_close(mica_handle_t handle);
int mica_handle_duplicate(mica_handle_t handle, uint32_t rights, mica_handle_t* out);
// Moves `handle` (which needs MICA_RIGHT_TRANSFER) into `process` with at
// most `rights`; *out is its value there. On failure it stays the caller's.
int mica_handle_grant(mica_handle_t process, mica_handle_t handle, uint32_t rights,
                      mica_handle_t* out);
// Also spelled mica_handle_info(handle, info): a function-like macro, so
// that in C++ the name still means the struct when not called.
int mica_handle_get_info(mica_handle_t handle, struct mica_handle_info* info);
#define mica_handle_info(handle, info) mica_handle_get_info(handle, info)

// ---- Processes and threads ----
int mica_process_create(const char* name, size_t name_length, mica_handle_t* out);
int mica_thread_create(mica_handle_t process, uintptr_t ip, uintptr_t sp, uintptr_t arg0,
                       uintptr_t arg1, mica_handle_t* out);
int mica_process_kill(mica_handle_t process, int code);
int mica_process_wait(mica_handle_t process, struct mica_exit_info* info, uint32_t flags);
int mica_thread_set_pointer(uintptr_t pointer);
// When `process` has ended, a message labelled MICA_LABEL_PROCESS_EXIT
// (words: pid, how, code, tag) arrives on `endpoint` (which needs a queue:
// a slot is reserved now, so the notice cannot be lost).
int mica_process_watch(mica_handle_t process, mica_handle_t endpoint, uintptr_t tag);
// What `process` (MICA_HANDLE_SELF or a handle with READ) is doing and holds.
int mica_process_get_info(mica_handle_t process, struct mica_process_info* info);

// ---- Memory (addresses and sizes page-aligned) ----
int mica_vm_allocate(mica_handle_t process, uintptr_t address, size_t size, uint32_t prot,
                     uint32_t flags, uintptr_t* out_address);
int mica_vm_free(mica_handle_t process, uintptr_t address, size_t size);
int mica_vm_protect(mica_handle_t process, uintptr_t address, size_t size, uint32_t prot);
int mica_vm_write(mica_handle_t process, uintptr_t address, const void* data, size_t size);
int mica_vm_read(mica_handle_t process, uintptr_t address, void* data, size_t size);
int mica_memory_create(size_t size, mica_handle_t* out);
int mica_memory_map(mica_handle_t process, mica_handle_t memory, uintptr_t address, size_t size,
                    uint32_t prot, uint32_t flags, uintptr_t* out_address);

// ---- IPC ----
int mica_endpoint_create(uint32_t queue_capacity, mica_handle_t* out);
// Sends words[0..3] and waits for the reply, which replaces them; returns
// the reply's label.
intptr_t mica_ipc_call(mica_handle_t endpoint, uintptr_t words[MICA_MESSAGE_WORDS]);
int mica_ipc_send(mica_handle_t endpoint, const struct mica_message* message, uint32_t flags);
int mica_ipc_receive(mica_handle_t endpoint, struct mica_message* message, uint32_t flags);
int mica_ipc_reply(const uintptr_t words[MICA_MESSAGE_WORDS]);
// A server's loop in one call: replies `words` to the call in hand (if
// any), then waits on `endpoint` for the next register-only message, whose
// words replace `words`. Returns its label, or a negated status.
intptr_t mica_ipc_reply_receive(mica_handle_t endpoint, uintptr_t words[MICA_MESSAGE_WORDS]);
int mica_ipc_call_message(mica_handle_t endpoint, struct mica_message* in_out);
int mica_ipc_reply_message(const struct mica_message* message);
// Takes the last call received out of the calling thread as a reply handle,
// to be answered later (by any thread, or another process it is passed to)
// with mica_ipc_reply_to, which also closes it. Closing it unanswered fails
// the call with -ECONNRESET. -ENOENT if no call is in hand.
int mica_ipc_reply_defer(mica_handle_t* out);
int mica_ipc_reply_to(mica_handle_t reply, const struct mica_message* message);

// ---- Hardware ----
int mica_ioport_allow(mica_handle_t resource, uint32_t base, uint32_t count);
int mica_mmio_map(mica_handle_t resource, uint64_t physical, size_t size, uintptr_t address,
                  uintptr_t* out_address);
int mica_irq_create(mica_handle_t resource, uint32_t irq, mica_handle_t endpoint, uintptr_t tag,
                    mica_handle_t* out);
int mica_irq_ack(mica_handle_t irq);
// A resource covering only `ranges[0..count)` (at most
// MICA_RESOURCE_MAX_RANGES), each inside one of `parent`'s: -EPERM for one
// outside, -EINVAL for a malformed one.
int mica_resource_create(mica_handle_t parent, const struct mica_resource_range* ranges,
                         size_t count, mica_handle_t* out);
// DMA memory: a memory object of `size` bytes (a page multiple, at most
// MICA_DMA_MAX_SIZE) of physically contiguous zeroed frames, which start at
// *physical_out; map it with mica_memory_map.
int mica_dma_create(mica_handle_t resource, size_t size, uint64_t* physical_out,
                    mica_handle_t* out);

// ---- Unix domain sockets (MICA_SOCK_STREAM, MICA_SOCK_DGRAM) ----
int mica_socket_create(uint32_t type, mica_handle_t* out);
int mica_socket_bind(mica_handle_t socket, const char* name, size_t length);
int mica_socket_listen(mica_handle_t socket, uint32_t backlog);
int mica_socket_accept(mica_handle_t socket, uint32_t flags, mica_handle_t* out);
int mica_socket_connect(mica_handle_t socket, const char* name, size_t length, uint32_t flags);
// Returns the bytes sent. to_name: a datagram's destination, or NULL.
intptr_t mica_socket_send(mica_handle_t socket, const void* data, size_t size, uint32_t flags,
                          const char* to_name, size_t to_length);
// Returns the bytes received.
intptr_t mica_socket_receive(mica_handle_t socket, void* buffer, size_t size, uint32_t flags);
int mica_socket_pair(uint32_t type, mica_handle_t out[2]);

// ---- Waiting ----
// timeout_ns: NULL waits forever. Returns how many items are ready (their
// `observed` bits set), -ETIMEDOUT, or another negated status.
int mica_wait_many(struct mica_wait_item* items, size_t count, const uint64_t* timeout_ns);

// ---- Services ----
// A PCI configuration-space access through the PCI server `pci`
// (MICA_PCI_CONFIG_READ or MICA_PCI_CONFIG_WRITE, see mica/protocol.h): 0
// with the value read in *out (when not NULL), the server's negated error,
// or the call's.
int mica_pci_config(mica_handle_t pci, uintptr_t label, uint32_t address, uint32_t offset,
                    uint32_t size, uint32_t value, uint32_t* out);

#ifdef __cplusplus
}
#endif
