// x86_64 interrupt controllers and the timer: the local APIC (its timer
// calibrated against the TSC, itself calibrated against the PIT) and the I/O APICs, found through
// the ACPI MADT; the 8259 pair stays remapped and masked. ISA IRQs that user drivers claim
// (irq_route) are routed through the I/O APIC to the boot CPU.
#include <arch/platform.h>
#include <arch/x86/acpi.h>
#include <arch/x86/cpu_hooks.h>
#include <arch/x86/tsc.h>
#include <arch/x86_64/per_cpu.h>
#include <arch/x86_64/trap_frame.h>
#include <core/console.h>
#include <core/mm/memory.h>
#include <core/sync/spinlock.h>
#include <lib/format.h>

namespace arch {
namespace {

constexpr uint8_t kTimerVector = 0x40;
constexpr uint8_t kSpuriousVector = 0xff;
// ISA IRQ n arrives on kIrqVectorBase + n.
constexpr uint8_t kIrqVectorBase = 0x50;

enum LapicRegister : uint32_t {
  kLapicId = 0x20,
  kLapicTaskPriority = 0x80,
  kLapicEndOfInterrupt = 0xb0,
  kLapicSpurious = 0xf0,
  kLapicInterruptCommandLow = 0x300,
  kLapicInterruptCommandHigh = 0x310,
  kLapicTimerLvt = 0x320,
  kLapicTimerInitial = 0x380,
  kLapicTimerCurrent = 0x390,
  kLapicTimerDivide = 0x3e0,
};

constinit volatile uint32_t* g_lapic = nullptr;
constinit void (*g_tick)() = nullptr;
// The timer's initial count for the rate start_timer was asked for; every
// CPU's local APIC timer uses it (they share the bus clock).
constinit uint32_t g_timer_count = 0;
constinit char g_timer_name[128] = {};
constinit x86::acpi::Madt g_madt = {};
constinit bool g_have_madt = false;

uint32_t lapic_read(uint32_t reg) {
  return g_lapic[reg / 4];
}
void lapic_write(uint32_t reg, uint32_t value) {
  g_lapic[reg / 4] = value;
}

// Firmware tables through kernel-area mappings (ACPI tables live in memory
// the direct map leaves out).
class FirmwareView final : public boot::PhysicalView {
 public:
  lib::ByteSpan view(uint64_t phys, size_t length) const override {
    auto mapped = mm::map_physical(phys, length, mm::Permissions::read_only());
    if (!mapped.ok()) return {};
    return lib::ByteSpan(static_cast<const uint8_t*>(mapped.value()), length);
  }
};

// Every CPU's tick. start_timer's `tick` (core's clock) runs on the boot CPU
// only, so it keeps counting at the rate asked for; the scheduler's hook runs
// on every CPU.
void timer_interrupt(x86_64::TrapFrame&) {
  lapic_write(kLapicEndOfInterrupt, 0);
  x86_64::PerCpu& cpu = x86_64::this_cpu();
  cpu.timer_interrupts = cpu.timer_interrupts + 1;
  if (cpu.index == 0 && g_tick != nullptr) g_tick();
  if (auto tick = x86::cpu_hooks().tick; tick != nullptr) tick();
}

void enable_lapic() {
  // IA32_APIC_BASE bit 11: the global enable (firmware leaves it set on
  // every CPU; make sure).
  uint32_t low, high;
  asm volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(0x1b));
  asm volatile("wrmsr" : : "a"(low | (1u << 11)), "d"(high), "c"(0x1b));
}

void start_lapic_timer() {
  lapic_write(kLapicTimerDivide, 0x3);                     // divide by 16
  lapic_write(kLapicTimerLvt, kTimerVector | (1u << 17));  // periodic
  lapic_write(kLapicTimerInitial, g_timer_count);
}

void spurious_interrupt(x86_64::TrapFrame&) {}

// The I/O APICs start_timer found, mapped: IOREGSEL at word 0, IOWIN at
// word 4. Their registers are reached under g_irq_lock.
struct IoApicView {
  volatile uint32_t* regs = nullptr;
  uint32_t gsi_base = 0;
  uint32_t entries = 0;
};
constinit IoApicView g_io_apics[x86::acpi::kMaxIoApics] = {};
constinit size_t g_io_apic_count = 0;

constexpr uint32_t kRedirectionMasked = 1u << 16;
constexpr uint32_t kRedirectionLevel = 1u << 15;
constexpr uint32_t kRedirectionActiveLow = 1u << 13;

uint32_t io_apic_read(const IoApicView& io, uint32_t reg) {
  io.regs[0] = reg;
  return io.regs[4];
}
void io_apic_write(const IoApicView& io, uint32_t reg, uint32_t value) {
  io.regs[0] = reg;
  io.regs[4] = value;
}

// Maps an I/O APIC and masks every redirection entry (devices get routed
// when their drivers ask for their IRQs).
void init_io_apic(const x86::acpi::IoApic& io) {
  auto mapped = mm::map_physical(io.address, 0x20, {.write = true, .device = true});
  if (!mapped.ok() || g_io_apic_count == x86::acpi::kMaxIoApics) return;
  IoApicView& view = g_io_apics[g_io_apic_count++];
  view.regs = static_cast<volatile uint32_t*>(mapped.value());
  view.gsi_base = io.gsi_base;
  view.entries = ((io_apic_read(view, 1) >> 16) & 0xff) + 1;  // IOAPICVER
  for (uint32_t i = 0; i < view.entries; ++i) {
    io_apic_write(view, 0x10 + 2 * i, kRedirectionMasked);
  }
}

// ---- ISA IRQs for user drivers ----

// Where an ISA IRQ is wired: an I/O APIC pin and how it signals.
struct IrqLine {
  void (*handler)(unsigned) = nullptr;
  const IoApicView* io = nullptr;
  uint32_t pin = 0;
  uint32_t redirection = 0;  // low word without the mask bit
};

constinit SpinLock g_irq_lock;
constinit IrqLine g_irq_lines[Platform::kIrqCount] GUARDED_BY(g_irq_lock) = {};

void set_irq_masked_locked(const IrqLine& line, bool masked) REQUIRES(g_irq_lock) {
  io_apic_write(*line.io, 0x10 + 2 * line.pin,
                line.redirection | (masked ? kRedirectionMasked : 0));
}

// Runs with interrupts masked: masks the line (level-triggered devices keep
// asserting until their driver acknowledges) and hands it to its handler.
void irq_interrupt(x86_64::TrapFrame& frame) {
  unsigned irq = static_cast<unsigned>(frame.vector - kIrqVectorBase);
  void (*handler)(unsigned) = nullptr;
  {
    SpinLockGuard guard(g_irq_lock);
    IrqLine& line = g_irq_lines[irq];
    if (line.io != nullptr) set_irq_masked_locked(line, true);
    handler = line.handler;
  }
  lapic_write(kLapicEndOfInterrupt, 0);
  if (handler != nullptr) handler(irq);
}

// The local APIC timer's count now, and the TSC when it was read: the
// midpoint of the TSC reads around it, `spread` apart (the uncertainty).
struct TimerSample {
  uint32_t count;
  uint64_t tsc;
  uint64_t spread;
};
TimerSample sample_lapic_timer() {
  uint64_t before = x86::rdtsc();
  uint32_t count = lapic_read(kLapicTimerCurrent);
  uint64_t after = x86::rdtsc();
  return {count, before + (after - before) / 2, after - before};
}

// The local APIC timer's rate (divider 16) in Hz, measured against the TSC,
// which the boot calibrated against the PIT (a second PIT calibration
// would cost its 30 ms again). The window lasts until the samples'
// uncertainty is at most 1/10,000 of it, as fine as the TSC's own 10 ms PIT
// windows: from 0.5 ms (an emulator's exact counters) to 10 ms (where
// reading the APIC is slow). 0 if the TSC is not calibrated.
uint64_t calibrate_lapic_timer() {
  uint64_t tsc_hz = x86::tsc_hz();
  if (tsc_hz == 0) return 0;
  lapic_write(kLapicTimerDivide, 0x3);
  lapic_write(kLapicTimerLvt, 1u << 16);  // masked while measuring
  lapic_write(kLapicTimerInitial, 0xffffffff);
  TimerSample start = sample_lapic_timer();
  uint64_t shortest = tsc_hz / 2000;
  uint64_t longest = tsc_hz / 100;
  TimerSample end;
  uint64_t window;
  do {
    Platform::cpu_relax();
    end = sample_lapic_timer();
    window = end.tsc - start.tsc;
  } while (window < longest && (window < shortest || window < 10000 * (start.spread + end.spread)));
  // About 10 ms of counts at most, times the TSC rate: no overflow while
  // both rates are below 40 GHz.
  return uint64_t{start.count - end.count} * tsc_hz / window;
}

}  // namespace

