// Self-tests of x86_64 user mode: the hand-written programs of
// user_programs.S run in fresh processes (core/user/process.h), and how each
// ends (mica_exit_info) shows that system calls, their pointer checks, user
// faults, I/O port grants and per-thread FS bases work.
#include <arch/platform.h>
#include <arch/x86/port_io.h>
#include <arch/x86_64/per_cpu.h>
#include <core/console.h>
#include <core/ktest.h>
#include <core/sched/scheduler.h>
#include <core/user/process.h>
#include <mica/syscall.h>

#include "user_programs.h"

static_assert(SYS_DEBUG_WRITE == MICA_SYS_DEBUG_WRITE);
static_assert(SYS_PROCESS_EXIT == MICA_SYS_PROCESS_EXIT);
static_assert(SYS_THREAD_EXIT == MICA_SYS_THREAD_EXIT);
static_assert(SYS_YIELD == MICA_SYS_YIELD);
static_assert(SYS_THREAD_SET_POINTER == MICA_SYS_THREAD_SET_POINTER);
static_assert(USER_TEST_UNUSED_SYSCALL < MICA_SYS_COUNT);

#define PROGRAM(name) extern "C" const uint8_t user_test_##name[], user_test_##name##_end[];
PROGRAM(hello)
PROGRAM(efault)
PROGRAM(null_load)
PROGRAM(illegal)
PROGRAM(write_code)
PROGRAM(privileged)
PROGRAM(read_kernel)
PROGRAM(spin)
PROGRAM(step_syscall)
PROGRAM(port_out)
PROGRAM(port_in)
PROGRAM(tls)
PROGRAM(null_syscall)
#undef PROGRAM

namespace {

using arch::Platform;

struct Program {
  const uint8_t* start;
  const uint8_t* end;
};
#define PROGRAM(name) (Program{user_test_##name, user_test_##name##_end})

constexpr uint32_t kExitFaultWrite = 1u << 0;
constexpr uint32_t kExitFaultPresent = 1u << 2;

// A process holding `program` at USER_TEST_CODE, with a data page and a
// stack page; null (and a failed expectation) if any step fails.
user::Process* load(ktest::Context& ktest_context, const char* name, Program program) {
  auto created = user::create_process(name);
  KEXPECT(created.ok());
  if (!created.ok()) {
    kprintf("  create_process: %s\n", mica::status_name(created.status()));
    return nullptr;
  }
  user::Process& process = *created.value();
  size_t size = static_cast<size_t>(program.end - program.start);
  bool ok =
      size <= 0x1000 &&
      user::map_anonymous(process, USER_TEST_CODE, 0x1000, mm::Permissions::read_execute()).ok() &&
      user::write_memory(process, USER_TEST_CODE, program.start, size).ok() &&
      user::map_anonymous(process, USER_TEST_DATA, 0x1000, mm::Permissions::read_write()).ok() &&
      user::map_anonymous(process, USER_TEST_STACK, 0x1000, mm::Permissions::read_write()).ok();
  KEXPECT(ok);
  if (!ok) {
    user::release(process);
    return nullptr;
  }
  return &process;
}

// Waits for `process` to end and drops the reference. Its threads are
// freed by the idle threads' reaper after they exit: a short sleep lets it
// run, so that later tests counting threads find none left over.
mica_exit_info wait_and_release(user::Process& process) {
  mica_exit_info info = user::wait_for_exit(process);
  user::release(process);
  sched::sleep_ns(1000000);
  return info;
}

// Starts one thread at the program's first instruction and waits for the
// process to end.
mica_exit_info start_and_wait(ktest::Context& ktest_context, user::Process& process,
                              uintptr_t arg0 = 0) {
  KEXPECT(user::start_thread(process, USER_TEST_CODE, USER_TEST_STACK_TOP, arg0, 0).ok());
  return wait_and_release(process);
}

mica_exit_info run(ktest::Context& ktest_context, const char* name, Program program,
                   uintptr_t arg0 = 0) {
  user::Process* process = load(ktest_context, name, program);
  if (process == nullptr) return mica_exit_info{.how = ~0u};
  return start_and_wait(ktest_context, *process, arg0);
}

// Mapped kernel data for the programs to try.
constexpr char kKernelSecret[] = "kernel";

void expect_exit(ktest::Context& ktest_context, const mica_exit_info& info, int32_t code) {
  KEXPECT(info.how == MICA_EXIT_NORMAL);
  KEXPECT(info.code == code);
  if (info.how != MICA_EXIT_NORMAL || info.code != code) {
    kprintf("  ended how %u code %d (wanted exit %d), ip %#lx address %#lx\n", info.how, info.code,
            code, info.ip, info.address);
  }
}

void expect_fault(ktest::Context& ktest_context, const mica_exit_info& info, int32_t kind) {
  KEXPECT(info.how == MICA_EXIT_FAULT);
  KEXPECT(info.code == kind);
  if (info.how != MICA_EXIT_FAULT || info.code != kind) {
    kprintf("  ended how %u code %d (wanted fault %d), ip %#lx address %#lx\n", info.how, info.code,
            kind, info.ip, info.address);
  }
}

uintptr_t code_address(Program program, const uint8_t* at) {
  return USER_TEST_CODE + static_cast<uintptr_t>(at - program.start);
}

}  // namespace

