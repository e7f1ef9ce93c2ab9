// pcitest: checks, against the running PCI server (drivers/pci), that a
// function has one owner at a time, that only its owner writes its
// configuration registers, and that a grant covers exactly the function's
// BARs and interrupt line. The pci-grant boot test (image/BUILD.gn) runs it
// on a PC whose root is on virtio-blk, so virtio_blk holds its device.
//
//   pcitest          the checks; "pcitest: passed", or a line with FAILED
//                    for each that fails (exit 1)
//   pcitest fault    claims the network card, then reads the I/O port just
//                    past its I/O BAR: the process must die of the fault
//                    (the router reports it), and its claim with it
//
// Messages go to the kernel's console, beside the server's own.
#include <stdio.h>
#include <string.h>

#include <errno.h>
#include <mica/calls.h>
#include <mica/port_io.h>
#include <mica/protocol.h>
#include <mica/spawn.h>

namespace {

constexpr auto say = mica_debug_printf;
constexpr uint64_t kPage = MICA_PAGE_SIZE;
constexpr uint16_t kVirtioVendor = 0x1af4;
constexpr uint16_t kVirtioBlock = 0x1001;
constexpr uintptr_t kNetworkClass = 0x0200;  // Ethernet controller

mica_handle_t g_pci = MICA_HANDLE_INVALID;
int g_failures = 0;

#define CHECK(condition, ...)                       \
  do {                                              \
    if (!(condition)) {                             \
      say("pcitest: FAILED (line %d): ", __LINE__); \
      say(__VA_ARGS__);                             \
      say("\n");                                    \
      ++g_failures;                                 \
    }                                               \
  } while (0)

const char* name_of(uint32_t address) {
  static char name[16];
  snprintf(name, sizeof(name), "%02x:%02x.%u", address >> 8, (address >> 3) & 31, address & 7);
  return name;
}

// The server's entry for the first function with vendor:device, or false.
bool find(uint16_t vendor, uint16_t device, mica_pci_device* out) {
  static mica_pci_device devices[64];
  mica_message m = {};
  m.label = MICA_PCI_LIST;
  m.buffer = devices;
  m.buffer_size = sizeof(devices);
  if (mica_ipc_call_message(g_pci, &m) != 0) return false;
  for (size_t i = 0; i < m.data_size / sizeof(mica_pci_device); ++i) {
    if (devices[i].vendor == vendor && devices[i].device == device) {
      *out = devices[i];
      return true;
    }
  }
  return false;
}

struct Claim {
  int result = 0;
  mica_handle_t mine = MICA_HANDLE_INVALID;  // my end of the socket pair: the claim
  mica_handle_t grant = MICA_HANDLE_INVALID;
  mica_pci_device device = {};
};

// MICA_PCI_CLAIM(how, what); the pair's other end goes to the server.
Claim claim(uintptr_t how, uintptr_t what) {
  Claim c;
  mica_handle_t pair[2];
  c.result = mica_socket_pair(MICA_SOCK_STREAM, pair);
  if (c.result != 0) return c;
  mica_message m = {};
  m.label = MICA_PCI_CLAIM;
  m.words[0] = how;
  m.words[1] = what;
  m.handle = pair[1];
  m.buffer = &c.device;
  m.buffer_size = sizeof(c.device);
  c.result = mica_ipc_call_message(g_pci, &m);
  if (c.result == 0) c.result = static_cast<int>(static_cast<intptr_t>(m.words[0]));
  if (c.result == 0) {
    c.mine = pair[0];
    c.grant = m.handle;
  } else {
    mica_handle_close(pair[0]);
  }
  return c;
}

int config(uintptr_t label, uint32_t address, uint32_t offset, uint32_t size, uint32_t value,
           uint32_t* out) {
  return mica_pci_config(g_pci, label, address, offset, size, value, out);
}

// Whether [base, base + size) of `kind` (I/O or memory) meets one of d's BARs.
bool in_bars(const mica_pci_device& d, bool io, uint64_t base, uint64_t size) {
  for (const mica_pci_bar& b : d.bars) {
    if (b.size == 0 || ((b.flags & MICA_PCI_BAR_IO) != 0) != io) continue;
    uint64_t first = io ? b.base : b.base & ~(kPage - 1);
    uint64_t end = io ? b.base + b.size : (b.base + b.size + kPage - 1) & ~(kPage - 1);
    if (base < end && first < base + size) return true;
  }
  return false;
}

// A free page of address space (the kernel picks it), or 0.
uintptr_t free_page() {
  uintptr_t address = 0;
  if (mica_vm_allocate(MICA_HANDLE_SELF, 0, kPage, MICA_PROT_READ, 0, &address) != 0) return 0;
  if (mica_vm_free(MICA_HANDLE_SELF, address, kPage) != 0) return 0;
  return address;
}

// The grant of function `d` covers its BARs and line and nothing beside
// them: every I/O BAR may be allowed and the port on either side not, every
// memory BAR's pages mapped and the page on either side not, its line
// routed (or busy: taken by another driver's identical line) and the other
// PCI lines not.
void check_grant(const Claim& c) {
  const mica_pci_device& d = c.device;
  const char* name = name_of(d.address);
  int ranges = 0;
  for (int i = 0; i < 6; ++i) {
    const mica_pci_bar& b = d.bars[i];
    if (b.size == 0 || b.base == 0) continue;
    ++ranges;
    if (b.flags & MICA_PCI_BAR_IO) {
      uint32_t base = static_cast<uint32_t>(b.base), size = static_cast<uint32_t>(b.size);
      CHECK(mica_ioport_allow(c.grant, base, size) == 0, "%s: ports %#x+%#x not granted", name,
            base, size);
      if (!in_bars(d, true, base - 1, 1)) {
        CHECK(mica_ioport_allow(c.grant, base - 1, 1) == -EPERM, "%s: port %#x granted", name,
              base - 1);
      }
      if (!in_bars(d, true, base + size, 1)) {
        CHECK(mica_ioport_allow(c.grant, base + size, 1) == -EPERM, "%s: port %#x granted", name,
              base + size);
      }
      say("pcitest: %s region %d: ports %#x+%#x granted, %#x and %#x not\n", name, i, base, size,
          base - 1, base + size);
    } else {
      uint64_t first = b.base & ~(kPage - 1);
      uint64_t end = (b.base + b.size + kPage - 1) & ~(kPage - 1);
      for (uint64_t page = first; page < end; page += kPage) {
        uintptr_t at = free_page(), mapped = 0;
        int r = mica_mmio_map(c.grant, page, kPage, at, &mapped);
        CHECK(r == 0, "%s: page %#llx not granted: %s", name, static_cast<unsigned long long>(page),
              strerror(-r));
        if (r == 0) mica_vm_free(MICA_HANDLE_SELF, at, kPage);
      }
      uintptr_t at = free_page(), mapped = 0;
      if (!in_bars(d, false, first - kPage, kPage)) {
        CHECK(mica_mmio_map(c.grant, first - kPage, kPage, at, &mapped) == -EPERM,
              "%s: page %#llx granted", name, static_cast<unsigned long long>(first - kPage));
      }
      if (!in_bars(d, false, end, kPage)) {
        CHECK(mica_mmio_map(c.grant, end, kPage, at, &mapped) == -EPERM, "%s: page %#llx granted",
              name, static_cast<unsigned long long>(end));
      }
      say("pcitest: %s region %d: memory %#llx+%#llx granted, the pages beside it not\n", name, i,
          static_cast<unsigned long long>(first), static_cast<unsigned long long>(end - first));
    }
  }
  mica_handle_t endpoint;
  CHECK(mica_endpoint_create(2, &endpoint) == 0, "no endpoint");
  bool has_line = d.irq_pin != 0 && d.irq_line != 0 && d.irq_line != 0xff;
  static const unsigned kPciLines[] = {5, 9, 10, 11};
  for (unsigned line : kPciLines) {
    mica_handle_t irq;
    int r = mica_irq_create(c.grant, line, endpoint, 0, &irq);
    if (r == 0) mica_handle_close(irq);
    if (has_line && line == d.irq_line) {
      CHECK(r == 0 || r == -EBUSY, "%s: its line %u not granted: %s", name, line, strerror(-r));
    } else {
      CHECK(r == -EPERM, "%s: line %u granted (%d)", name, line, r);
    }
  }
  if (has_line) {
    ++ranges;
    say("pcitest: %s irq %u granted, the other PCI lines not\n", name, d.irq_line);
  }
  mica_handle_close(endpoint);
  CHECK(ranges > 0, "%s: nothing to check", name);
}

int fault() {
  Claim c = claim(MICA_PCI_MATCH_CLASS, kNetworkClass);
  if (c.result != 0) {
    say("pcitest: FAILED: no network card to claim: %s\n", strerror(-c.result));
    return 1;
  }
  for (const mica_pci_bar& b : c.device.bars) {
    if ((b.flags & MICA_PCI_BAR_IO) == 0 || b.size == 0 || b.base == 0) continue;
    uint32_t base = static_cast<uint32_t>(b.base), end = static_cast<uint32_t>(b.base + b.size);
    if (mica_ioport_allow(c.grant, base, end - base) != 0) {
      say("pcitest: FAILED: its ports %#x-%#x are not granted\n", base, end - 1);
      return 1;
    }
    (void)mica_inl(base);  // its own register: fine
    say("pcitest: %s claimed; port %#x read; reading port %#x, past its BAR\n",
        name_of(c.device.address), base, end);
    (void)mica_inb(end);
    say("pcitest: FAILED: port %#x, outside the grant, was read\n", end);
    return 1;
  }
  say("pcitest: FAILED: the network card has no I/O BAR\n");
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  int r = mica_service_lookup(MICA_SERVICE_PCI, &g_pci);
  if (r != 0) {
    say("pcitest: FAILED: no PCI service: %s\n", strerror(-r));
    return 1;
  }
  if (argc == 2 && strcmp(argv[1], "fault") == 0) return fault();
  if (argc != 1) {
    say("pcitest: bad arguments\nusage: pcitest [fault]\n");
    return 2;
  }
  uint32_t me = static_cast<uint32_t>(mica_get_id(MICA_HANDLE_SELF));

  // The disk: virtio_blk has it.
  mica_pci_device disk;
  if (!find(kVirtioVendor, kVirtioBlock, &disk)) {
    say("pcitest: FAILED: no virtio-blk device\n");
    return 1;
  }
  const char* name = name_of(disk.address);
  CHECK(disk.owner != 0, "%s has no owner", name);
  say("pcitest: %s (virtio-blk) is claimed by pid %u\n", name, disk.owner & 0xffff);
  Claim second = claim(MICA_PCI_MATCH_ID, uint32_t{kVirtioVendor} << 16 | kVirtioBlock);
  CHECK(second.result == -EBUSY, "a second claim of %s: %d", name, second.result);
  say("pcitest: a second claim of %s is refused: %s\n", name, strerror(-second.result));
  uint32_t command = 0;
  r = config(MICA_PCI_CONFIG_READ, disk.address, 0x04, 2, 0, &command);
  CHECK(r == 0, "reading %s's command register: %s", name, strerror(-r));
  r = config(MICA_PCI_CONFIG_WRITE, disk.address, 0x04, 2, command, nullptr);
  CHECK(r == -EACCES, "a non-owner's write to %s: %d", name, r);
  say("pcitest: %s's command register reads %#x; a write by a non-owner is refused: %s\n", name,
      command, strerror(-r));

  // The network card: nobody drives it (pcitest fault, run before, died
  // holding it).
  Claim nic = claim(MICA_PCI_MATCH_CLASS, kNetworkClass);
  CHECK(nic.result == 0, "claiming the network card: %s", strerror(-nic.result));
  if (nic.result != 0) return 1;
  const char* nic_name = name_of(nic.device.address);
  say("pcitest: %s (network card) claimed\n", nic_name);
  mica_pci_device listed;
  CHECK(find(nic.device.vendor, nic.device.device, &listed) && listed.owner == me,
        "%s is not listed as mine", nic_name);
  check_grant(nic);
  CHECK(mica_ioport_allow(nic.grant, static_cast<uint32_t>(disk.bars[0].base), 1) == -EPERM,
        "the network card's grant reaches %s's I/O BAR", name);
  r = config(MICA_PCI_CONFIG_READ, nic.device.address, 0x04, 2, 0, &command);
  if (r == 0) r = config(MICA_PCI_CONFIG_WRITE, nic.device.address, 0x04, 2, command, nullptr);
  CHECK(r == 0, "the owner's write to %s's command register: %s", nic_name, strerror(-r));
  uint32_t bar0 = 0;
  r = config(MICA_PCI_CONFIG_READ, nic.device.address, 0x10, 4, 0, &bar0);
  if (r == 0) r = config(MICA_PCI_CONFIG_WRITE, nic.device.address, 0x10, 4, bar0, nullptr);
  CHECK(r == -EPERM, "the owner's write to %s's BAR 0: %d", nic_name, r);
  say("pcitest: the owner may write %s's command register, not its BAR 0: %s\n", nic_name,
      strerror(-r));
  Claim again = claim(MICA_PCI_MATCH_ADDRESS, nic.device.address);
  CHECK(again.result == -EBUSY, "claiming %s twice: %d", nic_name, again.result);
  mica_handle_close(nic.mine);
  Claim after = claim(MICA_PCI_MATCH_ADDRESS, nic.device.address);
  CHECK(after.result == 0, "claiming %s after letting go: %s", nic_name, strerror(-after.result));
  say("pcitest: %s is claimed once at a time, and free again once its claim closes\n", nic_name);

  // Bad requests.
  Claim none = claim(MICA_PCI_MATCH_ID, 0xdeadbeef);
  CHECK(none.result == -ENODEV, "claiming a device that is not there: %d", none.result);
  Claim bad = claim(7, 0);
  CHECK(bad.result == -EINVAL, "a claim of an unknown kind: %d", bad.result);
  mica_message m = {};
  m.label = MICA_PCI_CLAIM;
  m.words[0] = MICA_PCI_MATCH_CLASS;
  m.words[1] = kNetworkClass;
  r = mica_ipc_call_message(g_pci, &m);
  CHECK(r == 0 && static_cast<intptr_t>(m.words[0]) == -EINVAL, "a claim without a socket");
  if (g_failures != 0) {
    say("pcitest: %d checks FAILED\n", g_failures);
    return 1;
  }
  say("pcitest: passed\n");
  return 0;
}
