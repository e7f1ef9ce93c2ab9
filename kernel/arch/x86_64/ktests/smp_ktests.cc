// Self-tests of the x86_64 CPUs: per-CPU data through GS, every CPU's local
// APIC timer, and IPI delivery.
#include <arch/platform.h>
#include <arch/x86_64/per_cpu.h>
#include <core/ktest.h>
#include <core/sched/scheduler.h>

namespace {

using arch::Platform;
namespace x86_64 = arch::x86_64;

// Waits up to `ms` milliseconds of monotonic time for `done`.
template <typename Done>
bool wait_ms(uint64_t ms, Done done) {
  uint64_t deadline = Platform::monotonic_ns() + ms * 1000000;
  while (!done()) {
    if (Platform::monotonic_ns() > deadline) return false;
    Platform::cpu_relax();
  }
  return true;
}

struct CpuCheck {
  unsigned wanted;
  volatile bool ok;
};

void check_this_cpu(void* argument) {
  auto* check = static_cast<CpuCheck*>(argument);
  uintptr_t flags = Platform::save_and_disable_interrupts();
  unsigned index = Platform::current_cpu();
  x86_64::PerCpu& self = x86_64::this_cpu();
  check->ok = index == check->wanted && self.self == &self && &self == &x86_64::cpu(index) &&
              self.index == index && self.apic_id == x86_64::lapic_id();
  Platform::restore_interrupts(flags);
}

// On each CPU (a thread pinned there), GS leads to that CPU's own PerCpu,
// whose APIC id is the local APIC's.
KTEST(x86_64, per_cpu_data) {
  for (unsigned c = 0; c < Platform::cpu_count(); ++c) {
    CpuCheck check = {c, false};
    auto id = sched::spawn("percpu", check_this_cpu, &check, {.affinity = uint64_t{1} << c});
    KEXPECT(id.ok());
    if (!id.ok()) continue;
    KEXPECT(sched::join(id.value()).ok());
    KEXPECT(check.ok);
  }
}

// Every online CPU's local APIC timer ticks, idle or not.
KTEST(x86_64, every_cpu_ticks) {
  for (unsigned c = 0; c < Platform::cpu_count(); ++c) {
    volatile uint64_t& count = x86_64::cpu(c).timer_interrupts;
    uint64_t before = count;
    KEXPECT(wait_ms(100, [&] { return count >= before + 2; }));
  }
}

// An IPI reaches each CPU, the sender included.
KTEST(x86_64, ipi_delivery) {
  for (unsigned c = 0; c < Platform::cpu_count(); ++c) {
    volatile uint64_t& count = x86_64::cpu(c).ipis;
    uint64_t before = count;
    Platform::send_ipi(c, arch::Ipi::kReschedule);
    KEXPECT(wait_ms(100, [&] { return count > before; }));
  }
}

}  // namespace
