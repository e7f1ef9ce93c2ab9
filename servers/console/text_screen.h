// The VGA text console's screen: 80 x 25 cells, each a character byte
// (code page 437) and an attribute byte, as the VGA's text buffer holds
// them (cell = character | attribute << 8). Pure logic on a copy in
// ordinary memory: write() interprets what the line discipline sends the
// terminal, and the server (main.cc) copies the cells that changed to the
// text buffer at 0xb8000 and moves the hardware cursor to cursor(). The
// host tests drive it directly.
//
// It behaves as the serial terminal on the other end would, so that both
// show the same:
//   CR          column 0
//   LF          the next row (scrolling at the bottom), same column
//   BS          one column left; at column 0 of a row that a long line
//               wrapped onto, the last column of the row above
//   TAB         the next multiple of 8 (at most the last column)
//   BEL         nothing (no beeper)
//   ESC [ ... final   a CSI sequence: "ESC [ 2 J" clears, "ESC [ H" or
//               "ESC [ row ; col H" moves, "ESC [ K" clears to the end of
//               the row; others are skipped whole (nothing shown)
//   other control characters: nothing
// Printable ASCII shows as itself; a UTF-8 sequence shows as one cell,
// '?' (the text mode's font has no general Unicode). A character written
// in the last column leaves the cursor there until the next character
// wraps it to the next row (as VT100s and xterm do), so that a line of
// exactly 80 columns followed by CR LF takes one row, not two.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace console {

class TextScreen {
 public:
  static constexpr size_t kColumns = 80;
  static constexpr size_t kRows = 25;
  static constexpr size_t kCells = kColumns * kRows;
  // Light grey on black, the BIOS's default.
  static constexpr uint8_t kAttribute = 0x07;

  // Starts blank, the cursor at the top left, everything to be copied.
  TextScreen() { clear(); }

  void write(const char* bytes, size_t length);
  void write(char byte);
  // Blanks every cell and homes the cursor.
  void clear();

  const uint16_t* cells() const { return cells_; }
  uint16_t cell(size_t row, size_t column) const { return cells_[row * kColumns + column]; }
  size_t row() const { return row_; }
  size_t column() const { return column_; }
  // The hardware cursor's position: row * kColumns + column.
  size_t cursor() const { return row_ * kColumns + column_; }

  // The cells changed since the last call, [*first, *end); false if none.
  bool take_changes(size_t* first, size_t* end);

 private:
  enum class Escape { kNone, kStart, kCsi };

  void put(char c);  // a printable cell at the cursor
  void line_feed();
  void back_space();
  void scroll();
  void blank(size_t first, size_t end);
  void changed(size_t first, size_t end);
  void escape_input(char c);
  void csi_final(char c);

  uint16_t cells_[kCells];
  size_t row_ = 0;
  size_t column_ = 0;
  bool wrap_pending_ = false;  // a character went into the last column
  bool wrapped_[kRows] = {};   // row r continues row r - 1 (a long line)
  size_t changed_first_ = 0;
  size_t changed_end_ = 0;

  Escape escape_ = Escape::kNone;
  static constexpr size_t kMaxParameters = 4;
  unsigned parameters_[kMaxParameters] = {};
  size_t parameter_count_ = 0;

  int utf8_remaining_ = 0;  // continuation bytes still expected
};

}  // namespace console
