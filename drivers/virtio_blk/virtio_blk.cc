// virtio_blk: a driver for a virtio block device on PCI through the legacy
// (transitional) interface of its I/O BAR, serving MICA_BLOCK_* through
// block_service, as drivers/ata does.
//
//   virtio_blk [selftest]
//
// Started with no hardware of its own: it claims the device (vendor 0x1af4,
// device 0x1001: QEMU's `-device virtio-blk-pci`) from the PCI service
// (drivers/pci, MICA_PCI_CLAIM), which grants it a resource covering only
// that function's BARs and interrupt line, and holds the claim while it
// lives. It turns on the device's I/O decoding and bus mastering there (as
// the owner), claims its I/O BAR and its interrupt line (the legacy INTx
// line the firmware put in the Interrupt Line register: an ISA IRQ number,
// as MICA_SYS_IRQ_CREATE takes) with that grant, and puts queue 0 and the
// request buffers in DMA memory (MICA_SYS_DMA_CREATE). It logs what it was
// granted, the device's regions as lspci -v shows them; with `selftest` it
// also checks that the ports on either side of its I/O BAR are refused. A request is one chain
// (header, data, status); the driver sleeps on the interrupt until the
// device returns it. A watchdog thread wakes the wait every 100 ms while a
// request is outstanding, so a lost interrupt costs time, never a hang; a
// request the device has not finished after 5 s fails with -EIO and the
// driver exits (the router restarts it, which resets the device).
//
// No virtio device: exit 0 (not restarted); another driver already serving
// "block" (a PC with an IDE disk and a virtio disk): exit 0 too.
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <mica/calls.h>
#include <mica/port_io.h>
#include <mica/protocol.h>
#include <mica/spawn.h>
#include <mica/startup.h>
#include <mica/thread.h>

#include "block_core.h"
#include "block_service.h"
#include "virtqueue.h"

namespace {

// Messages go to the kernel's console: the driver starts before the VFS,
// which carries stdout.
constexpr auto say = mica_debug_printf;

// Legacy registers, from the I/O BAR.
enum : uint16_t {
  kDeviceFeatures = 0x00,  // 32
  kDriverFeatures = 0x04,  // 32
  kQueueAddress = 0x08,    // 32: the queue's page number (physical >> 12)
  kQueueSize = 0x0c,       // 16
  kQueueSelect = 0x0e,     // 16
  kQueueNotify = 0x10,     // 16
  kDeviceStatus = 0x12,    // 8
  kIsrStatus = 0x13,       // 8: reading acknowledges the interrupt
  kDeviceConfig = 0x14,    // without MSI-X: virtio_blk_config (capacity first)
};

// Device status bits.
constexpr uint8_t kAcknowledge = 1;
constexpr uint8_t kDriver = 2;
constexpr uint8_t kDriverOk = 4;
constexpr uint8_t kFailed = 128;

// virtio-blk features.
constexpr uint32_t kFeatureReadOnly = 1u << 5;
constexpr uint32_t kFeatureFlush = 1u << 9;

// Request types and the status byte.
constexpr uint32_t kRequestIn = 0;
constexpr uint32_t kRequestOut = 1;
constexpr uint32_t kRequestFlush = 4;
constexpr uint8_t kStatusOk = 0;

constexpr uint16_t kVirtioVendor = 0x1af4;
constexpr uint16_t kTransitionalBlock = 0x1001;
constexpr uint16_t kModernBlock = 0x1042;
constexpr uint16_t kSubsystemBlock = 2;  // legacy device type

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kRequestTimeout = 5'000 * kMs;
constexpr uint64_t kWatchdogPeriod = 100 * kMs;
// Queues larger than this would not leave room for the buffers in one DMA
// object (legacy devices fix the size; QEMU's is 256).
constexpr uint16_t kLargestQueue = 4096;

struct RequestHeader {
  uint32_t type;
  uint32_t reserved;
  uint64_t sector;
};

uint64_t now_ns() {
  uint64_t t = 0;
  mica_clock_get(&t);
  return t;
}

// A request outstanding since (0: none); the watchdog reads it.
volatile uint64_t g_outstanding_since = 0;

void watchdog(void* argument) {
  mica_handle_t endpoint = static_cast<mica_handle_t>(reinterpret_cast<uintptr_t>(argument));
  for (;;) {
    mica_sleep(kWatchdogPeriod);
    uint64_t since = g_outstanding_since;
    if (since == 0 || now_ns() - since < kWatchdogPeriod) continue;
    mica_message m = {};
    m.label = 0;  // not MICA_LABEL_IRQ: only a reason to look again
    (void)mica_ipc_send(endpoint, &m, MICA_NONBLOCK);
  }
}

class VirtioDisk final : public block::Device {
 public:
  // Sets the device up at I/O port `io` with `irq`. 0, or a negated status
  // with a message printed.
  int init(mica_handle_t resource, uint16_t io, uint16_t io_size, unsigned irq);

