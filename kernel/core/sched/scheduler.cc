#include <arch/platform.h>
#include <core/console.h>
#include <core/mm/address_space.h>
#include <core/mm/memory.h>
#include <core/mm/slab.h>
#include <core/sched/kernel_stacks.h>
#include <core/sched/policies/fair.h>
#include <core/sched/policies/priority.h>
#include <core/sched/scheduler.h>
#include <core/time.h>
#include <lib/format.h>
#include <lib/new.h>
#include <lib/string.h>
#include <mica/config.h>

namespace sched {
namespace {

using Platform = arch::Platform;

template <bool kFirst, typename A, typename B>
struct Choose {
  using type = A;
};
template <typename A, typename B>
struct Choose<false, A, B> {
  using type = B;
};

// The product's policy, chosen at build time (product_scheduler).
using Policy = Choose<mica::config::kSchedulerPolicy == mica::config::SchedulerPolicy::kPriority,
                      PriorityPolicy, FairPolicy>::type;

constexpr unsigned kMaxCpus = mica::config::kMaxCpus;
constexpr uint32_t kMaxThreads = mica::config::kMaxThreads;
constexpr unsigned kWheelSize = 64;
constexpr uint64_t kTickNs = 1000000000ull / ktime::kTickHz;

using SleepList = lib::IntrusiveList<Thread, &Thread::sleep_link>;
using WaitList = lib::IntrusiveList<Thread, &Thread::wait_link>;

struct Cpu {
  SpinLock lock;
  Policy policy GUARDED_BY(lock);
  SleepList wheel[kWheelSize] GUARDED_BY(lock);
  Thread* current = nullptr;  // changed under lock, read by this CPU
  Thread* idle = nullptr;
  Thread* previous = nullptr;  // the thread being switched away from
  uint64_t ticks = 0;          // this CPU's timer ticks
  uint64_t tick_ns = 0;        // the monotonic clock at the last one (0: none yet)
  uint64_t switches = 0;
  bool need_resched = false;
  bool online = false;
  uint32_t preempt_disabled = 0;  // open PreemptGuards of the current thread
};

constinit Cpu g_cpus[kMaxCpus];
constinit unsigned g_online = 0;

// The thread table: versioned ids, O(1) lookup.
struct Slot {
  Thread* thread;
  uint16_t generation;
};
constinit SpinLock g_table_lock;
constinit Slot g_slots[kMaxThreads] GUARDED_BY(g_table_lock) = {};
constinit uint16_t g_free_ids[kMaxThreads] GUARDED_BY(g_table_lock) = {};
constinit uint32_t g_free_id_count GUARDED_BY(g_table_lock) = 0;
constinit uint32_t g_live GUARDED_BY(g_table_lock) = 0;
constinit mm::SlabCache g_thread_cache GUARDED_BY(g_table_lock){"thread", sizeof(Thread), nullptr};

// Exited threads whose stacks are still to be freed, and the joiners of
// exited threads. One lock guards exit, join and reaping.
struct Zombies {
  SpinLock lock;
  WaitList list GUARDED_BY(lock);
  WaitQueue exited GUARDED_BY(lock);  // joiners wait here for any exit
};
constinit Zombies g_zombies;

// TLB shootdown: one at a time, acknowledged by a count.
constinit uint32_t g_shootdown_busy = 0;
constinit uint32_t g_shootdown_pending = 0;

Cpu& this_cpu() {
  return g_cpus[Platform::current_cpu()];
}

// ---- Run queues ----

}  // namespace

// The second half of every switch, run by the thread switched to: the
// previous thread's context is saved now, so it may run elsewhere, and this
// CPU's lock (taken by whoever switched) is released. Interrupts stay masked.
void finish_switch() NO_THREAD_SAFETY_ANALYSIS {
  Cpu& cpu = this_cpu();
  __atomic_store_n(&cpu.previous->on_cpu, false, __ATOMIC_RELEASE);
  cpu.lock.release();
}

namespace {

void make_runnable_locked(Cpu& cpu, unsigned index, Thread* t) REQUIRES(cpu.lock) {
  t->state = ThreadState::kRunnable;
  t->entity.cpu = index;
  t->runnable_since_ns = Platform::monotonic_ns();
  cpu.policy.enqueue(&t->entity);
  if (cpu.current == cpu.idle || cpu.policy.preempts(&t->entity, &cpu.current->entity)) {
    cpu.need_resched = true;
  }
}

// What user threads bring to a switch: their address space (a kernel thread
// runs on the kernel's, so that no CPU keeps a dead process's tables
// loaded), I/O ports and the kernel stack their traps land on.
void switch_user_state(Thread* prev, Thread* next) {
  if (next->address_space != nullptr) {
    if (next->address_space != prev->address_space) next->address_space->activate();
  } else if (prev->address_space != nullptr) {
    Platform::activate_kernel_address_space();
  }
  if (next->io_ports != prev->io_ports) Platform::activate_io_ports(next->io_ports);
  Platform::set_kernel_stack(next->stack_top);
}

// Runs the next thread on `cpu` (the calling CPU), whose lock is held with
// interrupts masked. Returns — with the lock released and interrupts still
// masked — when the calling thread runs again.
void schedule_locked(Cpu& cpu) REQUIRES(cpu.lock) NO_THREAD_SAFETY_ANALYSIS {
  Thread* prev = cpu.current;
  if (prev->state == ThreadState::kRunning && prev != cpu.idle) {
    prev->state = ThreadState::kRunnable;
    cpu.policy.enqueue(&prev->entity);
  }
  SchedEntity* e = cpu.policy.pick();
  Thread* next = e != nullptr ? Thread::of(e) : cpu.idle;
  cpu.need_resched = false;
  if (next == prev) {
    prev->state = ThreadState::kRunning;
    cpu.lock.release();
    return;
  }
  next->state = ThreadState::kRunning;
  next->on_cpu = true;
  next->entity.cpu = static_cast<uint32_t>(&cpu - g_cpus);
  cpu.current = next;
  Platform::set_current_thread(next);
  cpu.previous = prev;
  ++cpu.switches;
  Platform::fpu_switch(&next->fpu);
  switch_user_state(prev, next);
  Platform::switch_context(prev->context, next->context);
  // Resumed, possibly on another CPU: whoever switched to us holds that
  // CPU's lock.
  finish_switch();
}

// The CPU to wake `t` on: where it last ran if allowed, else the first
// online CPU its affinity allows.
unsigned choose_cpu(const Thread* t) {
  unsigned last = t->entity.cpu;
  if (last < kMaxCpus && g_cpus[last].online && t->entity.allowed_on(last)) return last;
  for (unsigned c = 0; c < kMaxCpus; ++c) {
    if (g_cpus[c].online && t->entity.allowed_on(c)) return c;
  }
  return 0;
}

// Queues a blocked or new thread and, if it should run at once on another
// CPU, tells that CPU. Interrupts masked.
void wake(Thread* t) NO_THREAD_SAFETY_ANALYSIS {
  // A thread going to sleep on another CPU may still be saving its context.
  while (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE)) Platform::cpu_relax();
  unsigned index = choose_cpu(t);
  Cpu& target = g_cpus[index];
  target.lock.acquire();
  make_runnable_locked(target, index, t);
  bool kick = target.need_resched;
  target.lock.release();
  if (kick && index != Platform::current_cpu()) Platform::send_ipi(index, arch::Ipi::kReschedule);
}

// The least loaded online CPU `t` may run on (placement of new threads).
unsigned least_loaded_cpu(const Thread* t) NO_THREAD_SAFETY_ANALYSIS {
  unsigned best = choose_cpu(t);
  size_t best_load = ~size_t{0};
  for (unsigned c = 0; c < kMaxCpus; ++c) {
    if (!g_cpus[c].online || !t->entity.allowed_on(c)) continue;
    size_t load = g_cpus[c].policy.size() + (g_cpus[c].current != g_cpus[c].idle ? 1 : 0);
    if (load < best_load) {
      best = c;
      best_load = load;
    }
  }
  return best;
}

// The tick of `cpu` that should come first at or after `deadline_ns`
// (counting whole ticks from the last one), for a sleeper's wake_tick. A
// tick that comes early or late only wakes the sleeper early or late: the
// clock, not the tick count, says when a sleep is over (sleep_ns and
// WaitQueue::wait_until sleep on when woken early).
uint64_t wake_tick_locked(Cpu& cpu, uint64_t deadline_ns) REQUIRES(cpu.lock) {
  uint64_t last = cpu.tick_ns;
  if (last == 0) {
    // No tick yet to count from: whole ticks from now, plus one (the
    // current tick is already partly over).
    uint64_t now = Platform::monotonic_ns();
    uint64_t left = deadline_ns > now ? deadline_ns - now : 0;
    return cpu.ticks + left / kTickNs + (left % kTickNs != 0 ? 1 : 0) + 1;
  }
  if (deadline_ns <= last) return cpu.ticks + 1;
  uint64_t after = deadline_ns - last;
  return cpu.ticks + after / kTickNs + (after % kTickNs != 0 ? 1 : 0);
}

// ---- Interrupt hooks ----

void on_tick() NO_THREAD_SAFETY_ANALYSIS {
  Cpu& cpu = this_cpu();
  unsigned index = static_cast<unsigned>(&cpu - g_cpus);
  cpu.lock.acquire();
  ++cpu.ticks;
  cpu.tick_ns = Platform::monotonic_ns();
  SleepList& bucket = cpu.wheel[cpu.ticks % kWheelSize];
  for (Thread* t = bucket.front(); t != nullptr;) {
    Thread* next = bucket.next_of(t);
    if (t->wake_tick <= cpu.ticks) {
      bucket.remove(t);
      make_runnable_locked(cpu, index, t);
    }
    t = next;
  }
  Thread* running = cpu.current;
  if (running != nullptr) {
    ++running->run_ticks;
    if (running == cpu.idle) {
      if (cpu.policy.size() != 0) cpu.need_resched = true;
    } else if (cpu.policy.tick(&running->entity)) {
      cpu.need_resched = true;
    }
  }
  cpu.lock.release();
}

void on_ipi(arch::Ipi kind) {
  switch (kind) {
    case arch::Ipi::kReschedule:
      this_cpu().need_resched = true;
      break;
    case arch::Ipi::kTlbShootdown:
      Platform::invalidate_tlb_all();
      __atomic_sub_fetch(&g_shootdown_pending, 1, __ATOMIC_RELEASE);
      break;
    case arch::Ipi::kStop:
      Platform::disable_interrupts();
      Platform::idle_forever();
  }
}

// Kernel preemption: on the way out of an interrupt.
void on_interrupt_exit() NO_THREAD_SAFETY_ANALYSIS {
  Cpu& cpu = this_cpu();
  if (!cpu.need_resched || cpu.current == nullptr || cpu.preempt_disabled != 0) return;
  cpu.lock.acquire();
  schedule_locked(cpu);
}

constexpr arch::CpuHooks kHooks = {on_tick, on_ipi, on_interrupt_exit};

// ---- Thread objects ----

lib::Result<Thread*> allocate_thread() {
  SpinLockGuard guard(g_table_lock);
  if (g_free_id_count == 0) return lib::Status::kNoSpace;
  void* memory = TRY(g_thread_cache.allocate());
  uint16_t index = g_free_ids[--g_free_id_count];
  Slot& slot = g_slots[index];
  auto* t = new (memory) Thread();
  t->id = ThreadId::make(index, slot.generation);
  slot.thread = t;
  ++g_live;
  return t;
}

void free_thread(Thread* t) {
  SpinLockGuard guard(g_table_lock);
  Slot& slot = g_slots[t->id.index()];
  slot.thread = nullptr;
  ++slot.generation;  // the old id now names nothing
  g_free_ids[g_free_id_count++] = static_cast<uint16_t>(t->id.index());
  --g_live;
  t->~Thread();
  (void)g_thread_cache.free(t);
}

void set_name(Thread* t, const char* name) {
  lib::strlcpy(t->name, name, sizeof(t->name));
}

// Frees the stack of an exited thread (interrupts enabled: shootdown). A
// detached thread is freed with it; a joinable one is freed by its joiner,
// which waits for `reaped`.
void reap(Thread* t) NO_THREAD_SAFETY_ANALYSIS {
  while (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE)) Platform::cpu_relax();
  if (t->stack_slot != Thread::kNoStack) free_kernel_stack(t->stack_slot);
  bool detached;
  {
    SpinLockGuard guard(g_zombies.lock);
    t->reaped = true;
    detached = !t->joinable;
    g_zombies.exited.wake_all(g_zombies.lock);
  }
  if (detached) free_thread(t);
}

