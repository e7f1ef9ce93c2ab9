#include <vector>

#include <gtest/gtest.h>

#include <arch/x86/io_ports.h>

namespace {

using arch::x86::IoPorts;
using arch::x86::kIoBitmapBytes;
using lib::Status;

TEST(IoPorts, InitDeniesEveryPort) {
  IoPorts ports;
  ports.init();
  for (uint32_t port = 0; port < arch::x86::kIoPortCount; ++port) ASSERT_FALSE(ports.allowed(port));
  EXPECT_EQ(ports.bitmap[kIoBitmapBytes - 1], 0xff);
  EXPECT_EQ(ports.extent, 0u);
}

TEST(IoPorts, AllowClearsExactlyTheRange) {
  IoPorts ports;
  ports.init();
  ASSERT_TRUE(ports.allow(0x3f8, 8).ok());
  EXPECT_FALSE(ports.allowed(0x3f7));
  for (uint32_t port = 0x3f8; port < 0x400; ++port) EXPECT_TRUE(ports.allowed(port));
  EXPECT_FALSE(ports.allowed(0x400));
  EXPECT_EQ(ports.extent, 0x400u / 8);
  ASSERT_TRUE(ports.allow(0x61, 1).ok());  // below: the extent stays
  EXPECT_EQ(ports.extent, 0x400u / 8);
  ASSERT_TRUE(ports.allow(5, 0).ok());
  EXPECT_FALSE(ports.allowed(5));
}

TEST(IoPorts, RangesPastTheLastPortAreInvalid) {
  IoPorts ports;
  ports.init();
  EXPECT_TRUE(ports.allow(0xffff, 1).ok());
  EXPECT_EQ(ports.extent, 0x2000u);
  EXPECT_EQ(ports.bitmap[0x2000], 0xff);
  EXPECT_EQ(ports.allow(0xffff, 2).status(), Status::kInvalidArgs);
  EXPECT_EQ(ports.allow(0x10000, 0).status(), Status::kInvalidArgs);
  EXPECT_EQ(ports.allow(1, 0xffffffff).status(), Status::kInvalidArgs);
  EXPECT_EQ(ports.allow(0, 0x10000).status(), Status::kOk);
}

// A TSS bitmap follows whichever process is loaded, writing only the bytes
// that can differ.
TEST(IoPorts, LoadIntoTss) {
  std::vector<uint8_t> tss(kIoBitmapBytes, 0);
  uint32_t tss_extent = 1234;
  arch::x86::init_tss_io_bitmap(tss.data(), tss_extent);
  EXPECT_EQ(tss_extent, 0u);
  EXPECT_EQ(tss, std::vector<uint8_t>(kIoBitmapBytes, 0xff));

  IoPorts serial;
  serial.init();
  ASSERT_TRUE(serial.allow(0x3f8, 8).ok());
  IoPorts low;
  low.init();
  ASSERT_TRUE(low.allow(0x60, 1).ok());

  arch::x86::load_io_bitmap(tss.data(), tss_extent, &serial);
  EXPECT_EQ(std::vector<uint8_t>(tss.begin(), tss.end()),
            std::vector<uint8_t>(serial.bitmap, serial.bitmap + kIoBitmapBytes));
  arch::x86::load_io_bitmap(tss.data(), tss_extent, &low);
  EXPECT_EQ(std::vector<uint8_t>(tss.begin(), tss.end()),
            std::vector<uint8_t>(low.bitmap, low.bitmap + kIoBitmapBytes));
  arch::x86::load_io_bitmap(tss.data(), tss_extent, nullptr);
  EXPECT_EQ(tss, std::vector<uint8_t>(kIoBitmapBytes, 0xff));
  EXPECT_EQ(tss_extent, 0u);
}

}  // namespace
