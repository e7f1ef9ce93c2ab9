#include <arch/x86/pit.h>
#include <arch/x86/tsc.h>

namespace arch::x86 {
namespace {

constinit uint64_t g_hz = 0;
constinit uint64_t g_base = 0;

}  // namespace

uint64_t tsc_calibrate() {
  // Best of three 10 ms windows: an interrupted window only reads longer.
  uint64_t best = ~uint64_t{0};
  for (int i = 0; i < 3; ++i) {
    uint64_t start = rdtsc();
    pit_wait_us(10000);
    uint64_t elapsed = rdtsc() - start;
    if (elapsed < best) best = elapsed;
  }
  g_hz = best * 100;
  g_base = rdtsc();
  return g_hz;
}

uint64_t tsc_hz() {
  return g_hz;
}

uint64_t tsc_ns() {
  if (g_hz == 0) return 0;
  uint64_t ticks = rdtsc() - g_base;
  // ns = ticks * 1e9 / hz, split to avoid 64-bit overflow for years of uptime.
  uint64_t seconds = ticks / g_hz;
  uint64_t rest = ticks % g_hz;
  return seconds * 1000000000ull + rest * 1000000000ull / g_hz;
}

}  // namespace arch::x86