// Reaps every zombie whose context is saved. Interrupts enabled.
void reap_zombies() NO_THREAD_SAFETY_ANALYSIS {
  while (true) {
    Thread* t = nullptr;
    {
      SpinLockGuard guard(g_zombies.lock);
      for (Thread* z = g_zombies.list.front(); z != nullptr; z = g_zombies.list.next_of(z)) {
        if (!__atomic_load_n(&z->on_cpu, __ATOMIC_ACQUIRE)) {
          t = z;
          g_zombies.list.remove(z);
          break;
        }
      }
    }
    if (t == nullptr) return;
    reap(t);
  }
}

// Takes one thread from a busier CPU's queue. Interrupts enabled.
bool steal_work() NO_THREAD_SAFETY_ANALYSIS {
  InterruptsMasked masked;
  unsigned self = Platform::current_cpu();
  for (unsigned i = 1; i < kMaxCpus; ++i) {
    unsigned victim = (self + i) % kMaxCpus;
    Cpu& v = g_cpus[victim];
    if (!v.online || v.policy.size() < 2) continue;  // racy hint; rechecked below
    v.lock.acquire();
    SchedEntity* e = v.policy.size() >= 2 ? v.policy.steal(self) : nullptr;
    v.lock.release();
    if (e == nullptr) continue;
    Cpu& me = g_cpus[self];
    me.lock.acquire();
    make_runnable_locked(me, self, Thread::of(e));
    me.lock.release();
    return true;
  }
  return false;
}

