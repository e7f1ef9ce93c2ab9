// sdhci: the SD card of the Raspberry Pi 3B on the Arasan SDHCI controller
// the BCM2837 calls "EMMC" (0x3f300000, GPU interrupt 62), serving
// MICA_BLOCK_* through block_service (//drivers/ata).
//
//   sdhci [mmio=0x3f300000] [irq=62|0] [gpio=0x3f200000|0] [selftest]
//
// Why this controller: QEMU's raspi3b attaches the `-drive if=sd` card to
// it at reset (hw/gpio/bcm2835_gpio.c: "SDHCI is selected by default"; the
// card moves to the SDHOST at 0x3f202000 only when GPIO 48-53 are all set
// to ALT0). On the board the firmware leaves those pins on ALT0 (SDHOST),
// so the driver sets them to ALT3 (the EMMC) with pull-ups on CMD and
// DAT0-3 first, which QEMU ignores (gpio=0 skips it).
//
// Started with the hardware resource. Card set-up: CMD0, CMD8, ACMD41
// until powered up, CMD2, CMD3, CMD9 (the size), CMD7, CMD16 for standard
// capacity cards (byte addresses; SDHC/SDXC use block addresses), ACMD6
// for the 4-bit bus; then 25 MHz. Transfers: CMD17/18 and CMD24/25 (with
// auto CMD12) by PIO through the data port. Every wait is bounded; card or
// controller errors give -EIO (after resetting the command and data
// lines). A wait polls the interrupt status for its first 10 ms, then
// sleeps on the IRQ, looking again at least every 10 ms (block::IrqWaiter
// says why), so a lost interrupt costs time only; irq=0 polls (yielding).
//
// Not handled: the Raspberry Pi 4 (its EMMC2 sits elsewhere behind a GIC),
// DMA, high-speed and UHS modes, the mailbox (the base clock is taken from
// the capabilities, or assumed to be 250 MHz where they say 0), card
// removal.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <mica/calls.h>
#include <mica/startup.h>

#include "block_core.h"
#include "block_service.h"
#include "irq_waiter.h"
#include "sd_core.h"

