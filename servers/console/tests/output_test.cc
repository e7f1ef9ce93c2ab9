// The console's output ring (output.h), between a real line discipline and
// a fake UART whose transmit FIFO drains when the test says so (or at once,
// as QEMU's do), wired as the server wires them.
#include "output.h"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "line_discipline.h"

namespace console {
namespace {

class FakeUart final : public Transmitter {
 public:
  size_t transmit_room() override {
    size_t room = instant ? fifo_size : fifo_size - fifo.size();
    return room < burst ? room : burst;
  }
  void transmit(const char* bytes, size_t count) override {
    EXPECT_LE(count, transmit_room());
    for (size_t i = 0; i < count; ++i) {
      if (instant) {
        wire += bytes[i];
      } else if (fifo.size() == fifo_size) {
        ++overruns;  // a byte the hardware would lose
      } else {
        fifo += bytes[i];
      }
    }
  }
  void set_transmit_interrupt(bool enabled) override {
    EXPECT_NE(enabled, interrupt) << "set to what it was";
    interrupt = enabled;
  }

  // The line takes everything in the FIFO.
  void send_all() {
    wire += fifo;
    fifo.clear();
  }
  // The kernel's polled console writes a byte of its own.
  void kernel_write(char byte) {
    ASSERT_LT(fifo.size(), fifo_size);
    fifo += byte;
  }
  bool full() const { return fifo.size() == fifo_size; }

  size_t fifo_size = 16;
  size_t burst = 1000;   // the most transmit_room() says at once
  bool instant = false;  // sends as it is given bytes (QEMU)
  std::string fifo;
  std::string wire;
  bool interrupt = false;
  int overruns = 0;
};

struct Done {
  uint32_t writer;
  size_t written;
  bool operator==(const Done&) const = default;
};

// The server's wiring: the line discipline's terminal bytes into the ring,
// program writes through the line discipline's output processing.
class Console final : public LineDiscipline::Sink, public Output::Client {
 public:
  void terminal_write(const char* bytes, size_t length) override {
    put_results.push_back(output.put(bytes, length) == length);
  }
  bool complete_read(uint32_t, const char*, size_t) override { return true; }
  void interrupt() override { output.discard_writers(); }
  size_t show(const char* bytes, size_t length, size_t room) override {
    return discipline.write_fitting(bytes, length, room);
  }
  void write_done(uint32_t writer, size_t written) override {
    done.push_back(Done{writer, written});
  }

  // A program's write as the server takes it: true if answered at once,
  // false if held.
  bool write(uint32_t writer, const std::string& bytes) {
    size_t taken = output.write(bytes.data(), bytes.size());
    if (taken == bytes.size()) return true;
    EXPECT_TRUE(output.hold(writer, bytes.data() + taken, bytes.size() - taken, bytes.size()));
    return false;
  }
  // Transmit interrupts, each after the FIFO drained, until nothing
  // waits; checks that the interrupt is on exactly while bytes wait, and
  // left on only over a full FIFO (the PL011 needs the crossing).
  void run_until_idle() {
    for (int i = 0; i < 100000 && output.pending(); ++i) {
      uart.send_all();
      output.refill();
      check_interrupt();
    }
    uart.send_all();
    EXPECT_FALSE(output.pending());
  }
  void check_interrupt() {
    EXPECT_EQ(uart.interrupt, output.queued() != 0);
    if (uart.interrupt && !uart.instant) EXPECT_TRUE(uart.full());
  }

