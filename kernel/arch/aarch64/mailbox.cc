// VideoCore mailbox 0, property channel.
//
// The data cache is off while the MMU is off, so the firmware sees the
// buffer's bytes as soon as the stores complete: a dsb is enough, no cache
// maintenance. (The memory issue that turns caches on must clean and
// invalidate the buffer around the call, or use the uncached bus alias.)
#include "mailbox.h"

#include <board/peripherals.h>

#include "mmio.h"

namespace aarch64::mailbox {
namespace {

constexpr uintptr_t kRead = board::kMailboxBase + 0x00;
constexpr uintptr_t kStatus = board::kMailboxBase + 0x18;
constexpr uintptr_t kWrite = board::kMailboxBase + 0x20;
constexpr uint32_t kStatusFull = 1u << 31;
constexpr uint32_t kStatusEmpty = 1u << 30;
constexpr uint32_t kChannelProperty = 8;
constexpr uint32_t kChannelMask = 0xf;

// The firmware answers in microseconds; this bounds a wait for a mailbox
// that never answers (broken firmware, wrong peripheral base) to well under
// a second on a Pi, so the caller can report it instead of hanging.
constexpr uint32_t kPollLimit = 50'000'000;
constexpr int kMaxForeignMessages = 64;

bool wait_while_status(uint32_t bit) {
  for (uint32_t i = 0; i < kPollLimit; ++i) {
    if ((mmio_read32(kStatus) & bit) == 0) return true;
  }
  return false;
}

}  // namespace

bool property_call(uint32_t* buffer) {
  uintptr_t address = reinterpret_cast<uintptr_t>(buffer);
  // The low 4 bits of the mailbox word carry the channel; the firmware takes
  // a 32-bit address. With caches off the ARM physical address works as the
  // bus address too (the firmware maps both).
  if ((address & kChannelMask) != 0 || address > 0xffffffffu) return false;
  uint32_t message = static_cast<uint32_t>(address) | kChannelProperty;

  data_sync_barrier();  // the request is in memory before the firmware looks
  if (!wait_while_status(kStatusFull)) return false;
  mmio_write32(kWrite, message);

  // Other channels' messages may be queued ahead of ours; skip a few.
  for (int skipped = 0; skipped < kMaxForeignMessages; ++skipped) {
    if (!wait_while_status(kStatusEmpty)) return false;
    if (mmio_read32(kRead) == message) {
      data_sync_barrier();  // read the reply only after the firmware wrote it
      return true;
    }
  }
  return false;
}

}  // namespace aarch64::mailbox