// (a) DEBUG_WRITE from user memory, then PROCESS_EXIT(42).
KTEST(user_x86_64, hello_exit) {
  expect_exit(ktest_context, run(ktest_context, "hello", PROGRAM(hello)), 42);
}

// (b) Kernel, unmapped, straddling, past-the-top and wrapping buffers all
// give -EFAULT (and the kernel survives the faults inside its copy).
KTEST(user_x86_64, efault) {
  expect_exit(
      ktest_context,
      run(ktest_context, "efault", PROGRAM(efault), reinterpret_cast<uintptr_t>(kKernelSecret)),
      -14);
}

// (c) A load from address 0 ends the process, not the kernel.
KTEST(user_x86_64, null_load) {
  mica_exit_info info = run(ktest_context, "null_load", PROGRAM(null_load));
  expect_fault(ktest_context, info, MICA_FAULT_PAGE);
  KEXPECT(info.address == 0);
  KEXPECT(info.ip == USER_TEST_CODE + 2);  // after the 2-byte xor
  KEXPECT((info.flags & kExitFaultWrite) == 0);
}

// (d)
KTEST(user_x86_64, illegal_instruction) {
  mica_exit_info info = run(ktest_context, "illegal", PROGRAM(illegal));
  expect_fault(ktest_context, info, MICA_FAULT_ILLEGAL_INSTRUCTION);
  KEXPECT(info.ip == USER_TEST_CODE);
}

// (e) Its code page is read-only: a write fault on a present page.
KTEST(user_x86_64, write_code) {
  mica_exit_info info = run(ktest_context, "write_code", PROGRAM(write_code));
  expect_fault(ktest_context, info, MICA_FAULT_PAGE);
  KEXPECT(info.address == code_address(PROGRAM(write_code), user_test_write_code));
  KEXPECT((info.flags & kExitFaultWrite) != 0);
  KEXPECT((info.flags & kExitFaultPresent) != 0);
}

// Ring 3 may not mask interrupts, nor read the kernel's (present) pages.
KTEST(user_x86_64, privilege) {
  mica_exit_info info = run(ktest_context, "privileged", PROGRAM(privileged));
  expect_fault(ktest_context, info, MICA_FAULT_PROTECTION);
  KEXPECT(info.ip == USER_TEST_CODE);
  auto secret = reinterpret_cast<uintptr_t>(kKernelSecret);
  info = run(ktest_context, "read_kernel", PROGRAM(read_kernel), secret);
  expect_fault(ktest_context, info, MICA_FAULT_PAGE);
  KEXPECT(info.address == secret);
  KEXPECT((info.flags & kExitFaultPresent) != 0);
}

// TF set across a SYSCALL does not bring the kernel down.
KTEST(user_x86_64, single_step_syscall) {
  expect_exit(ktest_context, run(ktest_context, "step_syscall", PROGRAM(step_syscall)), 3);
}

