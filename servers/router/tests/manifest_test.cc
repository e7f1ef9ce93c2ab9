// The router's manifest lines: names, options, hardware fields and
// arguments, and every malformed field refused by name.
#include "manifest.h"

#include <string.h>

#include <string>

#include <gtest/gtest.h>

namespace {

using router::ManifestLine;

struct Parsed {
  char text[200];
  ManifestLine line;
  const char* error;
};

Parsed parse(const char* text) {
  Parsed p;
  strncpy(p.text, text, sizeof(p.text) - 1);
  p.text[sizeof(p.text) - 1] = 0;
  p.error = router::parse_manifest_line(p.text, &p.line);
  return p;
}

TEST(Manifest, ServerWithoutHardware) {
  Parsed p = parse("vfs ramdisk");
  ASSERT_EQ(p.error, nullptr);
  EXPECT_EQ(p.line.argc, 1);
  EXPECT_STREQ(p.line.argv[0], "vfs");
  EXPECT_EQ(p.line.argv[1], nullptr);
  EXPECT_TRUE(p.line.ramdisk);
  EXPECT_EQ(p.line.hardware_count, 0u);
}

TEST(Manifest, HardwareAndArguments) {
  Parsed p = parse("ata ports=0x1f0+8 ports=0x3f6+1 irq=14 -- port=0x1f0 irq=14");
  ASSERT_EQ(p.error, nullptr);
  EXPECT_FALSE(p.line.ramdisk);
  ASSERT_EQ(p.line.argc, 3);
  EXPECT_STREQ(p.line.argv[1], "port=0x1f0");
  EXPECT_STREQ(p.line.argv[2], "irq=14");
  ASSERT_EQ(p.line.hardware_count, 3u);
  EXPECT_EQ(p.line.hardware[0].kind, uint32_t{MICA_RESOURCE_IOPORT});
  EXPECT_EQ(p.line.hardware[0].base, 0x1f0u);
  EXPECT_EQ(p.line.hardware[0].size, 8u);
  EXPECT_EQ(p.line.hardware[1].base, 0x3f6u);
  EXPECT_EQ(p.line.hardware[1].size, 1u);
  EXPECT_EQ(p.line.hardware[2].kind, uint32_t{MICA_RESOURCE_IRQ});
  EXPECT_EQ(p.line.hardware[2].base, 14u);
  EXPECT_EQ(p.line.hardware[2].size, 1u);
  EXPECT_EQ(p.line.hardware[2].reserved, 0u);
}

TEST(Manifest, MmioIrqRangesAndSystem) {
  Parsed p = parse("x mmio=0x3F201000+4096 irq=8-11 system -- system");
  ASSERT_EQ(p.error, nullptr);
  ASSERT_EQ(p.line.hardware_count, 3u);
  EXPECT_EQ(p.line.hardware[0].kind, uint32_t{MICA_RESOURCE_MMIO});
  EXPECT_EQ(p.line.hardware[0].base, 0x3f201000u);
  EXPECT_EQ(p.line.hardware[0].size, 0x1000u);
  EXPECT_EQ(p.line.hardware[1].base, 8u);
  EXPECT_EQ(p.line.hardware[1].size, 4u);
  EXPECT_EQ(p.line.hardware[2].kind, uint32_t{MICA_RESOURCE_SYSTEM});
  EXPECT_EQ(p.line.hardware[2].size, 0u);
  ASSERT_EQ(p.line.argc, 2);  // after "--" it is an argument
  EXPECT_STREQ(p.line.argv[1], "system");
  // Decimal is never octal; the top of the address space does not wrap.
  p = parse("x ports=010+1 mmio=0xfffffffffffff000+0x1000");
  ASSERT_EQ(p.error, nullptr);
  EXPECT_EQ(p.line.hardware[0].base, 10u);
  EXPECT_EQ(p.line.hardware[1].base, 0xfffffffffffff000u);
}

TEST(Manifest, BadFieldsAreNamed) {
  const char* bad[] = {
      "hardware",                        // the old all-or-nothing option
      "ports=0x3f8",                     // no count
      "ports=0x3f8+0",                   // empty
      "ports=0x3f8g+8",                  // not hex
      "ports=+8",                        // no base
      "ports=0x+8",                      // no digits
      "mmio=0xfffffffffffff000+0x2000",  // wraps
      "mmio=0x10000000000000000+1",      // past 64 bits
      "irq=",                            // no number
      "irq=5-4",                         // backwards
      "irq=4+1",                         // not a range of IRQs
      "irq=0-18446744073709551615",      // a count that does not fit
      "dma=0x1000+0x1000",               // unknown kind
      "systems",
  };
  for (const char* field : bad) {
    char text[128];
    snprintf(text, sizeof(text), "drv %s -- a", field);
    Parsed p = parse(text);
    ASSERT_NE(p.error, nullptr) << field;
    EXPECT_STREQ(p.error, field);
  }
}

TEST(Manifest, LimitsAndEmptyLines) {
  EXPECT_STREQ(parse("").error, "(no name)");
  EXPECT_STREQ(parse("   ").error, "(no name)");
  EXPECT_STREQ(parse("-- a").error, "--");
  // MICA_RESOURCE_MAX_RANGES (12) ranges, not one more.
  std::string most = "d";
  for (int i = 1; i <= 12; ++i) most += " irq=" + std::to_string(i);
  Parsed p = parse(most.c_str());
  EXPECT_EQ(p.error, nullptr);
  EXPECT_EQ(p.line.hardware_count, 12u);
  std::string too_many = most + " irq=13";
  EXPECT_STREQ(parse(too_many.c_str()).error, "irq=13");
  Parsed fb = parse("console framebuffer ramdisk irq=4");
  EXPECT_EQ(fb.error, nullptr);
  EXPECT_TRUE(fb.line.framebuffer);
  EXPECT_TRUE(fb.line.ramdisk);
  EXPECT_FALSE(parse("console irq=4").line.framebuffer);
  EXPECT_STREQ(parse("d -- 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16").error, "16");
  EXPECT_EQ(parse("d -- 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15").error, nullptr);
}

}  // namespace
