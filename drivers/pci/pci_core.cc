#include "pci_core.h"

namespace pci {

uint32_t read(ConfigSpace& space, uint8_t bus, uint8_t device, uint8_t function, uint8_t offset,
              unsigned size) {
  uint32_t dword = space.read32(bus, device, function, offset & 0xfc);
  unsigned shift = (offset & 3u) * 8;
  if (size == 4) return dword;
  uint32_t mask = size == 2 ? 0xffffu : 0xffu;
  return (dword >> shift) & mask;
}

void write(ConfigSpace& space, uint8_t bus, uint8_t device, uint8_t function, uint8_t offset,
           unsigned size, uint32_t value) {
  uint8_t aligned = offset & 0xfc;
  if (size == 4) {
    space.write32(bus, device, function, aligned, value);
    return;
  }
  unsigned shift = (offset & 3u) * 8;
  uint32_t mask = (size == 2 ? 0xffffu : 0xffu) << shift;
  uint32_t dword = space.read32(bus, device, function, aligned);
  space.write32(bus, device, function, aligned, (dword & ~mask) | ((value << shift) & mask));
}

Bar decode_bar(uint32_t value, uint32_t probe, uint32_t high_value, uint32_t high_probe) {
  Bar bar = {};
  if (value & 1u) {
    bar.flags = kBarIo;
    // I/O BARs decode 16 bits on a PC; the upper half may read back as 0.
    uint32_t mask = probe & ~3u;
    if (mask == 0) return bar;
    if ((mask & 0xffff0000u) == 0) mask |= 0xffff0000u;
    bar.base = value & ~3u;
    bar.size = uint64_t{~mask} + 1;
    return bar;
  }
  uint32_t type = (value >> 1) & 3u;
  if (value & 8u) bar.flags |= kBarPrefetchable;
  uint64_t mask = probe & ~0xfu;
  uint64_t base = value & ~0xfu;
  if (type == 2) {
    bar.flags |= kBar64;
    mask |= uint64_t{high_probe} << 32;
    base |= uint64_t{high_value} << 32;
  } else {
    mask |= 0xffffffff00000000ull;  // a 32-bit BAR: the high half is not there
  }
  if ((mask & 0xffffffffull) == 0 && (type != 2 || high_probe == 0)) return bar;
  bar.base = base;
  bar.size = ~mask + 1;
  return bar;
}

namespace {

void size_bars(ConfigSpace& space, uint8_t bus, uint8_t device, uint8_t function, int count,
               Bar* bars) {
  uint32_t command = space.read32(bus, device, function, kCommand);
  // No decoding while a BAR holds all ones: it would claim addresses it
  // does not own.
  space.write32(bus, device, function, kCommand, command & ~uint32_t{kCommandIo | kCommandMemory});
  for (int i = 0; i < count; ++i) {
    uint8_t offset = static_cast<uint8_t>(kBar0 + 4 * i);
    uint32_t value = space.read32(bus, device, function, offset);
    space.write32(bus, device, function, offset, 0xffffffffu);
    uint32_t probe = space.read32(bus, device, function, offset);
    space.write32(bus, device, function, offset, value);
    uint32_t high_value = 0, high_probe = 0;
    bool wide = (value & 1u) == 0 && ((value >> 1) & 3u) == 2 && i + 1 < count;
    if (wide) {
      uint8_t high = static_cast<uint8_t>(offset + 4);
      high_value = space.read32(bus, device, function, high);
      space.write32(bus, device, function, high, 0xffffffffu);
      high_probe = space.read32(bus, device, function, high);
      space.write32(bus, device, function, high, high_value);
    }
    bars[i] = decode_bar(value, probe, high_value, high_probe);
    if (wide) {
      bars[i + 1] = Bar{};
      ++i;  // the upper half is not a BAR of its own
    }
  }
  space.write32(bus, device, function, kCommand, command);
}

struct Walk {
  ConfigSpace& space;
  Function* out;
  size_t max;
  size_t found;
  bool visited[256];
};

void scan_bus(Walk& w, uint8_t bus);

void scan_function(Walk& w, const Function& f) {
  if (w.found < w.max) w.out[w.found] = f;
  ++w.found;
  if (f.header_type == 1 && f.class_code == 0x06 && f.subclass == 0x04 && f.secondary_bus != 0) {
    scan_bus(w, f.secondary_bus);
  }
}

void scan_bus(Walk& w, uint8_t bus) {
  if (w.visited[bus]) return;  // a misprogrammed bridge must not loop
  w.visited[bus] = true;
  for (uint8_t device = 0; device < kDevices; ++device) {
    Function f;
    if (!read_function(w.space, bus, device, 0, &f)) continue;
    scan_function(w, f);
    if (!f.multi_function) continue;
    for (uint8_t function = 1; function < kFunctions; ++function) {
      Function g;
      if (read_function(w.space, bus, device, function, &g)) scan_function(w, g);
    }
  }
}

}  // namespace

bool read_function(ConfigSpace& space, uint8_t bus, uint8_t device, uint8_t function,
                   Function* out) {
  uint32_t id = space.read32(bus, device, function, kVendorId);
  if ((id & 0xffffu) == 0xffffu || (id & 0xffffu) == 0) return false;
  Function f = {};
  f.bus = bus;
  f.device = device;
  f.function = function;
  f.vendor = static_cast<uint16_t>(id);
  f.device_id = static_cast<uint16_t>(id >> 16);
  uint32_t cls = space.read32(bus, device, function, kClassRevision);
  f.class_code = static_cast<uint8_t>(cls >> 24);
  f.subclass = static_cast<uint8_t>(cls >> 16);
  f.prog_if = static_cast<uint8_t>(cls >> 8);
  f.revision = static_cast<uint8_t>(cls);
  uint8_t header = static_cast<uint8_t>(read(space, bus, device, function, kHeaderType, 1));
  f.header_type = header & 0x7f;
  f.multi_function = (header & 0x80) != 0;
  uint32_t interrupt = space.read32(bus, device, function, kInterrupt);
  f.irq_line = static_cast<uint8_t>(interrupt);
  f.irq_pin = static_cast<uint8_t>(interrupt >> 8);
  if (f.header_type == 0) {
    uint32_t subsystem = space.read32(bus, device, function, kSubsystem);
    f.subsystem_vendor = static_cast<uint16_t>(subsystem);
    f.subsystem = static_cast<uint16_t>(subsystem >> 16);
    size_bars(space, bus, device, function, 6, f.bars);
  } else if (f.header_type == 1) {
    f.secondary_bus = static_cast<uint8_t>(read(space, bus, device, function, kSecondaryBus, 1));
    size_bars(space, bus, device, function, 2, f.bars);
  }
  *out = f;
  return true;
}

size_t enumerate(ConfigSpace& space, Function* out, size_t max) {
  Walk w{space, out, max, 0, {}};
  Function host;
  if (read_function(space, 0, 0, 0, &host) && host.multi_function) {
    // Several host bridges: function N of 00:00 leads to bus N.
    for (uint8_t function = 0; function < kFunctions; ++function) {
      Function f;
      if (read_function(space, 0, 0, function, &f)) scan_bus(w, function);
    }
  } else {
    scan_bus(w, 0);
  }
  return w.found;
}

bool owner_may_write(uint32_t offset, uint32_t size) {
  uint32_t end = offset + size;  // register_ok: aligned, within 256
  if (offset >= 0x40) return true;
  if (offset >= 0x04 && end <= 0x08) return true;  // command, status
  if (offset >= 0x0c && end <= 0x0e) return true;  // cache line size, latency timer
  return offset == 0x0f && size == 1;              // BIST
}

size_t grant_ranges(const Function& f, GrantRange* out) {
  size_t n = 0;
  int bars = f.header_type == 0 ? 6 : f.header_type == 1 ? 2 : 0;
  for (int i = 0; i < bars; ++i) {
    const Bar& bar = f.bars[i];
    if (bar.size == 0 || bar.base == 0) continue;  // unused, or not assigned an address
    if (bar.flags & kBarIo) {
      out[n++] = {kGrantPorts, bar.base, bar.size};
    } else {
      uint64_t first = bar.base & ~(kPageSize - 1);
      uint64_t end = (bar.base + bar.size + kPageSize - 1) & ~(kPageSize - 1);
      out[n++] = {kGrantMemory, first, end - first};
    }
  }
  if (f.irq_pin != 0 && f.irq_line != 0 && f.irq_line != 0xff) {
    out[n++] = {kGrantIrq, f.irq_line, 1};
  }
  return n;
}

const char* class_name(uint8_t class_code, uint8_t subclass) {
  struct Name {
    uint8_t class_code, subclass;  // subclass 0xff: any
    const char* name;
  };
  static const Name kNames[] = {
      {0x01, 0x00, "SCSI storage controller"},
      {0x01, 0x01, "IDE interface"},
      {0x01, 0x06, "SATA controller"},
      {0x01, 0x08, "Non-Volatile memory controller"},
      {0x01, 0xff, "Mass storage controller"},
      {0x02, 0x00, "Ethernet controller"},
      {0x02, 0xff, "Network controller"},
      {0x03, 0x00, "VGA compatible controller"},
      {0x03, 0xff, "Display controller"},
      {0x04, 0xff, "Multimedia controller"},
      {0x05, 0xff, "Memory controller"},
      {0x06, 0x00, "Host bridge"},
      {0x06, 0x01, "ISA bridge"},
      {0x06, 0x04, "PCI bridge"},
      {0x06, 0x80, "Bridge"},
      {0x06, 0xff, "Bridge"},
      {0x07, 0xff, "Communication controller"},
      {0x08, 0xff, "System peripheral"},
      {0x0c, 0x03, "USB controller"},
      {0x0c, 0x05, "SMBus"},
      {0x0c, 0xff, "Serial bus controller"},
      {0xff, 0xff, "Unassigned class"},
  };
  for (const Name& n : kNames) {
    if (n.class_code == class_code && (n.subclass == subclass || n.subclass == 0xff)) {
      return n.name;
    }
  }
  return "Unclassified device";
}

}  // namespace pci
