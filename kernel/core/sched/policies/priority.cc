#include <core/sched/policies/priority.h>

namespace sched {

void PriorityPolicy::enqueue(SchedEntity* e) {
  levels_[e->priority].push_back(e);
  bitmap_ |= 1u << e->priority;
  ++size_;
}

void PriorityPolicy::remove(SchedEntity* e) {
  RunList& level = levels_[e->priority];
  level.remove(e);
  if (level.empty()) bitmap_ &= ~(1u << e->priority);
  --size_;
}

SchedEntity* PriorityPolicy::pick() {
  int level = highest();
  if (level < 0) return nullptr;
  SchedEntity* e = levels_[level].pop_front();
  if (levels_[level].empty()) bitmap_ &= ~(1u << level);
  --size_;
  e->slice_left = kSliceTicks;
  return e;
}

bool PriorityPolicy::preempts(const SchedEntity* woken, const SchedEntity* running) const {
  return woken->priority > running->priority;
}

bool PriorityPolicy::tick(SchedEntity* running) {
  if (--running->slice_left > 0) return false;
  running->slice_left = 0;
  // Round-robin: give way only to a thread at least as important.
  return highest() >= static_cast<int>(running->priority);
}

SchedEntity* PriorityPolicy::steal(unsigned cpu) {
  // The most important entity allowed on `cpu`; scans at most the queue.
  for (int level = highest(); level >= 0; --level) {
    if ((bitmap_ & (1u << level)) == 0) continue;
    for (SchedEntity* e = levels_[level].front(); e != nullptr; e = levels_[level].next_of(e)) {
      if (e->allowed_on(cpu)) {
        remove(e);
        return e;
      }
    }
  }
  return nullptr;
}

}  // namespace sched
