#include <arch/x86/port_io.h>
#include <arch/x86/serial.h>

namespace arch::x86 {
namespace {

constexpr uint16_t kCom1 = 0x3f8;

enum Register : uint16_t {
  kData = 0,             // DLAB=0: THR/RBR; DLAB=1: divisor low
  kInterruptEnable = 1,  // DLAB=1: divisor high
  kFifoControl = 2,
  kLineControl = 3,
  kModemControl = 4,
  kLineStatus = 5,
};

constexpr uint8_t kLineStatusTxEmpty = 1 << 5;

void put(char c) {
  // Bounded wait: a missing UART must not hang the kernel forever.
  for (int spins = 0; spins < 100000; ++spins) {
    if (inb(kCom1 + kLineStatus) & kLineStatusTxEmpty) break;
  }
  outb(kCom1 + kData, static_cast<uint8_t>(c));
}

}  // namespace

void serial_init() {
  outb(kCom1 + kInterruptEnable, 0x00);
  outb(kCom1 + kLineControl, 0x80);  // DLAB on
  outb(kCom1 + kData, 1);            // divisor 1: 115200 baud
  outb(kCom1 + kInterruptEnable, 0);
  outb(kCom1 + kLineControl, 0x03);   // 8N1, DLAB off
  outb(kCom1 + kFifoControl, 0xc7);   // FIFO on, cleared, 14-byte threshold
  outb(kCom1 + kModemControl, 0x03);  // DTR, RTS
}

void serial_write(const char* text, size_t length) {
  for (size_t i = 0; i < length; ++i) {
    if (text[i] == '\n') put('\r');
    put(text[i]);
  }
}

}  // namespace arch::x86
