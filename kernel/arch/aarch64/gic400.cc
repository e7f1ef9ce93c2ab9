// The GIC-400 (GICv2) of the BCM2711 (Raspberry Pi 4), as the firmware's
// armstub leaves it: every interrupt in group 1 (non-secure), so the kernel
// at non-secure EL1 only enables the distributor and its CPU interface and
// the interrupts it wants (Arm GIC architecture v2 specification).
//
// Untested: QEMU 7.2 has no raspi4b machine.
#include <board/peripherals.h>

#include "interrupt.h"
#include "mmio.h"

namespace aarch64::intc {
namespace {

constexpr uintptr_t kDistributorControl = device(board::kGicDistributorBase + 0x000);
constexpr uintptr_t kDistributorSetEnable = device(board::kGicDistributorBase + 0x100);
constexpr uintptr_t kDistributorPriority = device(board::kGicDistributorBase + 0x400);
constexpr uintptr_t kCpuControl = device(board::kGicCpuInterfaceBase + 0x00);
constexpr uintptr_t kCpuPriorityMask = device(board::kGicCpuInterfaceBase + 0x04);
constexpr uintptr_t kCpuAcknowledge = device(board::kGicCpuInterfaceBase + 0x0c);
constexpr uintptr_t kCpuEndOfInterrupt = device(board::kGicCpuInterfaceBase + 0x10);

// The non-secure EL1 physical timer's private peripheral interrupt.
constexpr uint32_t kTimerPpi = 30;
constexpr uint32_t kFirstSpecialId = 1020;  // 1020-1023: nothing to handle
constexpr uint32_t kTimerPriority = 0xa0;
constexpr uint32_t kLowestPriorityMask = 0xf0;

}  // namespace

const char* route_timer() {
  // Priorities are bytes, four to a register; 32-bit read-modify-write.
  uintptr_t priority = kDistributorPriority + (kTimerPpi / 4) * 4;
  uint32_t shift = (kTimerPpi % 4) * 8;
  mmio_write32(priority, (mmio_read32(priority) & ~(0xffu << shift)) | (kTimerPriority << shift));
  mmio_write32(kDistributorSetEnable + (kTimerPpi / 32) * 4, 1u << (kTimerPpi % 32));
  mmio_write32(kDistributorControl, 1);  // forward group 1 (non-secure view)
  mmio_write32(kCpuPriorityMask, kLowestPriorityMask);
  mmio_write32(kCpuControl, 1);  // signal group 1 interrupts as IRQ
  return "GIC-400 (PPI 30)";
}

PendingInterrupt acknowledge() {
  uint32_t iar = mmio_read32(kCpuAcknowledge);
  uint32_t id = iar & 0x3ff;
  if (id >= kFirstSpecialId) return {InterruptSource::kNone, iar};
  if (id == kTimerPpi) return {InterruptSource::kTimer, iar};
  return {InterruptSource::kOther, iar};
}

void end(PendingInterrupt interrupt) {
  if (interrupt.source != InterruptSource::kNone) mmio_write32(kCpuEndOfInterrupt, interrupt.id);
}

}  // namespace aarch64::intc
