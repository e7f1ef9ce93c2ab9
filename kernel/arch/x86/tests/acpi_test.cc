#include <string.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <arch/x86/acpi.h>

namespace {

using arch::x86::acpi::Madt;
using lib::Status;

class FakeMemory final : public boot::PhysicalView {
 public:
  FakeMemory() : bytes_(0x100000, 0) {}
  lib::ByteSpan view(uint64_t phys, size_t length) const override {
    if (phys >= bytes_.size()) return {};
    size_t available = bytes_.size() - static_cast<size_t>(phys);
    return lib::ByteSpan(bytes_.data() + phys, length < available ? length : available);
  }
  void put(uint64_t at, const std::vector<uint8_t>& data) {
    memcpy(&bytes_[at], data.data(), data.size());
  }
  uint8_t& operator[](size_t i) { return bytes_[i]; }

 private:
  std::vector<uint8_t> bytes_;
};

void put32(std::vector<uint8_t>& v, size_t at, uint32_t x) {
  memcpy(&v[at], &x, 4);
}
void fix_checksum(std::vector<uint8_t>& v, size_t checksum_at, size_t length) {
  v[checksum_at] = 0;
  uint8_t sum = 0;
  for (size_t i = 0; i < length; ++i) sum = static_cast<uint8_t>(sum + v[i]);
  v[checksum_at] = static_cast<uint8_t>(-sum);
}

std::vector<uint8_t> table(const char* signature, const std::vector<uint8_t>& body) {
  std::vector<uint8_t> t(36, 0);
  memcpy(t.data(), signature, 4);
  t.insert(t.end(), body.begin(), body.end());
  put32(t, 4, static_cast<uint32_t>(t.size()));
  t[8] = 1;
  fix_checksum(t, 9, t.size());
  return t;
}

// QEMU's pc machine with -smp 4: four local APICs, one I/O APIC, the timer
// override (IRQ 0 -> GSI 2) and a PCI override; an RSDT-only RSDP (rev 0).
FakeMemory qemu_pc() {
  FakeMemory m;
  std::vector<uint8_t> body(8, 0);
  put32(body, 0, 0xfee00000);
  put32(body, 4, 1);  // PCAT_COMPAT
  for (uint8_t id = 0; id < 4; ++id) body.insert(body.end(), {0, 8, id, id, 1, 0, 0, 0});
  body.insert(body.end(), {0, 8, 9, 9, 0, 0, 0, 0});  // disabled processor: not counted
  body.insert(body.end(), {1, 12, 0, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0});
  body.insert(body.end(), {2, 10, 0, 0, 2, 0, 0, 0, 0, 0});
  body.insert(body.end(), {2, 10, 0, 9, 9, 0, 0, 0, 0x0d, 0});
  m.put(0x7000, table("APIC", body));
  m.put(0x6000, table("FACP", std::vector<uint8_t>(80, 0)));
  std::vector<uint8_t> entries(8);
  put32(entries, 0, 0x6000);
  put32(entries, 4, 0x7000);
  m.put(0x5000, table("RSDT", entries));
  std::vector<uint8_t> rsdp(20, 0);
  memcpy(rsdp.data(), "RSD PTR ", 8);
  put32(rsdp, 16, 0x5000);
  fix_checksum(rsdp, 8, 20);
  m.put(0xf5a10, rsdp);
  return m;
}

TEST(Acpi, FindsRsdpInBiosArea) {
  FakeMemory m = qemu_pc();
  EXPECT_EQ(arch::x86::acpi::find_rsdp(m).value(), 0xf5a10u);
  FakeMemory empty;
  EXPECT_EQ(arch::x86::acpi::find_rsdp(empty).status(), Status::kNotFound);
}

TEST(Acpi, ReadsQemuMadt) {
  FakeMemory m = qemu_pc();
  auto madt = arch::x86::acpi::read_madt(0xf5a10, m);
  ASSERT_TRUE(madt.ok());
  const Madt& t = madt.value();
  EXPECT_EQ(t.local_apic_address, 0xfee00000u);
  EXPECT_TRUE(t.has_8259);
  ASSERT_EQ(t.cpu_count, 4u);
  EXPECT_EQ(t.apic_ids[3], 3u);
  ASSERT_EQ(t.io_apic_count, 1u);
  EXPECT_EQ(t.io_apics[0].address, 0xfec00000u);
  ASSERT_EQ(t.override_count, 2u);
  EXPECT_EQ(t.overrides[0].irq, 0u);
  EXPECT_EQ(t.overrides[0].gsi, 2u);
  EXPECT_EQ(t.overrides[1].flags, 0x0du);
}

TEST(Acpi, RejectsBadChecksums) {
  FakeMemory m = qemu_pc();
  m[0x7000 + 50] ^= 1;  // corrupt the MADT body
  EXPECT_EQ(arch::x86::acpi::read_madt(0xf5a10, m).status(), Status::kBadFormat);
  FakeMemory r = qemu_pc();
  r[0xf5a10 + 9] ^= 1;  // corrupt the RSDP
  EXPECT_EQ(arch::x86::acpi::read_madt(0xf5a10, r).status(), Status::kBadFormat);
}

TEST(Acpi, RejectsLengthsPastMemory) {
  FakeMemory m = qemu_pc();
  // The RSDT claims to be 16 MiB long: more than the memory holds.
  m[0x5000 + 4] = 0;
  m[0x5000 + 5] = 0;
  m[0x5000 + 6] = 0;
  m[0x5000 + 7] = 1;
  EXPECT_EQ(arch::x86::acpi::read_madt(0xf5a10, m).status(), Status::kTruncated);
}

TEST(Acpi, RejectsBadMadtEntryLength) {
  FakeMemory m = qemu_pc();
  m[0x7000 + 44 + 1] = 0;  // first entry's length 0 would loop forever
  // Fix the checksum so the entry itself is what is rejected.
  uint8_t sum = 0;
  uint32_t length;
  memcpy(&length, &m[0x7000 + 4], 4);
  m[0x7000 + 9] = 0;
  for (uint32_t i = 0; i < length; ++i) sum = static_cast<uint8_t>(sum + m[0x7000 + i]);
  m[0x7000 + 9] = static_cast<uint8_t>(-sum);
  EXPECT_EQ(arch::x86::acpi::read_madt(0xf5a10, m).status(), Status::kBadFormat);
}

}  // namespace
