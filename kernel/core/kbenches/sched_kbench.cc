// Scheduler microbenchmarks: a context switch, and the policy's pick with 2
// and with 1,000 runnable threads (they must cost the same).
#include <core/kbench.h>
#include <core/sched/policies/fair.h>
#include <core/sched/policies/priority.h>
#include <core/sched/scheduler.h>
#include <mica/config.h>

namespace {

// Two threads yielding to each other on one CPU: one iteration is one yield,
// that is one switch (plus the yield's own scheduler pass).
constinit volatile bool g_partner_stop = false;
constinit bool g_partner_started = false;

void partner(void*) {
  while (!g_partner_stop) sched::yield();
}

KBENCH(sched, yield_switch) {
  if (!g_partner_started) {
    g_partner_started = true;
    unsigned cpu = sched::current_cpu();
    sched::ThreadOptions options;
    options.affinity = uint64_t{1} << cpu;
    options.joinable = false;
    (void)sched::spawn("bench-partner", partner, nullptr, options);
  }
  sched::yield();
}

// Not measured (".teardown"): stops the partner.
KBENCH(sched, teardown_yield) {
  g_partner_stop = true;
}

// The run-queue operations themselves, on a private policy object: enqueue
// one thread and pick it again, with N others queued at lower priority.
template <size_t kQueued>
struct PickBench {
  sched::PriorityPolicy priority;
  sched::SchedEntity others[kQueued];
  sched::SchedEntity probe;
  bool ready = false;

  void setup() {
    for (size_t i = 0; i < kQueued; ++i) {
      others[i].priority = static_cast<uint8_t>(i % 16);
      priority.enqueue(&others[i]);
    }
    probe.priority = 31;
    ready = true;
  }
  void run_priority() {
    if (!ready) setup();
    priority.enqueue(&probe);
    (void)priority.pick();
  }
};

constinit PickBench<2> g_two;
constinit PickBench<1000> g_thousand;

KBENCH(sched, priority_enqueue_pick_2) {
  g_two.run_priority();
}
KBENCH(sched, priority_enqueue_pick_1000) {
  g_thousand.run_priority();
}

// The fair policy: pick rotates the queue, so measure enqueue + pick of the
// front with N threads queued.
template <size_t kQueued>
struct FairBench {
  sched::FairPolicy fair;
  sched::SchedEntity entities[kQueued];
  bool ready = false;
  void run() {
    if (!ready) {
      for (auto& e : entities) fair.enqueue(&e);
      ready = true;
    }
    fair.enqueue(fair.pick());
  }
};

constinit FairBench<2> g_fair_two;
constinit FairBench<1000> g_fair_thousand;

KBENCH(sched, fair_enqueue_pick_2) {
  g_fair_two.run();
}
KBENCH(sched, fair_enqueue_pick_1000) {
  g_fair_thousand.run();
}

}  // namespace
