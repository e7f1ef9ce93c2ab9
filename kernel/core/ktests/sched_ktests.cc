// Self-tests of threads and the scheduler, on the real machine (boot tests
// run them with -smp 1, 2 and 4 under -icount).
#include <arch/platform.h>
#include <core/console.h>
#include <core/ktest.h>
#include <core/mm/memory.h>
#include <core/sched/kernel_stacks.h>
#include <core/sched/scheduler.h>
#include <core/time.h>
#include <mica/config.h>

namespace {

constexpr bool kPriority =
    mica::config::kSchedulerPolicy == mica::config::SchedulerPolicy::kPriority;

void store_one(void* flag) {
  __atomic_store_n(static_cast<int*>(flag), 1, __ATOMIC_RELEASE);
}

void exit_with_seven(void*) {
  sched::exit(7);
}

KTEST(sched, spawn_join_exit_code) {
  int flag = 0;
  auto id = sched::spawn("flag", store_one, &flag);
  KEXPECT(id.ok());
  if (!id.ok()) return;
  KEXPECT(sched::join(id.value()).value() == 0);
  KEXPECT(__atomic_load_n(&flag, __ATOMIC_ACQUIRE) == 1);
  auto seven = sched::spawn("seven", exit_with_seven, nullptr);
  KEXPECT(seven.ok() && sched::join(seven.value()).value() == 7);
}

// A dead thread's id names nothing, even after its slot is reused.
KTEST(sched, versioned_ids) {
  int flag = 0;
  auto first = sched::spawn("first", store_one, &flag);
  KEXPECT(first.ok());
  if (!first.ok()) return;
  KEXPECT(sched::join(first.value()).ok());
  KEXPECT(sched::join(first.value()).status() == lib::Status::kNotFound);
  auto second = sched::spawn("second", store_one, &flag);
  KEXPECT(second.ok());
  if (!second.ok()) return;
  KEXPECT(!(second.value() == first.value()));
  KEXPECT(sched::join(first.value()).status() == lib::Status::kNotFound);
  KEXPECT(sched::join(second.value()).ok());
  KEXPECT(sched::spawn("bad", store_one, &flag, {.priority = 40}).status() ==
          lib::Status::kInvalidArgs);
  KEXPECT(sched::spawn("bad", store_one, &flag, {.affinity = 0}).status() ==
          lib::Status::kInvalidArgs);
}

// Threads pinned to each CPU run there.
struct PinnedRun {
  unsigned wanted;
  unsigned seen;
};
void record_cpu(void* arg) {
  auto* run = static_cast<PinnedRun*>(arg);
  for (int i = 0; i < 3; ++i) sched::yield();  // and stay there across switches
  run->seen = sched::current_cpu();
}

KTEST(sched, threads_run_on_every_cpu) {
  unsigned cpus = sched::online_cpus();
  PinnedRun runs[mica::config::kMaxCpus];
  sched::ThreadId ids[mica::config::kMaxCpus];
  for (unsigned c = 0; c < cpus; ++c) {
    runs[c] = {c, ~0u};
    auto id = sched::spawn("pinned", record_cpu, &runs[c], {.affinity = uint64_t{1} << c});
    KEXPECT(id.ok());
    ids[c] = id.ok() ? id.value() : sched::ThreadId{};
  }
  for (unsigned c = 0; c < cpus; ++c) {
    KEXPECT(sched::join(ids[c]).ok());
    KEXPECT(runs[c].seen == c);
  }
}

// 1,000 threads sleep for different times and wake: none is lost.
constinit uint32_t g_woken = 0;
void sleep_then_count(void* arg) {
  sched::sleep_ns((reinterpret_cast<uintptr_t>(arg) % 7 + 1) * 10000000ull);
  __atomic_add_fetch(&g_woken, 1, __ATOMIC_RELAXED);
}

KTEST(sched, thousand_sleepers) {
  g_woken = 0;
  uint32_t threads_before = sched::thread_count();
  static sched::ThreadId ids[1000];
  int spawned = 0;
  for (uintptr_t i = 0; i < 1000; ++i) {
    auto id = sched::spawn("sleeper", sleep_then_count, reinterpret_cast<void*>(i));
    KEXPECT(id.ok());
    if (id.ok()) ids[spawned++] = id.value();
  }
  for (int i = 0; i < spawned; ++i) KEXPECT(sched::join(ids[i]).ok());
  KEXPECT(__atomic_load_n(&g_woken, __ATOMIC_RELAXED) == 1000);
  KEXPECT(sched::thread_count() == threads_before);
}

// Create and exit threads across CPUs for 10 s of (virtual) time (or what
// `ktest.stress=N` says), detached
// and joined alike: thread, stack and frame counts come back.
constinit uint32_t g_churn_runs = 0;
void churn(void*) {
  __atomic_add_fetch(&g_churn_runs, 1, __ATOMIC_RELAXED);
}

void churner(void* arg) {
  uint64_t deadline = *static_cast<uint64_t*>(arg);
  while (ktime::now_ns() < deadline) {
    auto joined = sched::spawn("churn", churn, nullptr);
    (void)sched::spawn("churn-detached", churn, nullptr, {.joinable = false});
    if (joined.ok()) (void)sched::join(joined.value());
  }
}

KTEST(sched, create_exit_stress_no_leak) {
  // Let earlier tests' zombies be reaped first.
  sched::sleep_ns(50000000);
  uint32_t threads_before = sched::thread_count();
  uint32_t stacks_before = sched::kernel_stacks_in_use();
  mm::Usage before = mm::usage();
  g_churn_runs = 0;
  unsigned seconds = ktest::stress_seconds();
  uint64_t deadline = ktime::now_ns() + seconds * 1000000000ull;
  unsigned cpus = sched::online_cpus();
  sched::ThreadId ids[mica::config::kMaxCpus];
  for (unsigned c = 0; c < cpus; ++c) {
    auto id = sched::spawn("churner", churner, &deadline, {.affinity = uint64_t{1} << c});
    KEXPECT(id.ok());
    ids[c] = id.ok() ? id.value() : sched::ThreadId{};
  }
  for (unsigned c = 0; c < cpus; ++c) (void)sched::join(ids[c]);
  // Detached threads are reaped by the idle threads, and freed stacks are
  // released in batches (possibly by another CPU right now): give them up
  // to a second to settle.
  for (int i = 0; i < 100; ++i) {
    sched::flush_freed_kernel_stacks();
    if (sched::thread_count() == threads_before && sched::kernel_stacks_in_use() == stacks_before) {
      break;
    }
    sched::sleep_ns(10000000);
  }
  kprintf("ktest:   %u threads created and exited in %u s\n",
          __atomic_load_n(&g_churn_runs, __ATOMIC_RELAXED), seconds);
  KEXPECT(__atomic_load_n(&g_churn_runs, __ATOMIC_RELAXED) > 100);
  KEXPECT(sched::thread_count() == threads_before);
  KEXPECT(sched::kernel_stacks_in_use() == stacks_before);
  // Frames: what is not a page table or a slab page is back. The kernel
  // stack area's page tables stay (kernel tables are never freed) and each
  // slab cache may keep one spare page.
  mm::Usage after = mm::usage();
  KEXPECT(after.other_frames == before.other_frames);
  KEXPECT(after.heap_frames <= before.heap_frames + 2);
  KEXPECT(after.total_frames - after.free_frames - after.page_table_frames - after.heap_frames ==
          before.total_frames - before.free_frames - before.page_table_frames - before.heap_frames);
}

// Under `priority`: a higher-priority thread whose sleep ends runs within
// one tick, although a lower-priority thread spins on its CPU.
struct Latency {
  uint64_t slept_ns;    // how long the sleep took (at least what was asked)
  uint64_t latency_ns;  // from becoming runnable to running
  volatile bool stop;
};
void spin_until_stop(void* arg) {
  auto* l = static_cast<Latency*>(arg);
  while (!l->stop) asm volatile("" ::: "memory");
}
void sleep_and_measure(void* arg) {
  auto* l = static_cast<Latency*>(arg);
  uint64_t start = ktime::now_ns();
  sched::sleep_ns(50000000);
  uint64_t now = ktime::now_ns();
  l->latency_ns = now - sched::current()->runnable_since_ns;
  l->slept_ns = now - start;
  l->stop = true;
}

KTEST(sched, priority_wakeup_preempts_within_a_tick) {
  if (!kPriority) return;
  Latency l = {0, ~uint64_t{0}, false};
  // Both on CPU 0: the spinner at a low priority, the sleeper high.
  auto spinner = sched::spawn("spinner", spin_until_stop, &l, {.priority = 4, .affinity = 1});
  auto sleeper = sched::spawn("sleeper", sleep_and_measure, &l, {.priority = 28, .affinity = 1});
  KEXPECT(spinner.ok() && sleeper.ok());
  if (!spinner.ok() || !sleeper.ok()) return;
  (void)sched::join(sleeper.value());
  (void)sched::join(spinner.value());
  uint64_t tick = 1000000000ull / ktime::kTickHz;
  kprintf("ktest:   ran %llu us after it became runnable (tick %llu us); slept %llu us of 50000\n",
          static_cast<unsigned long long>(l.latency_ns / 1000),
          static_cast<unsigned long long>(tick / 1000),
          static_cast<unsigned long long>(l.slept_ns / 1000));
  KEXPECT(l.latency_ns <= tick);
  KEXPECT(l.slept_ns >= 50000000);
}

// Under `fair`: two spinning threads with weights 1 and 3 on one CPU get
// 25% and 75% of it, within 5 points, over 2 s.
struct Share {
  volatile bool stop;
};
void spin_share(void* arg) {
  auto* s = static_cast<Share*>(arg);
  while (!s->stop) asm volatile("" ::: "memory");
}

KTEST(sched, fair_shares_follow_weights) {
  if (kPriority) return;
  Share share = {false};
  unsigned cpu = sched::online_cpus() > 1 ? 1 : 0;
  uint64_t mask = uint64_t{1} << cpu;
  auto light = sched::spawn("light", spin_share, &share, {.weight = 1, .affinity = mask});
  auto heavy = sched::spawn("heavy", spin_share, &share, {.weight = 3, .affinity = mask});
  KEXPECT(light.ok() && heavy.ok());
  if (!light.ok() || !heavy.ok()) return;
  sched::sleep_ns(2000000000ull);
  share.stop = true;
  // Read the run-tick accounts before the threads go away.
  uint64_t light_ticks = sched::run_ticks(light.value());
  uint64_t heavy_ticks = sched::run_ticks(heavy.value());
  (void)sched::join(light.value());
  (void)sched::join(heavy.value());
  uint64_t total = light_ticks + heavy_ticks;
  KEXPECT(total > 0);
  if (total == 0) return;
  uint64_t light_pct = light_ticks * 100 / total;
  kprintf("ktest:   weights 1:3 got %llu%% : %llu%% of CPU %u (%llu ticks)\n",
          static_cast<unsigned long long>(light_pct),
          static_cast<unsigned long long>(100 - light_pct), cpu,
          static_cast<unsigned long long>(total));
  KEXPECT(light_pct >= 20 && light_pct <= 30);
}

}  // namespace

