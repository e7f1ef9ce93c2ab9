// od [-v] [-A d|o|x|n] [-t TYPE] [-j SKIP] [-N COUNT] [-bcdox] [FILE...]:
// dumps FILE (all of them one after the other; "-" or none: stdin) 16
// bytes a line, each line led by its offset (-A: decimal, octal (the
// default), hexadecimal or none). TYPE is c (characters, with \0 \a \b \f
// \n \r \t \v and octal for the rest), or d, o, u or x (signed decimal,
// octal, unsigned decimal, hexadecimal) with a size of 1, 2 or 4 bytes
// (little-endian): x1, o2, ... (default o2). -b, -c, -d, -o and -x are
// -t o1, c, u2, o2 and x2. -j skips SKIP bytes of the input, -N dumps at
// most COUNT (decimal, 0x hexadecimal, or with b 512, k 1024 or M 1024^2
// after). Lines equal to the one before are shown as one "*" unless -v.
// The last line is the offset after the last byte.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <unistd.h>

#include "util.h"

namespace {

constexpr size_t kLine = 16;

struct Format {
  char kind = 'o';  // c d o u x
  int size = 2;
};

struct Options {
  char radix = 'o';  // -A
  Format format;
  uint64_t skip = 0;
  uint64_t limit = ~uint64_t{0};
  bool all = false;  // -v
};

bool parse_count(const char* text, uint64_t* out) {
  char* end;
  errno = 0;
  if (text[0] < '0' || text[0] > '9') return false;
  unsigned long long value = strtoull(text, &end, 0);
  if (errno != 0 || end == text) return false;
  uint64_t unit = 1;
  if (*end == 'b') unit = 512;
  if (*end == 'k') unit = 1024;
  if (*end == 'M') unit = 1024 * 1024;
  if (unit != 1) end++;
  if (*end != 0 || value > ~uint64_t{0} / unit) return false;
  *out = value * unit;
  return true;
}

bool parse_type(const char* text, Format* out) {
  Format f;
  f.kind = text[0];
  if (f.kind == 'c') {
    f.size = 1;
    if (text[1] != 0) return false;
  } else if (f.kind == 'd' || f.kind == 'o' || f.kind == 'u' || f.kind == 'x') {
    f.size = text[1] == 0 ? 4 : text[1] - '0';
    if ((f.size != 1 && f.size != 2 && f.size != 4) || (text[1] != 0 && text[2] != 0)) {
      return false;
    }
  } else {
    return false;
  }
  *out = f;
  return true;
}

void print_offset(char radix, uint64_t offset) {
  auto value = static_cast<unsigned long long>(offset);
  switch (radix) {
    case 'd':
      printf("%07llu", value);
      break;
    case 'x':
      printf("%06llx", value);
      break;
    case 'o':
      printf("%07llo", value);
      break;
    default:
      break;
  }
}

void print_char(uint8_t c) {
  static const char kEscapes[] = "0\0\0\0\0\0\0abtnvfr";
  if (c < sizeof(kEscapes) - 1 && kEscapes[c] != 0) {
    printf("  \\%c", kEscapes[c]);
  } else if (c >= 0x20 && c < 0x7f) {
    printf("   %c", c);
  } else {
    printf(" %03o", c);
  }
}

// One line: `length` bytes (the last may be short; a value missing bytes
// has them as zeros).
void print_line(const Options& o, uint64_t offset, const uint8_t* bytes, size_t length) {
  print_offset(o.radix, offset);
  const Format& f = o.format;
  for (size_t i = 0; i < length; i += static_cast<size_t>(f.size)) {
    uint32_t value = 0;
    for (int b = f.size - 1; b >= 0; b--) {
      value = value << 8 | (i + static_cast<size_t>(b) < length ? bytes[i + b] : 0);
    }
    int bits = f.size * 8;
    switch (f.kind) {
      case 'c':
        print_char(static_cast<uint8_t>(value));
        break;
      case 'x':
        printf(" %0*x", f.size * 2, value);
        break;
      case 'o':
        printf(" %0*o", f.size == 1 ? 3 : f.size == 2 ? 6 : 11, value);
        break;
      case 'u':
        printf(" %*u", f.size == 1 ? 3 : f.size == 2 ? 5 : 10, value);
        break;
      case 'd': {
        int32_t v = static_cast<int32_t>(value << (32 - bits)) >> (32 - bits);
        printf(" %*d", f.size == 1 ? 4 : f.size == 2 ? 6 : 11, v);
        break;
      }
      default:
        break;
    }
  }
  printf("\n");
}

// The inputs as one stream.
struct Input {
  char** names;
  int count;
  int next = 0;
  int fd = -1;
  const char* name = nullptr;
  int status = 0;