  uint64_t sector_count() const override { return sectors_; }
  bool read_only() const { return (features_ & kFeatureReadOnly) != 0; }
  bool has_flush() const { return (features_ & kFeatureFlush) != 0; }
  uint16_t queue_size() const { return queue_.size(); }

  // Stops the device: it forgets the queue and reaches no memory any more.
  void reset() { mica_outb(io_ + kDeviceStatus, 0); }

  int read(uint64_t first, uint32_t count, void* buffer) override;
  int write(uint64_t first, uint32_t count, const void* data) override;
  int flush() override;

 private:
  // Sends a request of `type` for `data_bytes` of the data buffer and waits
  // for it: 0, or -EIO.
  int transfer(uint32_t type, uint64_t sector, uint32_t data_bytes, bool device_writes);
  // Sleeps until the interrupt (or the watchdog) says to look again.
  void wait_interrupt();
  void fail(const char* what);

  uint16_t io_ = 0;
  uint32_t features_ = 0;
  uint64_t sectors_ = 0;
  mica_handle_t irq_ = MICA_HANDLE_INVALID;
  mica_handle_t endpoint_ = MICA_HANDLE_INVALID;
  virtio::SplitQueue queue_;
  // The DMA object: the queue, then a page with the header and status,
  // then the data buffer.
  uint8_t* dma_ = nullptr;
  uint64_t dma_physical_ = 0;
  size_t header_offset_ = 0;
  size_t data_offset_ = 0;
};

void VirtioDisk::fail(const char* what) {
  say("virtio_blk: %s\n", what);
  mica_outb(io_ + kDeviceStatus, kFailed);
}

int VirtioDisk::init(mica_handle_t resource, uint16_t io, uint16_t io_size, unsigned irq) {
  io_ = io;
  int r = mica_ioport_allow(resource, io, io_size);
  if (r != 0) {
    say("virtio_blk: cannot claim ports %#x-%#x: %s\n", io, io + io_size - 1, strerror(-r));
    return r;
  }
  // Reset, then say we have seen it and can drive it.
  mica_outb(io_ + kDeviceStatus, 0);
  mica_outb(io_ + kDeviceStatus, kAcknowledge);
  mica_outb(io_ + kDeviceStatus, kAcknowledge | kDriver);
  features_ = mica_inl(io_ + kDeviceFeatures) & (kFeatureReadOnly | kFeatureFlush);
  mica_outl(io_ + kDriverFeatures, features_);

  mica_outw(io_ + kQueueSelect, 0);
  uint16_t size = mica_inw(io_ + kQueueSize);
  if (!virtio::queue_size_ok(size) || size > kLargestQueue) {
    say("virtio_blk: queue 0 has %u entries: unusable\n", size);
    fail("giving up");
    return -ENODEV;
  }
  virtio::Layout layout = virtio::legacy_layout(size);
  header_offset_ = layout.bytes;
  data_offset_ = header_offset_ + MICA_PAGE_SIZE;
  size_t dma_size = data_offset_ + block::kMaxTransfer;
  mica_handle_t memory;
  r = mica_dma_create(resource, dma_size, &dma_physical_, &memory);
  uintptr_t mapped = 0;
  if (r == 0) {
    r = mica_memory_map(MICA_HANDLE_SELF, memory, 0, dma_size, MICA_PROT_READ | MICA_PROT_WRITE, 0,
                        &mapped);
  }
  if (r != 0) {
    say("virtio_blk: no DMA memory (%zu bytes): %s\n", dma_size, strerror(-r));
    fail("giving up");
    return r;
  }
  mica_handle_close(memory);  // the mapping keeps it
  dma_ = reinterpret_cast<uint8_t*>(mapped);
  if ((dma_physical_ >> 12) > 0xffffffffu) {
    fail("DMA memory beyond the legacy interface's reach");
    return -ENOMEM;
  }
  queue_.init(dma_, size);
  mica_outl(io_ + kQueueAddress, static_cast<uint32_t>(dma_physical_ >> 12));

  r = mica_endpoint_create(4, &endpoint_);
  if (r == 0) r = mica_irq_create(resource, irq, endpoint_, 0, &irq_);
  if (r != 0) {
    say("virtio_blk: cannot claim irq %u: %s\n", irq, strerror(-r));
    fail("giving up");
    return r;
  }
  mica_thread_t thread;
  r = mica_thread_spawn(watchdog, reinterpret_cast<void*>(static_cast<uintptr_t>(endpoint_)), 0,
                        &thread);
  if (r != 0) {
    say("virtio_blk: cannot start the watchdog: %s\n", strerror(-r));
    fail("giving up");
    return r;
  }
  uint32_t low = mica_inl(io_ + kDeviceConfig);
  uint32_t high = mica_inl(io_ + kDeviceConfig + 4);
  sectors_ = block::first_sector(low, high);
  mica_outb(io_ + kDeviceStatus, kAcknowledge | kDriver | kDriverOk);
  if (sectors_ == 0) {
    say("virtio_blk: the device has no medium\n");
    return -ENODEV;
  }
  return 0;
}

void VirtioDisk::wait_interrupt() {
  // Waiting, then taking without blocking: a blocking receive would make
  // this thread forget the block call it is in the middle of answering.
  mica_wait_item item = {endpoint_, MICA_SIGNAL_READABLE, 0};
  if (mica_wait_many(&item, 1, nullptr) <= 0) {
    mica_yield();
    return;
  }
  bool fired = false;
  for (;;) {
    mica_message m = {};
    if (mica_ipc_receive(endpoint_, &m, MICA_NONBLOCK) != 0) break;
    fired = fired || m.label == MICA_LABEL_IRQ;
  }
  if (fired) {
    // Reading the ISR lowers the (level-triggered) line before it is
    // unmasked again.
    (void)mica_inb(io_ + kIsrStatus);
    mica_irq_ack(irq_);
  }
}

int VirtioDisk::transfer(uint32_t type, uint64_t sector, uint32_t data_bytes, bool device_writes) {
  auto* header = reinterpret_cast<volatile RequestHeader*>(dma_ + header_offset_);
  volatile uint8_t* status = dma_ + header_offset_ + sizeof(RequestHeader);
  header->type = type;
  header->reserved = 0;
  header->sector = sector;
  *status = 0xff;  // not a status the device gives
  uint64_t header_physical = dma_physical_ + header_offset_;
  virtio::Buffer chain[3];
  uint16_t n = 0;
  chain[n++] = {header_physical, sizeof(RequestHeader), false};
  if (data_bytes != 0) chain[n++] = {dma_physical_ + data_offset_, data_bytes, device_writes};
  chain[n++] = {header_physical + sizeof(RequestHeader), 1, true};
  int head = queue_.post(chain, n);
  if (head < 0) {
    say("virtio_blk: no free descriptors\n");
    return -EIO;
  }
  queue_.publish();
  uint64_t start = now_ns();
  g_outstanding_since = start;
  mica_outw(io_ + kQueueNotify, 0);
  uint32_t used_head, written;
  while (!queue_.take_used(&used_head, &written)) {
    if (now_ns() - start > kRequestTimeout) {
      g_outstanding_since = 0;
      fail("the device did not complete a request in 5 s");
      mica_process_exit(1);  // the router restarts the driver, which resets the device
    }
    wait_interrupt();
  }
  g_outstanding_since = 0;
  if (used_head != static_cast<uint32_t>(head)) {
    say("virtio_blk: the device returned chain %u, not %d\n", used_head, head);
    return -EIO;
  }
  if (*status != kStatusOk) {
    say("virtio_blk: request %u at sector %llu: status %u\n", type,
        static_cast<unsigned long long>(sector), *status);
    return -EIO;
  }
  return 0;
}

int VirtioDisk::read(uint64_t first, uint32_t count, void* buffer) {
  uint32_t bytes = count * block::kSectorSize;
  int r = transfer(kRequestIn, first, bytes, true);
  if (r == 0) memcpy(buffer, dma_ + data_offset_, bytes);
  return r;
}

int VirtioDisk::write(uint64_t first, uint32_t count, const void* data) {
  if (read_only()) return -EIO;
  uint32_t bytes = count * block::kSectorSize;
  memcpy(dma_ + data_offset_, data, bytes);
  return transfer(kRequestOut, first, bytes, false);
}

int VirtioDisk::flush() {
  // Without the flush feature the device completes writes only once they
  // are stored (write-through): nothing to do.
  if (!has_flush()) return 0;
  return transfer(kRequestFlush, 0, 0, false);
}

// Claims the first transitional virtio block device from the PCI service:
// its entry in *out, the grant in *grant; the claim lasts while *claim (our
// end of the socket pair) stays open. -ENODEV if there is none free (a
// modern-only one is named), -EBUSY if another driver has it.
int claim_device(mica_handle_t pci, mica_pci_device* out, mica_handle_t* grant,
                 mica_handle_t* claim) {
  mica_handle_t pair[2];
  int r = mica_socket_pair(MICA_SOCK_STREAM, pair);
  if (r != 0) return r;
  mica_message m = {};
  m.label = MICA_PCI_CLAIM;
  m.words[0] = MICA_PCI_MATCH_ID;
  m.words[1] = uint32_t{kVirtioVendor} << 16 | kTransitionalBlock;
  m.handle = pair[1];
  m.buffer = out;
  m.buffer_size = sizeof(*out);
  r = mica_ipc_call_message(pci, &m);
  if (r == 0) r = static_cast<int>(static_cast<intptr_t>(m.words[0]));
  if (r == 0 && (m.handle == MICA_HANDLE_INVALID || m.data_size != sizeof(*out))) r = -EIO;
  if (r != 0) {
    if (m.handle != MICA_HANDLE_INVALID && r == -EIO) mica_handle_close(m.handle);
    mica_handle_close(pair[0]);
    if (r == -ENODEV) {
      // Only to say why: a modern-only device is there but not driven.
      static mica_pci_device devices[64];
      mica_message list = {};
      list.label = MICA_PCI_LIST;
      list.buffer = devices;
      list.buffer_size = sizeof(devices);
      if (mica_ipc_call_message(pci, &list) == 0) {
        for (size_t i = 0; i < list.data_size / sizeof(mica_pci_device); ++i) {
          const mica_pci_device& d = devices[i];
          if (d.vendor == kVirtioVendor && d.device == kModernBlock) {
            say("virtio_blk: %02x:%02x.%u is a modern-only device: not supported\n", d.address >> 8,
                (d.address >> 3) & 31, d.address & 7);
          }
        }
      }
    }
    return r;
  }
  *grant = m.handle;
  *claim = pair[0];
  return 0;
}

// What the grant holds, as lspci -v names the regions: "io 0xc040+0x40,
// mem 0xfebf1000+0x1000, ...".
void describe_regions(const mica_pci_device& d, char* text, size_t size) {
  size_t used = 0;
  text[0] = 0;
  for (int i = 0; i < 6; ++i) {
    const mica_pci_bar& b = d.bars[i];
    if (b.size == 0 || b.base == 0) continue;
    int w =
        snprintf(text + used, size - used, "%sregion %d %s %#llx+%#llx", used ? ", " : "", i,
                 (b.flags & MICA_PCI_BAR_IO) ? "io" : "mem",
                 static_cast<unsigned long long>(b.base), static_cast<unsigned long long>(b.size));
    if (w < 0 || static_cast<size_t>(w) >= size - used) break;
    used += static_cast<size_t>(w);
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool selftest = false;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "selftest") == 0) {
      selftest = true;
    } else {
      say("virtio_blk: bad argument \"%s\"\nusage: virtio_blk [selftest]\n", argv[i]);
      return 2;
    }
  }
  mica_handle_t pci;
  int r = mica_service_lookup(MICA_SERVICE_PCI, &pci);
  if (r != 0) {
    say("virtio_blk: no PCI service: %s\n", strerror(-r));
    return r == -ENOENT ? 0 : 1;
  }
  mica_pci_device d;
  mica_handle_t resource, claim;
  r = claim_device(pci, &d, &resource, &claim);
  if (r == -ENODEV) return 0;  // no device: nothing to serve
  if (r != 0) {
    say("virtio_blk: cannot claim the device from the PCI service: %s\n", strerror(-r));
    return 1;
  }
  if (d.subsystem != kSubsystemBlock) {
    say("virtio_blk: device 1af4:1001 has subsystem %u, not a block device's %u\n", d.subsystem,
        kSubsystemBlock);
    return 1;
  }
  char regions[192];
  describe_regions(d, regions, sizeof(regions));
  say("virtio_blk: %02x:%02x.%u granted %s, irq %u\n", d.address >> 8, (d.address >> 3) & 31,
      d.address & 7, regions, d.irq_line);
  const mica_pci_bar& bar = d.bars[0];
  if ((bar.flags & MICA_PCI_BAR_IO) == 0 || bar.size == 0 || bar.base + bar.size > 0x10000) {
    say("virtio_blk: BAR 0 is not an I/O range\n");
    return 1;
  }
  if (d.irq_pin == 0 || d.irq_line == 0 || d.irq_line == 0xff) {
    say("virtio_blk: the device has no interrupt line\n");
    return 1;
  }
  // I/O decoding for the registers, bus mastering for the DMA.
  uint32_t command = 0;
  r = mica_pci_config(pci, MICA_PCI_CONFIG_READ, d.address, 0x04, 2, 0, &command);
  if (r == 0) {
    r = mica_pci_config(pci, MICA_PCI_CONFIG_WRITE, d.address, 0x04, 2, command | 0x1 | 0x4,
                        nullptr);
  }
  if (r != 0) {
    say("virtio_blk: cannot enable the device: %s\n", strerror(-r));
    return 1;
  }
  mica_handle_close(pci);
  if (selftest) {
    // The grant is the BAR: the ports on either side are not in it.
    uint32_t below = static_cast<uint32_t>(bar.base) - 1;
    uint32_t above = static_cast<uint32_t>(bar.base + bar.size);
    int r_below = mica_ioport_allow(resource, below, 1);
    int r_above = mica_ioport_allow(resource, above, 1);
    if (r_below != -EPERM || r_above != -EPERM) {
      say("virtio_blk: FAILED: ports %#x (%d) and %#x (%d) outside BAR 0 are granted\n", below,
          r_below, above, r_above);
      return 1;
    }
    say("virtio_blk: ports %#x and %#x, beside BAR 0, are refused\n", below, above);
  }
  VirtioDisk disk;
  r = disk.init(resource, static_cast<uint16_t>(bar.base), static_cast<uint16_t>(bar.size),
                d.irq_line);
  if (r == -ENODEV) return 0;
  if (r != 0) return 1;
  say("virtio_blk: %02x:%02x.%u disk %llu sectors (%llu MiB), io %#llx, irq %u, queue %u%s%s\n",
      d.address >> 8, (d.address >> 3) & 31, d.address & 7,
      static_cast<unsigned long long>(disk.sector_count()),
      static_cast<unsigned long long>(disk.sector_count() / 2048),
      static_cast<unsigned long long>(bar.base), d.irq_line, disk.queue_size(),
      disk.has_flush() ? ", flush" : "", disk.read_only() ? ", read-only" : "");
  int status = block::serve(disk, {.name = "virtio_blk", .selftest = selftest});
  // `claim` stays open until here: the process ending closes it, and the
  // PCI server frees the device for the next driver.
  (void)claim;
  // Not serving after all (another driver has the root): the device must
  // stop using memory that goes back to the kernel with this process.
  disk.reset();
  return status;
}
