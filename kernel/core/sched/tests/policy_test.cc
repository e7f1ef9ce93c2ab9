// The scheduling policies on a simulated timeline: ordering, preemption,
// round-robin, starvation (priority) and proportional share (fair).
#include <vector>

#include <gtest/gtest.h>

#include <core/sched/policies/fair.h>
#include <core/sched/policies/priority.h>
#include <map>

namespace {

using sched::FairPolicy;
using sched::PriorityPolicy;
using sched::SchedEntity;

// A CPU driven tick by tick: the running entity goes back to the queue when
// the policy says so, and a new one is picked.
template <typename Policy>
std::map<SchedEntity*, int> simulate(Policy& policy, std::vector<SchedEntity*> runnable,
                                     int ticks) {
  for (SchedEntity* e : runnable) policy.enqueue(e);
  std::map<SchedEntity*, int> ran;
  SchedEntity* running = policy.pick();
  for (int t = 0; t < ticks; ++t) {
    if (running == nullptr) break;
    ++ran[running];
    if (policy.tick(running)) {
      policy.enqueue(running);
      running = policy.pick();
    }
  }
  if (running != nullptr) policy.enqueue(running);
  return ran;
}

TEST(PriorityPolicy, HighestFirstFifoWithinLevel) {
  PriorityPolicy p;
  SchedEntity low, mid1, mid2, high;
  low.priority = 3;
  mid1.priority = mid2.priority = 10;
  high.priority = 31;
  p.enqueue(&mid1);
  p.enqueue(&low);
  p.enqueue(&high);
  p.enqueue(&mid2);
  EXPECT_EQ(p.size(), 4u);
  EXPECT_EQ(p.pick(), &high);
  EXPECT_EQ(p.pick(), &mid1);
  EXPECT_EQ(p.pick(), &mid2);
  EXPECT_EQ(p.pick(), &low);
  EXPECT_EQ(p.pick(), nullptr);
  EXPECT_EQ(p.size(), 0u);
}

TEST(PriorityPolicy, RemoveKeepsBitmapRight) {
  PriorityPolicy p;
  SchedEntity a, b;
  a.priority = b.priority = 7;
  p.enqueue(&a);
  p.enqueue(&b);
  p.remove(&a);
  EXPECT_EQ(p.highest(), 7);
  p.remove(&b);
  EXPECT_EQ(p.highest(), -1);
  EXPECT_EQ(p.pick(), nullptr);
}

TEST(PriorityPolicy, HigherPriorityPreempts) {
  PriorityPolicy p;
  SchedEntity running, same, higher;
  running.priority = same.priority = 10;
  higher.priority = 11;
  EXPECT_TRUE(p.preempts(&higher, &running));
  EXPECT_FALSE(p.preempts(&same, &running));
  EXPECT_FALSE(p.preempts(&running, &higher));
}

TEST(PriorityPolicy, RoundRobinWithinALevel) {
  PriorityPolicy p;
  SchedEntity a, b, c;
  auto ran = simulate(p, {&a, &b, &c}, 300);
  // Equal priorities share equally (to a slice).
  EXPECT_NEAR(ran[&a], 100, PriorityPolicy::kSliceTicks);
  EXPECT_NEAR(ran[&b], 100, PriorityPolicy::kSliceTicks);
  EXPECT_NEAR(ran[&c], 100, PriorityPolicy::kSliceTicks);
}

TEST(PriorityPolicy, LowerPrioritiesStarve) {
  PriorityPolicy p;
  SchedEntity high, low;
  high.priority = 20;
  low.priority = 19;
  auto ran = simulate(p, {&low, &high}, 1000);
  EXPECT_EQ(ran[&high], 1000);
  EXPECT_EQ(ran[&low], 0);
}

TEST(PriorityPolicy, SliceEndsOnlyForEqualOrHigher) {
  PriorityPolicy p;
  SchedEntity running, lower;
  running.priority = 12;
  lower.priority = 5;
  p.enqueue(&lower);
  running.slice_left = 1;
  EXPECT_FALSE(p.tick(&running));  // only a lower one waits: keep running
}

TEST(PriorityPolicy, StealRespectsAffinity) {
  PriorityPolicy p;
  SchedEntity pinned, free;
  pinned.priority = 30;
  pinned.affinity = 1u << 0;
  free.priority = 2;
  p.enqueue(&pinned);
  p.enqueue(&free);
  EXPECT_EQ(p.steal(1), &free);
  EXPECT_EQ(p.steal(1), nullptr);
  EXPECT_EQ(p.steal(0), &pinned);
}

TEST(PriorityPolicy, ThousandThreadsStillConstantWork) {
  // Not a timing test: the queue stays consistent at size.
  PriorityPolicy p;
  std::vector<SchedEntity> entities(1000);
  for (size_t i = 0; i < entities.size(); ++i) {
    entities[i].priority = static_cast<uint8_t>(i % 32);
    p.enqueue(&entities[i]);
  }
  int last = 32;
  for (size_t i = 0; i < entities.size(); ++i) {
    SchedEntity* e = p.pick();
    ASSERT_NE(e, nullptr);
    EXPECT_LE(e->priority, last);
    last = e->priority;
  }
  EXPECT_EQ(p.pick(), nullptr);
}

TEST(FairPolicy, SharesInProportionToWeights) {
  FairPolicy p;
  SchedEntity light, heavy;
  light.weight = 1;
  heavy.weight = 3;
  auto ran = simulate(p, {&light, &heavy}, 200);
  EXPECT_EQ(ran[&light] + ran[&heavy], 200);
  EXPECT_NEAR(ran[&light] * 100.0 / 200, 25.0, 1.0);
  EXPECT_NEAR(ran[&heavy] * 100.0 / 200, 75.0, 1.0);
}

TEST(FairPolicy, ManyWeights) {
  FairPolicy p;
  SchedEntity e[4];
  uint32_t weights[4] = {1, 2, 3, 4};
  for (int i = 0; i < 4; ++i) e[i].weight = weights[i];
  auto ran = simulate(p, {&e[0], &e[1], &e[2], &e[3]}, 1000);
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(ran[&e[i]], 100 * weights[i], 4) << i;
}

TEST(FairPolicy, NoStarvationAndNoWakePreemption) {
  FairPolicy p;
  SchedEntity a, b;
  a.weight = 64;
  b.weight = 1;
  auto ran = simulate(p, {&a, &b}, 650);
  EXPECT_GT(ran[&b], 0);  // the lightest still runs every round
  EXPECT_FALSE(p.preempts(&a, &b));
}

TEST(FairPolicy, EmptyAndSteal) {
  FairPolicy p;
  EXPECT_EQ(p.pick(), nullptr);
  SchedEntity pinned;
  pinned.affinity = 1u << 2;
  p.enqueue(&pinned);
  EXPECT_EQ(p.steal(0), nullptr);
  EXPECT_EQ(p.steal(2), &pinned);
  EXPECT_EQ(p.size(), 0u);
}

}  // namespace
