// CPUs: the per-CPU blocks, core's hooks, IRQ and IPI dispatch, and the
// start of the secondary cores.
//
// Secondary start-up (Raspberry Pi spin table): the firmware (the Pi's
// armstub, or QEMU's boot stub) keeps cores 1-3 polling a 64-bit release
// address each, at physical 0xd8 + 8 * core, with wfe; a non-zero value is
// where the core jumps, in the state the boot CPU got (EL2 or EL3, MMU and
// caches off). The boot CPU writes aarch64_secondary_start's physical
// address there, cleans the line to RAM (the core reads it uncached) and
// wakes it with sev. aarch64_secondary_start (start.S) drops to EL1, turns
// the MMU on with the boot page tables, moves to the higher half and its
// own boot stack and calls arch_secondary_boot, which loads the kernel's
// real tables and starts the core's interrupts.
//
// Cores come up one at a time so CPU numbers stay dense: one that does not
// check in within 100 ms is abandoned (should it turn up later it parks) and
// no further core is started.
#include <arch/aarch64/layout.h>
#include <arch/platform.h>
#include <core/console.h>
#include <core/mm/memory.h>
#include <mica/config.h>

#include "exception.h"
#include "interrupt.h"
#include "secondary.h"

using arch::aarch64::Cpu;

static_assert(mica::config::kMaxCpus >= 1 && mica::config::kMaxCpus <= 1 + SECONDARY_STACK_COUNT,
              "kernel.ld has a boot stack for each secondary CPU");

extern "C" {
// The per-CPU blocks; start.S points the boot CPU's TPIDR_EL1 at the first.
constinit Cpu aarch64_cpus[mica::config::kMaxCpus] = {};
// start.S: where a released secondary core starts (MMU off).
void aarch64_secondary_start();
// Called by start.S on each secondary core with its number, in the higher
// half on its boot stack, interrupts masked.
[[noreturn]] void arch_secondary_boot(uint64_t index);
}

namespace aarch64 {
namespace {

constexpr uint64_t kSpinTableBase = 0xd8;  // core n's release address: + 8 * n
constexpr uint64_t kStartTimeoutNs = 100'000'000;

enum CpuState : uint32_t { kOffline = 0, kStarting, kOnline, kAbandoned };

constinit arch::CpuHooks g_hooks = {};
// CPUs online, 0 .. g_online-1. Written by each secondary as it checks in.
constinit unsigned g_online = 1;
constinit bool g_secondaries_started = false;
constinit void (*g_secondary_entry)(unsigned) = nullptr;

void handle_ipis(uint32_t ipis) {
  Cpu& cpu = arch::aarch64::this_cpu();
  while (ipis != 0) {
    unsigned kind = __builtin_ctz(ipis);
    ipis &= ipis - 1;
    if (kind > static_cast<unsigned>(arch::Ipi::kStop)) continue;  // no such kind
    ++cpu.ipis_received[kind];
    if (g_hooks.ipi != nullptr) {
      g_hooks.ipi(static_cast<arch::Ipi>(kind));
    } else if (kind == static_cast<unsigned>(arch::Ipi::kStop)) {
      park();  // no scheduler to ask: stopping is all there is to do
    }
  }
}

}  // namespace

const arch::CpuHooks& cpu_hooks() {
  return g_hooks;
}

void handle_irq() {
  PendingInterrupt interrupt = intc::acknowledge();
  switch (interrupt.source) {
    case InterruptSource::kNone:
      break;  // spurious: whatever raised it went away
    case InterruptSource::kTimer:
      timer::handle_interrupt();
      break;
    case InterruptSource::kIpi:
      handle_ipis(interrupt.ipis);
      break;
    case InterruptSource::kDevice:
      handle_device_irq(interrupt.device);
      break;
    case InterruptSource::kOther:
      // Only the timer, IPIs and routed device interrupts are enabled.
      panic("unexpected interrupt %u", interrupt.id);
  }
  intc::end(interrupt);
  // Last: core may switch threads here, and this frame then waits on this
  // thread's stack until something switches back.
  if (g_hooks.interrupt_exit != nullptr) g_hooks.interrupt_exit();
}

}  // namespace aarch64

