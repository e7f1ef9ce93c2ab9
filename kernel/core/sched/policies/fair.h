// FairPolicy: weighted proportional share by weighted round-robin.
//
// Runnable threads wait in one FIFO; the thread at the front runs for a time
// slice of `weight` ticks, then goes to the back. Over each round every
// runnable thread gets CPU time in proportion to its weight (weights 1 and 3
// share a CPU 25% / 75%), and enqueue, remove and pick are O(1) — unlike a
// virtual-runtime tree (CFS), whose pick is O(log n). The price: a thread
// that sleeps loses the rest of its slice rather than banking it, and waking
// never preempts (fairness is per round, not per tick).
#pragma once

#include <core/sched/entity.h>

namespace sched {

class FairPolicy {
 public:
  static constexpr int32_t kTicksPerWeight = 1;

  void enqueue(SchedEntity* e);
  void remove(SchedEntity* e);
  SchedEntity* pick();
  bool preempts(const SchedEntity*, const SchedEntity*) const { return false; }
  bool tick(SchedEntity* running);
  SchedEntity* steal(unsigned cpu);
  size_t size() const { return queue_.size(); }

 private:
  RunList queue_;
};

static_assert(SchedulingPolicy<FairPolicy>);

}  // namespace sched
