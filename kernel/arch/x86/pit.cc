#include <arch/x86/pit.h>
#include <arch/x86/port_io.h>

namespace arch::x86 {
namespace {

constexpr uint16_t kChannel0 = 0x40, kChannel2 = 0x42, kCommand = 0x43;
constexpr uint16_t kSpeakerGate = 0x61;

}  // namespace

void pit_start_periodic(uint32_t hz) {
  uint32_t divisor = kPitHz / hz;
  if (divisor > 0xffff) divisor = 0xffff;
  if (divisor < 1) divisor = 1;
  outb(kCommand, 0x34);  // channel 0, lobyte/hibyte, mode 2 (rate generator)
  outb(kChannel0, static_cast<uint8_t>(divisor));
  outb(kChannel0, static_cast<uint8_t>(divisor >> 8));
}

void pit_wait_us(uint32_t microseconds) {
  uint32_t count = static_cast<uint32_t>(uint64_t{kPitHz} * microseconds / 1000000);
  if (count > 0xffff) count = 0xffff;
  // Gate channel 2 off (speaker off), program a one-shot count, gate it on,
  // and poll its OUT bit (port 0x61 bit 5), which rises at terminal count.
  uint8_t gate = inb(kSpeakerGate);
  outb(kSpeakerGate, static_cast<uint8_t>((gate & ~0x02) & ~0x01));
  outb(kCommand, 0xb0);  // channel 2, lobyte/hibyte, mode 0 (interrupt on terminal count)
  outb(kChannel2, static_cast<uint8_t>(count));
  outb(kChannel2, static_cast<uint8_t>(count >> 8));
  outb(kSpeakerGate, static_cast<uint8_t>((gate & ~0x02) | 0x01));
  while ((inb(kSpeakerGate) & 0x20) == 0) {
  }
  outb(kSpeakerGate, gate);
}

}  // namespace arch::x86