[[noreturn]] void idle_loop() NO_THREAD_SAFETY_ANALYSIS {
  for (;;) {
    reap_zombies();
    if (!steal_work() && g_cpus[current_cpu()].policy.size() == 0) {
      // Nothing to run: a good moment for the batched stack release.
      flush_freed_kernel_stacks();
    }
    uintptr_t flags = Platform::save_and_disable_interrupts();
    Cpu& cpu = this_cpu();
    cpu.lock.acquire();
    if (cpu.policy.size() != 0 || cpu.need_resched) {
      schedule_locked(cpu);
    } else {
      cpu.lock.release();
      // Interrupts stay masked until the halt: a wake-up IPI cannot be lost.
      Platform::wait_for_interrupt();
    }
    Platform::restore_interrupts(flags);
  }
}

void idle_thread_main(void*) {
  idle_loop();
}

// Makes the calling context a thread object (the boot context, or a
// secondary CPU's start-up context) on `index`.
Thread* adopt_current_context(unsigned index, const char* name) {
  auto t = allocate_thread();
  if (!t.ok()) panic("no thread object for CPU %u: %s", index, mica::status_name(t.status()));
  Thread* thread = t.value();
  set_name(thread, name);
  thread->state = ThreadState::kRunning;
  thread->on_cpu = true;
  thread->entity.cpu = index;
  thread->entity.affinity = uint64_t{1} << index;
  thread->joinable = false;
  Platform::fpu_init(thread->fpu);
  // It is already running: make its FPU state the current one here.
  Platform::fpu_switch(&thread->fpu);
  return thread;
}

