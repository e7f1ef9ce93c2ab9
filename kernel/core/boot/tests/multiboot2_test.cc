#include <random>
#include <vector>

#include <gtest/gtest.h>

#include <core/boot/parsers.h>

#include "core/boot/tests/mb2_builder.h"

namespace {

using boot::BootInfo;
using boot::MemoryType;
using lib::Status;

lib::ByteSpan span(const std::vector<uint8_t>& v) {
  return lib::ByteSpan(v.data(), v.size());
}

std::vector<uint8_t> memory_map(
    const std::vector<std::tuple<uint64_t, uint64_t, uint32_t>>& entries,
    uint32_t entry_size = 24) {
  std::vector<uint8_t> payload;
  Mb2Builder::append32(payload, entry_size);
  Mb2Builder::append32(payload, 0);  // entry_version
  for (auto [base, length, type] : entries) {
    Mb2Builder::append64(payload, base);
    Mb2Builder::append64(payload, length);
    Mb2Builder::append32(payload, type);
    Mb2Builder::append32(payload, 0);
    for (uint32_t i = 24; i < entry_size; ++i) payload.push_back(0);
  }
  return payload;
}

std::vector<uint8_t> module(uint32_t start, uint32_t end, const std::string& name) {
  std::vector<uint8_t> payload;
  Mb2Builder::append32(payload, start);
  Mb2Builder::append32(payload, end);
  payload.insert(payload.end(), name.begin(), name.end());
  payload.push_back(0);
  return payload;
}

// What GRUB hands a pc kernel under QEMU with -m 512M (memory map as
// printed by a real boot), plus a module and the ACPI RSDP.
std::vector<uint8_t> qemu_pc_info() {
  std::vector<uint8_t> fb;
  Mb2Builder::append64(fb, 0xb8000);
  Mb2Builder::append32(fb, 160);
  Mb2Builder::append32(fb, 80);
  Mb2Builder::append32(fb, 25);
  fb.push_back(16);
  fb.push_back(2);
  fb.push_back(0);
  fb.push_back(0);
  return Mb2Builder()
      .string_tag(1, "console=serial")
      .string_tag(2, "GRUB 2.06")
      .tag(3, module(0x200000, 0x201000, "ramdisk"))
      .tag(6, memory_map({{0, 0x9fc00, 1},
                          {0x9fc00, 0x400, 2},
                          {0xf0000, 0x10000, 2},
                          {0x100000, 0x1fee0000, 1},
                          {0x1ffe0000, 0x20000, 2},
                          {0xfffc0000, 0x40000, 2},
                          {0xfd00000000, 0x300000000, 2}}))
      .tag(8, fb)
      .tag(14, std::vector<uint8_t>(20, 0))
      .finish();
}

TEST(Multiboot2, QemuPc) {
  auto data = qemu_pc_info();
  BootInfo info;
  ASSERT_TRUE(boot::parse_multiboot2(span(data), 0x10000, info).ok());
  EXPECT_STREQ(info.cmdline, "console=serial");
  EXPECT_STREQ(info.loader, "GRUB 2.06");
  ASSERT_EQ(info.memory_count, 7u);
  EXPECT_EQ(info.memory[3].base, 0x100000u);
  EXPECT_EQ(info.memory[3].size, 0x1fee0000u);
  EXPECT_EQ(info.memory[3].type, MemoryType::kUsable);
  EXPECT_EQ(info.memory[1].type, MemoryType::kReserved);
  EXPECT_EQ(info.usable_bytes(), 0x9fc00u + 0x1fee0000u);
  ASSERT_EQ(info.module_count, 1u);
  EXPECT_EQ(info.modules[0].base, 0x200000u);
  EXPECT_EQ(info.modules[0].size, 0x1000u);
  EXPECT_STREQ(info.modules[0].name, "ramdisk");
  EXPECT_EQ(info.framebuffer.address, 0xb8000u);
  EXPECT_EQ(info.framebuffer.width, 80u);
  EXPECT_EQ(info.framebuffer.type, 2u);
  EXPECT_NE(info.acpi_rsdp, 0u);
  EXPECT_GT(info.acpi_rsdp, 0x10000u);
}

TEST(Multiboot2, MemoryTypes) {
  auto data = Mb2Builder()
                  .tag(6, memory_map({{0, 1, 1}, {1, 1, 3}, {2, 1, 4}, {3, 1, 5}, {4, 1, 9}}))
                  .finish();
  BootInfo info;
  ASSERT_TRUE(boot::parse_multiboot2(span(data), 0, info).ok());
  ASSERT_EQ(info.memory_count, 5u);
  EXPECT_EQ(info.memory[1].type, MemoryType::kAcpiReclaimable);
  EXPECT_EQ(info.memory[2].type, MemoryType::kAcpiNvs);
  EXPECT_EQ(info.memory[3].type, MemoryType::kBad);
  EXPECT_EQ(info.memory[4].type, MemoryType::kReserved);
}

TEST(Multiboot2, LargerEntrySizeIsHonoured) {
  auto data =
      Mb2Builder().tag(6, memory_map({{0x1000, 0x2000, 1}, {0x5000, 0x1000, 1}}, 32)).finish();
  BootInfo info;
  ASSERT_TRUE(boot::parse_multiboot2(span(data), 0, info).ok());
  ASSERT_EQ(info.memory_count, 2u);
  EXPECT_EQ(info.memory[1].base, 0x5000u);
}

TEST(Multiboot2, TruncatedBuffer) {
  auto data = qemu_pc_info();
  for (size_t keep : {size_t{0}, size_t{3}, size_t{8}, data.size() / 2, data.size() - 1}) {
    std::vector<uint8_t> cut(data.begin(), data.begin() + keep);
    BootInfo info;
    EXPECT_EQ(boot::parse_multiboot2(span(cut), 0, info).status(), Status::kTruncated) << keep;
  }
}

TEST(Multiboot2, MissingEndTag) {
  auto data = Mb2Builder().string_tag(1, "x").finish(/*end_tag=*/false);
  BootInfo info;
  EXPECT_EQ(boot::parse_multiboot2(span(data), 0, info).status(), Status::kTruncated);
}

TEST(Multiboot2, TagSizePastTheEnd) {
  auto data = Mb2Builder().string_tag(1, "console").finish();
  data[12] = 0xff;  // first tag's size: far beyond total_size
  BootInfo info;
  EXPECT_EQ(boot::parse_multiboot2(span(data), 0, info).status(), Status::kTruncated);
}

TEST(Multiboot2, TagSizeTooSmall) {
  auto data = Mb2Builder().string_tag(1, "console").finish();
  data[12] = 4;
  BootInfo info;
  EXPECT_EQ(boot::parse_multiboot2(span(data), 0, info).status(), Status::kBadFormat);
}

TEST(Multiboot2, BadMemoryMapEntrySize) {
  auto data = Mb2Builder().tag(6, memory_map({{0, 0x1000, 1}}, 16)).finish();
  BootInfo info;
  EXPECT_EQ(boot::parse_multiboot2(span(data), 0, info).status(), Status::kBadFormat);
}

TEST(Multiboot2, ModuleEndBeforeStart) {
  auto data = Mb2Builder().tag(3, module(0x3000, 0x2000, "bad")).finish();
  BootInfo info;
  EXPECT_EQ(boot::parse_multiboot2(span(data), 0, info).status(), Status::kBadFormat);
}

TEST(Multiboot2, TooManyRangesIsReported) {
  std::vector<std::tuple<uint64_t, uint64_t, uint32_t>> entries;
  for (uint64_t i = 0; i < BootInfo::kMaxMemoryRanges + 1; ++i)
    entries.push_back({i << 12, 0x1000, 1});
  auto data = Mb2Builder().tag(6, memory_map(entries)).finish();
  BootInfo info;
  EXPECT_EQ(boot::parse_multiboot2(span(data), 0, info).status(), Status::kNoSpace);
}

TEST(Multiboot2, UnterminatedAndOverlongCommandLines) {
  // No NUL inside the tag: the copy stops at the tag's end.
  std::vector<uint8_t> raw = {'a', 'b', 'c'};
  auto data = Mb2Builder().tag(1, raw).finish();
  BootInfo info;
  ASSERT_TRUE(boot::parse_multiboot2(span(data), 0, info).ok());
  EXPECT_STREQ(info.cmdline, "abc");
  // 1 MiB command line: kept to the table size and flagged.
  auto big = Mb2Builder().string_tag(1, std::string(1 << 20, 'x')).finish();
  BootInfo info2;
  ASSERT_TRUE(boot::parse_multiboot2(span(big), 0, info2).ok());
  EXPECT_TRUE(info2.cmdline_truncated);
  EXPECT_EQ(strlen(info2.cmdline), BootInfo::kMaxCmdline - 1);
}

TEST(Multiboot2, SurvivesRandomCorruption) {
  auto original = qemu_pc_info();
  std::mt19937 random(42);
  int errors = 0;
  for (int round = 0; round < 5000; ++round) {
    auto data = original;
    int flips = 1 + static_cast<int>(random() % 6);
    for (int i = 0; i < flips; ++i) data[random() % data.size()] = static_cast<uint8_t>(random());
    data.resize(random() % (data.size() + 1));
    std::vector<uint8_t> exact(data);
    BootInfo info;
    if (!boot::parse_multiboot2(span(exact), 0, info).ok()) ++errors;
  }
  EXPECT_GT(errors, 0);
}

}  // namespace
