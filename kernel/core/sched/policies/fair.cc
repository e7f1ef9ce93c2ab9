#include <core/sched/policies/fair.h>

namespace sched {

void FairPolicy::enqueue(SchedEntity* e) {
  queue_.push_back(e);
}

void FairPolicy::remove(SchedEntity* e) {
  queue_.remove(e);
}

SchedEntity* FairPolicy::pick() {
  SchedEntity* e = queue_.pop_front();
  if (e != nullptr) e->slice_left = static_cast<int32_t>(e->weight) * kTicksPerWeight;
  return e;
}

bool FairPolicy::tick(SchedEntity* running) {
  if (--running->slice_left > 0) return false;
  running->slice_left = 0;
  return !queue_.empty();
}

SchedEntity* FairPolicy::steal(unsigned cpu) {
  for (SchedEntity* e = queue_.front(); e != nullptr; e = queue_.next_of(e)) {
    if (e->allowed_on(cpu)) {
      queue_.remove(e);
      return e;
    }
  }
  return nullptr;
}

}  // namespace sched
