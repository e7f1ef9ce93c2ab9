// Reads input lines with read(), for the shell's main loop.
//
// When the input is shared with the programs the shell runs (its stdin),
// the reader must not consume bytes past the end of a line: it reads in
// blocks and seeks back over the rest if the fd is seekable, and otherwise
// (a pipe, the console) reads one byte at a time.
#pragma once

#include <stddef.h>

namespace sh {

class LineReader {
 public:
  enum class Result {
    kLine,     // line() holds the next line, without its '\n'
    kTooLong,  // a line longer than the maximum was read and dropped
    kEnd,      // end of input
    kError,    // read() failed (errno)
  };

  // shared: the fd is also the stdin of the commands run (see above).
  LineReader(int fd, bool shared, size_t max_length);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // kError stays the answer until clear_error().
  Result read_line();
  void clear_error() { error_ = false; }
  // The line read last, NUL-terminated; valid until the next read_line().
  const char* line() const { return line_; }
  size_t length() const { return length_; }

 private:
  bool fill();

  int fd_;
  bool shared_;
  int seekable_ = -1;  // -1: not known yet
  size_t max_length_;
  char* line_ = nullptr;
  size_t length_ = 0;
  char block_[4096];
  size_t block_start_ = 0;
  size_t block_end_ = 0;
  bool end_ = false;
  bool error_ = false;
};

}  // namespace sh
