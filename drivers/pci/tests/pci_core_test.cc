// pci_core on a fake configuration space: a bus of functions with BARs
// that answer sizing as hardware does, bridges and multi-function devices.
#include "pci_core.h"

#include <tuple>

#include <gtest/gtest.h>

#include <map>

namespace {

struct FakeFunction {
  uint32_t regs[64] = {};
  uint32_t bar_masks[6] = {};  // the writable bits of each BAR
};

class FakeBus final : public pci::ConfigSpace {
 public:
  FakeFunction& add(uint8_t bus, uint8_t device, uint8_t function, uint16_t vendor,
                    uint16_t device_id, uint32_t class_revision, uint8_t header = 0) {
    FakeFunction& f = functions_[{bus, device, function}];
    f.regs[0] = uint32_t{vendor} | (uint32_t{device_id} << 16);
    f.regs[2] = class_revision;
    f.regs[3] = uint32_t{header} << 16;
    return f;
  }
  uint32_t read32(uint8_t bus, uint8_t device, uint8_t function, uint8_t offset) override {
    EXPECT_EQ(offset % 4, 0);
    ++reads;
    auto it = functions_.find({bus, device, function});
    if (it == functions_.end()) return 0xffffffffu;
    return it->second.regs[offset / 4];
  }
  void write32(uint8_t bus, uint8_t device, uint8_t function, uint8_t offset,
               uint32_t value) override {
    EXPECT_EQ(offset % 4, 0);
    auto it = functions_.find({bus, device, function});
    if (it == functions_.end()) return;
    FakeFunction& f = it->second;
    unsigned index = offset / 4;
    if (index >= 4 && index < 10) {
      uint32_t mask = f.bar_masks[index - 4];
      // The read-only low bits (type) stay; the rest takes what is writable.
      f.regs[index] = (f.regs[index] & ~mask) | (value & mask);
      if (value == 0xffffffffu) {
        // Sizing a BAR while decoding is on would be a bug of the code.
        EXPECT_EQ(f.regs[1] & 3u, 0u) << "BAR sized with decoding on";
      }
      return;
    }
    f.regs[index] = value;
  }
  FakeFunction& at(uint8_t bus, uint8_t device, uint8_t function) {
    return functions_.at({bus, device, function});
  }
  int reads = 0;

