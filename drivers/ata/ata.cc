// ata: a PIO driver for the master disk of one PC IDE channel (the primary
// by default: ports 0x1f0-0x1f7 and 0x3f6, IRQ 14), serving MICA_BLOCK_*
// through block_service.
//
//   ata [port=0x1f0] [ctl=0x3f6] [irq=14|0] [selftest]
//
// Started with the hardware resource (MICA_STARTUP_RESOURCE). Commands:
// IDENTIFY DEVICE, READ/WRITE SECTORS (LBA28) and their EXT forms (LBA48,
// for sectors past 2^28), FLUSH CACHE (EXT). Data moves by PIO, a sector at
// a time. A wait polls the alternate status for its first 10 ms, then
// sleeps on the IRQ, looking again at least every 10 ms (block::IrqWaiter
// says why), so a lost interrupt costs time, never a hang. irq=0 polls
// (yielding) throughout. Every wait is bounded: a device
// that stays busy, or reports ERR or DF, fails the request with -EIO (after a timeout the channel
// is reset).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <mica/calls.h>
#include <mica/port_io.h>
#include <mica/startup.h>

#include "ata_identify.h"
#include "block_core.h"
#include "block_service.h"
#include "irq_waiter.h"

namespace {

// Command block registers, from the base port.
enum : uint16_t {
  kData = 0,
  kError = 1,  // read
  kSectorCount = 2,
  kLbaLow = 3,
  kLbaMid = 4,
  kLbaHigh = 5,
  kDevice = 6,
  kStatus = 7,   // read: also acknowledges the interrupt (INTRQ)
  kCommand = 7,  // write
};

// Status (and alternate status) bits.
constexpr uint8_t kBusy = 0x80;
constexpr uint8_t kDeviceFault = 0x20;
constexpr uint8_t kDataRequest = 0x08;
constexpr uint8_t kErrorBit = 0x01;

// Device control (the control port, written).
constexpr uint8_t kSoftwareReset = 0x04;

// Device register: LBA addressing, the master (bits 7 and 5 set, as old
// devices want).
constexpr uint8_t kDeviceLbaMaster = 0xe0;

enum : uint8_t {
  kReadSectors = 0x20,
  kReadSectorsExt = 0x24,
  kWriteSectors = 0x30,
  kWriteSectorsExt = 0x34,
  kFlushCache = 0xe7,
  kFlushCacheExt = 0xea,
  kIdentifyDevice = 0xec,
};

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kCommandTimeout = 10'000 * kMs;  // a spinning-up disk takes seconds
constexpr uint64_t kFlushTimeout = 30'000 * kMs;
constexpr uint64_t kIrqSlice = 10 * kMs;  // the longest sleep between status checks
constexpr uint64_t kLba28Limit = uint64_t{1} << 28;
constexpr size_t kWordsPerSector = block::kSectorSize / 2;

uint64_t now_ns() {
  uint64_t t = 0;
  mica_clock_get(&t);
  return t;
}

class AtaDisk final : public block::Device {
 public:
  AtaDisk(uint16_t base, uint16_t control) : base_(base), control_(control) {}

  // Claims the ports and the IRQ (0: poll), resets the channel and
  // identifies the master. 0, or a negated status with a message printed.
  int init(mica_handle_t resource, unsigned irq);

  uint64_t sector_count() const override { return identity_.sectors; }
  const ata::Identity& identity() const { return identity_; }
  bool uses_irq() const { return irq_.active(); }

  int read(uint64_t first, uint32_t count, void* buffer) override;
  int write(uint64_t first, uint32_t count, const void* data) override;
  int flush() override;

 private:
  // Waits until BSY clears, then reads the status register (which ends the
  // interrupt, so the next one is a new edge) into *status. -EIO on
  // timeout, after resetting the channel.
  int wait_not_busy(uint64_t timeout, uint8_t* status);
  // Waits for the next sector's data request: -EIO on ERR, DF or no DRQ.
  int wait_data_request(const char* what);
  void delay_400ns() {
    for (int i = 0; i < 4; ++i) (void)mica_inb(control_);
  }
  // Loads the address registers and issues `command`.
  void issue(uint8_t command, uint64_t lba, uint32_t count, bool ext);
  bool needs_ext(uint64_t first, uint32_t count) const { return first + count > kLba28Limit; }
  int check_error(uint8_t status, const char* what);
  void reset();