void secondary_cpu_main(unsigned index) NO_THREAD_SAFETY_ANALYSIS {
  char name[16];
  lib::format(name, sizeof(name), "idle/%u", index);
  Cpu& cpu = g_cpus[index];
  Thread* idle = adopt_current_context(index, name);
  cpu.idle = idle;
  cpu.current = idle;
  Platform::set_current_thread(idle);
  __atomic_store_n(&cpu.online, true, __ATOMIC_RELEASE);
  __atomic_add_fetch(&g_online, 1, __ATOMIC_RELEASE);
  Platform::enable_interrupts();
  idle_loop();
}

}  // namespace

void init() NO_THREAD_SAFETY_ANALYSIS {
  {
    SpinLockGuard guard(g_table_lock);
    new (&g_thread_cache) mm::SlabCache("thread", sizeof(Thread), &mm::kernel_pages());
    for (uint32_t i = 0; i < kMaxThreads; ++i) {
      g_free_ids[i] = static_cast<uint16_t>(kMaxThreads - 1 - i);
    }
    g_free_id_count = kMaxThreads;
  }
  init_kernel_stacks(kMaxThreads);

  Cpu& cpu = g_cpus[0];
  Thread* main = adopt_current_context(0, "main");
  main->entity.affinity = ~uint64_t{0};
  cpu.current = main;
  Platform::set_current_thread(main);
  cpu.online = true;
  g_online = 1;

  // CPU 0's idle thread has a stack of its own: "main" goes on working.
  auto stack = allocate_kernel_stack();
  auto idle = stack.ok() ? allocate_thread() : lib::Result<Thread*>(stack.status());
  if (!idle.ok()) panic("no idle thread: %s", mica::status_name(idle.status()));
  Thread* t = idle.value();
  set_name(t, "idle/0");
  t->stack_slot = stack.value().slot;
  t->stack_top = stack.value().top;
  t->entity.cpu = 0;
  t->entity.affinity = 1;
  t->joinable = false;
  t->state = ThreadState::kRunning;  // idle is never on a run queue
  Platform::fpu_init(t->fpu);
  Platform::init_context(t->context, t->stack_top, idle_thread_main, nullptr);
  cpu.idle = t;

  Platform::set_cpu_hooks(kHooks);
  kprintf(
      "mica: scheduler: %s policy, %u threads at most, %u KiB kernel stacks with guard "
      "pages\n",
      mica::config::kScheduler, kMaxThreads, static_cast<unsigned>(kKernelStackSize / 1024));
}

