// SchedEntity: what a scheduling policy knows of a thread. Policies work on
// entities only (no CPU state, no arch types), so they are host-testable.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <lib/concepts.h>
#include <lib/intrusive_list.h>

namespace sched {

// Fixed priorities, higher runs first.
inline constexpr unsigned kPriorityLevels = 32;
inline constexpr uint8_t kDefaultPriority = 16;
inline constexpr uint8_t kMaxPriority = kPriorityLevels - 1;

inline constexpr uint32_t kDefaultWeight = 1;
inline constexpr uint32_t kMaxWeight = 64;

struct SchedEntity {
  lib::ListLink link;  // run queue
  uint8_t priority = kDefaultPriority;
  uint32_t weight = kDefaultWeight;
  int32_t slice_left = 0;            // ticks of the current time slice
  uint64_t affinity = ~uint64_t{0};  // bit n: may run on CPU n
  uint32_t cpu = 0;                  // the CPU whose run queue holds it / last ran it

  bool allowed_on(unsigned cpu_index) const { return (affinity >> cpu_index) & 1; }
};

using RunList = lib::IntrusiveList<SchedEntity, &SchedEntity::link>;

// What every policy provides. One policy object is one CPU's run queue; the
// scheduler core holds that CPU's lock around every call.
template <typename P>
concept SchedulingPolicy = requires(P p, const P cp, SchedEntity* e, const SchedEntity* ce,
                                    unsigned cpu) {
  // A runnable entity joins the queue (at the back of its class).
  { p.enqueue(e) } -> lib::same_as<void>;
  // An entity on the queue leaves it (affinity change, migration).
  { p.remove(e) } -> lib::same_as<void>;
  // The next entity to run, removed from the queue, its time slice set; or
  // nullptr when the queue is empty.
  { p.pick() } -> lib::same_as<SchedEntity*>;
  // Whether `woken`, just made runnable, should take the CPU from `running`
  // at once.
  { cp.preempts(ce, ce) } -> lib::same_as<bool>;
  // One timer tick of `running`; true when it should give the CPU up.
  { p.tick(e) } -> lib::same_as<bool>;
  // An entity another CPU may take (work stealing), removed; or nullptr.
  { p.steal(cpu) } -> lib::same_as<SchedEntity*>;
  { cp.size() } -> lib::same_as<size_t>;
};

}  // namespace sched
