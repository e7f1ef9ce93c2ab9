// The VGA text console's screen logic (text_screen.h).
#include "text_screen.h"

#include <string>

#include <gtest/gtest.h>

namespace console {
namespace {

constexpr size_t kColumns = TextScreen::kColumns;
constexpr size_t kRows = TextScreen::kRows;

class TextScreenTest : public ::testing::Test {
 protected:
  void show(const std::string& text) { screen.write(text.data(), text.size()); }

  // Row `r`'s characters, trailing blanks removed.
  std::string row(size_t r) const {
    std::string text;
    for (size_t c = 0; c < kColumns; ++c) text += static_cast<char>(screen.cell(r, c) & 0xff);
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return text;
  }

  TextScreen screen;
};

TEST_F(TextScreenTest, StartsBlankWithTheDefaultAttribute) {
  for (size_t i = 0; i < TextScreen::kCells; ++i) ASSERT_EQ(screen.cells()[i], 0x0720);
  EXPECT_EQ(screen.cursor(), 0u);
  size_t first, end;
  ASSERT_TRUE(screen.take_changes(&first, &end));
  EXPECT_EQ(first, 0u);
  EXPECT_EQ(end, TextScreen::kCells);
  EXPECT_FALSE(screen.take_changes(&first, &end));
}

TEST_F(TextScreenTest, CharactersAndAttributes) {
  show("$ ls");
  EXPECT_EQ(row(0), "$ ls");
  EXPECT_EQ(screen.cell(0, 0), 0x0700 | '$');
  EXPECT_EQ(screen.cursor(), 4u);
}

TEST_F(TextScreenTest, CarriageReturnAndLineFeed) {
  show("one\r\ntwo\n");
  EXPECT_EQ(row(0), "one");
  EXPECT_EQ(row(1), "two");
  // LF alone keeps the column, as a terminal does.
  EXPECT_EQ(screen.row(), 2u);
  EXPECT_EQ(screen.column(), 3u);
  show("\rX");
  EXPECT_EQ(row(2), "X");
}

TEST_F(TextScreenTest, BackspaceEraseSequence) {
  show("abc\b \b\b \b");
  EXPECT_EQ(row(0), "a");
  EXPECT_EQ(screen.cursor(), 1u);
  // At column 0 of a row of its own, nothing moves.
  show("\r\n\b\b");
  EXPECT_EQ(screen.cursor(), kColumns);
}

TEST_F(TextScreenTest, TabStops) {
  show("a\tb\t");
  EXPECT_EQ(row(0), "a       b");
  EXPECT_EQ(screen.column(), 16u);
  show(std::string(60, ' ') + "\t\t");
  EXPECT_EQ(screen.column(), kColumns - 1);
}

TEST_F(TextScreenTest, LongLinesWrapAtTheLastColumnOnlyWhenMoreFollows) {
  std::string line(kColumns, 'x');
  show(line);
  // The cursor waits on the last column: exactly 80 columns and CR LF take
  // one row.
  EXPECT_EQ(screen.row(), 0u);
  EXPECT_EQ(screen.column(), kColumns - 1);
  show("\r\nnext");
  EXPECT_EQ(row(0), line);
  EXPECT_EQ(row(1), "next");
  show("\r\n" + line + "yz");
  EXPECT_EQ(row(2), line);
  EXPECT_EQ(row(3), "yz");
}

TEST_F(TextScreenTest, BackspaceErasesAcrossAWrap) {
  // The line discipline erases with "\b \b", one per column.
  show(std::string(kColumns, 'x') + "yz");
  for (int i = 0; i < 3; ++i) show("\b \b");
  EXPECT_EQ(row(1), "");
  EXPECT_EQ(row(0), std::string(kColumns - 1, 'x'));
  EXPECT_EQ(screen.row(), 0u);
  EXPECT_EQ(screen.column(), kColumns - 1);
  show("Q");
  EXPECT_EQ(row(0), std::string(kColumns - 1, 'x') + "Q");
  EXPECT_EQ(screen.row(), 0u);
}

TEST_F(TextScreenTest, ScrollsAtTheBottom) {
  for (size_t i = 0; i < kRows + 2; ++i) show("line " + std::to_string(i) + "\r\n");
  // Lines 0..2 went off the top; the cursor is on the last row, blank.
  EXPECT_EQ(row(0), "line 3");
  EXPECT_EQ(row(kRows - 2), "line " + std::to_string(kRows + 1));
  EXPECT_EQ(row(kRows - 1), "");
  EXPECT_EQ(screen.row(), kRows - 1);
  size_t first, end;
  ASSERT_TRUE(screen.take_changes(&first, &end));
  EXPECT_EQ(first, 0u);
  EXPECT_EQ(end, TextScreen::kCells);
}

TEST_F(TextScreenTest, ScrollingKeepsWrapsWithTheirRows) {
  for (size_t i = 0; i < kRows - 1; ++i) show("\r\n");
  // On the last row: a wrapped line scrolls the screen.
  show(std::string(kColumns, 'a') + "b");
  EXPECT_EQ(row(kRows - 2), std::string(kColumns, 'a'));
  EXPECT_EQ(row(kRows - 1), "b");
  show("\b \b\b \b");
  EXPECT_EQ(screen.row(), kRows - 2);
  EXPECT_EQ(row(kRows - 2), std::string(kColumns - 1, 'a'));
}

TEST_F(TextScreenTest, ChangesCoverWhatWasWritten) {
  size_t first, end;
  ASSERT_TRUE(screen.take_changes(&first, &end));
  // A tab moves without writing.
  show("\r\n\tab");
  ASSERT_TRUE(screen.take_changes(&first, &end));
  EXPECT_EQ(first, kColumns + 8);
  EXPECT_EQ(end, kColumns + 10);
  show("\r\n");
  EXPECT_FALSE(screen.take_changes(&first, &end));
}

TEST_F(TextScreenTest, ControlCharactersShowNothing) {
  show(
      "a\a\x01\x7f\x0e"
      "b");
  EXPECT_EQ(row(0), "ab");
}

TEST_F(TextScreenTest, Utf8TakesOneCell) {
  show("caf\xc3\xa9!\xe2\x82\xac\xf0\x9f\x98\x80.");
  EXPECT_EQ(row(0), "caf?!??.");
}

TEST_F(TextScreenTest, EscapeSequences) {
  show("hello\x1b[31mred\x1b[0m");
  EXPECT_EQ(row(0), "hellored");
  show("\x1b[2;5Hxy");
  EXPECT_EQ(row(1), "    xy");
  show("\x1b[1;3H\x1b[K");
  EXPECT_EQ(row(0), "he");
  show("\x1b[H");
  EXPECT_EQ(screen.cursor(), 0u);
  show("\x1b[99;999H");
  EXPECT_EQ(screen.cursor(), TextScreen::kCells - 1);
  show("\x1b[2J");
  for (size_t r = 0; r < kRows; ++r) EXPECT_EQ(row(r), "");
  // A two-byte escape is dropped; a control cuts a sequence short, and
  // still does what it does.
  show(
      "\x1b[H\x1b"
      "7a\x1b[12\nb");
  EXPECT_EQ(row(0), "a");
  EXPECT_EQ(row(1), " b");
}

TEST_F(TextScreenTest, HugeParametersAreClamped) {
  show("\x1b[99999999999999999999;99999999999999999999;1;2;3;4;5;6Hz");
  EXPECT_EQ(screen.row(), kRows - 1);
  EXPECT_EQ(row(kRows - 1).back(), 'z');
}

TEST_F(TextScreenTest, ClearHomesAndBlanks) {
  show("text\r\nmore");
  screen.clear();
  EXPECT_EQ(row(0), "");
  EXPECT_EQ(row(1), "");
  EXPECT_EQ(screen.cursor(), 0u);
}

}  // namespace
}  // namespace console