lib::Result<void> Platform::start_timer(uint32_t hz, void (*tick)(), const char** name) {
  if (hz == 0 || tick == nullptr) return lib::Status::kInvalidArgs;
  FirmwareView firmware;
  uint64_t rsdp = boot_acpi_rsdp();
  if (rsdp == 0) rsdp = TRY(x86::acpi::find_rsdp(firmware));
  g_madt = TRY(x86::acpi::read_madt(rsdp, firmware));
  g_have_madt = true;
  const x86::acpi::Madt& madt = g_madt;
  for (size_t i = 0; i < madt.io_apic_count; ++i) init_io_apic(madt.io_apics[i]);

  // Enable the local APIC and map its registers (each CPU sees its own at
  // the same address).
  enable_lapic();
  void* lapic =
      TRY(mm::map_physical(madt.local_apic_address, 0x1000, {.write = true, .device = true}));
  g_lapic = static_cast<volatile uint32_t*>(lapic);
  x86_64::cpu(0).apic_id = x86_64::lapic_id();
  x86_64::set_interrupt_handler(kSpuriousVector, spurious_interrupt);
  lapic_write(kLapicSpurious, 0x100 | kSpuriousVector);
  lapic_write(kLapicTaskPriority, 0);

  uint64_t timer_hz = calibrate_lapic_timer();
  if (timer_hz < hz) return lib::Status::kNotSupported;

  g_tick = tick;
  g_timer_count = static_cast<uint32_t>(timer_hz / hz);
  x86_64::set_interrupt_handler(kTimerVector, timer_interrupt);
  start_lapic_timer();

  lib::format(g_timer_name, sizeof(g_timer_name),
              "local APIC timer at %llu Hz (calibrated against the TSC; %zu CPUs, %zu I/O "
              "APICs in the MADT), TSC %llu Hz",
              static_cast<unsigned long long>(timer_hz), madt.cpu_count, madt.io_apic_count,
              static_cast<unsigned long long>(x86::tsc_hz()));
  *name = g_timer_name;
  return {};
}

