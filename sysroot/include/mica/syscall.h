// The mica system-call ABI: numbers, registers, handles and rights, the
// message layout of IPC, and the start-up block a new process receives.
// Shared by the kernel (C++) and user space (C and C++); C-compatible.
//
// Registers. The call number goes in the first register below; up to six
// arguments follow. Results come back in the result register (a value >= 0,
// or a negated mica status: -ENOENT...) and, for IPC, in argument registers
// 1..4 (the words of a received message or reply).
//
//   arch      instruction   number  arguments 0..5              results 0..4
//   x86_64    syscall       rax     rdi rsi rdx r10 r8 r9        rax rsi rdx r10 r8
//   i586      int $0x80     eax     ebx ecx edx esi edi ebp      eax ecx edx esi edi
//   aarch64   svc #0        x8      x0 x1 x2 x3 x4 x5            x0 x1 x2 x3 x4
//
// Every other register is preserved, except rcx and r11 on x86_64 (the
// syscall instruction uses them). Pointers are user addresses; the kernel
// checks and copies them, and a bad one gives -EFAULT.
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// ---- Handles and rights ----
// A handle names a kernel object within one process: an index into the
// process's handle table plus a generation, so a closed handle's number
// stays invalid until the slot is reused many times over. 0 is never valid.
typedef uint32_t mica_handle_t;
#define MICA_HANDLE_INVALID ((mica_handle_t)0)
// Calls that act on a process or thread accept this for the caller's own.
#define MICA_HANDLE_SELF ((mica_handle_t)0xffffffffu)

#define MICA_RIGHT_DUPLICATE (1u << 0)  // duplicate the handle
#define MICA_RIGHT_TRANSFER (1u << 1)   // pass it in a message
#define MICA_RIGHT_READ (1u << 2)       // receive, read, wait for
#define MICA_RIGHT_WRITE (1u << 3)      // send, write, signal
#define MICA_RIGHT_MAP (1u << 4)        // map a memory object
#define MICA_RIGHT_MANAGE (1u << 5)     // change a process/thread (memory, start, kill)
#define MICA_RIGHT_GRANT (1u << 6)      // hand out hardware (resource handles)
#define MICA_RIGHTS_ALL 0x7fu

// ---- Object types (mica_handle_info.type) ----
#define MICA_OBJECT_PROCESS 1
#define MICA_OBJECT_THREAD 2
#define MICA_OBJECT_ENDPOINT 3
#define MICA_OBJECT_MEMORY 4
#define MICA_OBJECT_IRQ 5
#define MICA_OBJECT_RESOURCE 6  // the right to claim hardware: I/O ports, MMIO, IRQs
#define MICA_OBJECT_SOCKET 7
#define MICA_OBJECT_REPLY 8  // a call taken for a later answer (MICA_SYS_IPC_REPLY_DEFER)

// ---- Call numbers ----
enum {
  // Diagnostics, process and thread life.
  MICA_SYS_DEBUG_WRITE = 0,   // (const char* text, size_t length) -> length
  MICA_SYS_PROCESS_EXIT = 1,  // (int code) -> does not return
  MICA_SYS_THREAD_EXIT = 2,   // () -> does not return
  MICA_SYS_YIELD = 3,         // () -> 0
  MICA_SYS_CLOCK_GET = 4,     // (uint64_t* nanoseconds) monotonic clock
  MICA_SYS_SLEEP = 5,         // (const uint64_t* nanoseconds)
  MICA_SYS_GET_ID = 6,        // (mica_handle_t process_or_thread) -> pid or tid
  MICA_SYS_NULL = 7,          // () -> 0: does nothing (benchmarks)
  MICA_SYS_SYSTEM_INFO = 8,   // (struct mica_system_info*): memory, CPUs, counts, uptime
  MICA_SYS_SYSTEM_STOP = 9,   // (mica_handle_t resource (GRANT), uint32_t how: MICA_STOP_*)

