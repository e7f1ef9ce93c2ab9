// Self-tests of i586 user mode: small ring-3 programs (user_programs.S) run
// in fresh processes through core's process API, and the arch's user copy,
// I/O bitmap and IRQ routing checked directly.
#include <arch/platform.h>
#include <core/console.h>
#include <core/ktest.h>
#include <core/sched/scheduler.h>
#include <core/user/process.h>

#define USER_PROGRAM(name) \
  extern "C" const uint8_t i586_user_##name##_start[], i586_user_##name##_end[]

USER_PROGRAM(hello);
USER_PROGRAM(efault);
USER_PROGRAM(null_load);
USER_PROGRAM(illegal);
USER_PROGRAM(write_code);
USER_PROGRAM(port);
USER_PROGRAM(tls);
USER_PROGRAM(syscall_loop);
USER_PROGRAM(tls_spin);
USER_PROGRAM(fpu);
USER_PROGRAM(breakpoint);
USER_PROGRAM(closed_gate);
USER_PROGRAM(divide);

namespace {

using arch::Platform;

// Every test process: code at kCode (read-only, one page), a data and stack
// page at kData.
constexpr uintptr_t kCode = 0x00400000;
constexpr uintptr_t kData = 0x00800000;
constexpr uintptr_t kPage = 4096;

struct Program {
  const uint8_t* start;
  const uint8_t* end;
};
#define PROGRAM(name)                                \
  Program {                                          \
    i586_user_##name##_start, i586_user_##name##_end \
  }

// A process with `program` loaded, not yet started; nullptr on failure.
user::Process* load(const char* name, Program program) {
  auto process = user::create_process(name);
  if (!process.ok()) {
    kprintf("user_i586: create_process: %s\n", mica::status_name(process.status()));
    return nullptr;
  }
  user::Process* p = process.value();
  lib::Result<void> result = user::map_anonymous(*p, kCode, kPage, mm::Permissions::read_execute());
  if (result.ok()) result = user::map_anonymous(*p, kData, kPage, mm::Permissions::read_write());
  if (result.ok()) {
    result = user::write_memory(*p, kCode, program.start, program.end - program.start);
  }
  if (!result.ok()) {
    kprintf("user_i586: loading %s: %s\n", name, mica::status_name(result.status()));
    user::release(*p);
    return nullptr;
  }
  return p;
}

// Loads `program`, runs it to the end with (arg0, arg1) and says how it ended
// (how = 0xff if it could not be started).
mica_exit_info run(const char* name, Program program, uintptr_t arg0 = 0, uintptr_t arg1 = 0) {
  mica_exit_info info = {};
  info.how = 0xff;
  user::Process* p = load(name, program);
  if (p == nullptr) return info;
  if (user::start_thread(*p, kCode, kData + kPage, arg0, arg1).ok()) info = user::wait_for_exit(*p);
  user::release(*p);
  return info;
}

// Whether the thread count is back to `before` within a second: a process's
// last thread is reaped after wait_for_exit returns, and none may leak.
bool threads_back_to(uint32_t before) {
  for (int i = 0; i < 1000 && sched::thread_count() != before; ++i) sched::sleep_ns(1000000);
  return sched::thread_count() == before;
}

KTEST(user_i586, debug_write_and_exit) {
  uint32_t threads = sched::thread_count();
  mica_exit_info info = run("hello", PROGRAM(hello));
  KEXPECT(info.how == MICA_EXIT_NORMAL);
  KEXPECT(info.code == 42);
  KEXPECT(threads_back_to(threads));
}

KTEST(user_i586, kernel_pointer_is_efault) {
  uint32_t threads = sched::thread_count();
  mica_exit_info info = run("efault", PROGRAM(efault), 0xc0100000);
  KEXPECT(info.how == MICA_EXIT_NORMAL);
  KEXPECT(info.code == -14);
  // An unmapped user address: the copy faults and recovers.
  info = run("efault-unmapped", PROGRAM(efault), kData + kPage - 8);
  KEXPECT(info.how == MICA_EXIT_NORMAL);
  KEXPECT(info.code == -14);
  KEXPECT(threads_back_to(threads));
}

KTEST(user_i586, null_load_faults) {
  uint32_t threads = sched::thread_count();
  mica_exit_info info = run("null", PROGRAM(null_load));
  KEXPECT(info.how == MICA_EXIT_FAULT);
  KEXPECT(info.code == MICA_FAULT_PAGE);
  KEXPECT(info.address == 0);
  KEXPECT(info.ip == kCode);
  KEXPECT((info.flags & 1) == 0);  // a read
  KEXPECT(threads_back_to(threads));
}

KTEST(user_i586, illegal_instruction_faults) {
  uint32_t threads = sched::thread_count();
  mica_exit_info info = run("ud2", PROGRAM(illegal));
  KEXPECT(info.how == MICA_EXIT_FAULT);
  KEXPECT(info.code == MICA_FAULT_ILLEGAL_INSTRUCTION);
  KEXPECT(info.ip == kCode + 1);
  KEXPECT(threads_back_to(threads));
}

KTEST(user_i586, code_page_is_read_only) {
  uint32_t threads = sched::thread_count();
  mica_exit_info info = run("write-code", PROGRAM(write_code));
  KEXPECT(info.how == MICA_EXIT_FAULT);
  KEXPECT(info.code == MICA_FAULT_PAGE);
  KEXPECT(info.address == kCode + 5);  // after the call
  KEXPECT((info.flags & 1) != 0);      // a write
  KEXPECT((info.flags & 4) != 0);      // to a present page
  KEXPECT(threads_back_to(threads));
}

KTEST(user_i586, io_ports_need_a_grant) {
  uint32_t threads = sched::thread_count();
  mica_exit_info denied = run("port-denied", PROGRAM(port));
  KEXPECT(denied.how == MICA_EXIT_FAULT);
  KEXPECT(denied.code == MICA_FAULT_PROTECTION);

  // Granted the scratch register only, then a neighbour is still denied.
  user::Process* p = load("port-allowed", PROGRAM(port));
  KEXPECT(p != nullptr);
  if (p == nullptr) return;
  KEXPECT(user::allow_io_ports(*p, 0x3ff, 1).ok());
  KEXPECT(user::start_thread(*p, kCode, kData + kPage, 0, 0).ok());
  mica_exit_info allowed = user::wait_for_exit(*p);
  user::release(*p);
  KEXPECT(allowed.how == MICA_EXIT_NORMAL);
  KEXPECT(allowed.code == 0xa5);

  // The next process without a grant is denied again (the TSS bitmap was
  // reset at the switch).
  mica_exit_info again = run("port-denied-again", PROGRAM(port));
  KEXPECT(again.how == MICA_EXIT_FAULT);
  KEXPECT(again.code == MICA_FAULT_PROTECTION);
  KEXPECT(threads_back_to(threads));
}

// Two processes each set a different thread pointer and yield to each other
// 200 times, checking %gs:0 after every yield.
KTEST(user_i586, thread_pointer_survives_switches) {
  uint32_t threads = sched::thread_count();
  user::Process* a = load("tls-a", PROGRAM(tls));
  user::Process* b = load("tls-b", PROGRAM(tls));
  KEXPECT(a != nullptr && b != nullptr);
  if (a == nullptr || b == nullptr) return;
  uint32_t word_a = 0x11112222, word_b = 0x33334444;
  // Each thread pointer is a different word of its data page.
  KEXPECT(user::write_memory(*a, kData + 16, &word_a, 4).ok());
  KEXPECT(user::write_memory(*b, kData + 32, &word_b, 4).ok());
  KEXPECT(user::start_thread(*a, kCode, kData + kPage, kData + 16, word_a).ok());
  KEXPECT(user::start_thread(*b, kCode, kData + kPage, kData + 32, word_b).ok());
  mica_exit_info info_a = user::wait_for_exit(*a);
  mica_exit_info info_b = user::wait_for_exit(*b);
  user::release(*a);
  user::release(*b);
  KEXPECT(info_a.how == MICA_EXIT_NORMAL);
  KEXPECT(info_a.code == 0);
  KEXPECT(info_b.how == MICA_EXIT_NORMAL);
  KEXPECT(info_b.code == 0);
  KEXPECT(threads_back_to(threads));
}

// The same while both spin without yielding: the timer preempts them in
// ring 3 and each still sees its own pointer.
KTEST(user_i586, thread_pointer_survives_preemption) {
  uint32_t threads = sched::thread_count();
  user::Process* a = load("spin-a", PROGRAM(tls_spin));
  user::Process* b = load("spin-b", PROGRAM(tls_spin));
  KEXPECT(a != nullptr && b != nullptr);
  if (a == nullptr || b == nullptr) return;
  uint32_t word_a = 0x55556666, word_b = 0x77778888;
  KEXPECT(user::write_memory(*a, kData + 16, &word_a, 4).ok());
  KEXPECT(user::write_memory(*b, kData + 32, &word_b, 4).ok());
  KEXPECT(user::start_thread(*a, kCode, kData + kPage, kData + 16, word_a).ok());
  KEXPECT(user::start_thread(*b, kCode, kData + kPage, kData + 32, word_b).ok());
  mica_exit_info info_a = user::wait_for_exit(*a);
  mica_exit_info info_b = user::wait_for_exit(*b);
  user::release(*a);
  user::release(*b);
  KEXPECT(info_a.how == MICA_EXIT_NORMAL && info_a.code == 0);
  KEXPECT(info_b.how == MICA_EXIT_NORMAL && info_b.code == 0);
  KEXPECT(threads_back_to(threads));
}

KTEST(user_i586, fpu_in_user_mode) {
  uint32_t threads = sched::thread_count();
  mica_exit_info info = run("fpu", PROGRAM(fpu));
  KEXPECT(info.how == MICA_EXIT_NORMAL);
  KEXPECT(info.code == 5);
  KEXPECT(threads_back_to(threads));
}

KTEST(user_i586, other_exceptions) {
  uint32_t threads = sched::thread_count();
  mica_exit_info info = run("int3", PROGRAM(breakpoint));
  KEXPECT(info.how == MICA_EXIT_FAULT && info.code == MICA_FAULT_BREAKPOINT);
  info = run("int21", PROGRAM(closed_gate));
  KEXPECT(info.how == MICA_EXIT_FAULT && info.code == MICA_FAULT_PROTECTION);
  KEXPECT(info.ip == kCode);
  info = run("divide", PROGRAM(divide));
  KEXPECT(info.how == MICA_EXIT_FAULT && info.code == MICA_FAULT_DIVIDE);
  KEXPECT(info.ip == kCode + 9);
  KEXPECT(threads_back_to(threads));
}

// The null system call's round trip, in cycle-counter units (instructions
// under tools/run --icount): the difference between two loop lengths, so
// process creation and exit cancel out.
KTEST(user_i586, syscall_round_trip_cost) {
  uint32_t threads = sched::thread_count();
  constexpr uintptr_t kNullCall = MICA_SYS_NULL;
  uint64_t cost[2];
  constexpr uintptr_t kRounds[2] = {100, 1100};
  for (unsigned i = 0; i < 2; ++i) {
    uint64_t start = Platform::read_cycle_counter();
    mica_exit_info info = run("syscall-loop", PROGRAM(syscall_loop), kRounds[i], kNullCall);
    cost[i] = Platform::read_cycle_counter() - start;
    KEXPECT(info.how == MICA_EXIT_NORMAL && info.code == 0);
  }
  kprintf("user_i586: system call round trip (number %u) %llu cycles\n",
          static_cast<unsigned>(kNullCall),
          static_cast<unsigned long long>((cost[1] - cost[0]) / (kRounds[1] - kRounds[0])));
  KEXPECT(threads_back_to(threads));
}

// ---- Arch parts without a process ----

KTEST(user_i586, copy_checks_range_and_recovers_faults) {
  uint8_t buffer[8] = {};
  // Address 0 is never mapped: the fault is recovered.
  KEXPECT(!Platform::copy_from_user(buffer, 0, 4));
  KEXPECT(!Platform::copy_to_user(0, buffer, 4));
  // Past or across kUserTop, and wrapping: refused before copying.
  KEXPECT(!Platform::copy_from_user(buffer, Platform::kUserTop, 1));
  KEXPECT(!Platform::copy_from_user(buffer, Platform::kUserTop - 2, 4));
  KEXPECT(!Platform::copy_from_user(buffer, 0xfffffff0u, 0x20));
  KEXPECT(Platform::copy_from_user(buffer, Platform::kUserTop - 2, 0));
}

KTEST(user_i586, io_ports_bitmap) {
  static constinit Platform::IoPorts ports = {};
  Platform::io_ports_init(ports);
  KEXPECT(!ports.allowed(0x3f8));
  KEXPECT(Platform::io_ports_allow(ports, 0x3f8, 8).ok());
  KEXPECT(ports.allowed(0x3f8) && ports.allowed(0x3ff));
  KEXPECT(!ports.allowed(0x3f7) && !ports.allowed(0x400));
  KEXPECT(ports.extent == 0x400 / 8);
  KEXPECT(Platform::io_ports_allow(ports, 0xffff, 1).ok());
  KEXPECT(ports.bitmap[0x2000] == 0xff);  // the terminating byte stays set
  KEXPECT(Platform::io_ports_allow(ports, 0xffff, 2).status() == lib::Status::kInvalidArgs);
  KEXPECT(Platform::io_ports_allow(ports, 0x10000, 0).status() == lib::Status::kInvalidArgs);
}

// The base of the thread-pointer descriptor, decoded from the live GDT.
uint32_t tls_descriptor_base() {
  struct [[gnu::packed]] {
    uint16_t limit;
    uint32_t base;
  } gdtr;
  asm volatile("sgdt %0" : "=m"(gdtr));
  auto* gdt = reinterpret_cast<const uint64_t*>(gdtr.base);
  uint64_t descriptor = gdt[arch::i586::kUserTlsSelector / 8];
  return static_cast<uint32_t>(((descriptor >> 16) & 0xffffff) | ((descriptor >> 56) << 24));
}

// Every bit of the base is rewritten, whatever the previous pointer was.
KTEST(user_i586, thread_pointer_descriptor) {
  uintptr_t flags = Platform::save_and_disable_interrupts();
  constexpr uint32_t kBases[] = {0xffffffff, 0x00405c20, 0, 0x12345678, 0x87654321, 0};
  bool all_ok = true;
  for (uint32_t base : kBases) {
    Platform::set_user_thread_pointer(base);
    all_ok = all_ok && tls_descriptor_base() == base;
  }
  Platform::restore_interrupts(flags);
  KEXPECT(all_ok);
}

void test_irq_handler(unsigned) {}

KTEST(user_i586, irq_routing) {
  KEXPECT(Platform::irq_route(0, test_irq_handler).status() == lib::Status::kInvalidArgs);
  KEXPECT(Platform::irq_route(2, test_irq_handler).status() == lib::Status::kInvalidArgs);
  KEXPECT(Platform::irq_route(16, test_irq_handler).status() == lib::Status::kInvalidArgs);
  KEXPECT(Platform::irq_route(5, test_irq_handler).ok());
  KEXPECT(Platform::irq_route(5, test_irq_handler).status() == lib::Status::kBusy);
  Platform::irq_release(5);
  KEXPECT(Platform::irq_route(5, test_irq_handler).ok());
  Platform::irq_release(5);
}

}  // namespace
