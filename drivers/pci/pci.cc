// pci: the PC's PCI bus, enumerated through configuration mechanism #1
// (ports 0xcf8/0xcfc), and a service that lists what it found and reads and
// writes the configuration registers of those functions (MICA_PCI_*,
// <mica/protocol.h>), so that device drivers need no ports of their own
// for it.
//
//   pci
//
// Started with the hardware resource (MICA_STARTUP_RESOURCE); it claims
// ports 0xcf8-0xcff only. Logs one line per function, as lspci does:
// "pci: 00:01.1 8086:7010 0101 IDE interface". No bus (the address
// register does not hold what was written) is not a failure: it exits 0.
// Writes are serialised by the one serving thread, so the address/data
// pair is never interleaved.
//
// TODO(issue 6): any client may write any register of any function it
// found; the router's per-device grants should narrow that.
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <errno.h>
#include <mica/calls.h>
#include <mica/port_io.h>
#include <mica/protocol.h>
#include <mica/startup.h>

#include "pci_core.h"

namespace {

// Messages go to the kernel's console: the driver starts before the VFS,
// which carries stdout.
constexpr auto say = mica_debug_printf;

constexpr uint16_t kAddressPort = 0xcf8;
constexpr uint16_t kDataPort = 0xcfc;
constexpr size_t kMaxFunctions = 256;

class PortConfigSpace final : public pci::ConfigSpace {
 public:
  uint32_t read32(uint8_t bus, uint8_t device, uint8_t function, uint8_t offset) override {
    mica_outl(kAddressPort, pci::config_address(bus, device, function, offset));
    return mica_inl(kDataPort);
  }
  void write32(uint8_t bus, uint8_t device, uint8_t function, uint8_t offset,
               uint32_t value) override {
    mica_outl(kAddressPort, pci::config_address(bus, device, function, offset));
    mica_outl(kDataPort, value);
  }
};

PortConfigSpace g_space;
pci::Function g_functions[kMaxFunctions];
size_t g_count = 0;
mica_pci_device g_devices[kMaxFunctions];

// Mechanism #1 is there if the address register keeps its enable bit.
bool have_mechanism_1() {
  uint32_t saved = mica_inl(kAddressPort);
  mica_outl(kAddressPort, 0x80000000u);
  bool there = mica_inl(kAddressPort) == 0x80000000u;
  mica_outl(kAddressPort, saved);
  return there;
}

mica_pci_device to_device(const pci::Function& f) {
  mica_pci_device d = {};
  d.address = MICA_PCI_ADDRESS(f.bus, f.device, f.function);
  d.vendor = f.vendor;
  d.device = f.device_id;
  d.class_code = f.class_code;
  d.subclass = f.subclass;
  d.prog_if = f.prog_if;
  d.revision = f.revision;
  d.header_type = f.header_type;
  d.irq_line = f.irq_line;
  d.irq_pin = f.irq_pin;
  d.secondary_bus = f.secondary_bus;
  d.subsystem_vendor = f.subsystem_vendor;
  d.subsystem = f.subsystem;
  for (int i = 0; i < 6; ++i) {
    d.bars[i].base = f.bars[i].base;
    d.bars[i].size = f.bars[i].size;
    d.bars[i].flags = ((f.bars[i].flags & pci::kBarIo) ? MICA_PCI_BAR_IO : 0) |
                      ((f.bars[i].flags & pci::kBar64) ? MICA_PCI_BAR_64 : 0) |
                      ((f.bars[i].flags & pci::kBarPrefetchable) ? MICA_PCI_BAR_PREFETCHABLE : 0);
  }
  return d;
}

const pci::Function* find(uint32_t address) {
  for (size_t i = 0; i < g_count; ++i) {
    const pci::Function& f = g_functions[i];
    if (MICA_PCI_ADDRESS(f.bus, f.device, f.function) == address) return &f;
  }
  return nullptr;
}

void handle(const mica_message& m) {
  mica_message reply = {};
  intptr_t result = 0;
  switch (m.label) {
    case MICA_PCI_LIST: {
      size_t first = m.words[0];
      result = static_cast<intptr_t>(g_count);
      if (first < g_count) {
        reply.data = &g_devices[first];
        reply.data_size = (g_count - first) * sizeof(mica_pci_device);
      }
      break;
    }
    case MICA_PCI_CONFIG_READ:
    case MICA_PCI_CONFIG_WRITE: {
      const pci::Function* f = find(static_cast<uint32_t>(m.words[0]));
      uint32_t offset = static_cast<uint32_t>(m.words[1]);
      uint32_t size = static_cast<uint32_t>(m.words[2]);
      if (f == nullptr || m.words[0] > 0xffff) {
        result = -ENODEV;
      } else if (!pci::register_ok(offset, size) || m.words[1] > 255 || m.words[2] > 4) {
        result = -EINVAL;
      } else if (m.label == MICA_PCI_CONFIG_READ) {
        reply.words[1] =
            pci::read(g_space, f->bus, f->device, f->function, static_cast<uint8_t>(offset), size);
      } else {
        pci::write(g_space, f->bus, f->device, f->function, static_cast<uint8_t>(offset), size,
                   static_cast<uint32_t>(m.words[3]));
      }
      break;
    }
    default:
      result = -ENOSYS;
      break;
  }
  reply.words[0] = static_cast<uintptr_t>(result);
  (void)mica_ipc_reply_message(&reply);
}

int register_service(mica_handle_t router, mica_handle_t endpoint) {
  mica_handle_t copy;
  int r = mica_handle_duplicate(
      endpoint, MICA_RIGHT_WRITE | MICA_RIGHT_TRANSFER | MICA_RIGHT_DUPLICATE, &copy);
  if (r != 0) return r;
  mica_message m = {};
  m.label = MICA_ROUTER_REGISTER;
  m.data = MICA_SERVICE_PCI;
  m.data_size = sizeof(MICA_SERVICE_PCI);
  m.handle = copy;
  r = mica_ipc_call_message(router, &m);
  if (r != 0) {
    mica_handle_close(copy);
    return r;
  }
  return static_cast<int>(static_cast<intptr_t>(m.words[0]));
}

void log_function(const pci::Function& f) {
  char irq[16] = "";
  if (f.irq_pin != 0 && f.irq_line != 0xff) snprintf(irq, sizeof(irq), ", irq %u", f.irq_line);
  say("pci: %02x:%02x.%u %04x:%04x %02x%02x %s%s\n", f.bus, f.device, f.function, f.vendor,
      f.device_id, f.class_code, f.subclass, pci::class_name(f.class_code, f.subclass), irq);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) {
    say("pci: bad argument \"%s\"\nusage: pci\n", argv[1]);
    return 2;
  }
  mica_handle_t resource = mica_startup_handle(MICA_STARTUP_RESOURCE);
  if (resource == MICA_HANDLE_INVALID) {
    say("pci: started without the hardware resource\n");
    return 1;
  }
  int r = mica_ioport_allow(resource, kAddressPort, 8);
  if (r != 0) {
    say("pci: cannot claim ports %#x-%#x: %s\n", kAddressPort, kAddressPort + 7, strerror(-r));
    return 1;
  }
  if (!have_mechanism_1()) {
    say("pci: no configuration mechanism #1: no PCI bus\n");
    return 0;
  }
  size_t found = pci::enumerate(g_space, g_functions, kMaxFunctions);
  g_count = found < kMaxFunctions ? found : kMaxFunctions;
  for (size_t i = 0; i < g_count; ++i) {
    g_devices[i] = to_device(g_functions[i]);
    log_function(g_functions[i]);
  }
  if (found > g_count) say("pci: %zu functions; serving the first %zu\n", found, g_count);
  mica_handle_t endpoint;
  r = mica_endpoint_create(0, &endpoint);
  if (r != 0) {
    say("pci: cannot create an endpoint: %s\n", strerror(-r));
    return 1;
  }
  mica_handle_t router = mica_startup_handle(MICA_STARTUP_ROUTER);
  if (router != MICA_HANDLE_INVALID) {
    r = register_service(router, endpoint);
    if (r != 0) {
      say("pci: cannot register as \"%s\": %s\n", MICA_SERVICE_PCI, strerror(-r));
      return 1;
    }
  }
  for (;;) {
    mica_message m = {};
    r = mica_ipc_receive(endpoint, &m, 0);
    if (r != 0) {
      say("pci: receive: %s\n", strerror(-r));
      mica_sleep(100'000'000);
      continue;
    }
    if (m.handle != MICA_HANDLE_INVALID) mica_handle_close(m.handle);
    handle(m);
  }
}
