#include "line_discipline.h"

#include <stdio.h>

namespace console {
namespace {

constexpr char kInterrupt = 0x03;  // ^C
constexpr char kEndOfFile = 0x04;  // ^D
constexpr char kBackspace = 0x08;  // ^H
constexpr char kKillLine = 0x15;   // ^U
constexpr char kEraseWord = 0x17;  // ^W
constexpr char kDelete = 0x7f;
constexpr size_t kTabWidth = 8;

size_t next_tab_stop(size_t column) {
  return (column / kTabWidth + 1) * kTabWidth;
}

}  // namespace

bool LineDiscipline::set_mode(uint32_t mode) {
  if ((mode & ~kModeMask) != 0) return false;
  bool was_raw = (mode_ & kModeRaw) != 0;
  bool raw = (mode & kModeRaw) != 0;
  mode_ = mode;
  after_cr_ = false;
  if (!was_raw && raw && line_length_ > 0) {
    // What was typed so far is readable now, as it is (if it fits; else it
    // waits in the line for canonical mode to come back).
    if (queue_input(line_, line_length_)) line_length_ = 0;
  } else if (was_raw && !raw) {
    // Raw bytes not read yet make one line, so that canonical reads see them.
    uint64_t covered = record_count_ > 0
                           ? records_[(record_head_ + record_count_ - 1) % kRecordMax].end
                           : input_head_;
    if (input_tail_ > covered) (void)queue_record(input_tail_);
  }
  serve_readers();
  return true;
}

void LineDiscipline::input(const char* bytes, size_t length) {
  for (size_t i = 0; i < length; ++i) input(bytes[i]);
}

void LineDiscipline::input(char byte) {
  if ((mode_ & kModeRaw) != 0) {
    raw_input(byte);
  } else {
    canonical_input(byte);
  }
}

void LineDiscipline::raw_input(char c) {
  if (!queue_input(&c, 1)) {
    bell();
    return;
  }
  echo(c);
  serve_readers();
}

void LineDiscipline::canonical_input(char c) {
  // CR is the terminal's Enter; a CR LF pair (a pasted or piped line) is
  // one line end, not two.
  bool after_cr = after_cr_;
  after_cr_ = c == '\r';
  if (after_cr && c == '\n') return;
  if (overflowed_) {
    overflowed_input(c);
    return;
  }
  switch (c) {
    case '\r':
    case '\n':
      end_line(/*with_newline=*/true);
      break;
    case kBackspace:
    case kDelete:
      erase_character();
      break;
    case kKillLine:
      erase_line();
      break;
    case kEraseWord:
      erase_word();
      break;
    case kInterrupt:
      interrupt();
      break;
    case kEndOfFile:
      // At the start of a line an empty record: a read of 0 bytes, the end
      // of file. Elsewhere the partial line, without a '\n'.
      end_line(/*with_newline=*/false);
      break;
    default:
      append_to_line(c);
      break;
  }
}

void LineDiscipline::overflowed_input(char c) {
  switch (c) {
    case '\r':
    case '\n':
    case kEndOfFile: {
      static constexpr char kMessage[] =
          "\r\nconsole: line too long (limit %zu bytes), discarded\r\n";
      char text[sizeof(kMessage) + 20];
      int n = snprintf(text, sizeof(text), kMessage, kLineMax - 1);
      if (n > 0) emit(text, static_cast<size_t>(n) < sizeof(text) ? n : sizeof(text) - 1);
      overflowed_ = false;
      line_length_ = 0;
      // An empty line for the reader, which prompts again (not at ^D: an
      // empty record there would be an end of file).
      // The message ended its row already.
      if (c != kEndOfFile) end_line(/*with_newline=*/true, /*show_newline=*/false);
      break;
    }
    case kInterrupt:
      overflowed_ = false;
      interrupt();
      break;
    case kKillLine:
      // What was shown of it stays on the screen; a new line starts.
      overflowed_ = false;
      line_length_ = 0;
      echo("^U\r\n", 4);
      break;
    default:
      break;  // discarded, unseen
  }
}

void LineDiscipline::append_to_line(char c) {
  // The last byte of the line is kept for its '\n'. Past it the line is
  // lost: say so once, and drop the rest until its end.
  if (line_length_ + 1 >= kLineMax) {
    overflowed_ = true;
    bell();
    return;
  }
  if (line_length_ == 0) line_column_ = column_;
  line_[line_length_++] = c;
  if (shows_as_caret(c)) {
    char caret[2] = {'^', static_cast<char>(c == kDelete ? '?' : c + '@')};
    echo(caret, sizeof(caret));
  } else {
    echo(c);
  }
}

void LineDiscipline::end_line(bool with_newline, bool show_newline) {
  size_t length = line_length_;
  if (with_newline) line_[length++] = '\n';  // append_to_line kept the room
  if (record_count_ == kRecordMax || !queue_input(line_, length)) {
    // Nobody reads what was typed ahead: keep the line, refuse its end.
    bell();
    return;
  }
  (void)queue_record(input_tail_);
  line_length_ = 0;
  if (with_newline && show_newline) echo("\r\n", 2);
  serve_readers();
}

void LineDiscipline::erase_character() {
  if (line_length_ == 0) return;
  size_t end = line_length_;
  size_t start = end - 1;
  // A UTF-8 character goes as a whole: its continuation bytes, then its
  // lead byte.
  while (start > 0 && end - start < 4 && is_continuation(line_[start])) --start;
  bool tab = line_[start] == '\t';
  size_t width = column_after(end) - column_after(start);
  line_length_ = start;
  for (size_t i = 0; i < width; ++i) {
    // A tab's columns are blank already: moving back is enough.
    if (tab) {
      echo(kBackspace);
    } else {
      echo("\b \b", 3);
    }
  }
}

void LineDiscipline::erase_line() {
  while (line_length_ > 0) erase_character();
}

void LineDiscipline::erase_word() {
  auto blank = [this] {
    char c = line_[line_length_ - 1];
    return c == ' ' || c == '\t';
  };
  while (line_length_ > 0 && blank()) erase_character();
  while (line_length_ > 0 && !blank()) erase_character();
}

void LineDiscipline::interrupt() {
  echo("^C\r\n", 4);
  line_length_ = 0;
  sink_.interrupt();
}

bool LineDiscipline::queue_input(const char* bytes, size_t length) {
  if (kInputMax - input_queued() < length) return false;
  for (size_t i = 0; i < length; ++i) input_[(input_tail_ + i) % kInputMax] = bytes[i];
  input_tail_ += length;
  return true;
}

bool LineDiscipline::queue_record(uint64_t end) {
  if (record_count_ == kRecordMax) return false;
  records_[(record_head_ + record_count_) % kRecordMax] = Record{end};
  ++record_count_;
  return true;
}

void LineDiscipline::serve_readers() {
  while (reader_count_ > 0) {
    size_t length;
    size_t pops;
    if (!next_read(readers_[reader_head_].max, &length, &pops)) return;
    Reader reader = readers_[reader_head_];
    reader_head_ = (reader_head_ + 1) % kReaderMax;
    --reader_count_;
    // A reader that is gone leaves the bytes to the next one.
    if (sink_.complete_read(reader.id, scratch_, length)) consume(length, pops);
  }
}

bool LineDiscipline::next_read(size_t max, size_t* length, size_t* pops) {
  size_t available;
  if ((mode_ & kModeRaw) == 0) {
    // One line (or what is left of it) at most.
    if (record_count_ == 0) return false;
    available = static_cast<size_t>(records_[record_head_].end - input_head_);
  } else {
    available = input_queued();
    // Raw input ignores line ends, except an end of file left from
    // canonical mode with nothing before it.
    if (available == 0 && record_count_ == 0) return false;
  }
  size_t n = available < max ? available : max;
  for (size_t i = 0; i < n; ++i) scratch_[i] = input_[(input_head_ + i) % kInputMax];
  // The records the read finishes (an end of file counts when reached).
  size_t finished = 0;
  while (finished < record_count_ &&
         records_[(record_head_ + finished) % kRecordMax].end <= input_head_ + n) {
    ++finished;
    if ((mode_ & kModeRaw) == 0 || n == 0) break;  // one record at a time
  }
  *length = n;
  *pops = finished;
  return true;
}

void LineDiscipline::consume(size_t length, size_t pops) {
  input_head_ += length;
  record_head_ = (record_head_ + pops) % kRecordMax;
  record_count_ -= pops;
}

bool LineDiscipline::readable() const {
  if ((mode_ & kModeRaw) == 0) return record_count_ > 0;
  return input_queued() > 0 || record_count_ > 0;
}

bool LineDiscipline::add_reader(uint32_t reader, size_t max) {
  if (max == 0 || reader_count_ == kReaderMax) return false;
  if (max > kReadMax) max = kReadMax;
  readers_[(reader_head_ + reader_count_) % kReaderMax] = Reader{reader, max};
  ++reader_count_;
  serve_readers();
  return true;
}

void LineDiscipline::write(const char* bytes, size_t length) {
  size_t start = 0;
  for (size_t i = 0; i < length; ++i) {
    if (bytes[i] != '\n') continue;
    emit(bytes + start, i - start);
    emit("\r\n", 2);
    start = i + 1;
  }
  emit(bytes + start, length - start);
}

size_t LineDiscipline::write_fitting(const char* bytes, size_t length, size_t room) {
  size_t n = 0;
  for (size_t used = 0; n < length; ++n) {
    used += bytes[n] == '\n' ? 2 : 1;  // "\r\n"
    if (used > room) break;
  }
  write(bytes, n);
  return n;
}

void LineDiscipline::echo(const char* bytes, size_t length) {
  if ((mode_ & kModeNoEcho) != 0) return;
  emit(bytes, length);
}

void LineDiscipline::bell() {
  echo('\a');
}

void LineDiscipline::emit(const char* bytes, size_t length) {
  if (length == 0) return;
  for (size_t i = 0; i < length; ++i) {
    char c = bytes[i];
    if (c == '\r' || c == '\n') {
      column_ = 0;
    } else if (c == '\b') {
      if (column_ > 0) --column_;
    } else if (c == '\t') {
      column_ = next_tab_stop(column_);
    } else if (c == '\a' || is_continuation(c)) {
      // No column.
    } else if (shows_as_caret(c)) {
      // Unknown to us (an escape sequence...): the column is a guess now.
    } else {
      ++column_;
    }
  }
  sink_.terminal_write(bytes, length);
}

size_t LineDiscipline::column_after(size_t length) const {
  size_t column = line_column_;
  for (size_t i = 0; i < length; ++i) {
    char c = line_[i];
    if (c == '\t') {
      column = next_tab_stop(column);
    } else if (shows_as_caret(c)) {
      column += 2;
    } else if (!is_continuation(c)) {
      ++column;
    }
  }
  return column;
}

}  // namespace console
