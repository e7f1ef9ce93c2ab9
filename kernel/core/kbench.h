// In-kernel microbenchmarks, run at boot when the command line says `bench`
// (`bench=prefix` for some). Counted with the CPU's cycle counter, which under
// QEMU's -icount shift=0 advances once per guest instruction; tools/bench
// boots the products that way and tabulates the results.
//
// Method (as sel4bench): one warm-up run, then 16 runs of 16 iterations; the
// counter's own overhead (its minimum over 16 back-to-back reads) is
// subtracted from every run; the cost per iteration is reported as the
// minimum and median over the runs:
//   bench: frames.alloc_free min 123 median 125 (instructions per iteration)
//
//   KBENCH(frames, alloc_free) {   // body = one iteration
//     ...
//   }
//
// A benchmark whose name starts with "teardown" (KBENCH(suite,
// teardown_x)) runs once, unmeasured, to undo what the one before it set up.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kbench {

struct Benchmark {
  const char* name;
  // Runs `iterations` iterations; returns nothing (work is what counts).
  void (*run)(uint64_t iterations);
};

void run_all(const char* filter);

}  // namespace kbench

#define KBENCH(suite, name)                                                                   \
  static void kbench_##suite##_##name##_body();                                               \
  static void kbench_##suite##_##name(uint64_t iterations) {                                  \
    for (uint64_t i = 0; i < iterations; ++i) kbench_##suite##_##name##_body();               \
  }                                                                                           \
  [[gnu::used,                                                                                \
    gnu::section(".kbench")]] static const kbench::Benchmark kbench_case_##suite##_##name = { \
      #suite "." #name, kbench_##suite##_##name};                                             \
  static void kbench_##suite##_##name##_body()