 private:
  std::map<std::tuple<uint8_t, uint8_t, uint8_t>, FakeFunction> functions_;
};

TEST(PciCore, ConfigAddressIsMechanismOne) {
  EXPECT_EQ(pci::config_address(0, 0, 0, 0), 0x80000000u);
  EXPECT_EQ(pci::config_address(0, 1, 1, 0x3c), 0x8000093cu);
  EXPECT_EQ(pci::config_address(0xff, 31, 7, 0xff), 0x80fffffcu);
  // Out-of-range device and function numbers cannot spill into the bus.
  EXPECT_EQ(pci::config_address(0, 32, 8, 0), 0x80000000u);
}

TEST(PciCore, RegisterChecks) {
  EXPECT_TRUE(pci::register_ok(0, 4));
  EXPECT_TRUE(pci::register_ok(0x3d, 1));
  EXPECT_TRUE(pci::register_ok(0x3e, 2));
  EXPECT_FALSE(pci::register_ok(0x3d, 2));
  EXPECT_FALSE(pci::register_ok(2, 4));
  EXPECT_FALSE(pci::register_ok(0, 3));
  EXPECT_FALSE(pci::register_ok(0, 0));
  EXPECT_FALSE(pci::register_ok(256, 1));
}

TEST(PciCore, SubDwordReadsAndWrites) {
  FakeBus bus;
  FakeFunction& f = bus.add(0, 3, 0, 0x1af4, 0x1001, 0x01000000);
  f.regs[0x3c / 4] = 0x0000010b;  // pin A, line 11
  EXPECT_EQ(pci::read(bus, 0, 3, 0, 0x3c, 1), 0x0bu);
  EXPECT_EQ(pci::read(bus, 0, 3, 0, 0x3d, 1), 0x01u);
  EXPECT_EQ(pci::read(bus, 0, 3, 0, 0x02, 2), 0x1001u);
  pci::write(bus, 0, 3, 0, 0x3c, 1, 0x0a);
  EXPECT_EQ(f.regs[0x3c / 4], 0x0000010au);
  pci::write(bus, 0, 3, 0, 0x06, 2, 0xbeef);
  EXPECT_EQ(f.regs[1], 0xbeef0000u);
  pci::write(bus, 0, 3, 0, 0x04, 2, 0x0005);
  EXPECT_EQ(f.regs[1], 0xbeef0005u);
}

TEST(PciCore, DecodeBars) {
  // 32 bytes of I/O at 0xc040 (the upper half reads back 0 on some hosts).
  pci::Bar io = pci::decode_bar(0xc041, 0x0000ffe1, 0, 0);
  EXPECT_EQ(io.flags, pci::kBarIo);
  EXPECT_EQ(io.base, 0xc040u);
  EXPECT_EQ(io.size, 32u);
  io = pci::decode_bar(0xc041, 0xffffffe1, 0, 0);
  EXPECT_EQ(io.size, 32u);
  // 4 KiB of 32-bit memory at 0xfebf1000.
  pci::Bar mem = pci::decode_bar(0xfebf1000, 0xfffff000, 0, 0);
  EXPECT_EQ(mem.flags, 0u);
  EXPECT_EQ(mem.base, 0xfebf1000u);
  EXPECT_EQ(mem.size, 4096u);
  // 16 KiB of 64-bit prefetchable memory above 4 GiB.
  pci::Bar wide = pci::decode_bar(0x0000000c, 0xffffc00c, 0x00000008, 0xffffffff);
  EXPECT_EQ(wide.flags, pci::kBar64 | pci::kBarPrefetchable);
  EXPECT_EQ(wide.base, 0x800000000ull);
  EXPECT_EQ(wide.size, 16384u);
  // A 64-bit BAR larger than 4 GiB: the low probe is all zeros.
  pci::Bar huge = pci::decode_bar(0x0000000c, 0x0000000c, 0x00000010, 0xfffffffe);
  EXPECT_EQ(huge.base, 0x1000000000ull);
  EXPECT_EQ(huge.size, 0x200000000ull);
  // Unimplemented.
  EXPECT_EQ(pci::decode_bar(0, 0, 0, 0).size, 0u);
  EXPECT_EQ(pci::decode_bar(1, 1, 0, 0).size, 0u);
}

TEST(PciCore, ReadFunctionSizesBarsAndRestoresThem) {
  FakeBus bus;
  FakeFunction& f = bus.add(0, 4, 0, 0x1af4, 0x1001, 0x01000000);
  f.regs[1] = 0x0003;  // I/O and memory decoding on
  f.regs[4] = 0xc041;  // BAR0: 64 bytes of I/O
  f.bar_masks[0] = 0xffffffc0;
  f.regs[5] = 0xfebf1000;  // BAR1: 4 KiB of memory
  f.bar_masks[1] = 0xfffff000;
  f.regs[8] = 0xfe00000c;  // BAR4+5: 64-bit prefetchable, 16 KiB
  f.bar_masks[4] = 0xffffc000;
  f.regs[9] = 0;
  f.bar_masks[5] = 0xffffffff;
  f.regs[0x2c / 4] = 0x00021af4;
  f.regs[0x3c / 4] = 0x0000010b;
  pci::Function out;
  ASSERT_TRUE(pci::read_function(bus, 0, 4, 0, &out));
  EXPECT_EQ(out.vendor, 0x1af4);
  EXPECT_EQ(out.device_id, 0x1001);
  EXPECT_EQ(out.class_code, 0x01);
  EXPECT_EQ(out.subclass, 0x00);
  EXPECT_EQ(out.subsystem, 2);
  EXPECT_EQ(out.irq_line, 11);
  EXPECT_EQ(out.irq_pin, 1);
  EXPECT_EQ(out.bars[0].base, 0xc040u);
  EXPECT_EQ(out.bars[0].size, 64u);
  EXPECT_EQ(out.bars[0].flags, pci::kBarIo);
  EXPECT_EQ(out.bars[1].base, 0xfebf1000u);
  EXPECT_EQ(out.bars[1].size, 4096u);
  EXPECT_EQ(out.bars[2].size, 0u);
  EXPECT_EQ(out.bars[4].base, 0xfe000000u);
  EXPECT_EQ(out.bars[4].size, 16384u);
  EXPECT_EQ(out.bars[4].flags, pci::kBar64 | pci::kBarPrefetchable);
  EXPECT_EQ(out.bars[5].size, 0u);  // the upper half of BAR4
  // Everything as it was: the BARs and the command register.
  EXPECT_EQ(f.regs[1], 0x0003u);
  EXPECT_EQ(f.regs[4], 0xc041u);
  EXPECT_EQ(f.regs[5], 0xfebf1000u);
  EXPECT_EQ(f.regs[8], 0xfe00000cu);
  EXPECT_EQ(f.regs[9], 0u);
  EXPECT_FALSE(pci::read_function(bus, 0, 5, 0, &out));
}

TEST(PciCore, EnumerateFollowsMultiFunctionAndBridges) {
  FakeBus bus;
  bus.add(0, 0, 0, 0x8086, 0x1237, 0x06000002);        // host bridge
  bus.add(0, 1, 0, 0x8086, 0x7000, 0x06010000, 0x80);  // ISA, multi-function
  bus.add(0, 1, 1, 0x8086, 0x7010, 0x01018000);        // IDE
  bus.add(0, 1, 3, 0x8086, 0x7113, 0x06800003);        // ACPI (function 2 absent)
  bus.add(0, 2, 1, 0x1234, 0x0001, 0x02000000);        // function 1 of a single-function
  FakeFunction& bridge = bus.add(0, 5, 0, 0x1b36, 0x0001, 0x06040000, 1);
  bridge.regs[0x18 / 4] = 0x00020100;  // primary 0, secondary 1, subordinate 2
  bus.add(1, 0, 0, 0x1af4, 0x1001, 0x01000000);
  FakeFunction& loop = bus.add(1, 3, 0, 0x1b36, 0x0001, 0x06040000, 1);
  loop.regs[0x18 / 4] = 0x00000001;  // a bridge back to bus 1: seen once only
  pci::Function found[16];
  size_t n = pci::enumerate(bus, found, 16);
  ASSERT_EQ(n, 7u);
  EXPECT_EQ(found[0].device_id, 0x1237);
  EXPECT_EQ(found[1].device_id, 0x7000);
  EXPECT_TRUE(found[1].multi_function);
  EXPECT_EQ(found[2].function, 1);
  EXPECT_EQ(found[3].function, 3);
  EXPECT_EQ(found[4].device, 5);
  EXPECT_EQ(found[4].secondary_bus, 1);
  EXPECT_EQ(found[5].bus, 1);
  EXPECT_EQ(found[5].vendor, 0x1af4);
  EXPECT_EQ(found[6].bus, 1);
  EXPECT_EQ(found[6].device, 3);
  // Too small a table: the count is still the whole.
  pci::Function two[2];
  EXPECT_EQ(pci::enumerate(bus, two, 2), 7u);
  EXPECT_EQ(two[1].device_id, 0x7000);
}

TEST(PciCore, EnumerateSeveralHostBridges) {
  FakeBus bus;
  bus.add(0, 0, 0, 0x8086, 0x1237, 0x06000000, 0x80);
  bus.add(0, 0, 1, 0x8086, 0x1237, 0x06000000);
  bus.add(0, 3, 0, 0x10ec, 0x8139, 0x02000000);
  bus.add(1, 2, 0, 0x1af4, 0x1001, 0x01000000);
  bus.add(2, 2, 0, 0x1af4, 0x1001, 0x01000000);  // no host bridge leads here
  pci::Function found[8];
  size_t n = pci::enumerate(bus, found, 8);
  ASSERT_EQ(n, 4u);
  EXPECT_EQ(found[3].bus, 1);
}

TEST(PciCore, EmptyBus) {
  FakeBus bus;
  pci::Function found[4];
  EXPECT_EQ(pci::enumerate(bus, found, 4), 0u);
}

TEST(PciCore, ClassNames) {
  EXPECT_STREQ(pci::class_name(0x01, 0x01), "IDE interface");
  EXPECT_STREQ(pci::class_name(0x01, 0x00), "SCSI storage controller");
  EXPECT_STREQ(pci::class_name(0x01, 0x42), "Mass storage controller");
  EXPECT_STREQ(pci::class_name(0x06, 0x04), "PCI bridge");
  EXPECT_STREQ(pci::class_name(0x42, 0x00), "Unclassified device");
}

TEST(PciCore, OwnerMayWriteOnlyTheRegistersTheGrantIsNotMadeFrom) {
  EXPECT_TRUE(pci::owner_may_write(0x04, 2));  // command
  EXPECT_TRUE(pci::owner_may_write(0x04, 4));  // command and status
  EXPECT_TRUE(pci::owner_may_write(0x06, 2));  // status
  EXPECT_TRUE(pci::owner_may_write(0x0c, 1));  // cache line size
  EXPECT_TRUE(pci::owner_may_write(0x0d, 1));  // latency timer
  EXPECT_TRUE(pci::owner_may_write(0x0c, 2));
  EXPECT_TRUE(pci::owner_may_write(0x0f, 1));  // BIST
  EXPECT_TRUE(pci::owner_may_write(0x40, 4));  // device-specific
  EXPECT_TRUE(pci::owner_may_write(0xfc, 4));
  EXPECT_FALSE(pci::owner_may_write(0x00, 4));  // IDs
  EXPECT_FALSE(pci::owner_may_write(0x08, 4));  // class and revision
  EXPECT_FALSE(pci::owner_may_write(0x0c, 4));  // header type with it
  EXPECT_FALSE(pci::owner_may_write(0x0e, 1));  // header type
  EXPECT_FALSE(pci::owner_may_write(0x10, 4));  // BAR0
  EXPECT_FALSE(pci::owner_may_write(0x24, 4));  // BAR5
  EXPECT_FALSE(pci::owner_may_write(0x19, 1));  // a bridge's secondary bus
  EXPECT_FALSE(pci::owner_may_write(0x30, 4));  // ROM BAR
  EXPECT_FALSE(pci::owner_may_write(0x3c, 1));  // interrupt line
  EXPECT_FALSE(pci::owner_may_write(0x3c, 4));
}

TEST(PciCore, GrantRangesCoverExactlyTheBarsAndTheLine) {
  pci::Function f = {};
  f.header_type = 0;
  f.bars[0] = {0xc040, 0x40, pci::kBarIo};
  f.bars[1] = {0xfebf1000, 0x1000, 0};
  f.bars[2] = {0xfebf2010, 0x10, 0};    // smaller than a page: the page holding it
  f.bars[3] = {0, 0x100, pci::kBarIo};  // sized, never assigned: left out
  f.bars[4] = {0xfe000000, 0x4000, pci::kBar64 | pci::kBarPrefetchable};
  f.irq_pin = 1;
  f.irq_line = 11;
  pci::GrantRange r[pci::kMaxGrantRanges];
  ASSERT_EQ(pci::grant_ranges(f, r), 5u);
  EXPECT_EQ(r[0].kind, pci::kGrantPorts);
  EXPECT_EQ(r[0].base, 0xc040u);
  EXPECT_EQ(r[0].size, 0x40u);
  EXPECT_EQ(r[1].kind, pci::kGrantMemory);
  EXPECT_EQ(r[1].base, 0xfebf1000u);
  EXPECT_EQ(r[1].size, 0x1000u);
  EXPECT_EQ(r[2].base, 0xfebf2000u);
  EXPECT_EQ(r[2].size, 0x1000u);
  EXPECT_EQ(r[3].base, 0xfe000000u);
  EXPECT_EQ(r[3].size, 0x4000u);
  EXPECT_EQ(r[4].kind, pci::kGrantIrq);
  EXPECT_EQ(r[4].base, 11u);
  EXPECT_EQ(r[4].size, 1u);

  // No pin, or a line the firmware left unrouted: no interrupt.
  f.irq_pin = 0;
  EXPECT_EQ(pci::grant_ranges(f, r), 4u);
  f.irq_pin = 1;
  f.irq_line = 0xff;
  EXPECT_EQ(pci::grant_ranges(f, r), 4u);

  // A bridge: only its two BARs count (the others are bus numbers and windows).
  pci::Function b = {};
  b.header_type = 1;
  b.bars[0] = {0xd000, 0x10, pci::kBarIo};
  b.bars[2] = {0xe000, 0x10, pci::kBarIo};
  ASSERT_EQ(pci::grant_ranges(b, r), 1u);
  EXPECT_EQ(r[0].base, 0xd000u);

  // A memory BAR that straddles a page boundary gets both pages.
  pci::Function g = {};
  g.bars[0] = {0xfebf0ff0, 0x20, 0};
  ASSERT_EQ(pci::grant_ranges(g, r), 1u);
  EXPECT_EQ(r[0].base, 0xfebf0000u);
  EXPECT_EQ(r[0].size, 0x2000u);
}

}  // namespace