  // Handles.
  MICA_SYS_HANDLE_CLOSE = 10,      // (mica_handle_t)
  MICA_SYS_HANDLE_DUPLICATE = 11,  // (mica_handle_t, uint32_t rights) -> new handle
  MICA_SYS_HANDLE_INFO = 12,       // (mica_handle_t, struct mica_handle_info*)
  MICA_SYS_HANDLE_GRANT = 13,      // (mica_handle_t process, mica_handle_t handle, uint32_t rights)
                                   // -> the handle in that process; it leaves the caller's table

  // Processes and threads. A new process is empty: its creator maps memory
  // into it (MICA_SYS_VM_*), then starts a thread in it.
  MICA_SYS_PROCESS_CREATE = 20,  // (const char* name, size_t name_length) -> process handle
  MICA_SYS_THREAD_CREATE = 21,   // (mica_handle_t process, uintptr_t ip, uintptr_t sp,
                                 //  uintptr_t arg0, uintptr_t arg1) -> thread handle, started
  MICA_SYS_PROCESS_KILL = 22,    // (mica_handle_t process, int code)
  MICA_SYS_PROCESS_WAIT = 23,    // (mica_handle_t process, struct mica_exit_info*, uint32_t flags)
  MICA_SYS_THREAD_SET_POINTER = 24,  // (uintptr_t) the calling thread's TLS register
  // (mica_handle_t process (READ), mica_handle_t endpoint (WRITE), uintptr_t tag): when the
  // process has ended, a MICA_LABEL_PROCESS_EXIT message arrives on the endpoint, in a
  // queue slot reserved now (-ENOSPC if none is free, or 4 watches already).
  MICA_SYS_PROCESS_WATCH = 25,
  // (mica_handle_t process (READ), struct mica_process_info*): its threads, memory, CPU time.
  MICA_SYS_PROCESS_INFO = 26,

  // Memory. `process` may be MICA_HANDLE_SELF. Addresses and sizes are
  // page-aligned (MICA_PAGE_SIZE).
  MICA_SYS_VM_ALLOCATE = 30,    // (mica_handle_t process, uintptr_t address, size_t size,
                                //  uint32_t prot, uint32_t flags) -> address
  MICA_SYS_VM_FREE = 31,        // (mica_handle_t process, uintptr_t address, size_t size)
  MICA_SYS_VM_PROTECT = 32,     // (mica_handle_t process, uintptr_t address, size_t size,
                                //  uint32_t prot)
  MICA_SYS_VM_WRITE = 33,       // (mica_handle_t process, uintptr_t address, const void* data,
                                //  size_t size): copy into another process
  MICA_SYS_VM_READ = 34,        // (mica_handle_t process, uintptr_t address, void* data,
                                //  size_t size)
  MICA_SYS_MEMORY_CREATE = 35,  // (size_t size) -> shared memory object handle
  MICA_SYS_MEMORY_MAP = 36,     // (mica_handle_t process, mica_handle_t memory, uintptr_t address,
                                //  size_t size, uint32_t prot, uint32_t flags) -> address
  // (mica_handle_t resource (GRANT), size_t size, uint64_t* physical_out) -> a memory object
  // of size / MICA_PAGE_SIZE physically contiguous zeroed frames (at most MICA_DMA_MAX_SIZE)
  // for a device to reach at *physical_out; mapped with MICA_SYS_MEMORY_MAP, freed when the
  // last handle and the last mapping are gone.
  MICA_SYS_DMA_CREATE = 37,

