#include "framebuffer_text.h"

namespace console {

const uint8_t FramebufferText::kFont[256 * kGlyphHeight] = {
#include "font8x16.inc"
};

namespace {

// The 16 colours of the VGA text attribute (the standard palette).
constexpr uint32_t kPalette[16] = {
    0x000000, 0x0000aa, 0x00aa00, 0x00aaaa, 0xaa0000, 0xaa00aa, 0xaa5500, 0xaaaaaa,
    0x555555, 0x5555ff, 0x55ff55, 0x55ffff, 0xff5555, 0xff55ff, 0xffff55, 0xffffff,
};

constexpr uint32_t kGridWidth = TextScreen::kColumns * FramebufferText::kGlyphWidth;
constexpr uint32_t kGridHeight = TextScreen::kRows * FramebufferText::kGlyphHeight;
// Never a cell's value (a character and its attribute): drawn_ for "draw".
constexpr uint16_t kNothing = 0;

}  // namespace

bool FramebufferText::supported(const Geometry& g) {
  if (g.bpp != 16 && g.bpp != 24 && g.bpp != 32) return false;
  return g.width >= kGridWidth && g.height >= kGridHeight &&
         uint64_t{g.pitch} >= uint64_t{g.width} * (g.bpp / 8);
}

FramebufferText::FramebufferText(volatile uint8_t* pixels, const Geometry& g)
    : pixels_(pixels), g_(g) {
  uint32_t by_width = g.width / kGridWidth, by_height = g.height / kGridHeight;
  scale_ = by_width < by_height ? by_width : by_height;
  if (scale_ == 0) scale_ = 1;
  left_ = (g.width - kGridWidth * scale_) / 2;
  top_ = (g.height - kGridHeight * scale_) / 2;
  for (uint16_t& d : drawn_) d = kNothing;
}

void FramebufferText::put_pixel(volatile uint8_t* at, uint32_t rgb) {
  switch (g_.bpp) {
    case 32:
      *reinterpret_cast<volatile uint32_t*>(at) = rgb;
      break;
    case 24:
      at[0] = static_cast<uint8_t>(rgb);
      at[1] = static_cast<uint8_t>(rgb >> 8);
      at[2] = static_cast<uint8_t>(rgb >> 16);
      break;
    default:  // 16: 5:6:5
      *reinterpret_cast<volatile uint16_t*>(at) = static_cast<uint16_t>(
          ((rgb >> 8) & 0xf800) | ((rgb >> 5) & 0x07e0) | ((rgb >> 3) & 0x001f));
      break;
  }
}

void FramebufferText::fill(uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t rgb) {
  uint32_t bytes = g_.bpp / 8;
  for (uint32_t row = y; row < y + h; ++row) {
    volatile uint8_t* line = pixels_ + size_t{row} * g_.pitch + size_t{x} * bytes;
    for (uint32_t i = 0; i < w; ++i) put_pixel(line + size_t{i} * bytes, rgb);
  }
}

void FramebufferText::reset() {
  fill(0, 0, g_.width, g_.height, kPalette[0]);
  screen_.clear();
  for (uint16_t& d : drawn_) d = static_cast<uint16_t>(' ' | TextScreen::kAttribute << 8);
  size_t first, end;
  (void)screen_.take_changes(&first, &end);
  cursor_ = screen_.cursor();
  draw_cell(cursor_, true);
}

void FramebufferText::draw_cell(size_t index, bool cursor) {
  uint16_t cell = screen_.cells()[index];
  uint8_t attribute = static_cast<uint8_t>(cell >> 8);
  uint32_t fg = kPalette[attribute & 0xf], bg = kPalette[(attribute >> 4) & 0x7];
  const uint8_t* glyph = &kFont[(cell & 0xff) * kGlyphHeight];
  uint32_t x0 = left_ + static_cast<uint32_t>(index % TextScreen::kColumns) * kGlyphWidth * scale_;
  uint32_t y0 = top_ + static_cast<uint32_t>(index / TextScreen::kColumns) * kGlyphHeight * scale_;
  uint32_t bytes = g_.bpp / 8;
  for (uint32_t row = 0; row < kGlyphHeight; ++row) {
    // The cursor: the glyph's last two rows, in the foreground colour.
    uint8_t bits = cursor && row >= kGlyphHeight - 2 ? 0xff : glyph[row];
    for (uint32_t sy = 0; sy < scale_; ++sy) {
      volatile uint8_t* line =
          pixels_ + size_t{y0 + row * scale_ + sy} * g_.pitch + size_t{x0} * bytes;
      for (uint32_t column = 0; column < kGlyphWidth; ++column) {
        uint32_t rgb = (bits & (0x80 >> column)) != 0 ? fg : bg;
        for (uint32_t sx = 0; sx < scale_; ++sx) {
          put_pixel(line + size_t{column * scale_ + sx} * bytes, rgb);
        }
      }
    }
  }
  drawn_[index] = cursor ? kNothing : cell;
  if (cursor) cursor_cell_ = cell;
}

void FramebufferText::write(const char* bytes, size_t length) {
  screen_.write(bytes, length);
  size_t first, end;
  if (screen_.take_changes(&first, &end)) {
    for (size_t i = first; i < end; ++i) {
      if (drawn_[i] != screen_.cells()[i] && i != screen_.cursor()) draw_cell(i, false);
    }
  }
  size_t cursor = screen_.cursor();
  if (cursor != cursor_) draw_cell(cursor_, false);
  if (cursor != cursor_ || screen_.cells()[cursor] != cursor_cell_) draw_cell(cursor, true);
  cursor_ = cursor;
}

}  // namespace console