  // Up to `size` bytes; 0 at the end of the last input.
  size_t read_some(uint8_t* buffer, size_t size) {
    for (;;) {
      if (fd < 0 && !open_next()) return 0;
      ssize_t n = read(fd, buffer, size);
      if (n < 0 && errno == EINTR) continue;
      if (n > 0) return static_cast<size_t>(n);
      if (n < 0) {
        coreutils::report("od", name, errno);
        status = 1;
      }
      if (fd != STDIN_FILENO) close(fd);
      fd = -1;
    }
  }

  bool open_next() {
    while (next < count || (count == 0 && next == 0)) {
      name = count == 0 ? "-" : names[next];
      next++;
      fd = strcmp(name, "-") == 0 ? STDIN_FILENO : open(name, O_RDONLY);
      if (fd >= 0) return true;
      coreutils::report("od", name, errno);
      status = 1;
    }
    return false;
  }

  // Skips `bytes`: by seeking the first input where it can; false if the
  // inputs end first.
  bool skip(uint64_t bytes) {
    static uint8_t scratch[4096];
    if (bytes == 0) return true;
    if (open_next()) {
      off_t end = lseek(fd, 0, SEEK_END);
      if (end >= 0 && static_cast<uint64_t>(end) >= bytes &&
          lseek(fd, static_cast<off_t>(bytes), SEEK_SET) >= 0) {
        return true;
      }
      if (end >= 0) lseek(fd, 0, SEEK_SET);
    }
    while (bytes > 0) {
      size_t n = read_some(scratch, bytes < sizeof(scratch) ? bytes : sizeof(scratch));
      if (n == 0) return false;
      bytes -= n;
    }
    return true;
  }
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  int i = 1;
  for (; i < argc && argv[i][0] == '-' && argv[i][1] != 0; i++) {
    const char* a = argv[i];
    if (strcmp(a, "--") == 0) {
      i++;
      break;
    }
    for (const char* p = a + 1; *p != 0; p++) {
      char letter = *p;
      if (strchr("AtjN", letter) != nullptr) {
        // The value: the rest of this word, or the next word.
        const char* value = p[1] != 0 ? p + 1 : (i + 1 < argc ? argv[++i] : nullptr);
        bool ok = value != nullptr;
        if (ok && letter == 'A') {
          ok = value[1] == 0 && strchr("doxn", value[0]) != nullptr;
          if (ok) o.radix = value[0];
        } else if (ok && letter == 't') {
          ok = parse_type(value, &o.format);
        } else if (ok) {
          ok = parse_count(value, letter == 'j' ? &o.skip : &o.limit);
        }
        if (!ok) {
          fprintf(stderr, "od: invalid argument '%s' for -%c\n", value != nullptr ? value : "",
                  letter);
          return 2;
        }
        break;
      }
      switch (letter) {
        case 'v':
          o.all = true;
          break;
        case 'b':
          o.format = {'o', 1};
          break;
        case 'c':
          o.format = {'c', 1};
          break;
        case 'd':
          o.format = {'u', 2};
          break;
        case 'o':
          o.format = {'o', 2};
          break;
        case 'x':
          o.format = {'x', 2};
          break;
        default:
          fprintf(stderr, "od: invalid option -- '%c'\n", letter);
          return 2;
      }
    }
  }
  Input input{argv + i, argc - i};
  uint64_t offset = o.skip;
  if (!input.skip(o.skip)) {
    fprintf(stderr, "od: cannot skip past end of combined input\n");
    return 1;
  }
  uint8_t line[kLine], previous[kLine];
  bool have_previous = false, starred = false;
  uint64_t left = o.limit;
  for (;;) {
    size_t want = left < kLine ? static_cast<size_t>(left) : kLine;
    size_t length = 0;
    while (length < want) {
      size_t n = input.read_some(line + length, want - length);
      if (n == 0) break;
      length += n;
    }
    if (length == 0) break;
    left -= length;
    if (!o.all && have_previous && length == kLine && memcmp(line, previous, kLine) == 0) {
      if (!starred) printf("*\n");
      starred = true;
    } else {
      print_line(o, offset, line, length);
      starred = false;
    }
    memcpy(previous, line, kLine);
    have_previous = length == kLine;
    offset += length;
    if (length < want) break;
  }
  if (o.radix != 'n') {
    print_offset(o.radix, offset);
    printf("\n");
  }
  return input.status;
}