  // IPC on endpoints. A message is a label and MICA_MESSAGE_WORDS words in
  // registers, and optionally one handle (transferred with its rights).
  MICA_SYS_ENDPOINT_CREATE = 40,  // (uint32_t queue_capacity) -> endpoint handle
  MICA_SYS_IPC_CALL = 41,     // (mica_handle_t endpoint, w0, w1, w2, w3) -> label; reply in w0..w3
  MICA_SYS_IPC_SEND = 42,     // (mica_handle_t endpoint, struct mica_message*, uint32_t flags)
  MICA_SYS_IPC_RECEIVE = 43,  // (mica_handle_t endpoint, struct mica_message*, uint32_t flags)
  MICA_SYS_IPC_REPLY = 44,    // (w0, w1, w2, w3) reply to the last call received
  MICA_SYS_IPC_CALL_MESSAGE = 45,   // (mica_handle_t endpoint, struct mica_message* in_out)
  MICA_SYS_IPC_REPLY_MESSAGE = 46,  // (const struct mica_message*)
  // Deferred replies: the last call received becomes a reply handle
  // (MICA_RIGHT_WRITE | MICA_RIGHT_TRANSFER), answered later by any thread
  // of any process holding it; the thread is free to receive the next call.
  // Closing it unanswered fails the call with -ECONNRESET.
  MICA_SYS_IPC_REPLY_DEFER = 47,  // () -> reply handle
  MICA_SYS_IPC_REPLY_TO = 48,     // (mica_handle_t reply, const struct mica_message*): answers
                                  // and closes the handle
  // (mica_handle_t endpoint, w0, w1, w2, w3): IPC_REPLY of w0..w3 to the call in hand (dropped
  // if none or its caller is gone), then a register-only IPC_RECEIVE on endpoint -> label;
  // words in results 1..4. Waiting, it hands the CPU straight to the caller answered.
  MICA_SYS_IPC_REPLY_RECEIVE = 49,

  // Hardware, through a resource handle with MICA_RIGHT_GRANT.
  MICA_SYS_IOPORT_ALLOW = 50,  // (mica_handle_t resource, uint32_t base, uint32_t count)
  MICA_SYS_MMIO_MAP = 51,      // (mica_handle_t resource, uint64_t* physical, size_t size,
                               //  uintptr_t address) -> address
  MICA_SYS_IRQ_CREATE = 52,    // (mica_handle_t resource, uint32_t irq, mica_handle_t endpoint,
                               //  uintptr_t tag) -> irq handle; fires as a message
  MICA_SYS_IRQ_ACK = 53,       // (mica_handle_t irq): unmask after handling
  // A narrower resource: the ranges given, each inside one range of the
  // parent's of its kind (see MICA_RESOURCE_* below).
  MICA_SYS_RESOURCE_CREATE = 54,  // (mica_handle_t parent (GRANT), const struct
                                  //  mica_resource_range*, size_t count) -> resource handle

  // Unix domain sockets (AF_UNIX), stream and datagram. Names live in one
  // kernel namespace (the path given to bind; TODO(issue 6): the VFS).
  MICA_SYS_SOCKET_CREATE = 55,   // (uint32_t type: MICA_SOCK_*) -> socket handle
  MICA_SYS_SOCKET_BIND = 56,     // (mica_handle_t, const char* name, size_t length)
  MICA_SYS_SOCKET_LISTEN = 57,   // (mica_handle_t, uint32_t backlog)
  MICA_SYS_SOCKET_ACCEPT = 58,   // (mica_handle_t, uint32_t flags) -> connected socket handle
  MICA_SYS_SOCKET_CONNECT = 59,  // (mica_handle_t, const char* name, size_t length, uint32_t flags)
  MICA_SYS_SOCKET_SEND = 61,     // (mica_handle_t, const void*, size_t, uint32_t flags,
                                 //  const char* to_name, size_t to_length) -> bytes
  MICA_SYS_SOCKET_RECEIVE = 62,  // (mica_handle_t, void*, size_t, uint32_t flags) -> bytes
  MICA_SYS_SOCKET_PAIR = 63,     // (uint32_t type, mica_handle_t out[2])

  // Waiting on several objects (poll); each handle needs READ or WRITE.
  MICA_SYS_WAIT_MANY = 60,  // (struct mica_wait_item*, size_t count, const uint64_t* timeout_ns)

  MICA_SYS_COUNT = 64,
};

// ---- Flags ----
#define MICA_NONBLOCK (1u << 0)  // IPC, wait: fail with -EAGAIN instead of waiting