// Two processes spin in ring 3 with their own values in an SSE register:
// timer interrupts from ring 3 preempt them, and each gets its own FPU
// state back.
KTEST(user_x86_64, preempt_fpu) {
  auto user_interrupts = [] {
    uint64_t sum = 0;
    for (unsigned i = 0; i < Platform::cpu_count(); ++i) {
      sum += arch::x86_64::cpu(i).user_interrupts;
    }
    return sum;
  };
  uint64_t before = user_interrupts();
  user::Process* a = load(ktest_context, "spin_a", PROGRAM(spin));
  user::Process* b = load(ktest_context, "spin_b", PROGRAM(spin));
  if (a == nullptr || b == nullptr) return;
  KEXPECT(user::start_thread(*a, USER_TEST_CODE, USER_TEST_STACK_TOP, 0x1111, 0).ok());
  KEXPECT(user::start_thread(*b, USER_TEST_CODE, USER_TEST_STACK_TOP, 0x2222, 0).ok());
  expect_exit(ktest_context, wait_and_release(*a), 5);
  expect_exit(ktest_context, wait_and_release(*b), 5);
  KEXPECT(user_interrupts() > before);
}

// (f) Ports fault until granted, and only the granted ones work.
KTEST(user_x86_64, io_ports) {
  expect_fault(ktest_context, run(ktest_context, "port_out", PROGRAM(port_out)),
               MICA_FAULT_PROTECTION);

  user::Process* process = load(ktest_context, "port_out", PROGRAM(port_out));
  if (process != nullptr) {
    KEXPECT(user::allow_io_ports(*process, 0x80, 1).ok());
    expect_exit(ktest_context, start_and_wait(ktest_context, *process), 7);
  }

  process = load(ktest_context, "port_in", PROGRAM(port_in));
  if (process != nullptr) {
    KEXPECT(user::allow_io_ports(*process, 0x80, 1).ok());
    expect_fault(ktest_context, start_and_wait(ktest_context, *process), MICA_FAULT_PROTECTION);
  }

  // A process without ports after one with them: the bitmap is reloaded.
  expect_fault(ktest_context, run(ktest_context, "port_out", PROGRAM(port_out)),
               MICA_FAULT_PROTECTION);
}

// (g) Two threads of one process, each with its own FS base, yield to each
// other (and to whatever else runs) and keep their own.
KTEST(user_x86_64, thread_pointer) {
  user::Process* process = load(ktest_context, "tls", PROGRAM(tls));
  if (process == nullptr) return;
  const uint64_t marker_a = 0xa11ce00000000001, marker_b = 0xb0b0000000000002;
  KEXPECT(user::write_memory(*process, USER_TEST_TLS_A, &marker_a, sizeof(marker_a)).ok());
  KEXPECT(user::write_memory(*process, USER_TEST_TLS_B, &marker_b, sizeof(marker_b)).ok());
  // The waiter first: it keeps the process alive until the worker is done
  // (a process whose threads have all exited is over). The worker's stack
  // is the lower half of the stack page.
  KEXPECT(
      user::start_thread(*process, USER_TEST_CODE, USER_TEST_STACK_TOP, USER_TEST_TLS_A, 0).ok());
  KEXPECT(
      user::start_thread(*process, USER_TEST_CODE, USER_TEST_STACK_TOP - 0x800, USER_TEST_TLS_B, 1)
          .ok());
  expect_exit(ktest_context, wait_and_release(*process), 0);
}

