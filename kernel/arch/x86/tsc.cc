#include <arch/x86/pit.h>
#include <arch/x86/tsc.h>
#include <arch/x86/tsc_scale.h>

namespace arch::x86 {
namespace {

constinit uint64_t g_hz = 0;
constinit uint64_t g_base = 0;
constinit uint64_t g_ns_scale = 0;  // tsc_scale.h; 0 before calibration

}  // namespace

uint64_t tsc_calibrate() {
  // Best of three 10 ms windows: an interrupted window only reads longer.
  // Two that agree to 1/10,000 (the windows' own resolution) were not
  // interrupted: the third is skipped.
  uint64_t best = ~uint64_t{0};
  uint64_t previous = 0;
  for (int i = 0; i < 3; ++i) {
    uint64_t start = rdtsc();
    pit_wait_us(10000);
    uint64_t elapsed = rdtsc() - start;
    if (elapsed < best) best = elapsed;
    uint64_t difference = elapsed > previous ? elapsed - previous : previous - elapsed;
    if (i == 1 && difference <= elapsed / 10000) break;
    previous = elapsed;
  }
  g_hz = best * 100;
  g_ns_scale = g_hz == 0 ? 0 : tsc_ns_scale(g_hz);
  g_base = rdtsc();
  return g_hz;
}

uint64_t tsc_hz() {
  return g_hz;
}

uint64_t tsc_ns() {
  // Before calibration the scale is 0, and so is the time.
  return tsc_ticks_to_ns(rdtsc() - g_base, g_ns_scale);
}

}  // namespace arch::x86