#define MICA_SOCK_STREAM 1
#define MICA_SOCK_DGRAM 2
#define MICA_SOCKET_NAME_MAX 108  // as sun_path

#define MICA_PROT_READ (1u << 0)
#define MICA_PROT_WRITE (1u << 1)
#define MICA_PROT_EXEC (1u << 2)

#define MICA_VM_FIXED (1u << 0)  // at exactly `address` (else anywhere; address is a hint)

#define MICA_PAGE_SIZE 4096u
#define MICA_DMA_MAX_SIZE (1u << 20)  // bytes per MICA_SYS_DMA_CREATE object

// ---- Messages ----
#define MICA_MESSAGE_WORDS 4

struct mica_message {
  uintptr_t label;  // what the message is (a protocol's operation, or an IRQ tag)
  uintptr_t words[MICA_MESSAGE_WORDS];
  mica_handle_t handle;  // sent: transferred (MICA_HANDLE_INVALID for none)
  uint32_t sender;       // received: the sending process's id (0: the kernel)
  const void* data;      // optional payload, copied while the sender waits
  size_t data_size;      // sent: bytes at `data`; received: bytes copied
  void* buffer;          // receive: where a payload goes
  size_t buffer_size;
};

// Labels the kernel itself sends.
#define MICA_LABEL_IRQ 0xffff0001u  // words[0]: irq number, words[1]: tag
// words[0]: pid, words[1]: how (MICA_EXIT_*), words[2]: code, words[3]: the watch's tag
#define MICA_LABEL_PROCESS_EXIT 0xffff0002u

// ---- Waiting ----
#define MICA_SIGNAL_READABLE (1u << 0)
#define MICA_SIGNAL_WRITABLE (1u << 1)
// A socket's peer closed; an endpoint's server (its creator) ended.
#define MICA_SIGNAL_PEER_CLOSED (1u << 2)
#define MICA_SIGNAL_TERMINATED (1u << 3)  // a process or thread ended

struct mica_wait_item {
  mica_handle_t handle;
  uint32_t wanted;    // MICA_SIGNAL_* bits
  uint32_t observed;  // set on return
};

// ---- The system ----
struct mica_system_info {
  uint64_t total_bytes;   // usable memory
  uint64_t free_bytes;    // free now
  uint64_t kernel_bytes;  // the kernel's own: image, boot data, page tables, heap
  uint64_t uptime_ns;     // since the kernel started
  uint32_t cpus;          // online
  uint32_t processes;     // alive
  uint32_t threads;       // alive, kernel threads included
  uint32_t page_size;
  // The boot loader's linear framebuffer (physical; 0: none, or the VGA
  // text mode), 0x00RRGGBB pixels of framebuffer_bpp bits.
  uint64_t framebuffer_address;
  uint32_t framebuffer_width;
  uint32_t framebuffer_height;
  uint32_t framebuffer_pitch;  // bytes per row
  uint32_t framebuffer_bpp;
};

// ---- One process (MICA_SYS_PROCESS_INFO) ----
#define MICA_PROCESS_LIVE 0   // has threads
#define MICA_PROCESS_DYING 1  // killed or exiting: its threads are leaving
#define MICA_PROCESS_DEAD 2   // every thread has finished

struct mica_process_info {
  uint32_t pid;
  uint32_t state;          // MICA_PROCESS_*
  uint32_t threads;        // started and not finished
  uint32_t runnable;       // of those: running or waiting for a CPU (the rest wait for an event)
  uint64_t cpu_ns;         // CPU time of all its threads, finished ones included (tick resolution)
  uint64_t private_bytes;  // memory of its own (allocated pages)
  uint64_t shared_bytes;   // shared memory and device pages mapped into it
  uint64_t start_ns;       // when it was created (monotonic)
};

#define MICA_STOP_POWER_OFF 0
#define MICA_STOP_REBOOT 1

