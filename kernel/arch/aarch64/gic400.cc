// The GIC-400 (GICv2) of the BCM2711 (Raspberry Pi 4), as the firmware's
// armstub leaves it: every interrupt in group 1 (non-secure), so the kernel
// at non-secure EL1 only enables the distributor and each CPU's interface
// and the interrupts it wants (Arm GIC architecture v2 specification).
//
// IPIs are software-generated interrupts: SGI n is arch::Ipi n, sent through
// GICD_SGIR to the target's CPU interface (core n is interface n on the
// BCM2711). SGIs are always enabled on the GIC-400; their priority is set
// per CPU (the registers are banked).
//
// Device interrupts 0-63 (the BCM2835 numbering every Pi shares) are the
// BCM2711's VideoCore interrupts, GIC SPIs 96-159 (BCM2711 ARM peripherals,
// 6.3): level-sensitive, targeted at CPU 0, masked through the distributor's
// set/clear-enable registers (write-1, so no lock is needed).
//
// Untested: QEMU 7.2 has no raspi4b machine.
#include <arch/aarch64/cpu.h>
#include <board/peripherals.h>

#include "interrupt.h"
#include "mmio.h"

namespace aarch64::intc {
namespace {

constexpr uintptr_t kDistributorControl = device(board::kGicDistributorBase + 0x000);
constexpr uintptr_t kDistributorSetEnable = device(board::kGicDistributorBase + 0x100);
constexpr uintptr_t kDistributorClearEnable = device(board::kGicDistributorBase + 0x180);
constexpr uintptr_t kDistributorPriority = device(board::kGicDistributorBase + 0x400);
constexpr uintptr_t kDistributorTargets = device(board::kGicDistributorBase + 0x800);
constexpr uintptr_t kDistributorConfig = device(board::kGicDistributorBase + 0xc00);
constexpr uintptr_t kDistributorSgi = device(board::kGicDistributorBase + 0xf00);
constexpr uintptr_t kCpuControl = device(board::kGicCpuInterfaceBase + 0x00);
constexpr uintptr_t kCpuPriorityMask = device(board::kGicCpuInterfaceBase + 0x04);
constexpr uintptr_t kCpuAcknowledge = device(board::kGicCpuInterfaceBase + 0x0c);
constexpr uintptr_t kCpuEndOfInterrupt = device(board::kGicCpuInterfaceBase + 0x10);

// The non-secure EL1 physical timer's private peripheral interrupt.
constexpr uint32_t kTimerPpi = 30;
constexpr uint32_t kSgiCount = 16;          // IDs 0-15
constexpr uint32_t kIpiCount = 4;           // the SGIs arch::Ipi uses
constexpr uint32_t kFirstSpecialId = 1020;  // 1020-1023: nothing to handle
constexpr uint32_t kFirstDeviceSpi = 96;    // device interrupt 0
constexpr uint32_t kTimerPriority = 0xa0;
constexpr uint32_t kDevicePriority = 0xc0;  // after the tick and IPIs
constexpr uint32_t kIpiPriority = 0x90;     // IPIs before the tick
constexpr uint32_t kLowestPriorityMask = 0xf0;

// Byte-per-interrupt registers (priorities, targets): 32-bit
// read-modify-write of the word holding `id`'s byte.
void set_byte(uintptr_t base, uint32_t id, uint32_t value) {
  uintptr_t address = base + (id / 4) * 4;
  uint32_t shift = (id % 4) * 8;
  mmio_write32(address, (mmio_read32(address) & ~(0xffu << shift)) | (value << shift));
}

void set_priority(uint32_t id, uint32_t priority) {
  set_byte(kDistributorPriority, id, priority);
}

// The distributor (shared; enabling it again is harmless) and the calling
// CPU's interface.
void enable_cpu_interface() {
  mmio_write32(kDistributorControl, 1);  // forward group 1 (non-secure view)
  mmio_write32(kCpuPriorityMask, kLowestPriorityMask);
  mmio_write32(kCpuControl, 1);  // signal group 1 interrupts as IRQ
}

}  // namespace

const char* route_timer() {
  set_priority(kTimerPpi, kTimerPriority);  // banked per CPU, like the enable
  mmio_write32(kDistributorSetEnable + (kTimerPpi / 32) * 4, 1u << (kTimerPpi % 32));
  enable_cpu_interface();
  return "GIC-400 (PPI 30)";
}

void enable_ipis() {
  for (uint32_t id = 0; id < kIpiCount; ++id) set_priority(id, kIpiPriority);
  mmio_write32(kDistributorSetEnable, (1u << kIpiCount) - 1);  // RAO/WI on the GIC-400
  enable_cpu_interface();
}

void send_ipi(unsigned cpu, unsigned kind) {
  // TargetListFilter 0 (the list), CPUTargetList bit `cpu`, SGIINTID.
  mmio_write32(kDistributorSgi, (1u << (16 + cpu)) | kind);
}

PendingInterrupt acknowledge() {
  uint32_t iar = mmio_read32(kCpuAcknowledge);
  uint32_t id = iar & 0x3ff;
  if (id >= kFirstSpecialId) return {InterruptSource::kNone, iar, 0, 0};
  if (id == kTimerPpi) return {InterruptSource::kTimer, iar, 0, 0};
  if (id < kSgiCount) {
    // The IAR carries the sender in bits 12:10; EOI takes the whole value.
    if (id >= kIpiCount) return {InterruptSource::kOther, iar, 0, 0};
    return {InterruptSource::kIpi, iar, 1u << id, 0};
  }
  if (id >= kFirstDeviceSpi && id < kFirstDeviceSpi + kDeviceIrqCount) {
    return {InterruptSource::kDevice, iar, 0, id - kFirstDeviceSpi};
  }
  return {InterruptSource::kOther, iar, 0, 0};
}

void end(PendingInterrupt interrupt) {
  if (interrupt.source != InterruptSource::kNone) mmio_write32(kCpuEndOfInterrupt, interrupt.id);
}

void prepare_device(unsigned irq) {
  uint32_t id = kFirstDeviceSpi + irq;
  set_priority(id, kDevicePriority);
  set_byte(kDistributorTargets, id, 1u << 0);  // CPU interface 0
  // Two configuration bits per interrupt; 0b00 in bit 1 is level-sensitive.
  uintptr_t config = kDistributorConfig + (id / 16) * 4;
  mmio_write32(config, mmio_read32(config) & ~(2u << ((id % 16) * 2)));
}

void mask_device(unsigned irq) {
  uint32_t id = kFirstDeviceSpi + irq;
  mmio_write32(kDistributorClearEnable + (id / 32) * 4, 1u << (id % 32));
}

void unmask_device(unsigned irq) {
  uint32_t id = kFirstDeviceSpi + irq;
  mmio_write32(kDistributorSetEnable + (id / 32) * 4, 1u << (id % 32));
}

}  // namespace aarch64::intc
