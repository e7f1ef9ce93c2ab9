// pci: the PC's PCI bus, enumerated through configuration mechanism #1
// (ports 0xcf8/0xcfc), and a service (MICA_PCI_*, <mica/protocol.h>) that
// lists what it found, reads configuration registers for anyone, and hands
// each device driver exactly the hardware of the function it claims.
//
//   pci
//
// Started with the hardware resource (MICA_STARTUP_RESOURCE): the
// configuration ports and the board's PCI windows, the I/O ports and
// physical addresses the firmware assigns BARs from and the interrupt
// lines it routes PCI interrupts to (board_pci_* in products/boards). It
// claims ports 0xcf8-0xcff itself and keeps the rest to hand out: a driver
// claims a function (MICA_PCI_CLAIM: one owner at a time) and gets a
// resource (MICA_SYS_RESOURCE_CREATE) covering only that function's BARs,
// as sized at enumeration, and its interrupt line. Only the owner may write
// the function's configuration registers, and not those the grant is made
// from (pci::owner_may_write). A claim ends when the owner's end of the
// socket pair it came with closes (the owner closes it or dies, and its
// handles with it); the server looks at every claim before each request,
// so a dead owner's function is free for the next claim.
//
// Logs one line per function, as lspci does: "pci: 00:01.1 8086:7010 0101
// IDE interface", and one per grant. No bus (the address register does not
// hold what was written) is not a failure: it exits 0. The one serving
// thread serialises the address/data pairs.
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
// The claim of each function: our end of its owner's socket pair.
mica_handle_t g_claims[kMaxFunctions];
// What the board lets the server hand out (the startup resource).
mica_handle_t g_resource = MICA_HANDLE_INVALID;

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

// The index of the function at `address`, or -1.
int find(uintptr_t address) {
  for (size_t i = 0; i < g_count; ++i) {
    if (g_devices[i].address == address) return static_cast<int>(i);
  }
  return -1;
}

// "00:04.0" for function `i`, in a static buffer.
const char* name_of(size_t i) {
  static char name[16];
  const pci::Function& f = g_functions[i];
  snprintf(name, sizeof(name), "%02x:%02x.%u", f.bus, f.device, f.function);
  return name;
}

// What `token` shows now (MICA_SIGNAL_* among `wanted`), without waiting.
uint32_t signals_of(mica_handle_t token, uint32_t wanted) {
  mica_wait_item item = {token, wanted, 0};
  uint64_t zero = 0;
  return mica_wait_many(&item, 1, &zero) == 1 ? item.observed : 0;
}

void release(size_t i) {
  mica_handle_close(g_claims[i]);
  g_claims[i] = MICA_HANDLE_INVALID;
  g_devices[i].owner = 0;
}

// Ends the claims whose owners' ends are closed.
void release_dead_claims() {
  for (size_t i = 0; i < g_count; ++i) {
    if (g_claims[i] == MICA_HANDLE_INVALID) continue;
    if ((signals_of(g_claims[i], MICA_SIGNAL_PEER_CLOSED) & MICA_SIGNAL_PEER_CLOSED) == 0) continue;
    say("pci: %s released (pid %u let go of it)\n", name_of(i), g_devices[i].owner & 0xffff);
    release(i);
  }
}

bool matches(size_t i, uintptr_t how, uintptr_t what) {
  const mica_pci_device& d = g_devices[i];
  switch (how) {
    case MICA_PCI_MATCH_ADDRESS:
      return d.address == what;
    case MICA_PCI_MATCH_ID:
      return (uintptr_t{d.vendor} << 16 | d.device) == what;
    case MICA_PCI_MATCH_CLASS:
      return (uintptr_t{d.class_code} << 8 | d.subclass) == what;
    default:
      return false;
  }
}

// The resource for function `i` in *out (MICA_HANDLE_INVALID if it has no
// hardware to grant), logged. 0, or a negated status (-EPERM: outside the
// board's windows).
int make_grant(size_t i, uint32_t owner, mica_handle_t* out) {
  pci::GrantRange ranges[pci::kMaxGrantRanges];
  size_t n = pci::grant_ranges(g_functions[i], ranges);
  mica_resource_range request[pci::kMaxGrantRanges] = {};
  char text[256];
  size_t used = 0;
  text[0] = 0;
  for (size_t k = 0; k < n; ++k) {
    static const char* const kKinds[] = {"", "ports", "mmio", "irq"};
    request[k].kind = ranges[k].kind;
    request[k].base = ranges[k].base;
    request[k].size = ranges[k].size;
    int w = ranges[k].kind == pci::kGrantIrq
                ? snprintf(text + used, sizeof(text) - used, "%s irq %llu", k ? "," : "",
                           static_cast<unsigned long long>(ranges[k].base))
                : snprintf(text + used, sizeof(text) - used, "%s %s %#llx+%#llx", k ? "," : "",
                           kKinds[ranges[k].kind], static_cast<unsigned long long>(ranges[k].base),
                           static_cast<unsigned long long>(ranges[k].size));
    if (w > 0 && static_cast<size_t>(w) < sizeof(text) - used) used += static_cast<size_t>(w);
  }
  *out = MICA_HANDLE_INVALID;
  if (n == 0) {
    say("pci: %s claimed by pid %u: no hardware to grant\n", name_of(i), owner & 0xffff);
    return 0;
  }
  int r = mica_resource_create(g_resource, request, n, out);
  if (r != 0) {
    say("pci: %s: cannot grant%s: %s (outside the board's PCI windows?)\n", name_of(i), text,
        strerror(-r));
    return r;
  }
  say("pci: %s claimed by pid %u: granted%s\n", name_of(i), owner & 0xffff, text);
  return 0;
}