  uint16_t base_;
  uint16_t control_;
  block::IrqWaiter irq_;
  ata::Identity identity_ = {};
};

int AtaDisk::init(mica_handle_t resource, unsigned irq) {
  int r = mica_ioport_allow(resource, base_, 8);
  if (r == 0) r = mica_ioport_allow(resource, control_, 1);
  if (r != 0) {
    printf("ata: cannot claim ports %#x and %#x: %s\n", base_, control_, strerror(-r));
    return r;
  }
  if (irq != 0) {
    r = irq_.init(resource, irq);
    if (r != 0) printf("ata: cannot claim irq %u (%s): polling\n", irq, strerror(-r));
  }
  // A floating bus (no controller, or no device) reads as 0xff.
  mica_outb(base_ + kDevice, kDeviceLbaMaster);
  delay_400ns();
  if (mica_inb(base_ + kStatus) == 0xff) {
    printf("ata: no device at port %#x\n", base_);
    return -ENODEV;
  }
  reset();
  uint8_t status;
  if (wait_not_busy(kCommandTimeout, &status) != 0) {
    printf("ata: the device at port %#x stays busy after a reset\n", base_);
    return -EIO;
  }
  mica_outb(base_ + kDevice, kDeviceLbaMaster);
  delay_400ns();
  mica_outb(base_ + kSectorCount, 0);
  mica_outb(base_ + kLbaLow, 0);
  mica_outb(base_ + kLbaMid, 0);
  mica_outb(base_ + kLbaHigh, 0);
  mica_outb(base_ + kCommand, kIdentifyDevice);
  delay_400ns();
  if (mica_inb(control_) == 0) {
    printf("ata: no master device at port %#x\n", base_);
    return -ENODEV;
  }
  if (wait_not_busy(kCommandTimeout, &status) != 0) return -EIO;
  // ATAPI and SATA devices abort IDENTIFY DEVICE and leave their signature.
  if (mica_inb(base_ + kLbaMid) != 0 || mica_inb(base_ + kLbaHigh) != 0) {
    printf("ata: the device at port %#x is not an ATA disk (signature %02x%02x)\n", base_,
           mica_inb(base_ + kLbaHigh), mica_inb(base_ + kLbaMid));
    return -ENODEV;
  }
  if (check_error(status, "IDENTIFY DEVICE") != 0) return -EIO;
  if ((status & kDataRequest) == 0) {
    printf("ata: IDENTIFY DEVICE gave no data (status %#x)\n", status);
    return -EIO;
  }
  uint16_t words[256];
  mica_insw(base_ + kData, words, 256);
  identity_ = ata::parse_identify(words);
  if (!identity_.lba || identity_.sectors == 0) {
    printf("ata: the disk at port %#x has no LBA addressing\n", base_);
    return -ENODEV;
  }
  return 0;
}

// Waits `ns` without sleeping: a sleep lasts at least until the next tick
// (10 ms), five times the 2 ms a reset needs.
void spin_for(uint64_t ns) {
  uint64_t start = now_ns();
  while (now_ns() - start < ns) mica_yield();
}

void AtaDisk::reset() {
  // SRST for 5 us or more, then nIEN clear: interrupts on; the device is
  // busy within 2 ms.
  mica_outb(control_, kSoftwareReset);
  spin_for(10'000);
  mica_outb(control_, 0);
  spin_for(2 * kMs);
  irq_.drain();
  irq_.acknowledge();
}

int AtaDisk::wait_not_busy(uint64_t timeout, uint8_t* status) {
  uint64_t start = now_ns();
  uint64_t deadline = start + timeout;
  for (;;) {
    if ((mica_inb(control_) & kBusy) == 0) {
      *status = mica_inb(base_ + kStatus);
      // An interrupt that came with this state is spent: the line is free
      // for the next (edge-triggered: the status read lowered INTRQ).
      irq_.drain();
      irq_.acknowledge();
      return 0;
    }
    uint64_t now = now_ns();
    if (now >= deadline) {
      printf("ata: timeout (status %#x): resetting\n", mica_inb(control_));
      reset();
      return -EIO;
    }
    if (now - start < block::kSpinNs) {
      mica_yield();
      continue;
    }
    uint64_t left = deadline - now;
    irq_.wait(left < kIrqSlice ? left : kIrqSlice);
    irq_.acknowledge();
  }
}

int AtaDisk::check_error(uint8_t status, const char* what) {
  if ((status & (kErrorBit | kDeviceFault)) == 0) return 0;
  printf("ata: %s: status %#x, error %#x\n", what, status, mica_inb(base_ + kError));
  return -EIO;
}

int AtaDisk::wait_data_request(const char* what) {
  uint8_t status;
  int r = wait_not_busy(kCommandTimeout, &status);
  if (r != 0) return r;
  if (check_error(status, what) != 0) return -EIO;
  if ((status & kDataRequest) == 0) {
    printf("ata: %s: no data request (status %#x)\n", what, status);
    return -EIO;
  }
  return 0;
}

void AtaDisk::issue(uint8_t command, uint64_t lba, uint32_t count, bool ext) {
  if (ext) {
    mica_outb(base_ + kDevice, kDeviceLbaMaster);
    delay_400ns();
    // The high bytes first: each register is a two-deep FIFO.
    mica_outb(base_ + kSectorCount, static_cast<uint8_t>(count >> 8));
    mica_outb(base_ + kLbaLow, static_cast<uint8_t>(lba >> 24));
    mica_outb(base_ + kLbaMid, static_cast<uint8_t>(lba >> 32));
    mica_outb(base_ + kLbaHigh, static_cast<uint8_t>(lba >> 40));
  } else {
    mica_outb(base_ + kDevice, static_cast<uint8_t>(kDeviceLbaMaster | ((lba >> 24) & 0x0f)));
    delay_400ns();
  }
  mica_outb(base_ + kSectorCount, static_cast<uint8_t>(count));  // 256 (or 65536) is 0
  mica_outb(base_ + kLbaLow, static_cast<uint8_t>(lba));
  mica_outb(base_ + kLbaMid, static_cast<uint8_t>(lba >> 8));
  mica_outb(base_ + kLbaHigh, static_cast<uint8_t>(lba >> 16));
  mica_outb(base_ + kCommand, command);
  delay_400ns();
}

int AtaDisk::read(uint64_t first, uint32_t count, void* buffer) {
  uint8_t status;
  if (wait_not_busy(kCommandTimeout, &status) != 0) return -EIO;
  bool ext = needs_ext(first, count);
  issue(ext ? kReadSectorsExt : kReadSectors, first, count, ext);
  auto* out = static_cast<uint8_t*>(buffer);
  for (uint32_t i = 0; i < count; ++i) {
    if (wait_data_request("READ SECTORS") != 0) return -EIO;
    mica_insw(base_ + kData, out + i * block::kSectorSize, kWordsPerSector);
  }
  if (wait_not_busy(kCommandTimeout, &status) != 0) return -EIO;
  return check_error(status, "READ SECTORS");
}

int AtaDisk::write(uint64_t first, uint32_t count, const void* data) {
  uint8_t status;
  if (wait_not_busy(kCommandTimeout, &status) != 0) return -EIO;
  bool ext = needs_ext(first, count);
  issue(ext ? kWriteSectorsExt : kWriteSectors, first, count, ext);
  const auto* in = static_cast<const uint8_t*>(data);
  // No interrupt before the first sector; one after each.
  for (uint32_t i = 0; i < count; ++i) {
    if (wait_data_request("WRITE SECTORS") != 0) return -EIO;
    mica_outsw(base_ + kData, in + i * block::kSectorSize, kWordsPerSector);
  }
  if (wait_not_busy(kCommandTimeout, &status) != 0) return -EIO;
  return check_error(status, "WRITE SECTORS");
}

int AtaDisk::flush() {
  uint8_t status;
  if (wait_not_busy(kCommandTimeout, &status) != 0) return -EIO;
  mica_outb(base_ + kDevice, kDeviceLbaMaster);
  delay_400ns();
  mica_outb(base_ + kCommand, identity_.lba48 ? kFlushCacheExt : kFlushCache);
  delay_400ns();
  if (wait_not_busy(kFlushTimeout, &status) != 0) return -EIO;
  return check_error(status, "FLUSH CACHE");
}

}  // namespace

int main(int argc, char** argv) {
  unsigned long long base = 0x1f0;
  unsigned long long control = 0x3f6;
  unsigned long long irq = 14;
  bool selftest = false;
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    bool ok = true;
    if (strcmp(a, "selftest") == 0) {
      selftest = true;
    } else if (block::parse_number(a, "port", &base)) {
      ok = base <= 0xfff8;
    } else if (block::parse_number(a, "ctl", &control)) {
      ok = control <= 0xffff;
    } else if (block::parse_number(a, "irq", &irq)) {
      ok = irq < 256;
    } else {
      ok = false;
    }
    if (!ok) {
      printf(
          "ata: bad argument \"%s\"\nusage: ata [port=0x1f0] [ctl=0x3f6] [irq=14|0] [selftest]\n",
          a);
      return 2;
    }
  }
  mica_handle_t resource = mica_startup_handle(MICA_STARTUP_RESOURCE);
  if (resource == MICA_HANDLE_INVALID) {
    printf("ata: started without the hardware resource\n");
    return 1;
  }
  AtaDisk disk(static_cast<uint16_t>(base), static_cast<uint16_t>(control));
  int status = disk.init(resource, static_cast<unsigned>(irq));
  // No disk is not a failure: there is nothing to serve (exit 0: the router
  // does not restart a server that finished).
  if (status == -ENODEV) return 0;
  if (status != 0) return 1;
  const ata::Identity& id = disk.identity();
  char interrupt[16] = "polling";
  if (disk.uses_irq()) snprintf(interrupt, sizeof(interrupt), "irq %llu", irq);
  printf("ata: disk %llu sectors (%llu MiB), %s, %s, \"%s\"\n",
         static_cast<unsigned long long>(id.sectors),
         static_cast<unsigned long long>(id.sectors / 2048), id.lba48 ? "LBA48" : "LBA28",
         interrupt, id.model);
  return block::serve(disk, {.name = "ata", .selftest = selftest});
}
