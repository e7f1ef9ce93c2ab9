#include <arch/platform.h>
#include <core/console.h>
#include <core/kbench.h>
#include <lib/string.h>

extern "C" const kbench::Benchmark __kbench_start[];
extern "C" const kbench::Benchmark __kbench_end[];

namespace kbench {
namespace {

constexpr int kRuns = 16;
constexpr uint64_t kIterations = 16;

void sort(uint64_t* values, int count) {
  for (int i = 1; i < count; ++i) {
    for (int j = i; j > 0 && values[j - 1] > values[j]; --j) {
      uint64_t t = values[j];
      values[j] = values[j - 1];
      values[j - 1] = t;
    }
  }
}

uint64_t counter_overhead() {
  uint64_t best = ~uint64_t{0};
  for (int i = 0; i < kRuns; ++i) {
    uint64_t a = arch::Platform::read_cycle_counter();
    uint64_t b = arch::Platform::read_cycle_counter();
    if (b - a < best) best = b - a;
  }
  return best;
}

}  // namespace

void run_all(const char* filter) {
  uint64_t overhead = counter_overhead();
  kprintf("bench: counter overhead %llu\n", static_cast<unsigned long long>(overhead));
  for (const Benchmark* b = __kbench_start; b < __kbench_end; ++b) {
    if (filter[0] != '\0' && !lib::starts_with(b->name, filter)) continue;
    const char* dot = b->name;
    while (*dot != '\0' && *dot != '.') ++dot;
    if (*dot == '.' && lib::starts_with(dot + 1, "teardown")) {
      b->run(1);
      continue;
    }
    b->run(kIterations);  // warm caches, slabs and page tables
    uint64_t per_iteration[kRuns];
    for (int run = 0; run < kRuns; ++run) {
      uint64_t start = arch::Platform::read_cycle_counter();
      b->run(kIterations);
      uint64_t elapsed = arch::Platform::read_cycle_counter() - start;
      elapsed = elapsed > overhead ? elapsed - overhead : 0;
      per_iteration[run] = elapsed / kIterations;
    }
    sort(per_iteration, kRuns);
    kprintf("bench: %s min %llu median %llu\n", b->name,
            static_cast<unsigned long long>(per_iteration[0]),
            static_cast<unsigned long long>(per_iteration[kRuns / 2]));
  }
  kprintf("bench: done\n");
}

}  // namespace kbench
