#include <string.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <core/boot/parsers.h>

namespace {

using boot::BootInfo;
using boot::MemoryType;
using lib::Status;

// Physical memory [0, size) backed by a vector: what lies beyond is absent.
class FakeMemory final : public boot::PhysicalView {
 public:
  explicit FakeMemory(size_t size) : bytes_(size, 0) {}
  lib::ByteSpan view(uint64_t phys, size_t length) const override {
    if (phys >= bytes_.size()) return {};
    size_t available = bytes_.size() - static_cast<size_t>(phys);
    return lib::ByteSpan(bytes_.data() + phys, length < available ? length : available);
  }
  void put32(uint64_t at, uint32_t v) { memcpy(&bytes_[at], &v, 4); }
  void put64(uint64_t at, uint64_t v) { memcpy(&bytes_[at], &v, 8); }
  void put_string(uint64_t at, const std::string& s) {
    memcpy(&bytes_[at], s.c_str(), s.size() + 1);
  }
  size_t size() const { return bytes_.size(); }
  uint8_t& operator[](size_t i) { return bytes_[i]; }

 private:
  std::vector<uint8_t> bytes_;
};

constexpr uint64_t kInfo = 0x1000, kMap = 0x2000, kCmdline = 0x3000, kMods = 0x4000, kName = 0x5000;

void put_map_entry(FakeMemory& m, uint64_t at, uint64_t base, uint64_t length, uint32_t type) {
  m.put32(at, 20);
  m.put64(at + 4, base);
  m.put64(at + 12, length);
  m.put32(at + 20, type);
}

// What QEMU's -kernel (or GRUB's `multiboot`) gives: cmdline, loader name,
// a memory map of three entries, one module.
FakeMemory qemu_i586() {
  FakeMemory m(0x8000);
  m.put32(kInfo, (1 << 0) | (1 << 2) | (1 << 3) | (1 << 6) | (1 << 9));
  m.put32(kInfo + 4, 639);
  m.put32(kInfo + 8, 261120);
  m.put32(kInfo + 16, kCmdline);
  m.put32(kInfo + 20, 1);
  m.put32(kInfo + 24, kMods);
  m.put32(kInfo + 44, 3 * 24);
  m.put32(kInfo + 48, kMap);
  m.put32(kInfo + 64, kName);
  put_map_entry(m, kMap, 0, 0x9fc00, 1);
  put_map_entry(m, kMap + 24, 0x9fc00, 0x400, 2);
  put_map_entry(m, kMap + 48, 0x100000, 0xfee0000, 1);
  m.put_string(kCmdline, "console=serial");
  m.put_string(kName, "qemu");
  m.put32(kMods, 0x200000);
  m.put32(kMods + 4, 0x280000);
  m.put32(kMods + 8, kName + 0x100);
  m.put_string(kName + 0x100, "ramdisk");
  return m;
}

TEST(Multiboot, QemuI586) {
  FakeMemory m = qemu_i586();
  BootInfo info;
  ASSERT_TRUE(boot::parse_multiboot(kInfo, m, info).ok());
  EXPECT_STREQ(info.cmdline, "console=serial");
  EXPECT_STREQ(info.loader, "qemu");
  ASSERT_EQ(info.memory_count, 3u);
  EXPECT_EQ(info.memory[2].base, 0x100000u);
  EXPECT_EQ(info.memory[2].size, 0xfee0000u);
  EXPECT_EQ(info.memory[1].type, MemoryType::kReserved);
  ASSERT_EQ(info.module_count, 1u);
  EXPECT_EQ(info.modules[0].size, 0x80000u);
  EXPECT_STREQ(info.modules[0].name, "ramdisk");
}

TEST(Multiboot, BasicMemoryWithoutMap) {
  FakeMemory m(0x2000);
  m.put32(kInfo, 1 << 0);
  m.put32(kInfo + 4, 640);
  m.put32(kInfo + 8, 31744);
  BootInfo info;
  ASSERT_TRUE(boot::parse_multiboot(kInfo, m, info).ok());
  ASSERT_EQ(info.memory_count, 2u);
  EXPECT_EQ(info.memory[1].base, 0x100000u);
  EXPECT_EQ(info.memory[1].size, 31744u * 1024);
}

TEST(Multiboot, InfoOutsideMemory) {
  FakeMemory m(0x2000);
  BootInfo info;
  EXPECT_EQ(boot::parse_multiboot(0x10000, m, info).status(), Status::kTruncated);
  // The info structure straddles the end of memory: its fields are unreadable.
  m.put32(0x1ff8, (1 << 6));
  EXPECT_EQ(boot::parse_multiboot(0x1ff8, m, info).status(), Status::kTruncated);
}

TEST(Multiboot, MapPastEndOfMemory) {
  FakeMemory m = qemu_i586();
  m.put32(kInfo + 44, 0x10000);  // mmap_length far beyond memory
  BootInfo info;
  EXPECT_EQ(boot::parse_multiboot(kInfo, m, info).status(), Status::kTruncated);
}

TEST(Multiboot, MapEntryTooSmall) {
  FakeMemory m = qemu_i586();
  m.put32(kMap + 24, 8);
  BootInfo info;
  EXPECT_EQ(boot::parse_multiboot(kInfo, m, info).status(), Status::kBadFormat);
}

TEST(Multiboot, MapEntryRunsOffTheMap) {
  FakeMemory m = qemu_i586();
  m.put32(kInfo + 44, 3 * 24 - 4);  // last entry cut short
  BootInfo info;
  EXPECT_EQ(boot::parse_multiboot(kInfo, m, info).status(), Status::kTruncated);
}

TEST(Multiboot, AbsurdModuleCount) {
  FakeMemory m = qemu_i586();
  m.put32(kInfo + 20, 0x10000000);
  BootInfo info;
  EXPECT_EQ(boot::parse_multiboot(kInfo, m, info).status(), Status::kBadFormat);
}

TEST(Multiboot, ModuleEndBeforeStart) {
  FakeMemory m = qemu_i586();
  m.put32(kMods + 4, 0x100000);
  BootInfo info;
  EXPECT_EQ(boot::parse_multiboot(kInfo, m, info).status(), Status::kBadFormat);
}

TEST(Multiboot, UnterminatedStringAtEndOfMemory) {
  FakeMemory m = qemu_i586();
  uint64_t at = m.size() - 4;
  for (int i = 0; i < 4; ++i) m[at + i] = 'z';
  m.put32(kInfo + 16, static_cast<uint32_t>(at));
  BootInfo info;
  ASSERT_TRUE(boot::parse_multiboot(kInfo, m, info).ok());
  EXPECT_STREQ(info.cmdline, "zzzz");
}

}  // namespace
