// usertest: the kernel's user-facing contract, checked from user space.
//
// The router starts it (kernel argument run=usertest) with the ramdisk and
// the hardware resource. It checks every system call's success and error
// paths, bad pointers, handle rights, faults that kill only the faulting
// process (children: this same program started with a child mode), IPC
// ordering under load, I/O port grants and narrowed hardware resources
// (MICA_SYS_RESOURCE_CREATE). The last line is
// "usertest: N passed, N failed".
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <mica/calls.h>
#include <mica/elf_loader.h>
#include <mica/ramdisk.h>
#include <mica/startup.h>
#include <mica/sys.h>
#include <mica/thread.h>

#include "harness.h"

namespace {

#if UINTPTR_MAX > 0xffffffffu
constexpr uintptr_t kKernelAddress = 0xffff800000001000ull;
#else
constexpr uintptr_t kKernelAddress = 0xc0001000u;
#endif
constexpr size_t kPage = MICA_PAGE_SIZE;

// ---- Children: this program in another mode ----

const void* g_self_elf = nullptr;
size_t g_self_size = 0;

bool find_self() {
  mica_handle_t ramdisk = mica_startup_handle(MICA_STARTUP_RAMDISK);
  mica_handle_info info;
  if (ramdisk == MICA_HANDLE_INVALID || mica_handle_info(ramdisk, &info) != 0) return false;
  uintptr_t address;
  if (mica_memory_map(MICA_HANDLE_SELF, ramdisk, 0x50000000, info.size, MICA_PROT_READ, 0,
                      &address) != 0) {
    return false;
  }
  mica_ramdisk_entry entry;
  if (mica_ramdisk_find(reinterpret_cast<void*>(address), info.size, "bin/usertest", &entry) != 0) {
    return false;
  }
  g_self_elf = entry.data;
  g_self_size = entry.size;
  return true;
}

// Starts "usertest MODE [ARG]" with `handles`; the process handle or 0.
mica_handle_t spawn_child(const char* mode, const char* arg = nullptr,
                          const mica_handle_t* handles = nullptr, const uint32_t* tags = nullptr,
                          size_t count = 0) {
  char* argv[] = {const_cast<char*>("usertest"), const_cast<char*>(mode), const_cast<char*>(arg),
                  nullptr};
  char* envp[] = {nullptr};
  mica_handle_t process = MICA_HANDLE_INVALID;
  mica_elf_error error;
  int r = mica_spawn(g_self_elf, g_self_size, argv, envp, handles, tags, count, &process, &error);
  if (r != 0) printf("  spawn %s: %s\n", mode, strerror(-r));
  return r == 0 ? process : MICA_HANDLE_INVALID;
}

mica_exit_info wait_child(mica_handle_t process) {
  mica_exit_info exit = {};
  int r = mica_process_wait(process, &exit, 0);
  CHECK_EQ(r, 0);
  mica_handle_close(process);
  return exit;
}

int fuzz_child(const char* arg);

int child_main(const char* mode, const char* arg) {
  if (strcmp(mode, "exit") == 0) return atoi(arg);
  if (strcmp(mode, "null") == 0) {
    volatile int* null = nullptr;
    return *null;
  }
  if (strcmp(mode, "illegal") == 0) {
#if defined(__aarch64__)
    asm volatile(".inst 0x00000000");  // udf #0
#else
    asm volatile("ud2");
#endif
    return 1;
  }
  if (strcmp(mode, "write-code") == 0) {
    // Text is mapped read+execute: writing it faults.
    volatile uint8_t* code = reinterpret_cast<volatile uint8_t*>(&child_main);
    code[0] = 0;
    return 1;
  }
  if (strcmp(mode, "inport") == 0) {
#if defined(__x86_64__) || defined(__i386__)
    uint8_t value;
    asm volatile("inb $0x80, %0" : "=a"(value));
    return value == 0xff ? 2 : 3;  // reached only if the port was allowed
#else
    return 4;
#endif
  }
  if (strcmp(mode, "port") == 0) {
    // Claims port ARG with the resource it was given, then reads it either
    // way: 2 if the claim worked, a fault if it did not.
#if defined(__x86_64__) || defined(__i386__)
    uint16_t port = static_cast<uint16_t>(strtoul(arg, nullptr, 0));
    int r = mica_ioport_allow(mica_startup_handle(MICA_STARTUP_RESOURCE), port, 1);
    uint8_t value;
    asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    (void)value;
    return r == 0 ? 2 : 3;
#else
    return 4;
#endif
  }
  if (strcmp(mode, "sleep") == 0) {
    for (;;) mica_sleep(1000000000ull);
  }
  if (strcmp(mode, "serve") == 0) {
    // Sends an endpoint of its own (WRITE only) to its parent's, then
    // waits to be killed.
    mica_handle_t own, copy;
    if (mica_endpoint_create(0, &own) != 0 ||
        mica_handle_duplicate(own, MICA_RIGHT_WRITE | MICA_RIGHT_TRANSFER | MICA_RIGHT_DUPLICATE,
                              &copy) != 0) {
      return 2;
    }
    mica_message m = {};
    m.handle = copy;
    if (mica_ipc_send(mica_startup_handle(MICA_STARTUP_USER), &m, 0) != 0) return 3;
    for (;;) mica_sleep(1000000000ull);
  }
  if (strcmp(mode, "stack-overflow") == 0) {
    // Recursion until the guard page under the stack.
    volatile char buffer[1024];
    buffer[0] = 1;
    return child_main(mode, arg) + buffer[0];
  }
  if (strcmp(mode, "after-free") == 0) {
    uintptr_t address;
    if (mica_vm_allocate(MICA_HANDLE_SELF, 0, kPage, MICA_PROT_READ | MICA_PROT_WRITE, 0,
                         &address) != 0) {
      return 1;
    }
    *reinterpret_cast<volatile int*>(address) = 1;
    mica_vm_free(MICA_HANDLE_SELF, address, kPage);
    return *reinterpret_cast<volatile int*>(address);  // faults
  }
  if (strcmp(mode, "map-dma") == 0) {
    // Maps the DMA object it was given, writes it and ends with it mapped.
    uintptr_t at;
    if (mica_memory_map(MICA_HANDLE_SELF, mica_startup_handle(MICA_STARTUP_USER), 0x63000000,
                        MICA_DMA_MAX_SIZE, MICA_PROT_READ | MICA_PROT_WRITE, 0, &at) != 0) {
      return 1;
    }
    memset(reinterpret_cast<void*>(at), 0x77, MICA_DMA_MAX_SIZE);
    return 0;
  }
  if (strcmp(mode, "fuzz") == 0) return fuzz_child(arg);
  printf("usertest: unknown mode %s\n", mode);
  return 99;
}

// ---- The system-call fuzzer ----
// A child makes random calls with random arguments (garbage pointers,
// handles, sizes), counting each in memory it shares with the parent; it may
// well kill itself doing so (exit, a freed stack...). The parent starts
// children until the total reaches the target, then checks that the system
// still answers.

uint64_t g_seed;

uint64_t next_random() {
  g_seed ^= g_seed << 13;
  g_seed ^= g_seed >> 7;
  g_seed ^= g_seed << 17;
  return g_seed;
}

uintptr_t random_argument() {
  switch (next_random() % 10) {
    case 0:
      return 0;
    case 1:
      return next_random() % 64;  // small numbers: likely handles, counts, flags
    case 2:
      return static_cast<uintptr_t>(next_random() % 0x10000) | 1;  // handle-shaped
    case 3:
      return kKernelAddress + (next_random() % 0x100000);  // kernel pointers
    case 4:
      return 0x10000000 + (next_random() % 0x100000) * 16;  // around our heap
    case 5:
      return MICA_HANDLE_SELF;
    case 6:
      return ~uintptr_t{0} - (next_random() % 4096);  // wrapping sizes/pointers
    case 7:
      return static_cast<uintptr_t>(next_random() % 16) * kPage;  // page-sized sizes
    case 8:
      return static_cast<uintptr_t>(1) << (next_random() % (sizeof(uintptr_t) * 8));
    default:
      return static_cast<uintptr_t>(next_random());
  }
}

int fuzz_child(const char* arg) {
  // arg: "SEED"; counter: the shared page.
  g_seed = strtoull(arg, nullptr, 10) * 2654435761ull + 1;
  mica_handle_t counter_handle = mica_startup_handle(MICA_STARTUP_USER);
  uintptr_t counter_at;
  if (mica_memory_map(MICA_HANDLE_SELF, counter_handle, 0x70000000, kPage,
                      MICA_PROT_READ | MICA_PROT_WRITE, 0, &counter_at) != 0) {
    return 3;
  }
  volatile uint64_t* calls = reinterpret_cast<volatile uint64_t*>(counter_at);
  uint64_t quota = calls[1];
  for (uint64_t i = 0; i < quota; ++i) {
    uintptr_t number = next_random() % (MICA_SYS_COUNT + 8);
    uintptr_t a[6];
    for (uintptr_t& x : a) x = random_argument();
    // Calls that would only ever block this process, or end it at once,
    // are still made, but less often; blocking ones get their non-blocking
    // flag most of the time.
    if (number == MICA_SYS_PROCESS_EXIT || number == MICA_SYS_THREAD_EXIT) {
      if (next_random() % 64 != 0) continue;
    }
    if (number == MICA_SYS_SLEEP)
      a[0] = reinterpret_cast<uintptr_t>(&quota) & (next_random() % 2 ? ~uintptr_t{0} : 0);
    if (number == MICA_SYS_IPC_RECEIVE || number == MICA_SYS_IPC_SEND ||
        number == MICA_SYS_PROCESS_WAIT) {
      if (next_random() % 8 != 0) a[2] |= MICA_NONBLOCK;
    }
    if (number == MICA_SYS_VM_ALLOCATE || number == MICA_SYS_MEMORY_CREATE) {
      // Memory is mapped eagerly: keep sizes to what a test machine has.
      uintptr_t& size = number == MICA_SYS_VM_ALLOCATE ? a[2] : a[0];
      if (size > (64u << 20) && size < (uintptr_t{1} << (sizeof(uintptr_t) * 8 - 2)))
        size %= 1u << 20;
    }
    static const uint64_t kNoWait = 0;
    if (number == MICA_SYS_WAIT_MANY) a[2] = reinterpret_cast<uintptr_t>(&kNoWait);
    // Keep the console readable: text from random pointers would be noise.
    if (number == MICA_SYS_DEBUG_WRITE) a[1] = 0;
    calls[0] = calls[0] + 1;
    mica_syscall6(number, a[0], a[1], a[2], a[3], a[4], a[5]);
  }
  return 0;
}

int fuzzer(uint64_t target) {
  mica_handle_t shared;
  uintptr_t shared_at;
  if (mica_memory_create(kPage, &shared) != 0 ||
      mica_memory_map(MICA_HANDLE_SELF, shared, 0x71000000, kPage, MICA_PROT_READ | MICA_PROT_WRITE,
                      0, &shared_at) != 0) {
    printf("fuzz: no shared memory\n");
    return 2;
  }
  volatile uint64_t* counter = reinterpret_cast<volatile uint64_t*>(shared_at);
  uint64_t total = 0, children = 0, faulted = 0, killed = 0, exited = 0, hung = 0;
  uint64_t t0 = 0, t1 = 0;
  mica_clock_get(&t0);
  for (uint64_t seed = 1; total < target; ++seed) {
    counter[0] = 0;
    counter[1] = 5000;
    mica_handle_t pass;
    if (mica_handle_duplicate(
            shared, MICA_RIGHT_MAP | MICA_RIGHT_READ | MICA_RIGHT_WRITE | MICA_RIGHT_TRANSFER,
            &pass) != 0)
      return 2;
    uint32_t tag = MICA_STARTUP_USER;
    char arg[24];
    snprintf(arg, sizeof(arg), "%llu", static_cast<unsigned long long>(seed));
    mica_handle_t child = spawn_child("fuzz", arg, &pass, &tag, 1);
    if (child == MICA_HANDLE_INVALID) return 2;
    ++children;
    // A child that blocked itself for good is killed after a while: that is
    // its own business, not a kernel failure.
    mica_wait_item item = {child, MICA_SIGNAL_TERMINATED, 0};
    uint64_t timeout = 2000000000ull;
    if (mica_wait_many(&item, 1, &timeout) != 1) {
      mica_process_kill(child, 99);
      ++hung;
    }
    mica_exit_info exit = wait_child(child);
    if (exit.how == MICA_EXIT_FAULT)
      ++faulted;
    else if (exit.how == MICA_EXIT_KILLED)
      ++killed;
    else
      ++exited;
    total += counter[0];
  }
  mica_clock_get(&t1);
  printf(
      "fuzz: %llu calls in %llu processes (%llu exited, %llu faulted, %llu killed, %llu hung) in "
      "%llu ms\n",
      (unsigned long long)total, (unsigned long long)children, (unsigned long long)exited,
      (unsigned long long)faulted, (unsigned long long)killed - hung, (unsigned long long)hung,
      (unsigned long long)((t1 - t0) / 1000000));
  // Still responsive: a process starts, runs and reports.
  mica_handle_t child = spawn_child("exit", "5");
  mica_exit_info exit = wait_child(child);
  bool ok = exit.how == MICA_EXIT_NORMAL && exit.code == 5 && total >= target;
  printf("fuzz: system %s\n", ok ? "responsive" : "NOT responsive");
  return ok ? 0 : 1;
}

// ---- Tests ----

void test_basic_calls() {
  intptr_t pid = mica_get_id(MICA_HANDLE_SELF);
  CHECK(pid > 0);
  CHECK_EQ(mica_yield(), 0);
  uint64_t t0 = 0, t1 = 0;
  CHECK_EQ(mica_clock_get(&t0), 0);
  CHECK_EQ(mica_sleep(20000000), 0);  // 20 ms
  CHECK_EQ(mica_clock_get(&t1), 0);
  CHECK(t1 >= t0 + 20000000);
  CHECK_EQ(mica_debug_write("", 0), 0);
  // Unknown call numbers.
  CHECK_EQ(mica_syscall0(MICA_SYS_COUNT), -ENOSYS);
  CHECK_EQ(mica_syscall0(15), -ENOSYS);  // a gap in the numbering
  // System information; stopping needs the hardware resource and a known way.
  struct mica_system_info info = {};
  CHECK_EQ(mica_system_info(&info), 0);
  CHECK(info.total_bytes > info.free_bytes && info.free_bytes > 0 && info.cpus >= 1 &&
        info.processes >= 2 && info.threads >= info.processes && info.page_size == 4096 &&
        info.uptime_ns > 0);
  CHECK_EQ(mica_system_info(nullptr), -EFAULT);
  CHECK_EQ(mica_system_stop(MICA_HANDLE_INVALID, MICA_STOP_POWER_OFF), -EBADF);
  CHECK_EQ(mica_system_stop(mica_startup_handle(MICA_STARTUP_RESOURCE), 7), -EINVAL);
  CHECK_EQ(mica_syscall0((uintptr_t)-1), -ENOSYS);
}

void test_bad_pointers() {
  CHECK_EQ(mica_debug_write(reinterpret_cast<const char*>(kKernelAddress), 4), -EFAULT);
  CHECK_EQ(mica_debug_write(nullptr, 4), -EFAULT);
  CHECK_EQ(mica_debug_write("x", 1u << 20), -EINVAL);
  CHECK_EQ(mica_clock_get(reinterpret_cast<uint64_t*>(kKernelAddress)), -EFAULT);
  CHECK_EQ(mica_clock_get(reinterpret_cast<uint64_t*>(16)), -EFAULT);
  CHECK_EQ(mica_syscall1(MICA_SYS_SLEEP, kKernelAddress), -EFAULT);
  // Writing to read-only memory through the kernel: the string literal.
  CHECK_EQ(mica_clock_get(reinterpret_cast<uint64_t*>(const_cast<char*>("read-only"))), -EFAULT);
  // A range that wraps around the address space.
  CHECK_EQ(mica_debug_write(reinterpret_cast<const char*>(~uintptr_t{0} - 2), 8), -EFAULT);
  mica_handle_info info;
  mica_handle_t memory;
  CHECK_EQ(mica_memory_create(kPage, &memory), 0);
  CHECK_EQ(mica_handle_info(memory, reinterpret_cast<mica_handle_info*>(kKernelAddress)), -EFAULT);
  CHECK_EQ(mica_handle_info(memory, &info), 0);
  CHECK_EQ(mica_handle_close(memory), 0);
}

void test_handles() {
  mica_handle_t e;
  CHECK_EQ(mica_endpoint_create(4, &e), 0);
  mica_handle_info info;
  CHECK_EQ(mica_handle_info(e, &info), 0);
  CHECK_EQ(info.type, MICA_OBJECT_ENDPOINT);
  CHECK((info.rights & (MICA_RIGHT_READ | MICA_RIGHT_WRITE)) ==
        (MICA_RIGHT_READ | MICA_RIGHT_WRITE));
  // Fewer rights: fine; more: refused.
  mica_handle_t read_only;
  CHECK_EQ(mica_handle_duplicate(e, MICA_RIGHT_READ, &read_only), 0);
  mica_handle_t more;
  CHECK_EQ(mica_handle_duplicate(read_only, MICA_RIGHT_READ | MICA_RIGHT_WRITE, &more), -EPERM);
  // Sending without the right fails; with it, works.
  mica_message m = {};
  m.label = 1;
  CHECK_EQ(mica_ipc_send(read_only, &m, MICA_NONBLOCK), -EPERM);
  CHECK_EQ(mica_ipc_send(e, &m, MICA_NONBLOCK), 0);
  // The wrong kind of object.
  mica_handle_t memory;
  CHECK_EQ(mica_memory_create(kPage, &memory), 0);
  CHECK_EQ(mica_ipc_send(memory, &m, MICA_NONBLOCK), -EINVAL);
  // A closed handle is gone, and its number stays invalid.
  CHECK_EQ(mica_handle_close(read_only), 0);
  CHECK_EQ(mica_handle_close(read_only), -EBADF);
  CHECK_EQ(mica_ipc_send(read_only, &m, MICA_NONBLOCK), -EBADF);
  CHECK_EQ(mica_handle_close(0), -EBADF);
  CHECK_EQ(mica_handle_close(0x7fffffff), -EBADF);
  CHECK_EQ(mica_handle_info(MICA_HANDLE_SELF, &info), -EBADF);
  // The slot is reused with a new generation: the old number still fails.
  mica_handle_t again;
  CHECK_EQ(mica_handle_duplicate(e, MICA_RIGHT_READ, &again), 0);
  CHECK(again != read_only);
  CHECK_EQ(mica_handle_close(read_only), -EBADF);
  mica_handle_close(again);
  mica_handle_close(memory);
  mica_handle_close(e);
}

void test_handle_limit() {
  // The product bounds the handles a process holds: the table fills up with
  // ENOSPC, and closing makes room again.
  static mica_handle_t handles[40000];
  mica_handle_t e;
  CHECK_EQ(mica_endpoint_create(0, &e), 0);
  size_t n = 0;
  int r = 0;
  while (n < 40000 && (r = mica_handle_duplicate(e, MICA_RIGHT_READ, &handles[n])) == 0) ++n;
  CHECK_EQ(r, -ENOSPC);
  CHECK(n > 10);
  for (size_t i = 0; i < n; ++i) mica_handle_close(handles[i]);
  CHECK_EQ(mica_handle_duplicate(e, MICA_RIGHT_READ, &handles[0]), 0);
  mica_handle_close(handles[0]);
  mica_handle_close(e);
}

void test_memory() {
  uintptr_t a;
  CHECK_EQ(
      mica_vm_allocate(MICA_HANDLE_SELF, 0, 3 * kPage, MICA_PROT_READ | MICA_PROT_WRITE, 0, &a), 0);
  memset(reinterpret_cast<void*>(a), 0x5a, 3 * kPage);
  CHECK_EQ(reinterpret_cast<uint8_t*>(a)[3 * kPage - 1], 0x5a);
  // Bad arguments.
  uintptr_t b;
  CHECK_EQ(mica_vm_allocate(MICA_HANDLE_SELF, 0, 0, MICA_PROT_READ, 0, &b), -EINVAL);
  CHECK_EQ(mica_vm_allocate(MICA_HANDLE_SELF, 0, 100, MICA_PROT_READ, 0, &b), -EINVAL);
  CHECK_EQ(mica_vm_allocate(MICA_HANDLE_SELF, a + 1, kPage, MICA_PROT_READ, MICA_VM_FIXED, &b),
           -EINVAL);
  CHECK_EQ(mica_vm_allocate(MICA_HANDLE_SELF, a, kPage, MICA_PROT_READ, MICA_VM_FIXED, &b),
           -EEXIST);
  CHECK_EQ(
      mica_vm_allocate(MICA_HANDLE_SELF, kKernelAddress, kPage, MICA_PROT_READ, MICA_VM_FIXED, &b),
      -EINVAL);
  CHECK_EQ(mica_vm_allocate(MICA_HANDLE_SELF, 0, kPage, 0x80, 0, &b), -EINVAL);
  CHECK_EQ(mica_vm_free(MICA_HANDLE_SELF, a + 1, kPage), -EINVAL);
  // Protect: read-only now, so the kernel cannot write there for us either.
  CHECK_EQ(mica_vm_protect(MICA_HANDLE_SELF, a, kPage, MICA_PROT_READ), 0);
  CHECK_EQ(mica_clock_get(reinterpret_cast<uint64_t*>(a)), -EFAULT);
  CHECK_EQ(reinterpret_cast<uint8_t*>(a)[0], 0x5a);
  CHECK_EQ(mica_vm_free(MICA_HANDLE_SELF, a, 3 * kPage), 0);
  CHECK_EQ(mica_clock_get(reinterpret_cast<uint64_t*>(a + kPage)), -EFAULT);
  // Shared memory: one object mapped twice shows the same bytes.
  mica_handle_t m;
  CHECK_EQ(mica_memory_create(2 * kPage, &m), 0);
  uintptr_t x, y;
  CHECK_EQ(mica_memory_map(MICA_HANDLE_SELF, m, 0x60000000, 2 * kPage,
                           MICA_PROT_READ | MICA_PROT_WRITE, 0, &x),
           0);
  CHECK_EQ(mica_memory_map(MICA_HANDLE_SELF, m, 0x60100000, 2 * kPage, MICA_PROT_READ, 0, &y), 0);
  reinterpret_cast<volatile uint32_t*>(x)[1024] = 0xfeedf00d;
  CHECK_EQ(reinterpret_cast<volatile uint32_t*>(y)[1024], 0xfeedf00d);
  CHECK_EQ(mica_memory_map(MICA_HANDLE_SELF, m, 0x60200000, 3 * kPage, MICA_PROT_READ, 0, &y),
           -EINVAL);
  mica_handle_t no_map;
  CHECK_EQ(mica_handle_duplicate(m, MICA_RIGHT_READ, &no_map), 0);
  CHECK_EQ(mica_memory_map(MICA_HANDLE_SELF, no_map, 0x60300000, kPage, MICA_PROT_READ, 0, &y),
           -EPERM);
  CHECK_EQ(mica_memory_create(0, &no_map), -EINVAL);
  mica_handle_close(no_map);
  // A process of our own making, filled and read back through its handle.
  mica_handle_t p;
  CHECK_EQ(mica_process_create("empty", 5, &p), 0);
  uintptr_t there;
  CHECK_EQ(mica_vm_allocate(p, 0x400000, kPage, MICA_PROT_READ, MICA_VM_FIXED, &there), 0);
  CHECK_EQ(mica_vm_write(p, 0x400000 + 100, "hello", 6), 0);
  char back[6] = {};
  CHECK_EQ(mica_vm_read(p, 0x400000 + 100, back, 6), 0);
  CHECK(strcmp(back, "hello") == 0);
  CHECK_EQ(mica_vm_read(p, 0x500000, back, 6), -EFAULT);  // unmapped there
  CHECK_EQ(mica_vm_write(p, 0x400000, reinterpret_cast<void*>(kKernelAddress), 6), -EFAULT);
  mica_handle_close(p);
}

void test_faults_kill_only_the_faulter() {
  struct Case {
    const char* mode;
    uint32_t how;
    int code;
  } cases[] = {
      {"null", MICA_EXIT_FAULT, MICA_FAULT_PAGE},
      {"illegal", MICA_EXIT_FAULT, MICA_FAULT_ILLEGAL_INSTRUCTION},
      {"write-code", MICA_EXIT_FAULT, MICA_FAULT_PAGE},
      {"stack-overflow", MICA_EXIT_FAULT, MICA_FAULT_PAGE},
      {"after-free", MICA_EXIT_FAULT, MICA_FAULT_PAGE},
  };
  for (const Case& c : cases) {
    mica_handle_t child = spawn_child(c.mode);
    CHECK(child != MICA_HANDLE_INVALID);
    if (child == MICA_HANDLE_INVALID) continue;
    mica_exit_info exit = wait_child(child);
    CHECK_EQ(exit.how, c.how);
    CHECK_EQ(exit.code, c.code);
    if (strcmp(c.mode, "null") == 0) {
      CHECK_EQ(exit.address, 0);
      CHECK_EQ(exit.flags & 1, 0);  // a read
    }
    if (strcmp(c.mode, "write-code") == 0) CHECK_EQ(exit.flags & 5, 5);  // a write, page present
  }
  // Exit codes reach the waiter.
  mica_handle_t child = spawn_child("exit", "42");
  mica_exit_info exit = wait_child(child);
  CHECK_EQ(exit.how, MICA_EXIT_NORMAL);
  CHECK_EQ(exit.code, 42);
  // Kill: a sleeping child ends with the code given; waiting without
  // blocking says it is still running first.
  child = spawn_child("sleep");
  CHECK_EQ(mica_process_wait(child, &exit, MICA_NONBLOCK), -EAGAIN);
  CHECK_EQ(mica_process_kill(child, 9), 0);
  exit = wait_child(child);
  CHECK_EQ(exit.how, MICA_EXIT_KILLED);
  CHECK_EQ(exit.code, 9);
  CHECK_EQ(mica_process_wait(MICA_HANDLE_SELF, &exit, 0), -EINVAL);
  // We are still here and working.
  CHECK(mica_get_id(MICA_HANDLE_SELF) > 0);
}

// ---- IPC ----

struct Server {
  mica_handle_t endpoint;
  int calls;
};

void echo_server(void* argument) {
  auto* s = static_cast<Server*>(argument);
  for (int i = 0; i < s->calls; ++i) {
    mica_message m = {};
    char buffer[64];
    m.buffer = buffer;
    m.buffer_size = sizeof(buffer);
    if (mica_ipc_receive(s->endpoint, &m, 0) != 0) return;
    if (m.data_size != 0) {
      // A payload: answer with it reversed.
      char reply[64];
      for (size_t j = 0; j < m.data_size; ++j) reply[j] = buffer[m.data_size - 1 - j];
      mica_message r = {};
      r.label = m.label + 1;
      r.data = reply;
      r.data_size = m.data_size;
      mica_ipc_reply_message(&r);
      continue;
    }
    uintptr_t words[4] = {m.words[0] + 1, m.words[1] + 1, m.words[2] + 1, m.words[3] + 1};
    mica_ipc_reply(words);
  }
}

void test_ipc_call_reply() {
  Server s;
  CHECK_EQ(mica_endpoint_create(0, &s.endpoint), 0);
  s.calls = 101;
  mica_thread_t thread;
  CHECK_EQ(mica_thread_spawn(echo_server, &s, 0, &thread), 0);
  for (uintptr_t i = 0; i < 100; ++i) {
    uintptr_t words[4] = {i, i * 2, i * 3, i * 4};
    intptr_t label = mica_ipc_call(s.endpoint, words);
    CHECK_EQ(label, 0);
    CHECK(words[0] == i + 1 && words[1] == i * 2 + 1 && words[2] == i * 3 + 1 &&
          words[3] == i * 4 + 1);
  }
  // A payload there and back.
  mica_message m = {};
  char out[16] = "abcdef";
  char in[16] = {};
  m.label = 7;
  m.data = out;
  m.data_size = 6;
  m.buffer = in;
  m.buffer_size = sizeof(in);
  CHECK_EQ(mica_ipc_call_message(s.endpoint, &m), 0);
  CHECK_EQ(m.label, 8);
  CHECK_EQ(m.data_size, 6);
  CHECK(memcmp(in, "fedcba", 6) == 0);
  mica_thread_join(thread);
  // Replying with no call in hand.
  uintptr_t words[4] = {};
  CHECK_EQ(mica_ipc_reply(words), -ENOENT);
  mica_handle_close(s.endpoint);
}

// MICA_SYS_IPC_REPLY_RECEIVE: a server loop of one system call per
// message. The first one has no call in hand and only receives; a stop
// call (words[0] = ~0) is answered with a plain reply.
void reply_receive_server(void* argument) {
  auto* s = static_cast<Server*>(argument);
  uintptr_t words[4] = {};
  intptr_t label = mica_ipc_reply_receive(s->endpoint, words);
  while (label >= 0) {
    if (label != 0) {  // an asynchronous message: nobody to answer
      s->calls = static_cast<int>(label);
    } else if (words[0] == ~uintptr_t{0}) {
      mica_ipc_reply(words);
      return;
    }
    for (uintptr_t& w : words) w = w * 2 + 1;
    label = mica_ipc_reply_receive(s->endpoint, words);
  }
}

void test_ipc_reply_receive() {
  Server s;
  CHECK_EQ(mica_endpoint_create(4, &s.endpoint), 0);
  s.calls = 0;
  mica_thread_t thread;
  CHECK_EQ(mica_thread_spawn(reply_receive_server, &s, 0, &thread), 0);
  for (uintptr_t i = 0; i < 1000; ++i) {
    uintptr_t words[4] = {i, i + 1, i + 2, i + 3};
    CHECK_EQ(mica_ipc_call(s.endpoint, words), 0);
    CHECK(words[0] == 2 * i + 1 && words[1] == 2 * i + 3 && words[2] == 2 * i + 5 &&
          words[3] == 2 * i + 7);
  }
  // An asynchronous message arrives with its label; the reply the server
  // then makes has no call to go to and is dropped.
  mica_message note = {};
  note.label = 9;
  CHECK_EQ(mica_ipc_send(s.endpoint, &note, 0), 0);
  uintptr_t words[4] = {5, 0, 0, 0};
  CHECK_EQ(mica_ipc_call(s.endpoint, words), 0);
  CHECK_EQ(words[0], 11u);
  CHECK_EQ(s.calls, 9);
  uintptr_t stop[4] = {~uintptr_t{0}, 0, 0, 0};
  CHECK_EQ(mica_ipc_call(s.endpoint, stop), 0);
  mica_thread_join(thread);
  // Bad endpoints fail before any reply is made.
  CHECK_EQ(mica_ipc_reply_receive(0x7fff, words), -EBADF);
  mica_handle_t write_only;
  CHECK_EQ(mica_handle_duplicate(s.endpoint, MICA_RIGHT_WRITE, &write_only), 0);
  CHECK_EQ(mica_ipc_reply_receive(write_only, words), -EPERM);
  mica_handle_close(write_only);
  mica_handle_close(s.endpoint);
}

// Deferred replies: a server takes two calls before answering either, and
// answers them in the other order; a reply handle closed unanswered fails
// its call with -ECONNRESET; answering twice or with no call fails.
struct Deferring {
  mica_handle_t endpoint;
};

void deferring_server(void* argument) {
  auto* d = static_cast<Deferring*>(argument);
  mica_handle_t replies[2];
  uintptr_t values[2];
  for (int i = 0; i < 2; ++i) {
    mica_message m = {};
    if (mica_ipc_receive(d->endpoint, &m, 0) != 0) return;
    values[i] = m.words[0];
    if (mica_ipc_reply_defer(&replies[i]) != 0) return;
  }
  for (int i = 1; i >= 0; --i) {
    char text[8];
    snprintf(text, sizeof(text), "r%lu", (unsigned long)values[i]);
    mica_message r = {};
    r.label = 40 + values[i];
    r.words[0] = values[i] * 10;
    r.data = text;
    r.data_size = strlen(text);
    mica_ipc_reply_to(replies[i], &r);
  }
  // The third call: dropped unanswered.
  mica_message m = {};
  if (mica_ipc_receive(d->endpoint, &m, 0) != 0) return;
  mica_handle_t dropped;
  if (mica_ipc_reply_defer(&dropped) == 0) mica_handle_close(dropped);
}

struct DeferredCaller {
  mica_handle_t endpoint;
  uintptr_t value;
  intptr_t label;
  uintptr_t word;
  char text[8];
};

void deferred_caller(void* argument) {
  auto* c = static_cast<DeferredCaller*>(argument);
  mica_message m = {};
  m.words[0] = c->value;
  m.buffer = c->text;
  m.buffer_size = sizeof(c->text) - 1;
  c->label = mica_ipc_call_message(c->endpoint, &m) == 0 ? (intptr_t)m.label : -1;
  c->word = m.words[0];
}

void test_ipc_deferred_reply() {
  Deferring d;
  CHECK_EQ(mica_endpoint_create(0, &d.endpoint), 0);
  mica_thread_t server;
  CHECK_EQ(mica_thread_spawn(deferring_server, &d, 0, &server), 0);
  DeferredCaller callers[2] = {{d.endpoint, 1, 0, 0, {}}, {d.endpoint, 2, 0, 0, {}}};
  mica_thread_t threads[2];
  for (int i = 0; i < 2; ++i) {
    CHECK_EQ(mica_thread_spawn(deferred_caller, &callers[i], 0, &threads[i]), 0);
  }
  for (int i = 0; i < 2; ++i) mica_thread_join(threads[i]);
  for (int i = 0; i < 2; ++i) {
    uintptr_t v = callers[i].value;
    CHECK_EQ(callers[i].label, static_cast<intptr_t>(40 + v));
    CHECK_EQ(callers[i].word, v * 10);
    char want[8];
    snprintf(want, sizeof(want), "r%lu", (unsigned long)v);
    CHECK(strcmp(callers[i].text, want) == 0);
  }
  uintptr_t words[4] = {3, 0, 0, 0};
  CHECK_EQ(mica_ipc_call(d.endpoint, words), -ECONNRESET);
  mica_thread_join(server);
  // No call in hand; a handle that is not a reply; a spent reply handle.
  mica_handle_t h;
  CHECK_EQ(mica_ipc_reply_defer(&h), -ENOENT);
  mica_message r = {};
  CHECK_EQ(mica_ipc_reply_to(d.endpoint, &r), -EINVAL);
  CHECK_EQ(mica_ipc_reply_to(MICA_HANDLE_INVALID, &r), -EBADF);
  mica_handle_close(d.endpoint);
}

// Exit notices: a watched process's end arrives as a message, also for one
// that faulted and for one that had ended before the watch; an endpoint
// without queue space cannot be watched from.
void test_process_watch() {
  mica_handle_t notices;
  CHECK_EQ(mica_endpoint_create(4, &notices), 0);
  mica_handle_t child = spawn_child("exit", "5");
  mica_handle_t faulter = spawn_child("null");
  CHECK_EQ(mica_process_watch(child, notices, 11), 0);
  CHECK_EQ(mica_process_watch(faulter, notices, 12), 0);
  uint32_t pid = static_cast<uint32_t>(mica_get_id(child));
  uint32_t faulter_pid = static_cast<uint32_t>(mica_get_id(faulter));
  bool seen_exit = false, seen_fault = false;
  for (int i = 0; i < 2; ++i) {
    mica_message m = {};
    CHECK_EQ(mica_ipc_receive(notices, &m, 0), 0);
    CHECK_EQ(m.label, MICA_LABEL_PROCESS_EXIT);
    CHECK_EQ(m.sender, 0u);
    if (m.words[3] == 11) {
      CHECK_EQ(m.words[0], pid);
      CHECK_EQ(m.words[1], static_cast<uintptr_t>(MICA_EXIT_NORMAL));
      CHECK_EQ(m.words[2], 5u);
      seen_exit = true;
    } else {
      CHECK_EQ(m.words[3], 12u);
      CHECK_EQ(m.words[0], faulter_pid);
      CHECK_EQ(m.words[1], static_cast<uintptr_t>(MICA_EXIT_FAULT));
      seen_fault = true;
    }
  }
  CHECK(seen_exit && seen_fault);
  // Ended before the watch: reported at once.
  mica_exit_info ended;
  CHECK_EQ(mica_process_wait(child, &ended, 0), 0);
  CHECK_EQ(mica_process_watch(child, notices, 13), 0);
  mica_message m = {};
  CHECK_EQ(mica_ipc_receive(notices, &m, MICA_NONBLOCK), 0);
  CHECK(m.label == MICA_LABEL_PROCESS_EXIT && m.words[3] == 13);
  // Nothing more queued; no queue to reserve in; not a process.
  CHECK_EQ(mica_ipc_receive(notices, &m, MICA_NONBLOCK), -EAGAIN);
  mica_handle_t no_queue;
  CHECK_EQ(mica_endpoint_create(0, &no_queue), 0);
  CHECK_EQ(mica_process_watch(child, no_queue, 0), -ENOSPC);
  CHECK_EQ(mica_process_watch(notices, notices, 0), -EINVAL);
  wait_child(faulter);  // and closes it
  mica_handle_close(child);
  mica_handle_close(no_queue);
  mica_handle_close(notices);
}

// MICA_SYS_PROCESS_INFO: our own threads and memory, counted page by
// page; a sleeping child waits (not runnable); a killed one is dead with
// no threads; bad handles, rights and pointers.
void test_process_info() {
  mica_process_info self = {};
  CHECK_EQ(mica_process_get_info(MICA_HANDLE_SELF, &self), 0);
  uint64_t now = 0;
  mica_clock_get(&now);
  CHECK_EQ(self.pid, static_cast<uint32_t>(mica_get_id(MICA_HANDLE_SELF)));
  CHECK_EQ(self.state, static_cast<uint32_t>(MICA_PROCESS_LIVE));
  CHECK(self.threads >= 1 && self.runnable >= 1);  // this thread runs
  CHECK(self.private_bytes > 0 && self.start_ns <= now);
  uintptr_t a;
  CHECK_EQ(
      mica_vm_allocate(MICA_HANDLE_SELF, 0, 16 * kPage, MICA_PROT_READ | MICA_PROT_WRITE, 0, &a),
      0);
  mica_process_info grown = {};
  CHECK_EQ(mica_process_get_info(MICA_HANDLE_SELF, &grown), 0);
  CHECK_EQ(grown.private_bytes, self.private_bytes + 16 * kPage);
  mica_handle_t m;
  CHECK_EQ(mica_memory_create(2 * kPage, &m), 0);
  uintptr_t shared;
  CHECK_EQ(mica_memory_map(MICA_HANDLE_SELF, m, 0x61000000, 2 * kPage, MICA_PROT_READ, 0, &shared),
           0);
  CHECK_EQ(mica_process_get_info(MICA_HANDLE_SELF, &grown), 0);
  CHECK_EQ(grown.shared_bytes, self.shared_bytes + 2 * kPage);
  CHECK_EQ(mica_vm_free(MICA_HANDLE_SELF, a, 16 * kPage), 0);
  CHECK_EQ(mica_vm_free(MICA_HANDLE_SELF, shared, 2 * kPage), 0);
  mica_handle_close(m);
  CHECK_EQ(mica_process_get_info(MICA_HANDLE_SELF, &grown), 0);
  CHECK_EQ(grown.private_bytes, self.private_bytes);
  CHECK_EQ(grown.shared_bytes, self.shared_bytes);
  // A child asleep: one thread, waiting.
  mica_handle_t child = spawn_child("sleep");
  mica_process_info info = {};
  for (int i = 0; i < 1000; ++i) {
    CHECK_EQ(mica_process_get_info(child, &info), 0);
    if (info.runnable == 0) break;
    mica_sleep(1000000);
  }
  CHECK_EQ(info.pid, static_cast<uint32_t>(mica_get_id(child)));
  CHECK(info.state == MICA_PROCESS_LIVE && info.threads == 1 && info.runnable == 0);
  CHECK(info.private_bytes > 0 && info.start_ns >= self.start_ns);
  mica_handle_t no_read;
  CHECK_EQ(mica_handle_duplicate(child, MICA_RIGHT_DUPLICATE, &no_read), 0);
  CHECK_EQ(mica_process_get_info(no_read, &info), -EPERM);
  mica_handle_close(no_read);
  CHECK_EQ(mica_process_kill(child, 9), 0);
  mica_exit_info exit = {};
  CHECK_EQ(mica_process_wait(child, &exit, 0), 0);
  CHECK_EQ(mica_process_get_info(child, &info), 0);
  CHECK(info.state == MICA_PROCESS_DEAD && info.threads == 0 && info.runnable == 0);
  mica_handle_close(child);
  CHECK_EQ(mica_process_get_info(child, &info), -EBADF);
  CHECK_EQ(mica_endpoint_create(1, &m), 0);
  CHECK_EQ(mica_process_get_info(m, &info), -EINVAL);
  mica_handle_close(m);
  CHECK_EQ(
      mica_process_get_info(MICA_HANDLE_SELF, reinterpret_cast<mica_process_info*>(kKernelAddress)),
      -EFAULT);
}

void test_ipc_async() {
  mica_handle_t e;
  mica_handle_t too_big;
  CHECK_EQ(mica_endpoint_create(100000, &too_big), -EINVAL);
  CHECK_EQ(mica_endpoint_create(2, &e), 0);
  mica_message m = {};
  // Nothing queued: a non-blocking receive says so.
  CHECK_EQ(mica_ipc_receive(e, &m, MICA_NONBLOCK), -EAGAIN);
  m.label = 10;
  CHECK_EQ(mica_ipc_send(e, &m, MICA_NONBLOCK), 0);
  m.label = 11;
  CHECK_EQ(mica_ipc_send(e, &m, MICA_NONBLOCK), 0);
  m.label = 12;
  CHECK_EQ(mica_ipc_send(e, &m, MICA_NONBLOCK), -EAGAIN);  // full
  mica_message r = {};
  CHECK_EQ(mica_ipc_receive(e, &r, 0), 0);
  CHECK_EQ(r.label, 10);
  CHECK_EQ(r.sender, (uint32_t)mica_get_id(MICA_HANDLE_SELF));
  CHECK_EQ(mica_ipc_receive(e, &r, 0), 0);
  CHECK_EQ(r.label, 11);
  // An asynchronous message cannot carry a payload (nothing waits to copy it).
  m.data = "x";
  m.data_size = 1;
  CHECK_EQ(mica_ipc_send(e, &m, MICA_NONBLOCK), -EINVAL);
  m.data = nullptr;
  m.data_size = 0;
  // Bad message pointers.
  CHECK_EQ(mica_ipc_send(e, reinterpret_cast<mica_message*>(kKernelAddress), 0), -EFAULT);
  CHECK_EQ(mica_ipc_send(e, &m, 0), 0);
  CHECK_EQ(mica_ipc_receive(e, reinterpret_cast<mica_message*>(kKernelAddress), 0), -EFAULT);
  // Nothing was lost to the bad pointer: the message is still there.
  CHECK_EQ(mica_ipc_receive(e, &r, 0), 0);
  CHECK_EQ(r.label, 12);

  // Passing a handle: the receiver gets a working one, the sender's is gone.
  mica_handle_t memory;
  CHECK_EQ(mica_memory_create(kPage, &memory), 0);
  uintptr_t mine;
  CHECK_EQ(mica_memory_map(MICA_HANDLE_SELF, memory, 0x61000000, kPage,
                           MICA_PROT_READ | MICA_PROT_WRITE, 0, &mine),
           0);
  *reinterpret_cast<volatile uint32_t*>(mine) = 0x12345678;
  m = {};
  m.label = 20;
  m.handle = memory;
  CHECK_EQ(mica_ipc_send(e, &m, 0), 0);
  mica_handle_info info;
  CHECK_EQ(mica_handle_info(memory, &info), -EBADF);
  r = {};
  CHECK_EQ(mica_ipc_receive(e, &r, 0), 0);
  CHECK_EQ(r.label, 20);
  CHECK(r.handle != MICA_HANDLE_INVALID);
  uintptr_t theirs = 0;
  CHECK_EQ(
      mica_memory_map(MICA_HANDLE_SELF, r.handle, 0x61100000, kPage, MICA_PROT_READ, 0, &theirs),
      0);
  if (theirs != 0) CHECK_EQ(*reinterpret_cast<volatile uint32_t*>(theirs), 0x12345678);
  // A handle without the transfer right cannot be sent.
  mica_handle_t no_transfer;
  CHECK_EQ(mica_handle_duplicate(r.handle, MICA_RIGHT_READ | MICA_RIGHT_MAP, &no_transfer), 0);
  m.handle = no_transfer;
  CHECK_EQ(mica_ipc_send(e, &m, 0), -EPERM);
  CHECK_EQ(mica_handle_info(no_transfer, &info), 0);  // and it stays ours
  mica_handle_close(no_transfer);
  mica_handle_close(r.handle);
  mica_handle_close(e);
}

// 8 senders x 10,000 messages into one endpoint: every message arrives,
// each sender's in order.
constexpr int kSenders = 8;
constexpr int kMessages = 10000;

struct Sender {
  mica_handle_t endpoint;
  uintptr_t id;
  int failures;
};

void sender_thread(void* argument) {
  auto* s = static_cast<Sender*>(argument);
  for (int i = 0; i < kMessages; ++i) {
    mica_message m = {};
    m.label = 1;
    m.words[0] = s->id;
    m.words[1] = static_cast<uintptr_t>(i);
    if (mica_ipc_send(s->endpoint, &m, 0) != 0) ++s->failures;
  }
}

void test_ipc_ordering_under_load() {
  mica_handle_t e;
  CHECK_EQ(mica_endpoint_create(64, &e), 0);
  Sender senders[kSenders];
  mica_thread_t threads[kSenders];
  for (int i = 0; i < kSenders; ++i) {
    senders[i] = {e, static_cast<uintptr_t>(i), 0};
    CHECK_EQ(mica_thread_spawn(sender_thread, &senders[i], 0, &threads[i]), 0);
  }
  uintptr_t next[kSenders] = {};
  int out_of_order = 0, received = 0;
  for (int n = 0; n < kSenders * kMessages; ++n) {
    mica_message m = {};
    if (mica_ipc_receive(e, &m, 0) != 0 || m.label != 1) break;
    ++received;
    uintptr_t id = m.words[0];
    if (id >= kSenders || m.words[1] != next[id]) {
      ++out_of_order;
    } else {
      ++next[id];
    }
  }
  for (int i = 0; i < kSenders; ++i) mica_thread_join(threads[i]);
  int failures = 0;
  for (int i = 0; i < kSenders; ++i) failures += senders[i].failures;
  CHECK_EQ(received, kSenders * kMessages);
  CHECK_EQ(out_of_order, 0);
  CHECK_EQ(failures, 0);
  mica_message m = {};
  CHECK_EQ(mica_ipc_receive(e, &m, MICA_NONBLOCK), -EAGAIN);  // nothing extra
  printf("  %d messages from %d senders, in order\n", received, kSenders);
  mica_handle_close(e);
}

void test_hardware_grants() {
  mica_handle_t resource = mica_startup_handle(MICA_STARTUP_RESOURCE);
  CHECK(resource != MICA_HANDLE_INVALID);
  mica_handle_t e;
  CHECK_EQ(mica_endpoint_create(0, &e), 0);
  // Not a resource, or one without the grant right.
  CHECK_EQ(mica_ioport_allow(e, 0x80, 1), -EINVAL);
  mica_handle_t weak;
  CHECK_EQ(mica_handle_duplicate(resource, MICA_RIGHT_READ, &weak), 0);
  CHECK_EQ(mica_ioport_allow(weak, 0x80, 1), -EPERM);
  uintptr_t mapped;
  CHECK_EQ(mica_mmio_map(weak, 0x3f000000, kPage, 0x62000000, &mapped), -EPERM);
  CHECK_EQ(mica_irq_create(weak, 4, e, 0, nullptr), -EPERM);
  mica_handle_t irq;
  CHECK_EQ(mica_irq_create(resource, 100000, e, 0, &irq), -EINVAL);
  mica_handle_close(weak);
#if defined(__x86_64__) || defined(__i386__)
  // A child without a grant faults on the port...
  mica_handle_t child = spawn_child("inport");
  mica_exit_info exit = wait_child(child);
  CHECK_EQ(exit.how, MICA_EXIT_FAULT);
  CHECK_EQ(exit.code, MICA_FAULT_PROTECTION);
  // ...bad ranges are refused, and after a grant the port works here.
  CHECK_EQ(mica_ioport_allow(resource, 0xffff, 2), -EINVAL);
  CHECK_EQ(mica_ioport_allow(resource, 0x80, 1), 0);
  uint8_t value;
  asm volatile("inb $0x80, %0" : "=a"(value));
  (void)value;
#else
  CHECK_EQ(mica_ioport_allow(resource, 0x80, 1), -ENOSYS);
#endif
  mica_handle_close(e);
}

// ---- Narrowed hardware resources ----

#if defined(__x86_64__) || defined(__i386__)
constexpr uint32_t kFreeIrq = 3;  // COM2: nothing behind it under QEMU
#else
constexpr uint32_t kFreeIrq = 48;                         // BCM2835 SMI: not used
#endif
constexpr uint64_t kDevicePage = 0x3f000000;  // mapped, never touched
constexpr uintptr_t kDeviceMapAt = 0x62000000;

mica_resource_range resource_range(uint32_t kind, uint64_t base, uint64_t size) {
  return {kind, 0, base, size};
}

// -EPERM or -EINVAL from one range, else the handle made (closed again).
int narrow_result(mica_handle_t parent, mica_resource_range range) {
  mica_handle_t h = MICA_HANDLE_INVALID;
  int r = mica_resource_create(parent, &range, 1, &h);
  if (r == 0) mica_handle_close(h);
  return r;
}

void test_resource_narrowing() {
  mica_handle_t root = mica_startup_handle(MICA_STARTUP_RESOURCE);
  CHECK(root != MICA_HANDLE_INVALID);
  // A driver's resource: one port, one IRQ, one page of MMIO.
  mica_resource_range driver[] = {
      resource_range(MICA_RESOURCE_IOPORT, 0x80, 1),
      resource_range(MICA_RESOURCE_IRQ, kFreeIrq, 1),
      resource_range(MICA_RESOURCE_MMIO, kDevicePage, kPage),
  };
  mica_handle_t narrow = MICA_HANDLE_INVALID;
  CHECK_EQ(mica_resource_create(root, driver, 3, &narrow), 0);
  mica_handle_info info = {};
  CHECK_EQ(mica_handle_info(narrow, &info), 0);
  CHECK_EQ(info.type, MICA_OBJECT_RESOURCE);
  CHECK_EQ(info.rights, MICA_RIGHT_DUPLICATE | MICA_RIGHT_TRANSFER | MICA_RIGHT_GRANT);

  // Inside the parent: fine, also narrower again; wider or outside: -EPERM.
  CHECK_EQ(narrow_result(narrow, resource_range(MICA_RESOURCE_IOPORT, 0x80, 1)), 0);
  CHECK_EQ(narrow_result(narrow, resource_range(MICA_RESOURCE_MMIO, kDevicePage, kPage)), 0);
  CHECK_EQ(narrow_result(narrow, resource_range(MICA_RESOURCE_IOPORT, 0x80, 2)), -EPERM);
  CHECK_EQ(narrow_result(narrow, resource_range(MICA_RESOURCE_IOPORT, 0x7f, 1)), -EPERM);
  CHECK_EQ(narrow_result(narrow, resource_range(MICA_RESOURCE_IRQ, kFreeIrq + 1, 1)), -EPERM);
  CHECK_EQ(narrow_result(narrow, resource_range(MICA_RESOURCE_MMIO, kDevicePage, 2 * kPage)),
           -EPERM);
  CHECK_EQ(narrow_result(narrow, resource_range(MICA_RESOURCE_MMIO, kDevicePage - kPage, kPage)),
           -EPERM);
  CHECK_EQ(narrow_result(narrow, resource_range(MICA_RESOURCE_SYSTEM, 0, 0)), -EPERM);
  // Malformed: overflow, ports past 0xffff, no size, partial pages, unknown
  // kinds, reserved bits, no ranges or too many, bad pointers and handles.
  CHECK_EQ(narrow_result(root, resource_range(MICA_RESOURCE_MMIO, ~0ull - kPage + 1, 2 * kPage)),
           -EINVAL);
  CHECK_EQ(narrow_result(root, resource_range(MICA_RESOURCE_IRQ, 2, ~0ull)), -EINVAL);
  CHECK_EQ(narrow_result(root, resource_range(MICA_RESOURCE_IOPORT, 0xffff, 2)), -EINVAL);
  CHECK_EQ(narrow_result(root, resource_range(MICA_RESOURCE_IOPORT, 0x80, 0)), -EINVAL);
  CHECK_EQ(narrow_result(root, resource_range(MICA_RESOURCE_MMIO, kDevicePage, 16)), -EINVAL);
  CHECK_EQ(narrow_result(root, resource_range(MICA_RESOURCE_SYSTEM, 0, 1)), -EINVAL);
  CHECK_EQ(narrow_result(root, resource_range(77, 0, 1)), -EINVAL);
  mica_resource_range reserved = {MICA_RESOURCE_IRQ, 1, kFreeIrq, 1};
  CHECK_EQ(narrow_result(root, reserved), -EINVAL);
  mica_handle_t h;
  mica_resource_range many[MICA_RESOURCE_MAX_RANGES + 1];
  for (auto& r : many) r = resource_range(MICA_RESOURCE_IRQ, kFreeIrq, 1);
  CHECK_EQ(mica_resource_create(root, many, 0, &h), -EINVAL);
  CHECK_EQ(mica_resource_create(root, many, MICA_RESOURCE_MAX_RANGES + 1, &h), -EINVAL);
  CHECK_EQ(mica_resource_create(root, many, MICA_RESOURCE_MAX_RANGES, &h), 0);
  mica_handle_close(h);
  CHECK_EQ(
      mica_resource_create(root, reinterpret_cast<mica_resource_range*>(kKernelAddress), 1, &h),
      -EFAULT);
  mica_handle_t e;
  CHECK_EQ(mica_endpoint_create(0, &e), 0);
  CHECK_EQ(mica_resource_create(e, driver, 1, &h), -EINVAL);  // not a resource
  mica_handle_t weak;
  CHECK_EQ(mica_handle_duplicate(root, MICA_RIGHT_DUPLICATE, &weak), 0);
  CHECK_EQ(mica_resource_create(weak, driver, 1, &h), -EPERM);  // no GRANT
  mica_handle_close(weak);

  // MMIO: only its page.
  uintptr_t mapped;
  CHECK_EQ(mica_mmio_map(narrow, kDevicePage, kPage, kDeviceMapAt, &mapped), 0);
  CHECK_EQ(mica_vm_free(MICA_HANDLE_SELF, kDeviceMapAt, kPage), 0);
  CHECK_EQ(mica_mmio_map(narrow, kDevicePage + kPage, kPage, kDeviceMapAt, &mapped), -EPERM);
  CHECK_EQ(mica_mmio_map(narrow, kDevicePage, 2 * kPage, kDeviceMapAt, &mapped), -EPERM);
  CHECK_EQ(mica_mmio_map(narrow, 0, kPage, kDeviceMapAt, &mapped), -EPERM);
  // IRQs: only its own.
  mica_handle_t irq;
  CHECK_EQ(mica_irq_create(narrow, kFreeIrq, e, 0, &irq), 0);
  mica_handle_close(irq);
  CHECK_EQ(mica_irq_create(narrow, kFreeIrq + 1, e, 0, &irq), -EPERM);
  CHECK_EQ(mica_irq_create(narrow, kFreeIrq - 1, e, 0, &irq), -EPERM);
  CHECK_EQ(mica_irq_create(narrow, 100000, e, 0, &irq), -EINVAL);
  // The system: not without the flag (checked before the way to stop, so
  // a wrong answer here cannot power the machine off by itself).
  CHECK_EQ(mica_system_stop(narrow, 7), -EPERM);
  CHECK_EQ(mica_system_stop(narrow, MICA_STOP_POWER_OFF), -EPERM);
  CHECK_EQ(mica_system_stop(narrow, MICA_STOP_REBOOT), -EPERM);
  mica_handle_t system;
  mica_resource_range stop = resource_range(MICA_RESOURCE_SYSTEM, 0, 0);
  CHECK_EQ(mica_resource_create(root, &stop, 1, &system), 0);
  CHECK_EQ(mica_system_stop(system, 7), -EINVAL);  // allowed; an unknown way
  CHECK_EQ(mica_ioport_allow(system, 0x80, 1), -EPERM);
  CHECK_EQ(mica_irq_create(system, kFreeIrq, e, 0, &irq), -EPERM);
  mica_handle_close(system);

#if defined(__x86_64__) || defined(__i386__)
  // Ports: the call refuses one outside, and the port then faults in a
  // child that has only the narrowed resource; its own port works.
  CHECK_EQ(mica_ioport_allow(narrow, 0x81, 1), -EPERM);
  CHECK_EQ(mica_ioport_allow(narrow, 0x80, 2), -EPERM);
  const char* ports[] = {"0x80", "0x81", "0x3f8"};
  for (const char* port : ports) {
    mica_handle_t pass;
    CHECK_EQ(mica_handle_duplicate(narrow, MICA_RIGHT_GRANT | MICA_RIGHT_TRANSFER, &pass), 0);
    uint32_t tag = MICA_STARTUP_RESOURCE;
    mica_handle_t child = spawn_child("port", port, &pass, &tag, 1);
    CHECK(child != MICA_HANDLE_INVALID);
    if (child == MICA_HANDLE_INVALID) continue;
    mica_exit_info exit = wait_child(child);
    if (strcmp(port, "0x80") == 0) {
      CHECK_EQ(exit.how, MICA_EXIT_NORMAL);
      CHECK_EQ(exit.code, 2);
    } else {
      CHECK_EQ(exit.how, MICA_EXIT_FAULT);
      CHECK_EQ(exit.code, MICA_FAULT_PROTECTION);
    }
  }
#else
  CHECK_EQ(mica_ioport_allow(narrow, 0x80, 1), -ENOSYS);  // allowed; no ports here
  CHECK_EQ(mica_ioport_allow(narrow, 0x81, 1), -EPERM);
#endif
  mica_handle_close(e);
  mica_handle_close(narrow);
}

// ---- DMA memory ----

uint64_t free_bytes() {
  struct mica_system_info info = {};
  CHECK_EQ(mica_system_info(&info), 0);
  return info.free_bytes;
}

// Whether `rounds` times `round()` gave back what it took: the free memory
// ends within `slack` of where it started (other processes allocate a little
// meanwhile; a leak would cost rounds x 1 MiB).
template <typename F>
void check_no_leak(const char* what, int rounds, F round) {
  constexpr uint64_t kSlack = 512 * 1024;
  uint64_t before = free_bytes();
  for (int i = 0; i < rounds; ++i) round();
  uint64_t after = free_bytes();
  if (after + kSlack < before) {
    printf("  %s: %llu KiB fewer free after %d rounds\n", what,
           static_cast<unsigned long long>((before - after) / 1024), rounds);
  }
  CHECK(after + kSlack >= before);
}

void test_dma() {
  mica_handle_t resource = mica_startup_handle(MICA_STARTUP_RESOURCE);
  CHECK(resource != MICA_HANDLE_INVALID);
  mica_handle_t e, weak, m = MICA_HANDLE_INVALID;
  uint64_t physical = 0;
  CHECK_EQ(mica_endpoint_create(0, &e), 0);
  CHECK_EQ(mica_handle_duplicate(resource, MICA_RIGHT_READ, &weak), 0);
  // The resource must be one, with the grant right.
  CHECK_EQ(mica_dma_create(e, kPage, &physical, &m), -EINVAL);
  CHECK_EQ(mica_dma_create(weak, kPage, &physical, &m), -EPERM);
  CHECK_EQ(mica_dma_create(MICA_HANDLE_INVALID, kPage, &physical, &m), -EBADF);
  // Sizes: not 0, whole pages, at most MICA_DMA_MAX_SIZE.
  CHECK_EQ(mica_dma_create(resource, 0, &physical, &m), -EINVAL);
  CHECK_EQ(mica_dma_create(resource, 100, &physical, &m), -EINVAL);
  CHECK_EQ(mica_dma_create(resource, MICA_DMA_MAX_SIZE + kPage, &physical, &m), -EINVAL);
  CHECK_EQ(mica_dma_create(resource, ~size_t{0} & ~size_t{kPage - 1}, &physical, &m), -EINVAL);
  // The address goes to user memory, or the call fails (and keeps nothing).
  CHECK_EQ(mica_dma_create(resource, kPage, reinterpret_cast<uint64_t*>(kKernelAddress), &m),
           -EFAULT);
  CHECK_EQ(mica_dma_create(resource, kPage, nullptr, &m), -EFAULT);
  check_no_leak("refused with -EFAULT", 64,
                [&] { (void)mica_dma_create(resource, MICA_DMA_MAX_SIZE, nullptr, &m); });
  mica_handle_close(weak);
  mica_handle_close(e);

  // The largest: page-aligned, zeroed, mapped like shared memory; two
  // objects do not overlap.
  uint64_t free_before = free_bytes();
  CHECK_EQ(mica_dma_create(resource, MICA_DMA_MAX_SIZE, &physical, &m), 0);
  CHECK(free_before - free_bytes() >= MICA_DMA_MAX_SIZE);
  CHECK(physical != 0 && physical % kPage == 0);
  mica_handle_info info = {};
  CHECK_EQ(mica_handle_info(m, &info), 0);
  CHECK_EQ(info.type, MICA_OBJECT_MEMORY);
  CHECK_EQ(info.size, MICA_DMA_MAX_SIZE);
  uintptr_t x = 0, y = 0;
  CHECK_EQ(mica_memory_map(MICA_HANDLE_SELF, m, 0x64000000, MICA_DMA_MAX_SIZE,
                           MICA_PROT_READ | MICA_PROT_WRITE, 0, &x),
           0);
  auto* bytes = reinterpret_cast<volatile uint8_t*>(x);
  bool zero = true;
  for (size_t i = 0; i < MICA_DMA_MAX_SIZE; i += 64) zero = zero && bytes[i] == 0;
  CHECK(zero);
  mica_handle_t other;
  uint64_t other_physical = 0;
  CHECK_EQ(mica_dma_create(resource, 2 * kPage, &other_physical, &other), 0);
  CHECK(other_physical + 2 * kPage <= physical || other_physical >= physical + MICA_DMA_MAX_SIZE);
  mica_handle_close(other);
  // The mapping keeps the frames after the last handle goes...
  bytes[MICA_DMA_MAX_SIZE - 1] = 0xa5;
  mica_handle_close(m);
  CHECK_EQ(mica_memory_map(MICA_HANDLE_SELF, m, 0x64200000, kPage, MICA_PROT_READ, 0, &y), -EBADF);
  CHECK_EQ(bytes[MICA_DMA_MAX_SIZE - 1], 0xa5);
  CHECK(free_before - free_bytes() >= MICA_DMA_MAX_SIZE);
  // ...until it is unmapped: a partial unmap keeps them, the rest frees them.
  CHECK_EQ(mica_vm_free(MICA_HANDLE_SELF, x, kPage), 0);
  CHECK(free_before - free_bytes() >= MICA_DMA_MAX_SIZE - kPage);
  CHECK_EQ(bytes[kPage], 0);
  CHECK_EQ(mica_vm_free(MICA_HANDLE_SELF, x + kPage, MICA_DMA_MAX_SIZE - kPage), 0);
  CHECK(free_bytes() + 512 * 1024 >= free_before);

  // Nothing is lost however the last reference goes: the handle, an unmap,
  // a process that never ran, one that ended with it mapped.
  check_no_leak("handle closed", 64, [&] {
    if (mica_dma_create(resource, MICA_DMA_MAX_SIZE, &physical, &m) == 0) mica_handle_close(m);
  });
  check_no_leak("unmapped", 32, [&] {
    if (mica_dma_create(resource, MICA_DMA_MAX_SIZE, &physical, &m) != 0) return;
    uintptr_t at;
    CHECK_EQ(
        mica_memory_map(MICA_HANDLE_SELF, m, 0x64000000, MICA_DMA_MAX_SIZE, MICA_PROT_READ, 0, &at),
        0);
    mica_handle_close(m);
    CHECK_EQ(mica_vm_free(MICA_HANDLE_SELF, 0x64000000, MICA_DMA_MAX_SIZE), 0);
  });
  check_no_leak("mapped into a process that never ran", 32, [&] {
    mica_handle_t p;
    if (mica_dma_create(resource, MICA_DMA_MAX_SIZE, &physical, &m) != 0) return;
    CHECK_EQ(mica_process_create("dma", 3, &p), 0);
    uintptr_t at;
    CHECK_EQ(mica_memory_map(p, m, 0x64000000, MICA_DMA_MAX_SIZE, MICA_PROT_READ, 0, &at), 0);
    mica_handle_close(m);
    mica_handle_close(p);
  });
  check_no_leak("mapped by a process that ended", 16, [&] {
    if (mica_dma_create(resource, MICA_DMA_MAX_SIZE, &physical, &m) != 0) return;
    uint32_t tag = MICA_STARTUP_USER;
    mica_handle_t child = spawn_child("map-dma", nullptr, &m, &tag, 1);
    CHECK(child != MICA_HANDLE_INVALID);
    if (child == MICA_HANDLE_INVALID) {
      mica_handle_close(m);
      return;
    }
    mica_exit_info exit = wait_child(child);
    CHECK_EQ(exit.how, MICA_EXIT_NORMAL);
    CHECK_EQ(exit.code, 0);
  });
}

// ---- Unix domain sockets ----

intptr_t sock_create(uint32_t type) {
  return mica_syscall1(MICA_SYS_SOCKET_CREATE, type);
}
intptr_t sock_bind(mica_handle_t s, const char* name) {
  return mica_syscall3(MICA_SYS_SOCKET_BIND, s, (uintptr_t)name, strlen(name));
}
intptr_t sock_connect(mica_handle_t s, const char* name) {
  return mica_syscall4(MICA_SYS_SOCKET_CONNECT, s, (uintptr_t)name, strlen(name), 0);
}
intptr_t sock_send(mica_handle_t s, const void* data, size_t size, uint32_t flags = 0) {
  return mica_syscall6(MICA_SYS_SOCKET_SEND, s, (uintptr_t)data, size, flags, 0, 0);
}
intptr_t sock_send_to(mica_handle_t s, const void* data, size_t size, const char* to) {
  return mica_syscall6(MICA_SYS_SOCKET_SEND, s, (uintptr_t)data, size, 0, (uintptr_t)to,
                       strlen(to));
}
intptr_t sock_receive(mica_handle_t s, void* buffer, size_t size, uint32_t flags = 0) {
  return mica_syscall4(MICA_SYS_SOCKET_RECEIVE, s, (uintptr_t)buffer, size, flags);
}

struct EchoClient {
  int result;
};

void socket_client(void* argument) {
  auto* c = static_cast<EchoClient*>(argument);
  c->result = 1;
  intptr_t s = sock_create(MICA_SOCK_STREAM);
  if (s < 0 || sock_connect(s, "/tmp/usertest.sock") != 0) return;
  static char data[3000];
  for (size_t i = 0; i < sizeof(data); ++i) data[i] = static_cast<char>(i * 7);
  if (sock_send(s, data, sizeof(data)) != (intptr_t)sizeof(data)) return;
  static char back[3000];
  size_t got = 0;
  while (got < sizeof(back)) {
    intptr_t n = sock_receive(s, back + got, sizeof(back) - got);
    if (n <= 0) return;
    got += n;
  }
  if (memcmp(data, back, sizeof(data)) != 0) return;
  mica_handle_close(s);
  c->result = 0;
}

void test_unix_sockets() {
  intptr_t server = sock_create(MICA_SOCK_STREAM);
  CHECK(server > 0);
  CHECK_EQ(sock_create(77), -EINVAL);
  CHECK_EQ(sock_bind(server, "/tmp/usertest.sock"), 0);
  intptr_t other = sock_create(MICA_SOCK_STREAM);
  CHECK_EQ(sock_bind(other, "/tmp/usertest.sock"), -EADDRINUSE);
  CHECK_EQ(mica_syscall3(MICA_SYS_SOCKET_BIND, other, kKernelAddress, 4), -EFAULT);
  CHECK_EQ(mica_syscall3(MICA_SYS_SOCKET_BIND, other, (uintptr_t) "x", 0), -EINVAL);
  CHECK_EQ(sock_connect(other, "/tmp/nobody.sock"), -ECONNREFUSED);
  CHECK_EQ(sock_send(other, "x", 1), -ENOTCONN);
  CHECK_EQ(mica_syscall2(MICA_SYS_SOCKET_LISTEN, server, 4), 0);
  CHECK_EQ(mica_syscall2(MICA_SYS_SOCKET_ACCEPT, server, MICA_NONBLOCK), -EAGAIN);
  // Nothing ready: poll with a zero timeout times out.
  mica_wait_item item = {(mica_handle_t)server, MICA_SIGNAL_READABLE, 0};
  uint64_t zero = 0;
  CHECK_EQ(mica_wait_many(&item, 1, &zero), -ETIMEDOUT);

  EchoClient client;
  mica_thread_t thread;
  CHECK_EQ(mica_thread_spawn(socket_client, &client, 0, &thread), 0);
  // poll until the connection is there, then accept it.
  CHECK_EQ(mica_wait_many(&item, 1, nullptr), 1);
  CHECK_EQ(item.observed, MICA_SIGNAL_READABLE);
  intptr_t connection = mica_syscall2(MICA_SYS_SOCKET_ACCEPT, server, 0);
  CHECK(connection > 0);
  static char buffer[3000];
  size_t got = 0;
  while (got < sizeof(buffer)) {
    intptr_t n = sock_receive(connection, buffer + got, sizeof(buffer) - got);
    if (n <= 0) break;
    got += n;
  }
  CHECK_EQ(got, sizeof(buffer));
  CHECK_EQ(sock_send(connection, buffer, got), (intptr_t)got);
  mica_thread_join(thread);
  CHECK_EQ(client.result, 0);
  // The client closed: end of file, then EPIPE on send.
  CHECK_EQ(sock_receive(connection, buffer, 10), 0);
  CHECK_EQ(sock_send(connection, "x", 1), -EPIPE);
  mica_handle_close(connection);
  mica_handle_close(other);
  mica_handle_close(server);
  // The name is free again.
  intptr_t again = sock_create(MICA_SOCK_STREAM);
  CHECK_EQ(sock_bind(again, "/tmp/usertest.sock"), 0);
  mica_handle_close(again);

  // A pair: non-blocking until the 16 KiB buffer is full, then readable.
  mica_handle_t pair[2];
  CHECK_EQ(mica_syscall2(MICA_SYS_SOCKET_PAIR, MICA_SOCK_STREAM, (uintptr_t)pair), 0);
  static char block[4096];
  intptr_t total = 0, n;
  while ((n = sock_send(pair[0], block, sizeof(block), MICA_NONBLOCK)) > 0) total += n;
  CHECK_EQ(n, -EAGAIN);
  CHECK_EQ(total, 16384);
  mica_wait_item readable = {pair[1], MICA_SIGNAL_READABLE, 0};
  CHECK_EQ(mica_wait_many(&readable, 1, &zero), 1);
  CHECK_EQ(sock_receive(pair[1], block, sizeof(block)), 4096);
  CHECK_EQ(sock_receive(pair[1], reinterpret_cast<void*>(kKernelAddress), 10), -EFAULT);
  mica_handle_close(pair[0]);
  mica_handle_close(pair[1]);

  // Datagrams: one message per receive, truncated to the buffer.
  intptr_t a = sock_create(MICA_SOCK_DGRAM), b = sock_create(MICA_SOCK_DGRAM);
  CHECK_EQ(sock_bind(b, "/tmp/usertest.dgram"), 0);
  CHECK_EQ(sock_send_to(a, "hello", 5, "/tmp/usertest.dgram"), 5);
  CHECK_EQ(sock_send_to(a, "world!", 6, "/tmp/usertest.dgram"), 6);
  CHECK_EQ(sock_send_to(a, "x", 1, "/tmp/nobody"), -ECONNREFUSED);
  char word[8] = {};
  CHECK_EQ(sock_receive(b, word, 3), 3);
  CHECK(memcmp(word, "hel", 3) == 0);
  CHECK_EQ(sock_receive(b, word, sizeof(word)), 6);
  CHECK(memcmp(word, "world!", 6) == 0);
  CHECK_EQ(sock_receive(b, word, sizeof(word), MICA_NONBLOCK), -EAGAIN);
  mica_handle_close(a);
  mica_handle_close(b);
}

// An endpoint whose server (its creator) ends signals PEER_CLOSED, which a
// client holding only WRITE can wait for; a handle with neither READ nor
// WRITE cannot be waited on.
void test_endpoint_peer_closed() {
  mica_handle_t inbox, pass;
  CHECK_EQ(mica_endpoint_create(4, &inbox), 0);
  CHECK_EQ(mica_handle_duplicate(inbox, MICA_RIGHT_WRITE | MICA_RIGHT_TRANSFER, &pass), 0);
  uint32_t tag = MICA_STARTUP_USER;
  mica_handle_t child = spawn_child("serve", nullptr, &pass, &tag, 1);
  CHECK(child != MICA_HANDLE_INVALID);
  if (child == MICA_HANDLE_INVALID) return;
  mica_message m = {};
  CHECK_EQ(mica_ipc_receive(inbox, &m, 0), 0);
  mica_handle_t server = m.handle;
  CHECK(server != MICA_HANDLE_INVALID);
  mica_wait_item item = {server, MICA_SIGNAL_PEER_CLOSED, 0};
  uint64_t zero = 0;
  CHECK_EQ(mica_wait_many(&item, 1, &zero), -ETIMEDOUT);
  CHECK_EQ(mica_process_kill(child, 9), 0);
  uint64_t second = 1000000000ull;
  CHECK_EQ(mica_wait_many(&item, 1, &second), 1);
  CHECK_EQ(item.observed, MICA_SIGNAL_PEER_CLOSED);
  uintptr_t words[4] = {};
  CHECK_EQ(mica_ipc_call(server, words), -ECONNRESET);
  mica_handle_t blind;
  CHECK_EQ(mica_handle_duplicate(server, MICA_RIGHT_TRANSFER, &blind), 0);
  mica_wait_item none = {blind, MICA_SIGNAL_PEER_CLOSED, 0};
  CHECK_EQ(mica_wait_many(&none, 1, &zero), -EPERM);
  mica_handle_close(blind);
  mica_handle_close(server);
  mica_handle_close(inbox);
  mica_exit_info exit = wait_child(child);
  CHECK_EQ(exit.how, MICA_EXIT_KILLED);
}

int run_all() {
  if (!find_self()) {
    printf("usertest: cannot find bin/usertest in the ramdisk\n");
    return 2;
  }
  harness::run("basic_calls", test_basic_calls);
  harness::run("bad_pointers", test_bad_pointers);
  harness::run("handles", test_handles);
  harness::run("handle_limit", test_handle_limit);
  harness::run("memory", test_memory);
  harness::run("faults", test_faults_kill_only_the_faulter);
  harness::run("ipc_call_reply", test_ipc_call_reply);
  harness::run("ipc_deferred_reply", test_ipc_deferred_reply);
  harness::run("process_watch", test_process_watch);
  harness::run("process_info", test_process_info);
  harness::run("ipc_reply_receive", test_ipc_reply_receive);
  harness::run("ipc_async", test_ipc_async);
  harness::run("endpoint_peer_closed", test_endpoint_peer_closed);
  harness::run("ipc_ordering", test_ipc_ordering_under_load);
  harness::run("hardware", test_hardware_grants);
  harness::run("resource_narrowing", test_resource_narrowing);
  harness::run("dma", test_dma);
  harness::run("unix_sockets", test_unix_sockets);
  int passed = harness::g_tests - harness::g_test_failures;
  printf("usertest: %d passed, %d failed\n", passed, harness::g_test_failures);
  return harness::g_test_failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && strcmp(argv[1], "fuzzer") == 0) {
    if (!find_self()) return 2;
    return fuzzer(argc >= 3 ? strtoul(argv[2], nullptr, 10) : 100000);
  }
  if (argc >= 2) return child_main(argv[1], argc >= 3 ? argv[2] : "");
  return run_all();
}
