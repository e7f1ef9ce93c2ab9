#include <arch/x86/pic.h>
#include <arch/x86/port_io.h>

namespace arch::x86 {
namespace {

constexpr uint16_t kPrimaryCommand = 0x20, kPrimaryData = 0x21;
constexpr uint16_t kSecondaryCommand = 0xa0, kSecondaryData = 0xa1;
constexpr uint8_t kEndOfInterrupt = 0x20;

void io_wait() {
  outb(0x80, 0);
}

}  // namespace

void pic_init() {
  // ICW1: initialise, ICW4 follows. ICW2: vector base. ICW3: cascade on IRQ2.
  // ICW4: 8086 mode.
  outb(kPrimaryCommand, 0x11);
  io_wait();
  outb(kSecondaryCommand, 0x11);
  io_wait();
  outb(kPrimaryData, kPicVectorBase);
  io_wait();
  outb(kSecondaryData, kPicVectorBase + 8);
  io_wait();
  outb(kPrimaryData, 1 << 2);
  io_wait();
  outb(kSecondaryData, 2);
  io_wait();
  outb(kPrimaryData, 0x01);
  io_wait();
  outb(kSecondaryData, 0x01);
  io_wait();
  // Mask everything but the cascade line.
  outb(kPrimaryData, 0xfb);
  outb(kSecondaryData, 0xff);
}

void pic_unmask(unsigned irq) {
  uint16_t port = irq < 8 ? kPrimaryData : kSecondaryData;
  outb(port, static_cast<uint8_t>(inb(port) & ~(1u << (irq % 8))));
}

void pic_mask(unsigned irq) {
  uint16_t port = irq < 8 ? kPrimaryData : kSecondaryData;
  outb(port, static_cast<uint8_t>(inb(port) | (1u << (irq % 8))));
}

void pic_end_of_interrupt(unsigned irq) {
  if (irq >= 8) outb(kSecondaryCommand, kEndOfInterrupt);
  outb(kPrimaryCommand, kEndOfInterrupt);
}

}  // namespace arch::x86
