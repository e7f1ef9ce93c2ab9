// Self-tests of the AArch64 thread and CPU support: context switching, lazy
// FP/SIMD switching (on one CPU and across CPUs), secondary CPUs, their
// timers and IPIs. They drive Platform's functions the way core's scheduler
// does, on contexts and stacks of their own, with interrupts masked where a
// real scheduler could otherwise interfere.
#include <arch/platform.h>
#include <core/console.h>
#include <core/ktest.h>

#include "thread.h"

extern "C" arch::aarch64::Cpu aarch64_cpus[];

namespace {

using arch::Platform;
using arch::aarch64::Context;
using arch::aarch64::FpuState;

constexpr size_t kStackSize = 8192;
alignas(16) constinit uint8_t g_stacks[2][kStackSize] = {};

uintptr_t stack_top(unsigned i) {
  return reinterpret_cast<uintptr_t>(&g_stacks[i][kStackSize]);
}

// The trampoline's start function for the tests: no scheduler to finish a
// switch, so just run the entry, which never returns.
void test_start(void (*entry)(void*), void* argument) {
  entry(argument);
  panic("ktest thread entry returned");
}

// Waits up to `ns` for `done()`.
template <typename F>
bool wait_for(F done, uint64_t ns) {
  uint64_t deadline = Platform::monotonic_ns() + ns;
  while (!done()) {
    if (Platform::monotonic_ns() > deadline) return done();
    Platform::cpu_relax();
  }
  return true;
}

// ---- Context switching ----

struct PingPong {
  Context main;
  Context thread;
  uint64_t count;
  bool aligned;
};
constinit PingPong g_ping_pong = {};

void ping_pong_entry(void* argument) {
  auto* pp = static_cast<PingPong*>(argument);
  pp->aligned = reinterpret_cast<uintptr_t>(__builtin_frame_address(0)) % 16 == 0;
  while (true) {
    ++pp->count;
    Platform::switch_context(pp->thread, pp->main);
  }
}

KTEST(aarch64, context_switch) {
  uintptr_t flags = Platform::save_and_disable_interrupts();
  PingPong& pp = g_ping_pong;
  pp.count = 0;
  aarch64::init_context(pp.thread, stack_top(0) - 8, test_start, ping_pong_entry, &pp);
  KEXPECT(pp.thread.sp % 16 == 0);
  // Locals live across the switches in callee-saved registers.
  uint64_t local = 0x1234'5678'9abc'def0;
  for (uint64_t i = 1; i <= 100; ++i) {
    Platform::switch_context(pp.main, pp.thread);
    KEXPECT(pp.count == i);
    local = local * 3 + i;
  }
  KEXPECT(pp.aligned);
  uint64_t expected = 0x1234'5678'9abc'def0;
  for (uint64_t i = 1; i <= 100; ++i) expected = expected * 3 + i;
  KEXPECT(local == expected);

  // Cost: a round trip is two switches plus the loop and the increment
  // (instructions under -icount shift=0).
  constexpr uint64_t kRounds = 1000;
  uint64_t start = Platform::read_cycle_counter();
  for (uint64_t i = 0; i < kRounds; ++i) Platform::switch_context(pp.main, pp.thread);
  uint64_t cycles = Platform::read_cycle_counter() - start;
  KEXPECT(pp.count == 100 + kRounds);
  Platform::restore_interrupts(flags);
  kprintf("ktest:   switch_context: %llu cycles per switch (%llu per round trip)\n",
          static_cast<unsigned long long>(cycles / (2 * kRounds)),
          static_cast<unsigned long long>(cycles / kRounds));
}

// ---- Lazy FP/SIMD ----

// The kernel is compiled without FP/SIMD; these few instructions ask for it.
#define FP_SIMD ".arch_extension fp\n.arch_extension simd\n"

void set_v0(uint64_t low, uint64_t high) {
  asm volatile(FP_SIMD "fmov d0, %0; mov v0.d[1], %1" : : "r"(low), "r"(high));
}
uint64_t v0_low() {
  uint64_t value;
  asm volatile(FP_SIMD "fmov %0, d0" : "=r"(value));
  return value;
}
uint64_t v0_high() {
  uint64_t value;
  asm volatile(FP_SIMD "mov %0, v0.d[1]" : "=r"(value));
  return value;
}
void set_fpcr(uint64_t value) {
  asm volatile("msr fpcr, %0" : : "r"(value));
}
uint64_t fpcr() {
  uint64_t value;
  asm volatile("mrs %0, fpcr" : "=r"(value));
  return value;
}

constexpr uint64_t kFpcrFlushToZero = uint64_t{1} << 24;

// A thread that, each time it runs, checks v0 and FPCR hold what it left
// there and stores new values (derived from `round`).
struct FpuThread {
  Context context;
  FpuState fpu;
  Context* back;       // where to switch when done
  FpuState* back_fpu;  // the FP state of whoever runs `back`
  uint64_t tag;        // distinguishes the threads' values
  uint64_t round;      // runs so far
  bool ok;             // every check passed
};
constinit FpuThread g_fpu_threads[2] = {};
constinit Context g_fpu_main = {};

void fpu_thread_entry(void* argument) {
  auto* t = static_cast<FpuThread*>(argument);
  while (true) {
    // Round 0 sees the zeroed registers and default FPCR of fpu_init.
    uint64_t low = t->round == 0 ? 0 : t->tag + t->round;
    uint64_t high = t->round == 0 ? 0 : ~(t->tag + t->round);
    uint64_t mode = t->round % 2 == 1 ? kFpcrFlushToZero : 0;
    if (v0_low() != low || v0_high() != high || (fpcr() & kFpcrFlushToZero) != mode) t->ok = false;
    ++t->round;
    set_v0(t->tag + t->round, ~(t->tag + t->round));
    set_fpcr(t->round % 2 == 1 ? kFpcrFlushToZero : 0);
    Platform::fpu_switch(t->back_fpu);
    Platform::switch_context(t->context, *t->back);
  }
}

void init_fpu_thread(FpuThread& t, unsigned stack, uint64_t tag) {
  t = {};
  t.tag = tag;
  t.ok = true;
  Platform::fpu_init(t.fpu);
  aarch64::init_context(t.context, stack_top(stack), test_start, fpu_thread_entry, &t);
}

// Switches from `from` (running with FP state `from_fpu`) to `t` and back.
void run_fpu_thread(FpuThread& t, Context& from, FpuState* from_fpu) {
  t.back = &from;
  t.back_fpu = from_fpu;
  Platform::fpu_switch(&t.fpu);
  Platform::switch_context(from, t.context);
}

KTEST(aarch64, fpu_lazy) {
  uintptr_t flags = Platform::save_and_disable_interrupts();
  arch::aarch64::Cpu& cpu = arch::aarch64::this_cpu();
  FpuState* mine = cpu.fpu_current;  // the running thread's (none before core's scheduler)
  FpuThread& a = g_fpu_threads[0];
  FpuThread& b = g_fpu_threads[1];
  init_fpu_thread(a, 0, 0xa000);
  init_fpu_thread(b, 1, 0xb000);

  uint64_t traps = cpu.fpu_traps;
  run_fpu_thread(a, g_fpu_main, mine);  // first use: trap, load a's zeroes
  KEXPECT(cpu.fpu_traps == traps + 1);
  run_fpu_thread(a, g_fpu_main, mine);  // a still owns the registers: no trap
  KEXPECT(cpu.fpu_traps == traps + 1);
  run_fpu_thread(b, g_fpu_main, mine);  // b's first use: trap
  KEXPECT(cpu.fpu_traps == traps + 2);
  for (int i = 0; i < 5; ++i) {  // alternating: a trap each time
    run_fpu_thread(a, g_fpu_main, mine);
    run_fpu_thread(b, g_fpu_main, mine);
  }
  KEXPECT(cpu.fpu_traps == traps + 12);
  KEXPECT(a.ok && a.round == 7);
  KEXPECT(b.ok && b.round == 6);

  Platform::fpu_release(a.fpu);
  Platform::fpu_release(b.fpu);
  KEXPECT(cpu.fpu_current == mine);
  Platform::restore_interrupts(flags);
}

// ---- Secondary CPUs ----

// Work the test hands to a secondary CPU it started itself.
struct SecondaryWork {
  void (*function)(void*);
  void* argument;
  bool done;
};
constinit SecondaryWork g_work[4] = {};
constinit Context g_secondary_main[4] = {};
constinit bool g_started_here = false;
constinit bool g_checked_in[4] = {};

// The secondaries' entry when no scheduler exists: check in, then run work
// as it comes, sleeping in wait_for_interrupt in between (interrupts masked
// otherwise, as entry() is called).
void secondary_entry(unsigned cpu) {
  __atomic_store_n(&g_checked_in[cpu], true, __ATOMIC_RELEASE);
  while (true) {
    SecondaryWork& work = g_work[cpu];
    if (__atomic_load_n(&work.function, __ATOMIC_ACQUIRE) != nullptr &&
        !__atomic_load_n(&work.done, __ATOMIC_ACQUIRE)) {
      work.function(work.argument);
      __atomic_store_n(&work.done, true, __ATOMIC_RELEASE);
    }
    Platform::wait_for_interrupt();
  }
}

// Runs function(argument) on `cpu` (a CPU this test started) and waits.
bool run_on(unsigned cpu, void (*function)(void*), void* argument) {
  SecondaryWork& work = g_work[cpu];
  work.argument = argument;
  __atomic_store_n(&work.done, false, __ATOMIC_RELEASE);
  __atomic_store_n(&work.function, function, __ATOMIC_RELEASE);
  Platform::send_ipi(cpu, arch::Ipi::kReschedule);
  bool done =
      wait_for([&] { return __atomic_load_n(&work.done, __ATOMIC_ACQUIRE); }, 1'000'000'000);
  __atomic_store_n(&work.function, nullptr, __ATOMIC_RELEASE);
  return done;
}

KTEST(aarch64, smp) {
  // With core's scheduler in the kernel, starting the other CPUs is its job.
  if (!aarch64::have_scheduler() && Platform::cpu_count() == 1) {
    auto started = Platform::start_secondary_cpus(secondary_entry);
    KEXPECT(started.ok());
    g_started_here = started.ok();
  }
  unsigned count = Platform::cpu_count();
  KEXPECT(count == 4);  // QEMU's raspi3b always has four cores
  for (unsigned i = 1; i < count; ++i) {
    if (g_started_here) KEXPECT(__atomic_load_n(&g_checked_in[i], __ATOMIC_ACQUIRE));
    KEXPECT(aarch64_cpus[i].index == i);
  }

  // Every CPU's timer runs (each deadline moves on).
  uint64_t deadlines[4] = {};
  for (unsigned i = 0; i < count; ++i) {
    deadlines[i] = __atomic_load_n(&aarch64_cpus[i].timer_deadline, __ATOMIC_RELAXED);
  }
  for (unsigned i = 0; i < count; ++i) {
    KEXPECT(wait_for(
        [&] {
          return __atomic_load_n(&aarch64_cpus[i].timer_deadline, __ATOMIC_RELAXED) != deadlines[i];
        },
        100'000'000));
  }

  // IPIs reach every CPU, this one included.
  for (unsigned i = 0; i < count; ++i) {
    uint64_t* received = &aarch64_cpus[i].ipis_received[0];
    uint64_t before = __atomic_load_n(received, __ATOMIC_RELAXED);
    Platform::send_ipi(i, arch::Ipi::kReschedule);
    KEXPECT(wait_for([&] { return __atomic_load_n(received, __ATOMIC_RELAXED) > before; },
                     100'000'000));
  }
}

// A thread's FP/SIMD values follow it from CPU to CPU: it runs on CPU 0,
// then CPU 1, then CPU 0 again (where the registers still hold its older
// values) and must see its latest values each time.
void run_fpu_thread_on_secondary(void* argument) {
  unsigned cpu = Platform::current_cpu();
  run_fpu_thread(*static_cast<FpuThread*>(argument), g_secondary_main[cpu],
                 arch::aarch64::this_cpu().fpu_current);
}

KTEST(aarch64, fpu_migration) {
  if (!g_started_here || Platform::cpu_count() < 2) {
    kprintf("ktest:   (skipped: needs CPU 1 started by aarch64.smp)\n");
    return;
  }
  uintptr_t flags = Platform::save_and_disable_interrupts();
  arch::aarch64::Cpu& cpu = arch::aarch64::this_cpu();
  FpuState* mine = cpu.fpu_current;
  FpuThread& a = g_fpu_threads[0];
  init_fpu_thread(a, 0, 0xc000);
  run_fpu_thread(a, g_fpu_main, mine);                  // CPU 0: round 1
  KEXPECT(run_on(1, run_fpu_thread_on_secondary, &a));  // CPU 1: round 2
  uint64_t traps = cpu.fpu_traps;
  run_fpu_thread(a, g_fpu_main, mine);  // CPU 0 again: must reload
  KEXPECT(cpu.fpu_traps == traps + 1);
  KEXPECT(run_on(1, run_fpu_thread_on_secondary, &a));
  KEXPECT(run_on(2, run_fpu_thread_on_secondary, &a));
  run_fpu_thread(a, g_fpu_main, mine);
  KEXPECT(a.ok && a.round == 6);
  Platform::fpu_release(a.fpu);
  Platform::restore_interrupts(flags);
}

}  // namespace

// ---- Hooks and preemption from interrupt_exit ----
//
// Only without core's scheduler (whose hooks these would replace): a tick
// hook counting per CPU, and an interrupt_exit hook that, once armed,
// switches away from the interrupted context to another one and back, as
// kernel preemption does. The interrupted loop must carry on unharmed.

constinit uint64_t g_hook_ticks[4] = {};
constinit bool g_preempt_armed = false;
constinit bool g_preempt_ran = false;
constinit bool g_preempt_masked = false;
constinit Context g_preempted = {};
constinit Context g_preempter = {};

void count_tick() {
  __atomic_fetch_add(&g_hook_ticks[Platform::current_cpu()], 1, __ATOMIC_RELAXED);
}

void preempt_on_exit() {
  if (Platform::current_cpu() != 0 || !g_preempt_armed) return;
  g_preempt_armed = false;
  Platform::switch_context(g_preempted, g_preempter);
}

void preempter_entry(void*) {
  while (true) {
    g_preempt_masked = !Platform::interrupts_enabled();
    __atomic_store_n(&g_preempt_ran, true, __ATOMIC_RELEASE);
    Platform::switch_context(g_preempter, g_preempted);
  }
}

KTEST(aarch64, interrupt_exit_preemption) {
  if (aarch64::have_scheduler()) return;
  arch::CpuHooks hooks = {.tick = count_tick, .ipi = nullptr, .interrupt_exit = preempt_on_exit};
  Platform::set_cpu_hooks(hooks);
  aarch64::init_context(g_preempter, stack_top(1), test_start, preempter_entry, nullptr);

  uint64_t ticks[4];
  for (unsigned i = 0; i < 4; ++i) ticks[i] = __atomic_load_n(&g_hook_ticks[i], __ATOMIC_RELAXED);
  KEXPECT(Platform::interrupts_enabled());
  __atomic_store_n(&g_preempt_armed, true, __ATOMIC_RELEASE);
  // Work in registers until the next interrupt's exit has switched away and
  // back.
  uint64_t x = 1, y = 2, rounds = 0;
  while (!__atomic_load_n(&g_preempt_ran, __ATOMIC_ACQUIRE)) {
    x = x * 5 + y;
    y ^= x >> 3;
    ++rounds;
  }
  uint64_t ex = 1, ey = 2;
  for (uint64_t i = 0; i < rounds; ++i) {
    ex = ex * 5 + ey;
    ey ^= ex >> 3;
  }
  KEXPECT(x == ex && y == ey);
  KEXPECT(g_preempt_masked);  // interrupt_exit runs with IRQs masked

  // The tick hook runs on every CPU.
  for (unsigned i = 0; i < Platform::cpu_count(); ++i) {
    KEXPECT(
        wait_for([&] { return __atomic_load_n(&g_hook_ticks[i], __ATOMIC_RELAXED) > ticks[i] + 2; },
                 200'000'000));
  }
  Platform::set_cpu_hooks({});
}