unsigned start_secondary_cpus() {
  auto started = Platform::start_secondary_cpus(secondary_cpu_main);
  if (!started.ok()) {
    kprintf("mica: secondary CPUs not started: %s\n", mica::status_name(started.status()));
    kprintf("mica: cpus online: %u\n", online_cpus());
    return online_cpus();
  }
  // Each secondary marks itself online before it enables interrupts; the
  // arch returns once they have all checked in.
  uint64_t deadline = Platform::monotonic_ns() + 1000000000ull;
  while (online_cpus() < started.value() && Platform::monotonic_ns() < deadline) {
    Platform::cpu_relax();
  }
  kprintf("mica: cpus online: %u\n", online_cpus());
  return online_cpus();
}

unsigned online_cpus() {
  return __atomic_load_n(&g_online, __ATOMIC_ACQUIRE);
}

lib::Result<ThreadId> spawn(const char* name, void (*entry)(void*), void* argument,
                            const ThreadOptions& options) {
  if (entry == nullptr || options.priority > kMaxPriority || options.weight == 0 ||
      options.weight > kMaxWeight) {
    return lib::Status::kInvalidArgs;
  }
  uint64_t online_mask = 0;
  for (unsigned c = 0; c < kMaxCpus; ++c) {
    if (g_cpus[c].online) online_mask |= uint64_t{1} << c;
  }
  if ((options.affinity & online_mask) == 0) return lib::Status::kInvalidArgs;

  KernelStack stack = TRY(allocate_kernel_stack());
  auto allocated = allocate_thread();
  if (!allocated.ok()) {
    free_kernel_stack(stack.slot);
    return allocated.status();
  }
  Thread* t = allocated.value();
  set_name(t, name);
  t->entry = entry;
  t->argument = argument;
  t->stack_slot = stack.slot;
  t->stack_top = stack.top;
  t->joinable = options.joinable;
  t->entity.priority = options.priority;
  t->entity.weight = options.weight;
  t->entity.affinity = options.affinity;
  Platform::fpu_init(t->fpu);
  Platform::init_context(t->context, t->stack_top, entry, argument);
  ThreadId id = t->id;

  InterruptsMasked masked;
  t->entity.cpu = least_loaded_cpu(t);
  wake(t);
  return id;
}

void yield() NO_THREAD_SAFETY_ANALYSIS {
  uintptr_t flags = Platform::save_and_disable_interrupts();
  Cpu& cpu = this_cpu();
  cpu.lock.acquire();
  schedule_locked(cpu);
  Platform::restore_interrupts(flags);
}

namespace {

// Sleeps in this CPU's wheel until the tick due at `deadline_ns`.
void sleep_until_tick(uint64_t deadline_ns) NO_THREAD_SAFETY_ANALYSIS {
  uintptr_t flags = Platform::save_and_disable_interrupts();
  Cpu& cpu = this_cpu();
  cpu.lock.acquire();
  Thread* t = cpu.current;
  t->state = ThreadState::kSleeping;
  t->wake_tick = wake_tick_locked(cpu, deadline_ns);
  cpu.wheel[t->wake_tick % kWheelSize].push_back(t);
  schedule_locked(cpu);
  Platform::restore_interrupts(flags);
}

}  // namespace

