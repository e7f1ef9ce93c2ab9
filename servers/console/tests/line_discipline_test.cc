// The console's line discipline (line_discipline.h), driven through a
// recording Sink.
#include "line_discipline.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace console {
namespace {

struct Read {
  uint32_t reader;
  std::string bytes;
};

class RecordingSink final : public LineDiscipline::Sink {
 public:
  void terminal_write(const char* bytes, size_t length) override { terminal.append(bytes, length); }
  bool complete_read(uint32_t reader, const char* bytes, size_t length) override {
    for (uint32_t gone : gone_readers) {
      if (gone == reader) return false;
    }
    reads.push_back(Read{reader, std::string(bytes, length)});
    return true;
  }
  void interrupt() override { ++interrupts; }

  // What the terminal got since the last call.
  std::string take_terminal() {
    std::string out;
    out.swap(terminal);
    return out;
  }

  std::string terminal;
  std::vector<Read> reads;
  std::vector<uint32_t> gone_readers;
  int interrupts = 0;
};

class LineDisciplineTest : public ::testing::Test {
 protected:
  void type(const std::string& text) { discipline.input(text.data(), text.size()); }

  RecordingSink sink;
  LineDiscipline discipline{sink};
};

TEST_F(LineDisciplineTest, EchoesWhatIsTyped) {
  type("ls -l");
  EXPECT_EQ(sink.take_terminal(), "ls -l");
  EXPECT_EQ(discipline.line_length(), 5u);
  EXPECT_TRUE(sink.reads.empty());
}

TEST_F(LineDisciplineTest, CarriageReturnEndsTheLineAsNewline) {
  ASSERT_TRUE(discipline.add_reader(7, 100));
  type("echo hi\r");
  EXPECT_EQ(sink.take_terminal(), "echo hi\r\n");
  ASSERT_EQ(sink.reads.size(), 1u);
  EXPECT_EQ(sink.reads[0].reader, 7u);
  EXPECT_EQ(sink.reads[0].bytes, "echo hi\n");
  EXPECT_EQ(discipline.pending_readers(), 0u);
}

TEST_F(LineDisciplineTest, LineFeedEndsTheLineAndCrLfIsOneLineEnd) {
  type("a\nb\r\nc\r\r");
  EXPECT_EQ(sink.take_terminal(), "a\r\nb\r\nc\r\n\r\n");
  for (uint32_t id = 1; id <= 5; ++id) ASSERT_TRUE(discipline.add_reader(id, 100));
  ASSERT_EQ(sink.reads.size(), 4u);
  EXPECT_EQ(sink.reads[0].bytes, "a\n");
  EXPECT_EQ(sink.reads[1].bytes, "b\n");
  EXPECT_EQ(sink.reads[2].bytes, "c\n");
  EXPECT_EQ(sink.reads[3].bytes, "\n");
  EXPECT_EQ(discipline.pending_readers(), 1u);
}

TEST_F(LineDisciplineTest, TypedAheadLinesWaitForReaders) {
  type("one\rtwo\r");
  EXPECT_TRUE(sink.reads.empty());
  ASSERT_TRUE(discipline.add_reader(1, 100));
  ASSERT_EQ(sink.reads.size(), 1u);
  EXPECT_EQ(sink.reads[0].bytes, "one\n");
  ASSERT_TRUE(discipline.add_reader(2, 100));
  ASSERT_EQ(sink.reads.size(), 2u);
  EXPECT_EQ(sink.reads[1].bytes, "two\n");
  EXPECT_EQ(discipline.input_queued(), 0u);
}

TEST_F(LineDisciplineTest, ReadersAreServedInOrder) {
  ASSERT_TRUE(discipline.add_reader(10, 100));
  ASSERT_TRUE(discipline.add_reader(11, 100));
  ASSERT_TRUE(discipline.add_reader(12, 100));
  type("x\ry\r");
  ASSERT_EQ(sink.reads.size(), 2u);
  EXPECT_EQ(sink.reads[0].reader, 10u);
  EXPECT_EQ(sink.reads[0].bytes, "x\n");
  EXPECT_EQ(sink.reads[1].reader, 11u);
  EXPECT_EQ(sink.reads[1].bytes, "y\n");
  EXPECT_EQ(discipline.pending_readers(), 1u);
}

TEST_F(LineDisciplineTest, ReaderQueueIsBounded) {
  for (uint32_t id = 0; id < LineDiscipline::kReaderMax; ++id) {
    ASSERT_TRUE(discipline.add_reader(id + 1, 10));
  }
  EXPECT_FALSE(discipline.add_reader(99, 10));
  EXPECT_FALSE(discipline.add_reader(100, 0));
}

TEST_F(LineDisciplineTest, ShortReadsTakeALineInPieces) {
  type("hello\r");
  ASSERT_TRUE(discipline.add_reader(1, 2));
  ASSERT_TRUE(discipline.add_reader(2, 2));
  ASSERT_TRUE(discipline.add_reader(3, 100));
  ASSERT_EQ(sink.reads.size(), 3u);
  EXPECT_EQ(sink.reads[0].bytes, "he");
  EXPECT_EQ(sink.reads[1].bytes, "ll");
  EXPECT_EQ(sink.reads[2].bytes, "o\n");
}

TEST_F(LineDisciplineTest, OneByteReadsStopAtTheLineEnd) {
  // The shell reads its console one byte at a time.
  type("ab\rcd\r");
  std::string got;
  for (uint32_t id = 1; id <= 3; ++id) {
    ASSERT_TRUE(discipline.add_reader(id, 1));
    got += sink.reads.back().bytes;
  }
  EXPECT_EQ(got, "ab\n");
  ASSERT_TRUE(discipline.add_reader(4, 100));
  EXPECT_EQ(sink.reads.back().bytes, "cd\n");
}

TEST_F(LineDisciplineTest, ReaderThatIsGoneLeavesTheLineToTheNext) {
  sink.gone_readers.push_back(1);
  ASSERT_TRUE(discipline.add_reader(1, 100));
  ASSERT_TRUE(discipline.add_reader(2, 100));
  type("keep\r");
  ASSERT_EQ(sink.reads.size(), 1u);
  EXPECT_EQ(sink.reads[0].reader, 2u);
  EXPECT_EQ(sink.reads[0].bytes, "keep\n");
  EXPECT_EQ(discipline.pending_readers(), 0u);
}

TEST_F(LineDisciplineTest, BackspaceAtLineStartDoesNothing) {
  type("\x7f\b");
  EXPECT_EQ(sink.take_terminal(), "");
  EXPECT_EQ(discipline.line_length(), 0u);
  type("a\r");
  ASSERT_TRUE(discipline.add_reader(1, 100));
  EXPECT_EQ(sink.reads[0].bytes, "a\n");
}

TEST_F(LineDisciplineTest, BackspaceMidLineErasesOneCharacter) {
  type("cax");
  sink.take_terminal();
  type("\x7f");
  EXPECT_EQ(sink.take_terminal(), "\b \b");
  type("\bt\r");
  EXPECT_EQ(sink.take_terminal(), "\b \bt\r\n");
  ASSERT_TRUE(discipline.add_reader(1, 100));
  EXPECT_EQ(sink.reads[0].bytes, "ct\n");
}

TEST_F(LineDisciplineTest, BackspaceErasesAWholeUtf8Character) {
  type("a\xc3\xa9");  // a, e acute
  sink.take_terminal();
  type("\x7f");
  EXPECT_EQ(sink.take_terminal(), "\b \b");
  EXPECT_EQ(discipline.line_length(), 1u);
}

TEST_F(LineDisciplineTest, BackspaceErasesControlCharactersAndTabsByTheirWidth) {
  type("ab\x1b");
  EXPECT_EQ(sink.take_terminal(), "ab^[");
  type("\x7f");
  EXPECT_EQ(sink.take_terminal(), "\b \b\b \b");
  type("\t");  // from column 2 to 8
  sink.take_terminal();
  type("\x7f");
  EXPECT_EQ(sink.take_terminal(), "\b\b\b\b\b\b");
  EXPECT_EQ(discipline.line_length(), 2u);
}

TEST_F(LineDisciplineTest, TabWidthCountsFromWhereTheLineBegan) {
  discipline.write("$ ", 2);  // a prompt: the line starts at column 2
  sink.take_terminal();
  type("\t\x7f");
  EXPECT_EQ(sink.take_terminal(), "\t\b\b\b\b\b\b");
}

TEST_F(LineDisciplineTest, KillLineErasesEverything) {
  type("abc");
  sink.take_terminal();
  type("\x15");
  EXPECT_EQ(sink.take_terminal(), "\b \b\b \b\b \b");
  EXPECT_EQ(discipline.line_length(), 0u);
  type("d\r");
  ASSERT_TRUE(discipline.add_reader(1, 100));
  EXPECT_EQ(sink.reads[0].bytes, "d\n");
}

TEST_F(LineDisciplineTest, EraseWordErasesTheLastWord) {
  type("echo foo  ");
  sink.take_terminal();
  type("\x17");
  EXPECT_EQ(discipline.line_length(), 5u);
  type("bar\r");
  ASSERT_TRUE(discipline.add_reader(1, 100));
  EXPECT_EQ(sink.reads[0].bytes, "echo bar\n");
}

TEST_F(LineDisciplineTest, InterruptDiscardsTheLineAndRaisesAnEvent) {
  ASSERT_TRUE(discipline.add_reader(1, 100));
  type("sleep 100");
  sink.take_terminal();
  type("\x03");
  EXPECT_EQ(sink.take_terminal(), "^C\r\n");
  EXPECT_EQ(sink.interrupts, 1);
  EXPECT_EQ(discipline.line_length(), 0u);
  EXPECT_TRUE(sink.reads.empty());
  EXPECT_EQ(discipline.pending_readers(), 1u);  // the read goes on waiting
  type("ok\r");
  ASSERT_EQ(sink.reads.size(), 1u);
  EXPECT_EQ(sink.reads[0].bytes, "ok\n");
}

TEST_F(LineDisciplineTest, EndOfFileAtLineStartIsAnEmptyRead) {
  ASSERT_TRUE(discipline.add_reader(1, 100));
  type("\x04");
  ASSERT_EQ(sink.reads.size(), 1u);
  EXPECT_EQ(sink.reads[0].bytes, "");
  EXPECT_EQ(sink.take_terminal(), "");
  // Also when typed ahead: the read after the line gets it.
  type("last\r\x04");
  ASSERT_TRUE(discipline.add_reader(2, 100));
  ASSERT_TRUE(discipline.add_reader(3, 100));
  ASSERT_EQ(sink.reads.size(), 3u);
  EXPECT_EQ(sink.reads[1].bytes, "last\n");
  EXPECT_EQ(sink.reads[2].bytes, "");
}

TEST_F(LineDisciplineTest, EndOfFileMidLineFlushesThePartialLine) {
  ASSERT_TRUE(discipline.add_reader(1, 100));
  ASSERT_TRUE(discipline.add_reader(2, 100));
  type("part\x04");
  ASSERT_EQ(sink.reads.size(), 1u);
  EXPECT_EQ(sink.reads[0].bytes, "part");
  EXPECT_EQ(sink.take_terminal(), "part");
  EXPECT_EQ(discipline.line_length(), 0u);
  // Now at the start of a line: end of file.
  type("\x04");
  ASSERT_EQ(sink.reads.size(), 2u);
  EXPECT_EQ(sink.reads[1].bytes, "");
}

TEST_F(LineDisciplineTest, OtherControlCharactersAreKeptAndShownWithACaret) {
  type("a\x01");
  EXPECT_EQ(sink.take_terminal(), "a^A");
  type("\r");
  ASSERT_TRUE(discipline.add_reader(1, 100));
  EXPECT_EQ(sink.reads[0].bytes, "a\x01\n");
}

TEST_F(LineDisciplineTest, RawModePassesBytesAsTheyCome) {
  ASSERT_TRUE(discipline.set_mode(LineDiscipline::kModeRaw));
  ASSERT_TRUE(discipline.add_reader(1, 100));
  type("q");
  ASSERT_EQ(sink.reads.size(), 1u);
  EXPECT_EQ(sink.reads[0].bytes, "q");
  // No editing, no CR translation, no ^C or ^D: bytes as they are.
  type("\r\x7f\x03\x04");
  EXPECT_EQ(sink.interrupts, 0);
  ASSERT_TRUE(discipline.add_reader(2, 100));
  ASSERT_EQ(sink.reads.size(), 2u);
  EXPECT_EQ(sink.reads[1].bytes, "\r\x7f\x03\x04");
  EXPECT_EQ(sink.take_terminal(), "q\r\x7f\x03\x04");  // echoed as they are
}

TEST_F(LineDisciplineTest, RawReadsTakeWhatHasArrivedUpToTheirSize) {
  ASSERT_TRUE(discipline.set_mode(LineDiscipline::kModeRaw | LineDiscipline::kModeNoEcho));
  type("abcdef");
  ASSERT_TRUE(discipline.add_reader(1, 4));
  ASSERT_TRUE(discipline.add_reader(2, 4));
  ASSERT_EQ(sink.reads.size(), 2u);
  EXPECT_EQ(sink.reads[0].bytes, "abcd");
  EXPECT_EQ(sink.reads[1].bytes, "ef");
  EXPECT_EQ(sink.take_terminal(), "");
}

TEST_F(LineDisciplineTest, EnteringRawModeHandsOverThePartialLine) {
  type("ab");
  ASSERT_TRUE(discipline.add_reader(1, 100));
  EXPECT_TRUE(sink.reads.empty());
  ASSERT_TRUE(discipline.set_mode(LineDiscipline::kModeRaw));
  ASSERT_EQ(sink.reads.size(), 1u);
  EXPECT_EQ(sink.reads[0].bytes, "ab");
}

TEST_F(LineDisciplineTest, LeavingRawModeMakesUnreadBytesALine) {
  ASSERT_TRUE(discipline.set_mode(LineDiscipline::kModeRaw));
  type("xy");
  ASSERT_TRUE(discipline.set_mode(0));
  ASSERT_TRUE(discipline.add_reader(1, 100));
  ASSERT_EQ(sink.reads.size(), 1u);
  EXPECT_EQ(sink.reads[0].bytes, "xy");
  type("z\r");
  ASSERT_TRUE(discipline.add_reader(2, 100));
  EXPECT_EQ(sink.reads[1].bytes, "z\n");
}

TEST_F(LineDisciplineTest, UnknownModeBitsAreRefused) {
  EXPECT_FALSE(discipline.set_mode(1u << 7));
  EXPECT_EQ(discipline.mode(), 0u);
}

TEST_F(LineDisciplineTest, NoEchoShowsNothingButStillEdits) {
  ASSERT_TRUE(discipline.set_mode(LineDiscipline::kModeNoEcho));
  type("secrex\x7ft\r");
  EXPECT_EQ(sink.take_terminal(), "");
  ASSERT_TRUE(discipline.add_reader(1, 100));
  EXPECT_EQ(sink.reads[0].bytes, "secret\n");
  type("\x03");
  EXPECT_EQ(sink.take_terminal(), "");
  EXPECT_EQ(sink.interrupts, 1);
}

TEST_F(LineDisciplineTest, ALineAtTheLimitFits) {
  std::string full(LineDiscipline::kLineMax - 1, 'x');
  type(full);
  EXPECT_EQ(discipline.line_length(), LineDiscipline::kLineMax - 1);
  EXPECT_FALSE(discipline.line_overflowed());
  EXPECT_EQ(sink.take_terminal(), full);
  type("\r");
  EXPECT_EQ(sink.take_terminal(), "\r\n");
  ASSERT_TRUE(discipline.add_reader(1, LineDiscipline::kReadMax));
  ASSERT_EQ(sink.reads.size(), 1u);
  EXPECT_EQ(sink.reads[0].bytes, full + "\n");
}

const char kTooLong[] = "\r\nconsole: line too long (limit 1023 bytes), discarded\r\n";

TEST_F(LineDisciplineTest, ALongerLineRingsOnceAndIsDiscardedWithAMessage) {
  std::string full(LineDiscipline::kLineMax - 1, 'x');
  type(full);
  sink.take_terminal();
  // One bell at the limit; the rest unseen, editing keys included.
  type("yz\x7f\x17 more");
  EXPECT_EQ(sink.take_terminal(), "\a");
  EXPECT_TRUE(discipline.line_overflowed());
  ASSERT_TRUE(discipline.add_reader(1, LineDiscipline::kReadMax));
  EXPECT_TRUE(sink.reads.empty());
  EXPECT_FALSE(discipline.readable());
  // Its end: the message, and an empty line for the reader to prompt again.
  type("\r\n");
  EXPECT_EQ(sink.take_terminal(), kTooLong);
  ASSERT_EQ(sink.reads.size(), 1u);
  EXPECT_EQ(sink.reads[0].bytes, "\n");
  EXPECT_FALSE(discipline.line_overflowed());
  // The next line is an ordinary one (the LF after the CR was no line).
  type("ls\r");
  ASSERT_TRUE(discipline.add_reader(2, LineDiscipline::kReadMax));
  ASSERT_EQ(sink.reads.size(), 2u);
  EXPECT_EQ(sink.reads[1].bytes, "ls\n");
}

TEST_F(LineDisciplineTest, AFloodOfOneLineCostsOneBellAndOneMessage) {
  type(std::string(1 << 20, 'f') + "\r");
  std::string shown = sink.take_terminal();
  EXPECT_EQ(shown, std::string(LineDiscipline::kLineMax - 1, 'f') + "\a" + kTooLong);
  ASSERT_TRUE(discipline.add_reader(1, LineDiscipline::kReadMax));
  ASSERT_EQ(sink.reads.size(), 1u);
  EXPECT_EQ(sink.reads[0].bytes, "\n");
}

TEST_F(LineDisciplineTest, InterruptKillLineAndEndOfFileEndAnOverflowedLine) {
  std::string full(LineDiscipline::kLineMax, 'x');
  type(full + "\x03");
  EXPECT_EQ(sink.interrupts, 1);
  EXPECT_FALSE(discipline.line_overflowed());
  EXPECT_EQ(discipline.line_length(), 0u);
  sink.take_terminal();
  type(full + "\x15");
  EXPECT_EQ(sink.take_terminal(), std::string(LineDiscipline::kLineMax - 1, 'x') + "\a^U\r\n");
  EXPECT_FALSE(discipline.line_overflowed());
  type("ok\r");
  ASSERT_TRUE(discipline.add_reader(1, LineDiscipline::kReadMax));
  ASSERT_EQ(sink.reads.size(), 1u);
  EXPECT_EQ(sink.reads[0].bytes, "ok\n");
  // ^D: the message, but no empty record (which would be an end of file).
  sink.take_terminal();
  type(full + "\x04");
  EXPECT_EQ(sink.take_terminal(), std::string(LineDiscipline::kLineMax - 1, 'x') + "\a" + kTooLong);
  EXPECT_FALSE(discipline.readable());
}

TEST_F(LineDisciplineTest, ReadableWhenALineOrRawBytesWait) {
  EXPECT_FALSE(discipline.readable());
  type("partial");
  EXPECT_FALSE(discipline.readable());
  type("\r");
  EXPECT_TRUE(discipline.readable());
  ASSERT_TRUE(discipline.add_reader(1, 100));
  EXPECT_FALSE(discipline.readable());
  // End of file is readable (a read of 0 bytes).
  type("\x04");
  EXPECT_TRUE(discipline.readable());
  ASSERT_TRUE(discipline.add_reader(2, 100));
  ASSERT_TRUE(discipline.set_mode(LineDiscipline::kModeRaw));
  EXPECT_FALSE(discipline.readable());
  type("k");
  EXPECT_TRUE(discipline.readable());
}

TEST_F(LineDisciplineTest, FullInputQueueRefusesTheLineEnd) {
  // Four full lines fill the input queue; the fifth line end is refused
  // and its line kept, until a read makes room.
  std::string line(LineDiscipline::kLineMax - 1, 'a');
  for (size_t i = 0; i < LineDiscipline::kInputMax / LineDiscipline::kLineMax; ++i) {
    type(line + "\r");
  }
  EXPECT_EQ(discipline.input_queued(), LineDiscipline::kInputMax);
  type("b");
  sink.take_terminal();
  type("\r");
  EXPECT_EQ(sink.take_terminal(), "\a");
  EXPECT_EQ(discipline.line_length(), 1u);
  ASSERT_TRUE(discipline.add_reader(1, LineDiscipline::kReadMax));
  type("\r");
  ASSERT_TRUE(discipline.add_reader(2, LineDiscipline::kReadMax));
  ASSERT_TRUE(discipline.add_reader(3, LineDiscipline::kReadMax));
  ASSERT_TRUE(discipline.add_reader(4, LineDiscipline::kReadMax));
  ASSERT_TRUE(discipline.add_reader(5, LineDiscipline::kReadMax));
  ASSERT_EQ(sink.reads.size(), 5u);
  EXPECT_EQ(sink.reads[4].bytes, "b\n");
}

TEST_F(LineDisciplineTest, InputRingWrapsAround) {
  // Many lines through the ring, each read at once.
  for (int i = 0; i < 1000; ++i) {
    std::string line = "line " + std::to_string(i);
    ASSERT_TRUE(discipline.add_reader(i + 1, 100));
    type(line + "\r");
    ASSERT_EQ(sink.reads.back().bytes, line + "\n");
  }
  EXPECT_EQ(discipline.input_queued(), 0u);
}

TEST_F(LineDisciplineTest, OutputTurnsNewlineIntoCrLf) {
  const char text[] = "one\ntwo\n\nthree";
  discipline.write(text, sizeof(text) - 1);
  EXPECT_EQ(sink.take_terminal(), "one\r\ntwo\r\n\r\nthree");
  // In raw mode too.
  ASSERT_TRUE(discipline.set_mode(LineDiscipline::kModeRaw));
  discipline.write("x\n", 2);
  EXPECT_EQ(sink.take_terminal(), "x\r\n");
}

}  // namespace
}  // namespace console
