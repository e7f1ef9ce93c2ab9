// PriorityPolicy: fixed priorities (32 levels), preemptive, round-robin
// within a level. The run queue is one FIFO per level plus a bitmap of the
// non-empty levels, so enqueue, remove and pick are O(1) whatever the number
// of threads: pick is one count-leading-zeros and a list pop.
//
// A thread runs until it blocks, a higher-priority thread becomes runnable
// (which preempts it at once), or its time slice ends while another thread
// of the same priority waits. Lower priorities starve while higher ones are
// runnable: that is the policy's contract, not a bug.
#pragma once

#include <core/sched/entity.h>

namespace sched {

class PriorityPolicy {
 public:
  static constexpr int32_t kSliceTicks = 5;

  void enqueue(SchedEntity* e);
  void remove(SchedEntity* e);
  SchedEntity* pick();
  bool preempts(const SchedEntity* woken, const SchedEntity* running) const;
  bool tick(SchedEntity* running);
  SchedEntity* steal(unsigned cpu);
  size_t size() const { return size_; }

  // The highest priority with a runnable entity; -1 if none.
  int highest() const { return bitmap_ == 0 ? -1 : 31 - __builtin_clz(bitmap_); }

 private:
  RunList levels_[kPriorityLevels];
  uint32_t bitmap_ = 0;
  size_t size_ = 0;
};

static_assert(SchedulingPolicy<PriorityPolicy>);

}  // namespace sched