namespace {

// Takes `t` out of the sleep wheel it is in and makes it runnable, if it is
// still there (sleep_ns, or a timed wait); false if it is not (the tick or
// another caller took it first). Whoever gets true is the one who wakes it.
// Interrupts masked.
bool end_sleep_masked(Thread* t) NO_THREAD_SAFETY_ANALYSIS {
  // A sleeping thread is in the wheel of the CPU it last ran on, which
  // nobody changes while it sleeps: that CPU's lock says whether it still
  // does. A thread in a wheel is off every CPU (it went in under that CPU's
  // lock, held until its context was saved): no on_cpu wait.
  unsigned index = __atomic_load_n(&t->entity.cpu, __ATOMIC_RELAXED);
  if (index >= kMaxCpus) return false;
  Cpu& cpu = g_cpus[index];
  cpu.lock.acquire();
  bool taken = t->entity.cpu == index && t->sleep_link.linked() &&
               (t->state == ThreadState::kSleeping || t->state == ThreadState::kBlocked);
  bool kick = false;
  if (taken) {
    cpu.wheel[t->wake_tick % kWheelSize].remove(t);
    make_runnable_locked(cpu, index, t);
    kick = cpu.need_resched;
  }
  cpu.lock.release();
  if (kick && index != Platform::current_cpu()) Platform::send_ipi(index, arch::Ipi::kReschedule);
  return taken;
}

}  // namespace

void end_sleep(Thread* t) {
  InterruptsMasked masked;
  (void)end_sleep_masked(t);
}

void sleep_ns(uint64_t nanoseconds) {
  // Ticks that were late arrive in a burst (an emulator behind the host's
  // clock), so the clock, not the tick count, says when the sleep is over.
  uint64_t deadline = Platform::monotonic_ns() + nanoseconds;
  if (deadline < nanoseconds) deadline = ~uint64_t{0};
  for (;;) {
    sleep_until_tick(deadline);
    if (Platform::monotonic_ns() >= deadline || current()->kill_pending) return;
  }
}

void exit(int code) NO_THREAD_SAFETY_ANALYSIS {
  Platform::disable_interrupts();
  Cpu& cpu = this_cpu();
  Thread* t = cpu.current;
  // Its FPU registers can only be live here: switching away saves them.
  Platform::fpu_release(t->fpu);
  g_zombies.lock.acquire();
  t->exit_code = code;
  t->state = ThreadState::kDead;
  g_zombies.list.push_back(t);
  g_zombies.exited.wake_all(g_zombies.lock);
  cpu.lock.acquire();
  g_zombies.lock.release();
  schedule_locked(cpu);
  panic("a dead thread ran again");
}

lib::Result<int> join(ThreadId id) NO_THREAD_SAFETY_ANALYSIS {
  Thread* t;
  {
    SpinLockGuard guard(g_table_lock);
    if (id.index() >= kMaxThreads) return lib::Status::kNotFound;
    Slot& slot = g_slots[id.index()];
    if (slot.thread == nullptr || slot.generation != id.generation()) {
      return lib::Status::kNotFound;
    }
    t = slot.thread;
  }
  bool reap_here = false;
  int code;
  {
    SpinLockGuard guard(g_zombies.lock);
    if (!t->joinable || t->joined) return lib::Status::kInvalidArgs;
    t->joined = true;  // claims it: no second joiner; only we free it
    while (t->state != ThreadState::kDead) g_zombies.exited.wait(g_zombies.lock);
    code = t->exit_code;
    if (!t->reaped && t->wait_link.linked()) {
      g_zombies.list.remove(t);  // the reaper has not got to it: do it here
      reap_here = true;
    } else {
      // The reaper is freeing its stack right now: wait for that.
      while (!t->reaped) g_zombies.exited.wait(g_zombies.lock);
    }
  }
  if (reap_here) reap(t);
  free_thread(t);
  return code;
}

ThreadId current_id() {
  return current()->id;
}

unsigned current_cpu() {
  InterruptsMasked masked;
  return Platform::current_cpu();
}

uint32_t thread_count() {
  SpinLockGuard guard(g_table_lock);
  return g_live;
}

uint64_t run_ticks(ThreadId id) {
  SpinLockGuard guard(g_table_lock);
  if (id.index() >= kMaxThreads) return 0;
  Slot& slot = g_slots[id.index()];
  if (slot.thread == nullptr || slot.generation != id.generation()) return 0;
  return slot.thread->run_ticks;
}

uint64_t context_switches(unsigned cpu) {
  return cpu < kMaxCpus ? g_cpus[cpu].switches : 0;
}

void preempt_disable() {
  InterruptsMasked masked;
  ++this_cpu().preempt_disabled;
}

