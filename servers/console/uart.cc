#include "uart.h"

namespace console {

#if MICA_HAS_PORT_IO
namespace {

// 16550 registers (DLAB = 0, as the kernel leaves LCR), offsets from the base.
enum Register16550 : uint16_t {
  kData = 0,  // RBR / THR
  kInterruptEnable = 1,
  kInterruptId = 2,  // IIR (read); FCR when written
  kModemControl = 4,
  kLineStatus = 5,
  kModemStatus = 6,
};

constexpr uint8_t kEnableReceivedData = 1 << 0;  // also the FIFO's timeout
constexpr uint8_t kEnableTransmitEmpty = 1 << 1;
constexpr uint8_t kModemOut2 = 1 << 3;  // on PCs, gates the UART's IRQ line
constexpr uint8_t kLineDataReady = 1 << 0;
constexpr uint8_t kLineTransmitEmpty = 1 << 5;  // THR (the whole FIFO) empty
// IIR: bit 0 set if nothing is pending, else bits 3..1 the highest source.
constexpr uint8_t kIdNonePending = 1 << 0;
constexpr uint8_t kIdMask = 0x0e;
constexpr uint8_t kIdLineStatus = 0x06;
constexpr uint8_t kIdReceivedData = 0x04;
constexpr uint8_t kIdCharacterTimeout = 0x0c;
constexpr uint8_t kIdTransmitEmpty = 0x02;
constexpr uint8_t kIdModemStatus = 0x00;
constexpr uint8_t kIdFifosEnabled = 0xc0;
constexpr size_t kFifoBurst = 15;  // of 16: one left for the kernel

}  // namespace

bool Uart16550::present() const {
  return mica_inb(base_ + kLineStatus) != 0xff;
}

void Uart16550::enable_receive_interrupt() {
  burst_ = (mica_inb(base_ + kInterruptId) & kIdFifosEnabled) == kIdFifosEnabled ? kFifoBurst : 1;
  mica_outb(base_ + kInterruptEnable, kEnableReceivedData);
  // The kernel leaves DTR and RTS on; OUT2 connects the interrupt.
  mica_outb(base_ + kModemControl, mica_inb(base_ + kModemControl) | kModemOut2);
}

bool Uart16550::read(char* byte) {
  if ((mica_inb(base_ + kLineStatus) & kLineDataReady) == 0) return false;
  *byte = static_cast<char>(mica_inb(base_ + kData));
  return true;
}

unsigned Uart16550::interrupt_causes() {
  uint8_t id = mica_inb(base_ + kInterruptId);
  if ((id & kIdNonePending) != 0) return 0;
  switch (id & kIdMask) {
    case kIdReceivedData:
    case kIdCharacterTimeout:
      return kCauseReceive;
    case kIdTransmitEmpty:
      return kCauseTransmit;  // reading IIR cleared it
    case kIdLineStatus:
      (void)mica_inb(base_ + kLineStatus);  // an overrun or framing error: cleared
      return kCauseOther;
    case kIdModemStatus:
      (void)mica_inb(base_ + kModemStatus);
      return kCauseOther;
    default:
      return kCauseOther;
  }
}

size_t Uart16550::transmit_room() {
  return (mica_inb(base_ + kLineStatus) & kLineTransmitEmpty) != 0 ? burst_ : 0;
}

void Uart16550::transmit(const char* bytes, size_t count) {
  for (size_t i = 0; i < count; ++i) mica_outb(base_ + kData, static_cast<uint8_t>(bytes[i]));
}

void Uart16550::set_transmit_interrupt(bool enabled) {
  mica_outb(base_ + kInterruptEnable, kEnableReceivedData | (enabled ? kEnableTransmitEmpty : 0));
}
#endif

namespace {

// PL011 registers (ARM PrimeCell UART TRM, DDI0183), as 32-bit word indexes.
enum RegisterPl011 : uint32_t {
  kPl011Data = 0x00 / 4,
  kPl011Flags = 0x18 / 4,
  kPl011FifoLevel = 0x34 / 4,
  kPl011InterruptMask = 0x38 / 4,
  kPl011MaskedStatus = 0x40 / 4,
  kPl011InterruptClear = 0x44 / 4,
};

constexpr uint32_t kFlagReceiveEmpty = 1u << 4;
constexpr uint32_t kFlagTransmitFull = 1u << 5;
constexpr uint32_t kFlagTransmitEmpty = 1u << 7;
constexpr uint32_t kDataBreak = 1u << 10;               // the "byte" is a line break
constexpr uint32_t kInterruptReceive = 1u << 4;         // RXIM: FIFO at its level
constexpr uint32_t kInterruptTransmit = 1u << 5;        // TXIM: FIFO down to its level
constexpr uint32_t kInterruptReceiveTimeout = 1u << 6;  // RTIM: bytes waiting, line idle
constexpr uint32_t kInterruptAll = 0x7ff;
constexpr uint32_t kInterruptsReceive = kInterruptReceive | kInterruptReceiveTimeout;
// IFLS TXIFLSEL (bits 2..0): 0b001, a quarter full.
constexpr uint32_t kFifoLevelTransmitMask = 7u << 0;
constexpr uint32_t kFifoLevelTransmitQuarter = 1u << 0;
// What an empty transmit FIFO takes at once: the BCM2835's holds 16 (the
// PL011 r1.5's 32), one left for the kernel's, as on the 16550.
constexpr size_t kPl011Burst = 15;

}  // namespace

void Pl011::enable_receive_interrupt() {
  registers_[kPl011InterruptClear] = kInterruptAll;
  registers_[kPl011FifoLevel] =
      (registers_[kPl011FifoLevel] & ~kFifoLevelTransmitMask) | kFifoLevelTransmitQuarter;
  registers_[kPl011InterruptMask] = kInterruptsReceive;
}

bool Pl011::read(char* byte) {
  for (;;) {
    if ((registers_[kPl011Flags] & kFlagReceiveEmpty) != 0) return false;
    uint32_t data = registers_[kPl011Data];
    if ((data & kDataBreak) != 0) continue;  // not a character
    *byte = static_cast<char>(data & 0xff);
    return true;
  }
}

unsigned Pl011::interrupt_causes() {
  uint32_t status = registers_[kPl011MaskedStatus];
  unsigned causes = 0;
  if ((status & kInterruptsReceive) != 0) causes |= kCauseReceive;
  if ((status & kInterruptTransmit) != 0) {
    // Cleared here: the refill that follows fills the FIFO above the level
    // (or finds nothing to send and masks it).
    registers_[kPl011InterruptClear] = kInterruptTransmit;
    causes |= kCauseTransmit;
  }
  if ((status & ~(kInterruptsReceive | kInterruptTransmit)) != 0) {
    registers_[kPl011InterruptClear] = status & ~(kInterruptsReceive | kInterruptTransmit);
    causes |= kCauseOther;
  }
  return causes;
}

void Pl011::end_of_interrupt() {
  // Draining cleared the receive interrupts; errors (overrun...) stay
  // latched until cleared. Not the transmit one: that is the refill's.
  registers_[kPl011InterruptClear] = kInterruptAll & ~kInterruptTransmit;
}

size_t Pl011::transmit_room() {
  uint32_t flags = registers_[kPl011Flags];
  if ((flags & kFlagTransmitFull) != 0) return 0;
  return (flags & kFlagTransmitEmpty) != 0 ? kPl011Burst : 1;
}

void Pl011::transmit(const char* bytes, size_t count) {
  for (size_t i = 0; i < count; ++i) registers_[kPl011Data] = static_cast<uint8_t>(bytes[i]);
}

void Pl011::set_transmit_interrupt(bool enabled) {
  if (!enabled) registers_[kPl011InterruptClear] = kInterruptTransmit;
  registers_[kPl011InterruptMask] = kInterruptsReceive | (enabled ? kInterruptTransmit : 0);
}

}  // namespace console
