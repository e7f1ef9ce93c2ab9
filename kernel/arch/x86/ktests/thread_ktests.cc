// Self-tests and benchmarks of the x86 thread primitives: context switches,
// lazy FPU switching and interrupt state. Built into both x86 arches.
#include <arch/platform.h>
#include <arch/x86/fpu.h>
#include <arch/x86/thread.h>
#include <core/console.h>
#include <core/kbench.h>
#include <core/ktest.h>
#include <core/sched/scheduler.h>
#include <core/time.h>

namespace {

using arch::Platform;

constexpr size_t kStackSize = 16384;

struct alignas(16) Stack {
  uint8_t bytes[kStackSize];
  uintptr_t top() { return reinterpret_cast<uintptr_t>(bytes + kStackSize); }
};

// The first switch into a test context lands here (instead of core's
// sched_thread_start); entries never return, they switch away for good.
void start_test_thread(void (*entry)(void*), void* argument) {
  entry(argument);
  for (;;) asm volatile("ud2");
}

// ---- Context switches ----

constinit Stack g_stack_a = {}, g_stack_b = {};
constinit Platform::Context g_main = {}, g_a = {}, g_b = {};
constinit volatile unsigned g_steps = 0;
constinit volatile uintptr_t g_frame_alignment = 1;

void ping(void* argument) {
  auto* count = static_cast<volatile unsigned*>(argument);
  g_frame_alignment = reinterpret_cast<uintptr_t>(__builtin_frame_address(0)) % 16;
  for (;;) {
    *count = *count + 1;
    g_steps = g_steps * 10 + 1;
    Platform::switch_context(g_a, g_b);
  }
}

void pong(void* argument) {
  auto* count = static_cast<volatile unsigned*>(argument);
  for (;;) {
    *count = *count + 1;
    g_steps = g_steps * 10 + 2;
    Platform::switch_context(g_b, g_main);
  }
}

// main -> a -> b -> main, three times; each context keeps its own locals
// (a and b count on their stacks through the argument) and a new context's
// first frame is ABI-aligned.
KTEST(x86, context_switch) {
  uintptr_t flags = Platform::save_and_disable_interrupts();
  volatile unsigned a_count = 0, b_count = 0;
  g_steps = 0;
  Platform::init_context_calling(g_a, g_stack_a.top(), start_test_thread, ping,
                                 const_cast<unsigned*>(&a_count));
  Platform::init_context_calling(g_b, g_stack_b.top(), start_test_thread, pong,
                                 const_cast<unsigned*>(&b_count));
  volatile unsigned main_local = 0x5a5a;
  for (int round = 0; round < 3; ++round) {
    Platform::switch_context(g_main, g_a);
    main_local = main_local + 1;
  }
  Platform::restore_interrupts(flags);
  KEXPECT(a_count == 3);
  KEXPECT(b_count == 3);
  KEXPECT(g_steps == 121212);
  KEXPECT(main_local == 0x5a5a + 3);
#if defined(__x86_64__)
  // With frame pointers, a function's frame address is its entry stack
  // pointer minus the return address and the saved frame pointer: 0 mod 16
  // when the ABI's alignment held at the call. (The i586 target does not
  // keep the stack 16-aligned.)
  KEXPECT(g_frame_alignment == 0);
#endif
}

// ---- Lazy FPU ----

// x87 state: the stack holds integers pushed with FILD and popped with
// FISTP (the kernel is built without floating-point types).
void x87_push(int64_t value) {
  asm volatile("fildll %0" : : "m"(value) : "memory");
}
int64_t x87_pop() {
  int64_t value;
  asm volatile("fistpll %0" : "=m"(value) : : "memory");
  return value;
}
uint16_t x87_control_word() {
  uint16_t value;
  asm volatile("fnstcw %0" : "=m"(value));
  return value;
}

#if defined(__x86_64__)
void xmm0_set(uint64_t value) {
  asm volatile("movq %0, %%xmm0" : : "r"(value));
}
uint64_t xmm0_get() {
  uint64_t value;
  asm volatile("movq %%xmm0, %0" : "=r"(value));
  return value;
}
uint32_t mxcsr() {
  uint32_t value;
  asm volatile("stmxcsr %0" : "=m"(value));
  return value;
}
#else
void xmm0_set(uint64_t) {}
uint64_t xmm0_get() {
  return 0;
}
#endif

constinit Platform::FpuState g_fpu_main = {}, g_fpu_a = {}, g_fpu_b = {};
constinit volatile bool g_fpu_ok_a = true, g_fpu_ok_b = true;
constinit volatile uint16_t g_fresh_control_word = 0;
[[maybe_unused]] constinit volatile uint32_t g_fresh_mxcsr = 0;

void fpu_a(void*) {
  x87_push(2222);
  xmm0_set(0x2222222222222222);
  Platform::fpu_switch(&g_fpu_b);
  Platform::switch_context(g_a, g_b);
  // Back from b (which used the FPU): a's values, restored at the trap.
  g_fpu_ok_a = x87_pop() == 2222;
  if (arch::x86::fpu_has_fxsr()) g_fpu_ok_a = g_fpu_ok_a && xmm0_get() == 0x2222222222222222;
  x87_push(2223);
  Platform::fpu_switch(&g_fpu_main);
  Platform::switch_context(g_a, g_main);
  for (;;) asm volatile("ud2");
}

void fpu_b(void*) {
  // A fresh state: fninit's control word, MXCSR's default.
  g_fresh_control_word = x87_control_word();
#if defined(__x86_64__)
  g_fresh_mxcsr = mxcsr();
#endif
  x87_push(3333);
  xmm0_set(0x3333333333333333);
  Platform::fpu_switch(&g_fpu_a);
  Platform::switch_context(g_b, g_a);
  g_fpu_ok_b = x87_pop() == 3333;
  if (arch::x86::fpu_has_fxsr()) g_fpu_ok_b = g_fpu_ok_b && xmm0_get() == 0x3333333333333333;
  Platform::fpu_switch(&g_fpu_main);
  Platform::switch_context(g_b, g_main);
  for (;;) asm volatile("ud2");
}

// Three "threads" with FPU state, switched as core's scheduler would (the
// fpu_switch right before each switch_context): each sees its own x87 and
// SSE registers, a fresh state is fninit's, and an FPU instruction never
// traps (#NM would fault: CR0.TS stays clear).
KTEST(x86, fpu_switch) {
  uintptr_t flags = Platform::save_and_disable_interrupts();
  arch::x86::FpuCpu& cpu = arch::x86::this_cpu_fpu();
  arch::x86::FpuState* saved = cpu.current;
  Platform::fpu_init(g_fpu_main);
  Platform::fpu_init(g_fpu_a);
  Platform::fpu_init(g_fpu_b);
  Platform::init_context_calling(g_a, g_stack_a.top(), start_test_thread, fpu_a, nullptr);
  Platform::init_context_calling(g_b, g_stack_b.top(), start_test_thread, fpu_b, nullptr);

  Platform::fpu_switch(&g_fpu_main);
  KEXPECT(x87_control_word() == 0x037f);  // main's fresh state is loaded
  x87_push(1111);
  xmm0_set(0x1111111111111111);

  // main -> a -> b -> a -> main: a and b both use the FPU.
  Platform::fpu_switch(&g_fpu_a);
  Platform::switch_context(g_main, g_a);
  KEXPECT(x87_pop() == 1111);
  if (arch::x86::fpu_has_fxsr()) KEXPECT(xmm0_get() == 0x1111111111111111);
  KEXPECT(g_fpu_ok_a);
  KEXPECT(g_fresh_control_word == 0x037f);
#if defined(__x86_64__)
  KEXPECT(g_fresh_mxcsr == 0x1f80);
#endif

  // main -> b -> main: b checks its values survived a's and main's use.
  x87_push(1112);
  Platform::fpu_switch(&g_fpu_b);
  Platform::switch_context(g_main, g_b);
  KEXPECT(g_fpu_ok_b);
  KEXPECT(x87_pop() == 1112);

  // Switching registers without a context switch: each state keeps its own.
  x87_push(1113);
  Platform::fpu_switch(&g_fpu_a);
  x87_push(4444);  // into a's registers
  Platform::fpu_switch(&g_fpu_main);
  KEXPECT(x87_pop() == 1113);
  Platform::fpu_switch(&g_fpu_a);
  KEXPECT(x87_pop() == 4444);
  Platform::fpu_switch(&g_fpu_main);

  Platform::fpu_release(g_fpu_a);
  Platform::fpu_release(g_fpu_b);
  Platform::fpu_release(g_fpu_main);
  Platform::fpu_switch(saved);
  Platform::restore_interrupts(flags);
}

// Real threads, preempted and (with several CPUs) moved between them by the
// scheduler: each keeps its own x87 and SSE values across every switch.
struct FpuWorker {
  uint32_t seed;
  uint32_t rounds;
  volatile bool ok;
  volatile unsigned migrations;
};

void fpu_worker(void* argument) {
  auto* worker = static_cast<FpuWorker*>(argument);
  unsigned cpu = sched::current_cpu();
  for (uint32_t i = 0; i < worker->rounds; ++i) {
    uint64_t value = (uint64_t{worker->seed} << 32) | i;
    x87_push(static_cast<int64_t>(value));
    xmm0_set(value);
    // Let the tick preempt us now and then, and other workers run.
    for (volatile int spin = 0; spin < 2000; spin = spin + 1) {
    }
    if (i % 4 == 0) sched::yield();
    if (arch::x86::fpu_has_fxsr() && xmm0_get() != value) worker->ok = false;
    if (x87_pop() != static_cast<int64_t>(value)) worker->ok = false;
    unsigned now = sched::current_cpu();
    if (now != cpu) worker->migrations = worker->migrations + 1;
    cpu = now;
  }
}

KTEST(x86, fpu_threads_keep_state) {
  // Uneven amounts of work, so CPUs run dry at different times and steal
  // runnable workers from each other.
  constexpr unsigned kWorkers = 16;
  FpuWorker workers[kWorkers];
  sched::ThreadId ids[kWorkers];
  bool spawned[kWorkers] = {};
  for (unsigned i = 0; i < kWorkers; ++i) {
    workers[i] = {.seed = 0x1000 + i, .rounds = 40 + 60 * (i % 7), .ok = true, .migrations = 0};
    auto id = sched::spawn("fpu", fpu_worker, &workers[i]);
    KEXPECT(id.ok());
    if (id.ok()) ids[i] = id.value();
    spawned[i] = id.ok();
  }
  unsigned migrations = 0;
  for (unsigned i = 0; i < kWorkers; ++i) {
    if (!spawned[i]) continue;
    KEXPECT(sched::join(ids[i]).ok());
    KEXPECT(workers[i].ok);
    migrations += workers[i].migrations;
  }
  kprintf("ktest:   %u workers on %u CPUs, %u moves between CPUs\n", kWorkers,
          Platform::cpu_count(), migrations);
}

// One FPU state used on CPU 0, then CPU 1, then CPU 0 again, as a thread
// that moves would use it (fpu_switch to it and back, from threads pinned to
// each CPU, interrupts masked): each CPU sees the newest values.
constinit Platform::FpuState g_moving = {};

struct MoveStep {
  int64_t expect;  // what the x87 stack's top must hold (0: nothing)
  int64_t push;    // what to leave there (0: nothing)
  volatile bool ok;
};

void move_step(void* argument) {
  auto* step = static_cast<MoveStep*>(argument);
  uintptr_t flags = Platform::save_and_disable_interrupts();
  arch::x86::FpuCpu& cpu = arch::x86::this_cpu_fpu();
  arch::x86::FpuState* mine = cpu.current;
  Platform::fpu_switch(&g_moving);
  bool ok = true;
  if (step->expect != 0) {
    if (arch::x86::fpu_has_fxsr()) ok = xmm0_get() == static_cast<uint64_t>(step->expect);
    ok = x87_pop() == step->expect && ok;
  }
  if (step->push != 0) {
    x87_push(step->push);
    xmm0_set(static_cast<uint64_t>(step->push));
  }
  Platform::fpu_switch(mine);
  Platform::restore_interrupts(flags);
  step->ok = ok;
}

KTEST(x86, fpu_state_moves_between_cpus) {
  if (Platform::cpu_count() < 2) return;  // nothing to move between
  Platform::fpu_init(g_moving);
  MoveStep steps[3] = {{0, 0x1234, false}, {0x1234, 0x5678, false}, {0x5678, 0, false}};
  const unsigned cpus[3] = {0, 1, 0};
  for (int i = 0; i < 3; ++i) {
    auto id = sched::spawn("fpu-move", move_step, &steps[i], {.affinity = uint64_t{1} << cpus[i]});
    KEXPECT(id.ok());
    if (id.ok()) KEXPECT(sched::join(id.value()).ok());
    KEXPECT(steps[i].ok);
  }
  Platform::fpu_release(g_moving);
}

// ---- Interrupt state ----

KTEST(x86, interrupt_state) {
  bool was_enabled = Platform::interrupts_enabled();
  uintptr_t outer = Platform::save_and_disable_interrupts();
  KEXPECT(!Platform::interrupts_enabled());
  uintptr_t inner = Platform::save_and_disable_interrupts();
  KEXPECT(!Platform::interrupts_enabled());
  Platform::restore_interrupts(inner);
  KEXPECT(!Platform::interrupts_enabled());  // still inside the outer section
  // wait_for_interrupt: returns after an interrupt (the tick), masked.
  uint64_t ticks = ktime::ticks();
  for (int i = 0; i < 1000 && ktime::ticks() == ticks; ++i) Platform::wait_for_interrupt();
  KEXPECT(ktime::ticks() != ticks);
  KEXPECT(!Platform::interrupts_enabled());
  Platform::restore_interrupts(outer);
  KEXPECT(Platform::interrupts_enabled() == was_enabled);
}

KTEST(x86, cpus) {
  KEXPECT(Platform::cpu_count() >= 1);
  KEXPECT(Platform::current_cpu() < Platform::cpu_count());
}

// ---- Benchmarks ----

constinit Platform::Context g_bench_main = {}, g_bench_peer = {};
constinit bool g_bench_ready = false;

void bench_peer(void*) {
  for (;;) Platform::switch_context(g_bench_peer, g_bench_main);
}

// Two switch_context calls: to a peer context and back.
KBENCH(x86, switch_context_round_trip) {
  if (!g_bench_ready) {
    Platform::init_context_calling(g_bench_peer, g_stack_a.top(), start_test_thread, bench_peer,
                                   nullptr);
    g_bench_ready = true;
  }
  uintptr_t flags = Platform::save_and_disable_interrupts();
  Platform::switch_context(g_bench_main, g_bench_peer);
  Platform::restore_interrupts(flags);
}

// Two FPU states taking turns at the registers: per iteration three
// fpu_switch calls, each saving one state and loading the next.
KBENCH(x86, fpu_switch_round_trip) {
  static constinit bool ready = false;
  if (!ready) {
    Platform::fpu_init(g_fpu_a);
    Platform::fpu_init(g_fpu_b);
    ready = true;
  }
  uintptr_t flags = Platform::save_and_disable_interrupts();
  arch::x86::FpuState* saved = arch::x86::this_cpu_fpu().current;
  Platform::fpu_switch(&g_fpu_a);
  x87_push(1);
  (void)x87_pop();
  Platform::fpu_switch(&g_fpu_b);
  x87_push(2);
  (void)x87_pop();
  Platform::fpu_switch(saved);
  Platform::restore_interrupts(flags);
}

}  // namespace
