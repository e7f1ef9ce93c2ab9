// A small test harness for user-space programs: CHECK records a failure
// with its line and goes on; each test is a function run by name; the
// summary line "NAME: N passed, N failed" is what boot tests look for.
#pragma once

#include <stdio.h>
#include <string.h>

#include <mica/calls.h>

namespace harness {

inline int g_failures = 0;
inline int g_checks = 0;
inline int g_test_failures = 0;
inline int g_tests = 0;

inline void check(bool ok, const char* what, const char* file, int line) {
  ++g_checks;
  if (!ok) {
    ++g_failures;
    printf("  FAILED %s:%d: %s\n", file, line, what);
  }
}

// Runs `test` and prints "test NAME ok" or "test NAME FAILED".
template <typename F>
bool run(const char* name, F test) {
  int before = g_failures;
  ++g_tests;
  test();
  bool ok = g_failures == before;
  if (!ok) ++g_test_failures;
  printf("test %s %s\n", name, ok ? "ok" : "FAILED");
  return ok;
}

}  // namespace harness

#define CHECK(condition) ::harness::check((condition), #condition, __FILE__, __LINE__)
// CHECK_EQ prints both values when they differ.
#define CHECK_EQ(a, b)                                                            \
  do {                                                                            \
    long long check_a_ = (long long)(a), check_b_ = (long long)(b);               \
    ::harness::check(check_a_ == check_b_, #a " == " #b, __FILE__, __LINE__);     \
    if (check_a_ != check_b_) printf("    (%lld vs %lld)\n", check_a_, check_b_); \
  } while (0)
