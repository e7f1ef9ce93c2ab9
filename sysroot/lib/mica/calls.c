// The typed system-call wrappers of <mica/calls.h>.
#include <stdarg.h>
#include <stdio.h>

#include <mica/calls.h>
#include <mica/sys.h>

#define U(x) ((uintptr_t)(x))

// A raw result as 0 / negated status.
static int status_of(intptr_t r) {
  return mica_is_error(r) ? (int)r : 0;
}

intptr_t mica_debug_write(const char* text, size_t length) {
  return mica_syscall2(MICA_SYS_DEBUG_WRITE, U(text), length);
}

void mica_process_exit(int code) {
  mica_syscall1(MICA_SYS_PROCESS_EXIT, (uintptr_t)(intptr_t)code);
  for (;;) {
    mica_syscall0(MICA_SYS_THREAD_EXIT);
  }
}

void mica_thread_exit(void) {
  for (;;) {
    mica_syscall0(MICA_SYS_THREAD_EXIT);
  }
}

int mica_yield(void) {
  return status_of(mica_syscall0(MICA_SYS_YIELD));
}

int mica_clock_get(uint64_t* nanoseconds) {
  return status_of(mica_syscall1(MICA_SYS_CLOCK_GET, U(nanoseconds)));
}

int mica_sleep(uint64_t nanoseconds) {
  return status_of(mica_syscall1(MICA_SYS_SLEEP, U(&nanoseconds)));
}

int mica_null(void) {
  return status_of(mica_syscall0(MICA_SYS_NULL));
}

intptr_t mica_get_id(mica_handle_t process_or_thread) {
  return mica_syscall1(MICA_SYS_GET_ID, process_or_thread);
}

int mica_handle_close(mica_handle_t handle) {
  return status_of(mica_syscall1(MICA_SYS_HANDLE_CLOSE, handle));
}

// For calls whose result is a handle (out may be NULL: not wanted).
static int handle_result(intptr_t r, mica_handle_t* out) {
  if (mica_is_error(r)) {
    return (int)r;
  }
  if (out) {
    *out = (mica_handle_t)r;
  }
  return 0;
}

// For calls whose result is an address.
static int address_result(intptr_t r, uintptr_t* out) {
  if (mica_is_error(r)) {
    return (int)r;
  }
  if (out) {
    *out = (uintptr_t)r;
  }
  return 0;
}

int mica_handle_duplicate(mica_handle_t handle, uint32_t rights, mica_handle_t* out) {
  return handle_result(mica_syscall2(MICA_SYS_HANDLE_DUPLICATE, handle, rights), out);
}

int mica_handle_grant(mica_handle_t process, mica_handle_t handle, uint32_t rights,
                      mica_handle_t* out) {
  return handle_result(mica_syscall3(MICA_SYS_HANDLE_GRANT, process, handle, rights), out);
}

int mica_handle_get_info(mica_handle_t handle, struct mica_handle_info* info) {
  return status_of(mica_syscall2(MICA_SYS_HANDLE_INFO, handle, U(info)));
}

int mica_process_create(const char* name, size_t name_length, mica_handle_t* out) {
  return handle_result(mica_syscall2(MICA_SYS_PROCESS_CREATE, U(name), name_length), out);
}

int mica_thread_create(mica_handle_t process, uintptr_t ip, uintptr_t sp, uintptr_t arg0,
                       uintptr_t arg1, mica_handle_t* out) {
  return handle_result(mica_syscall5(MICA_SYS_THREAD_CREATE, process, ip, sp, arg0, arg1), out);
}

int mica_process_kill(mica_handle_t process, int code) {
  return status_of(mica_syscall2(MICA_SYS_PROCESS_KILL, process, (uintptr_t)(intptr_t)code));
}

int mica_process_wait(mica_handle_t process, struct mica_exit_info* info, uint32_t flags) {
  return status_of(mica_syscall3(MICA_SYS_PROCESS_WAIT, process, U(info), flags));
}

int mica_thread_set_pointer(uintptr_t pointer) {
  return status_of(mica_syscall1(MICA_SYS_THREAD_SET_POINTER, pointer));
}

int mica_vm_allocate(mica_handle_t process, uintptr_t address, size_t size, uint32_t prot,
                     uint32_t flags, uintptr_t* out_address) {
  return address_result(mica_syscall5(MICA_SYS_VM_ALLOCATE, process, address, size, prot, flags),
                        out_address);
}

