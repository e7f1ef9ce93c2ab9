// PL011 UART0 console driver.
//
// On a real Pi 3 the firmware gives GPIO14/15 to the PL011 only when
// Bluetooth is moved off it: config.txt needs `dtoverlay=disable-bt` (or
// `dtoverlay=miniuart-bt`), otherwise the PL011 drives the Bluetooth chip and
// nothing reaches the serial header. The Pi 4 behaves the same way.
#include "pl011.h"

#include <board/peripherals.h>

#include "mmio.h"

namespace aarch64::pl011 {
namespace {

// PL011 registers (ARM PrimeCell UART TRM, DDI0183).
constexpr uintptr_t kData = device(board::kPl011Base + 0x00);
constexpr uintptr_t kFlags = device(board::kPl011Base + 0x18);
constexpr uintptr_t kIntegerBaud = device(board::kPl011Base + 0x24);
constexpr uintptr_t kFractionalBaud = device(board::kPl011Base + 0x28);
constexpr uintptr_t kLineControl = device(board::kPl011Base + 0x2c);
constexpr uintptr_t kControl = device(board::kPl011Base + 0x30);
constexpr uintptr_t kInterruptMask = device(board::kPl011Base + 0x38);
constexpr uintptr_t kInterruptClear = device(board::kPl011Base + 0x44);

constexpr uint32_t kFlagBusy = 1u << 3;
constexpr uint32_t kFlagTxFull = 1u << 5;
constexpr uint32_t kLineFifoEnable = 1u << 4;
constexpr uint32_t kLineWord8 = 3u << 5;
constexpr uint32_t kControlEnable = 1u << 0;
constexpr uint32_t kControlTxEnable = 1u << 8;
constexpr uint32_t kControlRxEnable = 1u << 9;
constexpr uint32_t kAllInterrupts = 0x7ff;

// Baud divisor = clock / (16 * baud), as 16.6 fixed point, rounded:
// 48 MHz / (16 * 115200) = 26.042 -> IBRD 26, FBRD round(0.042 * 64) = 3.
constexpr uint32_t kBaud = 115200;
constexpr uint32_t kDivisor64 = (board::kPl011ClockHz * 8 / kBaud + 1) / 2;
constexpr uint32_t kIbrd = kDivisor64 >> 6;
constexpr uint32_t kFbrd = kDivisor64 & 0x3f;
static_assert(kIbrd >= 1 && kIbrd <= 0xffff, "PL011 clock cannot make 115200 baud");

// GPIO (BCM2835/BCM2711 ARM peripherals manuals, chapter 6).
constexpr uintptr_t kGpioFunctionSelect1 = device(board::kGpioBase + 0x04);  // pins 10-19
constexpr uintptr_t kGpioPull = device(board::kGpioBase + 0x94);             // BCM2835/7
constexpr uintptr_t kGpioPullClock0 = device(board::kGpioBase + 0x98);       // BCM2835/7
constexpr uintptr_t kGpioPullControl0 = device(board::kGpioBase + 0xe4);     // BCM2711, pins 0-15
constexpr uint32_t kFunctionAlt0 = 4;
constexpr uint32_t kTxPin = 14;
constexpr uint32_t kRxPin = 15;

void delay_cycles(int count) {
  for (int i = 0; i < count; ++i) asm volatile("nop");
}

// Gives GPIO14 (TXD0) and GPIO15 (RXD0) to the PL011, pulls disabled.
void route_pins() {
  uint32_t select = mmio_read32(kGpioFunctionSelect1);
  constexpr uint32_t kShifts[] = {(kTxPin - 10) * 3, (kRxPin - 10) * 3};  // 3 bits per pin
  for (uint32_t shift : kShifts) {
    select = (select & ~(7u << shift)) | (kFunctionAlt0 << shift);
  }
  mmio_write32(kGpioFunctionSelect1, select);

  if (board::kGpioHasPullRegisters) {
    uint32_t pulls = mmio_read32(kGpioPullControl0);
    pulls &= ~((3u << (kTxPin * 2)) | (3u << (kRxPin * 2)));  // 0 = no pull
    mmio_write32(kGpioPullControl0, pulls);
  } else {
    // The BCM2835 sequence: set the pull, wait 150 cycles for it to settle,
    // clock it into the chosen pins, wait again, remove the clock.
    mmio_write32(kGpioPull, 0);
    delay_cycles(150);
    mmio_write32(kGpioPullClock0, (1u << kTxPin) | (1u << kRxPin));
    delay_cycles(150);
    mmio_write32(kGpioPullClock0, 0);
  }
}

void put(char c) {
  while ((mmio_read32(kFlags) & kFlagTxFull) != 0) {
  }
  mmio_write32(kData, static_cast<uint8_t>(c));
}

}  // namespace

void init() {
  // The TRM's order: disable, let the current character finish, flush the
  // FIFOs (clearing FEN), program the divisors, then LCRH (which latches
  // them), then enable.
  mmio_write32(kControl, 0);
  flush();
  mmio_write32(kLineControl, 0);
  route_pins();
  mmio_write32(kInterruptMask, 0);
  mmio_write32(kInterruptClear, kAllInterrupts);
  mmio_write32(kIntegerBaud, kIbrd);
  mmio_write32(kFractionalBaud, kFbrd);
  mmio_write32(kLineControl, kLineWord8 | kLineFifoEnable);  // 8N1, FIFOs on
  mmio_write32(kControl, kControlEnable | kControlTxEnable | kControlRxEnable);
}

void write(const char* text, size_t length) {
  for (size_t i = 0; i < length; ++i) {
    if (text[i] == '\n') put('\r');
    put(text[i]);
  }
}

void flush() {
  while ((mmio_read32(kFlags) & kFlagBusy) != 0) {
  }
}

}  // namespace aarch64::pl011