void arch_secondary_boot(uint64_t index) {
  using namespace aarch64;
  if (index >= mica::config::kMaxCpus) park();
  Cpu& cpu = aarch64_cpus[index];
  asm volatile("msr tpidr_el1, %0" : : "r"(&cpu) : "memory");
  enter_kernel_address_space();
  enable_cycle_counter();
  intc::route_timer();
  intc::enable_ipis();
  timer::start_secondary();

  uint32_t expected = kStarting;
  if (!__atomic_compare_exchange_n(&cpu.state, &expected, kOnline, false, __ATOMIC_ACQ_REL,
                                   __ATOMIC_ACQUIRE)) {
    park();  // the boot CPU gave up on this core
  }
  __atomic_store_n(&g_online, static_cast<unsigned>(index + 1), __ATOMIC_RELEASE);
  g_secondary_entry(static_cast<unsigned>(index));
  panic("CPU %u: the secondary entry returned", cpu.index);
}

namespace arch {

unsigned Platform::cpu_count() {
  return __atomic_load_n(&::aarch64::g_online, __ATOMIC_ACQUIRE);
}

void Platform::set_cpu_hooks(const CpuHooks& hooks) {
  ::aarch64::g_hooks = hooks;
}

void Platform::send_ipi(unsigned cpu, Ipi kind) {
  if (cpu >= cpu_count()) return;
  // Whatever the sender stored before must be visible to the target when
  // the interrupt arrives (a Device write is not ordered after Normal
  // stores otherwise).
  asm volatile("dsb ishst" ::: "memory");
  ::aarch64::intc::send_ipi(cpu, static_cast<unsigned>(kind));
}

lib::Result<unsigned> Platform::start_secondary_cpus(void (*entry)(unsigned)) {
  using namespace ::aarch64;
  if (entry == nullptr) return lib::Status::kInvalidArgs;
  if (g_secondaries_started) return lib::Status::kBusy;  // the spin table releases once
  g_secondaries_started = true;
  g_secondary_entry = entry;
  if (mica::config::kMaxCpus == 1) return 1u;
  intc::enable_ipis();  // the boot CPU's

  // Physical [0, kernel) is reserved but outside the direct map.
  auto* spin_table =
      static_cast<uint8_t*>(TRY(mm::map_physical(0, mm::kPageSize, mm::Permissions::read_write())));
  uint64_t start = virt_to_phys(reinterpret_cast<const void*>(&aarch64_secondary_start));

  for (unsigned index = 1; index < mica::config::kMaxCpus; ++index) {
    Cpu& cpu = aarch64_cpus[index];
    cpu.index = index;
    __atomic_store_n(&cpu.state, static_cast<uint32_t>(kStarting), __ATOMIC_RELEASE);
    auto* release = reinterpret_cast<volatile uint64_t*>(spin_table + kSpinTableBase + 8 * index);
    *release = start;
    // The core polls with its caches off: the value must reach RAM.
    asm volatile("dc civac, %0; dsb sy; sev" : : "r"(release) : "memory");

    uint64_t deadline = monotonic_ns() + kStartTimeoutNs;
    while (cpu_count() <= index && monotonic_ns() < deadline) cpu_relax();
    if (cpu_count() > index) continue;
    uint32_t expected = kStarting;
    if (__atomic_compare_exchange_n(&cpu.state, &expected, kAbandoned, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE)) {
      kprintf("mica: CPU %u did not start; continuing with %u\n", index, cpu_count());
      break;
    }
    // It checked in just now: wait for it to publish itself.
    while (cpu_count() <= index) cpu_relax();
  }
  kprintf("mica: %u CPUs online\n", cpu_count());
  return cpu_count();
}

}  // namespace arch
