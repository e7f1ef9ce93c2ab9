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

namespace {

// True if `name` starts with one of the comma-separated prefixes of
// `filter` (an empty filter matches everything).
bool selected(const char* name, const char* filter) {
  if (filter[0] == '\0') return true;
  const char* prefix = filter;
  while (*prefix != '\0') {
    const char* end = prefix;
    while (*end != '\0' && *end != ',') ++end;
    size_t length = static_cast<size_t>(end - prefix);
    if (length > 0 && lib::strnlen(name, length) == length) {
      bool match = true;
      for (size_t i = 0; i < length; ++i) match = match && name[i] == prefix[i];
      if (match) return true;
    }
    prefix = *end == ',' ? end + 1 : end;
  }
  return false;
}

}  // namespace

namespace {
constinit unsigned g_stress_seconds = 10;
}  // namespace

unsigned stress_seconds() {
  return g_stress_seconds;
}

void set_stress_seconds(unsigned seconds) {
  if (seconds >= 1 && seconds <= 600) g_stress_seconds = seconds;
}

size_t run_all(const char* filter) {
  size_t passed = 0, failed = 0;
  for (const TestCase* test = __ktests_start; test < __ktests_end; ++test) {
    if (!selected(test->name, filter)) continue;
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