void preempt_enable() {
  bool resched;
  {
    InterruptsMasked masked;
    Cpu& cpu = this_cpu();
    resched = --cpu.preempt_disabled == 0 && cpu.need_resched;
  }
  if (resched) yield();
}

void tlb_shootdown() {
  unsigned online = online_cpus();
  if (online <= 1) {
    InterruptsMasked masked;
    Platform::invalidate_tlb_all();
    return;
  }
  // The holder of the shootdown must not lose its CPU: the others spin
  // until it is done, and an idle thread holding it would never run again.
  PreemptGuard keep_cpu;
  while (__atomic_exchange_n(&g_shootdown_busy, 1, __ATOMIC_ACQUIRE) != 0) {
    Platform::cpu_relax();
  }
  {
    InterruptsMasked masked;
    unsigned self = Platform::current_cpu();
    uint32_t others = 0;
    for (unsigned c = 0; c < kMaxCpus; ++c) {
      if (c != self && __atomic_load_n(&g_cpus[c].online, __ATOMIC_ACQUIRE)) ++others;
    }
    __atomic_store_n(&g_shootdown_pending, others, __ATOMIC_RELEASE);
    for (unsigned c = 0; c < kMaxCpus; ++c) {
      if (c != self && g_cpus[c].online) Platform::send_ipi(c, arch::Ipi::kTlbShootdown);
    }
    // This CPU too: the page being given back may have been unmapped by
    // another CPU, and this one may still cache it (a thread's kernel stack
    // it ran before the thread moved), which a later reuse of the frame
    // would turn into corruption.
    Platform::invalidate_tlb_all();
  }
  // Interrupts enabled while waiting: shootdowns aimed at us get answered.
  while (__atomic_load_n(&g_shootdown_pending, __ATOMIC_ACQUIRE) != 0) Platform::cpu_relax();
  __atomic_store_n(&g_shootdown_busy, 0, __ATOMIC_RELEASE);
}

// ---- Blocking ----

void block(SpinLock& lock) NO_THREAD_SAFETY_ANALYSIS {
  // Interrupts are masked (the caller's guard holds `lock`).
  Cpu& cpu = this_cpu();
  cpu.current->state = ThreadState::kBlocked;
  cpu.lock.acquire();
  lock.release();
  schedule_locked(cpu);
  lock.acquire();
}

void unblock(Thread* t) {
  wake(t);
}

namespace {

// block(lock), but the thread also goes into this CPU's sleep wheel, so the
// tick due at `deadline_ns` makes it runnable if nobody else does first.
// Returns at once if its process is being killed: a kill's end_sleep that
// came before the thread was in the wheel found nothing to wake.
void block_until_tick(SpinLock& lock, uint64_t deadline_ns) NO_THREAD_SAFETY_ANALYSIS {
  Cpu& cpu = this_cpu();
  Thread* t = cpu.current;
  cpu.lock.acquire();
  if (t->kill_pending) {
    cpu.lock.release();
    return;
  }
  t->state = ThreadState::kBlocked;
  t->wake_tick = wake_tick_locked(cpu, deadline_ns);
  cpu.wheel[t->wake_tick % kWheelSize].push_back(t);
  lock.release();
  schedule_locked(cpu);
  lock.acquire();
}

}  // namespace

namespace {

// What schedule_locked does after the policy's pick, with `target` as the
// pick: no run-queue pass, the CPU goes straight to it. `target` is blocked,
// off every CPU and allowed on this one; `switch_to(prev, target)` switches.
template <typename Switch>
inline void handoff_on(Cpu& cpu, unsigned index, Thread* target, SpinLock& lock,
                       Switch switch_to) NO_THREAD_SAFETY_ANALYSIS {
  Thread* prev = cpu.current;
  prev->state = ThreadState::kBlocked;
  cpu.lock.acquire();
  lock.release();
  target->state = ThreadState::kRunning;
  target->on_cpu = true;
  target->entity.cpu = index;
  cpu.current = target;
  Platform::set_current_thread(target);
  cpu.previous = prev;
  ++cpu.switches;
  Platform::fpu_switch(&target->fpu);
  switch_user_state(prev, target);
  switch_to(prev, target);
  finish_switch();
  lock.acquire();
}

template <typename P>
void handoff_to_syscall_return_on(Thread* target, SpinLock& lock) NO_THREAD_SAFETY_ANALYSIS {
  if constexpr (!P::kSyscallReturnContexts) {
    handoff(target, lock);
  } else {
    Cpu& cpu = this_cpu();
    handoff_on(cpu, static_cast<unsigned>(&cpu - g_cpus), target, lock,
               [](Thread* prev, Thread* next) {
                 P::switch_to_syscall_return(prev->context, next->context,
                                             P::syscall_frame(next->stack_top));
               });
  }
}

}  // namespace