namespace {

// Registers (32-bit accesses only: the BCM2835's controller has no others).
enum : uint32_t {
  kBlockSizeCount = 0x04,
  kArgument = 0x08,
  kCommandTransfer = 0x0c,  // transfer mode | command << 16; the write issues it
  kResponse0 = 0x10,
  kData = 0x20,
  kPresentState = 0x24,
  kHostControl = 0x28,   // host control 1 | power << 8 | block gap << 16 | wake-up << 24
  kClockControl = 0x2c,  // clock | timeout << 16 | software reset << 24
  kInterruptStatus = 0x30,
  kInterruptStatusEnable = 0x34,
  kInterruptSignalEnable = 0x38,
  kCapabilities = 0x40,
  kSlotVersion = 0xfc,
};

// Command register (bits 31:16 of kCommandTransfer) and transfer mode.
constexpr uint32_t kResponse136 = 1u << 16;
constexpr uint32_t kResponse48 = 2u << 16;
constexpr uint32_t kResponse48Busy = 3u << 16;
constexpr uint32_t kCrcCheck = 1u << 19;
constexpr uint32_t kIndexCheck = 1u << 20;
constexpr uint32_t kDataPresent = 1u << 21;
constexpr uint32_t kR1 = kResponse48 | kCrcCheck | kIndexCheck;  // also R6, R7
constexpr uint32_t kR1b = kResponse48Busy | kCrcCheck | kIndexCheck;
constexpr uint32_t kR2 = kResponse136 | kCrcCheck;
constexpr uint32_t kR3 = kResponse48;
constexpr uint32_t kBlockCountEnable = 1u << 1;
constexpr uint32_t kAutoCmd12 = 1u << 2;
constexpr uint32_t kTransferRead = 1u << 4;
constexpr uint32_t kMultiBlock = 1u << 5;

// Present state.
constexpr uint32_t kCommandInhibit = 1u << 0;
constexpr uint32_t kDataInhibit = 1u << 1;
constexpr uint32_t kCardInserted = 1u << 16;

// Clock control and software reset.
constexpr uint32_t kInternalClockEnable = 1u << 0;
constexpr uint32_t kInternalClockStable = 1u << 1;
constexpr uint32_t kCardClockEnable = 1u << 2;
constexpr uint32_t kDataTimeoutMax = 0xeu << 16;
constexpr uint32_t kResetAll = 1u << 24;
constexpr uint32_t kResetCommandLine = 1u << 25;
constexpr uint32_t kResetDataLine = 1u << 26;

// Host control 1 and power.
constexpr uint32_t kFourBitBus = 1u << 1;
constexpr uint32_t kPower33V = 0x0fu << 8;  // 3.3 V, bus power on

// Interrupt status bits.
constexpr uint32_t kCommandDone = 1u << 0;
constexpr uint32_t kTransferDone = 1u << 1;
constexpr uint32_t kWriteReady = 1u << 4;
constexpr uint32_t kReadReady = 1u << 5;
constexpr uint32_t kErrorSummary = 1u << 15;
constexpr uint32_t kCommandTimeoutError = 1u << 16;
constexpr uint32_t kErrors = 0xffff0000u | kErrorSummary;
constexpr uint32_t kNormalEvents = 0x3f;  // command and transfer done, ..., read ready

// GPIO (BCM2835 peripheral): function selects and pull-up/down control.
enum : uint32_t {
  kGpioSelect4 = 0x10,  // pins 40-49
  kGpioSelect5 = 0x14,  // pins 50-59
  kGpioPull = 0x94,
  kGpioPullClock1 = 0x9c,  // pins 32-53
};
constexpr uint32_t kGpioAlt3 = 7;

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kCommandTimeout = 1'000 * kMs;
constexpr uint64_t kDataTimeout = 2'000 * kMs;
constexpr uint64_t kPowerUpTimeout = 1'000 * kMs;
constexpr uint64_t kIrqSlice = 10 * kMs;
constexpr uint32_t kIdentificationHz = 400'000;
constexpr uint32_t kTransferHz = 25'000'000;
constexpr uint32_t kAssumedBaseHz = 250'000'000;

// Where the driver maps registers: the first free of a few addresses.
constexpr uintptr_t kMapAddresses[] = {0x7e000000, 0x6e000000, 0x5e000000};

uint64_t now_ns() {
  uint64_t t = 0;
  mica_clock_get(&t);
  return t;
}

// Maps the page at `physical`; nullptr (and a message) on failure.
volatile uint32_t* map_registers(mica_handle_t resource, uint64_t physical, uintptr_t offset) {
  int r = -EINVAL;
  for (uintptr_t base : kMapAddresses) {
    uintptr_t address;
    r = mica_mmio_map(resource, physical, MICA_PAGE_SIZE, base + offset, &address);
    if (r == 0) return reinterpret_cast<volatile uint32_t*>(address);
    if (r != -EEXIST) break;
  }
  printf("sdhci: cannot map %#llx: %s\n", static_cast<unsigned long long>(physical), strerror(-r));
  return nullptr;
}

class SdCard final : public block::Device {
 public:
  // Claims the controller, its IRQ (0: poll) and, unless `gpio` is 0, the
  // SD pins; resets the controller and sets the card up. 0, or a negated
  // status with a message printed.
  int init(mica_handle_t resource, uint64_t mmio, unsigned irq, uint64_t gpio);

  uint64_t sector_count() const override { return sectors_; }
  bool high_capacity() const { return high_capacity_; }
  bool uses_irq() const { return irq_.active(); }
  uint32_t clock_hz() const { return clock_hz_; }
  const char* product() const { return product_; }

  int read(uint64_t first, uint32_t count, void* buffer) override;
  int write(uint64_t first, uint32_t count, const void* data) override;
  int flush() override;

 private:
  uint32_t reg(uint32_t offset) const { return registers_[offset / 4]; }
  void set_reg(uint32_t offset, uint32_t value) { registers_[offset / 4] = value; }