namespace x86_64 {

uint32_t lapic_init_this_cpu() {
  enable_lapic();
  lapic_write(kLapicSpurious, 0x100 | kSpuriousVector);
  lapic_write(kLapicTaskPriority, 0);
  start_lapic_timer();
  return lapic_id();
}

uint32_t lapic_id() {
  return lapic_read(kLapicId) >> 24;
}

void lapic_end_of_interrupt() {
  lapic_write(kLapicEndOfInterrupt, 0);
}

void lapic_send(uint32_t apic_id, uint32_t command) {
  constexpr uint32_t kDeliveryPending = 1u << 12;
  while (lapic_read(kLapicInterruptCommandLow) & kDeliveryPending) asm volatile("pause");
  lapic_write(kLapicInterruptCommandHigh, apic_id << 24);
  lapic_write(kLapicInterruptCommandLow, command);
}

bool lapic_ready() {
  return g_lapic != nullptr && g_timer_count != 0;
}

const x86::acpi::Madt* firmware_madt() {
  return g_have_madt ? &g_madt : nullptr;
}

}  // namespace x86_64

lib::Result<void> Platform::irq_route(unsigned irq, void (*handler)(unsigned)) {
  // IRQ 0 is the PIT (the kernel's timer calibration; never a driver's),
  // IRQ 2 the 8259 cascade.
  if (irq >= kIrqCount || irq == 0 || irq == 2 || handler == nullptr) {
    return lib::Status::kInvalidArgs;
  }
  if (!x86_64::lapic_ready()) return lib::Status::kNotSupported;
  // ISA defaults (edge, active high) unless the MADT overrides them.
  uint32_t gsi = irq;
  uint16_t flags = 0;
  for (size_t i = 0; i < g_madt.override_count; ++i) {
    if (g_madt.overrides[i].irq == irq) {
      gsi = g_madt.overrides[i].gsi;
      flags = g_madt.overrides[i].flags;
    }
  }
  const IoApicView* io = nullptr;
  for (size_t i = 0; i < g_io_apic_count; ++i) {
    const IoApicView& view = g_io_apics[i];
    if (gsi >= view.gsi_base && gsi - view.gsi_base < view.entries) io = &view;
  }
  if (io == nullptr) return lib::Status::kNotSupported;
  uint32_t redirection = kIrqVectorBase + irq;  // fixed delivery, physical destination
  if ((flags & 0x3) == 0x3) redirection |= kRedirectionActiveLow;
  if (((flags >> 2) & 0x3) == 0x3) redirection |= kRedirectionLevel;

  SpinLockGuard guard(g_irq_lock);
  IrqLine& line = g_irq_lines[irq];
  if (line.handler != nullptr) return lib::Status::kBusy;
  line =
      IrqLine{.handler = handler, .io = io, .pin = gsi - io->gsi_base, .redirection = redirection};
  x86_64::set_interrupt_handler(static_cast<uint8_t>(kIrqVectorBase + irq), irq_interrupt);
  io_apic_write(*io, 0x10 + 2 * line.pin + 1, x86_64::cpu(0).apic_id << 24);
  set_irq_masked_locked(line, true);
  return {};
}

void Platform::irq_unmask(unsigned irq) {
  if (irq >= kIrqCount) return;
  SpinLockGuard guard(g_irq_lock);
  const IrqLine& line = g_irq_lines[irq];
  if (line.handler != nullptr) set_irq_masked_locked(line, false);
}

// A handler already running on the boot CPU may still finish after this
// returns; none starts afterwards.
void Platform::irq_release(unsigned irq) {
  if (irq >= kIrqCount) return;
  SpinLockGuard guard(g_irq_lock);
  IrqLine& line = g_irq_lines[irq];
  if (line.handler == nullptr) return;
  set_irq_masked_locked(line, true);
  line = IrqLine{};
}

uint64_t Platform::monotonic_ns() {
  return x86::tsc_ns();
}

}  // namespace arch
