#include "text_screen.h"

namespace console {
namespace {

constexpr size_t kTabWidth = 8;
constexpr char kEscape = 0x1b;
// A CSI parameter larger than any screen: keeps the arithmetic small.
constexpr unsigned kParameterMax = 9999;

constexpr uint16_t make_cell(char c) {
  return static_cast<uint16_t>(static_cast<uint8_t>(c) | (uint16_t{TextScreen::kAttribute} << 8));
}

}  // namespace

void TextScreen::clear() {
  blank(0, kCells);
  for (bool& w : wrapped_) w = false;
  row_ = 0;
  column_ = 0;
  wrap_pending_ = false;
}

void TextScreen::write(const char* bytes, size_t length) {
  for (size_t i = 0; i < length; ++i) write(bytes[i]);
}

void TextScreen::write(char byte) {
  if (escape_ != Escape::kNone) {
    escape_input(byte);
    return;
  }
  uint8_t u = static_cast<uint8_t>(byte);
  if (u >= 0x80) {
    // UTF-8: the lead byte takes a cell, its continuation bytes none.
    if ((u & 0xc0) == 0x80) {
      if (utf8_remaining_ > 0) --utf8_remaining_;
      return;
    }
    utf8_remaining_ = (u & 0xe0) == 0xc0 ? 1 : (u & 0xf0) == 0xe0 ? 2 : (u & 0xf8) == 0xf0 ? 3 : 0;
    put('?');
    return;
  }
  utf8_remaining_ = 0;
  switch (byte) {
    case '\r':
      column_ = 0;
      wrap_pending_ = false;
      return;
    case '\n':
      line_feed();
      return;
    case '\b':
      back_space();
      return;
    case '\t': {
      size_t stop = (column_ / kTabWidth + 1) * kTabWidth;
      column_ = stop < kColumns ? stop : kColumns - 1;
      wrap_pending_ = false;
      return;
    }
    case kEscape:
      escape_ = Escape::kStart;
      return;
    default:
      break;
  }
  if (u < 0x20 || u == 0x7f) return;  // BEL and the other controls
  put(byte);
}

void TextScreen::put(char c) {
  if (wrap_pending_) {
    wrap_pending_ = false;
    column_ = 0;
    line_feed();
    wrapped_[row_] = true;
  }
  size_t at = row_ * kColumns + column_;
  cells_[at] = make_cell(c);
  changed(at, at + 1);
  if (column_ + 1 < kColumns) {
    ++column_;
  } else {
    wrap_pending_ = true;
  }
}

void TextScreen::line_feed() {
  wrap_pending_ = false;
  if (row_ + 1 < kRows) {
    ++row_;
  } else {
    scroll();
  }
  // A row reached by a line feed starts a line of its own.
  wrapped_[row_] = false;
}

void TextScreen::back_space() {
  if (wrap_pending_) {
    // The cursor is still on the character just written: that is the one
    // a following "\b \b" erases.
    wrap_pending_ = false;
  } else if (column_ > 0) {
    --column_;
  } else if (row_ > 0 && wrapped_[row_]) {
    --row_;
    column_ = kColumns - 1;
  }
}

void TextScreen::scroll() {
  for (size_t i = 0; i + kColumns < kCells; ++i) cells_[i] = cells_[i + kColumns];
  for (size_t r = 0; r + 1 < kRows; ++r) wrapped_[r] = wrapped_[r + 1];
  wrapped_[kRows - 1] = false;
  blank(kCells - kColumns, kCells);
  changed(0, kCells);
}

void TextScreen::blank(size_t first, size_t end) {
  for (size_t i = first; i < end; ++i) cells_[i] = make_cell(' ');
  changed(first, end);
}

void TextScreen::changed(size_t first, size_t end) {
  if (changed_first_ == changed_end_) {
    changed_first_ = first;
    changed_end_ = end;
    return;
  }
  if (first < changed_first_) changed_first_ = first;
  if (end > changed_end_) changed_end_ = end;
}

bool TextScreen::take_changes(size_t* first, size_t* end) {
  if (changed_first_ == changed_end_) return false;
  *first = changed_first_;
  *end = changed_end_;
  changed_first_ = changed_end_ = 0;
  return true;
}

void TextScreen::escape_input(char c) {
  if (escape_ == Escape::kStart) {
    if (c == '[') {
      escape_ = Escape::kCsi;
      parameter_count_ = 0;
      for (unsigned& p : parameters_) p = 0;
    } else {
      escape_ = Escape::kNone;  // a two-byte escape: skipped
    }
    return;
  }
  // CSI: parameters (digits and ';'), then a final byte 0x40..0x7e.
  if (c >= '0' && c <= '9') {
    if (parameter_count_ == 0) parameter_count_ = 1;
    if (parameter_count_ <= kMaxParameters) {
      unsigned& p = parameters_[parameter_count_ - 1];
      p = p * 10 + static_cast<unsigned>(c - '0');
      if (p > kParameterMax) p = kParameterMax;
    }
    return;
  }
  if (c == ';') {
    if (parameter_count_ == 0) parameter_count_ = 1;
    ++parameter_count_;
    return;
  }
  uint8_t u = static_cast<uint8_t>(c);
  if (u >= 0x40 && u <= 0x7e) {
    escape_ = Escape::kNone;
    csi_final(c);
  } else if (u < 0x20 || u > 0x7e) {
    // Not a sequence after all: dropped, and the byte is itself.
    escape_ = Escape::kNone;
    write(c);
  }
  // Intermediate bytes (0x20..0x3f other than digits and ';'): skipped.
}

void TextScreen::csi_final(char c) {
  switch (c) {
    case 'J':
      if (parameters_[0] == 2) {
        blank(0, kCells);
        for (bool& w : wrapped_) w = false;
      } else if (parameters_[0] == 0) {
        blank(row_ * kColumns + column_, kCells);
      }
      break;
    case 'H': {
      // 1-based, 0 or missing meaning 1; clamped to the screen.
      size_t row = parameters_[0] > 0 ? parameters_[0] - 1 : 0;
      size_t column = parameter_count_ > 1 && parameters_[1] > 0 ? parameters_[1] - 1 : 0;
      row_ = row < kRows ? row : kRows - 1;
      column_ = column < kColumns ? column : kColumns - 1;
      wrap_pending_ = false;
      break;
    }
    case 'K':
      if (parameters_[0] == 0) blank(row_ * kColumns + column_, (row_ + 1) * kColumns);
      break;
    default:
      break;  // colours (m) and the rest: nothing to show
  }
}

}  // namespace console