  void route_pins(volatile uint32_t* gpio);
  int reset_controller();
  int set_clock(uint32_t hz);
  // Resets the command and data lines after an error.
  void reset_lines();
  // Waits for `bits` of `offset` to read as `value`.
  int wait_register(uint32_t offset, uint32_t bits, uint32_t value, uint64_t timeout);
  // Waits for any of `events` in the interrupt status, then clears them.
  // -EIO on an error bit (left for the caller's reset) or timeout.
  int wait_event(uint32_t events, uint64_t timeout, const char* what);
  void sleep_for_irq(uint32_t events, uint64_t timeout);
  // Whether the interrupt reaches us: a pending command-done, signalled.
  bool probe_irq();
  // Sends `index`: flags are the command register's (kR1 ...), `mode` the
  // transfer mode, `blocks` the block count of a data command. 0; -ETIMEDOUT
  // if the card did not answer; -EIO on other errors.
  int command(uint32_t index, uint32_t argument, uint32_t flags, uint32_t mode = 0,
              uint32_t blocks = 0);
  int app_command(uint32_t index, uint32_t argument, uint32_t flags);
  int init_card();
  int wait_transfer_state();
  uint32_t address(uint64_t sector) const {
    return static_cast<uint32_t>(high_capacity_ ? sector : sector * block::kSectorSize);
  }