int mica_vm_free(mica_handle_t process, uintptr_t address, size_t size) {
  return status_of(mica_syscall3(MICA_SYS_VM_FREE, process, address, size));
}

int mica_vm_protect(mica_handle_t process, uintptr_t address, size_t size, uint32_t prot) {
  return status_of(mica_syscall4(MICA_SYS_VM_PROTECT, process, address, size, prot));
}

int mica_vm_write(mica_handle_t process, uintptr_t address, const void* data, size_t size) {
  return status_of(mica_syscall4(MICA_SYS_VM_WRITE, process, address, U(data), size));
}

int mica_vm_read(mica_handle_t process, uintptr_t address, void* data, size_t size) {
  return status_of(mica_syscall4(MICA_SYS_VM_READ, process, address, U(data), size));
}

int mica_memory_create(size_t size, mica_handle_t* out) {
  return handle_result(mica_syscall1(MICA_SYS_MEMORY_CREATE, size), out);
}

int mica_memory_map(mica_handle_t process, mica_handle_t memory, uintptr_t address, size_t size,
                    uint32_t prot, uint32_t flags, uintptr_t* out_address) {
  return address_result(
      mica_syscall6(MICA_SYS_MEMORY_MAP, process, memory, address, size, prot, flags), out_address);
}

int mica_endpoint_create(uint32_t queue_capacity, mica_handle_t* out) {
  return handle_result(mica_syscall1(MICA_SYS_ENDPOINT_CREATE, queue_capacity), out);
}

intptr_t mica_ipc_call(mica_handle_t endpoint, uintptr_t words[MICA_MESSAGE_WORDS]) {
  struct mica_syscall_words reply;
  intptr_t r = mica_syscall5_words(MICA_SYS_IPC_CALL, endpoint, words[0], words[1], words[2],
                                   words[3], &reply);
  if (!mica_is_error(r)) {
    for (int i = 0; i < MICA_MESSAGE_WORDS; i++) {
      words[i] = reply.words[i];
    }
  }
  return r;
}

int mica_ipc_send(mica_handle_t endpoint, const struct mica_message* message, uint32_t flags) {
  return status_of(mica_syscall3(MICA_SYS_IPC_SEND, endpoint, U(message), flags));
}

int mica_ipc_receive(mica_handle_t endpoint, struct mica_message* message, uint32_t flags) {
  return status_of(mica_syscall3(MICA_SYS_IPC_RECEIVE, endpoint, U(message), flags));
}

int mica_ipc_reply(const uintptr_t words[MICA_MESSAGE_WORDS]) {
  return status_of(mica_syscall4(MICA_SYS_IPC_REPLY, words[0], words[1], words[2], words[3]));
}

intptr_t mica_ipc_reply_receive(mica_handle_t endpoint, uintptr_t words[MICA_MESSAGE_WORDS]) {
  struct mica_syscall_words got;
  intptr_t r = mica_syscall5_words(MICA_SYS_IPC_REPLY_RECEIVE, endpoint, words[0], words[1],
                                   words[2], words[3], &got);
  if (!mica_is_error(r)) {
    for (int i = 0; i < MICA_MESSAGE_WORDS; i++) {
      words[i] = got.words[i];
    }
  }
  return r;
}

int mica_ipc_call_message(mica_handle_t endpoint, struct mica_message* in_out) {
  return status_of(mica_syscall2(MICA_SYS_IPC_CALL_MESSAGE, endpoint, U(in_out)));
}

int mica_ipc_reply_message(const struct mica_message* message) {
  return status_of(mica_syscall1(MICA_SYS_IPC_REPLY_MESSAGE, U(message)));
}

int mica_system_info(struct mica_system_info* info) {
  return status_of(mica_syscall1(MICA_SYS_SYSTEM_INFO, U(info)));
}

int mica_system_stop(mica_handle_t resource, uint32_t how) {
  return status_of(mica_syscall2(MICA_SYS_SYSTEM_STOP, resource, how));
}

int mica_process_watch(mica_handle_t process, mica_handle_t endpoint, uintptr_t tag) {
  return status_of(mica_syscall3(MICA_SYS_PROCESS_WATCH, process, endpoint, tag));
}

int mica_process_get_info(mica_handle_t process, struct mica_process_info* info) {
  return status_of(mica_syscall2(MICA_SYS_PROCESS_INFO, process, U(info)));
}

int mica_ipc_reply_defer(mica_handle_t* out) {
  return handle_result(mica_syscall0(MICA_SYS_IPC_REPLY_DEFER), out);
}

