// The hardware-free part of the PCI server (drivers/pci): configuration
// mechanism #1 addresses, reading a function's header, sizing and decoding
// its BARs, and walking every bus (behind bridges, multi-function devices,
// several host bridges) through a ConfigSpace, which the server backs with
// ports 0xcf8/0xcfc and the host tests with a fake bus. Only <stddef.h> and
// <stdint.h>: built for user space and the host.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace pci {

// Header registers (offsets into a function's 256-byte space).
enum : uint8_t {
  kVendorId = 0x00,
  kCommand = 0x04,
  kClassRevision = 0x08,  // class << 24 | subclass << 16 | prog_if << 8 | revision
  kHeaderType = 0x0e,
  kBar0 = 0x10,
  kSecondaryBus = 0x19,  // bridges (header type 1)
  kSubsystem = 0x2c,     // header type 0: subsystem << 16 | subsystem vendor
  kInterrupt = 0x3c,     // line (byte 0), pin (byte 1)
};

inline constexpr uint16_t kCommandIo = 1u << 0;
inline constexpr uint16_t kCommandMemory = 1u << 1;
inline constexpr uint16_t kCommandBusMaster = 1u << 2;

inline constexpr unsigned kDevices = 32;
inline constexpr unsigned kFunctions = 8;

// Mechanism #1: the dword written to 0xcf8 to reach `offset` (its low two
// bits dropped) of bus:device.function.
inline uint32_t config_address(uint8_t bus, uint8_t device, uint8_t function, uint8_t offset) {
  return 0x80000000u | (uint32_t{bus} << 16) | (uint32_t{device & 31u} << 11) |
         (uint32_t{function & 7u} << 8) | (offset & 0xfcu);
}

// The configuration space, a dword at a time (offset: a multiple of 4).
class ConfigSpace {
 public:
  virtual uint32_t read32(uint8_t bus, uint8_t device, uint8_t function, uint8_t offset) = 0;
  virtual void write32(uint8_t bus, uint8_t device, uint8_t function, uint8_t offset,
                       uint32_t value) = 0;

 protected:
  ~ConfigSpace() = default;
};

// A byte, word or dword at any offset aligned to its size, from the dword
// that holds it; write() merges into that dword.
uint32_t read(ConfigSpace& space, uint8_t bus, uint8_t device, uint8_t function, uint8_t offset,
              unsigned size);
void write(ConfigSpace& space, uint8_t bus, uint8_t device, uint8_t function, uint8_t offset,
           unsigned size, uint32_t value);
// Whether (offset, size) names a register: size 1, 2 or 4, aligned to it.
inline bool register_ok(uint32_t offset, uint32_t size) {
  return (size == 1 || size == 2 || size == 4) && offset < 256 && offset % size == 0;
}

enum BarFlags : uint32_t {
  kBarIo = 1u << 0,
  kBar64 = 1u << 1,
  kBarPrefetchable = 1u << 2,
};

struct Bar {
  uint64_t base;
  uint64_t size;  // 0: unused
  uint32_t flags;
};

// A BAR from its value and what it read back after all ones were written
// (`probe`); a 64-bit memory BAR also takes the next register's pair
// (`high_value`, `high_probe`: ignored otherwise). Unimplemented BARs
// (probe 0) have size 0.
Bar decode_bar(uint32_t value, uint32_t probe, uint32_t high_value, uint32_t high_probe);

struct Function {
  uint8_t bus, device, function;
  uint16_t vendor, device_id;
  uint8_t class_code, subclass, prog_if, revision;
  uint8_t header_type;  // bit 7 (multi-function) cleared
  bool multi_function;  // bit 7 of the header type
  uint8_t irq_line, irq_pin;
  uint8_t secondary_bus;  // bridges
  uint16_t subsystem_vendor, subsystem;
  Bar bars[6];
};

// Reads the header of a present function and sizes its BARs (memory and I/O
// decoding off meanwhile, the command register then restored). False if
// nothing answers there (vendor 0xffff).
bool read_function(ConfigSpace& space, uint8_t bus, uint8_t device, uint8_t function,
                   Function* out);

// Every function of every bus reachable from bus 0 (the host bridges'
// buses when function 0 of 00:00 is multi-function), depth first through
// PCI-PCI bridges, each bus once. At most `max` go to `out`; returns how
// many there are (more than `max`: the table was too small).
size_t enumerate(ConfigSpace& space, Function* out, size_t max);

// Whether a function's owner may write the register at (offset, size)
// (register_ok already holds): the command and status registers, the cache
// line size, the latency timer, BIST and everything from 0x40 (capabilities
// and device-specific registers); never the IDs, class, header type, BARs,
// bus numbers, bridge windows, ROM BAR or interrupt line, which the grant
// is made from.
bool owner_may_write(uint32_t offset, uint32_t size);

// One piece of a function's hardware grant (MICA_RESOURCE_* kinds).
struct GrantRange {
  uint32_t kind;  // kGrantPorts, kGrantMemory or kGrantIrq
  uint64_t base;
  uint64_t size;
};
enum : uint32_t {
  kGrantPorts = 1,   // MICA_RESOURCE_IOPORT
  kGrantMemory = 2,  // MICA_RESOURCE_MMIO
  kGrantIrq = 3,     // MICA_RESOURCE_IRQ
};
inline constexpr size_t kMaxGrantRanges = 7;  // six BARs and the line
inline constexpr uint64_t kPageSize = 4096;

// What a driver of `f` may claim: each assigned BAR (base not 0) of its
// header type (six for devices, two for bridges): an I/O BAR's ports
// exactly, a memory BAR's whole pages; and its interrupt line if it has a
// pin and a routed line (not 0 or 0xff). Returns how many went to `out`
// (room for kMaxGrantRanges).
size_t grant_ranges(const Function& f, GrantRange* out);

// "Mass storage controller"-style names for a class and subclass (lspci's
// words); never null.
const char* class_name(uint8_t class_code, uint8_t subclass);

}  // namespace pci