// ---- Hardware resources ----
// A resource lets its holder claim the hardware in its ranges, and only
// that: MICA_SYS_IOPORT_ALLOW, MMIO_MAP and IRQ_CREATE need the whole
// request inside one range of the resource given, SYSTEM_STOP a SYSTEM
// range (else -EPERM). Init's root resource covers every port, every
// physical address, every IRQ and the system; MICA_SYS_RESOURCE_CREATE
// makes narrower ones (never wider: a range outside the parent's is -EPERM).
#define MICA_RESOURCE_IOPORT 1       // I/O ports [base, base + size), within 0..0xffff (x86)
#define MICA_RESOURCE_MMIO 2         // physical addresses [base, base + size), page-aligned
#define MICA_RESOURCE_IRQ 3          // interrupt numbers [base, base + size)
#define MICA_RESOURCE_SYSTEM 4       // power off and reboot; base and size are 0
#define MICA_RESOURCE_MAX_RANGES 12  // per resource

struct mica_resource_range {
  uint32_t kind;      // MICA_RESOURCE_*
  uint32_t reserved;  // 0
  uint64_t base;
  uint64_t size;  // > 0, and base + size - 1 must not wrap (SYSTEM: 0)
};

// ---- Handle information ----
struct mica_handle_info {
  uint32_t type;    // MICA_OBJECT_*
  uint32_t rights;  // MICA_RIGHT_*
  uint64_t koid;    // the object's id, unique while the system runs
  uint64_t size;    // memory objects: bytes; processes: the pid; else 0
};

// ---- How a process ended ----
// Exit status: the code given to exit, or (after a fault) MICA_EXIT_FAULT with
// what faulted where.
#define MICA_EXIT_NORMAL 0
#define MICA_EXIT_FAULT 1
#define MICA_EXIT_KILLED 2

#define MICA_FAULT_PAGE 1        // address: the faulting address
#define MICA_FAULT_PROTECTION 2  // general protection / permission
#define MICA_FAULT_ILLEGAL_INSTRUCTION 3
#define MICA_FAULT_DIVIDE 4
#define MICA_FAULT_BREAKPOINT 5
#define MICA_FAULT_ALIGNMENT 6
#define MICA_FAULT_FPU 7
#define MICA_FAULT_OTHER 8

struct mica_exit_info {
  uint32_t pid;
  uint32_t how;  // MICA_EXIT_*
  int32_t code;  // exit code (NORMAL, KILLED), or MICA_FAULT_* (FAULT)
  // FAULT: bit 0 a write, bit 1 an instruction fetch, bit 2 the page was
  // present (a permission fault).
  uint32_t flags;
  uint64_t ip;       // FAULT: the instruction
  uint64_t address;  // FAULT: the address, where the fault has one
};

// ---- Process start-up ----
// A new thread starts at `ip` with arg0 and arg1 in argument registers 0 and
// 1. A process's first thread gets arg0 = the address of a mica_startup
// block its creator wrote into it, arg1 = 0. The kernel writes one for the
// first process (init) the same way.
#define MICA_STARTUP_MAGIC 0x6d696361u  // "mica"
#define MICA_STARTUP_MAX_HANDLES 16

// Tags of the handles a process is started with.
#define MICA_STARTUP_PROCESS 1   // the process itself
#define MICA_STARTUP_RESOURCE 2  // hardware resource (init, drivers)
#define MICA_STARTUP_RAMDISK 3   // memory object: the boot ramdisk (init)
#define MICA_STARTUP_ROUTER 4    // endpoint to the router
#define MICA_STARTUP_USER 16     // first tag free for programs' own use

struct mica_startup {
  uint32_t magic;
  uint32_t argc;
  char** argv;  // argc pointers, then a null
  char** envp;  // null-terminated
  uint32_t handle_count;
  mica_handle_t handles[MICA_STARTUP_MAX_HANDLES];
  uint32_t handle_tags[MICA_STARTUP_MAX_HANDLES];
  uintptr_t stack_base;  // the lowest address of the initial stack (guard page below)
  size_t stack_size;
};

#ifdef __cplusplus
}
#endif
