#include "uart.h"

namespace console {
namespace {

// Bounded transmit waits: a wedged UART must not hang the server forever
// (the kernel's own driver does the same).
constexpr int kTransmitSpins = 100000;

}  // namespace

#if MICA_HAS_PORT_IO
namespace {

// 16550 registers (DLAB = 0, as the kernel leaves LCR), offsets from the base.
enum Register16550 : uint16_t {
  kData = 0,  // RBR / THR
  kInterruptEnable = 1,
  kModemControl = 4,
  kLineStatus = 5,
};

constexpr uint8_t kEnableReceivedData = 1 << 0;  // also the FIFO's timeout
constexpr uint8_t kModemOut2 = 1 << 3;           // on PCs, gates the UART's IRQ line
constexpr uint8_t kLineDataReady = 1 << 0;
constexpr uint8_t kLineTransmitEmpty = 1 << 5;

}  // namespace

bool Uart16550::present() const {
  return mica_inb(base_ + kLineStatus) != 0xff;
}

void Uart16550::enable_receive_interrupt() {
  mica_outb(base_ + kInterruptEnable, kEnableReceivedData);
  // The kernel leaves DTR and RTS on; OUT2 connects the interrupt.
  mica_outb(base_ + kModemControl, mica_inb(base_ + kModemControl) | kModemOut2);
}

bool Uart16550::read(char* byte) {
  if ((mica_inb(base_ + kLineStatus) & kLineDataReady) == 0) return false;
  *byte = static_cast<char>(mica_inb(base_ + kData));
  return true;
}

void Uart16550::write(char byte) {
  for (int spins = 0; spins < kTransmitSpins; ++spins) {
    if ((mica_inb(base_ + kLineStatus) & kLineTransmitEmpty) != 0) break;
  }
  mica_outb(base_ + kData, static_cast<uint8_t>(byte));
}
#endif

namespace {

// PL011 registers (ARM PrimeCell UART TRM, DDI0183), as 32-bit word indexes.
enum RegisterPl011 : uint32_t {
  kPl011Data = 0x00 / 4,
  kPl011Flags = 0x18 / 4,
  kPl011InterruptMask = 0x38 / 4,
  kPl011InterruptClear = 0x44 / 4,
};

constexpr uint32_t kFlagReceiveEmpty = 1u << 4;
constexpr uint32_t kFlagTransmitFull = 1u << 5;
constexpr uint32_t kDataBreak = 1u << 10;               // the "byte" is a line break
constexpr uint32_t kInterruptReceive = 1u << 4;         // RXIM: FIFO at its level
constexpr uint32_t kInterruptReceiveTimeout = 1u << 6;  // RTIM: bytes waiting, line idle
constexpr uint32_t kInterruptAll = 0x7ff;

}  // namespace

void Pl011::enable_receive_interrupt() {
  registers_[kPl011InterruptClear] = kInterruptAll;
  registers_[kPl011InterruptMask] = kInterruptReceive | kInterruptReceiveTimeout;
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

void Pl011::write(char byte) {
  for (int spins = 0; spins < kTransmitSpins; ++spins) {
    if ((registers_[kPl011Flags] & kFlagTransmitFull) == 0) break;
  }
  registers_[kPl011Data] = static_cast<uint8_t>(byte);
}

void Pl011::end_of_interrupt() {
  // Draining cleared the receive interrupts; errors (overrun...) stay
  // latched until cleared.
  registers_[kPl011InterruptClear] = kInterruptAll;
}

}  // namespace console
