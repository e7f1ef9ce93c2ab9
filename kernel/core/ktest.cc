#include <arch/platform.h>
#include <core/console.h>
#include <core/ktest.h>
#include <lib/string.h>

extern "C" const ktest::TestCase __ktests_start[];
extern "C" const ktest::TestCase __ktests_end[];

namespace ktest {

void Context::check(bool ok, const char* expression, const char* file, int line) {
  if (ok) return;
  ++failures_;
  kprintf("ktest:   expectation failed: %s (%s:%d)\n", expression, file, line);
}

size_t run_all(const char* filter) {
  size_t passed = 0, failed = 0;
  for (const TestCase* test = __ktests_start; test < __ktests_end; ++test) {
    if (filter[0] != '\0' && !lib::starts_with(test->name, filter)) continue;
    kprintf("ktest: %s ...\n", test->name);
    Context context;
    uint64_t start = arch::Platform::monotonic_ns();
    test->run(context);
    uint64_t ms = (arch::Platform::monotonic_ns() - start) / 1000000;
    if (context.failed()) {
      ++failed;
      kprintf("ktest: %s FAILED (%llu ms)\n", test->name, static_cast<unsigned long long>(ms));
    } else {
      ++passed;
      kprintf("ktest: %s ok (%llu ms)\n", test->name, static_cast<unsigned long long>(ms));
    }
  }
  kprintf("ktest: %zu passed, %zu failed\n", passed, failed);
  return failed;
}

}  // namespace ktest
