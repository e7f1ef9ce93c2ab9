// The console's screen on a linear framebuffer (a UEFI machine, which has
// no VGA text mode): the 80 x 25 cells of a TextScreen drawn with an 8x16
// font (code page 437, //third_party/console_font), each pixel scaled up
// by the largest whole factor that fits, the grid centred. Light grey on
// black as the VGA text console, with an underline cursor.
//
// Pure drawing into memory the caller gives (the mapped framebuffer, or an
// ordinary buffer in the host tests): 32 bpp (0x00RRGGBB), 24 bpp (blue,
// green, red bytes) or 16 bpp (RGB 5:6:5). Only cells that show something
// else than before are drawn again.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "text_screen.h"

namespace console {

class FramebufferText {
 public:
  static constexpr size_t kGlyphWidth = 8;
  static constexpr size_t kGlyphHeight = 16;
  // The font: 256 glyphs of kGlyphHeight rows, the leftmost pixel in the
  // top bit.
  static const uint8_t kFont[256 * kGlyphHeight];

  struct Geometry {
    uint32_t width = 0, height = 0;  // pixels
    uint32_t pitch = 0;              // bytes per row
    uint32_t bpp = 0;
  };
  // Whether a screen of `g` can be drawn on: a supported depth, a pitch
  // that holds a row, and room for the 640 x 400 pixels of the grid.
  static bool supported(const Geometry& g);

  // `pixels`: pitch * height bytes. `g` must be supported().
  FramebufferText(volatile uint8_t* pixels, const Geometry& g);

  uint32_t scale() const { return scale_; }
  // The top-left pixel of the grid.
  uint32_t left() const { return left_; }
  uint32_t top() const { return top_; }

  // Blanks the whole screen and shows the cursor at the top left.
  void reset();
  // Writes `bytes` to the screen (TextScreen's rules) and puts the cursor
  // after them.
  void write(const char* bytes, size_t length);

 private:
  void draw_cell(size_t index, bool cursor);
  void fill(uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t rgb);
  void put_pixel(volatile uint8_t* at, uint32_t rgb);

  volatile uint8_t* pixels_;
  Geometry g_;
  uint32_t scale_ = 1, left_ = 0, top_ = 0;
  TextScreen screen_;
  uint16_t drawn_[TextScreen::kCells];  // what each cell shows now
  size_t cursor_ = 0;
  uint16_t cursor_cell_ = 0;  // what the cursor's cell showed when drawn
};

}  // namespace console