// ---- Timed waits (WaitQueue::wait_until) ----

// Nothing wakes it: it returns false, not before the deadline, and leaves
// neither the queue nor a sleep wheel holding it.
KTEST(sched, timed_wait_times_out) {
  SpinLock lock;
  sched::WaitQueue queue;
  constexpr uint64_t kTimeout = 30000000;
  uint64_t start = ktime::now_ns();
  bool woken;
  {
    SpinLockGuard guard(lock);
    woken = queue.wait_until(lock, start + kTimeout);
    KEXPECT(queue.empty());
  }
  uint64_t slept = ktime::now_ns() - start;
  KEXPECT(!woken);
  KEXPECT(slept >= kTimeout);
  KEXPECT(!sched::current()->sleep_link.linked());
  KEXPECT(!sched::current()->wait_link.linked());
  // A deadline already past returns at once.
  {
    SpinLockGuard guard(lock);
    KEXPECT(!queue.wait_until(lock, ktime::now_ns()));
    KEXPECT(queue.empty());
  }
}

// A wake long before the deadline ends the wait at once: true, and the
// thread is out of the sleep wheel (its tick does not wake it again).
struct EarlyWake {
  SpinLock lock;
  sched::WaitQueue queue GUARDED_BY(lock);
  bool waiting GUARDED_BY(lock) = false;
  bool woken = false;
  bool still_in_wheel = false;
  uint64_t waited_ns = 0;
};
void wait_five_seconds(void* arg) {
  auto* w = static_cast<EarlyWake*>(arg);
  SpinLockGuard guard(w->lock);
  w->waiting = true;
  uint64_t start = ktime::now_ns();
  w->woken = w->queue.wait_until(w->lock, start + 5000000000ull);
  w->waited_ns = ktime::now_ns() - start;
  w->still_in_wheel = sched::current()->sleep_link.linked();
  w->waiting = false;
}