int mica_ipc_reply_to(mica_handle_t reply, const struct mica_message* message) {
  return status_of(mica_syscall2(MICA_SYS_IPC_REPLY_TO, reply, U(message)));
}

int mica_ioport_allow(mica_handle_t resource, uint32_t base, uint32_t count) {
  return status_of(mica_syscall3(MICA_SYS_IOPORT_ALLOW, resource, base, count));
}

int mica_mmio_map(mica_handle_t resource, uint64_t physical, size_t size, uintptr_t address,
                  uintptr_t* out_address) {
  return address_result(mica_syscall4(MICA_SYS_MMIO_MAP, resource, U(&physical), size, address),
                        out_address);
}

int mica_irq_create(mica_handle_t resource, uint32_t irq, mica_handle_t endpoint, uintptr_t tag,
                    mica_handle_t* out) {
  return handle_result(mica_syscall4(MICA_SYS_IRQ_CREATE, resource, irq, endpoint, tag), out);
}

int mica_irq_ack(mica_handle_t irq) {
  return status_of(mica_syscall1(MICA_SYS_IRQ_ACK, irq));
}

int mica_resource_create(mica_handle_t parent, const struct mica_resource_range* ranges,
                         size_t count, mica_handle_t* out) {
  return handle_result(mica_syscall3(MICA_SYS_RESOURCE_CREATE, parent, U(ranges), count), out);
}

int mica_dma_create(mica_handle_t resource, size_t size, uint64_t* physical_out,
                    mica_handle_t* out) {
  return handle_result(mica_syscall3(MICA_SYS_DMA_CREATE, resource, size, U(physical_out)), out);
}

int mica_socket_create(uint32_t type, mica_handle_t* out) {
  return handle_result(mica_syscall1(MICA_SYS_SOCKET_CREATE, type), out);
}

int mica_socket_bind(mica_handle_t socket, const char* name, size_t length) {
  return status_of(mica_syscall3(MICA_SYS_SOCKET_BIND, socket, U(name), length));
}

int mica_socket_listen(mica_handle_t socket, uint32_t backlog) {
  return status_of(mica_syscall2(MICA_SYS_SOCKET_LISTEN, socket, backlog));
}

int mica_socket_accept(mica_handle_t socket, uint32_t flags, mica_handle_t* out) {
  return handle_result(mica_syscall2(MICA_SYS_SOCKET_ACCEPT, socket, flags), out);
}

int mica_socket_connect(mica_handle_t socket, const char* name, size_t length, uint32_t flags) {
  return status_of(mica_syscall4(MICA_SYS_SOCKET_CONNECT, socket, U(name), length, flags));
}

intptr_t mica_socket_send(mica_handle_t socket, const void* data, size_t size, uint32_t flags,
                          const char* to_name, size_t to_length) {
  return mica_syscall6(MICA_SYS_SOCKET_SEND, socket, U(data), size, flags, U(to_name), to_length);
}

intptr_t mica_socket_receive(mica_handle_t socket, void* buffer, size_t size, uint32_t flags) {
  return mica_syscall4(MICA_SYS_SOCKET_RECEIVE, socket, U(buffer), size, flags);
}

int mica_socket_pair(uint32_t type, mica_handle_t out[2]) {
  return status_of(mica_syscall2(MICA_SYS_SOCKET_PAIR, type, U(out)));
}

int mica_wait_many(struct mica_wait_item* items, size_t count, const uint64_t* timeout_ns) {
  return (int)mica_syscall3(MICA_SYS_WAIT_MANY, U(items), count, U(timeout_ns));
}

void mica_debug_printf(const char* format, ...) {
  char line[256];
  va_list arguments;
  va_start(arguments, format);
  int n = vsnprintf(line, sizeof(line), format, arguments);
  va_end(arguments);
  if (n > (int)sizeof(line) - 1) n = sizeof(line) - 1;
  if (n > 0) mica_debug_write(line, (size_t)n);
}

int mica_pci_config(mica_handle_t pci, uintptr_t label, uint32_t address, uint32_t offset,
                    uint32_t size, uint32_t value, uint32_t* out) {
  struct mica_message m = {0};
  m.label = label;
  m.words[0] = address;
  m.words[1] = offset;
  m.words[2] = size;
  m.words[3] = value;
  int r = mica_ipc_call_message(pci, &m);
  if (r != 0) {
    return r;
  }
  if (out != NULL) {
    *out = (uint32_t)m.words[1];
  }
  return (int)(intptr_t)m.words[0];
}
