#include "line_reader.h"

#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <unistd.h>

namespace sh {

LineReader::LineReader(int fd, bool shared, size_t max_length)
    : fd_(fd), shared_(shared), max_length_(max_length) {
  line_ = static_cast<char*>(malloc(max_length + 1));
}

LineReader::~LineReader() {
  free(line_);
}

// Refills the block; false at the end of input or on an error.
bool LineReader::fill() {
  if (end_ || error_) return false;
  size_t want = sizeof(block_);
  if (shared_) {
    if (seekable_ < 0) seekable_ = lseek(fd_, 0, SEEK_CUR) >= 0 ? 1 : 0;
    if (!seekable_) want = 1;
  }
  for (;;) {
    ssize_t n = read(fd_, block_, want);
    if (n > 0) {
      block_start_ = 0;
      block_end_ = static_cast<size_t>(n);
      return true;
    }
    if (n == 0) {
      end_ = true;
      return false;
    }
    if (errno != EINTR) {
      error_ = true;
      return false;
    }
  }
}

LineReader::Result LineReader::read_line() {
  length_ = 0;
  if (line_ == nullptr) return Result::kError;
  bool too_long = false;
  bool any = false;
  for (;;) {
    if (block_start_ == block_end_ && !fill()) {
      if (too_long) length_ = 0;
      line_[length_] = 0;
      if (error_ && !any) return Result::kError;
      if (!any) return Result::kEnd;
      return too_long ? Result::kTooLong : Result::kLine;  // a last line without '\n'
    }
    any = true;
    const char* start = block_ + block_start_;
    size_t available = block_end_ - block_start_;
    const char* newline = static_cast<const char*>(memchr(start, '\n', available));
    size_t take = newline != nullptr ? static_cast<size_t>(newline - start) : available;
    if (!too_long) {
      if (take > max_length_ - length_) {
        too_long = true;
      } else {
        memcpy(line_ + length_, start, take);
        length_ += take;
      }
    }
    block_start_ += take;
    if (newline == nullptr) continue;
    block_start_++;  // the '\n'
    if (shared_ && seekable_ == 1 && block_start_ < block_end_) {
      // Give the rest back to the commands that share the input.
      lseek(fd_, -static_cast<off_t>(block_end_ - block_start_), SEEK_CUR);
      block_start_ = block_end_;
    }
    line_[too_long ? 0 : length_] = 0;
    if (too_long) length_ = 0;
    return too_long ? Result::kTooLong : Result::kLine;
  }
}

}  // namespace sh