KTEST(sched, timed_wait_woken_early) {
  EarlyWake w;
  // On another CPU when there is one: the wake crosses CPUs.
  uint64_t affinity = sched::online_cpus() > 1 ? 2 : 1;
  auto id = sched::spawn("timed-waiter", wait_five_seconds, &w, {.affinity = affinity});
  KEXPECT(id.ok());
  if (!id.ok()) return;
  for (int i = 0; i < 1000; ++i) {
    {
      SpinLockGuard guard(w.lock);
      if (w.waiting) break;
    }
    sched::sleep_ns(1000000);
  }
  sched::sleep_ns(20000000);
  {
    SpinLockGuard guard(w.lock);
    KEXPECT(w.queue.wake_one(w.lock));
    KEXPECT(!w.queue.wake_one(w.lock));  // one waiter, woken once
  }
  KEXPECT(sched::join(id.value()).ok());
  kprintf("ktest:   woken after %llu us of a 5 s wait\n",
          static_cast<unsigned long long>(w.waited_ns / 1000));
  KEXPECT(w.woken);
  KEXPECT(!w.still_in_wheel);
  KEXPECT(w.waited_ns < 1000000000ull);
}

// A kill (Process::kill: kill_pending, then end_sleep) ends a timed wait
// long before its deadline, with false, and off the queue.
struct KilledWait {
  SpinLock lock;
  sched::WaitQueue queue GUARDED_BY(lock);
  sched::Thread* waiter GUARDED_BY(lock) = nullptr;
  bool woken = true;
  bool left_queue = false;
  uint64_t waited_ns = 0;
};
void wait_to_be_killed(void* arg) {
  auto* k = static_cast<KilledWait*>(arg);
  SpinLockGuard guard(k->lock);
  k->waiter = sched::current();
  uint64_t start = ktime::now_ns();
  k->woken = k->queue.wait_until(k->lock, start + 5000000000ull);
  k->waited_ns = ktime::now_ns() - start;
  k->left_queue = k->queue.empty();
}

