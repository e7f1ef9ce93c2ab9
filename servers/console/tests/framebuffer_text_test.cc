#include "framebuffer_text.h"

#include <string.h>

#include <vector>

#include <gtest/gtest.h>

namespace console {
namespace {

constexpr uint32_t kGrey = 0xaaaaaa;

struct Screen {
  explicit Screen(uint32_t width, uint32_t height, uint32_t bpp, uint32_t pad = 0)
      : g{width, height, width * (bpp / 8) + pad, bpp}, pixels(size_t{g.pitch} * height, 0x5a) {}
  uint32_t at(uint32_t x, uint32_t y) const {
    const uint8_t* p = pixels.data() + size_t{y} * g.pitch + size_t{x} * (g.bpp / 8);
    if (g.bpp == 32) return p[0] | p[1] << 8 | p[2] << 16 | uint32_t{p[3]} << 24;
    if (g.bpp == 24) return p[0] | p[1] << 8 | p[2] << 16;
    return p[0] | p[1] << 8;
  }
  // Whether the cell (row, column) shows glyph `c` (lit pixels kGrey, or
  // `lit` for other depths), every pixel of every scaled copy.
  bool shows(const FramebufferText& t, size_t row, size_t column, unsigned char c,
             uint32_t lit = kGrey, uint32_t dark = 0) const {
    const uint8_t* glyph = &FramebufferText::kFont[c * 16];
    uint32_t s = t.scale();
    for (uint32_t y = 0; y < 16 * s; ++y) {
      for (uint32_t x = 0; x < 8 * s; ++x) {
        bool on = (glyph[y / s] & (0x80 >> (x / s))) != 0;
        uint32_t px = at(t.left() + static_cast<uint32_t>(column) * 8 * s + x,
                         t.top() + static_cast<uint32_t>(row) * 16 * s + y);
        if (px != (on ? lit : dark)) return false;
      }
    }
    return true;
  }
  FramebufferText::Geometry g;
  std::vector<uint8_t> pixels;
};

TEST(FramebufferText, FontHasDistinctPrintableGlyphs) {
  const uint8_t* a = &FramebufferText::kFont['A' * 16];
  const uint8_t* b = &FramebufferText::kFont['B' * 16];
  const uint8_t* space = &FramebufferText::kFont[' ' * 16];
  EXPECT_NE(memcmp(a, b, 16), 0);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(space[i], 0) << i;
  int lit = 0;
  for (int i = 0; i < 16; ++i) lit += __builtin_popcount(a[i]);
  EXPECT_GT(lit, 10);
}

TEST(FramebufferText, DrawsTextAndCursorAt32Bpp) {
  Screen s(640, 400, 32);
  FramebufferText t(s.pixels.data(), s.g);
  EXPECT_EQ(t.scale(), 1u);
  t.reset();
  t.write("Hi", 2);
  EXPECT_TRUE(s.shows(t, 0, 0, 'H'));
  EXPECT_TRUE(s.shows(t, 0, 1, 'i'));
  EXPECT_FALSE(s.shows(t, 0, 0, 'i'));
  // The cursor: cell 2's last two rows lit, the rest dark.
  EXPECT_EQ(s.at(16, 15), kGrey);
  EXPECT_EQ(s.at(16, 13), 0u);
  // A new line moves the cursor away: its old cell is blank again.
  t.write("\r\n", 2);
  EXPECT_TRUE(s.shows(t, 0, 2, ' '));
  EXPECT_EQ(s.at(0, 16 + 15), kGrey);
}

TEST(FramebufferText, ScalesAndCentres) {
  Screen s(1280, 800, 32);
  FramebufferText t(s.pixels.data(), s.g);
  EXPECT_EQ(t.scale(), 2u);
  EXPECT_EQ(t.left(), 0u);
  Screen wide(1300, 900, 32);
  FramebufferText u(wide.pixels.data(), wide.g);
  EXPECT_EQ(u.scale(), 2u);
  EXPECT_EQ(u.left(), 10u);
  EXPECT_EQ(u.top(), 50u);
  u.reset();
  u.write("m", 1);
  EXPECT_TRUE(wide.shows(u, 0, 0, 'm'));
  EXPECT_EQ(wide.at(0, 0), 0u);  // the margin is cleared
}

TEST(FramebufferText, OtherDepthsAndPaddedRows) {
  Screen s24(640, 400, 24, 12);
  FramebufferText t24(s24.pixels.data(), s24.g);
  t24.reset();
  t24.write("x", 1);
  EXPECT_TRUE(s24.shows(t24, 0, 0, 'x'));
  Screen s16(640, 400, 16);
  FramebufferText t16(s16.pixels.data(), s16.g);
  t16.reset();
  t16.write("y", 1);
  // 0xaaaaaa in 5:6:5.
  EXPECT_TRUE(s16.shows(t16, 0, 0, 'y', 0xad55));
}

TEST(FramebufferText, ScrollsLikeTheTextScreen) {
  Screen s(640, 400, 32);
  FramebufferText t(s.pixels.data(), s.g);
  t.reset();
  t.write("top\r\n", 5);
  for (int i = 0; i < 24; ++i) t.write("\r\n", 2);
  t.write("end", 3);
  // "top" scrolled off the first row; "end" is on the last.
  EXPECT_TRUE(s.shows(t, 0, 0, ' '));
  EXPECT_TRUE(s.shows(t, 24, 0, 'e'));
  EXPECT_TRUE(s.shows(t, 24, 2, 'd'));
}

TEST(FramebufferText, RefusesWhatItCannotDraw) {
  EXPECT_TRUE(FramebufferText::supported({640, 400, 2560, 32}));
  EXPECT_FALSE(FramebufferText::supported({640, 400, 2560, 8}));
  EXPECT_FALSE(FramebufferText::supported({639, 400, 2560, 32}));
  EXPECT_FALSE(FramebufferText::supported({640, 399, 2560, 32}));
  EXPECT_FALSE(FramebufferText::supported({640, 400, 2559, 32}));
}

}  // namespace
}  // namespace console
