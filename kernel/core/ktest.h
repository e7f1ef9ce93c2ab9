// In-kernel self-tests, run at boot when the command line says `ktest`.
//
//   KTEST(frames, alloc_free) {
//     auto f = mm::frames().allocate();
//     KEXPECT(f.ok());
//   }
//
// Each KTEST lands in the .ktests section (collected by the linker script),
// so adding a test is adding it: no list to keep. The runner prints each
// test's name and result and a final "ktest: N passed, M failed" line that
// the boot tests check.
#pragma once

#include <stddef.h>

namespace ktest {

class Context {
 public:
  void check(bool ok, const char* expression, const char* file, int line);
  bool failed() const { return failures_ != 0; }

 private:
  int failures_ = 0;
};

struct TestCase {
  const char* name;
  void (*run)(Context&);
};

// Runs every test, or with a non-empty `filter` those whose name starts with
// one of its comma-separated prefixes ("frames,heap").
// Returns the number that failed.
size_t run_all(const char* filter);

// How long stress tests run, in seconds of (virtual) time: 10 unless the
// command line says `ktest.stress=N` (1..600).
unsigned stress_seconds();
void set_stress_seconds(unsigned seconds);

}  // namespace ktest

#define KTEST(suite, name)                                                                 \
  static void ktest_##suite##_##name(ktest::Context&);                                     \
  [[gnu::used,                                                                             \
    gnu::section(".ktests")]] static const ktest::TestCase ktest_case_##suite##_##name = { \
      #suite "." #name, ktest_##suite##_##name};                                           \
  static void ktest_##suite##_##name([[maybe_unused]] ktest::Context& ktest_context)

#define KEXPECT(condition) ktest_context.check((condition), #condition, __FILE__, __LINE__)