  volatile uint32_t* registers_ = nullptr;
  block::IrqWaiter irq_;
  uint32_t base_hz_ = 0;
  bool ten_bit_divider_ = false;
  uint32_t clock_hz_ = 0;
  uint32_t rca_ = 0;
  bool high_capacity_ = false;
  uint64_t sectors_ = 0;
  uint32_t response_[4] = {};
  char product_[6] = {};
};

int SdCard::init(mica_handle_t resource, uint64_t mmio, unsigned irq, uint64_t gpio) {
  registers_ = map_registers(resource, mmio, 0);
  if (registers_ == nullptr) return -EIO;
  if (gpio != 0) {
    volatile uint32_t* pins = map_registers(resource, gpio, MICA_PAGE_SIZE);
    if (pins == nullptr) return -EIO;
    route_pins(pins);
  }
  if (irq != 0) {
    int r = irq_.init(resource, irq);
    if (r != 0) printf("sdhci: cannot claim irq %u (%s): polling\n", irq, strerror(-r));
  }
  int r = reset_controller();
  if (r != 0) return r;
  return init_card();
}

void SdCard::route_pins(volatile uint32_t* gpio) {
  // Pins 48 (CLK), 49 (CMD) and 50-53 (DAT0-3) to ALT3; the others of
  // those registers as they were.
  uint32_t select4 = gpio[kGpioSelect4 / 4];
  select4 &= ~((7u << 24) | (7u << 27));
  gpio[kGpioSelect4 / 4] = select4 | (kGpioAlt3 << 24) | (kGpioAlt3 << 27);
  uint32_t select5 = gpio[kGpioSelect5 / 4];
  select5 &= ~0xfffu;
  gpio[kGpioSelect5 / 4] =
      select5 | kGpioAlt3 | (kGpioAlt3 << 3) | (kGpioAlt3 << 6) | (kGpioAlt3 << 9);
  // Pull-ups on CMD and DAT0-3: the control, 150 cycles, the clock for the
  // pins, 150 cycles, both off again.
  gpio[kGpioPull / 4] = 2;
  mica_sleep(10'000);
  gpio[kGpioPullClock1 / 4] = 0x1fu << (49 - 32);
  mica_sleep(10'000);
  gpio[kGpioPull / 4] = 0;
  gpio[kGpioPullClock1 / 4] = 0;
}

int SdCard::wait_register(uint32_t offset, uint32_t bits, uint32_t value, uint64_t timeout) {
  uint64_t deadline = now_ns() + timeout;
  while ((reg(offset) & bits) != value) {
    if (now_ns() >= deadline) return -EIO;
    mica_yield();
  }
  return 0;
}

int SdCard::reset_controller() {
  set_reg(kClockControl, kResetAll);
  if (wait_register(kClockControl, kResetAll, 0, 100 * kMs) != 0) {
    printf("sdhci: the controller does not come out of reset\n");
    return -EIO;
  }
  uint32_t capabilities = reg(kCapabilities);
  ten_bit_divider_ = ((reg(kSlotVersion) >> 16) & 0xff) >= 2;  // spec 3.00
  base_hz_ = ((capabilities >> 8) & (ten_bit_divider_ ? 0xff : 0x3f)) * 1'000'000;
  if (base_hz_ == 0) base_hz_ = kAssumedBaseHz;
  if ((reg(kPresentState) & kCardInserted) == 0) {
    // The board's card-detect is not wired to this controller: try anyway.
    printf("sdhci: the controller sees no card; trying\n");
  }
  set_reg(kHostControl, kPower33V);
  int r = set_clock(kIdentificationHz);
  if (r != 0) return r;
  // Every event into the status register; none signalled until waited for.
  set_reg(kInterruptSignalEnable, 0);
  set_reg(kInterruptStatusEnable, kErrors | kNormalEvents);
  set_reg(kInterruptStatus, ~0u);
  return 0;
}

int SdCard::set_clock(uint32_t hz) {
  uint32_t control = reg(kClockControl) & ~(kCardClockEnable | 0xffffu);
  set_reg(kClockControl, control);
  uint32_t divider = sd::clock_divider_bits(base_hz_, hz, ten_bit_divider_);
  control = (control & ~0xffffu) | divider | kDataTimeoutMax | kInternalClockEnable;
  set_reg(kClockControl, control);
  if (wait_register(kClockControl, kInternalClockStable, kInternalClockStable, 100 * kMs) != 0) {
    printf("sdhci: the clock does not settle\n");
    return -EIO;
  }
  set_reg(kClockControl, control | kCardClockEnable);
  clock_hz_ = sd::clock_from_divider_bits(base_hz_, divider, ten_bit_divider_);
  return 0;
}

void SdCard::reset_lines() {
  set_reg(kClockControl, reg(kClockControl) | kResetCommandLine | kResetDataLine);
  (void)wait_register(kClockControl, kResetCommandLine | kResetDataLine, 0, 100 * kMs);
  set_reg(kInterruptStatus, ~0u);
}

void SdCard::sleep_for_irq(uint32_t events, uint64_t timeout) {
  if (!irq_.active()) {
    mica_yield();
    return;
  }
  // The line is level-triggered: signal only what is waited for, and lower
  // it again before the acknowledgement unmasks it.
  set_reg(kInterruptSignalEnable, events | kErrors);
  irq_.wait(timeout);
  set_reg(kInterruptSignalEnable, 0);
  irq_.acknowledge();
}

bool SdCard::probe_irq() {
  if (!irq_.active()) return false;
  set_reg(kInterruptStatus, ~0u);
  set_reg(kArgument, 0);
  set_reg(kCommandTransfer, 0);  // CMD0, GO_IDLE_STATE: no response
  if (wait_register(kInterruptStatus, kCommandDone, kCommandDone, kCommandTimeout) != 0) {
    return false;
  }
  set_reg(kInterruptSignalEnable, kCommandDone);
  bool fired = false;
  uint64_t deadline = now_ns() + 100 * kMs;
  while (!fired && now_ns() < deadline) fired = irq_.wait(10 * kMs);
  set_reg(kInterruptSignalEnable, 0);
  set_reg(kInterruptStatus, ~0u);
  irq_.acknowledge();
  return fired;
}

int SdCard::wait_event(uint32_t events, uint64_t timeout, const char* what) {
  uint64_t start = now_ns();
  uint64_t deadline = start + timeout;
  for (;;) {
    uint32_t status = reg(kInterruptStatus);
    if ((status & kErrors) != 0) {
      if ((status & kCommandTimeoutError) == 0) {
        printf("sdhci: %s: interrupt status %#x\n", what, status);
      }
      return (status & kCommandTimeoutError) != 0 ? -ETIMEDOUT : -EIO;
    }
    if ((status & events) != 0) {
      set_reg(kInterruptStatus, status & events);
      return 0;
    }
    uint64_t now = now_ns();
    if (now >= deadline) {
      printf("sdhci: %s: timeout (status %#x, present %#x)\n", what, status, reg(kPresentState));
      return -EIO;
    }
    if (now - start < block::kSpinNs) {
      mica_yield();
      continue;
    }
    uint64_t left = deadline - now;
    sleep_for_irq(events, left < kIrqSlice ? left : kIrqSlice);
  }
}

int SdCard::command(uint32_t index, uint32_t argument, uint32_t flags, uint32_t mode,
                    uint32_t blocks) {
  uint32_t inhibit = kCommandInhibit;
  if ((flags & kDataPresent) != 0 || (flags & kResponse48Busy) == kResponse48Busy) {
    inhibit |= kDataInhibit;
  }
  if (wait_register(kPresentState, inhibit, 0, kCommandTimeout) != 0) {
    printf("sdhci: CMD%u: the lines stay busy (present %#x)\n", index, reg(kPresentState));
    reset_lines();
    return -EIO;
  }
  set_reg(kInterruptStatus, ~0u);
  if ((flags & kDataPresent) != 0) set_reg(kBlockSizeCount, block::kSectorSize | blocks << 16);
  set_reg(kArgument, argument);
  set_reg(kCommandTransfer, mode | flags | index << 24);
  char what[16];
  snprintf(what, sizeof(what), "CMD%u", index);
  int r = wait_event(kCommandDone, kCommandTimeout, what);
  if (r != 0) {
    reset_lines();
    return r;
  }
  for (int i = 0; i < 4; ++i) response_[i] = reg(kResponse0 + 4 * i);
  if ((flags & kResponse48Busy) == kResponse48Busy) {
    // The card holds DAT0 low while busy.
    if (wait_register(kPresentState, kDataInhibit, 0, kDataTimeout) != 0) {
      printf("sdhci: CMD%u: the card stays busy\n", index);
      reset_lines();
      return -EIO;
    }
    set_reg(kInterruptStatus, kTransferDone);
  }
  return 0;
}

int SdCard::app_command(uint32_t index, uint32_t argument, uint32_t flags) {
  int r = command(55, rca_ << 16, kR1);
  if (r != 0) return r;
  return command(index, argument, flags);
}

int SdCard::init_card() {
  bool irq_works = probe_irq();
  if (irq_.active() && !irq_works) {
    printf("sdhci: the interrupt does not arrive: polling\n");
    irq_.release();
  }
  int r = command(0, 0, 0);  // GO_IDLE_STATE
  if (r != 0) return r;
  // SEND_IF_COND: 2.7-3.6 V, check pattern 0xaa. Version 1 cards do not answer.
  r = command(8, 0x1aa, kR1);
  bool version2 = r == 0;
  if (r == 0 && (response_[0] & 0xfff) != 0x1aa) {
    printf("sdhci: CMD8 echo %#x: the card does not take 3.3 V\n", response_[0]);
    return -EIO;
  }
  if (r != 0 && r != -ETIMEDOUT) return r;
  // SD_SEND_OP_COND until the card is powered up; high capacity wanted.
  uint32_t ocr = 0;
  uint64_t deadline = now_ns() + kPowerUpTimeout;
  for (;;) {
    r = app_command(41, (version2 ? 1u << 30 : 0) | 0x00ff8000, kR3);
    if (r == -ETIMEDOUT) {
      printf("sdhci: no card answers\n");
      return -ENODEV;
    }
    if (r != 0) return r;
    ocr = response_[0];
    if ((ocr & (1u << 31)) != 0) break;
    if (now_ns() >= deadline) {
      printf("sdhci: the card does not power up (OCR %#x)\n", ocr);
      return -EIO;
    }
    mica_sleep(10 * kMs);
  }
  high_capacity_ = (ocr & (1u << 30)) != 0;
  r = command(2, 0, kR2);  // ALL_SEND_CID
  if (r != 0) return r;
  for (int i = 0; i < 5; ++i) {
    product_[i] = static_cast<char>(sd::r2_bits(response_, 103 - 8 * i, 96 - 8 * i));
    if (product_[i] < 0x20 || product_[i] > 0x7e) product_[i] = '?';
  }
  r = command(3, 0, kR1);  // SEND_RELATIVE_ADDR (R6)
  if (r != 0) return r;
  rca_ = response_[0] >> 16;
  r = command(9, rca_ << 16, kR2);  // SEND_CSD
  if (r != 0) return r;
  sectors_ = sd::csd_sectors(response_);
  if (sectors_ == 0) {
    printf("sdhci: unknown CSD structure\n");
    return -EIO;
  }
  r = set_clock(kTransferHz);
  if (r != 0) return r;
  r = command(7, rca_ << 16, kR1b);  // SELECT_CARD: to the transfer state
  if (r != 0) return r;
  if (!high_capacity_) {
    r = command(16, block::kSectorSize, kR1);  // SET_BLOCKLEN
    if (r != 0) return r;
  }
  // SET_BUS_WIDTH: 4 bits; the 1-bit bus still works if the card refuses.
  if (app_command(6, 2, kR1) == 0) {
    set_reg(kHostControl, reg(kHostControl) | kFourBitBus);
  }
  return 0;
}

int SdCard::read(uint64_t first, uint32_t count, void* buffer) {
  uint32_t mode = kTransferRead;
  if (count > 1) mode |= kMultiBlock | kBlockCountEnable | kAutoCmd12;
  int r = command(count > 1 ? 18 : 17, address(first), kR1 | kDataPresent, mode, count);
  if (r != 0) return -EIO;
  auto* out = static_cast<uint8_t*>(buffer);
  for (uint32_t b = 0; b < count; ++b) {
    if (wait_event(kReadReady, kDataTimeout, "read") != 0) {
      reset_lines();
      return -EIO;
    }
    for (uint32_t i = 0; i < block::kSectorSize; i += 4) {
      uint32_t word = reg(kData);
      memcpy(out + b * block::kSectorSize + i, &word, 4);  // little-endian, as the card's bytes
    }
  }
  if (wait_event(kTransferDone, kDataTimeout, "read") != 0) {
    reset_lines();
    return -EIO;
  }
  return 0;
}

int SdCard::write(uint64_t first, uint32_t count, const void* data) {
  uint32_t mode = 0;
  if (count > 1) mode |= kMultiBlock | kBlockCountEnable | kAutoCmd12;
  int r = command(count > 1 ? 25 : 24, address(first), kR1 | kDataPresent, mode, count);
  if (r != 0) return -EIO;
  const auto* in = static_cast<const uint8_t*>(data);
  for (uint32_t b = 0; b < count; ++b) {
    if (wait_event(kWriteReady, kDataTimeout, "write") != 0) {
      reset_lines();
      return -EIO;
    }
    for (uint32_t i = 0; i < block::kSectorSize; i += 4) {
      uint32_t word;
      memcpy(&word, in + b * block::kSectorSize + i, 4);
      set_reg(kData, word);
    }
  }
  if (wait_event(kTransferDone, kDataTimeout, "write") != 0) {
    reset_lines();
    return -EIO;
  }
  return 0;
}

int SdCard::wait_transfer_state() {
  // SEND_STATUS until the card is in the transfer state (4) and ready for
  // data (bit 8): whatever it was programming is on the medium.
  uint64_t deadline = now_ns() + kDataTimeout;
  for (;;) {
    int r = command(13, rca_ << 16, kR1);
    if (r != 0) return -EIO;
    uint32_t status = response_[0];
    if (((status >> 9) & 0xf) == 4 && (status & (1u << 8)) != 0) return 0;
    if (now_ns() >= deadline) {
      printf("sdhci: the card stays busy (status %#x)\n", status);
      return -EIO;
    }
    mica_sleep(1 * kMs);
  }
}

int SdCard::flush() {
  return wait_transfer_state();
}

}  // namespace

int main(int argc, char** argv) {
  unsigned long long mmio = 0x3f300000;
  unsigned long long irq = 62;
  unsigned long long gpio = 0x3f200000;
  bool selftest = false;
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    bool ok = true;
    if (strcmp(a, "selftest") == 0) {
      selftest = true;
    } else if (block::parse_number(a, "mmio", &mmio)) {
      ok = mmio % MICA_PAGE_SIZE == 0;
    } else if (block::parse_number(a, "irq", &irq)) {
      ok = irq < 1024;
    } else if (block::parse_number(a, "gpio", &gpio)) {
      ok = gpio % MICA_PAGE_SIZE == 0;
    } else {
      ok = false;
    }
    if (!ok) {
      printf(
          "sdhci: bad argument \"%s\"\nusage: sdhci [mmio=0x3f300000] [irq=62|0] "
          "[gpio=0x3f200000|0] [selftest]\n",
          a);
      return 2;
    }
  }
  mica_handle_t resource = mica_startup_handle(MICA_STARTUP_RESOURCE);
  if (resource == MICA_HANDLE_INVALID) {
    printf("sdhci: started without the hardware resource\n");
    return 1;
  }
  SdCard card;
  if (card.init(resource, mmio, static_cast<unsigned>(irq), gpio) != 0) return 1;
  char interrupt[16] = "polling";
  if (card.uses_irq()) snprintf(interrupt, sizeof(interrupt), "irq %llu", irq);
  uint64_t sectors = card.sector_count();
  printf("sdhci: card \"%s\" %llu sectors (%llu MiB), %s, %u kHz, %s\n", card.product(),
         static_cast<unsigned long long>(sectors), static_cast<unsigned long long>(sectors / 2048),
         card.high_capacity() ? "SDHC" : "SDSC", card.clock_hz() / 1000, interrupt);
  return block::serve(card, {.name = "sdhci", .selftest = selftest});
}