  FakeUart uart;
  LineDiscipline discipline{*this};
  Output output{uart, *this};
  std::vector<Done> done;
  std::vector<bool> put_results;
};

// What the terminal shows for `text` written by a program.
std::string terminal_form(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

// Distinct lines, so that a lost, doubled or reordered byte shows.
std::string numbered_lines(int first, int count) {
  std::string out;
  for (int i = first; i < first + count; ++i) out += "line " + std::to_string(i) + "\n";
  return out;
}

TEST(OutputTest, AWriteThatFitsIsAnsweredAtOnceAndSentByRefill) {
  Console console;
  EXPECT_TRUE(console.write(1, "hello\n"));
  EXPECT_EQ(console.output.queued(), 7u);
  EXPECT_EQ(console.uart.wire, "");  // not before the refill
  EXPECT_EQ(console.output.refill(), 7u);
  console.uart.send_all();
  EXPECT_EQ(console.uart.wire, "hello\r\n");
  EXPECT_FALSE(console.uart.interrupt);  // nothing waits
  EXPECT_TRUE(console.done.empty());
}

TEST(OutputTest, RefillFillsTheFifoAndLeavesTheInterruptOnUntilTheRingIsEmpty) {
  Console console;
  std::string text(100, 'a');
  EXPECT_TRUE(console.write(1, text));
  EXPECT_EQ(console.output.refill(), 16u);
  EXPECT_TRUE(console.uart.full());
  EXPECT_TRUE(console.uart.interrupt);
  // An event other than the interrupt: no room, nothing sent, still on.
  EXPECT_EQ(console.output.refill(), 0u);
  EXPECT_TRUE(console.uart.interrupt);
  console.run_until_idle();
  EXPECT_EQ(console.uart.wire, text);
  EXPECT_FALSE(console.uart.interrupt);
  EXPECT_EQ(console.uart.overruns, 0);
}

TEST(OutputTest, ARefillIsBoundedWhenTheUartSendsAtOnce) {
  Console console;
  console.uart.instant = true;
  console.uart.burst = 15;  // a 16550's burst
  std::string text(3 * Output::kRefillMax + 5, 'b');
  EXPECT_TRUE(console.write(1, text));
  EXPECT_EQ(console.output.refill(), Output::kRefillMax);
  EXPECT_TRUE(console.uart.interrupt);
  console.run_until_idle();
  EXPECT_EQ(console.uart.wire, text);
}

TEST(OutputTest, TheRingWrapsInOrder) {
  Console console;
  std::string expected;
  for (int round = 0; round < 40; ++round) {
    std::string text = numbered_lines(round * 100, 100);  // about 1 KB
    EXPECT_TRUE(console.write(1, text));
    expected += terminal_form(text);
    // Drain part of it only, so that the ring's ends move around.
    for (int i = 0; i < 90; ++i) {  // 1440 bytes: more than the round
      console.uart.send_all();
      console.output.refill();
      console.check_interrupt();
    }
  }
  console.run_until_idle();
  EXPECT_GT(expected.size(), 4 * Output::kRingSize);
  EXPECT_EQ(console.uart.wire, expected);
}

TEST(OutputTest, AWriteLargerThanTheRingIsHeldAndResumedInOrder) {
  Console console;
  std::string big = numbered_lines(0, 3000);  // about 30 KB
  EXPECT_FALSE(console.write(7, big));
  EXPECT_EQ(console.output.held_writers(), 1u);
  EXPECT_LE(console.output.queued(), Output::kRingSize - Output::kEchoReserve);
  // A second writer queues behind the first, though it is small.
  EXPECT_FALSE(console.write(8, "after\n"));
  EXPECT_EQ(console.output.held_writers(), 2u);
  EXPECT_TRUE(console.done.empty());
  // The first refills do not let the held writes in: not drained enough.
  console.uart.send_all();
  console.output.refill();
  EXPECT_GT(console.output.queued(), Output::kResumeLevel);
  EXPECT_TRUE(console.done.empty());
  console.run_until_idle();
  EXPECT_EQ(console.done, (std::vector<Done>{{7, big.size()}, {8, 6}}));
  EXPECT_EQ(console.uart.wire, terminal_form(big + "after\n"));
  EXPECT_EQ(console.output.held_writers(), 0u);
  // And answers at once again.
  EXPECT_TRUE(console.write(9, "again\n"));
}

TEST(OutputTest, EchoFindsRoomWhileAWriterIsHeldAndShowsInOrder) {
  Console console;
  std::string big(20000, 'z');
  EXPECT_FALSE(console.write(7, big));
  console.discipline.input("ls", 2);
  EXPECT_EQ(console.put_results.back(), true);
  console.run_until_idle();
  // The output taken before the echo, the echo, then the rest.
  size_t before = Output::kRingSize - Output::kEchoReserve;
  EXPECT_EQ(console.uart.wire, big.substr(0, before) + "ls" + big.substr(before));
  EXPECT_EQ(console.done, (std::vector<Done>{{7, big.size()}}));
}

TEST(OutputTest, TerminalBytesPastTheRingAreDroppedAndCounted) {
  Console console;
  std::string flood(Output::kRingSize + 10, 'e');
  EXPECT_EQ(console.output.put(flood.data(), flood.size()), Output::kRingSize);
  EXPECT_EQ(console.output.dropped(), 10u);
}

TEST(OutputTest, AtMostKWritersMaxAreHeld) {
  Console console;
  std::string big(Output::kRingSize, 'w');
  for (uint32_t w = 1; w <= Output::kWritersMax; ++w) EXPECT_FALSE(console.write(w, big));
  EXPECT_EQ(console.output.write("x", 1), 0u);  // held ones first
  EXPECT_FALSE(console.output.hold(99, "x", 1, 1));
  console.run_until_idle();
  EXPECT_EQ(console.done.size(), Output::kWritersMax);
  EXPECT_EQ(console.uart.wire.size(), Output::kWritersMax * big.size());
}

TEST(OutputTest, ControlCDiscardsWhatHeldWritesHaveNotShown) {
  Console console;
  std::string big(20000, 'q');
  EXPECT_FALSE(console.write(7, big));
  EXPECT_FALSE(console.write(8, "next"));
  console.discipline.input('\x03');
  size_t before = Output::kRingSize - Output::kEchoReserve;
  EXPECT_EQ(console.done, (std::vector<Done>{{7, before}, {8, 0}}));
  console.run_until_idle();
  EXPECT_EQ(console.uart.wire, big.substr(0, before) + "^C\r\n");
}

TEST(OutputTest, TheKernelsOwnBytesTakeFifoRoomButNothingIsLost) {
  Console console;
  std::string text = numbered_lines(0, 300);
  std::string expected;
  EXPECT_TRUE(console.write(1, text));
  for (int i = 0; i < 100000 && console.output.pending(); ++i) {
    console.uart.send_all();
    if (i % 3 == 0) console.uart.kernel_write('K');  // before the interrupt is handled
    console.output.refill();
    console.check_interrupt();
  }
  console.uart.send_all();
  EXPECT_EQ(console.uart.overruns, 0);
  std::string without_kernel;
  for (char c : console.uart.wire) {
    if (c != 'K') without_kernel += c;
  }
  EXPECT_EQ(without_kernel, terminal_form(text));
}

TEST(OutputTest, ALostInterruptIsMadeUpForByTheNextRefill) {
  Console console;
  std::string text(200, 'l');
  EXPECT_TRUE(console.write(1, text));
  console.output.refill();
  console.uart.send_all();
  // The interrupt never comes: any other event's refill goes on.
  EXPECT_EQ(console.output.refill(), 16u);
  console.run_until_idle();
  EXPECT_EQ(console.uart.wire, text);
}

TEST(LineDisciplineWriteFittingTest, CountsTheCarriageReturnOfEachNewline) {
  struct Sink final : LineDiscipline::Sink {
    void terminal_write(const char* bytes, size_t length) override { out.append(bytes, length); }
    bool complete_read(uint32_t, const char*, size_t) override { return true; }
    void interrupt() override {}
    std::string out;
  } sink;
  LineDiscipline discipline(sink);
  EXPECT_EQ(discipline.write_fitting("ab\ncd", 5, 3), 2u);  // "ab", not "ab\r\n"
  EXPECT_EQ(discipline.write_fitting("\ncd", 3, 4), 3u);
  EXPECT_EQ(discipline.write_fitting("x", 1, 0), 0u);
  EXPECT_EQ(sink.out, "ab\r\ncd");
}

}  // namespace
}  // namespace console