// Copies fail cleanly, without a panic, for ranges outside user space and for
// unmapped user pages (the kernel's address space maps none: the fault in
// the copy routine resumes at its fixup).
KTEST(user_x86_64, copy_fault_recovery) {
  uint8_t buffer[16] = {};
  KEXPECT(!Platform::copy_from_user(buffer, 0x10, sizeof(buffer)));
  KEXPECT(!Platform::copy_to_user(0x10, buffer, sizeof(buffer)));
  KEXPECT(!Platform::copy_from_user(buffer, USER_TEST_CODE, sizeof(buffer)));
  KEXPECT(!Platform::copy_from_user(buffer, Platform::kUserTop - 8, sizeof(buffer)));
  KEXPECT(!Platform::copy_from_user(buffer, ~uintptr_t{0} - 7, sizeof(buffer)));
  KEXPECT(!Platform::copy_from_user(buffer, reinterpret_cast<uintptr_t>(&buffer), sizeof(buffer)));
  KEXPECT(!Platform::copy_to_user(reinterpret_cast<uintptr_t>(&buffer), buffer, 1));
  // An empty copy at the very top is fine.
  KEXPECT(Platform::copy_from_user(buffer, Platform::kUserTop, 0));
}

namespace {

constexpr uint16_t kCom1 = 0x3f8;
constinit volatile unsigned g_irq_count = 0;
constinit volatile unsigned g_irq_number = 0;

// COM1's IRQ 4, from interrupt context with the line masked: the UART
// stops asking once its interrupt enable is cleared.
void com1_irq(unsigned irq) {
  arch::x86::outb(kCom1 + 1, 0);
  g_irq_number = irq;
  g_irq_count = g_irq_count + 1;
}

void other_irq(unsigned) {}

}  // namespace

// Routing rules, then a real ISA interrupt: COM1's "transmitter empty"
// (the console is polled, so IRQ 4 is free) through the I/O APIC.
KTEST(user_x86_64, irq_route) {
  KEXPECT(Platform::irq_route(0, other_irq).status() == lib::Status::kInvalidArgs);
  KEXPECT(Platform::irq_route(2, other_irq).status() == lib::Status::kInvalidArgs);
  KEXPECT(Platform::irq_route(Platform::kIrqCount, other_irq).status() ==
          lib::Status::kInvalidArgs);
  KEXPECT(Platform::irq_route(4, com1_irq).ok());
  KEXPECT(Platform::irq_route(4, other_irq).status() == lib::Status::kBusy);

  g_irq_count = 0;
  arch::x86::outb(kCom1 + 4, 0x0b);  // DTR, RTS, OUT2 (gates the IRQ line)
  arch::x86::outb(kCom1 + 1, 0x02);  // interrupt when the transmitter is empty
  // Masked until irq_unmask.
  uint64_t deadline = Platform::monotonic_ns() + 20000000;
  while (Platform::monotonic_ns() < deadline) Platform::cpu_relax();
  KEXPECT(g_irq_count == 0);
  // Edges that arrive while an I/O APIC pin is masked are lost: drop the
  // line and raise it again once unmasked.
  arch::x86::outb(kCom1 + 1, 0);
  Platform::irq_unmask(4);
  arch::x86::outb(kCom1 + 1, 0x02);
  deadline = Platform::monotonic_ns() + 200000000;
  while (g_irq_count == 0 && Platform::monotonic_ns() < deadline) Platform::cpu_relax();
  KEXPECT(g_irq_count == 1);
  KEXPECT(g_irq_number == 4);
  // The handler left the line masked: another request stays pending.
  arch::x86::outb(kCom1 + 1, 0x02);
  deadline = Platform::monotonic_ns() + 20000000;
  while (Platform::monotonic_ns() < deadline) Platform::cpu_relax();
  KEXPECT(g_irq_count == 1);
  Platform::irq_release(4);
  arch::x86::outb(kCom1 + 1, 0);
  arch::x86::outb(kCom1 + 4, 0x03);
  KEXPECT(Platform::irq_route(4, other_irq).ok());
  Platform::irq_release(4);
}

// Not a correctness test: prints how many TSC ticks (guest instructions
// under -icount) one round trip of an unimplemented system call takes, from
// the SYSCALL to the instruction after it.
KTEST(user_x86_64, null_syscall_cost) {
  mica_exit_info info = run(ktest_context, "null_syscall", PROGRAM(null_syscall));
  KEXPECT(info.how == MICA_EXIT_NORMAL);
  kprintf("  unimplemented system call round trip: %d TSC ticks (incl. 1 rdtsc + 5 setup)\n",
          info.code);
}
