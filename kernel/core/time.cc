#include <arch/platform.h>
#include <core/console.h>
#include <core/time.h>

namespace ktime {
namespace {

constinit volatile uint64_t g_ticks = 0;

void tick() {
  g_ticks = g_ticks + 1;
}

}  // namespace

void init() {
  const char* source = "unknown";
  auto started = arch::Platform::start_timer(kTickHz, tick, &source);
  if (!started.ok()) panic("no timer: %s", mica::status_name(started.status()));
  kprintf("mica: timer: %u Hz tick from the %s\n", kTickHz, source);
}

uint64_t ticks() {
  return g_ticks;
}

uint64_t now_ns() {
  return arch::Platform::monotonic_ns();
}

}  // namespace ktime
