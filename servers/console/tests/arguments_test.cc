// The console's command line (arguments.h).
#include "arguments.h"

#include <string.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace console {
namespace {

struct Parsed {
  bool ok;
  Arguments arguments;
  std::string error;
};

Parsed parse(std::vector<const char*> words) {
  words.insert(words.begin(), "console");
  Parsed p;
  char error[160] = {};
  p.ok = parse_arguments(static_cast<int>(words.size()), words.data(), &p.arguments, error,
                         sizeof(error));
  p.error = error;
  return p;
}

TEST(Arguments, Pc16550) {
  Parsed p = parse({"uart=16550", "port=0x3f8", "irq=4"});
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.arguments.uart, UartKind::k16550);
  EXPECT_EQ(p.arguments.port, 0x3f8u);
  EXPECT_EQ(p.arguments.irq, 4u);
  EXPECT_FALSE(p.arguments.selftest);
  EXPECT_FALSE(p.arguments.keyboard);
  EXPECT_EQ(p.arguments.vga, 0u);
}

TEST(Arguments, PcKeyboardAndVga) {
  Parsed p = parse({"uart=16550", "port=0x3f8", "irq=4", "keyboard=i8042", "vga=0xb8000"});
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_TRUE(p.arguments.keyboard);
  EXPECT_EQ(p.arguments.vga, 0xb8000u);
  p = parse({"vga=753664", "uart=16550", "port=0x3f8", "irq=4"});
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_FALSE(p.arguments.keyboard);
  EXPECT_EQ(p.arguments.vga, 0xb8000u);
}

TEST(Arguments, Framebuffer) {
  Parsed p = parse({"uart=16550", "port=0x3f8", "irq=4", "fb=0x80000000,1280,800,5120,32"});
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.arguments.fb_address, 0x80000000u);
  EXPECT_EQ(p.arguments.fb_width, 1280u);
  EXPECT_EQ(p.arguments.fb_height, 800u);
  EXPECT_EQ(p.arguments.fb_pitch, 5120u);
  EXPECT_EQ(p.arguments.fb_bpp, 32u);
  for (const char* bad :
       {"fb=0x80000000,1280,800,5120", "fb=0x80000000,1280,800,5120,32,1", "fb=0,1280,800,5120,32",
        "fb=0x80000000,1280,,5120,32", "fb=0x80000000,1280,800,5120,0",
        "fb=0x8000000x,1280,800,5120,32", "fb=0x80000000,0x100000000,800,5120,32"}) {
    Parsed q = parse({"uart=16550", "port=0x3f8", "irq=4", bad});
    EXPECT_FALSE(q.ok) << bad;
    EXPECT_NE(q.error.find("fb=ADDRESS,WIDTH,HEIGHT,PITCH,BPP"), std::string::npos) << q.error;
  }
  Parsed twice = parse({"uart=16550", "port=0x3f8", "irq=4", "fb=0x1000,640,400,2560,32",
                        "fb=0x1000,640,400,2560,32"});
  EXPECT_FALSE(twice.ok);
}

TEST(Arguments, RaspberryPiPl011WithSelfTest) {
  Parsed p = parse({"selftest", "uart=pl011", "mmio=0x3f201000", "irq=57"});
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.arguments.uart, UartKind::kPl011);
  EXPECT_EQ(p.arguments.mmio, 0x3f201000u);
  EXPECT_EQ(p.arguments.irq, 57u);
  EXPECT_TRUE(p.arguments.selftest);
  p = parse({"irq=57", "mmio=0xFE201000", "uart=pl011"});
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.arguments.mmio, 0xfe201000u);
}

TEST(Arguments, Errors) {
  struct Case {
    std::vector<const char*> words;
    const char* error;
  };
  const Case cases[] = {
      {{}, "no uart= given"},
      {{"port=0x3f8", "irq=4"}, "no uart= given"},
      {{"uart=8250", "port=0x3f8", "irq=4"}, "unknown uart '8250'"},
      {{"uart=16550", "irq=4"}, "uart=16550 needs port="},
      {{"uart=16550", "port=0x3f8"}, "no irq= given"},
      {{"uart=16550", "port=0x3f8", "mmio=0x1000", "irq=4"}, "uart=16550 needs port="},
      {{"uart=pl011", "port=0x3f8", "irq=4"}, "uart=pl011 needs mmio="},
      {{"uart=16550", "port=0x3f8", "irq=4", "baud=9600"}, "unknown argument 'baud=9600'"},
      {{"uart=16550", "port=0x3g8", "irq=4"}, "bad or repeated 'port=0x3g8'"},
      {{"uart=16550", "port=0xfffc", "irq=4"}, "bad or repeated 'port=0xfffc'"},
      {{"uart=16550", "port=", "irq=4"}, "bad or repeated 'port='"},
      {{"uart=16550", "port=1", "port=2", "irq=4"}, "bad or repeated 'port=2'"},
      {{"uart=16550", "port=0x3f8", "irq=-1"}, "bad or repeated 'irq=-1'"},
      {{"uart=16550", "port=0x3f8", "irq=1024"}, "bad or repeated 'irq=1024'"},
      {{"uart=pl011", "mmio=0x3f201002", "irq=57"}, "bad or repeated 'mmio=0x3f201002'"},
      {{"uart=pl011", "mmio=0x3f201ff0", "irq=57"}, "bad or repeated 'mmio=0x3f201ff0'"},
      {{"uart=pl011", "uart=pl011", "mmio=0x3f201000", "irq=57"}, "uart= given twice"},
      {{"uart=16550", "port=0x3f8", "irq=4", "keyboard=at"}, "bad or repeated 'keyboard=at'"},
      {{"uart=16550", "port=0x3f8", "irq=4", "keyboard=i8042", "keyboard=i8042"},
       "bad or repeated 'keyboard=i8042'"},
      {{"uart=16550", "port=0x3f8", "irq=4", "vga="}, "bad or repeated 'vga='"},
      {{"uart=16550", "port=0x3f8", "irq=4", "vga=0"}, "bad or repeated 'vga=0'"},
      {{"uart=16550", "port=0x3f8", "irq=4", "vga=0xb8800"}, "bad or repeated 'vga=0xb8800'"},
      {{"uart=16550", "port=0x3f8", "irq=4", "vga=0xb8000", "vga=0xb8000"},
       "bad or repeated 'vga=0xb8000'"},
      {{"uart=pl011", "mmio=0x3f201000", "irq=57", "keyboard=i8042"},
       "keyboard= and vga= are PC devices"},
      {{"uart=pl011", "mmio=0x3f201000", "irq=57", "vga=0xb8000"},
       "keyboard= and vga= are PC devices"},
  };
  for (const Case& c : cases) {
    Parsed p = parse(c.words);
    EXPECT_FALSE(p.ok);
    EXPECT_EQ(p.error.compare(0, strlen(c.error), c.error), 0)
        << "got '" << p.error << "', wanted '" << c.error << "...'";
  }
}

}  // namespace
}  // namespace console