void handoff(Thread* target, SpinLock& lock) NO_THREAD_SAFETY_ANALYSIS {
  Cpu& cpu = this_cpu();
  unsigned index = static_cast<unsigned>(&cpu - g_cpus);
  if (!target->entity.allowed_on(index) || __atomic_load_n(&target->on_cpu, __ATOMIC_ACQUIRE)) {
    // It cannot run here (yet): the ordinary way.
    wake(target);
    block(lock);
    return;
  }
  handoff_on(cpu, index, target, lock, [](Thread* prev, Thread* next) {
    Platform::switch_context(prev->context, next->context);
  });
}

void handoff_to_syscall_return(Thread* target, SpinLock& lock) {
  handoff_to_syscall_return_on<Platform>(target, lock);
}

bool with_thread_impl(ThreadId id, void (*visit)(Thread&, void*), void* context) {
  SpinLockGuard guard(g_table_lock);
  if (id.index() >= kMaxThreads) return false;
  Slot& slot = g_slots[id.index()];
  if (slot.thread == nullptr || slot.generation != id.generation()) return false;
  visit(*slot.thread, context);
  return true;
}

// ---- Wait queues ----

void WaitQueue::wait(SpinLock& lock) NO_THREAD_SAFETY_ANALYSIS {
  waiters_.push_back(current());
  block(lock);
}

bool WaitQueue::wait_until(SpinLock& lock, uint64_t deadline_ns) NO_THREAD_SAFETY_ANALYSIS {
  Thread* t = current();
  t->wait_timed = true;
  t->wait_signalled = false;
  waiters_.push_back(t);
  while (Platform::monotonic_ns() < deadline_ns && !t->kill_pending) {
    block_until_tick(lock, deadline_ns);
    // Back under `lock`. Off the queue: a waker took it (and, if it beat
    // the tick to the wheel, woke it). Still on it: the tick or end_sleep
    // woke it, and no wake has come since (it would have found it here), so
    // sleeping on is safe if the clock says it is early (late ticks come in
    // bursts).
    if (!t->wait_link.linked()) break;
  }
  if (t->wait_link.linked()) waiters_.remove(t);
  t->wait_timed = false;
  return t->wait_signalled;
}

namespace {

// Wakes `t`, just taken off a wait queue under that queue's lock: false if
// it is in a timed wait whose tick (or end_sleep) already woke it, so that
// the wake may go to another waiter. Interrupts masked.
bool wake_waiter(Thread* t) {
  if (!t->wait_timed) {
    wake(t);
    return true;
  }
  // Whoever takes it out of the wheel makes it runnable. It reads
  // wait_signalled under the queue's lock, which we hold: setting it after
  // the wake is early enough.
  if (!end_sleep_masked(t)) return false;
  t->wait_signalled = true;
  return true;
}

}  // namespace

bool WaitQueue::wake_thread(SpinLock&, Thread* t) NO_THREAD_SAFETY_ANALYSIS {
  for (Thread* w = waiters_.front(); w != nullptr; w = waiters_.next_of(w)) {
    if (w == t) {
      waiters_.remove(t);
      return wake_waiter(t);
    }
  }
  return false;
}

bool WaitQueue::wake_one(SpinLock&) NO_THREAD_SAFETY_ANALYSIS {
  // Each pass takes one waiter off: bounded by the queue's length, and a
  // waiter passed over is already awake.
  while (Thread* t = waiters_.pop_front()) {
    if (wake_waiter(t)) return true;
  }
  return false;
}

size_t WaitQueue::wake_all(SpinLock& lock) {
  size_t n = 0;
  while (wake_one(lock)) ++n;
  return n;
}

}  // namespace sched

extern "C" void sched_thread_start(void (*entry)(void*), void* argument) {
  // A new thread arrives here from schedule_locked's switch_context: finish
  // the switch as schedule_locked would have, then run.
  sched::finish_switch();
  arch::Platform::enable_interrupts();
  entry(argument);
  sched::exit(0);
}
