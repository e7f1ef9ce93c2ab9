// The console's tty line discipline: what the terminal types becomes what
// readers read, and what programs write becomes what the terminal shows.
// Pure logic, no system calls: bytes go in through input() and write(),
// and everything that results (echo, output, completed reads, ^C) comes out
// through the Sink. The server (main.cc) connects it to a UART and to IPC;
// the host unit tests drive it directly.
//
// Canonical mode (the default) edits a line before anyone can read it:
//   CR or LF   ends the line; it is read with a '\n' (CR is shown as CRLF;
//              an LF right after a CR is the same line end, not another)
//   BS, DEL    erases the last character (UTF-8 aware; a tab or a ^X echo
//              is erased by its width)
//   ^U         erases the whole line, ^W the last word
//   ^C         shows "^C", discards the line and raises Sink::interrupt()
//   ^D         at the start of a line: end of file (a read of 0 bytes);
//              elsewhere: the partial line becomes readable, without '\n'
//   other control characters are kept and echoed as ^X.
// A line longer than kLineMax - 1 bytes rings the bell once, when it
// reaches the limit; the rest of it is discarded unseen (no echo, so that
// a flood costs little), and its end shows "console: line too long (limit
// N bytes), discarded" and makes an empty line ("\n") readable, so that a
// shell prompts again. ^C and ^U discard such a line too, ^D ends it as
// its end would, without the empty line.
// Raw mode passes every byte to readers as it comes, with no editing, no
// CR translation and no ^C. Echo (off with kModeNoEcho) shows typed bytes;
// in raw mode as they are. Output processing, in every mode, turns each
// '\n' written into "\r\n".
//
// Reads wait in a bounded FIFO queue; in canonical mode a read returns at
// most one line (the rest of a line longer than the read stays for the
// next), in raw mode whatever has arrived. Typed-ahead lines wait in a
// bounded input queue; what does not fit is refused with a bell.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace console {

class LineDiscipline {
 public:
  // Mode bits: the values of MICA_CONSOLE_MODE_* (<mica/protocol.h>).
  static constexpr uint32_t kModeRaw = 1u << 0;
  static constexpr uint32_t kModeNoEcho = 1u << 1;
  static constexpr uint32_t kModeMask = kModeRaw | kModeNoEcho;

  // Bytes of the line being edited, its '\n' included.
  static constexpr size_t kLineMax = 1024;
  // Bytes typed but not yet read (completed lines, or raw input).
  static constexpr size_t kInputMax = 4096;
  // Completed lines (and end-of-file marks) not yet read.
  static constexpr size_t kRecordMax = 64;
  // Reads waiting for input.
  static constexpr size_t kReaderMax = 16;
  // The most bytes one read returns.
  static constexpr size_t kReadMax = kInputMax;

  // Where the results go. Calls come from inside input(), write(),
  // add_reader() and set_mode(), which must not be re-entered from them.
  class Sink {
   public:
    // Bytes for the terminal, in its form already (echo, "\r\n").
    virtual void terminal_write(const char* bytes, size_t length) = 0;
    // The read `reader` (from add_reader) is complete with `length` bytes
    // (0: end of file). Returns false if its reader is gone, and the bytes
    // go to the next read instead.
    virtual bool complete_read(uint32_t reader, const char* bytes, size_t length) = 0;
    // ^C was typed (canonical mode).
    virtual void interrupt() = 0;

   protected:
    ~Sink() = default;
  };

  explicit LineDiscipline(Sink& sink) : sink_(sink) {}
  LineDiscipline(const LineDiscipline&) = delete;
  LineDiscipline& operator=(const LineDiscipline&) = delete;

  // Sets the mode bits (kModeRaw, kModeNoEcho; false, and no change, for
  // others). Leaving canonical mode makes the partial line readable as it
  // is; entering it makes raw bytes not yet read one readable line.
  bool set_mode(uint32_t mode);
  uint32_t mode() const { return mode_; }

  // Bytes from the terminal.
  void input(const char* bytes, size_t length);
  void input(char byte);

  // Bytes a program writes, to the terminal with output processing.
  void write(const char* bytes, size_t length);
  // write()s the longest prefix of bytes[0..length) whose terminal form
  // takes at most `room` bytes; returns the prefix's length.
  size_t write_fitting(const char* bytes, size_t length, size_t room);

  // Queues a read of at most `max` bytes (1..kReadMax; more is cut to
  // kReadMax) for `reader`, an id the Sink gets back; completes it at once
  // if input is ready. false if kReaderMax reads wait already, or max is 0.
  bool add_reader(uint32_t reader, size_t max);
  size_t pending_readers() const { return reader_count_; }

  // The line being edited (canonical mode), for tests.
  size_t line_length() const { return line_length_; }
  // Whether the line being edited went past kLineMax - 1 bytes.
  bool line_overflowed() const { return overflowed_; }
  // Whether a read would complete at once (poll's POLLIN).
  bool readable() const;
  // Bytes typed and not yet read.
  size_t input_queued() const { return static_cast<size_t>(input_tail_ - input_head_); }

 private:
  struct Record {
    uint64_t end;  // input position just past the line (== start: end of file)
  };
  struct Reader {
    uint32_t id;
    size_t max;
  };

  void canonical_input(char c);
  // canonical_input() once the line has overflowed.
  void overflowed_input(char c);
  void raw_input(char c);
  void append_to_line(char c);
  // show_newline: echo the line end (CR LF) if it has one.
  void end_line(bool with_newline, bool show_newline = true);
  void erase_character();
  void erase_line();
  void erase_word();
  void interrupt();

  // Appends to the input queue; false (nothing appended) if it lacks room.
  bool queue_input(const char* bytes, size_t length);
  bool queue_record(uint64_t end);
  // Pairs waiting reads with ready input while both last.
  void serve_readers();
  // The next read's bytes into scratch_; false if nothing is ready.
  // *consumed is how far the input advances, *pops the records it ends.
  bool next_read(size_t max, size_t* length, size_t* pops);
  void consume(size_t length, size_t pops);

  void echo(const char* bytes, size_t length);
  void echo(char c) { echo(&c, 1); }
  void bell();
  // Shows `bytes` on the terminal, keeping column_.
  void emit(const char* bytes, size_t length);
  static bool is_continuation(char c) { return (static_cast<uint8_t>(c) & 0xc0) == 0x80; }
  static bool shows_as_caret(char c) {
    uint8_t u = static_cast<uint8_t>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
  }
  // The column after showing line_[0..length) from line_column_.
  size_t column_after(size_t length) const;

  Sink& sink_;
  uint32_t mode_ = 0;

  char line_[kLineMax];
  size_t line_length_ = 0;
  size_t line_column_ = 0;   // the terminal column where the line began
  size_t column_ = 0;        // the terminal's cursor column, as far as we know
  bool after_cr_ = false;    // the last byte typed was a CR (canonical)
  bool overflowed_ = false;  // the line went past the limit: the rest is dropped

  // Input queue: a ring of kInputMax bytes between two ever-growing
  // positions, and the ring of completed-line records within it.
  char input_[kInputMax];
  uint64_t input_head_ = 0;
  uint64_t input_tail_ = 0;
  Record records_[kRecordMax];
  size_t record_head_ = 0;
  size_t record_count_ = 0;

  Reader readers_[kReaderMax];
  size_t reader_head_ = 0;
  size_t reader_count_ = 0;

  char scratch_[kReadMax];
};

}  // namespace console