// MICA_PCI_CLAIM: words[0] how, words[1] what; m.handle our end of the
// caller's socket pair (ours now: kept or closed here).
intptr_t claim(const mica_message& m, mica_message* reply) {
  mica_handle_t token = m.handle;
  mica_handle_info info;
  // A connected stream socket whose peer is open: an unconnected one would
  // never tell us its owner is gone.
  if (token == MICA_HANDLE_INVALID || mica_handle_info(token, &info) != 0 ||
      info.type != MICA_OBJECT_SOCKET ||
      signals_of(token, MICA_SIGNAL_WRITABLE | MICA_SIGNAL_PEER_CLOSED) != MICA_SIGNAL_WRITABLE) {
    if (token != MICA_HANDLE_INVALID) mica_handle_close(token);
    return -EINVAL;
  }
  uintptr_t how = m.words[0], what = m.words[1];
  if (how > MICA_PCI_MATCH_CLASS) {
    mica_handle_close(token);
    return -EINVAL;
  }
  bool any = false;
  for (size_t i = 0; i < g_count; ++i) {
    if (!matches(i, how, what)) continue;
    any = true;
    if (g_claims[i] != MICA_HANDLE_INVALID) continue;
    mica_handle_t grant;
    int r = make_grant(i, m.sender, &grant);
    if (r != 0) {
      mica_handle_close(token);
      return r;
    }
    g_claims[i] = token;
    g_devices[i].owner = m.sender;
    reply->words[1] = g_devices[i].address;
    reply->handle = grant;
    reply->data = &g_devices[i];
    reply->data_size = sizeof(g_devices[i]);
    return 0;
  }
  mica_handle_close(token);
  return any ? -EBUSY : -ENODEV;
}

void handle(const mica_message& m) {
  mica_message reply = {};
  reply.handle = MICA_HANDLE_INVALID;
  intptr_t result = 0;
  release_dead_claims();
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
      int index = find(m.words[0]);
      const pci::Function* f = index < 0 ? nullptr : &g_functions[index];
      uint32_t offset = static_cast<uint32_t>(m.words[1]);
      uint32_t size = static_cast<uint32_t>(m.words[2]);
      if (f == nullptr) {
        result = -ENODEV;
      } else if (!pci::register_ok(offset, size) || m.words[1] > 255 || m.words[2] > 4) {
        result = -EINVAL;
      } else if (m.label == MICA_PCI_CONFIG_WRITE &&
                 (g_claims[index] == MICA_HANDLE_INVALID || g_devices[index].owner != m.sender)) {
        result = -EACCES;
      } else if (m.label == MICA_PCI_CONFIG_WRITE && !pci::owner_may_write(offset, size)) {
        result = -EPERM;
      } else if (m.label == MICA_PCI_CONFIG_READ) {
        reply.words[1] =
            pci::read(g_space, f->bus, f->device, f->function, static_cast<uint8_t>(offset), size);
      } else {
        pci::write(g_space, f->bus, f->device, f->function, static_cast<uint8_t>(offset), size,
                   static_cast<uint32_t>(m.words[3]));
      }
      break;
    }
    case MICA_PCI_CLAIM:
      result = claim(m, &reply);
      break;
    default:
      result = -ENOSYS;
      break;
  }
  reply.words[0] = static_cast<uintptr_t>(result);
  if (mica_ipc_reply_message(&reply) != 0 && reply.handle != MICA_HANDLE_INVALID) {
    // The caller is gone: the grant goes nowhere.
    mica_handle_close(reply.handle);
  }
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
  g_resource = resource;
  for (mica_handle_t& claim : g_claims) claim = MICA_HANDLE_INVALID;
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
    if (m.handle != MICA_HANDLE_INVALID && m.label != MICA_PCI_CLAIM) {
      mica_handle_close(m.handle);
      m.handle = MICA_HANDLE_INVALID;
    }
    handle(m);
  }
}