KTEST(sched, timed_wait_ended_by_kill) {
  KilledWait k;
  uint64_t affinity = sched::online_cpus() > 1 ? 2 : 1;
  auto id = sched::spawn("killed-waiter", wait_to_be_killed, &k, {.affinity = affinity});
  KEXPECT(id.ok());
  if (!id.ok()) return;
  sched::Thread* waiter = nullptr;
  for (int i = 0; i < 1000 && waiter == nullptr; ++i) {
    sched::sleep_ns(1000000);
    SpinLockGuard guard(k.lock);
    waiter = k.waiter;  // set under the lock it sleeps with: it sleeps now
  }
  KEXPECT(waiter != nullptr);
  if (waiter == nullptr) return;
  __atomic_store_n(&waiter->kill_pending, true, __ATOMIC_SEQ_CST);
  sched::end_sleep(waiter);
  KEXPECT(sched::join(id.value()).ok());
  KEXPECT(!k.woken);
  KEXPECT(k.left_queue);
  KEXPECT(k.waited_ns < 1000000000ull);
}

// Waiters on every CPU wait for 2-3 ticks at a time while wakers on every
// CPU wake one or all of them: every wake_one that reports a waiter woken
// is matched by exactly one wait that reports it was woken (no wake lost to
// a racing timeout, none counted twice), no thread is left on the queue or
// in a sleep wheel, and every thread finishes.
struct TimedWaitStress {
  SpinLock lock;
  sched::WaitQueue queue GUARDED_BY(lock);
  uint64_t deadline = 0;
  uint32_t woken_waits = 0;  // wait_until returned true
  uint32_t timed_out_waits = 0;
  uint32_t wakes = 0;  // wake_one returned true, or what wake_all counted
  uint32_t stray = 0;  // a waiter back with its links still set
};
void stress_waiter(void* arg) {
  auto* s = static_cast<TimedWaitStress*>(arg);
  sched::Thread* self = sched::current();
  for (uint32_t i = 0; ktime::now_ns() < s->deadline; ++i) {
    uint64_t timeout = (i + self->id.index()) % 3 * 10000000ull + 1;  // 2-3 ticks
    SpinLockGuard guard(s->lock);
    bool woken = s->queue.wait_until(s->lock, ktime::now_ns() + timeout);
    __atomic_add_fetch(woken ? &s->woken_waits : &s->timed_out_waits, 1, __ATOMIC_RELAXED);
    if (self->wait_link.linked() || self->sleep_link.linked()) {
      __atomic_add_fetch(&s->stray, 1, __ATOMIC_RELAXED);
    }
  }
}
void stress_waker(void* arg) {
  auto* s = static_cast<TimedWaitStress*>(arg);
  for (uint32_t i = 0; ktime::now_ns() < s->deadline; ++i) {
    {
      SpinLockGuard guard(s->lock);
      size_t n = i % 8 == 0 ? s->queue.wake_all(s->lock) : (s->queue.wake_one(s->lock) ? 1 : 0);
      __atomic_add_fetch(&s->wakes, static_cast<uint32_t>(n), __ATOMIC_RELAXED);
    }
    // Mostly right away, sometimes a tick later: wakes land both well
    // before and right at the waiters' deadlines.
    if (i % 16 == 0) {
      sched::sleep_ns(1);
    } else {
      sched::yield();
    }
  }
}

