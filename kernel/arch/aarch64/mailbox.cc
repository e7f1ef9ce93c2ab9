// VideoCore mailbox 0, property channel.
//
// The firmware reads and writes the buffer as another bus master, not
// coherent with the ARM data caches, and takes a VideoCore *bus* address:
//  - The address sent is the buffer's physical address | 0xC0000000, the
//    bus alias through which the VideoCore bypasses its own L2 cache (the
//    "dma-ranges" of both the BCM2837 and the BCM2711 device trees map ARM
//    physical [0, 1 GiB) there; QEMU's bus aliases accept it too). That is
//    why the buffer must lie below 1 GiB.
//  - The ARM caches are on (Normal write-back memory): before the call the
//    buffer's lines are cleaned and invalidated to the point of coherency
//    (dc civac), so the firmware reads the request from RAM; after the reply
//    they are invalidated again (dc civac: no line can be dirty then, and a
//    clean+invalidate is allowed where a bare invalidate might discard a
//    line speculatively refilled during the wait), so the ARM reads the
//    answer from RAM rather than a line fetched while the firmware wrote.
#include "mailbox.h"

#include <arch/platform.h>
#include <board/peripherals.h>

#include "mmio.h"

namespace aarch64::mailbox {
namespace {

constexpr uintptr_t kRead = device(board::kMailboxBase + 0x00);
constexpr uintptr_t kStatus = device(board::kMailboxBase + 0x18);
constexpr uintptr_t kWrite = device(board::kMailboxBase + 0x20);
constexpr uint32_t kStatusFull = 1u << 31;
constexpr uint32_t kStatusEmpty = 1u << 30;
constexpr uint32_t kChannelProperty = 8;
constexpr uint32_t kChannelMask = 0xf;
constexpr uint32_t kBusUncachedAlias = 0xC0000000;
constexpr uint64_t kBusAliasSize = 0x40000000;

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

// Cleans and invalidates [start, start + size) to the point of coherency.
void clean_invalidate_dcache(const void* start, size_t size) {
  uint64_t ctr;
  asm volatile("mrs %0, ctr_el0" : "=r"(ctr));
  uintptr_t line = uintptr_t{4} << ((ctr >> 16) & 0xf);  // DminLine, in words
  uintptr_t address = reinterpret_cast<uintptr_t>(start) & ~(line - 1);
  uintptr_t end = reinterpret_cast<uintptr_t>(start) + size;
  for (; address < end; address += line) {
    asm volatile("dc civac, %0" : : "r"(address) : "memory");
  }
  asm volatile("dsb sy" ::: "memory");
}

}  // namespace

bool property_call(uint32_t* buffer) {
  uint64_t phys = arch::Platform::virt_to_phys(buffer);
  // The low 4 bits of the mailbox word carry the channel.
  if ((phys & kChannelMask) != 0 || phys + buffer[0] > kBusAliasSize) return false;
  uint32_t message = (static_cast<uint32_t>(phys) | kBusUncachedAlias) | kChannelProperty;
  size_t size = buffer[0];

  clean_invalidate_dcache(buffer, size);  // the request is in RAM
  if (!wait_while_status(kStatusFull)) return false;
  mmio_write32(kWrite, message);

  // Other channels' messages may be queued ahead of ours; skip a few.
  for (int skipped = 0; skipped < kMaxForeignMessages; ++skipped) {
    if (!wait_while_status(kStatusEmpty)) return false;
    if (mmio_read32(kRead) == message) {
      // Read the reply only after the firmware wrote it, from RAM.
      clean_invalidate_dcache(buffer, size);
      return true;
    }
  }
  return false;
}

}  // namespace aarch64::mailbox
