#include <string.h>

#include <random>
#include <vector>

#include <gtest/gtest.h>

#include <core/boot/parsers.h>

#include "kernel/core/boot/tests/fdt_fixtures.h"

namespace {

using boot::BootInfo;
using boot::MemoryType;
using lib::Status;

lib::ByteSpan span(const std::vector<uint8_t>& v) {
  return lib::ByteSpan(v.data(), v.size());
}

std::vector<uint8_t> fixture(const uint8_t* data, size_t size) {
  return std::vector<uint8_t>(data, data + size);
}

void put_be32(std::vector<uint8_t>& v, size_t offset, uint32_t value) {
  for (int i = 0; i < 4; ++i) v[offset + i] = static_cast<uint8_t>(value >> (24 - 8 * i));
}

uint32_t get_be32(const std::vector<uint8_t>& v, size_t offset) {
  return uint32_t{v[offset]} << 24 | uint32_t{v[offset + 1]} << 16 | uint32_t{v[offset + 2]} << 8 |
         v[offset + 3];
}

TEST(Fdt, Raspi3b) {
  auto blob = fixture(kRaspi3bDtb, sizeof(kRaspi3bDtb));
  BootInfo info;
  ASSERT_TRUE(boot::parse_fdt(span(blob), info).ok());
  // The reservation, then the one memory node; soc/memory@7e000000 ignored.
  ASSERT_EQ(info.memory_count, 2u);
  EXPECT_EQ(info.memory[0].base, 0u);
  EXPECT_EQ(info.memory[0].size, 0x1000u);
  EXPECT_EQ(info.memory[0].type, MemoryType::kReserved);
  EXPECT_EQ(info.memory[1].base, 0u);
  EXPECT_EQ(info.memory[1].size, 0x3b400000u);
  EXPECT_EQ(info.memory[1].type, MemoryType::kUsable);
  EXPECT_STREQ(info.cmdline, "console=serial root=/dev/mmcblk0p2");
  ASSERT_EQ(info.module_count, 1u);
  EXPECT_EQ(info.modules[0].base, 0x02000000u);
  EXPECT_EQ(info.modules[0].size, 0x100000u);
  EXPECT_STREQ(info.modules[0].name, "ramdisk");
}

TEST(Fdt, TwoCellAddressesAndSeveralRanges) {
  auto blob = fixture(kRaspi4b4gDtb, sizeof(kRaspi4b4gDtb));
  BootInfo info;
  ASSERT_TRUE(boot::parse_fdt(span(blob), info).ok());
  ASSERT_EQ(info.memory_count, 2u);
  EXPECT_EQ(info.memory[0].size, 0x3b400000u);
  EXPECT_EQ(info.memory[1].base, 0x40000000u);
  EXPECT_EQ(info.memory[1].size, 0xbc000000u);
  EXPECT_EQ(info.usable_bytes(), 0x3b400000u + 0xbc000000u);
  EXPECT_STREQ(info.cmdline, "quiet");
  ASSERT_EQ(info.module_count, 1u);
  EXPECT_EQ(info.modules[0].base, 0x08000000u);
  EXPECT_EQ(info.modules[0].size, 0x400u);
}

TEST(Fdt, RejectsBadMagicAndOldVersions) {
  auto blob = fixture(kRaspi3bDtb, sizeof(kRaspi3bDtb));
  BootInfo info;
  auto bad = blob;
  bad[0] ^= 0xff;
  EXPECT_EQ(boot::parse_fdt(span(bad), info).status(), Status::kBadFormat);
  auto old = blob;
  put_be32(old, 20, 15);
  EXPECT_EQ(boot::parse_fdt(span(old), info).status(), Status::kNotSupported);
  EXPECT_EQ(boot::parse_fdt(lib::ByteSpan(), info).status(), Status::kTruncated);
}

TEST(Fdt, TruncatedBlobIsAnError) {
  auto blob = fixture(kRaspi3bDtb, sizeof(kRaspi3bDtb));
  // The header claims more than we have.
  for (size_t keep : {size_t{8}, size_t{40}, blob.size() / 2, blob.size() - 1}) {
    std::vector<uint8_t> cut(blob.begin(), blob.begin() + keep);
    BootInfo info;
    EXPECT_EQ(boot::parse_fdt(span(cut), info).status(), Status::kTruncated) << keep;
  }
  // The structure block claims to extend past totalsize.
  auto overlong = blob;
  put_be32(overlong, 36, get_be32(blob, 36) + 4096);
  BootInfo info;
  EXPECT_EQ(boot::parse_fdt(span(overlong), info).status(), Status::kTruncated);
}

TEST(Fdt, BadTokenIsAnError) {
  auto blob = fixture(kRaspi3bDtb, sizeof(kRaspi3bDtb));
  uint32_t off_struct = get_be32(blob, 8);
  put_be32(blob, off_struct, 0x77);  // first token should be BEGIN_NODE
  BootInfo info;
  EXPECT_EQ(boot::parse_fdt(span(blob), info).status(), Status::kBadFormat);
}

// Random corruption must only ever produce an error or a result, never an
// out-of-bounds read (ASan checks every access in this build).
TEST(Fdt, SurvivesRandomCorruption) {
  auto original = fixture(kRaspi3bDtb, sizeof(kRaspi3bDtb));
  std::mt19937 random(1234);
  int errors = 0;
  for (int round = 0; round < 5000; ++round) {
    auto blob = original;
    int flips = 1 + static_cast<int>(random() % 8);
    for (int i = 0; i < flips; ++i) blob[random() % blob.size()] = static_cast<uint8_t>(random());
    blob.resize(random() % (blob.size() + 1));
    // A copy in an exactly-sized heap buffer so ASan sees any overrun.
    std::vector<uint8_t> exact(blob);
    BootInfo info;
    if (!boot::parse_fdt(span(exact), info).ok()) ++errors;
  }
  EXPECT_GT(errors, 0);
}

}  // namespace