KTEST(sched, timed_wait_race_stress) {
  TimedWaitStress s;
  unsigned cpus = sched::online_cpus();
  uint64_t seconds = ktest::stress_seconds() < 2 ? ktest::stress_seconds() : 2;
  s.deadline = ktime::now_ns() + seconds * 1000000000ull;
  constexpr unsigned kWaitersPerCpu = 4;
  sched::ThreadId ids[mica::config::kMaxCpus * (kWaitersPerCpu + 1)];
  unsigned spawned = 0;
  for (unsigned c = 0; c < cpus; ++c) {
    uint64_t affinity = uint64_t{1} << c;
    for (unsigned i = 0; i < kWaitersPerCpu; ++i) {
      auto id = sched::spawn("stress-waiter", stress_waiter, &s, {.affinity = affinity});
      KEXPECT(id.ok());
      if (id.ok()) ids[spawned++] = id.value();
    }
    auto id = sched::spawn("stress-waker", stress_waker, &s, {.affinity = affinity});
    KEXPECT(id.ok());
    if (id.ok()) ids[spawned++] = id.value();
  }
  for (unsigned i = 0; i < spawned; ++i) KEXPECT(sched::join(ids[i]).ok());
  kprintf("ktest:   %u waits woken, %u timed out, %u wakes, on %u CPUs\n",
          __atomic_load_n(&s.woken_waits, __ATOMIC_RELAXED),
          __atomic_load_n(&s.timed_out_waits, __ATOMIC_RELAXED),
          __atomic_load_n(&s.wakes, __ATOMIC_RELAXED), cpus);
  KEXPECT(s.woken_waits == s.wakes);
  KEXPECT(s.woken_waits > 0);
  KEXPECT(s.timed_out_waits > 0);
  KEXPECT(s.stray == 0);
  SpinLockGuard guard(s.lock);
  KEXPECT(s.queue.empty());
}
